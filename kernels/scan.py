"""The scan primitive: running sums, products, maxima and log-sum-exps along one dim.

    scan("sum", x, dim)          y[j] = x[0] + ... + x[j] along dim              (cumsum)
    scan("prod", x, dim)         the running product                            (cumprod)
    scan("max" / "min", x, dim)  the running max / min and where it was seen    (cummax, cummin)
    scan("logsumexp", x, dim)    log(e^x0 + ... + e^xj), no e^(large x)         (logcumsumexp)

A scan is a reduction that keeps every partial result. Its combine step must be associative
((a . b) . c == a . (b . c)), which is what lets a GPU scan a row in log2(n) parallel steps instead
of n sequential ones: Triton's tl.associative_scan does exactly that inside a block. Rows longer
than a block are scanned block by block, each block's results combined with the carry (the last
result of the blocks before it).

The (value, index) pairs of max / min follow PyTorch's tie rule: an equal value later in the row
takes over (its index is reported), and NaN, once seen, stays (the index of the latest NaN).

Results are new contiguous buffers with x's shape; max / min also return int64 indices (None for
the other ops).
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

SCAN_OPS = ("sum", "prod", "max", "min", "logsumexp")

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _running_extreme(rows: np.ndarray, op: str) -> tuple[np.ndarray, np.ndarray]:
    """Running max / min of each row with the index of the (latest) winner, NaN sticky."""
    values = np.empty_like(rows)
    indices = np.empty(rows.shape, dtype=np.int64)
    if rows.shape[-1] == 0:
        return values, indices
    best, where = rows[:, 0].copy(), np.zeros(rows.shape[0], dtype=np.int64)
    for j in range(rows.shape[-1]):
        column = rows[:, j]
        with np.errstate(invalid="ignore"):
            better = column >= best if op == "max" else column <= best
        take = (better & ~np.isnan(best)) | np.isnan(column) if column.dtype.kind == "f" else better
        best = np.where(take, column, best)
        where = np.where(take, j, where)
        values[:, j], indices[:, j] = best, where
    return values, indices


def scan_reference(op: str, x: np.ndarray, x_view: View, dim: int
                   ) -> tuple[np.ndarray, np.ndarray | None]:
    """(values, indices or None) of a running op along dim; same shape as the view."""
    array = np.moveaxis(as_numpy(x, x_view), dim, -1)  # (..., n)
    rows = array.reshape(-1, array.shape[-1]) if array.size else array.reshape(0, array.shape[-1])
    indices = None
    with np.errstate(all="ignore"):
        if op == "sum":
            values = np.cumsum(rows, axis=-1, dtype=x.dtype)
        elif op == "prod":
            values = np.cumprod(rows, axis=-1, dtype=x.dtype)
        elif op == "logsumexp":
            values = np.logaddexp.accumulate(rows, axis=-1) if rows.size else rows.copy()
        elif op in ("max", "min"):
            values, indices = _running_extreme(rows, op)
        else:
            raise ValueError(f"unknown scan op {op!r}")

    def back(result: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.moveaxis(result.reshape(array.shape), -1, dim)).reshape(-1)

    return back(values.astype(x.dtype, copy=False)), None if indices is None else back(indices)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: tl.cumsum / tl.cumprod, tl.associative_scan with your own combine function
# (over (value, index) pairs as a tuple), and how to carry a scan across blocks.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .strided import contiguous_strides  # noqa: E402
from .triton_support import (  # noqa: E402
    compute_type,
    convert,
    empty,
    lane_positions,
    needs_int64,
    next_power_of_2,
    program_number,
    strided_offsets,
    tl,
    triton_kernel,
)

SCAN_BLOCK_MAX = 1024  # longest piece of a row scanned in one go


@triton_kernel
def _log_add_exp(a, b):
    """log(e^a + e^b) = max + log(1 + e^-(max - min)); -inf + -inf stays -inf."""
    larger = tl.maximum(a, b)
    smaller = tl.minimum(a, b)
    safe = tl.where(larger == float("-inf"), 0.0, larger)  # -inf - -inf would be NaN
    total = larger + tl.log(1.0 + tl.exp(smaller - safe))
    total = tl.where(larger == float("-inf"), larger, total)
    return tl.where(a != a, a, tl.where(b != b, b, total))


@triton_kernel
def _later_max(a_value, a_index, b_value, b_index):
    """The pair that wins a running max, b being later: ties and NaN go to b; a NaN a stays."""
    take_b = tl.where(b_value != b_value, True, tl.where(a_value != a_value, False,
                                                          b_value >= a_value))
    return tl.where(take_b, b_value, a_value), tl.where(take_b, b_index, a_index)


@triton_kernel
def _later_min(a_value, a_index, b_value, b_index):
    take_b = tl.where(b_value != b_value, True, tl.where(a_value != a_value, False,
                                                          b_value <= a_value))
    return tl.where(take_b, b_value, a_value), tl.where(take_b, b_index, a_index)


@triton_kernel
def scan_kernel(x_ptr,                  # input buffer
                out_ptr,                # values: x's shape, row-major
                index_ptr,              # int64 indices (max / min only; else unused)
                n,                      # length of the scanned dim
                outer_shape,            # tuple: the other dims' sizes (at least one entry)
                x_outer_strides,        # tuple: x's strides over those dims
                out_outer_strides,      # tuple: the output's (contiguous) strides over them
                x_stride,               # x's stride along the scanned dim
                out_stride,             # the output's stride along the scanned dim
                x_offset,               # position of x[0, ..., 0]
                OP: tl.constexpr,       # "sum", "prod", "max", "min" or "logsumexp"
                BLOCK: tl.constexpr,    # piece of the row scanned per step, a power of two
                INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    row = program_number(INT64)  # one program per row
    x_row = x_ptr + x_offset + strided_offsets(row, outer_shape, x_outer_strides)
    out_row = strided_offsets(row, outer_shape, out_outer_strides)
    lane = lane_positions(BLOCK, INT64)  # (BLOCK,)
    first = tl.load(x_row, mask=n > 0)
    carry = compute_type(first)  # the result so far (its value is replaced by the first piece)
    carry_index = (row * 0).to(tl.int64)
    for start in range(0, n, BLOCK):
        position = start + lane
        mask = position < n
        if OP == "sum":
            x = compute_type(tl.load(x_row + position * x_stride, mask=mask, other=0))
            y = tl.cumsum(x, 0)
            if start > 0:
                y = y + carry
            carry = tl.sum(tl.where(lane == BLOCK - 1, y, 0), 0)
        elif OP == "prod":
            x = compute_type(tl.load(x_row + position * x_stride, mask=mask, other=1))
            y = tl.cumprod(x, 0)
            if start > 0:
                y = y * carry
            carry = tl.sum(tl.where(lane == BLOCK - 1, y, 0), 0)
        elif OP == "logsumexp":
            x = compute_type(tl.load(x_row + position * x_stride, mask=mask,
                                     other=float("-inf")))
            y = tl.associative_scan(x, 0, _log_add_exp)
            if start > 0:
                y = _log_add_exp(y, carry)
            carry = tl.sum(tl.where(lane == BLOCK - 1, y, 0), 0)  # the last lane's value
        else:
            # masked lanes repeat the row's first element: they never win against real ones
            x = compute_type(tl.load(x_row + position * x_stride, mask=mask, other=first))
            index = tl.where(mask, position, 0).to(tl.int64)
            if OP == "max":
                y, y_index = tl.associative_scan((x, index), 0, _later_max)
                if start > 0:
                    y, y_index = _later_max(carry, carry_index, y, y_index)
            else:
                tl.static_assert(OP == "min", "unknown scan op")
                y, y_index = tl.associative_scan((x, index), 0, _later_min)
                if start > 0:
                    y, y_index = _later_min(carry, carry_index, y, y_index)
            last = lane == BLOCK - 1
            carry = tl.sum(tl.where(last, y, 0), 0)
            carry_index = tl.sum(tl.where(last, y_index, 0), 0)
            tl.store(index_ptr + out_row + position * out_stride, y_index, mask=mask)
        tl.store(out_ptr + out_row + position * out_stride, convert(y, out_ptr.dtype.element_ty),
                 mask=mask)


def scan_triton(op: str, x: Any, x_view: View, dim: int) -> tuple[Any, Any]:
    """Running op along dim on the GPU; same contract as scan_reference."""
    if op not in SCAN_OPS:
        raise ValueError(f"unknown scan op {op!r}")
    from .triton_support import numpy_dtype

    shape = x_view.shape
    numel = x_view.numel
    out = empty(numel, numpy_dtype(x))
    indices = empty(numel, np.dtype(np.int64)) if op in ("max", "min") else None
    if numel == 0:
        return out, indices
    n = shape[dim]
    out_strides = contiguous_strides(shape)
    others = [d for d in range(len(shape)) if d != dim]
    outer_shape = tuple(shape[d] for d in others) or (1,)
    x_outer = tuple(x_view.strides[d] for d in others) or (0,)
    out_outer = tuple(out_strides[d] for d in others) or (0,)
    block = min(next_power_of_2(n), SCAN_BLOCK_MAX)
    scan_kernel[(numel // n,)](x, out, out if indices is None else indices, n, outer_shape,
                               x_outer, out_outer, x_view.strides[dim], out_strides[dim],
                               x_view.offset, OP=op, BLOCK=block,
                               INT64=needs_int64(x_view, numel))
    return out, indices
