"""trace(): record every op as it runs — forward, no_grad, and the backward pass — in order.

    with viz.trace() as t:
        loss = model(x).cross_entropy(y)      # forward ops: recorded with module path and kernels
        loss.backward()                       # backward nodes: recorded with the grads they saw
    t.render("graph.svg"); t.to_html("player.html")

While the `with` block runs, the trace is installed as `Tracing.active` (see
tinygrad_edu/autograd/tracing.py): Function.apply and the backward engine call its `on_*` methods.
Each record keeps the tensors it saw (so identities stay valid) and a snapshot of their values
taken at that moment. A Tensor op that runs *inside* a backward node (the formula `dy * b`, the
`sum_to_size` of a broadcast input, the `grad +=` of a leaf) is filed under that node.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tinygrad_edu.kernels import numpy_backend, triton_support

from tinygrad_edu.autograd.grad_mode import GradMode
from tinygrad_edu.autograd.tracing import Tracing
from tinygrad_edu.device import backend_for, device

from .dot import to_digraph
from .graph import Graph, fit
from .instrument import KernelLog
from .labels import call_arguments, parameter_names, short_value
from .language import tr, use_language
from .modules import ModuleTracker
from .render import Digraph, write
from .summary import Snapshot, snapshot


def _tensors(values: Any) -> list[Any]:
    items = values if isinstance(values, (tuple, list)) else (values,)
    return [v for v in items if hasattr(v, "_view")]


@dataclass
class OpRecord:
    """One forward op call (also one run inside a backward node, or a gradient sum)."""

    function: type
    node: Any                 # the grad_fn it recorded, None when no graph was recorded
    inputs: list[Any]         # the tensor arguments
    arguments: list[str]      # the other arguments, as "name=value"
    outputs: list[Any]
    snapshots: list[Snapshot]
    seconds: float
    backend: str
    kernels: list[str]
    module: str
    grad_enabled: bool
    phase: str = "forward"    # forward | backward (inside a backward node) | accumulate
    attention: Any = None     # an attention op's weights (..., L, S), NumPy (see on_attention)
    saved: list[tuple[tuple[int, ...], str, int, bool]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.function.__name__


@dataclass
class BackwardRecord:
    """One backward node run by the engine, with the gradients it received and sent."""

    node: Any
    grad_outputs: tuple
    grad_inputs: tuple
    seconds: float
    inner: list[OpRecord] = field(default_factory=list)
    received: list[Snapshot | None] = field(default_factory=list)
    sent: list[Snapshot | None] = field(default_factory=list)
    leaf_grad: Snapshot | None = None  # AccumulateGrad: the leaf's .grad after adding

    @property
    def name(self) -> str:
        return self.node.name()

    @property
    def kernels(self) -> list[str]:
        return [kernel for op in self.inner for kernel in op.kernels]


@dataclass
class AccumulateRecord:
    """Two gradients meeting at a tensor used twice: total = existing + incoming."""

    node: Any
    output_nr: int
    existing: Any
    incoming: Any
    total: Any
    snapshots: tuple[Snapshot, Snapshot, Snapshot]
    op: OpRecord | None = None


class Trace:
    """The recording made by `with trace() as t:` — draw it, render it, or play it as HTML."""

    def __init__(self, params: Any = None, max_nodes: int = 500):
        self.events: list[OpRecord | BackwardRecord | AccumulateRecord] = []
        self.max_nodes = max_nodes
        self._names = parameter_names(params)
        self._modules = ModuleTracker()
        self._kernels = KernelLog()
        self._marks: list[int] = []
        self.input_snapshots: dict[int, Snapshot] = {}  # tensors that no recorded op produced
        self._produced: set[int] = set()
        self._running: list[BackwardRecord] = []
        self._previous: Any = None
        self._active = False
        self.group_labels: dict[str, str] = {}  # cluster path -> "nll_loss(input, target, ...)"
        self._argument_names: dict[int, str] = {}  # id(tensor) -> its parameter name in a group
        self.time_steps: dict[str, int] = {}  # cluster path of a recurrent time step -> t
        if params is not None and hasattr(params, "named_modules"):
            self._modules.add_root(params)

    # --- the with-block ------------------------------------------------------------------------
    def __enter__(self) -> Trace:
        if self._active:
            raise RuntimeError("this trace is already recording")
        self._active = True
        self.has_modules = self._modules.start()
        self._kernels.attach(numpy_backend)
        if triton_support._STATE["prepared"]:  # the Triton backend exists: log it from the start
            self._kernels.attach(backend_for(device("cuda")))
        self._previous, Tracing.active = Tracing.active, self
        return self

    def __exit__(self, *exc_info: Any) -> None:
        Tracing.active = self._previous
        self._kernels.detach()
        self._modules.stop()
        self._marks.clear()
        self._running.clear()
        self._active = False

    # --- what the rest of the package reads ------------------------------------------------------
    @property
    def ops(self) -> list[OpRecord]:
        """The forward ops in execution order (no_grad ones included)."""
        return [e for e in self.events if isinstance(e, OpRecord)]

    @property
    def backward_steps(self) -> list[BackwardRecord | AccumulateRecord]:
        """The backward nodes and gradient sums, in the order the engine ran them."""
        return [e for e in self.events if not isinstance(e, OpRecord)]

    @property
    def names(self) -> dict[int, str]:
        """{id(tensor): name} for parameters (from modules that ran, or params=) and inputs."""
        return {**self._argument_names, **self._modules.parameters, **self._names}

    def snapshot(self, tensor: Any, with_heat: bool = True) -> Snapshot:
        """Summarise a tensor without logging the primitives used to read it."""
        self._kernels.quiet += 1
        try:
            return snapshot(tensor, with_heat)
        finally:
            self._kernels.quiet -= 1

    # --- the tracer protocol (called by Function.apply and the engine) --------------------------
    def on_forward_begin(self, function: type) -> None:
        self._marks.append(len(self._kernels.entries))
        if self._previous is not None:
            self._previous.on_forward_begin(function)

    def on_forward(self, function: type, node: Any, args: tuple, kwargs: dict, outputs: Any,
                   seconds: float) -> None:
        mark = self._marks.pop() if self._marks else len(self._kernels.entries)
        output_list = _tensors(outputs)
        backend = self._backend_of(output_list or _tensors(args))
        inside_backward = bool(self._running)
        record = OpRecord(
            function, node, _tensors(args), call_arguments(function, args, kwargs), output_list,
            [] if inside_backward else [self.snapshot(t) for t in output_list], seconds, backend,
            self._kernels.take_since(mark), self._modules.path, GradMode.enabled)
        if inside_backward:
            record.phase = "backward"
            self._running[-1].inner.append(record)
        else:
            self._remember_inputs(record)
            self.events.append(record)
        if node is not None:  # draw() of this graph can then show module and kernels too
            node.metadata.update({"viz.module": record.module, "viz.kernels": record.kernels,
                                  "viz.backend": backend, "viz.group_labels": self.group_labels,
                                  "viz.time_steps": self.time_steps})
        if self._previous is not None:
            self._previous.on_forward(function, node, args, kwargs, outputs, seconds)

    def on_backward_begin(self, node: Any) -> None:
        self._running.append(BackwardRecord(node, (), (), 0.0))
        if self._previous is not None:
            self._previous.on_backward_begin(node)

    def on_backward(self, node: Any, grad_outputs: tuple, grad_inputs: tuple,
                    seconds: float) -> None:
        record = self._running.pop() if self._running else BackwardRecord(node, (), (), 0.0)
        record.grad_outputs, record.grad_inputs, record.seconds = grad_outputs, grad_inputs, seconds
        record.received = [self._maybe_snapshot(g) for g in grad_outputs]
        record.sent = [self._maybe_snapshot(g) for g in grad_inputs]
        variable = getattr(node, "variable", None)
        if variable is not None and variable._grad is not None:
            record.leaf_grad = self.snapshot(variable._grad)
        self.events.append(record)
        if self._previous is not None:
            self._previous.on_backward(node, grad_outputs, grad_inputs, seconds)

    def on_accumulate(self, node: Any, output_nr: int, existing: Any, incoming: Any,
                      total: Any) -> None:
        snapshots = (self.snapshot(existing), self.snapshot(incoming), self.snapshot(total))
        record = AccumulateRecord(node, output_nr, existing, incoming, total, snapshots)
        last = self.events[-1] if self.events else None
        if isinstance(last, OpRecord) and any(t is total for t in last.outputs):
            self.events.pop()  # the `existing + grad` op belongs to this sum, not to forward
            last.phase, record.op = "accumulate", last
        self.events.append(record)
        if self._previous is not None:
            self._previous.on_accumulate(node, output_nr, existing, incoming, total)

    def on_composite_begin(self, name: str, arguments: dict[str, Any]) -> None:
        """A function made of several ops starts (see autograd.tracing.composite): its ops form one
        cluster, labelled with its arguments; tensor arguments no op made are named after their
        parameter (`target`), not drawn as one more "input"."""
        parent = self._modules.path
        path = f"{parent}.{name}" if parent else name
        count = sum(1 for p in self.group_labels if p == path or p.startswith(path + "_"))
        path = path if count == 0 else f"{path}_{count + 1}"
        shown = []
        for key, value in arguments.items():
            if hasattr(value, "_view"):
                shown.append(key)
                if id(value) not in self._produced:
                    self._argument_names.setdefault(id(value), key)
            elif value is not None and (text := short_value(value)) is not None:
                shown.append(f"{key}={text}")
        self.group_labels[path] = f"{name}({', '.join(shown)})"
        self._modules.stack.append((None, path))
        if self._previous is not None and hasattr(self._previous, "on_composite_begin"):
            self._previous.on_composite_begin(name, arguments)

    def on_composite_end(self) -> None:
        if self._modules.stack and self._modules.stack[-1][0] is None:
            self._modules.stack.pop()
        if self._previous is not None and hasattr(self._previous, "on_composite_end"):
            self._previous.on_composite_end()

    def on_group_begin(self, name: str, label: str, step: int | None = None) -> None:
        """A named group of ops starts (autograd.tracing.group_hooks): a recurrent layer's
        "layer 0" or one of its time steps ("t = 3", step=3); its ops form one cluster."""
        parent = self._modules.path
        path = f"{parent}.{name}" if parent else name
        count = 1
        while path in self.group_labels:  # the same layer run again: a cluster of its own
            count += 1
            path = f"{parent}.{name}_{count}" if parent else f"{name}_{count}"
        self.group_labels[path] = label  # in English: graph.layer_labels translates it
        if step is not None:
            self.time_steps[path] = step
        self._modules.stack.append((None, path))

    def on_group_end(self) -> None:
        if self._modules.stack and self._modules.stack[-1][0] is None:
            self._modules.stack.pop()

    def on_attention(self, output: Any, weights: Any) -> None:
        """An attention op returned `output`; keep its weights (computed by `weights()`, without
        recording anything) on the op's record, for the heat maps (viz.attention)."""
        record = next((e for e in reversed(self.events) if isinstance(e, OpRecord)
                       and any(t is output for t in e.outputs)), None)
        if record is None:
            return
        previous, Tracing.active = Tracing.active, None
        self._kernels.quiet += 1
        grad_mode, GradMode.enabled = GradMode.enabled, False
        try:
            record.attention = np.asarray(weights(), dtype=np.float32)
        finally:
            GradMode.enabled = grad_mode
            self._kernels.quiet -= 1
            Tracing.active = previous

    def attention_maps(self) -> list[tuple[str, Any]]:
        """[(label, weights (..., L, S))] of every attention op recorded, in order; the label
        names the op and its module ("ScaledDotProductFlashAttention in encoder.layers.0...")."""
        return [(f"{e.name} ({e.module})" if e.module else e.name, e.attention)
                for e in self.ops if e.attention is not None]

    # --- helpers -------------------------------------------------------------------------------
    def _remember_inputs(self, record: OpRecord) -> None:
        """Snapshot tensors first seen as inputs; note what the op saved for backward."""
        for tensor in record.inputs:
            if id(tensor) not in self._produced and id(tensor) not in self.input_snapshots:
                self.input_snapshots[id(tensor)] = self.snapshot(tensor)
        self._produced.update(id(t) for t in record.outputs)
        for saved in getattr(record.node, "_saved", None) or ():
            if saved is not None:
                t = saved.tensor
                record.saved.append((tuple(t._view.shape), t.dtype.name, t.nbytes, saved.is_output))

    def _backend_of(self, tensors: list[Any]) -> str:
        if not tensors:
            return ""
        backend = tensors[0]._storage.backend
        self._kernels.attach(backend)  # a backend first met now is logged from here on
        return backend.name

    def _maybe_snapshot(self, tensor: Any) -> Snapshot | None:
        return self.snapshot(tensor) if tensor is not None else None

    # --- pictures ------------------------------------------------------------------------------
    def graph(self, *, show_values: bool = True, show_grads: bool = True,
              show_saved: bool = False, show_strides: bool = False, depth: int | None = None,
              max_nodes: int | None = None, include_backward: bool = True,
              max_steps: int | None = None, language: str | None = None) -> Graph:
        """The recorded graph, after depth= collapsing and the max_nodes guard (language: "en" or
        "zh" for the picture's own words; default viz.set_language's); max_steps: draw only the
        first and last time steps of each unrolled recurrent layer."""
        with use_language(language):
            return fit(self.raw_graph(show_values=show_values, show_grads=show_grads,
                                      show_saved=show_saved, show_strides=show_strides,
                                      include_backward=include_backward),
                       depth, self.max_nodes if max_nodes is None else max_nodes, max_steps)

    def raw_graph(self, *, show_values: bool = True, show_grads: bool = True,
                  show_saved: bool = False, show_strides: bool = False,
                  include_backward: bool = True) -> Graph:
        """Every recorded node, before any collapsing (what the HTML player's steps refer to)."""
        from .trace_graph import build

        options = {"show_values": show_values, "show_grads": show_grads,
                   "show_saved": show_saved, "show_strides": show_strides}
        return build(self, options, include_backward)

    def digraph(self, *, rankdir: str = "TB", **options: Any) -> Digraph:
        """The Graphviz graph (see graph() for the options)."""
        return to_digraph(self.graph(**options), rankdir=rankdir, name="trace")

    @property
    def source(self) -> str:
        """The DOT source of the default picture (works without Graphviz installed)."""
        return self.digraph().source

    def render(self, path: str | Path, format: str | None = None,  # noqa: A002 - as graphviz
               **options: Any) -> Path:
        """Write the picture: format svg, png, pdf or dot (default: path's suffix, else svg)."""
        rankdir = options.pop("rankdir", "TB")
        return write(self.digraph(rankdir=rankdir, **options).source, path, format)

    def to_html(self, path: str | Path, **options: Any) -> Path:
        """Write the self-contained HTML player (see viz.html)."""
        from .html import write_player

        return write_player(self, path, **options)

    def player(self, title: str = "tinygrad_edu trace", **options: Any) -> Any:
        """The HTML player as an object a notebook shows inline (its .save(path) writes it)."""
        from .html import Player

        return Player(self, title, **options)

    def _repr_svg_(self) -> str:
        return self.digraph()._repr_svg_()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        return self.digraph()._repr_mimebundle_(include, exclude)

    def table(self) -> str:
        """One line per recorded step: what ran, where, on which kernels, how long."""
        lines = [f"{'#':>4}  {_pad(tr('step'), 22)} {_pad(tr('module'), 16)} {'ms':>8}  "
                 f"{tr('kernels')}"]
        for index, event in enumerate(self.events):
            if isinstance(event, AccumulateRecord):
                lines.append(f"{index:>4}  {_pad(tr('grad sum (+)'), 22)} {'':<16} {'':>8}")
                continue
            module = getattr(event, "module", "")
            mark = (" " + tr("[no_grad]") if isinstance(event, OpRecord) and not event.grad_enabled
                    else "")
            lines.append(f"{index:>4}  {_pad(event.name + mark, 22)} {_pad(module, 16)} "
                         f"{event.seconds * 1e3:>8.3f}  {', '.join(event.kernels)}")
        return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """text left-aligned in `width` columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def trace(params: Any = None, max_nodes: int = 500) -> Trace:
    """Record every op run inside `with trace() as t:` (params: a Module or {name: tensor})."""
    return Trace(params=params, max_nodes=max_nodes)
