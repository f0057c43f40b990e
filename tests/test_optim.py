"""Optimizers against PyTorch on raw tensors: same start, same data -> same losses for 30 steps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu
import tinygrad_edu.optim as optim

RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 5)).astype(np.float32)
Y = RNG.integers(0, 3, 16)
WEIGHTS = [RNG.standard_normal(shape).astype(np.float32) * 0.5 for shape in
           [(5, 8), (8,), (8, 3), (3,)]]


def mlp_losses(library, optimizer_name: str, steps: int = 30, **options) -> list[float]:
    """Train a 5-8-3 MLP written with raw tensors; return the loss before each step."""
    params = [library.tensor(w.copy(), requires_grad=True) for w in WEIGHTS]
    x, y = library.tensor(X), library.tensor(Y)
    optimizer_class = getattr(optim if library is tinygrad_edu else torch.optim, optimizer_name)
    optimizer = optimizer_class(params, **options)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        hidden = (x @ params[0] + params[1]).relu()
        log_probs = (hidden @ params[2] + params[3]).log_softmax(dim=1)
        loss = -log_probs.gather(1, y.reshape(-1, 1)).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.02, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True}),
]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_losses_match_pytorch_for_30_steps(name: str, options: dict) -> None:
    ours = mlp_losses(tinygrad_edu, name, **options)
    theirs = mlp_losses(torch, name, **options)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    assert theirs[-1] != theirs[0]  # the parameters really moved


def test_defaults_match_pytorch() -> None:
    params = [tinygrad_edu.zeros(2, requires_grad=True)]
    torch_params = [torch.zeros(2, requires_grad=True)]
    for name in ("SGD", "Adam", "AdamW"):
        ours = getattr(optim, name)(params).defaults
        theirs = getattr(torch.optim, name)(torch_params).defaults
        assert ours == theirs, name


def test_step_updates_in_place_and_bumps_version() -> None:
    p = tinygrad_edu.tensor([1.0, 2.0], requires_grad=True)
    alias = p.detach()
    version = p._version
    p.grad = tinygrad_edu.tensor([1.0, -1.0])
    optim.SGD([p], lr=0.5).step()
    assert alias.tolist() == [0.5, 2.5]      # the same storage was written
    assert p._version > version
    assert p.grad_fn is None and p.requires_grad


def test_params_without_grad_are_skipped() -> None:
    used = tinygrad_edu.tensor([1.0], requires_grad=True)
    unused = tinygrad_edu.tensor([1.0], requires_grad=True)
    used.grad = tinygrad_edu.tensor([1.0])
    optimizer = optim.Adam([used, unused], lr=0.1)
    optimizer.step()
    assert unused.tolist() == [1.0]
    assert unused not in optimizer.state
    assert used.tolist() != [1.0]


def test_zero_grad_sets_none_or_zeros() -> None:
    p = tinygrad_edu.tensor([1.0, 2.0], requires_grad=True)
    optimizer = optim.SGD([p], lr=0.1)
    p.grad = tinygrad_edu.tensor([3.0, 4.0])
    optimizer.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    optimizer.zero_grad()
    assert p.grad is None


def test_param_groups_use_their_own_lr() -> None:
    a = tinygrad_edu.tensor([1.0], requires_grad=True)
    b = tinygrad_edu.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    for p in (a, b):
        p.grad = tinygrad_edu.tensor([1.0])
    optimizer.step()
    assert a.tolist() == pytest.approx([0.9]) and b.tolist() == pytest.approx([0.5])
    assert optimizer.param_groups[1]["momentum"] == 0.9
    c = tinygrad_edu.tensor([1.0], requires_grad=True)
    optimizer.add_param_group({"params": c, "lr": 1.0})
    assert optimizer.param_groups[2]["params"] == [c]
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": [a]})


def _trained(library, steps: int, optimizer=None, params=None):
    params = params or [library.tensor(w.copy(), requires_grad=True) for w in WEIGHTS[:2]]
    module = optim if library is tinygrad_edu else torch.optim
    optimizer = optimizer or module.Adam(params, lr=0.05, amsgrad=True)
    x = library.tensor(X)
    for _ in range(steps):
        optimizer.zero_grad()
        ((x @ params[0] + params[1]) ** 2).mean().backward()
        optimizer.step()
    return optimizer, params


def test_state_dict_has_pytorchs_structure() -> None:
    ours, _ = _trained(tinygrad_edu, 2)
    theirs, _ = _trained(torch, 2)
    ours_state, their_state = ours.state_dict(), theirs.state_dict()
    assert ours_state["param_groups"] == their_state["param_groups"]
    assert ours_state["state"].keys() == their_state["state"].keys()
    for index, values in their_state["state"].items():
        assert ours_state["state"][index].keys() == values.keys()
        for key, value in values.items():
            np.testing.assert_allclose(ours_state["state"][index][key].numpy(), value.numpy(),
                                       rtol=1e-5, atol=1e-7)


def test_load_state_dict_resumes_training_exactly() -> None:
    straight, straight_params = _trained(tinygrad_edu, 6)
    first, first_params = _trained(tinygrad_edu, 3)
    saved = first.state_dict()
    fresh_params = [p.detach().clone().requires_grad_() for p in first_params]
    resumed = optim.Adam(fresh_params, lr=1.0)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == 0.05 and resumed.param_groups[0]["amsgrad"]
    _trained(tinygrad_edu, 3, resumed, fresh_params)
    for ours, expected in zip(fresh_params, straight_params):
        np.testing.assert_allclose(ours.detach().numpy(), expected.detach().numpy(), rtol=1e-6)
    saved["state"][0]["exp_avg"].zero_()  # the loaded state is a copy, not an alias
    assert resumed.state[fresh_params[0]]["exp_avg"].abs().sum().item() > 0


def test_load_state_dict_rejects_mismatched_groups() -> None:
    optimizer, params = _trained(tinygrad_edu, 1)
    other = optim.Adam(params[:1])
    with pytest.raises(ValueError, match="doesn't match the size"):
        other.load_state_dict(optimizer.state_dict())
    two_groups = optim.Adam([{"params": params[:1]}, {"params": params[1:]}])
    with pytest.raises(ValueError, match="different number of parameter groups"):
        two_groups.load_state_dict(optimizer.state_dict())


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires a momentum"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda p: optim.Adam(p, eps=-1e-8), "Invalid epsilon value"),
    (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda p: optim.SGD([p[0] * 2], lr=0.1), "can't optimize a non-leaf Tensor"),
    (lambda p: optim.SGD([{"params": p}, {"params": p}], lr=0.1), "more than one parameter group"),
])
def test_bad_arguments_raise_pytorchs_errors(make, message: str) -> None:
    params = [tinygrad_edu.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match=message):
        make(params)


def test_bad_param_types_raise_type_errors() -> None:
    p = tinygrad_edu.zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([p, 3.0], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p], lr=0.1)


def _device_losses(library, device: str, name: str, steps: int, **options) -> list[float]:
    """mlp_losses on a device (tinygrad_edu's 'cuda' is the Triton backend)."""
    params = [library.tensor(w.copy(), requires_grad=True, device=device) for w in WEIGHTS]
    x, y = library.tensor(X, device=device), library.tensor(Y, device=device)
    optimizer_class = getattr(optim if library is tinygrad_edu else torch.optim, name)
    optimizer = optimizer_class(params, **options)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        hidden = (x @ params[0] + params[1]).relu()
        log_probs = (hidden @ params[2] + params[3]).log_softmax(dim=1)
        loss = -log_probs.gather(1, y.reshape(-1, 1)).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("foreach", [None, True, False])
@pytest.mark.parametrize(("name", "options"), [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True}),
])
def test_foreach_steps_match_pytorch_on_both_devices(device: str, foreach, name: str,
                                                     options: dict) -> None:
    ours = _device_losses(tinygrad_edu, device, name, 5, foreach=foreach, **options)
    theirs = _device_losses(torch, "cpu", name, 5, **options)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_a_gpu_step_updates_every_parameter_in_one_launch(name: str) -> None:
    pytest.importorskip("triton")
    from tinygrad_edu.kernels import triton_support

    params = [tinygrad_edu.tensor(w.copy(), requires_grad=True, device="cuda") for w in WEIGHTS]
    optimizer = getattr(optim, name)(params, lr=0.1, **({"momentum": 0.9} if name == "SGD"
                                                         else {}))
    for param in params:
        param.grad = tinygrad_edu.ones_like(param)
    optimizer.step()  # creates the state (Adam's zero moments), fills SGD's momentum buffers
    before = triton_support.COUNTS["launches"]
    optimizer.step()
    assert triton_support.COUNTS["launches"] - before == 1
    expected = getattr(torch.optim, name)(
        theirs := [torch.tensor(w.copy(), requires_grad=True) for w in WEIGHTS], lr=0.1,
        **({"momentum": 0.9} if name == "SGD" else {}))
    for param in theirs:
        param.grad = torch.ones_like(param)
    expected.step()
    expected.step()
    for ours, reference in zip(params, theirs):
        np.testing.assert_allclose(ours.detach().cpu().numpy(), reference.detach().numpy(),
                                   rtol=1e-5, atol=1e-6)
