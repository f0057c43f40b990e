"""Indexing: x[key] and x[key] = value, plus gather / scatter_add / index_select.

A key made of ints, slices, None and ... is *basic* indexing: it only changes the view (see
views.SliceSpec), so `x[1:, ::2]` shares storage with x. Integer-array and boolean-mask keys are
*advanced* indexing: the result is gathered into a new buffer, and its backward adds the gradient
back into the indexed positions (repeated indices accumulate).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import GradMode
from ..dtypes import int64
from ..tensor import Tensor
from ..views import SliceSpec, broadcast_shapes, expand_view, normalize_dim, slice_view
from . import lowering
from .movement import Slice, constant_pad

# --- Functions -----------------------------------------------------------------------------------


class AdvancedIndex(Function):
    """y = x[i0, :, i2] with integer index tensors;  dx = zeros(x.shape), dx[i0, :, i2] += dy"""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, indices):
        ctx.shape, ctx.indices = x._view.shape, indices
        return lowering.index(x, indices, _advanced_shape(x._view.shape, indices))

    @staticmethod
    def backward(ctx, dy):
        return IndexAccumulate.apply(dy, ctx.shape, ctx.indices), None


class IndexAccumulate(Function):
    """y = zeros(shape); y[i0, :, i2] += x;  dx = dy[i0, :, i2]"""

    @staticmethod
    def forward(ctx, x, shape, indices):
        ctx.indices = indices
        result = lowering.full(shape, 0, x.dtype, x.device)
        values = lowering.view_of(x, expand_view(x._view, _advanced_shape(shape, indices)))
        lowering.index_put(result, indices, values, accumulate=True)
        return result

    @staticmethod
    def backward(ctx, dy):
        return AdvancedIndex.apply(dy, ctx.indices), None, None


class Gather(Function):
    """y[i][j] = x[i][index[i][j]] (dim 1);  dx = zeros, then dx[i][index[i][j]] += dy[i][j]"""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim = x._view.shape, dim
        ctx.save_for_backward(index)
        return lowering.gather(x, dim, index)

    @staticmethod
    def backward(ctx, dy):
        (index,) = ctx.saved_tensors
        return dy.new_zeros(ctx.shape).scatter_add(ctx.dim, index, dy), None, None


class ScatterAdd(Function):
    """y = base; y[i][index[i][j]] += src[i][j] (dim 1);  dbase = dy,  dsrc = dy.gather(index)"""

    @staticmethod
    def forward(ctx, base, dim, index, source):
        ctx.dim, ctx.source_shape = dim, source._view.shape
        ctx.save_for_backward(index)
        return lowering.scatter_add(base, dim, index, source)

    @staticmethod
    def backward(ctx, dy):
        (index,) = ctx.saved_tensors
        dsource = None
        if ctx.needs_input_grad[3]:
            dsource = dy.gather(ctx.dim, index)
            if dsource.shape != ctx.source_shape:  # src may be larger than index: pad with zeros
                pads = [p for d in reversed(range(dsource.ndim))
                        for p in (0, ctx.source_shape[d] - dsource.shape[d])]
                dsource = constant_pad(dsource, pads)
        return dy, None, None, dsource


class IndexSelect(Function):
    """y = x with dim restricted to the positions in index;  dx = zeros, dx.index_add(index, dy)"""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim = x._view.shape, dim
        ctx.save_for_backward(index)
        return lowering.index_select(x, dim, index)

    @staticmethod
    def backward(ctx, dy):
        (index,) = ctx.saved_tensors
        return IndexAdd.apply(dy.new_zeros(ctx.shape), ctx.dim, index, dy), None, None


class IndexAdd(Function):
    """y = base; y[..., index[j], ...] += src[..., j, ...];  dbase = dy,  dsrc = dy.index_select"""

    @staticmethod
    def forward(ctx, base, dim, index, source):
        ctx.dim = dim
        ctx.save_for_backward(index)
        return lowering.index_add(base, dim, index, source)

    @staticmethod
    def backward(ctx, dy):
        (index,) = ctx.saved_tensors
        return dy, None, None, IndexSelect.apply(dy, ctx.dim, index)


class Nonzero(Function):
    """y = coordinates of the nonzero elements: int64 (N, ndim), no gradient"""

    differentiable = False

    @staticmethod
    def forward(ctx, x):
        return lowering.nonzero(x)


# --- key parsing ---------------------------------------------------------------------------------


def _advanced_shape(shape: tuple[int, ...], indices: list) -> tuple[int, ...]:
    """NumPy's rule: broadcast the index shapes; they replace their dims in place if adjacent,
    otherwise they move to the front."""
    dims = [d for d, index in enumerate(indices) if index is not None]
    index_shape = broadcast_shapes(*[indices[d]._view.shape for d in dims])
    rest = [shape[d] for d in range(len(shape)) if indices[d] is None]
    if dims == list(range(dims[0], dims[-1] + 1)):
        before = [shape[d] for d in range(dims[0])]
        return tuple(before) + index_shape + tuple(rest[len(before):])
    return index_shape + tuple(rest)


def _as_index_tensor(item: Any, like: Tensor) -> Tensor:
    from ..creation import tensor

    if isinstance(item, Tensor):
        return item
    return tensor(np.asarray(item), device=like.device)


def _byte_mask(item: Tensor) -> Tensor:
    """A uint8 index is a mask (PyTorch's old rule, deprecated with this warning)."""
    import warnings

    warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                  "torch.bool instead.", UserWarning, stacklevel=4)
    return item != 0


