"""Cross-entropy of logits against class indices, fused: log_softmax + nll in one row kernel.

For one row of logits x (C classes), a target class t, class weights w (all 1 when none are
given) and label smoothing e:

    lse     = log(sum_c exp(x[c]))                      (computed max-subtracted)
    log p   = x - lse
    loss    = -(1 - e) w[t] log p[t] - e/C sum_c w[c] log p[c]
    weight  = w[t]                  (what reduction='mean' divides the summed losses by)

A row whose target is ignore_index has loss 0 and weight 0. With reduction 'sum' or 'mean' the
primitive returns, instead of the per-row losses and weights, their sums (the loss and the total
weight, one element each; 'mean' divides the first by the second) and the kernel that computes the
rows adds them up too: no extra launches for the loss of a training step. The gradient with
respect to x is famously simple, and is the second primitive here (dy is the gradient of each
row's loss; after 'mean', the gradient of the mean divided by the total weight):

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
    """(M,) log(sum_c exp(x[c])) of every row, max-subtracted (a row of -inf gives -inf); called
    under np.errstate(all="ignore") (rows of +-inf or nan compute infs and nans quietly).

    Four passes over the (M, C) logits (max, subtract, exp, sum), the last three in one buffer
    (out=): at a training step's sizes every NumPy call costs about a microsecond whatever it
    computes, so the count of calls is the cost."""
    row_max = logits.max(axis=1)  # (M,); the method skips np.max's Python layer
    if not np.isfinite(row_max).all():  # rare: rows of +-inf or nan are shifted by 0 instead
        row_max = np.where(np.isfinite(row_max), row_max, 0)
    shifted = np.subtract(logits, row_max[:, None])                                  # (M, C)
    np.exp(shifted, out=shifted)
    total = shifted.sum(axis=1)                                                        # (M,)
    np.log(total, out=total)
    total += row_max
    return total


def _reduced(losses: np.ndarray, row_weight: np.ndarray, dtype: np.dtype, reduction: str
             ) -> tuple[np.ndarray, np.ndarray]:
    """(losses, row weights) as they are ('none'), or (their sum or mean (1,), total weight (1,)).
    The sums are taken in the compute dtype (float32 for float16), as the kernel does."""
    if reduction == "none":
        return losses.astype(dtype, copy=False), row_weight.astype(dtype, copy=False)
    total, total_weight = losses.sum(keepdims=True), row_weight.sum(keepdims=True)
    if reduction == "mean":
        with np.errstate(all="ignore"):  # every row ignored: 0 / 0 = nan, as in PyTorch
            total = total / total_weight
    return total.astype(dtype, copy=False), total_weight.astype(dtype, copy=False)


def cross_entropy_reference(x: np.ndarray, x_view: View, target: np.ndarray, target_view: View,
                            weight: np.ndarray | None, weight_view: View | None,
                            ignore_index: int, smoothing: float, reduction: str = "none"
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(losses (M,), row weights (M,), lse (M,)) of logits (M, C) against int64 targets (M,);
    with reduction 'sum' or 'mean': (the reduced loss (1,), the total weight (1,), lse (M,))."""
    plain = _plain_rows(x, x_view, target, target_view, weight, ignore_index, smoothing)
    if plain is not None:  # no weights, no smoothing, every row counted: the same arithmetic
        logits, target_rows = plain  # without the masks (w[t] = 1, so -(1 - 0) * 1 * v = -v)
        rows = len(logits)
        with np.errstate(all="ignore"):  # once for the whole loss (it costs as much as a pass)
            lse = _log_sum_exp(logits)
            losses = np.subtract(lse, logits[np.arange(rows), target_rows])  # -(x[t] - lse)
            if reduction == "none":
                return (losses.astype(x.dtype, copy=False), np.ones(rows, x.dtype), lse)
            # every row weighs 1: the total weight is the row count (exact in float32 up to
            # 2**24: the bits of a sum of ones), and the mean divides by it (no rows: 0/0 = nan)
            total = losses.sum(keepdims=True)                                           # (1,)
            if reduction == "mean":
                total /= rows
        return (total.astype(x.dtype, copy=False), np.array([rows], x.dtype), lse)
    logits, counted, safe_target, weights = _rows(x, x_view, target, target_view, weight,
                                                  weight_view, ignore_index)
    rows, classes = logits.shape
    with np.errstate(all="ignore"):
        lse = _log_sum_exp(logits)
        row_weight = np.where(counted, weights[safe_target], 0).astype(logits.dtype)
        log_p_target = logits[np.arange(rows), safe_target] - lse  # log p[t] alone: M, not M*C
        losses = -(1 - smoothing) * row_weight * log_p_target
        if smoothing:
            log_p = logits - lse[:, None]
            smooth = (log_p * weights).sum(axis=1) * (smoothing / classes)
            losses = losses - np.where(counted, smooth, 0)
    losses = np.where(counted, losses, 0)
    return (*_reduced(losses, row_weight, x.dtype, reduction), lse)


