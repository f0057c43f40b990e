"""torch.linalg: norms, cross products and matrix functions (import tinygrad_edu as torch;
torch.linalg.norm(x)). Each name forwards to a differentiable op in tinygrad_edu/ops/:

    ops/products.py   vector_norm, matrix_norm, norm, cross
    ops/linalg.py     solve, inv, det, slogdet (Gauss-Jordan elimination, kernels/linalg.py)
    ops/decompositions.py  eigh, eigvalsh, svd, svdvals, pinv, cholesky, qr (kernels/eigen.py)
"""

from __future__ import annotations

from typing import Any

from .ops.decompositions import (
    cholesky,
    cond,
    eigh,
    eigvalsh,
    matrix_power,
    matrix_rank,
    multi_dot,
    pinv,
    qr,
    svd,
    svdvals,
    vecdot,
)
from .ops.layout import diagonal as _diagonal
from .ops.linalg import det, inv, slogdet, solve
from .ops.matmul import matmul
from .ops.products import linalg_cross as cross
from .ops.products import linalg_norm as norm
from .ops.products import matrix_norm, vector_norm

__all__ = ["cholesky", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul",
           "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
           "slogdet", "solve", "svd", "svdvals", "vecdot", "vector_norm"]


def diagonal(A: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:  # noqa: N803
    """torch.diagonal with the last two dims as default: the diagonals of a batch of matrices."""
    return _diagonal(A, offset, dim1, dim2)
