"""Every ```python block in README.md and docs/*.md runs: a page whose code breaks fails the tests.

The blocks of one page run in order in one namespace (later blocks use earlier names), in a
temporary working directory. Blocks fenced as ```text (output) or ```bash are not run. A listing
of library source is fenced ```python excerpt: it must appear word for word in the project's
source files, so a listing cannot drift from the code it shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("**/*.md")])
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXCERPT_BLOCK = re.compile(r"^```python excerpt\n(.*?)^```", re.MULTILINE | re.DOTALL)
SOURCE_FOLDERS = ("tinygrad_edu", "kernels", "viz", "examples", "benchmarks")


def python_blocks(page: Path) -> list[str]:
    return PYTHON_BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists() and python_blocks(p)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_code_in_docs_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for number, block in enumerate(python_blocks(page), start=1):
        code = compile(block, f"{page.name} block {number}", "exec")
        exec(code, namespace)  # noqa: S102 - running the documentation is the test


def _source_text() -> str:
    files = [path for folder in SOURCE_FOLDERS for path in (ROOT / folder).rglob("*.py")]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()
                                  and EXCERPT_BLOCK.findall(p.read_text(encoding="utf-8"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_source_listings_in_docs_match_the_code(page: Path) -> None:
    source = _source_text()
    for number, excerpt in enumerate(EXCERPT_BLOCK.findall(page.read_text(encoding="utf-8")), 1):
        assert excerpt.strip() in source, f"{page.name}: listing {number} is not in the source"


def test_there_are_documented_pages() -> None:
    assert len([p for p in PAGES if p.exists() and python_blocks(p)]) >= 2
