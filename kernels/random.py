"""Random number primitives, counter-based: the same (seed, offset) always gives the same numbers.

    uniform(numel, seed, offset, low, high)     y[i] ~ U[low, high)
    normal(numel, seed, offset, mean, std)      y[i] ~ N(mean, std^2)
    randint(numel, seed, offset, low, high)     y[i] ~ integers in [low, high)

A counter-based generator (Philox) turns (key = seed, counter = offset + i) into random bits with no
hidden state: the caller keeps the seed and advances the offset by what it used. That is what makes
`manual_seed` reproducible, and what lets a GPU draw numbers in parallel threads (each thread
computes its own counter). The backends draw the same distributions, not the same bit streams.
"""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _generator(seed: int, offset: int) -> np.random.Generator:
    return np.random.Generator(np.random.Philox(key=seed, counter=offset))


def uniform_reference(numel: int, seed: int, offset: int, low: float, high: float,
                      dtype: np.dtype) -> np.ndarray:
    """numel draws from U[low, high), rounded to dtype."""
    draws = _generator(seed, offset).random(numel, dtype=np.float64)
    return (low + (high - low) * draws).astype(dtype)


def normal_reference(numel: int, seed: int, offset: int, mean: float, std: float,
                     dtype: np.dtype) -> np.ndarray:
    """numel draws from N(mean, std^2), rounded to dtype."""
    return (mean + std * _generator(seed, offset).standard_normal(numel)).astype(dtype)


def randint_reference(numel: int, seed: int, offset: int, low: int, high: int, dtype: np.dtype
                      ) -> np.ndarray:
    """numel integers drawn uniformly from [low, high)."""
    return _generator(seed, offset).integers(low, high, numel).astype(dtype)


def randperm_reference(n: int, seed: int, offset: int, dtype: np.dtype) -> np.ndarray:
    """A random permutation of 0 .. n-1 (a Fisher-Yates shuffle driven by the counters)."""
    return _generator(seed, offset).permutation(n).astype(dtype)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: random numbers without state. tl.randint4x(seed, counter) runs Philox, a
# small block cipher: 10 rounds of multiplies and xors turn (key = seed, counter) into four
# independent 32-bit random words. Element i uses counter offset + i, so every element is computed
# on its own, in any order, by any program - and the same (seed, offset) gives the same numbers.
#   uniform  a float from the top bits of one word (float32: 24 bits) or two (float64: 53 bits)
#   normal   Box-Muller: sqrt(-2 log u1) * cos(2 pi u2) from two uniforms
#   randint  low + (64 random bits mod (high - low))   (a bias below range / 2^64)
#   randperm random 64-bit keys; each element's rank among the keys is its position

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    bits_to_float64,
    block_positions,
    cdiv,
    empty,
    float_bits,
    launch_block,
    needs_int64,
    signed_int64,
    tl,
    triton_kernel,
)

RANDOM_BLOCK = 1024


@triton_kernel
def _uniform(word_a, word_b, WIDE: tl.constexpr):
    """A uniform draw in [0, 1): 24 random bits as float32, or 53 random bits as float64."""
    if WIDE:
        high = (word_a >> 5).to(tl.float64) * 67108864.0  # 27 bits, shifted up by 26
        u = (high + (word_b >> 6).to(tl.float64)) * 1.1102230246251565e-16  # 2^-53
    else:
        u = (word_a >> 8).to(tl.float32) * 5.9604644775390625e-08  # 2^-24
    return u


@triton_kernel
def random_kernel(out_ptr,                  # output buffer
                  numel,                    # number of draws
                  seed, offset,             # Philox key, and the counter of element 0
                  a, b,                     # uniform: low, high; normal: mean, std (float bits)
                                            # randint: low, high - low (ints)
                  KIND: tl.constexpr,       # "uniform", "normal" or "randint"
                  BLOCK: tl.constexpr,
                  INT64: tl.constexpr = False):  # int64 positions (see needs_int64)
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = index < numel
    r0, r1, r2, r3 = tl.randint4x(seed, offset + index.to(tl.int64))  # 4 x (BLOCK,) uint32
    WIDE: tl.constexpr = out_ptr.dtype.element_ty == tl.float64
    if KIND == "randint":
        bits = (r0.to(tl.uint64) << 32) | r1.to(tl.uint64)
        # tl.cast: high - low == 1 (or low == 1) reaches a GPU launch as a constant, not a tensor
        y = tl.cast(a, tl.int64) + (bits % tl.cast(b, tl.uint64)).to(tl.int64)
    else:
        compute = tl.float64 if WIDE else tl.float32
        first = bits_to_float64(a).to(compute)
        second = bits_to_float64(b).to(compute)
        if KIND == "uniform":
            y = first + (second - first) * _uniform(r0, r1, WIDE)
        else:
            u1 = 1.0 - _uniform(r0, r1, WIDE)  # in (0, 1]: log(u1) is finite
            u2 = _uniform(r2, r3, WIDE)
            z = tl.sqrt(-2.0 * tl.log(u1)) * tl.cos(6.283185307179586 * u2)
            y = first + second * z
    tl.store(out_ptr + index, y.to(out_ptr.dtype.element_ty), mask=mask)


