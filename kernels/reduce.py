"""Reduction primitives: many input elements collapse into one output element.

    reduce(op, x, axes)   y[j] = op over x[..] where the indices outside `axes` equal j

op is one of sum, prod, max, min (a value per output) or argmax, argmin (the index of the first
extreme value along a single axis). The reduced axes disappear from the result's shape; `keepdim` is a
view trick done above this layer (re-insert size-1 dims). The accumulator is at least float32: half
precision inputs are summed in float32 and rounded once at the end, as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------

_VALUE_REDUCTIONS = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min}
_INDEX_REDUCTIONS = {"argmax": np.argmax, "argmin": np.argmin}


def reduce_reference(op: str, x: np.ndarray, x_view: View, axes: tuple[int, ...]) -> np.ndarray:
    """Reduce the given axes of x with op; argmax/argmin take exactly one axis and return int64."""
    x_array = as_numpy(x, x_view)
    if op in _INDEX_REDUCTIONS:
        (axis,) = axes
        return _INDEX_REDUCTIONS[op](x_array, axis=axis).astype(np.int64).reshape(-1)
    if op in ("sum", "prod") and x.dtype == np.float16:
        result = _VALUE_REDUCTIONS[op](x_array, axis=axes, dtype=np.float32)
    else:
        result = _VALUE_REDUCTIONS[op](x_array, axis=axes)
    return np.asarray(result, dtype=x.dtype).reshape(-1)
