"""Index primitives: read or write elements at positions given by an integer tensor.

    gather(x, dim, index)              y[i][j][k] = x[i][index[i][j][k]][k]          (dim = 1)
    scatter_add(base, dim, index, src) y = base;  y[i][index[i][j][k]][k] += src[i][j][k]
    index_select(x, dim, index)        y = x with dim restricted to the positions in the 1-D index
    index_add(base, dim, index, src)   y = base;  y[..., index[j], ...] += src[..., j, ...]
    index(x, indices)                  NumPy/PyTorch advanced indexing: x[i0, :, i2] with int arrays
    index_put(dst, indices, values, accumulate)   dst[i0, :, i2] = values  (or +=), in place
    nonzero(x)                         (N, ndim) int64 coordinates of the nonzero elements

gather and scatter_add are each other's backward pass, and so are index_select and index_add:
reading from a position forward means adding the gradient back into that position backward.
Out-of-range indices raise an IndexError instead of reading someone else's memory.
"""

from __future__ import annotations

from math import prod

import numpy as np

from .strided import View, as_numpy, contiguous_strides

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _check_bounds(index: np.ndarray, size: int, dim: int) -> None:
    if index.size and (index.max() >= size or index.min() < -size):
        bad = index.max() if index.max() >= size else index.min()
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _coordinates(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """Full coordinates for scatter: positions of every index element, with dim replaced by it."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def gather_reference(x: np.ndarray, x_view: View, dim: int, index: np.ndarray, index_view: View
                     ) -> np.ndarray:
    """y[..., j, ...] = x[..., index[..., j, ...], ...] along dim; y has the index's shape."""
    x_array, index_array = as_numpy(x, x_view), as_numpy(index, index_view)
    _check_bounds(index_array, x_array.shape[dim], dim)
    return x_array[_coordinates(index_array, dim)].reshape(-1)


def scatter_add_reference(base: np.ndarray, base_view: View, dim: int, index: np.ndarray,
                          index_view: View, source: np.ndarray, source_view: View) -> np.ndarray:
    """A copy of base with source[p] added at base[p with dim replaced by index[p]]."""
    result = as_numpy(base, base_view).copy()
    index_array = as_numpy(index, index_view)
    _check_bounds(index_array, result.shape[dim], dim)
    source_array = as_numpy(source, source_view)[tuple(slice(0, n) for n in index_array.shape)]
    np.add.at(result, _coordinates(index_array, dim), source_array)
    return result.reshape(-1)


def index_select_reference(x: np.ndarray, x_view: View, dim: int, index: np.ndarray,
                           index_view: View) -> np.ndarray:
    """The slices of x along dim at the positions of a 1-D index (repeats allowed)."""
    x_array, index_array = as_numpy(x, x_view), as_numpy(index, index_view)
    _check_bounds(index_array, x_array.shape[dim], dim)
    return np.take(x_array, index_array, axis=dim).reshape(-1)


def index_add_reference(base: np.ndarray, base_view: View, dim: int, index: np.ndarray,
                        index_view: View, source: np.ndarray, source_view: View) -> np.ndarray:
    """A copy of base with source's j-th slice along dim added into slice index[j]."""
    result = as_numpy(base, base_view).copy()
    index_array = as_numpy(index, index_view)
    _check_bounds(index_array, result.shape[dim], dim)
    np.add.at(result, (slice(None),) * dim + (index_array,), as_numpy(source, source_view))
    return result.reshape(-1)


def _numpy_key(indices: list[tuple[np.ndarray, View] | None], shape: tuple[int, ...]) -> tuple:
    key = []
    for dim, entry in enumerate(indices):
        if entry is None:
            key.append(slice(None))
        else:
            index_array = as_numpy(*entry)
            _check_bounds(index_array, shape[dim], dim)
            key.append(index_array)
    return tuple(key)


def index_reference(x: np.ndarray, x_view: View, indices: list[tuple[np.ndarray, View] | None]
                    ) -> np.ndarray:
    """x[key] with one int64 index array (or None for ':') per dim, NumPy's advanced indexing."""
    x_array = as_numpy(x, x_view)
    return np.array(x_array[_numpy_key(indices, x_array.shape)], copy=True).reshape(-1)


def index_put_reference(destination: np.ndarray, destination_view: View,
                        indices: list[tuple[np.ndarray, View] | None],
                        values: np.ndarray, values_view: View, accumulate: bool) -> None:
    """destination[key] = values (or += with repeats summed when accumulate), in place."""
    destination_array = as_numpy(destination, destination_view)
    key = _numpy_key(indices, destination_array.shape)
    values_array = as_numpy(values, values_view)
    if accumulate:
        np.add.at(destination_array, key, values_array)
    else:
        destination_array[key] = values_array


def nonzero_reference(x: np.ndarray, x_view: View) -> np.ndarray:
    """Row-major coordinates of the nonzero elements, as a flat (N * ndim) int64 buffer."""
    return np.argwhere(as_numpy(x, x_view)).astype(np.int64).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: data-dependent addresses. An index kernel loads an index, then uses it to
# compute *where* to read (gather) or write (scatter). Two writers may hit the same element
# (repeated indices), so scatters use tl.atomic_add: the hardware serialises colliding adds.
#   gather / index_select   one kernel: x read at (position with dim replaced by index[...]);
#                           index_select is gather with a 1-D index broadcast (stride 0) over
#                           the other dims
#   scatter_add / index_add one kernel: the same addresses, atomically added to
#   index / index_put       buffer offsets built one index array at a time, then a read / write
#   nonzero                 count per block, prefix sum of the counts, then write coordinates
# Bounds are checked inside the kernels, without stopping the host: a bad index is clamped to 0
# (so no kernel touches memory it should not) and recorded in an error slot; the next host read
# raises PyTorch's IndexError (see error_slot in triton_support.py).

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    block_positions,
    cdiv,
    download,
    empty,
    error_slot,
    launch_block,
    needs_int64,
    numpy_dtype,
    record_bad_values,
    strided_offsets,
    tl,
    triton_kernel,
    upload,
)