def _parse_key(x: Tensor, key: Any) -> tuple[SliceSpec, list, tuple[int, ...]]:
    """Split a key into a basic SliceSpec and per-dim advanced index tensors (on the view)."""
    if isinstance(key, list) and 0 < len(key) < 32 and any(
            isinstance(i, (list, tuple, Tensor, slice)) or i is None or i is Ellipsis
            for i in key):  # PyTorch (like old NumPy) reads x[[a, b]] with lists inside as x[a, b]
        key = tuple(key)
    items = list(key) if isinstance(key, tuple) else [key]
    items = [_as_index_tensor(i, x) if isinstance(i, (list, tuple, np.ndarray)) else i
             for i in items]
    items = [_byte_mask(i) if isinstance(i, Tensor) and i.dtype.name == "uint8" else i
             for i in items]
    consumed = sum(i.ndim if isinstance(i, Tensor) and i.dtype.name == "bool" else
                   0 if i is None or i is Ellipsis else 1 for i in items)
    if consumed > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    if sum(i is Ellipsis for i in items) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    shape = x._view.shape
    dims, new_axes, advanced = [], [], []
    output_position = 0
    for item in items:
        if item is Ellipsis:
            for _ in range(x.ndim - consumed):
                dims.append((0, shape[len(dims)], 1, True))
                advanced.append(None)
                output_position += 1
        elif item is None:
            new_axes.append(output_position)
            output_position += 1
        elif isinstance(item, slice):
            size = shape[len(dims)]
            if item.step is not None and item.step <= 0:
                raise ValueError("step must be greater than zero")
            start, stop, step = item.indices(size)
            length = max(0, (stop - start + step - 1) // step)
            dims.append((start if length else 0, length, step, True))
            advanced.append(None)
            output_position += 1
        elif isinstance(item, Tensor) and item.dtype.name == "bool":
            coordinates = Nonzero.apply(item)
            for k in range(item.ndim):
                if item._view.shape[k] != shape[len(dims)]:
                    raise IndexError(f"The shape of the mask {list(item.shape)} at index {k} does "
                                     f"not match the shape of the indexed tensor {list(shape)} at "
                                     f"index {len(dims)}")
                dims.append((0, shape[len(dims)], 1, True))
                advanced.append(coordinates[:, k])
                output_position += 1
        elif isinstance(item, Tensor) and item.ndim > 0:
            if item.dtype.name not in ("int64", "int32"):
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            dims.append((0, shape[len(dims)], 1, True))
            advanced.append(item if item.dtype is int64 else item.to(int64))
            output_position += 1
        else:
            dims.append(_integer_entry(item, shape, len(dims)))
        # ints drop their dim: no output position and no advanced entry for it
    while len(dims) < x.ndim:
        dims.append((0, shape[len(dims)], 1, True))
        advanced.append(None)
    spec = SliceSpec(tuple(dims), tuple(new_axes))
    # advanced entries line up with the *kept* dims of the view, new axes are never indexed
    view_indices = list(advanced)
    for position in new_axes:
        view_indices.insert(position, None)
    return spec, view_indices, slice_view(x._view, spec).shape


def _integer_entry(item: Any, shape: tuple[int, ...], dim: int) -> tuple[int, int, int, bool]:
    if isinstance(item, Tensor):
        if item.dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        item = int(item.item())
    if not isinstance(item, (int, np.integer)) or isinstance(item, bool):
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         "Variables are valid indices (got " + type(item).__name__ + ")")
    size = shape[dim]
    if not -size <= item < size:
        raise IndexError(f"index {item} is out of bounds for dimension {dim} with size {size}")
    return (int(item) % size, 1, 1, False)


