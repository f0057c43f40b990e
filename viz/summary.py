"""What a tensor looks like in a picture: shape, dtype, a short value summary and a tiny heat map.

A graph node has room for a line or two, so a tensor is summarised: its values when it has at
most 8 elements (`[0.5, -1.2, 3]`), else `min / mean / max`. The HTML player also gets a small
grid of numbers for tensors of at most 2 dims, sampled down to a few dozen cells a side, which it
colours as a heat map. Snapshots are taken when an op runs, so a later in-place change does not
rewrite history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .language import tr

SMALL = 8          # tensors with at most this many elements show every value
HEAT_CELLS = 24    # the heat map grid is at most this many cells a side


def format_shape(shape: tuple[int, ...]) -> str:
    """(4, 3) for a matrix, () for a scalar: the way PyTorch users read shapes."""
    return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


def format_number(value: float) -> str:
    """A number in at most ~6 characters: 0.125, -3.2e-05, 1.2e+04, nan."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{float(value):.3g}"


def format_bytes(count: int) -> str:
    """512 B, 4.0 KiB, 1.5 MiB."""
    if count < 1024:
        return f"{count} B"
    if count < 1024 ** 2:
        return f"{count / 1024:.1f} KiB"
    return f"{count / 1024 ** 2:.1f} MiB"


def host_values(tensor: Any) -> np.ndarray:
    """The tensor's values as a NumPy array (read through its backend, no autograd involved)."""
    storage = tensor._storage
    return np.asarray(storage.backend.to_host(storage.buffer, tensor._view))


def value_summary(values: np.ndarray) -> str:
    """Every value for small tensors, else min / mean / max."""
    if values.size == 0:
        return tr("empty")
    if values.size <= SMALL:
        flat = [format_number(v) for v in values.reshape(-1).tolist()]
        return flat[0] if values.ndim == 0 else "[" + ", ".join(flat) + "]"
    numeric = values.astype(np.float64)
    return tr("min {min}  mean {mean}  max {max}", min=format_number(numeric.min()),
              mean=format_number(numeric.mean()), max=format_number(numeric.max()))


def heat_grid(values: np.ndarray) -> list[list[float]] | None:
    """A grid of at most HEAT_CELLS x HEAT_CELLS numbers for a <= 2-D tensor (None otherwise)."""
    if values.ndim > 2 or values.size == 0:
        return None
    grid = values.astype(np.float64).reshape((1,) * (2 - values.ndim) + values.shape)
    rows = max(1, -(-grid.shape[0] // HEAT_CELLS))
    cols = max(1, -(-grid.shape[1] // HEAT_CELLS))
    sampled = grid[::rows, ::cols]
    return [[_json_number(v) for v in row] for row in sampled.tolist()]


def _json_number(value: float) -> float | None:
    """JSON has no nan or inf: those become None (the player draws them grey)."""
    return round(value, 6) if np.isfinite(value) else None


@dataclass
class Snapshot:
    """A tensor as it was when a trace (or draw) looked at it."""

    shape: tuple[int, ...]
    dtype: str
    device: str
    summary: str
    nbytes: int
    strides: tuple[int, ...]
    contiguous: bool
    heat: list[list[float]] | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"shape": format_shape(self.shape), "dtype": self.dtype, "device": self.device,
                "summary": self.summary, "bytes": format_bytes(self.nbytes), "heat": self.heat}


def snapshot(tensor: Any, with_heat: bool = True) -> Snapshot:
    """Summarise a tensor now (values are read once; nothing is kept alive)."""
    values = host_values(tensor)
    return Snapshot(shape=tuple(tensor._view.shape), dtype=tensor.dtype.name,
                    device=str(tensor._storage.device), summary=value_summary(values),
                    nbytes=tensor.dtype.itemsize * values.size,
                    strides=tuple(tensor._view.strides), contiguous=tensor._view.is_contiguous(),
                    heat=heat_grid(values) if with_heat else None)
