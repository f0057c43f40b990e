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

The tests are not guessed from names: the pytest plugin op_recorder.py records, per test case,
which Function classes ran forward and backward. The recording runs the files of RECORDED_TEST_FILES
once (their cpu cases, two xdist workers) and is cached in docs/_generated/ under a hash of the
sources of tests/, tinygrad_edu/ and kernels/, so later builds read it back at once.

Then, for every primitive of tinygrad_edu.kernels.PRIMITIVES: its NumPy reference and its Triton
launcher, kernels and device functions, listed with ```python source="..." blocks (the build fills
them from the code).
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(__file__).resolve().parent
CACHE_DIR = ROOT / "docs" / "_generated"
PACKAGE = "tinygrad_edu"
OPS_PACKAGE = f"{PACKAGE}.ops"
LOWERING_MODULE = f"{OPS_PACKAGE}.lowering"
KERNELS_PACKAGE = f"{PACKAGE}.kernels"

# The test files whose cases are recorded: those that compare ops, layers, losses and optimizers
# against PyTorch (forward values and gradients), plus the autograd engine's tests.
RECORDED_TEST_FILES: tuple[str, ...] = (
    "tests/test_core_ops_parity.py",
    "tests/test_core_movement_parity.py",
    "tests/test_core_autograd.py",
    "tests/test_core_tensor.py",
    "tests/test_nn_layers.py",
    "tests/test_nn_conv_pool.py",
    "tests/test_nn_losses.py",
    "tests/test_nn_fused_ops.py",
    "tests/test_nn_module.py",
    "tests/test_nn_errors_init_utils.py",
    "tests/test_optim.py",
    "tests/test_training_parity.py",
)
SKIPPED_DEVICES = "cuda"  # the same ops again on the Triton backend (its interpreter is slow)
HASHED_SOURCES = ("tests", PACKAGE, "kernels")

MAX_TEST_FUNCTIONS = 8  # per op: the most specific test functions first
MAX_CASES = 3  # parameter ids shown per test function
MAX_CASE_LENGTH = 32
MAX_OTHER_CALLERS = 8
MAX_DEPTH = 4  # how far helper calls are followed from forward / backward

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
# Reading the package: every function definition, and what its calls resolve to
# ----------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Definition:
    """One `def` of the package (module level or a method), with its runtime function."""

    module: ModuleType
    owner: type | None  # the class of a method
    node: ast.FunctionDef
    function: Any

    @property
    def qualified_name(self) -> str:
        owner = f"{self.owner.__name__}." if self.owner is not None else ""
        return f"{self.module.__name__}.{owner}{self.node.name}"


@dataclass
class Reach:
    """What a piece of code reaches: primitives (with the op names passed to them) and ops."""

    primitives: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    lowering: set[str] = field(default_factory=set)
    ops: set[type] = field(default_factory=set)

    def merge(self, other: Reach) -> None:
        for primitive, names in other.primitives.items():
            self.primitives[primitive] |= names
        self.lowering |= other.lowering
        self.ops |= other.ops


def _module_files(package_dir: Path, package_name: str) -> Iterator[tuple[str, Path]]:
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join((package_name, *parts)), path


def _attribute_chain(expression: ast.expr) -> tuple[str, list[str]] | None:
    """('self', ['_ops', 'exp']) for `self._ops.exp`; None when the base is not a name."""
    attributes: list[str] = []
    while isinstance(expression, ast.Attribute):
        attributes.append(expression.attr)
        expression = expression.value
    if not isinstance(expression, ast.Name):
        return None
    return expression.id, attributes[::-1]


def _unwrap(value: Any) -> Any:
    return value.__func__ if isinstance(value, (staticmethod, classmethod)) else value


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def _is_guard(statement: ast.stmt) -> bool:
    """`if bad: raise ...` or `assert ...`: argument checks in front of a wrapper's return."""
    if isinstance(statement, ast.Assert):
        return True
    return (isinstance(statement, ast.If) and not statement.orelse
            and all(isinstance(inner, ast.Raise) for inner in statement.body))


class PackageIndex:
    """The ast of every module of tinygrad_edu, with calls resolved to runtime objects."""

    def __init__(self) -> None:
        from tinygrad_edu.kernels import PRIMITIVES

        from tinygrad_edu.autograd.function import Function

        self.function_base = Function
        self.primitive_names = set(PRIMITIVES)
        self.tensor_class = importlib.import_module(PACKAGE).Tensor
        self.definitions: list[Definition] = []
        self.by_function: dict[int, Definition] = {}
        self._calls: dict[int, list[tuple[ast.Call, Any]]] = {}
        for module_name, path in _module_files(ROOT / PACKAGE, PACKAGE):
            try:
                module = importlib.import_module(module_name)
            except ImportError:  # an optional part (vision, viz extras) whose dependency is absent
                continue
            self._add_module(module, ast.parse(path.read_text(encoding="utf-8")))

    def _add_module(self, module: ModuleType, tree: ast.Module) -> None:
        for statement in tree.body:
            if isinstance(statement, ast.FunctionDef):
                self._add(module, None, statement, vars(module).get(statement.name))
            elif isinstance(statement, ast.ClassDef):
                owner = vars(module).get(statement.name)
                if not isinstance(owner, type):
                    continue
                for member in statement.body:
                    if isinstance(member, ast.FunctionDef):
                        self._add(module, owner, member, _unwrap(vars(owner).get(member.name)))

    def _add(self, module: ModuleType, owner: type | None, node: ast.FunctionDef,
             function: Any) -> None:
        definition = Definition(module, owner, node, function)
        self.definitions.append(definition)
        if isinstance(function, FunctionType):
            self.by_function.setdefault(id(function), definition)

    # --- resolving names ----------------------------------------------------------------------
    def resolve(self, expression: ast.expr, definition: Definition) -> Any:
        """The object an expression names (globals, self/cls, attribute chains), or None."""
        chain = _attribute_chain(expression)
        if chain is None:
            return None
        base, attributes = chain
        if base in ("self", "cls") and definition.owner is not None:
            owner = definition.owner
            value: Any = self.tensor_class if issubclass(self.tensor_class, owner) else owner
        elif base in vars(definition.module):
            value = vars(definition.module)[base]
        elif hasattr(builtins, base):
            return None
        else:  # a local variable: a method call on a tensor is read as the Tensor method
            if len(attributes) == 1 and isinstance(
                    inspect.getattr_static(self.tensor_class, attributes[0], None),
                    (FunctionType, staticmethod)):
                return _unwrap(inspect.getattr_static(self.tensor_class, attributes[0]))
            return None
        for attribute in attributes:
            try:
                value = getattr(value, attribute)
            except Exception:  # noqa: BLE001 - an attribute set only at run time
                return None
        return value

    def is_op(self, value: Any) -> bool:
        return (isinstance(value, type) and issubclass(value, self.function_base)
                and value is not self.function_base and value.__module__.startswith(OPS_PACKAGE))

    def calls(self, definition: Definition) -> list[tuple[ast.Call, Any]]:
        """Every call in a def (nested defs included) with what its callee resolves to."""
        key = id(definition)
        if key not in self._calls:
            found = []
            for node in ast.walk(definition.node):
                if isinstance(node, ast.Call):
                    found.append((node, self.resolve(node.func, definition)))
            self._calls[key] = found
        return self._calls[key]

    def applied_ops(self, definition: Definition) -> set[type]:
        """The ops a def applies directly: `Op.apply(...)`."""
        applied = set()
        for call, _ in self.calls(definition):
            if isinstance(call.func, ast.Attribute) and call.func.attr == "apply":
                receivers = [call.func.value]  # (Mm if a.ndim == 2 else Matmul).apply(...)
                while receivers:
                    receiver = receivers.pop()
                    if isinstance(receiver, ast.IfExp):
                        receivers += [receiver.body, receiver.orelse]
                    elif self.is_op(owner := self.resolve(receiver, definition)):
                        applied.add(owner)
        return applied

    def wrapped_callees(self, definition: Definition) -> list[Any]:
        """What a thin wrapper hands on to: a def whose whole body is `return f(...)` (or
        `return a(...) if c else f(...)`), like Tensor.exp, F.relu or nn.ReLU.forward."""
        body = [statement for statement in definition.node.body
                if not _is_docstring(statement) and not _is_guard(statement)]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            return []
        callees, values = [], [body[0].value]
        while values:
            value = values.pop()
            if isinstance(value, ast.IfExp):
                values += [value.body, value.orelse]
            elif isinstance(value, ast.Call):
                callees.append(self.resolve(value.func, definition))
        return [callee for callee in callees if callee is not None]

    def definition_of(self, function: Any) -> Definition | None:
        return self.by_function.get(id(_unwrap(function)))

    def method(self, op: type, name: str) -> tuple[type, Definition] | None:
        """The class of op's MRO that defines `name` (forward / backward), and that def."""
        for klass in op.__mro__:
            if klass is self.function_base:
                return None
            if name in vars(klass):
                definition = self.definition_of(vars(klass)[name])
                return (klass, definition) if definition else None
        return None


class LoweringMap:
    """Which primitives each function of ops/lowering.py calls (`backend.<primitive>(...)`)."""

    def __init__(self, index: PackageIndex) -> None:
        self.module = importlib.import_module(LOWERING_MODULE)
        definitions = {d.node.name: d for d in index.definitions
                       if d.module is self.module and d.owner is None}
        direct: dict[str, set[str]] = {}
        calls: dict[str, set[str]] = {}
        for name, definition in definitions.items():
            direct[name] = set()
            calls[name] = set()
            for node in ast.walk(definition.node):
                if isinstance(node, ast.Attribute) and node.attr in index.primitive_names:
                    chain = _attribute_chain(node.value)
                    if chain and (chain[1] or [chain[0]])[-1] == "backend":
                        direct[name].add(node.attr)
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                      and node.func.id in definitions):
                    calls[name].add(node.func.id)
        self.primitives: dict[str, set[str]] = {}
        for name in definitions:
            reached, stack, seen = set(), [name], {name}
            while stack:
                current = stack.pop()
                reached |= direct[current]
                for callee in calls[current] - seen:
                    seen.add(callee)
                    stack.append(callee)
            self.primitives[name] = reached

    def name_of(self, value: Any) -> str | None:
        """The lowering function's name if value is one, else None."""
        if isinstance(value, FunctionType) and value.__module__ == LOWERING_MODULE:
            return value.__name__ if value.__name__ in self.primitives else None
        return None


def _literal_op(call: ast.Call) -> str | None:
    """'exp' for lowering.unary("exp", x): the op name passed as first argument, if a literal."""
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def reach(index: PackageIndex, lowering: LoweringMap, definition: Definition,
          depth: int = 0, seen: set[int] | None = None) -> Reach:
    """The primitives and ops a def reaches, following package helpers that apply no op."""
    seen = set() if seen is None else seen
    seen.add(id(definition))
    found = Reach()
    found.ops |= index.applied_ops(definition)
    for call, callee in index.calls(definition):
        lowering_name = lowering.name_of(callee)
        if lowering_name is not None:
            found.lowering.add(lowering_name)
            literal = _literal_op(call)
            for primitive in lowering.primitives[lowering_name]:
                found.primitives[primitive] |= {literal} if literal else set()
            continue
        helper = index.definition_of(callee) if callee is not None else None
        if helper is None or id(helper) in seen or depth >= MAX_DEPTH:
            continue
        if not helper.module.__name__.startswith(PACKAGE) or helper.module is lowering.module:
            continue
        if helper.owner is not None and index.is_op(helper.owner):
            continue  # another op's forward/backward: reached through apply, not called
        applied = index.applied_ops(helper)
        if applied:  # a function that applies ops: it stands for those ops
            found.ops |= applied
        else:
            found.merge(reach(index, lowering, helper, depth + 1, seen))
    return found


# ----------------------------------------------------------------------------------------------
# Public names: where users reach an op from
# ----------------------------------------------------------------------------------------------


def public_namespaces(index: PackageIndex) -> dict[int, list[str]]:
    """id(function) -> the public names it has: torch.x, Tensor.x, F.x, nn.X (its forward)."""
    package = importlib.import_module(PACKAGE)
    functional = importlib.import_module(f"{PACKAGE}.nn.functional")
    nn = importlib.import_module(f"{PACKAGE}.nn")
    names: dict[int, list[str]] = defaultdict(list)
    for prefix, namespace in (("torch", package), ("F", functional)):
        for name in sorted(dir(namespace)):
            value = getattr(namespace, name)
            if not name.startswith("_") and isinstance(value, FunctionType):
                names[id(value)].append(f"{prefix}.{name}")
    seen_methods: set[str] = set()
    for klass in index.tensor_class.__mro__:
        for name, value in vars(klass).items():
            value = _unwrap(value)
            public = not name.startswith("_") or (name.startswith("__") and name.endswith("__"))
            if public and isinstance(value, FunctionType) and name not in seen_methods:
                seen_methods.add(name)
                names[id(value)].append(f"Tensor.{name}")
    module_base = nn.Module
    for name in sorted(dir(nn)):
        value = getattr(nn, name)
        if isinstance(value, type) and issubclass(value, module_base) and "forward" in vars(value):
            names[id(_unwrap(vars(value)["forward"]))].append(f"nn.{name}")
    return names


def _name_order(name: str) -> tuple[int, str]:
    return (["torch", "Tensor", "F", "nn"].index(name.split(".")[0]), name)


# ----------------------------------------------------------------------------------------------
# The ops
# ----------------------------------------------------------------------------------------------


@dataclass
class OpEntry:
    """Everything the atlas says about one Function subclass."""

    op: type
    group: str  # the ops module: "unary", "reduce", ...
    formula: str
    derivative: str | None
    notes: str
    public_names: list[str]
    applied_in: list[str]
    defines_own_methods: bool
    defining_class: type
    forward: Reach
    backward: Reach | None
    subclasses: list[type]

    @property
    def name(self) -> str:
        return self.op.__name__

    @property
    def qualified_name(self) -> str:
        return f"{self.op.__module__}.{self.op.__qualname__}"

    @property
    def anchor(self) -> str:
        return op_anchor(self.op)


def op_anchor(op: type) -> str:
    return f"op-{op.__module__.rsplit('.', 1)[-1]}-{op.__name__.lower()}".replace("_", "-")


def primitive_anchor(primitive: str) -> str:
    return f"prim-{primitive}".replace("_", "-")


def split_docstring(docstring: str | None) -> tuple[str, str | None, str]:
    """(formula, derivative or None, further lines) from 'y = e^x;  dx = dy * y'."""
    lines = inspect.cleandoc(docstring or "").splitlines() or [""]
    first, notes = lines[0].strip(), "\n".join(lines[1:]).strip()
    separator = ";  " if ";  " in first else ";"  # a formula may hold '; ' itself (y = b; y += x)
    formula, found, derivative = first.partition(separator)
    return formula.strip(), (derivative.strip() if found else None), notes


def all_ops(index: PackageIndex) -> list[type]:
    """Every Function subclass defined in tinygrad_edu/ops/*.py, in module then source order."""
    ops_dir = ROOT / PACKAGE / "ops"
    found: list[type] = []
    for module_name, _ in _module_files(ops_dir, OPS_PACKAGE):
        module = importlib.import_module(module_name)
        classes = [value for value in vars(module).values()
                   if index.is_op(value) and value.__module__ == module_name]
        found += sorted(classes, key=lambda klass: inspect.getsourcelines(klass)[1])
    return found


def collect_ops(index: PackageIndex, lowering: LoweringMap) -> list[OpEntry]:
    ops = all_ops(index)
    names = public_namespaces(index)
    appliers: dict[type, list[Definition]] = defaultdict(list)
    wrappers: dict[int, list[Definition]] = defaultdict(list)
    for definition in index.definitions:
        for op in index.applied_ops(definition):
            appliers[op].append(definition)
        for callee in index.wrapped_callees(definition):
            wrappers[id(_unwrap(callee))].append(definition)

    def reachable_names(start: Definition) -> set[str]:
        found, stack, seen = set(), [start], {id(start)}
        while stack:
            current = stack.pop()
            found |= set(names.get(id(current.function), ()))
            for wrapper in wrappers.get(id(current.function), ()):
                if id(wrapper) not in seen and not index.is_op(wrapper.owner):
                    seen.add(id(wrapper))
                    stack.append(wrapper)
        return found

    entries = []
    for op in ops:
        formula, derivative, notes = split_docstring(op.__doc__)
        public: set[str] = set()
        for definition in appliers[op]:
            if definition.owner is None or not index.is_op(definition.owner):
                public |= reachable_names(definition)
        forward_method = index.method(op, "forward")
        backward_method = index.method(op, "backward")
        defining_class = forward_method[0] if forward_method else op
        forward = (reach(index, lowering, forward_method[1]) if forward_method else Reach())
        backward = (reach(index, lowering, backward_method[1])
                    if backward_method and op.differentiable else None)
        entries.append(OpEntry(
            op=op, group=op.__module__.rsplit(".", 1)[-1], formula=formula,
            derivative=derivative if op.differentiable else None, notes=notes,
            public_names=sorted(public, key=_name_order),
            applied_in=sorted({d.qualified_name for d in appliers[op]}),
            defines_own_methods="forward" in vars(op), defining_class=defining_class,
            forward=forward, backward=backward,
            subclasses=[other for other in ops if other is not op and issubclass(other, op)]))
    return entries


# ----------------------------------------------------------------------------------------------
# The primitives
# ----------------------------------------------------------------------------------------------


@dataclass
class PrimitiveEntry:
    """A primitive's family file and the definitions that implement it there."""

    name: str
    description: str
    module: ModuleType
    reference: str
    reference_helpers: list[str]
    launcher: str
    launcher_helpers: list[str]
    kernels: list[str]
    device_functions: list[str]
    other_primitives: list[str]


def _is_triton_kernel(node: ast.FunctionDef) -> bool:
    return any(ast.unparse(decorator).split("(")[0] in ("triton_kernel", "triton.jit", "jit")
               for decorator in node.decorator_list)


def _same_module_closure(start: str, definitions: dict[str, ast.FunctionDef],
                         primitive_functions: dict[str, str]
                         ) -> tuple[list[str], set[str], set[str]]:
    """From one def: the module-level defs it uses (in source order), the kernels it launches
    (`kernel[grid](...)`) and the other primitives whose functions it calls."""
    order = list(definitions)
    found, launched, primitives = {start}, set(), set()
    stack = [start]
    while stack:
        for node in ast.walk(definitions[stack.pop()]):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                    and node.value.id in definitions:
                launched.add(node.value.id)
            if not isinstance(node, ast.Name) or node.id not in definitions or node.id in found:
                continue
            if node.id in primitive_functions:
                primitives.add(primitive_functions[node.id])
                continue
            found.add(node.id)
            stack.append(node.id)
    return sorted(found - {start}, key=order.index), launched, primitives


def collect_primitives() -> list[PrimitiveEntry]:
    kernels = importlib.import_module(KERNELS_PACKAGE)
    triton_backend = importlib.import_module(f"{KERNELS_PACKAGE}.triton_backend")
    launchers = triton_backend.triton_implementations()
    entries = []
    for name, description in kernels.PRIMITIVES.items():
        reference = getattr(kernels.numpy_backend, name)
        module = inspect.getmodule(reference)
        tree = ast.parse(inspect.getsource(module))
        definitions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        primitive_functions = {f"{other}_{kind}": other for other in kernels.PRIMITIVES
                               for kind in ("reference", "triton") if other != name}
        reference_helpers, _, used = _same_module_closure(
            f"{name}_reference", definitions, primitive_functions)
        launcher = launchers[name]
        launcher_closure, launched, used_by_launcher = _same_module_closure(
            launcher.__name__, definitions, primitive_functions)
        python_helpers = [d for d in launcher_closure if not _is_triton_kernel(definitions[d])]
        kernel_names = [d for d in launcher_closure if d in launched]
        device = [d for d in launcher_closure if _is_triton_kernel(definitions[d])
                  and d not in launched]
        entries.append(PrimitiveEntry(
            name=name, description=description, module=module, reference=f"{name}_reference",
            reference_helpers=[d for d in reference_helpers
                               if not _is_triton_kernel(definitions[d])],
            launcher=launcher.__name__, launcher_helpers=python_helpers, kernels=kernel_names,
            device_functions=device, other_primitives=sorted(used | used_by_launcher)))
    return entries


# ----------------------------------------------------------------------------------------------
# The tests: recorded once by op_recorder.py, cached
# ----------------------------------------------------------------------------------------------


def sources_key() -> str:
    """A hash of every .py file under tests/, tinygrad_edu/, kernels/ and of the recorder."""
    digest = hashlib.sha256()
    digest.update(repr((RECORDED_TEST_FILES, SKIPPED_DEVICES)).encode())
    paths = [path for folder in HASHED_SOURCES for path in (ROOT / folder).rglob("*.py")]
    paths.append(TOOLS / "op_recorder.py")
    for path in sorted(paths):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def record_tests() -> dict[str, Any]:
    """Run the recorded test files with the op_recorder plugin; merge the workers' results."""
    with tempfile.TemporaryDirectory(prefix="tge-op-recorder-") as output:
        environment = dict(os.environ)
        environment.update({
            "PYTHONPATH": os.pathsep.join(filter(None, [str(TOOLS), str(ROOT),
                                                        os.environ.get("PYTHONPATH")])),
            "HYPOTHESIS_PROFILE": "ci", "OP_RECORDER_OUTPUT": output,
            "OP_RECORDER_SKIP_DEVICES": SKIPPED_DEVICES})
        command = [sys.executable, "-m", "pytest", *RECORDED_TEST_FILES, "-p", "op_recorder",
                   "-n", "2", "-q", "-p", "no:cacheprovider", "-W", "ignore"]
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True,
                                text=True, timeout=900, check=False)
        seconds = time.perf_counter() - started
        if result.returncode not in (0, 1):  # 1: some tests failed (they just do not count)
            raise RuntimeError(f"recording the op tests failed ({result.returncode}):\n"
                               f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        tests: dict[str, Any] = {}
        nested: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for path in sorted(Path(output).glob("*.json")):  # one file per xdist worker
            worker = json.loads(path.read_text(encoding="utf-8"))
            tests.update(worker["tests"])
            for direction, ops in worker.get("nested", {}).items():
                for op, inner in ops.items():
                    nested[direction][op].update(inner)
    return {"files": list(RECORDED_TEST_FILES), "seconds": round(seconds, 1), "tests": tests,
            "nested": {direction: {op: sorted(inner) for op, inner in sorted(ops.items())}
                       for direction, ops in sorted(nested.items())}}


@lru_cache(maxsize=1)
def recorded_tests() -> dict[str, Any]:
    """The recording for the current sources: read from docs/_generated/, or made and stored.

    Inside a pytest session (tests/test_docs.py runs every page) nothing is recorded, so a test
    never starts a second, nested test run: the atlas then leaves its test lists out."""
    key = sources_key()
    path = CACHE_DIR / f"op_tests-{key}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    if "PYTEST_CURRENT_TEST" in os.environ:
        return {"unavailable": True, "tests": {}}
    recording = record_tests()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for old in CACHE_DIR.glob("op_tests-*.json"):
        old.unlink(missing_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(recording, indent=1, sort_keys=True), encoding="utf-8")
    partial.replace(path)
    return recording


@dataclass
class TestFunctionUse:
    """The cases of one test function that ran an op."""

    function: str  # node id without the parameter part
    forward: list[str] = field(default_factory=list)  # parameter ids ("" for no parameters)
    backward: list[str] = field(default_factory=list)
    specificity: int = 10**6  # fewest ops any of its cases ran: small = a focused test


def tests_by_op(recording: dict[str, Any]) -> dict[str, list[TestFunctionUse]]:
    """Qualified op name -> the test functions that ran it: those that ran its backward first,
    then by file (RECORDED_TEST_FILES lists the parity files first), then the most focused."""
    uses: dict[str, dict[str, TestFunctionUse]] = defaultdict(dict)
    for node_id, record in sorted(recording.get("tests", {}).items()):
        if record.get("outcome", "passed") != "passed":
            continue
        function, _, parameters = node_id.partition("[")
        parameters = parameters[:-1] if parameters.endswith("]") else parameters
        ran = len(set(record.get("forward", [])) | set(record.get("backward", [])))
        for direction in ("forward", "backward"):
            for op in record.get(direction, []):
                use = uses[op].setdefault(function, TestFunctionUse(function))
                getattr(use, direction).append(parameters)
                use.specificity = min(use.specificity, ran)
    def rank(use: TestFunctionUse) -> tuple:  # backward tested, then the parity files first
        path = use.function.split("::")[0]
        order = RECORDED_TEST_FILES.index(path) if path in RECORDED_TEST_FILES else len(
            RECORDED_TEST_FILES)
        return (not use.backward, order, use.specificity, use.function)

    return {op: sorted(functions.values(), key=rank) for op, functions in uses.items()}


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
        summary = inspect.cleandoc(module.__doc__ or "").splitlines()[0]
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
            summary = inspect.cleandoc(current_module.__doc__ or "").splitlines()[0]
            lines += [f"### {file_name} {{#kernels-{file_name[:-3].replace('_', '-')}}}", "",
                      f"`kernels/{file_name}`: {summary}", ""]
        lines += [render_primitive(primitive, users[primitive.name],
                                   callers.get(primitive.name, []), labels), ""]
    return "\n".join(lines)