def _draw(kind: str, numel: int, seed: int, offset: int, a: int, b: int, dtype: np.dtype) -> Any:
    out = empty(numel, dtype)
    if numel:
        block = launch_block(numel, RANDOM_BLOCK)
        random_kernel[(cdiv(numel, block),)](out, numel, signed_int64(seed), offset, a, b,
                                             KIND=kind, BLOCK=block,
                                             INT64=needs_int64(numel))
    return out


def uniform_triton(numel: int, seed: int, offset: int, low: float, high: float,
                   dtype: np.dtype) -> Any:
    """numel draws from U[low, high), on the GPU: the same (seed, offset) gives the same draws."""
    return _draw("uniform", numel, seed, offset, float_bits(low), float_bits(high), dtype)


def normal_triton(numel: int, seed: int, offset: int, mean: float, std: float,
                  dtype: np.dtype) -> Any:
    """numel draws from N(mean, std^2), on the GPU."""
    return _draw("normal", numel, seed, offset, float_bits(mean), float_bits(std), dtype)


def randint_triton(numel: int, seed: int, offset: int, low: int, high: int, dtype: np.dtype
                   ) -> Any:
    """numel integers drawn uniformly from [low, high), on the GPU."""
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    return _draw("randint", numel, seed, offset, int(low), int(high - low), dtype)


@triton_kernel
def random_keys_kernel(keys_ptr, n, seed, offset, BLOCK: tl.constexpr,
                       INT64: tl.constexpr = False):
    """keys[i] = 64 random bits (as int64) from counter offset + i."""
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    r0, r1, _, _ = tl.randint4x(seed, offset + index.to(tl.int64))
    key = ((r0.to(tl.uint64) << 32) | r1.to(tl.uint64)).to(tl.int64, bitcast=True)
    tl.store(keys_ptr + index, key, mask=index < n)


@triton_kernel
def rank_kernel(keys_ptr,                   # n int64 random keys
                out_ptr,                    # output: out[rank of key i] = i
                n,
                BLOCK_I: tl.constexpr, BLOCK_J: tl.constexpr):
    i = tl.program_id(0) * BLOCK_I + tl.arange(0, BLOCK_I)                          # (BLOCK_I,)
    key_i = tl.load(keys_ptr + i, mask=i < n)
    rank = tl.zeros([BLOCK_I], dtype=tl.int64)
    for start in range(0, n, BLOCK_J):  # rank = how many keys come before key i
        j = start + tl.arange(0, BLOCK_J)                                           # (BLOCK_J,)
        key_j = tl.load(keys_ptr + j, mask=j < n)
        before = (key_j[None, :] < key_i[:, None]) | (
            (key_j[None, :] == key_i[:, None]) & (j[None, :] < i[:, None]))  # ties: by index
        rank += tl.sum((before & (j < n)[None, :]).to(tl.int64), axis=1)
    tl.store(out_ptr + rank, i.to(out_ptr.dtype.element_ty), mask=i < n)


def randperm_triton(n: int, seed: int, offset: int, dtype: np.dtype) -> Any:
    """A random permutation of 0 .. n-1, on the GPU: rank random keys (O(n^2) comparisons, done
    in parallel tiles; fine for the dataset sizes a DataLoader shuffles)."""
    out = empty(n, dtype)
    if n:
        keys = empty(n, np.int64)
        block = launch_block(n, RANDOM_BLOCK)
        random_keys_kernel[(cdiv(n, block),)](keys, n, signed_int64(seed), offset, BLOCK=block,
                                              INT64=needs_int64(n))
        rank_kernel[(cdiv(n, 64),)](keys, out, n, BLOCK_I=64, BLOCK_J=256)
    return out
