"""Adamax, NAdam and RAdam: three variations on Adam (adam.py), each one change to its update.

With m, v Adam's running averages of g and g^2 (m <- lerp(m, g, 1 - beta1), v <- beta2 * v +
(1 - beta2) * g^2) and t the step (after g <- -g if maximize, and the weight decay):

    Adamax  u  <-  max(beta2 * u, |g| + eps)          the infinity norm in place of sqrt(v)
            p  <-  p - lr / (1 - beta1^t) * m / u
    NAdam   mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))   a momentum schedule
            s  =   sqrt(v / (1 - beta2^t)) + eps
            p  <-  p - lr * (1 - mu_t) / (1 - mu_1...mu_t) * g / s
                     - lr * mu_{t+1} / (1 - mu_1...mu_{t+1}) * m / s      Nesterov: look ahead
    RAdam   rho_inf = 2 / (1 - beta2) - 1,  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
            rho_t > 5:  r_t = sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t))
                        p <- p - lr * m / (1 - beta1^t) * r_t * sqrt(1 - beta2^t) / (sqrt(v) + eps)
            otherwise:  p <- p - lr * m / (1 - beta1^t)     (SGD with momentum: v is still
                                                              too noisy to divide by)

NAdam and RAdam take decoupled_weight_decay (p <- p * (1 - lr * wd), as AdamW); otherwise the
decay is an L2 term in the gradient. Each update is one fused primitive (kernels/optim_family.py).
"""

from __future__ import annotations

from typing import Any

from ..creation import tensor, zeros_like
from ..dtypes import float32
from ..ops import lowering
from .optimizer import Optimizer, ParamsT
from .rmsprop import check_non_negative, check_supported, step_counter


def _check_adam_arguments(lr: float, betas: tuple[float, float], eps: float,
                          weight_decay: float) -> None:
    check_non_negative(lr=lr, eps=eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    check_non_negative(weight_decay=weight_decay)


class _MomentsOptimizer(Optimizer):
    """Adam's state: 'step', 'exp_avg' and a second buffer (named by the subclass)."""

    second_moment = "exp_avg_sq"

    def _state_for(self, param: Any) -> dict[str, Any]:
        state = self.state[param]
        if not state:
            state["step"] = tensor(0.0, dtype=float32)
            state["exp_avg"] = zeros_like(param)
            state[self.second_moment] = zeros_like(param)
        return state


class Adamax(_MomentsOptimizer):
    """torch.optim.Adamax: same arguments, defaults and state ('step', 'exp_avg', 'exp_inf')."""

    second_moment = "exp_inf"

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        lr = float(lr)
        _check_adam_arguments(lr, betas, eps, weight_decay)
        check_supported(differentiable, capturable)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self._state_for(param)
            step = step_counter(state)
            lowering.fused_optimizer_step(
                "adamax_step", param, param.grad, [state["exp_avg"], state["exp_inf"]], step,
                float(group["lr"]), beta1, beta2, group["eps"], group["weight_decay"],
                group["maximize"])


class NAdam(_MomentsOptimizer):
    """torch.optim.NAdam: same arguments, defaults and state ('step', 'mu_product', 'exp_avg',
    'exp_avg_sq'); mu_product is a float32 scalar tensor, as in PyTorch."""

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False):
        lr = float(lr)
        _check_adam_arguments(lr, betas, eps, weight_decay)
        check_non_negative(momentum_decay=momentum_decay)
        check_supported(differentiable, capturable)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        decay = group["momentum_decay"]
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self._state_for(param)
            if "mu_product" not in state:
                state["mu_product"] = tensor(1.0, dtype=float32)
            step = step_counter(state)
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
            state["mu_product"] *= mu
            lowering.fused_optimizer_step(
                "nadam_step", param, param.grad, [state["exp_avg"], state["exp_avg_sq"]], step,
                float(group["lr"]), beta1, beta2, group["eps"], group["weight_decay"],
                group["decoupled_weight_decay"], group["maximize"], mu, mu_next,
                state["mu_product"].item())


class RAdam(_MomentsOptimizer):
    """torch.optim.RAdam: same arguments, defaults and state ('step', 'exp_avg', 'exp_avg_sq')."""

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False,
                 *, foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        lr = float(lr)
        _check_adam_arguments(lr, betas, eps, weight_decay)
        check_supported(differentiable, capturable)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self._state_for(param)
            step = step_counter(state)
            lowering.fused_optimizer_step(
                "radam_step", param, param.grad, [state["exp_avg"], state["exp_avg_sq"]], step,
                float(group["lr"]), beta1, beta2, group["eps"], group["weight_decay"],
                group["decoupled_weight_decay"], group["maximize"])
