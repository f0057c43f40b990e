"""Matrix decompositions: eigh, eigvalsh, svd, svdvals, pinv, cholesky, qr (torch.linalg), built
on one primitive, the symmetric eigendecomposition (Jacobi rotations, kernels/eigen.py).

    eigh(A) = (L, V),  A = V diag(L) V^T        (symmetric A, only its lower triangle is read)
        dA = V (diag(dL) + F o skew(V^T dV)) V^T,   F_ij = 1 / (L_j - L_i),  skew(X) = (X - X^T)/2
    svd(A) = (U, S, V^T) from eigh(A^T A) = (S^2, V):  S = sqrt(S^2),  U = A V / S   (m >= n;
        for m < n the same on A^T). A composite of differentiable ops, so its gradient is eigh's
        pulled through the matmuls. The price of going through A^T A: singular values far below
        sqrt(eps) * S_max lose relative accuracy, and U is not finite for a zero singular value
        (LAPACK's bidiagonalisation has neither problem; see the comparison page).
    pinv(A) = V diag(1 / S^2, 0 below the cutoff) V^T A^T   (no division by a zero S)
        dA = -P^T dP P^T + (I - A P) dP^T P P^T + P^T P dP^T (I - P A)   (P = pinv(A))
    cholesky(A) = L, A = L L^T: column by column, L[j:, j] = (A[j:, j] - L[j:, :j] L[j, :j]) /
        sqrt(A[j, j] - |L[j, :j]|^2); the gradient comes from the loop's ops.

    qr(A) = Q R: Householder reflections with LAPACK's signs (see qr), gradient through the loop.

eigh and cholesky read the lower triangle and, like PyTorch, return a symmetric gradient.
"""

from __future__ import annotations

import warnings
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from . import lowering
from .linalg import _check_square

EighResult = namedtuple("torch_return_types_linalg_eigh", ["eigenvalues", "eigenvectors"])
SvdResult = namedtuple("torch_return_types_linalg_svd", ["U", "S", "Vh"])
LegacySvdResult = namedtuple("torch_return_types_svd", ["U", "S", "V"])


class SymmetricEigen(Function):
    """(L, V) of the symmetric A (lower triangle);
    dA = V (diag(dL) + F o skew(V^T dV)) V^T,  F_ij = 1 / (L_j - L_i) off the diagonal"""

    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, a):
        values, vectors = lowering.symmetric_eigen(a)
        ctx.save_for_backward(values, vectors)
        return values, vectors

    @staticmethod
    def backward(ctx, dvalues, dvectors):
        values, vectors = ctx.saved_tensors  # (..., n), (..., n, n)
        n = values.shape[-1]
        inner = values.new_zeros((*values.shape, n))  # (..., n, n)
        if dvectors is not None:
            projected = vectors.mT @ dvectors
            skew = (projected - projected.mT) * 0.5
            gaps = values.unsqueeze(-2) - values.unsqueeze(-1)  # L_j - L_i
            off_diagonal = lowering.from_host(1.0 - np.eye(n), values.device, values.dtype)
            inner = skew / (gaps + (1.0 - off_diagonal)) * off_diagonal
        if dvalues is not None:
            inner = inner + dvalues.diag_embed()
        return vectors @ inner @ vectors.mT


def _check_floating(name: str, a: Tensor) -> None:
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if not a.dtype.is_floating_point:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{a.dtype.name.capitalize()}")


def eigh(A: Tensor, UPLO: str = "L") -> Any:  # noqa: N803 - torch's names
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric matrix."""
    _check_square("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    values, vectors = SymmetricEigen.apply(A if UPLO == "L" else A.mT)
    return EighResult(values, vectors)


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues of a symmetric matrix, ascending."""
    _check_square("linalg.eigvalsh", A)
    return eigh(A, UPLO).eigenvalues


def _gram_eigen(A: Tensor) -> tuple[Tensor, Tensor, bool]:  # noqa: N803
    """(S^2 descending, their eigenvectors, transposed?) of the smaller Gram matrix."""
    wide = A.shape[-2] < A.shape[-1]
    a = A.mT if wide else A  # (..., m, n) with m >= n
    values, vectors = SymmetricEigen.apply(a.mT @ a)  # ascending
    return values.flip(-1), vectors.flip(-1), wide


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None) -> Any:  # noqa: N803
    """A = U diag(S) Vh, S descending; full_matrices completes U (or V) to a square basis."""
    _check_floating("linalg.svd", A)
    m, n = A.shape[-2:]
    if min(m, n) == 0:
        raise RuntimeError("linalg.svd: tinygrad_edu does not decompose empty matrices")
    squares, v, wide = _gram_eigen(A)  # (..., k), (..., n', k)
    a = A.mT if wide else A
    s = squares.clamp(min=0).sqrt()
    u = (a @ v) / s.unsqueeze(-2)  # (..., m', k)
    if full_matrices and m != n:  # the rest of the basis: null vectors of a a^T (no gradient)
        values, vectors = SymmetricEigen.apply((a @ a.mT).detach())  # ascending: zeros first
        extra = vectors[..., :, : a.shape[-2] - a.shape[-1]]
        u = lowering_cat(u, extra)
    if wide:
        u, v = v, u
    return SvdResult(u, s, v.mT)


