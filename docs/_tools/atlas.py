"""The op atlas: every differentiable op of tinygrad_edu and every compute primitive, from the code.

`atlas_markdown(language)` (the generated section "atlas", see generated.py) writes, for every
Function subclass defined in tinygrad_edu/ops/*.py:

- the public names that reach it: functions and Tensor methods that call `Op.apply`, and the
  thin wrappers (torch.*, Tensor.*, F.*, nn.*) that return their result — found in the ast;
- its formula and derivative: its docstring, split at the first ';';
- the primitives its forward lowers to: the `lowering.<fn>(...)` calls of forward and of the
  helpers it calls, down to the `backend.<primitive>` calls inside tinygrad_edu/ops/lowering.py;
- the ops its backward is built from (`Other.apply`, ops functions, Tensor methods);
- its source, and the tests that ran its forward and its backward.

The facts come from atlas_code.py (the code, read with ast and introspection) and atlas_tests.py
(the tests that ran each op: recorded once by the pytest plugin op_recorder.py, then cached); this
file turns them into Markdown, in English or Chinese (LABELS).

Then, for every primitive of tinygrad_edu.kernels.PRIMITIVES: its NumPy reference and its Triton
launcher, kernels and device functions, listed with ```python source="..." blocks (the build fills
them from the code).
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import atlas_zh  # the module summaries in Chinese
from atlas_code import (  # the code, read
    OPS_PACKAGE,
    ROOT,
    LoweringMap,
    OpEntry,
    PackageIndex,
    PrimitiveEntry,
    Reach,
    collect_ops,
    collect_primitives,
    op_anchor,
    primitive_anchor,
)
from atlas_tests import TestFunctionUse, recorded_tests, tests_by_op  # the tests, recorded

MAX_TEST_FUNCTIONS = 8  # per op: the most specific test functions first
MAX_CASES = 3  # parameter ids shown per test function
MAX_CASE_LENGTH = 32
MAX_OTHER_CALLERS = 8


LABELS: dict[str, dict[str, str]] = {
    "en": {
        "colon": ":",
        "index": "Index",
        "module": "Module",
        "ops": "Ops",
        "ops_heading": "Ops, by module",
        "primitives_heading": "Primitives, by kernel file",
        "called_as": "Called as",
        "applied_in": "Applied in",
        "formula": "Formula",
        "derivative": "Derivative",
        "no_gradient": "none: this op is not differentiable (`differentiable = False`)",
        "forward_lowers": "Forward lowers to",
        "forward_view": "no primitive: forward returns a view of the input's storage",
        "forward_also": "Forward also runs",
        "backward_uses": "Backward is built from",
        "backward_lowers": "Backward calls primitives",
        "inherits": "Forward and backward inherited from",
        "base_of": "Base class of",
        "not_applied": "Not applied itself: its subclasses are",
        "source": "source",
        "tests": "Tests that ran it",
        "test": "Test",
        "forward": "forward",
        "backward": "backward",
        "cases": "cases",
        "more_tests": "more test functions",
        "no_test_title": "No recorded test ran this op",
        "no_test_text": "None of the recorded test files ran this op's forward.",
        "no_backward_title": "No recorded test ran its backward",
        "no_backward_text": ("Its forward is tested, but no recorded test backpropagated "
                             "through it."),
        "base_tests": "Tested through its subclasses (see their entries).",
        "recording": "How the tests were recorded",
        "recording_text": ("The pytest plugin `docs/_tools/op_recorder.py` watched every test "
                           "case of these files (their cpu cases; the cuda cases run the same ops "
                           "on the Triton backend) and noted which ops ran forward and backward:"),
        "recording_stats": "{cases} test cases passed; the recording took {seconds:.0f} s.",
        "injected": "(test map supplied by the caller)",
        "unavailable": ("Not recorded in this build (it ran inside a pytest session), so the "
                        "test lists are left out."),
        "description": "Does",
        "used_by": "Used by ops",
        "via": "via",
        "other_callers": "Also called from",
        "uses_primitives": "Uses other primitives",
        "reference": "NumPy reference",
        "launcher": "Triton launcher",
        "kernels": "Triton kernels",
        "device_functions": "device functions",
        "helpers": "helpers",
        "none": "none",
    },
    "zh": {
        "colon": "：",
        "index": "索引",
        "module": "模块",
        "ops": "算子",
        "ops_heading": "算子（按模块）",
        "primitives_heading": "原语（按计算核文件）",
        "called_as": "调用方式",
        "applied_in": "调用 apply 的位置",
        "formula": "公式",
        "derivative": "导数",
        "no_gradient": "无：该算子不可微（`differentiable = False`）",
        "forward_lowers": "前向降级到",
        "forward_view": "不调用原语：前向返回输入存储的一个视图",
        "forward_also": "前向还运行了",
        "backward_uses": "反向由这些构成",
        "backward_lowers": "反向直接调用的原语",
        "inherits": "前向与反向继承自",
        "base_of": "是这些类的基类",
        "not_applied": "自身不被直接调用，调用的是它的子类",
        "source": "源代码",
        "tests": "运行过它的测试",
        "test": "测试",
        "forward": "前向",
        "backward": "反向",
        "cases": "用例",
        "more_tests": "个其他测试函数",
        "no_test_title": "没有记录到运行此算子的测试",
        "no_test_text": "所记录的测试文件都没有运行过这个算子的前向。",
        "no_backward_title": "没有记录到运行其反向的测试",
        "no_backward_text": "它的前向有测试，但没有记录到任何测试对它做过反向传播。",
        "base_tests": "通过其子类测试（见子类条目）。",
        "recording": "测试是如何记录的",
        "recording_text": ("pytest 插件 `docs/_tools/op_recorder.py` 观察了下列文件中的每个测试用例"
                           "（只运行 cpu 用例；cuda 用例在 Triton 后端上运行同样的算子），"
                           "并记下哪些算子运行了前向和反向："),
        "recording_stats": "共 {cases} 个测试用例通过；记录耗时 {seconds:.0f} 秒。",
        "injected": "（测试映射由调用者提供）",
        "unavailable": "本次构建没有记录测试（它运行在一个 pytest 会话中），因此省略了测试列表。",
        "description": "作用",
        "used_by": "使用它的算子",
        "via": "经由",
        "other_callers": "其他调用位置",
        "uses_primitives": "使用的其他原语",
        "reference": "NumPy 参考实现",
        "launcher": "Triton 启动函数",
        "kernels": "Triton 计算核",
        "device_functions": "设备函数",
        "helpers": "辅助函数",
        "none": "无",
    },
}




# ----------------------------------------------------------------------------------------------
# Markdown
# ----------------------------------------------------------------------------------------------


def code(text: str) -> str:
    """A Markdown code span for any text (backticks inside get a longer fence)."""
    text = " ".join(text.split())  # (a '|' inside a code span does not split a table cell)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if longest else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _indent(text: str, spaces: int = 4) -> str:
    return "\n".join(" " * spaces + line if line.strip() else "" for line in text.splitlines())


def source_block(module: str, name: str) -> str:
    return f'```python source="{module}:{name}"\n```'


def _op_link(op: type) -> str:
    return f"[{op.__name__}](#{op_anchor(op)})"


def _primitive_links(found: Reach) -> str:
    parts = []
    for primitive in sorted(found.primitives):
        names = sorted(found.primitives[primitive])
        suffix = f" ({', '.join(code(n) for n in names)})" if names else ""
        parts.append(f"[{code(primitive)}](#{primitive_anchor(primitive)}){suffix}")
    return ", ".join(parts)


def _short_case(parameters: str) -> str:
    if len(parameters) <= MAX_CASE_LENGTH:
        return parameters
    return parameters[:MAX_CASE_LENGTH - 1] + "…"


def _test_table(uses: list[TestFunctionUse], labels: dict[str, str]) -> list[str]:
    lines = [f"| {labels['test']} | {labels['forward']} | {labels['backward']} | "
             f"{labels['cases']} |", "|---|---|---|---|"]
    for use in uses[:MAX_TEST_FUNCTIONS]:
        cases = use.backward or use.forward
        shown = [code(_short_case(case)) for case in cases[:MAX_CASES] if case]
        if len(cases) > MAX_CASES:
            shown.append(f"+{len(cases) - MAX_CASES}")
        lines.append(f"| {code(use.function)} | {len(use.forward)} | {len(use.backward)} | "
                     f"{' '.join(shown)} |")
    lines.append("")
    hidden = uses[MAX_TEST_FUNCTIONS:]
    if hidden:
        cases = sum(len(set(u.forward) | set(u.backward)) for u in hidden)
        lines += [f"… +{len(hidden)} {labels['more_tests']} ({cases} {labels['cases']})", ""]
    return lines


def _admonition(kind: str, title: str, text: str) -> list[str]:
    return [f'!!! {kind} "{title}"', "", f"    {text}", ""]


def render_op(entry: OpEntry, tests: list[TestFunctionUse] | None,
              labels: dict[str, str]) -> str:
    """One op's section; tests=None when no recording is available (no test list at all)."""
    lines = [f"#### {entry.name} {{#{entry.anchor}}}", ""]
    facts: list[tuple[str, str]] = []
    if entry.public_names:
        facts.append((labels["called_as"], ", ".join(code(n) for n in entry.public_names)))
    if entry.applied_in:
        facts.append((labels["applied_in"], ", ".join(code(n) for n in entry.applied_in)))
    facts.append((labels["formula"], code(entry.formula)))
    facts.append((labels["derivative"],
                  code(entry.derivative) if entry.derivative else labels["no_gradient"]))
    if not entry.defines_own_methods:
        facts.append((labels["inherits"], _op_link(entry.defining_class)))
    if entry.forward.primitives:
        facts.append((labels["forward_lowers"], _primitive_links(entry.forward)))
    elif "view_of" in entry.forward.lowering:
        facts.append((labels["forward_lowers"], labels["forward_view"]))
    if entry.forward.ops:
        facts.append((labels["forward_also"],
                      ", ".join(_op_link(o) for o in sorted(entry.forward.ops, key=_op_key))))
    if entry.backward is not None and entry.backward.ops:
        facts.append((labels["backward_uses"],
                      ", ".join(_op_link(o) for o in sorted(entry.backward.ops, key=_op_key))))
    if entry.backward is not None and entry.backward.primitives:
        facts.append((labels["backward_lowers"], _primitive_links(entry.backward)))
    if entry.subclasses:
        facts.append((labels["base_of"], ", ".join(_op_link(o) for o in entry.subclasses)))
    for label, value in facts:
        lines.append(f"- **{label}{labels['colon']}** {value}")
    if entry.notes:  # the docstring's further lines, as written
        lines += ["", "```text", entry.notes, "```"]
    path = Path(inspect.getsourcefile(entry.op) or "").resolve().relative_to(ROOT).as_posix()
    lines += ["", f'??? note "{labels["source"]}{labels["colon"]} {path}"', "",
              _indent(source_block(entry.op.__module__, entry.op.__qualname__)), ""]
    applied = bool(entry.applied_in)
    if tests is None:
        pass
    elif tests:
        lines += [f"**{labels['tests']}{labels['colon']}**", ""] + _test_table(tests, labels)
        if entry.backward is not None and not any(use.backward for use in tests):
            lines += _admonition("warning", labels["no_backward_title"],
                                 labels["no_backward_text"])
    elif not applied and entry.subclasses:
        lines += _admonition("info", labels["not_applied"] + " "
                             + ", ".join(o.__name__ for o in entry.subclasses),
                             labels["base_tests"])
    else:
        lines += _admonition("warning", labels["no_test_title"], labels["no_test_text"])
    return "\n".join(lines)


