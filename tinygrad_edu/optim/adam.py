"""Adam and AdamW: per-parameter step sizes from running averages of the gradient and its square.

For each parameter p with gradient g, at step t = 1, 2, ... (PyTorch's formulation):

    g      <-  -g  if maximize
    g      <-  g + weight_decay * p           Adam: L2 penalty folded into the gradient
    p      <-  p * (1 - lr * weight_decay)    AdamW: weight decay *decoupled* from the gradient
    m      <-  beta1 * m + (1 - beta1) * g          first moment (mean of g), starts at 0
    v      <-  beta2 * v + (1 - beta2) * g^2        second moment (mean of g^2), starts at 0
    v_max  <-  max(v_max, v)  if amsgrad, and v_max replaces v below
    m_hat  =   m / (1 - beta1^t)                    bias corrections: m and v started at 0,
    v_hat  =   v / (1 - beta2^t)                    so early averages are too small
    p      <-  p - lr * m_hat / (sqrt(v_hat) + eps)

Dividing by sqrt(v_hat) gives each coordinate a step of about lr, whatever its gradient's scale.
AdamW's decoupling matters because in Adam the L2 term is rescaled by 1/sqrt(v_hat) too, so weights
with large gradients are barely decayed. The update is one fused primitive (`adam_step`), or one
for all parameters at once (`foreach_adam_step`) when they share a GPU device and dtype.
"""

from __future__ import annotations

from typing import Any

from ..creation import tensor, zeros_like
from ..dtypes import float32
from ..ops import lowering
from .adam_capturable import capturable_adam_update
from .optimizer import Optimizer, ParamsT


class Adam(Optimizer):
    """torch.optim.Adam: same arguments, defaults, state ('step', 'exp_avg', 'exp_avg_sq')."""

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False):
        lr = float(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if differentiable:
            raise ValueError("differentiable=True is not supported by tinygrad_edu's optimizers")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _state_for(self, param: Any, amsgrad: bool, capturable: bool = False) -> dict[str, Any]:
        state = self.state[param]
        if not state:  # lazy initialisation, as PyTorch: zeros the shape of the parameter
            # (capturable: the step count on the parameter's device, see adam_capturable.py)
            device = param.device if capturable else None
            state["step"] = tensor(0.0, dtype=float32, device=device)
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
        if amsgrad and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = zeros_like(param)
        return state

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        amsgrad = group["amsgrad"]
        params = [param for param in group["params"] if param.grad is not None]
        states = [self._state_for(param, amsgrad, group["capturable"]) for param in params]
        if group["capturable"]:  # no .item(): the whole update runs on the device
            capturable_adam_update(params, states, lr=float(group["lr"]), beta1=beta1,
                                   beta2=beta2, eps=group["eps"],
                                   weight_decay=group["weight_decay"],
                                   decoupled=group["decoupled_weight_decay"],
                                   maximize=group["maximize"], amsgrad=amsgrad)
            return
        steps = []
        for state in states:
            state["step"] += 1  # a CPU tensor, as PyTorch's (capturable=False): no device read
            steps.append(int(state["step"].item()))
        hyper = {"lr": float(group["lr"]), "beta1": beta1, "beta2": beta2, "eps": group["eps"],
                 "weight_decay": group["weight_decay"],
                 "decoupled": group["decoupled_weight_decay"], "maximize": group["maximize"]}
        if self._use_foreach(group, params):  # every parameter in one or a few launches
            lowering.foreach_adam_step(
                params, [p.grad for p in params], [s["exp_avg"] for s in states],
                [s["exp_avg_sq"] for s in states],
                [s["max_exp_avg_sq"] for s in states] if amsgrad else None, steps=steps, **hyper)
            return
        for param, state, step in zip(params, states, steps):
            lowering.adam_step(param, param.grad, state["exp_avg"], state["exp_avg_sq"],
                               state["max_exp_avg_sq"] if amsgrad else None, step=step, **hyper)


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay, default weight_decay=1e-2."""

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