def lowering_cat(left: Tensor, right: Tensor) -> Tensor:
    from .movement import cat

    return cat([left, right], -1)


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:  # noqa: N803
    """The singular values, descending."""
    _check_floating("linalg.svdvals", A)
    squares, _, _ = _gram_eigen(A)
    return squares.clamp(min=0).sqrt()


class PseudoInverse(Function):
    """P = pinv(A) (computed by _pinv_values);  the derivative of the pseudo-inverse
    (Golub and Pereyra):  dA = -P^T dP P^T + (I - A P) dP^T P P^T + P^T P dP^T (I - P A)"""

    node_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        p = _pinv_values(a, atol, rtol, hermitian)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, dp):
        a, p = ctx.saved_tensors  # (..., m, n), (..., n, m)
        pt = p.mT
        da = -(pt @ dp @ pt)
        da = da + (dp.mT @ p @ pt) - (a @ (p @ (dp.mT @ (p @ pt))))
        da = da + (pt @ (p @ dp.mT)) - (pt @ (p @ (dp.mT @ (p @ a))))
        return da, None, None, None


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None,  # noqa: N803
         hermitian: bool = False) -> Tensor:
    """The pseudo-inverse: singular values at most max(atol, rtol * S_max) count as zero
    (rtol defaults to eps * max(m, n) when neither is given)."""
    _check_floating("linalg.pinv", A)
    m, n = A.shape[-2:]
    if rtol is None:
        rtol = 0.0 if atol is not None else float(np.finfo(A.dtype.numpy).eps) * max(m, n)
    atol = 0.0 if atol is None else atol
    return PseudoInverse.apply(A, atol, rtol, hermitian)


def _pinv_values(A: Tensor, atol: Any, rtol: Any, hermitian: bool) -> Tensor:  # noqa: N803
    """V diag(1/L) V^T (hermitian) or V diag(1/S^2) V^T A^T, small values cut to 0."""
    if hermitian:
        values, vectors = SymmetricEigen.apply(A)
        size = values.abs()
        keep = size > _cutoff(size.amax(-1, keepdim=True), atol, rtol)
        inverse = (1.0 / values.masked_fill(~keep, 1.0)).masked_fill(~keep, 0.0)
        return (vectors * inverse.unsqueeze(-2)) @ vectors.mT
    squares, v, wide = _gram_eigen(A)
    a = A.mT if wide else A
    s = squares.clamp(min=0).sqrt()
    keep = s > _cutoff(s[..., :1], atol, rtol)
    inverse_squares = (1.0 / squares.masked_fill(~keep, 1.0)).masked_fill(~keep, 0.0)
    result = (v * inverse_squares.unsqueeze(-2)) @ v.mT @ a.mT  # (..., n', m')
    return result.mT if wide else result


def _cutoff(largest: Tensor, atol: Any, rtol: Any) -> Tensor:
    scaled = largest * rtol
    if isinstance(atol, Tensor):
        return scaled.maximum(atol.unsqueeze(-1))
    return scaled.clamp(min=float(atol))


class SymmetricFromLower(Function):
    """y = tril(x) + tril(x, -1)^T;  dx = (dy + dy^T) / 2  (PyTorch's symmetric gradient)"""

    @staticmethod
    def forward(ctx, x):
        lower = x.tril()
        return lower + lower.tril(-1).mT

    @staticmethod
    def backward(ctx, dy):
        return (dy + dy.mT) * 0.5


