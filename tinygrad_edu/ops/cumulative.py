"""Cumulative ops: cumsum, cumprod, cummax, cummin, logcumsumexp (kernels/scan.py underneath).

Each output element depends on every input element before it along dim, so each backward pass
runs a scan the other way round: `rev(t)` below is t flipped along dim, scanned, flipped back.

    cumsum        y_j = sum_{i<=j} x_i               dx_k = sum_{j>=k} dy_j             = rev(dy)
    cumprod       y_j = prod_{i<=j} x_i              dx_k = sum_{j>=k} dy_j y_j / x_k   (no zeros)
    cummax/min    (y_j, i_j) = running max and where   dx = dy added at the winning indices
    logcumsumexp  y_j = log sum_{i<=j} e^x_i          dx_k = sum_{j>=k} dy_j e^(x_k - y_j)

cumprod's `/ x_k` fails where x has zeros. Only the first zero of a row matters: before it the
division is fine, after it every product that includes x_k also includes that zero (dx_k = 0), and
at it dx_z = sum_{j>=z} dy_j * (the products with that one zero replaced by 1).
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..dtypes import int64, to_dtype
from ..tensor import Tensor
from ..views import normalize_dim
from . import lowering
from .operands import float_input
from .reduce import values_indices
from .selection import where


def _reverse_cumsum(t: Tensor, dim: int) -> Tensor:
    """z_k = sum_{j>=k} t_j along dim."""
    return t.flip(dim).cumsum(dim).flip(dim)


class Cumsum(Function):
    """y_j = x_0 + ... + x_j along dim;  dx_k = dy_k + ... + dy_(n-1)"""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return lowering.scan("sum", x, dim)[0]

    @staticmethod
    def backward(ctx, dy):
        return _reverse_cumsum(dy, ctx.dim), None


class Cumprod(Function):
    """y_j = x_0 * ... * x_j along dim;  dx_k = sum_{j>=k} dy_j * prod_{i<=j, i!=k} x_i
    (= rev(dy * y)_k / x_k before the first zero, 0 after it; see the module docstring)"""

    @staticmethod
    def forward(ctx, x, dim):
        y = lowering.scan("prod", x, dim)[0]
        ctx.dim = dim
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, dy):
        x, y = ctx.saved_tensors
        dim = ctx.dim
        is_zero = x == 0
        zeros_so_far = is_zero.cumsum(dim)
        before = zeros_so_far == 0  # no zero at or before this position
        first_zero = is_zero & (zeros_so_far == 1)
        before_first = _reverse_cumsum(dy * y, dim) / where(before, x, 1.0)
        without_zero = where(first_zero, 1.0, x).cumprod(dim)  # the first zero taken out
        at_first = _reverse_cumsum(dy * without_zero, dim)
        return where(first_zero, at_first, where(before, before_first, 0.0)), None


class Cumextreme(Function):
    """(values, indices) = running max (or min) along dim; ties and NaN go to the later index;
    dx = dy added at the indices (scatter_add)"""

    @staticmethod
    def forward(ctx, x, op, dim):
        values, indices = lowering.scan(op, x, dim)
        ctx.shape, ctx.dim = x._view.shape, dim
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return values, indices

    @staticmethod
    def backward(ctx, dy, _indices_grad):
        (indices,) = ctx.saved_tensors
        return dy.new_zeros(ctx.shape).scatter_add(ctx.dim, indices, dy), None, None


class Logcumsumexp(Function):
    """y_j = log(e^x_0 + ... + e^x_j);  dx_k = sum_{j>=k} dy_j * e^(x_k - y_j), computed as
    e^(x_k + rlcse(log dy+ - y)) - e^(x_k + rlcse(log dy- - y)) with rlcse the reversed
    logcumsumexp (dy split by sign, so that every exponent stays small)"""

    @staticmethod
    def forward(ctx, x, dim):
        y = lowering.scan("logsumexp", x, dim)[0]
        ctx.dim = dim
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, dy):
        x, y = ctx.saved_tensors
        dim = ctx.dim

        def reversed_lcse(t: Tensor) -> Tensor:
            return logcumsumexp(t.flip(dim), dim).flip(dim)

        positive = reversed_lcse(where(dy > 0, dy, 0.0).log() - y)
        negative = reversed_lcse(where(dy < 0, -dy, 0.0).log() - y)
        return (x + positive).exp() - (x + negative).exp(), None


def _scan_input(input: Tensor, dim: int) -> tuple[Tensor, int, bool]:
    """(input seen as at least 1-D, the normalized dim, whether it was 0-d)."""
    dim = normalize_dim(dim, input.ndim)
    if input.ndim == 0:
        return input.reshape(1), 0, True
    return input, dim, False


def _finish(result: Tensor, was_scalar: bool) -> Tensor:
    return result.reshape(()) if was_scalar else result


def _accumulating(input: Tensor, dtype: Any) -> Tensor:
    """cumsum / cumprod of ints and bools count in int64 (as PyTorch); dtype= casts first."""
    if dtype is not None:
        return input.to(to_dtype(dtype))
    return input if input.dtype.is_floating_point else input.to(int64)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None, out: Tensor | None = None) -> Tensor:
    """Running sum along dim."""
    x, d, scalar = _scan_input(_accumulating(input, dtype), dim)
    result = _finish(Cumsum.apply(x, d), scalar)
    return result if out is None else out.copy_(result)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None, out: Tensor | None = None) -> Tensor:
    """Running product along dim (gradient correct with zeros in the input)."""
    x, d, scalar = _scan_input(_accumulating(input, dtype), dim)
    result = _finish(Cumprod.apply(x, d), scalar)
    return result if out is None else out.copy_(result)


def _cumextreme(op: str, input: Tensor, dim: int) -> Any:
    x, d, scalar = _scan_input(input, dim)
    values, indices = Cumextreme.apply(x, op, d)
    return values_indices(_finish(values, scalar), _finish(indices, scalar))


def cummax(input: Tensor, dim: int) -> Any:
    """(values, indices): the running maximum along dim and the index where it was (last) seen."""
    return _cumextreme("max", input, dim)


def cummin(input: Tensor, dim: int) -> Any:
    """(values, indices): the running minimum along dim and the index where it was (last) seen."""
    return _cumextreme("min", input, dim)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(x))) along dim, without overflow."""
    x, d, scalar = _scan_input(float_input(input), dim)
    return _finish(Logcumsumexp.apply(x, d), scalar)
