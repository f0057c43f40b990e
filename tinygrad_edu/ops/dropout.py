"""Dropout: during training, zero each element (or each whole channel) with probability p.

    y = x * mask / (1 - p),   mask ~ Bernoulli(1 - p)        dx = dy * mask / (1 - p)

Scaling the survivors by 1 / (1 - p) keeps the expected value of every element unchanged, so at
evaluation time dropout is simply the identity. dropout2d draws one number per (sample, channel)
and broadcasts it over the feature map: whole channels vanish.

The fused `dropout` primitive (kernels/dropout.py) draws the mask from counter-based random
numbers at (seed, offset + mask position) and applies it in the same pass. `manual_seed` fixes the
seed, so runs are reproducible; and since the counters alone decide the mask, backward needs no
saved mask: dx is the same primitive applied to dy with the same (seed, offset).
"""

from __future__ import annotations

import math
import warnings

from ..autograd.function import Function
from ..random import default_generator
from ..tensor import Tensor
from . import lowering
from .inplace import inplace as run_inplace


class Dropout(Function):
    """y = x * mask / (1 - p), mask ~ Bernoulli(1 - p);  dx = dy * mask / (1 - p)

    The map is diagonal and linear, so its derivative is itself: backward applies this same
    Function (same seed and offset, hence the same mask) to dy, and so on for higher orders."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, x, p, mask_shape, seed, offset):
        ctx.mask = (p, mask_shape, seed, offset)
        return lowering.dropout(x, mask_shape, seed, offset, p)

    @staticmethod
    def backward(ctx, dy):
        return Dropout.apply(dy, *ctx.mask), None, None, None, None


def _check_probability(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input: Tensor, p: float, mask_shape: tuple[int, ...], inplace: bool) -> Tensor:
    seed, offset = default_generator.take(math.prod(mask_shape))  # this call's counters
    if inplace:
        return run_inplace(input, lambda current: Dropout.apply(current, p, mask_shape, seed,
                                                                offset))
    return Dropout.apply(input, p, mask_shape, seed, offset)


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