INDEX_BLOCK = 1024
_ATOMIC_DTYPES = ("float16", "float32", "float64", "int32", "int64")


def _shape_or_scalar(shape: tuple[int, ...], *strides: tuple[int, ...]) -> tuple:
    """Kernels want at least one dim: a 0-d view is a 1-element 1-d view."""
    return ((1,), *[(0,)] * len(strides)) if not shape else (shape, *strides)


def _bounds_slot(size: int, dim: int) -> tuple[Any, int]:
    """(error buffer, slot) where a kernel records indices outside [-size, size): raised at the
    next host read as the reference's IndexError."""
    def make_error(largest: int, smallest: int) -> IndexError:
        bad = largest if largest >= size else smallest
        return IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")

    return error_slot(make_error)


@triton_kernel
def _checked_index(index, mask, dim_size, error_ptr, slot):
    """index made non-negative (-1 is the last, as in NumPy); out-of-range lanes recorded in the
    error slot and clamped to 0, so that no load or store leaves the buffer."""
    bad = mask & ((index < -dim_size) | (index >= dim_size))
    record_bad_values(error_ptr, slot, index, bad)
    index = tl.where(index < 0, index + dim_size, index)
    return tl.where(bad, 0, index)


def _without(strides: tuple[int, ...], dim: int) -> tuple[int, ...]:
    """Strides with dim's set to 0: the position along dim will come from the index instead."""
    return tuple(0 if d == dim else s for d, s in enumerate(strides))


@triton_kernel
def gather_kernel(x_ptr, index_ptr, out_ptr,      # x, int64 index, output (index's shape)
                  numel,                          # number of outputs
                  shape,                          # tuple: the output's shape
                  index_strides, index_offset,    # index view over the output's shape
                  x_strides, x_offset,            # x's strides with dim's stride set to 0
                  dim_stride, dim_size,           # x's stride and size along dim
                  error_ptr, error_slot,          # where a bad index is recorded
                  BLOCK: tl.constexpr,
                  INT64: tl.constexpr = False):
    position = block_positions(BLOCK, INT64)  # (BLOCK,) output positions
    mask = position < numel
    index = tl.load(index_ptr + index_offset + strided_offsets(position, shape, index_strides),
                    mask=mask, other=0)
    index = _checked_index(index, mask, dim_size, error_ptr, error_slot)
    source = x_offset + strided_offsets(position, shape, x_strides) + index * dim_stride
    tl.store(out_ptr + position, tl.load(x_ptr + source, mask=mask), mask=mask)


@triton_kernel
def scatter_add_kernel(out_ptr, index_ptr, source_ptr,  # out (contiguous), int64 index, source
                       numel,                           # number of source elements to add
                       shape,                           # tuple: the shape being iterated
                       index_strides, index_offset,     # index view over that shape
                       source_strides, source_offset,   # source view over that shape
                       out_strides,                     # out's strides with dim's set to 0
                       dim_stride, dim_size,            # out's stride and size along dim
                       error_ptr, error_slot,           # where a bad index is recorded
                       BLOCK: tl.constexpr,
                       INT64: tl.constexpr = False):
    position = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = position < numel
    index = tl.load(index_ptr + index_offset + strided_offsets(position, shape, index_strides),
                    mask=mask, other=0)
    index = _checked_index(index, mask, dim_size, error_ptr, error_slot)
    value = tl.load(source_ptr + source_offset
                    + strided_offsets(position, shape, source_strides), mask=mask)
    target = strided_offsets(position, shape, out_strides) + index * dim_stride
    tl.atomic_add(out_ptr + target, value, mask=mask)  # repeated indices add up


