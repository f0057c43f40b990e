"""torch.linalg: norms, cross products and matrix functions (import tinygrad_edu as torch;
torch.linalg.norm(x)). Each name forwards to a differentiable op in tinygrad_edu/ops/:

    ops/products.py   vector_norm, matrix_norm, norm, cross
    ops/linalg.py     solve, inv, det, slogdet (Gauss-Jordan elimination, kernels/linalg.py)
    ops/decompositions.py  eigh, eigvalsh, svd, svdvals, pinv, cholesky, qr (kernels/eigen.py)
"""

from __future__ import annotations

from .ops.decompositions import cholesky, eigh, eigvalsh, pinv, qr, svd, svdvals
from .ops.linalg import det, inv, slogdet, solve
from .ops.products import linalg_cross as cross
from .ops.products import linalg_norm as norm
from .ops.products import matrix_norm, vector_norm

__all__ = ["cholesky", "cross", "det", "eigh", "eigvalsh", "inv", "matrix_norm", "norm", "pinv",
           "qr", "slogdet", "solve", "svd", "svdvals", "vector_norm"]
