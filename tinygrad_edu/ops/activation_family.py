"""The activation zoo of nn.functional, written as compositions of ops you already know.

Most activations are a line of math over exp, log1p, tanh, sigmoid and `where`; writing them that
way shows the formula, and autograd derives the gradient from the pieces:

    softplus(x)    = log(1 + e^(beta x)) / beta        (x itself once beta x > threshold)
    elu(x)         = x if x > 0 else alpha (e^x - 1)   celu: alpha (e^(x/alpha) - 1)
    selu(x)        = scale * elu(x, 1.6733...)         (the self-normalising constants)
    hardtanh(x)    = clamp(x, lo, hi), gradient 1 strictly inside (lo, hi)   relu6 = hardtanh(0, 6)
    hardsigmoid(x) = relu6(x + 3) / 6                   mish(x) = x tanh(softplus(x))
    logsigmoid(x)  = min(x, 0) - log1p(e^-|x|)          softsign(x) = x / (1 + |x|)
    softshrink(x)  = x - lambd, x + lambd or 0          hardshrink(x) = x where |x| > lambd
    glu(a | b)     = a * sigmoid(b) (the input halved along dim)
    prelu(x, w)    = x if x > 0 else w x, one learned w per channel (dim 1)

One pattern recurs: `where(c, f(x), g(x))` sends a zero gradient into the branch it did not pick,
but 0 * inf is NaN, so a branch that could overflow (e^x for large x) is fed a safe value there.
hardswish and logsigmoid are Functions: at their kinks (x = +-3, x = 0) PyTorch's gradient
follows its own formula, not the composite's.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..tensor import Tensor
from .math_functions import expm1
from .operands import float_input
from .selection import where
from .softmax import softmax
from .unary import log1p, sigmoid, tanh

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, or x where beta x > threshold;  dx = dy * sigmoid(beta x)."""
    x = float_input(input)
    linear = x * beta > threshold
    safe = where(linear, 0.0, x)  # the log branch never sees a huge x (its e^x would be inf)
    return where(linear, x, log1p((safe * beta).exp()) / beta)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (e^x - 1);  dx = dy if x > 0 else dy alpha e^x."""
    if inplace:
        from .inplace import inplace as _inplace

        return _inplace(input, elu, alpha)
    x = float_input(input)
    positive = x > 0
    return where(positive, x, expm1(where(positive, 0.0, x)) * alpha)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (e^(x / alpha) - 1);  dx = dy if x > 0 else dy e^(x / alpha)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        from .inplace import inplace as _inplace

        return _inplace(input, celu, alpha)
    x = float_input(input)
    positive = x > 0
    return where(positive, x, expm1(where(positive, 0.0, x) / alpha) * alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with alpha = 1.6733, scale = 1.0507 (Klambauer et al., 2017)."""
    if inplace:
        from .inplace import inplace as _inplace

        return _inplace(input, selu)
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val);  dx = dy strictly inside (min_val, max_val), else 0."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        from .inplace import inplace as _inplace

        return _inplace(input, hardtanh, min_val, max_val)
    inside = (input > min_val) & (input < max_val)
    return where(inside, input, where(input <= min_val, min_val, max_val))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6);  dx = dy for 0 < x < 6."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6;  dx = dy / 6 for -3 < x < 3."""
    if inplace:
        from .inplace import inplace as _inplace

        return _inplace(input, hardsigmoid)
    return relu6(float_input(input) + 3.0) / 6.0


class Hardswish(Function):
    """y = x * relu6(x + 3) / 6;  dx = 0 for x < -3, dy (2x + 3) / 6 for -3 <= x <= 3, dy above"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * (x + 3.0).clamp(0.0, 6.0) / 6.0

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        middle = dy * (x / 3.0 + 0.5)
        return where(x < -3.0, 0.0, where(x <= 3.0, middle, dy))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6 (MobileNetV3's cheap swish)."""
    if inplace:
        from .inplace import inplace as _inplace

        return _inplace(input, hardswish)
    return Hardswish.apply(float_input(input))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x));  dx = dy (t + x sigmoid(x) (1 - t^2)), t = tanh(softplus(x))."""
    if inplace:
        from .inplace import inplace as _inplace

        return _inplace(input, mish)
    return input * tanh(softplus(input))


class LogSigmoid(Function):
    """y = log(sigmoid(x)) = min(x, 0) - log1p(e^-|x|);  dx = dy * sigmoid(-x)
    (one Function: the composite's kinks at 0 would give 0 or 1 there, not 1/2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(max=0.0) - log1p((-x.abs()).exp())

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * sigmoid(-x)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), never exp of a large number."""
    return LogSigmoid.apply(float_input(input))


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|);  dx = dy / (1 + |x|)^2."""
    return input / (input.abs() + 1)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-x) along dim: the smallest entries get the most weight."""
    if dim is None:
        from ..nn.functional import _softmax_dim

        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    return softmax(-input, dim, dtype=dtype)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x);  dx = dy * tanh(x)^2."""
    return input - tanh(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, else 0;  dx = dy outside [-lambd, lambd]."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0;  dx = dy where |x| > lambd."""
    return where((input > lambd) | (input < -lambd), input, 0.0)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value;  dx = dy where x > threshold."""
    if inplace:
        from .inplace import inplace as _inplace

        return _inplace(input, _threshold, threshold, value)
    return where(input > threshold, input, value)


_threshold = threshold  # the function, for its own inplace= branch (the argument hides the name)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of input along dim (the gated unit)."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension "
                           f"{dim % input.ndim} is size {size}")
    a, b = input.chunk(2, dim)
    return a * sigmoid(b)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else w x, with w (1,) shared or (C,) per channel (dim 1);
    dx = dy if x > 0 else dy w,  dw = sum of dy x where x <= 0."""
    if weight.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                           f"{weight.ndim}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {weight.numel()} and channel size = {channels}.")
    if weight.numel() != 1 and input.ndim >= 2:  # (C,) -> (C, 1, ..., 1) against (N, C, ...)
        weight = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    elif weight.ndim == 1 and input.ndim == 0:
        weight = weight.reshape(())
    return where(input > 0, input, weight * input)
