"""Padding with reflect, replicate and circular modes, as index gathers.

Constant padding writes the input into a bigger tensor of `value` (ops/movement.py). The other modes
fill the border with elements of the input itself, so each padded dim is just an index_select with a
computed index list; for a dim of size 4 padded by (2, 2):

    reflect     [2 1 | 0 1 2 3 | 2 1]      mirror, not repeating the edge
    replicate   [0 0 | 0 1 2 3 | 3 3]      repeat the edge
    circular    [2 3 | 0 1 2 3 | 0 1]      wrap around

index_select's backward adds gradients back into the selected positions, so a border element that
copies x[1] sends its gradient to x[1]: no new derivative to write.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from . import lowering
from .movement import constant_pad

_MODES = ("constant", "reflect", "replicate", "circular")


def _source_positions(mode: str, size: int, before: int, after: int) -> np.ndarray:
    """For each position of the padded dim, the input position it copies. A negative pad crops
    that side; circular padding then wraps around the cropped dim, reflect mirrors at the edges of
    the whole input (both as PyTorch)."""
    crop_before, crop_after = max(-before, 0), max(-after, 0)
    if mode == "circular" and (crop_before or crop_after):
        inner = size - crop_before - crop_after
        return crop_before + _source_positions(mode, inner, max(before, 0), max(after, 0))
    positions = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(positions, 0, size - 1)
    if mode == "circular":
        return positions % size
    period = 2 * (size - 1)  # reflect: the positions bounce between 0 and size - 1
    folded = np.abs(positions) % period if period else np.zeros_like(positions)
    return np.where(folded >= size, period - folded, folded)


def _check(mode: str, input: Tensor, pads: tuple[int, ...]) -> None:
    if mode == "replicate" and any(p < 0 for p in pads):
        raise RuntimeError(f"negative padding is only supported by mode='constant', 'reflect' and "
                           f"'circular', got {pads}")
    for i in range(len(pads) // 2):
        dim = input.ndim - 1 - i
        before, after = pads[2 * i], pads[2 * i + 1]
        size = input.shape[dim]
        if size - max(-before, 0) - max(-after, 0) <= 0:  # nothing left after the cropping
            raise RuntimeError(f"Negative padding ({before}, {after}) at dimension {dim} removes "
                               f"every element of input {list(input.shape)}")
        too_big = (before >= size or after >= size) if mode == "reflect" else (
            before > size or after > size) if mode == "circular" else size == 0
        if too_big:
            raise RuntimeError(f"Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({before}, {after}) at dimension "
                               f"{dim} of input {list(input.shape)}")


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """F.pad: pad = (last-dim left, last-dim right, second-last left, ...)."""
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pads = tuple(int(p) for p in pad)
    if len(pads) % 2 or len(pads) // 2 > input.ndim:
        raise RuntimeError("Padding length must be divisible by 2 and at most twice the number of "
                           "dimensions of the input")
    if mode == "constant":
        return constant_pad(input, pads, value=value)
    if value is not None:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    _check(mode, input, pads)
    result = input
    for i in range(len(pads) // 2):
        dim = input.ndim - 1 - i
        positions = _source_positions(mode, input.shape[dim], pads[2 * i], pads[2 * i + 1])
        index = lowering.from_host(positions.astype(np.int64), input.device)  # (padded size,)
        result = result.index_select(dim, index)
    return result
