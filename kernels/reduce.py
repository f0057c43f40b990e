"""Reduction primitives: many input elements collapse into one output element.

    reduce(op, x, axes)   y[j] = op over x[..] where the indices outside `axes` equal j

op is one of sum, prod, max, min (a value per output) or argmax, argmin (the index of the first
extreme value along a single axis). The reduced axes disappear from the result's shape; `keepdim`
is a view trick done above this layer (re-insert size-1 dims). The accumulator is at least float32:
half precision inputs are summed in float32 and rounded once at the end, as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------

# The ufuncs' reduce methods are what np.sum, np.prod, np.max and np.min call, minus those
# functions' Python wrapper (about 2 us per call): the same loops, the same results.
_VALUE_REDUCTIONS = {"sum": np.add.reduce, "prod": np.multiply.reduce, "max": np.maximum.reduce,
                     "min": np.minimum.reduce}
_INDEX_REDUCTIONS = {"argmax": np.argmax, "argmin": np.argmin}


def reduce_reference(op: str, x: np.ndarray, x_view: View, axes: tuple[int, ...]) -> np.ndarray:
    """Reduce the given axes of x with op; argmax/argmin take exactly one axis and return int64."""
    x_array = as_numpy(x, x_view)
    if op in _INDEX_REDUCTIONS:
        (axis,) = axes
        return _INDEX_REDUCTIONS[op](x_array, axis=axis).astype(np.int64).reshape(-1)
    reduce = _VALUE_REDUCTIONS[op]
    dtype = np.float32 if op in ("sum", "prod") and x.dtype == np.float16 else None
    if (1 < len(axes) < x_array.ndim and 0 in axes and x_array.ndim - 1 in axes
            and x_array.shape[0] > 1):
        # e.g. a conv's bias gradient dy.sum((0, 2, 3)): reducing the leading axis first adds
        # whole (O, H, W) slabs with vector adds; reduced together with the last axis, NumPy
        # loops over N * O short rows instead (about 4x slower for (64, 32, 8, 8)). The axis-0
        # part is the same running sum NumPy does for a plain sum(0) (Linear's bias gradient).
        x_array = reduce(x_array, axis=0, dtype=dtype)
        axes = tuple(axis - 1 for axis in axes if axis != 0)
    result = reduce(x_array, axis=axes, dtype=dtype)
    return np.asarray(result, dtype=x.dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: a reduction as a 2-D problem. Whatever the axes, the launcher sees the input
# as M output *rows* (the kept axes) times N elements to combine (the reduced axes), each group with
# its own shape and strides. A program owns BLOCK_M rows and walks along N in chunks of BLOCK_N,
# keeping one partial result per lane (a [BLOCK_M, BLOCK_N] accumulator: many independent sums,
# which is also more accurate than one long running sum); one tree reduction across the lanes
# (tl.sum / tl.max) finishes each row. Masked-off lanes hold the op's neutral element.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    INTERPRETER_BLOCK,
    block_positions,
    cdiv,
    compute_type,
    convert,
    empty,
    lane_positions,
    merge_dims,
    needs_int64,
    next_power_of_2,
    numpy_dtype,
    program_number,
    small_launches,
    strided_offsets,
    tl,
    triton_kernel,
)

REDUCE_TILE = 4096  # elements per [BLOCK_M, BLOCK_N] tile


@triton_kernel
def _neutral_like(x, OP: tl.constexpr):
    """A block like x full of the element that changes nothing: 0 for sum, 1 for prod, the
    lowest value for max, the highest for min."""
    if OP == "sum":
        value = 0
    elif OP == "prod":
        value = 1
    elif x.dtype.is_floating():
        value = float("-inf") if OP == "max" else float("inf")
    elif x.dtype == tl.int64:
        value = -9223372036854775808 if OP == "max" else 9223372036854775807
    else:
        value = -2147483648 if OP == "max" else 2147483647
    return tl.full(x.shape, value, x.dtype)


@triton_kernel
def _accumulator_type(x, OP: tl.constexpr):
    """Sums and products of floats accumulate in float32 at least, of integers in int64."""
    x = compute_type(x)
    if (OP == "sum" or OP == "prod") and not x.dtype.is_floating():
        x = x.to(tl.int64)
    return x


@triton_kernel
def reduce_kernel(x_ptr,                      # input buffer
                  out_ptr,                    # output: M x parts values, row-major
                  M, N,                       # number of outputs, elements combined per output
                  kept_shape, kept_strides,   # tuples: the kept axes of x's view
                  reduced_shape, reduced_strides,  # tuples: the reduced axes of x's view
                  x_offset,                   # position of x[0, ..., 0]
                  parts, chunk,               # each output in `parts` pieces of `chunk` (or 1, N)
                  OP: tl.constexpr,           # "sum", "prod", "max" or "min"
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                  INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    program = program_number(INT64)
    part = program % parts  # which piece of the rows' elements this program combines
    rows = (program // parts) * BLOCK_M + lane_positions(BLOCK_M, INT64)           # (BLOCK_M,)
    lane = lane_positions(BLOCK_N, INT64)                                          # (BLOCK_N,)
    first = part * chunk
    end = tl.minimum(first + chunk, N)
    row_mask = rows < M
    row_offsets = x_offset + strided_offsets(rows, kept_shape, kept_strides)       # (BLOCK_M,)
    zeros = tl.zeros([BLOCK_M, BLOCK_N], dtype=x_ptr.dtype.element_ty)
    neutral = _neutral_like(_accumulator_type(zeros, OP), OP)                 # (BLOCK_M, BLOCK_N)
    accumulator = neutral
    for start in range(first, end, BLOCK_N):
        columns = start + lane                                                    # (BLOCK_N,)
        column_offsets = strided_offsets(columns, reduced_shape, reduced_strides)
        mask = row_mask[:, None] & (columns < end)[None, :]                    # (BLOCK_M, BLOCK_N)
        x = tl.load(x_ptr + row_offsets[:, None] + column_offsets[None, :], mask=mask)
        x = tl.where(mask, _accumulator_type(x, OP), neutral)
        if OP == "sum":
            accumulator += x
        elif OP == "prod":
            accumulator *= x
        elif OP == "max":  # a NaN, once in a lane, stays: it is the max, as in NumPy
            accumulator = tl.where((x > accumulator) | (x != x), x, accumulator)
        else:
            accumulator = tl.where((x < accumulator) | (x != x), x, accumulator)
    if OP == "sum":
        result = tl.sum(accumulator, axis=1)
    elif OP == "prod":  # the launcher gives prod one lane per row (BLOCK_N = 1): no tree needed
        result = tl.sum(accumulator, axis=1)
    else:  # combine lanes without NaNs, then put NaN back where a lane had one
        has_nan = tl.max((accumulator != accumulator).to(tl.int32), axis=1) > 0
        clean = tl.where(accumulator != accumulator, neutral, accumulator)
        result = tl.max(clean, axis=1) if OP == "max" else tl.min(clean, axis=1)
        if accumulator.dtype.is_floating():
            result = tl.where(has_nan, float("nan"), result)
    tl.store(out_ptr + rows * parts + part, convert(result, out_ptr.dtype.element_ty),
             mask=row_mask)


@triton_kernel
def arg_reduce_kernel(x_ptr,                  # input buffer
                      out_ptr,                # output: M int64 positions along the axis
                      M, N,                   # number of outputs, length of the reduced axis
                      kept_shape, kept_strides,   # tuples: the kept axes of x's view
                      axis_stride,            # stride of the reduced axis
                      x_offset,               # position of x[0, ..., 0]
                      OP: tl.constexpr,       # "argmax" or "argmin"
                      BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                      INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    rows = block_positions(BLOCK_M, INT64)                                         # (BLOCK_M,)
    lane = lane_positions(BLOCK_N, INT64)
    row_mask = rows < M
    row_offsets = x_offset + strided_offsets(rows, kept_shape, kept_strides)
    best = compute_type(tl.zeros([BLOCK_M, BLOCK_N], dtype=x_ptr.dtype.element_ty))  # per lane
    best_index = tl.zeros([BLOCK_M, BLOCK_N], dtype=tl.int64) + N                  # N: none yet
    for start in range(0, N, BLOCK_N):
        columns = start + lane
        mask = row_mask[:, None] & (columns < N)[None, :]
        x = compute_type(tl.load(x_ptr + row_offsets[:, None] + columns[None, :] * axis_stride,
                                 mask=mask))
        better = (x > best) if OP == "argmax" else (x < best)
        better = better | ((x != x) & (best == best))  # the first NaN wins, as in NumPy
        take = mask & ((best_index == N) | better)      # strictly better: earlier index wins ties
        best = tl.where(take, x, best)
        best_index = tl.where(take, columns[None, :].to(tl.int64), best_index)
    # across lanes: the best value (a NaN if any), then the smallest index holding it
    seen = best_index < N
    lane_nan = seen & (best != best)
    any_nan = tl.max(lane_nan.to(tl.int32), axis=1) > 0
    if OP == "argmax":
        target = tl.max(tl.where(seen & (best == best), best, _neutral_like(best, "max")), axis=1)
    else:
        target = tl.min(tl.where(seen & (best == best), best, _neutral_like(best, "min")), axis=1)
    candidate = tl.where(any_nan[:, None], lane_nan, seen & (best == target[:, None]))
    index = tl.min(tl.where(candidate, best_index, N), axis=1)
    tl.store(out_ptr + rows, index, mask=row_mask)


def _reduce_blocks(op: str, M: int, N: int) -> tuple[int, int]:
    """BLOCK_N covers a row (up to 1024), BLOCK_M fills the rest of the tile with rows.

    prod runs one lane per row: combining lanes by product would need tl.reduce with a custom
    combine function, which Triton's interpreter does not run; prod is rare enough to walk."""
    tile = INTERPRETER_BLOCK if small_launches() else REDUCE_TILE  # interpreter: few programs
    block_n = 1 if op == "prod" else min(next_power_of_2(N), tile // 4 if tile > 4096 else 1024)
    block_m = max(1, min(next_power_of_2(M), tile // block_n))
    return block_m, block_n


# Two-stage reductions: with few outputs (x.sum() has one), one program per block of rows would
# leave most of a GPU idle (1 CTA of an H100's 132 SMs). The rows' elements are then cut into
# `parts` pieces, one program each, writing M x parts partial results (in the accumulator's
# dtype), and a second, small launch reduces those. Never under the interpreter (one program is
# what it wants).
SPLIT_MIN_CHUNK = 16384       # elements one program of a split reduction takes at least
SPLIT_TARGET_PROGRAMS = 264   # about two programs per SM of an H100


def _parts(op: str, M_programs: int, N: int, block_n: int) -> tuple[int, int]:
    """(parts, chunk): how many pieces each output's N elements are cut into, and their size
    (a multiple of block_n); (1, N) when one program per row block keeps the GPU busy."""
    if small_launches() or op not in _VALUE_REDUCTIONS or N < 2 * SPLIT_MIN_CHUNK:
        return 1, max(N, 1)
    parts = min(cdiv(N, SPLIT_MIN_CHUNK), cdiv(SPLIT_TARGET_PROGRAMS, M_programs))
    if parts < 2:
        return 1, N
    chunk = cdiv(cdiv(N, parts), block_n) * block_n
    return cdiv(N, chunk), chunk


def _partial_dtype(op: str, dtype: np.dtype) -> np.dtype:
    """The accumulator's dtype (what _accumulator_type computes in), for partial results."""
    if op in ("sum", "prod"):
        if dtype.kind == "f":
            return np.dtype(np.float32) if dtype.itemsize < 4 else dtype
        return np.dtype(np.int64)
    return dtype


def reduce_triton(op: str, x: Any, x_view: View, axes: tuple[int, ...]) -> Any:
    """Reduce the given axes of x with op, on the GPU; same contract as reduce_reference."""
    if op not in _VALUE_REDUCTIONS and op not in _INDEX_REDUCTIONS:
        raise ValueError(f"unknown reduction {op!r}")
    shape, strides = x_view.shape, x_view.strides
    kept = [d for d in range(len(shape)) if d not in axes]
    M = 1
    for d in kept:
        M *= shape[d]
    N = x_view.numel // M if M else 0
    if M and not N and op not in ("sum", "prod"):
        raise ValueError(f"zero-size array to reduction operation {op} which has no identity")
    out = empty(M, np.int64 if op in _INDEX_REDUCTIONS else numpy_dtype(x))
    if not M:
        return out
    kept_shape, (kept_strides,) = merge_dims(tuple(shape[d] for d in kept),
                                             tuple(strides[d] for d in kept))
    block_m, block_n = _reduce_blocks(op, M, N)
    grid = (cdiv(M, block_m),)
    if op in _INDEX_REDUCTIONS:
        (axis,) = axes
        arg_reduce_kernel[grid](x, out, M, N, kept_shape, kept_strides, strides[axis],
                                x_view.offset, OP=op, BLOCK_M=block_m, BLOCK_N=block_n,
                                INT64=needs_int64(x_view, M + block_m))
        return out
    reduced_shape, (reduced_strides,) = merge_dims(tuple(shape[d] for d in sorted(axes)),
                                                   tuple(strides[d] for d in sorted(axes)))
    parts, chunk = _parts(op, grid[0], N, block_n)
    dtype = numpy_dtype(x)
    partials = out if parts == 1 else empty(M * parts, _partial_dtype(op, dtype))
    reduce_kernel[(grid[0] * parts,)](x, partials, M, N, kept_shape, kept_strides, reduced_shape,
                                      reduced_strides, x_view.offset, parts, chunk, OP=op,
                                      BLOCK_M=block_m, BLOCK_N=block_n,
                                      INT64=needs_int64(x_view, (M + block_m) * parts))
    if parts == 1:
        return out
    # stage 2: the partials of each output, (M, parts) row-major; prod's partials multiply
    combined = reduce_triton(op, partials, View((M, parts), (parts, 1), 0), (1,))
    if numpy_dtype(combined) == dtype:
        return combined
    from .elementwise import cast_triton

    return cast_triton(combined, View((M,), (1,), 0), dtype)
