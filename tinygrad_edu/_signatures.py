"""Signatures that print as PyTorch's: annotations evaluated once, when the package is imported.

Every module of the package starts with `from __future__ import annotations`, so Python stores each
annotation as a string and `inspect.signature(Optimizer.zero_grad)` prints
`(self, set_to_none: 'bool' = True) -> 'None'` where PyTorch prints
`(self, set_to_none: bool = True) -> None`. `resolve()` evaluates the annotations of every function
of the package's loaded modules in the function's own module, as Python would have done without
the future import, and keeps the string of any annotation it cannot evaluate (a name imported only
for type checkers) or whose value is not a type (a module-level alias such as `int = int32`).
"""

from __future__ import annotations

import sys
import types
from typing import Any

_TYPE_MODULES = frozenset({"typing", "types", "collections.abc", "typing_extensions"})


def _is_type(value: Any) -> bool:
    return value is None or isinstance(value, type) or type(value).__module__ in _TYPE_MODULES


def _evaluate(annotation: str, namespaces: list[dict[str, Any]]) -> Any:
    """The annotation's value in the first namespace where it evaluates to a type, else itself."""
    for namespace in namespaces:
        try:
            value = eval(annotation, namespace)  # noqa: S307 - the package's own annotations
        except Exception:  # noqa: BLE001, S112 - a name that exists only for type checkers
            continue
        if _is_type(value):
            return value
    return annotation


def _resolve_function(function: Any, fallback: dict[str, Any]) -> None:
    wrapped = getattr(function, "__wrapped__", None)  # a decorated function: signature() reads it
    if wrapped is not None and wrapped is not function:
        _resolve_function(wrapped, fallback)
    annotations = getattr(function, "__annotations__", None)
    if not annotations or not any(isinstance(a, str) for a in annotations.values()):
        return
    # the function's own module first; then, for names imported under TYPE_CHECKING only (Tensor
    # in the autograd modules), the package's public classes
    namespaces = [getattr(function, "__globals__", {}), fallback]
    function.__annotations__ = {
        name: _evaluate(a, namespaces) if isinstance(a, str) else a
        for name, a in annotations.items()}


def _functions_of(owner: Any) -> list[Any]:
    found = []
    for value in vars(owner).values():
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, property):
            found += [f for f in (value.fget, value.fset) if f is not None]
        elif isinstance(value, types.FunctionType):
            found.append(value)
    return found


def resolve(package: str = "tinygrad_edu") -> None:
    """Evaluate the string annotations of every function and method of the loaded modules."""
    root = sys.modules.get(package)
    fallback = {k: v for k, v in vars(root).items() if isinstance(v, type)} if root else {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == package or name.startswith(package + ".")):
            continue
        for value in list(vars(module).values()):
            if getattr(value, "__module__", None) != name:
                continue
            if isinstance(value, type):
                for function in _functions_of(value):
                    _resolve_function(function, fallback)
            elif isinstance(value, types.FunctionType):
                _resolve_function(value, fallback)
