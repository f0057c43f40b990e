"""Softmax and log-softmax along one dim, each one fused primitive forward.

    y = softmax(x);       dx = y * (dy - sum(dy * y))
    y = log_softmax(x);   dx = dy - e^y * sum(dy)

(sums along dim, kept as size 1 so they broadcast back). Each backward pass is one fused primitive
too (`softmax_backward`: the row's sum and the formula in one pass); when the backward itself is
recorded (create_graph=True) it is written with Tensor ops instead, so second derivatives work.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..dtypes import to_dtype
from ..tensor import Tensor
from ..views import normalize_dim
from . import lowering
from .operands import float_input


class Softmax(Function):
    """y = e^x / sum(e^x);  dx = y * (dy - sum(dy * y))"""

    @staticmethod
    def forward(ctx, x, dim):
        y = lowering.softmax(x, dim, log=False)
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        if is_grad_enabled() or dy.dtype != y.dtype:  # create_graph=True: differentiable ops
            return y * (dy - (dy * y).sum(ctx.dim, keepdim=True)), None
        return lowering.softmax_backward(y, dy, ctx.dim, log=False), None


class LogSoftmax(Function):
    """y = x - ln(sum(e^x));  dx = dy - e^y * sum(dy)"""

    @staticmethod
    def forward(ctx, x, dim):
        y = lowering.softmax(x, dim, log=True)
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        if is_grad_enabled() or dy.dtype != y.dtype:  # create_graph=True: differentiable ops
            return dy - y.exp() * dy.sum(ctx.dim, keepdim=True), None
        return lowering.softmax_backward(y, dy, ctx.dim, log=True), None


def _prepare(input: Tensor, dim: int, dtype: Any) -> tuple[Tensor, int]:
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    return float_input(input), normalize_dim(dim, max(input.ndim, 1))


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    x, d = _prepare(input, dim, dtype)
    if x.ndim == 0:
        return Softmax.apply(x.reshape(1), 0).reshape(())
    return Softmax.apply(x, d)


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    x, d = _prepare(input, dim, dtype)
    if x.ndim == 0:
        return LogSoftmax.apply(x.reshape(1), 0).reshape(())
    return LogSoftmax.apply(x, d)
