"""Hand-written NumPy versions of the benchmark networks: the "no framework" baseline.

Forward, backward and the SGD-momentum update are written out by hand for exactly one network each,
with no graph, no dispatch and no generality: what remains is the arithmetic. The CNN uses im2col
(a strided view of the padded input copied into a matrix, then one BLAS matmul per convolution),
the usual way to write a convolution in NumPy, on activations kept channels last. Initial weights
come from the caller, so all three implementations start from one state.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


def _cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient with respect to the logits."""
    shifted = logits - logits.max(1, keepdims=True)
    probabilities = np.exp(shifted)
    probabilities /= probabilities.sum(1, keepdims=True)
    rows = np.arange(len(labels))
    loss = -np.log(probabilities[rows, labels]).mean()
    probabilities[rows, labels] -= 1
    return float(loss), probabilities / len(labels)


class SGDMomentum:
    """b = mu * b + g (b = g on the first step); p -= lr * b — PyTorch's SGD with momentum."""

    def __init__(self, params: list[np.ndarray], lr: float, momentum: float):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.buffers: list[np.ndarray | None] = [None] * len(params)

    def step(self, grads: list[np.ndarray]) -> None:
        for i, (param, grad) in enumerate(zip(self.params, grads)):
            if self.buffers[i] is None:
                self.buffers[i] = grad.copy()
            else:
                self.buffers[i] *= self.momentum
                self.buffers[i] += grad
            param -= self.lr * self.buffers[i]


class NumpyMLP:
    """Linear-ReLU-Linear-ReLU-Linear with weights (out, in) as in nn.Linear."""

    def __init__(self, weights: list[np.ndarray], lr: float, momentum: float):
        self.params = [w.copy() for w in weights]  # w1, b1, w2, b2, w3, b3
        self.optimizer = SGDMomentum(self.params, lr, momentum)

    def step(self, x: np.ndarray, labels: np.ndarray) -> float:
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = np.maximum(x @ w1.T + b1, 0)
        h2 = np.maximum(h1 @ w2.T + b2, 0)
        loss, d_logits = _cross_entropy_grad(h2 @ w3.T + b3, labels)
        d_h2 = (d_logits @ w3) * (h2 > 0)
        d_h1 = (d_h2 @ w2) * (h1 > 0)
        self.optimizer.step([d_h1.T @ x, d_h1.sum(0), d_h2.T @ h1, d_h2.sum(0),
                             d_logits.T @ h2, d_logits.sum(0)])
        return loss


def _im2col(x: np.ndarray) -> np.ndarray:
    """x (N, H, W, C) channels last -> cols (N*H*W, 9*C): the 3x3 windows (padding 1) as rows.
    The windows are a strided view of the padded x; reshaping it is the one copy, and channels
    last it copies runs of 3*C consecutive numbers (a window row), which NumPy does fast."""
    n, h, width, c = x.shape
    padded = np.zeros((n, h + 2, width + 2, c), x.dtype)
    padded[:, 1:-1, 1:-1] = x
    image, row, column, channel = padded.strides
    windows = as_strided(padded, (n, h, width, 3, 3, c),
                         (image, row, column, row, column, channel), writeable=False)
    return windows.reshape(n * h * width, 9 * c)


def _conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """3x3 convolution, padding 1, stride 1, channels last: (N, H, W, C) -> (N, H, W, O) by
    im2col and one matmul; returns (y, cols), cols kept for the weight gradient."""
    cols = _im2col(x)  # (N*H*W, 9*C), columns in (a, b, c) order
    w_matrix = w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1)  # (O, 9*C), same order
    y = cols @ w_matrix.T + b  # (N*H*W, O): already channels last, no transpose
    return y.reshape(*x.shape[:3], -1), cols


def _conv_backward(dy: np.ndarray, cols: np.ndarray, w: np.ndarray, needs_dx: bool
                   ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """(dx, dw, db) of the 3x3 padding-1 convolution, channels last. dw = dY^T @ cols with the
    forward's cols; dx (only if needed) is itself a 3x3 convolution of dy, by the kernel flipped
    in both directions with its in/out channels swapped (im2col of dy and one matmul)."""
    n, h, width, out_channels = dy.shape
    dy_rows = dy.reshape(-1, out_channels)  # (N*H*W, O)
    dw = (dy_rows.T @ cols).reshape(out_channels, 3, 3, -1).transpose(0, 3, 1, 2)
    dx = None
    if needs_dx:
        flipped = w[:, :, ::-1, ::-1].transpose(2, 3, 0, 1).reshape(9 * out_channels, -1)
        dx = (_im2col(dy) @ flipped).reshape(n, h, width, -1)  # (N, H, W, C)
    return dx, dw, dy_rows.sum(0)


class NumpyCNN:
    """conv(1->16)-relu-conv(16->32)-relu-maxpool2-fc(512->64)-relu-fc(64->10) on 8x8 images.
    Activations are kept channels last (N, H, W, C), the layout im2col and the matmuls want, so
    no transposes are needed except once for the flatten (PyTorch flattens in (C, H, W) order)."""

    def __init__(self, weights: list[np.ndarray], lr: float, momentum: float):
        self.params = [w.copy() for w in weights]  # c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b
        self.optimizer = SGDMomentum(self.params, lr, momentum)

    def step(self, x: np.ndarray, labels: np.ndarray) -> float:
        c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b = self.params
        n = x.shape[0]
        a1, cols1 = _conv_forward(x.transpose(0, 2, 3, 1), c1w, c1b)  # (N, 8, 8, 16)
        r1 = np.maximum(a1, 0)
        a2, cols2 = _conv_forward(r1, c2w, c2b)  # (N, 8, 8, 32)
        r2 = np.maximum(a2, 0)
        tiles = r2.reshape(n, 4, 2, 4, 2, 32)  # 2x2 max pool: the max of 4 strided views
        corners = [tiles[:, :, a, :, b] for a in range(2) for b in range(2)]  # (N, 4, 4, 32)
        pooled = np.maximum(np.maximum(corners[0], corners[1]),
                            np.maximum(corners[2], corners[3]))
        flat = pooled.transpose(0, 3, 1, 2).reshape(n, -1)  # (N, 512) in (C, H, W) order
        h = np.maximum(flat @ f1w.T + f1b, 0)
        loss, d_logits = _cross_entropy_grad(h @ f2w.T + f2b, labels)
        d_h = (d_logits @ f2w) * (h > 0)
        d_pooled = (d_h @ f1w).reshape(n, 32, 4, 4).transpose(0, 2, 3, 1)  # (N, 4, 4, 32)
        d_a2 = np.zeros_like(r2)
        d_tiles = d_a2.reshape(tiles.shape)
        for k, corner in enumerate(corners):  # dy to the max; ties among positive values are
            # measure-zero, and where the max is 0 the ReLU mask below zeroes the gradient anyway
            d_tiles[:, :, k // 2, :, k % 2] = d_pooled * (corner == pooled)
        d_a2 *= a2 > 0
        d_r1, d_c2w, d_c2b = _conv_backward(d_a2, cols2, c2w, needs_dx=True)
        _, d_c1w, d_c1b = _conv_backward(d_r1 * (a1 > 0), cols1, c1w, needs_dx=False)
        self.optimizer.step([d_c1w, d_c1b, d_c2w, d_c2b, d_h.T @ flat, d_h.sum(0),
                             d_logits.T @ h, d_logits.sum(0)])
        return loss
