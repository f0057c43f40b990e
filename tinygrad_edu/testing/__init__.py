"""Testing tools for your own ops: Hypothesis strategies, gradcheck, and parity with PyTorch.

    from tinygrad_edu.testing import gradcheck, assert_matches_torch, strategies
"""

from ..autograd.gradcheck import GradcheckError, gradcheck
from .parity import assert_matches_torch

__all__ = ["GradcheckError", "assert_matches_torch", "gradcheck"]
