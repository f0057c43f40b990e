"""The built site as a learner meets it: headless Chromium on the site served over HTTP.

These tests read the site `make docs` built into site/ (they skip, saying so, when there is none);
`make docs` runs them right after building, and `make test` leaves them out (marker `site`). The
site is served by the test itself on a free port of 127.0.0.1, as `make serve` does, and checked:

- a page with an embedded player opens at its top and stays there while the player steps;
- the browser console shows no errors (fonts, fetched from the internet, may fail offline);
- no output block is wider than its page (outputs wrap, code keeps its lines);
- the Chinese search finds 梯度 on every Chinese page that contains it.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1300,900"]
OFFLINE_FONTS = ("fonts.googleapis.com", "fonts.gstatic.com")


def _pages(language: str) -> list[str]:
    """Every page of one language, as a path under the site ('course/graph/')."""
    base = SITE / "zh" if language == "zh" else SITE
    found = []
    for page in sorted(base.rglob("index.html")):
        relative = page.parent.relative_to(SITE).as_posix()
        if language == "en" and (relative == "zh" or relative.startswith("zh/")):
            continue
        if relative.startswith(("assets", "search")) or "404" in relative:
            continue
        found.append("" if relative == "." else relative + "/")
    return found


@pytest.fixture(scope="module")
def served():
    if not (SITE / "index.html").exists() or not (SITE / "zh" / "index.html").exists():
        pytest.skip("no built site in site/: run `make docs` (it runs these tests afterwards)")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip("chromium or chromium-driver missing: run `make system-deps`")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tempfile.mkdtemp(prefix='site-chromium-')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_page_load_timeout(60)
    yield chrome
    chrome.quit()


def _open(browser, url: str) -> list[str]:
    """Load a page; the console errors it logged (offline fonts left out)."""
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(url)
    browser.execute_script("return new Promise(r => setTimeout(r, 300))")
    return [entry["message"] for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and not any(f in entry["message"] for f in OFFLINE_FONTS)]


def _player_pages() -> list[str]:
    return [page for language in ("en", "zh") for page in _pages(language)
            if 'class="tge-player"' in (SITE / page / "index.html").read_text(encoding="utf-8")]


def test_pages_with_a_player_open_at_the_top_and_stay_there(served, browser) -> None:
    pages = _player_pages()
    assert len(pages) >= 6  # course/graph, course/autograd, guides/visualize, in both languages
    for page in pages:
        _open(browser, served + page)
        browser.execute_script("return new Promise(r => setTimeout(r, 700))")
        assert browser.execute_script("return window.scrollY") == 0, page
        frame = browser.find_element("css selector", "iframe.tge-player")
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", frame)
        browser.execute_script("return new Promise(r => setTimeout(r, 700))")  # lazy: loads now
        where = browser.execute_script("return window.scrollY")
        browser.switch_to.frame(frame)
        try:
            count = browser.execute_script("return window.tracePlayer.steps.length")
            for index in range(min(count, 40)):
                browser.execute_script(f"window.tracePlayer.go({index})")
            browser.execute_script(f"window.tracePlayer.go({count - 1})")
            assert browser.execute_script("return document.scrollingElement.scrollTop") == 0
        finally:
            browser.switch_to.default_content()
        assert browser.execute_script("return window.scrollY") == where, page


def test_no_console_errors_and_no_output_wider_than_its_page(served, browser) -> None:
    overflowing, errors, checked = {}, {}, 0
    for page in _pages("en") + _pages("zh"):
        logged = _open(browser, served + page)
        if logged:
            errors[page] = logged
        outputs, wide = browser.execute_script(
            "const blocks = [...document.querySelectorAll('.tge-output pre > code')];"
            "return [blocks.length, blocks.filter(c => c.scrollWidth > c.clientWidth + 1).length]")
        checked += outputs
        if wide:
            overflowing[page] = wide
    assert errors == {}
    assert checked > 200  # every page's outputs were looked at (none would pass vacuously)
    assert overflowing == {}


def _search(browser, words: str) -> set[str]:
    """The pages the site's search lists for `words` (every result, scrolled into view)."""
    browser.execute_script(
        "const input = document.querySelector('.md-search__input');"
        "input.focus(); input.value = arguments[0];"
        "input.dispatchEvent(new Event('input', {bubbles: true}));"
        "input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}));", words)
    found: set[str] = set()
    for _ in range(60):
        browser.execute_script("return new Promise(r => setTimeout(r, 250))")
        links = browser.execute_script(
            "const wrap = document.querySelector('.md-search__scrollwrap');"
            "if (wrap) { wrap.scrollTop = wrap.scrollHeight; }"
            "return [...document.querySelectorAll('.md-search-result__item > a')]"
            ".map(a => a.href.split('#')[0].split('?')[0])")
        if links and set(links) == found:
            break
        found = set(links)
    return found


def test_the_chinese_search_finds_a_word_on_every_page_that_has_it(served, browser) -> None:
    word = "梯度"
    expected = set()
    for page in _pages("zh"):
        html = (SITE / page / "index.html").read_text(encoding="utf-8")
        article = re.search(r"<article.*?</article>", html, flags=re.DOTALL)
        text = re.sub(r"<[^>]+>", "", article.group(0) if article else "")
        if word in text:
            expected.add(served + page)
    assert len(expected) >= 10
    _open(browser, served + "zh/")
    found = _search(browser, word)
    assert expected - found == set()
    assert all("/zh/" in url for url in found)  # no English page on the Chinese site
