"""Tensor operators: `a + b`, `a @ b`, `a < b`, `-a`, `a += 1`, ... as calls into the ops.

A mixin of the Tensor class. Reflected operators (`2 * t` calls `t.__rmul__(2)`) keep Python
numbers on the left of the op, so `2 - t` is `sub(2, t)`, not `sub(t, 2)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import dtypes as _dtypes

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorOperators:
    """Python operator methods of Tensor."""

    # The ops as written, without the out=/axis= wrappers of the public functions (see
    # tensor_breadth.install_conventions): an operator never passes those keywords, and skipping
    # the wrapper's *args/**kwargs call is a quarter of the cost of a small `a + b`.
    _plain_ops: Any

    def __add__(self, other: Any) -> Tensor:
        return self._plain_ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return self._plain_ops.add(other, self)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __sub__(self, other: Any) -> Tensor:
        return self._plain_ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return self._plain_ops.sub(other, self)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __mul__(self, other: Any) -> Tensor:
        return self._plain_ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return self._plain_ops.mul(other, self)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __truediv__(self, other: Any) -> Tensor:
        return self._plain_ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._plain_ops.div(other, self)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __floordiv__(self, other: Any) -> Tensor:
        return self._plain_ops.div(self, other, rounding_mode="floor")

    def __rfloordiv__(self, other: Any) -> Tensor:
        return self._plain_ops.div(other, self, rounding_mode="floor")

    def __mod__(self, other: Any) -> Tensor:
        return self._plain_ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return self._plain_ops.remainder(other, self)

    def __pow__(self, exponent: Any) -> Tensor:
        return self._plain_ops.pow(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return self._plain_ops.pow(base, self)

    def __ipow__(self, exponent: Any) -> Tensor:
        return self.pow_(exponent)

    def __matmul__(self, other: Tensor) -> Tensor:
        return self._plain_ops.matmul(self, other)

    def __rmatmul__(self, other: Tensor) -> Tensor:
        return self._plain_ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return self._plain_ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self._plain_ops.abs(self)

    def __invert__(self) -> Tensor:
        if self.dtype is _dtypes.bool_:
            return self._plain_ops.logical_not(self)
        return self._plain_ops.bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:
        if self.dtype is _dtypes.bool_ and _is_bool(other):
            return self._plain_ops.logical_and(self, other)
        return self._plain_ops.bitwise_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        if self.dtype is _dtypes.bool_ and _is_bool(other):
            return self._plain_ops.logical_or(self, other)
        return self._plain_ops.bitwise_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        if self.dtype is _dtypes.bool_ and _is_bool(other):
            return self._plain_ops.logical_xor(self, other)
        return self._plain_ops.bitwise_xor(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return self.__and__(other)

    def __ror__(self, other: Any) -> Tensor:
        return self.__or__(other)

    def __rxor__(self, other: Any) -> Tensor:
        return self.__xor__(other)

    def __lshift__(self, other: Any) -> Tensor:
        return self._plain_ops.bitwise_left_shift(self, other)

    def __rshift__(self, other: Any) -> Tensor:
        return self._plain_ops.bitwise_right_shift(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return self._plain_ops.bitwise_left_shift(other, self)

    def __rrshift__(self, other: Any) -> Tensor:
        return self._plain_ops.bitwise_right_shift(other, self)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._plain_ops.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._plain_ops.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return self._plain_ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return self._plain_ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return self._plain_ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return self._plain_ops.ge(self, other)


def _is_bool(value: Any) -> bool:
    """True for a bool tensor or a Python bool (a bool & bool is logical, not bitwise)."""
    return isinstance(value, bool) or getattr(value, "dtype", None) is _dtypes.bool_
