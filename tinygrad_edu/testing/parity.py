"""Parity with PyTorch: run the same computation in both libraries and compare values and grads.

    assert_matches_torch(lambda t, x: t.exp(x).sum(), np.array([1.0, 2.0]))

The function receives the library module (tinygrad_edu or torch) followed by one tensor per array;
float inputs require grad. The outputs must match, and, after backward of the sum of all float
outputs, so must every input's gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

FORWARD_TOLERANCE = {"float32": (1e-6, 1e-3), "float64": (1e-10, 1e-7), "float16": (1e-3, 1e-2)}
GRADIENT_TOLERANCE = {"float32": (1e-4, 1e-3), "float64": (1e-8, 1e-6), "float16": (1e-2, 1e-2)}


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _compare(name: str, ours: np.ndarray, theirs: np.ndarray, tolerance: tuple[float, float]
             ) -> None:
    atol, rtol = tolerance
    if ours.shape != theirs.shape:
        raise AssertionError(f"{name}: shape {ours.shape} != PyTorch's {theirs.shape}")
    if ours.dtype.kind == "b" or theirs.dtype.kind == "b":
        np.testing.assert_array_equal(ours, theirs, err_msg=name)
        return
    np.testing.assert_allclose(ours.astype(np.float64), theirs.astype(np.float64), atol=atol,
                               rtol=rtol, equal_nan=True, err_msg=name)


def _run(module: Any, function: Callable, arrays: tuple[np.ndarray, ...], device: Any,
         differentiate: bool) -> tuple[list, list]:
    inputs = []
    for array in arrays:
        value = module.tensor(np.array(array), device=device) if device else module.tensor(
            np.array(array))
        if differentiate and value.dtype in (module.float16, module.float32, module.float64):
            value.requires_grad_(True)
        inputs.append(value)
    outputs = _as_list(function(module, *inputs))
    differentiable = [o for o in outputs if o.requires_grad]
    if differentiate and differentiable:
        total = differentiable[0].float().sum() * 0
        for output in differentiable:
            total = total + (output.float() * _weights(module, output)).sum()
        total.backward()
    values = [o.detach().cpu().numpy() for o in outputs]
    grads = [None if i.grad is None else i.grad.detach().cpu().numpy() for i in inputs]
    return values, grads


def _weights(module: Any, output: Any) -> Any:
    """Fixed, varied weights so that every output element's gradient matters differently."""
    count = output.numel()
    weights = np.cos(np.arange(count, dtype=np.float64)).reshape(tuple(output.shape))
    return module.tensor(weights.astype(np.float32), device=output.device)


def assert_matches_torch(edu_function: Callable, torch_function: Callable | None, *arrays: Any,
                         device: Any = None, differentiate: bool = True,
                         forward_tolerance: tuple[float, float] | None = None,
                         gradient_tolerance: tuple[float, float] | None = None) -> None:
    """Assert that values and input gradients match PyTorch's for the same arrays.

    edu_function(tinygrad_edu, *tensors) and torch_function(torch, *tensors); pass None as
    torch_function when the same code works for both modules (the usual case)."""
    import torch

    import tinygrad_edu

    torch_function = torch_function or edu_function
    arrays = tuple(np.asarray(a) for a in arrays)
    ours_values, ours_grads = _run(tinygrad_edu, edu_function, arrays, device, differentiate)
    theirs_values, theirs_grads = _run(torch, torch_function, arrays, None, differentiate)
    if len(ours_values) != len(theirs_values):
        raise AssertionError(f"{len(ours_values)} outputs, PyTorch has {len(theirs_values)}")
    for index, (ours, theirs) in enumerate(zip(ours_values, theirs_values)):
        if str(ours.dtype) != str(theirs.dtype):
            raise AssertionError(f"output {index}: dtype {ours.dtype} != PyTorch's {theirs.dtype}")
        kind = str(theirs.dtype) if str(theirs.dtype) in FORWARD_TOLERANCE else "float64"
        _compare(f"output {index}", ours, theirs, forward_tolerance or FORWARD_TOLERANCE[kind])
    for index, (ours, theirs) in enumerate(zip(ours_grads, theirs_grads)):
        if (ours is None) != (theirs is None):
            raise AssertionError(f"gradient of input {index}: ours is {ours is not None and 'set'}"
                                 f", PyTorch's is {theirs is not None and 'set'}")
        if ours is not None:
            kind = str(theirs.dtype) if str(theirs.dtype) in GRADIENT_TOLERANCE else "float64"
            _compare(f"gradient of input {index}", ours, theirs,
                     gradient_tolerance or GRADIENT_TOLERANCE[kind])
