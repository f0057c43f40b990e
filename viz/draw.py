"""draw(output): one call that pictures the graph autograd recorded for a tensor.

    y = (x @ w + b).relu().sum()
    y.backward()
    viz.draw(y, params={"x": x, "W": w, "b": b})     # a graphviz.Digraph; shows inline in Jupyter

Tensor boxes show name, shape, dtype, a value summary and (after backward) the gradient; op ovals
show the op, the backward node that will differentiate it, its arguments, its backend and the
derivative it applies. Edges carry the shapes that flow along them.
"""

from __future__ import annotations

from typing import Any

from .dot import to_digraph
from .graph import fit
from .labels import parameter_names
from .language import use_language
from .render import Digraph
from .walk import graph_of


def draw(output: Any, *, params: Any = None, show_values: bool = True, show_grads: bool = True,
         show_saved: bool = False, show_strides: bool = False, depth: int | None = None,
         rankdir: str = "TB", max_nodes: int | None = 500, max_steps: int | None = None,
         language: str | None = None) -> Digraph:
    """The graph that produced `output`, walked back from its grad_fn.

    params: names for tensors: a Module (its named_parameters), a dict {name: tensor} or pairs.
    show_saved: also draw what each op saved for backward, with its size in bytes.
    show_strides: show strides and contiguity, and dashed view -> base edges.
    depth: draw modules nested deeper than this as one node (for graphs recorded in a trace).
    max_nodes: above this many nodes, collapse modules and then summarise the middle of the graph.
    max_steps: a recurrent layer recorded in a trace is drawn unrolled, one cluster per time step;
        keep only the first and last max_steps of them (the middle ones become one box).
    language: "en" or "zh" for the picture's own words (default: viz.set_language's, "en").
    """
    if not hasattr(output, "_view"):
        raise TypeError(f"draw() expects a Tensor, got {type(output).__name__}")
    options = {"show_values": show_values, "show_grads": show_grads, "show_saved": show_saved,
               "show_strides": show_strides}
    with use_language(language):
        graph = graph_of(output, parameter_names(params), options)
        return to_digraph(fit(graph, depth, max_nodes, max_steps), rankdir=rankdir, name="draw")
