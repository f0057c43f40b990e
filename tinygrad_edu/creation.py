"""Creating tensors: from Python data and NumPy arrays, constant fills, ranges and random draws.

Each function has PyTorch's signature (dtype=, device=, requires_grad=) and dtype inference:
Python floats give the default float (float32), Python ints int64, bools bool; NumPy arrays keep
their dtype. Fills and ranges are computed by backend primitives, on the target device.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .creation_helpers import size_argument
from .device import CPU, backend_for, to_device
from .dtypes import (
    bool_,
    dtype,
    from_numpy_dtype,
    get_default_complex_dtype,
    get_default_dtype,
    int64,
    scalar_dtype,
    to_dtype,
)
from .kernels import View
from .ops import lowering
from .random import Generator, default_generator
from .storage import Storage
from .tensor import Tensor, make_tensor


def _finish(result: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        if not result.dtype.is_differentiable:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        result._requires_grad = True
    return result


def _infer_dtype(array: np.ndarray, data: Any) -> dtype:
    if isinstance(data, (np.ndarray, np.generic)):
        return from_numpy_dtype(array.dtype)
    if array.dtype.kind == "f":
        return get_default_dtype()
    if array.dtype.kind in "iu":
        return int64
    if array.dtype.kind == "b":
        return bool_
    if array.dtype.kind == "c":  # Python complex numbers: the default complex dtype
        return get_default_complex_dtype()
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
           ) -> Tensor:
    """A new tensor holding a copy of data (nested lists, a NumPy array, a number or a Tensor)."""
    if isinstance(data, Tensor):
        data = data.detach()._host()
    array = np.asarray(data)
    if array.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    result_dtype = to_dtype(dtype) if dtype is not None else _infer_dtype(array, data)
    result = lowering.from_host(array, to_device(device), result_dtype)
    return _finish(result, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """data itself if it is already a tensor of that dtype and device, else a new tensor."""
    if isinstance(data, Tensor):
        return data.to(device=device if device is not None else data.device,
                       dtype=dtype if dtype is not None else data.dtype)
    if isinstance(data, np.ndarray) and dtype is None and to_device(device) == CPU:
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor that shares memory with a NumPy array (changes show through both ways)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    result_dtype = from_numpy_dtype(array.dtype)
    itemsize = array.itemsize
    if any(s < 0 for s in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    if any(s % itemsize for s in array.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. Copy "
                         "the numpy array to reallocate the memory.")
    strides = tuple(s // itemsize for s in array.strides)
    span = 0 if array.size == 0 else 1 + sum((n - 1) * s for n, s in zip(array.shape, strides))
    flat = np.lib.stride_tricks.as_strided(array, shape=(span,), strides=(itemsize,))
    storage = Storage(flat, CPU, backend_for(CPU))
    return make_tensor(storage, View(tuple(array.shape), strides, 0), result_dtype)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    shape = size_argument((size,))
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    result_dtype = to_dtype(dtype) if dtype is not None else scalar_dtype(fill_value)
    return _finish(lowering.full(shape, fill_value, result_dtype, to_device(device)), requires_grad)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
          ) -> Tensor:
    result_dtype = to_dtype(dtype) if dtype is not None else get_default_dtype()
    return _finish(lowering.full(size_argument(size), 0, result_dtype, to_device(device)),
                   requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    result_dtype = to_dtype(dtype) if dtype is not None else get_default_dtype()
    return _finish(lowering.full(size_argument(size), 1, result_dtype, to_device(device)),
                   requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
          ) -> Tensor:
    """Uninitialised in PyTorch; here zeros (reading uninitialised memory teaches nothing)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _like(input: Tensor, dtype: Any, device: Any) -> tuple[dtype, Any]:
    return (to_dtype(dtype) if dtype is not None else input.dtype,
            device if device is not None else input.device)


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    new_dtype, new_device = _like(input, dtype, device)
    return zeros(input.shape, dtype=new_dtype, device=new_device, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    new_dtype, new_device = _like(input, dtype, device)
    return ones(input.shape, dtype=new_dtype, device=new_device, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    new_dtype, new_device = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=new_dtype, device=new_device,
                requires_grad=requires_grad)


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to (not including) end; arange(5) is 0..4."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = get_default_dtype() if any(isinstance(v, float) for v in values) else int64
    numel = max(0, math.ceil((end - start) / step))
    result = lowering.arange(start, step, numel, to_dtype(dtype), to_device(device))
    return _finish(result, requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """steps evenly spaced values from start to end, both included."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    step = (end - start) / (steps - 1) if steps > 1 else 0
    new_dtype = to_dtype(dtype) if dtype is not None else get_default_dtype()
    result = lowering.arange(start, step, steps, new_dtype, to_device(device))
    return _finish(result, requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The identity matrix: zeros, then ones written through a diagonal view (stride m + 1)."""
    m = n if m is None else m
    result = zeros(n, m, dtype=dtype, device=device)
    diagonal = lowering.view_of(result, View((min(n, m),), (m + 1,), 0))
    lowering.copy_into(diagonal, lowering.full((), 1, result.dtype, result.device))
    return _finish(result, requires_grad)


def _random(kind: str, shape: tuple[int, ...], generator: Generator | None, dtype: dtype,
            device: Any, low: Any, high: Any) -> Tensor:
    numel = math.prod(shape)
    seed, offset = (generator or default_generator).take(numel)
    return lowering.random(kind, shape, dtype, to_device(device), seed, offset, low, high)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform draws in [0, 1)."""
    new_dtype = to_dtype(dtype) if dtype is not None else get_default_dtype()
    result = _random("uniform", size_argument(size), generator, new_dtype, device, 0.0, 1.0)
    return _finish(result, requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal draws: mean 0, standard deviation 1."""
    new_dtype = to_dtype(dtype) if dtype is not None else get_default_dtype()
    result = _random("normal", size_argument(size), generator, new_dtype, device, 0.0, 1.0)
    return _finish(result, requires_grad)


def randint(*args: Any, generator: Generator | None = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False, size: Any = None) -> Tensor:
    """randint(high, size) or randint(low, high, size): integers in [low, high)."""
    if size is not None:
        args = (*args, size)
    if len(args) == 2:
        low, (high, shape) = 0, args
    elif len(args) == 3:
        low, high, shape = args
    else:
        raise TypeError("randint() expects (high, size) or (low, high, size)")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    new_dtype = to_dtype(dtype) if dtype is not None else int64
    result = _random("randint", size_argument((shape,)), generator, new_dtype, device, low, high)
    return _finish(result, requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    new_dtype, new_device = _like(input, dtype, device)
    return rand(input.shape, dtype=new_dtype, device=new_device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    new_dtype, new_device = _like(input, dtype, device)
    return randn(input.shape, dtype=new_dtype, device=new_device, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *, dtype: Any = None,
                 device: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    new_dtype, new_device = _like(input, dtype, device)
    return randint(low, high, input.shape, dtype=new_dtype, device=new_device)


def scalar_tensor(value: Any, *, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    new_dtype = to_dtype(dtype) if dtype is not None else get_default_dtype()
    return _finish(lowering.full((), value, new_dtype, to_device(device)), requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1 (how DataLoader shuffles)."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    seed, offset = (generator or default_generator).take(n)
    new_dtype = to_dtype(dtype) if dtype is not None else int64
    return _finish(lowering.randperm(n, new_dtype, to_device(device), seed, offset), requires_grad)
