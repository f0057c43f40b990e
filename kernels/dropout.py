"""Dropout fused into one pass: draw the keep mask from counters and apply it, never storing it.

    y[i] = x[i] * keep[j(i)] / (1 - p)        keep[j] = (u[j] >= p),  u[j] ~ U[0, 1)

j(i) is the position of element i in the *mask shape*, which broadcasts against x: for dropout the
mask has x's shape (j = i); for dropout2d it is (N, C, 1, 1), so every element of a feature map
reads the same draw and whole channels vanish together.

u[j] comes from a counter-based generator keyed by seed and counters from offset on (the contract
of random.py; the Triton kernel takes four draws per counter: j // 4 and j % 4). Nothing else
decides it, so the backward pass (dx = dy * keep / (1 - p): the same map applied to
dy) simply calls this primitive again with the same (seed, offset) and gets the same mask: no mask
tensor is kept alive between forward and backward. The NumPy reference and the Triton kernel use
different Philox streams (NumPy's generator, Triton's tl.randint4x), so they draw the same
distribution with the same seed-and-offset behaviour, not the same bits.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy, contiguous_strides

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _keep_reference(mask_shape: tuple[int, ...], seed: int, offset: int, p: float) -> np.ndarray:
    """keep[j] = u[j] >= p for every position j of the mask, u from Philox(seed, offset + j)."""
    count = int(np.prod(mask_shape, dtype=np.int64))
    generator = np.random.Generator(np.random.Philox(key=seed, counter=offset))
    draws = generator.random(count, dtype=np.float32)
    return (draws >= np.float32(p)).reshape(mask_shape)


def dropout_reference(x: np.ndarray, x_view: View, mask_shape: tuple[int, ...], seed: int,
                      offset: int, p: float) -> np.ndarray:
    """y = x * keep / (1 - p), keep drawn per mask position (mask_shape broadcasts against x)."""
    x_array = as_numpy(x, x_view)
    compute = np.float32 if x.dtype == np.float16 else x.dtype.type
    scale = 0.0 if p >= 1 else 1.0 / (1.0 - p)
    keep = _keep_reference(tuple(mask_shape), seed, offset, p)
    y = x_array.astype(compute) * np.where(keep, compute(scale), compute(0))
    return np.ascontiguousarray(y, dtype=x.dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: random numbers generated where they are used.
#   * tl.randint4x(seed, counters) runs Philox on a whole block of counters at once: four random
#     32-bit words per counter, with no shared state, so the mask costs no memory traffic at all -
#     it is computed in registers next to the multiply. One word makes one float32 uniform, so
#     mask position j takes word j % 4 of counter offset + j // 4: a quarter of the Philox work
#     of one call per position (tl.rand would throw three words away).
#   * j is element i's position in the mask shape: strided_offsets with the mask's strides (0 on
#     broadcast dims) maps i to j, exactly as a broadcast input is read in an elementwise kernel.
#     When the mask has x's shape (plain dropout), j = i: a program's BLOCK positions are
#     BLOCK / 4 consecutive counters, drawn at once and interleaved (FULL_MASK).

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    bits_to_float64,
    block_positions,
    cdiv,
    compute_type,
    empty,
    float_bits,
    launch_block,
    merge_dims,
    needs_int64,
    numpy_dtype,
    program_number,
    signed_int64,
    strided_offsets,
    tl,
    triton_kernel,
)

DROPOUT_BLOCK = 1024


@triton_kernel
def dropout_kernel(x_ptr,                  # input buffer
                   out_ptr,                # output: numel elements, row-major
                   numel,
                   shape,                  # tuple: x's (merged) shape
                   x_strides,              # tuple: x's strides
                   mask_strides,           # tuple: row-major strides of the mask, 0 if broadcast
                   x_offset,               # position of x[0, ..., 0]
                   seed, offset,           # Philox key, and the counter of mask position 0
                   p,                      # drop probability (float32)
                   scale_bits,             # 1 / (1 - p) as float64 bits
                   BLOCK: tl.constexpr,
                   FULL_MASK: tl.constexpr = False,  # the mask has x's shape: j = i
                   INT64: tl.constexpr = False):
    index = block_positions(BLOCK, INT64)                          # (BLOCK,)
    mask = index < numel
    x = compute_type(tl.load(x_ptr + x_offset + strided_offsets(index, shape, x_strides),
                             mask=mask, other=0))
    if FULL_MASK:  # positions program * BLOCK + 0 .. BLOCK-1: BLOCK / 4 counters, 4 words each
        counters = (program_number(INT64).to(tl.int64) * (BLOCK // 4)
                    + tl.arange(0, BLOCK // 4))                    # (BLOCK / 4,)
        r0, r1, r2, r3 = tl.randint4x(seed, offset + counters)
        # interleaved: position 4k + w takes word w of counter k
        bits = tl.reshape(tl.join(tl.join(r0, r2), tl.join(r1, r3)), [BLOCK])
    else:  # position j: word j % 4 of counter offset + j // 4
        j = strided_offsets(index, shape, mask_strides).to(tl.int64)  # (BLOCK,)
        r0, r1, r2, r3 = tl.randint4x(seed, offset + j // 4)
        word = j % 4
        bits = tl.where(word == 0, r0, tl.where(word == 1, r1, tl.where(word == 2, r2, r3)))
    keep = tl.uint_to_uniform_float(bits) >= p
    scale = bits_to_float64(scale_bits).to(x.dtype)
    y = tl.where(keep, x * scale, 0.0)
    tl.store(out_ptr + index, y.to(out_ptr.dtype.element_ty), mask=mask)


def _mask_strides(shape: tuple[int, ...], mask_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Row-major strides of the mask, with 0 where the mask broadcasts (size 1 against more)."""
    strides = contiguous_strides(tuple(mask_shape))
    return tuple(0 if m == 1 and n != 1 else s for s, m, n in zip(strides, mask_shape, shape))


def dropout_triton(x: Any, x_view: View, mask_shape: tuple[int, ...], seed: int, offset: int,
                   p: float) -> Any:
    """y = x * keep / (1 - p); keep[j] from word j % 4 of Philox(seed, offset + j // 4)."""
    out = empty(x_view.numel, numpy_dtype(x))
    if not x_view.numel:
        return out
    scale = 0.0 if p >= 1 else 1.0 / (1.0 - p)
    shape, (x_strides, mask_strides) = merge_dims(
        x_view.shape, x_view.strides, _mask_strides(x_view.shape, tuple(mask_shape)))
    block = launch_block(x_view.numel, DROPOUT_BLOCK)
    dropout_kernel[(cdiv(x_view.numel, block),)](
        x, out, x_view.numel, shape, x_strides, mask_strides, x_view.offset, signed_int64(seed),
        offset, float(p), float_bits(scale), BLOCK=block,
        FULL_MASK=mask_strides == contiguous_strides(shape), INT64=needs_int64(x_view))
    return out
