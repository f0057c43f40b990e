"""Module: the base class of every layer and model, a tree of parameters, buffers and submodules.

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 8)      # a submodule   -> net._modules["fc1"]
            self.scale = nn.Parameter(...)  # a parameter   -> net._parameters["scale"]
            self.register_buffer("steps", torch.zeros(()))   # state that is not learned

        def forward(self, x):
            return self.fc1(x) * self.scale

Attribute assignment is the whole trick: `__setattr__` looks at the type of the value and files it
in the right dict, and `__getattr__` finds it again. Every traversal (parameters(), state_dict(),
to(), train()) is then a walk over that tree, naming things by their attribute path: "fc1.weight".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from . import backward_hooks as _backward_hooks
from . import hooks as _hooks
from .parameter import Parameter
from .state_dict import StateDictMixin


def _indent(text: str, spaces: int) -> str:
    """Indent every line but the first (child reprs nest inside their parent's)."""
    return text.replace("\n", "\n" + " " * spaces)


class Module(StateDictMixin):
    """Base class for all neural network modules (nn.Module)."""

    training: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments")
        set_attribute = object.__setattr__
        set_attribute(self, "training", True)
        set_attribute(self, "_parameters", {})
        set_attribute(self, "_buffers", {})
        set_attribute(self, "_non_persistent_buffers_set", set())
        set_attribute(self, "_modules", {})
        set_attribute(self, "_forward_pre_hooks", {})
        set_attribute(self, "_forward_hooks", {})
        set_attribute(self, "_hooks_with_kwargs", set())
        set_attribute(self, "_backward_hooks", {})
        set_attribute(self, "_backward_pre_hooks", {})
        set_attribute(self, "_is_full_backward_hook", None)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    # --- calling -------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if (self._forward_pre_hooks or self._forward_hooks or _hooks.global_forward_pre_hooks
                or _hooks.global_forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)  # the fast path: no hooks anywhere

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        pre_hooks = {**_hooks.global_forward_pre_hooks, **self._forward_pre_hooks}
        for key, hook in pre_hooks.items():
            if key in self._hooks_with_kwargs:
                replaced = hook(self, args, kwargs)
                if replaced is not None:
                    args, kwargs = replaced
                continue
            replaced = hook(self, args)
            if replaced is not None:
                args = replaced if isinstance(replaced, tuple) else (replaced,)
        full_backward = self._is_full_backward_hook is not False and (
            self._backward_hooks or self._backward_pre_hooks)
        state = None
        if full_backward:
            args, state = _backward_hooks.wrap_inputs(self, args)
        output = self.forward(*args, **kwargs)
        for key, hook in {**_hooks.global_forward_hooks, **self._forward_hooks}.items():
            if key in self._hooks_with_kwargs:
                replaced = hook(self, args, kwargs, output)
            else:
                replaced = hook(self, args, output)
            if replaced is not None:
                output = replaced
        if full_backward:
            output = _backward_hooks.wrap_outputs(state, output)
        elif self._is_full_backward_hook is False and self._backward_hooks:
            _backward_hooks.attach_non_full_hooks(self, args, output)
        return output

    # --- backward hooks (see nn/backward_hooks.py) -------------------------------------------
    def _check_backward_hook_kind(self, full: bool) -> None:
        if self._is_full_backward_hook is not None and self._is_full_backward_hook != full:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on "
                               "a single Module. Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", full)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False
                                    ) -> _hooks.RemovableHandle:
        """hook(module, grad_input, grad_output) -> None or new grad_input, after the gradients
        with respect to the module's tensor inputs are computed."""
        self._check_backward_hook_kind(True)
        return _hooks.add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False
                                        ) -> _hooks.RemovableHandle:
        """hook(module, grad_output) -> None or new grad_output, before the module's backward."""
        return _hooks.add_hook(self._backward_pre_hooks, hook, prepend)

    def register_backward_hook(self, hook: Callable) -> _hooks.RemovableHandle:
        """Deprecated: hook(module, grad_input, grad_output) on the output's last node only;
        use register_full_backward_hook."""
        self._check_backward_hook_kind(False)
        return _hooks.add_hook(self._backward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> _hooks.RemovableHandle:
        """hook(module, args) -> None or new args; with_kwargs: hook(module, args, kwargs)."""
        handle = _hooks.add_hook(self._forward_pre_hooks, hook, prepend)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False) -> _hooks.RemovableHandle:
        """hook(module, args, output) -> None or new output (with_kwargs: args, kwargs, output)."""
        handle = _hooks.add_hook(self._forward_hooks, hook, prepend)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        return handle

    # --- registration --------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None and isinstance(value, (Parameter, Module)):
            kind = "parameters" if isinstance(value, Parameter) else "module"
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if isinstance(value, Parameter):
            self._forget(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            self._forget(name)
            self._modules[name] = value
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_type_name(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_type_name(value)}' as buffer '{name}' "
                                "(torch.Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        """Remove name from every place an attribute can live (before re-registering it)."""
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            found = state.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def _check_name(self, name: Any, kind: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        known = name in self._parameters or name in self._buffers or name in self._modules
        if hasattr(self, name) and not known:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """State that moves with the module (to(), state_dict()) but is not learned."""
        self._check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_type_name(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        self._check_name(name, "module")
        self._forget(name)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        module = self
        for part in target.split(".") if target else ():
            if part not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{part}`")
            module = module._modules[part]
        return module

    def get_parameter(self, target: str) -> Parameter:
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._parameters:
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return module._buffers[name]

    # --- walking the tree ----------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """(name, module) for self and every descendant, depth first; shared modules once."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                child_prefix = f"{prefix}.{name}" if prefix else name
                yield from child.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, child in self._modules.items():
            if child is not None and child not in seen:
                seen.add(child)
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        seen = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """("fc1.weight", Parameter) pairs; a parameter shared by two modules comes once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # --- modes and bulk changes ----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout drops, batch norm uses batch statistics) for the whole tree."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad = param.grad.detach()
                param.grad.zero_()

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """fn(module) for every descendant (children first), then for self: used for init."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move (and/or cast floating point) parameters and buffers; parameters keep identity."""
        probe = Tensor(0.0)._alias().to(*args, **kwargs)  # parses the arguments the Tensor way
        target_device = probe.device
        target_dtype = probe.dtype if _names_dtype(args, kwargs) else None
        if target_dtype is not None and not target_dtype.is_floating_point:
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got "
                            f"desired dtype={target_dtype}")

        def convert(t: Tensor) -> Tensor:
            dtype = target_dtype if (target_dtype and t.dtype.is_floating_point) else t.dtype
            return t.to(target_device, dtype)

        return self._apply(convert)

    def _apply(self, convert: Callable[[Tensor], Tensor]) -> Module:
        with no_grad():
            for module in self.modules():
                for param in module._parameters.values():
                    if param is None:
                        continue
                    param.data = convert(param.data)
                    if param.grad is not None:
                        param.grad = convert(param.grad.detach())
                for name, buffer in module._buffers.items():
                    if buffer is not None:
                        module._buffers[name] = convert(buffer)
        return self

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Module:
        return self.to("cuda" if device is None else device)

    def float(self) -> Module:
        return self._apply(lambda t: t.float() if t.dtype.is_floating_point else t)

    def double(self) -> Module:
        return self._apply(lambda t: t.double() if t.dtype.is_floating_point else t)

    def half(self) -> Module:
        return self._apply(lambda t: t.half() if t.dtype.is_floating_point else t)

    # --- printing ------------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr (its settings)."""
        return ""

    def _child_lines(self) -> list[str]:
        return [f"({name}): {_indent(repr(child), 2)}" for name, child in self._modules.items()]

    def __repr__(self) -> str:
        extra = self.extra_repr().split("\n") if self.extra_repr() else []
        children = self._child_lines()
        if not children and len(extra) <= 1:
            return f"{self._get_name()}({''.join(extra)})"
        body = "\n  ".join(extra + children)
        return f"{self._get_name()}(\n  {body}\n)"

    def __dir__(self) -> list[str]:
        names = set(super().__dir__()) | set(self._parameters) | set(self._buffers)
        return sorted(names | set(self._modules))


def _names_dtype(args: tuple, kwargs: dict) -> bool:
    """Whether a .to(...) call asks for a dtype (a device alone must not cast)."""
    from ..dtypes import dtype

    values = list(args) + list(kwargs.values())
    return any(isinstance(v, (dtype, Tensor)) for v in values)


def _type_name(value: Any) -> str:
    if isinstance(value, Tensor):
        return value.type()
    return f"{type(value).__module__}.{type(value).__name__}"
