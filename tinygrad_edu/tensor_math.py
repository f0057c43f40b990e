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

    def neg(self) -> Tensor:
        return self._ops.neg(self)

    negative = neg

    def abs(self) -> Tensor:
        return self._ops.abs(self)

    def exp(self) -> Tensor:
        return self._ops.exp(self)

    def log(self) -> Tensor:
        return self._ops.log(self)

    def log1p(self) -> Tensor:
        return self._ops.log1p(self)

    def sqrt(self) -> Tensor:
        return self._ops.sqrt(self)

    def rsqrt(self) -> Tensor:
        return self._ops.rsqrt(self)

    def sin(self) -> Tensor:
        return self._ops.sin(self)

    def cos(self) -> Tensor:
        return self._ops.cos(self)

    def tanh(self) -> Tensor:
        return self._ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return self._ops.sigmoid(self)

    def erf(self) -> Tensor:
        return self._ops.erf(self)

    def relu(self) -> Tensor:
        return self._ops.relu(self)

    def sign(self) -> Tensor:
        return self._ops.sign(self)

    def reciprocal(self) -> Tensor:
        return self._ops.reciprocal(self)

    def square(self) -> Tensor:
        return self._ops.square(self)

    def floor(self) -> Tensor:
        return self._ops.floor(self)

    def ceil(self) -> Tensor:
        return self._ops.ceil(self)

    def round(self) -> Tensor:
        return self._ops.round(self)

    def trunc(self) -> Tensor:
        return self._ops.trunc(self)

    def isnan(self) -> Tensor:
        return self._ops.isnan(self)

    def isinf(self) -> Tensor:
        return self._ops.isinf(self)

    def logical_not(self) -> Tensor:
        return self._ops.logical_not(self)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._ops.add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._ops.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return self._ops.mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self._ops.div(self, other, rounding_mode=rounding_mode)

    true_divide = divide = div

    def floor_divide(self, other: Any) -> Tensor:
        return self._ops.div(self, other, rounding_mode="floor")

    def remainder(self, other: Any) -> Tensor:
        return self._ops.remainder(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return self._ops.pow(self, exponent)

    def maximum(self, other: Tensor) -> Tensor:
        return self._ops.maximum(self, other)

    def minimum(self, other: Tensor) -> Tensor:
        return self._ops.minimum(self, other)

    def eq(self, other: Any) -> Tensor:
        return self._ops.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return self._ops.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return self._ops.lt(self, other)

    def le(self, other: Any) -> Tensor:
        return self._ops.le(self, other)

    def gt(self, other: Any) -> Tensor:
        return self._ops.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return self._ops.ge(self, other)

    def equal(self, other: Tensor) -> bool:
        return self._ops.equal(self, other)

    def logical_and(self, other: Any) -> Tensor:
        return self._ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return self._ops.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return self._ops.logical_xor(self, other)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        return self._ops.where(condition, self, other)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - torch's names
        return self._ops.clamp(self, min, max)

    clip = clamp

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        return self._ops.masked_fill(self, mask, value)

    # --- reductions ---------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return self._ops.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return self._ops.mean(self, dim, keepdim, dtype=dtype)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        return self._ops.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        return self._ops.std(self, dim, unbiased, keepdim, correction=correction)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return self._ops.prod(self, dim, keepdim, dtype=dtype)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return self._ops.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return self._ops.amin(self, dim, keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._ops.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._ops.min(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return self._ops.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return self._ops.argmin(self, dim, keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return self._ops.logsumexp(self, dim, keepdim)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return self._ops.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return self._ops.any(self, dim, keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        return self._ops.norm(self, p, dim, keepdim)

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return self._ops.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return self._ops.log_softmax(self, dim, dtype=dtype)

    # --- linear algebra and indexing ops --------------------------------------------------------
    def matmul(self, other: Tensor) -> Tensor:
        return self._ops.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return self._ops.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return self._ops.bmm(self, other)

    def outer(self, other: Tensor) -> Tensor:
        return self._ops.outer(self, other)

    def dot(self, other: Tensor) -> Tensor:
        return self._ops.dot(self, other)

    def gather(self, dim: int, index: Tensor) -> Tensor:
        return self._ops.gather(self, dim, index)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._ops.scatter_add(self, dim, index, src)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return self._ops.index_select(self, dim, index)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return self._ops.nonzero(self, as_tuple=as_tuple)

    # --- in place (bump the storage's version counter) ------------------------------------------
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._ops.inplace(self, self._ops.add, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._ops.inplace(self, self._ops.sub, other, alpha=alpha)

    def mul_(self, other: Any) -> Tensor:
        return self._ops.inplace(self, self._ops.mul, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self._ops.inplace(self, self._ops.div, other, rounding_mode=rounding_mode)

    def pow_(self, exponent: Any) -> Tensor:
        return self._ops.inplace(self, self._ops.pow, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._ops.inplace(self, self._ops.clamp, min, max)

    clip_ = clamp_

    def neg_(self) -> Tensor:
        return self._ops.inplace(self, self._ops.neg)

    def sqrt_(self) -> Tensor:
        return self._ops.inplace(self, self._ops.sqrt)

    def exp_(self) -> Tensor:
        return self._ops.inplace(self, self._ops.exp)

    def relu_(self) -> Tensor:
        return self._ops.inplace(self, self._ops.relu)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return self._ops.inplace(self, self._ops.masked_fill, mask, value)

    def copy_(self, src: Tensor) -> Tensor:
        return self._ops.copy_(self, src)

    def zero_(self) -> Tensor:
        return self._ops.fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        return self._ops.fill_(self, value)
