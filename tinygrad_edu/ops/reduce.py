"""Reductions and their derivatives.

A reduction removes dims (or keeps them as size 1 with keepdim=True). Its backward must undo that:
the gradient is reshaped to put the size-1 dims back, then broadcast (a stride-0 expand) to the
input's shape, and multiplied by the local derivative:

    sum:    dx = dy                          mean: dx = dy / n
    amax:   dx = dy * [x == max] / count     (ties share the gradient evenly)
    max(dim): dx = dy at the returned index, 0 elsewhere
    prod:   dx = dy * (product of the other elements)
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from typing import Any

from ..autograd.function import Function
from ..dtypes import bool_, int64, to_dtype
from ..tensor import Tensor
from ..views import normalize_dim, normalize_dims
from . import lowering
from .operands import float_input, scalar_tensor
from .selection import where

values_indices = namedtuple("values_indices", ["values", "indices"])


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape with the reduced axes set to 1 (what keepdim=True gives)."""
    return tuple(1 if d in axes else size for d, size in enumerate(shape))


def _reduced(op: str, x: Tensor, axes: tuple[int, ...], keepdim: bool) -> Tensor:
    result = lowering.reduce(op, x, axes)
    if keepdim:
        kept = lowering.contiguous_view(_kept_shape(x._view.shape, axes))
        result = lowering.view_of(result, kept)
    return result


def _broadcast_back(dy: Tensor, shape: tuple[int, ...], axes: tuple[int, ...]) -> Tensor:
    """Undo a reduction's shape change: put size-1 dims back, then expand to the input shape."""
    return dy.reshape(_kept_shape(shape, axes)).expand(shape)


class Sum(Function):
    """y = sum of x over axes;  dx = dy broadcast back to x's shape"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes = x._view.shape, axes
        return _reduced("sum", x, axes, keepdim)

    @staticmethod
    def backward(ctx, dy):
        return _broadcast_back(dy, ctx.shape, ctx.axes), None, None


class SumToSize(Function):
    """y = x summed over the dims where it was broadcast to reach its shape;  dx = dy expanded

    The gradient of a broadcast input: the step where learners' shape bugs live."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._view.shape
        leading = len(ctx.shape) - len(shape)
        axes = tuple(range(leading)) + tuple(leading + d for d, size in enumerate(shape)
                                             if size == 1 and ctx.shape[leading + d] != 1)
        result = lowering.reduce("sum", x, axes)
        return lowering.view_of(result, lowering.contiguous_view(tuple(shape)))

    @staticmethod
    def backward(ctx, dy):
        return dy.expand(ctx.shape), None


class Mean(Function):
    """y = sum(x) / n over axes;  dx = dy / n broadcast back"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes = x._view.shape, axes
        count = 1
        for d in axes:
            count *= ctx.shape[d]
        ctx.count = count
        total = _reduced("sum", x, axes, keepdim)
        return lowering.binary("div", total, scalar_tensor(count, x.dtype, x))

    @staticmethod
    def backward(ctx, dy):
        return _broadcast_back(dy / ctx.count, ctx.shape, ctx.axes), None, None


class Prod(Function):
    """y = product of x over axes;  dx = dy * (product of the other elements), exact with zeros"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes = x._view.shape, axes
        y = _reduced("prod", x, axes, keepdim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, dy):
        x, y = ctx.saved_tensors
        axes = ctx.axes
        is_zero = x == 0
        zero_count = _broadcast_back(is_zero.sum(axes), ctx.shape, axes)
        y_back = _broadcast_back(y, ctx.shape, axes)
        without_zeros = _broadcast_back(_prod_over(where(is_zero, 1.0, x), axes), ctx.shape, axes)
        others = where(zero_count == 0, y_back / where(is_zero, 1.0, x),
                       where((zero_count == 1) & is_zero, without_zeros, 0.0))
        return _broadcast_back(dy, ctx.shape, axes) * others, None, None


class ExtremeValue(Function):
    """y = max (or min) of x over axes;  dx = dy * [x == y] / (number of ties)"""

    @staticmethod
    def forward(ctx, x, op, axes, keepdim):
        ctx.shape, ctx.axes = x._view.shape, axes
        if x.numel() == 0 and axes:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        y = _reduced(op, x, axes, keepdim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, dy):
        x, y = ctx.saved_tensors
        is_extreme = x == _broadcast_back(y, ctx.shape, ctx.axes)
        ties = _broadcast_back(is_extreme.sum(ctx.axes), ctx.shape, ctx.axes)
        return _broadcast_back(dy, ctx.shape, ctx.axes) * is_extreme / ties, None, None, None


class Amax(ExtremeValue):
    """y = max of x over axes;  dx = dy * [x == y] / (number of ties)"""


class Amin(ExtremeValue):
    """y = min of x over axes;  dx = dy * [x == y] / (number of ties)"""


