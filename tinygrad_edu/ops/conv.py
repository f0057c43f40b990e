"""2-D convolution as three Functions that are each other's derivatives.

    y  = conv(x, w)            dx = conv_input_grad(dy, w)       dw = conv_weight_grad(dy, x)

All three maps are linear in each argument, and each one's adjoint is one of the others:

    conv_input_grad(dy, w):   d/d(dy) = conv(g, w)                d/dw = conv_weight_grad(dy, g)
    conv_weight_grad(dy, x):  d/d(dy) = conv(x, g)                d/dx = conv_input_grad(dy, g)

so the backward of every one of them is built from the other two, and gradients of gradients
(create_graph=True) need no new math. Each lowers to one primitive of kernels/conv.py. The bias is
added by conv's forward primitive itself (one graph node, as PyTorch's ConvolutionBackward0; on a
GPU, in the kernel's epilogue: no launch of its own): db = dy summed over (N, H, W).
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..tensor import Tensor
from . import lowering
from .padding import pad as pad_with_mode

Settings = tuple  # (stride, padding (top, bottom, left, right), dilation, groups)


class Conv2d(Function):
    """y = conv2d(x, w) + b;  dx = conv_input_grad(dy, w),  dw = conv_weight_grad(dy, x)"""

    node_name = "ConvolutionBackward0"
    settings_names = ("stride", "padding", "dilation", "groups")  # how viz labels `settings`

    @staticmethod
    def forward(ctx, x, weight, bias, settings):
        ctx.save_for_backward(x, weight)
        ctx.settings = settings
        return lowering.conv2d(x, weight, *settings, bias)  # (N, O, Ho, Wo), bias included

    @staticmethod
    def backward(ctx, dy):
        x, weight = ctx.saved_tensors
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        dx = Conv2dInputGrad.apply(dy, weight, x.shape, ctx.settings) if needs_x else None
        dw = Conv2dWeightGrad.apply(dy, x, weight.shape, ctx.settings) if needs_weight else None
        db = dy.sum((0, 2, 3)) if needs_bias else None
        return dx, dw, db, None


class Conv2dInputGrad(Function):
    """dx = conv_input_grad(dy, w);  d(dy) = conv2d(g, w),  dw = conv_weight_grad(dy, g)"""

    settings_names = Conv2d.settings_names

    @staticmethod
    def forward(ctx, dy, weight, input_shape, settings):
        ctx.save_for_backward(dy, weight)
        ctx.settings = settings
        return lowering.conv2d_backward_input(dy, weight, tuple(input_shape), *settings)

    @staticmethod
    def backward(ctx, g):
        dy, weight = ctx.saved_tensors
        d_dy = Conv2d.apply(g, weight, None, ctx.settings) if ctx.needs_input_grad[0] else None
        dw = (Conv2dWeightGrad.apply(dy, g, weight.shape, ctx.settings)
              if ctx.needs_input_grad[1] else None)
        return d_dy, dw, None, None


class Conv2dWeightGrad(Function):
    """dw = conv_weight_grad(dy, x);  d(dy) = conv2d(x, g),  dx = conv_input_grad(dy, g)"""

    settings_names = Conv2d.settings_names

    @staticmethod
    def forward(ctx, dy, x, weight_shape, settings):
        ctx.save_for_backward(dy, x)
        ctx.settings = settings
        return lowering.conv2d_backward_weight(dy, x, tuple(weight_shape), *settings)

    @staticmethod
    def backward(ctx, g):
        dy, x = ctx.saved_tensors
        d_dy = Conv2d.apply(x, g, None, ctx.settings) if ctx.needs_input_grad[0] else None
        dx = (Conv2dInputGrad.apply(dy, g, x.shape, ctx.settings)
              if ctx.needs_input_grad[1] else None)
        return d_dy, dx, None, None


# --- argument handling ---------------------------------------------------------------------------
def pair(value: Any, name: str = "value") -> tuple[int, int]:
    """2 -> (2, 2); (2, 3) -> (2, 3), as PyTorch's _pair."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return (int(value[0]), int(value[0]))
        if len(value) != 2:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of 2 "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(value)}")
        return (int(value[0]), int(value[1]))
    return (int(value), int(value))


def same_padding(kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """padding='same': total d*(k-1) per dim, the odd one out on the bottom/right (as PyTorch)."""
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


def _padding(padding: Any, kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"Invalid padding string '{padding}', should be one of "
                             "{'same', 'valid'}")
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        return same_padding(kernel, dilation)
    top, left = pair(padding, "padding")
    if top < 0 or left < 0:
        raise RuntimeError("negative padding is not supported")
    return (top, top, left, left)


def _check_shapes(x: Tensor, weight: Tensor, bias: Tensor | None, groups: int,
                  padding: tuple[int, ...], dilation: tuple[int, int]) -> None:
    if weight.ndim != 4:
        raise RuntimeError(f"weight should have at least three dimensions, got {weight.ndim}D")
    out_channels, group_channels, kh, kw = weight.shape
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if x.shape[1] != group_channels * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(x.shape)} to have {group_channels * groups} channels, "
                           f"but got {x.shape[1]} channels instead")
    if out_channels % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {list(weight.shape)} instead")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-"
                           f"dimensional with {out_channels} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    padded = (x.shape[2] + padding[0] + padding[1], x.shape[3] + padding[2] + padding[3])
    effective = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    if padded[0] < effective[0] or padded[1] < effective[1]:
        raise RuntimeError(f"Calculated padded input size per channel: ({padded[0]} x "
                           f"{padded[1]}). Kernel size: ({effective[0]} x {effective[1]}). "
                           "Kernel size can't be greater than actual input size")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """F.conv2d: (N, C, H, W) or unbatched (C, H, W) input; padding int, pair, 'valid', 'same'."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
                           f"input of size: {list(input.shape)}")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    pads = _padding(padding, tuple(weight.shape[2:4]) if weight.ndim == 4 else (1, 1), stride,
                    dilation)
    _check_shapes(x, weight, bias, groups, pads, dilation)
    if x.dtype is not weight.dtype:
        raise RuntimeError(f"Input type ({x.type().split('.')[-1]}) and weight type "
                           f"({weight.type().split('.')[-1]}) should be the same")
    y = Conv2d.apply(x, weight, bias, (stride, pads, dilation, groups))
    return y.squeeze(0) if unbatched else y


def conv2d_with_padding_mode(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,
                             padding: Any, dilation: Any, groups: int, padding_mode: str
                             ) -> Tensor:
    """nn.Conv2d with padding_mode reflect/replicate/circular: pad first, then a 'valid' conv."""
    if padding_mode == "zeros":
        return conv2d(input, weight, bias, stride, padding, dilation, groups)
    kernel, dilation_pair = tuple(weight.shape[2:4]), pair(dilation)
    top, bottom, left, right = _padding(padding, kernel, pair(stride), dilation_pair)
    padded = pad_with_mode(input, (left, right, top, bottom), mode=padding_mode)
    return conv2d(padded, weight, bias, stride, 0, dilation, groups)