def _dy_rows(dy: np.ndarray, dy_view: View, total_weight: np.ndarray | None,
             total_weight_view: View | None, dtype: np.dtype) -> np.ndarray:
    """(M,) dy in the compute dtype, divided by the total weight after reduction 'mean' (called
    under np.errstate: a total weight of 0, every row ignored, gives nan quietly)."""
    dy_rows = as_numpy(dy, dy_view).astype(dtype, copy=False)
    if total_weight is None:
        return dy_rows
    return dy_rows / as_numpy(total_weight, total_weight_view).astype(dtype, copy=False)


def cross_entropy_backward_reference(x: np.ndarray, x_view: View, target: np.ndarray,
                                     target_view: View, weight: np.ndarray | None,
                                     weight_view: View | None, lse: np.ndarray, lse_view: View,
                                     dy: np.ndarray, dy_view: View, ignore_index: int,
                                     smoothing: float, total_weight: np.ndarray | None = None,
                                     total_weight_view: View | None = None) -> np.ndarray:
    """dx (M, C) = dy * (p * coef - mass), p = exp(x - lse); flat, row-major. With total_weight
    (one element: reduction 'mean'), dy is first divided by it."""
    plain = _plain_rows(x, x_view, target, target_view, weight, ignore_index, smoothing)
    if plain is not None:  # coef = 1, mass = onehot(t): dx = dy * (p - onehot(t)), same bits
        logits, target_rows = plain
        lse_rows = as_numpy(lse, lse_view).astype(logits.dtype, copy=False)
        with np.errstate(all="ignore"):  # three passes over (M, C), all in one buffer
            dy_rows = _dy_rows(dy, dy_view, total_weight, total_weight_view, logits.dtype)
            p = np.subtract(logits, lse_rows[:, None])                                 # (M, C)
            np.exp(p, out=p)
            p[np.arange(len(p)), target_rows] -= 1
            dx = np.multiply(dy_rows[:, None], p, out=p)
        return dx.astype(x.dtype, copy=False).reshape(-1)
    logits, counted, safe_target, weights = _rows(x, x_view, target, target_view, weight,
                                                  weight_view, ignore_index)
    rows, classes = logits.shape
    lse_rows = as_numpy(lse, lse_view).astype(logits.dtype, copy=False)
    row_weight = np.where(counted, weights[safe_target], 0)
    share = smoothing / classes if classes else 0.0
    coef = np.where(counted, (1 - smoothing) * row_weight + share * weights.sum(), 0)
    mass = np.zeros_like(logits)
    mass[np.arange(rows), safe_target] = (1 - smoothing) * row_weight
    mass += np.where(counted[:, None], share * weights[None, :], 0)
    with np.errstate(all="ignore"):
        dy_rows = _dy_rows(dy, dy_view, total_weight, total_weight_view, logits.dtype)
        p = np.exp(logits - lse_rows[:, None])
        dx = dy_rows[:, None] * (p * coef[:, None] - mass)
    return dx.astype(x.dtype, copy=False).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: a loss as one kernel over blocks of rows, and what a backward can reuse.
