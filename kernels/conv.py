"""2-D convolution and its two backward products, lowered to one big matrix multiplication each.

    conv2d(x, w)                   y[n, o, i, j] = sum_{c, a, b} w[o, c, a, b] *
                                                   x_padded[n, c, i*sh + a*dh, j*sw + b*dw]
    conv2d_backward_input(dy, w)   dx = the transpose of that map applied to dy
    conv2d_backward_weight(dy, x)  dw[o, c, a, b] = sum_{n, i, j} dy[n, o, i, j] * x_padded[...]

    x: (N, C, H, W)   w: (O, C/groups, kh, kw)   y, dy: (N, O, Ho, Wo)
    Ho = (H + pad_top + pad_bottom - dh * (kh - 1) - 1) // sh + 1        (likewise Wo)

im2col: copy every receptive field of x into a column of a matrix `cols` of shape
(C * kh * kw, N * Ho * Wo). Then the convolution is one matmul, W (O, C*kh*kw) @ cols, which BLAS
runs near peak speed; the backward products are the two other matmuls of the same three matrices:

    y  = W @ cols          dW = dY @ cols^T          dcols = W^T @ dY   then col2im(dcols) = dx

col2im adds each column back where it came from (receptive fields overlap, so sums). Groups split C
and O into independent blocks: a batched matmul with the group as batch dim. The columns are built
with kh * kw strided slice copies (not one element at a time), channels first, so each copy moves
long contiguous runs and the matmul's result is already laid out (O, N, Ho, Wo).

padding is (top, bottom, left, right): asymmetric padding is what padding='same' needs for even
kernels. float16 is computed in float32.
"""

from __future__ import annotations

import numpy as np

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


def _padded_channels_first(x: np.ndarray, padding: Padding, dtype: np.dtype) -> np.ndarray:
    """x (N, C, H, W) zero-padded and transposed to (C, N, Hp, Wp), contiguous."""
    n, c, h, w = x.shape
    top, bottom, left, right = padding
    padded = np.zeros((c, n, h + top + bottom, w + left + right), dtype)
    padded[:, :, top:top + h, left:left + w] = x.transpose(1, 0, 2, 3)
    return padded


def _im2col(x: np.ndarray, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair,
            out_hw: Pair, dtype: np.dtype) -> np.ndarray:
    """cols (C, kh, kw, N, Ho, Wo): cols[c, a, b, n, i, j] = x_padded[n, c, i*sh + a*dh, ...]."""
    padded = _padded_channels_first(x, padding, dtype)  # (C, N, Hp, Wp)
    (kh, kw), (out_h, out_w) = kernel, out_hw
    cols = np.empty((padded.shape[0], kh, kw, padded.shape[1], out_h, out_w), dtype)
    for a in range(kh):
        rows = _window_slice(a * dilation[0], out_h, stride[0])
        for b in range(kw):
            cols[:, a, b] = padded[:, :, rows, _window_slice(b * dilation[1], out_w, stride[1])]
    return cols


def _col2im(cols: np.ndarray, input_shape: tuple[int, ...], stride: Pair, padding: Padding,
            dilation: Pair) -> np.ndarray:
    """The adjoint of _im2col: add every column entry back into x's position; (N, C, H, W)."""
    n, c, h, w = input_shape
    top, bottom, left, right = padding
    _, kh, kw, _, out_h, out_w = cols.shape
    padded = np.zeros((c, n, h + top + bottom, w + left + right), cols.dtype)
    for a in range(kh):
        rows = _window_slice(a * dilation[0], out_h, stride[0])
        for b in range(kw):
            padded[:, :, rows, _window_slice(b * dilation[1], out_w, stride[1])] += cols[:, a, b]
    return padded[:, :, top:top + h, left:left + w].transpose(1, 0, 2, 3)


