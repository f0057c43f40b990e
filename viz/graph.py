"""A picture's content before it is drawn: nodes, edges and the module each node belongs to.

Both `draw()` (a walk of the grad_fn graph) and `Trace` (a recording of what ran) build this
small graph; `viz.dot` then turns it into Graphviz source. Keeping the two steps apart is what lets
a graph be simplified before layout, which is how model-sized graphs stay readable:

- `collapse(graph, depth)` replaces everything inside a module nested deeper than `depth` by one
  box for that module (depth=0: one box per top-level module such as `features` or `fc1`);
- `summarise(graph, max_nodes)` keeps the start and the end of a graph that is still too big and
  puts one node in the middle that counts what was left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .language import tr

BACKWARD_KINDS = frozenset({"backward", "reduce", "sum", "accumulate", "seed"})


@dataclass
class Node:
    """One box in the picture."""

    id: str
    kind: str       # tensor, op, backward, reduce, sum, accumulate, seed, saved, module, summary
    title: str
    lines: list[str] = field(default_factory=list)
    module: str = ""  # qualified module path ("" = outside any module)
    style: str = ""   # a key of viz.dot.STYLES; defaults to kind
    data: dict[str, Any] = field(default_factory=dict)  # what the HTML player shows beside it

    @property
    def phase(self) -> str:
        return "backward" if self.kind in BACKWARD_KINDS else "forward"


@dataclass
class Edge:
    """An arrow. kind: data (forward), grad (backward), link (backward node -> forward op),
    view (view -> base) or saved (saved tensor -> op)."""

    source: str
    target: str
    label: str = ""
    kind: str = "data"


class Graph:
    """Nodes in insertion order and the edges between them."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.notes: list[str] = []  # shown under the picture (e.g. what a summary left out)
        # cluster path -> its label, for a group that is not a module: "nll_loss(input, target)"
        self.group_labels: dict[str, str] = {}
        # cluster path of a recurrent layer's time step -> t (see limit_steps)
        self.time_steps: dict[str, int] = {}

    def add(self, node: Node) -> Node:
        self.nodes[node.id] = node
        return node

    def connect(self, source: str, target: str, label: str = "", kind: str = "data") -> None:
        if source in self.nodes and target in self.nodes and source != target:
            self.edges.append(Edge(source, target, label, kind))

    def module_depth(self) -> int:
        """How deeply modules nest in this graph (0 when no node is inside a module)."""
        return max((len(n.module.split(".")) for n in self.nodes.values() if n.module), default=0)

    def __len__(self) -> int:
        return len(self.nodes)


def _module_prefix(path: str, depth: int) -> str:
    return ".".join(path.split(".")[: depth + 1])


def collapse(graph: Graph, depth: int) -> Graph:
    """Draw each module nested deeper than `depth` as one node (one forward, one backward)."""
    result, renamed = Graph(), {}
    result.notes = list(graph.notes)
    result.group_labels = dict(graph.group_labels)
    result.time_steps = dict(graph.time_steps)
    members: dict[str, Counter] = {}
    for node in graph.nodes.values():
        if not node.module or len(node.module.split(".")) <= depth:
            result.add(node)
            continue
        prefix = _module_prefix(node.module, depth)
        box_id = f"module_{node.phase}_{prefix}".replace(".", "_")
        renamed[node.id] = box_id
        members.setdefault(box_id, Counter())[node.title] += 1
        if box_id not in result.nodes:
            parent = prefix.rpartition(".")[0]
            name = graph.group_labels.get(prefix, prefix)
            title = name if node.phase == "forward" else tr("{name} (backward)", name=name)
            result.add(Node(box_id, "module", title, module=parent,
                            style="module" if node.phase == "forward" else "module_backward",
                            data={"members": []}))
        result.nodes[box_id].data["members"].append(node.id)
    for box_id, counts in members.items():
        result.nodes[box_id].lines = [_count_line(counts)]
    _reconnect(graph, result, renamed)
    return result


def _count_line(counts: Counter, limit: int = 4) -> str:
    common = [f"{title} x{count}" if count > 1 else title
              for title, count in counts.most_common(limit)]
    more = len(counts) - limit
    return ", ".join(common) + (", " + tr("+{count} more", count=more) if more > 0 else "")


def _reconnect(graph: Graph, result: Graph, renamed: dict[str, str]) -> None:
    """Copy edges onto the merged nodes, dropping the ones now inside a box and duplicates."""
    seen = set()
    for edge in graph.edges:
        source = renamed.get(edge.source, edge.source)
        target = renamed.get(edge.target, edge.target)
        key = (source, target, edge.kind)
        if source == target or key in seen:
            continue
        seen.add(key)
        result.connect(source, target, edge.label, edge.kind)


