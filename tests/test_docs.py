"""The documentation is code: every page's examples run, and the two languages share them.

The site (docs/en, docs/zh) is built by mkdocs, whose hook (docs/_tools/executor.py) runs every
```python block of every page and shows its output; a page whose code breaks fails `make docs`.
These tests give the same check inside `make test`, one test per English page (the Chinese page has
the same code, checked block by block, and runs in the build), plus the README's example.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_tools"))

import check_page  # noqa: E402
import executor  # noqa: E402
import generated  # noqa: E402


def _pages(language: str) -> list[Path]:
    return sorted((DOCS / language).rglob("*.md"))


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


ENGLISH = _pages("en")


def test_every_page_exists_in_both_languages() -> None:
    english = {page.relative_to(DOCS / "en") for page in ENGLISH}
    chinese = {page.relative_to(DOCS / "zh") for page in _pages("zh")}
    assert len(english) >= 10
    assert english == chinese, f"in one language only: {english ^ chinese}"


@pytest.mark.parametrize("page", ENGLISH, ids=_name)
def test_translation_has_the_same_code(page: Path) -> None:
    assert check_page.translation_problems(page) == []  # the check_page tool's own check


@pytest.mark.parametrize("page", [p for p in ENGLISH if "```python" in p.read_text("utf-8")],
                         ids=_name)
def test_code_on_page_runs(page: Path) -> None:
    markdown = generated.expand(page.read_text(encoding="utf-8"), "en")
    rendered = executor.run_page(markdown, _name(page), "en")
    assert "```python" in rendered


def test_readme_example_runs() -> None:
    rendered = executor.run_page((ROOT / "README.md").read_text(encoding="utf-8"), "README.md")
    assert "<svg" in rendered, "the README's example ends by drawing its graph"


def test_a_failing_block_fails_the_page() -> None:
    page = "# p\n\n```python\nx = 1\n```\n\n```python\nraise ValueError('broken example')\n```\n"
    with pytest.raises(executor.PageCodeError, match="code block 2 raised"):
        executor.run_page(page, "broken.md")


def test_outputs_and_pictures_are_shown() -> None:
    page = ("```python\nimport tinygrad_edu as torch\nfrom tinygrad_edu import viz\n"
            "x = torch.ones(2, requires_grad=True)\nprint((x * 3).sum().item())\n"
            "viz.draw((x * 3).sum())\n```\n\n"
            "```python raises=\"ZeroDivisionError\"\n1 / 0\n```\n\n"
            "```python source=\"tinygrad_edu.ops.unary:Exp\"\n```\n")
    rendered = executor.run_page(page, "example.md")
    assert '```{.text .tge-output title="Output"}\n6.0\n```' in rendered
    assert '<div class="tge-figure">' in rendered or "dot" not in rendered
    assert "ZeroDivisionError: division by zero" in rendered
    assert "class Exp(Function):" in rendered and 'title="tinygrad_edu/ops/unary.py"' in rendered
