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
        if len(shape) == 1 and isinstance(shape[0], _dtypes.dtype):
            raise TypeError("view(dtype) reinterprets the bytes of a tensor, which tinygrad_edu "
                            "does not support; use .to(dtype) to convert the values")
        return self._ops.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return self._ops.view(self, other.shape)

    def reshape(self, *shape: Any) -> Tensor:
        return self._ops.reshape(self, *shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self._ops.reshape(self, other.shape)

    def permute(self, *dims: Any) -> Tensor:
        return self._ops.permute(self, *dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return self._ops.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        return self._ops.t(self)

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        return self._ops.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        return self._ops.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        return self._ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return self._ops.expand(self, other.shape)

    def squeeze(self, dim: Any = None) -> Tensor:
        return self._ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return self._ops.unsqueeze(self, dim)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return self._ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return self._ops.unflatten(self, dim, sizes)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return self._ops.narrow(self, dim, start, length)

    def contiguous(self) -> Tensor:
        return self if self._view.is_contiguous() else self._ops.contiguous(self)

    def clone(self) -> Tensor:
        return self._ops.clone(self)

    def flip(self, *dims: Any) -> Tensor:
        return self._ops.flip(self, *dims)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return self._ops.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return self._ops.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return self._ops.unbind(self, dim)

    def repeat(self, *sizes: Any) -> Tensor:
        return self._ops.repeat(self, *sizes)

    def sum_to_size(self, *size: Any) -> Tensor:
        return self._ops.sum_to_size(self, *size)

    def __getitem__(self, key: Any) -> Tensor:
        return self._ops.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._ops.setitem(self, key, value)
