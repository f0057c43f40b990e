"""Optimizer-step primitives: one fused, in-place update of a parameter and its state per call.

    sgd_step(param, grad, momentum_buffer, ...)          p <- p - lr * direction
    adam_step(param, grad, exp_avg, exp_avg_sq, ...)     p <- p - lr * m_hat / (sqrt(v_hat) + eps)

An optimizer step written with ordinary tensor ops reads and writes every parameter-sized array
several times (g + wd * p, then the momentum update, then p - lr * d, ...), each a separate pass
over memory. Fusing the whole update into one primitive is the lesson here: on a GPU it becomes a
single kernel that reads p, g and the state once and writes them once; the NumPy reference updates
the arrays in place (`+=`, `*=`) instead of building a new tensor per operation.

Every buffer comes with its view (shape, strides, offset) and is updated *in place*: the optimizer
owns the state buffers, the parameter keeps its storage (other tensors may share it). The caller
bumps the version counters. The formulas are PyTorch's, in the same order, in the parameter's dtype.
"""

from __future__ import annotations

import math

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def sgd_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray, grad_view: View,
                       momentum_buffer: np.ndarray | None, momentum_buffer_view: View | None,
                       lr: float, momentum: float, dampening: float, weight_decay: float,
                       nesterov: bool, maximize: bool, first_step: bool) -> None:
    """SGD in place:  g = ±grad + wd*p;  b = g (first step) or mu*b + (1-dampening)*g;
    d = g + mu*b (nesterov) or b;  p -= lr*d.  momentum_buffer is None when momentum == 0."""
    p = as_numpy(param, param_view)
    g = as_numpy(grad, grad_view)
    if maximize or weight_decay != 0:
        g = np.negative(g) if maximize else g.copy()
        if weight_decay != 0:
            g += weight_decay * p
    if momentum != 0:
        b = as_numpy(momentum_buffer, momentum_buffer_view)
        if first_step:
            np.copyto(b, g)
        else:
            b *= momentum
            b += (1 - dampening) * g
        if nesterov:
            g = g + momentum * b
        else:
            g = b
    p -= lr * g


def adam_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray, grad_view: View,
                        exp_avg: np.ndarray, exp_avg_view: View, exp_avg_sq: np.ndarray,
                        exp_avg_sq_view: View, max_exp_avg_sq: np.ndarray | None,
                        max_exp_avg_sq_view: View | None, step: int, lr: float, beta1: float,
                        beta2: float, eps: float, weight_decay: float, decoupled: bool,
                        maximize: bool) -> None:
    """Adam (decoupled=False) or AdamW (decoupled=True) in place, `step` counted from 1:
    g = ±grad (+ wd*p for Adam; p *= 1 - lr*wd for AdamW);  m = b1*m + (1-b1)*g;
    v = b2*v + (1-b2)*g^2;  vmax = max(vmax, v) if given;
    p -= lr/(1-b1^t) * m / (sqrt(v or vmax)/sqrt(1-b2^t) + eps)."""
    p = as_numpy(param, param_view)
    g = as_numpy(grad, grad_view)
    if maximize:
        g = np.negative(g)
    if weight_decay != 0:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    m = as_numpy(exp_avg, exp_avg_view)
    v = as_numpy(exp_avg_sq, exp_avg_sq_view)
    m += (1 - beta1) * (g - m)                    # PyTorch's lerp: m + (1-b1)(g - m)
    v *= beta2
    v += (1 - beta2) * (g * g)
    if max_exp_avg_sq is not None:
        v_max = as_numpy(max_exp_avg_sq, max_exp_avg_sq_view)
        np.maximum(v_max, v, out=v_max)
        v = v_max
    step_size = lr / (1 - beta1 ** step)
    denominator = np.sqrt(v)
    denominator /= math.sqrt(1 - beta2 ** step)
    denominator += eps
    p -= step_size * (m / denominator)


# ----------------------------------------------------------------------------------------------
# Triton kernels: added here, beside the references, by the Triton backend (one program per block
# of elements, each reading p, g and the state once and writing them once).
# ----------------------------------------------------------------------------------------------
