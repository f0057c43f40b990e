"""torch.functional: the module path some code imports tensor functions from.

`from torch.functional import norm, split, unique` works in PyTorch because those functions are
*defined* there (in Python, on top of the C++ ops) and re-exported as torch.norm and so on. Here
the functions live in tinygrad_edu.ops; this module only gives them that second address, for the
names of torch.functional that tinygrad_edu has.
"""

from __future__ import annotations

import tinygrad_edu as _package

# torch.functional's public functions (torch 2.x)
TORCH_FUNCTIONAL_NAMES = (
    "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
    "broadcast_tensors", "cartesian_prod", "cdist", "chain_matmul", "einsum", "istft", "lu",
    "meshgrid", "norm", "pca_lowrank", "split", "stft", "svd_lowrank", "tensordot", "unique",
    "unique_consecutive", "unravel_index",
)

__all__ = [name for name in TORCH_FUNCTIONAL_NAMES if hasattr(_package, name)]
globals().update({name: getattr(_package, name) for name in __all__})
