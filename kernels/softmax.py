"""Fused softmax and log-softmax along one dimension, numerically stable.

    softmax(x)_i     = exp(x_i - m) / sum_j exp(x_j - m)          m = max_j x_j
    log_softmax(x)_i = (x_i - m) - log(sum_j exp(x_j - m))

Subtracting the row maximum m changes nothing mathematically but keeps exp() <= 1, so logits of
+-1e4 give exact answers instead of inf/inf = nan. One primitive instead of five elementwise and
reduction passes: the row is read once and written once (the Triton kernel keeps it in registers).
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def softmax_reference(x: np.ndarray, x_view: View, dim: int, log: bool) -> np.ndarray:
    """softmax (log=False) or log_softmax (log=True) of x along dim; float16 computes in float32."""
    x_array = as_numpy(x, x_view)
    if x.dtype == np.float16:
        x_array = x_array.astype(np.float32)
    with np.errstate(all="ignore"):
        row_max = np.max(x_array, axis=dim, keepdims=True)
        row_max = np.where(np.isfinite(row_max), row_max, 0)  # a row of -inf stays -inf, not nan
        shifted = x_array - row_max
        exponentials = np.exp(shifted)
        total = np.sum(exponentials, axis=dim, keepdims=True)
        result = shifted - np.log(total) if log else exponentials / total
    return np.asarray(result, dtype=x.dtype).reshape(-1)