def _op_key(op: type) -> tuple[str, str]:
    return (op.__module__, op.__name__)


def render_primitive(entry: PrimitiveEntry, users: list[tuple[OpEntry, str]],
                     other_callers: list[str], labels: dict[str, str]) -> str:
    module = entry.module.__name__
    lines = [f"#### {entry.name} {{#{primitive_anchor(entry.name)}}}", "",
             f"- **{labels['description']}{labels['colon']}** {code(entry.description)}"]
    if users:
        links = [f"{_op_link(op.op)} ({labels['backward']})" if direction == "backward"
                 else _op_link(op.op) for op, direction in users]
        lines.append(f"- **{labels['used_by']}{labels['colon']}** {', '.join(links)}")
    if other_callers:
        shown = other_callers[:MAX_OTHER_CALLERS]
        more = f" +{len(other_callers) - len(shown)}" if len(other_callers) > len(shown) else ""
        lines.append(f"- **{labels['other_callers']}{labels['colon']}** "
                     f"{', '.join(code(c) for c in shown)}{more}")
    if entry.other_primitives:
        lines.append(f"- **{labels['uses_primitives']}{labels['colon']}** " + ", ".join(
            f"[{code(p)}](#{primitive_anchor(p)})" for p in entry.other_primitives))
    lines.append("")

    def tab(title: str, names: list[str], collapsed: list[tuple[str, list[str]]]) -> list[str]:
        body = [source_block(module, name) for name in names]
        for summary, hidden in collapsed:
            if hidden:
                inner = "\n\n".join(source_block(module, name) for name in hidden)
                body.append(f'??? note "{summary}: {", ".join(hidden)}"\n\n{_indent(inner)}')
        return [f'=== "{title}"', "", _indent("\n\n".join(body)), ""]

    lines += tab(labels["reference"], [entry.reference],
                 [(labels["helpers"], entry.reference_helpers)])
    lines += tab(labels["launcher"], [entry.launcher],
                 [(labels["helpers"], entry.launcher_helpers)])
    if entry.kernels or entry.device_functions:
        lines += tab(labels["kernels"], entry.kernels,
                     [(labels["device_functions"], entry.device_functions)])
    return "\n".join(lines)


