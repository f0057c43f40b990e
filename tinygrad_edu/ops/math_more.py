"""More of the math library, every one a composite of ops a reader already knows.

    sinc(x)          = sin(pi x) / (pi x), and 1 at x = 0   (the 0 / 0 point masked on both paths)
    signbit(x)       = x < 0, counting -0.0 as negative     positive(x) = x
    float_power(a, b) = a ** b computed in float64          ldexp(x, e) = x * 2^e
    fmax(a, b)       = max(a, b), but a NaN loses to a number (fmin alike)
    nansum(x)        = sum of x with NaN read as 0           nanmean = nansum / (number of non-NaN)
    count_nonzero(x) = sum(x != 0)                           aminmax(x) = (amin(x), amax(x))
    diff(x, n)       = x[1:] - x[:-1], n times along dim (prepend / append joined first)

The gradients follow from the ops they are made of: each line above is differentiable as written.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

from ..dtypes import float64, int64
from ..tensor import Tensor
from ..views import normalize_dim
from .arithmetic import maximum, minimum, mul, pow
from .movement import cat
from .reduce import amax, amin, sum
from .selection import where
from .unary import isnan

aminmax_result = namedtuple("aminmax", ["min", "max"])


def sinc(input: Tensor) -> Tensor:
    """The normalized sinc: sin(pi x) / (pi x), with sinc(0) = 1."""
    x = input if input.dtype.is_floating_point else input.float()
    zero = x == 0
    safe = where(zero, 1.0, x) * math.pi  # no 0 / 0 on the unselected path, so no NaN gradient
    return where(zero, 1.0, safe.sin() / safe)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set: x < 0, and -0.0 too (bool)."""
    if input.dtype.is_floating_point:
        x = input.detach()
        return x.new_ones(()).copysign(x) < 0  # (...) 1 carrying the sign of each x
    return input.detach() < 0


def positive(input: Tensor) -> Tensor:
    """+x: the input itself."""
    if input.dtype.category == 0:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent in double precision (the result is float64)."""
    base = input.to(float64) if isinstance(input, Tensor) else float(input)
    power = exponent.to(float64) if isinstance(exponent, Tensor) else float(exponent)
    return pow(base, power)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """input * 2 ** other (a float result)."""
    scale = pow(2.0, other)  # (...) 2^e
    return mul(input, scale)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum where a NaN loses to a number (NaN only if both are NaN)."""
    larger = maximum(input, other)
    return where(isnan(other), input, where(isnan(input), other, larger)).to(larger.dtype)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum where a NaN loses to a number (NaN only if both are NaN)."""
    smaller = minimum(input, other)
    return where(isnan(other), input, where(isnan(input), other, smaller)).to(smaller.dtype)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
           ) -> Tensor:
    """Sum treating NaN as 0."""
    cleaned = where(isnan(input), 0, input) if input.dtype.is_floating_point else input
    return sum(cleaned, dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
            ) -> Tensor:
    """Mean over the non-NaN elements."""
    if not (input.dtype.is_floating_point or dtype is not None):
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {input.dtype.name.capitalize()}")
    x = input if dtype is None else input.to(dtype)
    present = (~isnan(x)).to(x.dtype)
    return nansum(x, dim, keepdim) / sum(present, dim, keepdim)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many elements are not zero (over dim, or all of them), as int64."""
    return sum((input.detach() != 0).to(int64), dim)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """(min, max) in one call, over dim or over everything."""
    if input.numel() == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    if dim is None:
        if keepdim:
            shape = (1,) * input.ndim
            return aminmax_result(amin(input).reshape(shape), amax(input).reshape(shape))
        return aminmax_result(amin(input), amax(input))
    return aminmax_result(amin(input, dim, keepdim), amax(input, dim, keepdim))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The n-th forward difference along dim: out[i] = x[i + 1] - x[i], applied n times."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = normalize_dim(dim, input.ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat(parts, dim) if len(parts) > 1 else input  # (..., m, ...)
    for _ in range(n):
        size = x.shape[dim]
        if size == 0:
            break
        later, earlier = x.narrow(dim, 1, size - 1), x.narrow(dim, 0, size - 1)
        x = (later ^ earlier) if x.dtype.category == 0 else later - earlier  # (..., m - 1, ...)
    return x
