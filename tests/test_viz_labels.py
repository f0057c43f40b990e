"""Graph labels a learner can read: named conv/pool/to settings, a loss drawn as one named group."""

from __future__ import annotations

import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import viz


def _op_lines(trace, name):
    return [", ".join(op.arguments) for op in trace.ops if op.name == name]


def test_conv_and_pool_settings_are_named() -> None:
    x = torch.randn(1, 2, 6, 6, requires_grad=True)
    w = torch.randn(4, 2, 3, 3, requires_grad=True)
    with viz.trace() as t:
        y = F.conv2d(x, w)
        F.conv2d(x, w, stride=2, padding=(1, 2), dilation=2)
        F.max_pool2d(y, 2)
        F.avg_pool2d(y, 2, ceil_mode=True)
    plain, strided = _op_lines(t, "Conv2d")
    assert plain == "bias=None, stride=1, padding=0, dilation=1, groups=1"
    assert strided == "bias=None, stride=2, padding=(1, 2), dilation=2"  # defaults left out
    assert _op_lines(t, "MaxPool2d") == ["kernel_size=2, stride=2"]
    assert _op_lines(t, "AvgPool2d") == ["kernel_size=2, stride=2, ceil_mode=True"]
    assert "settings=" not in t.source
    drawn = viz.draw(y.sum()).source
    assert "stride=1, padding=0, dilation=1" in drawn and "groups=1" in drawn


def test_to_names_dtype_and_device() -> None:
    x = torch.ones(2, requires_grad=True)
    with viz.trace() as t:
        y = x.to(torch.float64)
    assert _op_lines(t, "ToCopy") == ["dtype=float64, device=cpu"]
    drawn = viz.draw(y.sum()).source
    assert "dtype=float64, device=cpu" in drawn and "device(type=" not in drawn


def test_a_loss_is_one_named_group_with_its_arguments() -> None:
    x = torch.randn(3, 4, requires_grad=True)
    y = torch.tensor([0, 2, 1])
    with viz.trace(params={"x": x}) as t:
        F.nll_loss(F.log_softmax(x, 1), y).backward()
    label = "nll_loss(input, target, ignore_index=-100, reduction='mean')"
    assert t.group_labels == {"nll_loss": label}
    graph = t.graph()
    inside = [n for n in graph.nodes.values() if n.module == "nll_loss"]
    assert len(inside) > 5  # the ops it is made of, grouped
    titles = [n.title for n in graph.nodes.values()]
    assert "target" in titles and "input" not in titles  # no anonymous boxes
    assert f'label="{label}"' in t.source  # the cluster's label
    collapsed = [n.title for n in t.graph(depth=0).nodes.values()]
    assert collapsed.count(label) == 1 and f"{label} (backward)" in collapsed  # one node each way
    with viz.trace() as t2:
        F.cross_entropy(x, y, ignore_index=3).backward()
    label = t2.group_labels["cross_entropy"]
    assert label.startswith("cross_entropy(input, target, ignore_index=3")
