"""Hand-written NumPy versions of the benchmark networks: the "no framework" baseline.

Forward, backward and the SGD-momentum update are written out by hand for exactly one network each,
with no graph, no dispatch and no generality: what remains is the arithmetic. The CNN uses im2col
(sliding_window_view + one BLAS matmul per convolution), the usual way to write a convolution in
NumPy. Initial weights come from the caller, so all three implementations start from one state.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


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


def _conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """3x3 convolution, padding 1, stride 1, by im2col; returns (y, cols) for the backward."""
    n, c, h, width = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = sliding_window_view(padded, (3, 3), axis=(2, 3))  # (N, C, H, W, 3, 3)
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * width, c * 9)
    y = cols @ w.reshape(w.shape[0], -1).T + b  # (N*H*W, O)
    return y.reshape(n, h, width, -1).transpose(0, 3, 1, 2), cols


def _conv_backward(dy: np.ndarray, cols: np.ndarray, w: np.ndarray, x_shape: tuple
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dw, db) of the 3x3 padding-1 convolution: matmuls, then col2im for dx."""
    n, c, h, width = x_shape
    dy_rows = dy.transpose(0, 2, 3, 1).reshape(n * h * width, -1)  # (N*H*W, O)
    dw = (dy_rows.T @ cols).reshape(w.shape)
    d_cols = (dy_rows @ w.reshape(w.shape[0], -1)).reshape(n, h, width, c, 3, 3)
    d_padded = np.zeros((n, c, h + 2, width + 2), dy.dtype)
    for i in range(3):
        for j in range(3):
            d_padded[:, :, i:i + h, j:j + width] += d_cols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return d_padded[:, :, 1:-1, 1:-1], dw, dy_rows.sum(0)


class NumpyCNN:
    """conv(1->16)-relu-conv(16->32)-relu-maxpool2-fc(512->64)-relu-fc(64->10) on 8x8 images."""

    def __init__(self, weights: list[np.ndarray], lr: float, momentum: float):
        self.params = [w.copy() for w in weights]  # c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b
        self.optimizer = SGDMomentum(self.params, lr, momentum)

    def step(self, x: np.ndarray, labels: np.ndarray) -> float:
        c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b = self.params
        a1, cols1 = _conv_forward(x, c1w, c1b)
        r1 = np.maximum(a1, 0)
        a2, cols2 = _conv_forward(r1, c2w, c2b)
        r2 = np.maximum(a2, 0)
        n = x.shape[0]
        tiles = r2.reshape(n, 32, 4, 2, 4, 2)
        pooled = tiles.max(axis=(3, 5))  # (N, 32, 4, 4)
        flat = pooled.reshape(n, -1)
        h = np.maximum(flat @ f1w.T + f1b, 0)
        loss, d_logits = _cross_entropy_grad(h @ f2w.T + f2b, labels)
        d_h = (d_logits @ f2w) * (h > 0)
        d_pooled = (d_h @ f1w).reshape(pooled.shape)
        winners = tiles == pooled[:, :, :, None, :, None]  # ties are measure-zero here
        d_r2 = (winners * d_pooled[:, :, :, None, :, None]).reshape(r2.shape)
        d_r1, d_c2w, d_c2b = _conv_backward(d_r2 * (a2 > 0), cols2, c2w, r1.shape)
        _, d_c1w, d_c1b = _conv_backward(d_r1 * (a1 > 0), cols1, c1w, x.shape)
        self.optimizer.step([d_c1w, d_c1b, d_c2w, d_c2b, d_h.T @ flat, d_h.sum(0),
                             d_logits.T @ h, d_logits.sum(0)])
        return loss
