"""Stochastic gradient descent, with momentum, dampening, weight decay and Nesterov's variant.

For each parameter p with gradient g, learning rate lr, momentum mu (PyTorch's formulation):

    g  <-  -g  if maximize                      (climb instead of descend)
    g  <-  g + weight_decay * p                 (L2 penalty: the gradient of wd/2 * ||p||^2)
    b  <-  g                                    on the first step (the buffer starts at g)
    b  <-  mu * b + (1 - dampening) * g         afterwards (a running sum of past gradients)
    d  <-  g + mu * b  if nesterov  else  b     (Nesterov looks one momentum step ahead)
    p  <-  p - lr * d

With momentum = 0 there is no buffer and the step is p <- p - lr * g. The whole update is one fused
backend primitive (`sgd_step`, see kernels/optim.py), applied in place under no_grad; on a GPU
device all parameters go through one multi-tensor primitive (`foreach_sgd_step`).
"""

from __future__ import annotations

from typing import Any

from ..creation import zeros_like
from ..ops import lowering
from .optimizer import Optimizer, ParamsT


class SGD(Optimizer):
    """torch.optim.SGD: same arguments, defaults and update."""

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None):
        lr = float(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if differentiable:
            raise ValueError("differentiable=True (backpropagating through the step) is not "
                             "supported by tinygrad_edu's optimizers")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        params = [param for param in group["params"] if param.grad is not None]
        buffers, first_steps = [], []
        for param in params:
            buffer, first_step = None, False
            if momentum != 0:
                state = self.state[param]
                buffer = state.get("momentum_buffer")
                if buffer is None:  # the primitive fills it with the first step's gradient
                    buffer = state["momentum_buffer"] = zeros_like(param)
                    first_step = True
            buffers.append(buffer)
            first_steps.append(first_step)
        hyper = {"lr": float(group["lr"]), "momentum": momentum,
                 "dampening": group["dampening"], "weight_decay": group["weight_decay"],
                 "nesterov": group["nesterov"], "maximize": group["maximize"]}
        if self._use_foreach(group, params):  # every parameter in one or a few launches
            lowering.foreach_sgd_step(params, [p.grad for p in params],
                                      buffers if momentum != 0 else None,
                                      first_steps=first_steps, **hyper)
            return
        for param, buffer, first_step in zip(params, buffers, first_steps):
            lowering.sgd_step(param, param.grad, buffer, first_step=first_step, **hyper)
