"""The nn ops that run as fused primitives, beyond the layer parity tests: gradients of gradients
(create_graph=True switches their backward to composed Tensor ops), the cases the layers never
reach (F.batch_norm with a bias and no weight, one running statistic), and dropout on the Triton
device (reproducible from manual_seed, backward regenerating the same mask)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from nn_parity import close

import tinygrad_edu
from tinygrad_edu.nn import functional as F

TOLERANCE = (1e-5, 1e-4)


def second_derivatives(module, device, function, *arrays: np.ndarray) -> list[np.ndarray]:
    """[y, dy/dx . v, d/dx (dy/dx . v)] of a scalar function of arrays[0], in float64."""
    as_tensor = (lambda a: module.tensor(a)) if device is None else (
        lambda a: module.tensor(a, device=device))
    x = as_tensor(arrays[0]).requires_grad_(True)
    y = function(module, x, *[as_tensor(a) for a in arrays[1:]])
    (grad,) = module.autograd.grad(y, x, create_graph=True)
    direction = as_tensor(np.cos(np.arange(grad.numel())).reshape(tuple(grad.shape)))
    (hessian_vector,) = module.autograd.grad((grad * direction).sum(), x)
    return [t.detach().cpu().numpy() for t in (y, grad, hessian_vector)]


def check_second_derivatives(device: str, function, *arrays: np.ndarray) -> None:
    ours = second_derivatives(tinygrad_edu, device, function, *arrays)
    theirs = second_derivatives(torch, None, function, *arrays)
    for name, a, b in zip(("value", "gradient", "hessian-vector product"), ours, theirs):
        close(name, a, b, TOLERANCE)


def random(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.2, "ignore_index": 1},
                                     {"weight": True, "reduction": "sum"}])
def test_cross_entropy_second_derivatives_match_torch(device: str, options: dict) -> None:
    target = np.array([0, 1, 3, 2, 1])
    weight = np.linspace(0.5, 2.0, 4) if options.get("weight") else None

    def loss(module, x, t, *w):
        kwargs = {**options, "weight": w[0] if w else None}
        return (module.nn.functional.cross_entropy(x, t, **kwargs) * 1.5).sum()

    check_second_derivatives(device, loss, random(0, 5, 4), target,
                             *([] if weight is None else [weight]))


@pytest.mark.parametrize("norm", ["batch", "layer"])
def test_normalization_second_derivatives_match_torch(device: str, norm: str) -> None:
    weight, bias = np.linspace(0.5, 1.5, 3), np.linspace(-1, 1, 3)

    def cubed(module, x, w, b):
        if norm == "batch":
            y = module.nn.functional.batch_norm(x, None, None, w, b, training=True)
        else:
            y = module.nn.functional.layer_norm(x, (3,), w, b)
        return (y * y * y).sum()

    check_second_derivatives(device, cubed, random(1, 4, 3) * 2 + 1, weight, bias)


def test_batch_norm_eval_second_derivatives_match_torch(device: str) -> None:
    running_mean, running_var = np.array([0.5, -1.0, 0.0]), np.array([2.0, 0.5, 1.0])

    def cubed(module, x, mean, var, w):
        y = module.nn.functional.batch_norm(x, mean, var, w, None, training=False)
        return (y * y * y).sum()

    check_second_derivatives(device, cubed, random(2, 4, 3, 2), running_mean, running_var,
                             np.array([1.5, 0.5, -1.0]))


def test_batch_norm_with_a_bias_and_no_weight_matches_torch(device: str) -> None:
    arrays = {"x": random(3, 4, 3, 2).astype(np.float32), "bias": np.float32([0.5, -1.0, 2.0])}
    results = []
    for to in (lambda a: tinygrad_edu.tensor(a, device=device), torch.tensor):
        module = torch if to is torch.tensor else tinygrad_edu
        x, bias = to(arrays["x"]).requires_grad_(True), to(arrays["bias"]).requires_grad_(True)
        mean, var = to(np.float32([0.1, 0.2, 0.3])), to(np.float32([1.0, 2.0, 0.5]))
        y = module.nn.functional.batch_norm(x, mean, var, None, bias, training=True)
        (y * to(np.cos(np.arange(24)).reshape(4, 3, 2).astype(np.float32))).sum().backward()
        results.append([y, x.grad, bias.grad, mean, var])
    for name, ours, theirs in zip(("y", "dx", "dbias", "running mean", "running var"),
                                  *results):
        close(name, ours, theirs, TOLERANCE)


def test_batch_norm_needs_both_running_statistics_or_neither() -> None:
    for module in (tinygrad_edu, torch):
        x = module.ones(4, 3)
        with pytest.raises(ValueError, match="both be None or neither"):
            module.nn.functional.batch_norm(x, module.zeros(3), None, training=True)


@pytest.mark.parametrize("function, shape", [(F.dropout, (6, 40)), (F.dropout2d, (3, 8, 2, 5))])
def test_dropout_is_seeded_and_its_gradient_is_the_same_mask(device: str, function,
                                                             shape: tuple) -> None:
    x = tinygrad_edu.ones(shape, device=device, requires_grad=True)
    tinygrad_edu.manual_seed(5)
    y = function(x, 0.25)
    tinygrad_edu.manual_seed(5)
    again = function(x.detach(), 0.25)
    y.backward(tinygrad_edu.ones(shape, device=device) * 3)
    values = y.detach().cpu().numpy()
    np.testing.assert_array_equal(again.cpu().numpy(), values)
    assert set(np.unique(values)) == {0.0, np.float32(1 / 0.75)}
    np.testing.assert_array_equal(x.grad.cpu().numpy(), 3 * values)  # dx = dy * mask / (1 - p)
    if function is F.dropout2d:  # one draw per channel
        per_channel = values.reshape(shape[0], shape[1], -1)
        assert (per_channel == per_channel[..., :1]).all()
