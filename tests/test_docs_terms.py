"""The Chinese site speaks one vocabulary: 计算核 for kernel, 步幅 for stride (#16 item 8).

The prose of every docs/zh page (code blocks, inline code, link targets and reference directives
left out: they are code and stay as written) never says 内核 or 步长（stride）for what the glossary
calls 计算核 and 步幅, and never leaves the English word "kernel" untranslated. 步长 itself stays
for a step size (the learning rate, arange's step, a loop's step), which is not a stride.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ZH = Path(__file__).resolve().parent.parent / "docs" / "zh"
PAGES = sorted(ZH.rglob("*.md"))


def _prose(text: str) -> str:
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"^:::.*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"`[^`]*`", "", text)  # inline code, also when wrapped over two lines
    text = re.sub(r"\[[^\]]*\]\([^)]*\)", "", text)  # links: their text names modules and files
    return re.sub(r"^# \w+$", "", text, flags=re.MULTILINE)  # a reference page's module title


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ZH).as_posix() for p in PAGES])
def test_chinese_prose_uses_the_glossary_terms(page: Path) -> None:
    prose = _prose(page.read_text(encoding="utf-8"))
    found = re.findall(r".{0,12}(?:内核|[Kk]ernel|步长[（(]stride).{0,12}", prose)
    assert found == [], found


def test_the_prose_filter_keeps_prose() -> None:
    assert "内核" in _prose("计算核不叫内核。\n```python\nkernel()\n```\n")
    assert "kernel" not in _prose("见 `kernels/`：\n```python\nkernel()\n```\n")
