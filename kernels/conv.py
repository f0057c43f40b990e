"""2-D convolution and its two backward products, lowered to one big matrix multiplication each.

    conv2d(x, w)                   y[n, o, i, j] = sum_{c, a, b} w[o, c, a, b] *
                                                   x_padded[n, c, i*sh + a*dh, j*sw + b*dw]
    conv2d_backward_input(dy, w)   dx = the transpose of that map applied to dy
    conv2d_backward_weight(dy, x)  dw[o, c, a, b] = sum_{n, i, j} dy[n, o, i, j] * x_padded[...]

    x: (N, C, H, W)   w: (O, C/groups, kh, kw)   y, dy: (N, O, Ho, Wo)
    Ho = (H + pad_top + pad_bottom - dh * (kh - 1) - 1) // sh + 1        (likewise Wo)

im2col: put every receptive field of x in a row of a matrix `cols` of shape
(N * Ho * Wo, kh * kw * C). Then the convolution is one matmul, cols @ W^T with W seen as
(O, kh*kw*C), which BLAS runs near peak speed; the backward products are the two other matmuls
of the same three matrices:

    Y = cols @ W^T          dW^T = cols^T @ dY          dcols = dY @ W   then col2im(dcols) = dx

The rows of cols need no index arithmetic: once x is padded and stored channels last,
(N, Hp, Wp, C), the receptive fields are a *strided view* of it (_windows, via as_strided): window
(n, i, j) starts at x_padded[n, i*sh, j*sw] and steps dh rows and dw columns. Nothing is copied
until the view is reshaped to the matrix, one NumPy copy. The channels-last layout is the one
BLAS likes here: the long dim (N*Ho*Wo pixels) is the rows of both cols and Y.
That copy is the costly part besides the matmul, and NumPy pays it per run of consecutive
elements: channels last a run is a window row of kw * C elements, long in deep layers but only 3
for a first layer on grey images. There cols is built channels first instead, one (K, Ho*Wo)
matrix per image, runs of Wo (_channels_first picks the layout with the longer runs), and the
products become W @ cols_n per image, which also leaves y in its (N, O, Ho, Wo) order.
The weight gradient reads dy as it is stored: dW = sum over images of dY_n @ cols_n.
col2im, the adjoint, adds the kh * kw slices of dcols back into a padded (N, Hp, Wp, C) array
(receptive fields overlap, so sums), one strided slice per kernel position.
Groups split C and O into independent blocks: a batched matmul with the group as batch dim.

padding is (top, bottom, left, right): asymmetric padding is what padding='same' needs for even
kernels. float16 is computed in float32.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .strided import View, as_numpy

Pair = tuple[int, int]
Padding = tuple[int, int, int, int]


def conv2d_output_size(size: int, kernel: int, stride: int, pad_before: int, pad_after: int,
                       dilation: int) -> int:
    """Positions a (dilated) kernel fits in a padded dim, stepping by stride."""
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


def conv2d_output_shape(input_shape: tuple[int, ...], weight_shape: tuple[int, ...], stride: Pair,
                        padding: Padding, dilation: Pair) -> tuple[int, int, int, int]:
    n, _, h, w = input_shape
    out_channels, _, kh, kw = weight_shape
    return (n, out_channels,
            conv2d_output_size(h, kh, stride[0], padding[0], padding[1], dilation[0]),
            conv2d_output_size(w, kw, stride[1], padding[2], padding[3], dilation[1]))


# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------

def _compute_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _window_slice(offset: int, count: int, stride: int) -> slice:
    """The positions offset, offset + stride, ... (count of them) along one padded dim."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


def _padded_channels_last(x: np.ndarray, padding: Padding, dtype: np.dtype) -> np.ndarray:
    """x (N, C, H, W) zero-padded and stored channels last: (N, Hp, Wp, C), contiguous."""
    n, c, h, w = x.shape
    top, bottom, left, right = padding
    padded = np.zeros((n, h + top + bottom, w + left + right, c), dtype)
    padded[:, top:top + h, left:left + w] = x.transpose(0, 2, 3, 1)
    return padded


