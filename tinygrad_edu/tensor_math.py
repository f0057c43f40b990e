"""Tensor methods that compute: elementwise math, reductions, matmul, indexing, in-place ops.

A mixin of the Tensor class: each method is a one-liner into `tinygrad_edu.ops` (reached as
`self._ops`, attached by tensor.py once the ops exist), where the differentiable op and its
derivative are written out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorMath:
    """Math methods of Tensor, with PyTorch's names and signatures."""

    _ops: Any  # the tinygrad_edu.ops namespace
    _plain_ops: Any  # the same ops without their out= wrappers (tensor_breadth.install_conventions)

    def neg(self) -> Tensor:
        """y = -x  (ops.neg)."""
        return self._plain_ops.neg(self)

    negative = neg
    """Alias of neg: y = -x  (ops.neg)."""

    def abs(self) -> Tensor:
        """y = |x|;  dx = dy * sign(x)  (ops.abs)."""
        return self._plain_ops.abs(self)

    def exp(self) -> Tensor:
        """y = e^x;  dx = dy * y  (ops.exp)."""
        return self._plain_ops.exp(self)

    def log(self) -> Tensor:
        """y = ln x;  dx = dy / x  (ops.log)."""
        return self._plain_ops.log(self)

    def log1p(self) -> Tensor:
        """y = ln(1 + x), accurate for small x;  dx = dy / (1 + x)  (ops.log1p)."""
        return self._plain_ops.log1p(self)

    def sqrt(self) -> Tensor:
        """y = sqrt(x);  dx = dy / (2 y)  (ops.sqrt)."""
        return self._plain_ops.sqrt(self)

    def rsqrt(self) -> Tensor:
        """y = 1 / sqrt(x);  dx = -dy * y^3 / 2  (ops.rsqrt)."""
        return self._plain_ops.rsqrt(self)

    def sin(self) -> Tensor:
        """y = sin x;  dx = dy * cos x  (ops.sin)."""
        return self._plain_ops.sin(self)

    def cos(self) -> Tensor:
        """y = cos x;  dx = -dy * sin x  (ops.cos)."""
        return self._plain_ops.cos(self)

    def tanh(self) -> Tensor:
        """y = tanh x;  dx = dy * (1 - y^2)  (ops.tanh)."""
        return self._plain_ops.tanh(self)

    def sigmoid(self) -> Tensor:
        """y = 1 / (1 + e^-x);  dx = dy * y (1 - y)  (ops.sigmoid)."""
        return self._plain_ops.sigmoid(self)

    def erf(self) -> Tensor:
        """y = erf(x);  dx = dy * 2/sqrt(pi) e^(-x^2)  (ops.erf)."""
        return self._plain_ops.erf(self)

    def relu(self) -> Tensor:
        """y = max(x, 0);  dx = dy * (x > 0)  (ops.relu)."""
        return self._ops.relu(self)

    def sign(self) -> Tensor:
        """y = -1, 0 or 1 by the sign of x; no gradient (zero)  (ops.sign)."""
        return self._plain_ops.sign(self)

    def reciprocal(self) -> Tensor:
        """y = 1 / x;  dx = -dy * y^2  (ops.reciprocal)."""
        return self._plain_ops.reciprocal(self)

    def square(self) -> Tensor:
        """y = x * x;  dx = 2 x dy  (ops.square)."""
        return self._plain_ops.square(self)

    def floor(self) -> Tensor:
        """y = the largest integer <= x; gradient zero  (ops.floor)."""
        return self._plain_ops.floor(self)

    def ceil(self) -> Tensor:
        """y = the smallest integer >= x; gradient zero  (ops.ceil)."""
        return self._plain_ops.ceil(self)

    def round(self) -> Tensor:
        """y = x rounded to the nearest integer, halves to even; gradient zero  (ops.round)."""
        return self._plain_ops.round(self)

    def trunc(self) -> Tensor:
        """y = x rounded toward zero; gradient zero  (ops.trunc)."""
        return self._plain_ops.trunc(self)

    def isnan(self) -> Tensor:
        """Bool tensor: True where x is NaN  (ops.isnan)."""
        return self._ops.isnan(self)

    def isinf(self) -> Tensor:
        """Bool tensor: True where x is +inf or -inf  (ops.isinf)."""
        return self._ops.isinf(self)

    def logical_not(self) -> Tensor:
        """Bool tensor: not x, elementwise (nonzero is True)  (ops.logical_not)."""
        return self._plain_ops.logical_not(self)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """y = self + alpha * other, broadcast;  d self = dy,  d other = alpha dy  (ops.add)."""
        return self._plain_ops.add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """y = self - alpha * other, broadcast;  d other = -alpha dy  (ops.sub)."""
        return self._plain_ops.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        """y = self * other, broadcast;  d self = dy * other  (ops.mul)."""
        return self._plain_ops.mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """y = self / other (rounding_mode None, 'trunc' or 'floor'), broadcast  (ops.div)."""
        return self._plain_ops.div(self, other, rounding_mode=rounding_mode)

    divide = div
    """Alias of div: y = self / other, broadcast  (ops.div)."""
    true_divide = div
    """Alias of div: y = self / other, broadcast  (ops.div)."""

    def floor_divide(self, other: Any) -> Tensor:
        """y = floor(self / other), broadcast  (ops.div, rounding_mode='floor')."""
        return self._plain_ops.div(self, other, rounding_mode="floor")

    def remainder(self, other: Any) -> Tensor:
        """y = self - floor(self / other) * other, the sign of other  (ops.remainder)."""
        return self._plain_ops.remainder(self, other)

    def pow(self, exponent: Any) -> Tensor:
        """y = self ** exponent;  d self = dy * e * self^(e-1)  (ops.pow)."""
        return self._plain_ops.pow(self, exponent)

    def maximum(self, other: Tensor) -> Tensor:
        """y = the larger of self and other, elementwise, broadcast  (ops.maximum)."""
        return self._plain_ops.maximum(self, other)

    def minimum(self, other: Tensor) -> Tensor:
        """y = the smaller of self and other, elementwise, broadcast  (ops.minimum)."""
        return self._plain_ops.minimum(self, other)

    def eq(self, other: Any) -> Tensor:
        """Bool tensor: self == other, elementwise, broadcast  (ops.eq)."""
        return self._plain_ops.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        """Bool tensor: self != other, elementwise, broadcast  (ops.ne)."""
        return self._plain_ops.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        """Bool tensor: self < other, elementwise, broadcast  (ops.lt)."""
        return self._plain_ops.lt(self, other)

    def le(self, other: Any) -> Tensor:
        """Bool tensor: self <= other, elementwise, broadcast  (ops.le)."""
        return self._plain_ops.le(self, other)

    def gt(self, other: Any) -> Tensor:
        """Bool tensor: self > other, elementwise, broadcast  (ops.gt)."""
        return self._plain_ops.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        """Bool tensor: self >= other, elementwise, broadcast  (ops.ge)."""
        return self._plain_ops.ge(self, other)

    def equal(self, other: Tensor) -> bool:
        """True if self and other have the same shape and values (a Python bool)  (ops.equal)."""
        return self._ops.equal(self, other)

    def logical_and(self, other: Any) -> Tensor:
        """Bool tensor: self and other, elementwise (nonzero is True)  (ops.logical_and)."""
        return self._plain_ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        """Bool tensor: self or other, elementwise (nonzero is True)  (ops.logical_or)."""
        return self._plain_ops.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        """Bool tensor: self xor other, elementwise (nonzero is True)  (ops.logical_xor)."""
        return self._plain_ops.logical_xor(self, other)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        """y = self where condition is True, else other, broadcast  (ops.where)."""
        return self._plain_ops.where(condition, self, other)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - torch's names
        """y = min(max(x, min), max);  dx = dy where min <= x <= max  (ops.clamp)."""
        return self._plain_ops.clamp(self, min, max)

    clip = clamp
    """Alias of clamp: y = min(max(x, min), max)  (ops.clamp)."""

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """y = x with value where mask is True;  dx = dy where mask is False  (ops.masked_fill)."""
        return self._ops.masked_fill(self, mask, value)

    # --- reductions ---------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """y = sum of x over dim (all dims if None);  dx = dy broadcast back  (ops.sum)."""
        return self._plain_ops.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """y = sum / count over dim (all if None);  dx = dy / count broadcast back  (ops.mean)."""
        return self._plain_ops.mean(self, dim, keepdim, dtype=dtype)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        """Variance over dim, divided by N - correction (1 by default)  (ops.var)."""
        return self._plain_ops.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        """Standard deviation: sqrt(var(x, dim, correction))  (ops.std)."""
        return self._plain_ops.std(self, dim, unbiased, keepdim, correction=correction)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """y = product over dim (all if None);  dx = dy * product of the others  (ops.prod)."""
        return self._plain_ops.prod(self, dim, keepdim, dtype=dtype)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Largest value over dim; the gradient is shared among ties  (ops.amax)."""
        return self._plain_ops.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Smallest value over dim; the gradient is shared among ties  (ops.amin)."""
        return self._plain_ops.amin(self, dim, keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """max(): the largest value; max(dim): (values, indices) along dim  (ops.max)."""
        return self._plain_ops.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """min(): the smallest value; min(dim): (values, indices) along dim  (ops.min)."""
        return self._plain_ops.min(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the largest value (flattened when dim is None), int64  (ops.argmax)."""
        return self._plain_ops.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the smallest value (flattened when dim is None), int64  (ops.argmin)."""
        return self._plain_ops.argmin(self, dim, keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        """y = log(sum(e^x)) over dim, computed stably;  dx = dy * softmax(x)  (ops.logsumexp)."""
        return self._plain_ops.logsumexp(self, dim, keepdim)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Bool tensor: True if every element (over dim) is nonzero  (ops.all)."""
        return self._plain_ops.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Bool tensor: True if some element (over dim) is nonzero  (ops.any)."""
        return self._plain_ops.any(self, dim, keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        """The p-norm over dim ('fro': sqrt of the sum of squares)  (ops.norm)."""
        return self._plain_ops.norm(self, p, dim, keepdim)

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        """y = e^x / sum(e^x) along dim;  dx = y * (dy - sum(dy * y))  (ops.softmax)."""
        return self._plain_ops.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        """y = x - logsumexp(x) along dim;  dx = dy - softmax(x) sum(dy)  (ops.log_softmax)."""
        return self._plain_ops.log_softmax(self, dim, dtype=dtype)

    # --- linear algebra and indexing ops --------------------------------------------------------
    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with PyTorch's 1-D and batch-broadcast rules  (ops.matmul)."""
        return self._plain_ops.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        """(n, m) @ (m, p) -> (n, p);  dA = dY @ B^T,  dB = A^T @ dY  (ops.mm)."""
        return self._plain_ops.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        """(b, n, m) @ (b, m, p) -> (b, n, p), one matmul per batch  (ops.bmm)."""
        return self._plain_ops.bmm(self, other)

    def outer(self, other: Tensor) -> Tensor:
        """(n,) and (m,) -> (n, m): y[i, j] = self[i] * other[j]  (ops.outer)."""
        return self._plain_ops.outer(self, other)

    def dot(self, other: Tensor) -> Tensor:
        """Inner product of two 1-D tensors, a 0-d tensor  (ops.dot)."""
        return self._plain_ops.dot(self, other)

    def gather(self, dim: int, index: Tensor) -> Tensor:
        """`y[i][j] = x[i][index[i][j]]` for dim=1;  dx = dy scatter-added back  (ops.gather)."""
        return self._plain_ops.gather(self, dim, index)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """y = x, then `y[index[i][j]][j] += src[i][j]` for dim=0 (a copy)  (ops.scatter_add)."""
        return self._plain_ops.scatter_add(self, dim, index, src)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        """The slices of x at positions index along dim  (ops.index_select)."""
        return self._plain_ops.index_select(self, dim, index)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Indices of the nonzero elements, (n, ndim) int64 or one per dim  (ops.nonzero)."""
        return self._plain_ops.nonzero(self, as_tuple=as_tuple)

    # --- in place (bump the storage's version counter) ------------------------------------------
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """In place: self += alpha * other (bumps the version counter)  (ops.add)."""
        return self._ops.inplace(self, self._ops.add, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """In place: self -= alpha * other  (ops.sub)."""
        return self._ops.inplace(self, self._ops.sub, other, alpha=alpha)

    def mul_(self, other: Any) -> Tensor:
        """In place: self *= other  (ops.mul)."""
        return self._ops.inplace(self, self._ops.mul, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """In place: self /= other, with div's rounding_mode  (ops.div)."""
        return self._ops.inplace(self, self._ops.div, other, rounding_mode=rounding_mode)

    def pow_(self, exponent: Any) -> Tensor:
        """In place: self **= exponent  (ops.pow)."""
        return self._ops.inplace(self, self._ops.pow, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """In place: self = clamp(self, min, max)  (ops.clamp)."""
        return self._ops.inplace(self, self._ops.clamp, min, max)

    clip_ = clamp_
    """Alias of clamp_: in place, self = clamp(self, min, max)  (ops.clamp)."""

    def neg_(self) -> Tensor:
        """In place: self = -self  (ops.neg)."""
        return self._ops.inplace(self, self._ops.neg)

    def sqrt_(self) -> Tensor:
        """In place: self = sqrt(self)  (ops.sqrt)."""
        return self._ops.inplace(self, self._ops.sqrt)

    def exp_(self) -> Tensor:
        """In place: self = e^self  (ops.exp)."""
        return self._ops.inplace(self, self._ops.exp)

    def relu_(self) -> Tensor:
        """In place: self = max(self, 0)  (ops.relu)."""
        return self._ops.inplace(self, self._ops.relu)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """In place: value where mask is True  (ops.masked_fill)."""
        return self._ops.inplace(self, self._ops.masked_fill, mask, value)

    def copy_(self, src: Tensor) -> Tensor:
        """In place: copy src's values into self (broadcast, cast, across devices)  (ops.copy_)."""
        return self._ops.copy_(self, src)

    def zero_(self) -> Tensor:
        """In place: fill with 0  (ops.fill_)."""
        return self._ops.fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        """In place: every element = value  (ops.fill_)."""
        return self._ops.fill_(self, value)
