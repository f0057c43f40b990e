"""More of the math library, every one a composite of ops a reader already knows.

    sinc(x)          = sin(pi x) / (pi x), and 1 at x = 0   (the 0 / 0 point masked on both paths)
    signbit(x)       = x < 0, counting -0.0 as negative     positive(x) = x
    float_power(a, b) = a ** b computed in float64          ldexp(x, e) = x * 2^e
    fmax(a, b)       = max(a, b), but a NaN loses to a number (fmin alike)
    nansum(x)        = sum of x with NaN read as 0           nanmean = nansum / (number of non-NaN)
    count_nonzero(x) = sum(x != 0)                           aminmax(x) = (amin(x), amax(x))
    diff(x, n)       = x[1:] - x[:-1], n times along dim (prepend / append joined first)
    addcmul(x, a, b) = x + value a b                         addcdiv(x, a, b) = x + value a / b
    heaviside(x, v)  = 0, v or 1 as x < 0, x = 0, x > 0      gcd / lcm: Euclid, all elements at once
    isin(e, t)       = any(e[i] == t[j] over j)              quantile(x, q): sort, then interpolate

The gradients follow from the ops they are made of: each line above is differentiable as written.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

from ..dtypes import bool_, float64, int64
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


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 * tensor2."""
    return input + value * tensor1 * tensor2


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 / tensor2 (true division; integer inputs are refused)."""
    if tensor1.dtype.category <= 1 and tensor2.dtype.category <= 1:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future "
                           "release addcdiv will perform a true division of tensor1 and tensor2. "
                           "The historic addcdiv behavior can be implemented as (input + value * "
                           "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs "
                           "and as (input + value * tensor1 / tensor2) for float inputs. The "
                           "future addcdiv behavior is just the latter implementation: (input + "
                           "value * tensor1 / tensor2), for all dtypes.")
    return input + value * tensor1 / tensor2


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 where x < 0, 1 where x > 0, values where x == 0 (no gradient)."""
    if input.dtype is not values.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different dtypes "
                           f"({input.dtype.name} and {values.dtype.name})")
    x = input.detach()
    step = where(x > 0, 1, 0).to(x.dtype)
    return where(x == 0, values.detach(), step).to(x.dtype)


def _integer_only(name: str, *tensors: Tensor) -> None:
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "bool": "Bool"}
    for t in tensors:
        if t.dtype.category != 1:
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{names.get(t.dtype.name, t.dtype.name)}'")


def gcd(input: Tensor, other: Tensor) -> Tensor:
    """Greatest common divisor (non-negative) by Euclid's algorithm, all elements at once."""
    _integer_only("gcd", input, other)
    a, b = input.detach().abs(), other.detach().abs()
    a, b = a + b * 0, b + a * 0  # (...) both broadcast to the common shape and dtype
    while bool((b != 0).any().item()):
        nonzero = b != 0
        a, b = where(nonzero, b, a), where(nonzero, a % where(nonzero, b, 1), 0)
    return a


