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
    raw = trace.raw_graph(**options)
    drawn = fit(raw, depth, max_nodes)
    source = to_digraph(drawn, rankdir=rankdir, name="trace").source
    svg = _inline_svg(pipe(source, "svg").decode()) if dot_available() else None
    return {"dot": source, "svg": svg, "steps": steps(trace, raw, drawn), "notes": drawn.notes}


def player_html(trace: Any, title: str = "tinygrad_edu trace", **options: Any) -> str:
    """The player page for a trace, as one self-contained HTML string."""
    data = player_data(trace, **options)
    svg = data.pop("svg")
    graph = svg if svg is not None else (
        '<div class="no-dot"><p>Graphviz\'s <code>dot</code> program was not found, so the graph '
        "is not laid out; install it (apt-get install graphviz, brew install graphviz) for the "
        "picture. The steps below still work. DOT source:</p><pre></pre></div>")
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    values = {"TITLE": html.escape(title), "STYLE": _asset("player.css"), "GRAPH": graph,
              "DATA": payload, "SCRIPT": _asset("player.js")}
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
