"""Sections of pages that the build writes from the code: a line `<!-- generated: NAME -->`.

NAME is looked up in SECTIONS; each generator takes the page's language ("en" or "zh") and returns
Markdown (which may hold ```python blocks: they run like the page's own).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path

MARKER = re.compile(r"^<!-- generated: (?P<name>[\w-]+) -->$", re.MULTILINE)

# name -> "module:function" under docs/_tools (imported only when a page asks for it)
SECTIONS: dict[str, str] = {
    "atlas": "atlas:atlas_markdown",
}


def _generator(name: str) -> Callable[[str], str]:
    if name not in SECTIONS:
        raise KeyError(f"unknown generated section {name!r}; known: {sorted(SECTIONS)}")
    module_name, function_name = SECTIONS[name].split(":")
    tools = str(Path(__file__).resolve().parent)
    if tools not in sys.path:  # mkdocs puts sys.path back after loading hooks.py
        sys.path.insert(0, tools)
    return getattr(importlib.import_module(module_name), function_name)


def expand(markdown: str, language: str) -> str:
    """The page with every generated-section marker replaced by its content."""
    return MARKER.sub(lambda match: _generator(match["name"])(language), markdown)
