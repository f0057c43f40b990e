"""The FFT primitive: the discrete Fourier transform of each row of a complex (B, N) view.

    X[k] = sum_t x[t] e^(-2 pi i k t / N)           (inverse=True: e^(+2 pi i k t / N), no 1/N)

The DFT is a matmul: X = x @ W with W[t, k] = e^(-2 pi i k t / N), N^2 multiply-adds per row. The
FFT factors W into log2(N) sparse stages of N/2 "butterflies" each when N is a power of two:

    stage with n = N, N/2, ..., 2 (m = n/2) and s = N/n, for every butterfly j = q + s p:
        a = x[q + s p],  b = x[q + s (p + m)]
        y[q + 2 s p]     = a + b
        y[q + 2 s p + s] = (a - b) e^(-2 pi i p / n)

This is Stockham's formulation: each stage reads one buffer and writes the other (no in-place
bit-reversal shuffle), and after the last stage the output is in natural order. Sizes that are
not powers of two use the DFT matrix itself (a complex matmul). Normalisation (1/N, 1/sqrt(N)) is
the caller's: the primitive is the plain sum both ways.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .strided import View, as_numpy


def is_power_of_two(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


def dft_matrix(n: int, inverse: bool, dtype: Any = np.complex128) -> np.ndarray:
    """W[t, k] = e^(-+2 pi i k t / n), (n, n): the DFT as a matrix (X = x @ W)."""
    t = np.arange(n)
    sign = 1.0 if inverse else -1.0
    return np.exp(sign * 2j * np.pi * np.outer(t, t % n) / n).astype(dtype)


# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _stockham_reference(x: np.ndarray, inverse: bool) -> np.ndarray:
    """Radix-2 Stockham FFT of each row of x (B, N), N a power of two: log2(N) vectorised stages."""
    rows, n_total = x.shape
    sign = 1.0 if inverse else -1.0
    n, s = n_total, 1
    while n > 1:
        m = n // 2
        j = np.arange(n_total // 2)
        p, q = j // s, j % s
        a, b = x[:, q + s * p], x[:, q + s * (p + m)]  # (B, N/2) each
        twiddle = np.exp(sign * 2j * np.pi * p / n)
        y = np.empty_like(x)
        y[:, q + 2 * s * p] = a + b
        y[:, q + 2 * s * p + s] = (a - b) * twiddle
        x, n, s = y, m, 2 * s
    return x


def fft_reference(x: np.ndarray, x_view: View, inverse: bool) -> np.ndarray:
    """The unnormalised DFT (or inverse DFT) along the last dim of a complex view; contiguous."""
    array = as_numpy(x, x_view)
    n = array.shape[-1] if array.ndim else 1
    rows = array.reshape(-1, n).astype(np.complex128)
    if is_power_of_two(n):
        result = _stockham_reference(rows, inverse)
    else:
        result = rows @ dft_matrix(n, inverse)
    return result.astype(x.dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: an FFT as a sequence of launches, one per stage. A program owns BLOCK
# butterflies of one row; it loads two complex numbers (four floats, from the interleaved buffer),
# computes the twiddle e^(-2 pi i p / n) with cos and sin, and stores two. The stages ping-pong
# between two buffers. Other sizes: the DFT matrix is uploaded and multiplied in by the complex
# matmul path (kernels/complex.py), four float matmuls.

from .triton_support import (  # noqa: E402
    cdiv,
    compute_type,
    convert,
    empty,
    launch_block,
    needs_int64,
    program_number,
    tl,
    triton_kernel,
)

FFT_BLOCK = 64


@triton_kernel
def stockham_stage_kernel(x_ptr,                  # float view of the (B, N) complex input
                          y_ptr,                  # float view of the (B, N) complex output
                          half,                   # N / 2: butterflies per row
                          n_total,                # N
                          n,                      # this stage's sub-transform size
                          s,                      # this stage's stride (N / n)
                          SIGN: tl.constexpr,     # -1.0 forward, +1.0 inverse
                          BLOCK: tl.constexpr,    # butterflies per program
                          INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    # rows and pieces of a row share grid axis 0 (axis 1 stops at 65 535 programs on a GPU)
    program = program_number(INT64)
    pieces = (half + BLOCK - 1) // BLOCK
    row = program // pieces
    j = (program % pieces) * BLOCK + tl.arange(0, BLOCK)  # (BLOCK,) butterfly numbers
    mask = j < half
    p = j // s
    q = j - p * s
    m = n // 2
    base = 2 * row * n_total  # float offset of the row
    a_at = base + 2 * (q + s * p)
    b_at = base + 2 * (q + s * (p + m))
    ar = compute_type(tl.load(x_ptr + a_at, mask=mask, other=0))
    ai = compute_type(tl.load(x_ptr + a_at + 1, mask=mask, other=0))
    br = compute_type(tl.load(x_ptr + b_at, mask=mask, other=0))
    bi = compute_type(tl.load(x_ptr + b_at + 1, mask=mask, other=0))
    # the angle in the data's dtype; pi travels as two float32-exact halves (kernels/complex.py)
    fraction = (2 * p).to(ar.dtype) / (0.0 * ar + n)
    angle = SIGN * (fraction * 3.1415927410125732 + fraction * -8.742277657347586e-08)
    wr, wi = tl.cos(angle), tl.sin(angle)
    dr, di = ar - br, ai - bi
    top = base + 2 * (q + 2 * s * p)
    bottom = top + 2 * s
    element = y_ptr.dtype.element_ty
    tl.store(y_ptr + top, convert(ar + br, element), mask=mask)
    tl.store(y_ptr + top + 1, convert(ai + bi, element), mask=mask)
    tl.store(y_ptr + bottom, convert(dr * wr - di * wi, element), mask=mask)
    tl.store(y_ptr + bottom + 1, convert(dr * wi + di * wr, element), mask=mask)


def fft_triton(x: Any, x_view: View, inverse: bool) -> Any:
    """The unnormalised DFT along the last dim, on the GPU; same contract as fft_reference."""
    from .complex import as_complex_triton, as_real_triton, real_dtype_for
    from .triton_backend import make_triton_backend

    backend = _backend(make_triton_backend)
    n = x_view.shape[-1] if x_view.shape else 1
    rows = x_view.numel // n if n else 0
    dtype = np.dtype(str(x.dtype).removeprefix("torch."))
    if not is_power_of_two(n):  # the DFT as a matmul: (B, N) @ (N, N)
        matrix = backend.from_host(dft_matrix(n, inverse, dtype).reshape(-1))
        flat = View((rows, n), (n, 1), 0)
        source = backend.copy(x, x_view)
        return backend.matmul(source, flat, matrix, View((n, n), (n, 1), 0))
    source = as_real_triton(backend.copy(x, x_view))  # (B, N) contiguous, as float pairs
    if n == 1 or rows == 0:
        return as_complex_triton(source)
    target = empty(2 * rows * n, real_dtype_for(dtype))
    stage_n, s = n, 1
    block = launch_block(n // 2, FFT_BLOCK)
    int64 = needs_int64(2 * rows * n)  # float offsets into the pairs
    while stage_n > 1:
        stockham_stage_kernel[(rows * cdiv(n // 2, block),)](
            source, target, n // 2, n, stage_n, s, SIGN=1.0 if inverse else -1.0,
            BLOCK=block, INT64=int64)
        source, target = target, source
        stage_n, s = stage_n // 2, 2 * s
    return as_complex_triton(source)


_BACKEND: dict[str, Any] = {}


def _backend(make: Any) -> Any:
    """The Triton backend (built once): the FFT reuses its copy and complex matmul paths."""
    if "triton" not in _BACKEND:
        _BACKEND["triton"] = make()
    return _BACKEND["triton"]
