"""torch.save and torch.load: write objects that hold tensors to a file, and read them back.

    torch.save(model.state_dict(), "model.pt")
    model.load_state_dict(torch.load("model.pt"))

A file is a pickle of the object: each tensor is stored as its values (a NumPy array), dtype,
device and requires_grad (Tensor.__reduce_ex__). Unpickling can run any code a file names, so
`load` reads with weights_only=True by default, as PyTorch does since 2.6: only tensors,
parameters, NumPy arrays, dtypes, containers and numbers may come back; anything else is refused
with an UnpicklingError. Pass weights_only=False only for files you trust.

These files are tinygrad_edu's own format: PyTorch's .pt files are zip archives and cannot be read
here (load a PyTorch state_dict by converting its tensors, e.g. with .numpy()).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from . import dtypes
from .device import device as as_device
from .tensor import Tensor, _rebuild_tensor

FileLike = str | os.PathLike | IO[bytes]

# (module, name) pairs a weights-only file may name, besides tinygrad_edu's dtypes
_ALLOWED_GLOBALS: set[tuple[str, str]] = {
    ("collections", "OrderedDict"),
    ("tinygrad_edu.tensor", "_rebuild_tensor"),
    ("tinygrad_edu.nn.parameter", "Parameter"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("_codecs", "encode"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "slice"),
}


def save(obj: Any, f: FileLike, pickle_protocol: int = 2) -> None:
    """Write obj (tensors, state_dicts, dicts/lists of them, numbers) to a path or binary file."""
    if isinstance(f, str | os.PathLike):
        with open(f, "wb") as file:
            pickle.dump(obj, file, protocol=pickle_protocol)
    else:
        pickle.dump(obj, f, protocol=pickle_protocol)


def load(f: FileLike, map_location: Any = None, weights_only: bool = True) -> Any:
    """Read what save() wrote; map_location="cpu" (or a device) moves every tensor there."""
    if isinstance(f, str | os.PathLike):
        if not Path(f).exists():
            raise FileNotFoundError(f"[Errno 2] No such file or directory: '{os.fspath(f)}'")
        with open(f, "rb") as file:
            return _Unpickler(file, map_location, weights_only).load()
    return _Unpickler(f, map_location, weights_only).load()


class _Unpickler(pickle.Unpickler):
    """pickle.Unpickler that moves tensors to map_location and, if asked, refuses other code."""

    def __init__(self, file: IO[bytes], map_location: Any, weights_only: bool) -> None:
        super().__init__(file)
        self.map_location = None if map_location is None else str(as_device(map_location))
        self.weights_only = weights_only

    def find_class(self, module: str, name: str) -> Any:
        if self.weights_only and not self._allowed(module, name):
            raise pickle.UnpicklingError(
                f"Weights only load failed: unsupported global {module}.{name}. This file holds "
                "more than tensors; load it with weights_only=False only if you trust its source.")
        found = super().find_class(module, name)
        if found is _rebuild_tensor and self.map_location is not None:
            return self._rebuild_on(self.map_location)
        return found

    @staticmethod
    def _allowed(module: str, name: str) -> bool:
        if module == "tinygrad_edu.dtypes":
            return isinstance(getattr(dtypes, name, None), dtypes.dtype)
        return (module, name) in _ALLOWED_GLOBALS

    @staticmethod
    def _rebuild_on(target: str) -> Callable[..., Tensor]:
        def rebuild(array: Any, dtype: Any, device: str, requires_grad: bool) -> Tensor:
            return _rebuild_tensor(array, dtype, target, requires_grad)

        return rebuild
