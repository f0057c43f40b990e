"""Trace.to_html(): one self-contained HTML file that replays a trace step by step.

The page holds the SVG that `dot` laid out, the steps as JSON (see viz.player) and a small script
and stylesheet from viz/assets/ — all inline, so the file opens offline and can be mailed around.
Without Graphviz the page still works: it shows the DOT source instead of the picture, and every
step's tensors, heat maps, gradients and formulas.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from .dot import to_digraph
from .graph import fit
from .language import tr, use_language
from .player import steps
from .render import dot_available, pipe


def _asset(name: str) -> str:
    return resources.files("tinygrad_edu.viz").joinpath("assets", name).read_text()


def _inline_svg(svg: str) -> str:
    """The <svg> element alone (dot's output starts with an XML header and a DOCTYPE)."""
    return svg[svg.index("<svg"):]


def player_data(trace: Any, **options: Any) -> dict[str, Any]:
    """Everything the page needs: DOT source, SVG (when dot exists) and the steps."""
    depth = options.pop("depth", None)
    max_nodes = options.pop("max_nodes", trace.max_nodes)
    rankdir = options.pop("rankdir", "TB")
    max_steps = options.pop("max_steps", None)
    raw = trace.raw_graph(**options)
    drawn = fit(raw, depth, max_nodes, max_steps)
    source = to_digraph(drawn, rankdir=rankdir, name="trace").source
    svg = _inline_svg(pipe(source, "svg").decode()) if dot_available() else None
    return {"dot": source, "svg": svg, "steps": steps(trace, raw, drawn), "notes": drawn.notes,
            "grad_lines": grad_lines(drawn)}


def grad_lines(drawn: Any) -> dict[str, str]:
    """{node id: its "grad: ..." line}: the SVG is drawn once, after backward, so the player hides
    each of these lines until the step that computes that gradient."""
    return {node.id: node.data["grad_line"] for node in drawn.nodes.values()
            if node.data.get("grad_line") in node.lines}


# The words of player.html ({{T_...}}) and of player.js (data.text), in the page's language.
PAGE_TEXTS = {
    "T_FIRST": "first", "T_FIRST_TITLE": "first step (Home)", "T_PREV_TITLE": "previous step (←)",
    "T_PLAY": "▶ play", "T_PLAY_TITLE": "play / pause (space)", "T_NEXT_TITLE": "next step (→)",
    "T_LAST": "last", "T_LAST_TITLE": "last step (End)", "T_SPEED": "speed",
    "T_STEPS_PER_S": "steps/s", "T_FORWARD": "forward", "T_LOCAL_DERIVATIVE": "local derivative",
    "T_GRADIENTS_SO_FAR": "gradients so far", "T_TENSOR": "tensor", "T_SHAPE": "shape",
    "T_GRADIENT": "gradient",
}
SCRIPT_TEXTS = {
    "step": "step {index} / {count}", "module": "module: {name}", "play": "▶ play",
    "pause": "pause", "no_steps": "the trace recorded no steps",
    "heat": "blue: negative, white: zero, red: positive (scaled by the largest |value|)",
    "head": "head {k}",
    "attention": "attention weights of batch item 0 (rows: queries, columns: keys; darker = more "
                 "weight); {shown} of {heads} heads",
}


def player_html(trace: Any, title: str = "tinygrad_edu trace", **options: Any) -> str:
    """The player page for a trace, as one self-contained HTML string (language="zh": 中文)."""
    with use_language(options.pop("language", None)) as language:
        data = player_data(trace, **options)
        data["text"] = {key: tr(text) for key, text in SCRIPT_TEXTS.items()}
        page_texts = {key: html.escape(tr(text)) for key, text in PAGE_TEXTS.items()}
        missing_dot = html.escape(tr(
            "Graphviz's dot program was not found, so the graph is not laid out; install it "
            "(apt-get install graphviz, brew install graphviz) for the picture. The steps below "
            "still work. DOT source:"))
        title = tr(title)
    svg = data.pop("svg")
    graph = svg if svg is not None else f'<div class="no-dot"><p>{missing_dot}</p><pre></pre></div>'
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    values = {"TITLE": html.escape(title), "STYLE": _asset("player.css"), "GRAPH": graph,
              "DATA": payload, "SCRIPT": _asset("player.js"), "LANG": language, **page_texts}
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], _asset("player.html"))


def write_player(trace: Any, path: str | Path, title: str = "tinygrad_edu trace",
                 **options: Any) -> Path:
    """Write the player page for a trace to path (a .html file)."""
    return Player(trace, title, **options).save(path)


class Player:
    """A trace's HTML player that notebooks (and the docs) show inline; save() writes the file."""

    def __init__(self, trace: Any, title: str = "tinygrad_edu trace", **options: Any) -> None:
        self.page = player_html(trace, title, **options)

    def _repr_html_(self) -> str:
        return self.page

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        """Jupyter: the page inside an iframe (srcdoc), so its script and stylesheet stay in their
        own document instead of mixing with the notebook's; still no network needed."""
        frame = (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" style="width: 100%; '
                 'height: 640px; border: 1px solid #ddd;"></iframe>')
        return {"text/html": frame}

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.page, encoding="utf-8")
        return target
