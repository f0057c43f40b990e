"""Attention as a picture: each head's weights as a heat map, rows the queries, columns the keys.

    with viz.trace() as t:
        out, _ = mha(x, x, x)                       # or F.scaled_dot_product_attention(q, k, v)
    viz.draw_attention(t)                           # every head of the first attention op
    viz.draw_attention(weights, queries=list("hello"), keys=list("hello")).save("heads.svg")

Row i of a head's map is query i's softmax over the keys: its cells add up to 1, and a dark cell
is a key that query reads much of. A causal mask shows as an empty upper triangle; a padded key as
an empty column. Inside a trace every attention op keeps its weights (the fused FlashAttention
kernel never stores them, so the trace recomputes them once, quietly): the HTML player shows the
maps in its side panel when it reaches that op, and `draw_attention(trace)` draws them.

The picture is SVG written here (no plotting library needed): it shows inline in Jupyter and in
the docs, and `.save("x.svg")` writes it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from .language import tr, use_language

MAX_SIDE = 48   # at most this many queries / keys per map (the first ones)
MAX_HEADS = 16


def _as_heads(weights: Any, batch: int = 0) -> np.ndarray:
    """(L, S), (H, L, S) or (B, H, L, S) (or more leading dims) -> (H, L, S) of batch item 0."""
    if hasattr(weights, "_view"):  # a Tensor
        weights = weights.detach().numpy()
    array = np.asarray(weights, dtype=np.float64)
    if array.ndim < 2:
        raise ValueError(f"attention weights need at least 2 dims (L, S), got shape {array.shape}")
    if array.ndim == 2:
        return array[None]
    lead = array.reshape(-1, *array.shape[-3:]) if array.ndim > 3 else array[None]
    if not 0 <= batch < lead.shape[0]:
        raise IndexError(f"batch {batch} is out of range for {lead.shape[0]} batch items")
    return lead[batch]


def attention_json(weights: Any) -> dict[str, Any]:
    """What the HTML player draws: each head's map (first batch item, at most MAX_HEADS heads and
    MAX_SIDE x MAX_SIDE cells), values rounded to 4 digits."""
    heads = _as_heads(weights)
    length, source = heads.shape[-2:]
    cut = heads[:MAX_HEADS, :MAX_SIDE, :MAX_SIDE]
    return {"heads": [[[round(float(v), 4) for v in row] for row in head] for head in cut],
            "shape": [int(length), int(source)], "all_heads": int(heads.shape[0])}


class AttentionPicture:
    """An SVG of attention heat maps; shows inline in Jupyter, `.save(path)` writes the .svg."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        if target.suffix.lower() != ".svg":
            raise ValueError(f"draw_attention writes SVG: give a .svg path, got {target.name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.svg, encoding="utf-8")
        return target


def draw_attention(weights: Any, *, queries: list[str] | None = None,
                   keys: list[str] | None = None, title: str | None = None, batch: int = 0,
                   index: int = 0, per_row: int = 4, cell: int = 16,
                   language: str | None = None) -> AttentionPicture:
    """One heat map per head of attention weights (rows: queries, columns: keys).

    weights: a Tensor or array (L, S), (H, L, S) or (B, H, L, S) (nn.MultiheadAttention's weights
        with average_attn_weights=False), or a viz Trace: its `index`-th attention op.
    queries, keys: labels of the rows and columns (tokens); batch: which batch item to draw.
    """
    with use_language(language):
        if hasattr(weights, "attention_maps"):  # a Trace
            maps = weights.attention_maps()
            if not maps:
                raise ValueError("the trace recorded no attention op (scaled_dot_product_attention "
                                 "or nn.MultiheadAttention)")
            if not -len(maps) <= index < len(maps):
                raise IndexError(f"index {index} is out of range for {len(maps)} attention ops")
            label, weights = maps[index]
            title = label if title is None else title
        heads = _as_heads(weights, batch)[:MAX_HEADS, :MAX_SIDE, :MAX_SIDE]
        return AttentionPicture(_svg(heads, queries, keys, title, per_row, cell))


def _svg(heads: np.ndarray, queries: list[str] | None, keys: list[str] | None,
         title: str | None, per_row: int, cell: int) -> str:
    count, length, source = heads.shape
    queries = [str(q) for q in (queries or range(length))][:length]
    keys = [str(k) for k in (keys or range(source))][:source]
    left = 8 + 7 * max(len(q) for q in queries)   # room for the query labels
    top = 22 + 7 * max(len(k) for k in keys)      # the head's name and the (rotated) key labels
    width, height = left + source * cell + 16, top + length * cell + 10
    columns = min(per_row, count)
    rows = -(-count // columns)
    header = 24 if title else 4
    legend = 22
    scale = float(heads.max()) if heads.size and heads.max() > 0 else 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{columns * width}" '
             f'height="{header + rows * height + legend}" font-family="Helvetica, sans-serif" '
             f'font-size="10">', '<rect width="100%" height="100%" fill="white"/>']
    if title:
        parts.append(f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}'
                     '</text>')
    for h in range(count):
        x0 = (h % columns) * width + left
        y0 = header + (h // columns) * height + top
        parts.append(f'<text x="{x0}" y="{y0 - top + 12}" font-weight="bold">'
                     f'{escape(tr("head {k}", k=h))}</text>')
        for j, key in enumerate(keys):
            x = x0 + j * cell + cell * 0.7
            parts.append(f'<text transform="translate({x:.1f},{y0 - 3}) rotate(-90)">'
                         f'{escape(key)}</text>')
        for i, query in enumerate(queries):
            parts.append(f'<text x="{x0 - 4}" y="{y0 + i * cell + cell * 0.75:.1f}" '
                         f'text-anchor="end">{escape(query)}</text>')
            for j in range(source):
                value = float(heads[h, i, j])
                parts.append(f'<rect x="{x0 + j * cell}" y="{y0 + i * cell}" width="{cell}" '
                             f'height="{cell}" fill="{_colour(value / scale)}">'
                             f'<title>{escape(queries[i])} -> {escape(keys[j])}: {value:.3f}'
                             '</title></rect>')
        parts.append(f'<rect x="{x0}" y="{y0}" width="{source * cell}" height="{length * cell}" '
                     'fill="none" stroke="#999"/>')
    words = tr("rows: queries, columns: keys; darker = more weight (darkest: {top})",
               top=f"{scale:.2f}")
    parts.append(f'<text x="4" y="{header + rows * height + 14}" fill="#555">{escape(words)}'
                 '</text></svg>')
    return "\n".join(parts)


def _colour(t: float) -> str:
    """0 -> white, 1 -> dark blue."""
    t = min(max(t, 0.0), 1.0)
    r, g, b = (round(255 + (end - 255) * t) for end in (8, 48, 107))
    return f"#{r:02x}{g:02x}{b:02x}"
