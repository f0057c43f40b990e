"""Unary elementwise ops and their derivatives: y = f(x), one element at a time.

Each Function's docstring gives the forward formula and the local derivative used by backward
(dy is the gradient arriving from the output, dx the one sent to the input). Math functions of
integer tensors (exp, log, sqrt, ...) compute in the default float dtype, as in PyTorch.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..dtypes import bool_
from ..tensor import Tensor
from . import lowering
from .arithmetic import pow
from .operands import float_input, scalar_tensor
from .selection import where


class Neg(Function):
    """y = -x;  dx = -dy"""

    @staticmethod
    def forward(ctx, x):
        return lowering.unary("neg", x)

    @staticmethod
    def backward(ctx, dy):
        return -dy


class Abs(Function):
    """y = |x|;  dx = dy * sign(x)   (0 at x == 0)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("abs", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * x.sign()


class Exp(Function):
    """y = e^x;  dx = dy * y"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("exp", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * y.conj()


class Log(Function):
    """y = ln(x);  dx = dy / x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("log", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy / x.conj()


class Log1p(Function):
    """y = ln(1 + x);  dx = dy / (1 + x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("log1p", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy / (x + 1)


class Sqrt(Function):
    """y = sqrt(x);  dx = dy / (2 * y)   (inf at x == 0)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("sqrt", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy / (y.conj() * 2)


class Rsqrt(Function):
    """y = 1 / sqrt(x);  dx = -dy * y^3 / 2"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("rsqrt", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * y * y * y * -0.5


class Sin(Function):
    """y = sin(x);  dx = dy * cos(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("sin", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * x.cos().conj()


class Cos(Function):
    """y = cos(x);  dx = -dy * sin(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return lowering.unary("cos", x)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return -dy * x.sin().conj()


class Tanh(Function):
    """y = tanh(x);  dx = dy * (1 - y^2)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("tanh", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * (1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + e^-x);  dx = dy * y * (1 - y)   (exactly 0 at x = +-1000, no nan)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("sigmoid", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return dy * y * (1 - y)


class Relu(Function):
    """y = max(x, 0);  dx = dy * (y > 0)   (0 at x == 0, as PyTorch)"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("relu", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return ReluGradient.apply(dy, y)


class ReluGradient(Function):
    """dx = dy where y > 0, else 0 (ReLU's backward as one op);  d(dx)/d(dy) = [y > 0]"""

    @staticmethod
    def forward(ctx, dy, y):
        if y.device.type != "cpu":
            # one kernel instead of three (fill 0, compare, select): y >= 0, so "y > 0" is
            # "y != 0", which is how `where` reads a non-bool condition; where y is 0 it is
            # itself the 0 to return. (NaN: where picks dy, as PyTorch.) The CPU keeps a bool
            # mask: NumPy's branch-free select needs one.
            ctx.save_for_backward(y)
            return lowering.where(y, dy, y)
        zero = scalar_tensor(0, y.dtype, y)
        mask = lowering.binary("gt", y, zero)
        ctx.save_for_backward(mask)
        return lowering.where(mask, dy, zero)

    @staticmethod
    def backward(ctx, grad):
        (saved,) = ctx.saved_tensors  # the bool mask (CPU) or y (GPU)
        mask = saved if saved.dtype is bool_ else saved > 0
        return where(mask, grad, 0.0), None


class Reciprocal(Function):
    """y = 1 / x;  dx = -dy * y^2"""

    @staticmethod
    def forward(ctx, x):
        y = lowering.unary("reciprocal", x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, dy):
        (y,) = ctx.saved_tensors
        return -dy * y.conj() * y.conj()


class Step(Function):
    """y = sign(x), floor(x), ceil(x), round(x) or trunc(x);  dx = 0 (piecewise constant)"""

    @staticmethod
    def forward(ctx, x, op):
        return lowering.unary(op, x)

    @staticmethod
    def backward(ctx, dy):
        return dy.new_zeros(dy.shape), None


class Sign(Step):
    """y = sign(x);  dx = 0"""


class Floor(Step):
    """y = floor(x);  dx = 0"""


class Ceil(Step):
    """y = ceil(x);  dx = 0"""


class Round(Step):
    """y = round(x) (half to even);  dx = 0"""


class Trunc(Step):
    """y = trunc(x);  dx = 0"""


class Predicate(Function):
    """y = isnan(x), isinf(x) or logical_not(x): bool results, no gradient"""

    differentiable = False

    @staticmethod
    def forward(ctx, x, op):
        return lowering.unary(op, x)


def neg(input: Tensor) -> Tensor:
    return Neg.apply(input)


negative = neg


def abs(input: Tensor) -> Tensor:  # noqa: A001 - torch.abs
    if input.dtype.is_complex:  # |z|: a real result (ops/complex.py)
        from .complex import abs_

        return abs_(input)
    return Abs.apply(input)


def exp(input: Tensor) -> Tensor:
    return Exp.apply(float_input(input))


def log(input: Tensor) -> Tensor:
    return Log.apply(float_input(input))


def log1p(input: Tensor) -> Tensor:
    return Log1p.apply(float_input(input))


def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(float_input(input))


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(float_input(input))


def sin(input: Tensor) -> Tensor:
    return Sin.apply(float_input(input))


def cos(input: Tensor) -> Tensor:
    return Cos.apply(float_input(input))


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(float_input(input))


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(float_input(input))


def relu(input: Tensor) -> Tensor:
    return Relu.apply(input)


def reciprocal(input: Tensor) -> Tensor:
    return Reciprocal.apply(float_input(input))


def sign(input: Tensor) -> Tensor:
    return Sign.apply(input, "sign")


def floor(input: Tensor) -> Tensor:
    return Floor.apply(input, "floor") if input.dtype.is_differentiable else input.clone()


def ceil(input: Tensor) -> Tensor:
    return Ceil.apply(input, "ceil") if input.dtype.is_differentiable else input.clone()


def round(input: Tensor) -> Tensor:  # noqa: A001 - torch.round
    return Round.apply(input, "round") if input.dtype.is_differentiable else input.clone()


def trunc(input: Tensor) -> Tensor:
    return Trunc.apply(input, "trunc") if input.dtype.is_differentiable else input.clone()


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


def isnan(input: Tensor) -> Tensor:
    return Predicate.apply(input, "isnan")


def isinf(input: Tensor) -> Tensor:
    return Predicate.apply(input, "isinf")


def logical_not(input: Tensor) -> Tensor:
    return Predicate.apply(input, "logical_not")
