"""The Optimizer base class: parameter groups, per-parameter state, and saving/loading both.

    optimizer = SGD([{"params": model.features.parameters()},
                     {"params": model.classifier.parameters(), "lr": 1e-3}], lr=0.1, momentum=0.9)

An optimizer holds *references* to the parameters, grouped into `param_groups`: each group is a
dict with its own hyperparameters (lr, momentum, ...), the optimizer's `defaults` filling in the
rest. The `state` dict maps each parameter to what its update remembers between steps (a momentum
buffer, Adam's moment estimates). A training step is always:

    optimizer.zero_grad()    # forget the last step's gradients (set them to None)
    loss.backward()          # fill p.grad for every parameter
    optimizer.step()         # p <- update(p, p.grad, state[p]), in place, without recording a graph

`state_dict()` replaces each parameter by its index (0, 1, 2, ... in group order), so a checkpoint
holds no tensors identities and can be loaded into a fresh optimizer over a fresh model.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class _RequiredParameter:
    """The marker for a hyperparameter with no default (an lr the user must give)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class: subclasses implement `step()` over `self.param_groups` and `self.state`."""

    def __init__(self, params: ParamsT, defaults: dict[str, Any]):
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {params.type()}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with optional hyperparameters of its own)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. Please "
                            "use a list instead.")
        else:
            params = list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(param).__module__}.{type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error", stacklevel=3)
        group = {**param_group, "params": params}
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError("parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            group.setdefault(name, default)
        existing = {id(p) for other in self.param_groups for p in other["params"]}
        if existing & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: p.grad = None (or zero them in place with set_to_none=False)."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    with no_grad():
                        param.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns closure() if given.

        The update rule is the subclass's `_update_group(group)`, run under no_grad."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    @staticmethod
    def _use_foreach(group: dict[str, Any], params: list[Tensor]) -> bool:
        """Whether to update these parameters with one multi-tensor primitive (foreach_*).

        PyTorch's rule: foreach=False never, foreach=True whenever it can (here: every parameter
        and gradient on one device with one dtype), foreach=None (the default) only when they
        are also on a GPU device, where one launch instead of one per parameter pays off. The
        result is the same either way; only the number of kernel launches changes."""
        choice = group.get("foreach")
        if choice is False or not params:
            return False
        if choice is None and params[0].device.type == "cpu":  # the default on the CPU: decided
            return False  # without looking at every parameter (this runs every step)
        kinds = {(p.device, p.dtype) for p in params} | {(p.device, p.grad.dtype) for p in params}
        if len(kinds) != 1:
            return False
        return bool(choice) or params[0].device.type != "cpu"

    def _update_group(self, group: dict[str, Any]) -> None:
        raise TypeError(f"{type(self).__name__} is an Optimizer without an update rule: "
                        "use SGD, Adam, AdamW or a subclass that defines _update_group()")

    # --- checkpoints ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]} (PyTorch's)."""
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            indices = []
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
                indices.append(index_of[id(param)])
            groups.append({**{k: v for k, v in group.items() if k != "params"},
                           "params": indices})
        state = {index_of[id(param)]: dict(values) for param, values in self.state.items()
                 if id(param) in index_of}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by state_dict() (tensors are copied)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for ours, saved in zip(self.param_groups, saved_groups):
            if len(ours["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match "
                                 "the size of optimizer's group")
        params_by_index = {index: param for ours, saved in zip(self.param_groups, saved_groups)
                           for index, param in zip(saved["params"], ours["params"])}
        self.state = defaultdict(dict)
        for index, values in state_dict["state"].items():
            param = params_by_index[int(index)]
            self.state[param] = {key: _state_value_for(param, key, value)
                                 for key, value in values.items()}
        self.param_groups = [{**deepcopy({k: v for k, v in saved.items() if k != "params"}),
                              "params": ours["params"]}
                             for ours, saved in zip(self.param_groups, saved_groups)]


def _state_value_for(param: Tensor, key: str, value: Any) -> Any:
    """A copy of a saved state entry, moved to the parameter's device (and dtype, except 'step')."""
    if not isinstance(value, Tensor):
        return deepcopy(value)
    if key == "step":
        return value.detach().clone()
    return value.detach().to(device=param.device, dtype=param.dtype).clone()
