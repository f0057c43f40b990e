"""Devices name where a tensor's buffer lives and which backend computes on it.

    "cpu"               -> the NumPy reference backend (kernels/*_reference)
    "cuda" / "triton"   -> the Triton backend (kernels/*_triton)

The backend is looked up when a tensor is first put on a device, never at import: importing
tinygrad_edu queries no GPU.
"""

from __future__ import annotations

from functools import cache

from .kernels import Backend


class device:  # noqa: N801 - the name PyTorch users write: torch.device
    """A device such as device('cpu') or device('cuda', 0); compares equal to its string."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None):  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index
        name, _, number = type.partition(":")
        if name == "triton":
            name = "cuda"
        if name not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: "
                               f"{type}")
        self.type = name
        self.index = int(number) if number else index
        if self.type == "cuda" and self.index is None:
            self.index = 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"


CPU = device("cpu")


def to_device(value: str | device | None) -> device:
    """Normalise a device argument (None means the CPU)."""
    if value is None:
        return CPU
    return value if isinstance(value, device) else device(value)


@cache
def backend_for(where: device) -> Backend:
    """The backend that computes on a device, created on first use."""
    if where.type == "cpu":
        from .kernels import numpy_backend

        return numpy_backend
    from .kernels.triton_backend import make_triton_backend  # imports Triton, checks for a GPU

    return make_triton_backend()
