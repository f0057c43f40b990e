"""Module backward hooks against PyTorch: register_full_backward_hook (sees and replaces
grad_input), register_full_backward_pre_hook (replaces grad_output), and the deprecated
register_backward_hook (the output's last node, with PyTorch's warning)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinygrad_edu as te


def _model(lib: object, values: np.ndarray) -> object:
    """Linear(3, 2) with fixed weights, the same in both libraries."""
    layer = lib.nn.Linear(3, 2)
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(values[:6].reshape(2, 3)))
        layer.bias.copy_(lib.tensor(values[6:8]))
    return layer


def _run(lib: object, register: str, hook_factory: object, device: str | None) -> tuple:
    values = np.linspace(-1, 1, 8, dtype=np.float32)
    layer = _model(lib, values)
    if device:
        layer = layer.to(device)
    seen: list = []
    getattr(layer, register)(hook_factory(seen))
    x = lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 5, requires_grad=True)
    if device:
        x = lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 5, device=device,
                       requires_grad=True)
    (layer(x) * lib.tensor([[1.0, -2.0]], device=device or "cpu")).sum().backward()
    record = [[None if g is None else g.detach().cpu().numpy() for g in group] for group in seen]
    return record, x.grad.cpu().numpy(), layer.weight.grad.cpu().numpy()


def _full_hook(seen: list) -> object:
    def hook(module, grad_input, grad_output):
        seen.append(tuple(grad_input))
        seen.append(tuple(grad_output))
        return tuple(None if g is None else g * 3 for g in grad_input)
    return hook


def _pre_hook(seen: list) -> object:
    def hook(module, grad_output):
        seen.append(tuple(grad_output))
        return tuple(g * -0.5 for g in grad_output)
    return hook


@pytest.mark.parametrize("register, factory", [
    ("register_full_backward_hook", _full_hook),
    ("register_full_backward_pre_hook", _pre_hook),
])
def test_full_backward_hooks_match_torch(register: str, factory: object, device: str) -> None:
    ours = _run(te, register, factory, device)
    theirs = _run(torch, register, factory, None)
    assert len(ours[0]) == len(theirs[0])
    for group_ours, group_theirs in zip(ours[0], theirs[0]):
        assert len(group_ours) == len(group_theirs)
        for a, b in zip(group_ours, group_theirs):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5, atol=1e-6)


def test_full_backward_hook_without_input_grad_gets_none() -> None:
    for lib in (te, torch):
        layer = lib.nn.Linear(2, 2)
        seen = []
        layer.register_full_backward_hook(lambda m, gi, go, seen=seen: seen.append((gi, go)))
        with pytest.warns(UserWarning, match="no inputs require gradients") if lib is te else \
                warnings.catch_warnings():  # torch warns once per process
            output = layer(lib.ones(1, 2))
        output.sum().backward()
        assert len(seen) == 1 and seen[0][0] == (None,) and seen[0][1][0].shape == (1, 2)


def test_deprecated_backward_hook_warns_and_sees_the_last_node() -> None:
    results = {}
    for lib in (te, torch):
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.ReLU())
        seen = []
        model.register_backward_hook(lambda m, gi, go, seen=seen: seen.append(
            [None if g is None else tuple(g.shape) for g in gi]))
        x = lib.ones(2, 3, requires_grad=True)
        with pytest.warns(FutureWarning, match="non-full backward hook"):
            model(x).sum().backward()
        results[lib.__name__] = seen
    assert results["tinygrad_edu"] == results["torch"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        single = te.nn.ReLU()
        single.register_backward_hook(lambda m, gi, go: None)
        single(te.ones(2, requires_grad=True)).sum().backward()


def test_mixing_hook_kinds_is_an_error() -> None:
    for lib in (te, torch):
        layer = lib.nn.Linear(2, 2)
        layer.register_full_backward_hook(lambda m, gi, go: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks"):
            layer.register_backward_hook(lambda m, gi, go: None)


def test_removed_hook_does_not_run() -> None:
    layer = te.nn.Linear(2, 2)
    seen = []
    handle = layer.register_full_backward_hook(lambda m, gi, go: seen.append(1))
    handle.remove()
    layer(te.ones(1, 2, requires_grad=True)).sum().backward()
    assert seen == []
