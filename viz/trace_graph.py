"""From a trace's records to a graph: forward ops and tensors, then the backward pass beside them.

Forward: each op is an oval, each tensor a box; an op's inputs are found by identity (the tensor
object an earlier op returned), so a tensor used twice has two outgoing arrows. Tensors no op made
are inputs or parameters. Ops run under no_grad are drawn dashed and grey.

Backward: each node the engine ran is a red box tied (dotted) to the forward op it differentiates.
Gradients are followed by identity too: the tensor a node sent is the tensor the next node
received. On the way three steps become visible nodes of their own:

    sum_to_size   a broadcast input's gradient summed back to the input's shape
    +             two gradients meeting at a tensor that was used twice (the chain rule's sum)
    grad +=       the final gradient added into a leaf's .grad
"""

from __future__ import annotations

from typing import Any

from .attention import attention_json
from .capture import AccumulateRecord, BackwardRecord, OpRecord, Trace
from .graph import Graph, Node, layer_labels
from .labels import formula, grad_line, join_args, kernel_line, owner_module, tensor_lines
from .language import tr
from .summary import Snapshot, format_bytes, format_shape


class _Builder:
    def __init__(self, trace: Trace, options: dict[str, bool]):
        self.trace = trace
        self.options = options
        self.graph = Graph()
        self.names = trace.names
        self.tensor_ids: dict[int, str] = {}     # id(tensor) -> its node (forward)
        self.op_of_node: dict[int, str] = {}     # id(grad_fn) -> forward op node
        self.outputs_of_node: dict[int, list[str]] = {}
        self.grad_sources: dict[int, str] = {}   # id(gradient tensor) -> node that sent it
        self.snapshots: dict[str, tuple[Snapshot, Snapshot | None]] = {}

    # --- tensors -----------------------------------------------------------------------------
    def tensor(self, node_id: str, tensor: Any, snap: Snapshot, module: str, title: str,
               style: str) -> str:
        self.graph.add(Node(node_id, "tensor", title, module=module, style=style,
                            data={"value": snap.to_json()}))
        self.snapshots[node_id] = (snap, None)
        self.tensor_ids[id(tensor)] = node_id
        return node_id

    def input_tensor(self, tensor: Any, used_in: str = "") -> str:
        known = self.tensor_ids.get(id(tensor))
        if known is not None:
            return known
        name = self.names.get(id(tensor))
        style = ("param" if name is not None and tensor._requires_grad
                 else "leaf" if tensor._requires_grad else "input")
        snap = self.trace.input_snapshots.get(id(tensor)) or self.trace.snapshot(tensor)
        module = owner_module(name) if name else ""
        title = name or tr("input")
        if name is None and style == "input" and not tensor._view.shape:
            # a Python number an op turned into a 0-d tensor (x != -100): a constant of the op's
            # module or group, not one more "input"
            title, module = tr("constant"), used_in
        return self.tensor(f"in{len(self.tensor_ids)}", tensor, snap, module, title, style)

    def set_grad(self, node_id: str, grad: Snapshot | None) -> None:
        if grad is not None and node_id in self.snapshots:
            self.snapshots[node_id] = (self.snapshots[node_id][0], grad)
            self.graph.nodes[node_id].data["grad"] = grad.to_json()

    def finish_tensor_lines(self) -> None:
        for node_id, (snap, grad) in self.snapshots.items():
            if grad is not None:
                self.graph.nodes[node_id].data["grad_line"] = grad_line(grad)
            self.graph.nodes[node_id].lines = tensor_lines(
                snap, grad, show_values=self.options["show_values"],
                show_grads=self.options["show_grads"], show_strides=self.options["show_strides"])

    # --- forward -----------------------------------------------------------------------------
    def forward(self, index: int, record: OpRecord) -> None:
        op_id = f"f{index}"
        forward_text, derivative = formula(record.function)
        lines = join_args(record.arguments)
        lines.append(kernel_line(record.backend, record.kernels))
        lines.append(f"{record.seconds * 1e3:.3f} ms" + ("" if record.grad_enabled else
                                                         "  " + tr("[no_grad]")))
        self.graph.add(Node(op_id, "op", record.name, lines, module=record.module,
                            style="op" if record.grad_enabled else "op_no_grad",
                            data={"formula": forward_text, "derivative": derivative,
                                  "inputs": [], "outputs": [], "saved": []}))
        if record.attention is not None:  # an attention op: its weights, one heat map per head
            self.graph.nodes[op_id].data["attention"] = attention_json(record.attention)
            lines.append(tr("attention weights: {heads} heads, {length} x {source}",
                            heads=len(self.graph.nodes[op_id].data["attention"]["heads"]),
                            length=record.attention.shape[-2],
                            source=record.attention.shape[-1]))
        for tensor in record.inputs:
            source = self.input_tensor(tensor, record.module)
            self.graph.connect(source, op_id, format_shape(tensor._view.shape))
            self.graph.nodes[op_id].data["inputs"].append(source)
        outputs = self.graph.nodes[op_id].data["outputs"]
        for k, (tensor, snap) in enumerate(zip(record.outputs, record.snapshots)):
            out_id = self.tensor(f"{op_id}_out{k}", tensor, snap, record.module,
                                 tr("{name} output", name=record.name), "tensor")
            self.graph.connect(op_id, out_id)
            outputs.append(out_id)
            self.view_edge(tensor, out_id)
        if record.node is not None:
            self.op_of_node[id(record.node)] = op_id
            self.outputs_of_node[id(record.node)] = outputs
        if self.options["show_saved"]:
            self.saved(op_id, record)

    def view_edge(self, tensor: Any, node_id: str) -> None:
        base = tensor._base
        if self.options["show_strides"] and base is not None and id(base) in self.tensor_ids:
            self.graph.connect(self.tensor_ids[id(base)], node_id, tr("view of"), kind="view")

    def saved(self, op_id: str, record: OpRecord) -> None:
        for k, (shape, dtype, nbytes, is_output) in enumerate(record.saved):
            role = tr("its own output" if is_output else "an input or intermediate")
            saved_id = f"{op_id}_saved{k}"
            self.graph.add(Node(saved_id, "saved", tr("saved #{k}", k=k),
                                [f"{format_shape(shape)} {dtype}", format_bytes(nbytes), role],
                                module=record.module))
            self.graph.connect(saved_id, op_id, tr("saved for backward"), kind="saved")
            self.graph.nodes[op_id].data["saved"].append(saved_id)

    # --- backward ----------------------------------------------------------------------------
    def backward(self, index: int, record: BackwardRecord) -> None:
        node_id = f"b{index}"
        variable = getattr(record.node, "variable", None)
        if variable is not None:
            self.accumulate_grad(node_id, record, variable)
        else:
            self.backward_node(node_id, record)
        for k, grad in enumerate(record.grad_outputs):
            self.incoming(grad, node_id, record, k)
        reductions = {id(op.outputs[0]): op for op in record.inner
                      if op.name == "SumToSize" and op.outputs}
        for k, grad in enumerate(record.grad_inputs):
            if grad is None:
                continue
            reduction = reductions.get(id(grad))
            if reduction is None:
                self.grad_sources[id(grad)] = node_id
                continue
            reduce_id = f"{node_id}_sum_to_size{k}"
            before, after = reduction.inputs[0]._view.shape, grad._view.shape
            self.graph.add(Node(reduce_id, "reduce", "sum_to_size",
                                [f"{format_shape(before)} -> {format_shape(after)}",
                                 tr("summed over the broadcast dims")],
                                module=self.graph.nodes[node_id].module,
                                data={"derivative": tr("dx = dy summed over the broadcast dims")}))
            self.graph.connect(node_id, reduce_id, format_shape(before), kind="grad")
            self.graph.nodes[node_id].data.setdefault("reductions", []).append(reduce_id)
            self.grad_sources[id(grad)] = reduce_id

    def backward_node(self, node_id: str, record: BackwardRecord) -> None:
        forward_op = self.op_of_node.get(id(record.node))
        function = getattr(record.node, "_function", None)
        forward_text, derivative = formula(function) if function else ("", "")
        module = self.graph.nodes[forward_op].module if forward_op else ""
        lines = [derivative] if derivative else []
        lines.append(kernel_line(self._backend(record), record.kernels))
        targets = self.outputs_of_node.get(id(record.node), [])
        self.graph.add(Node(node_id, "backward", record.name, lines, module=module,
                            data={"formula": forward_text, "derivative": derivative,
                                  "forward_op": forward_op, "grad_targets": targets}))
        if forward_op:
            self.graph.connect(node_id, forward_op, kind="link")
        for out_id, snap in zip(targets, record.received):
            self.set_grad(out_id, snap)

    def accumulate_grad(self, node_id: str, record: BackwardRecord, variable: Any) -> None:
        leaf_id = self.input_tensor(variable)
        leaf = self.graph.nodes[leaf_id]
        rule = tr("leaf.grad += dy  (leaf.grad = dy the first time)")
        self.graph.add(Node(node_id, "accumulate", "grad +=",
                            [tr("into {name}.grad", name=leaf.title),
                             kernel_line("", record.kernels)],
                            module=leaf.module,
                            data={"derivative": rule, "grad_targets": [leaf_id]}))
        self.graph.connect(node_id, leaf_id, ".grad", kind="link")
        self.set_grad(leaf_id, record.leaf_grad)

    def incoming(self, grad: Any, node_id: str, record: BackwardRecord, k: int) -> None:
        if grad is None:
            return
        source = self.grad_sources.get(id(grad))
        if source is None and "seed" not in self.graph.nodes and k < len(record.received):
            source = self.seed(record, record.received[k])
        if source is not None:
            self.graph.connect(source, node_id, format_shape(grad._view.shape), kind="grad")

    def seed(self, record: BackwardRecord, snap: Snapshot | None) -> str:
        """The gradient backward starts from: d(output)/d(output) = 1 for a scalar loss."""
        summary = snap.summary if snap is not None else tr("given")
        self.graph.add(Node("seed", "seed", tr("start of backward"),
                            [tr("d output = {summary}", summary=summary)],
                            data={"grad": snap.to_json() if snap is not None else None}))
        variable = getattr(record.node, "variable", None)
        outputs = ([self.input_tensor(variable)] if variable is not None
                   else self.outputs_of_node.get(id(record.node), []))
        for out_id in outputs[:1]:
            self.graph.nodes[out_id].style = "output"
            self.graph.connect(out_id, "seed", "backward()", kind="link")
        return "seed"

    def accumulate(self, index: int, record: AccumulateRecord) -> None:
        node_id = f"a{index}"
        # inside an unrolled recurrent layer, the sum sits in that layer's cluster (h_t's two
        # gradients: from the output and from step t + 1; W_hh's from every step)
        incoming = self.graph.nodes.get(self.grad_sources.get(id(record.incoming), ""))
        module = self._layer_of(incoming.module) if incoming is not None else ""
        self.graph.add(Node(node_id, "sum", "+", [tr("grads meet")], module=module,
                            data={"derivative": tr("total = existing + incoming")}))
        for grad in (record.existing, record.incoming):
            source = self.grad_sources.get(id(grad))
            if source is not None:
                self.graph.connect(source, node_id, format_shape(grad._view.shape), kind="grad")
        self.grad_sources[id(record.total)] = node_id

    def _layer_of(self, module: str) -> str:
        """The recurrent layer (the parent of a time step) that `module` lies in, else ""."""
        parts = module.split(".") if module else []
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in self.trace.time_steps:
                return ".".join(parts[:end - 1])
        return ""

    @staticmethod
    def _backend(record: BackwardRecord) -> str:
        return next((op.backend for op in record.inner if op.backend), "")


def build(trace: Trace, options: dict[str, bool], include_backward: bool = True) -> Graph:
    """The graph of everything a trace recorded (forward only with include_backward=False)."""
    builder = _Builder(trace, options)
    builder.graph.group_labels = dict(trace.group_labels)
    builder.graph.time_steps = dict(trace.time_steps)
    layer_labels(builder.graph)
    for index, event in enumerate(trace.events):
        if isinstance(event, OpRecord):
            builder.forward(index, event)
        elif include_backward and isinstance(event, BackwardRecord):
            builder.backward(index, event)
        elif include_backward and isinstance(event, AccumulateRecord):
            builder.accumulate(index, event)
    if "seed" not in builder.graph.nodes:
        _mark_last_output(builder.graph)
    builder.finish_tensor_lines()
    return builder.graph


def _mark_last_output(graph: Graph) -> None:
    for node in reversed(graph.nodes.values()):
        if node.kind == "tensor" and node.id.startswith("f"):
            node.style = "output"
            return