def _gather(x: Any, x_view: View, dim: int, index: Any, index_strides: tuple[int, ...],
            index_offset: int, shape: tuple[int, ...]) -> Any:
    out = empty(prod(shape), numpy_dtype(x))
    if out.numel():
        size = x_view.shape[dim] if x_view.shape else 1
        launch_shape, launch_index, launch_x = _shape_or_scalar(
            shape, index_strides, _without(x_view.strides, dim))
        block = launch_block(out.numel(), INDEX_BLOCK)
        gather_kernel[(cdiv(out.numel(), block),)](
            x, index, out, out.numel(), launch_shape, launch_index, index_offset, launch_x,
            x_view.offset, x_view.strides[dim] if x_view.shape else 0,
            size, *_bounds_slot(size, dim), BLOCK=block,
            INT64=needs_int64(x_view, out.numel(), View(shape, index_strides, index_offset)))
    return out


def _scatter_add(base: Any, base_view: View, dim: int, index: Any,
                 index_strides: tuple[int, ...], index_offset: int, source: Any,
                 source_view: View, shape: tuple[int, ...]) -> Any:
    from .copy import copy_triton

    if numpy_dtype(base).name not in _ATOMIC_DTYPES:
        raise TypeError(f"scatter-adds on the Triton backend need one of {_ATOMIC_DTYPES} "
                        f"(atomic adds), not {numpy_dtype(base).name}")
    out = copy_triton(base, base_view)
    numel = prod(shape)
    if numel:
        size = base_view.shape[dim] if base_view.shape else 1
        out_strides = contiguous_strides(base_view.shape)
        launch_shape, launch_index, launch_source, launch_out = _shape_or_scalar(
            shape, index_strides, source_view.strides[:len(shape)], _without(out_strides, dim))
        block = launch_block(numel, INDEX_BLOCK)
        scatter_add_kernel[(cdiv(numel, block),)](
            out, index, source, numel, launch_shape, launch_index, index_offset, launch_source,
            source_view.offset, launch_out, out_strides[dim] if out_strides else 0,
            size, *_bounds_slot(size, dim), BLOCK=block,
            INT64=needs_int64(base_view, source_view, numel,
                              View(shape, index_strides, index_offset)))
    return out


def _along(dim: int, ndim: int, stride: int) -> tuple[int, ...]:
    """Strides that read a 1-D index at the position along dim, for every other coordinate."""
    return tuple(stride if d == dim else 0 for d in range(ndim))


def gather_triton(x: Any, x_view: View, dim: int, index: Any, index_view: View) -> Any:
    """y[..., j, ...] = x[..., index[..., j, ...], ...] along dim, on the GPU."""
    return _gather(x, x_view, dim, index, index_view.strides, index_view.offset,
                   index_view.shape)


def scatter_add_triton(base: Any, base_view: View, dim: int, index: Any, index_view: View,
                       source: Any, source_view: View) -> Any:
    """A copy of base with source[p] added at base[p with dim replaced by index[p]], on the GPU."""
    return _scatter_add(base, base_view, dim, index, index_view.strides, index_view.offset,
                        source, source_view, index_view.shape)


def index_select_triton(x: Any, x_view: View, dim: int, index: Any, index_view: View) -> Any:
    """The slices of x along dim at the positions of a 1-D index, on the GPU."""
    shape = list(x_view.shape)
    if shape:
        shape[dim] = index_view.numel
    index_stride = index_view.strides[0] if index_view.shape else 0
    return _gather(x, x_view, dim, index, _along(dim, len(shape), index_stride),
                   index_view.offset, tuple(shape))


def index_add_triton(base: Any, base_view: View, dim: int, index: Any, index_view: View,
                     source: Any, source_view: View) -> Any:
    """A copy of base with source's j-th slice along dim added into slice index[j], on the GPU."""
    index_stride = index_view.strides[0] if index_view.shape else 0
    return _scatter_add(base, base_view, dim, index,
                        _along(dim, len(source_view.shape), index_stride), index_view.offset,
                        source, source_view, source_view.shape)


