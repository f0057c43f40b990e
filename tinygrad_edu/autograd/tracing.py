"""The one hook point through which the visualiser watches computation.

When a tracer is installed, Function.apply calls `tracer.on_forward_begin(...)` before and
`tracer.on_forward(...)` after every op; the engine calls `tracer.on_backward_begin(...)` before and
`tracer.on_backward(...)` after every backward node, and `tracer.on_accumulate(...)` where two
gradients meet at a reused tensor. The begin calls let a tracer tell what ran *inside* a step (the
Tensor ops of a backward formula, the primitives of a forward). When no tracer is installed, the
cost is one attribute check. A tracer is any object with these five methods
(tinygrad_edu.viz.Trace is the real one).
"""

from __future__ import annotations

from typing import Any, Protocol


class Tracer(Protocol):
    def on_forward_begin(self, function: type) -> None: ...

    def on_forward(self, function: type, node: Any, args: tuple, kwargs: dict, outputs: Any,
                   seconds: float) -> None: ...

    def on_backward_begin(self, node: Any) -> None: ...

    def on_backward(self, node: Any, grad_outputs: tuple, grad_inputs: tuple,
                    seconds: float) -> None: ...

    def on_accumulate(self, node: Any, output_nr: int, existing: Any, incoming: Any,
                      total: Any) -> None: ...


class Tracing:
    """Holds the active tracer (None when nothing is being traced)."""

    active: Tracer | None = None
