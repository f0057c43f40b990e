"""Cross-entropy and negative log-likelihood for classification.

With p = softmax(x) over the C classes of one row and a target class t:

    nll_loss(log p, t)  = -w[t] * log p[t]
    cross_entropy(x, t) = nll_loss(log_softmax(x), t)
    with label smoothing e: (1 - e) * nll + e/C * sum_c -w[c] * log p[c]

Its gradient is famously simple, which is why the fused op exists (one node, no log-softmax node):

    dx[c] = p[c] * ((1 - e) w[t] + e/C sum(w)) - ((1 - e) w[t] [c == t] + e/C w[c])

(with no weights and no smoothing: dx = p - onehot(t))

Rows whose target is ignore_index contribute nothing, and reduction='mean' divides by the total
weight of the counted rows (the number of rows when there are no weights). Class-index targets
run as two fused primitives (kernels/cross_entropy.py): the forward streams each row once and
never writes log p; the backward turns each logit into dx with the saved log-sum-exp. Class-
probability targets (same shape as x) are composed from log_softmax, since every term is smooth.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..creation import arange
from ..dtypes import int64, uint8
from ..tensor import Tensor
from . import lowering


class CrossEntropyIndices(Function):
    """loss = (1-e) * -w[t] log p[t] + e/C * sum_c -w[c] log p[c];  dx = dy * (p * coef - mass)

    coef = (1-e) w[t] + e/C sum(w),  mass[c] = (1-e) w[t] [c == t] + e/C w[c]  (0 if ignored)"""

    node_name = "CrossEntropyLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, smoothing):
        # x: (M, C) logits, target: (M,) int64 class indices, weight: (C,) or None
        # 'sum' and 'mean' are reduced by the primitive itself (the kernel adds up its rows):
        # losses is then the loss (), and row_weights the total weight () that 'mean' divides by
        losses, row_weights, lse = lowering.cross_entropy(x, target, weight, ignore_index,
                                                          smoothing, reduction)
        ctx.save_for_backward(x, target, weight, lse)
        ctx.settings = (reduction, ignore_index, smoothing)
        ctx.total_weight = row_weights if reduction == "mean" else None
        return losses

    @staticmethod
    def backward(ctx, dy):
        x, target, weight, lse = ctx.saved_tensors
        reduction, ignore_index, smoothing = ctx.settings
        dy_rows = dy if reduction == "none" else dy.expand(x._view.shape[0])  # (M,)
        if is_grad_enabled():  # create_graph=True: Tensor ops, so dx can be differentiated
            if ctx.total_weight is not None:
                dy_rows = dy_rows / ctx.total_weight
            dx = _composed_grad(x, target, weight, dy_rows, ignore_index, smoothing)
        else:  # the kernel divides dy by the total weight itself after 'mean'
            dx = lowering.cross_entropy_backward(x, target, weight, lse, dy_rows, ignore_index,
                                                 smoothing, ctx.total_weight)
        return dx, None, None, None, None, None


def _composed_grad(x: Tensor, target: Tensor, weight: Tensor | None, dy_rows: Tensor,
                   ignore_index: int, smoothing: float) -> Tensor:
    """dx = dy * (softmax(x) * coef - mass) from Tensor ops (the fused kernel's formula)."""
    classes = x._view.shape[1]
    counted = target != ignore_index  # (M,)
    safe_target = target.masked_fill(~counted, 0)
    class_weight = x.new_ones(classes) if weight is None else weight  # (C,)
    row_weight = class_weight.index_select(0, safe_target) * counted.to(x.dtype)  # (M,) w[t]
    one_hot = (safe_target.unsqueeze(1) == arange(classes, device=x.device)).to(x.dtype)
    share = counted.to(x.dtype).unsqueeze(1) * (smoothing / classes)  # (M, 1) e/C, 0 if ignored
    mass = (1 - smoothing) * row_weight.unsqueeze(1) * one_hot + share * class_weight
    coef = (1 - smoothing) * row_weight.unsqueeze(1) + share * class_weight.sum()  # (M, 1)
    return (x.softmax(1) * coef - mass) * dy_rows.unsqueeze(1)


def check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _type_word(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int32": "Int",
            "int64": "Long", "uint8": "Byte", "bool": "Bool", "int16": "Short",
            "int8": "Char"}[t.dtype.name]


def check_class_target(input: Tensor, target: Tensor) -> Tensor:
    """Validate class-index targets against (N, C, d1, ...) or (C,) input; return them as int64."""
    if input.ndim == 1:
        if target.ndim != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif input.ndim == 2 and target.ndim != 1:
        if target.ndim == 0 or target.shape[0] == input.shape[0]:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.ndim >= 2 and target.shape[0] != input.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    if input.ndim > 2:
        expected = [input.shape[0], *input.shape[2:]]
        if list(target.shape) != expected:
            raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    if target.dtype not in (int64, uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_type_word(target)}")
    return target if target.dtype is int64 else target.long()


def check_class_range(target: Tensor, classes: int, ignore_index: int) -> bool:
    """IndexError for a target outside [0, C) that is not ignore_index (PyTorch's message);
    returns whether any target is ignore_index."""
    values = target.numpy() if target.device.type == "cpu" else target.cpu().numpy()
    outside = (values < 0) | (values >= classes)
    if outside.any():  # rare: out of range, unless each such target is ignore_index
        bad = values[outside & (values != ignore_index)]
        if bad.size:
            raise IndexError(f"Target {bad.flat[0]} is out of bounds.")
        return True
    # every target is a class: one is ignored only if ignore_index is a class (-100 is not)
    return 0 <= ignore_index < classes and bool((values == ignore_index).any())


def check_class_weight(weight: Tensor | None, classes: int) -> None:
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != classes):
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")


def as_rows(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """(N, C, d1, ...) logits and (N, d1, ...) targets as (M, C) rows and (M,) targets."""
    if input.ndim == 1:
        return input.unsqueeze(0), target.reshape(1)
    if input.ndim == 2:
        return input, target
    channels_last = input.permute(0, *range(2, input.ndim), 1)  # (N, d1, ..., C)
    return channels_last.reshape(-1, input.shape[1]), target.reshape(-1)


def unflatten_losses(losses: Tensor, input: Tensor, reduction: str) -> Tensor:
    """Per-element losses back in the target's shape (only reduction='none' keeps them)."""
    if reduction != "none":
        return losses
    if input.ndim == 1:
        return losses.reshape(())
    return losses.reshape(input.shape[0], *input.shape[2:])
