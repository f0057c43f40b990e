"""Conversions: changing a tensor's dtype or device (a copy, differentiable for floats).

    y = x.to(dtype);   dx = dy.to(x.dtype)         y = x.to(device);   dx = dy.to(x.device)
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..device import device, to_device
from ..dtypes import dtype, to_dtype
from ..tensor import Tensor
from . import lowering


class ToCopy(Function):
    """y = x converted to another dtype and/or device;  dx = dy converted back"""

    @staticmethod
    def forward(ctx, x, dtype, device):
        # named as x.to(dtype, device) names them (a graph label shows them); backward converts
        # back to the input's, kept out of the label
        ctx.dtype, ctx.device = dtype, device
        ctx._input_dtype, ctx._input_device = x.dtype, x._storage.device
        result = x if dtype is x.dtype else lowering.cast(x, dtype)
        if device != x._storage.device:
            result = lowering.from_host(result._host(), device, dtype)
        return result if result is not x else lowering.copy(x)

    @staticmethod
    def backward(ctx, dy):
        return to(dy, ctx._input_dtype, ctx._input_device), None, None


def cast_to(x: Tensor, new_dtype: dtype) -> Tensor:
    """x in another dtype (x itself when it already has it)."""
    return x if x.dtype is new_dtype else ToCopy.apply(x, new_dtype, x._storage.device)


def _parse_to(x: Tensor, args: tuple, kwargs: dict) -> tuple[dtype, device, bool]:
    new_dtype, new_device = x.dtype, x._storage.device
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    for value in list(args) + list(kwargs.values()):
        if value is None:
            continue
        if isinstance(value, Tensor):
            new_dtype, new_device = value.dtype, value._storage.device
        elif isinstance(value, (str, device)):
            new_device = to_device(value)
        else:
            new_dtype = to_dtype(value)
    return new_dtype, new_device, copy


def to(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """x.to(dtype), x.to(device), x.to(other), x.to(device, dtype): x itself if nothing changes."""
    new_dtype, new_device, copy = _parse_to(x, args, dict(kwargs))
    if new_dtype is x.dtype and new_device == x._storage.device and not copy:
        return x
    if new_device != x._storage.device:
        from ..device import backend_for

        backend_for(new_device)  # fail early and clearly for an unavailable device
    return ToCopy.apply(x, new_dtype, new_device)
