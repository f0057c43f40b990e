"""Forward hooks: code that runs just before or just after a module's forward.

    handle = model.fc1.register_forward_hook(lambda module, args, output: print(output.shape))
    handle.remove()

A pre-hook sees (module, args) and may return new args; a hook sees (module, args, output) and may
return a new output. Global hooks (register_module_forward_hook) run for *every* module: that is how
a tracer learns which module an op belongs to without the modules knowing about tracing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

_handle_ids = itertools.count()


class RemovableHandle:
    """What register_*_hook returns: `.remove()` (or leaving a `with` block) unregisters it."""

    def __init__(self, *hook_dicts: dict):
        self.id = next(_handle_ids)
        self._hook_dicts = hook_dicts

    def remove(self) -> None:
        for hooks in self._hook_dicts:
            hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


def add_hook(hooks: dict, hook: Callable, prepend: bool = False, *extra: dict) -> RemovableHandle:
    """Store hook in an ordered dict under a fresh handle id (first when prepend)."""
    handle = RemovableHandle(hooks, *extra)
    hooks[handle.id] = hook
    if prepend:
        for key in [k for k in hooks if k != handle.id]:
            hooks[key] = hooks.pop(key)
    return handle


# Hooks that run around every module's forward (torch.nn.modules.module.register_module_*).
global_forward_pre_hooks: dict[int, Callable] = {}
global_forward_hooks: dict[int, Callable] = {}


def register_module_forward_pre_hook(hook: Callable[[Any, tuple], Any]) -> RemovableHandle:
    """hook(module, args) runs before every module's forward; it may return replacement args."""
    return add_hook(global_forward_pre_hooks, hook)


def register_module_forward_hook(hook: Callable[[Any, tuple, Any], Any]) -> RemovableHandle:
    """hook(module, args, output) runs after every module's forward; it may return a new output."""
    return add_hook(global_forward_hooks, hook)
