"""Helpers for the nn parity tests: run a tinygrad_edu module and the same PyTorch module.

`check_module(ours, theirs, *arrays)` copies PyTorch's state_dict into ours through NumPy, runs
both on the same inputs, backpropagates the same weighted sum of the outputs, and compares
outputs, input gradients, parameter gradients and buffers (e.g. BatchNorm's running statistics).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import tinygrad_edu

FORWARD = (1e-5, 1e-4)  # (atol, rtol)
GRADIENT = (1e-4, 1e-3)


def as_numpy(value: Any) -> np.ndarray:
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


def close(name: str, ours: Any, theirs: Any, tolerance: tuple[float, float]) -> None:
    ours, theirs = as_numpy(ours), as_numpy(theirs)
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} != PyTorch's {theirs.shape}"
    np.testing.assert_allclose(ours.astype(np.float64), theirs.astype(np.float64),
                               atol=tolerance[0], rtol=tolerance[1], err_msg=name)


def copy_weights(ours: tinygrad_edu.nn.Module, theirs: torch.nn.Module) -> None:
    ours.load_state_dict({k: v.detach().cpu().numpy() for k, v in theirs.state_dict().items()})


def _inputs(module: Any, arrays: tuple, device: str | None) -> list:
    values = []
    for array in arrays:
        value = module.tensor(array) if device is None else module.tensor(array, device=device)
        if value.is_floating_point():
            value.requires_grad_(True)
        values.append(value)
    return values


def _weighted_sum(module: Any, output: Any) -> Any:
    weights = np.cos(np.arange(output.numel())).reshape(tuple(output.shape))
    return (output * module.tensor(weights.astype(np.float32), device=output.device)).sum()


def check_module(ours: tinygrad_edu.nn.Module, theirs: torch.nn.Module, *arrays: np.ndarray,
                 device: str = "cpu", call: Callable | None = None,
                 forward: tuple[float, float] = FORWARD,
                 gradient: tuple[float, float] = GRADIENT) -> None:
    """Same weights, same inputs: outputs, input grads, parameter grads and buffers must agree."""
    copy_weights(ours, theirs)
    ours.to(device)
    call = call or (lambda module, *xs: module(*xs))
    our_inputs = _inputs(tinygrad_edu, arrays, device)
    their_inputs = _inputs(torch, arrays, None)
    our_output, their_output = call(ours, *our_inputs), call(theirs, *their_inputs)
    close("output", our_output, their_output, forward)
    if their_output.requires_grad:
        _weighted_sum(tinygrad_edu, our_output).backward()
        _weighted_sum(torch, their_output).backward()
        for index, (a, b) in enumerate(zip(our_inputs, their_inputs)):
            if b.grad is not None:
                assert a.grad is not None, f"input {index} got no gradient"
                close(f"grad of input {index}", a.grad, b.grad, gradient)
        their_params = dict(theirs.named_parameters())
        for name, param in ours.named_parameters():
            if their_params[name].grad is not None:
                close(f"grad of {name}", param.grad, their_params[name].grad, gradient)
    their_buffers = dict(theirs.named_buffers())
    for name, buffer in ours.named_buffers():
        close(f"buffer {name}", buffer, their_buffers[name], forward)
