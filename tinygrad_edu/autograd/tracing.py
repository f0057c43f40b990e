"""The one hook point through which the visualiser watches computation.

When a tracer is installed, Function.apply calls `tracer.on_forward_begin(...)` before and
`tracer.on_forward(...)` after every op; the engine calls `tracer.on_backward_begin(...)` before and
`tracer.on_backward(...)` after every backward node, and `tracer.on_accumulate(...)` where two
gradients meet at a reused tensor. The begin calls let a tracer tell what ran *inside* a step (the
Tensor ops of a backward formula, the primitives of a forward). When no tracer is installed, the
cost is one attribute check. A tracer is any object with these five methods
(tinygrad_edu.viz.Trace is the real one).

A function built from several ops (F.nll_loss: gather, mask, mul, sum, div...) is marked with
`@composite`: a tracer that has `on_composite_begin(name, arguments)` / `on_composite_end()` is told
where it starts and ends, so a picture can draw its ops as one named group with its arguments.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Tracer(Protocol):
    def on_forward_begin(self, function: type) -> None: ...

    def on_forward(self, function: type, node: Any, args: tuple, kwargs: dict, outputs: Any,
                   seconds: float) -> None: ...

    def on_backward_begin(self, node: Any) -> None: ...

    def on_backward(self, node: Any, grad_outputs: tuple, grad_inputs: tuple,
                    seconds: float) -> None: ...

    def on_accumulate(self, node: Any, output_nr: int, existing: Any, incoming: Any,
                      total: Any) -> None: ...


class _TracingSlot:
    """Holds the active tracer (None when nothing is being traced): one slot of one object, read
    by every op (a slot is the cheapest attribute to read; see grad_mode.GradMode)."""

    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active: Tracer | None = None


Tracing = _TracingSlot()  # read and set as Tracing.active


def composite(function: F) -> F:
    """Mark a function made of several ops, so a tracer can group them under its name.

    Without a tracer (or with one that has no on_composite_begin) the call costs one attribute
    check; with one, the tracer receives every argument by name, defaults included."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        tracer = Tracing.active
        begin = getattr(tracer, "on_composite_begin", None)
        if begin is None:
            return function(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        begin(function.__name__, dict(bound.arguments))
        try:
            return function(*args, **kwargs)
        finally:
            tracer.on_composite_end()  # type: ignore[union-attr]

    return wrapper  # type: ignore[return-value]


def group_hooks() -> tuple[Callable[[str, str, int | None], None], Callable[[], None]] | None:
    """(begin, end) of a tracer that draws named groups of ops, or None (the usual case).

    A loop that wants its iterations drawn as clusters (a recurrent layer's time steps) asks once,
    then calls `begin(name, label, step)` / `end()` around each iteration; `step` numbers a time
    step (None for an ordinary group such as "layer 0"). Without such a tracer it costs nothing
    more than this one call."""
    tracer = Tracing.active
    begin = getattr(tracer, "on_group_begin", None)
    if begin is None:
        return None
    return begin, tracer.on_group_end  # type: ignore[union-attr]


def observe_attention(output: Any, weights: Callable[[], Any]) -> None:
    """Tell a tracer that shows attention which tensor an attention op returned; `weights()`
    computes that op's attention weights (..., L, S) as a NumPy array, only when it is asked."""
    hook = getattr(Tracing.active, "on_attention", None)
    if hook is not None:
        hook(output, weights)
