"""Tensor methods for complex numbers: .real, .imag, conj(), angle(), is_complex(), ...

A mixin of the Tensor class (see tensor_math.py); the ops and their derivatives are in
tinygrad_edu/ops/complex.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorComplex:
    """Complex-number methods of Tensor, with PyTorch's names."""

    _ops: Any

    @property
    def real(self) -> Tensor:
        """The real part as a view of a complex tensor (x itself for a real one)."""
        return self._ops.real(self)

    @real.setter
    def real(self, value: Any) -> None:
        self._ops.real(self).copy_(value)

    @property
    def imag(self) -> Tensor:
        """The imaginary part as a view of a complex tensor; an error for a real one."""
        return self._ops.imag(self)

    @imag.setter
    def imag(self, value: Any) -> None:
        self._ops.imag(self).copy_(value)

    def is_complex(self) -> bool:
        """True when the dtype is complex64 or complex128."""
        return self._ops.is_complex(self)

    def conj(self) -> Tensor:
        """Complex conjugate a - bi (a lazy view in PyTorch; here a new tensor)."""
        return self._ops.conj(self)

    def conj_physical(self) -> Tensor:
        """Complex conjugate written to new memory:  y = a - bi."""
        return self._ops.conj_physical(self)

    def resolve_conj(self) -> Tensor:
        """x itself: conjugation here is always materialised, never lazy."""
        return self._ops.resolve_conj(self)

    def resolve_neg(self) -> Tensor:
        """x itself: negation here is always materialised, never lazy."""
        return self._ops.resolve_neg(self)

    def is_conj(self) -> bool:
        """False: tinygrad_edu never keeps a lazy conjugate bit."""
        return self._ops.is_conj(self)

    def angle(self) -> Tensor:
        """The argument of each value:  y = atan2(imag, real) (0 or pi for real input)."""
        return self._ops.angle(self)

    def sgn(self) -> Tensor:
        """z / |z| for complex values (0 at 0); sign(x) for real ones."""
        return self._ops.sgn(self)

    @property
    def mH(self) -> Tensor:  # noqa: N802 - torch's name
        """The conjugate transpose of the last two dims."""
        return self._ops.conj(self.mT)

    def adjoint(self) -> Tensor:
        """Conjugate transpose of the last two dims."""
        return self._ops.conj(self.mT)
