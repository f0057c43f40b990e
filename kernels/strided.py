"""Strided views: how one flat buffer becomes an n-dimensional tensor.

A tensor's elements live in a flat 1-D buffer. A *view* says how to read them:

    element (i0, i1, ..., ik) lives at  offset + i0*strides[0] + i1*strides[1] + ... + ik*strides[k]

Row-major ("C-contiguous") strides for shape (2, 3, 4) are (12, 4, 1): the last index moves fastest.
Transposing swaps strides, slicing changes the offset and multiplies strides by the step, and
broadcasting a size-1 dimension sets its stride to 0 — all without copying a single element.
Strides here are counted in *elements*, as in PyTorch (NumPy counts bytes).
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod
from typing import Any, NamedTuple

import numpy as np


class View(NamedTuple):
    """Shape, strides (in elements) and offset (in elements) of a tensor inside its flat buffer."""

    shape: tuple[int, ...]
    strides: tuple[int, ...]
    offset: int = 0

    @property
    def numel(self) -> int:
        return prod(self.shape)

    def is_contiguous(self) -> bool:
        """True when the elements are laid out row-major with no gaps (size-1 dims: any stride)."""
        expected = 1
        for size, stride in zip(reversed(self.shape), reversed(self.strides)):
            if size != 1 and stride != expected:
                return False
            expected *= size
        return True


def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Row-major strides: (2, 3, 4) -> (12, 4, 1)."""
    strides = []
    running = 1
    for size in reversed(shape):
        strides.append(running)
        running *= max(size, 1)
    return tuple(reversed(strides))


def contiguous_view(shape: tuple[int, ...]) -> View:
    """The view of a freshly allocated, row-major tensor of this shape."""
    return View(tuple(shape), contiguous_strides(shape), 0)


class Memo(dict):
    """A dict that fills itself: memo[key] is function(key), computed on the first lookup.

    Every op call asks a few pure questions about shapes and views (the row-major strides of a
    shape, the broadcast of two views), and a training step asks the same ones every time. A hit
    here is a plain dict subscript (~0.03 us); functools.lru_cache pays a Python-level call and its
    LRU bookkeeping (~0.1 us), and an op asks three or four of these questions. A full memo is
    simply emptied: the keys a program uses come back at once."""

    __slots__ = ("function", "maxsize")

    def __init__(self, function: Callable[[Any], Any], maxsize: int = 4096):
        super().__init__()
        self.function, self.maxsize = function, maxsize

    def __missing__(self, key: Any) -> Any:
        if len(self) >= self.maxsize:
            self.clear()
        value = self[key] = self.function(key)
        return value


def _strides_in_bytes(key: tuple[tuple[int, ...], int]) -> tuple[int, ...]:
    strides, itemsize = key
    return tuple(s * itemsize for s in strides)


# (element strides, item size) -> byte strides: every primitive call converts its views, and the
# same few strides come back every training step.
_BYTE_STRIDES = Memo(_strides_in_bytes)

# shape -> (contiguous strides, element count)
ROW_MAJOR = Memo(lambda shape: (contiguous_strides(shape), prod(shape)))


def _byte_strides(strides: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    """Element strides times the item size (NumPy counts strides in bytes)."""
    return _BYTE_STRIDES[strides, itemsize]


def _row_major(shape: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """(contiguous strides, element count) of a shape."""
    return ROW_MAJOR[shape]


def is_whole(buffer: np.ndarray, view: View) -> bool:
    """True when the view reads the whole flat buffer in row-major order (every fresh op result):
    elementwise math can then run on the flat buffer itself, no shaped array needed."""
    return view.offset == 0 and ROW_MAJOR[view.shape] == (view.strides, buffer.size)


def as_numpy(buffer: np.ndarray, view: View) -> np.ndarray:
    """Look at a flat NumPy buffer through a view, without copying (NumPy wants byte strides).

    Most views are the whole buffer, row-major (every fresh op result): a reshape is then the
    same array for a quarter of the cost of building one from strides."""
    shape, strides, offset = view
    if offset == 0 and ROW_MAJOR[shape] == (strides, buffer.size):
        # a 1-d whole view is the buffer itself: no new array object at all
        return buffer if len(shape) == 1 else buffer.reshape(shape)
    itemsize = buffer.itemsize
    if 0 in shape:  # no elements: nothing to share, and the offset may point past the buffer
        return np.empty(shape, buffer.dtype)
    return np.ndarray(shape, buffer.dtype, buffer, offset * itemsize,
                      _BYTE_STRIDES[strides, itemsize])
