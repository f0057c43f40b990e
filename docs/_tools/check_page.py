"""Check pages the way the build will, one page at a time (faster than a whole `make docs`).

    python docs/_tools/check_page.py docs/en/course/tensor.md [more pages] [--show]

For each page: runs its code (executor.run_page), checks its relative links point at files that
exist, and checks the page's translation has the same ```python blocks. --show prints the page as
the build renders it (outputs and pictures filled in).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import executor  # noqa: E402
import generated  # noqa: E402

DOCS = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "zh")
LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#[^)]*)?\)")


def language_of(page: Path) -> str:
    return page.resolve().relative_to(DOCS).parts[0]


def translation_of(page: Path) -> Path:
    parts = page.resolve().relative_to(DOCS).parts
    other = "zh" if parts[0] == "en" else "en"
    return DOCS.joinpath(other, *parts[1:])


def broken_links(page: Path, markdown: str) -> list[str]:
    """Relative links of a page whose target file does not exist (the build fails on them)."""
    broken = []
    for match in LINK.finditer(markdown):
        target = match["target"]
        if re.match(r"^[a-z]+:", target) or target.startswith("/"):
            continue
        if not (page.parent / target).exists() and not (DOCS / target).exists():
            broken.append(target)
    return broken


def translation_problems(page: Path) -> list[str]:
    other = translation_of(page)
    if not other.exists():
        return [f"{other.relative_to(DOCS)} is missing"]
    mine = executor.python_code_blocks(page.read_text(encoding="utf-8"))
    theirs = executor.python_code_blocks(other.read_text(encoding="utf-8"))
    if mine != theirs:
        for number, (a, b) in enumerate(zip(mine, theirs, strict=False), start=1):
            if a != b:
                return [f"python block {number} differs from {other.relative_to(DOCS)}"]
        return [f"{len(mine)} python blocks here, {len(theirs)} in {other.relative_to(DOCS)}"]
    return []


def check(page: Path, show: bool) -> list[str]:
    markdown = page.read_text(encoding="utf-8")
    language = language_of(page)
    rendered = executor.run_page(generated.expand(markdown, language),
                                 str(page.resolve().relative_to(DOCS)), language)
    if show:
        print(rendered)
    return ([f"broken link {target}" for target in broken_links(page, markdown)]
            + translation_problems(page))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--show", action="store_true")
    arguments = parser.parse_args()
    failed = False
    for page in arguments.pages:
        problems = check(page, arguments.show)
        for problem in problems:
            print(f"{page}: {problem}", file=sys.stderr)
        failed |= bool(problems)
        print(f"{page}: {'problems' if problems else 'ok'}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