def lcm(input: Tensor, other: Tensor) -> Tensor:
    """Least common multiple (non-negative): |a / gcd(a, b) * b|, 0 if either is 0."""
    divisor = gcd(input, other)
    a, b = input.detach(), other.detach()
    return where(divisor == 0, 0, (a // where(divisor == 0, 1, divisor) * b).abs()).to(
        divisor.dtype)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """True where an element of elements occurs in test_elements (compared all against all)."""
    from ..creation import tensor as _tensor

    like = elements if isinstance(elements, Tensor) else test_elements
    e = elements if isinstance(elements, Tensor) else _tensor(elements, device=like.device)
    t = test_elements if isinstance(test_elements, Tensor) else _tensor(test_elements,
                                                                        device=like.device)
    found = (e.detach().reshape(-1, 1) == t.detach().reshape(1, -1)).any(1)  # (n,)
    found = found.reshape(e.shape)
    return ~found if invert else found


def isreal(input: Tensor) -> Tensor:
    """True where the imaginary part is 0 (everywhere for real dtypes)."""
    if input.dtype.category == 3:
        return input.imag == 0
    return input.new_ones(tuple(input.shape), dtype=bool_)  # (...) all True, NaN too


def is_floating_point(input: Tensor) -> bool:
    """Whether input's dtype is a floating point type."""
    return input.dtype.is_floating_point


def is_nonzero(input: Tensor) -> bool:
    """The truth value of a one-element tensor."""
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def _quantile(input: Tensor, q: Any, dim: int | None, keepdim: bool, interpolation: str,
              ignore_nan: bool, name: str) -> Tensor:
    from ..creation import tensor as _tensor

    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    scalar_q = not isinstance(q, Tensor)
    qs = _tensor([float(q)], dtype=input.dtype, device=input.device) if scalar_q else \
        q.to(input.dtype)  # (Q,): a tensor q keeps its gradient (linear interpolation has one)
    if interpolation != "linear":
        qs = qs.detach()
    if qs.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if bool(((qs < 0) | (qs > 1)).any().item()):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = normalize_dim(dim, input.ndim)
        x = input if input.ndim else input.reshape(1)
    rows = x.movedim(d, -1)  # (..., n)
    if rows.shape[-1] == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    values = rows.sort(-1).values  # (..., n), NaN last
    nan = isnan(rows)
    count = (~nan).to(input.dtype).sum(-1, keepdim=True) if ignore_nan else \
        rows.new_full((*rows.shape[:-1], 1), rows.shape[-1])  # (..., 1) values to rank
    rank = qs * (count - 1).clamp(min=0)  # (..., Q) fractional positions
    if interpolation == "lower":
        rank = rank.floor()
    elif interpolation == "higher":
        rank = rank.ceil()
    elif interpolation == "nearest":
        rank = rank.round()
    low, high = rank.floor(), rank.ceil()
    below = values.gather(-1, low.long())  # (..., Q)
    above = values.gather(-1, high.long())
    if interpolation == "midpoint":
        result = where(low == high, below, (below + above) / 2)
    else:
        result = below + (above - below) * (rank - low)  # lerp: exact where rank is whole
    invalid = (count == 0) if ignore_nan else nan.any(-1, keepdim=True)  # (..., 1)
    result = where(invalid, float("nan"), result)  # (..., Q)
    result = result.movedim(-1, 0)  # (Q, ...)
    if keepdim:
        shape = (1,) * input.ndim if dim is None else tuple(
            1 if i == d else size for i, size in enumerate(input.shape))
        result = result.reshape((result.shape[0], *shape))
    return result[0] if scalar_q else result


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles along dim (of all elements by default): sort, then interpolate between
    the two neighbouring ranks; NaN if the slice holds a NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """quantile ignoring NaN: each slice ranks only its non-NaN values."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


def _trapezoid_areas(y: Tensor, x: Any, dx: Any, dim: int) -> Tensor:
    """The area of each trapezoid between neighbours along dim: (y[i] + y[i+1]) / 2 * width."""
    d = normalize_dim(dim, y.ndim)
    n = y.shape[d]
    heights = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2  # (..., n - 1, ...)
    if isinstance(x, Tensor):
        if x.ndim == 1:
            widths = diff(x)  # (n - 1,), laid along dim
            shape = [1] * y.ndim
            shape[d] = n - 1
            widths = widths.reshape(shape)
        else:
            widths = diff(x, dim=d)
        return heights * widths
    spacing = 1.0 if dx is None and x is None else (dx if dx is not None else x)
    return heights * spacing


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along dim: sum of (y[i] + y[i+1]) / 2 * (x[i+1] - x[i])."""
    if x is not None and dx is not None:
        raise RuntimeError("trapezoid: received both x and dx; use one of them")
    if y.ndim == 0:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got "
                         f"{dim})")
    if y.shape[normalize_dim(dim, y.ndim)] == 0:
        return sum(y, dim)
    return sum(_trapezoid_areas(y, x, dx, dim), dim)


def trapz(y: Tensor, x: Any = None, *, dim: int = -1) -> Tensor:
    """The older name of trapezoid."""
    return trapezoid(y, x, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoidal integral along dim (one element shorter than y there)."""
    if x is not None and dx is not None:
        raise RuntimeError("cumulative_trapezoid: received both x and dx; use one of them")
    d = normalize_dim(dim, y.ndim)
    if y.shape[d] == 0:
        return y
    return _trapezoid_areas(y, x, dx, d).cumsum(d)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """A histogram of bins equal-width bins over [min, max] (the data's range if both are 0);
    values outside are ignored, max itself goes in the last bin."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"histogram_cpu" not implemented for '
                                  f"'{input.type().split('.')[-1].replace('Tensor', '')}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    x = input.detach().reshape(-1)  # (n,)
    low, high = float(min), float(max)
    if low == high and x.numel():
        low, high = float(x.min().item()), float(x.max().item())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError(f"torch.histc(): max must be larger than min, but got min {low} "
                           f"max {high}")
    inside = (x >= low) & (x <= high)  # (n,)
    position = ((x - low) * (bins / (high - low))).floor().long().clamp(0, bins - 1)
    weights = inside.to(input.dtype)
    counts = input.new_zeros((bins,)).index_add(0, where(inside, position, 0), weights)
    return counts


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """Covariance of the rows (variables) over the columns (observations), optionally weighted:
    sum of w (x - mean)(y - mean) / (sum w - correction)."""
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    x = input.reshape(1, -1) if input.ndim < 2 else input  # (variables, observations)
    if not x.dtype.is_floating_point:
        x = x.float()
    weights = None
    if fweights is not None:
        weights = fweights.to(x.dtype)
    if aweights is not None:
        weights = aweights.to(x.dtype) if weights is None else weights * aweights
    if weights is None:
        total = float(x.shape[1])
        mean = x.mean(1, keepdim=True)  # (v, 1)
        centred = x - mean
        scale = total - correction
        product = centred @ centred.t()
    else:
        total = weights.sum()
        mean = (x * weights).sum(1, keepdim=True) / total
        centred = x - mean
        if aweights is None or correction == 0:
            scale = total - correction
        else:
            scale = total - correction * (weights * aweights).sum() / total
        product = (centred * weights) @ centred.t()
    result = product / (scale.clamp(min=0) if isinstance(scale, Tensor) else
                        (scale if scale > 0 else 0.0))
    return result.reshape(()) if input.ndim < 2 else result


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation of the rows: cov / (std_i std_j), clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    spread = c.diagonal().sqrt()  # (v,)
    return (c / spread.reshape(-1, 1) / spread.reshape(1, -1)).clamp(-1, 1)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of input - other (broadcast)."""
    return (input - other).norm(p)
