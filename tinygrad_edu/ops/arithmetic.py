"""Arithmetic ops with two inputs and their derivatives: add, sub, mul, div, pow, max/min.

Binary ops broadcast: their inputs may have different shapes, so each input's gradient must be
summed back to that input's shape (`sum_to_size`, one visible node in the backward graph). Add,
sub, mul and div leave that to the engine, as PyTorch does: a node records each input's shape,
and the engine sums a gradient that arrives broadcast (autograd/engine.py, `_validate`). Their
forwards then write nothing into ctx, which keeps an op that records no graph cheap. Python
numbers become 0-d tensors after PyTorch's type promotion (ops/operands.py).
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..dtypes import bool_
from ..tensor import Tensor
from . import lowering
from .operands import as_number, is_number, promote, scalar_tensor
from .selection import where


def _needed_inputs(ctx, a: Tensor, b: Tensor) -> tuple[Tensor | None, Tensor | None]:
    """For a product: da needs b and db needs a, so save each only if the other needs a grad.

    (Saving less also lets `y.mul_(2)` overwrite y: its old value is not needed.)"""
    needs = ctx.needs_input_grad
    if not needs:
        return None, None
    return (a if needs[1] else None), (b if needs[0] else None)


class Add(Function):
    """y = a + b;  da = dy,  db = dy   (each summed back to its input's shape by the engine)"""

    @staticmethod
    def forward(ctx, a, b):
        return lowering.binary("add", a, b)

    @staticmethod
    def backward(ctx, dy):
        return dy, dy


class Sub(Function):
    """y = a - b;  da = dy,  db = -dy"""

    @staticmethod
    def forward(ctx, a, b):
        return lowering.binary("sub", a, b)

    @staticmethod
    def backward(ctx, dy):
        return dy, (-dy if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """y = a * b;  da = dy * b,  db = dy * a"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(*_needed_inputs(ctx, a, b))
        return lowering.binary("mul", a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        da = dy * b.conj() if ctx.needs_input_grad[0] else None
        db = dy * a.conj() if ctx.needs_input_grad[1] else None
        return da, db


class Div(Function):
    """y = a / b;  da = dy / b,  db = -dy * a / b^2"""

    @staticmethod
    def forward(ctx, a, b):
        needs_b = bool(ctx.needs_input_grad) and ctx.needs_input_grad[1]
        ctx.save_for_backward(a if needs_b else None, b)  # a only matters for db
        return lowering.binary("div", a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        da = dy / b.conj() if ctx.needs_input_grad[0] else None
        db = -dy * a.conj() / (b * b).conj() if ctx.needs_input_grad[1] else None
        return da, db


class DivRounded(Function):
    """y = floor(a / b) or trunc(a / b);  da = 0,  db = 0   (a step function)"""

    @staticmethod
    def forward(ctx, a, b, rounding_mode):
        ctx.a_shape, ctx.b_shape = a._view.shape, b._view.shape
        return lowering.binary("div_floor" if rounding_mode == "floor" else "div_trunc", a, b)

    @staticmethod
    def backward(ctx, dy):
        return dy.new_zeros(ctx.a_shape), dy.new_zeros(ctx.b_shape), None


class Remainder(Function):
    """y = a - floor(a / b) * b;  da = dy,  db = -dy * floor(a / b)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return lowering.binary("remainder", a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        db = (-dy * a.div(b, rounding_mode="floor")).sum_to_size(b.shape)
        return dy.sum_to_size(a.shape), db


class Pow(Function):
    """y = a^b;  da = dy * b * a^(b-1),  db = dy * y * ln(a)   (db = 0 where a == 0 and b >= 0)"""

    node_name = "PowBackward1"  # PyTorch's name for tensor ** tensor

    @staticmethod
    def forward(ctx, a, b):
        y = lowering.binary("pow", a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, dy):
        a, b, y = ctx.saved_tensors
        da = db = None
        if ctx.needs_input_grad[0]:
            a_bar, b_bar = a.conj(), b.conj()  # complex: dz = dy * conj(f'(z))
            da = where(b == 0, 0.0, dy * b_bar * a_bar.pow(b_bar - 1)).sum_to_size(a.shape)
        if ctx.needs_input_grad[1]:
            log_a = where((a == 0) & ((b.real if b.dtype.is_complex else b) >= 0), 0.0, a.log())
            db = (dy * y.conj() * log_a.conj()).sum_to_size(b.shape)
        return da, db


class PowScalar(Function):
    """y = x^e for a number e;  dx = dy * e * x^(e-1)   (0 when e == 0)"""

    node_name = "PowBackward0"  # PyTorch's name for tensor ** number

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        return lowering.binary("pow", x, scalar_tensor(exponent, x.dtype, x))

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        if ctx.exponent == 0:
            return dy.new_zeros(dy.shape), None
        exponent = ctx.exponent.conjugate()  # complex: dz = dy * conj(f'(z))
        return dy * exponent * x.conj().pow(exponent - 1), None


class Maximum(Function):
    """y = max(a, b);  da = dy * [a > b] + dy/2 * [a == b],  db likewise (ties split evenly)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return lowering.binary("maximum", a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        share_a = (a > b) + (a == b) * 0.5
        return (dy * share_a).sum_to_size(a.shape), (dy * (1 - share_a)).sum_to_size(b.shape)


class Minimum(Function):
    """y = min(a, b);  da = dy * [a < b] + dy/2 * [a == b],  db likewise (ties split evenly)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return lowering.binary("minimum", a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        share_a = (a < b) + (a == b) * 0.5
        return (dy * share_a).sum_to_size(a.shape), (dy * (1 - share_a)).sum_to_size(b.shape)


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if alpha != 1:
        other = mul(other, alpha)
    a, b = promote(input, other)
    return Add.apply(a, b)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if alpha != 1:
        other = mul(other, alpha)
    a, b = promote(input, other)
    if a.dtype.name == "bool":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return Sub.apply(a, b)


subtract = sub


def _is_bool(operand: Any) -> bool:
    return operand is True or operand is False or (isinstance(operand, Tensor)
                                                   and operand.dtype is bool_)


def mul(input: Any, other: Any) -> Tensor:
    a, b = promote(input, other)
    return Mul.apply(a, b)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    if rounding_mode is None:
        a, b = promote(input, other, floating=True)
        return Div.apply(a, b)
    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    a, b = promote(input, other)
    return DivRounded.apply(a, b, rounding_mode)


true_divide = divide = div


def floor_divide(input: Any, other: Any) -> Tensor:
    return div(input, other, rounding_mode="floor")


def remainder(input: Any, other: Any) -> Tensor:
    a, b = promote(input, other)
    return Remainder.apply(a, b)


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001 - torch.pow
    if isinstance(input, Tensor) and is_number(exponent):
        exponent = as_number(exponent)
        (x, _) = promote(input, exponent)
        if (x.dtype.category <= 1 and isinstance(exponent, int) and exponent < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return PowScalar.apply(x, exponent)
    a, b = promote(input, exponent)
    if a.dtype.category <= 1:  # integers: no gradient; negative exponents follow C's rule
        return _integer_pow(a, b)
    return Pow.apply(a, b)


def _integer_pow(a: Tensor, b: Tensor) -> Tensor:
    """a ** b on integers where b (a tensor) may be negative: 1/a^|b| truncated toward zero,
    which is 1 for a = 1, +-1 for a = -1 (by the parity of b) and 0 otherwise (as PyTorch)."""
    negative = b < 0
    if not negative.any().item():
        return Pow.apply(a, b)
    powers = Pow.apply(a, where(negative, 0, b))  # (...) the non-negative exponents
    odd = b.remainder(2) == 1
    reciprocal = where(a == 1, 1, where(a == -1, where(odd, -1, 1), 0)).to(powers.dtype)
    return where(negative, reciprocal, powers)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    a, b = promote(input, other)
    return Maximum.apply(a, b)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    a, b = promote(input, other)
    return Minimum.apply(a, b)
