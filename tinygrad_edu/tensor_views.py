"""Tensor methods that rearrange elements: view, reshape, permute, transpose, slicing, ...

A mixin of the Tensor class: each method is a one-liner into `tinygrad_edu.ops` (reached as
`self._ops`, attached by tensor.py once the ops exist). Most of these return *views* that share the
tensor's storage (see docs/tensor.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import dtypes as _dtypes

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorViews:
    """Shape and view methods of Tensor (see ops/movement.py and ops/indexing.py)."""

    _ops: Any  # the tinygrad_edu.ops namespace

    def view(self, *shape: Any) -> Tensor:
        """Same storage, new shape (one size may be -1); needs compatible strides  (ops.view)."""
        if len(shape) == 1 and isinstance(shape[0], _dtypes.dtype):
            raise TypeError("view(dtype) reinterprets the bytes of a tensor, which tinygrad_edu "
                            "does not support; use .to(dtype) to convert the values")
        return self._ops.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        """view(other.shape)  (ops.view)."""
        return self._ops.view(self, other.shape)

    def reshape(self, *shape: Any) -> Tensor:
        """A view when the strides allow it, else a contiguous copy  (ops.reshape)."""
        return self._ops.reshape(self, *shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        """reshape(other.shape)  (ops.reshape)."""
        return self._ops.reshape(self, other.shape)

    def permute(self, *dims: Any) -> Tensor:
        """A view with dims reordered: shape and strides permuted, no copy  (ops.permute)."""
        return self._ops.permute(self, *dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """A view with dim0 and dim1 swapped (shape and strides)  (ops.transpose)."""
        return self._ops.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        """Transpose of a matrix (0-d and 1-D tensors come back unchanged)  (ops.t)."""
        return self._ops.t(self)

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """All dims reversed: a view  (ops.permute)."""
        return self._ops.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        """The last two dims swapped: a batch of transposed matrices, a view  (ops.transpose)."""
        return self._ops.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        """A view with size-1 dims repeated by stride 0;  dx = dy summed back  (ops.expand)."""
        return self._ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        """expand(other.shape)  (ops.expand)."""
        return self._ops.expand(self, other.shape)

    def squeeze(self, dim: Any = None) -> Tensor:
        """A view without size-1 dims (only dim, when given)  (ops.squeeze)."""
        return self._ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        """A view with a new size-1 dim at dim  (ops.unsqueeze)."""
        return self._ops.unsqueeze(self, dim)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Dims start_dim..end_dim merged into one (a view when possible)  (ops.flatten)."""
        return self._ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        """Dim split into sizes (one may be -1)  (ops.unflatten)."""
        return self._ops.unflatten(self, dim, sizes)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """A view of length elements from start along dim  (ops.narrow)."""
        return self._ops.narrow(self, dim, start, length)

    def contiguous(self) -> Tensor:
        """self if already contiguous, else a row-major copy  (ops.contiguous)."""
        return self if self._view.is_contiguous() else self._ops.contiguous(self)

    def clone(self) -> Tensor:
        """A copy with its own storage, still in the graph: dx = dy  (ops.clone)."""
        return self._ops.clone(self)

    def flip(self, *dims: Any) -> Tensor:
        """A copy with the order of elements reversed along dims  (ops.flip)."""
        return self._ops.flip(self, *dims)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Views of split_size elements (or the listed sizes) along dim  (ops.split)."""
        return self._ops.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """chunks views of (nearly) equal size along dim  (ops.chunk)."""
        return self._ops.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along dim, each without that dim (views)  (ops.unbind)."""
        return self._ops.unbind(self, dim)

    def repeat(self, *sizes: Any) -> Tensor:
        """A copy tiled sizes times along each dim  (ops.repeat)."""
        return self._ops.repeat(self, *sizes)

    def sum_to_size(self, *size: Any) -> Tensor:
        """Summed over broadcast dims down to size (undoes broadcasting)  (ops.sum_to_size)."""
        return self._ops.sum_to_size(self, *size)

    def __getitem__(self, key: Any) -> Tensor:
        """x[key]: basic indexing gives a view, advanced indexing a copy  (ops.getitem)."""
        return self._ops.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        """x[key] = value: write into the selected elements, in place  (ops.setitem)."""
        self._ops.setitem(self, key, value)
