"""Writing values to chosen positions: scatter, index_fill, index_copy, masked_scatter, put, take.

scatter is a Function (one index_put into a copy); the rest are composites of gather, index_add
and where that a reader can check by hand:

    scatter(x, dim, index, src)  y[i][index[i][j]] = src[i][j]   (dim 1; the mirror of gather)
    index_fill(x, dim, idx, v)   y = where(position along dim is in idx, v, x)
    index_copy(x, dim, idx, s)   y = where(position in idx, zeros.index_add(dim, idx, s), x)
    masked_scatter(x, mask, s)   the True positions of mask take s's elements in order:
                                 k = cumsum(mask) - 1,  y = where(mask, s.flatten()[k], x)
    put(x, index, s)             index_copy on the flattened x
    take(x, index)               x.flatten()[index]

With repeated indices PyTorch leaves which write wins unspecified (for index_copy and put the
composite adds them up); with accumulate / index_add they add up in both.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..dtypes import int64
from ..tensor import Tensor
from ..views import normalize_dim
from . import lowering
from .selection import where


class Scatter(Function):
    """y = base; y[i, index[i, j]] = src[i, j] (dim 1);
    dbase = dy with the written positions set to 0,  dsrc = dy.gather(dim, index)"""

    @staticmethod
    def forward(ctx, base, dim, index, source):
        ctx.dim = dim
        ctx.save_for_backward(index)
        result = lowering.copy(base)
        lowering.index_put(result, _positions(index, dim), lowering.copy(source), accumulate=False)
        return result

    @staticmethod
    def backward(ctx, dy):
        (index,) = ctx.saved_tensors
        dbase = scatter(dy, ctx.dim, index, 0.0) if ctx.needs_input_grad[0] else None
        dsource = dy.gather(ctx.dim, index) if ctx.needs_input_grad[3] else None
        return dbase, None, None, dsource


def _positions(index: Tensor, dim: int) -> list[Tensor]:
    """The full coordinates written by scatter: index along dim, the position itself elsewhere."""
    coordinates = []
    for axis, size in enumerate(index.shape):
        if axis == dim:
            coordinates.append(lowering.copy(index))
            continue
        shape = [1] * index.ndim
        shape[axis] = size
        steps = lowering.arange(0, 1, size, int64, index.device).reshape(shape)
        coordinates.append(lowering.copy(steps.expand(tuple(index.shape))))
    return coordinates


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """input with src's elements (or value) written at index along dim; the mirror of gather."""
    if src is None and value is None:
        raise TypeError("scatter() missing 1 required positional argument: 'src' or 'value'")
    source = value if src is None else src
    if reduce is not None:
        if reduce != "add":
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}"
                               if reduce != "multiply" else
                               "scatter(reduce='multiply') is not supported by tinygrad_edu; "
                               "use scatter_reduce semantics with torch.prod instead")
        if not isinstance(source, Tensor):
            source = input.new_full(tuple(index.shape), source)
        return input.scatter_add(dim, index, source)
    if index.dtype is not int64:
        raise RuntimeError("scatter(): Expected dtype int64 for index")
    if input.ndim == 0:
        return scatter(input.reshape(1), 0, index.reshape(1),
                       source.reshape(1) if isinstance(source, Tensor) else source).reshape(())
    d = normalize_dim(dim, input.ndim)
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if isinstance(source, Tensor):
        if source.dtype is not input.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        source = source[tuple(slice(0, s) for s in index.shape)]  # (index's shape)
    else:
        source = input.new_full(tuple(index.shape), source)
    if index.numel() == 0:
        return input.clone()
    return Scatter.apply(input, d, index, source)


def _dim_mask(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """(1, .., size, .., 1) True at the positions along dim that index names."""
    size = input.shape[dim]
    hits = lowering.full((size,), 0, int64, input.device).index_add(
        0, index.reshape(-1), lowering.full((index.numel(),), 1, int64, input.device))
    shape = [1] * input.ndim
    shape[dim] = size
    return (hits > 0).reshape(shape)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """input with every slice along dim that index names set to value."""
    if input.ndim == 0:
        return index_fill(input.reshape(1), 0, index, value).reshape(())
    d = normalize_dim(dim, input.ndim)
    if index.dtype is not int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    fill = value.to(input.dtype) if isinstance(value, Tensor) else value
    return where(_dim_mask(input, d, index), fill, input).to(input.dtype)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """input with its slices at index along dim replaced by source's slices, in order."""
    if input.ndim == 0:
        return index_copy(input.reshape(1), 0, index.reshape(-1), source.reshape(-1)).reshape(())
    d = normalize_dim(dim, input.ndim)
    if index.dtype is not int64:
        raise RuntimeError("index_copy_(): Expected a long tensor for index, but got "
                           f"{index.dtype.name.capitalize()}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {input.dtype.name.capitalize()} and (source) "
                           f"{source.dtype.name.capitalize()}")
    placed = input.new_zeros(tuple(input.shape)).index_add(d, index.reshape(-1), source)
    return where(_dim_mask(input, d, index), placed, input)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """input where mask is False; source's elements, in order, where it is True."""
    if mask.dtype.name != "bool":
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.name}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got {input.dtype.name.capitalize()} and "
                           f"{source.dtype.name.capitalize()}")
    shape = tuple(input.shape)
    full_mask = mask.expand(shape) if tuple(mask.shape) != shape else mask  # (...) broadcast
    flat_mask = full_mask.reshape(-1)  # (n,)
    taken = int(flat_mask.long().sum().item())
    if taken > source.numel():
        raise RuntimeError("masked_scatter: expected source to have at least as many elements "
                           "as ones in mask")
    order = (flat_mask.long().cumsum(0) - 1).clamp(min=0)  # (n,): which source element
    picked = source.reshape(-1)[order] if source.numel() else input.reshape(-1)  # (n,)
    return where(full_mask, picked.reshape(shape), input)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """input treated as 1-D: source's elements written (or added) at index."""
    flat = input.reshape(-1)
    positions = index.reshape(-1) % input.numel() if input.numel() else index.reshape(-1)
    if accumulate:
        return flat.index_add(0, positions, source.reshape(-1)).reshape(tuple(input.shape))
    return index_copy(flat, 0, positions, source.reshape(-1)).reshape(tuple(input.shape))


def take(input: Tensor, index: Tensor) -> Tensor:
    """input treated as 1-D, read at index (the result has index's shape)."""
    if index.dtype is not int64:
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{index.dtype.name.capitalize()}")
    flat = input.reshape(-1)  # (n,)
    positions = index % input.numel() if input.numel() else index  # negative: from the end
    return flat[positions.reshape(-1)].reshape(tuple(index.shape))


def argwhere(input: Tensor) -> Tensor:
    """(number of non-zeros, ndim) coordinates of the non-zero elements (torch.nonzero)."""
    return input.nonzero()
