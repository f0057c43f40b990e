"""RMSprop, Adagrad and Adadelta: divide each coordinate's step by the size of its gradients.

The idea they share (and that Adam builds on): a coordinate whose gradients are large takes small
steps, one whose gradients are small takes large ones. They differ in how "size" is measured.
For each parameter p with gradient g (after g <- -g if maximize, g <- g + weight_decay * p):

    Adagrad   S  <-  S + g^2                                  the sum of *all* past g^2
              p  <-  p - lr / (1 + (t-1) * lr_decay) * g / (sqrt(S) + eps)
              (S only grows, so the steps shrink for good: fine for convex problems, too
              cautious for long deep-learning runs)
    RMSprop   v  <-  alpha * v + (1 - alpha) * g^2            a *running* average instead
              centered: m <- alpha * m + (1 - alpha) * g;  v is replaced by v - m^2 (a variance)
              s  =   sqrt(v) + eps
              b  <-  momentum * b + g / s,  p <- p - lr * b   with momentum > 0
              p  <-  p - lr * g / s                           otherwise
    Adadelta  v  <-  rho * v + (1 - rho) * g^2
              d  =   sqrt(u + eps) / sqrt(v + eps) * g        u: running average of past d^2,
              u  <-  rho * u + (1 - rho) * d^2                so d has the units of p
              p  <-  p - lr * d                               (lr = 1.0 by default)

Each update is one fused primitive (kernels/optim_family.py), applied in place under no_grad.
"""

from __future__ import annotations

from typing import Any

from ..creation import full_like, tensor, zeros_like
from ..dtypes import float32
from ..ops import lowering
from .optimizer import Optimizer, ParamsT


def check_non_negative(**values: float) -> None:
    """PyTorch's messages: 'Invalid learning rate: -1', 'Invalid <name> value: -1'."""
    for name, value in values.items():
        if not 0.0 <= value:
            label = "learning rate" if name == "lr" else ("epsilon value" if name == "eps"
                                                           else f"{name} value")
            raise ValueError(f"Invalid {label}: {value}")


def check_supported(differentiable: bool, capturable: bool = False) -> None:
    if differentiable or capturable:
        raise ValueError("differentiable=True and capturable=True are not supported by "
                         "tinygrad_edu's optimizers")


def step_counter(state: dict[str, Any]) -> int:
    """state['step'] += 1 (a float32 scalar tensor, as PyTorch keeps it); the new step."""
    if "step" not in state:
        state["step"] = tensor(0.0, dtype=float32)
    state["step"] += 1
    return int(state["step"].item())


class RMSprop(Optimizer):
    """torch.optim.RMSprop: same arguments, defaults and state ('step', 'square_avg',
    'momentum_buffer' when momentum > 0, 'grad_avg' when centered)."""

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False):
        lr = float(lr)
        check_non_negative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                           alpha=alpha)
        check_supported(differentiable, capturable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            if not state:
                state["square_avg"] = zeros_like(param)
            if group["momentum"] > 0 and "momentum_buffer" not in state:
                state["momentum_buffer"] = zeros_like(param)
            if group["centered"] and "grad_avg" not in state:
                state["grad_avg"] = zeros_like(param)
            step_counter(state)
            lowering.fused_optimizer_step(
                "rmsprop_step", param, param.grad,
                [state["square_avg"], state["grad_avg"] if group["centered"] else None,
                 state["momentum_buffer"] if group["momentum"] > 0 else None],
                float(group["lr"]), group["alpha"], group["eps"], group["weight_decay"],
                group["momentum"], group["maximize"])


class Adagrad(Optimizer):
    """torch.optim.Adagrad: same arguments, defaults and state ('step', 'sum'), created at
    construction as PyTorch does (the sum starts at initial_accumulator_value)."""

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None):
        lr = float(lr)
        check_non_negative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        check_supported(differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                state = self.state[param]
                state["step"] = tensor(0.0, dtype=float32)
                state["sum"] = full_like(param, group["initial_accumulator_value"])

    def _update_group(self, group: dict[str, Any]) -> None:
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            step = step_counter(state)
            clr = float(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
            lowering.fused_optimizer_step("adagrad_step", param, param.grad, [state["sum"]], clr,
                                          group["eps"], group["weight_decay"], group["maximize"])


class Adadelta(Optimizer):
    """torch.optim.Adadelta: same arguments, defaults and state ('step', 'square_avg',
    'acc_delta')."""

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False, differentiable: bool = False):
        lr = float(lr)
        check_non_negative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative(eps=eps, weight_decay=weight_decay)
        check_supported(differentiable, capturable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            if not state:
                state["square_avg"] = zeros_like(param)
                state["acc_delta"] = zeros_like(param)
            step_counter(state)
            lowering.fused_optimizer_step(
                "adadelta_step", param, param.grad, [state["square_avg"], state["acc_delta"]],
                float(group["lr"]), group["rho"], group["eps"], group["weight_decay"],
                group["maximize"])