def _grouped(matrix: np.ndarray, groups: int) -> np.ndarray:
    """(rows, cols) -> (groups, rows / groups, cols): the group becomes a batch dim."""
    return matrix.reshape(groups, matrix.shape[0] // groups, matrix.shape[1])


def conv2d_reference(x: np.ndarray, x_view: View, w: np.ndarray, w_view: View, stride: Pair,
                     padding: Padding, dilation: Pair, groups: int) -> np.ndarray:
    """y = conv2d(x, w) (no bias): (N, C, H, W) * (O, C/g, kh, kw) -> (N, O, Ho, Wo)."""
    dtype = _compute_dtype(x.dtype)
    x_array, w_array = as_numpy(x, x_view), as_numpy(w, w_view).astype(dtype, copy=False)
    n, out_channels, out_h, out_w = conv2d_output_shape(x_view.shape, w_view.shape, stride,
                                                        padding, dilation)
    kernel = w_view.shape[2:]
    cols = _im2col(x_array, kernel, stride, padding, dilation, (out_h, out_w), dtype)
    cols = _grouped(cols.reshape(-1, n * out_h * out_w), groups)  # (G, C/g*kh*kw, N*Ho*Wo)
    weights = _grouped(w_array.reshape(out_channels, -1), groups)  # (G, O/g, C/g*kh*kw)
    y = np.matmul(weights, cols).reshape(out_channels, n, out_h, out_w)
    return np.ascontiguousarray(y.transpose(1, 0, 2, 3), dtype=x.dtype).reshape(-1)


def conv2d_backward_input_reference(dy: np.ndarray, dy_view: View, w: np.ndarray, w_view: View,
                                    input_shape: tuple[int, ...], stride: Pair, padding: Padding,
                                    dilation: Pair, groups: int) -> np.ndarray:
    """dx (N, C, H, W) = col2im(W^T @ dY) for the conv2d that produced dy."""
    dtype = _compute_dtype(dy.dtype)
    dy_array = as_numpy(dy, dy_view).astype(dtype, copy=False)
    w_array = as_numpy(w, w_view).astype(dtype, copy=False)
    n, out_channels, out_h, out_w = dy_view.shape
    _, _, kh, kw = w_view.shape
    dy_matrix = _grouped(dy_array.transpose(1, 0, 2, 3).reshape(out_channels, -1), groups)
    weights = _grouped(w_array.reshape(out_channels, -1), groups)  # (G, O/g, C/g*kh*kw)
    dcols = np.matmul(weights.transpose(0, 2, 1), dy_matrix)  # (G, C/g*kh*kw, N*Ho*Wo)
    dcols = dcols.reshape(input_shape[1], kh, kw, n, out_h, out_w)
    dx = _col2im(dcols, input_shape, stride, padding, dilation)
    return np.ascontiguousarray(dx, dtype=dy.dtype).reshape(-1)


def conv2d_backward_weight_reference(dy: np.ndarray, dy_view: View, x: np.ndarray, x_view: View,
                                     weight_shape: tuple[int, ...], stride: Pair,
                                     padding: Padding, dilation: Pair, groups: int
                                     ) -> np.ndarray:
    """dW (O, C/g, kh, kw) = dY @ cols^T for the conv2d of x that produced dy."""
    dtype = _compute_dtype(dy.dtype)
    dy_array = as_numpy(dy, dy_view).astype(dtype, copy=False)
    n, out_channels, out_h, out_w = dy_view.shape
    cols = _im2col(as_numpy(x, x_view), weight_shape[2:], stride, padding, dilation,
                   (out_h, out_w), dtype)
    cols = _grouped(cols.reshape(-1, n * out_h * out_w), groups)  # (G, C/g*kh*kw, N*Ho*Wo)
    dy_matrix = _grouped(dy_array.transpose(1, 0, 2, 3).reshape(out_channels, -1), groups)
    dw = np.matmul(dy_matrix, cols.transpose(0, 2, 1))  # (G, O/g, C/g*kh*kw)
    return np.ascontiguousarray(dw, dtype=dy.dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton kernels: the GPU implementations of conv2d, conv2d_backward_input and
# conv2d_backward_weight go here (the Triton backend's engineer writes them).
# ----------------------------------------------------------------------------------------------
