"""Cross-entropy and negative log-likelihood for classification.

With p = softmax(x) over the C classes of one row and a target class t:

    nll_loss(log p, t)  = -w[t] * log p[t]
    cross_entropy(x, t) = nll_loss(log_softmax(x), t)
    with label smoothing e: (1 - e) * nll + e/C * sum_c -w[c] * log p[c]

Its gradient is famously simple, which is why the fused op exists (one node, no log-softmax node):

    dx[c] = p[c] * ((1 - e) w[t] + e/C sum(w)) - ((1 - e) w[t] [c == t] + e/C w[c])

(with no weights and no smoothing: dx = p - onehot(t))

Rows whose target is ignore_index contribute nothing, and reduction='mean' divides by the total
weight of the counted rows (the number of rows when there are no weights). Class-probability
targets (same shape as x) are composed from log_softmax, since every term is then smooth.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..dtypes import dtype, int64, uint8
from ..tensor import Tensor
from . import lowering
from .operands import scalar_tensor


def _constant(value: float, like: Tensor) -> Tensor:
    return scalar_tensor(value, like.dtype, like)


def _class_weights(x: Tensor, weight: Tensor | None) -> Tensor:
    """w[c] for every class, as a (C,) tensor (ones when no weight is given)."""
    if weight is not None:
        return weight
    return lowering.full((x._view.shape[1],), 1, x.dtype, x.device)


def _one_hot(target: Tensor, classes: int, dtype: dtype) -> Tensor:
    """(M,) class indices -> (M, C) rows of 0 and 1, as constants (lowering: no graph)."""
    column = lowering.view_of(target, lowering.contiguous_view((target._view.shape[0], 1)))
    hits = lowering.binary("eq", column, lowering.arange(0, 1, classes, int64, target.device))
    return lowering.cast(hits, dtype)


class SoftmaxCrossEntropy(Function):
    """loss = -log_softmax(x)[t] (mean, sum or per row);  dx = dy * (softmax(x) - onehot(t))

    The plain case (no class weights, no smoothing, no ignored rows), in as few steps as possible:
    it is the loss of nearly every classifier's training step."""

    node_name = "CrossEntropyLossBackward0"

    @staticmethod
    def forward(ctx, x, target, reduction):
        # x: (M, C) logits, target: (M,) int64 class indices
        rows = x._view.shape[0]
        log_p = lowering.softmax(x, 1, log=True)
        column = lowering.view_of(target, lowering.contiguous_view((rows, 1)))
        losses = lowering.unary("neg", lowering.gather(log_p, 1, column))  # (M, 1)
        ctx.save_for_backward(x, target)
        ctx.reduction = reduction
        if reduction == "none":
            return lowering.view_of(losses, lowering.contiguous_view((rows,)))
        total = lowering.reduce("sum", losses, (0, 1))
        return total if reduction == "sum" else lowering.binary(
            "div", total, scalar_tensor(rows, x.dtype, x))

    @staticmethod
    def backward(ctx, dy):
        x, target = ctx.saved_tensors
        grad = x.softmax(1) - _one_hot(target, x._view.shape[1], x.dtype)  # (M, C)
        if ctx.reduction == "none":
            return grad * dy.unsqueeze(1), None, None
        scale = dy / x._view.shape[0] if ctx.reduction == "mean" else dy
        return grad * scale, None, None


class CrossEntropyIndices(Function):
    """loss = (1-e) * -w[t] log p[t] + e/C * sum_c -w[c] log p[c];  dx = dy * (p * coef - target)"""

    node_name = "CrossEntropyLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, smoothing):
        # x: (M, C) logits, target: (M,) int64 class indices
        rows, classes = x._view.shape
        log_p = lowering.softmax(x, 1, log=True)  # (M, C)
        counted = lowering.binary("ne", target, scalar_tensor(ignore_index, int64, target))
        safe_target = lowering.where(counted, target, scalar_tensor(0, int64, target))  # (M,)
        class_weight = _class_weights(x, weight)  # (C,)
        row_weight = lowering.binary("mul", lowering.index_select(class_weight, 0, safe_target),
                                     lowering.cast(counted, x.dtype))  # (M,) w[t], 0 if ignored
        target_mass = lowering.binary(  # (M, C) = (1-e) w[t] [c == t]
            "mul", _one_hot(safe_target, classes, x.dtype),
            lowering.view_of(row_weight, lowering.contiguous_view((rows, 1))))
        target_mass = lowering.binary("mul", target_mass, _constant(1 - smoothing, x))
        coef = lowering.binary("mul", row_weight, _constant(1 - smoothing, x))  # (M,)
        if smoothing:
            uniform_mass = lowering.binary(  # (M, C) = e/C * w[c] on counted rows
                "mul", lowering.view_of(lowering.cast(counted, x.dtype),
                                        lowering.contiguous_view((rows, 1))),
                lowering.binary("mul", class_weight, _constant(smoothing / classes, x)))
            target_mass = lowering.binary("add", target_mass, uniform_mass)
            total_weight = lowering.reduce("sum", class_weight, (0,))
            coef = lowering.binary("add", coef, lowering.binary(
                "mul", lowering.cast(counted, x.dtype),
                lowering.binary("mul", total_weight, _constant(smoothing / classes, x))))
        losses = lowering.reduce("sum", lowering.binary("mul", target_mass, log_p), (1,))  # (M,)
        losses = lowering.unary("neg", losses)
        scale = None
        if reduction == "mean":
            scale = lowering.reduce("sum", row_weight, (0,))
            losses = lowering.binary("div", lowering.reduce("sum", losses, (0,)), scale)
        elif reduction == "sum":
            losses = lowering.reduce("sum", losses, (0,))
        ctx.save_for_backward(x, target_mass, coef, scale)
        ctx.reduction = reduction
        return losses

    @staticmethod
    def backward(ctx, dy):
        x, target_mass, coef, scale = ctx.saved_tensors
        p = x.softmax(1)  # recomputed from x: second derivatives stay right
        grad = p * coef.unsqueeze(1) - target_mass  # (M, C)
        if ctx.reduction == "none":
            return grad * dy.unsqueeze(1), None, None, None, None, None
        if ctx.reduction == "mean":
            dy = dy / scale
        return grad * dy, None, None, None, None, None


def check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _type_word(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int32": "Int",
            "int64": "Long", "uint8": "Byte", "bool": "Bool"}[t.dtype.name]


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
    ignored = values == ignore_index
    bad = values[~ignored & ((values < 0) | (values >= classes))]
    if bad.size:
        raise IndexError(f"Target {bad.flat[0]} is out of bounds.")
    return bool(ignored.any())


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
