"""index_add: slices of a source added into a tensor at chosen positions along one dim.

    y = x;  y[..., index[i], ...] += alpha * source[..., i, ...]     (repeated indices add up)
    dx = dy;  dsource = alpha * dy[..., index[i], ...]  (index_select: each slice reads its target)

The in-place form x.index_add_(dim, index, source) is the one most code uses (accumulating rows of
an embedding gradient, counting per class).
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..dtypes import int32, int64
from ..tensor import Tensor
from ..views import normalize_dim
from . import lowering


class IndexAdd(Function):
    """y = x with source's slices added at index along dim;  dx = dy,
    dsource = dy.index_select(dim, index)"""

    @staticmethod
    def forward(ctx, x, dim, index, source):
        ctx.dim = dim
        ctx.save_for_backward(index)
        return lowering.index_add(x, dim, index, source)

    @staticmethod
    def backward(ctx, dy):
        (index,) = ctx.saved_tensors
        return dy, None, None, dy.index_select(ctx.dim, index)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1
              ) -> Tensor:
    """input with alpha * source's slices added at the positions index along dim."""
    dim = normalize_dim(dim, input.ndim)
    if index.dtype not in (int64, int32):
        raise RuntimeError("index_add_(): Expected dtype int32/int64 for index")
    if index.ndim > 1:
        raise IndexError("index_add_(): Index is supposed to be a vector")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_add_(): self ({input.dtype.name}) and source "
                           f"({source.dtype.name}) must have the same scalar type")
    if alpha != 1:
        source = source * alpha
    if input.ndim == 0:
        return IndexAdd.apply(input.reshape(1), 0, index.reshape(-1),
                              source.reshape(-1)).reshape(())
    return IndexAdd.apply(input, dim, index.reshape(-1), source)
