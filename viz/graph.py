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


def fit(graph: Graph, depth: int | None, max_nodes: int | None) -> Graph:
    """Apply depth=, then collapse modules further and finally summarise until max_nodes fits."""
    if depth is not None:
        graph = collapse(graph, depth)
    if max_nodes is None or len(graph) <= max_nodes:
        return graph
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
