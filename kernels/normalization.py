"""Batch norm and layer norm, forward and backward: one group of elements per program.

Both standardise groups of elements and then scale and shift them:

    mean = sum(x) / M,   var = sum((x - mean)^2) / M     (biased: M = elements in the group)
    rstd = 1 / sqrt(var + eps),   x_hat = (x - mean) * rstd,   y = x_hat * w + b

    batch_norm (N, C, *S): one group per channel c, its N * S elements; w, b indexed by channel.
      Training updates the running statistics in place, with the *unbiased* variance:
          running_mean = (1 - momentum) running_mean + momentum mean
          running_var  = (1 - momentum) running_var  + momentum var * M / (M - 1)
      Evaluation uses the running statistics as mean and var instead of the batch's.
    layer_norm (*, D...): one group per leading position, its trailing elements; w, b indexed by
      element position.

Backward, with g = dy * w and means over the group (mean(g), mean(g x_hat)):

    dx = (g - mean(g) - x_hat mean(g x_hat)) * rstd     (evaluation-mode batch norm: dx = g rstd,
                                                         since the statistics are constants)
    dw = sum(dy x_hat),  db = sum(dy)       over every position the parameter is shared by

The forward primitives return (y, mean, rstd) with one mean and rstd per group, which is all the
backward needs besides x. Both layouts are handled by one description: a view's dims are split
into *group dims* (which group) and *element dims* (which element of it), each with strides.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _compute(buffer: np.ndarray, view: View) -> np.ndarray:
    """A view's values, float16 widened to float32 (statistics are kept in float32 for it)."""
    values = as_numpy(buffer, view)
    return values.astype(np.float32) if values.dtype == np.float16 else values


def _channel_column(ndim: int, channels: int) -> tuple[int, ...]:
    return (1, channels) + (1,) * (ndim - 2)


def _affine(x_hat, weight, weight_view, bias, bias_view, shape):
    """x_hat * w + b with the parameters reshaped to broadcast (`shape`)."""
    y = x_hat
    if weight is not None:
        y = y * _compute(weight, weight_view).reshape(shape)
    if bias is not None:
        y = y + _compute(bias, bias_view).reshape(shape)
    return y


def batch_norm_reference(x, x_view, weight, weight_view, bias, bias_view, running_mean,
                         running_mean_view, running_var, running_var_view, training: bool,
                         momentum: float, eps: float):
    """(y, mean (C,), rstd (C,)) of x (N, C, *S); training also updates the running stats."""
    values = _compute(x, x_view)
    axes = (0, *range(2, values.ndim))
    column = _channel_column(values.ndim, x_view.shape[1])
    if training:
        mean, var = values.mean(axis=axes), values.var(axis=axes)
        count = values.size // max(x_view.shape[1], 1)
        for buffer, view, statistic in ((running_mean, running_mean_view, mean),
                                        (running_var, running_var_view,
                                         var * count / max(count - 1, 1))):
            if buffer is not None:
                stored = as_numpy(buffer, view)
                stored[...] = (1 - momentum) * stored + momentum * statistic
    else:
        mean = _compute(running_mean, running_mean_view).copy()
        var = _compute(running_var, running_var_view)
    rstd = 1 / np.sqrt(var + eps)
    x_hat = (values - mean.reshape(column)) * rstd.reshape(column)
    y = _affine(x_hat, weight, weight_view, bias, bias_view, column)
    return y.astype(x.dtype).reshape(-1), mean, rstd


def layer_norm_reference(x, x_view, weight, weight_view, bias, bias_view, normalized_ndim: int,
                         eps: float):
    """(y, mean (G,), rstd (G,)) of x normalised over its last normalized_ndim dims."""
    values = _compute(x, x_view)
    axes = tuple(range(values.ndim - normalized_ndim, values.ndim))
    mean = values.mean(axis=axes, keepdims=True)
    rstd = 1 / np.sqrt(values.var(axis=axes, keepdims=True) + eps)
    x_hat = (values - mean) * rstd
    y = _affine(x_hat, weight, weight_view, bias, bias_view, x_view.shape[values.ndim -
                                                                        normalized_ndim:])
    return y.astype(x.dtype).reshape(-1), mean.reshape(-1), rstd.reshape(-1)


def _input_grad(g, x_hat, rstd, axes, training: bool):
    """dx = (g - mean(g) - x_hat mean(g x_hat)) * rstd over axes (just g * rstd if not training)."""
    if not training:
        return g * rstd
    return (g - g.mean(axis=axes, keepdims=True)
            - x_hat * (g * x_hat).mean(axis=axes, keepdims=True)) * rstd


def batch_norm_backward_reference(dy, dy_view, x, x_view, weight, weight_view, mean, mean_view,
                                  rstd, rstd_view, training: bool, parameter_grads: bool):
    """(dx, dweight (C,), dbias (C,)) of batch_norm; the last two are None unless
    parameter_grads."""
    values, grad = _compute(x, x_view), _compute(dy, dy_view)
    axes = (0, *range(2, values.ndim))
    column = _channel_column(values.ndim, x_view.shape[1])
    rstd_column = as_numpy(rstd, rstd_view).reshape(column)
    x_hat = (values - as_numpy(mean, mean_view).reshape(column)) * rstd_column
    g = grad if weight is None else grad * _compute(weight, weight_view).reshape(column)
    dx = _input_grad(g, x_hat, rstd_column, axes, training).astype(x.dtype).reshape(-1)
    if not parameter_grads:
        return dx, None, None
    return dx, (grad * x_hat).sum(axis=axes).astype(x.dtype), grad.sum(axis=axes).astype(x.dtype)


