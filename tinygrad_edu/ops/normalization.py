"""Batch norm and layer norm: standardise activations, then scale and shift them.

    mean, var = statistics of x over `axes`          (biased var: divide by the count M)
    x_hat = (x - mean) / sqrt(var + eps)             y = x_hat * weight + bias

batch_norm takes the statistics over (N, H, W) for each channel; layer_norm over the last dims of
each sample. Both share one derivative (with g = dy * weight, means taken over the same axes):

    dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps)
    dweight = sum(dy * x_hat),  dbias = sum(dy)   (over every axis the parameter is broadcast on)

The two extra terms exist because mean and var depend on every x in the group. Backward recomputes
x_hat from the saved x with Tensor ops, so second derivatives are right. In evaluation mode batch
norm uses the running statistics instead: a fixed affine map, composed from ordinary ops.
"""

from __future__ import annotations

import math
from typing import Any

from ..autograd.function import Function
from ..tensor import Tensor
from . import lowering
from .operands import scalar_tensor


def _statistics(x: Tensor, axes: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """mean and biased var (kept dims) and x_hat, with lowering calls (no graph)."""
    kept = tuple(1 if d in axes else n for d, n in enumerate(x._view.shape))
    count = scalar_tensor(math.prod(x._view.shape[d] for d in axes), x.dtype, x)
    mean = lowering.binary("div", lowering.reduce("sum", x, axes), count)
    mean = lowering.view_of(mean, lowering.contiguous_view(kept))
    centered = lowering.binary("sub", x, mean)
    var = lowering.binary("div", lowering.reduce("sum", lowering.binary("mul", centered, centered),
                                                 axes), count)
    var = lowering.view_of(var, lowering.contiguous_view(kept))
    inv_std = lowering.unary("rsqrt", lowering.binary("add", var, scalar_tensor(eps, x.dtype, x)))
    return mean, var, lowering.binary("mul", centered, inv_std)


def _affine(x_hat: Tensor, weight: Tensor | None, bias: Tensor | None, shape: tuple[int, ...]
            ) -> Tensor:
    """x_hat * weight + bias with the parameters viewed as `shape` (1s where they broadcast)."""
    y = x_hat
    if weight is not None:
        y = lowering.binary("mul", y, lowering.view_of(weight, lowering.contiguous_view(shape)))
    if bias is not None:
        y = lowering.binary("add", y, lowering.view_of(bias, lowering.contiguous_view(shape)))
    return y


def _normalization_backward(x: Tensor, weight: Tensor | None, dy: Tensor, axes: tuple[int, ...],
                            param_axes: tuple[int, ...], param_shape: tuple[int, ...],
                            eps: float, needs: tuple[bool, ...]) -> tuple:
    """(dx, dweight, dbias) with Tensor ops, x_hat recomputed from x."""
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


def _sum_over(t: Tensor, axes: tuple[int, ...]) -> Tensor:
    return t.sum(axes) if axes else t


class BatchNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b over (N, *spatial);  see the module docstring"""

    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        axes = (0, *range(2, x.ndim))
        mean, var, x_hat = _statistics(x, axes, eps)
        column = (1, x._view.shape[1]) + (1,) * (x.ndim - 2)
        y = _affine(x_hat, weight, bias, column)
        ctx.save_for_backward(x, weight)
        ctx.axes, ctx.column, ctx.eps = axes, column, eps
        ctx.mark_non_differentiable(mean, var)
        ctx.set_materialize_grads(False)
        return y, mean, var

    @staticmethod
    def backward(ctx, dy, dmean, dvar):
        x, weight = ctx.saved_tensors
        if dy is None:
            return None, None, None, None
        grads = _normalization_backward(x, weight, dy, ctx.axes, ctx.axes, ctx.column, ctx.eps,
                                        ctx.needs_input_grad)
        return (*grads, None)


class LayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b over the last dims;  see the module docstring"""

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, normalized_ndim, eps):
        axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
        _, _, x_hat = _statistics(x, axes, eps)
        param_shape = x._view.shape[x.ndim - normalized_ndim:]
        ctx.save_for_backward(x, weight)
        ctx.axes, ctx.param_shape, ctx.eps = axes, param_shape, eps
        return _affine(x_hat, weight, bias, param_shape)

    @staticmethod
    def backward(ctx, dy):
        x, weight = ctx.saved_tensors
        leading = tuple(range(x.ndim - len(ctx.axes)))
        grads = _normalization_backward(x, weight, dy, ctx.axes, leading, ctx.param_shape,
                                        ctx.eps, ctx.needs_input_grad)
        return (*grads, None, None)


# --- public functions ----------------------------------------------------------------------------
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """F.batch_norm over (N, C, *): batch statistics when training (updating the running ones in
    place), running statistics otherwise."""
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
        y, mean, var = BatchNorm.apply(input, weight, bias, float(eps))
        if running_mean is not None or running_var is not None:
            _update_running(running_mean, running_var, mean, var, count, momentum)
        return y
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    column = (1, channels) + (1,) * (input.ndim - 2)
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(column) + shift.reshape(column)


def _update_running(running_mean: Tensor | None, running_var: Tensor | None, mean: Tensor,
                    var: Tensor, count: int, momentum: float) -> None:
    """running = (1 - momentum) * running + momentum * batch statistic (var made unbiased)."""
    from ..autograd.grad_mode import no_grad

    with no_grad():
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean.reshape(-1) * momentum)
        if running_var is not None:
            unbiased = var.reshape(-1) * (count / (count - 1))
            running_var.mul_(1 - momentum).add_(unbiased * momentum)


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