class MaxDim(Function):
    """(values, indices) = max (or min) along dim;  dx = dy at the returned index, 0 elsewhere"""

    @staticmethod
    def forward(ctx, x, op, dim, keepdim):
        if x._view.shape and x._view.shape[dim] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
        indices = _reduced("argmax" if op == "max" else "argmin", x, (dim,), True)
        values = lowering.gather(x, dim, indices)
        ctx.shape, ctx.dim, ctx.keepdim = x._view.shape, dim, keepdim
        if not keepdim:
            shape = values._view.shape
            squeezed = lowering.contiguous_view(shape[:dim] + shape[dim + 1:])
            values = lowering.view_of(values, squeezed)
            indices = lowering.view_of(indices, squeezed)
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return values, indices

    @staticmethod
    def backward(ctx, dy, _indices_grad):
        (indices,) = ctx.saved_tensors
        if not ctx.keepdim:
            dy, indices = dy.unsqueeze(ctx.dim), indices.unsqueeze(ctx.dim)
        return dy.new_zeros(ctx.shape).scatter_add(ctx.dim, indices, dy), None, None, None


def _centered_and_variance(x: Tensor, axes: tuple[int, ...], correction: float
                           ) -> tuple[Tensor, Tensor, float]:
    """x - mean, the variance (reduced dims kept as size 1) and its divisor n - correction."""
    count = 1
    for d in axes:
        count *= x._view.shape[d]
    divisor = builtins.max(count - correction, 0)
    kept = lowering.contiguous_view(_kept_shape(x._view.shape, axes))
    mean = lowering.binary("div", lowering.reduce("sum", x, axes), scalar_tensor(count, x.dtype, x))
    centered = lowering.binary("sub", x, lowering.view_of(mean, kept))
    squares = lowering.binary("mul", centered, centered)
    total = lowering.view_of(lowering.reduce("sum", squares, axes), kept)
    return centered, lowering.binary("div", total, scalar_tensor(divisor, x.dtype, x)), divisor


def _drop_kept_dims(y: Tensor, shape: tuple[int, ...], axes: tuple[int, ...]) -> Tensor:
    return lowering.view_of(y, lowering.contiguous_view(
        tuple(size for d, size in enumerate(shape) if d not in axes)))


class Var(Function):
    """y = sum((x - mean)^2) / (n - correction);  dx = dy * 2 (x - mean) / (n - correction)"""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        ctx.shape, ctx.axes = x._view.shape, axes
        centered, variance, ctx.divisor = _centered_and_variance(x, axes, correction)
        ctx.save_for_backward(centered)
        return variance if keepdim else _drop_kept_dims(variance, ctx.shape, axes)

    @staticmethod
    def backward(ctx, dy):
        (centered,) = ctx.saved_tensors
        scale = 2 / ctx.divisor if ctx.divisor else float("nan")
        return _broadcast_back(dy, ctx.shape, ctx.axes) * centered * scale, None, None, None


class Std(Function):
    """y = sqrt(var(x));  dx = dy * (x - mean) / ((n - correction) * y)   (0 where y == 0)"""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        ctx.shape, ctx.axes = x._view.shape, axes
        centered, variance, ctx.divisor = _centered_and_variance(x, axes, correction)
        y = lowering.unary("sqrt", variance)
        ctx.save_for_backward(centered, y)
        return y if keepdim else _drop_kept_dims(y, ctx.shape, axes)

    @staticmethod
    def backward(ctx, dy):
        centered, y = ctx.saved_tensors
        dy_kept = dy.reshape(y.shape)  # y kept its reduced dims as size 1
        if not ctx.divisor:
            return centered * dy_kept * float("nan"), None, None, None
        return centered * where(y == 0, 0.0, dy_kept / (y * ctx.divisor)), None, None, None


