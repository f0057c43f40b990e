"""The math library beyond exp/log/sin: inverse trig, hyperbolic, log2/exp2, atan2, and friends.

The primitives (tan, asin, ..., atan2, hypot) are more named ops of the elementwise kernels
(kernels/special_math.py). Each Function here states its derivative, which backward writes with
Tensor ops. The rest are composites a reader can check by hand:

    logaddexp(a, b) = max(a, b) + log1p(e^-|a - b|)     (never exponentiates a large number)
    lerp(a, b, w)   = a + w (b - a)                      frac(x) = x - trunc(x)
    logit(x)        = log(x / (1 - x))                   isclose: |a - b| <= atol + rtol |b|

Integer inputs of the float-valued functions compute in the default float dtype, as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..dtypes import bool_
from ..tensor import Tensor
from . import lowering
from .arithmetic import maximum
from .operands import float_input, promote
from .reduce import mean, std, var
from .selection import clamp, where
from .unary import isinf, isnan, log1p, logical_not, trunc

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


class Tan(Function):
    """y = tan(x);  dx = dy * (1 + y^2)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("tan", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * (y * y + 1)


class Asin(Function):
    """y = asin(x);  dx = dy / sqrt(1 - x^2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("asin", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * (1 - x * x).rsqrt()


class Acos(Function):
    """y = acos(x);  dx = -dy / sqrt(1 - x^2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("acos", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return -dy * (1 - x * x).rsqrt()


class Atan(Function):
    """y = atan(x);  dx = dy / (1 + x^2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("atan", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy / (x * x + 1)


class Sinh(Function):
    """y = sinh(x) = (e^x - e^-x) / 2;  dx = dy * cosh(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("sinh", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * x.cosh()


class Cosh(Function):
    """y = cosh(x) = (e^x + e^-x) / 2;  dx = dy * sinh(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("cosh", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * x.sinh()


class Asinh(Function):
    """y = asinh(x) = log(x + sqrt(x^2 + 1));  dx = dy / sqrt(x^2 + 1)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("asinh", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * (x * x + 1).rsqrt()


class Acosh(Function):
    """y = acosh(x) = log(x + sqrt(x^2 - 1));  dx = dy / sqrt((x - 1)(x + 1))"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("acosh", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * ((x - 1) * (x + 1)).rsqrt()


class Atanh(Function):
    """y = atanh(x) = log((1 + x) / (1 - x)) / 2;  dx = dy / (1 - x^2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("atanh", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy / (1 - x * x)


class Log2(Function):
    """y = log2(x);  dx = dy / (x ln 2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("log2", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy / (x * _LN2)


class Log10(Function):
    """y = log10(x);  dx = dy / (x ln 10)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("log10", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy / (x * _LN10)


class Exp2(Function):
    """y = 2^x;  dx = dy * y * ln 2"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("exp2", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * y * _LN2


class Expm1(Function):
    """y = e^x - 1 (exact near 0);  dx = dy * (y + 1)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("expm1", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * (y + 1)


class Atan2(Function):
    """y = atan2(a, b), the angle of the point (b, a);  da = dy * b / (a^2 + b^2),
    db = -dy * a / (a^2 + b^2)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return lowering.binary("atan2", a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        scale = dy / (a * a + b * b)
        return (scale * b).sum_to_size(a.shape), (-scale * a).sum_to_size(b.shape)


class Fmod(Function):
    """y = a - trunc(a / b) * b (the sign of a);  da = dy,  db = -dy * trunc(a / b)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return lowering.binary("fmod", a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        db = (-dy * a.div(b, rounding_mode="trunc")).sum_to_size(b.shape)
        return dy.sum_to_size(a.shape), db


class Copysign(Function):
    """y = |a| with the sign of b;  da = dy * y / a (0 where a == 0),  db = 0"""

    @staticmethod
    def forward(ctx, a, b):
        y = lowering.binary("copysign", a, b)
        ctx.save_for_backward(a, y)
        ctx.b_shape = b._view.shape
        return y

    @staticmethod
    def backward(ctx, dy):
        a, y = ctx.saved_tensors
        da = where(a == 0, 0.0, dy * y / a).sum_to_size(a.shape)
        return da, dy.new_zeros(ctx.b_shape)


class Hypot(Function):
    """y = sqrt(a^2 + b^2);  da = dy * a / y,  db = dy * b / y"""

    @staticmethod
    def forward(ctx, a, b):
        y = lowering.binary("hypot", a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, dy):
        a, b, y = ctx.saved_tensors
        return (dy * a / y).sum_to_size(a.shape), (dy * b / y).sum_to_size(b.shape)


class Xlogy(Function):
    """y = a * log(b), 0 where a == 0 (unless b is NaN);  da = dy * log(b) (0 where a == 0 and
    b <= 0),  db = dy * a / b"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        product = a * b.log()
        return where((a == 0) & ~b.isnan(), 0.0, product)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        da = where((a == 0) & (b <= 0), 0.0, dy * b.log()).sum_to_size(a.shape)
        return da, (dy * a / b).sum_to_size(b.shape)


# --- public functions --------------------------------------------------------------------------
def tan(input: Tensor) -> Tensor:
    return Tan.apply(float_input(input))


def asin(input: Tensor) -> Tensor:
    return Asin.apply(float_input(input))


def acos(input: Tensor) -> Tensor:
    return Acos.apply(float_input(input))


def atan(input: Tensor) -> Tensor:
    return Atan.apply(float_input(input))


def sinh(input: Tensor) -> Tensor:
    return Sinh.apply(float_input(input))


def cosh(input: Tensor) -> Tensor:
    return Cosh.apply(float_input(input))


def asinh(input: Tensor) -> Tensor:
    return Asinh.apply(float_input(input))


def acosh(input: Tensor) -> Tensor:
    return Acosh.apply(float_input(input))


def atanh(input: Tensor) -> Tensor:
    return Atanh.apply(float_input(input))


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def log2(input: Tensor) -> Tensor:
    return Log2.apply(float_input(input))


def log10(input: Tensor) -> Tensor:
    return Log10.apply(float_input(input))


def exp2(input: Tensor) -> Tensor:
    return Exp2.apply(float_input(input))


def expm1(input: Tensor) -> Tensor:
    return Expm1.apply(float_input(input))


def atan2(input: Tensor, other: Tensor) -> Tensor:
    a, b = promote(input, other, floating=True)
    return Atan2.apply(a, b)


arctan2 = atan2


def fmod(input: Tensor, other: Any) -> Tensor:
    a, b = promote(input, other)
    return Fmod.apply(a, b)


def copysign(input: Any, other: Any) -> Tensor:
    a, b = promote(input, other, floating=True)
    return Copysign.apply(a, b)


def hypot(input: Tensor, other: Tensor) -> Tensor:
    a, b = promote(input, other, floating=True)
    return Hypot.apply(a, b)


def xlogy(input: Any, other: Any) -> Tensor:
    a, b = promote(input, other, floating=True)
    return Xlogy.apply(a, b)


def absolute(input: Tensor) -> Tensor:
    """abs(x), by its NumPy name."""
    return input.abs()


def fix(input: Tensor) -> Tensor:
    """trunc(x), by its NumPy name."""
    return trunc(input)


def frac(input: Tensor) -> Tensor:
    """x - trunc(x), the fractional part with the sign of x;  dx = dy."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"\"frac_cpu\" not implemented for '{input.dtype.name.capitalize()}'")
    return input - trunc(input)


def deg2rad(input: Tensor) -> Tensor:
    return float_input(input) * (math.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:
    return float_input(input) * (180.0 / math.pi)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(e^a + e^b) = max(a, b) + log1p(e^-|a - b|);  da = dy * sigmoid(a - b)."""
    a, b = promote(input, other, floating=True)
    larger = maximum(a, b)
    same_infinity = (a == b) & isinf(a)  # inf - inf would be NaN: the answer is that infinity
    gap = where(same_infinity, 0.0, a - b)
    return where(same_infinity, a, larger + log1p((-gap.abs()).exp()))


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2^a + 2^b) = max(a, b) + log2(1 + 2^-|a - b|)."""
    a, b = promote(input, other, floating=True)
    larger = maximum(a, b)
    same_infinity = (a == b) & isinf(a)
    gap = where(same_infinity, 0.0, a - b)
    return where(same_infinity, a, larger + log1p(exp2(-gap.abs())) / _LN2)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """start + weight * (end - start);  dstart = dy (1 - w), dend = dy w, dw = dy (end - start)."""
    if input.dtype is not end.dtype:
        raise RuntimeError(f"expected dtype {input.dtype.name} for `end` but got dtype "
                           f"{end.dtype.name}")
    return input + (end - input) * weight


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(x / (1 - x)), x first clamped to [eps, 1 - eps] if eps is given;
    dx = dy / (x (1 - x)) (0 outside [eps, 1 - eps])."""
    x = float_input(input)
    if eps is not None:
        x = clamp(x, eps, 1 - eps)
    return (x / (1 - x)).log()


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN -> nan, +inf -> posinf, -inf -> neginf (default: the dtype's largest / lowest);
    dx = dy where x is finite, else 0."""
    if not input.dtype.is_floating_point:
        return input.clone()
    info = np.finfo(input.dtype.numpy)
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    result = where(isnan(input), nan, input)
    result = where(input == math.inf, posinf, result)
    return where(input == -math.inf, neginf, result)


def isfinite(input: Tensor) -> Tensor:
    """True where x is neither inf nor NaN (always, for integers)."""
    if not input.dtype.is_floating_point:
        return lowering.full(tuple(input.shape), True, bool_, input.device)
    return logical_not(isnan(input) | isinf(input))


def isposinf(input: Tensor) -> Tensor:
    return input == math.inf


def isneginf(input: Tensor) -> Tensor:
    return input == -math.inf


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|a - b| <= atol + rtol * |b| elementwise (equal infinities are close; NaN only if
    equal_nan)."""
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype.name.capitalize()} did not match "
                           f"{other.dtype.name.capitalize()}")
    equal = input == other
    if input.dtype is bool_:
        return equal
    a, b = float_input(input), float_input(other)
    close = equal | (isfinite(a) & isfinite(b) & ((a - b).abs() <= atol + rtol * b.abs()))
    if equal_nan:
        close = close | (isnan(a) & isnan(b))
    return close


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan).all().item())


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple[Tensor, Tensor]:
    """(std, mean) over dim, in one call."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    spread = std(input, dim, unbiased, keepdim, correction=correction)
    return spread, mean(input, dim, keepdim)


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple[Tensor, Tensor]:
    """(var, mean) over dim, in one call."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    spread = var(input, dim, unbiased, keepdim, correction=correction)
    return spread, mean(input, dim, keepdim)
