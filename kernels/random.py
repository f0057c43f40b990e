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
# independent 32-bit random words. Every counter's four words are used: a draw that needs one word
# (a float32 uniform) makes four values per counter, one that needs two words makes two. Element i
# is value i % PER of counter offset + i // PER (PER = 4 or 2), so every element is computed on
# its own, in any order, by any program - and the same (seed, offset) gives the same numbers.
# A program's BLOCK elements are BLOCK / PER consecutive counters, drawn at once and interleaved.
#   uniform  a float from the top bits of one word (float32: 24 bits) or two (float64: 53 bits)
#   normal   Box-Muller: two uniforms u1, u2 give two normals, r cos(t) and r sin(t) with
#            r = sqrt(-2 log u1), t = 2 pi u2
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
    program_number,
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
def _box_muller(u1, u2):
    """Two independent standard normals from two uniforms (u1 in (0, 1])."""
    radius = tl.sqrt(-2.0 * tl.log(u1))
    angle = 6.283185307179586 * u2
    return radius * tl.cos(angle), radius * tl.sin(angle)


@triton_kernel
def random_kernel(out_ptr,                  # output buffer
                  numel,                    # number of draws
                  seed, offset,             # Philox key, and the first counter
                  a, b,                     # uniform: low, high; normal: mean, std (float bits)
                                            # randint: low, high - low (ints)
                  KIND: tl.constexpr,       # "uniform", "normal" or "randint"
                  BLOCK: tl.constexpr,
                  INT64: tl.constexpr = False):  # int64 positions (see needs_int64)
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    WIDE: tl.constexpr = out_ptr.dtype.element_ty == tl.float64
    PER: tl.constexpr = 2 if WIDE or KIND == "randint" else 4  # values per counter
    counters = (program_number(INT64).to(tl.int64) * (BLOCK // PER)
                + tl.arange(0, BLOCK // PER))                      # (BLOCK / PER,)
    r0, r1, r2, r3 = tl.randint4x(seed, offset + counters)  # 4 x (BLOCK / PER,) uint32
    if KIND == "randint":  # 64 bits per value: (r0, r1) and (r2, r3)
        low, span = tl.cast(a, tl.int64), tl.cast(b, tl.uint64)  # tl.cast: 1 can be a constant
        v0 = low + ((((r0.to(tl.uint64) << 32) | r1.to(tl.uint64)) % span).to(tl.int64))
        v1 = low + ((((r2.to(tl.uint64) << 32) | r3.to(tl.uint64)) % span).to(tl.int64))
    else:
        compute = tl.float64 if WIDE else tl.float32
        first = bits_to_float64(a).to(compute)
        second = bits_to_float64(b).to(compute)
        if WIDE:  # two words per uniform: two uniforms per counter
            u0, u1 = _uniform(r0, r1, True), _uniform(r2, r3, True)
        else:
            u0, u1 = _uniform(r0, r0, False), _uniform(r1, r1, False)
            u2, u3 = _uniform(r2, r2, False), _uniform(r3, r3, False)
        if KIND == "uniform":
            v0, v1 = first + (second - first) * u0, first + (second - first) * u1
            if not WIDE:
                v2, v3 = first + (second - first) * u2, first + (second - first) * u3
        else:  # 1 - u: in (0, 1], so log is finite
            v0, v1 = _box_muller(1.0 - u0, u1)
            v0, v1 = first + second * v0, first + second * v1
            if not WIDE:
                v2, v3 = _box_muller(1.0 - u2, u3)
                v2, v3 = first + second * v2, first + second * v3
    if PER == 4:  # element PER * k + w is value w of counter k
        y = tl.reshape(tl.join(tl.join(v0, v2), tl.join(v1, v3)), [BLOCK])
    else:
        y = tl.reshape(tl.join(v0, v1), [BLOCK])
    tl.store(out_ptr + index, y.to(out_ptr.dtype.element_ty), mask=index < numel)


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
