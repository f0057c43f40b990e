"""The HTML player in a real browser: headless Chromium steps forward and backward through a trace.

Needs Debian's `chromium` and `chromium-driver` (make system-deps installs them) and the Python
`selenium` package; the test is skipped, saying why, only when those are not installed. It saves a
screenshot to artifacts/viz/player.png.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

import tinygrad_edu as torch
from tinygrad_edu import viz

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "viz"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1400,900"]


def _browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser is None or driver is None or shutil.which("dot") is None:
        pytest.skip("chromium, chromium-driver or graphviz missing: run `make system-deps`")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tempfile.mkdtemp(prefix='viz-chromium-')}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    x = torch.tensor([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]], requires_grad=True)
    w = torch.tensor([[0.5, -1.0], [2.0, 0.0], [-0.5, 1.5]], requires_grad=True)
    b = torch.tensor([0.1, -0.2], requires_grad=True)
    with viz.trace(params={"x": x, "W": w, "b": b}) as t:
        (x @ w + b).relu().sum().backward()
    path = t.to_html(tmp_path_factory.mktemp("player") / "player.html")
    driver = _browser()
    driver.get(path.as_uri())
    yield driver, t, {"x": x, "W": w, "b": b}
    driver.quit()


def _state(driver):
    return driver.execute_script(
        "const current = document.querySelector('#graph g.node.current');"
        "return {index: window.tracePlayer.index, current: current && current.id,"
        " title: document.getElementById('step-title').textContent,"
        " derivative: document.getElementById('derivative').textContent,"
        " future: document.querySelectorAll('#graph g.node.future').length,"
        " grads: [...document.querySelectorAll('#grads tbody tr')].map("
        "   r => [...r.children].map(c => c.textContent))};")


def test_player_steps_forward_then_backward(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, t, _ = page
    steps = driver.execute_script("return window.tracePlayer.steps")
    assert len(steps) == len(t.events)
    first = _state(driver)
    assert first["index"] == 0 and first["current"] == "f0" and first["title"] == "Mm"
    assert first["future"] > 0  # the graph is revealed as the forward pass runs
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_RIGHT)
    assert _state(driver)["current"] == "f2" and _state(driver)["title"] == "Relu"
    body.send_keys(Keys.ARROW_LEFT)
    assert _state(driver)["current"] == "f1"
    driver.find_element(By.ID, "next").click()
    driver.find_element(By.ID, "next").click()
    driver.find_element(By.ID, "next").click()
    state = _state(driver)
    assert state["title"] == "SumBackward0" and state["current"].startswith("b")
    assert _state(driver)["future"] < first["future"]


def test_player_shows_the_gradients_from_the_trace(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, t, leaves = page
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    state = _state(driver)
    steps = t.backward_steps
    assert state["index"] == len(t.events) - 1
    assert state["title"] == "grad += (AccumulateGrad)" == f"grad += ({steps[-1].name})"
    shown = {row[0]: row[2] for row in state["grads"]}
    for name, leaf in leaves.items():
        assert shown[name] == viz.capture.snapshot(leaf.grad).summary
    relu_step = next(i for i, e in enumerate(t.events) if getattr(e, "name", "") == "ReluBackward0")
    driver.execute_script(f"window.tracePlayer.go({relu_step})")
    state = _state(driver)
    assert state["derivative"].startswith("dx = dy * (y > 0)")
    assert "x" not in {row[0] for row in state["grads"]}  # x's gradient has not arrived yet
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "player.png"))
    assert (ARTIFACTS / "player.png").stat().st_size > 10_000


def test_player_play_button_advances(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _, _ = page
    driver.execute_script("window.tracePlayer.go(0);"
                          "document.getElementById('speed').value = '10';")
    driver.find_element(By.ID, "play").click()
    WebDriverWait(driver, 5).until(lambda d: d.execute_script("return window.tracePlayer.index")
                                   >= 3)
    driver.find_element(By.ID, "play").click()  # pause
    paused_at = driver.execute_script("return window.tracePlayer.index")
    assert driver.find_element(By.ID, "play").text == "▶ play"
    assert driver.execute_script("return window.tracePlayer.index") == paused_at


def test_player_shows_a_gradient_only_from_the_step_that_computes_it(page):
    driver, t, _ = page
    visible_grads = ("return [...document.querySelectorAll('#graph g.node text')]"
                     ".filter(e => e.textContent.startsWith('grad:')"
                     " && getComputedStyle(e).visibility !== 'hidden')"
                     ".map(e => e.closest('g.node').id)")
    steps = driver.execute_script("return window.tracePlayer.steps")
    for index in range(len(steps)):
        driver.execute_script(f"window.tracePlayer.go({index})")
        computed = {g["node"] for step in steps[:index + 1] for g in step["grads"]}
        shown = set(driver.execute_script(visible_grads))
        assert shown == computed, (index, steps[index]["title"])
    assert computed  # by the last step every drawn gradient is shown


def test_player_side_panel_shows_each_attention_heads_heat_map(tmp_path):
    mha = torch.nn.MultiheadAttention(8, 4, batch_first=True)
    x = torch.randn(1, 5, 8)
    with viz.trace(params=mha) as t:
        mha(x, x, x, attn_mask=torch.nn.Transformer.generate_square_subsequent_mask(5),
            need_weights=False)
    driver = _browser()
    try:
        driver.get(t.to_html(tmp_path / "attention.html").as_uri())
        index = driver.execute_script(
            "return window.tracePlayer.steps.findIndex((s) => s.attention)")
        assert index >= 0
        assert driver.execute_script("return document.querySelector('.attention')") is None
        driver.execute_script(f"window.tracePlayer.go({index})")
        sizes = driver.execute_script("return [...document.querySelectorAll("
                                      "'.attention canvas')].map((c) => [c.width, c.height])")
        assert len(sizes) == 4 and all(w == h > 0 for w, h in sizes)  # 4 heads, 5 x 5 each
        assert driver.execute_script("return document.querySelector('.attention figcaption')"
                                     ".textContent") == "head 0"
    finally:
        driver.quit()
