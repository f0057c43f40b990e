"""Which kernels ran: a trace listens to a backend's primitives while it is active.

A backend is an object whose attributes are the primitives (`backend.binary("mul", ...)`). While a
trace runs, each primitive is wrapped by a function that writes its name — with the op it was asked
for, like `binary(mul)` — into a log, then calls the original. Leaving the trace puts the originals
back, so outside a trace the backend is exactly what it was. Nothing computed changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinygrad_edu.kernels import PRIMITIVES


class KernelLog:
    """The primitives called while attached, in order (e.g. ['matmul', 'binary(add)'])."""

    def __init__(self) -> None:
        self.entries: list[str] = []
        self.quiet = 0  # > 0 while the tracer itself reads values (those calls are not the model's)
        self._originals: list[tuple[Any, dict[str, Callable]]] = []

    def attach(self, backend: Any) -> None:
        """Start logging this backend's primitives (once per backend)."""
        if any(attached is backend for attached, _ in self._originals):
            return
        originals = {name: getattr(backend, name) for name in PRIMITIVES if hasattr(backend, name)}
        for name, original in originals.items():
            setattr(backend, name, self._logging(name, original))
        self._originals.append((backend, originals))

    def detach(self) -> None:
        """Put every original primitive back (latest attached first)."""
        for backend, originals in reversed(self._originals):
            for name, original in originals.items():
                setattr(backend, name, original)
        self._originals.clear()

    def backend_names(self) -> list[str]:
        return [backend.name for backend, _ in self._originals]

    def take_since(self, mark: int) -> list[str]:
        """The entries logged since `mark`, removed so an enclosing op does not count them too."""
        taken = self.entries[mark:]
        del self.entries[mark:]
        return taken

    def _logging(self, name: str, original: Callable) -> Callable:
        def logged(*args: Any, **kwargs: Any) -> Any:
            if not self.quiet:
                detail = args[0] if args and isinstance(args[0], str) else None
                self.entries.append(f"{name}({detail})" if detail else name)
            return original(*args, **kwargs)

        logged.__doc__ = original.__doc__
        logged.__wrapped__ = original  # type: ignore[attr-defined]
        return logged
