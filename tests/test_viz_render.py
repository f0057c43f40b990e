"""Rendering with Graphviz, the missing-dot error, the max_nodes guard, watch() and notebooks."""

from __future__ import annotations

import shutil
import time

import pytest

import tinygrad_edu as torch
from tinygrad_edu import viz

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (make system-deps)")


def small_trace():
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    b = torch.tensor([0.5, -0.5], requires_grad=True)
    with viz.trace(params={"x": x, "b": b}) as t:
        ((x + b).relu() * x).sum().backward()
    return t


@needs_dot
def test_svg_rendering_has_one_group_per_node(tmp_path):
    t = small_trace()
    path = t.render(tmp_path / "graph.svg")
    svg = path.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    graph = t.graph()
    for node_id in graph.nodes:
        assert f'id="{node_id}"' in svg
    assert svg.count('class="node"') == len(graph)
    assert t.render(tmp_path / "graph", format="png").read_bytes()[:4] == b"\x89PNG"
    assert t.render(tmp_path / "graph.pdf").read_bytes()[:4] == b"%PDF"


@needs_dot
def test_notebook_display_of_digraph_and_trace():
    t = small_trace()
    assert t._repr_svg_().lstrip().startswith("<?xml")
    assert "image/svg+xml" in t._repr_mimebundle_()
    x = torch.tensor([2.0], requires_grad=True)
    picture = viz.draw(x * x)
    assert "<svg" in picture._repr_svg_()
    assert "image/svg+xml" in picture._repr_mimebundle_()


def test_without_dot_source_and_html_work_and_render_explains(tmp_path, monkeypatch):
    t = small_trace()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert not viz.dot_available()
    assert t.source.startswith("digraph trace")
    dot_file = t.render(tmp_path / "graph.dot")
    assert dot_file.read_text() == t.source
    with pytest.raises(viz.GraphvizNotFoundError, match="apt-get install graphviz"):
        t.render(tmp_path / "graph.svg")
    with pytest.raises(viz.GraphvizNotFoundError, match="dot"):
        viz.draw(torch.tensor([1.0], requires_grad=True) * 2).pipe(format="svg")
    page = t.to_html(tmp_path / "player.html").read_text()
    assert "<svg" not in page and "Graphviz" in page and '"steps":' in page
    assert page.count("digraph trace") == 1  # the DOT source travels in the data


def test_max_nodes_summarises_a_5000_op_chain(tmp_path):
    x = torch.tensor([1.0], requires_grad=True)
    with viz.trace(max_nodes=200) as t:
        y = x
        for _ in range(2500):
            y = y * 1.0001
            y = y + 0.0
    assert len(t.ops) == 5000
    graph = t.graph(include_backward=False)
    assert len(graph) <= 200
    summary = graph.nodes["summary"]
    assert "Mul x" in summary.lines[0] and "Add x" in summary.lines[0]
    assert any("max_nodes=200" in note for note in graph.notes)
    drawn = viz.draw(y, max_nodes=100)
    assert drawn.source.count("[label=<") <= 100
    if shutil.which("dot"):
        started = time.perf_counter()
        t.render(tmp_path / "chain.svg", include_backward=False)
        assert time.perf_counter() - started < 10


def test_max_nodes_collapses_modules_before_summarising():
    from test_viz_dot import tiny_model

    model = tiny_model()
    with viz.trace() as t:
        model(torch.randn(2, 4)).sum().backward()
    full = t.graph(max_nodes=10_000)
    squeezed = t.graph(max_nodes=len(full) - 5)
    assert len(squeezed) < len(full)
    assert any(n.kind == "module" for n in squeezed.nodes.values())
    assert "summary" not in squeezed.nodes


@needs_dot
def test_watch_writes_one_file_per_forward_pass_and_stops(tmp_path):
    from test_viz_dot import tiny_model

    model = tiny_model()
    watcher = viz.watch(model, tmp_path / "every1")
    for _ in range(3):
        model(torch.randn(2, 4))
    assert [p.name for p in watcher.stop()] == [
        "forward_0001.svg", "forward_0002.svg", "forward_0003.svg"]
    model(torch.randn(2, 4))
    assert len(list((tmp_path / "every1").iterdir())) == 3
    assert "cluster_block_fc" in (tmp_path / "every1" / "forward_0001.svg").read_text()
    with viz.watch(model, tmp_path / "every2", every=2, fmt="dot") as second:
        for _ in range(5):
            model(torch.randn(2, 4))
    assert [p.name for p in second.paths] == [
        "forward_0001.dot", "forward_0003.dot", "forward_0005.dot"]
    assert not second.active


def test_watch_rejects_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="nn.Module"):
        viz.watch(object(), tmp_path)
    from test_viz_dot import tiny_model

    with pytest.raises(ValueError, match="every"):
        viz.watch(tiny_model(), tmp_path, every=0)
