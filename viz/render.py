"""Turning DOT source into pictures with Graphviz's `dot` program, and saying so when it is missing.

Graphviz has two halves: the `graphviz` Python package writes DOT source (text, always works) and
the `dot` program lays the graph out and draws SVG/PNG/PDF (a system package). Without `dot`, the
source and the HTML player's data still work; anything that needs a layout raises
GraphvizNotFoundError, whose message says how to install it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import graphviz

FORMATS = ("svg", "png", "pdf", "dot")

INSTALL_HINT = ("Graphviz's `dot` program is needed to lay out and draw the graph, and it was not "
                "found on PATH. Install it with `apt-get install graphviz` (Debian/Ubuntu), "
                "`brew install graphviz` (macOS) or `conda install graphviz`, or from "
                "https://graphviz.org/download/. Without it you can still read the DOT source "
                "(`.source`, or render(..., format='dot')) and write the HTML player's data.")


class GraphvizNotFoundError(RuntimeError):
    """Raised when a picture needs Graphviz's `dot` program and it is not installed."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def dot_available() -> bool:
    """Whether Graphviz's `dot` program can be run."""
    return shutil.which("dot") is not None


def pipe(source: str, fmt: str) -> bytes:
    """Lay out DOT source and return the drawing in `fmt` (svg, png, pdf)."""
    if fmt not in FORMATS[:-1]:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    try:
        return graphviz.pipe("dot", fmt, source.encode())
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError() from None


def write(source: str, path: str | Path, fmt: str | None = None) -> Path:
    """Write the drawing (or the DOT source, fmt='dot') to path; fmt defaults to its suffix."""
    target = Path(path)
    fmt = fmt or target.suffix.lstrip(".") or "svg"
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if target.suffix.lstrip(".") != fmt:
        target = target.with_name(target.name + "." + fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "dot":
        target.write_text(source)
    else:
        target.write_bytes(pipe(source, fmt))
    return target


class Digraph(graphviz.Digraph):
    """graphviz.Digraph with a clear error when `dot` is missing and `_repr_svg_` for notebooks."""

    def pipe(self, format: str | None = None, *args, **kwargs):  # noqa: A002 - graphviz's name
        try:
            return super().pipe(format, *args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError() from None

    def render(self, *args, **kwargs) -> str:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError() from None

    def _repr_svg_(self) -> str:
        return self.pipe(format="svg", encoding="utf-8")

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        if not dot_available():  # a notebook still shows something useful
            return {"text/plain": self.source}
        return {"image/svg+xml": self._repr_svg_()}
