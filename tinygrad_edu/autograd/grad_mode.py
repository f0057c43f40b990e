"""Grad mode: one global switch that decides whether ops record the graph.

    with no_grad():        ops compute values only (evaluation, optimizer updates)
    with enable_grad():    ops record grad_fn nodes again, inside a no_grad block
    set_grad_enabled(b)    either, chosen by a bool; also works as a plain call

Each is also a decorator. Checking the switch costs one attribute read per op.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradModeSwitch:
    """The switch itself (process-wide, like the CPU thread PyTorch examples run on).

    One object with one slot, not a class attribute: every op that records nothing still turns
    the switch off and on around its forward, and writing an attribute of a class costs about
    twice as much in CPython (it invalidates the interpreter's caches for that class)."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


GradMode = _GradModeSwitch()  # read and set as GradMode.enabled


def is_grad_enabled() -> bool:
    """True when ops record the graph for backward."""
    return GradMode.enabled


class _GradModeContext:
    """Base for the context managers: remembers the previous mode and restores it on exit."""

    mode: bool = True

    def __enter__(self) -> None:
        self._previous = GradMode.enabled
        GradMode.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        GradMode.enabled = self._previous

    def __call__(self, function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Context manager and decorator: ops inside do not record the graph."""

    mode = False


class enable_grad(_GradModeContext):  # noqa: N801
    """Context manager and decorator: ops inside record the graph, even within no_grad."""

    mode = True


class inference_mode(no_grad):  # noqa: N801
    """As no_grad (PyTorch adds more speed-ups; here it is the same switch)."""

    def __init__(self, mode: bool = True):
        self.mode = not mode


class set_grad_enabled(_GradModeContext):  # noqa: N801
    """Set grad mode now (a plain call) or for a `with` block (restored on exit)."""

    def __init__(self, mode: bool):
        self._previous = GradMode.enabled
        self.mode = bool(mode)
        GradMode.enabled = self.mode

    def __enter__(self) -> None:
        GradMode.enabled = self.mode

    def __call__(self, function: F) -> F:
        GradMode.enabled = self._previous
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