def layer_norm_backward_reference(dy, dy_view, x, x_view, weight, weight_view, mean, mean_view,
                                  rstd, rstd_view, normalized_ndim: int, parameter_grads: bool):
    """(dx, dweight, dbias) of layer_norm; the last two are None unless parameter_grads."""
    values, grad = _compute(x, x_view), _compute(dy, dy_view)
    lead = values.ndim - normalized_ndim
    axes = tuple(range(lead, values.ndim))
    stats_shape = x_view.shape[:lead] + (1,) * normalized_ndim
    rstd_rows = as_numpy(rstd, rstd_view).reshape(stats_shape)
    x_hat = (values - as_numpy(mean, mean_view).reshape(stats_shape)) * rstd_rows
    shape = x_view.shape[lead:]
    g = grad if weight is None else grad * _compute(weight, weight_view).reshape(shape)
    dx = _input_grad(g, x_hat, rstd_rows, axes, True).astype(x.dtype).reshape(-1)
    if not parameter_grads:
        return dx, None, None
    leading = tuple(range(lead))
    return (dx, (grad * x_hat).sum(axis=leading).astype(x.dtype).reshape(-1),
            grad.sum(axis=leading).astype(x.dtype).reshape(-1))


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: reductions that feed an elementwise pass, and how to split them.
#   * A group (a channel for batch norm, a row for layer norm) is read in blocks. Its statistics
#     come from one pass (Welford's idea, by blocks): each block's own count n_b, mean m_b and
#     M2_b = sum (x - m_b)^2 are computed in registers, then merged into the running (n, m, M2)
#     with Chan's parallel formula
#         n' = n + n_b,  d = m_b - m,  m' = m + d n_b / n',  M2' = M2 + M2_b + d^2 n n_b / n'
#     (never sum(x^2) - n m^2, whose difference loses every digit when |mean| >> std). The
#     variance is M2 / n. A second pass writes y.
#   * Batch norm has few, long groups (C channels of N*H*W elements): one program per channel
#     would keep C of an H100's 132 SMs busy. So a channel can be cut into pieces: a first kernel
#     (group_statistics_kernel) stores each piece's (m_p, M2_p), and every program of the
#     normalizing kernel, one per piece too, merges its channel's pieces with the same formula
#     for k parts at once: m = sum n_p m_p / n,  M2 = sum M2_p + sum n_p (m_p - m)^2.
#     With one piece per group (many or short groups, the interpreter) the normalizing
#     program computes its statistics itself: one launch.
#   * The same kernel serves both layouts: a group's position and an element's position are each
#     turned into buffer offsets by strided_offsets with their own dims and strides. The
#     parameters use the same trick: batch norm's w has stride 0 on the element dims (one value
#     per group), layer norm's has stride 0 on the group dims (one value per element).
#   * Training-mode batch norm writes the running statistics from the same program that computed
#     the batch statistics: an in-place update fused into the forward kernel.
#   * Backward needs two group sums (of g and of g * x_hat) and then a streaming pass for dx.
#     Batch norm's dw and db are sums over its groups' own elements, so the same program stores
#     them. Few long groups are cut into the forward's pieces here too: a first kernel
#     (group_gradient_sums_kernel) stores each piece's four sums, and each program of the dx
#     pass, one per piece, adds up its group's (two launches instead of one program per channel;
#     one launch with one piece per group; layer norm's few long rows are cut the same way).
#     Layer norm's dw and db are sums *across* groups (down the columns), a second small kernel.
#     On a GPU its rows are cut into parts, one program per (part, block of columns), each
#     storing partial sums; a reduction down the parts finishes (Triton's layer-norm tutorial,
#     lock-free).

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .strided import contiguous_strides  # noqa: E402
from .triton_support import (  # noqa: E402
    bits_to_float64,
    cdiv,
    empty,
    float_bits,
    lane_positions,
    launch_block,
    merge_dims,
    needs_int64,
    next_power_of_2,
    numpy_dtype,
    precise_sqrt,
    program_number,
    small_launches,
    strided_offsets,
    tl,
    triton_kernel,
)

NORM_BLOCK = 1024          # elements of a group per block
STATISTICS_PIECE = 2048    # batch norm: elements of a channel per program, at least
STATISTICS_PROGRAMS = 264  # batch norm: pieces enough for about two programs per SM of an H100
PARAMETER_BLOCK = (16, 64)  # (groups, elements) per tile of layer norm's dw / db kernel
PARAMETER_ROWS = 64        # layer norm's dw / db: rows per part, at least (fewer: one part)


@triton_kernel
def _load_group_block(ptr, group_base, index, mask, element_shape, element_strides,
                      compute: tl.constexpr):
    """A block of one group's elements (positions `index` of the group), widened to compute."""
    offsets = group_base + strided_offsets(index, element_shape, element_strides)
    return tl.load(ptr + offsets, mask=mask, other=0).to(compute)


