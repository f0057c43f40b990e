"""Tensor methods for the layout and product ops: tril, diagonal, roll, unfold, kron, addmm, ...

A mixin of the Tensor class, like tensor_views.py: each method is a one-liner into
`tinygrad_edu.ops` (see ops/layout.py and ops/products.py for the math).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorLayout:
    """Layout and product methods of Tensor (see ops/layout.py and ops/products.py)."""

    _ops: Any  # the tinygrad_edu.ops namespace

    def tril(self, diagonal: int = 0) -> Tensor:
        return self._ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return self._ops.triu(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return self._ops.diagonal(self, offset, dim1, dim2)

    def diag(self, diagonal: int = 0) -> Tensor:
        return self._ops.diag(self, diagonal)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return self._ops.diag_embed(self, offset, dim1, dim2)

    def trace(self) -> Tensor:
        return self._ops.trace(self)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return self._ops.roll(self, shifts, dims)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        return self._ops.rot90(self, k, dims)

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *,
                          output_size: int | None = None) -> Tensor:
        return self._ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return self._ops.layout.unfold(self, dimension, size, step)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return self._ops.movedim(self, source, destination)

    def moveaxis(self, source: Any, destination: Any) -> Tensor:
        return self._ops.movedim(self, source, destination)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return self._ops.transpose(self, axis0, axis1)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        return self._ops.transpose(self, dim0, dim1)

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        return self._ops.take_along_dim(self, indices, dim)

    def kron(self, other: Tensor) -> Tensor:
        return self._ops.kron(self, other)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
                alpha: Any = 1) -> Tensor:
        return self._ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._ops.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        return self._ops.cross(self, other, dim)

    def det(self) -> Tensor:
        return self._ops.det(self)

    def logdet(self) -> Tensor:
        return self._ops.logdet(self)

    def slogdet(self) -> Any:
        return self._ops.slogdet(self)

    def inverse(self) -> Tensor:
        return self._ops.inverse(self)
