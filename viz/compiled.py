"""Drawing what tinygrad_edu.compile captured: primitive calls, buffers, and the fused kernels.

    draw_compiled(compiled)     a graphviz.Digraph of the current program of a compiled function

Each recorded primitive call is an oval (its op and the Function or backward node it ran for),
each buffer read from outside is a box (blue: an input of the function, grey: a parameter or
state buffer), arrows follow the buffers. The calls of one fused kernel sit in one cluster named
after the kernel; folded constants are dashed. The title gives the kernel counts before fusion
(one per primitive call, as eager mode launches them) and after.
"""

from __future__ import annotations

from typing import Any

from .render import Digraph


def _label(call: Any) -> str:
    op = call.args[0] if call.primitive in ("unary", "binary") else call.primitive
    return f"{op}\\n{call.origin}"


def draw_compiled(compiled: Any, rankdir: str = "TB") -> Digraph:
    """The captured graph of a compiled function's current program, fused kernels clustered."""
    program = compiled.program
    if program is None:
        raise RuntimeError("nothing captured yet: call the compiled function (3 times) first")
    graph = program.graph
    eager, launches = compiled.kernel_counts()
    dot = Digraph("compiled", graph_attr={
        "rankdir": rankdir, "labelloc": "t", "fontsize": "16",
        "label": f"{getattr(compiled, '__name__', 'compiled')}: {eager} primitive calls in eager "
                 f"mode -> {launches} kernel launches per replay"})
    producer: dict[int, str] = {}
    for index, call in enumerate(graph.calls):
        for number in call.outputs:
            producer[number] = f"c{index}"
    index_of = {id(call): index for index, call in enumerate(graph.calls)}
    folded = {id(call) for call in program.folded}
    dead = program.dead
    clustered: set[int] = set()
    for step in program.steps:
        if step.kernel is None:
            continue
        kernel = step.kernel
        with dot.subgraph(name=f"cluster_{kernel.name}") as cluster:
            cluster.attr(label=f"{kernel.name} ({len(kernel.calls)} ops, 1 kernel)",
                         style="rounded,filled", fillcolor="#fff0d9", color="#e69500")
            for call in kernel.calls:
                cluster.node(f"c{index_of[id(call)]}", _label(call), shape="ellipse",
                             style="filled", fillcolor="#fff4b3")
                clustered.add(id(call))
    for index, call in enumerate(graph.calls):
        if id(call) in clustered:
            continue
        style = "dashed" if id(call) in folded or id(call) in dead else "filled"
        dot.node(f"c{index}", _label(call), shape="ellipse", style=style, fillcolor="#fff4b3")
    drawn_values: set[int] = set()
    for index, call in enumerate(graph.calls):
        for number in call.refs():
            source = producer.get(number)
            if source is None:
                value = graph.values[number]
                source = f"v{number}"
                if number not in drawn_values:
                    drawn_values.add(number)
                    is_input = value.kind == "input"
                    dot.node(source, f"input {value.index}" if is_input else f"buffer {number}",
                             shape="box", style="rounded,filled",
                             fillcolor="#cfe6ff" if is_input else "#eeeeee")
            dot.edge(source, f"c{index}")
    return dot
