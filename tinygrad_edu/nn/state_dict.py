"""state_dict and load_state_dict: a module's numbers as a flat, named dictionary.

    model.state_dict()  ->  {"fc1.weight": tensor, "fc1.bias": tensor, "bn.running_mean": ...}

The keys are the attribute paths of the parameters and persistent buffers, exactly PyTorch's keys,
so a checkpoint can move between tinygrad_edu and PyTorch through NumPy:

    model.load_state_dict({k: v.numpy() for k, v in torch_model.state_dict().items()})

load_state_dict copies values into the existing tensors (under no_grad), so optimizers that hold
those parameters keep working. Mismatched keys or shapes are reported all at once, as in PyTorch.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..creation import tensor
from ..tensor import Tensor


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What load_state_dict returns: the keys it missed and the keys it did not expect."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"  # as PyTorch prints it
        return super().__repr__()


def _as_tensor(value: Any) -> Tensor:
    """A checkpoint value: a tinygrad_edu Tensor, or anything NumPy can read (arrays, torch CPU
    tensors)."""
    if isinstance(value, Tensor):
        return value
    return tensor(np.asarray(value))


class StateDictMixin:
    """The state_dict half of nn.Module (kept in its own file to keep module.py short)."""

    def _state_items(self, prefix: str):
        """(key, tensor) for this module's own parameters and persistent buffers."""
        for name, param in self._parameters.items():
            if param is not None:
                yield prefix + name, param
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                yield prefix + name, buffer

    def state_dict(self, *args: Any, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Tensor]:
        """Every parameter and persistent buffer by its dotted name (detached unless keep_vars)."""
        if args:  # PyTorch's deprecated positional form: state_dict(destination, prefix, keep_vars)
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][
                len(args):])[:3]
        destination = OrderedDict() if destination is None else destination
        for key, value in self._state_items(prefix):
            destination[key] = value if keep_vars else value.detach()
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination=destination, prefix=f"{prefix}{name}.",
                                 keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> IncompatibleKeys:
        """Copy values into the parameters and buffers with the same names.

        strict=True: missing or unexpected keys are an error. A shape mismatch always is."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        expected = {}
        for module_prefix, module in self.named_modules():
            prefix = f"{module_prefix}." if module_prefix else ""
            for key, _ in module._state_items(prefix):
                expected[key] = (module, key[len(prefix):])
        errors = []
        with no_grad():
            for key, (module, name) in expected.items():
                if key in state_dict:
                    errors += self._load_one(module, name, key, _as_tensor(state_dict[key]),
                                             assign)
        missing = [k for k in expected if k not in state_dict]
        unexpected = [k for k in state_dict if k not in expected]
        if strict:
            if unexpected:
                listed = ", ".join(f'"{k}"' for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {listed}. ")
            if missing:
                listed = ", ".join(f'"{k}"' for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {listed}. ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t"
                               + "\n\t".join(errors))
        return IncompatibleKeys(missing, unexpected)

    @staticmethod
    def _load_one(module: Any, name: str, key: str, value: Tensor, assign: bool) -> list[str]:
        current = module._parameters.get(name)
        is_param = current is not None
        current = current if is_param else module._buffers[name]
        if value.shape != current.shape:
            return [f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {current.shape}."]
        if assign:
            replacement = value.to(current.device)
            if is_param:
                from .parameter import Parameter

                replacement = Parameter(replacement, current.requires_grad)
            setattr(module, name, replacement)
        else:
            current.copy_(value)
        return []