def cholesky(A: Tensor, *, upper: bool = False, out: Tensor | None = None) -> Tensor:  # noqa: N803
    """L lower triangular with A = L L^T (upper=True: U = L^T, A = U^T U)."""
    _check_square("linalg.cholesky", A)
    n = A.shape[-1]
    a = SymmetricFromLower.apply(A)
    columns: list[Tensor] = []
    for j in range(n):
        column = a[..., :, j]  # (..., n)
        if columns:
            previous = columns[0].unsqueeze(-1) if j == 1 else _stack(columns)  # (..., n, j)
            column = column - (previous @ previous[..., j, :].unsqueeze(-1)).squeeze(-1)
        pivot = column[..., j]  # (...)
        bad = (pivot.detach() <= 0) | pivot.detach().isnan()
        if bool(bad.any().item()):
            raise RuntimeError(_not_positive_definite(bad, j))
        below = lowering.from_host((np.arange(n) >= j).astype(np.float64), A.device, A.dtype)
        columns.append(column / pivot.sqrt().unsqueeze(-1) * below)
    result = _stack(columns) if n else a
    result = result.mT if upper else result
    return result if out is None else out.copy_(result)


def _stack(columns: list[Tensor]) -> Tensor:
    from .movement import stack

    return stack(columns, -1)


def _not_positive_definite(bad: Tensor, j: int) -> str:
    message = ("linalg.cholesky: The factorization could not be completed because the input is "
               f"not positive-definite (the leading minor of order {j + 1} is not "
               "positive-definite).")
    if bad.ndim:
        first = int(np.flatnonzero(bad.cpu().numpy().reshape(-1))[0])
        return "linalg.cholesky: (Batch element " + str(first) + "):" + message[16:]
    return message


QrResult = namedtuple("torch_return_types_linalg_qr", ["Q", "R"])


def qr(A: Tensor, mode: str = "reduced") -> Any:  # noqa: N803
    """A = Q R by Householder reflections, with LAPACK's signs (R[j, j] = -sign(alpha) |x|).

    Step j reflects column j's part from row j down, x, onto a multiple of e_j:
        beta = -sign(x_j) |x|,  v = (x - beta e_j) / (x_j - beta)  (v_j = 1),
        tau = (beta - x_j) / beta,  H = I - tau v v^T,  R <- H R,  Q <- Q H
    (no reflection, tau = 0, when x has nothing below x_j). A composite of differentiable ops:
    the gradient is the loop's."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_floating("linalg.qr", A)
    m, n = A.shape[-2:]
    k = min(m, n)
    rows_np = np.arange(m)
    r = A
    q = lowering.from_host(np.eye(m), A.device, A.dtype).expand(*A.shape[:-2], m, m)
    for j in range(k):
        on_or_below = lowering.from_host((rows_np >= j).astype(np.float64), A.device, A.dtype)
        below = lowering.from_host((rows_np > j).astype(np.float64), A.device, A.dtype)
        pivot_row = lowering.from_host((rows_np == j).astype(np.float64), A.device, A.dtype)
        x = r[..., :, j] * on_or_below  # (..., m)
        alpha = r[..., j, j]  # (...)
        tail = ((x * below) ** 2).sum(-1)  # (...)
        reflect = tail > 0
        sign = (alpha >= 0).to(A.dtype) * 2 - 1
        beta = -sign * (alpha * alpha + tail).sqrt()
        safe_beta = beta.masked_fill(~reflect, 1.0)
        tau = ((safe_beta - alpha) / safe_beta).masked_fill(~reflect, 0.0)
        scale = 1.0 / (alpha - safe_beta).masked_fill(~reflect, 1.0)
        v = x * below * scale.unsqueeze(-1) + pivot_row  # (..., m), v_j = 1
        weighted = tau.unsqueeze(-1) * v
        r = r - weighted.unsqueeze(-1) * (v.unsqueeze(-2) @ r)  # H R
        q = q - (q @ v.unsqueeze(-1)) * weighted.unsqueeze(-2)  # Q H
    upper = r.triu()
    if mode == "r":
        message = ("The derivative of linalg.qr depends on Q, which is not computed when "
                   "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                   "differentiate through linalg.qr.")
        return QrResult(A.new_zeros((0,)), NoDerivative.apply(upper[..., :k, :], message))
    if mode == "complete":
        if m > n:  # the completed columns of Q are not a differentiable function of A
            message = ("The QR decomposition is not differentiable when mode='complete' and "
                       "nrows > ncols.")
            q, upper = NoDerivative.apply(q, message), NoDerivative.apply(upper, message)
        return QrResult(q, upper)
    return QrResult(q[..., :, :k], upper[..., :k, :])


class NoDerivative(Function):
    """y = x;  backward raises PyTorch's error (an output torch refuses to differentiate)"""

    @staticmethod
    def forward(ctx, x, message):
        ctx.message = message
        return lowering.view_of(x, x._view)

    @staticmethod
    def backward(ctx, dy):
        raise RuntimeError(ctx.message)