# --- public functions ---------------------------------------------------------------------------


def getitem(x: Tensor, key: Any) -> Tensor:
    spec, indices, _ = _parse_key(x, key)
    result = Slice.apply(x, spec)
    if any(index is not None for index in indices):
        result = AdvancedIndex.apply(result, indices)
    return result


def setitem(x: Tensor, key: Any, value: Any) -> None:
    from .inplace import check_inplace

    check_inplace(x)
    if GradMode.enabled and (x._requires_grad or getattr(value, "_requires_grad", False)):
        raise RuntimeError("tinygrad_edu supports x[key] = value only on tensors that do not "
                           "require grad (or inside torch.no_grad()); build the new tensor out of "
                           "place instead, e.g. with torch.where or torch.cat")
    spec, indices, view_shape = _parse_key(x, key)
    target = lowering.view_of(x, slice_view(x._view, spec))
    if not isinstance(value, Tensor):
        value = lowering.full((), value, x.dtype, x.device)
    elif value.dtype is not x.dtype:
        value = lowering.cast(value, x.dtype)
    if any(index is not None for index in indices):
        result_shape = _advanced_shape(view_shape, indices)
        values = lowering.view_of(value, _broadcast_value(value, result_shape))
        lowering.index_put(target, indices, values, accumulate=False)
    else:
        lowering.copy_into(target, lowering.view_of(value, _broadcast_value(value,
                                                                              target._view.shape)))


def _broadcast_value(value: Tensor, shape: tuple[int, ...]):
    try:
        return expand_view(value._view, shape)
    except RuntimeError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(shape)}") from None


def _check_index(index: Tensor, name: str) -> Tensor:
    if index.dtype is not int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    return index


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    d = normalize_dim(dim, max(input.ndim, 1))
    _check_index(index, "gather")
    if input.ndim == 0 and index.ndim == 0:  # a 0-d tensor is one element along dim 0 / -1
        return gather(input.reshape(1), 0, index.reshape(1)).reshape(())
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for axis, (a, b) in enumerate(zip(index._view.shape, input._view.shape)):
        if axis != d and a > b:
            raise RuntimeError(f"Size does not match at dimension {axis} expected index "
                               f"{list(index.shape)} to be smaller than self {list(input.shape)} "
                               f"apart from dimension {d}")
    return Gather.apply(input, d, index)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    d = normalize_dim(dim, max(input.ndim, 1))
    _check_index(index, "scatter_add")
    if index.ndim != input.ndim or index.ndim != src.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if input.ndim == 0:  # a 0-d tensor is one element along dim 0 / -1
        return scatter_add(input.reshape(1), 0, index.reshape(1), src.reshape(1)).reshape(())
    return ScatterAdd.apply(input, d, index, src.to(input.dtype))


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    d = normalize_dim(dim, max(input.ndim, 1))
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype.is_floating_point:
        raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
    if input.ndim == 0:  # a 0-d tensor is one element along dim 0 / -1
        if index.numel() != 1:
            raise IndexError(f"index_select(): Index to scalar can have only 1 value, got "
                             f"{index.numel()} value(s)")
        return IndexSelect.apply(input.reshape(1), 0, index.reshape(-1).to(int64)).reshape(())
    return IndexSelect.apply(input, d, index.reshape(-1).to(int64))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    coordinates = Nonzero.apply(input)
    if as_tuple:
        return tuple(coordinates[:, k] for k in range(input.ndim))
    return coordinates


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    shape = broadcast_shapes(input._view.shape, mask._view.shape)
    return getitem(input.expand(shape), mask.expand(shape))
