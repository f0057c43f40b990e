"""tinygrad_edu.interpret against the same methods written by hand with torch.autograd."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn as tnn
from tinygrad_edu import interpret

torch = pytest.importorskip("torch")


def make_models(seed: int, device: str):
    """A tiny conv net, the same weights in tinygrad_edu and in PyTorch."""

    def build(nn, F, flatten):
        class Tiny(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 3, 3)
                self.fc = nn.Linear(3 * 4 * 4, 4)

            def forward(self, x):  # (N, 1, 6, 6) -> (N, 4)
                return F.log_softmax(self.fc(flatten(F.relu(self.conv(x)), 1)), dim=1)

        return Tiny()

    ref = build(torch.nn, torch.nn.functional, torch.flatten)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in ref.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 0.5)
    ours = build(tnn, tnn.functional, tg.flatten)
    ours.load_state_dict({k: tg.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    return ours.to(device), ref


def inputs(seed: int, n: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 1, 6, 6)).astype(np.float32)


def torch_scores(model, x, target):
    return model(x).gather(1, torch.tensor(target).reshape(-1, 1)).sum()


@settings(max_examples=6)  # each example is a few Triton-interpreter launches on "cuda"
@given(seed=st.integers(0, 2**16), absolute=st.booleans())
def test_saliency_is_the_input_gradient(device: str, seed: int, absolute: bool) -> None:
    ours, ref = make_models(seed, device)
    x, target = inputs(seed), [1, 3]
    got = interpret.saliency(ours, tg.tensor(x, device=device), target, absolute=absolute)
    tx = torch.tensor(x, requires_grad=True)
    (expected,) = torch.autograd.grad(torch_scores(ref, tx, target), tx)
    expected = expected.abs() if absolute else expected
    np.testing.assert_allclose(got.cpu().numpy(), expected.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("baseline", [None, 0.5])
def test_integrated_gradients_match_a_hand_written_riemann_sum(device: str, baseline) -> None:
    ours, ref = make_models(3, device)
    x, target, steps = inputs(4), [0, 2], 6 if device == "cpu" else 2
    got, delta = interpret.integrated_gradients(ours, tg.tensor(x, device=device), target,
                                                baseline, steps, return_delta=True)
    tx, tb = torch.tensor(x), torch.full_like(torch.tensor(x), baseline or 0.0)
    total = torch.zeros_like(tx)
    for k in range(steps + 1):  # trapezoidal rule, written out
        point = (tb + k / steps * (tx - tb)).requires_grad_(True)
        (gradient,) = torch.autograd.grad(torch_scores(ref, point, target), point)
        total += gradient * (0.5 if k in (0, steps) else 1.0)
    expected = (tx - tb) * total / steps
    np.testing.assert_allclose(got.cpu().numpy(), expected.numpy(), rtol=1e-4, atol=1e-5)
    index = torch.tensor(target).reshape(-1, 1)
    with torch.no_grad():
        change = (ref(tx).gather(1, index) - ref(tb).gather(1, index)).reshape(-1)
    np.testing.assert_allclose(delta.cpu().numpy(), (expected.sum((1, 2, 3)) - change).numpy(),
                               rtol=1e-4, atol=1e-5)


def test_integrated_gradients_are_complete_with_enough_steps() -> None:
    ours, _ = make_models(5, "cpu")
    x = tg.tensor(inputs(6, n=3))
    coarse = interpret.integrated_gradients(ours, x, [0, 1, 2], steps=2)
    fine = interpret.integrated_gradients(ours, x, [0, 1, 2], steps=200)
    coarse_error = interpret.completeness_error(ours, x, [0, 1, 2], coarse)
    fine_error = interpret.completeness_error(ours, x, [0, 1, 2], fine)
    assert fine_error < 0.01 and fine_error < coarse_error


def test_grad_cam_weighs_the_hooked_activations_by_their_mean_gradient(device: str) -> None:
    ours, ref = make_models(7, device)
    x, target = inputs(8), [2, 0]
    got = interpret.grad_cam(ours, tg.tensor(x, device=device), target, ours.conv)
    kept = []
    handle = ref.conv.register_forward_hook(lambda m, a, out: kept.append(out))
    score = torch_scores(ref, torch.tensor(x), target)
    handle.remove()
    (gradient,) = torch.autograd.grad(score, kept[0])
    expected = (gradient.mean((2, 3), keepdim=True) * kept[0]).sum(1).relu()
    assert got.shape == (2, 4, 4)
    np.testing.assert_allclose(got.cpu().numpy(), expected.detach().numpy(), rtol=1e-4,
                               atol=1e-5)
    assert not ours.conv._forward_hooks  # the hook is removed again


def test_bad_targets_and_layers_are_reported() -> None:
    ours, _ = make_models(0, "cpu")
    x = tg.tensor(inputs(0))
    with pytest.raises(ValueError, match="one target per sample"):
        interpret.saliency(ours, x, [1, 2, 3])
    with pytest.raises(ValueError, match=r"\(N, K, h, w\)"):
        interpret.grad_cam(ours, x, 0, ours.fc)
    with pytest.raises(ValueError, match="steps must be"):
        interpret.integrated_gradients(ours, x, 0, steps=0)
