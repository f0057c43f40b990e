"""Structure of the DOT source that viz draws: nodes, edges, labels, clusters, no_grad marks."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_edu as torch
from tinygrad_edu import viz


def node_ids(source: str) -> list[str]:
    return re.findall(r"^\s*(\w+) \[label=", source, flags=re.M)


def edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)", source, flags=re.M)


def label_of(source: str, node_id: str) -> str:
    match = re.search(rf"^\s*{node_id} \[label=<(.*?)> ", source, flags=re.M)
    assert match, f"no node {node_id}"
    return match.group(1)


def test_draw_square_sum_counts_nodes_and_edges():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    source = viz.draw(y, params={"x": x}).source
    assert len(node_ids(source)) == 4  # output, Sum, Mul, x
    pairs = edges(source)
    assert len(pairs) == 4  # x -> Mul twice (x is used twice), Mul -> Sum, Sum -> output
    leaf = next(n for n in node_ids(source) if n.startswith("leaf"))
    assert pairs.count((leaf, "op1")) == 2
    assert "[1, 2]" in label_of(source, leaf) and "(2,) float32" in label_of(source, leaf)
    assert "<b>Mul</b>" in label_of(source, "op1") and "MulBackward0" in label_of(source, "op1")
    assert "5" in label_of(source, "output")


def test_draw_shows_grads_after_backward_and_shapes_on_edges():
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    w = torch.ones(3, 2, requires_grad=True)
    y = (x @ w).sum()
    y.backward()
    source = viz.draw(y, params={"x": x, "W": w}).source
    grad_w = x.detach().numpy().sum(axis=0)  # dy/dW[i, j] = sum over rows of x[:, i]
    expected = "grad: [" + ", ".join(str(int(v)) for v in np.repeat(grad_w, 2)) + "]"
    assert expected in source
    assert re.search(r'-> op\d+ \[label="\(2, 3\)"', source)


def test_draw_saved_tensors_are_distinct_nodes_with_bytes():
    x = torch.tensor([0.5, 1.5], requires_grad=True)
    y = (x.exp() * x).sum()
    source = viz.draw(y, show_saved=True).source
    saved = [n for n in node_ids(source) if "_saved" in n]
    assert len(saved) == 3  # Exp saves its output; Mul saves a and b
    labels = [label_of(source, n) for n in saved]
    assert all("8 B" in label for label in labels)
    assert sum("own output" in label for label in labels) == 1
    leaf = next(n for n in node_ids(source) if n.startswith("leaf"))
    assert all(leaf != n for n in saved)  # the same tensor as an input, still its own node


def test_draw_strides_draws_view_base_edge():
    base = torch.randn(3, 4)
    view = base.T.requires_grad_()
    y = view.sum()
    source = viz.draw(y, show_strides=True).source
    assert "strides (1, 4), not contiguous" in source
    assert re.search(r'_base -> \w+ \[label="view of"', source)


def test_trace_records_no_grad_ops_marked():
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    with viz.trace() as t:
        y = x.relu()
        with torch.no_grad():
            z = y * 3
    assert [op.name for op in t.ops] == ["Relu", "Mul"]
    assert [op.grad_enabled for op in t.ops] == [True, False]
    source = t.source
    assert "[no_grad]" in label_of(source, "f1") and "dashed" in re.search(
        r"^\s*f1 \[.*$", source, flags=re.M).group(0)
    assert "[3, 0]" in source  # z = relu([1, -2]) * 3
    assert z.grad_fn is None


def test_trace_kernels_backend_and_timing():
    a = torch.randn(2, 3, requires_grad=True)
    with viz.trace() as t:
        (a.exp() @ a.T).sum()
    assert [(op.name, op.kernels) for op in t.ops] == [
        ("Exp", ["unary(exp)"]), ("Permute", []), ("Mm", ["matmul"]), ("Sum", ["reduce(sum)"])]
    assert all(op.backend == "numpy" and op.seconds > 0 for op in t.ops)
    assert "numpy: no kernel (a view)" in t.source
    assert "numpy: unary(exp)" in t.source


def test_trace_backward_shows_sum_to_size_and_gradient_sum():
    a = torch.randn(2, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    with viz.trace(params={"a": a, "b": b}) as t:
        y = ((a + b) * a).sum()
        y.backward()
    graph = t.graph()
    kinds = [n.kind for n in graph.nodes.values()]
    assert kinds.count("reduce") == 1 and kinds.count("sum") == 1
    reduce = next(n for n in graph.nodes.values() if n.kind == "reduce")
    assert reduce.lines[0] == "(2, 3) -> (3,)"
    accumulate = [n for n in graph.nodes.values() if n.kind == "accumulate"]
    assert sorted(n.lines[0] for n in accumulate) == ["into a.grad", "into b.grad"]
    b_node = next(n for n in graph.nodes.values() if n.title == "b")
    assert b_node.data["grad"]["summary"] == viz.capture.snapshot(b.grad).summary
    links = [e for e in graph.edges if e.kind == "link" and graph.nodes[e.source].kind ==
             "backward"]
    assert {graph.nodes[e.target].title for e in links} == {"Add", "Mul", "Sum"}


def test_trace_graph_edges_follow_tensor_identity():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with viz.trace(params={"x": x}) as t:
        (x * x).sum()
    graph = t.graph(include_backward=False)
    x_id = next(n.id for n in graph.nodes.values() if n.title == "x")
    into_mul = [e for e in graph.edges if e.target == "f0"]
    assert [e.source for e in into_mul] == [x_id, x_id]
    assert len(graph) == 5  # x, Mul, its output, Sum, its output


def tiny_model():
    """Net(block=Block(fc, act), head): layers written here so only nn.Module is needed."""
    module = pytest.importorskip("tinygrad_edu.nn.module")
    parameter = pytest.importorskip("tinygrad_edu.nn.parameter")

    class Dense(module.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            self.weight = parameter.Parameter(torch.randn(n_out, n_in))
            self.bias = parameter.Parameter(torch.zeros(n_out))

        def forward(self, x):
            return x @ self.weight.T + self.bias

    class Act(module.Module):
        def forward(self, x):
            return x.relu()

    class Block(module.Module):
        def __init__(self):
            super().__init__()
            self.fc = Dense(4, 4)
            self.act = Act()

        def forward(self, x):
            return self.act(self.fc(x))

    class Net(module.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.head = Dense(4, 2)

        def forward(self, x):
            return self.head(self.block(x))

    return Net()


def test_depth_collapses_modules_and_clusters_are_named():
    model = tiny_model()
    with viz.trace() as t:
        model(torch.randn(3, 4)).sum().backward()
    source = t.source
    assert "cluster_block" in source and "cluster_block_fc" in source and "cluster_head" in source
    assert "block.fc.weight" in source and "head.bias" in source
    assert {op.module for op in t.ops} >= {"block.fc", "block.act", "head"}
    collapsed = t.graph(depth=0)
    titles = {n.title for n in collapsed.nodes.values() if n.kind == "module"}
    assert titles == {"block", "head", "block (backward)", "head (backward)"}
    inner = t.graph(depth=1)
    assert {n.title for n in inner.nodes.values() if n.kind == "module"} >= {"block.fc"}
