"""Small helpers shared by creation.py and random.py (kept apart to avoid an import cycle)."""

from __future__ import annotations

from typing import Any

import numpy as np


def size_argument(size: tuple) -> tuple[int, ...]:
    """Accept zeros(2, 3), zeros((2, 3)), zeros([2, 3]) and zeros(Size) alike; refuse negatives."""
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = tuple(size[0])
    shape = tuple(int(s) for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    return shape


def uint8_state_tensor(seed: int, offset: int) -> Any:
    from .creation import tensor
    from .dtypes import uint8

    raw = seed.to_bytes(8, "little") + offset.to_bytes(8, "little")
    return tensor(list(raw), dtype=uint8)