@triton_kernel
def _parameter_block(ptr, group_base, index, mask, element_shape, element_strides,
                     compute: tl.constexpr, PRESENT: tl.constexpr, ABSENT: tl.constexpr):
    """w or b for a block of elements, or the constant ABSENT (1 or 0) when there is none."""
    if PRESENT:
        value = _load_group_block(ptr, group_base, index, mask, element_shape, element_strides,
                                  compute)
    else:
        value = tl.where(mask, ABSENT, 0).to(compute)
    return value


@triton_kernel
def _piece_statistics(x_ptr, x_base, start, end, element_shape, x_element_strides,
                      compute: tl.constexpr, BLOCK: tl.constexpr, INT64: tl.constexpr):
    """(mean, M2) of a group's elements start .. end - 1, in one pass: each block's own mean and
    M2 (in registers), merged into the running ones with Chan's formula."""
    lanes = lane_positions(BLOCK, INT64)
    merged = tl.zeros([], compute)  # elements merged so far
    mean = tl.zeros([], compute)
    m2 = tl.zeros([], compute)
    for block_start in range(start, end, BLOCK):
        mask = block_start + lanes < end
        x = _load_group_block(x_ptr, x_base, block_start + lanes, mask, element_shape,
                              x_element_strides, compute)
        count = tl.sum(mask.to(compute), axis=0)  # this block's elements
        block_mean = tl.sum(x, axis=0) / count
        block_m2 = tl.sum(tl.where(mask, (x - block_mean) * (x - block_mean), 0.0), axis=0)
        delta = block_mean - mean
        total = merged + count
        mean += delta * count / total
        m2 += block_m2 + delta * delta * merged * count / total
        merged = total
    return mean, m2


@triton_kernel
def group_statistics_kernel(x_ptr, x_offset, mean_ptr, m2_ptr,  # (G, pieces) partials
                            groups, group_shape, x_group_strides,
                            count, element_shape, x_element_strides,
                            pieces, piece_size,
                            BLOCK: tl.constexpr, INT64: tl.constexpr = False):
    """Batch norm's first kernel: (mean, M2) of one piece of one group per program."""
    program = program_number(INT64)
    group, piece = program // pieces, program % pieces
    compute: tl.constexpr = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    x_base = x_offset + strided_offsets(group, group_shape, x_group_strides)
    start = piece * piece_size
    mean, m2 = _piece_statistics(x_ptr, x_base, start, tl.minimum(start + piece_size, count),
                                 element_shape, x_element_strides, compute, BLOCK, INT64)
    valid = group < groups  # always true; no store goes unguarded
    tl.store(mean_ptr + program, mean.to(mean_ptr.dtype.element_ty), mask=valid)
    tl.store(m2_ptr + program, m2.to(m2_ptr.dtype.element_ty), mask=valid)


@triton_kernel
def _merged_statistics(mean_ptr, m2_ptr, group, count, pieces, piece_size,
                       compute: tl.constexpr, PIECES: tl.constexpr):
    """(mean, M2) of a whole group from its pieces' (mean, M2): Chan's formula for k parts."""
    piece = tl.arange(0, PIECES)
    present = piece < pieces
    sizes = tl.where(present, tl.minimum(count - piece * piece_size, piece_size), 0)
    sizes = sizes.to(compute)
    means = tl.load(mean_ptr + group * pieces + piece, mask=present, other=0).to(compute)
    m2s = tl.load(m2_ptr + group * pieces + piece, mask=present, other=0).to(compute)
    mean = tl.sum(sizes * means, axis=0) / count
    return mean, tl.sum(m2s + sizes * (means - mean) * (means - mean), axis=0)


