"""2-D max and average pooling, and their backward passes.

    max_pool2d(x)   y[n, c, i, j] = max over the window at (i*sh - ph, j*sw - pw), dilated by d
                    plus, per output, the flat index (row * W + col) in x of the winning element
    avg_pool2d(x)   y[n, c, i, j] = sum over the window / divisor

    Ho = floor or ceil((H + 2 ph - dh (kh - 1) - 1) / sh) + 1      (ceil_mode picks ceil; a window
                                                                     must still start inside x or
                                                                     its left padding)

Backward: max pooling sends each dy to the element that won (the saved index), adding where windows
overlap; average pooling spreads dy / divisor evenly over the window. Padding counts as -inf for max
and 0 for average. divisor: divisor_override if given, else the window's size, either counting
padding (count_include_pad) or only the real elements.

The NumPy reference never copies the windows out: it loops over the kh * kw kernel offsets, and
for each one works on the strided view of "the element at that offset in every window" (a
running maximum with the winning offset, or a running sum).
"""

from __future__ import annotations

import math

import numpy as np

from .strided import View, as_numpy

Pair = tuple[int, int]


def pool2d_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                       ceil_mode: bool) -> int:
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (math.ceil(span / stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:  # last window would start in padding
        out -= 1
    return out


def pool2d_output_shape(input_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair,
                        dilation: Pair, ceil_mode: bool) -> tuple[int, ...]:
    return tuple(input_shape[:-2]) + tuple(
        pool2d_output_size(input_shape[d - 2], kernel[d], stride[d], padding[d], dilation[d],
                           ceil_mode) for d in range(2))


# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _pad_for_windows(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair,
                     out_hw: Pair, fill: float) -> np.ndarray:
    """x padded with `fill` on every side, and enough extra at the end for ceil_mode windows."""
    pads = [(0, 0)] * (x.ndim - 2)
    for d in range(2):
        needed = (out_hw[d] - 1) * stride[d] + dilation[d] * (kernel[d] - 1) + 1
        after = max(needed - x.shape[x.ndim - 2 + d] - padding[d], padding[d])
        pads.append((padding[d], after))
    if not any(before or after for before, after in pads):
        return x
    return np.pad(x, pads, constant_values=fill)


def _offset_views(padded: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair, out_hw: Pair):
    """For each kernel offset (a, b): (a * kw + b, the (..., Ho, Wo) strided view of the element
    at that offset in every window). Looping over the kh * kw offsets touches x kh * kw times
    with whole-array operations, and never copies the windows out."""
    for a in range(kernel[0]):
        rows = slice(a * dilation[0], a * dilation[0] + stride[0] * (out_hw[0] - 1) + 1, stride[0])
        for b in range(kernel[1]):
            start = b * dilation[1]
            columns = slice(start, start + stride[1] * (out_hw[1] - 1) + 1, stride[1])
            yield a * kernel[1] + b, padded[..., rows, columns]


def _window_corners(out_hw: Pair, stride: Pair, padding: Pair, width: int) -> np.ndarray:
    """(Ho, Wo) int64: the flat index row * W + col in x of each window's top-left element."""
    rows = np.arange(out_hw[0], dtype=np.int64) * stride[0] - padding[0]
    columns = np.arange(out_hw[1], dtype=np.int64) * stride[1] - padding[1]
    return rows[:, None] * width + columns


def max_pool2d_reference(x: np.ndarray, x_view: View, kernel: Pair, stride: Pair, padding: Pair,
                         dilation: Pair, ceil_mode: bool) -> tuple[np.ndarray, np.ndarray]:
    """(values, int64 indices) of the window maxima of x (..., H, W): a running maximum over the
    kernel offsets; the first maximum wins ties, and a nan wins over numbers (as in PyTorch).

    The winner is tracked as its offset inside the window in x's flat coordinates
    (a * dh * W + b * dw, small: int32), so the flat index is one add of the window corners."""
    x_array = as_numpy(x, x_view)
    width = x_view.shape[-1]
    out_hw = pool2d_output_shape(x_view.shape, kernel, stride, padding, dilation, ceil_mode)[-2:]
    padded = _pad_for_windows(x_array, kernel, stride, padding, dilation, out_hw, -np.inf)
    best, winner = _running_max(padded, kernel, dilation, stride, out_hw, width, False)
    # np.maximum propagates nan, so a window holding one has a nan maximum: the nan check reads
    # the (kh * kw times smaller) output, and only then is the winner tracked again, nan-aware
    if np.isnan(best).any():
        best, winner = _running_max(padded, kernel, dilation, stride, out_hw, width, True)
    indices = np.add(winner, _window_corners(out_hw, stride, padding, width), dtype=np.int64)
    return best.reshape(-1), indices.reshape(-1)


def _running_max(padded: np.ndarray, kernel: Pair, dilation: Pair, stride: Pair, out_hw: Pair,
                 width: int, nan_aware: bool) -> tuple[np.ndarray, np.ndarray]:
    """(window maxima, winner's offset from the window corner) over the kernel offsets."""
    best, winner = None, None
    for k, view in _offset_views(padded, kernel, stride, dilation, out_hw):
        a, b = divmod(k, kernel[1])
        offset = a * dilation[0] * width + b * dilation[1]  # of element (a, b) from the corner
        if best is None:
            best, winner = np.array(view), np.full(view.shape, offset, np.int32)
            continue
        candidate = np.ascontiguousarray(view)  # one strided read; the math below runs on
        better = candidate > best  # contiguous arrays, about 10x faster than on strided ones
        if nan_aware:
            better |= np.isnan(candidate) & ~np.isnan(best)
        # branch-free "winner = offset where better": on small int32 arrays faster than
        # np.copyto(..., where=better) or np.putmask
        winner += better * (offset - winner)
        np.maximum(best, candidate, out=best)  # nan-propagating, as the winner above
    return best, winner


def max_pool2d_backward_reference(dy: np.ndarray, dy_view: View, indices: np.ndarray,
                                  indices_view: View, input_shape: tuple[int, ...],
                                  kernel: Pair | None = None, stride: Pair | None = None,
                                  padding: Pair | None = None, dilation: Pair | None = None
                                  ) -> np.ndarray:
    """dx (..., H, W): each dy added at the input position its window's maximum came from
    (np.add.at, unbuffered, sums the repeats where windows overlap; a plain dx[targets] = dy
    would keep only the last of them). The pooling's geometry (kernel, stride, padding,
    dilation) is optional: this scatter needs only the indices (the Triton kernel, a gather, uses
    it to visit only the windows that cover each element)."""
    planes = math.prod(input_shape[:-2])
    plane_size = input_shape[-2] * input_shape[-1]
    dy_array = as_numpy(dy, dy_view).reshape(planes, -1)
    targets = as_numpy(indices, indices_view).reshape(planes, -1)
    targets = targets + (np.arange(planes) * plane_size)[:, None]
    dx = np.zeros(planes * plane_size, _accumulator(dy.dtype))
    np.add.at(dx, targets.reshape(-1), dy_array.reshape(-1))
    return dx.astype(dy.dtype, copy=False)


def _axis_divisors(size: int, out: int, kernel: int, stride: int, padding: int,
                   include_pad: bool) -> np.ndarray:
    """Per output position along one dim: how many window elements the divisor counts."""
    start = np.arange(out) * stride - padding
    end = np.minimum(start + kernel, size + padding)  # windows never count beyond the padding
    if not include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return (end - start).astype(np.float64)


def _avg_divisor(shape: tuple[int, ...], out_hw: Pair, kernel: Pair, stride: Pair, padding: Pair,
                 count_include_pad: bool, divisor_override: int | None) -> np.ndarray | float:
    if divisor_override:
        return float(divisor_override)
    rows = _axis_divisors(shape[-2], out_hw[0], kernel[0], stride[0], padding[0],
                          count_include_pad)
    cols = _axis_divisors(shape[-1], out_hw[1], kernel[1], stride[1], padding[1],
                          count_include_pad)
    return rows[:, None] * cols[None, :]


def _accumulator(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def avg_pool2d_reference(x: np.ndarray, x_view: View, kernel: Pair, stride: Pair, padding: Pair,
                         ceil_mode: bool, count_include_pad: bool,
                         divisor_override: int | None) -> np.ndarray:
    """The mean (sum / divisor) of every window of x (..., H, W)."""
    x_array = as_numpy(x, x_view)
    shape = x_view.shape
    out_hw = pool2d_output_shape(shape, kernel, stride, padding, (1, 1), ceil_mode)[-2:]
    padded = _pad_for_windows(x_array, kernel, stride, padding, (1, 1), out_hw, 0)
    sums = np.zeros((*shape[:-2], *out_hw), _accumulator(x.dtype))
    for _, candidate in _offset_views(padded, kernel, stride, (1, 1), out_hw):
        sums += candidate
    divisor = _avg_divisor(shape, out_hw, kernel, stride, padding, count_include_pad,
                           divisor_override)
    return np.ascontiguousarray(sums / divisor, dtype=x.dtype).reshape(-1)


def avg_pool2d_backward_reference(dy: np.ndarray, dy_view: View, input_shape: tuple[int, ...],
                                  kernel: Pair, stride: Pair, padding: Pair, ceil_mode: bool,
                                  count_include_pad: bool, divisor_override: int | None
                                  ) -> np.ndarray:
    """dx (..., H, W): every window's dy / divisor added to each element of the window."""
    out_hw = dy_view.shape[-2:]
    divisor = _avg_divisor(input_shape, out_hw, kernel, stride, padding, count_include_pad,
                           divisor_override)
    share = (as_numpy(dy, dy_view) / divisor).astype(_accumulator(dy.dtype), copy=False)
    height, width = input_shape[-2:]
    needed = [(out_hw[d] - 1) * stride[d] + kernel[d] for d in range(2)]
    padded = np.zeros((*input_shape[:-2], max(needed[0], height + 2 * padding[0]),
                       max(needed[1], width + 2 * padding[1])), share.dtype)
    for _, target in _offset_views(padded, kernel, stride, (1, 1), out_hw):
        target += share
    dx = padded[..., padding[0]:padding[0] + height, padding[1]:padding[1] + width]
    return np.ascontiguousarray(dx, dtype=dy.dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: window kernels. Each program owns BLOCK output pixels (over all planes =
# the leading dims) and walks the kh x kw window with two small loops, masking positions that fall
# in the padding. The backward passes are *gathers*: each program owns BLOCK elements of dx, and
# visits the windows that cover its element: along each dim, those that start less than a window's
# extent before it, one per stride (see _covering_window; 2x2 windows with stride 2: one). Max
# pooling takes dy of the windows whose saved winner is this element, average pooling dy / divisor
# of every covering window. Each dx element is summed in registers (float32, float64 for float64)
# and stored once: no zero-filled dx, no atomic adds (scattering from the outputs would need both,
# since neighbouring windows may overlap when stride < kernel).

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    block_positions,
    cdiv,
    empty,
    launch_block,
    merge_dims,
    needs_int64,
    numpy_dtype,
    strided_offsets,
    tl,
    triton_kernel,
)

POOL_BLOCK = 256


@triton_kernel
def _divisor(i, j, size, kernel, stride, padding, INCLUDE_PAD: tl.constexpr, override):
    """How many elements the mean of window (i, j) divides by (PyTorch's rule)."""
    top = i * stride[0] - padding[0]
    left = j * stride[1] - padding[1]
    bottom = tl.minimum(top + kernel[0], size[0] + padding[0])
    right = tl.minimum(left + kernel[1], size[1] + padding[1])
    if not INCLUDE_PAD:
        top, left = tl.maximum(top, 0), tl.maximum(left, 0)
        bottom, right = tl.minimum(bottom, size[0]), tl.minimum(right, size[1])
    count = ((bottom - top) * (right - left)).to(tl.float32)
    return tl.where(override > 0, tl.cast(override, tl.float32), count)  # override 1: a constant


@triton_kernel
def pool2d_kernel(x_ptr,                    # input (..., H, W), any strides
                  out_ptr, indices_ptr,     # outputs (planes, Ho, Wo); int64 winners (max only)
                  total,                    # number of outputs
                  plane_shape, plane_strides,  # tuples: the leading dims of x's view
                  row_stride, column_stride, x_offset,
                  size, out_hw, kernel, stride, padding, dilation,  # tuples: (h, w) pairs
                  override,                 # avg: divisor_override, or 0
                  MAX: tl.constexpr,        # max pool (else average)
                  INCLUDE_PAD: tl.constexpr, BLOCK: tl.constexpr,
                  INT64: tl.constexpr = False):
    position = block_positions(BLOCK, INT64)  # (BLOCK,) output positions
    mask = position < total
    j = position % out_hw[1]
    i = (position // out_hw[1]) % out_hw[0]
    plane = position // (out_hw[0] * out_hw[1])
    base = x_ptr + x_offset + strided_offsets(plane, plane_shape, plane_strides)
    best = tl.zeros([BLOCK], dtype=tl.float32)
    if x_ptr.dtype.element_ty == tl.float64:
        best = best.to(tl.float64)
    best_index = tl.zeros([BLOCK], dtype=tl.int64) - 1  # -1: no element seen yet
    total_sum = best
    for a in range(0, kernel[0]):
        row = i * stride[0] + a * dilation[0] - padding[0]
        row_inside = mask & (row >= 0) & (row < size[0])  # once per kernel row
        row_base = base + row * row_stride
        for b in range(0, kernel[1]):
            column = j * stride[1] + b * dilation[1] - padding[1]
            inside = row_inside & (column >= 0) & (column < size[1])
            x = tl.load(row_base + column * column_stride, mask=inside, other=0)
            x = x.to(best.dtype)
            if MAX:  # strictly greater: the first maximum wins; the first NaN beats everything
                better = (x > best) | ((x != x) & (best == best)) | (best_index < 0)
                take = inside & better
                best = tl.where(take, x, best)
                best_index = tl.where(take, (row * size[1] + column).to(tl.int64), best_index)
            else:
                total_sum += x
    if MAX:
        tl.store(out_ptr + position, best.to(out_ptr.dtype.element_ty), mask=mask)
        tl.store(indices_ptr + position, best_index, mask=mask)
    else:
        mean = total_sum / _divisor(i, j, size, kernel, stride, padding, INCLUDE_PAD, override)
        tl.store(out_ptr + position, mean.to(out_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def _covering_window(y, t, kernel, stride, padding, dilation, out_size):
    """Along one dim: the t-th window that may hold input position y (t = 0: the last window
    that starts at or before y), and whether it does. Window i starts at i * stride - padding;
    y lies at `offset` = y + padding - i * stride inside it, which must be a kernel element
    (a multiple of dilation, below the window's extent (kernel - 1) * dilation + 1); i must be
    one of the out_size windows."""
    i = (y + padding) // stride - t
    offset = y + padding - i * stride
    inside = (offset < (kernel - 1) * dilation + 1) & (offset % dilation == 0)
    return i, inside & (i >= 0) & (i < out_size)


@triton_kernel
def pool2d_backward_kernel(dy_ptr, indices_ptr,   # dy (..., Ho, Wo), int64 winners: any strides
                           dx_ptr,                # dx (planes, H, W), contiguous, dy's dtype
                           total,                 # number of dx elements
                           plane_shape, dy_plane_strides, indices_plane_strides,  # tuples
                           dy_row_stride, dy_column_stride, dy_offset,
                           indices_row_stride, indices_column_stride, indices_offset,
                           size, out_hw, kernel, stride, padding, dilation,  # (h, w) pairs
                           override,
                           MAX: tl.constexpr, INCLUDE_PAD: tl.constexpr, BLOCK: tl.constexpr,
                           INT64: tl.constexpr = False):
    position = block_positions(BLOCK, INT64)  # (BLOCK,) dx elements
    mask = position < total
    x = position % size[1]
    y = (position // size[1]) % size[0]
    plane = position // (size[0] * size[1])
    dy_base = dy_ptr + dy_offset + strided_offsets(plane, plane_shape, dy_plane_strides)
    winners = indices_ptr + indices_offset + strided_offsets(plane, plane_shape,
                                                             indices_plane_strides)
    here = y * size[1] + x  # this element's flat index in its plane, as the winners store it
    total_sum = tl.zeros([BLOCK], dtype=tl.float32)
    if dx_ptr.dtype.element_ty == tl.float64:
        total_sum = total_sum.to(tl.float64)
    # the windows that can cover one position: those starting less than an extent before it,
    # one per stride (2x2 windows with stride 2: exactly one)
    rows = ((kernel[0] - 1) * dilation[0] + stride[0]) // stride[0]
    columns = ((kernel[1] - 1) * dilation[1] + stride[1]) // stride[1]
    for t in range(0, rows):
        i, row_ok = _covering_window(y, t, kernel[0], stride[0], padding[0], dilation[0],
                                     out_hw[0])
        for u in range(0, columns):
            j, column_ok = _covering_window(x, u, kernel[1], stride[1], padding[1], dilation[1],
                                            out_hw[1])
            covered = mask & row_ok & column_ok
            dy = tl.load(dy_base + i * dy_row_stride + j * dy_column_stride, mask=covered,
                         other=0).to(total_sum.dtype)
            if MAX:  # all of a window's dy goes to its winner
                winner = tl.load(winners + i * indices_row_stride + j * indices_column_stride,
                                 mask=covered, other=-1)
                total_sum += tl.where(winner == here, dy, 0)
            else:  # dy / divisor to every element of the window
                divisor = _divisor(i, j, size, kernel, stride, padding, INCLUDE_PAD, override)
                total_sum += tl.where(covered, dy / divisor.to(dy.dtype), 0)
    tl.store(dx_ptr + position, total_sum.to(dx_ptr.dtype.element_ty), mask=mask)


def _pool(x: Any, x_view: View, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair,
          ceil_mode: bool, is_max: bool, include_pad: bool, override: int | None) -> tuple:
    shape = x_view.shape
    out_shape = pool2d_output_shape(shape, kernel, stride, padding, dilation, ceil_mode)
    total = math.prod(out_shape)
    out = empty(total, numpy_dtype(x))
    indices = empty(total if is_max else 0, np.int64)
    if total:
        plane_shape, (plane_strides,) = merge_dims(shape[:-2], x_view.strides[:-2])
        block = launch_block(total, POOL_BLOCK)
        pool2d_kernel[(cdiv(total, block),)](
            x, out, indices if is_max else out, total, plane_shape, plane_strides,
            x_view.strides[-2], x_view.strides[-1], x_view.offset, tuple(shape[-2:]),
            tuple(out_shape[-2:]), tuple(kernel), tuple(stride), tuple(padding), tuple(dilation),
            override or 0, MAX=is_max, INCLUDE_PAD=include_pad, BLOCK=block,
            INT64=needs_int64(x_view, total))
    return out, indices


def _pool_backward(dy: Any, dy_view: View, indices: Any, indices_view: View,
                   input_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair,
                   dilation: Pair, is_max: bool, include_pad: bool, override: int | None) -> Any:
    numel = math.prod(input_shape)
    dx = empty(numel, numpy_dtype(dy))  # every element is stored once (covered by no window: 0)
    if numel:
        plane_shape, (dy_strides, indices_strides) = merge_dims(
            input_shape[:-2], dy_view.strides[:-2], indices_view.strides[:-2])
        block = launch_block(numel, POOL_BLOCK)
        pool2d_backward_kernel[(cdiv(numel, block),)](
            dy, indices, dx, numel, plane_shape, dy_strides, indices_strides,
            dy_view.strides[-2], dy_view.strides[-1], dy_view.offset, indices_view.strides[-2],
            indices_view.strides[-1], indices_view.offset, tuple(input_shape[-2:]),
            tuple(dy_view.shape[-2:]), tuple(kernel), tuple(stride), tuple(padding),
            tuple(dilation), override or 0, MAX=is_max, INCLUDE_PAD=include_pad, BLOCK=block,
            INT64=needs_int64(dy_view, indices_view, numel))
    return dx


def max_pool2d_triton(x: Any, x_view: View, kernel: Pair, stride: Pair, padding: Pair,
                      dilation: Pair, ceil_mode: bool) -> tuple[Any, Any]:
    """(values, int64 indices) of the window maxima of x (..., H, W), on the GPU."""
    return _pool(x, x_view, kernel, stride, padding, dilation, ceil_mode, True, True, None)


def max_pool2d_backward_triton(dy: Any, dy_view: View, indices: Any, indices_view: View,
                               input_shape: tuple[int, ...], kernel: Pair | None = None,
                               stride: Pair | None = None, padding: Pair | None = None,
                               dilation: Pair | None = None) -> Any:
    """dx (..., H, W): each element sums the dy of the windows it won, on the GPU. Without the
    pooling's geometry, every output of the plane is a candidate: kernel (H + Ho - 1, ...) with
    stride 1 and padding Ho - 1 puts every window i in 0 .. Ho - 1 over every row y."""
    if kernel is None or stride is None or padding is None or dilation is None:
        (height, width), (out_h, out_w) = input_shape[-2:], dy_view.shape[-2:]
        kernel, stride = (height + out_h - 1, width + out_w - 1), (1, 1)
        padding, dilation = (out_h - 1, out_w - 1), (1, 1)
    return _pool_backward(dy, dy_view, indices, indices_view, input_shape, kernel, stride,
                          padding, dilation, True, True, None)


def avg_pool2d_triton(x: Any, x_view: View, kernel: Pair, stride: Pair, padding: Pair,
                      ceil_mode: bool, count_include_pad: bool,
                      divisor_override: int | None) -> Any:
    """The mean of every window of x (..., H, W), on the GPU."""
    return _pool(x, x_view, kernel, stride, padding, (1, 1), ceil_mode, False,
                 count_include_pad, divisor_override)[0]


def avg_pool2d_backward_triton(dy: Any, dy_view: View, input_shape: tuple[int, ...],
                               kernel: Pair, stride: Pair, padding: Pair, ceil_mode: bool,
                               count_include_pad: bool, divisor_override: int | None) -> Any:
    """dx (..., H, W): every window's dy / divisor added to each of its elements, on the GPU."""
    return _pool_backward(dy, dy_view, dy, dy_view, input_shape, kernel, stride, padding,
                          (1, 1), False, count_include_pad, divisor_override)
