"""Adam with capturable=True: the step count lives on the device, so a captured step replays.

Plain Adam keeps its step count `t` as a CPU tensor and reads it into Python (`.item()`) to
compute the bias corrections 1 - beta1^t and 1 - beta2^t as Python floats. That is the right
choice for eager mode, but a graph capture (tinygrad_edu.compile, a CUDA graph) records the
*values* such a read produced: a replay would keep using t = 2 forever. PyTorch's answer is
`capturable=True`, and so is this one:

    step     += 1                             a tensor on the parameter's device, updated in place
    step_size = lr / (1 - beta1 ** step)      computed from it by tensor ops, on the device too
    c2        = sqrt(1 - beta2 ** step)
    m         = lerp(m, g, 1 - beta1)         the moments as in adam.py
    v         = beta2 * v + (1 - beta2) * g*g
    p        -= step_size * m / (sqrt(v) / c2 + eps)

Nothing is read back to Python, so the captured graph holds the whole update and each replay
advances the count. The price is a few more small ops per parameter than the fused adam_step
primitive (the update is written with ordinary tensor ops, which compile fuses again).
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor


def capturable_adam_update(params: list[Tensor], states: list[dict[str, Any]], *, lr: float,
                           beta1: float, beta2: float, eps: float, weight_decay: float,
                           decoupled: bool, maximize: bool, amsgrad: bool) -> None:
    """One Adam / AdamW update of each parameter, every number computed on the device (the
    formula of adam.py's docstring; state["step"] is a 0-d tensor on the parameter's device)."""
    for param, state in zip(params, states):
        step = state["step"]  # () on param.device
        step += 1
        grad = -param.grad if maximize else param.grad
        if weight_decay != 0:
            if decoupled:  # AdamW: p *= 1 - lr * wd, before the update
                param.mul_(1 - lr * weight_decay)
            else:  # Adam: the L2 penalty folded into the gradient
                grad = grad + weight_decay * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        second = exp_avg_sq
        if amsgrad:
            state["max_exp_avg_sq"].copy_(state["max_exp_avg_sq"].maximum(exp_avg_sq))
            second = state["max_exp_avg_sq"]
        step_size = lr / (1 - beta1 ** step)  # () tensors: the bias corrections on the device
        correction2_sqrt = (1 - beta2 ** step).sqrt()
        denominator = second.sqrt() / correction2_sqrt + eps
        param.sub_(step_size * (exp_avg / denominator))
