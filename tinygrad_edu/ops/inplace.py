"""In-place ops: compute out of place, write the result back into the tensor's own storage.

    x.add_(y)   ==   x[...] = x + y   plus: x's version counter goes up, and x's grad_fn becomes
                                      the AddBackward0 node (if a graph is being recorded)

The version counter is how autograd notices that a tensor it saved for backward was overwritten.
In-place ops on a leaf that requires grad are refused (its .grad would lose its meaning), except
under no_grad — which is exactly how optimizers update parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autograd.grad_mode import GradMode
from ..tensor import Tensor
from . import lowering


def check_inplace(target: Tensor) -> None:
    """PyTorch's refusals for in-place ops while a graph is being recorded."""
    if not GradMode.enabled:
        return
    if target._requires_grad and target._grad_fn is None:
        if target._base is not None and target._base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")


def inplace(target: Tensor, op: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
    """Run op(target, *args) and store the result in target's storage; return target."""
    check_inplace(target)
    recording = GradMode.enabled and (target._requires_grad or any(
        getattr(a, "_requires_grad", False) for a in args))
    if recording and target._base is not None:
        raise RuntimeError("tinygrad_edu does not support in-place operations on a view of a "
                           "tensor while recording gradients; use the out-of-place op instead")
    current = target
    if recording:  # the op sees target's history, not its future
        current = target._alias()
        current._requires_grad = target._requires_grad
        current._grad_fn, current._output_nr = target._grad_fn, target._output_nr
        if current._requires_grad:  # its backward may need the old value, about to be overwritten:
            current = current.clone()  # it gets a copy (PyTorch saves the "original self" too)
    result = op(current, *args, **kwargs)
    if result.dtype is not target.dtype and result.dtype.category > target.dtype.category:
        raise RuntimeError(f"result type {_type_name(result)} can't be cast to the desired output "
                           f"type {_type_name(target)}")
    if result._view.shape != target._view.shape:
        raise RuntimeError(f"output with shape {list(target.shape)} doesn't match the broadcast "
                           f"shape {list(result.shape)}")
    lowering.copy_into(target, result)
    if recording:
        target._grad_fn, target._output_nr = result._grad_fn, result._output_nr
        target._requires_grad = result._requires_grad
    return target


def _type_name(x: Tensor) -> str:
    return x.type().split(".")[-1].replace("Tensor", "")


def copy_(target: Tensor, source: Any) -> Tensor:
    """target[...] = source (broadcast and cast to target's dtype)."""
    if not isinstance(source, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(source).__name__}")
    recording = GradMode.enabled and source._requires_grad
    if not recording:
        check_inplace(target)
        if source._storage.device != target._storage.device:
            source = source.to(target.device)
        lowering.copy_into(target, source if source.dtype is target.dtype
                           else lowering.cast(source, target.dtype))
        return target
    return inplace(target, lambda current, src: src.to(current.dtype).expand(current.shape) +
                   current.new_zeros(()), source)


def fill_(target: Tensor, value: Any) -> Tensor:
    """Every element of target = value."""
    check_inplace(target)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        value = value.item()
    lowering.copy_into(target, lowering.full((), value, target.dtype, target.device))
    if GradMode.enabled and target._requires_grad:  # the old history no longer matters
        target.detach_()
    return target


def add_inplace_without_checks(target: Tensor, other: Tensor) -> None:
    """target += other for gradient accumulation (no graph, no leaf check)."""
    if other.dtype is not target.dtype:
        other = lowering.cast(other, target.dtype)
    lowering.copy_into(target, lowering.binary("add", target, other))
