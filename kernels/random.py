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
