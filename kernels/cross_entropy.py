"""Cross-entropy of logits against class indices, fused: log_softmax + nll in one row kernel.

For one row of logits x (C classes), a target class t, class weights w (all 1 when none are
given) and label smoothing e:

    lse     = log(sum_c exp(x[c]))                      (computed max-subtracted)
    log p   = x - lse
    loss    = -(1 - e) w[t] log p[t] - e/C sum_c w[c] log p[c]
    weight  = w[t]                  (what reduction='mean' divides the summed losses by)

A row whose target is ignore_index has loss 0 and weight 0. The gradient with respect to x is
famously simple, and is the second primitive here (dy is the gradient of each row's loss):

    dx[c] = dy * (p[c] * coef - mass[c])
    coef    = (1 - e) w[t] + e/C sum_c w[c]               (0 on ignored rows)
    mass[c] = (1 - e) w[t] [c == t] + e/C w[c]            (0 on ignored rows)

With no weights and no smoothing that is dx = dy * (softmax(x) - onehot(t)). The forward returns
lse too, so the backward turns a logit into a probability with one exp and no reductions.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    """float16 logits are computed (and lse kept) in float32, as PyTorch's accumulate type."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def _rows(x, x_view, target, target_view, weight, weight_view, ignore_index):
    """(logits (M, C), counted (M,), safe target (M,), class weights (C,)) as NumPy arrays."""
    logits = as_numpy(x, x_view).astype(_compute_dtype(x.dtype), copy=False)  # read, never written
    target = as_numpy(target, target_view)
    counted = target != ignore_index
    safe_target = np.where(counted, target, 0)
    classes = x_view.shape[1]
    weights = (np.ones(classes, logits.dtype) if weight is None
               else as_numpy(weight, weight_view).astype(logits.dtype))
    return logits, counted, safe_target, weights


def _plain_rows(x, x_view, target, target_view, weight, ignore_index, smoothing):
    """(logits (M, C), targets (M,)) when there are no class weights, no label smoothing and no
    ignored row (the usual training step), else None: the general path's masks do nothing then."""
    if weight is not None or smoothing:
        return None
    target_rows = as_numpy(target, target_view)
    if (target_rows == ignore_index).any():
        return None
    return as_numpy(x, x_view).astype(_compute_dtype(x.dtype), copy=False), target_rows


def _log_sum_exp(logits: np.ndarray) -> np.ndarray:
    """(M,) log(sum_c exp(x[c])) of every row, max-subtracted (a row of -inf gives -inf)."""
    with np.errstate(all="ignore"):
        row_max = logits.max(axis=1, keepdims=True)  # the method skips np.max's Python layer
        row_max = np.where(np.isfinite(row_max), row_max, 0)
        return (row_max + np.log(np.exp(logits - row_max).sum(axis=1, keepdims=True)))[:, 0]


