"""Bitwise ops on integer (and bool) tensors: &, |, ^, ~, <<, >>.

    bitwise_and(a, b)   each bit 1 where both are 1      (bool tensors: logical and)
    bitwise_not(a)      every bit flipped: ~x == -x - 1 for signed integers (bool: logical not)
    bitwise_left_shift(a, n)   a * 2^n (bits past the width fall off)
    bitwise_right_shift(a, n)  floor(a / 2^n) (arithmetic: the sign is kept)

They are defined on integers only, so there is no gradient; float inputs get PyTorch's error.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..tensor import Tensor
from . import lowering
from .operands import promote
from .unary import logical_not

_KERNEL_NAMES = {"bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or",
                 "bitwise_xor": "bitwise_xor", "bitwise_left_shift": "left_shift",
                 "bitwise_right_shift": "right_shift"}


class Bitwise(Function):
    """y = a op b bit by bit (no gradient: integers only)"""

    differentiable = False

    @staticmethod
    def forward(ctx, a, b, op):
        return lowering.binary(op, a, b)


class BitwiseNot(Function):
    """y = ~x, every bit flipped (no gradient)"""

    differentiable = False

    @staticmethod
    def forward(ctx, x):
        return lowering.unary("bitwise_not", x)


def _type_name(x: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(x.dtype.name,
                                                                           x.dtype.name)


def _binary(name: str, input: Any, other: Any) -> Tensor:
    a, b = promote(input, other)
    if a.dtype.is_floating_point:
        kernel = "lshift" if "left" in name else "rshift" if "right" in name else name
        raise RuntimeError(f"\"{kernel}_cpu\" not implemented for '{_type_name(a)}'")
    if "shift" in name and a.dtype.name == "bool":
        raise RuntimeError(f"\"{name.split('_')[-2][0]}shift_cpu\" not implemented for 'Bool'")
    return Bitwise.apply(a, b, _KERNEL_NAMES[name])


def bitwise_and(input: Any, other: Any) -> Tensor:
    return _binary("bitwise_and", input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    return _binary("bitwise_or", input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    return _binary("bitwise_xor", input, other)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    return _binary("bitwise_left_shift", input, other)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    return _binary("bitwise_right_shift", input, other)


def bitwise_not(input: Tensor) -> Tensor:
    if input.dtype.name == "bool":
        return logical_not(input)
    if input.dtype.is_floating_point:
        raise RuntimeError(f"\"bitwise_not_cpu\" not implemented for '{_type_name(input)}'")
    return BitwiseNot.apply(input)
