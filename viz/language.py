"""The words of the pictures and of the player in the reader's language: English or 简体中文.

Every text viz writes itself (box titles such as "start of backward", value summaries, the player's
buttons and side panel) goes through `tr()`, which looks it up in the current language's table.
What comes from the code stays as written in every language: op and node names (Conv2d,
MulBackward0), argument names (stride=1), formulas, shapes and numbers.

    viz.set_language("zh")                  # from now on
    viz.draw(loss, language="zh")           # one picture; also trace.player(language="zh"), ...

The Chinese site builds its pages with the language set to "zh" (docs/_tools/executor.py), so the
same code blocks draw Chinese pictures there. Terms follow the site's glossary: 计算核 (kernel),
步幅 (stride), 梯度 (gradient), 张量 (tensor), 前向 / 反向 (forward / backward).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

LANGUAGES = ("en", "zh")

ZH: dict[str, str] = {
    # tensor boxes and value summaries
    "input": "输入",
    "constant": "常量",
    "output": "输出",
    "{name} output": "{name} 的输出",
    "leaf": "叶子张量",
    "base of {name}": "{name} 的基张量",
    "grad: {summary}": "梯度: {summary}",
    "strides {strides}, contiguous": "步幅 {strides}，连续",
    "strides {strides}, not contiguous": "步幅 {strides}，不连续",
    "min {min}  mean {mean}  max {max}": "最小 {min}  均值 {mean}  最大 {max}",
    "empty": "空",
    # ops and saved tensors
    "[no_grad]": "[no_grad 下]",
    "{backend}: no kernel (a view)": "{backend}: 无计算核（视图）",
    "saved #{k}": "保存 #{k}",
    "its own output": "它自己的输出",
    "the op's own output": "算子自己的输出",
    "an input or intermediate": "输入或中间结果",
    "saved for backward": "为反向保存",
    "view of": "视图，基于",
    "[output {k}]": "[输出 {k}]",
    # trace.table()
    "step": "步骤",
    "module": "模块",
    "kernels": "计算核",
    "grad sum (+)": "梯度求和 (+)",
    "(saved tensors freed by backward)": "（保存的张量已被反向传播释放）",
    # backward
    "start of backward": "反向传播起点",
    "d output = {summary}": "d 输出 = {summary}",
    "given": "给定",
    "summed over the broadcast dims": "在广播的维度上求和",
    "dx = dy summed over the broadcast dims": "dx = dy 在广播的维度上求和",
    "grads meet": "梯度汇合",
    "total = existing + incoming": "总和 = 已有 + 新到",
    "into {name}.grad": "累加进 {name}.grad",
    "leaf.grad += dy  (leaf.grad = dy the first time)":
        "leaf.grad += dy（第一次时 leaf.grad = dy）",
    # collapsed and summarised graphs
    "{name} (backward)": "{name}（反向）",
    "+{count} more": "另外 {count} 种",
    "... {count} nodes not drawn ...": "…… 未画出的 {count} 个节点 ……",
    "{total} nodes is more than max_nodes={limit}: the middle {count} are summarised in one node "
    "(pass depth= to collapse modules, or a larger max_nodes)":
        "{total} 个节点超过 max_nodes={limit}：中间的 {count} 个合并为一个节点"
        "（传入 depth= 折叠模块，或增大 max_nodes）",
    "more than max_nodes={limit} nodes: modules deeper than depth={depth} are drawn as one node "
    "each": "节点数超过 max_nodes={limit}：深于 depth={depth} 的模块各画成一个节点",
    # tinygrad_edu.compile's captured program (viz/compiled.py)
    "{name}: {eager} primitive calls in eager mode -> {launches} kernel launches per replay":
        "{name}：即时执行模式下 {eager} 次原语调用 -> 每次重放 {launches} 次计算核启动",
    "{name} ({count} ops, 1 kernel)": "{name}（{count} 个算子，1 个计算核）",
    "{name}: {count} independent pieces, 1 launch": "{name}：{count} 个相互独立的片段，1 次启动",
    "{name} ({count} ops)": "{name}（{count} 个算子）",
    "buffer {number}": "缓冲区 {number}",
    # the player's steps
    "forward": "前向",
    "forward (no_grad)": "前向（no_grad）",
    "backward": "反向",
    "input {k}": "输入 {k}",
    "output {k}": "输出 {k}",
    "gradient arriving (dy)": "到达的梯度 (dy)",
    "gradient sent to input {k}": "传给输入 {k} 的梯度",
    "{name}.grad now": "{name}.grad 当前值",
    "+ (gradients meet)": "+（梯度汇合）",
    "a tensor used twice gets two gradients": "被使用两次的张量得到两个梯度",
    "total = existing + incoming  (the chain rule sums over paths)":
        "总和 = 已有 + 新到（链式法则对所有路径求和）",
    "at output {k} of {name}": "在 {name} 的输出 {k} 处",
    "existing": "已有",
    "incoming": "新到",
    "total": "总和",
    # the player's page
    "tinygrad_edu trace": "tinygrad_edu 执行轨迹",
    "first": "第一步",
    "first step (Home)": "第一步 (Home)",
    "previous step (←)": "上一步 (←)",
    "▶ play": "▶ 播放",
    "pause": "暂停",
    "play / pause (space)": "播放 / 暂停（空格）",
    "next step (→)": "下一步 (→)",
    "last": "最后一步",
    "last step (End)": "最后一步 (End)",
    "speed": "速度",
    "steps/s": "步/秒",
    "local derivative": "局部导数",
    "gradients so far": "目前的梯度",
    "tensor": "张量",
    "shape": "形状",
    "gradient": "梯度",
    "step {index} / {count}": "第 {index} / {count} 步",
    "module: {name}": "模块: {name}",
    "the trace recorded no steps": "这次执行轨迹没有记录任何步骤",
    "blue: negative, white: zero, red: positive (scaled by the largest |value|)":
        "蓝：负，白：零，红：正（按最大的 |值| 缩放）",
    "Graphviz's dot program was not found, so the graph is not laid out; install it "
    "(apt-get install graphviz, brew install graphviz) for the picture. The steps below still "
    "work. DOT source:":
        "没有找到 Graphviz 的 dot 程序，所以计算图没有排版；安装它（apt-get install graphviz、"
        "brew install graphviz）即可看到图。下面的各个步骤照常可用。DOT 源码：",
    # recurrent layers unrolled in time, attention heat maps
    "layer {k}": "第 {k} 层",
    "reverse": "逆序方向",
    "t = {first} ... {last}": "t = {first} …… {last}",
    "{count} time steps not drawn (max_steps={limit})":
        "未画出的 {count} 个时间步（max_steps={limit}）",
    "1 time step not drawn (max_steps={limit})": "未画出的 1 个时间步（max_steps={limit}）",
    "more than max_nodes={limit} nodes: only 4 time steps of each recurrent layer are drawn":
        "节点数超过 max_nodes={limit}：每个循环层只画 4 个时间步",
    "attention weights: {heads} heads, {length} x {source}":
        "注意力权重：{heads} 个头，{length} x {source}",
    "head {k}": "头 {k}",
    "rows: queries, columns: keys; darker = more weight (darkest: {top})":
        "行：查询，列：键；颜色越深权重越大（最深：{top}）",
    "attention weights of batch item 0 (rows: queries, columns: keys; darker = more weight); "
    "{shown} of {heads} heads":
        "第 0 个样本的注意力权重（行：查询，列：键；颜色越深权重越大）；"
        "共 {heads} 个头，画出 {shown} 个",
}

_TABLES = {"en": {}, "zh": ZH}
_current = ["en"]


def _check(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    return language


def set_language(language: str) -> None:
    """The language of every picture and player from now on: "en" (the default) or "zh"."""
    _current[0] = _check(language)


def get_language() -> str:
    return _current[0]


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Within the block, draw in `language` (None: keep the current one)."""
    previous = _current[0]
    _current[0] = previous if language is None else _check(language)
    try:
        yield _current[0]
    finally:
        _current[0] = previous


def tr(text: str, **values: object) -> str:
    """`text` in the current language, its {placeholders} filled from values."""
    translated = _TABLES[_current[0]].get(text, text)
    return translated.format(**values) if values else translated
