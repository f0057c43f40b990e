"""Random state: a seed and an offset, fed to the counter-based random primitives.

`manual_seed(s)` sets the seed and rewinds the offset; every draw of n numbers reads counters
offset .. offset+n-1 and moves the offset past them. The same seed therefore gives the same numbers
in every run, on every machine, without hidden global RNG state (kernels/random.py explains why
counter-based generators suit GPUs).
"""

from __future__ import annotations

import os

from .creation_helpers import uint8_state_tensor

_DEFAULT_SEED = 67280421310721  # PyTorch's default initial seed
_SEED_MASK = (1 << 64) - 1


class Generator:
    """A random stream: (seed, offset). Pass one as `generator=` to rand, randn, randint, ..."""

    def __init__(self, device: str = "cpu"):
        self.device = device
        self._seed = _DEFAULT_SEED
        self._offset = 0

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed) & _SEED_MASK
        self._offset = 0
        return self

    def seed(self) -> int:
        """Seed from the operating system's randomness (not reproducible) and return it."""
        self.manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        """The (seed, offset) pair as a uint8 tensor, for set_state."""
        return uint8_state_tensor(self._seed, self._offset)

    def set_state(self, state) -> Generator:
        raw = bytes(state.tolist())
        self._seed = int.from_bytes(raw[:8], "little")
        self._offset = int.from_bytes(raw[8:], "little")
        return self

    def take(self, count: int) -> tuple[int, int]:
        """Reserve `count` counters: return (seed, first offset) and advance past them."""
        offset = self._offset
        self._offset += max(count, 1)
        return self._seed, offset


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Make every later random op reproducible (torch.manual_seed)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state) -> None:
    default_generator.set_state(state)
