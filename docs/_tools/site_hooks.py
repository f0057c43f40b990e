"""mkdocs hooks for the site as a whole: each language searches its own index; no request 404s.

The i18n plugin builds English into site/ and Chinese into site/zh/, each with its own search index
(`reconfigure_search: false` in mkdocs.yml: the plugin's merged index of both languages is not
written) and its own search settings (Material's Chinese separators include the zero-width space
that jieba puts between words):

    site/search/search_index.json       English pages
    site/zh/search/search_index.json    Chinese pages, locations relative to site/zh/

Material's scripts fetch `search/search_index.json` relative to `config.base`, the site's root, so
`on_post_page` points the Chinese pages' `config.base` at site/zh/. It also drops the
`<link rel="alternate">` tags from every page's head: Material fetches `<that link>/sitemap.xml`
for each of them, and the i18n plugin makes them point at pages, not at language roots, so every
page asked for two sitemaps that do not exist. The language menu keeps its links to the same page
in the other language.
"""

from __future__ import annotations

import re

SECOND_LANGUAGE = "zh"
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
