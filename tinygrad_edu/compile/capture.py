"""Capture: run the function once on real tensors and write down every primitive call it makes.

Everything tinygrad_edu computes reaches a backend through ops/lowering.py as a call such as
`backend.binary("add", a_buffer, a_view, b_buffer, b_view)`. While capturing, every primitive of
the backends in use is wrapped: the real primitive runs (the function computes exactly as in eager
mode) and a `Call` is recorded with its arguments turned into a template:

    buffers  -> Ref(value)   a numbered value: an input of the function, an external buffer that
                             existed before (a parameter, a momentum buffer), or the output of an
                             earlier call
    the rest -> constants    views (shape, strides, offset), op names, learning rates, flags

So the captured graph holds the forward pass, the backward pass (the engine's backward formulas
call primitives too) and the optimizer update, whatever ops produced them: a new op written by
anyone is captured as soon as its primitives are. A tracer (autograd/tracing.py) names the op or
backward node each call came from, and the stack gives the user's line.

A graph break is a read of a computed value into Python (`.item()`, `bool(t)`, printing): the
function may branch on it, so one capture cannot stand for every call.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..autograd.tracing import Tracing

_LIBRARY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tinygrad_edu/


class Ref(NamedTuple):
    """A buffer argument of a recorded call: value number `value` of the graph."""

    value: int


@dataclass
class Value:
    """A buffer the graph reads or produces.

    kind: "input" (buffer of the function's tensor argument number `index`), "external" (a
    buffer that existed before the call, held in `buffer`), or "computed" (made by a call)."""

    kind: str
    copied: bool = False  # a plain copy of an input or external buffer (moved to another device)
    host_copy: bool = False  # an external: a host array holding a copy of an input's data
    index: int = -1
    buffer: Any = None
    dtype: Any = None
    numel: int = 0


@dataclass
class Call:
    """One recorded primitive call."""

    primitive: str
    args: tuple  # the template: Ref for buffers, constants otherwise (nested tuples/lists too)
    outputs: tuple[int, ...]  # value numbers of the buffers it returned (() for in-place ones)
    origin: str  # the op or backward node it ran for, e.g. "Relu" or "AddmmBackward0"
    line: str  # the user's line that led to it: "train.py:42: loss = model(x).sum()"
    backend: Any = field(default=None, compare=False, repr=False)  # whose primitive it was

    def refs(self) -> list[int]:
        """The value numbers of every buffer argument, in order."""
        found: list[int] = []
        _collect_refs(self.args, found)
        return found


def _collect_refs(template: Any, found: list[int]) -> None:
    if isinstance(template, Ref):
        found.append(template.value)
    elif isinstance(template, (tuple, list)):
        for item in template:
            _collect_refs(item, found)


@dataclass
class Graph:
    """What one capture produced: the values, the calls, and where reads into Python happened."""

    values: list[Value] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)  # user lines of reads of computed values
    backward_ran: bool = False


class GraphBreak(Exception):
    """Raised (and caught by compile) when capture cannot stand for later calls."""


def _is_buffer(value: Any) -> bool:
    """Backend buffers: flat NumPy arrays (cpu) or flat torch tensors (the Triton backend)."""
    return isinstance(value, np.ndarray) or hasattr(value, "data_ptr")


def user_line() -> str:
    """`file:line: source` of the innermost frame outside tinygrad_edu (the user's code)."""
    import linecache

    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    filename, number = frame.f_code.co_filename, frame.f_lineno
    source = linecache.getline(filename, number).strip()
    return f"{os.path.basename(filename)}:{number}: {source}"


def _caller_of_lowering() -> str:
    """The function that called ops/lowering.py outside any op (e.g. SGD._update_group)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.endswith(("lowering.py", "capture.py")):
        frame = frame.f_back
    if frame is None:
        return "<python>"
    return getattr(frame.f_code, "co_qualname", frame.f_code.co_name)


_NUMBER_BUFFERS: dict[tuple, Any] = {}  # (backend, dtype, bits) -> a one-element buffer


class Recorder:
    """Wraps the primitives of some backends while a function runs, and builds its Graph."""

    def __init__(self, backends: list[Any], inputs: list[Any]):
        self.backends = backends
        self.graph = Graph()
        self._value_of: dict[int, int] = {}  # id(buffer) -> value number
        self._keep: list[Any] = []  # every buffer seen, so ids stay unique during the capture
        for position, tensor in enumerate(inputs):
            buffer = tensor._storage.buffer
            if id(buffer) not in self._value_of:
                self._new_value(buffer, Value("input", index=position))
        self._origins: list[str] = []
        self._host_copies: set[int] = set()  # ids of host arrays read from inputs
        self._hosts_kept: list[Any] = []  # (kept, so those ids stay unique)
        self._saved: list[tuple[Any, str, Any]] = []
        self._previous_tracer: Any = None

    # --- values ---------------------------------------------------------------------------------
    def _new_value(self, buffer: Any, value: Value) -> int:
        value.dtype = buffer.dtype
        value.numel = int(np.prod(getattr(buffer, "shape", ())))
        self.graph.values.append(value)
        self._value_of[id(buffer)] = len(self.graph.values) - 1
        self._keep.append(buffer)
        return len(self.graph.values) - 1

    def _template(self, argument: Any) -> Any:
        if isinstance(argument, (tuple, list)) and not hasattr(argument, "_fields"):
            items = [self._template(item) for item in argument]
            return items if isinstance(argument, list) else tuple(items)
        if _is_buffer(argument):
            number = self._value_of.get(id(argument))
            if number is None:
                number = self._new_value(argument, Value("external", buffer=argument))
            return Ref(number)
        return argument

    # --- the wrapped primitives -------------------------------------------------------------------
    def _wrap(self, backend: Any, name: str, primitive: Any) -> Any:
        def recorded(*args: Any) -> Any:
            if name == "to_host":
                number = self._value_of.get(id(args[0]))
                host = primitive(*args)
                value = self.graph.values[number] if number is not None else None
                if value is not None and value.kind == "computed" and not value.copied:
                    self.graph.breaks.append(user_line())
                else:  # reading the function's own input data (a check): not a branch on
                    self._host_copies.add(id(host))  # anything computed here
                    self._hosts_kept.append(host)
                return host
            copied = name == "from_host" and id(args[0]) in self._host_copies
            template = self._template(self._numbers_as_buffers(backend, args))
            if copied:
                self.graph.values[template[0].value].host_copy = True
            result = primitive(*args)
            results = result if isinstance(result, tuple) else (result,)
            outputs = tuple(self._new_value(buffer, Value("computed", copied=copied))
                            for buffer in results if buffer is not None)
            origin = self._origins[-1] if self._origins else _caller_of_lowering()
            self.graph.calls.append(Call(name, template, outputs, origin, user_line(), backend))
            return result

        return recorded

    def _numbers_as_buffers(self, backend: Any, args: tuple) -> tuple:
        """args with each number operand (the 2.0 of `x * 2.0`, which binary and where take as a
        NumPy scalar: a kernel argument) as a one-element buffer holding it, made once per
        number and kept for later captures too (two captures of one function must read the same
        externals to agree): the graph records it as an external constant read through a
        stride-0 view, so fusion and replay see a buffer like any other operand."""
        if not any(isinstance(argument, np.generic) for argument in args):
            return args
        full = next(original for owner, name, original in self._saved
                    if owner is backend and name == "full")
        converted = []
        for argument in args:
            if isinstance(argument, np.generic):
                key = (id(backend), argument.dtype.str, argument.tobytes())
                if key not in _NUMBER_BUFFERS:
                    if len(_NUMBER_BUFFERS) >= 4096:  # (numbers that change every call)
                        _NUMBER_BUFFERS.clear()
                    _NUMBER_BUFFERS[key] = full(1, argument.item(), argument.dtype)
                argument = _NUMBER_BUFFERS[key]
            converted.append(argument)
        return tuple(converted)

    def __enter__(self) -> Recorder:
        from ..kernels import PRIMITIVES

        for backend in self.backends:
            for name in PRIMITIVES:
                original = getattr(backend, name)
                self._saved.append((backend, name, original))
                setattr(backend, name, self._wrap(backend, name, original))
        self._previous_tracer, Tracing.active = Tracing.active, self
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for backend, name, original in reversed(self._saved):
            setattr(backend, name, original)
        self._saved.clear()
        Tracing.active = self._previous_tracer

    # --- the tracer protocol (autograd/tracing.py): which op is running ---------------------------
    def on_forward_begin(self, function: type) -> None:
        self._origins.append(function.__name__)
        if self._previous_tracer is not None:
            self._previous_tracer.on_forward_begin(function)

    def on_forward(self, function: type, node: Any, args: tuple, kwargs: dict, outputs: Any,
                   seconds: float) -> None:
        if self._origins:
            self._origins.pop()
        if self._previous_tracer is not None:
            self._previous_tracer.on_forward(function, node, args, kwargs, outputs, seconds)

    def on_backward_begin(self, node: Any) -> None:
        self.graph.backward_ran = True
        self._origins.append(node.name())
        if self._previous_tracer is not None:
            self._previous_tracer.on_backward_begin(node)

    def on_backward(self, node: Any, grad_outputs: tuple, grad_inputs: tuple,
                    seconds: float) -> None:
        if self._origins:
            self._origins.pop()
        if self._previous_tracer is not None:
            self._previous_tracer.on_backward(node, grad_outputs, grad_inputs, seconds)

    def on_accumulate(self, node: Any, output_nr: int, existing: Any, incoming: Any,
                      total: Any) -> None:
        if self._previous_tracer is not None:
            self._previous_tracer.on_accumulate(node, output_nr, existing, incoming, total)

    def value_of(self, buffer: Any) -> int | None:
        return self._value_of.get(id(buffer))
