"""Comparisons and selection: ==, <, logical ops (bool results, no gradient), where, clamp.

    where(c, a, b):  da = dy where c,  db = dy where not c
    clamp(x, lo, hi): dx = dy where lo <= x <= hi
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from . import lowering
from .operands import as_number, promote, scalar_tensor


class Compare(Function):
    """y = a OP b for OP in ==, !=, <, <=, >, >=, and, or, xor: bool results, no gradient"""

    differentiable = False

    @staticmethod
    def forward(ctx, a, b, op):
        return lowering.binary(op, a, b)


class Where(Function):
    """y = a if condition else b;  da = dy * condition,  db = dy * !condition"""

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        ctx.a_shape, ctx.b_shape = a._view.shape, b._view.shape
        return lowering.where(condition, a, b)

    @staticmethod
    def backward(ctx, dy):
        (condition,) = ctx.saved_tensors
        zero = scalar_tensor(0, dy.dtype, dy)  # a number: no kernel writes it into memory
        needs = ctx.needs_input_grad
        da = where(condition, dy, zero).sum_to_size(ctx.a_shape) if needs[1] else None
        db = where(condition, zero, dy).sum_to_size(ctx.b_shape) if needs[2] else None
        return None, da, db


class Clamp(Function):
    """y = min(max(x, low), high);  dx = dy * [low <= x <= high]"""

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        y = x
        if low is not None:
            y = lowering.binary("maximum", y, scalar_tensor(low, x.dtype, x))
        if high is not None:
            y = lowering.binary("minimum", y, scalar_tensor(high, x.dtype, x))
        return y if y is not x else lowering.copy(x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        inside = x == x  # all True (False only for nan)
        if ctx.low is not None:
            inside = inside & (x >= ctx.low)
        if ctx.high is not None:
            inside = inside & (x <= ctx.high)
        return dy * inside, None, None


def _compare(op: str, input: Any, other: Any) -> Tensor:
    a, b = promote(input, other)
    return Compare.apply(a, b, op)


def eq(input: Any, other: Any) -> Tensor:
    return _compare("eq", input, other)


def ne(input: Any, other: Any) -> Tensor:
    return _compare("ne", input, other)


def lt(input: Any, other: Any) -> Tensor:
    return _compare("lt", input, other)


def le(input: Any, other: Any) -> Tensor:
    return _compare("le", input, other)


def gt(input: Any, other: Any) -> Tensor:
    return _compare("gt", input, other)


def ge(input: Any, other: Any) -> Tensor:
    return _compare("ge", input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(input: Any, other: Any) -> Tensor:
    return _compare("logical_and", input, other)


def logical_or(input: Any, other: Any) -> Tensor:
    return _compare("logical_or", input, other)


def logical_xor(input: Any, other: Any) -> Tensor:
    return _compare("logical_xor", input, other)


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape and elements."""
    return input.shape == other.shape and bool(eq(input, other).all())


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    if condition.dtype.name != "bool":
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {condition.dtype.name.capitalize()}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        from ..dtypes import result_type

        common = result_type(as_number(input), as_number(other))
        input, other = scalar_tensor(input, common, condition), scalar_tensor(other, common,
                                                                               condition)
    a, b = promote(input, other)
    for number, operand in ((input, a), (other, b)):
        if not isinstance(number, Tensor):
            _check_fits(as_number(number), operand.dtype)
    return Where.apply(condition, a, b)


# PyTorch's names of the integer types, for where's overflow message.
_C_TYPES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
            "int64": "int64_t"}


def _check_fits(number: Any, dtype: Any) -> None:
    """where(c, x, 1000) with an int8 x: unlike arithmetic (which wraps around), where refuses a
    number its dtype cannot hold, as PyTorch does."""
    if dtype.name in _C_TYPES and isinstance(number, int):
        info = np.iinfo(dtype.numpy)
        low = -info.max if info.min == 0 else info.min  # unsigned: -255 wraps, -256 does not
        if not low <= number <= info.max:
            raise RuntimeError(f"value cannot be converted to type {_C_TYPES[dtype.name]} "
                               "without overflow")


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if input.dtype.is_complex:  # complex numbers have no order
        raise NotImplementedError("clamp is not supported for complex types")
    if isinstance(min, Tensor) or isinstance(max, Tensor):  # tensor bounds: select per element
        result = input
        if min is not None:
            result = where(result < min, min, result)
        if max is not None:
            result = where(result > max, max, result)
        return result
    bounds = [b for b in (min, max) if b is not None]
    (x, *_) = promote(input, *bounds)
    return Clamp.apply(x, min, max)


clip = clamp


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """input with value wherever mask is True (value keeps input's dtype)."""
    if mask.dtype.name != "bool":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.name}")
    fill = value.to(input.dtype) if isinstance(value, Tensor) else scalar_tensor(
        as_number(value), input.dtype, input)
    return Where.apply(mask, fill, input)