#   * A program takes BLOCK_ROWS rows at once, a (BLOCK_ROWS, BLOCK) tile of logits, and streams
#     each row in blocks of columns with the online log-sum-exp of softmax.py (running max m and
#     running sum of exp(x - m), rescaled when m grows); it picks x[t] with one gathered load per
#     row: the (M, C) log-probabilities are never written to memory. Several rows per program
#     matter when C is small (10 classes would leave most lanes of a one-row program idle) and
#     under the interpreter, which pays per program.
#   * Programs walk over the row blocks with a stride of the grid (a "persistent" loop, as in
#     Triton's fused-softmax tutorial): a grid of one program walks over every block.
#   * Reduction 'sum' or 'mean' (a training step's loss): the launcher runs ONE program when the
#     logits are small enough (FUSED_REDUCTION_LIMIT), and that program adds up the losses and
#     weights of all its rows and divides: the step's loss costs one launch, not four (losses,
#     two sums, a division). Past the limit the rows are spread over many programs and summed
#     by the reduction kernels afterwards (a single program would then be slower than launches).
#   * With label smoothing, a second pass sums w[c] * (x[c] - lse) once lse is known. (Summing
#     w*x in the first pass and subtracting lse * sum(w) afterwards would save the pass, but
#     cancels catastrophically when the logits are large.)
#   * The forward stores lse per row; the backward reads it back, so p = exp(x - lse) costs one
#     exp per element and the gradient is a single streaming pass: read x, write dx. After
#     'mean' it also divides dy by the total weight itself (one scalar load, no launch).

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    INTERPRETER_BLOCK,
    bits_to_float64,
    cdiv,
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
    small_launches,
    tl,
    triton_kernel,
)

CROSS_ENTROPY_MAX_BLOCK = 4096  # columns per block; wider rows stream in several blocks
CROSS_ENTROPY_TILE = 2048  # rows x columns of one program's tile (BLOCK_ROWS = TILE // BLOCK)
FUSED_REDUCTION_LIMIT = 1 << 16  # logits one program reduces (about a launch's time on a GPU)


