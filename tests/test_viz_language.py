"""viz in 简体中文: every word viz writes itself has a translation; code names stay as they are."""

from __future__ import annotations

import re

import pytest
from tinygrad_edu.viz import html as viz_html
from tinygrad_edu.viz import language

import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
from tinygrad_edu import viz


class _Misses(dict):
    """The Chinese table, noting every text looked up that it lacks."""

    def __init__(self, table: dict[str, str]) -> None:
        super().__init__(table)
        self.missing: set[str] = set()

    def get(self, key, default=None):
        if key not in self:
            self.missing.add(key)
        return super().get(key, default)


def _everything(language_code: str | None = None):
    """A trace and pictures that reach every kind of label: broadcast, reuse, saved tensors,
    strides, a loss group, a collapsed module, a summarised graph, the player."""
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    x = torch.randn(4, 3, requires_grad=True)
    b = torch.randn(2, requires_grad=True)
    with viz.trace(params=model) as t:
        h = model(x) + b           # broadcast: sum_to_size
        h = h * h                  # a reused tensor: gradients meet
        loss = F.nll_loss(F.log_softmax(h, 1), torch.tensor([0, 1, 1, 0]))
        loss.backward()
    texts = []
    for graph in (t.graph(show_saved=True, show_strides=True), t.graph(depth=0),
                  t.graph(max_nodes=9)):
        texts += [n.title for n in graph.nodes.values()]
        texts += [line for n in graph.nodes.values() for line in n.lines]
        texts += [e.label for e in graph.edges] + graph.notes
    texts.append(viz.draw(x.sum() * 2, show_saved=True, show_strides=True).source)
    texts.append(t.table())
    data = viz_html.player_data(t)
    for step in data["steps"]:
        texts += [step["phase_label"], step["title"], step["module"], *step["details"]]
        texts += [tensor["label"] + " " + tensor["summary"] for tensor in step["tensors"]]
    page = t.player(language=language_code).page  # what the reader sees, not the script
    texts.append(re.sub(r"<script>.*?</script>|<style>.*?</style>", "", page, flags=re.DOTALL))
    return texts


def test_every_text_viz_writes_has_a_chinese_translation(monkeypatch) -> None:
    table = _Misses(language.ZH)
    monkeypatch.setitem(language._TABLES, "zh", table)
    with viz.use_language("zh"):
        texts = _everything()
    assert table.missing == set()
    joined = "\n".join(texts)
    for english in ("start of backward", "grads meet", "gradients so far", "local derivative",
                    "summed over the broadcast dims", "saved for backward", "min ", "mean ",
                    "grad sum", "kernels"):
        assert english not in joined
    assert "反向传播起点" in joined and "目前的梯度" in joined and "梯度: " in joined
    assert '<html lang="zh">' in joined


def test_language_option_and_default() -> None:
    x = torch.ones(2, requires_grad=True)
    assert "反向" not in viz.draw((x * 2).sum()).source
    assert viz.get_language() == "en"
    with viz.trace() as t:
        (x * 2).sum().backward()
    assert "反向传播起点" in t.player(language="zh").page
    assert "start of backward" in t.player().page  # the option does not stick
    assert re.search("输出", viz.draw((x * 2).sum(), language="zh").source)
    with pytest.raises(ValueError, match="language must be one of en, zh"):
        viz.set_language("fr")
