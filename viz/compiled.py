"""Drawing what tinygrad_edu.compile captured: primitive calls, buffers, and the fused kernels.

    draw_compiled(compiled)     a graphviz.Digraph of the current program of a compiled function

Each recorded primitive call is an oval (its op and the Function or backward node it ran for),
each buffer read from outside is a box (blue: an input of the function, grey: a parameter or
state buffer), arrows follow the buffers. The calls of one fused kernel sit in one cluster named
after the kernel; on Triton the independent pieces launched together (horizontal fusion) sit in
one dashed cluster per launch; folded constants are dashed. The title gives the kernel counts
before fusion (one per primitive call, as eager mode launches them) and after. Its words follow
viz's language (`language="zh"` or viz.set_language), as every other picture's do.
"""

from __future__ import annotations

from typing import Any

from .language import tr, use_language
from .render import Digraph


def _label(call: Any) -> str:
    op = call.args[0] if call.primitive in ("unary", "binary") else call.primitive
    return f"{op}\\n{call.origin}"


def draw_compiled(compiled: Any, rankdir: str = "TB", language: str | None = None) -> Digraph:
    """The captured graph of a compiled function's current program, fused kernels clustered;
    language: "en" or "zh" for the picture's words (default: viz.set_language's)."""
    with use_language(language):
        return _draw(compiled, rankdir)


def _draw(compiled: Any, rankdir: str) -> Digraph:
    program = compiled.program
    if program is None:
        raise RuntimeError("nothing captured yet: call the compiled function (3 times) first")
    graph = program.graph
    eager, launches = compiled.kernel_counts()
    dot = Digraph("compiled", graph_attr={
        "rankdir": rankdir, "labelloc": "t", "fontsize": "16",
        "label": tr("{name}: {eager} primitive calls in eager mode -> {launches} kernel launches "
                    "per replay", name=getattr(compiled, "__name__", "compiled"), eager=eager,
                    launches=launches)})
    producer: dict[int, str] = {}
    for index, call in enumerate(graph.calls):
        for number in call.outputs:
            producer[number] = f"c{index}"
    index_of = {id(call): index for index, call in enumerate(graph.calls)}
    folded = {id(call) for call in program.folded}
    dead = program.dead
    clustered: set[int] = set()
    def draw_kernel(parent: Any, kernel: Any, piece: bool = False) -> None:
        with parent.subgraph(name=f"cluster_{kernel.name}") as cluster:
            label = "{name} ({count} ops)" if piece else "{name} ({count} ops, 1 kernel)"
            cluster.attr(label=tr(label, name=kernel.name, count=len(kernel.calls)),
                         style="rounded,filled", fillcolor="#fff0d9", color="#e69500")
            for call in kernel.calls:
                if id(call) in clustered:  # the optimizer's one call, split per parameter
                    continue
                cluster.node(f"c{index_of[id(call)]}", _label(call), shape="ellipse",
                             style="filled", fillcolor="#fff4b3")
                clustered.add(id(call))

    for step in program.steps:
        if step.kernel is None:
            continue
        parts = getattr(step.kernel, "parts", [step.kernel])
        if len(parts) == 1:  # one kernel (a fused chain), or a launch of one piece
            draw_kernel(dot, parts[0])
            continue
        # a launch (horizontal fusion): its independent pieces inside one outer cluster
        with dot.subgraph(name=f"cluster_{step.kernel.name}") as launch:
            launch.attr(label=tr("{name}: {count} independent pieces, 1 launch",
                                 name=step.kernel.name, count=len(parts)),
                        style="rounded,dashed", color="#b36b00")
            for piece in parts:
                draw_kernel(launch, piece, piece=True)
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
                    dot.node(source, tr("input {k}", k=value.index) if is_input
                             else tr("buffer {number}", number=number),
                             shape="box", style="rounded,filled",
                             fillcolor="#cfe6ff" if is_input else "#eeeeee")
            dot.edge(source, f"c{index}")
    return dot
