"""Module backward hooks: code that sees (and may replace) the gradients flowing through a module.

    model.fc1.register_full_backward_hook(lambda m, grad_input, grad_output: print(grad_output))
    model.fc1.register_full_backward_pre_hook(lambda m, grad_output: (g * 2 for g in ...))

A module is a whole sub-graph, not one node, so "the gradient with respect to the module's input"
has no node to hang on. PyTorch's trick, copied here: run the module's tensor inputs and outputs
through an identity Function (BackwardHookFunction). In backward the output identity sees
grad_output first (pre-hooks run there and may replace it), then the input identity sees
grad_input (the full hooks run there, with the grad_output remembered, and may replace it).

The deprecated register_backward_hook instead hooks the *last node* of the forward: its
grad_input is that node's input gradients, which is the module's only when forward is a single op
(PyTorch warns otherwise, and so does tinygrad_edu).
"""

from __future__ import annotations

import warnings
from typing import Any

from ..autograd.function import Function
from ..autograd.grad_mode import GradMode
from ..ops import lowering
from ..tensor import Tensor


class BackwardHookFunction(Function):
    """y_i = x_i (aliases);  dx_i = dy_i after the module's backward hooks had their say"""

    @staticmethod
    def forward(ctx, state, is_output, *tensors):
        ctx.state, ctx.is_output = state, is_output
        return tuple(lowering.view_of(t, t._view) for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        handled = ctx.state.grad_output(grads) if ctx.is_output else ctx.state.grad_input(grads)
        return (None, None, *handled)


class BackwardHookState:
    """What one call of a hooked module remembers between its output and input identities."""

    def __init__(self, module: Any, input_count: int, inputs_need_grad: bool):
        self.module, self.input_count = module, input_count
        self.inputs_need_grad = inputs_need_grad
        self.grad_outputs: tuple = ()

    def grad_output(self, grads: tuple) -> tuple:
        for hook in list(self.module._backward_pre_hooks.values()):
            replaced = hook(self.module, grads)
            if replaced is not None:
                replaced = tuple(replaced)
                if len(replaced) != len(grads):
                    raise RuntimeError(f"Backward pre hook returned an invalid number of "
                                       f"grad_output, got {len(replaced)}, but expected "
                                       f"{len(grads)}")
                grads = replaced
        self.grad_outputs = grads
        if not self.inputs_need_grad:  # no input identity will run: call the hooks from here
            self.run_hooks((None,) * self.input_count)
        return grads

    def grad_input(self, grads: tuple) -> tuple:
        return self.run_hooks(grads)

    def run_hooks(self, grad_input: tuple) -> tuple:
        for hook in list(self.module._backward_hooks.values()):
            replaced = hook(self.module, grad_input, self.grad_outputs)
            if replaced is not None:
                replaced = tuple(replaced)
                if len(replaced) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of "
                                       f"grad_input, got {len(replaced)}, but expected "
                                       f"{len(grad_input)}")
                grad_input = replaced
        return grad_input


def _float_tensor(value: Any) -> bool:
    return isinstance(value, Tensor) and value.dtype.is_floating_point


def wrap_inputs(module: Any, args: tuple) -> tuple[tuple, BackwardHookState | None]:
    """Pass the tensor arguments through an input identity (when backward will run)."""
    if not GradMode.enabled:
        return args, None
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    needs_grad = any(args[i].requires_grad for i in positions)
    state = BackwardHookState(module, len(positions), needs_grad)
    if not needs_grad:
        if module._backward_hooks:
            warnings.warn("Full backward hook is firing when gradients are computed with respect "
                          "to module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          UserWarning, stacklevel=4)
        return args, state
    wrapped = BackwardHookFunction.apply(state, False, *[args[i] for i in positions])
    args = list(args)
    for i, tensor in zip(positions, wrapped):
        args[i] = tensor
    return tuple(args), state


def wrap_outputs(state: BackwardHookState | None, output: Any) -> Any:
    """Pass the output tensor(s) through the output identity."""
    if state is None:
        return output
    single = isinstance(output, Tensor)
    items = [output] if single else list(output) if isinstance(output, tuple) else None
    if items is None:
        return output
    positions = [i for i, o in enumerate(items) if _float_tensor(o) and o.requires_grad]
    if not positions:
        return output
    wrapped = BackwardHookFunction.apply(state, True, *[items[i] for i in positions])
    for i, tensor in zip(positions, wrapped):
        items[i] = tensor
    return items[0] if single else tuple(items)


def attach_non_full_hooks(module: Any, args: tuple, output: Any) -> None:
    """register_backward_hook's behaviour: hook the grad_fn of the output (the last node)."""
    if not GradMode.enabled or not isinstance(output, Tensor) or output.grad_fn is None:
        if isinstance(output, tuple):
            warnings.warn("Using non-full backward hooks on a Module that does not return a "
                          "single Tensor or a tuple of Tensors is deprecated and will be removed "
                          "in future versions. This hook will be missing some of the grad_output."
                          " Please use register_full_backward_hook to get the documented "
                          "behavior.", FutureWarning, stacklevel=3)
        return
    node = output.grad_fn
    input_nodes = {id(a.grad_fn) if a.grad_fn is not None else id(a._get_grad_accumulator())
                   for a in args if isinstance(a, Tensor) and a.requires_grad}
    reached = {id(edge[0]) for edge in node.next_functions if edge[0] is not None}
    if not reached <= input_nodes:
        warnings.warn("Using a non-full backward hook when the forward contains multiple autograd "
                      "Nodes is deprecated and will be removed in future versions. This hook "
                      "will be missing some grad_input. Please use register_full_backward_hook "
                      "to get the documented behavior.", FutureWarning, stacklevel=3)

    def on_node(grad_inputs: tuple, grad_outputs: tuple) -> Any:
        result = grad_inputs
        for hook in list(module._backward_hooks.values()):
            replaced = hook(module, result, grad_outputs)
            if replaced is not None:
                result = tuple(replaced)
        return result

    node.register_hook(on_node)