# --- torch.* aliases of the older API ----------------------------------------------------------
def legacy_svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    """torch.svd: (U, S, V) with V, not V^T; some=True is the reduced decomposition."""
    u, s, vh = svd(input, full_matrices=not some)
    if not compute_uv:
        return LegacySvdResult(u.new_zeros(u.shape).detach(), s, vh.new_zeros(vh.shape).detach())
    return LegacySvdResult(u, s, vh.mT)


def legacy_qr(input: Tensor, some: bool = True) -> Any:
    """torch.qr: linalg.qr with some=True as mode='reduced', some=False as 'complete'."""
    return qr(input, "reduced" if some else "complete")


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: linalg.pinv with rtol = rcond."""
    return pinv(input, rtol=rcond)


def legacy_cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky (deprecated in torch for linalg.cholesky, with this warning)."""
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be "
                  "removed in a future PyTorch release.\nL = torch.cholesky(A)\nshould be "
                  "replaced with\nL = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, "
                  "upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\nThis "
                  "transform will produce equivalent results for all valid (symmetric positive "
                  "definite) inputs.", UserWarning, stacklevel=3)
    return cholesky(input, upper=upper)


# --- small composites of the above (torch.linalg) ----------------------------------------------
def matrix_power(A: Tensor, n: int) -> Tensor:  # noqa: N803
    """A^n by repeated squaring (n < 0: the inverse's power, n = 0: the identity)."""
    _check_square("linalg.matrix_power", A)
    size = A.shape[-1]
    identity = lowering.from_host(np.eye(size), A.device, A.dtype).expand(*A.shape)
    if n == 0:
        return identity.clone()
    from .linalg import inv

    base = inv(A) if n < 0 else A
    result: Tensor | None = None
    exponent = abs(n)
    while exponent:  # binary exponentiation: log2(n) squarings
        if exponent & 1:
            result = base if result is None else result @ base
        exponent >>= 1
        if exponent:
            base = base @ base
    assert result is not None
    return result


def multi_dot(tensors: Any, *, out: Tensor | None = None) -> Tensor:
    """A_1 @ A_2 @ ... @ A_k; a 1-D first (last) argument is a row (column) vector."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0].ndim == 1, tensors[-1].ndim == 1
    matrices = list(tensors)
    if first:
        matrices[0] = matrices[0].unsqueeze(0)
    if last:
        matrices[-1] = matrices[-1].unsqueeze(-1)
    for index, matrix in enumerate(matrices):
        if matrix.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {index} must be 2D but got {matrix.ndim}D")
    result = matrices[0]
    for matrix in matrices[1:]:
        result = result @ matrix
    if first:
        result = result.squeeze(0)
    if last:
        result = result.squeeze(-1)
    return result if out is None else out.copy_(result)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Tensor | None = None) -> Tensor:
    """sum(conj(x) * y) along dim, with broadcasting."""
    result = (x.conj() * y).sum(dim)
    return result if out is None else out.copy_(result)


def matrix_rank(A: Tensor, *, atol: Any = None, rtol: Any = None,  # noqa: N803
                hermitian: bool = False, out: Tensor | None = None) -> Tensor:
    """The number of singular values above max(atol, rtol * S_max) (int64)."""
    _check_floating("linalg.matrix_rank", A)
    m, n = A.shape[-2:]
    if rtol is None:
        rtol = 0.0 if atol is not None else float(np.finfo(A.dtype.numpy).eps) * max(m, n)
    atol = 0.0 if atol is None else atol
    if hermitian:
        values = SymmetricEigen.apply(A)[0].abs()
        largest = values.amax(-1, keepdim=True)
    else:
        values = svdvals(A)
        largest = values[..., :1]
    from ..dtypes import int64

    result = (values > _cutoff(largest, atol, rtol)).to(int64).sum(-1)
    return result if out is None else out.copy_(result)


def cond(A: Tensor, p: Any = None, *, out: Tensor | None = None) -> Tensor:  # noqa: N803
    """The condition number: S_max / S_min (p = None or 2), S_min / S_max (p = -2), or
    norm(A, p) * norm(inv(A), p) for p = 'fro', 'nuc', inf, -inf, 1, -1."""
    _check_floating("linalg.cond", A)
    if p in (None, 2, -2):
        values = svdvals(A)
        largest, smallest = values[..., 0], values[..., -1]
        result = largest / smallest if p != -2 else smallest / largest
    else:
        from .linalg import inv
        from .products import matrix_norm

        _check_square("linalg.cond", A)
        result = matrix_norm(A, p) * matrix_norm(inv(A), p)
    return result if out is None else out.copy_(result)
