"""Index primitives: read or write elements at positions given by an integer tensor.

    gather(x, dim, index)              y[i][j][k] = x[i][index[i][j][k]][k]          (dim = 1)
    scatter_add(base, dim, index, src) y = base;  y[i][index[i][j][k]][k] += src[i][j][k]
    index_select(x, dim, index)        y = x with dim restricted to the positions in the 1-D index
    index_add(base, dim, index, src)   y = base;  y[..., index[j], ...] += src[..., j, ...]
    index(x, indices)                  NumPy/PyTorch advanced indexing: x[i0, :, i2] with int arrays
    index_put(dst, indices, values, accumulate)   dst[i0, :, i2] = values  (or +=), in place
    nonzero(x)                         (N, ndim) int64 coordinates of the nonzero elements

gather and scatter_add are each other's backward pass, and so are index_select and index_add:
reading from a position forward means adding the gradient back into that position backward.
Out-of-range indices raise an IndexError instead of reading someone else's memory.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _check_bounds(index: np.ndarray, size: int, dim: int) -> None:
    if index.size and (index.max() >= size or index.min() < -size):
        bad = index.max() if index.max() >= size else index.min()
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _coordinates(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """Full coordinates for scatter: positions of every index element, with dim replaced by it."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def gather_reference(x: np.ndarray, x_view: View, dim: int, index: np.ndarray, index_view: View
                     ) -> np.ndarray:
    """y[..., j, ...] = x[..., index[..., j, ...], ...] along dim; y has the index's shape."""
    x_array, index_array = as_numpy(x, x_view), as_numpy(index, index_view)
    _check_bounds(index_array, x_array.shape[dim], dim)
    return x_array[_coordinates(index_array, dim)].reshape(-1)


def scatter_add_reference(base: np.ndarray, base_view: View, dim: int, index: np.ndarray,
                          index_view: View, source: np.ndarray, source_view: View) -> np.ndarray:
    """A copy of base with source[p] added at base[p with dim replaced by index[p]]."""
    result = as_numpy(base, base_view).copy()
    index_array = as_numpy(index, index_view)
    _check_bounds(index_array, result.shape[dim], dim)
    source_array = as_numpy(source, source_view)[tuple(slice(0, n) for n in index_array.shape)]
    np.add.at(result, _coordinates(index_array, dim), source_array)
    return result.reshape(-1)


def index_select_reference(x: np.ndarray, x_view: View, dim: int, index: np.ndarray,
                           index_view: View) -> np.ndarray:
    """The slices of x along dim at the positions of a 1-D index (repeats allowed)."""
    x_array, index_array = as_numpy(x, x_view), as_numpy(index, index_view)
    _check_bounds(index_array, x_array.shape[dim], dim)
    return np.take(x_array, index_array, axis=dim).reshape(-1)


def index_add_reference(base: np.ndarray, base_view: View, dim: int, index: np.ndarray,
                        index_view: View, source: np.ndarray, source_view: View) -> np.ndarray:
    """A copy of base with source's j-th slice along dim added into slice index[j]."""
    result = as_numpy(base, base_view).copy()
    index_array = as_numpy(index, index_view)
    _check_bounds(index_array, result.shape[dim], dim)
    np.add.at(result, (slice(None),) * dim + (index_array,), as_numpy(source, source_view))
    return result.reshape(-1)


def _numpy_key(indices: list[tuple[np.ndarray, View] | None], shape: tuple[int, ...]) -> tuple:
    key = []
    for dim, entry in enumerate(indices):
        if entry is None:
            key.append(slice(None))
        else:
            index_array = as_numpy(*entry)
            _check_bounds(index_array, shape[dim], dim)
            key.append(index_array)
    return tuple(key)


def index_reference(x: np.ndarray, x_view: View, indices: list[tuple[np.ndarray, View] | None]
                    ) -> np.ndarray:
    """x[key] with one int64 index array (or None for ':') per dim, NumPy's advanced indexing."""
    x_array = as_numpy(x, x_view)
    return np.array(x_array[_numpy_key(indices, x_array.shape)], copy=True).reshape(-1)


def index_put_reference(destination: np.ndarray, destination_view: View,
                        indices: list[tuple[np.ndarray, View] | None],
                        values: np.ndarray, values_view: View, accumulate: bool) -> None:
    """destination[key] = values (or += with repeats summed when accumulate), in place."""
    destination_array = as_numpy(destination, destination_view)
    key = _numpy_key(indices, destination_array.shape)
    values_array = as_numpy(values, values_view)
    if accumulate:
        np.add.at(destination_array, key, values_array)
    else:
        destination_array[key] = values_array


def nonzero_reference(x: np.ndarray, x_view: View) -> np.ndarray:
    """Row-major coordinates of the nonzero elements, as a flat (N * ndim) int64 buffer."""
    return np.argwhere(as_numpy(x, x_view)).astype(np.int64).reshape(-1)