class LogSumExp(Function):
    """y = m + ln(sum(e^(x - m))), m = max(x);  dx = dy * e^(x - y)   (= softmax, stable)"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes = x._view.shape, axes
        kept = lowering.contiguous_view(_kept_shape(ctx.shape, axes))
        row_max = lowering.view_of(lowering.reduce("max", x, axes), kept)
        finite_max = lowering.where(lowering.unary("isinf", row_max),
                                    lowering.full((), 0, x.dtype, x.device), row_max)
        shifted = lowering.unary("exp", lowering.binary("sub", x, finite_max))
        total = lowering.view_of(lowering.reduce("sum", shifted, axes), kept)
        y = lowering.binary("add", lowering.unary("log", total), finite_max)
        ctx.save_for_backward(x, y)
        return y if keepdim else _drop_kept_dims(y, ctx.shape, axes)

    @staticmethod
    def backward(ctx, dy):
        x, y = ctx.saved_tensors
        return _broadcast_back(dy, ctx.shape, ctx.axes) * (x - y).exp(), None, None


class Norm2(Function):
    """y = sqrt(sum(x^2));  dx = dy * x / y   (0 when y == 0, as PyTorch)"""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes = x._view.shape, axes
        squares = lowering.binary("mul", x, x)
        y = lowering.unary("sqrt", _reduced("sum", squares, axes, True))
        ctx.save_for_backward(x, y)
        return y if keepdim else _drop_kept_dims(y, ctx.shape, axes)

    @staticmethod
    def backward(ctx, dy):
        x, y = ctx.saved_tensors
        dy_kept = dy.reshape(y.shape)  # y kept its reduced dims as size 1
        return x * where(y == 0, 0.0, dy_kept / y), None, None


class Reduce(Function):
    """y = argmax / argmin / all / any: integer or bool results, no gradient"""

    differentiable = False

    @staticmethod
    def forward(ctx, x, op, axes, keepdim):
        return _reduced(op, x, axes, keepdim)


def _axes(input: Tensor, dim: Any) -> tuple[int, ...]:
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        dim = None
    return normalize_dims(dim, input.ndim)


def _accumulating_input(input: Tensor, dtype: Any) -> Tensor:
    """sum/prod of ints and bools count in int64 (as PyTorch); dtype= casts first."""
    if dtype is not None:
        return input.to(to_dtype(dtype))
    if not input.dtype.is_differentiable:  # (floating and complex sum in their own dtype)
        return input.to(int64)
    return input


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    return Sum.apply(_accumulating_input(input, dtype), _axes(input, dim), keepdim)


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """Sum input down to `size`; input's shape must broadcast from it (the inverse of expand)."""
    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else tuple(size)
    if tuple(input._view.shape) == shape:
        return input
    full = input._view.shape
    if len(shape) > len(full) or builtins.any(
            side not in (1, full_side) for side, full_side in zip(reversed(shape), reversed(full))):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(full)}}}.")
    return SumToSize.apply(input, shape)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    if not input.dtype.is_differentiable:  # floating or complex
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           "floating point or complex dtype. Got: "
                           f"{input.type().split('.')[-1].replace('Tensor', '')}")
    return Mean.apply(input, _axes(input, dim), keepdim)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
         ) -> Tensor:
    axes = tuple(range(input.ndim)) if dim is None else (normalize_dim(dim, input.ndim),)
    return Prod.apply(_accumulating_input(input, dtype), axes, keepdim and dim is not None)


def _prod_over(input: Tensor, axes: tuple[int, ...]) -> Tensor:
    """prod over several axes (used by prod's own backward, which needs it for any axes)."""
    return Prod.apply(input, axes, False)


def _correction(unbiased: Any, correction: Any) -> float:
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    if isinstance(dim, bool):  # var(x, False): the old positional `unbiased`
        dim, unbiased = None, dim
    return Var.apply(input, _axes(input, dim), _correction(unbiased, correction), keepdim)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return Std.apply(input, _axes(input, dim), _correction(unbiased, correction), keepdim)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return Amax.apply(input, "max", _axes(input, dim), keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return Amin.apply(input, "min", _axes(input, dim), keepdim)


def _max_or_min(op: str, input: Tensor, dim: Any, keepdim: bool) -> Any:
    if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
        from .arithmetic import maximum, minimum

        return (maximum if op == "max" else minimum)(input, dim)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        return (Amax if op == "max" else Amin).apply(input, op, tuple(range(input.ndim)), False)
    dim = normalize_dim(dim, builtins.max(input.ndim, 1))
    values, indices = MaxDim.apply(input, op, dim, keepdim)
    return values_indices(values, indices)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _max_or_min("max", input, dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return _max_or_min("min", input, dim, keepdim)


def _arg_extreme(op: str, input: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    if input.numel() == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == "
                           "0.")
    if dim is None:
        flat = Reduce.apply(input.reshape(-1), op, (0,), False)
        return flat.reshape((1,) * input.ndim) if keepdim else flat
    return Reduce.apply(input, op, (normalize_dim(dim, builtins.max(input.ndim, 1)),), keepdim)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg_extreme("argmax", input, dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg_extreme("argmin", input, dim, keepdim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return LogSumExp.apply(float_input(input), _axes(input, dim), keepdim)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return Reduce.apply(input.to(bool_), "min", _axes(input, dim), keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return Reduce.apply(input.to(bool_), "max", _axes(input, dim), keepdim)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """The p-norm: 'fro' and 2 are sqrt(sum x^2), 1 is sum |x|, inf is max |x|."""
    axes = _axes(input, dim)
    if p in ("fro", 2, 2.0):
        return Norm2.apply(input, axes, keepdim)
    if p == float("inf"):
        return amax(input.abs(), axes, keepdim)
    if p == 1:
        return sum(input.abs(), axes, keepdim)
    return sum(input.abs() ** p, axes, keepdim) ** (1.0 / p)
