"""From a viz.graph.Graph to Graphviz DOT: shapes and colours that tell the kinds of node apart.

The legend a learner needs:

    blue box        a parameter (a leaf that requires grad, with its name, e.g. fc1.weight)
    green box       another leaf that requires grad          grey box    an input without grad
    white box       a tensor computed by an op               orange box  the output
    yellow oval     a forward op (dashed grey under no_grad) with its arguments and kernel
    red box         a backward node (MulBackward0) with its local derivative
    pink trapezium  sum_to_size: a broadcast input's gradient summed back to its shape
    red circle +    two gradients meeting at a reused tensor (the chain rule's sum)
    purple box      grad +=: the gradient added into a leaf's .grad
    teal note       a tensor saved for backward (show_saved)

Black arrows carry values forward, red ones gradients backward, dotted ones tie a backward node to
its forward op, dashed ones a view to its base. Nodes of one module sit in one cluster.
"""

from __future__ import annotations

from html import escape

from .graph import Graph, Node
from .render import Digraph

STYLES: dict[str, dict[str, str]] = {
    "param": {"shape": "box", "style": "rounded,filled", "fillcolor": "#cfe6ff"},
    "leaf": {"shape": "box", "style": "rounded,filled", "fillcolor": "#d5f0d5"},
    "input": {"shape": "box", "style": "rounded,filled", "fillcolor": "#eeeeee"},
    "tensor": {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff"},
    "output": {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#ffd8a8"},
    "base": {"shape": "box", "style": "rounded,dashed", "color": "#888888"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#fff4b3"},
    "op_no_grad": {"shape": "ellipse", "style": "filled,dashed", "fillcolor": "#f5f5f5",
                   "color": "#999999", "fontcolor": "#666666"},
    "backward": {"shape": "box", "style": "filled", "fillcolor": "#f9d0d0"},
    "reduce": {"shape": "invtrapezium", "style": "filled", "fillcolor": "#f6c6e8"},
    "sum": {"shape": "circle", "style": "filled", "fillcolor": "#ff9f9f", "fixedsize": "false"},
    "accumulate": {"shape": "box", "style": "filled,diagonals", "fillcolor": "#e2c8ff"},
    "seed": {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffe3e3"},
    "saved": {"shape": "note", "style": "filled", "fillcolor": "#d9f4f6"},
    "module": {"shape": "box3d", "style": "filled", "fillcolor": "#dde6f7"},
    "module_backward": {"shape": "box3d", "style": "filled", "fillcolor": "#f7dede"},
    "summary": {"shape": "box", "style": "dashed", "color": "#666666"},
}

EDGE_STYLES: dict[str, dict[str, str]] = {
    "data": {},
    "grad": {"color": "#c0392b", "fontcolor": "#c0392b"},
    "link": {"style": "dotted", "color": "#999999", "arrowhead": "none", "constraint": "false"},
    "view": {"style": "dashed", "color": "#888888", "fontcolor": "#888888"},
    "saved": {"style": "dashed", "color": "#138d90", "fontcolor": "#138d90"},
}


def html_label(node: Node) -> str:
    """A Graphviz HTML-like label: the title in bold, then one smaller line per detail (and, for
    an attention op in a trace, a small heat map of each head's weights under them)."""
    rows = [f"<b>{escape(node.title)}</b>"]
    rows += [f'<font point-size="9">{escape(line)}</font>' for line in node.lines if line]
    attention = node.data.get("attention")
    if not attention:
        return "<" + "<br/>".join(rows) + ">"
    heads = attention["heads"][:HEAT_HEADS]
    top = max((v for grid in heads for row in grid for v in row), default=0.0) or 1.0
    maps = "".join(f"<TD>{_heat_table(grid, top)}</TD>" for grid in heads)
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3"><TR><TD COLSPAN="{len(heads)}">'
            f'{"<br/>".join(rows)}</TD></TR><TR>{maps}</TR></TABLE>>')


HEAT_HEADS, HEAT_SIDE = 4, 16  # the heat maps drawn in an attention op's node (first ones)


def _heat_table(grid: list[list[float]], top: float) -> str:
    """One head's weights as a table of tiny coloured cells: white 0, dark blue the largest."""
    cells = []
    for row in grid[:HEAT_SIDE]:
        cells.append("<TR>" + "".join(
            f'<TD WIDTH="7" HEIGHT="7" FIXEDSIZE="TRUE" BGCOLOR="{_blue(v / top)}"></TD>'
            for v in row[:HEAT_SIDE]) + "</TR>")
    return ('<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" COLOR="#999999">'
            + "".join(cells) + "</TABLE>")


def _blue(t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    return "#" + "".join(f"{round(255 + (end - 255) * t):02x}" for end in (8, 48, 107))


def _node_attributes(node: Node) -> dict[str, str]:
    attributes = dict(STYLES.get(node.style or node.kind, STYLES["tensor"]))
    attributes["id"] = node.id  # the SVG element gets this id: the HTML player highlights it
    attributes["tooltip"] = node.title
    return attributes


def _clusters(graph: Graph) -> dict[str, list[Node]]:
    """Nodes grouped by module path; every ancestor path appears (possibly empty)."""
    groups: dict[str, list[Node]] = {"": []}
    for node in graph.nodes.values():
        parts = node.module.split(".") if node.module else []
        for end in range(1, len(parts) + 1):
            groups.setdefault(".".join(parts[:end]), [])
        groups[node.module].append(node)
    return groups


def _same_rank_pairs(graph: Graph) -> dict[str, list[tuple[str, str]]]:
    """(backward node, forward op) pairs of one module, to be laid out side by side."""
    pairs: dict[str, list[tuple[str, str]]] = {}
    for edge in graph.edges:
        source, target = graph.nodes[edge.source], graph.nodes[edge.target]
        if edge.kind == "link" and source.kind == "backward" and source.module == target.module:
            pairs.setdefault(source.module, []).append((source.id, target.id))
    return pairs


def _emit_cluster(parent: Digraph, path: str, groups: dict[str, list[Node]],
                  pairs: dict[str, list[tuple[str, str]]],
                  groups_labels: dict[str, str] | None = None) -> None:
    groups_labels = groups_labels or {}
    children = [p for p in groups if p and p.rpartition(".")[0] == path]
    if path:
        body = Digraph(name="cluster_" + path.replace(".", "_"))
        body.attr(label=groups_labels.get(path, path), style="rounded,dashed", color="#5b7bb5",
                  fontcolor="#5b7bb5", labeljust="l", id="cluster_" + path.replace(".", "_"))
    else:
        body = parent
    for node in groups[path]:
        body.node(node.id, html_label(node), **_node_attributes(node))
    for backward_id, forward_id in pairs.get(path, ()):  # a backward node beside its forward op
        body.body.append(f"\t{{rank=same; {backward_id}; {forward_id}}}\n")
    for child in children:
        _emit_cluster(body, child, groups, pairs, groups_labels)
    if path:
        parent.subgraph(body)


def to_digraph(graph: Graph, rankdir: str = "TB", name: str = "tinygrad_edu") -> Digraph:
    """The DOT description of a graph (lay it out with .render() or ._repr_svg_())."""
    if rankdir not in ("TB", "BT", "LR", "RL"):
        raise ValueError(f"rankdir must be one of TB, BT, LR, RL, got {rankdir!r}")
    digraph = Digraph(name=name)
    digraph.attr(rankdir=rankdir, fontname="Helvetica", fontsize="11")
    digraph.attr("node", fontname="Helvetica", fontsize="11")
    digraph.attr("edge", fontname="Helvetica", fontsize="9")
    _emit_cluster(digraph, "", _clusters(graph), _same_rank_pairs(graph), graph.group_labels)
    for edge in graph.edges:
        digraph.edge(edge.source, edge.target, label=edge.label or None,
                     **EDGE_STYLES[edge.kind])
    if graph.notes:
        digraph.attr(label="\\n".join(graph.notes), labelloc="b", fontsize="10")
    return digraph