@triton_kernel
def index_offsets_kernel(offsets_ptr,            # int64 output: buffer offsets, one per result
                         numel,                  # number of results
                         shape,                  # tuple: the result's shape
                         base_strides, base_offset,  # x's strides on the sliced (':') dims
                         index_ptr,              # one int64 index array ...
                         index_strides, index_offset,  # ... viewed over the result's shape
                         dim_size, dim_stride,   # the size and stride of the dim it indexes
                         error_ptr, error_slot,  # where a bad index is recorded
                         FIRST: tl.constexpr,    # the first index array starts the offsets
                         BLOCK: tl.constexpr,
                         INT64: tl.constexpr = False):
    position = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = position < numel
    if FIRST:
        offsets = base_offset + strided_offsets(position, shape, base_strides).to(tl.int64)
    else:
        offsets = tl.load(offsets_ptr + position, mask=mask, other=0)
    index = tl.load(index_ptr + index_offset + strided_offsets(position, shape, index_strides),
                    mask=mask, other=0)
    index = _checked_index(index, mask, dim_size, error_ptr, error_slot)
    tl.store(offsets_ptr + position, offsets + index * dim_stride, mask=mask)


@triton_kernel
def take_kernel(x_ptr, offsets_ptr, out_ptr,    # out[p] = x[offsets[p]]
                numel, BLOCK: tl.constexpr,
                INT64: tl.constexpr = False):
    position = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = position < numel
    offsets = tl.load(offsets_ptr + position, mask=mask, other=0)
    tl.store(out_ptr + position, tl.load(x_ptr + offsets, mask=mask), mask=mask)


@triton_kernel
def put_kernel(destination_ptr, offsets_ptr,    # destination[offsets[p]] = (or +=) values[p]
               values_ptr,                      # values, a view over the result's shape
               numel, shape, values_strides, values_offset,
               ACCUMULATE: tl.constexpr,        # add (atomically: repeats sum) instead of write
               BLOCK: tl.constexpr,
               INT64: tl.constexpr = False):
    position = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = position < numel
    offsets = tl.load(offsets_ptr + position, mask=mask, other=0)
    values = tl.load(values_ptr + values_offset
                     + strided_offsets(position, shape, values_strides), mask=mask)
    values = values.to(destination_ptr.dtype.element_ty)
    if ACCUMULATE:
        tl.atomic_add(destination_ptr + offsets, values, mask=mask)
    else:
        tl.store(destination_ptr + offsets, values, mask=mask)


def _broadcast_shape(shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(*shapes))


def _advanced_offsets(view: View, indices: list) -> tuple[Any, tuple[int, ...]]:
    """Buffer offsets of every element of x[key], and the result's shape (NumPy's rule: the
    broadcast index dims replace the indexed dims in place when those are adjacent, else first)."""
    ndim = len(view.shape)
    indices = list(indices) + [None] * (ndim - len(indices))
    advanced = [d for d in range(ndim) if indices[d] is not None]
    if not advanced:
        raise ValueError("index needs at least one index array")
    batch = _broadcast_shape([indices[d][1].shape for d in advanced])
    sliced = [d for d in range(ndim) if indices[d] is None]
    batch_dims = [("batch", j) for j in range(len(batch))]
    if advanced == list(range(advanced[0], advanced[-1] + 1)):  # adjacent: in place
        layout = ([("slice", d) for d in sliced if d < advanced[0]] + batch_dims
                  + [("slice", d) for d in sliced if d > advanced[-1]])
    else:
        layout = batch_dims + [("slice", d) for d in sliced]
    shape = tuple(view.shape[d] if kind == "slice" else batch[d] for kind, d in layout)
    numel = prod(shape)
    offsets = empty(numel, np.int64)
    if not numel:
        return offsets, shape
    base_strides = tuple(view.strides[d] if kind == "slice" else 0 for kind, d in layout)
    block = launch_block(numel, INDEX_BLOCK)
    for number, d in enumerate(advanced):
        index, index_view = indices[d]
        skip = len(batch) - len(index_view.shape)  # right-aligned broadcasting
        index_strides = tuple(
            index_view.strides[j - skip] if kind == "batch" and j >= skip
            and index_view.shape[j - skip] != 1 else 0 for kind, j in layout)
        launch_shape, launch_base, launch_index = _shape_or_scalar(shape, base_strides,
                                                                   index_strides)
        index_offsets_kernel[(cdiv(numel, block),)](
            offsets, numel, launch_shape, launch_base, view.offset, index, launch_index,
            index_view.offset, view.shape[d], view.strides[d], *_bounds_slot(view.shape[d], d),
            FIRST=number == 0, BLOCK=block,
            INT64=needs_int64(view, numel, View(index_view.shape, index_view.strides,
                                                index_view.offset)))
    return offsets, shape


