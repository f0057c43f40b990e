"""From a captured Graph to a Program that replays it: steps, constants, a memory plan, outputs.

    Graph (capture.py)                      Program
    call 0: full((), 0.0)                   folded: computed once, its buffer kept (a constant)
    call 1: matmul(x, W^T)                  step:   backend.matmul(inputs[0], view, W, view)
    call 2: binary add(y1, b)  \\            step:   one fused kernel (fusion.py) writing into a
    call 3: unary relu(y2)     /                    buffer of the memory plan, reused every replay
    ...
    the .grad buffers (still alive)         written in place, so param.grad shows the new values
    returned tensors                        wrapped as new Tensors each call

A replay is a loop over prepared steps: no Function.apply, no graph recording, no Tensor objects
until the outputs, no dtype or device checks (the signature guaranteed them).
"""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from .capture import Call, Graph, Ref

# Primitives that write into their buffer arguments; a primitive returning None is in-place too.
MAY_WRITE = frozenset({"copy_into", "index_put", "sgd_step", "adam_step", "batch_norm",
                       "foreach_sgd_step", "foreach_adam_step"})
# Primitives whose output depends only on constant arguments (computed once when folded).
CREATORS = frozenset({"full", "arange", "from_host"})


@dataclass
class Step:
    """One thing a replay does: call `function` with the template's buffers filled in."""

    function: Any
    args: list  # the template with Ref replaced at run time (positions in `slots`)
    slots: list[tuple[int, int]]  # (position in args, value number)
    outputs: tuple[int, ...]
    calls: list[Call]  # the recorded calls it stands for (one, or a fused group)
    nested: bool = False  # the template has lists of buffers inside (indexing): resolve deeply
    kernel: Any = None  # the fused kernel (fusion.FusedKernel) when this step is one


def _resolve(template: Any, buffers: list) -> Any:
    if isinstance(template, Ref):
        return buffers[template.value]
    if isinstance(template, (tuple, list)) and not hasattr(template, "_fields"):
        items = [_resolve(item, buffers) for item in template]
        return items if isinstance(template, list) else tuple(items)
    return template


def plain_step(function: Any, call: Call) -> Step:
    """A step that runs one recorded primitive call."""
    args = list(call.args)
    slots = [(i, a.value) for i, a in enumerate(args) if isinstance(a, Ref)]
    nested = len(slots) != len(call.refs())  # buffers inside lists (indexing): resolve deeply
    return Step(function, args, slots, call.outputs, [call], nested=nested)


def written_values(call: Call, returns_nothing: bool) -> list[int]:
    """The values a call may write in place."""
    return call.refs() if (call.primitive in MAY_WRITE or returns_nothing) else []


class Program:
    """A captured graph made executable on one backend."""

    def __init__(self, graph: Graph, live: dict[int, Any], returned: set[int],
                 fuse: bool = True):
        from .fusion import fuse_steps

        self.graph = graph
        self.buffers: list[Any] = [v.buffer for v in graph.values]  # externals filled in now
        self.live = live  # computed values someone still holds (param.grad, ...): write back
        self.returned = returned
        written: set[int] = set()
        for call in graph.calls:
            written.update(written_values(call, not call.outputs))
        steps: list[Step] = []
        self.folded: list[Call] = []
        self.dead = _dead_calls(graph, written, set(live) | returned)
        for call in graph.calls:
            if id(call) in self.dead:
                continue
            function = getattr(call.backend, call.primitive)
            if (call.primitive in CREATORS and not call.refs() and len(call.outputs) == 1
                    and call.outputs[0] not in written and call.outputs[0] not in returned
                    and call.outputs[0] not in live):
                self.buffers[call.outputs[0]] = function(*call.args)  # a constant: fold it
                self.folded.append(call)
                continue
            steps.append(plain_step(function, call))
        self.input_values = [(number, value.index) for number, value in enumerate(graph.values)
                             if value.kind == "input"]
        self.unfused_count = len(steps)
        self.planned_bytes = 0
        self.steps = fuse_steps(steps, self, written) if fuse else steps
        self.write_back = []  # (value, Storage objects to point at its new buffer, or None
        for number in sorted(live):  # and the buffer to copy into)
            if number in returned:
                continue
            storages = _storages_holding(live[number])
            self.write_back.append((number, storages, None if storages else live[number],
                                    self._backend_of(number)))

    def _backend_of(self, number: int) -> Any:
        for call in self.graph.calls:
            if number in call.outputs:
                return call.backend
        return None

    def run(self, inputs: list[Any]) -> list[Any]:
        """Replay with these input buffers; returns the buffer list (values by number)."""
        buffers = self.buffers
        for number, position in self.input_values:
            buffers[number] = inputs[position]
        index = 0
        steps = self.steps
        try:
            for index, step in enumerate(steps):  # noqa: B007 - index names the failing step
                args = step.args
                if step.nested:
                    args = _resolve(step.calls[0].args, buffers)
                else:
                    for position, number in step.slots:
                        args[position] = buffers[number]
                result = step.function(*args)
                outputs = step.outputs
                if len(outputs) == 1:
                    buffers[outputs[0]] = result
                elif outputs:
                    for number, buffer in zip(outputs, result):
                        buffers[number] = buffer
        except Exception as error:
            call = steps[index].calls[-1]
            note = (f"in a compiled function, in the replay of {call.primitive} "
                    f"(from {call.origin}) captured at {call.line}")
            if hasattr(error, "add_note"):
                error.add_note(note)
                raise
            raise RuntimeError(f"{error} ({note})") from error
        for number, storages, destination, backend in self.write_back:
            if storages:  # point the tensors' storage at the new buffer: no copy, no kernel
                for storage in storages:
                    storage.buffer = buffers[number]
            else:
                copy_back(backend, destination, buffers[number])
                buffers[number] = destination
        return buffers


def alive_after(graph: Graph, keep: list[Any]) -> dict[int, Any]:
    """Computed values whose buffers are still referenced once capture's own references go
    (a parameter's .grad, a returned tensor): value number -> the buffer."""
    references = {number: weakref.ref(buffer) for number, buffer in enumerate(keep)
                  if graph.values[number].kind == "computed" and _weakrefable(buffer)}
    keep.clear()
    gc.collect()
    alive = {number: reference() for number, reference in references.items()}
    return {number: buffer for number, buffer in alive.items() if buffer is not None}


def _weakrefable(buffer: Any) -> bool:
    try:
        weakref.ref(buffer)
    except TypeError:
        return False
    return True


def copy_back(backend: Any, destination: Any, source: Any) -> None:
    """destination[...] = source for two flat buffers (a live value's new contents)."""
    if destination is source:
        return
    if isinstance(destination, np.ndarray):
        np.copyto(destination, source)
        return
    from ..kernels import contiguous_view

    view = contiguous_view((len(destination),))
    backend.copy_into(destination, view, source, view)


def _dead_calls(graph: Graph, written: set[int], needed: set[int]) -> set[int]:
    """ids of calls whose results nobody uses (a copy made only to be checked on the host):
    they write nothing in place, and no later call, live tensor or return value reads them."""
    used = set(needed)
    dead: set[int] = set()
    for call in reversed(graph.calls):
        in_place = call.primitive in MAY_WRITE or not call.outputs
        if not in_place and not any(number in used for number in call.outputs):
            dead.add(id(call))
            continue
        used.update(call.refs())
    return dead


def _storages_holding(buffer: Any) -> list:
    """The Storage objects whose buffer this is (a parameter's .grad, a returned tensor's)."""
    from ..storage import Storage

    return [r for r in gc.get_referrers(buffer) if isinstance(r, Storage)]