def summarise(graph: Graph, max_nodes: int) -> Graph:
    """Keep the first and last nodes of a too-big graph; one node counts the middle ones."""
    if len(graph) <= max_nodes:
        return graph
    keep = max(1, (max_nodes - 1) // 2)
    ids = list(graph.nodes)
    middle = ids[keep:len(ids) - keep]
    summary_id = "summary"
    counts = Counter(graph.nodes[i].title for i in middle)
    result = Graph()
    result.group_labels = dict(graph.group_labels)
    result.time_steps = dict(graph.time_steps)
    for node_id in ids[:keep]:
        result.add(graph.nodes[node_id])
    result.add(Node(summary_id, "summary", tr("... {count} nodes not drawn ...", count=len(middle)),
                    [_count_line(counts, limit=6)], data={"members": middle}))
    for node_id in ids[len(ids) - keep:]:
        result.add(graph.nodes[node_id])
    result.notes = graph.notes + [tr(
        "{total} nodes is more than max_nodes={limit}: the middle {count} are summarised in one "
        "node (pass depth= to collapse modules, or a larger max_nodes)",
        total=len(graph), limit=max_nodes, count=len(middle))]
    _reconnect(graph, result, dict.fromkeys(middle, summary_id))
    return result


def layer_labels(graph: Graph) -> Graph:
    """Name the recurrent layers (the clusters that hold time steps) in the picture's language:
    "layer 0, reverse" -> "第 0 层, 逆序方向". They are recorded in English, whatever the language
    was while the trace ran."""
    for path in {p.rpartition(".")[0] for p in graph.time_steps}:
        label = graph.group_labels.get(path, "")
        graph.group_labels[path] = ", ".join(
            tr("layer {k}", k=word[6:]) if word.startswith("layer ") else tr(word)
            for word in label.split(", ")) if label else label
    return graph


def limit_steps(graph: Graph, max_steps: int) -> Graph:
    """Keep the first and last time steps of each unrolled recurrent layer (max_steps in all);
    the steps between become one box per phase (forward, backward) that counts them.

    A recurrent layer traced step by step (nn.RNN/LSTM/GRU inside viz.trace) has one cluster per
    time step; a 100-step sequence would be 100 clusters. What a reader needs is the pattern (the
    same cell again and again, the state passed on) and both ends (where the gradient enters, how
    far back it reaches), which a few steps show."""
    if max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    layers: dict[str, list[tuple[int, str]]] = {}
    for path, step in graph.time_steps.items():
        layers.setdefault(path.rpartition(".")[0], []).append((step, path))
    dropped: dict[str, tuple[str, int, int, int]] = {}  # step path -> (parent, first, last, count)
    for parent, steps in layers.items():
        if len(steps) <= max_steps:
            continue
        steps.sort()
        head = (max_steps + 1) // 2
        middle = steps[head:len(steps) - (max_steps - head)]
        for _, path in middle:
            dropped[path] = (parent, middle[0][0], middle[-1][0], len(middle))
    if not dropped:
        return graph
    result, renamed = Graph(), {}
    result.notes = list(graph.notes)
    result.group_labels = {p: label for p, label in graph.group_labels.items()
                           if not any(p == d or p.startswith(d + ".") for d in dropped)}
    result.time_steps = {p: t for p, t in graph.time_steps.items() if p not in dropped}
    for node in graph.nodes.values():
        step_path = _step_of(node.module, dropped)
        if step_path is None:
            result.add(node)
            continue
        parent, first, last, count = dropped[step_path]
        box_id = f"steps_{node.phase}_{parent}".replace(".", "_")
        renamed[node.id] = box_id
        if box_id not in result.nodes:
            title = (tr("t = {first} ... {last}", first=first, last=last) if count > 1
                     else f"t = {first}")
            if node.phase == "backward":
                title = tr("{name} (backward)", name=title)
            result.add(Node(box_id, "module", title,
                            [tr("{count} time steps not drawn (max_steps={limit})"
                                if count > 1 else "1 time step not drawn (max_steps={limit})",
                                count=count, limit=max_steps)], module=parent,
                            style="module" if node.phase == "forward" else "module_backward",
                            data={"members": []}))
        result.nodes[box_id].data["members"].append(node.id)
    _reconnect(graph, result, renamed)
    return result


def _step_of(module: str, dropped: dict[str, Any]) -> str | None:
    """The dropped time step path that `module` is (or lies inside), if any."""
    parts = module.split(".") if module else []
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in dropped:
            return prefix
    return None


def fit(graph: Graph, depth: int | None, max_nodes: int | None,
        max_steps: int | None = None) -> Graph:
    """Apply max_steps= and depth=, then (while the graph has more than max_nodes nodes) keep
    fewer time steps, collapse modules further and finally summarise."""
    if max_steps is not None:
        graph = limit_steps(graph, max_steps)
    if depth is not None:
        graph = collapse(graph, depth)
    if max_nodes is None or len(graph) <= max_nodes:
        return graph
    if graph.time_steps and (max_steps is None or max_steps > 4):
        fewer = limit_steps(graph, 4)
        if len(fewer) <= max_nodes:
            fewer.notes.append(tr("more than max_nodes={limit} nodes: only 4 time steps of each "
                                  "recurrent layer are drawn", limit=max_nodes))
            return fewer
        graph = fewer
    for shallower in range(graph.module_depth() - 1, -1, -1):
        collapsed = collapse(graph, shallower)
        if len(collapsed) <= max_nodes:
            collapsed.notes.append(tr("more than max_nodes={limit} nodes: modules deeper than "
                                      "depth={depth} are drawn as one node each",
                                      limit=max_nodes, depth=shallower))
            return collapsed
    if graph.module_depth():
        graph = collapse(graph, 0)
    return summarise(graph, max_nodes)