def index_triton(x: Any, x_view: View, indices: list) -> Any:
    """x[key] with one int64 index array (or None for ':') per dim, on the GPU."""
    offsets, shape = _advanced_offsets(x_view, indices)
    out = empty(prod(shape), numpy_dtype(x))
    if out.numel():
        block = launch_block(out.numel(), INDEX_BLOCK)
        take_kernel[(cdiv(out.numel(), block),)](x, offsets, out, out.numel(), BLOCK=block,
                                                 INT64=needs_int64(out.numel()))
    return out


def index_put_triton(destination: Any, destination_view: View, indices: list, values: Any,
                     values_view: View, accumulate: bool) -> None:
    """destination[key] = values (or += with repeats summed when accumulate), in place."""
    if accumulate and numpy_dtype(destination).name not in _ATOMIC_DTYPES:
        raise TypeError(f"index_put(accumulate=True) on the Triton backend needs one of "
                        f"{_ATOMIC_DTYPES} (atomic adds), not {numpy_dtype(destination).name}")
    offsets, shape = _advanced_offsets(destination_view, indices)
    numel = prod(shape)
    if not numel:
        return
    if values.data_ptr() == destination.data_ptr():  # read everything before writing
        from .copy import copy_triton

        values = copy_triton(values, values_view)
        values_view = View(values_view.shape, contiguous_strides(values_view.shape), 0)
    skip = len(shape) - len(values_view.shape)
    values_strides = tuple(0 if j < skip or values_view.shape[j - skip] == 1
                           else values_view.strides[j - skip] for j in range(len(shape)))
    launch_shape, launch_values = _shape_or_scalar(shape, values_strides)
    block = launch_block(numel, INDEX_BLOCK)
    put_kernel[(cdiv(numel, block),)](destination, offsets, values, numel, launch_shape,
                                      launch_values, values_view.offset,
                                      ACCUMULATE=accumulate, BLOCK=block,
                                      INT64=needs_int64(numel, values_view))


@triton_kernel
def count_nonzero_kernel(x_ptr, counts_ptr,     # x, int64 output: one count per block
                         numel, shape, x_strides, x_offset,
                         BLOCK: tl.constexpr,
                         INT64: tl.constexpr = False):
    position = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = position < numel
    x = tl.load(x_ptr + x_offset + strided_offsets(position, shape, x_strides), mask=mask)
    flags = ((x != 0) & mask).to(tl.int64)
    tl.store(counts_ptr + tl.program_id(0), tl.sum(flags, axis=0))


@triton_kernel
def write_nonzero_kernel(x_ptr, starts_ptr,     # x, int64: where each block's results start
                         out_ptr,               # int64 output: (count, ndim) coordinates
                         numel, shape, x_strides, x_offset,
                         BLOCK: tl.constexpr,
                         INT64: tl.constexpr = False):
    position = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = position < numel
    x = tl.load(x_ptr + x_offset + strided_offsets(position, shape, x_strides), mask=mask)
    flags = ((x != 0) & mask).to(tl.int64)
    rank = tl.cumsum(flags, axis=0) - flags  # how many nonzeros come before, in this block
    row = tl.load(starts_ptr + tl.program_id(0)) + rank
    rest = position
    for d in tl.static_range(len(shape) - 1, -1, -1):  # coordinates, last dim first
        tl.store(out_ptr + row * len(shape) + d, (rest % shape[d]).to(tl.int64),
                 mask=flags != 0)
        rest = rest // shape[d]


def nonzero_triton(x: Any, x_view: View) -> Any:
    """Row-major coordinates of the nonzero elements, as a flat (N * ndim) int64 buffer."""
    numel, ndim = x_view.numel, len(x_view.shape)
    if not numel or not ndim:
        return empty(0, np.int64)
    block = launch_block(numel, INDEX_BLOCK)
    blocks = cdiv(numel, block)
    counts = empty(blocks, np.int64)
    int64 = needs_int64(x_view, numel)
    count_nonzero_kernel[(blocks,)](x, counts, numel, x_view.shape, x_view.strides,
                                    x_view.offset, BLOCK=block, INT64=int64)
    # the output's size decides its allocation, so the counts come to the host here anyway
    counts_host = download(counts)
    starts = np.concatenate([[0], np.cumsum(counts_host)[:-1]]).astype(np.int64)
    out = empty(int(counts_host.sum()) * ndim, np.int64)
    if out.numel():
        write_nonzero_kernel[(blocks,)](x, upload(starts), out, numel, x_view.shape,
                                        x_view.strides, x_view.offset, BLOCK=block,
                                        INT64=int64)
    return out
