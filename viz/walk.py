"""draw(): the graph that produced a tensor, found by walking back from its grad_fn.

Autograd keeps, for every op that needs a gradient, a node (`y.grad_fn`, e.g. MulBackward0) with
edges to the nodes of its inputs (`next_functions`). A leaf that requires grad is reached through
an AccumulateGrad node whose `.variable` is the leaf itself. Walking those edges from the output
finds the whole graph — without running anything. This file draws it in the forward direction
(inputs at the top, output at the bottom), each edge labelled with the shape that flows along it.

What the walk cannot know is the value of an intermediate tensor (autograd keeps only what backward
needs): use `trace()` to see every value. Ops recorded inside a trace also carry their module path
and the kernels that ran them (in `node.metadata`), which this drawing then shows.
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd.function import AccumulateGrad, BackwardContext
from tinygrad_edu.device import backend_for

from .graph import Graph, Node, layer_labels
from .labels import (
    ctx_arguments,
    formula,
    join_args,
    kernel_line,
    owner_module,
    saved_lines,
    tensor_lines,
)
from .language import tr
from .summary import format_shape, snapshot


class _Walk:
    """State of one walk: the graph being built and the id given to each autograd node."""

    def __init__(self, names: dict[int, str], options: dict[str, bool]):
        self.graph = Graph()
        self.names = names
        self.options = options
        self.ids: dict[int, str] = {}

    def tensor_node(self, tensor: Any, node_id: str, style: str, title: str) -> str:
        grad = tensor._grad
        grad_snapshot = snapshot(grad, with_heat=False) if grad is not None else None
        lines = tensor_lines(snapshot(tensor, with_heat=False), grad_snapshot,
                             show_values=self.options["show_values"],
                             show_grads=self.options["show_grads"],
                             show_strides=self.options["show_strides"])
        module = owner_module(title) if style == "param" else ""
        self.graph.add(Node(node_id, "tensor", title, lines, module=module, style=style))
        if self.options["show_strides"] and tensor._base is not None:
            base_id = f"{node_id}_base"
            self.tensor_node(tensor._base, base_id, "base", tr("base of {name}", name=title))
            self.graph.connect(base_id, node_id, tr("view of"), kind="view")
        return node_id

    def leaf(self, node: AccumulateGrad) -> str:
        variable = node.variable
        name = self.names.get(id(variable))
        style = "param" if name is not None else "leaf"
        return self.tensor_node(variable, f"leaf{len(self.ids)}", style, name or tr("leaf"))

    def op(self, node: BackwardContext) -> str:
        node_id = f"op{len(self.ids)}"
        meta = node.metadata
        outputs = [format_shape(m[0]) for m in node._output_metadata if m is not None]
        devices = [m[2] for m in node._output_metadata if m is not None]
        backend = meta.get("viz.backend") or (backend_for(devices[0]).name if devices else "")
        forward_text, derivative = formula(node._function)
        lines = [node.name()] + join_args(ctx_arguments(node))
        kernels = meta.get("viz.kernels")  # known only for ops recorded inside viz.trace()
        lines += [f"-> {', '.join(outputs)}",
                  kernel_line(backend, kernels) if kernels is not None else backend]
        if derivative:
            lines.append(derivative)
        self.graph.add(Node(node_id, "op", node._function.__name__, lines,
                            module=meta.get("viz.module", ""), style="op",
                            data={"formula": forward_text, "derivative": derivative}))
        return node_id

    def saved(self, node: BackwardContext, node_id: str) -> None:
        if node._freed:
            self.graph.nodes[node_id].lines.append(tr("(saved tensors freed by backward)"))
            return
        for index, record in enumerate(node._saved or ()):
            if record is None:
                continue
            saved_id = f"{node_id}_saved{index}"
            self.graph.add(Node(saved_id, "saved", tr("saved #{k}", k=index),
                                saved_lines(snapshot(record.tensor, with_heat=False),
                                            record.is_output),
                                module=self.graph.nodes[node_id].module))
            self.graph.connect(saved_id, node_id, tr("saved for backward"), kind="saved")


def _visit_order(root: Any) -> list[Any]:
    """Every autograd node reachable from root, depth first, without recursion."""
    order, seen, stack = [], {id(root)}, [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for next_node, _ in node.next_functions:
            if next_node is not None and id(next_node) not in seen:
                seen.add(id(next_node))
                stack.append(next_node)
    return order


def graph_of(output: Any, names: dict[int, str], options: dict[str, bool]) -> Graph:
    """Build the picture's graph for `output` (see draw())."""
    walk = _Walk(names, options)
    output_name = names.get(id(output), tr("output"))
    output_id = walk.tensor_node(output, "output", "output", output_name)
    root = output._grad_fn
    if root is None:
        return walk.graph
    nodes = _visit_order(root)
    for node in nodes:  # ops recorded in a trace: the labels of its groups and time steps
        metadata = getattr(node, "metadata", {})
        walk.graph.group_labels.update(metadata.get("viz.group_labels", {}))
        walk.graph.time_steps.update(metadata.get("viz.time_steps", {}))
    layer_labels(walk.graph)
    for node in nodes:
        walk.ids[id(node)] = (walk.leaf(node) if isinstance(node, AccumulateGrad)
                              else walk.op(node))
        if options["show_saved"] and isinstance(node, BackwardContext):
            walk.saved(node, walk.ids[id(node)])
    for node in nodes:
        if isinstance(node, BackwardContext):
            _connect_inputs(walk, node)
    shape = format_shape(output._view.shape)
    walk.graph.connect(walk.ids[id(root)], output_id, shape)
    return walk.graph


def _connect_inputs(walk: _Walk, node: BackwardContext) -> None:
    for (next_node, output_nr), metadata in zip(node._edges, node._input_metadata):
        if next_node is None or metadata is None:
            continue
        label = format_shape(metadata[0])
        if output_nr and not isinstance(next_node, AccumulateGrad):
            label += " " + tr("[output {k}]", k=output_nr)
        walk.graph.connect(walk.ids[id(next_node)], walk.ids[id(node)], label)