@triton_kernel
def normalize_kernel(x_ptr, x_offset, w_ptr, w_offset, b_ptr, b_offset,     # inputs
                     out_ptr, mean_ptr, rstd_ptr,                           # y; (G,), (G,)
                     running_mean_ptr, running_mean_offset, running_mean_stride,
                     running_var_ptr, running_var_offset, running_var_stride,
                     groups, group_shape, x_group_strides, out_group_strides,
                     w_group_strides, b_group_strides,                      # tuples
                     count, element_shape, x_element_strides, out_element_strides,
                     w_element_strides, b_element_strides,                  # tuples
                     eps_bits, momentum_bits, unbiased_bits,                # float64 bits
                     piece_mean_ptr, piece_m2_ptr,  # (G, pieces) from group_statistics_kernel
                     pieces, piece_size,            # one program per piece of a group
                     BATCH_STATISTICS: tl.constexpr,   # False: eval-mode batch norm
                     UPDATE_MEAN: tl.constexpr, UPDATE_VAR: tl.constexpr,
                     HAS_WEIGHT: tl.constexpr,
                     HAS_BIAS: tl.constexpr, BLOCK: tl.constexpr,
                     PIECES: tl.constexpr = 1,      # pieces rounded up to a power of two
                     INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    program = program_number(INT64)
    group, piece = program // pieces, program % pieces
    compute: tl.constexpr = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    valid = group < groups  # always true (one program per piece); no load goes unguarded
    first = valid & (piece == 0)  # the program that stores the group's statistics
    x_base = x_offset + strided_offsets(group, group_shape, x_group_strides)
    eps = bits_to_float64(eps_bits).to(compute)
    if BATCH_STATISTICS:
        if PIECES == 1:  # the whole group in this program: its statistics computed here
            mean, m2 = _piece_statistics(x_ptr, x_base, 0, count, element_shape,
                                         x_element_strides, compute, BLOCK, INT64)
        else:
            mean, m2 = _merged_statistics(piece_mean_ptr, piece_m2_ptr, group, count, pieces,
                                          piece_size, compute, PIECES)
        var = m2 / count
        momentum = bits_to_float64(momentum_bits).to(compute)
        if UPDATE_MEAN:
            mean_at = running_mean_ptr + running_mean_offset + group * running_mean_stride
            old = tl.load(mean_at, mask=valid, other=0).to(compute)
            tl.store(mean_at, ((1 - momentum) * old + momentum * mean).to(
                running_mean_ptr.dtype.element_ty), mask=first)
        if UPDATE_VAR:
            var_at = running_var_ptr + running_var_offset + group * running_var_stride
            old = tl.load(var_at, mask=valid, other=0).to(compute)
            unbiased = var * bits_to_float64(unbiased_bits).to(compute)  # * M / (M - 1)
            tl.store(var_at, ((1 - momentum) * old + momentum * unbiased).to(
                running_var_ptr.dtype.element_ty), mask=first)
    else:
        mean = tl.load(running_mean_ptr + running_mean_offset + group * running_mean_stride,
                       mask=valid, other=0).to(compute)
        var = tl.load(running_var_ptr + running_var_offset + group * running_var_stride,
                      mask=valid, other=1).to(compute)
    rstd = 1.0 / precise_sqrt(var + eps)
    tl.store(mean_ptr + group, mean.to(mean_ptr.dtype.element_ty), mask=first)
    tl.store(rstd_ptr + group, rstd.to(rstd_ptr.dtype.element_ty), mask=first)
    # the second pass, over this program's piece: y = (x - mean) * rstd * w + b
    out_base = strided_offsets(group, group_shape, out_group_strides)
    w_base = w_offset + strided_offsets(group, group_shape, w_group_strides)
    b_base = b_offset + strided_offsets(group, group_shape, b_group_strides)
    lanes = lane_positions(BLOCK, INT64)
    end = tl.minimum((piece + 1) * piece_size, count)
    for start in range(piece * piece_size, end, BLOCK):
        mask = start + lanes < end
        x = _load_group_block(x_ptr, x_base, start + lanes, mask, element_shape,
                              x_element_strides, compute)
        w = _parameter_block(w_ptr, w_base, start + lanes, mask, element_shape,
                             w_element_strides, compute, HAS_WEIGHT, 1)
        b = _parameter_block(b_ptr, b_base, start + lanes, mask, element_shape,
                             b_element_strides, compute, HAS_BIAS, 0)
        y = (x - mean) * rstd * w + b
        out_offsets = out_base + strided_offsets(start + lanes, element_shape,
                                                 out_element_strides)
        tl.store(out_ptr + out_offsets, y.to(out_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def _gradient_sums(dy_ptr, dy_base, x_ptr, x_base, w_ptr, w_base, mean, rstd, start, end,
                   element_shape, dy_element_strides, x_element_strides, w_element_strides,
                   compute: tl.constexpr, HAS_WEIGHT: tl.constexpr, GROUP_PARAMS: tl.constexpr,
                   BLOCK: tl.constexpr, INT64: tl.constexpr):
    """sum(g), sum(g x_hat), sum(dy), sum(dy x_hat) over a group's elements start .. end - 1,
    g = dy * w (the last two only for per-group parameters, else 0): one pass, by blocks."""
    lanes = lane_positions(BLOCK, INT64)
    sum_g = tl.zeros([BLOCK], compute)
    sum_g_x_hat = tl.zeros([BLOCK], compute)
    sum_dy = tl.zeros([BLOCK], compute)
    sum_dy_x_hat = tl.zeros([BLOCK], compute)
    for block_start in range(start, end, BLOCK):
        mask = block_start + lanes < end
        dy = _load_group_block(dy_ptr, dy_base, block_start + lanes, mask, element_shape,
                               dy_element_strides, compute)
        x_hat = (_load_group_block(x_ptr, x_base, block_start + lanes, mask, element_shape,
                                   x_element_strides, compute) - mean) * rstd
        w = _parameter_block(w_ptr, w_base, block_start + lanes, mask, element_shape,
                             w_element_strides, compute, HAS_WEIGHT, 1)
        sum_g += dy * w
        sum_g_x_hat += dy * w * x_hat
        if GROUP_PARAMS:
            sum_dy += dy
            sum_dy_x_hat += tl.where(mask, dy * x_hat, 0.0)
    return (tl.sum(sum_g, axis=0), tl.sum(sum_g_x_hat, axis=0), tl.sum(sum_dy, axis=0),
            tl.sum(sum_dy_x_hat, axis=0))


@triton_kernel
def group_gradient_sums_kernel(dy_ptr, dy_offset, x_ptr, x_offset, w_ptr, w_offset,  # inputs
                               mean_ptr, rstd_ptr,                                   # (G,) each
                               sums_ptr,              # (4, G, pieces): the four sums per piece
                               groups, group_shape, dy_group_strides, x_group_strides,
                               w_group_strides,                                     # tuples
                               count, element_shape, dy_element_strides, x_element_strides,
                               w_element_strides,                                   # tuples
                               pieces, piece_size,    # one program per piece of a group
                               HAS_WEIGHT: tl.constexpr, GROUP_PARAMS: tl.constexpr,
                               BLOCK: tl.constexpr, INT64: tl.constexpr = False):
    """The backward's first kernel when groups are cut into pieces: the four sums of one piece
    of one group per program (normalize_backward_kernel adds up a group's pieces)."""
    program = program_number(INT64)
    group, piece = program // pieces, program % pieces
    compute: tl.constexpr = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    valid = group < groups  # always true; no load or store goes unguarded
    mean = tl.load(mean_ptr + group, mask=valid, other=0).to(compute)
    rstd = tl.load(rstd_ptr + group, mask=valid, other=0).to(compute)
    start = piece * piece_size
    sums = _gradient_sums(dy_ptr, dy_offset + strided_offsets(group, group_shape, dy_group_strides),
                          x_ptr, x_offset + strided_offsets(group, group_shape, x_group_strides),
                          w_ptr, w_offset + strided_offsets(group, group_shape, w_group_strides),
                          mean, rstd, start, tl.minimum(start + piece_size, count), element_shape,
                          dy_element_strides, x_element_strides, w_element_strides, compute,
                          HAS_WEIGHT, GROUP_PARAMS, BLOCK, INT64)
    sum_g, sum_g_x_hat, sum_dy, sum_dy_x_hat = sums
    at = sums_ptr + program
    stride = groups * pieces  # between the four (G, pieces) planes
    tl.store(at, sum_g.to(sums_ptr.dtype.element_ty), mask=valid)
    tl.store(at + stride, sum_g_x_hat.to(sums_ptr.dtype.element_ty), mask=valid)
    tl.store(at + 2 * stride, sum_dy.to(sums_ptr.dtype.element_ty), mask=valid)
    tl.store(at + 3 * stride, sum_dy_x_hat.to(sums_ptr.dtype.element_ty), mask=valid)


@triton_kernel
def _merged_gradient_sums(sums_ptr, group, groups, pieces, compute: tl.constexpr,
                          PIECES: tl.constexpr):
    """A group's four sums from its pieces' (the small second stage, done by every program of
    the group: PIECES loads and a sum, cheaper than a launch of its own)."""
    piece = tl.arange(0, PIECES)
    present = piece < pieces
    at = sums_ptr + group * pieces + piece
    stride = groups * pieces
    return (tl.sum(tl.load(at, mask=present, other=0).to(compute), axis=0),
            tl.sum(tl.load(at + stride, mask=present, other=0).to(compute), axis=0),
            tl.sum(tl.load(at + 2 * stride, mask=present, other=0).to(compute), axis=0),
            tl.sum(tl.load(at + 3 * stride, mask=present, other=0).to(compute), axis=0))


@triton_kernel
def normalize_backward_kernel(dy_ptr, dy_offset, x_ptr, x_offset, w_ptr, w_offset,  # inputs
                              mean_ptr, rstd_ptr,                                   # (G,) each
                              dx_ptr, dw_ptr, db_ptr,      # dx like x; dw, db (G,) if GROUP_PARAMS
                              groups, group_shape, dy_group_strides, x_group_strides,
                              dx_group_strides, w_group_strides,                    # tuples
                              count, element_shape, dy_element_strides, x_element_strides,
                              dx_element_strides, w_element_strides,                # tuples
                              TRAINING: tl.constexpr,      # False: the statistics are constants
                              HAS_WEIGHT: tl.constexpr,
                              GROUP_PARAMS: tl.constexpr,  # batch norm: store dw, db per group
                              BLOCK: tl.constexpr,
                              sums_ptr,                    # (4, G, pieces) when PIECES > 1
                              pieces, piece_size,          # one program per piece of a group
                              PIECES: tl.constexpr = 1,    # pieces rounded up to a power of two
                              INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    program = program_number(INT64)
    group, piece = program // pieces, program % pieces
    compute: tl.constexpr = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    valid = group < groups  # always true (one program per piece); no load goes unguarded
    mean = tl.load(mean_ptr + group, mask=valid, other=0).to(compute)
    rstd = tl.load(rstd_ptr + group, mask=valid, other=0).to(compute)
    dy_base = dy_offset + strided_offsets(group, group_shape, dy_group_strides)
    x_base = x_offset + strided_offsets(group, group_shape, x_group_strides)
    w_base = w_offset + strided_offsets(group, group_shape, w_group_strides)
    # pass 1: sum(g), sum(g x_hat) (and sum(dy), sum(dy x_hat) for per-group parameters): over
    # the whole group here, or added up from its pieces' sums (group_gradient_sums_kernel)
    if PIECES == 1:
        sum_g, sum_g_x_hat, sum_dy, sum_dy_x_hat = _gradient_sums(
            dy_ptr, dy_base, x_ptr, x_base, w_ptr, w_base, mean, rstd, 0, count, element_shape,
            dy_element_strides, x_element_strides, w_element_strides, compute, HAS_WEIGHT,
            GROUP_PARAMS, BLOCK, INT64)
    else:
        sum_g, sum_g_x_hat, sum_dy, sum_dy_x_hat = _merged_gradient_sums(
            sums_ptr, group, groups, pieces, compute, PIECES)
    mean_g = sum_g / count
    mean_g_x_hat = sum_g_x_hat / count
    if GROUP_PARAMS:  # the group's first program stores them
        first = valid & (piece == 0)
        tl.store(dw_ptr + group, sum_dy_x_hat.to(dw_ptr.dtype.element_ty), mask=first)
        tl.store(db_ptr + group, sum_dy.to(db_ptr.dtype.element_ty), mask=first)
    # pass 2, over this program's piece: dx = (g - mean(g) - x_hat mean(g x_hat)) * rstd
    dx_base = strided_offsets(group, group_shape, dx_group_strides)
    lanes = lane_positions(BLOCK, INT64)
    end = tl.minimum((piece + 1) * piece_size, count)
    for start in range(piece * piece_size, end, BLOCK):
        mask = start + lanes < end
        dy = _load_group_block(dy_ptr, dy_base, start + lanes, mask, element_shape,
                               dy_element_strides, compute)
        x_hat = (_load_group_block(x_ptr, x_base, start + lanes, mask, element_shape,
                                   x_element_strides, compute) - mean) * rstd
        g = dy * _parameter_block(w_ptr, w_base, start + lanes, mask, element_shape,
                                  w_element_strides, compute, HAS_WEIGHT, 1)
        if TRAINING:
            g = g - mean_g - x_hat * mean_g_x_hat
        dx_offsets = dx_base + strided_offsets(start + lanes, element_shape, dx_element_strides)
        tl.store(dx_ptr + dx_offsets, (g * rstd).to(dx_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def column_parameter_grad_kernel(dy_ptr, dy_offset, x_ptr, x_offset, mean_ptr, rstd_ptr,
                                 dw_ptr, db_ptr,        # (parts, count) each: partial sums
                                 groups, group_shape, dy_group_strides, x_group_strides,
                                 count, element_shape, dy_element_strides, x_element_strides,
                                 rows_per_part,         # the rows (groups) are cut into parts
                                 BLOCK_G: tl.constexpr, BLOCK_E: tl.constexpr,
                                 INT64: tl.constexpr = False):  # (see needs_int64)
    """layer norm's dw[e] = sum over groups of dy x_hat, db[e] = sum of dy: column sums, of
    one part of the rows and one block of columns per program."""
    compute: tl.constexpr = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    program = program_number(INT64)
    column_blocks = tl.cdiv(count, BLOCK_E)
    part = program // column_blocks
    elements = (program % column_blocks) * BLOCK_E + lane_positions(BLOCK_E, INT64)  # (BLOCK_E,)
    element_mask = elements < count
    dy_columns = dy_offset + strided_offsets(elements, element_shape, dy_element_strides)
    x_columns = x_offset + strided_offsets(elements, element_shape, x_element_strides)
    sum_dy_x_hat = tl.zeros([BLOCK_G, BLOCK_E], compute)
    sum_dy = tl.zeros([BLOCK_G, BLOCK_E], compute)
    end = tl.minimum((part + 1) * rows_per_part, groups)
    for start in range(part * rows_per_part, end, BLOCK_G):
        rows = start + lane_positions(BLOCK_G, INT64)                               # (BLOCK_G,)
        row_mask = rows < end
        mask = row_mask[:, None] & element_mask[None, :]                    # (BLOCK_G, BLOCK_E)
        dy_rows = strided_offsets(rows, group_shape, dy_group_strides)
        x_rows = strided_offsets(rows, group_shape, x_group_strides)
        dy = tl.load(dy_ptr + dy_rows[:, None] + dy_columns[None, :], mask=mask,
                     other=0).to(compute)
        x = tl.load(x_ptr + x_rows[:, None] + x_columns[None, :], mask=mask, other=0).to(compute)
        mean = tl.load(mean_ptr + rows, mask=row_mask, other=0).to(compute)
        rstd = tl.load(rstd_ptr + rows, mask=row_mask, other=0).to(compute)
        sum_dy_x_hat += dy * (x - mean[:, None]) * rstd[:, None]
        sum_dy += dy
    at = part * count + elements
    tl.store(dw_ptr + at, tl.sum(sum_dy_x_hat, axis=0).to(dw_ptr.dtype.element_ty),
             mask=element_mask)
    tl.store(db_ptr + at, tl.sum(sum_dy, axis=0).to(db_ptr.dtype.element_ty), mask=element_mask)


# --- launchers: split the dims into group dims and element dims ----------------------------------


def _split(shape: tuple[int, ...], group_dims: tuple[int, ...], strides: list[tuple[int, ...]]
           ) -> tuple[tuple, list, tuple, list]:
    """(group shape, group strides per operand, element shape, element strides per operand),
    each part merged to as few dims as possible."""
    element_dims = tuple(d for d in range(len(shape)) if d not in group_dims)
    group_shape, group_strides = merge_dims(tuple(shape[d] for d in group_dims),
                                            *[tuple(s[d] for d in group_dims) for s in strides])
    element_shape, element_strides = merge_dims(
        tuple(shape[d] for d in element_dims), *[tuple(s[d] for d in element_dims)
                                                 for s in strides])
    return group_shape, group_strides, element_shape, element_strides


def _parameter_strides(view: View | None, ndim: int, dims: tuple[int, ...]) -> tuple[int, ...]:
    """Strides of a parameter laid over x's dims: its own strides on `dims`, 0 elsewhere."""
    strides = [0] * ndim
    if view is not None:
        for d, stride in zip(dims, view.strides):
            strides[d] = stride
    return tuple(strides)


def _buffer_or(buffer: Any, view: View | None, stand_in: Any) -> tuple[Any, int]:
    """(pointer, offset) of an optional operand; a stand-in buffer when absent (never read)."""
    return (stand_in, 0) if buffer is None else (buffer, view.offset)


def _statistics_buffers(groups: int, dtype: np.dtype) -> tuple[Any, Any]:
    compute = np.float32 if dtype == np.float16 else dtype
    return empty(groups, compute), empty(groups, compute)


def _normalize(x, x_view, weight, weight_view, bias, bias_view, group_dims, param_dims,
               running, eps, momentum, batch_statistics):
    """Launch normalize_kernel; returns (y, mean, rstd)."""
    shape, ndim = x_view.shape, len(x_view.shape)
    groups = int(np.prod([shape[d] for d in group_dims], dtype=np.int64))
    count = x_view.numel // max(groups, 1)
    out = empty(x_view.numel, numpy_dtype(x))
    mean, rstd = _statistics_buffers(groups, numpy_dtype(x))
    if not x_view.numel:
        return out, mean, rstd
    strides = [x_view.strides, contiguous_strides(shape),
               _parameter_strides(weight_view, ndim, param_dims),
               _parameter_strides(bias_view, ndim, param_dims)]
    group_shape, group_strides, element_shape, element_strides = _split(shape, group_dims, strides)
    running_arguments = []  # (pointer, offset, stride) of running_mean, then of running_var
    for buffer, view in running:
        running_arguments += [*_buffer_or(buffer, view, out), view.strides[0] if view else 0]
    block = launch_block(count, NORM_BLOCK)
    int64 = needs_int64(x_view, x_view.numel)
    pieces, piece_size = _pieces(groups, count, block) if batch_statistics else (1, count)
    piece_mean = piece_m2 = mean  # stand-ins, never read with one piece
    if pieces > 1:  # first kernel: every piece's (mean, M2)
        piece_mean, piece_m2 = _statistics_buffers(groups * pieces, numpy_dtype(x))
        group_statistics_kernel[(groups * pieces,)](
            x, x_view.offset, piece_mean, piece_m2, groups, group_shape, group_strides[0], count,
            element_shape, element_strides[0], pieces, piece_size, BLOCK=block, INT64=int64)
    normalize_kernel[(groups * pieces,)](
        x, x_view.offset, *_buffer_or(weight, weight_view, x), *_buffer_or(bias, bias_view, x),
        out, mean, rstd, *running_arguments, groups, group_shape, *group_strides, count,
        element_shape, *element_strides, float_bits(eps), float_bits(momentum),
        float_bits(count / max(count - 1, 1)), piece_mean, piece_m2, pieces, piece_size,
        BATCH_STATISTICS=batch_statistics,
        UPDATE_MEAN=batch_statistics and running[0][0] is not None,
        UPDATE_VAR=batch_statistics and running[1][0] is not None,
        HAS_WEIGHT=weight is not None, HAS_BIAS=bias is not None, BLOCK=block,
        PIECES=next_power_of_2(pieces), INT64=int64)
    return out, mean, rstd


def _pieces(groups: int, count: int, block: int) -> tuple[int, int]:
    """(pieces per group, elements per piece: a multiple of block). One piece under the
    interpreter and whenever the groups alone fill the GPU or are short."""
    if small_launches():
        return 1, count
    pieces = min(cdiv(STATISTICS_PROGRAMS, groups), count // STATISTICS_PIECE)
    if pieces < 2:
        return 1, count
    piece_size = cdiv(cdiv(count, pieces), block) * block
    return cdiv(count, piece_size), piece_size


def batch_norm_triton(x, x_view, weight, weight_view, bias, bias_view, running_mean,
                      running_mean_view, running_var, running_var_view, training: bool,
                      momentum: float, eps: float):
    """(y, mean (C,), rstd (C,)) of x (N, C, *S), one program per channel or per piece of one
    (_pieces); training updates the running statistics in place (both or neither are given)."""
    running = ((running_mean, running_mean_view), (running_var, running_var_view))
    return _normalize(x, x_view, weight, weight_view, bias, bias_view, (1,), (1,), running, eps,
                      momentum, training)


def layer_norm_triton(x, x_view, weight, weight_view, bias, bias_view, normalized_ndim: int,
                      eps: float):
    """(y, mean (G,), rstd (G,)) over the last normalized_ndim dims, one program per row."""
    ndim = len(x_view.shape)
    lead = tuple(range(ndim - normalized_ndim))
    return _normalize(x, x_view, weight, weight_view, bias, bias_view, lead,
                      tuple(range(ndim - normalized_ndim, ndim)), ((None, None), (None, None)),
                      eps, 0.0, True)


def _normalize_backward(dy, dy_view, x, x_view, weight, weight_view, mean, rstd, group_dims,
                        param_dims, training, group_params):
    """Launch normalize_backward_kernel; returns (dx, dw, db) (dw, db only if group_params)."""
    shape, ndim = x_view.shape, len(x_view.shape)
    groups = int(np.prod([shape[d] for d in group_dims], dtype=np.int64))
    count = x_view.numel // max(groups, 1)
    dtype = numpy_dtype(x)
    dx = empty(x_view.numel, dtype)
    dw, db = (empty(groups, dtype), empty(groups, dtype)) if group_params else (dx, dx)
    if not x_view.numel:
        return dx, dw, db
    strides = [dy_view.strides, x_view.strides, contiguous_strides(shape),
               _parameter_strides(weight_view, ndim, param_dims)]
    group_shape, group_strides, element_shape, element_strides = _split(shape, group_dims, strides)
    block = launch_block(count, NORM_BLOCK)
    int64 = needs_int64(dy_view, x_view, x_view.numel)
    w, w_offset = _buffer_or(weight, weight_view, x)
    # few long groups (batch norm's channels): each cut into pieces, as in the forward; the
    # pieces' sums from a first kernel, added up by every program of the dx pass
    pieces, piece_size = _pieces(groups, count, block)
    sums = mean  # a stand-in, never read with one piece
    if pieces > 1:
        sums = empty(4 * groups * pieces, np.dtype(np.float64 if dtype == np.float64
                                                   else np.float32))
        group_gradient_sums_kernel[(groups * pieces,)](
            dy, dy_view.offset, x, x_view.offset, w, w_offset, mean, rstd, sums, groups,
            group_shape, group_strides[0], group_strides[1], group_strides[3], count,
            element_shape, element_strides[0], element_strides[1], element_strides[3], pieces,
            piece_size, HAS_WEIGHT=weight is not None, GROUP_PARAMS=group_params, BLOCK=block,
            INT64=int64)
    normalize_backward_kernel[(groups * pieces,)](
        dy, dy_view.offset, x, x_view.offset, w, w_offset, mean, rstd,
        dx, dw, db, groups, group_shape, *group_strides, count, element_shape, *element_strides,
        TRAINING=training, HAS_WEIGHT=weight is not None, GROUP_PARAMS=group_params,
        BLOCK=block, sums_ptr=sums, pieces=pieces, piece_size=piece_size,
        PIECES=next_power_of_2(pieces), INT64=int64)
    return dx, dw, db


def batch_norm_backward_triton(dy, dy_view, x, x_view, weight, weight_view, mean, mean_view,
                               rstd, rstd_view, training: bool, parameter_grads: bool):
    """(dx, dweight (C,), dbias (C,)) of batch_norm, one program per channel or per piece of one
    (then after a kernel of the pieces' sums); the last two are None unless parameter_grads."""
    dx, dw, db = _normalize_backward(dy, dy_view, x, x_view, weight, weight_view, mean, rstd,
                                     (1,), (1,), training, parameter_grads)
    return (dx, dw, db) if parameter_grads else (dx, None, None)


def layer_norm_backward_triton(dy, dy_view, x, x_view, weight, weight_view, mean, mean_view,
                               rstd, rstd_view, normalized_ndim: int, parameter_grads: bool):
    """(dx, dweight, dbias) of layer_norm: a row kernel for dx, a column kernel for dw and db."""
    ndim = len(x_view.shape)
    lead = tuple(range(ndim - normalized_ndim))
    dx, _, _ = _normalize_backward(dy, dy_view, x, x_view, weight, weight_view, mean, rstd, lead,
                                   tuple(range(ndim - normalized_ndim, ndim)), True, False)
    if not parameter_grads:
        return dx, None, None
    count = int(np.prod(x_view.shape[ndim - normalized_ndim:], dtype=np.int64))
    dtype = numpy_dtype(x)
    dw, db = empty(count, dtype), empty(count, dtype)
    if not x_view.numel:
        return dx, dw, db
    group_shape, group_strides, element_shape, element_strides = _split(
        x_view.shape, lead, [dy_view.strides, x_view.strides])
    block_g, block_e = PARAMETER_BLOCK
    rows = x_view.numel // count
    parts, rows_per_part = _row_parts(rows, cdiv(count, block_e), block_g)
    compute = np.dtype(np.float64 if dtype == np.float64 else np.float32)
    partial_dw, partial_db = ((dw, db) if parts == 1 else
                              (empty(parts * count, compute), empty(parts * count, compute)))
    column_parameter_grad_kernel[(parts * cdiv(count, block_e),)](
        dy, dy_view.offset, x, x_view.offset, mean, rstd, partial_dw, partial_db, rows,
        group_shape, *group_strides, count, element_shape, *element_strides, rows_per_part,
        BLOCK_G=block_g, BLOCK_E=block_e, INT64=needs_int64(dy_view, x_view, parts * count))
    if parts > 1:  # the final reduction: the parts' partial sums, summed down each column
        from .elementwise import cast_triton
        from .reduce import reduce_triton

        partials = View((parts, count), (count, 1), 0)
        dw, db = (reduce_triton("sum", partial, partials, (0,)) for partial in (partial_dw,
                                                                                  partial_db))
        if dtype != compute:
            dw, db = (cast_triton(total, View((count,), (1,), 0), dtype) for total in (dw, db))
    return dx, dw, db


def _row_parts(rows: int, column_blocks: int, block_g: int) -> tuple[int, int]:
    """(parts, rows per part: a multiple of block_g) for layer norm's dw and db. As in Triton's
    layer-norm tutorial: rows grouped, partial sums per group, then a final reduction; here the
    partial sums come from their own kernel, with plain stores (no lock, no atomics: the same
    bits every run). One part, and no reduction, under the interpreter or for few rows."""
    if small_launches():
        return 1, rows
    parts = min(cdiv(STATISTICS_PROGRAMS, column_blocks), rows // PARAMETER_ROWS)
    if parts < 2:
        return 1, rows
    rows_per_part = cdiv(cdiv(rows, parts), block_g) * block_g
    return cdiv(rows, rows_per_part), rows_per_part
