"""torch.linalg: norms, cross products and matrix functions (import tinygrad_edu as torch;
torch.linalg.norm(x)). Each name forwards to a differentiable op in tinygrad_edu/ops/:

    ops/products.py   vector_norm, matrix_norm, norm, cross
"""

from __future__ import annotations

from .ops.products import linalg_cross as cross
from .ops.products import linalg_norm as norm
from .ops.products import matrix_norm, vector_norm

__all__ = ["cross", "matrix_norm", "norm", "vector_norm"]
