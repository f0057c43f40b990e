"""tinygrad_edu.compile: capture a function's primitive calls once, fuse them, replay them.

    step = tinygrad_edu.compile(train_step)     # train_step: zero_grad, forward, backward, step
    step(x, y)     # call 1: runs eagerly while capturing (capture.py)
    step(x, y)     # call 2: captures again; equal to call 1 -> build the Program (program.py),
                   #         fusing elementwise chains into generated kernels (fusion.py) and,
                   #         on Triton, launching independent ones together (horizontal.py)
    step(x, y)     # call 3 on: replays the Program: no Python op dispatch, no autograd graph

What is learned here is how torch.compile, tinygrad's JIT and XLA get their speed: the per-op
Python work (dispatch, checks, graph recording, Tensor objects) is done once, and what is left is
a list of kernel launches over buffers planned in advance. Capture works by running the function
on the library's own tensors, so it sees only what reaches a backend:

* A new *signature* (shapes, strides, dtypes, devices, requires_grad of the tensor arguments, the
  other arguments' values, grad mode) captures anew; each signature keeps its own Program.
* Two captures must agree before a replay is trusted: the first call of a training step creates
  optimizer state (momentum buffers), so its graph differs from later ones; a Python number that
  changes every call (Adam's step count, a scheduler's lr, a dropout seed) never agrees, and the
  function then stays eager, with a one-line warning.
* Adam and AdamW created with capturable=True keep their step count on the device (as
  PyTorch's capturable optimizers do), so their captures agree and replay.
* A *graph break* — reading a computed value into Python (`.item()`, `bool(t)`, `print(t)`), on
  which the function may branch — also keeps that signature eager, with a one-line warning.
* Python side effects happen only during capture (`param.grad = ...`, list appends, prints);
  a replay updates the buffers that those objects held (a .grad is written in place).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from ..autograd.grad_mode import GradMode
from ..device import backend_for
from ..kernels import numpy_backend
from ..storage import Storage
from ..tensor import Tensor, make_tensor
from .capture import Graph, Recorder
from .program import Program, alive_after

__all__ = ["compile", "CompiledFunction"]

_MAX_CAPTURES = 4  # captures that may disagree before a signature is left eager


def _tensors_in(value: Any, found: list[Tensor]) -> None:
    """The tensors inside nested tuples, lists and dicts, in order."""
    if isinstance(value, Tensor):
        found.append(value)
    elif isinstance(value, (tuple, list)):
        for item in value:
            _tensors_in(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _tensors_in(item, found)


def _key_of(value: Any) -> Any:
    if isinstance(value, Tensor):
        view = value._view
        return ("tensor", view.shape, view.strides, view.offset, len(value._storage),
                value.dtype, str(value._storage.device), value._requires_grad)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_key_of(item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, _key_of(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return ("object", id(value))
    return (type(value).__name__, value)


def signature(args: tuple, kwargs: dict) -> tuple:
    """What must match for a captured Program to stand for this call."""
    return (_key_of(args), _key_of(kwargs), GradMode.enabled)


def _same_graph(a: Graph, b: Graph) -> str | None:
    """None when two captures are the same program, else what first differs."""
    if len(a.calls) != len(b.calls):
        return f"{len(a.calls)} primitive calls, then {len(b.calls)}"
    for first, second in zip(a.calls, b.calls):
        if first != second:
            return (f"{second.primitive} (from {second.origin}) at {second.line} changed between "
                    "calls")
    for first, second in zip(a.values, b.values):
        if first.kind != second.kind or first.index != second.index:
            return "the buffers read changed between calls"
        if first.host_copy and second.host_copy:  # input data read for a check: a new array
            continue  # every call, of the same shape (the signature says so)
        if first.kind == "external" and first.buffer is not second.buffer:
            return "an external buffer (a parameter or state tensor) was replaced between calls"
    return None


class _Entry:
    """What compile knows about one signature."""

    def __init__(self) -> None:
        self.captures: list[Graph] = []
        self.program: Program | None = None
        self.outputs: Any = None  # how to rebuild the return value from the program's buffers
        self.eager_reason: str | None = None


class _Output:
    """A returned tensor, as a value number of the program plus how to look at it."""

    def __init__(self, number: int, tensor: Tensor):
        self.number, self.view, self.dtype = number, tensor._view, tensor.dtype
        self.device, self.backend = tensor._storage.device, tensor._storage.backend

    def build(self, buffers: list) -> Tensor:
        return make_tensor(Storage(buffers[self.number], self.device, self.backend), self.view,
                           self.dtype)


def _rebuild(template: Any, buffers: list) -> Any:
    if isinstance(template, _Output):
        return template.build(buffers)
    if isinstance(template, tuple) and not hasattr(template, "_fields"):
        return tuple(_rebuild(item, buffers) for item in template)
    if isinstance(template, list):
        return [_rebuild(item, buffers) for item in template]
    if isinstance(template, dict):
        return {k: _rebuild(v, buffers) for k, v in template.items()}
    return template


class CompiledFunction:
    """What compile(fn) returns: call it like fn; inspect kernels() and source(i)."""

    def __init__(self, function: Callable[..., Any], fuse: bool = True):
        self.function, self.fuse = function, fuse
        self._entries: dict[tuple, _Entry] = {}
        self._last: _Entry | None = None
        functools.update_wrapper(self, function)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = signature(args, kwargs)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        self._last = entry
        if entry.program is not None:
            inputs: list[Tensor] = []
            _tensors_in((args, kwargs), inputs)
            buffers = entry.program.run([t._storage.buffer for t in inputs])
            return _rebuild(entry.outputs, buffers)
        if entry.eager_reason is not None:
            return self.function(*args, **kwargs)
        return self._capture(entry, args, kwargs)

    # --- capture --------------------------------------------------------------------------------
    def _capture(self, entry: _Entry, args: tuple, kwargs: dict) -> Any:
        inputs: list[Tensor] = []
        _tensors_in((args, kwargs), inputs)
        backends = [numpy_backend]
        for tensor in inputs:
            backend = backend_for(tensor._storage.device)
            if backend not in backends:
                backends.append(backend)
        with Recorder(backends, inputs) as recorder:
            result = self.function(*args, **kwargs)
        graph = recorder.graph
        returned: list[Tensor] = []
        _tensors_in(result, returned)
        reason = None
        if graph.breaks:
            reason = (f"graph break at {graph.breaks[0]} (a computed value read into Python, "
                      "e.g. .item() or bool(); the function may branch on it)")
        elif GradMode.enabled and not graph.backward_ran and any(
                t._requires_grad for t in returned):
            reason = ("it returns tensors that require grad but runs no backward (compile a "
                      "whole training step, or run the model under no_grad)")
        elif graph.backward_ran and any(t._requires_grad for t in inputs):
            reason = "a tensor argument requires grad (its .grad is set only eagerly)"
        if reason is not None:
            self._go_eager(entry, reason)
            return result
        output_template = self._output_template(result, recorder)
        live = alive_after(graph, recorder._keep)
        previous = entry.captures[-1] if entry.captures else None
        entry.captures.append(graph)
        if previous is not None and _same_graph(previous, graph) is None:
            returned_values = {o.number for o in _outputs_in(output_template)}
            entry.program = Program(graph, live, returned_values, fuse=self.fuse)
            entry.outputs = output_template
            entry.captures = []
        elif len(entry.captures) >= _MAX_CAPTURES:
            difference = _same_graph(previous, graph) if previous is not None else "?"
            self._go_eager(entry, f"captures keep differing: {difference}")
        return result

    @staticmethod
    def _output_template(result: Any, recorder: Recorder) -> Any:
        if isinstance(result, Tensor):
            number = recorder.value_of(result._storage.buffer)
            return result if number is None else _Output(number, result)
        if isinstance(result, tuple) and not hasattr(result, "_fields"):
            return tuple(CompiledFunction._output_template(r, recorder) for r in result)
        if isinstance(result, list):
            return [CompiledFunction._output_template(r, recorder) for r in result]
        if isinstance(result, dict):
            return {k: CompiledFunction._output_template(v, recorder) for k, v in result.items()}
        return result

    def _go_eager(self, entry: _Entry, reason: str) -> None:
        entry.eager_reason, entry.captures = reason, []
        name = getattr(self.function, "__qualname__", repr(self.function))
        warnings.warn(f"tinygrad_edu.compile({name}) runs eagerly for this signature: {reason}",
                      stacklevel=4)

    # --- inspection ------------------------------------------------------------------------------
    @property
    def program(self) -> Program | None:
        """The Program of the most recent call's signature (None before it is built)."""
        return self._last.program if self._last is not None else None

    def kernels(self) -> list[str]:
        """One line per fused kernel of the current program: its name and the ops it fused."""
        program = self.program
        if program is None:
            return []
        return [step.kernel.summary() for step in program.steps if step.kernel is not None]

    def source(self, index: int) -> str:
        """The generated source of fused kernel number `index` (see kernels())."""
        program = self.program
        kernels = [step.kernel for step in program.steps if step.kernel is not None] if (
            program is not None) else []
        return kernels[index].source

    def draw(self, rankdir: str = "TB") -> Any:
        """The captured graph with each fused kernel as a cluster (tinygrad_edu.viz)."""
        from ..viz import draw_compiled

        return draw_compiled(self, rankdir)

    def kernel_counts(self) -> tuple[int, int]:
        """(primitive calls per call in eager mode, kernel launches per replay)."""
        program = self.program
        if program is None:
            return (0, 0)
        return len(program.graph.calls), len(program.steps)


def _outputs_in(template: Any) -> list[_Output]:
    found: list[_Output] = []

    def walk(value: Any) -> None:
        if isinstance(value, _Output):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(template)
    return found


def compile(function: Callable[..., Any] | None = None, *, fullgraph: bool = False,
            dynamic: bool | None = None, backend: Any = "inductor", mode: str | None = None,
            options: dict | None = None, disable: bool = False) -> Any:  # noqa: A001 - torch's name
    """torch.compile: wrap a function (or a Module's forward) to capture, fuse and replay it.

    The keyword arguments are PyTorch's; `disable=True` returns the function unchanged,
    `options={"fuse": False}` replays without fusing (to compare), the rest are accepted and
    have no effect here."""
    def wrap(target: Callable[..., Any]) -> Any:
        if disable:
            return target
        return CompiledFunction(target, fuse=(options or {}).get("fuse", True))

    return wrap if function is None else wrap(function)
