"""tinygrad_edu.viz: see the graph autograd builds, and watch the gradients flow back through it.

    draw(y)                      the graph that produced y (a graphviz.Digraph)
    with trace() as t: ...       every op in order (forward, no_grad, backward); t.to_html()
    watch(model, "graphs/")      a picture of every forward pass of a model
    set_language("zh")           pictures and player in 简体中文 (or language="zh" per call)
    draw_compiled(compiled)      what tinygrad_edu.compile captured, fused kernels as clusters
    draw_attention(t)            attention weights, one heat map per head (from a trace or tensor)

A recurrent layer (nn.RNN/LSTM/GRU) inside a trace is drawn unrolled: one cluster per layer and
direction, one per time step inside it; max_steps=k keeps the first and last steps of each.

Pictures need Graphviz's `dot` program; without it the DOT source and the HTML player's data still
work, and rendering raises GraphvizNotFoundError saying how to install it.
"""

from .attention import AttentionPicture, draw_attention
from .capture import Trace, trace
from .compiled import draw_compiled
from .draw import draw
from .language import get_language, set_language, use_language
from .render import GraphvizNotFoundError, dot_available
from .watch import Watcher, watch

__all__ = ["AttentionPicture", "GraphvizNotFoundError", "Trace", "Watcher", "dot_available",
           "draw", "draw_attention", "draw_compiled",
           "get_language", "set_language", "trace", "use_language", "watch"]

from tinygrad_edu._signatures import resolve as _resolve_signatures  # noqa: E402

_resolve_signatures()  # viz is imported on demand: its signatures print as the package's do
