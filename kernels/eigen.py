"""Symmetric eigendecomposition: one primitive, cyclic Jacobi rotations, per matrix.

    symmetric_eigen(A) -> eigenvalues L (..., n) ascending,  eigenvectors V (..., n, n)
                          with A = V diag(L) V^T, V orthogonal (columns = eigenvectors)

Jacobi's method: pick an off-diagonal pair (p, q) and rotate rows and columns p, q by the angle
that zeroes A[p, q]:

    theta = (A[q,q] - A[p,p]) / (2 A[p,q]),  t = sign(theta) / (|theta| + sqrt(theta^2 + 1)),
    c = 1 / sqrt(t^2 + 1),  s = t c,         A <- J^T A J,  V <- V J
    (J is the identity except J[p,p] = J[q,q] = c, J[p,q] = s, J[q,p] = -s)

A rotation can make earlier zeros non-zero again, but the off-diagonal mass sum_{i!=j} A_ij^2
falls by 2 A[p,q]^2 each time; sweeping over every pair a few times drives it to rounding level
(convergence is quadratic once it is small). The diagonal is then L and the product of the
rotations is V. Finally a selection sort orders the eigenvalues ascending, as LAPACK's do.

Only the lower triangle of A is read (A is symmetrised from it), as torch.linalg.eigh's UPLO='L'.
The NumPy reference calls numpy.linalg.eigh (LAPACK); the Triton kernel keeps the matrix in
registers, one program per matrix: for the small matrices of a course (n up to ~32). An
eigenvector's sign is arbitrary (v and -v both are one): the two may differ in it.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

SWEEPS = {np.dtype(np.float32): 8, np.dtype(np.float64): 12}


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)


def symmetric_eigen_reference(a: np.ndarray, a_view: View) -> tuple[np.ndarray, np.ndarray]:
    """Flat buffers (L (..., n) ascending, V (..., n, n)) of the symmetric A's lower triangle."""
    array = as_numpy(a, a_view).astype(_compute_dtype(a.dtype))  # (..., n, n)
    values, vectors = np.linalg.eigh(array, UPLO="L")
    return values.astype(a.dtype).reshape(-1), vectors.astype(a.dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    empty,
    next_power_of_2,
    numpy_dtype,
    precise_sqrt,
    strided_offsets,
    tl,
    triton_kernel,
)