@triton_kernel
def _row_target(target_ptr, target_offset, target_stride, row, rows, ignore_index, w_ptr,
                w_offset, w_stride, WEIGHTED: tl.constexpr, compute: tl.constexpr):
    """(counted, safe target, w[t] or 0) of a block of rows: what both kernels start from.
    Rows past the last one (the end of the last block) count as ignored."""
    valid_row = row < rows
    target = tl.load(target_ptr + target_offset + row * target_stride, mask=valid_row, other=0)
    counted = (target != ignore_index) & valid_row
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
                         loss_ptr, row_weight_ptr, lse_ptr,  # (M,), (M,), (M,); reduced: 1, 1
                         rows, C, ignore_index,
                         smoothing_bits,                                    # e, as float64 bits
                         WEIGHTED: tl.constexpr, SMOOTHING: tl.constexpr,
                         BLOCK_ROWS: tl.constexpr, BLOCK: tl.constexpr,
                         REDUCTION: tl.constexpr = "none",  # or "sum", "mean": one program
                         INT64: tl.constexpr = False,  # int64 offsets (see needs_int64)
                         error_ptr=None, error_slot=0):  # where a bad target is recorded
    compute: tl.constexpr = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    columns = lane_positions(BLOCK, INT64)                                            # (BLOCK,)
    e = bits_to_float64(smoothing_bits).to(compute)
    loss_sum = tl.zeros([BLOCK_ROWS], compute)  # what this program's rows add up to
    weight_sum = tl.zeros([BLOCK_ROWS], compute)
    row_step = tl.num_programs(0) * BLOCK_ROWS
    for first_row in range(program_number(INT64) * BLOCK_ROWS, rows, row_step):
        row = first_row + lane_positions(BLOCK_ROWS, INT64)                     # (BLOCK_ROWS,)
        x_row = x_ptr + x_offset + row * x_row_stride                          # (BLOCK_ROWS,)
        valid_row = (row < rows)[:, None]                                    # (BLOCK_ROWS, 1)
        # columns past C read as -inf (exp(-inf) = 0); rows past the end as 0s, whose results
        # are thrown away (as -inf they would compute log(0) and -inf - -inf for nothing)
        padding = tl.where(valid_row, float("-inf"), 0.0)                    # (BLOCK_ROWS, 1)
        # pass 1: the online log-sum-exp, one running max and sum per lane of each row
        m = tl.full([BLOCK_ROWS, BLOCK], float("-inf"), compute)
        s = tl.zeros([BLOCK_ROWS, BLOCK], compute)
        for start in range(0, C, BLOCK):
            mask = valid_row & (start + columns < C)[None, :]               # (BLOCK_ROWS, BLOCK)
            x = tl.load(x_row[:, None] + (start + columns)[None, :] * x_column_stride,
                        mask=mask, other=padding).to(compute)
            new_m = tl.maximum(m, x)
            finite_m = tl.where(new_m == float("-inf"), 0.0, new_m)
            rescale = tl.where(m == float("-inf"), 0.0, tl.exp(m - finite_m))
            s = s * rescale + tl.where(x == float("-inf"), 0.0, tl.exp(x - finite_m))
            m = new_m
        row_max = tl.max(m, axis=1)                                             # (BLOCK_ROWS,)
        shift = tl.where((row_max == row_max) & (row_max - row_max == 0), row_max, 0.0)
        lane_scale = tl.where(m == float("-inf"), 0.0, tl.exp(m - shift[:, None]))
        lse = shift + tl.log(tl.sum(s * lane_scale, axis=1))                    # (BLOCK_ROWS,)
        # the target's log-probability: one gathered load per row
        counted, safe_target, target_weight = _row_target(
            target_ptr, target_offset, target_stride, row, rows, ignore_index, w_ptr, w_offset,
            w_stride, WEIGHTED, compute)
        if error_ptr is not None:  # a target outside [0, C): recorded, then read as class 0
            bad = counted & ((safe_target < 0) | (safe_target >= C))
            record_bad_values(error_ptr, error_slot, safe_target, bad)
            safe_target = tl.where(bad, 0, safe_target)
        x_target = tl.load(x_row + safe_target * x_column_stride, mask=counted,
                           other=0).to(compute)
        loss = -(1.0 - e) * target_weight * (x_target - lse)
        if SMOOTHING:  # pass 2: sum_c w[c] log p[c], now that lse is known
            total = tl.zeros([BLOCK_ROWS, BLOCK], compute)
            for start in range(0, C, BLOCK):
                mask = valid_row & (start + columns < C)[None, :]
                x = tl.load(x_row[:, None] + (start + columns)[None, :] * x_column_stride,
                            mask=mask, other=0).to(compute)
                w = _class_weights(w_ptr, w_offset, w_stride, start + columns, start + columns < C,
                                   WEIGHTED, compute)                                 # (BLOCK,)
                total += tl.where(mask, w[None, :] * (x - lse[:, None]), 0.0)
            loss -= tl.sum(total, axis=1) * e / C
        loss = tl.where(counted, loss, 0.0)  # ignored rows (and rows past the end) give 0
        tl.store(lse_ptr + row, lse.to(lse_ptr.dtype.element_ty), mask=row < rows)
        if REDUCTION == "none":
            tl.store(loss_ptr + row, loss.to(loss_ptr.dtype.element_ty), mask=row < rows)
            tl.store(row_weight_ptr + row, target_weight.to(row_weight_ptr.dtype.element_ty),
                     mask=row < rows)
        else:
            loss_sum += loss
            weight_sum += target_weight
    if REDUCTION != "none":  # the launcher ran one program: these are the sums over all rows
        total_loss = tl.sum(loss_sum, axis=0)
        total_weight = tl.sum(weight_sum, axis=0)
        if REDUCTION == "mean":
            total_loss = total_loss / total_weight  # every row ignored: 0 / 0 = nan, as torch
        tl.store(loss_ptr, total_loss.to(loss_ptr.dtype.element_ty))
        tl.store(row_weight_ptr, total_weight.to(row_weight_ptr.dtype.element_ty))


