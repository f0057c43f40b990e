"""Memory primitives: allocate, fill, move between host and device, and copy through views.

    full(numel, value, dtype)       a new buffer with every element = value
    arange(start, step, numel)      y[i] = start + i * step
    from_host(array) / to_host      NumPy array <-> backend buffer (a real copy, also on the CPU)
    copy(x)                         read a strided view, write it out contiguous (row-major)
    copy_into(dst, src)             write src (broadcast) into a strided view of dst, in place

`copy` is how `.contiguous()` works: a transposed view read element by element in row-major order.
`copy_into` is the only primitive that writes into an existing buffer: in-place ops, slicing
assignment (`x[1:3] = 0`) and the backward of slicing all use it.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def full_reference(numel: int, value: float | int | bool, dtype: np.dtype) -> np.ndarray:
    """A new flat buffer of numel elements, all equal to value."""
    return np.full(numel, value, dtype=dtype)


def arange_reference(start: float | int, step: float | int, numel: int, dtype: np.dtype
                     ) -> np.ndarray:
    """y[i] = start + i * step, computed in float64 (or int64) then cast once."""
    wide = np.float64 if np.dtype(dtype).kind == "f" else np.int64
    return (start + np.arange(numel, dtype=wide) * step).astype(dtype)


def from_host_reference(array: np.ndarray) -> np.ndarray:
    """A new flat buffer holding a copy of a NumPy array's elements in row-major order."""
    return np.array(array, copy=True, order="C").reshape(-1)


def to_host_reference(x: np.ndarray, x_view: View) -> np.ndarray:
    """A NumPy array with the view's shape; on the CPU it shares memory with the buffer."""
    return as_numpy(x, x_view)


def copy_reference(x: np.ndarray, x_view: View) -> np.ndarray:
    """A new contiguous buffer with the elements of a strided view, in row-major order."""
    return as_numpy(x, x_view).copy(order="C").reshape(-1)


def copy_into_reference(destination: np.ndarray, destination_view: View,
                        source: np.ndarray, source_view: View) -> None:
    """destination[view] = source (same shape after broadcasting; casts to destination's dtype)."""
    np.copyto(as_numpy(destination, destination_view), as_numpy(source, source_view),
              casting="unsafe")
