"""Reading the library's code for the op atlas: which ops exist, who calls them, what they lower to.

Everything here is found in the source (ast) and by introspection, never listed by hand:
PackageIndex parses every module of tinygrad_edu; LoweringMap knows which `backend.<primitive>`
calls each function of tinygrad_edu/ops/lowering.py makes; `reach` follows an op's forward and
backward through helper calls down to those primitives; collect_ops and collect_primitives give
the entries that atlas.py renders.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "tinygrad_edu"
OPS_PACKAGE = f"{PACKAGE}.ops"
LOWERING_MODULE = f"{OPS_PACKAGE}.lowering"
KERNELS_PACKAGE = f"{PACKAGE}.kernels"

MAX_DEPTH = 4  # how far helper calls are followed from forward / backward




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
                # an op wrapped for PyTorch's keyword conventions (axis=, out=) is its op
                names[id(inspect.unwrap(value))].append(f"{prefix}.{name}")
    seen_methods: set[str] = set()
    for klass in index.tensor_class.__mro__:
        for name, value in vars(klass).items():
            value = _unwrap(value)
            value = inspect.unwrap(value) if isinstance(value, FunctionType) else value
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
            callee = _unwrap(callee)  # an op wrapped for axis= / out= is that op
            callee = inspect.unwrap(callee) if isinstance(callee, FunctionType) else callee
            wrappers[id(callee)].append(definition)

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
