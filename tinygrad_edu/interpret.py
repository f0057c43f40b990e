"""Model interpretation with autograd: which input pixels (or feature-map regions) made the model
choose a class? Three classic answers, each a few lines once you have gradients.

    from tinygrad_edu import interpret
    sal = interpret.saliency(model, images, target)                 # (N, C, H, W)
    ig, delta = interpret.integrated_gradients(model, images, target, return_delta=True)
    cam = interpret.grad_cam(model, images, target, layer=model.conv2)  # (N, h, w)

All three look at the score S = model(x)[n, target[n]] of each sample (the model's output for the
chosen class: a logit, or a log-probability for models that end in log_softmax). Gradients of
different samples do not mix, as long as the model treats samples independently (call
model.eval() first so that dropout is off).

Saliency (Simonyan et al., 2013): the input gradient dS/dx. Its size says how much a small change
of each pixel would change the score.

Integrated gradients (Sundararajan et al., 2017): the gradient averaged along the straight path
from a baseline b (e.g. a blank image) to x, times (x - b):

    IG_i(x) = (x_i - b_i) * integral_0^1 dS/dx_i (b + a (x - b)) da

By the fundamental theorem of calculus for path integrals, the attributions add up to the change
of the score: sum_i IG_i = S(x) - S(b) ("completeness"). The integral is computed with the
trapezoidal rule over `steps` intervals; the gap between the sum and S(x) - S(b) (the "delta")
shows how good that approximation is: more steps, smaller delta.

Grad-CAM (Selvaraju et al., 2017): a forward hook on a convolution layer keeps its output A
(N, K, h, w); the gradient dS/dA averaged over the positions weighs each channel,
alpha_k = mean_{ij} dS/dA_kij, and the map is relu(sum_k alpha_k A_k): where, at that layer's
resolution, the features that raise the class score are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import creation
from .autograd import grad
from .autograd.grad_mode import no_grad
from .tensor import Tensor

Target = int | Sequence[int] | Tensor


def class_scores(output: Tensor, target: Target) -> Tensor:
    """output[n, target[n]] for each sample n: (N, classes) -> (N,)."""
    if output.dim() != 2:
        raise ValueError(f"expected the model to return (N, classes) scores, got shape "
                         f"{tuple(output.shape)}")
    rows = output.shape[0]
    if isinstance(target, int):
        index = creation.full((rows, 1), target, dtype=_long(), device=output.device)
    else:
        index = target if isinstance(target, Tensor) else creation.tensor(list(target))
        index = index.to(output.device).long().reshape(-1, 1)
        if index.shape[0] != rows:
            raise ValueError(f"expected one target per sample ({rows}), got {index.shape[0]}")
    return output.gather(1, index).reshape(rows)  # (N,)


def saliency(model: Callable[[Tensor], Tensor], inputs: Tensor, target: Target, *,
             absolute: bool = True) -> Tensor:
    """dS/dx for each sample (same shape as inputs); |dS/dx| unless absolute=False."""
    x = inputs.detach().requires_grad_(True)  # (N, ...)
    (gradient,) = grad(class_scores(model(x), target).sum(), x)
    return gradient.abs() if absolute else gradient


def integrated_gradients(model: Callable[[Tensor], Tensor], inputs: Tensor, target: Target,
                         baseline: Tensor | float | None = None, steps: int = 50, *,
                         return_delta: bool = False) -> Any:
    """Integrated gradients of each sample's class score (same shape as inputs).

    baseline: a tensor broadcastable to inputs, or a number (default 0: a blank input).
    steps: intervals of the trapezoidal rule along the path from baseline to inputs.
    return_delta: also return, per sample, sum(attributions) - (S(x) - S(baseline)), shape (N,).
    """
    if steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps}")
    x = inputs.detach()
    start = creation.zeros_like(x) if baseline is None else (
        baseline.detach().to(x.device) if isinstance(baseline, Tensor)
        else creation.full_like(x, float(baseline)))
    start = start + creation.zeros_like(x)  # broadcast to the inputs' shape
    total = creation.zeros_like(x)  # sum of trapezoid-weighted gradients along the path
    for k in range(steps + 1):
        weight = 0.5 if k in (0, steps) else 1.0
        point = (start + (k / steps) * (x - start)).requires_grad_(True)
        (gradient,) = grad(class_scores(model(point), target).sum(), point)
        total = total + weight * gradient
    attributions = (x - start) * total / steps
    if not return_delta:
        return attributions
    with no_grad():
        change = class_scores(model(x), target) - class_scores(model(start), target)  # (N,)
        delta = attributions.reshape(x.shape[0], -1).sum(1) - change
    return attributions, delta


def completeness_error(model: Callable[[Tensor], Tensor], inputs: Tensor, target: Target,
                       attributions: Tensor, baseline: Tensor | float | None = None) -> float:
    """The largest |sum(IG) - (S(x) - S(b))| / |S(x) - S(b)| over the samples (0 is perfect)."""
    x = inputs.detach()
    start = creation.zeros_like(x) if baseline is None else (
        baseline.detach().to(x.device) if isinstance(baseline, Tensor)
        else creation.full_like(x, float(baseline)))
    with no_grad():
        change = class_scores(model(x), target) - class_scores(model(start + 0 * x), target)
        total = attributions.reshape(x.shape[0], -1).sum(1)
        return float(((total - change).abs() / change.abs()).max().item())


def grad_cam(model: Callable[[Tensor], Tensor], inputs: Tensor, target: Target,
             layer: Any) -> Tensor:
    """The Grad-CAM map of `layer` (a module whose output is (N, K, h, w)): shape (N, h, w)."""
    kept: list[Tensor] = []
    handle = layer.register_forward_hook(lambda module, args, output: kept.append(output))
    try:
        scores = class_scores(model(inputs.detach()), target)  # (N,)
    finally:
        handle.remove()
    if len(kept) != 1:
        raise RuntimeError(f"grad_cam: the layer ran {len(kept)} times in one forward pass; "
                           "expected exactly once")
    activations = kept[0]  # (N, K, h, w)
    if activations.dim() != 4:
        raise ValueError(f"grad_cam needs a layer with (N, K, h, w) output, got shape "
                         f"{tuple(activations.shape)}")
    (gradient,) = grad(scores.sum(), activations)  # (N, K, h, w)
    with no_grad():
        weights = gradient.mean(dim=(2, 3), keepdim=True)  # (N, K, 1, 1)
        return (weights * activations).sum(1).relu()  # (N, h, w)


def _long() -> Any:
    from . import dtypes

    return dtypes.int64
