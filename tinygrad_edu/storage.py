"""Storage: the flat buffer behind one or more tensors, with its device and version counter.

Several tensors can share one Storage: `x`, `x.T`, `x[1:]` and `x.view(-1)` all read the same
buffer. The version counter lives here, so an in-place change through any of them is seen by all
(autograd uses it to detect a saved tensor that was modified).
"""

from __future__ import annotations

from typing import Any

from .device import device


class Storage:
    """A backend buffer (a flat NumPy array on the CPU) plus the device it lives on."""

    __slots__ = ("buffer", "device", "backend", "version", "__weakref__")

    def __init__(self, buffer: Any, where: device, backend: Any):
        self.buffer = buffer
        self.device = where
        self.backend = backend
        self.version = 0

    def data_ptr(self) -> int:
        """An integer identity for the buffer: equal for tensors that share storage."""
        interface = getattr(self.buffer, "__array_interface__", None)
        return interface["data"][0] if interface else self.buffer.data_ptr()

    def nbytes(self) -> int:
        return self.buffer.nbytes if hasattr(self.buffer, "nbytes") else (
            self.buffer.numel() * self.buffer.element_size())

    def size(self) -> int:
        return len(self.buffer)

    def __len__(self) -> int:
        return len(self.buffer)
