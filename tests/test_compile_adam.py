"""Adam and AdamW with capturable=True: the step count is a device tensor, so compile replays them.

- Eager capturable Adam/AdamW (amsgrad, weight decay, maximize) equals PyTorch's Adam within
  float32 tolerance after several steps (parameters and moments).
- A compiled training step with capturable Adam/AdamW replays (no graph break, no eager
  fallback) and equals the eager step within 1e-6 after 20 steps; the step count advances.
- Plain Adam (capturable=False) still reads its count into Python: compile warns and stays eager.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch as real_torch

import tinygrad_edu as torch
from tinygrad_edu import nn


def _mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))


OPTIMIZERS = {
    "adam": lambda params, module: module.optim.Adam(params, lr=0.01, capturable=True),
    "adamw_amsgrad": lambda params, module: module.optim.AdamW(
        params, lr=0.01, weight_decay=0.1, amsgrad=True, capturable=True),
    "adam_decay_maximize": lambda params, module: module.optim.Adam(
        params, lr=0.01, weight_decay=0.05, maximize=True, capturable=True),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_capturable_adam_matches_pytorch(name):
    rng = np.random.default_rng(0)
    start = rng.standard_normal((5, 3)).astype(np.float32)
    grads = [rng.standard_normal((5, 3)).astype(np.float32) for _ in range(6)]
    ours = torch.tensor(start.copy(), requires_grad=True)
    theirs = real_torch.tensor(start.copy(), requires_grad=True)
    make = OPTIMIZERS[name]
    opt, reference = make([ours], torch), make([theirs], real_torch)
    reference.param_groups[0]["capturable"] = False  # PyTorch's capturable wants a GPU
    for grad in grads:
        ours.grad, theirs.grad = torch.tensor(grad), real_torch.tensor(grad)
        opt.step()
        reference.step()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=2e-6)
    state, expected = opt.state[ours], reference.state[theirs]
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(state[key].numpy(), expected[key].numpy(), atol=2e-6)
    assert state["step"].item() == 6 and state["step"].device == ours.device


def _training(device: str, name: str):
    torch.manual_seed(0)
    model = _mlp().to(device)
    opt = OPTIMIZERS[name](model.parameters(), torch)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return model, opt, step


@pytest.mark.parametrize("name", ["adam", "adamw_amsgrad"])
def test_compiled_capturable_adam_replays_and_equals_eager(name, device):
    steps = 20 if device == "cpu" else 4  # the interpreter is slow: 2 captures, 2 replays
    eager_model, _, eager_step = _training(device, name)
    model, opt, step = _training(device, name)
    compiled = torch.compile(step)
    rng = np.random.default_rng(1)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "tinygrad_edu.compile")  # no break, no eager fallback
        for _ in range(steps):
            x = torch.tensor(rng.standard_normal((6, 8)).astype(np.float32), device=device)
            y = torch.tensor(rng.integers(0, 4, 6), device=device)
            expected, got = eager_step(x, y), compiled(x, y)
            assert abs(expected.item() - got.item()) <= 1e-6
    assert compiled.program is not None  # the later steps were replays
    for p, q in zip(eager_model.parameters(), model.parameters()):
        np.testing.assert_allclose(q.detach().cpu().numpy(), p.detach().cpu().numpy(), atol=1e-6)
        assert opt.state[q]["step"].item() == steps  # the replays advanced the count


def test_plain_adam_still_falls_back_to_eager_with_a_warning():
    torch.manual_seed(0)
    model = _mlp()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    compiled = torch.compile(step)
    x, y = torch.randn(6, 8), torch.tensor([0, 1, 2, 3, 0, 1])
    with pytest.warns(UserWarning, match="runs eagerly"):
        for _ in range(3):
            compiled(x, y)
    assert compiled.program is None
