"""Automatic differentiation: Function (record), the engine (replay backward), grad modes.

    tinygrad_edu.autograd.Function     subclass to define an op with its own backward
    tinygrad_edu.autograd.grad         gradients of outputs w.r.t. inputs, returned
    tinygrad_edu.autograd.backward     gradients accumulated into leaves' .grad
    tinygrad_edu.autograd.gradcheck    compare backward with finite differences
"""

from .engine import backward, grad
from .function import AccumulateGrad, BackwardContext, Function, Node
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck

__all__ = ["AccumulateGrad", "BackwardContext", "Function", "Node", "backward", "enable_grad",
           "grad", "gradcheck", "is_grad_enabled", "no_grad", "set_grad_enabled"]
