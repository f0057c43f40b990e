"""Which module is running right now: the qualified path (`features.0`, `fc1`) of each op.

nn's global module hooks (`register_module_forward_pre_hook` / `register_module_forward_hook`, as in
PyTorch) tell us when any Module's forward starts and ends. The first module called when none is
running is a *root* (usually the model); its `named_modules()` gives every submodule its qualified
name. A root that has no submodules (a loss such as `nn.CrossEntropyLoss()` called on its own) is
named by its class, so its ops still land in a cluster of their own.
"""

from __future__ import annotations

import importlib
from typing import Any


def _global_hook_registrars() -> tuple[Any, Any] | None:
    """nn's global forward pre-hook / forward hook registration functions, if nn has them."""
    for module_name in ("tinygrad_edu.nn.modules.module", "tinygrad_edu.nn.module",
                        "tinygrad_edu.nn.hooks"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        pre = getattr(module, "register_module_forward_pre_hook", None)
        post = getattr(module, "register_module_forward_hook", None)
        if pre is not None and post is not None:
            return pre, post
    return None


class ModuleTracker:
    """A stack of running modules, kept by global hooks while a trace is active."""

    def __init__(self) -> None:
        self.stack: list[tuple[Any, str]] = []
        self.names: dict[int, str] = {}       # id(module) -> qualified path
        self.parameters: dict[int, str] = {}  # id(parameter) -> qualified name
        self.roots: list[Any] = []
        self._handles: list[Any] = []

    @property
    def path(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def start(self) -> bool:
        """Install the hooks; False when nn offers no global hooks (no clusters then)."""
        registrars = _global_hook_registrars()
        if registrars is None:
            return False
        register_pre, register_post = registrars
        self._handles = [register_pre(self._enter), register_post(self._leave)]
        return True

    def stop(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.stack.clear()

    def add_root(self, module: Any) -> None:
        """Name a module tree (done on its first call; trace(params=model) does it up front)."""
        if id(module) in self.names:
            return
        self.roots.append(module)
        children = list(module.named_modules())
        prefix = "" if len(children) > 1 else type(module).__name__
        for name, child in children:
            path = ".".join(part for part in (prefix, name) if part)
            self.names.setdefault(id(child), path)
        for name, parameter in module.named_parameters():
            self.parameters.setdefault(id(parameter), ".".join(p for p in (prefix, name) if p))

    def _enter(self, module: Any, args: Any) -> None:
        if id(module) not in self.names:
            if self.stack:  # a module called from inside another one but not registered in it
                parent = self.stack[-1][1]
                name = type(module).__name__
                self.names[id(module)] = f"{parent}.{name}" if parent else name
            else:
                self.add_root(module)
        self.stack.append((module, self.names[id(module)]))

    def _leave(self, module: Any, args: Any, output: Any) -> None:
        while self.stack:  # also drops modules whose forward raised
            top, _ = self.stack.pop()
            if top is module:
                break