def _recording_note(recording: dict[str, Any], labels: dict[str, str]) -> list[str]:
    files = recording.get("files")
    lines = [f'??? info "{labels["recording"]}"', ""]
    if recording.get("unavailable"):
        return lines + [f"    {labels['unavailable']}", ""]
    if not files:
        return lines + [f"    {labels['injected']}", ""]
    passed = sum(1 for t in recording.get("tests", {}).values()
                 if t.get("outcome", "passed") == "passed")
    lines += [f"    {labels['recording_text']}", ""]
    lines += [f"    - {code(name)}" for name in files]
    lines += ["", "    " + labels["recording_stats"].format(
        cases=passed, seconds=recording.get("seconds", 0.0)), ""]
    return lines


def _other_callers(index: PackageIndex, lowering: LoweringMap) -> dict[str, list[str]]:
    """Primitive -> the defs outside the ops' forward/backward that call it through lowering."""
    callers: dict[str, set[str]] = defaultdict(set)
    for definition in index.definitions:
        if definition.module is lowering.module or index.is_op(definition.owner):
            continue
        for _, callee in index.calls(definition):
            name = lowering.name_of(callee)
            for primitive in lowering.primitives.get(name or "", ()):
                callers[primitive].add(definition.qualified_name)
    return {primitive: sorted(names) for primitive, names in callers.items()}


