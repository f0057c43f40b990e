"""Matrix multiplication: the primitive that does most of the arithmetic in a neural network.

    matmul(a, b)    c[..., i, j] = sum_k a[..., i, k] * b[..., k, j]
                    a: (..., M, K)   b: (..., K, N)   ->   c: (..., M, N)

The batch dimensions `...` of a and b are already broadcast to one shape by the caller (stride-0
views), and 1-D operands were turned into matrices by unsqueezing: the primitive sees only the plain
batched case. Half precision is accumulated in float32.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def matmul_reference(a: np.ndarray, a_view: View, b: np.ndarray, b_view: View) -> np.ndarray:
    """c = a @ b for (..., M, K) @ (..., K, N) with equal batch shapes; returns c contiguous."""
    a_array, b_array = as_numpy(a, a_view), as_numpy(b, b_view)
    if a.dtype == np.float16:
        result = np.matmul(a_array.astype(np.float32), b_array.astype(np.float32))
    else:
        result = np.matmul(a_array, b_array)
    return np.asarray(result, dtype=a.dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: a tiled matrix multiply.
#   * Each program computes one BLOCK_M x BLOCK_N tile of c, walking along K in steps of BLOCK_K:
#     load a (BLOCK_M, BLOCK_K) tile of a and a (BLOCK_K, BLOCK_N) tile of b, multiply them on the
#     tensor cores with tl.dot, add into a float32 accumulator. Each element of a and b is read
#     N / BLOCK_N and M / BLOCK_M times instead of N and M times: that is the point of tiling.
#   * Grouped ordering: programs that run at the same time should share tiles in the L2 cache.
#     Numbering tiles row by row makes neighbours share a row of a but need all of b; numbering
#     them in groups of GROUP_M rows, column by column inside a group, makes them share both.
#   * Strides go straight into the pointer arithmetic: a transposed operand is just other strides.
#   * The batch shares grid axis 0 with the tiles (axis 1 stops at 65 535); its (broadcast,
#     stride-0) dims are another strided view. A skinny product with a long K splits K (split-K).
#   * Precision: float16 inputs, float32 accumulation, rounded once. float32 inputs use full IEEE
#     float32 products by default, as PyTorch does (torch.backends.cuda.matmul.allow_tf32 is
#     False by default); set ALLOW_TF32 = True for TF32 tensor cores (10-bit mantissa products,
#     about 8x faster on A100/H100), and TF32_PRECISION = "tf32x3" where exactness matters: three
#     TF32 products (the operands split into high and low parts) give about float32 accuracy
#     at about a third of TF32's speed. float64 and integers use exact multiply-adds (no tl.dot).

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    cdiv,
    empty,
    interpreting,
    merge_dims,
    needs_int64,
    next_power_of_2,
    numpy_dtype,
    small_launches,
    strided_offsets,
    tl,
    triton_kernel,
)

ALLOW_TF32 = False  # like torch.backends.cuda.matmul.allow_tf32 (False by default)
TF32_PRECISION = "tf32"  # with ALLOW_TF32: "tf32" (one TF32 product) or "tf32x3" (three)


@triton_kernel
def matmul_kernel(a_ptr, b_ptr, c_ptr,               # a: (..., M, K), b: (..., K, N) -> c
                  M, N, K,                           # matrix sizes
                  batch_shape,                       # tuple: the (merged) batch dims
                  a_batch_strides, b_batch_strides,  # tuples: batch strides (0 = broadcast)
                  a_offset, b_offset,                # position of a[0..0], b[0..0]
                  stride_am, stride_ak,              # a's row and column strides
                  stride_bk, stride_bn,              # b's row and column strides
                  splits, k_chunk,                   # split-K: K in `splits` pieces of k_chunk
                  USE_DOT: tl.constexpr,             # tensor-core tl.dot, or exact multiply-adds
                  PRECISION: tl.constexpr,           # tl.dot input precision: "ieee" or "tf32"
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                  GROUP_M: tl.constexpr,             # rows of tiles per group (L2 reuse)
                  INT64: tl.constexpr = False):      # int64 offsets (see needs_int64)
    # --- which matrix of the batch, which tile: grouped ordering ------------------------------
    # the batch is folded into grid axis 0 (axis 1 would stop at 65 535 matrices)
    tiles_m = tl.cdiv(M, BLOCK_M)
    tiles_n = tl.cdiv(N, BLOCK_N)
    program = tl.program_id(0)
    if INT64:
        program = program.to(tl.int64)
    split = program % splits  # which piece of K (split-K: c holds `splits` partial products)
    program = program // splits
    batch = program // (tiles_m * tiles_n)
    tile = program % (tiles_m * tiles_n)
    tiles_per_group = GROUP_M * tiles_n
    group = tile // tiles_per_group
    first_m = group * GROUP_M
    group_rows = tl.minimum(tiles_m - first_m, GROUP_M)  # the last group may be short
    tile_m = first_m + (tile % tiles_per_group) % group_rows
    tile_n = (tile % tiles_per_group) // group_rows
    a_ptr += a_offset + strided_offsets(batch, batch_shape, a_batch_strides)
    b_ptr += b_offset + strided_offsets(batch, batch_shape, b_batch_strides)
    c_ptr += (batch * splits + split) * M * N  # partials: (batch, splits, M, N)
    # --- walk along K -------------------------------------------------------------------------
    rows = tile_m * BLOCK_M + tl.arange(0, BLOCK_M)                                 # (BLOCK_M,)
    columns = tile_n * BLOCK_N + tl.arange(0, BLOCK_N)                              # (BLOCK_N,)
    ks = tl.arange(0, BLOCK_K)                                                      # (BLOCK_K,)
    if INT64:  # rows * stride_am, (k + ks) * stride_bk, rows * N ... can pass 2^31 too
        rows, columns, ks = rows.to(tl.int64), columns.to(tl.int64), ks.to(tl.int64)
    accumulator = tl.zeros([BLOCK_M, BLOCK_N], dtype=tl.float32)
    if not USE_DOT:  # float64 stays float64, integers add up in int64
        wide = a_ptr.dtype.element_ty if a_ptr.dtype.element_ty.is_floating() else tl.int64
        accumulator = accumulator.to(wide)
    k_end = tl.minimum((split + 1) * k_chunk, K)
    for k in range(split * k_chunk, k_end, BLOCK_K):
        a_mask = (rows < M)[:, None] & (k + ks < k_end)[None, :]
        b_mask = (k + ks < k_end)[:, None] & (columns < N)[None, :]
        a = tl.load(a_ptr + rows[:, None] * stride_am + (k + ks)[None, :] * stride_ak,
                    mask=a_mask, other=0)                                       # (BLOCK_M, BLOCK_K)
        b = tl.load(b_ptr + (k + ks)[:, None] * stride_bk + columns[None, :] * stride_bn,
                    mask=b_mask, other=0)                                       # (BLOCK_K, BLOCK_N)
        if USE_DOT:
            accumulator = tl.dot(a, b, accumulator, input_precision=PRECISION)
        else:  # (BLOCK_M, BLOCK_K, 1) * (1, BLOCK_K, BLOCK_N), summed over K
            products = a.to(accumulator.dtype)[:, :, None] * b.to(accumulator.dtype)[None, :, :]
            accumulator += tl.sum(products, axis=1)
    mask = (rows < M)[:, None] & (columns < N)[None, :]
    tl.store(c_ptr + rows[:, None] * N + columns[None, :],
             accumulator.to(c_ptr.dtype.element_ty), mask=mask)


def _matmul_blocks(M: int, N: int, K: int, use_dot: bool) -> dict[str, int]:
    """Tile sizes: big tiles for big matrices, small ones for small (tl.dot needs >= 16)."""
    if not use_dot:  # the multiply-add path holds a (BLOCK_M, BLOCK_K, BLOCK_N) block
        return {"BLOCK_M": min(max(next_power_of_2(M), 2), 16),
                "BLOCK_N": min(max(next_power_of_2(N), 2), 16), "BLOCK_K": 8}
    if small_launches():  # the interpreter: big tiles, few programs (tl.dot is one NumPy matmul)
        return {"BLOCK_M": min(max(next_power_of_2(M), 16), 512),
                "BLOCK_N": min(max(next_power_of_2(N), 16), 512),
                "BLOCK_K": min(max(next_power_of_2(K), 16), 512)}
    largest = 64 if interpreting() else 128
    return {"BLOCK_M": min(max(next_power_of_2(M), 16), largest),
            "BLOCK_N": min(max(next_power_of_2(N), 16), largest),
            "BLOCK_K": min(max(next_power_of_2(K), 16), 64 if largest == 128 else 32)}


# Split-K: a skinny product (few output tiles, a long K: the ConvNet's fc1 is one tile) would run
# on a few CTAs of 132. K is then cut into pieces, one program per (tile, piece), each writing a
# float32 partial product; a sum over the pieces (kernels/reduce.py) finishes. GPU only.
SPLIT_K_MIN_CHUNK = 512       # elements of K one program takes at least
SPLIT_K_TARGET_PROGRAMS = 264  # about two programs per SM of an H100


def _float32_precision() -> str:
    """tl.dot's input precision for float32 operands, from ALLOW_TF32 and TF32_PRECISION."""
    if not ALLOW_TF32:
        return "ieee"
    if TF32_PRECISION not in ("tf32", "tf32x3"):
        raise ValueError(f"TF32_PRECISION must be 'tf32' or 'tf32x3', not {TF32_PRECISION!r}")
    return TF32_PRECISION


