"""Loss functions: one number saying how wrong a prediction is; its gradient says how to fix it.

    mse_loss            (x - y)^2                      l1_loss    |x - y|
    huber_loss          0.5 d^2 if |d| < delta, else delta (|d| - delta / 2)   smooth_l1: / beta
    binary_cross_entropy            -w (y log x + (1 - y) log(1 - x))       x in [0, 1]
    binary_cross_entropy_with_logits  the same with x = sigmoid(z), computed from z stably:
                        (1 - y) z + lw * (log(1 + e^-|z|) + max(-z, 0)),   lw = 1 + (pos_weight-1) y
    cross_entropy, nll_loss         see cross_entropy.py

reduction='mean' (the default) averages the per-element losses, 'sum' adds them, 'none' keeps them.
The two binary cross-entropies are fused Functions: composing them from log/abs/max would give a
wrong gradient exactly at the kinks (z == 0) and nan where log(0) is clamped.
"""

from __future__ import annotations

import warnings

from ..autograd.function import Function
from ..autograd.tracing import composite
from ..tensor import Tensor
from . import lowering
from .cross_entropy import (
    CrossEntropyIndices,
    as_rows,
    check_class_range,
    check_class_target,
    check_class_weight,
    check_reduction,
    unflatten_losses,
)
from .operands import scalar_tensor


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str,
                     stacklevel: int = 3) -> str:
    """PyTorch's deprecated size_average/reduce flags, translated to a reduction string
    (stacklevel: where the warning points; 4 from a loss below, under its @composite wrapper)."""
    if size_average is None and reduce is None:
        check_reduction(reduction)
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='"
                  f"{'none' if reduce is False else 'sum' if size_average is False else 'mean'}'"
                  " instead.", stacklevel=stacklevel)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else "mean" if size_average else "sum"


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


# --- classification ----------------------------------------------------------------------------
@composite
def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits (N, C[, d...]) against class indices or probabilities."""
    reduction = legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    check_class_weight(weight, classes)
    if target.dtype.is_floating_point and target.shape == input.shape:
        if ignore_index != -100:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing)
    target = check_class_target(input, target)
    if target.device.type == "cpu":  # on the GPU the kernel checks, without a device-to-host copy
        check_class_range(target, classes, ignore_index)
    rows, flat_target = as_rows(input, target)
    losses = CrossEntropyIndices.apply(rows, flat_target, weight, ignore_index, reduction,
                                       float(label_smoothing))
    return unflatten_losses(losses, input, reduction)


def _cross_entropy_probabilities(input: Tensor, target: Tensor, weight: Tensor | None,
                                 reduction: str, smoothing: float) -> Tensor:
    """loss = -sum_c w[c] * y[c] * log_softmax(x)[c], y smoothed toward uniform."""
    class_dim = 1 if input.ndim >= 2 else 0
    classes = input.shape[class_dim]
    log_p = input.log_softmax(class_dim)
    if smoothing:
        target = target * (1 - smoothing) + smoothing / classes
    products = log_p * target
    if weight is not None:
        products = products * weight.reshape(classes, *([1] * (input.ndim - 2)))
    losses = -products.sum(class_dim)
    return _reduce(losses, reduction)


@composite
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """-w[t] * input[t] per row, for log-probabilities input (N, C[, d...])."""
    reduction = legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    check_class_weight(weight, classes)
    target = check_class_target(input, target)
    on_host = target.device.type == "cpu"
    if on_host:  # on the GPU the gather checks, without a device-to-host copy
        check_class_range(target, classes, ignore_index)
    rows, flat_target = as_rows(input, target)  # (M, C), (M,)
    counted = flat_target != ignore_index
    if not on_host:  # t < 0 moved to t - C, below the gather's range [-C, C): reported as bad
        flat_target = flat_target.where(flat_target >= 0, flat_target - classes)
    safe_target = flat_target.masked_fill(~counted, 0)

    def bad_target(largest: int, smallest: int) -> IndexError:
        return IndexError(f"Target {largest if largest >= classes else smallest + classes} "
                          "is out of bounds.")

    with lowering.index_errors_as(rows, bad_target):  # raised at the next host read
        picked = rows.gather(1, safe_target.unsqueeze(1)).squeeze(1)  # (M,) log p[t]
        row_weight = counted.to(rows.dtype)
        if weight is not None:
            row_weight = row_weight * weight.index_select(0, safe_target)
    losses = -picked * row_weight
    if reduction == "mean":
        return losses.sum() / row_weight.sum()
    return unflatten_losses(losses, input, reduction) if reduction == "none" else losses.sum()


# --- binary ------------------------------------------------------------------------------------
class BinaryCrossEntropy(Function):
    """l = -w (y log x + (1-y) log(1-x)), logs clamped at -100;  dx = dy w (x - y) / (x (1 - x))"""

    @staticmethod
    def forward(ctx, x, y, w):
        ctx.save_for_backward(x, y, w)
        low = scalar_tensor(-100, x.dtype, x)
        log_x = lowering.binary("maximum", lowering.unary("log", x), low)
        one_minus_x = lowering.binary("sub", scalar_tensor(1, x.dtype, x), x)
        log_rest = lowering.binary("maximum", lowering.unary("log", one_minus_x), low)
        mixed = lowering.binary("add", lowering.binary("mul", y, log_x), lowering.binary(
            "mul", lowering.binary("sub", scalar_tensor(1, x.dtype, x), y), log_rest))
        losses = lowering.unary("neg", mixed)
        return losses if w is None else lowering.binary("mul", losses, w)

    @staticmethod
    def backward(ctx, dy):
        x, y, w = ctx.saved_tensors
        weighted = dy if w is None else dy * w
        dx = dy_target = dweight = None
        if ctx.needs_input_grad[0]:
            dx = weighted * (x - y) / (x * (1 - x)).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            dy_target = weighted * ((1 - x).log() - x.log())  # unclamped, as PyTorch's
        if ctx.needs_input_grad[2]:
            log_x, log_rest = x.log().clamp(min=-100), (1 - x).log().clamp(min=-100)
            dweight = dy * -(y * log_x + (1 - y) * log_rest)
        return dx, dy_target, dweight


class BinaryCrossEntropyWithLogits(Function):
    """l = w ((1-y) z + lw softplus(-z)), lw = 1 + (pw-1) y;  dz = dy w ((1-y) - lw sigmoid(-z))"""

    @staticmethod
    def forward(ctx, z, y, w, pos_weight):
        ctx.save_for_backward(z, y, w, pos_weight)
        return _logit_losses(z, y, w, pos_weight)

    @staticmethod
    def backward(ctx, dy):
        z, y, w, pos_weight = ctx.saved_tensors
        weighted = dy if w is None else dy * w
        log_weight = 1 if pos_weight is None else (pos_weight - 1) * y + 1
        grads = [None, None, None, None]
        if ctx.needs_input_grad[0]:
            grads[0] = weighted * ((1 - y) - log_weight * (-z).sigmoid())
        softplus = (-z.abs()).exp().log1p() + (-z).relu()  # log(1 + e^-z), stable
        if ctx.needs_input_grad[1]:
            slope = -z if pos_weight is None else -z + (pos_weight - 1) * softplus
            grads[1] = weighted * slope
        if ctx.needs_input_grad[2]:
            grads[2] = dy * ((1 - y) * z + log_weight * softplus)
        if ctx.needs_input_grad[3]:
            grads[3] = weighted * y * softplus
        return tuple(grads)


def _logit_losses(z: Tensor, y: Tensor, w: Tensor | None, pos_weight: Tensor | None) -> Tensor:
    """(1-y) z + lw * (log(1 + e^-|z|) + max(-z, 0)), never exponentiating a large number."""
    one = scalar_tensor(1, z.dtype, z)
    negative_z = lowering.unary("neg", z)
    softplus = lowering.binary(
        "add", lowering.unary("log1p", lowering.unary("exp", lowering.unary(
            "neg", lowering.unary("abs", z)))), lowering.unary("relu", negative_z))
    if pos_weight is not None:
        log_weight = lowering.binary("add", lowering.binary(
            "mul", lowering.binary("sub", pos_weight, one), y), one)
        softplus = lowering.binary("mul", softplus, log_weight)
    losses = lowering.binary("add", lowering.binary("mul", lowering.binary("sub", one, y), z),
                             softplus)
    return losses if w is None else lowering.binary("mul", losses, w)


def _check_same_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")


@composite
def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """BCE of probabilities in [0, 1] (e.g. after sigmoid) against targets in [0, 1]."""
    reduction = legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    _check_same_size(input, target)
    values = input.detach()
    if not bool(((values >= 0) & (values <= 1)).all()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    x, y = input, target.to(input.dtype)
    w = None if weight is None else weight.to(input.dtype).expand(input.shape)
    return _reduce(BinaryCrossEntropy.apply(x, y, w), reduction)


@composite
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE of sigmoid(input), computed from the logits so that +-1000 gives exact answers."""
    reduction = legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    _check_same_size(input, target)
    y = target.to(input.dtype)
    w = None if weight is None else weight.to(input.dtype).expand(input.shape)
    pw = None if pos_weight is None else pos_weight.to(input.dtype).expand(input.shape)
    return _reduce(BinaryCrossEntropyWithLogits.apply(input, y, w, pw), reduction)