def cross_entropy_reference(x: np.ndarray, x_view: View, target: np.ndarray, target_view: View,
                            weight: np.ndarray | None, weight_view: View | None,
                            ignore_index: int, smoothing: float
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(losses (M,), row weights (M,), lse (M,)) of logits (M, C) against int64 targets (M,)."""
    plain = _plain_rows(x, x_view, target, target_view, weight, ignore_index, smoothing)
    if plain is not None:  # no weights, no smoothing, every row counted: the same arithmetic
        logits, target_rows = plain  # without the masks (w[t] = 1, so -(1 - 0) * 1 * v = -v)
        lse = _log_sum_exp(logits)
        with np.errstate(all="ignore"):
            losses = -(logits[np.arange(len(logits)), target_rows] - lse)
        return (losses.astype(x.dtype, copy=False), np.ones(len(logits), x.dtype), lse)
    logits, counted, safe_target, weights = _rows(x, x_view, target, target_view, weight,
                                                  weight_view, ignore_index)
    rows, classes = logits.shape
    lse = _log_sum_exp(logits)
    with np.errstate(all="ignore"):
        row_weight = np.where(counted, weights[safe_target], 0).astype(logits.dtype)
        log_p_target = logits[np.arange(rows), safe_target] - lse  # log p[t] alone: M, not M*C
        losses = -(1 - smoothing) * row_weight * log_p_target
        if smoothing:
            log_p = logits - lse[:, None]
            smooth = (log_p * weights).sum(axis=1) * (smoothing / classes)
            losses = losses - np.where(counted, smooth, 0)
    losses = np.where(counted, losses, 0)
    return (losses.astype(x.dtype, copy=False), row_weight.astype(x.dtype, copy=False), lse)


def cross_entropy_backward_reference(x: np.ndarray, x_view: View, target: np.ndarray,
                                     target_view: View, weight: np.ndarray | None,
                                     weight_view: View | None, lse: np.ndarray, lse_view: View,
                                     dy: np.ndarray, dy_view: View, ignore_index: int,
                                     smoothing: float) -> np.ndarray:
    """dx (M, C) = dy * (p * coef - mass), p = exp(x - lse); flat, row-major."""
    plain = _plain_rows(x, x_view, target, target_view, weight, ignore_index, smoothing)
    if plain is not None:  # coef = 1, mass = onehot(t): dx = dy * (p - onehot(t)), same bits
        logits, target_rows = plain
        lse_rows = as_numpy(lse, lse_view).astype(logits.dtype, copy=False)
        dy_rows = as_numpy(dy, dy_view).astype(logits.dtype, copy=False)
        with np.errstate(all="ignore"):
            p = np.exp(logits - lse_rows[:, None])
            p[np.arange(len(p)), target_rows] -= 1
            dx = np.multiply(dy_rows[:, None], p, out=p)
        return dx.astype(x.dtype, copy=False).reshape(-1)
    logits, counted, safe_target, weights = _rows(x, x_view, target, target_view, weight,
                                                  weight_view, ignore_index)
    rows, classes = logits.shape
    lse_rows = as_numpy(lse, lse_view).astype(logits.dtype, copy=False)
    dy_rows = as_numpy(dy, dy_view).astype(logits.dtype, copy=False)
    row_weight = np.where(counted, weights[safe_target], 0)
    share = smoothing / classes if classes else 0.0
    coef = np.where(counted, (1 - smoothing) * row_weight + share * weights.sum(), 0)
    mass = np.zeros_like(logits)
    mass[np.arange(rows), safe_target] = (1 - smoothing) * row_weight
    mass += np.where(counted[:, None], share * weights[None, :], 0)
    with np.errstate(all="ignore"):
        p = np.exp(logits - lse_rows[:, None])
        dx = dy_rows[:, None] * (p * coef[:, None] - mass)
    return dx.astype(x.dtype, copy=False).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: a loss as one row kernel, and what a backward kernel can reuse.
#   * One program per row streams the logits in blocks with the online log-sum-exp of softmax.py
#     (running max m and running sum of exp(x - m), rescaled when m grows), and picks x[t] with a
#     single scalar load: the (M, C) log-probabilities are never written to memory.
#   * With label smoothing, a second pass sums w[c] * (x[c] - lse) once lse is known. (Summing
#     w*x in the first pass and subtracting lse * sum(w) afterwards would save the pass, but
#     cancels catastrophically when the logits are large.)
#   * The forward stores lse per row; the backward reads it back, so p = exp(x - lse) costs one
#     exp per element and the gradient is a single streaming pass: read x, write dx.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    bits_to_float64,
    empty,
    error_slot,
    float_bits,
    interpreting,
    lane_positions,
    needs_int64,
    next_power_of_2,
    numpy_dtype,
    program_number,
    record_bad_values,
    tl,
    triton_kernel,
)

CROSS_ENTROPY_MAX_BLOCK = 4096  # columns per block; wider rows stream in several blocks


@triton_kernel
def _row_target(target_ptr, target_offset, target_stride, row, rows, ignore_index, w_ptr,
                w_offset, w_stride, WEIGHTED: tl.constexpr, compute: tl.constexpr):
    """(counted, safe target, w[t] or 0) of one row: the scalars both kernels start from."""
    valid_row = row < rows  # always true (one program per row); no load goes unguarded
    target = tl.load(target_ptr + target_offset + row * target_stride, mask=valid_row, other=0)
    counted = target != ignore_index
    safe_target = tl.where(counted, target, 0)
    if WEIGHTED:
        target_weight = tl.load(w_ptr + w_offset + safe_target * w_stride, mask=counted,
                                other=0).to(compute)
    else:
        target_weight = tl.where(counted, 1.0, 0.0).to(compute)
    return counted, safe_target, target_weight


@triton_kernel
def _class_weights(w_ptr, w_offset, w_stride, columns, mask, WEIGHTED: tl.constexpr,
                   compute: tl.constexpr):
    """w[c] for a block of classes, or 1 when there are no class weights."""
    if WEIGHTED:
        w = tl.load(w_ptr + w_offset + columns * w_stride, mask=mask, other=0).to(compute)
    else:
        w = tl.where(mask, 1.0, 0.0).to(compute)
    return w


@triton_kernel
def cross_entropy_kernel(x_ptr, x_offset, x_row_stride, x_column_stride,   # logits (M, C)
                         target_ptr, target_offset, target_stride,          # int64 targets (M,)
                         w_ptr, w_offset, w_stride,                         # class weights (C,)
                         loss_ptr, row_weight_ptr, lse_ptr,                 # outputs, each (M,)
                         rows, C, ignore_index,
                         smoothing_bits,                                    # e, as float64 bits
                         WEIGHTED: tl.constexpr, SMOOTHING: tl.constexpr, BLOCK: tl.constexpr,
                         INT64: tl.constexpr = False,  # int64 offsets (see needs_int64)
                         error_ptr=None, error_slot=0):  # where a bad target is recorded
    row = program_number(INT64)
    compute: tl.constexpr = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    x_row = x_ptr + x_offset + row * x_row_stride
    columns = lane_positions(BLOCK, INT64)                                                # (BLOCK,)
    # pass 1: the online log-sum-exp, one running max and sum per lane
    m = tl.full([BLOCK], float("-inf"), compute)
    s = tl.zeros([BLOCK], compute)
    for start in range(0, C, BLOCK):
        mask = start + columns < C
        x = tl.load(x_row + (start + columns) * x_column_stride, mask=mask,
                    other=float("-inf")).to(compute)
        new_m = tl.maximum(m, x)
        finite_m = tl.where(new_m == float("-inf"), 0.0, new_m)
        rescale = tl.where(m == float("-inf"), 0.0, tl.exp(m - finite_m))
        s = s * rescale + tl.where(x == float("-inf"), 0.0, tl.exp(x - finite_m))
        m = new_m
    row_max = tl.max(m, axis=0)
    shift = tl.where((row_max == row_max) & (row_max - row_max == 0), row_max, 0.0)
    lane_scale = tl.where(m == float("-inf"), 0.0, tl.exp(m - shift))
    lse = shift + tl.log(tl.sum(s * lane_scale, axis=0))
    # the target's log-probability: one scalar load
    counted, safe_target, target_weight = _row_target(
        target_ptr, target_offset, target_stride, row, rows, ignore_index, w_ptr, w_offset,
        w_stride, WEIGHTED, compute)
    if error_ptr is not None:  # a target outside [0, C): recorded, then read as class 0
        bad = counted & ((safe_target < 0) | (safe_target >= C))
        lane = tl.zeros([1], tl.int64)  # the row's scalars as 1-lane blocks
        record_bad_values(error_ptr, error_slot, lane + safe_target, (lane + bad) != 0)
        safe_target = tl.where(bad, 0, safe_target)
    x_target = tl.load(x_row + safe_target * x_column_stride, mask=counted, other=0).to(compute)
    e = bits_to_float64(smoothing_bits).to(compute)
    loss = -(1.0 - e) * target_weight * (x_target - lse)
    if SMOOTHING:  # pass 2: sum_c w[c] log p[c], now that lse is known
        total = tl.zeros([BLOCK], compute)
        for start in range(0, C, BLOCK):
            mask = start + columns < C
            x = tl.load(x_row + (start + columns) * x_column_stride, mask=mask,
                        other=0).to(compute)
            w = _class_weights(w_ptr, w_offset, w_stride, start + columns, mask, WEIGHTED,
                               compute)
            total += tl.where(mask, w * (x - lse), 0.0)
        loss -= tl.where(counted, tl.sum(total, axis=0) * e / C, 0.0)
    valid_row = row < rows
    tl.store(loss_ptr + row, tl.where(counted, loss, 0.0).to(loss_ptr.dtype.element_ty),
             mask=valid_row)
    tl.store(row_weight_ptr + row, target_weight.to(row_weight_ptr.dtype.element_ty),
             mask=valid_row)
    tl.store(lse_ptr + row, lse.to(lse_ptr.dtype.element_ty), mask=valid_row)


@triton_kernel
def cross_entropy_backward_kernel(x_ptr, x_offset, x_row_stride, x_column_stride,  # (M, C)
                                  target_ptr, target_offset, target_stride,         # (M,)
                                  w_ptr, w_offset, w_stride,                        # (C,)
                                  lse_ptr, lse_offset, lse_stride,                  # (M,)
                                  dy_ptr, dy_offset, dy_stride,                     # (M,)
                                  dx_ptr,                                           # (M, C)
                                  rows, C, ignore_index, smoothing_bits,
                                  WEIGHTED: tl.constexpr, SMOOTHING: tl.constexpr,
                                  BLOCK: tl.constexpr,
                                  INT64: tl.constexpr = False):  # (see needs_int64)
    row = program_number(INT64)
    compute: tl.constexpr = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    columns = lane_positions(BLOCK, INT64)                                                # (BLOCK,)
    counted, safe_target, target_weight = _row_target(
        target_ptr, target_offset, target_stride, row, rows, ignore_index, w_ptr, w_offset,
        w_stride, WEIGHTED, compute)
    valid_row = row < rows
    lse = tl.load(lse_ptr + lse_offset + row * lse_stride, mask=valid_row, other=0).to(compute)
    dy = tl.load(dy_ptr + dy_offset + row * dy_stride, mask=valid_row, other=0).to(compute)
    e = bits_to_float64(smoothing_bits).to(compute)
    share = tl.where(counted, e / C, 0.0)  # e/C on counted rows, 0 on ignored ones
    total_weight = tl.zeros([BLOCK], compute)  # sum_c w[c]: only needed with smoothing
    if SMOOTHING:
        for start in range(0, C, BLOCK):
            mask = start + columns < C
            w = _class_weights(w_ptr, w_offset, w_stride, start + columns, mask, WEIGHTED,
                               compute)
            total_weight += tl.where(mask, w, 0.0)
    coef = (1.0 - e) * target_weight + share * tl.sum(total_weight, axis=0)
    x_row = x_ptr + x_offset + row * x_row_stride
    for start in range(0, C, BLOCK):
        mask = start + columns < C
        x = tl.load(x_row + (start + columns) * x_column_stride, mask=mask, other=0).to(compute)
        w = _class_weights(w_ptr, w_offset, w_stride, start + columns, mask, WEIGHTED, compute)
        mass = tl.where(start + columns == safe_target, (1.0 - e) * target_weight, 0.0)
        mass += share * w
        dx = dy * (tl.exp(x - lse) * coef - mass)
        tl.store(dx_ptr + row * C + start + columns, dx.to(dx_ptr.dtype.element_ty), mask=mask)


def _block(classes: int) -> int:
    limit = 1024 if interpreting() else CROSS_ENTROPY_MAX_BLOCK
    return min(next_power_of_2(max(classes, 1)), limit, CROSS_ENTROPY_MAX_BLOCK)


def _weight_arguments(x: Any, weight: Any, weight_view: View | None) -> tuple:
    """(pointer, offset, stride) of the class weights; x's buffer stands in when there are none
    (WEIGHTED=False masks every weight load off, so it is never read)."""
    if weight is None:
        return x, 0, 0
    return weight, weight_view.offset, weight_view.strides[0]


def cross_entropy_triton(x: Any, x_view: View, target: Any, target_view: View, weight: Any,
                         weight_view: View | None, ignore_index: int, smoothing: float
                         ) -> tuple[Any, Any, Any]:
    """(losses (M,), row weights (M,), lse (M,)) of logits (M, C) against int64 targets (M,)."""
    rows, classes = x_view.shape
    dtype = numpy_dtype(x)
    losses, row_weights = empty(rows, dtype), empty(rows, dtype)
    lse = empty(rows, _compute_dtype(dtype))
    if rows:
        # checked here, not on the host: raised as PyTorch's IndexError at the next host read
        errors, slot = error_slot(lambda largest, smallest: IndexError(
            f"Target {largest if largest >= classes else smallest} is out of bounds."))
        cross_entropy_kernel[(rows,)](
            x, x_view.offset, *x_view.strides, target, target_view.offset,
            target_view.strides[0], *_weight_arguments(x, weight, weight_view), losses,
            row_weights, lse, rows, classes, int(ignore_index), float_bits(smoothing),
            WEIGHTED=weight is not None, SMOOTHING=bool(smoothing), BLOCK=_block(classes),
            INT64=needs_int64(x_view, target_view, weight_view), error_ptr=errors,
            error_slot=slot)
    return losses, row_weights, lse


def cross_entropy_backward_triton(x: Any, x_view: View, target: Any, target_view: View,
                                  weight: Any, weight_view: View | None, lse: Any,
                                  lse_view: View, dy: Any, dy_view: View, ignore_index: int,
                                  smoothing: float) -> Any:
    """dx (M, C) = dy * (exp(x - lse) * coef - mass), one streaming pass per row."""
    rows, classes = x_view.shape
    dx = empty(rows * classes, numpy_dtype(x))
    if rows * classes:
        cross_entropy_backward_kernel[(rows,)](
            x, x_view.offset, *x_view.strides, target, target_view.offset,
            target_view.strides[0], *_weight_arguments(x, weight, weight_view), lse,
            lse_view.offset, lse_view.strides[0], dy, dy_view.offset, dy_view.strides[0], dx,
            rows, classes, int(ignore_index), float_bits(smoothing),
            WEIGHTED=weight is not None, SMOOTHING=bool(smoothing), BLOCK=_block(classes),
            INT64=needs_int64(x_view, target_view, weight_view, lse_view, dy_view,
                              rows * classes))
    return dx
