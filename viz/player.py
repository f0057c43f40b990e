"""The HTML player's script: one step per forward op, then one per backward node, as JSON.

A step names the node to highlight (`target`), the nodes that appear with it (`reveal`: the graph
is built as the forward pass runs), the tensors to show beside the graph (shape, summary, heat map)
and the gradients it adds to the "gradients so far" table. Forward steps come in execution order;
backward steps in the order the engine ran them, which is a reverse topological order.

Node ids refer to the drawn graph: when depth= or max_nodes= merged nodes into a module box or a
summary, a step points at the box that holds its node.
"""

from __future__ import annotations

from typing import Any

from .capture import AccumulateRecord, BackwardRecord, OpRecord, Trace
from .graph import Graph, Node
from .labels import formula, kernel_line
from .language import tr


def _resolver(raw: Graph, drawn: Graph) -> dict[str, str]:
    """raw node id -> the id of the drawn node that shows it."""
    parent: dict[str, str] = {}
    for node in drawn.nodes.values():
        for member in node.data.get("members", []):
            parent[member] = node.id
    resolved = {}
    for node_id in raw.nodes:
        target = node_id
        while target not in drawn.nodes and target in parent:  # raw -> module box -> summary
            target = parent[target]
        resolved[node_id] = target if target in drawn.nodes else ""
    for node in drawn.nodes.values():
        resolved.setdefault(node.id, node.id)
    return resolved


def _tensor_view(label: str, node: Node | None, key: str = "value") -> dict[str, Any] | None:
    if node is None or key not in node.data:
        return None
    return {"label": label, "name": node.title, **node.data[key]}


def _snapshot_view(label: str, name: str, snap: Any) -> dict[str, Any] | None:
    return None if snap is None else {"label": label, "name": name, **snap.to_json()}


def _forward_step(index: int, record: OpRecord, raw: Graph) -> dict[str, Any]:
    node = raw.nodes[f"f{index}"]
    forward_text, derivative = formula(record.function)
    inputs, outputs = node.data["inputs"], node.data["outputs"]
    tensors = [_tensor_view(tr("input {k}", k=k), raw.nodes[i]) for k, i in enumerate(inputs)]
    tensors += [_tensor_view(tr("output") if len(outputs) == 1 else tr("output {k}", k=k),
                             raw.nodes[o]) for k, o in enumerate(outputs)]
    details = list(record.arguments) + [kernel_line(record.backend, record.kernels),
                                        f"{record.seconds * 1e3:.3f} ms"]
    phase = "forward" if record.grad_enabled else "forward (no_grad)"
    return {"phase": phase, "phase_label": tr(phase), "title": record.name,
            "module": record.module, "raw": [node.id],
            "extra": inputs + outputs + node.data["saved"], "formula": forward_text,
            "derivative": derivative, "details": details,
            "tensors": [t for t in tensors if t is not None], "grads": [],
            "attention": node.data.get("attention")}


def _backward_step(index: int, record: BackwardRecord, raw: Graph) -> dict[str, Any]:
    node = raw.nodes[f"b{index}"]
    targets = node.data.get("grad_targets", [])
    tensors = [_snapshot_view(tr("gradient arriving (dy)"), record.name, snap)
               for snap in record.received]
    tensors += [_snapshot_view(tr("gradient sent to input {k}", k=k), record.name, snap)
                for k, snap in enumerate(record.sent)]
    grads = [{"node": t, "name": raw.nodes[t].title, **snap.to_json()}
             for t, snap in zip(targets, record.received) if snap is not None]
    if record.leaf_grad is not None and targets:
        leaf = raw.nodes[targets[0]]
        tensors.append(_snapshot_view(tr("{name}.grad now", name=leaf.title), leaf.title,
                                      record.leaf_grad))
        grads = [{"node": leaf.id, "name": leaf.title, **record.leaf_grad.to_json()}]
    extra = node.data.get("reductions", []) + targets
    details = [kernel_line(next((op.backend for op in record.inner if op.backend), ""),
                           record.kernels), f"{record.seconds * 1e3:.3f} ms"]
    title = node.title if node.title == record.name else f"{node.title} ({record.name})"
    return {"phase": "backward", "phase_label": tr("backward"), "title": title,
            "module": node.module, "raw": [node.id],
            "extra": extra, "formula": node.data.get("formula", ""),
            "derivative": node.data.get("derivative", ""), "details": details,
            "tensors": [t for t in tensors if t is not None], "grads": grads}


def _sum_step(index: int, record: AccumulateRecord) -> dict[str, Any]:
    existing, incoming, total = record.snapshots
    return {"phase": "backward", "phase_label": tr("backward"), "title": tr("+ (gradients meet)"),
            "module": "", "raw": [f"a{index}"], "extra": [],
            "formula": tr("a tensor used twice gets two gradients"),
            "derivative": tr("total = existing + incoming  (the chain rule sums over paths)"),
            "details": [tr("at output {k} of {name}", k=record.output_nr,
                           name=record.node.name())],
            "tensors": [_snapshot_view(tr("existing"), "+", existing),
                        _snapshot_view(tr("incoming"), "+", incoming),
                        _snapshot_view(tr("total"), "+", total)], "grads": []}


def steps(trace: Trace, raw: Graph, drawn: Graph) -> list[dict[str, Any]]:
    """Every step of the player, with node ids resolved to the drawn graph."""
    result = []
    for index, event in enumerate(trace.events):
        if isinstance(event, OpRecord):
            result.append(_forward_step(index, event, raw))
        elif isinstance(event, BackwardRecord) and f"b{index}" in raw.nodes:
            result.append(_backward_step(index, event, raw))
            if "seed" in raw.nodes and not any(s["phase"] == "backward" for s in result[:-1]):
                result[-1]["extra"].append("seed")  # the seed appears with the first step
        elif isinstance(event, AccumulateRecord) and f"a{index}" in raw.nodes:
            result.append(_sum_step(index, event))
    resolve = _resolver(raw, drawn)
    seen: set[str] = set()
    for step in result:
        step["target"] = resolve.get(step["raw"][0], "")
        ids = [resolve.get(i, "") for i in step.pop("raw") + step.pop("extra")]
        step["highlight"] = sorted({i for i in ids if i} - {step["target"]})
        for grad in step["grads"]:
            grad["node"] = resolve.get(grad["node"], "")
        step["reveal"] = [i for i in dict.fromkeys([step["target"]] + ids) if i and i not in seen]
        seen.update(step["reveal"])
    return result