# --- regression --------------------------------------------------------------------------------
def _pointwise_loss(name: str, input: Tensor, target: Tensor, reduction: str,
                    weight: Tensor | None, elementwise) -> Tensor:
    if name != "l1" and (input.dtype.is_complex or target.dtype.is_complex):
        # as PyTorch: squared errors and their hybrids are not defined on complex (|d| is)
        wide = "complex128" in (input.dtype.name, target.dtype.name)
        part = "ComplexDouble" if wide else "ComplexFloat"
        raise NotImplementedError(f"\"{name}\" not implemented for '{part}'")
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=4)
    losses = elementwise(input - target)
    if weight is None:
        return _reduce(losses, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    losses = losses * weight
    return losses.sum() / weight.sum() if reduction == "mean" else _reduce(losses, reduction)


@composite
def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """(input - target)^2, averaged (or summed, or not)."""
    reduction = legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    return _pointwise_loss("mse", input, target, reduction, weight, lambda d: d * d)


@composite
def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """|input - target|, averaged (or summed, or not)."""
    reduction = legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    return _pointwise_loss("l1", input, target, reduction, weight, lambda d: d.abs())


# --- robust regression (reinforcement learning's TD errors, outliers) ---------------------------
@composite
def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = input - target.

    Quadratic near 0, linear beyond delta: the gradient is d, capped at +-delta, so one huge
    error (a bad TD target in DQN, an outlier) cannot produce a huge step.
    dx = clamp(d, -delta, delta) (the two pieces meet with equal slope at |d| = delta)."""
    check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise_loss("huber", input, target, reduction, weight,
                           lambda d: _huber(d, float(delta)))


@composite
def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta: huber_loss / beta (l1 at beta 0)."""
    reduction = legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return _pointwise_loss("smooth_l1", input, target, reduction, None, lambda d: d.abs())
    return _pointwise_loss("smooth_l1", input, target, reduction, None,
                           lambda d: _huber(d, float(beta)) / beta)


def _huber(d: Tensor, delta: float) -> Tensor:
    size = d.abs()
    return (0.5 * d * d).where(size < delta, delta * (size - 0.5 * delta))
