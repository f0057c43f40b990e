"""The Triton backend: every primitive of PRIMITIVES as a Triton kernel launcher.

Each family file (elementwise.py, reduce.py, ...) holds, below its NumPy reference, a Triton
section with kernels and launchers named `<primitive>_triton`, with the same arguments and results
as `<primitive>_reference`. This module collects them into one Backend. It is imported only when a
tensor first goes to device "cuda" (see tinygrad_edu/device.py): creating the backend is what checks
for a GPU, and switches Triton's interpreter on when there is none.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from . import PRIMITIVES, Backend
from .triton_support import prepare_triton


def _families() -> list[ModuleType]:
    """Every kernel file that defines primitives (imported here, so new families join in)."""
    import importlib

    from . import copy, elementwise, index, matmul, random, reduce, softmax

    modules = [elementwise, reduce, matmul, softmax, copy, index, random]
    for name in ("optim", "conv", "pool", "cross_entropy", "dropout", "normalization",
                 "recurrent", "attention", "complex", "fft", "scan", "sort"):
        try:
            modules.append(importlib.import_module(f"{__package__}.{name}"))
        except ImportError:  # a family another part of the project has not added yet
            continue
    return modules


def triton_implementations() -> dict[str, Callable[..., Any]]:
    """Every primitive's Triton launcher: the functions named <primitive>_triton."""
    found: dict[str, Callable[..., Any]] = {}
    for module in _families():
        for name in PRIMITIVES:
            function = getattr(module, f"{name}_triton", None)
            if function is not None:
                found[name] = function
    return found


def make_triton_backend() -> Backend:
    """Prepare Triton (GPU, or the interpreter with a warning) and build the backend."""
    prepare_triton()
    from .complex import with_complex_paths

    return Backend("triton", with_complex_paths(triton_implementations(), "triton"))