def _windows(padded: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair,
             out_hw: Pair) -> np.ndarray:
    """Every receptive field of padded (N, Hp, Wp, C) as a read-only view, no copy:
    windows[n, i, j, a, b, c] = padded[n, i*sh + a*dh, j*sw + b*dw, c]   (N, Ho, Wo, kh, kw, C)."""
    n, _, _, channels = padded.shape
    image, row, column, channel = padded.strides  # in bytes
    return as_strided(padded, (n, *out_hw, *kernel, channels),
                      (image, row * stride[0], column * stride[1], row * dilation[0],
                       column * dilation[1], channel), writeable=False)


def _columns(windows: np.ndarray, groups: int) -> np.ndarray:
    """The windows as the matrix cols, one per group: (G, N*Ho*Wo, kh*kw*C/g) (the one copy)."""
    n, out_h, out_w, kh, kw, channels = windows.shape
    split = windows.reshape(n, out_h, out_w, kh, kw, groups, channels // groups)
    return split.transpose(5, 0, 1, 2, 3, 4, 6).reshape(groups, n * out_h * out_w, -1)


def _weight_matrix(w: np.ndarray, groups: int) -> np.ndarray:
    """w (O, C/g, kh, kw) as (G, O/g, kh*kw*C/g): the column order of _columns."""
    out_channels, channels, kh, kw = w.shape
    return w.transpose(0, 2, 3, 1).reshape(groups, out_channels // groups, kh * kw * channels)


def _gradient_rows(dy: np.ndarray, groups: int) -> np.ndarray:
    """dy (N, O, Ho, Wo) as (G, N*Ho*Wo, O/g): one row per output pixel, like cols."""
    n, out_channels, out_h, out_w = dy.shape
    split = dy.reshape(n, groups, out_channels // groups, out_h, out_w)
    return split.transpose(1, 0, 3, 4, 2).reshape(groups, n * out_h * out_w, -1)


def _channels_first(channels: int, kw: int, stride_w: int, dilation_w: int, out_w: int,
                    groups: int) -> bool:
    """Which cols layout to build: the copy that builds cols moves runs of consecutive elements of
    padded x, and long runs are what make it fast (NumPy pays per run). Channels last, a run is a
    window row, kw * C elements (only C/g with dilation or groups); channels first, it is an output
    row, Wo elements (1 when strided). So channels last for the deep layers, channels first for
    the first layer of a network (C = 1 or 3) or big images."""
    last = channels // groups * (kw if dilation_w == 1 and groups == 1 else 1)
    return (out_w if stride_w == 1 else 1) > last


def _columns_channels_first(x: np.ndarray, kernel: Pair, stride: Pair, padding: Padding,
                            dilation: Pair, out_hw: Pair, groups: int,
                            dtype: np.dtype) -> np.ndarray:
    """cols in the other layout, one matrix per image and group: (N, G, K/g, Ho*Wo) with
    cols[n, g, (c, a, b), (i, j)] = x_padded[n, g*C/g + c, i*sh + a*dh, j*sw + b*dw], x stays
    channels first (N, C, Hp, Wp). Row order (c, a, b) is w's own: W = w.reshape(G, O/g, K/g)."""
    n, channels, h, w = x.shape
    top, bottom, left, right = padding
    padded = np.zeros((n, channels, h + top + bottom, w + left + right), dtype)
    padded[:, :, top:top + h, left:left + w] = x
    image, channel, row, column = padded.strides  # in bytes
    windows = as_strided(padded, (n, channels, *kernel, *out_hw),
                         (image, channel, row * dilation[0], column * dilation[1],
                          row * stride[0], column * stride[1]), writeable=False)
    return windows.reshape(n, groups, -1, out_hw[0] * out_hw[1])  # the one copy


def _input_columns(x: np.ndarray, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair,
                   out_hw: Pair, groups: int, dtype: np.dtype) -> np.ndarray:
    """cols of x (N, C, H, W) in the layout _channels_first picks for this geometry:
    (N, G, K/g, Ho*Wo) channels first, else (G, N*Ho*Wo, K/g)."""
    if _channels_first(x.shape[1], kernel[1], stride[1], dilation[1], out_hw[1], groups):
        return _columns_channels_first(x, kernel, stride, padding, dilation, out_hw, groups,
                                       dtype)
    padded = _padded_channels_last(x, padding, dtype)  # (N, Hp, Wp, C)
    return _columns(_windows(padded, kernel, stride, dilation, out_hw), groups)


def _convolve(x: np.ndarray, w: np.ndarray, stride: Pair, padding: Padding, dilation: Pair,
              groups: int, dtype: np.dtype, out_dtype: np.dtype,
              bias: np.ndarray | None = None) -> np.ndarray:
    """conv2d as one matmul of W and cols: (N, C, H, W) * (O, C/g, kh, kw) (+ bias (O,))
    -> flat contiguous (N, O, Ho, Wo) of out_dtype.
    Channels first (see _channels_first) it is W @ cols_n for each image n, and y comes out in
    its (N, O, Ho, Wo) order; channels last it is cols @ W^T, one row per output pixel, and y is
    copied back to (N, O, Ho, Wo) order. That copy, the rounding to out_dtype and the bias are
    one pass: np.add(y, bias, out=...) reads the transposed view and writes the result once."""
    n, out_channels, height, width = conv2d_output_shape(x.shape, w.shape, stride, padding,
                                                         dilation)
    cols = _input_columns(x, w.shape[2:], stride, padding, dilation, (height, width), groups,
                          dtype)
    if _channels_first(x.shape[1], w.shape[3], stride[1], dilation[1], width, groups):
        # cols (N, G, K/g, Ho*Wo)
        y = np.matmul(w.reshape(groups, out_channels // groups, -1), cols)  # (N, G, O/g, Ho*Wo)
        y = y.reshape(n, out_channels, height, width)  # contiguous already
    else:  # cols (G, N*Ho*Wo, K/g)
        y = np.matmul(cols, _weight_matrix(w, groups).transpose(0, 2, 1))  # (G, N*Ho*Wo, O/g)
        y = y.reshape(groups, n, height, width, -1).transpose(1, 0, 4, 2, 3)  # (N, G, O/g, ..)
        y = y.reshape(n, out_channels, height, width)  # a view, channels last in memory
    out = np.empty((n, out_channels, height, width), out_dtype)
    if bias is None:
        np.copyto(out, y, casting="unsafe")  # float16: computed in float32, rounded once here
    else:
        np.add(y, bias.astype(dtype, copy=False)[:, None, None], out=out, casting="unsafe")
    return out.reshape(-1)


def conv2d_reference(x: np.ndarray, x_view: View, w: np.ndarray, w_view: View, stride: Pair,
                     padding: Padding, dilation: Pair, groups: int, bias: np.ndarray | None = None,
                     bias_view: View | None = None) -> np.ndarray:
    """y = conv2d(x, w) + bias: (N, C, H, W) * (O, C/g, kh, kw) -> (N, O, Ho, Wo); bias (O,) is
    optional, added before the one rounding to x's dtype."""
    dtype = _compute_dtype(x.dtype)
    w_array = as_numpy(w, w_view).astype(dtype, copy=False)
    return _convolve(as_numpy(x, x_view), w_array, stride, padding, dilation, groups, dtype,
                     x.dtype, None if bias is None else as_numpy(bias, bias_view))


def _flipped_padding(input_shape: tuple[int, ...], output_hw: Pair, kernel: Pair,
                     padding: Padding, dilation: Pair) -> Padding:
    """The padding of dy for which conv2d(dy, flipped w) is the input gradient (stride 1):
    x row y meets dy row i = y + top - a*dh; with a' = kh-1-a that is y - top' + a'*dh where
    top' = dh*(kh-1) - top, and bottom' makes the result H rows (likewise for columns)."""
    top = dilation[0] * (kernel[0] - 1) - padding[0]
    left = dilation[1] * (kernel[1] - 1) - padding[2]
    bottom = input_shape[2] + dilation[0] * (kernel[0] - 1) - top - output_hw[0]
    right = input_shape[3] + dilation[1] * (kernel[1] - 1) - left - output_hw[1]
    return top, bottom, left, right


def conv2d_backward_input_reference(dy: np.ndarray, dy_view: View, w: np.ndarray, w_view: View,
                                    input_shape: tuple[int, ...], stride: Pair, padding: Padding,
                                    dilation: Pair, groups: int) -> np.ndarray:
    """dx (N, C, H, W) for the conv2d that produced dy.

    Stride 1: the input gradient is itself a convolution, of dy with the kernel flipped
    (a -> kh-1-a, b -> kw-1-b) and its channel dims swapped in each group, so it reuses the
    forward's one matmul. Otherwise col2im(dY @ W): dcols added back window by window."""
    dtype = _compute_dtype(dy.dtype)
    dy_array = as_numpy(dy, dy_view).astype(dtype, copy=False)
    w_array = as_numpy(w, w_view).astype(dtype, copy=False)
    n, channels, height, width = input_shape
    out_channels, _, kh, kw = w_view.shape
    out_h, out_w = dy_view.shape[2:]
    flipped_padding = _flipped_padding(input_shape, (out_h, out_w), (kh, kw), padding, dilation)
    if stride == (1, 1) and min(flipped_padding) >= 0:
        flipped = w_array[:, :, ::-1, ::-1].reshape(groups, out_channels // groups, -1, kh, kw)
        flipped = flipped.transpose(0, 2, 1, 3, 4).reshape(channels, -1, kh, kw)  # (C, O/g, ..)
        return _convolve(dy_array, flipped, stride, flipped_padding, dilation, groups, dtype,
                         dy.dtype)
    top, bottom, left, right = padding
    dcols = np.matmul(_gradient_rows(dy_array, groups), _weight_matrix(w_array, groups))
    # (G, N*Ho*Wo, kh*kw*C/g) -> (N, Ho, Wo, kh, kw, G, C/g): a view
    dcols = dcols.reshape(groups, n, out_h, out_w, kh, kw, -1).transpose(1, 2, 3, 4, 5, 0, 6)
    dx = np.zeros((n, height + top + bottom, width + left + right, groups, channels // groups),
                  dtype)  # padded, channels last
    for a in range(kh):  # col2im: one strided slice per kernel position
        rows = _window_slice(a * dilation[0], out_h, stride[0])
        for b in range(kw):
            dx[:, rows, _window_slice(b * dilation[1], out_w, stride[1])] += dcols[:, :, :, a, b]
    dx = dx[:, top:top + height, left:left + width].reshape(n, height, width, channels)
    return np.ascontiguousarray(dx.transpose(0, 3, 1, 2), dtype=dy.dtype).reshape(-1)


def conv2d_backward_weight_reference(dy: np.ndarray, dy_view: View, x: np.ndarray, x_view: View,
                                     weight_shape: tuple[int, ...], stride: Pair,
                                     padding: Padding, dilation: Pair, groups: int
                                     ) -> np.ndarray:
    """dW (O, C/g, kh, kw) = sum over images n of dY_n @ cols_n for the conv2d of x that made dy.

    dY_n (O/g, Ho*Wo) is image n of dy as it is stored (N, O, Ho, Wo), and cols_n its part of
    cols (in the layout the forward picked): one batched matmul over the images and a sum,
    instead of the single product cols^T @ dY, which would first need dy copied into pixel rows
    (N*Ho*Wo, O), a transpose."""
    dtype = _compute_dtype(dy.dtype)
    dy_array = as_numpy(dy, dy_view).astype(dtype, copy=False)
    x_array = as_numpy(x, x_view)
    n, out_channels, out_h, out_w = dy_view.shape
    _, channels, kh, kw = weight_shape
    dy_rows = dy_array.reshape(n, groups, -1, out_h * out_w)  # (N, G, O/g, Ho*Wo): a view
    # cols is built again rather than kept from the forward: kept, the forward's cols (MBs) is
    # cold in cache by now and, held across the step, it changes the allocator's pattern enough
    # to cost page faults (an eager CNN step measured 0.1 -> 1900 minor faults and 4.5 -> 8.8 ms)
    cols = _input_columns(x_array, (kh, kw), stride, padding, dilation, (out_h, out_w), groups,
                          dtype)
    if _channels_first(x_view.shape[1], kw, stride[1], dilation[1], out_w, groups):
        # cols (N, G, K/g, Ho*Wo)
        dw = np.matmul(dy_rows, cols.transpose(0, 1, 3, 2)).sum(axis=0)  # (G, O/g, K/g)
        return np.ascontiguousarray(dw, dtype=dy.dtype).reshape(-1)  # K/g in (c, a, b) order
    cols = cols.reshape(groups, n, out_h * out_w, -1)  # (G, N, Ho*Wo, K/g): a view
    dw = np.matmul(dy_rows.transpose(1, 0, 2, 3), cols).sum(axis=1)  # (G, O/g, K/g)
    dw = dw.reshape(out_channels, kh, kw, channels).transpose(0, 3, 1, 2)  # (O, C/g, kh, kw)
    return np.ascontiguousarray(dw, dtype=dy.dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: implicit GEMM. The three products above are matmuls of W, cols and dY, but
# on a GPU the cols matrix (C*kh*kw x N*Ho*Wo, kh*kw times bigger than x) would cost more memory
# traffic than the arithmetic. So no cols is built: the tiled matmul of matmul.py computes the
# *address* of every cols element it needs (channel c and kernel offset (a, b) from the row
# k = (c * kh + a) * kw + b, image n and output pixel (i, j) from the column p) and loads it
# straight from x, with a mask for the padding. One kernel, three modes:
#   forward  y[o, p]    = sum_k W[o, k] cols[k, p]     (M = O/g, N = N*Ho*Wo, K = C/g*kh*kw)
#   weight   dW[o, k]   = sum_p dY[o, p] cols[k, p]    (M = O/g, N = C/g*kh*kw, K = N*Ho*Wo)
#   input    dx[c, q]   = sum_k W[o, c, a, b] dY[o, the output pixel whose window puts (a, b)
#                         on input pixel q = (n, y, x)],  k = (o * kh + a) * kw + b
#                         (M = C/g, N = N*H*W, K = O/g*kh*kw)
#            that pixel is (i, j) with i * sh = y + pt - a * dh (likewise j): a term exists only
#            where the division is exact and (i, j) lies inside dY.
# The input gradient is a *gather*: each dx element sums the windows that cover it and is stored
# once. (Scattering dcols = W^T dY back through the windows instead, col2im, needs a zero-filled
# dx and an atomic add per window element: a launch and a read-modify-write more.)
# The group and the tile share grid axis 0 (group = program // tiles); tiles are numbered in
# matmul.py's grouped ordering, and on a GPU the tile is autotuned over the same Hopper
# candidates (matmul.HOPPER_TILES, fitted to this mode's M, N, K), keyed on the convolution's
# sizes and mode (CONV_AUTOTUNE_KEY); under the interpreter, matmul.fixed_tile picks one.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .matmul import grouped_tile, planning_tile, split_k, tiled_launch  # noqa: E402
from .triton_support import (  # noqa: E402
    cdiv,
    empty,
    lane_positions,
    needs_int64,
    numpy_dtype,
    program_number,
    tl,
    triton_kernel,
)


@triton_kernel
def _kernel_position(k, kernel):
    """(channel, a, b) of the reduction index k = (channel * kh + a) * kw + b."""
    return k // (kernel[0] * kernel[1]), (k // kernel[1]) % kernel[0], k % kernel[1]


@triton_kernel
def _pixel(p, hw):
    """(n, i, j) of the flat pixel number p = (n * h + i) * w + j."""
    return p // (hw[0] * hw[1]), (p // hw[1]) % hw[0], p % hw[1]


@triton_kernel
def _window_element(n, i, j, a, b, x_shape, x_strides, stride, padding, dilation):
    """Where element (a, b) of output pixel (n, i, j)'s window lies in x: its offset in x
    (channel 0), and whether it is inside x (else it is padding: a zero). The pixel part
    (i, j) and the kernel part (a, b) are combined last: when they are a column and a row of
    indices, only that sum is a 2-D tile."""
    row = i * stride[0] - padding[0] + a * dilation[0]
    column = j * stride[1] - padding[1] + b * dilation[1]
    inside = (row >= 0) & (row < x_shape[2]) & (column >= 0) & (column < x_shape[3])
    return n * x_strides[0] + row * x_strides[2] + column * x_strides[3], inside


@triton_kernel
def _covering_output(n, y, x, a, b, dy_strides, stride, padding, dilation, out_hw):
    """The output pixel whose window puts kernel element (a, b) on input pixel (n, y, x): its
    offset in dY (channel 0), and whether there is one.
    Output row i reads input row i * sh - pt + a * dh, so i * sh = Y - A with Y = y + pt and
    A = a * dh (both >= 0). An integer i exists iff Y and A leave the same remainder mod sh,
    and then i = Y // sh - A // sh exactly (likewise j); it must also lie in 0 .. Ho - 1."""
    rows_y, rows_a = y + padding[0], a * dilation[0]
    columns_x, columns_b = x + padding[1], b * dilation[1]
    i = rows_y // stride[0] - rows_a // stride[0]
    j = columns_x // stride[1] - columns_b // stride[1]
    valid = ((rows_y % stride[0] == rows_a % stride[0]) & (i >= 0) & (i < out_hw[0])
             & (columns_x % stride[1] == columns_b % stride[1]) & (j >= 0) & (j < out_hw[1]))
    return n * dy_strides[0] + i * dy_strides[2] + j * dy_strides[3], valid


@triton_kernel
def conv2d_gemm_kernel(x_ptr, w_ptr, dy_ptr,        # input, weight, output gradient (views)
                       out_ptr,                     # y, dW or dx (contiguous)
                       x_shape, x_strides, w_strides, dy_strides,  # tuples (4 entries each)
                       x_offset, w_offset, dy_offset,
                       kernel, stride, padding, dilation, out_hw,  # tuples: (h, w) pairs;
                                                                   # padding: (top, left)
                       channels_per_group, outs_per_group, out_channels,
                       M, N, K,                     # this mode's matmul sizes
                       splits, k_chunk,             # split-K ("weight" mode): K in pieces
                       bias_ptr, bias_offset, bias_stride,  # "forward": y += bias[o]
                       MODE: tl.constexpr,          # "forward", "weight" or "input"
                       USE_DOT: tl.constexpr, PRECISION: tl.constexpr,
                       BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                       GROUP_M: tl.constexpr,       # rows of tiles per group (L2 reuse)
                       HAS_BIAS: tl.constexpr = False,
                       INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    tiles_m, tiles_n = tl.cdiv(M, BLOCK_M), tl.cdiv(N, BLOCK_N)
    tiles = tiles_m * tiles_n
    program = program_number(INT64)
    split = program % splits  # which piece of K (split-K: out holds `splits` partial sums)
    program = program // splits
    group = program // tiles  # groups are folded into grid axis 0 (axis 1 stops at 65 535)
    tile_m, tile_n = grouped_tile(program % tiles, tiles_m, tiles_n, GROUP_M)
    rows = tile_m * BLOCK_M + lane_positions(BLOCK_M, INT64)                       # (BLOCK_M,)
    columns = tile_n * BLOCK_N + lane_positions(BLOCK_N, INT64)                    # (BLOCK_N,)
    inside = (rows < M)[:, None] & (columns < N)[None, :]           # (BLOCK_M, BLOCK_N) of out
    accumulator = tl.zeros([BLOCK_M, BLOCK_N], dtype=tl.float32)
    if not USE_DOT:
        accumulator = accumulator.to(tl.float64)
    x_base = x_ptr + x_offset + group * channels_per_group * x_strides[1]
    w_base = w_ptr + w_offset + group * outs_per_group * w_strides[0]
    dy_base = dy_ptr + dy_offset + group * outs_per_group * dy_strides[1]
    if MODE == "forward":  # the columns: output pixels
        n, i, j = _pixel(columns, out_hw)
    elif MODE == "input":  # the columns: input pixels
        n, i, j = _pixel(columns, (x_shape[2], x_shape[3]))
    else:  # the columns: kernel positions k = (c, a, b) of dW
        c, a, b = _kernel_position(columns, kernel)
    k_end = tl.minimum((split + 1) * k_chunk, K)
    for start in range(split * k_chunk, k_end, BLOCK_K):
        ks = start + lane_positions(BLOCK_K, INT64)                                 # (BLOCK_K,)
        k_ok = ks < k_end  # this piece's columns of A, rows of B
        if MODE == "forward":   # A = W[rows, ks], B = cols[ks, columns]
            c, a, b = _kernel_position(ks, kernel)
            a_at = rows[:, None] * w_strides[0] + (c * w_strides[1] + a * w_strides[2]
                                                   + b * w_strides[3])[None, :]
            a_mask = (rows < M)[:, None] & k_ok[None, :]
            b_at, b_mask = _window_element(n[None, :], i[None, :], j[None, :], a[:, None],
                                           b[:, None], x_shape, x_strides, stride, padding,
                                           dilation)
            a_tile = tl.load(w_base + a_at, mask=a_mask, other=0)
            b_tile = tl.load(x_base + (c * x_strides[1])[:, None] + b_at,
                             mask=b_mask & k_ok[:, None] & (columns < N)[None, :], other=0)
        elif MODE == "weight":  # A = dY[rows, ks], B = cols[columns, ks]^T
            n, i, j = _pixel(ks, out_hw)
            a_at = rows[:, None] * dy_strides[1] + (n * dy_strides[0] + i * dy_strides[2]
                                                    + j * dy_strides[3])[None, :]
            a_mask = (rows < M)[:, None] & k_ok[None, :]
            b_at, b_mask = _window_element(n[:, None], i[:, None], j[:, None], a[None, :],
                                           b[None, :], x_shape, x_strides, stride, padding,
                                           dilation)
            a_tile = tl.load(dy_base + a_at, mask=a_mask, other=0)
            b_tile = tl.load(x_base + b_at + (c * x_strides[1])[None, :],
                             mask=b_mask & k_ok[:, None] & (columns < N)[None, :], other=0)
        else:                   # A = W[ks, rows]^T (ks = (o, a, b)), B = dY[o, covering pixel]
            o, a, b = _kernel_position(ks, kernel)
            a_at = rows[:, None] * w_strides[1] + (o * w_strides[0] + a * w_strides[2]
                                                   + b * w_strides[3])[None, :]
            a_mask = (rows < M)[:, None] & k_ok[None, :]
            b_at, b_mask = _covering_output(n[None, :], i[None, :], j[None, :], a[:, None],
                                            b[:, None], dy_strides, stride, padding, dilation,
                                            out_hw)
            a_tile = tl.load(w_base + a_at, mask=a_mask, other=0)
            b_tile = tl.load(dy_base + (o * dy_strides[1])[:, None] + b_at,
                             mask=b_mask & k_ok[:, None] & (columns < N)[None, :], other=0)
        if USE_DOT:
            accumulator = tl.dot(a_tile, b_tile, accumulator, input_precision=PRECISION)
        else:
            accumulator += tl.sum(a_tile.to(tl.float64)[:, :, None]
                                  * b_tile.to(tl.float64)[None, :, :], axis=1)
    if HAS_BIAS:  # the epilogue: one bias per output channel (row), no launch of its own
        bias = tl.load(bias_ptr + bias_offset + (group * M + rows) * bias_stride,
                       mask=rows < M, other=0)
        accumulator += bias.to(accumulator.dtype)[:, None]
    result = accumulator.to(out_ptr.dtype.element_ty)
    if MODE == "weight":  # dW[group * O/g + row, k] (contiguous), of this piece of K
        at = (split * out_channels + group * outs_per_group + rows[:, None]) * N + columns[None, :]
    else:  # y[n, group * O/g + row, i, j] or dx[n, group * C/g + row, y, x]: (N, channels, h, w)
        if MODE == "forward":
            plane, channels = out_hw[0] * out_hw[1], out_channels
        else:
            plane, channels = x_shape[2] * x_shape[3], x_shape[1]
        at = (((columns // plane)[None, :] * channels + group * M + rows[:, None]) * plane
              + (columns % plane)[None, :])
    tl.store(out_ptr + at, result, mask=inside)


# What conv2d_gemm_kernel's autotuner keys on: the convolution's sizes (and so this mode's M, N,
# K), the split-K plan, and the constexprs that change the compiled kernel (dtypes: Triton's own).
CONV_AUTOTUNE_KEY = ["x_shape", "kernel", "stride", "padding", "dilation", "out_hw",
                     "channels_per_group", "outs_per_group", "M", "N", "K", "splits", "k_chunk",
                     "MODE", "USE_DOT", "PRECISION", "HAS_BIAS", "INT64"]


def _launch(mode: str, x: Any, x_view: View | None, w: Any, w_view: View | None, dy: Any,
            dy_view: View | None, out: Any, x_shape: tuple[int, ...], w_shape: tuple[int, ...],
            stride: Pair, padding: Padding, dilation: Pair, groups: int,
            out_hw: Pair, dtype: np.dtype, bias: Any = None, bias_view: View | None = None
            ) -> Any:
    """Launch one mode of the implicit GEMM into out (the forward adds bias if given); returns
    out (or, after a split-K weight gradient, the summed pieces, a new buffer)."""
    n, channels, height, width = x_shape
    out_channels, channels_per_group, kh, kw = w_shape
    outs_per_group = out_channels // groups
    k_size, p_size = channels_per_group * kh * kw, n * out_hw[0] * out_hw[1]
    M, N, K = {"forward": (outs_per_group, p_size, k_size),
               "weight": (outs_per_group, k_size, p_size),
               "input": (channels_per_group, n * height * width, outs_per_group * kh * kw)}[mode]
    # tl.dot only for float16/bfloat16/float32: integer operands take the exact multiply-add path
    # (tl.dot on int32 is not supported by the tensor cores; on uint8 it would overflow int8)
    use_dot = dtype.kind == "f" and dtype.itemsize <= 4
    unused = View((1, 1, 1, 1), (0, 0, 0, 0), 0)  # the operand a mode does not read
    x_view, w_view, dy_view = x_view or unused, w_view or unused, dy_view or unused
    plan = planning_tile(M, N, K, use_dot)  # the tile split-K counts programs with
    programs = cdiv(M, plan["BLOCK_M"]) * cdiv(N, plan["BLOCK_N"]) * groups
    splits, k_chunk = (split_k(programs, K, plan["BLOCK_K"], use_dot) if mode == "weight"
                       else (1, K))
    target = out if splits == 1 else empty(splits * out.numel(), np.dtype(np.float32))
    tiled_launch(conv2d_gemm_kernel, CONV_AUTOTUNE_KEY, M, N, K, use_dot, groups * splits)(
        x if x is not None else out, w if w is not None else out,
        dy if dy is not None else out, target, tuple(x_shape), x_view.strides, w_view.strides,
        dy_view.strides, x_view.offset, w_view.offset, dy_view.offset, (kh, kw), tuple(stride),
        (padding[0], padding[2]), tuple(dilation), tuple(out_hw), channels_per_group,
        outs_per_group, out_channels, M, N, K, splits, k_chunk,
        bias if bias is not None else out, bias_view.offset if bias_view else 0,
        bias_view.strides[0] if bias_view else 0, MODE=mode, USE_DOT=use_dot,
        PRECISION="ieee", HAS_BIAS=bias is not None,
        INT64=needs_int64(x_view, w_view, dy_view, bias_view, target.numel(), M * N, N * K, M * K))
    if splits > 1:  # the weight gradient's pieces of K (N * Ho * Wo), summed into out
        from .elementwise import cast_triton
        from .reduce import reduce_triton

        total = reduce_triton("sum", target, View((splits, out.numel()), (out.numel(), 1), 0),
                              (0,))
        if dtype != np.float32:
            total = cast_triton(total, View((out.numel(),), (1,), 0), dtype)
        return total
    return out


def conv2d_triton(x: Any, x_view: View, w: Any, w_view: View, stride: Pair, padding: Padding,
                  dilation: Pair, groups: int, bias: Any = None, bias_view: View | None = None
                  ) -> Any:
    """y = conv2d(x, w) + bias as one implicit-GEMM kernel (the bias, if any, added in its
    epilogue); same contract as the reference."""
    shape = conv2d_output_shape(x_view.shape, w_view.shape, stride, padding, dilation)
    out = empty(shape[0] * shape[1] * shape[2] * shape[3], numpy_dtype(x))
    if out.numel():
        _launch("forward", x, x_view, w, w_view, None, None, out, x_view.shape, w_view.shape,
                stride, padding, dilation, groups, shape[2:], numpy_dtype(x), bias, bias_view)
    return out


def conv2d_backward_input_triton(dy: Any, dy_view: View, w: Any, w_view: View,
                                 input_shape: tuple[int, ...], stride: Pair, padding: Padding,
                                 dilation: Pair, groups: int) -> Any:
    """dx of conv2d: each dx element gathers W^T dY over the windows that cover it (one store
    per element: no zero fill, no atomics)."""
    dtype = numpy_dtype(dy)
    numel = input_shape[0] * input_shape[1] * input_shape[2] * input_shape[3]
    dx = empty(numel, dtype)  # every element is stored once (no output channel: a sum of none)
    if numel:
        _launch("input", None, None, w, w_view, dy, dy_view, dx, input_shape, w_view.shape,
                stride, padding, dilation, groups, dy_view.shape[2:], dtype)
    return dx


def conv2d_backward_weight_triton(dy: Any, dy_view: View, x: Any, x_view: View,
                                  weight_shape: tuple[int, ...], stride: Pair,
                                  padding: Padding, dilation: Pair, groups: int) -> Any:
    """dW of conv2d: dY @ cols^T, with cols read straight from x."""
    dtype = numpy_dtype(dy)
    out = empty(weight_shape[0] * weight_shape[1] * weight_shape[2] * weight_shape[3], dtype)
    if out.numel():
        return _launch("weight", x, x_view, None, None, dy, dy_view, out, x_view.shape,
                       weight_shape, stride, padding, dilation, groups, dy_view.shape[2:], dtype)
    return out
