"""Batch norm and layer norm: standardise activations, then scale and shift them.

    mean, var = statistics of x over `axes`          (biased var: divide by the count M)
    x_hat = (x - mean) / sqrt(var + eps)             y = x_hat * weight + bias

batch_norm takes the statistics over (N, H, W) for each channel; layer_norm over the last dims of
each sample. Both share one derivative (with g = dy * weight, means taken over the same axes):

    dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps)
    dweight = sum(dy * x_hat),  dbias = sum(dy)   (over every axis the parameter is broadcast on)

The two extra terms exist because mean and var depend on every x in the group. In evaluation mode
batch norm uses the running statistics instead, constants, so dx = g / sqrt(running_var + eps).

Forward and backward are fused primitives (kernels/normalization.py): one program per group
computes the statistics, writes y, and (batch norm, training) updates the running statistics in
place; backward reads the saved per-group mean and 1/std. With create_graph=True the backward is
composed from Tensor ops instead, so that it can itself be differentiated.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from . import lowering


def _normalization_backward(x: Tensor, weight: Tensor | None, dy: Tensor, axes: tuple[int, ...],
                            param_axes: tuple[int, ...], param_shape: tuple[int, ...],
                            eps: float, needs: tuple[bool, ...]) -> tuple:
    """(dx, dweight, dbias) with Tensor ops, x_hat recomputed from x (differentiable again)."""
    mean = x.mean(axes, keepdim=True)
    centered = x - mean
    inv_std = ((centered * centered).mean(axes, keepdim=True) + eps).rsqrt()
    x_hat = centered * inv_std
    dx = dweight = dbias = None
    if needs[0]:
        g = dy if weight is None else dy * weight.reshape(param_shape)
        dx = (g - g.mean(axes, keepdim=True)
              - x_hat * (g * x_hat).mean(axes, keepdim=True)) * inv_std
    if needs[1]:
        dweight = _sum_over(dy * x_hat, param_axes)
    if needs[2]:
        dbias = _sum_over(dy, param_axes)
    return dx, dweight, dbias


def _eval_batch_norm_backward(x: Tensor, weight: Tensor | None, mean: Tensor, rstd: Tensor,
                              dy: Tensor, axes: tuple[int, ...], column: tuple[int, ...],
                              needs: tuple[bool, ...]) -> tuple:
    """(dx, dweight, dbias) with Tensor ops when the statistics are constants (evaluation)."""
    rstd_column = rstd.to(x.dtype).reshape(column)
    x_hat = (x - mean.to(x.dtype).reshape(column)) * rstd_column
    g = dy if weight is None else dy * weight.reshape(column)
    return (g * rstd_column if needs[0] else None,
            (dy * x_hat).sum(axes) if needs[1] else None, dy.sum(axes) if needs[2] else None)


def _sum_over(t: Tensor, axes: tuple[int, ...]) -> Tensor:
    return t.sum(axes) if axes else t


def _wanted(grads: tuple, needs: tuple[bool, ...]) -> tuple:
    """Drop the gradients nobody asked for."""
    return tuple(grad if need else None for grad, need in zip(grads, needs))


class BatchNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b per channel, over (N, *spatial); see the module
    docstring for dx, dw, db (training: batch statistics; evaluation: running statistics)"""

    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        y, mean, rstd = lowering.batch_norm(x, weight, bias, running_mean, running_var,
                                            training, momentum, eps)
        ctx.save_for_backward(x, weight, mean, rstd)
        ctx.training, ctx.eps = training, eps
        return y

    @staticmethod
    def backward(ctx, dy):
        x, weight, mean, rstd = ctx.saved_tensors
        needs = ctx.needs_input_grad[:3]
        axes = (0, *range(2, x.ndim))
        column = (1, x._view.shape[1]) + (1,) * (x.ndim - 2)
        if is_grad_enabled() and ctx.training:  # create_graph=True: differentiable Tensor ops
            grads = _normalization_backward(x, weight, dy, axes, axes, column, ctx.eps, needs)
        elif is_grad_enabled():
            grads = _eval_batch_norm_backward(x, weight, mean, rstd, dy, axes, column, needs)
        else:
            grads = lowering.batch_norm_backward(dy, x, weight, mean, rstd, ctx.training,
                                                 needs[1] or needs[2])
        return (*_wanted(grads, needs), None, None, None, None, None)


class LayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b over the last dims;  see the module docstring"""

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, normalized_ndim, eps):
        y, mean, rstd = lowering.layer_norm(x, weight, bias, normalized_ndim, eps)
        ctx.save_for_backward(x, weight, mean, rstd)
        ctx.normalized_ndim, ctx.eps = normalized_ndim, eps
        return y

    @staticmethod
    def backward(ctx, dy):
        x, weight, mean, rstd = ctx.saved_tensors
        needs = ctx.needs_input_grad[:3]
        lead = x.ndim - ctx.normalized_ndim
        if is_grad_enabled():  # create_graph=True: differentiable Tensor ops
            grads = _normalization_backward(x, weight, dy, tuple(range(lead, x.ndim)),
                                            tuple(range(lead)), x._view.shape[lead:], ctx.eps,
                                            needs)
        else:
            grads = lowering.layer_norm_backward(dy, x, weight, mean, rstd, ctx.normalized_ndim,
                                                 needs[1] or needs[2])
        return (*_wanted(grads, needs), None, None)


# --- public functions ----------------------------------------------------------------------------
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """F.batch_norm over (N, C, *): batch statistics when training (updating the running ones in
    place), running statistics otherwise."""
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    channels = input.shape[1] if input.ndim > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    if training:
        count = input.numel() // max(channels, 1)
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return BatchNorm.apply(input, weight, bias, running_mean, running_var, bool(training),
                           float(momentum), float(eps))


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """F.layer_norm: standardise over the trailing dims given by normalized_shape."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape or input.ndim < len(shape):
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
                           f"{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(shape)}")
    return LayerNorm.apply(input, weight, bias, len(shape), float(eps))
