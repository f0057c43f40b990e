"""Linear systems: solve, inv, det, slogdet, logdet, through one primitive (Gauss-Jordan
elimination with partial pivoting, kernels/linalg.py).

    solve:    X = A^-1 B;       dB = A^-T dX,        dA = -dB X^T
    inv:      Y = A^-1 = solve(A, I);                dA = -Y^T dY Y^T
    slogdet:  (sign, log|det A|);  d(log|det A|)/dA = A^-T
    det:      sign * exp(log|det A|);  d det / dA = det * A^-T

(The gradients of det at a singular A are not finite here; PyTorch goes through an SVD there.)
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ..views import broadcast_shapes
from . import lowering
from .selection import where

SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])


class Solve(Function):
    """X = A^-1 B;  dB = solve(A^T, dX),  dA = -dB X^T"""

    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b, name):
        x, _, sign = lowering.gauss_jordan(a, b)
        if sign.numel() and bool((sign.cpu().numpy() == 0).any()):
            raise RuntimeError(_singular_message(name, a))
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, dx):
        a, x = ctx.saved_tensors
        db = Solve.apply(a.mT, dx, "torch.linalg.solve")
        da = -(db @ x.mT) if ctx.needs_input_grad[0] else None
        return da, db, None


class Slogdet(Function):
    """(sign, log|det A|);  dA = d(log|det A|) * A^-T  (sign has no gradient)"""

    node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, a):
        n = a._view.shape[-1]
        identity = lowering.from_host(np.eye(n), a.device, a.dtype)
        eye = lowering.view_of(identity, lowering.expand_view(identity._view, a._view.shape))
        inverse, logdet, sign = lowering.gauss_jordan(a, eye)
        ctx.save_for_backward(inverse)
        ctx.mark_non_differentiable(sign)
        return sign, logdet

    @staticmethod
    def backward(ctx, dsign, dlogdet):
        (inverse,) = ctx.saved_tensors
        return dlogdet[..., None, None] * inverse.mT


def _singular_message(name: str, a: Tensor) -> str:
    if name == "linalg.inv":
        return ("linalg.inv: The diagonal element 1 is zero, the inversion could not be completed "
                "because the input matrix is singular.")
    return f"{name}: The solver failed because the input matrix is singular."


def _check_square(name: str, a: Tensor) -> Tensor:
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    if not a.dtype.is_floating_point:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{a.dtype.name.capitalize()}")
    return a


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803 - torch's names
    """X with A X = B (left=False: X A = B); B is a vector (..., n) or matrices (..., n, k)."""
    _check_square("linalg.solve", A)
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    b = B.unsqueeze(-1) if vector else B  # (..., n, k)
    if b.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = "
                           f"B ({A.shape[-2]}x{A.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {A.dtype.name.capitalize()} and B of type "
                           f"{B.dtype.name.capitalize()} instead")
    batch = broadcast_shapes(tuple(A.shape[:-2]), tuple(b.shape[:-2]))
    a = A.expand(*batch, *A.shape[-2:])
    b = b.expand(*batch, *b.shape[-2:])
    x = Solve.apply(a, b, "torch.linalg.solve")
    return x.squeeze(-1) if vector else x


def inv(A: Tensor) -> Tensor:  # noqa: N803
    """A^-1 = solve(A, I)."""
    _check_square("linalg.inv", A)
    n = A.shape[-1]
    identity = lowering.from_host(np.eye(n), A.device, A.dtype)  # (n, n)
    return Solve.apply(A, identity.expand(*A.shape), "linalg.inv")


def slogdet(A: Tensor) -> Any:  # noqa: N803
    """(sign, log|det A|): the determinant without overflow."""
    _check_square("linalg.slogdet", A)
    return SlogdetResult(*Slogdet.apply(A))


def det(A: Tensor) -> Tensor:  # noqa: N803
    """det A = sign * exp(log|det A|)."""
    _check_square("linalg.det", A)
    sign, logdet = Slogdet.apply(A)
    return sign * logdet.exp()


def logdet(input: Tensor) -> Tensor:
    """log(det A): nan for a negative determinant, -inf for a singular matrix."""
    _check_square("logdet", input)
    sign, value = Slogdet.apply(input)
    return where(sign < 0, float("nan"), value)


def inverse(input: Tensor) -> Tensor:
    return inv(input)