@triton_kernel
def symmetric_eigen_kernel(a_ptr, values_ptr, vectors_ptr,   # A (..., n, n) view; L, V outputs
                           n, a_shape, a_strides, a_offset,
                           SWEEPS: tl.constexpr, BLOCK: tl.constexpr):
    batch = tl.program_id(0)                                  # one program per matrix
    rows = tl.arange(0, BLOCK)                                # (BLOCK,)
    cols = tl.arange(0, BLOCK)
    inside = (rows[:, None] < n) & (cols[None, :] < n)        # (BLOCK, BLOCK)
    index = batch * n * n + rows[:, None] * n + cols[None, :]
    lower = tl.load(a_ptr + a_offset + strided_offsets(index, a_shape, a_strides),
                    mask=inside & (cols[None, :] <= rows[:, None]), other=0.0)
    if lower.dtype != tl.float64:
        lower = lower.to(tl.float32)
    transposed = tl.trans(lower)                              # the upper triangle, mirrored
    a = lower + tl.where(rows[:, None] == cols[None, :], 0.0, transposed)
    v = tl.where((rows[:, None] == cols[None, :]) & inside, 1.0, 0.0).to(a.dtype)  # V = I
    for _ in range(SWEEPS):
        for p in range(0, n):
            for q in range(p + 1, n):
                row_p = tl.sum(tl.where(rows[:, None] == p, a, 0.0), axis=0)  # A[p, :]
                row_q = tl.sum(tl.where(rows[:, None] == q, a, 0.0), axis=0)  # A[q, :]
                a_pp = tl.sum(tl.where(cols == p, row_p, 0.0), axis=0)
                a_qq = tl.sum(tl.where(cols == q, row_q, 0.0), axis=0)
                a_pq = tl.sum(tl.where(cols == q, row_p, 0.0), axis=0)
                rotate = a_pq != 0.0
                theta = (a_qq - a_pp) / tl.where(rotate, 2.0 * a_pq, 1.0)
                sign = tl.where(theta >= 0.0, 1.0, -1.0)
                t = sign / (tl.abs(theta) + precise_sqrt(theta * theta + 1.0))
                t = tl.where(rotate, t, 0.0)
                c = 1.0 / precise_sqrt(t * t + 1.0)
                s = t * c
                # B = A J: columns p and q mix
                col_p = tl.sum(tl.where(cols[None, :] == p, a, 0.0), axis=1)  # A[:, p]
                col_q = tl.sum(tl.where(cols[None, :] == q, a, 0.0), axis=1)
                a = tl.where(cols[None, :] == p, (c * col_p - s * col_q)[:, None], a)
                a = tl.where(cols[None, :] == q, (s * col_p + c * col_q)[:, None], a)
                # A' = J^T B: rows p and q mix
                row_p = tl.sum(tl.where(rows[:, None] == p, a, 0.0), axis=0)
                row_q = tl.sum(tl.where(rows[:, None] == q, a, 0.0), axis=0)
                a = tl.where(rows[:, None] == p, (c * row_p - s * row_q)[None, :], a)
                a = tl.where(rows[:, None] == q, (s * row_p + c * row_q)[None, :], a)
                # V <- V J
                v_p = tl.sum(tl.where(cols[None, :] == p, v, 0.0), axis=1)
                v_q = tl.sum(tl.where(cols[None, :] == q, v, 0.0), axis=1)
                v = tl.where(cols[None, :] == p, (c * v_p - s * v_q)[:, None], v)
                v = tl.where(cols[None, :] == q, (s * v_p + c * v_q)[:, None], v)
    values = tl.sum(tl.where(rows[:, None] == cols[None, :], a, 0.0), axis=0)  # diag, (BLOCK,)
    for i in range(0, n):  # selection sort, ascending: swap the smallest remaining into place i
        candidates = tl.where((cols >= i) & (cols < n), values, float("inf"))
        j = tl.argmin(candidates, axis=0)
        value_i = tl.sum(tl.where(cols == i, values, 0.0), axis=0)
        value_j = tl.sum(tl.where(cols == j, values, 0.0), axis=0)
        values = tl.where(cols == i, value_j, tl.where(cols == j, value_i, values))
        v_i = tl.sum(tl.where(cols[None, :] == i, v, 0.0), axis=1)
        v_j = tl.sum(tl.where(cols[None, :] == j, v, 0.0), axis=1)
        v = tl.where(cols[None, :] == i, v_j[:, None], tl.where(cols[None, :] == j,
                                                                 v_i[:, None], v))
    tl.store(values_ptr + batch * n + cols, values.to(values_ptr.dtype.element_ty), mask=cols < n)
    tl.store(vectors_ptr + index, v.to(vectors_ptr.dtype.element_ty), mask=inside)


def symmetric_eigen_triton(a: Any, a_view: View) -> tuple[Any, Any]:
    """Same contract as symmetric_eigen_reference, one program per matrix."""
    n = a_view.shape[-1]
    batch = 1
    for size in a_view.shape[:-2]:
        batch *= size
    dtype = numpy_dtype(a)
    values, vectors = empty(batch * n, dtype), empty(batch * n * n, dtype)
    if batch and n:
        symmetric_eigen_kernel[(batch,)](
            a, values, vectors, n, a_view.shape, a_view.strides, a_view.offset,
            SWEEPS=SWEEPS[_compute_dtype(np.dtype(dtype))], BLOCK=next_power_of_2(max(n, 2)))
    return values, vectors
