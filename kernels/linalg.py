"""Linear systems: one primitive, Gauss-Jordan elimination with partial pivoting, per matrix.

    gauss_jordan(A, B) -> X = A^-1 B,  log|det A|,  sign(det A)      A: (..., n, n)  B: (..., n, m)

Elimination walks the columns k = 0 .. n-1: pick the row with the largest |A[i, k]| (i >= k) as
pivot and swap it up (each swap flips the sign of the determinant), divide the pivot row by the
pivot, subtract multiples of it from every other row so column k becomes e_k. The same row
operations applied to B turn it into A^-1 B; the pivots multiply to det A (kept as a sum of logs,
which does not overflow). A zero pivot means A is singular: sign 0, log|det| = -inf, X not finite.

inv is gauss_jordan(A, I), solve is gauss_jordan(A, B), det and slogdet read the pivots.

The NumPy reference calls numpy.linalg (LAPACK's LU); the Triton kernel runs the elimination in
registers, one program per matrix: meant for the small matrices of a course (n up to ~64).
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)


def gauss_jordan_reference(a: np.ndarray, a_view: View, b: np.ndarray, b_view: View
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat buffers (X (..., n, m), log|det A| (...), sign det A (...)); A and B share a batch."""
    dtype = _compute_dtype(a.dtype)
    a_array = as_numpy(a, a_view).astype(dtype)  # (..., n, n)
    b_array = as_numpy(b, b_view).astype(dtype)  # (..., n, m)
    sign, logabsdet = np.linalg.slogdet(a_array)  # (...,) each
    solution = np.full(b_array.shape, np.nan, dtype)
    regular = sign != 0
    if regular.any():
        solution[regular] = np.linalg.solve(a_array[regular], b_array[regular])
    return (solution.astype(a.dtype).reshape(-1), np.asarray(logabsdet, a.dtype).reshape(-1),
            np.asarray(sign, a.dtype).reshape(-1))


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    empty,
    next_power_of_2,
    numpy_dtype,
    strided_offsets,
    tl,
    triton_kernel,
    upload,
)


@triton_kernel
def gauss_jordan_kernel(a_ptr, b_ptr,                   # A (..., n, n) and B (..., n, m) views
                        x_ptr, logdet_ptr, sign_ptr,    # outputs: X contiguous, per-matrix det
                        n, m,                           # matrix size, right-hand-side columns
                        a_shape, a_strides, a_offset, b_shape, b_strides, b_offset,
                        BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr):
    batch = tl.program_id(0)                            # one program per matrix
    rows = tl.arange(0, BLOCK_N)                        # (BLOCK_N,)
    cols = tl.arange(0, BLOCK_N)                        # (BLOCK_N,)
    rhs = tl.arange(0, BLOCK_M)                         # (BLOCK_M,)
    a_mask = (rows[:, None] < n) & (cols[None, :] < n)
    a_index = batch * n * n + rows[:, None] * n + cols[None, :]
    a = tl.load(a_ptr + a_offset + strided_offsets(a_index, a_shape, a_strides), mask=a_mask,
                other=0.0)                              # (BLOCK_N, BLOCK_N)
    if a.dtype != tl.float64:
        a = a.to(tl.float32)
    b_mask = (rows[:, None] < n) & (rhs[None, :] < m)
    b_index = batch * n * m + rows[:, None] * m + rhs[None, :]
    b = tl.load(b_ptr + b_offset + strided_offsets(b_index, b_shape, b_strides), mask=b_mask,
                other=0.0).to(a.dtype)                  # (BLOCK_N, BLOCK_M)
    logdet = tl.sum(tl.sum(a, axis=1), axis=0) * 0.0    # scalar 0 in a's dtype
    sign = logdet + 1.0
    for k in range(0, n):
        column = tl.sum(tl.where(cols[None, :] == k, a, 0.0), axis=1)  # A[:, k]
        candidates = tl.where((rows >= k) & (rows < n), tl.abs(column), -1.0)
        p = tl.argmax(candidates, axis=0)               # the pivot row
        row_k_a = tl.sum(tl.where(rows[:, None] == k, a, 0.0), axis=0)  # (BLOCK_N,)
        row_p_a = tl.sum(tl.where(rows[:, None] == p, a, 0.0), axis=0)
        row_k_b = tl.sum(tl.where(rows[:, None] == k, b, 0.0), axis=0)  # (BLOCK_M,)
        row_p_b = tl.sum(tl.where(rows[:, None] == p, b, 0.0), axis=0)
        a = tl.where(rows[:, None] == p, row_k_a[None, :], a)  # swap rows k and p
        a = tl.where(rows[:, None] == k, row_p_a[None, :], a)
        b = tl.where(rows[:, None] == p, row_k_b[None, :], b)
        b = tl.where(rows[:, None] == k, row_p_b[None, :], b)
        sign = tl.where(p != k, -sign, sign)
        pivot = tl.sum(tl.where(cols == k, row_p_a, 0.0), axis=0)
        logdet += tl.log(tl.abs(pivot))
        sign = tl.where(pivot > 0, sign, tl.where(pivot < 0, -sign, sign * 0.0))
        pivot_a = row_p_a / pivot                       # the normalised pivot row
        pivot_b = row_p_b / pivot
        factor = tl.sum(tl.where(cols[None, :] == k, a, 0.0), axis=1)  # column k, swapped
        factor = tl.where(rows == k, 0.0, factor)
        a = a - factor[:, None] * pivot_a[None, :]
        a = tl.where(rows[:, None] == k, pivot_a[None, :], a)
        b = b - factor[:, None] * pivot_b[None, :]
        b = tl.where(rows[:, None] == k, pivot_b[None, :], b)
    tl.store(x_ptr + b_index, b.to(x_ptr.dtype.element_ty), mask=b_mask)
    tl.store(logdet_ptr + batch, logdet.to(logdet_ptr.dtype.element_ty))
    tl.store(sign_ptr + batch, sign.to(sign_ptr.dtype.element_ty))


def gauss_jordan_triton(a: Any, a_view: View, b: Any, b_view: View) -> tuple[Any, Any, Any]:
    """Same contract as gauss_jordan_reference, one program per matrix."""
    n, m = a_view.shape[-1], b_view.shape[-1]
    batch = 1
    for size in a_view.shape[:-2]:
        batch *= size
    dtype = numpy_dtype(a)
    x, logdet, sign = empty(batch * n * m, dtype), empty(batch, dtype), empty(batch, dtype)
    if batch and n:
        gauss_jordan_kernel[(batch,)](
            a, b, x, logdet, sign, n, m, a_view.shape, a_view.strides, a_view.offset,
            b_view.shape, b_view.strides, b_view.offset,
            BLOCK_N=next_power_of_2(n), BLOCK_M=next_power_of_2(max(m, 1)))
    elif batch:  # 0 x 0 matrices: det 1
        logdet, sign = upload(np.zeros(batch, dtype)), upload(np.ones(batch, dtype))
    return x, logdet, sign
