"""README.md's picture exists in the repository and is what its example draws today."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent.parent / "docs" / "_tools"
sys.path.insert(0, str(TOOLS))

import readme_picture  # noqa: E402


def test_readme_shows_the_checked_in_picture() -> None:
    readme = readme_picture.README.read_text(encoding="utf-8")
    first_image = re.search(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert first_image and first_image[1] == "docs/assets/readme-graph.svg"
    assert (readme_picture.ROOT / first_image[1]).is_file()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")
def test_the_checked_in_picture_is_current() -> None:
    committed = readme_picture.structure(readme_picture.PICTURE.read_text(encoding="utf-8"))
    fresh = readme_picture.structure(readme_picture.draw())
    assert committed, "docs/assets/readme-graph.svg shows no graph"
    assert fresh == committed, "README's picture is stale: run `make readme-picture`"
