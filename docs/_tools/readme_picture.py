"""The picture at the top of README.md: drawn from the README's own 30-second example, with a
copy checked in (docs/assets/readme-graph.svg) so that it shows in a fresh clone and on the code
host's page without running anything.

    python docs/_tools/readme_picture.py     # redraw the checked-in copy (make readme-picture)

tests/test_readme_picture.py redraws it and compares its structure (the graph's nodes, edges and
labels) with the checked-in copy, so the copy cannot silently fall behind the example.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parents[1]
README = ROOT / "README.md"
PICTURE = ROOT / "docs" / "assets" / "readme-graph.svg"
sys.path.insert(0, str(TOOLS))


def draw() -> str:
    """Run the README's code the way the docs build does; the last graph it draws, as SVG."""
    import executor

    rendered = executor.run_page(README.read_text(encoding="utf-8"), "README.md")
    pictures = re.findall(r"<svg.*?</svg>", rendered, flags=re.DOTALL)
    if not pictures:
        raise RuntimeError("README.md: the 30-second example no longer draws its graph")
    return pictures[-1] + "\n"


def structure(svg: str) -> list[tuple[str, ...]]:
    """What the picture shows, without coordinates: each node's and edge's title and labels."""
    shapes = re.findall(r'<g id="[^"]*" class="(node|edge)">(.*?)</g>', svg, flags=re.DOTALL)
    found = []
    for kind, body in shapes:
        title = re.findall(r"<title>(.*?)</title>", body, flags=re.DOTALL)
        texts = re.findall(r"<text[^>]*>(.*?)</text>", body, flags=re.DOTALL)
        found.append((kind, *title, *texts))
    return sorted(found)


def main() -> int:
    PICTURE.parent.mkdir(parents=True, exist_ok=True)
    PICTURE.write_text('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + draw(),
                       encoding="utf-8")
    print(f"wrote {PICTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
