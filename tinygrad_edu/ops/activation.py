"""Activation functions of nn beyond relu/sigmoid/tanh: leaky_relu, gelu, silu, and erf under gelu.

    leaky_relu(x) = x if x > 0 else slope * x              dx = dy * (1 if x > 0 else slope)
    gelu(x)       = x * Phi(x),  Phi(x) = (1 + erf(x / sqrt 2)) / 2     (the normal CDF)
                                                           dx = dy * (Phi(x) + x * phi(x))
    gelu_tanh(x)  = x/2 * (1 + tanh(u)),  u = sqrt(2/pi) * (x + 0.044715 x^3)
                                           dx = dy * ((1 + t)/2 + x/2 * (1 - t^2) * du/dx)
    silu(x)       = x * sigmoid(x)                         dx = dy * s * (1 + x * (1 - s))

Each is one Function (one node in the graph). Forward passes run with grad mode off, so writing
them with Tensor ops records nothing; backward passes are Tensor ops of the saved input, so second
derivatives (create_graph=True) are right.
"""

from __future__ import annotations

import math

from ..autograd.function import Function
from ..tensor import Tensor
from . import lowering
from .operands import float_input, scalar_tensor
from .selection import where

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_TANH_CUBIC = 0.044715


class Erf(Function):
    """y = erf(x);  dx = dy * 2/sqrt(pi) * e^(-x^2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("erf", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * (x * x).neg().exp() * (2.0 / math.sqrt(math.pi))


def erf(input: Tensor) -> Tensor:
    return Erf.apply(float_input(input))


class LeakyRelu(Function):
    """y = x if x > 0 else slope * x;  dx = dy * (1 if x > 0 else slope)"""

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        positive = lowering.binary("gt", x, scalar_tensor(0, x.dtype, x))
        return lowering.where(positive, x, lowering.binary("mul", x, scalar_tensor(slope, x.dtype,
                                                                                    x)))

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * where(x > 0, 1.0, ctx.slope), None


def _normal_cdf(x: Tensor) -> Tensor:
    return (erf(x * _SQRT_HALF) + 1) * 0.5


class Gelu(Function):
    """y = x * Phi(x) (exact, erf) or its tanh approximation;  dx = dy * y'(x)"""

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = (x + x * x * x * _TANH_CUBIC) * _SQRT_2_OVER_PI
            return x * 0.5 * (inner.tanh() + 1)
        return x * _normal_cdf(x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = ((x + x * x * x * _TANH_CUBIC) * _SQRT_2_OVER_PI).tanh()
            inner_slope = (x * x * (3 * _TANH_CUBIC) + 1) * _SQRT_2_OVER_PI
            return dy * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * inner_slope), None
        density = (x * x * -0.5).exp() * _INV_SQRT_2PI
        return dy * (_normal_cdf(x) + x * density), None


class Silu(Function):
    """y = x * sigmoid(x);  dx = dy * s * (1 + x * (1 - s)),  s = sigmoid(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.binary("mul", x, lowering.unary("sigmoid", x))

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return dy * s * (x * (1 - s) + 1)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyRelu.apply(float_input(input), float(negative_slope))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh. Got {approximate}")
    return Gelu.apply(float_input(input), approximate)


def silu(input: Tensor) -> Tensor:
    if input.dtype.is_complex:  # z sigmoid(z), composed of complex ops (ops/complex.py)
        from .complex import _composite

        return input * _composite("sigmoid", input)
    return Silu.apply(float_input(input))
