"""Dropout: during training, zero each element (or each whole channel) with probability p.

    y = x * mask / (1 - p),   mask ~ Bernoulli(1 - p)        dx = dy * mask / (1 - p)

Scaling the survivors by 1 / (1 - p) keeps the expected value of every element unchanged, so at
evaluation time dropout is simply the identity. The mask is drawn from the counter-based uniform
primitive (u >= p keeps an element), so `manual_seed` makes it reproducible. dropout2d draws one
number per (sample, channel) and broadcasts it over the feature map: whole channels vanish.
"""

from __future__ import annotations

import math
import warnings

from ..autograd.function import Function
from ..dtypes import float32
from ..random import default_generator
from ..tensor import Tensor
from . import lowering
from .inplace import inplace as run_inplace
from .operands import scalar_tensor


class Dropout(Function):
    """y = x * mask / (1 - p), mask ~ Bernoulli(1 - p);  dx = dy * mask / (1 - p)"""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, x, p, mask_shape):
        draw_dtype = float32 if x.dtype.name == "float16" else x.dtype
        seed, offset = default_generator.take(math.prod(mask_shape))
        draws = lowering.random("uniform", mask_shape, draw_dtype, x.device, seed, offset, 0.0,
                                1.0)
        keep = lowering.binary("ge", draws, scalar_tensor(p, draw_dtype, x))
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        mask = lowering.binary("mul", lowering.cast(keep, x.dtype), scalar_tensor(scale, x.dtype,
                                                                                   x))
        ctx.save_for_backward(mask)
        return lowering.binary("mul", x, mask)

    @staticmethod
    def backward(ctx, dy):
        (mask,) = ctx.saved_tensors
        return dy * mask, None, None


def _check_probability(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input: Tensor, p: float, mask_shape: tuple[int, ...], inplace: bool) -> Tensor:
    if inplace:
        return run_inplace(input, lambda current: Dropout.apply(current, p, mask_shape))
    return Dropout.apply(input, p, mask_shape)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
            ) -> Tensor:
    """Zero elements with probability p and scale the rest by 1 / (1 - p) (training only)."""
    _check_probability(p)
    if not training or p == 0:
        return input
    return _apply(input, float(p), tuple(input.shape), inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Zero whole channels: one draw per (N, C) entry, shared by the channel's H x W values."""
    _check_probability(p)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain the "
                      "behavior and silence this warning, please use dropout instead.",
                      stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim.", stacklevel=2)
    if not training or p == 0:
        return input
    if input.ndim < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input, got "
                           f"{input.ndim}")
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _apply(input, float(p), mask_shape, inplace)
