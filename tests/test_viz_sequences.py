"""viz for sequence models: recurrent layers drawn unrolled in time, attention as heat maps.

A recurrent layer inside a trace gets one cluster per layer/direction and one per time step inside
it, for forward ops and the backward nodes that differentiate them; max_steps= keeps the first and
last steps and one box counts the rest. An attention op inside a trace keeps its weights (the
fused kernel's are recomputed), which must be the softmax PyTorch returns; the player shows them
and draw_attention draws them as SVG.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
from tinygrad_edu.viz import html as viz_html

import tinygrad_edu
from tinygrad_edu import viz

RNG = np.random.default_rng(0)


def traced_lstm(steps: int = 5, **options):
    tinygrad_edu.manual_seed(0)
    lstm = tinygrad_edu.nn.LSTM(2, 3, **options)
    x = tinygrad_edu.tensor(RNG.standard_normal((steps, 1, 2)).astype(np.float32))
    with viz.trace(params=lstm) as t:
        out, _ = lstm(x)
        out.sum().backward()
    return t, out


def test_recurrent_layer_is_unrolled_one_cluster_per_layer_direction_and_step():
    t, _ = traced_lstm(4, num_layers=2, bidirectional=True)
    graph = t.raw_graph()
    layers = ["LSTM.layer0", "LSTM.layer0_reverse", "LSTM.layer1", "LSTM.layer1_reverse"]
    assert sorted(graph.time_steps) == sorted(f"{p}.t{k}" for p in layers for k in range(4))
    assert graph.group_labels["LSTM.layer1_reverse"] == "layer 1, reverse"
    assert graph.group_labels["LSTM.layer0.t2"] == "t = 2"
    for path in graph.time_steps:  # each step: its cell forward and the backward nodes of it
        kinds = {n.kind for n in graph.nodes.values() if n.module == path}
        titles = {n.title for n in graph.nodes.values() if n.module == path}
        assert {"op", "backward"} <= kinds and "LSTMGates" in titles, path
    source = t.digraph(max_nodes=None).source
    assert "cluster_LSTM_layer0_reverse_t3" in source and 'label="t = 3"' in source


def test_backward_through_time_reaches_every_step_in_reverse_order():
    t, _ = traced_lstm(4)
    graph = t.raw_graph()  # backward nodes in the order the engine ran them
    order = [int(n.module.rsplit("t", 1)[1]) for n in graph.nodes.values()
             if n.title == "LstmCellBackward0"]
    assert order == [3, 2, 1, 0]  # the last step first: the gradient flows back through time
    grad_edges = {(graph.nodes[e.source].module, graph.nodes[e.target].module)
                  for e in graph.edges if e.kind == "grad"}
    for k in (3, 2, 1):  # from step k's backward into step k - 1's (through h_{k-1})
        assert any(a == f"LSTM.layer0.t{k}" and b == f"LSTM.layer0.t{k - 1}"
                   or a.startswith("LSTM.layer0") and b == f"LSTM.layer0.t{k - 1}"
                   for a, b in grad_edges), k


def test_max_steps_keeps_the_ends_and_counts_the_middle():
    t, out = traced_lstm(7)
    graph = t.graph(max_steps=3, max_nodes=None)
    assert sorted(graph.time_steps.values()) == [0, 1, 6]
    boxes = [n for n in graph.nodes.values() if n.id.startswith("steps_")]
    assert {n.title for n in boxes} == {"t = 2 ... 5", "t = 2 ... 5 (backward)"}
    assert all(n.module == "LSTM.layer0" for n in boxes)
    assert "4 time steps not drawn (max_steps=3)" in boxes[0].lines
    hidden = {m for n in boxes for m in n.data["members"]}
    raw = t.raw_graph()
    assert hidden == {n.id for n in raw.nodes.values()
                      if re.fullmatch(r"LSTM\.layer0\.t[2-5]", n.module)}
    drawn = viz.draw(out.sum(), max_steps=2).source  # draw() of a traced graph: the same clusters
    assert "cluster_LSTM_layer0_t0" in drawn and "cluster_LSTM_layer0_t6" in drawn
    assert "cluster_LSTM_layer0_t3" not in drawn and "t = 1 ... 5" in drawn
    data = viz_html.player_data(t, max_steps=2)  # the player's steps point at the boxes
    assert any(s["target"] == "steps_forward_LSTM_layer0" for s in data["steps"])
    with pytest.raises(ValueError, match="max_steps must be at least 1"):
        t.graph(max_steps=0)


def test_unrolled_labels_in_chinese():
    t, out = traced_lstm(5, bidirectional=True)  # recorded in English, drawn in Chinese
    graph = t.graph(max_steps=2, max_nodes=None, language="zh")
    assert graph.group_labels["LSTM.layer0_reverse"] == "第 0 层, 逆序方向"
    assert any("未画出的 3 个时间步" in line for n in graph.nodes.values() for line in n.lines)
    assert "第 0 层, 逆序方向" in viz.draw(out.sum(), language="zh").source
    assert t.graph().group_labels["LSTM.layer0_reverse"] == "layer 0, reverse"


def torch_weights(module, q, kv, **kwargs):
    return module(torch.from_numpy(q), torch.from_numpy(kv), torch.from_numpy(kv),
                  average_attn_weights=False, **kwargs)[1].detach().numpy()


@pytest.mark.parametrize("need_weights", [False, True])
def test_attention_weights_in_a_trace_are_torchs(need_weights):
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    ours = tinygrad_edu.nn.MultiheadAttention(8, 2, batch_first=True)
    ours.load_state_dict({k: tinygrad_edu.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    q = RNG.standard_normal((2, 3, 8)).astype(np.float32)
    kv = RNG.standard_normal((2, 5, 8)).astype(np.float32)
    padding = np.array([[False] * 5, [False, False, False, True, True]])
    with viz.trace(params=ours) as t:
        out, _ = ours(tinygrad_edu.tensor(q), tinygrad_edu.tensor(kv), tinygrad_edu.tensor(kv),
                      key_padding_mask=tinygrad_edu.tensor(padding), need_weights=need_weights)
        out.sum().backward()
    (label, weights), = t.attention_maps()
    assert ("FlashAttention" in label) != need_weights
    expected = torch_weights(theirs, q, kv, key_padding_mask=torch.from_numpy(padding))
    np.testing.assert_allclose(weights, expected, atol=1e-5)  # (N, H, L, S)
    # the trace recomputed them quietly: no extra op and no extra kernel in the recording
    assert sum(1 for e in t.ops if "Attention" in e.name or e.name == "Softmax") == 1
    steps = viz_html.player_data(t)["steps"]
    (step,) = [s for s in steps if s.get("attention")]
    assert step["attention"]["shape"] == [3, 5] and step["attention"]["all_heads"] == 2
    np.testing.assert_allclose(step["attention"]["heads"], expected[0], atol=1e-4)
    assert any("attention weights: 2 heads, 3 x 5" in n.lines
               for n in t.raw_graph().nodes.values())
    assert t.source.count("BGCOLOR=") == 2 * 3 * 5  # the heat maps inside the op's node too


def test_causal_sdpa_heat_map_and_svg(tmp_path):
    q = tinygrad_edu.tensor(RNG.standard_normal((1, 3, 4, 2)).astype(np.float32))
    with viz.trace() as t:
        tinygrad_edu.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)
    weights = t.attention_maps()[0][1]
    assert weights.shape == (1, 3, 4, 4)
    assert np.all(np.triu(weights[0, 0], 1) == 0) and np.allclose(weights.sum(-1), 1)
    picture = viz.draw_attention(t, queries=list("abcd"), keys=list("abcd"))
    svg = picture._repr_svg_()
    assert svg.count("<rect x=") == 3 * 4 * 4 + 3  # a cell per head, query and key; 3 frames
    assert "head 2" in svg and "a -> d: 0.000" in svg
    assert picture.save(tmp_path / "heads.svg").read_text().startswith("<svg")
    with pytest.raises(ValueError, match="writes SVG"):
        picture.save(tmp_path / "heads.png")
    assert "头 0" in viz.draw_attention(weights[0, 0], language="zh").svg  # one (L, S) map
    with pytest.raises(ValueError, match="recorded no attention op"):
        with viz.trace() as empty:
            q.sum()
        viz.draw_attention(empty)


def test_player_page_carries_the_heat_maps():
    mha = tinygrad_edu.nn.MultiheadAttention(4, 2)
    x = tinygrad_edu.tensor(RNG.standard_normal((3, 1, 4)).astype(np.float32))
    with viz.trace(params=mha) as t:
        mha(x, x, x)
    page = t.player().page
    data = json.loads(re.search(r'id="trace-data">(.*?)</script>', page, re.DOTALL)[1])
    assert sum(1 for s in data["steps"] if s.get("attention")) == 1
    assert "attentionBox" in page and data["text"]["head"] == "head {k}"