@triton_kernel
def cross_entropy_backward_kernel(x_ptr, x_offset, x_row_stride, x_column_stride,  # (M, C)
                                  target_ptr, target_offset, target_stride,         # (M,)
                                  w_ptr, w_offset, w_stride,                        # (C,)
                                  lse_ptr, lse_offset, lse_stride,                  # (M,)
                                  dy_ptr, dy_offset, dy_stride,                     # (M,)
                                  total_weight_ptr, total_weight_offset,  # 1 element: 'mean'
                                  dx_ptr,                                           # (M, C)
                                  rows, C, ignore_index, smoothing_bits,
                                  WEIGHTED: tl.constexpr, SMOOTHING: tl.constexpr,
                                  BLOCK_ROWS: tl.constexpr, BLOCK: tl.constexpr,
                                  MEAN: tl.constexpr = False,  # dy / total weight first
                                  INT64: tl.constexpr = False):  # (see needs_int64)
    compute: tl.constexpr = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    columns = lane_positions(BLOCK, INT64)                                            # (BLOCK,)
    e = bits_to_float64(smoothing_bits).to(compute)
    total_class_weight = tl.zeros([BLOCK], compute)  # sum_c w[c]: only needed with smoothing
    if SMOOTHING:
        for start in range(0, C, BLOCK):
            mask = start + columns < C
            total_class_weight += _class_weights(w_ptr, w_offset, w_stride, start + columns,
                                                 mask, WEIGHTED, compute)
    class_weight_sum = tl.sum(total_class_weight, axis=0)
    if MEAN:  # the gradient of the mean: every row's dy is divided by the total weight
        total_weight = tl.load(total_weight_ptr + total_weight_offset).to(compute)
    row_step = tl.num_programs(0) * BLOCK_ROWS
    for first_row in range(program_number(INT64) * BLOCK_ROWS, rows, row_step):
        row = first_row + lane_positions(BLOCK_ROWS, INT64)                     # (BLOCK_ROWS,)
        counted, safe_target, target_weight = _row_target(
            target_ptr, target_offset, target_stride, row, rows, ignore_index, w_ptr, w_offset,
            w_stride, WEIGHTED, compute)
        valid_row = row < rows
        lse = tl.load(lse_ptr + lse_offset + row * lse_stride, mask=valid_row,
                      other=0).to(compute)
        dy = tl.load(dy_ptr + dy_offset + row * dy_stride, mask=valid_row, other=0).to(compute)
        if MEAN:
            dy = dy / total_weight
        share = tl.where(counted, e / C, 0.0)  # e/C on counted rows, 0 on ignored ones
        coef = (1.0 - e) * target_weight + share * class_weight_sum             # (BLOCK_ROWS,)
        x_row = x_ptr + x_offset + row * x_row_stride
        for start in range(0, C, BLOCK):
            mask = valid_row[:, None] & (start + columns < C)[None, :]     # (BLOCK_ROWS, BLOCK)
            x = tl.load(x_row[:, None] + (start + columns)[None, :] * x_column_stride, mask=mask,
                        other=0).to(compute)
            w = _class_weights(w_ptr, w_offset, w_stride, start + columns, start + columns < C,
                               WEIGHTED, compute)                                     # (BLOCK,)
            is_target = (start + columns)[None, :] == safe_target[:, None]
            mass = tl.where(is_target, ((1.0 - e) * target_weight)[:, None], 0.0)
            mass += share[:, None] * w[None, :]
            dx = dy[:, None] * (tl.exp(x - lse[:, None]) * coef[:, None] - mass)
            tl.store(dx_ptr + row[:, None] * C + (start + columns)[None, :],
                     dx.to(dx_ptr.dtype.element_ty), mask=mask)


