"""Elementwise ops and their derivatives.

Each Function's docstring gives the forward formula and the local derivative used by backward
(dy is the gradient arriving from the output, dx the one sent to the input). Binary ops broadcast:
their inputs may have different shapes, so each input's gradient is summed back to that input's
shape by `sum_to_size` — one visible node in the backward graph.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..tensor import Tensor
from . import lowering
from .operands import as_number, float_input, is_number, promote

# --- unary ------------------------------------------------------------------------------------


class Neg(Function):
    """y = -x;  dx = -dy"""

    @staticmethod
    def forward(ctx, x):
        return lowering.unary("neg", x)

    @staticmethod
    def backward(ctx, dy):
        return -dy


class Abs(Function):
    """y = |x|;  dx = dy * sign(x)   (0 at x == 0)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("abs", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * x.sign()


class Exp(Function):
    """y = e^x;  dx = dy * y"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("exp", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * y


class Log(Function):
    """y = ln(x);  dx = dy / x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("log", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy / x


class Log1p(Function):
    """y = ln(1 + x);  dx = dy / (1 + x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("log1p", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy / (x + 1)


class Sqrt(Function):
    """y = sqrt(x);  dx = dy / (2 * y)   (inf at x == 0)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("sqrt", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy / (y * 2)


class Rsqrt(Function):
    """y = 1 / sqrt(x);  dx = -dy * y^3 / 2"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("rsqrt", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * y * y * y * -0.5


class Sin(Function):
    """y = sin(x);  dx = dy * cos(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("sin", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * x.cos()


class Cos(Function):
    """y = cos(x);  dx = -dy * sin(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("cos", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return -dy * x.sin()


class Tanh(Function):
    """y = tanh(x);  dx = dy * (1 - y^2)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("tanh", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * (1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + e^-x);  dx = dy * y * (1 - y)   (exactly 0 at x = +-1000, no nan)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("sigmoid", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * y * (1 - y)


class Relu(Function):
    """y = max(x, 0);  dx = dy * (y > 0)   (0 at x == 0, as PyTorch)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("relu", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return ReluGradient.apply(dy, y)


class ReluGradient(Function):
    """dx = dy where y > 0, else 0 (ReLU's backward as one op);  d(dx)/d(dy) = [y > 0]"""

    @staticmethod
    def forward(ctx, dy, y):
        from .operands import scalar_tensor

        zero = scalar_tensor(0, y.dtype, y)
        mask = lowering.binary("gt", y, zero)
        ctx.save_for_backward(mask)
        return lowering.where(mask, dy, zero)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return where(mask, grad, 0.0), None


class Reciprocal(Function):
    """y = 1 / x;  dx = -dy * y^2"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("reciprocal", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return -dy * y * y


class Step(Function):
    """y = sign(x), floor(x), ceil(x), round(x) or trunc(x);  dx = 0 (piecewise constant)"""

    @staticmethod
    def forward(ctx, x, op):
        return lowering.unary(op, x)

    @staticmethod
    def backward(ctx, dy):
        return dy.new_zeros(dy.shape), None


class Sign(Step):
    """y = sign(x);  dx = 0"""


class Floor(Step):
    """y = floor(x);  dx = 0"""


class Ceil(Step):
    """y = ceil(x);  dx = 0"""


class Round(Step):
    """y = round(x) (half to even);  dx = 0"""


class Trunc(Step):
    """y = trunc(x);  dx = 0"""


class Predicate(Function):
    """y = isnan(x), isinf(x) or logical_not(x): bool results, no gradient"""

    differentiable = False

    @staticmethod
    def forward(ctx, x, op):
        return lowering.unary(op, x)


def neg(input: Tensor) -> Tensor:
    return Neg.apply(input)


negative = neg


def abs(input: Tensor) -> Tensor:  # noqa: A001 - torch.abs
    return Abs.apply(input)


def exp(input: Tensor) -> Tensor:
    return Exp.apply(float_input(input))


def log(input: Tensor) -> Tensor:
    return Log.apply(float_input(input))


def log1p(input: Tensor) -> Tensor:
    return Log1p.apply(float_input(input))


def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(float_input(input))


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(float_input(input))


def sin(input: Tensor) -> Tensor:
    return Sin.apply(float_input(input))


def cos(input: Tensor) -> Tensor:
    return Cos.apply(float_input(input))


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(float_input(input))


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(float_input(input))


def relu(input: Tensor) -> Tensor:
    return Relu.apply(input)


def reciprocal(input: Tensor) -> Tensor:
    return Reciprocal.apply(float_input(input))


def sign(input: Tensor) -> Tensor:
    return Sign.apply(input, "sign")


def floor(input: Tensor) -> Tensor:
    return Floor.apply(input, "floor") if input.dtype.is_floating_point else input.clone()


def ceil(input: Tensor) -> Tensor:
    return Ceil.apply(input, "ceil") if input.dtype.is_floating_point else input.clone()


def round(input: Tensor) -> Tensor:  # noqa: A001 - torch.round
    return Round.apply(input, "round") if input.dtype.is_floating_point else input.clone()


def trunc(input: Tensor) -> Tensor:
    return Trunc.apply(input, "trunc") if input.dtype.is_floating_point else input.clone()


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


def isnan(input: Tensor) -> Tensor:
    return Predicate.apply(input, "isnan")


def isinf(input: Tensor) -> Tensor:
    return Predicate.apply(input, "isinf")


def logical_not(input: Tensor) -> Tensor:
    return Predicate.apply(input, "logical_not")


# --- binary -----------------------------------------------------------------------------------


def _needed_inputs(ctx, a: Tensor, b: Tensor) -> tuple[Tensor | None, Tensor | None]:
    """For a product: da needs b and db needs a, so save each only if the other needs a grad.

    (Saving less also lets `y.mul_(2)` overwrite y: its old value is not needed.)"""
    needs = ctx.needs_input_grad
    if not needs:
        return None, None
    return (a if needs[1] else None), (b if needs[0] else None)



class Add(Function):
    """y = a + b;  da = dy,  db = dy   (each summed back to its input's shape)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a._view.shape, b._view.shape
        return lowering.binary("add", a, b)

    @staticmethod
    def backward(ctx, dy):
        return dy.sum_to_size(ctx.a_shape), dy.sum_to_size(ctx.b_shape)


class Sub(Function):
    """y = a - b;  da = dy,  db = -dy"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a._view.shape, b._view.shape
        return lowering.binary("sub", a, b)

    @staticmethod
    def backward(ctx, dy):
        return dy.sum_to_size(ctx.a_shape), (-dy).sum_to_size(ctx.b_shape)


class Mul(Function):
    """y = a * b;  da = dy * b,  db = dy * a"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a._view.shape, b._view.shape
        ctx.save_for_backward(*_needed_inputs(ctx, a, b))
        return lowering.binary("mul", a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        da = (dy * b).sum_to_size(ctx.a_shape) if ctx.needs_input_grad[0] else None
        db = (dy * a).sum_to_size(ctx.b_shape) if ctx.needs_input_grad[1] else None
        return da, db


class Div(Function):
    """y = a / b;  da = dy / b,  db = -dy * a / b^2"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a._view.shape, b._view.shape
        needs_b = bool(ctx.needs_input_grad) and ctx.needs_input_grad[1]
        ctx.save_for_backward(a if needs_b else None, b)  # a only matters for db
        return lowering.binary("div", a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        da = (dy / b).sum_to_size(ctx.a_shape) if ctx.needs_input_grad[0] else None
        db = (-dy * a / (b * b)).sum_to_size(ctx.b_shape) if ctx.needs_input_grad[1] else None
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
            da = where(b == 0, 0.0, dy * b * a.pow(b - 1)).sum_to_size(a.shape)
        if ctx.needs_input_grad[1]:
            log_a = where((a == 0) & (b >= 0), 0.0, a.log())
            db = (dy * y * log_a).sum_to_size(b.shape)
        return da, db


class PowScalar(Function):
    """y = x^e for a number e;  dx = dy * e * x^(e-1)   (0 when e == 0)"""

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        from .operands import scalar_tensor

        return lowering.binary("pow", x, scalar_tensor(exponent, x.dtype, x))

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        if ctx.exponent == 0:
            return dy.new_zeros(dy.shape), None
        return dy * ctx.exponent * x.pow(ctx.exponent - 1), None


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
        zero = dy.new_zeros(())
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
        from .operands import scalar_tensor

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
    return Sub.apply(a, b)


subtract = sub


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
        return PowScalar.apply(x, exponent)
    a, b = promote(input, exponent)
    return Pow.apply(a, b)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    a, b = promote(input, other)
    return Maximum.apply(a, b)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    a, b = promote(input, other)
    return Minimum.apply(a, b)


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
        from .operands import scalar_tensor

        input, other = scalar_tensor(input, common, condition), scalar_tensor(other, common,
                                                                               condition)
    a, b = promote(input, other)
    return Where.apply(condition, a, b)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
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
    from .operands import scalar_tensor

    fill = value.to(input.dtype) if isinstance(value, Tensor) else scalar_tensor(
        as_number(value), input.dtype, input)
    return Where.apply(mask, fill, input)
