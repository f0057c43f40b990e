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


class ScalarStorage(Storage):
    """The storage of a Python number made a 0-d tensor (the 2.0 of `x * 2.0`): it holds the
    number, as a NumPy scalar of the tensor's dtype, and no buffer.

    Binary ops and where hand the number itself to their kernel, as a kernel argument
    (ops/lowering.py, `number_or_buffer`): no kernel runs to write it into device memory first.
    Any other use reads `.buffer`, which makes the one-element buffer then (one `full`), and from
    then on the storage is an ordinary one: an in-place write goes to the buffer, never to a
    number that would go stale."""

    __slots__ = ("number",)

    def __init__(self, number: Any, where: device, backend: Any):
        self.number = number  # a NumPy scalar (np.float32(2.0)); None once a buffer exists
        self.device = where
        self.backend = backend
        self.version = 0

    @property  # type: ignore[override]
    def buffer(self) -> Any:
        if self.number is not None:  # first use as memory: write the number into a buffer
            Storage.buffer.__set__(self, self.backend.full(1, self.number.item(),
                                                           self.number.dtype))
            self.number = None
        return Storage.buffer.__get__(self)

    @buffer.setter
    def buffer(self, value: Any) -> None:
        Storage.buffer.__set__(self, value)
        self.number = None