def _blocks(rows: int, classes: int) -> dict[str, int]:
    """BLOCK columns (the whole row up to CROSS_ENTROPY_MAX_BLOCK) and BLOCK_ROWS rows per tile:
    a GPU tile of about CROSS_ENTROPY_TILE logits; under the interpreter as many rows as fit
    INTERPRETER_BLOCK (it pays per program and per operation, hardly per element)."""
    limit = 1024 if interpreting() else CROSS_ENTROPY_MAX_BLOCK
    block = min(next_power_of_2(max(classes, 1)), limit, CROSS_ENTROPY_MAX_BLOCK)
    tile = INTERPRETER_BLOCK if small_launches() else CROSS_ENTROPY_TILE
    block_rows = max(1, min(next_power_of_2(max(rows, 1)), tile // block))
    return {"BLOCK_ROWS": block_rows, "BLOCK": block}


def _programs(rows: int, block_rows: int, single: bool) -> int:
    """One program per block of rows on a GPU; one in all under the interpreter (and for the
    fused reductions), which then walks over every block."""
    return 1 if single or small_launches() else cdiv(rows, block_rows)


def _weight_arguments(x: Any, weight: Any, weight_view: View | None) -> tuple:
    """(pointer, offset, stride) of the class weights; x's buffer stands in when there are none
    (WEIGHTED=False masks every weight load off, so it is never read)."""
    if weight is None:
        return x, 0, 0
    return weight, weight_view.offset, weight_view.strides[0]


def cross_entropy_triton(x: Any, x_view: View, target: Any, target_view: View, weight: Any,
                         weight_view: View | None, ignore_index: int, smoothing: float,
                         reduction: str = "none") -> tuple[Any, Any, Any]:
    """(losses (M,), row weights (M,), lse (M,)) of logits (M, C) against int64 targets (M,);
    reduction 'sum' or 'mean': (the reduced loss (1,), the total weight (1,), lse (M,))."""
    rows, classes = x_view.shape
    dtype = numpy_dtype(x)
    fused = reduction != "none" and (small_launches() or rows * classes <= FUSED_REDUCTION_LIMIT)
    outputs = 1 if fused else rows
    losses, row_weights = empty(outputs, dtype), empty(outputs, dtype)
    lse = empty(rows, _compute_dtype(dtype))
    if rows:
        # checked here, not on the host: raised as PyTorch's IndexError at the next host read
        errors, slot = error_slot(lambda largest, smallest: IndexError(
            f"Target {largest if largest >= classes else smallest} is out of bounds."))
        blocks = _blocks(rows, classes)
        cross_entropy_kernel[(_programs(rows, blocks["BLOCK_ROWS"], fused),)](
            x, x_view.offset, *x_view.strides, target, target_view.offset,
            target_view.strides[0], *_weight_arguments(x, weight, weight_view), losses,
            row_weights, lse, rows, classes, int(ignore_index), float_bits(smoothing),
            WEIGHTED=weight is not None, SMOOTHING=bool(smoothing),
            REDUCTION=reduction if fused else "none",
            INT64=needs_int64(x_view, target_view, weight_view), error_ptr=errors,
            error_slot=slot, **blocks)
    if reduction == "none" or fused:
        return losses, row_weights, lse
    return (*_reduce_rows(losses, row_weights, rows, reduction), lse)


def _reduce_rows(losses: Any, row_weights: Any, rows: int, reduction: str) -> tuple[Any, Any]:
    """(sum or mean of the losses, total weight), each one element: past FUSED_REDUCTION_LIMIT
    the per-row results of many programs are summed by the (many-program) reduction kernels."""
    from .elementwise import binary_triton
    from .reduce import reduce_triton

    column = View((rows,), (1,), 0)
    total, total_weight = (reduce_triton("sum", buffer, column, (0,))
                           for buffer in (losses, row_weights))
    if reduction == "mean":
        one = View((1,), (1,), 0)
        total = binary_triton("div", total, one, total_weight, one)
    return total, total_weight


def cross_entropy_backward_triton(x: Any, x_view: View, target: Any, target_view: View,
                                  weight: Any, weight_view: View | None, lse: Any,
                                  lse_view: View, dy: Any, dy_view: View, ignore_index: int,
                                  smoothing: float, total_weight: Any = None,
                                  total_weight_view: View | None = None) -> Any:
    """dx (M, C) = dy * (exp(x - lse) * coef - mass), one streaming pass over the logits;
    with total_weight (reduction 'mean'), dy / total_weight."""
    rows, classes = x_view.shape
    dx = empty(rows * classes, numpy_dtype(x))
    if rows * classes:
        mean = total_weight is not None
        blocks = _blocks(rows, classes)
        cross_entropy_backward_kernel[(_programs(rows, blocks["BLOCK_ROWS"], False),)](
            x, x_view.offset, *x_view.strides, target, target_view.offset,
            target_view.strides[0], *_weight_arguments(x, weight, weight_view), lse,
            lse_view.offset, lse_view.strides[0], dy, dy_view.offset, dy_view.strides[0],
            total_weight if mean else dy, total_weight_view.offset if mean else 0, dx,
            rows, classes, int(ignore_index), float_bits(smoothing),
            WEIGHTED=weight is not None, SMOOTHING=bool(smoothing), MEAN=mean,
            INT64=needs_int64(x_view, target_view, weight_view, lse_view, dy_view,
                              rows * classes), **blocks)
    return dx
