"""View arithmetic: shapes, strides and offsets of views, computed without touching any element.

Every function here takes and returns plain tuples or kernels.View objects. They are what make
`transpose`, `expand`, slicing and `view` free: the new tensor reads the same buffer differently.
"""

from __future__ import annotations

from functools import lru_cache
from math import prod
from typing import NamedTuple

from .kernels import View, contiguous_strides


def normalize_dim(dim: int, ndim: int) -> int:
    """Turn a possibly negative dim into 0..ndim-1, with PyTorch's IndexError otherwise."""
    low, high = (-ndim, ndim - 1) if ndim > 0 else (-1, 0)
    if not low <= dim <= high:
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], "
                         f"but got {dim})")
    return dim % ndim if ndim > 0 else 0


def normalize_dims(dims: int | tuple[int, ...] | list[int] | None, ndim: int) -> tuple[int, ...]:
    """Dims for a reduction: None means all; duplicates are an error, as in PyTorch."""
    if dims is None or type(dims) is int or type(dims) is tuple:  # the usual, hashable, inputs
        return _normalized_dims(dims, ndim)
    return _normalized_dims.__wrapped__(tuple(dims) if isinstance(dims, list) else dims, ndim)


@lru_cache(maxsize=1024)  # pure; every reduction of a training step asks the same question again
def _normalized_dims(dims: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    if dims is None:
        return tuple(range(ndim))
    if isinstance(dims, int):
        dims = (dims,)
    normalized = tuple(normalize_dim(d, ndim) for d in dims)
    if ndim == 0:  # a 0-d tensor accepts dim 0 / -1, and has no axis to reduce
        return ()
    if len(set(normalized)) != len(normalized):
        repeated = next(d for d in normalized if normalized.count(d) > 1)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
    return normalized


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The common shape: align on the right, each dim equal or 1 (torch.broadcast_shapes)."""
    result = list(shapes[0])
    for shape in shapes[1:]:
        if len(shape) > len(result):
            result = [1] * (len(shape) - len(result)) + result
        offset = len(result) - len(shape)
        for i, size in enumerate(shape):
            current = result[offset + i]
            if size != current and current != 1 and size != 1:
                raise RuntimeError(
                    f"The size of tensor a ({current}) must match the size of tensor b ({size}) "
                    f"at non-singleton dimension {offset + i}")
            if current == 1:
                result[offset + i] = size
    return tuple(result)


def expand_view(view: View, shape: tuple[int, ...]) -> View:
    """Broadcast a view to a larger shape: new or size-1 dims get stride 0 (no copy)."""
    if view.shape == shape:
        return view
    return _expanded_view(view, tuple(shape))


@lru_cache(maxsize=4096)  # pure, and a training step expands the same views every time
def _expanded_view(view: View, shape: tuple[int, ...]) -> View:
    extra = len(shape) - len(view.shape)
    if extra < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(shape)}) must be greater "
                           "or equal to the number of dimensions in the tensor "
                           f"({len(view.shape)})")
    strides = []
    for i, size in enumerate(shape):
        if i < extra:
            if size < 0:
                raise RuntimeError(f"The expanded size of the tensor ({size}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            strides.append(0)
            continue
        old_size, old_stride = view.shape[i - extra], view.strides[i - extra]
        if size == -1 or size == old_size:
            strides.append(old_stride)
        elif old_size == 1:
            strides.append(0)
        else:
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size "
                f"({old_size}) at non-singleton dimension {i}.  Target sizes: {list(shape)}.  "
                f"Tensor sizes: {list(view.shape)}")
    new_shape = tuple(view.shape[i - extra] if s == -1 else s for i, s in enumerate(shape))
    return View(new_shape, tuple(strides), view.offset)


def infer_shape(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    """Fill in one -1 in a requested shape, checking the element count."""
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = prod(s for s in shape if s != -1)
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    if prod(shape) != numel or any(s < 0 for s in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def reshape_strides(view: View, new_shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """Strides that show the same elements in new_shape without a copy, or None if impossible.

    Walk the old dims from the right in "chunks" of dims that are contiguous with each other
    (stride[d-1] == stride[d] * size[d]). A chunk can be re-split into any new dims with the same
    element count; a new dim that would straddle two chunks needs a copy.
    """
    old_shape, old_strides = view.shape, view.strides
    if not old_shape or prod(old_shape) == 0:
        return contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    new_dim = len(new_shape) - 1
    chunk_stride = old_strides[-1]
    chunk_numel = new_numel = 1
    for old_dim in reversed(range(len(old_shape))):
        chunk_numel *= old_shape[old_dim]
        chunk_ends = old_dim == 0 or (old_shape[old_dim - 1] != 1 and
                                      old_strides[old_dim - 1] != chunk_numel * chunk_stride)
        if not chunk_ends:
            continue
        while new_dim >= 0 and (new_numel < chunk_numel or new_shape[new_dim] == 1):
            new_strides[new_dim] = new_numel * chunk_stride
            new_numel *= new_shape[new_dim]
            new_dim -= 1
        if new_numel != chunk_numel:
            return None
        if old_dim > 0:
            chunk_stride, chunk_numel, new_numel = old_strides[old_dim - 1], 1, 1
    return tuple(new_strides) if new_dim == -1 else None


@lru_cache(maxsize=4096)  # pure, and every training step transposes the same few views again
def permute_view(view: View, dims: tuple[int, ...]) -> View:
    """Reorder dims: shape and strides are permuted together."""
    ndim = len(view.shape)
    dims = tuple(normalize_dim(d, ndim) for d in dims)
    if len(dims) != ndim or len(set(dims)) != ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not "
                           "match the length of the desired ordering of dimensions i.e. input.dim()"
                           f" = {ndim} is not equal to len(dims) = {len(dims)}")
    return View(tuple(view.shape[d] for d in dims), tuple(view.strides[d] for d in dims),
                view.offset)


@lru_cache(maxsize=1024)
def inverse_permutation(dims: tuple[int, ...]) -> tuple[int, ...]:
    """The dims that undo a permute: permuting by dims, then by these, gives back the original."""
    return tuple(sorted(range(len(dims)), key=lambda d: dims[d]))


def narrow_view(view: View, dim: int, start: int, length: int) -> View:
    """Elements start..start+length-1 along dim: the offset moves, the strides stay."""
    shape = list(view.shape)
    shape[dim] = length
    return View(tuple(shape), view.strides, view.offset + start * view.strides[dim])


class SliceSpec(NamedTuple):
    """Basic indexing as data: per input dim (start, length, step, keep), then new size-1 dims.

    x[1, ::2, None] on a (3, 4) tensor is dims ((1, 1, 1, False), (0, 2, 2, True)), new_axes (1,):
    dim 0 is indexed away, dim 1 keeps every second element, and a size-1 dim is inserted.
    """

    dims: tuple[tuple[int, int, int, bool], ...]
    new_axes: tuple[int, ...] = ()


class _MutableSpec:
    def __init__(self, dims: list, new_axes: list):
        self.dims, self.new_axes = dims, new_axes

    def frozen(self) -> SliceSpec:
        return SliceSpec(tuple(self.dims), tuple(self.new_axes))


def full_slice_spec(shape: tuple[int, ...]) -> _MutableSpec:
    """A spec that selects everything (to be edited, then frozen)."""
    return _MutableSpec([(0, size, 1, True) for size in shape], [])


def slice_view(view: View, spec: SliceSpec) -> View:
    """The view that a basic index (a SliceSpec) selects from `view`."""
    offset, shape, strides = view.offset, [], []
    for (start, length, step, keep), stride in zip(spec.dims, view.strides):
        if length:
            offset += start * stride
        if keep:
            shape.append(length)
            strides.append(stride * step)
    for position in spec.new_axes:
        shape.insert(position, 1)
        strides.insert(position, 0)
    return View(tuple(shape), tuple(strides), offset)
