"""mkdocs hooks: the build runs every page's code and draws every picture from the library.

on_page_markdown hands each page to executor.run_page (code run, outputs and graphs inserted,
source listings filled from the code) and fills generated sections (the op atlas) in the page's
language. A page whose code raises stops the build.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import executor  # noqa: E402
import generated  # noqa: E402

log = logging.getLogger("mkdocs.plugins.tinygrad_edu")


def _language(config) -> str:
    i18n = config.plugins.get("i18n")
    return getattr(i18n, "current_language", None) or "en"


def on_page_markdown(markdown: str, page, config, files) -> str:
    language = _language(config)
    started = time.perf_counter()
    markdown = generated.expand(markdown, language)
    markdown = executor.run_page(markdown, page.file.src_uri, language)
    log.info("ran %s in %.1f s", page.file.src_uri, time.perf_counter() - started)
    return markdown


README = Path(__file__).resolve().parents[2] / "README.md"
QUICKSTART_PICTURE = Path(__file__).resolve().parents[1] / "_generated" / "quickstart-graph.svg"


def on_post_build(config) -> None:
    """Draw the README's picture from the README's own example (once, in the English build)."""
    if _language(config) != "en":
        return
    import readme_picture

    QUICKSTART_PICTURE.parent.mkdir(parents=True, exist_ok=True)
    QUICKSTART_PICTURE.write_text(readme_picture.draw(), encoding="utf-8")
    log.info("drew %s", QUICKSTART_PICTURE.relative_to(README.parent))
