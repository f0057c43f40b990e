"""Matrix multiplication: the primitive that does most of the arithmetic in a neural network.

    matmul(a, b)    c[..., i, j] = sum_k a[..., i, k] * b[..., k, j]
                    a: (..., M, K)   b: (..., K, N)   ->   c: (..., M, N)

The batch dimensions `...` of a and b are already broadcast to one shape by the caller (stride-0
views), and 1-D operands were turned into matrices by unsqueezing: the primitive sees only the plain
batched case. Half precision is accumulated in float32.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def matmul_reference(a: np.ndarray, a_view: View, b: np.ndarray, b_view: View) -> np.ndarray:
    """c = a @ b for (..., M, K) @ (..., K, N) with equal batch shapes; returns c contiguous."""
    a_array, b_array = as_numpy(a, a_view), as_numpy(b, b_view)
    if a.dtype == np.float16:
        result = np.matmul(a_array.astype(np.float32), b_array.astype(np.float32))
    else:
        result = np.matmul(a_array, b_array)
    return np.asarray(result, dtype=a.dtype).reshape(-1)
