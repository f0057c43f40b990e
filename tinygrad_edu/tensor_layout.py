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
        """Lower triangle: keeps x[i, j] where j - i <= diagonal, zeros the rest."""
        return self._ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        """Upper triangle: keeps x[i, j] where j - i >= diagonal, zeros the rest."""
        return self._ops.triu(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The diagonal x[..., i, i + offset] of dims dim1, dim2 as a view (no copy)."""
        return self._ops.diagonal(self, offset, dim1, dim2)

    def diag(self, diagonal: int = 0) -> Tensor:
        """1-D input: a square matrix with it on the diagonal; 2-D input: the diagonal as 1-D."""
        return self._ops.diag(self, diagonal)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        """Each last-dim vector placed on the diagonal of a new (dim1, dim2) matrix."""
        return self._ops.diag_embed(self, offset, dim1, dim2)

    def trace(self) -> Tensor:
        """Sum of the main diagonal of a 2-D tensor:  y = sum_i x[i, i]."""
        return self._ops.trace(self)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Shift elements along dims, wrapping around:  y[(i + shift) % n] = x[i]."""
        return self._ops.roll(self, shifts, dims)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        """Rotate by k * 90 degrees in the plane of dims (a flip plus a transpose)."""
        return self._ops.rot90(self, k, dims)

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *,
                          output_size: int | None = None) -> Tensor:
        """Repeat each element `repeats` times along dim (flattened when dim is None)."""
        return self._ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        """Sliding windows of `size` every `step` along `dimension`, as a strided view."""
        return self._ops.layout.unfold(self, dimension, size, step)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """Move dims from source positions to destination positions (a permute view)."""
        return self._ops.movedim(self, source, destination)

    def moveaxis(self, source: Any, destination: Any) -> Tensor:
        """Alias of movedim (NumPy's name)."""
        return self._ops.movedim(self, source, destination)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        """Alias of transpose(axis0, axis1) (NumPy's name)."""
        return self._ops.transpose(self, axis0, axis1)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        """Alias of transpose(dim0, dim1)."""
        return self._ops.transpose(self, dim0, dim1)

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        """Pick values at `indices` along dim, like numpy.take_along_axis (a gather)."""
        return self._ops.take_along_dim(self, indices, dim)

    def kron(self, other: Tensor) -> Tensor:
        """Kronecker product: every element of x times the whole of other, tiled."""
        return self._ops.kron(self, other)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * x + alpha * (mat1 @ mat2);  gradients flow to all three operands."""
        return self._ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
                alpha: Any = 1) -> Tensor:
        """beta * x + alpha * (batch1 @ batch2), one matmul per batch entry."""
        return self._ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * x + alpha * (mat @ vec)."""
        return self._ops.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        """3-vector cross product:  y = (a2 b3 - a3 b2, a3 b1 - a1 b3, a1 b2 - a2 b1)."""
        return self._ops.cross(self, other, dim)
