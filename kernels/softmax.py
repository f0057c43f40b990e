"""Fused softmax and log-softmax along one dimension, numerically stable.

    softmax(x)_i     = exp(x_i - m) / sum_j exp(x_j - m)          m = max_j x_j
    log_softmax(x)_i = (x_i - m) - log(sum_j exp(x_j - m))

Subtracting the row maximum m changes nothing mathematically but keeps exp() <= 1, so logits of
+-1e4 give exact answers instead of inf/inf = nan. One primitive instead of five elementwise and
reduction passes: the row is read once and written once (the Triton kernel keeps it in registers).
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def softmax_reference(x: np.ndarray, x_view: View, dim: int, log: bool) -> np.ndarray:
    """softmax (log=False) or log_softmax (log=True) of x along dim; float16 computes in float32."""
    x_array = as_numpy(x, x_view)
    if x.dtype == np.float16:
        x_array = x_array.astype(np.float32)
    with np.errstate(all="ignore"):
        row_max = np.max(x_array, axis=dim, keepdims=True)
        row_max = np.where(np.isfinite(row_max), row_max, 0)  # a row of -inf stays -inf, not nan
        shifted = x_array - row_max
        exponentials = np.exp(shifted)
        total = np.sum(exponentials, axis=dim, keepdims=True)
        result = shifted - np.log(total) if log else exponentials / total
    return np.asarray(result, dtype=x.dtype).reshape(-1)


def softmax_backward_reference(y: np.ndarray, y_view: View, dy: np.ndarray, dy_view: View,
                               dim: int, log: bool) -> np.ndarray:
    """dx of softmax from its output y:  y * (dy - sum(dy * y));  of log_softmax:
    dy - e^y * sum(dy)  (sums along dim). float16 computes in float32. Row-major result."""
    y_array, dy_array = as_numpy(y, y_view), as_numpy(dy, dy_view)
    if y.dtype == np.float16:
        y_array, dy_array = y_array.astype(np.float32), dy_array.astype(np.float32)
    if log:
        dx = dy_array - np.exp(y_array) * np.sum(dy_array, axis=dim, keepdims=True)
    else:
        dx = y_array * (dy_array - np.sum(dy_array * y_array, axis=dim, keepdims=True))
    return np.asarray(dx, dtype=y.dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: a fused row kernel, and the *online* softmax.
#   * One program per row (the rows are all the positions of the other dims, a strided view).
#   * A row that fits in one block is loaded once, and max, exp, sum and the division happen in
#     registers: one read and one write of memory, where five separate kernels would make ten.
#   * A wider row is streamed in blocks. The running maximum m and the running sum s of
#     exp(x - m) are updated together: when a block raises the maximum from m to m', the sum so
#     far is rescaled by exp(m - m'). A second pass writes exp(x - m) / s. That is two reads of
#     the row instead of three (max, then sum, then write), and no limit on the row length.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    empty,
    interpreting,
    lane_positions,
    merge_dims,
    needs_int64,
    next_power_of_2,
    numpy_dtype,
    program_number,
    strided_offsets,
    tl,
    triton_kernel,
)

SOFTMAX_MAX_BLOCK = 8192  # the widest row handled in one block; wider rows stream


@triton_kernel
def _finite_or_zero(m):
    """The shift used for exp: the max, or 0 when the max is +-inf (as in the reference)."""
    return tl.where((m == m) & (m - m == 0), m, 0.0)


@triton_kernel
def softmax_kernel(x_ptr,                       # input buffer
                   out_ptr,                     # output: same shape as x, row-major
                   N,                           # row length (the size of dim)
                   row_shape, row_strides,      # tuples: the other dims of x's view
                   column_stride,               # stride of dim in x
                   out_column_stride,           # stride of dim in the (row-major) output
                   out_row_strides,             # tuple: the other dims' strides in the output
                   x_offset,                    # position of x[0, ..., 0]
                   LOG: tl.constexpr,           # log_softmax instead of softmax
                   BLOCK: tl.constexpr,         # columns per block (a power of two)
                   ONE_BLOCK: tl.constexpr,     # the whole row fits in one block
                   INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    row = program_number(INT64)
    x_row = x_ptr + x_offset + strided_offsets(row, row_shape, row_strides)
    out_row = out_ptr + strided_offsets(row, row_shape, out_row_strides)
    columns = lane_positions(BLOCK, INT64)                                          # (BLOCK,)
    if ONE_BLOCK:
        mask = columns < N
        x = tl.load(x_row + columns * column_stride, mask=mask, other=float("-inf"))
        x = x.to(tl.float32) if x.dtype != tl.float64 else x
        shift = _finite_or_zero(tl.max(x, axis=0))
        shifted = x - shift
        exponentials = tl.where(mask, tl.exp(shifted), 0.0)
        total = tl.sum(exponentials, axis=0)
        y = shifted - tl.log(total) if LOG else exponentials / total
        tl.store(out_row + columns * out_column_stride, y.to(out_ptr.dtype.element_ty), mask=mask)
    else:
        # pass 1: running max m and running sum s of exp(x - m), one block at a time
        accumulate_type = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
        m = tl.full([BLOCK], float("-inf"), accumulate_type)  # per lane
        s = tl.zeros([BLOCK], accumulate_type)
        for start in range(0, N, BLOCK):
            mask = start + columns < N
            x = tl.load(x_row + (start + columns) * column_stride, mask=mask,
                        other=float("-inf")).to(accumulate_type)
            new_m = tl.maximum(m, x)
            rescale = tl.where(m == float("-inf"), 0.0,
                               tl.exp(_finite_or_zero(m) - _finite_or_zero(new_m)))
            s = s * rescale + tl.where(mask, tl.exp(x - _finite_or_zero(new_m)), 0.0)
            m = new_m
        # combine the lanes the same way
        row_max = tl.max(m, axis=0)
        shift = _finite_or_zero(row_max)
        lane_scale = tl.where(m == float("-inf"), 0.0, tl.exp(_finite_or_zero(m) - shift))
        total = tl.sum(s * lane_scale, axis=0)
        # pass 2: write
        for start in range(0, N, BLOCK):
            mask = start + columns < N
            x = tl.load(x_row + (start + columns) * column_stride, mask=mask,
                        other=float("-inf")).to(accumulate_type)
            shifted = x - shift
            y = shifted - tl.log(total) if LOG else tl.exp(shifted) / total
            tl.store(out_row + (start + columns) * out_column_stride,
                     y.to(out_ptr.dtype.element_ty), mask=mask)


def softmax_triton(x: Any, x_view: View, dim: int, log: bool) -> Any:
    """softmax (log=False) or log_softmax (log=True) of x along dim, on the GPU."""
    shape, strides = x_view.shape, x_view.strides
    out = empty(x_view.numel, numpy_dtype(x))
    if not x_view.numel:
        return out
    out_strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        out_strides[d] = out_strides[d + 1] * shape[d + 1]
    others = [d for d in range(len(shape)) if d != dim]
    row_shape = tuple(shape[d] for d in others)
    row_shape_merged, (row_strides, out_row_strides) = merge_dims(
        row_shape, tuple(strides[d] for d in others), tuple(out_strides[d] for d in others))
    N = shape[dim]
    limit = 1024 if interpreting() else SOFTMAX_MAX_BLOCK
    block = min(next_power_of_2(N), min(limit, SOFTMAX_MAX_BLOCK))
    rows = x_view.numel // N
    softmax_kernel[(rows,)](x, out, N, row_shape_merged, row_strides, strides[dim],
                            out_strides[dim], out_row_strides,
                            x_view.offset, LOG=log, BLOCK=block, ONE_BLOCK=N <= block,
                            INT64=needs_int64(x_view, x_view.numel),
                            num_warps=min(max(block // 256, 1), 16))
    return out


# The backward pass, fused the same way: dx needs one sum along the row (of dy * y for softmax,
# of dy for log_softmax), then one elementwise formula. One program per row, reading y and dy
# once when the row fits in a block (twice when it streams), writing dx once: four kernels
# (exp, sum, mul, sub) become one.


@triton_kernel
def softmax_backward_kernel(y_ptr, dy_ptr,          # softmax output and its gradient
                            out_ptr,                # dx: row-major
                            N,                      # row length (the size of dim)
                            row_shape, y_row_strides, dy_row_strides, out_row_strides,
                            y_column_stride, dy_column_stride, out_column_stride,
                            y_offset, dy_offset,
                            LOG: tl.constexpr, BLOCK: tl.constexpr, ONE_BLOCK: tl.constexpr,
                            INT64: tl.constexpr = False):
    row = program_number(INT64)
    y_row = y_ptr + y_offset + strided_offsets(row, row_shape, y_row_strides)
    dy_row = dy_ptr + dy_offset + strided_offsets(row, row_shape, dy_row_strides)
    out_row = out_ptr + strided_offsets(row, row_shape, out_row_strides)
    columns = lane_positions(BLOCK, INT64)                                          # (BLOCK,)
    wide = tl.float64 if y_ptr.dtype.element_ty == tl.float64 else tl.float32
    if ONE_BLOCK:
        mask = columns < N
        y = tl.load(y_row + columns * y_column_stride, mask=mask, other=0.0).to(wide)
        dy = tl.load(dy_row + columns * dy_column_stride, mask=mask, other=0.0).to(wide)
        if LOG:
            dx = dy - tl.exp(y) * tl.sum(dy, axis=0)
        else:
            dx = y * (dy - tl.sum(dy * y, axis=0))
        tl.store(out_row + columns * out_column_stride, dx.to(out_ptr.dtype.element_ty),
                 mask=mask)
    else:
        total = tl.zeros([BLOCK], wide)  # pass 1: the row's sum, per lane
        for start in range(0, N, BLOCK):
            mask = start + columns < N
            dy = tl.load(dy_row + (start + columns) * dy_column_stride, mask=mask,
                         other=0.0).to(wide)
            if LOG:
                total += dy
            else:
                total += dy * tl.load(y_row + (start + columns) * y_column_stride, mask=mask,
                                      other=0.0).to(wide)
        row_sum = tl.sum(total, axis=0)
        for start in range(0, N, BLOCK):  # pass 2: write dx
            mask = start + columns < N
            y = tl.load(y_row + (start + columns) * y_column_stride, mask=mask,
                        other=0.0).to(wide)
            dy = tl.load(dy_row + (start + columns) * dy_column_stride, mask=mask,
                         other=0.0).to(wide)
            dx = dy - tl.exp(y) * row_sum if LOG else y * (dy - row_sum)
            tl.store(out_row + (start + columns) * out_column_stride,
                     dx.to(out_ptr.dtype.element_ty), mask=mask)


def softmax_backward_triton(y: Any, y_view: View, dy: Any, dy_view: View, dim: int,
                            log: bool) -> Any:
    """dx of softmax / log_softmax along dim from y and dy, one launch; as the reference."""
    shape = y_view.shape
    out = empty(y_view.numel, numpy_dtype(y))
    if not y_view.numel:
        return out
    out_strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        out_strides[d] = out_strides[d + 1] * shape[d + 1]
    others = [d for d in range(len(shape)) if d != dim]
    row_shape, (y_rows, dy_rows, out_rows) = merge_dims(
        tuple(shape[d] for d in others), tuple(y_view.strides[d] for d in others),
        tuple(dy_view.strides[d] for d in others), tuple(out_strides[d] for d in others))
    N = shape[dim]
    limit = 1024 if interpreting() else SOFTMAX_MAX_BLOCK
    block = min(next_power_of_2(N), min(limit, SOFTMAX_MAX_BLOCK))
    softmax_backward_kernel[(y_view.numel // N,)](
        y, dy, out, N, row_shape, y_rows, dy_rows, out_rows, y_view.strides[dim],
        dy_view.strides[dim], out_strides[dim], y_view.offset, dy_view.offset, LOG=log,
        BLOCK=block, ONE_BLOCK=N <= block, INT64=needs_int64(y_view, dy_view, y_view.numel),
        num_warps=min(max(block // 256, 1), 16))
    return out
