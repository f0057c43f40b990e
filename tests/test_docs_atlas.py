"""The op atlas (docs/_tools/atlas.py) covers every op and every primitive, and reads them right.

The atlas is generated from the code; these tests call its generator with a small, injected test
map (the real recording runs the parity tests and is not repeated here), and check that every
Function subclass of tinygrad_edu.ops has an entry, that every primitive has a section with its
NumPy reference and Triton sources, and that known ops lower to the primitives they should. The
recorder plugin (docs/_tools/op_recorder.py) is checked on one small forward and backward.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from typing import Any

import pytest
from tinygrad_edu.kernels import PRIMITIVES

import tinygrad_edu as te
import tinygrad_edu.ops
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.tracing import Tracing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "_tools"))

import atlas  # noqa: E402
import atlas_code  # noqa: E402
import op_recorder  # noqa: E402

EXP = "tinygrad_edu.ops.unary.Exp"
SMALL_RECORDING: dict[str, Any] = {
    "tests": {
        "tests/test_x.py::test_exp[cpu-a]": {"forward": [EXP], "backward": [EXP],
                                             "outcome": "passed"},
        "tests/test_x.py::test_exp[cpu-b]": {"forward": [EXP], "backward": [],
                                             "outcome": "passed"},
        "tests/test_x.py::test_broken": {"forward": ["tinygrad_edu.ops.unary.Log"],
                                         "backward": [], "outcome": "failed"},
    },
    "nested": {"backward": {EXP: ["tinygrad_edu.ops.arithmetic.Mul"]}},
}


def _function_subclasses() -> list[type]:
    for module in pkgutil.iter_modules(tinygrad_edu.ops.__path__):
        importlib.import_module(f"tinygrad_edu.ops.{module.name}")
    found, stack = [], [Function]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.startswith("tinygrad_edu.ops."):
                found.append(subclass)
    return found


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {language: atlas.atlas_markdown(language, SMALL_RECORDING) for language in ("en", "zh")}


@pytest.fixture(scope="module")
def ops() -> dict[str, atlas_code.OpEntry]:
    index = atlas_code.PackageIndex()
    entries = atlas_code.collect_ops(index, atlas_code.LoweringMap(index))
    return {entry.name: entry for entry in entries}


def _section(page: str, anchor: str) -> str:
    start = page.index(f"{{#{anchor}}}")
    end = page.find("\n#### ", start)
    return page[start:end if end != -1 else len(page)]


def test_every_op_has_an_entry_in_both_languages(pages: dict[str, str]) -> None:
    subclasses = _function_subclasses()
    assert len(subclasses) >= 80
    for page in pages.values():
        for op in subclasses:
            section = _section(page, atlas_code.op_anchor(op))
            assert f'source="{op.__module__}:{op.__qualname__}"' in section


def test_every_primitive_has_its_numpy_reference_and_triton_sources(pages: dict[str, str]) -> None:
    page = pages["en"]
    for primitive in PRIMITIVES:
        section = _section(page, atlas_code.primitive_anchor(primitive))
        assert f':{primitive}_reference"' in section, primitive
        assert f':{primitive}_triton"' in section, primitive
    # a kernel and the device functions it calls are listed with the launcher that starts it
    unary = _section(page, atlas_code.primitive_anchor("unary"))
    assert ':unary_kernel"' in unary and ':unary_op"' in unary


@pytest.mark.parametrize(("op", "primitive"), [
    ("Exp", "unary"), ("Matmul", "matmul"), ("Mm", "matmul"), ("Sum", "reduce"),
    ("Add", "binary"), ("Softmax", "softmax"), ("Conv2d", "conv2d"), ("Gather", "gather"),
    ("CrossEntropyIndices", "cross_entropy"), ("Where", "where")])
def test_known_ops_lower_to_their_primitives(ops: dict[str, atlas_code.OpEntry], op: str,
                                             primitive: str) -> None:
    assert primitive in ops[op].forward.primitives


def test_entries_read_the_code(ops: dict[str, atlas_code.OpEntry]) -> None:
    exp = ops["Exp"]
    assert exp.forward.primitives["unary"] == {"exp"}
    assert (exp.formula, exp.derivative) == ("y = e^x", "dx = dy * y")
    assert {"torch.exp", "Tensor.exp"} <= set(exp.public_names)
    assert "F.relu" in ops["Relu"].public_names and "nn.ReLU" in ops["Relu"].public_names
    assert ops["Relu"].backward is not None and ops["ReluGradient"].op in ops["Relu"].backward.ops
    assert ops["Sign"].defining_class is ops["Step"].op  # forward inherited
    assert ops["Compare"].derivative is None  # not differentiable
    assert ops["ViewOp"].forward.primitives == {}  # a view: no primitive runs


def test_tests_are_listed_per_op_and_missing_ones_are_flagged(pages: dict[str, str]) -> None:
    en = pages["en"]
    exp = _section(en, "op-unary-exp")
    assert "`tests/test_x.py::test_exp` | 2 | 1 |" in exp
    assert "[Mul](#op-arithmetic-mul)" in exp  # recorded: backward of Exp ran Mul
    log = _section(en, "op-unary-log")  # its only test failed: it does not count
    assert "No recorded test ran this op" in log
    assert "没有记录到运行此算子的测试" in _section(pages["zh"], "op-unary-log")


def test_the_recorder_sees_forward_backward_and_nested_ops() -> None:
    recorder = op_recorder.OpRecorder()
    previous, Tracing.active = Tracing.active, recorder
    try:
        x = te.tensor([1.0, 2.0], requires_grad=True)
        x.exp().sum().backward()
    finally:
        Tracing.active = previous
    assert {EXP, "tinygrad_edu.ops.reduce.Sum"} <= recorder.forward
    assert EXP in recorder.backward
    assert "tinygrad_edu.ops.arithmetic.Mul" in op_recorder._NESTED["backward"][EXP]


def test_docstrings_split_into_formula_and_derivative() -> None:
    assert atlas_code.split_docstring("y = base; y[i] += x;  dx = dy[i]") == (
        "y = base; y[i] += x", "dx = dy[i]", "")
    assert atlas_code.split_docstring(inspect.cleandoc("""y = f(x): no gradient
        more words""")) == ("y = f(x): no gradient", None, "more words")
    assert atlas.code("y = x surrounded by `value`") == "`` y = x surrounded by `value` ``"


def test_every_module_summary_on_the_chinese_atlas_is_chinese(pages: dict[str, str]) -> None:
    """A module missing from docs/_tools/atlas_zh.py would show its English line on the zh site."""
    summaries = [line for line in pages["zh"].splitlines()
                 if line.startswith(("`tinygrad_edu/ops/", "`kernels/"))]
    assert len(summaries) >= 40
    english = [line for line in summaries
               if not any("\u4e00" <= char <= "\u9fff" for char in line.split("`: ", 1)[1])]
    assert english == []
