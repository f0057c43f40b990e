"""The sort primitive: every row along one dim in order, with where each value came from.

    sort(x, dim, descending)  ->  (values, indices)   values[..., r, ...] = x[..., indices[r], ...]

The sort is stable (equal values keep their order) and puts NaN last ascending, first descending,
as PyTorch does. topk, kthvalue, median, argsort, unique and mode are built on it.

The GPU side is a *rank sort*, the most direct parallel sort there is: the final position of
element i is its rank,

    rank(i) = #{ j : x_j goes before x_i }      with ties broken by position (j < i): stable

so every element counts, independently of all the others, how many elements beat it, and writes
itself to out[rank(i)]. That is n^2 comparisons (a GPU library uses radix or merge sorts, n log n),
but each program does them as a (BLOCK_I, BLOCK_J) table of comparisons, block by block, and the
algorithm fits in a few lines.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def sort_reference(x: np.ndarray, x_view: View, dim: int, descending: bool
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(values, int64 indices), stable, each a contiguous buffer of the view's shape."""
    array = np.moveaxis(as_numpy(x, x_view), dim, -1)  # (..., n)
    n = array.shape[-1]
    if descending:
        # a stable ascending sort of the reversed row, read backwards: descending, ties in their
        # original order, NaN (last ascending) first
        order = (n - 1) - np.argsort(array[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    else:
        order = np.argsort(array, axis=-1, kind="stable")
    values = np.take_along_axis(array, order, axis=-1)

    def back(result: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.moveaxis(result, -1, dim)).reshape(-1)

    return back(values), back(order.astype(np.int64))


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: a 2-D block of comparisons (x_i against x_j by broadcasting a column
# against a row), reducing it to counts, and scattered stores (each lane writes where its rank
# says).

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .strided import contiguous_strides  # noqa: E402
from .triton_support import (  # noqa: E402
    cdiv,
    compute_type,
    empty,
    lane_positions,
    needs_int64,
    next_power_of_2,
    numpy_dtype,
    program_number,
    small_launches,
    strided_offsets,
    tl,
    triton_kernel,
)

SORT_BLOCK = 64  # elements per side of one comparison table
SORT_INTERPRETER_BLOCK = 512  # the same under the interpreter (it pays per program and step)


@triton_kernel
def _goes_before(a, b, DESCENDING: tl.constexpr):
    """True where a belongs strictly before b (NaN is the largest value)."""
    a_nan = a != a
    b_nan = b != b
    if DESCENDING:
        strictly = tl.where(a_nan, b == b, tl.where(b_nan, False, a > b))
    else:
        strictly = tl.where(b_nan, a == a, tl.where(a_nan, False, a < b))
    return strictly


@triton_kernel
def _same(a, b):
    """True where a and b are tied (equal, or both NaN)."""
    return tl.where(a != a, b != b, a == b)


@triton_kernel
def sort_kernel(x_ptr,                  # input buffer
                out_ptr,                # sorted values: x's shape, row-major
                index_ptr,              # int64: where each sorted value came from along dim
                n,                      # length of the sorted dim
                outer_shape,            # tuple: the other dims' sizes (at least one entry)
                x_outer_strides,        # tuple: x's strides over those dims
                out_outer_strides,      # tuple: the output's strides over them
                x_stride,               # x's stride along the sorted dim
                out_stride,             # the output's stride along the sorted dim
                x_offset,               # position of x[0, ..., 0]
                DESCENDING: tl.constexpr,
                BLOCK_I: tl.constexpr,  # elements ranked per program
                BLOCK_J: tl.constexpr,  # elements compared against per step
                INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    # rows and the pieces of a row share grid axis 0: axis 1 stops at 65 535 programs on a GPU
    program = program_number(INT64)
    pieces = (n + BLOCK_I - 1) // BLOCK_I
    row = program // pieces
    x_row = x_ptr + x_offset + strided_offsets(row, outer_shape, x_outer_strides)
    out_row = strided_offsets(row, outer_shape, out_outer_strides)
    i = (program % pieces) * BLOCK_I + tl.arange(0, BLOCK_I)  # (BLOCK_I,) positions to rank
    i_mask = i < n
    x_i = tl.load(x_row + i * x_stride, mask=i_mask)
    key_i = compute_type(x_i)
    rank = tl.zeros((BLOCK_I,), dtype=tl.int64)
    lane = lane_positions(BLOCK_J, INT64)
    for start in range(0, n, BLOCK_J):
        j = start + lane  # (BLOCK_J,) positions to compare with
        j_mask = j < n
        key_j = compute_type(tl.load(x_row + j * x_stride, mask=j_mask))
        a = key_j[None, :]  # (1, BLOCK_J) against (BLOCK_I, 1)
        b = key_i[:, None]
        beats = tl.where(_goes_before(a, b, DESCENDING), True,
                         tl.where(_same(a, b), j[None, :] < i[:, None], False))
        beats = tl.where(j_mask[None, :], beats, False)  # (BLOCK_I, BLOCK_J)
        rank += tl.sum(beats.to(tl.int64), 1)
    target = out_row + rank * out_stride
    tl.store(out_ptr + target, x_i, mask=i_mask)
    tl.store(index_ptr + target, i.to(tl.int64), mask=i_mask)


def sort_triton(x: Any, x_view: View, dim: int, descending: bool) -> tuple[Any, Any]:
    """Stable sort along dim on the GPU; same contract as sort_reference."""
    shape = x_view.shape
    numel = x_view.numel
    values = empty(numel, numpy_dtype(x))
    indices = empty(numel, np.dtype(np.int64))
    if numel == 0:
        return values, indices
    n = shape[dim]
    out_strides = contiguous_strides(shape)
    others = [d for d in range(len(shape)) if d != dim]
    outer_shape = tuple(shape[d] for d in others) or (1,)
    x_outer = tuple(x_view.strides[d] for d in others) or (0,)
    out_outer = tuple(out_strides[d] for d in others) or (0,)
    # under the interpreter, bigger comparison tables: fewer programs and loop steps
    block = min(next_power_of_2(n), SORT_INTERPRETER_BLOCK if small_launches() else SORT_BLOCK)
    grid = ((numel // n) * cdiv(n, block),)
    sort_kernel[grid](x, values, indices, n, outer_shape, x_outer, out_outer,
                      x_view.strides[dim], out_strides[dim], x_view.offset,
                      DESCENDING=descending, BLOCK_I=block, BLOCK_J=block,
                      INT64=needs_int64(x_view, numel + block))
    return values, indices
