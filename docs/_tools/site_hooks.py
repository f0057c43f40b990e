"""mkdocs hooks for the site as a whole: one search index per language, and no requests that 404.

The i18n plugin builds English into site/ and Chinese into site/zh/ with the same search plugin,
and at the end writes one index holding both languages to site/search/ (English hits first on the
Chinese site). After the whole build, `on_post_build` splits it by language:

    site/search/search_index.json       English pages, English separators and stop words
    site/zh/search/search_index.json    Chinese pages (locations relative to site/zh/), separators
                                        that include the zero-width space jieba puts between words

and writes site/zh/sitemap.xml. Material's scripts fetch `search/search_index.json` and
`sitemap.xml` relative to `config.base`, the site's root, so `on_post_page` points the Chinese
pages' `config.base` at site/zh/. It also drops the `<link rel="alternate">` tags from every page's
head: Material fetches `<that link>/sitemap.xml` for each of them, and the i18n plugin makes them
point at pages, not at language roots, so every page asked for two sitemaps that do not exist. The
language menu keeps its links to the same page in the other language.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

SECOND_LANGUAGE = "zh"
SEARCH_CONFIG = {
    # Material's own settings for each language (partials/languages/{en,zh}.html)
    "en": {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": ["stopWordFilter"]},
    "zh": {"lang": ["en"], "separator": "[\\s\\u200b\\u3000\\-、。，．？！；]+",
           "pipeline": ["stemmer"]},
}
_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
_BASE = re.compile(r'"base": ?"([^"]*)"')


def _is_second_language(page) -> bool:
    return page.file.dest_uri.startswith(SECOND_LANGUAGE + "/")


def on_post_page(output: str, page, config) -> str:
    output = _ALTERNATE.sub("", output)
    if _is_second_language(page):
        output, found = _BASE.subn(
            lambda m: f'"base": "{m.group(1).rstrip("/")}/{SECOND_LANGUAGE}/"', output, count=1)
        if not found:
            raise RuntimeError(f"{page.file.src_uri}: Material's config.base not found in the page")
    return output


@event_priority(-200)  # after the i18n plugin (-100) has built every language and merged the index
def on_post_build(config) -> None:
    site = Path(config.site_dir)
    index_path = site / "search" / "search_index.json"
    if not index_path.exists():
        return
    index = json.loads(index_path.read_text(encoding="utf-8"))
    prefix = SECOND_LANGUAGE + "/"
    english = [d for d in index["docs"] if not d["location"].startswith(prefix)]
    chinese = [{**d, "location": d["location"][len(prefix):]} for d in index["docs"]
               if d["location"].startswith(prefix)]
    if not chinese:  # a single language's own build (before the merge): nothing to split yet
        return
    for path, language, docs in ((index_path, "en", english),
                                 (site / prefix / "search" / "search_index.json", "zh", chinese)):
        settings = {**index.get("config", {}), **SEARCH_CONFIG[language]}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"config": settings, "docs": docs}, ensure_ascii=False,
                                   separators=(",", ":")), encoding="utf-8")
    sitemap = site / "sitemap.xml"
    if sitemap.exists():  # Material's scripts on the Chinese pages fetch site/zh/sitemap.xml
        text = sitemap.read_text(encoding="utf-8")
        urls = re.findall(r"\s*<url>.*?</url>", text, flags=re.DOTALL)
        kept = [u for u in urls if f"<loc>{config.site_url or ''}{prefix}" in u]
        head = text.split("<url>", 1)[0].rstrip()
        (site / prefix / "sitemap.xml").write_text(head + "".join(kept) + "\n</urlset>\n",
                                                   encoding="utf-8")