def add_recorded_nesting(ops: list[OpEntry], recording: dict[str, Any]) -> None:
    """Add to each op's forward / backward the ops the tests saw running inside it."""
    by_name = {entry.qualified_name: entry.op for entry in ops}
    nested = recording.get("nested", {})
    for entry in ops:
        inner_forward = nested.get("forward", {}).get(entry.qualified_name, ())
        entry.forward.ops |= {by_name[name] for name in inner_forward if name in by_name}
        if entry.backward is not None:
            inner_backward = nested.get("backward", {}).get(entry.qualified_name, ())
            entry.backward.ops |= {by_name[name] for name in inner_backward if name in by_name}


def _summary(module: Any, key: str, language: str) -> str:
    """A module's one-line summary: its docstring's first line, or its translation."""
    english = inspect.cleandoc(module.__doc__ or "").splitlines()[0]
    return atlas_zh.SUMMARIES.get(key, english) if language == "zh" else english


def atlas_markdown(language: str, recording: dict[str, Any] | None = None) -> str:
    """The atlas in one language ('en' or 'zh'); recording: a test map to use instead of the
    cached one ({"tests": {node_id: {"forward": [...], "backward": [...]}}})."""
    labels = LABELS[language]
    index = PackageIndex()
    lowering = LoweringMap(index)
    ops = collect_ops(index, lowering)
    primitives = collect_primitives()
    recording = recorded_tests() if recording is None else recording
    tests = tests_by_op(recording)
    add_recorded_nesting(ops, recording)

    groups: dict[str, list[OpEntry]] = defaultdict(list)
    for entry in ops:
        groups[entry.group].append(entry)
    lines = [f"## {labels['index']}", "", f"| {labels['module']} | {labels['ops']} |", "|---|---|"]
    for group, entries in groups.items():
        lines.append(f"| [{group}](#ops-{group}) | "
                     + ", ".join(_op_link(e.op) for e in entries) + " |")
    lines += [""] + _recording_note(recording, labels)
    lines += [f"## {labels['ops_heading']}", ""]
    for group, entries in groups.items():
        module = importlib.import_module(f"{OPS_PACKAGE}.{group}")
        summary = _summary(module, f"ops/{group}", language)
        lines += [f"### {group} {{#ops-{group}}}", "", f"`tinygrad_edu/ops/{group}.py`: {summary}",
                  ""]
        for entry in entries:
            uses = None if recording.get("unavailable") else tests.get(entry.qualified_name, [])
            lines += [render_op(entry, uses, labels), ""]

    users: dict[str, list[tuple[OpEntry, str]]] = defaultdict(list)
    for entry in ops:
        for primitive in entry.forward.primitives:
            users[primitive].append((entry, "forward"))
        if entry.backward is not None:
            for primitive in entry.backward.primitives:
                users[primitive].append((entry, "backward"))
    callers = _other_callers(index, lowering)
    lines += [f"## {labels['primitives_heading']}", ""]
    current_module = None
    for primitive in primitives:
        if primitive.module is not current_module:
            current_module = primitive.module
            file_name = Path(inspect.getsourcefile(current_module) or "").name
            summary = _summary(current_module, f"kernels/{file_name[:-3]}", language)
            lines += [f"### {file_name} {{#kernels-{file_name[:-3].replace('_', '-')}}}", "",
                      f"`kernels/{file_name}`: {summary}", ""]
        lines += [render_primitive(primitive, users[primitive.name],
                                   callers.get(primitive.name, []), labels), ""]
    return "\n".join(lines)