def split_k(programs: int, K: int, block_k: int, use_dot: bool) -> tuple[int, int]:
    """(splits, k_chunk): (1, K) unless the launch is too small for the GPU and K is long."""
    if small_launches() or not use_dot or programs >= SPLIT_K_TARGET_PROGRAMS // 2:
        return 1, K
    splits = min(K // SPLIT_K_MIN_CHUNK, cdiv(SPLIT_K_TARGET_PROGRAMS, programs))
    if splits < 2:
        return 1, K
    k_chunk = cdiv(cdiv(K, splits), block_k) * block_k
    return cdiv(K, k_chunk), k_chunk


def matmul_triton(a: Any, a_view: View, b: Any, b_view: View) -> Any:
    """c = a @ b for (..., M, K) @ (..., K, N) with equal batch shapes, on the GPU."""
    *batch, M, K = a_view.shape
    N = b_view.shape[-1]
    dtype = numpy_dtype(a)
    batch_count = 1
    for size in batch:
        batch_count *= size
    c = empty(batch_count * M * N, dtype)
    if not c.numel():
        return c
    if K == 0:
        from .copy import full_triton  # an empty sum: zeros

        return full_triton(batch_count * M * N, 0, dtype)
    batch_shape, (a_batch, b_batch) = merge_dims(tuple(batch), a_view.strides[:-2],
                                                 b_view.strides[:-2])
    use_dot = dtype.kind == "f" and dtype.itemsize <= 4
    blocks = _matmul_blocks(M, N, K, use_dot)
    programs = cdiv(M, blocks["BLOCK_M"]) * cdiv(N, blocks["BLOCK_N"]) * batch_count
    splits, k_chunk = split_k(programs, K, blocks["BLOCK_K"], use_dot)
    out = c if splits == 1 else empty(batch_count * splits * M * N, np.dtype(np.float32))
    big = blocks["BLOCK_M"] * blocks["BLOCK_N"] >= 128 * 128
    matmul_kernel[(programs * splits,)](
        a, b, out, M, N, K, batch_shape, a_batch, b_batch, a_view.offset, b_view.offset,
        *a_view.strides[-2:], *b_view.strides[-2:], splits, k_chunk, USE_DOT=use_dot,
        PRECISION=_float32_precision(), GROUP_M=8, num_warps=8 if big else 4,
        num_stages=3, INT64=needs_int64(a_view, b_view, out.numel()), **blocks)
    if splits == 1:
        return c
    from .reduce import reduce_triton  # the partials of each output, summed over the pieces

    total = reduce_triton("sum", out, View((batch_count, splits, M * N),
                                           (splits * M * N, M * N, 1), 0), (1,))
    if dtype == np.float32:
        return total
    from .elementwise import cast_triton

    return cast_triton(total, View((batch_count * M * N,), (1,), 0), dtype)
