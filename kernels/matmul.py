"""Matrix multiplication: the primitive that does most of the arithmetic in a neural network.

    matmul(a, b)    c[..., i, j] = sum_k a[..., i, k] * b[..., k, j]
                    a: (..., M, K)   b: (..., K, N)   ->   c: (..., M, N)

The batch dimensions `...` of a and b are already broadcast to one shape by the caller (stride-0
views), and 1-D operands were turned into matrices by unsqueezing: the primitive sees only the plain
batched case. Half precision is accumulated in float32.

On a GPU the Triton kernel's tile is chosen by triton.autotune among Hopper configurations
(HOPPER_TILES: tile sizes, warps, pipeline stages, with grouped tile ordering), keyed on the
shapes; under the interpreter one fixed tile is used instead (see the Triton section for why).
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
# What you will learn: a tiled matrix multiply, and how its tile is chosen.
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
#   * The tile is chosen by measuring (triton.autotune): no single tile is best for every shape.
#     A big tile reuses each loaded byte more (a BLOCK_M x BLOCK_N tile does BLOCK_M * BLOCK_N
#     multiply-adds per BLOCK_M + BLOCK_N loaded elements of a K step) but needs more registers
#     and shared memory, and a small matrix cut into big tiles leaves most of the 132 SMs idle.
#     So HOPPER_TILES lists a few candidates (the shapes of Triton's matmul tutorial, 03), and on
#     a GPU the first launch of each new shape (AUTOTUNE_KEY) times them all and keeps the fastest.
#     Before timing, fit_to_problem shrinks a tile to the matrix (a 128-row tile for 10 rows
#     would compute 118 rows of padding) and drops those whose software pipeline (num_stages
#     K steps of a and b in flight) does not fit in an H100's shared memory.
#     Under the interpreter nothing is timed (each candidate would be a full interpreted run):
#     fixed_tile picks one tile there, the same way every time.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    COUNTS,
    INTERPRETER_TILE,
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
def grouped_tile(tile, tiles_m, tiles_n, GROUP_M: tl.constexpr):
    """(row, column) of tile number `tile` in grouped ordering: GROUP_M rows of tiles at a time,
    column by column inside the group, so programs running together share rows of a and
    columns of b in the L2 cache."""
    tiles_per_group = GROUP_M * tiles_n
    first_m = (tile // tiles_per_group) * GROUP_M
    group_rows = tl.minimum(tiles_m - first_m, GROUP_M)  # the last group may be short
    return first_m + (tile % tiles_per_group) % group_rows, (tile % tiles_per_group) // group_rows


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
    tile_m, tile_n = grouped_tile(program % (tiles_m * tiles_n), tiles_m, tiles_n, GROUP_M)
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


# --- choosing the tile: triton.autotune on a GPU, one fixed tile under the interpreter ------------

# The candidates, for tl.dot (float16 / float32 operands) on an H100: the shapes of Triton's
# matmul tutorial (03). (BLOCK_M, BLOCK_N, BLOCK_K, num_warps, num_stages), biggest first:
#   128 x 256: the most reuse per loaded byte, for big products; its 32 768-float accumulator
#              needs 8 warps (128 registers a thread) and 3 stages of a and b in shared memory;
#   64 x 256 ... 128 x 32: mid-sized products and skinny ones (few rows, or few columns);
#   64 x 32, 32 x 64: small products, many programs to fill the 132 SMs; 2 warps suffice, and
#              5 stages in flight hide the memory latency that such little arithmetic cannot.
# GROUP_M = 8 for all: 8 rows of tiles share their columns of b in L2.
HOPPER_TILES = (
    (128, 256, 64, 8, 3),
    (64, 256, 32, 4, 4),
    (128, 128, 32, 4, 4),
    (128, 64, 32, 4, 4),
    (64, 128, 32, 4, 4),
    (128, 32, 32, 4, 4),
    (64, 32, 32, 2, 5),
    (32, 64, 32, 2, 5),
)
GROUP_M = 8
HOPPER_SHARED_MEMORY = 232_448  # bytes of shared memory one H100 block may use (227 KiB)
# What the autotuner keys on: a new value of any of these times the candidates again. The sizes,
# the split-K plan, and the constexprs that change the compiled kernel; Triton adds the operands'
# dtypes itself.
AUTOTUNE_KEY = ["M", "N", "K", "batch_shape", "splits", "k_chunk", "USE_DOT", "PRECISION",
                "INT64"]


def fitted_tile(block_m: int, block_n: int, block_k: int, M: int, N: int, K: int
                ) -> tuple[int, int, int]:
    """A tile no bigger than the product needs (each side a power of two, at least 16 for
    tl.dot): a 128-row tile over 10 rows would compute 118 rows of zeros."""
    return (min(block_m, max(next_power_of_2(M), 16)), min(block_n, max(next_power_of_2(N), 16)),
            min(block_k, max(next_power_of_2(K), 16)))


def fit_to_problem(configs: list[Any], named_args: dict[str, Any], **_: Any) -> list[Any]:
    """The autotuner's early_config_prune: each candidate shrunk to the product (fitted_tile,
    with at most one warp per 32 x 32 of tile), duplicates dropped, and those whose pipeline
    (num_stages steps of an (M, K) and a (K, N) tile) overflows shared memory left out."""
    import triton

    M, N, K = named_args["M"], named_args["N"], named_args["K"]
    itemsize = next(v.element_size() for v in named_args.values() if hasattr(v, "element_size"))
    fitted: dict[Any, None] = {}
    for config in configs:
        block_m, block_n, block_k = fitted_tile(config.kwargs["BLOCK_M"],
                                                config.kwargs["BLOCK_N"],
                                                config.kwargs["BLOCK_K"], M, N, K)
        if config.num_stages * (block_m + block_n) * block_k * itemsize > HOPPER_SHARED_MEMORY:
            continue
        warps = min(config.num_warps, max(block_m * block_n // 1024, 1))
        fitted[triton.Config({**config.kwargs, "BLOCK_M": block_m, "BLOCK_N": block_n,
                              "BLOCK_K": block_k}, num_warps=warps,
                             num_stages=config.num_stages)] = None
    return list(fitted) or configs[-1:]


AUTOTUNERS: dict[str, Any] = {}


def _timed_apart(kernel_call: Any, quantiles: Any) -> Any:
    """The autotuner's timer (Triton's do_bench), its runs left out of COUNTS: timing the
    candidates once per shape is not a launch of the program being counted."""
    import triton.testing

    counted = dict(COUNTS)
    try:
        return triton.testing.do_bench(kernel_call, quantiles=quantiles)
    finally:
        COUNTS.update(counted)


def autotuned(kernel: Any, key: list[str]) -> Any:
    """`kernel` wrapped in triton.autotune over HOPPER_TILES (made once, at its first GPU launch:
    the kernels themselves are only defined once the backend knows there is a GPU)."""
    name = kernel.fn.__name__
    if name not in AUTOTUNERS:
        import triton

        configs = [triton.Config({"BLOCK_M": m, "BLOCK_N": n, "BLOCK_K": k, "GROUP_M": GROUP_M},
                                 num_warps=warps, num_stages=stages)
                   for m, n, k, warps, stages in HOPPER_TILES]
        AUTOTUNERS[name] = triton.autotune(configs, key=key, do_bench=_timed_apart,
                                           prune_configs_by={
                                               "early_config_prune": fit_to_problem})(kernel)
    return AUTOTUNERS[name]


def fixed_tile(M: int, N: int, K: int, use_dot: bool) -> dict[str, int]:
    """The one tile of a launch that is not autotuned, with its launch options.
    * the exact multiply-add path (float64, integers: no tl.dot) holds a (BLOCK_M, BLOCK_K,
      BLOCK_N) block of products: small tiles, on a GPU too;
    * under the interpreter, tiles as big as the matrices (up to INTERPRETER_TILE a side): few
      programs, few turns of the K loop (tl.dot is one NumPy matmul);
    * the GPU's launch configurations under the interpreter (tests of the many-program paths):
      the smallest Hopper tile, fitted to the product."""
    if not use_dot:
        block_m, block_n = min(max(next_power_of_2(M), 2), 16), min(max(next_power_of_2(N), 2), 16)
        block_k = min(max(next_power_of_2(K), 2), 8)
        warps, stages = 4, 3
    elif small_launches():
        block_m, block_n, block_k = fitted_tile(INTERPRETER_TILE, INTERPRETER_TILE,
                                                INTERPRETER_TILE, M, N, K)
        warps, stages = 4, 3
    else:
        *tile, warps, stages = HOPPER_TILES[-1]
        block_m, block_n, block_k = fitted_tile(*tile, M, N, K)
    return {"BLOCK_M": block_m, "BLOCK_N": block_n, "BLOCK_K": block_k, "GROUP_M": GROUP_M,
            "num_warps": warps, "num_stages": stages}


def tiled_launch(kernel: Any, key: list[str], M: int, N: int, K: int, use_dot: bool,
                 copies: int) -> Any:
    """kernel[grid] ready to be called with the kernel's arguments: one program per tile of the
    (M, N) output, times `copies` (batch, groups, split-K pieces); its tile autotuned on a GPU
    (tl.dot only), fixed (fixed_tile) otherwise. The grid follows the tile the launch gets."""
    def grid(tile: dict[str, int]) -> tuple[int]:
        return (cdiv(M, tile["BLOCK_M"]) * cdiv(N, tile["BLOCK_N"]) * copies,)

    if use_dot and not interpreting():
        return autotuned(kernel, key)[grid]
    tile = fixed_tile(M, N, K, use_dot)
    launch = kernel[grid(tile)]
    return lambda *args, **kwargs: launch(*args, **kwargs, **tile)


def planning_tile(M: int, N: int, K: int, use_dot: bool) -> dict[str, int]:
    """The tile split-K plans with, before the launch picks its own: on a GPU a 128 x 128 x 64
    tile (fitted), mid-way among HOPPER_TILES (the autotuner's pick only changes how many
    programs each piece of K gets); otherwise the launch's fixed tile."""
    if use_dot and not interpreting():
        block_m, block_n, block_k = fitted_tile(128, 128, 64, M, N, K)
        return {"BLOCK_M": block_m, "BLOCK_N": block_n, "BLOCK_K": block_k}
    return fixed_tile(M, N, K, use_dot)


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
    plan = planning_tile(M, N, K, use_dot)
    programs = cdiv(M, plan["BLOCK_M"]) * cdiv(N, plan["BLOCK_N"]) * batch_count
    splits, k_chunk = split_k(programs, K, plan["BLOCK_K"], use_dot)
    out = c if splits == 1 else empty(batch_count * splits * M * N, np.dtype(np.float32))
    tiled_launch(matmul_kernel, AUTOTUNE_KEY, M, N, K, use_dot, batch_count * splits)(
        a, b, out, M, N, K, batch_shape, a_batch, b_batch, a_view.offset, b_view.offset,
        *a_view.strides[-2:], *b_view.strides[-2:], splits, k_chunk, USE_DOT=use_dot,
        PRECISION=_float32_precision(), INT64=needs_int64(a_view, b_view, out.numel()))
    if splits == 1:
        return c
    from .reduce import reduce_triton  # the partials of each output, summed over the pieces

    total = reduce_triton("sum", out, View((batch_count, splits, M * N),
                                           (splits * M * N, M * N, 1), 0), (1,))
    if dtype == np.float32:
        return total
    from .elementwise import cast_triton

    return cast_triton(total, View((batch_count * M * N,), (1,), 0), dtype)
