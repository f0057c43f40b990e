"""Every loss against PyTorch, forward and backward, over Hypothesis-drawn shapes and arguments
(reduction, class weights, ignore_index, label_smoothing, probability targets, pos_weight), plus the
numerical stability of BCEWithLogitsLoss at +-1000."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_parity import close

import tinygrad_edu
from tinygrad_edu import nn

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def _run(module: object, loss_name: str, kwargs: dict, arrays: tuple, grad_of: tuple[int, ...],
         device: str | None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Build the loss module with tensor-valued kwargs, apply it, backprop a weighted sum."""
    to_tensor = (lambda a: module.tensor(a)) if device is None else (
        lambda a: module.tensor(a, device=device))
    options = {k: to_tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    inputs = [to_tensor(a) for a in arrays]
    for index in grad_of:
        inputs[index].requires_grad_(True)
    loss = getattr(module.nn, loss_name)(**options)(*inputs)
    weights = np.cos(np.arange(loss.numel())).reshape(tuple(loss.shape)).astype(np.float32)
    (loss * to_tensor(weights)).sum().backward()
    return loss.detach().cpu().numpy(), [inputs[i].grad.cpu().numpy() for i in grad_of]


def check_loss(loss_name: str, kwargs: dict, *arrays: np.ndarray, grad_of: tuple[int, ...] = (0,),
               device: str = "cpu", tolerance: tuple[float, float] = (1e-5, 1e-4)) -> None:
    ours, our_grads = _run(tinygrad_edu, loss_name, kwargs, arrays, grad_of, device)
    theirs, their_grads = _run(torch, loss_name, kwargs, arrays, grad_of, None)
    close("loss", ours, theirs, tolerance)
    for index, (a, b) in zip(grad_of, zip(our_grads, their_grads)):
        close(f"grad of input {index}", a, b, tolerance)


@st.composite
def classification(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    """Logits (N, C[, d]) and int64 targets, some equal to ignore_index."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    classes = draw(st.integers(2, 5))
    extra = draw(st.sampled_from([(), (3,), (2, 2)]))
    batch = draw(st.integers(1, 4))
    logits = (3 * rng.standard_normal((batch, classes, *extra))).astype(np.float32)
    targets = rng.integers(0, classes, (batch, *extra))
    ignore_index = draw(st.sampled_from([-100, 1]))
    return logits, targets, ignore_index


@given(classification(), REDUCTIONS, st.booleans(), st.sampled_from([0.0, 0.1, 0.5]))
def test_cross_entropy_with_class_indices(device: str, case: tuple, reduction: str,
                                          weighted: bool, smoothing: float) -> None:
    logits, targets, ignore_index = case
    kwargs = {"reduction": reduction, "ignore_index": ignore_index, "label_smoothing": smoothing}
    if weighted:
        kwargs["weight"] = np.linspace(0.5, 2.0, logits.shape[1]).astype(np.float32)
    if reduction == "mean" and (targets == ignore_index).all():
        targets = np.zeros_like(targets)  # all ignored: 0/0, nan in both libraries
    check_loss("CrossEntropyLoss", kwargs, logits, targets, device=device)


@given(classification(), REDUCTIONS, st.booleans(), st.sampled_from([0.0, 0.2]))
def test_cross_entropy_with_probabilities(device: str, case: tuple, reduction: str,
                                          weighted: bool, smoothing: float) -> None:
    logits, _, _ = case
    probabilities = np.random.default_rng(0).random(logits.shape).astype(np.float32)
    probabilities /= probabilities.sum(1, keepdims=True)
    kwargs = {"reduction": reduction, "label_smoothing": smoothing}
    if weighted:
        kwargs["weight"] = np.linspace(0.5, 2.0, logits.shape[1]).astype(np.float32)
    check_loss("CrossEntropyLoss", kwargs, logits, probabilities, device=device)


def test_cross_entropy_unbatched_input() -> None:
    check_loss("CrossEntropyLoss", {}, np.array([0.5, -1.0, 2.0], np.float32), np.array(2))


@given(classification(), REDUCTIONS, st.booleans())
def test_nll_loss(device: str, case: tuple, reduction: str, weighted: bool) -> None:
    logits, targets, ignore_index = case
    log_probabilities = torch.log_softmax(torch.tensor(logits), 1).numpy()
    kwargs = {"reduction": reduction, "ignore_index": ignore_index}
    if weighted:
        kwargs["weight"] = np.linspace(0.5, 2.0, logits.shape[1]).astype(np.float32)
    if reduction == "mean" and (targets == ignore_index).all():
        targets = np.zeros_like(targets)
    check_loss("NLLLoss", kwargs, log_probabilities, targets, device=device)


@st.composite
def binary_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    return (4 * rng.standard_normal(shape)).astype(np.float32), rng.random(shape).astype(
        np.float32)


@given(binary_case(), REDUCTIONS, st.booleans(), st.booleans())
def test_bce_with_logits(device: str, case: tuple, reduction: str, weighted: bool,
                         pos_weighted: bool) -> None:
    logits, targets = case
    logits.flat[0] = 0.0  # where |z| and max(-z, 0) have their kinks
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = np.linspace(0.5, 2.0, logits.shape[-1]).astype(np.float32)
    if pos_weighted:
        kwargs["pos_weight"] = np.linspace(0.5, 3.0, logits.shape[-1]).astype(np.float32)
    check_loss("BCEWithLogitsLoss", kwargs, logits, targets, grad_of=(0, 1), device=device)


def test_bce_with_logits_is_stable_at_plus_minus_1000() -> None:
    logits = np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0], np.float32)
    targets = np.array([1.0, 0.0, 0.0, 1.0, 0.5], np.float32)
    check_loss("BCEWithLogitsLoss", {"reduction": "none"}, logits, targets, grad_of=(0, 1))
    ours, _ = _run(tinygrad_edu, "BCEWithLogitsLoss", {"reduction": "none"}, (logits, targets),
                   (0,), "cpu")
    np.testing.assert_allclose(ours, [0.0, 0.0, 1000.0, 1000.0, np.log(2)], rtol=1e-6)


@given(binary_case(), REDUCTIONS, st.booleans())
def test_bce(device: str, case: tuple, reduction: str, weighted: bool) -> None:
    logits, targets = case
    probabilities = 1 / (1 + np.exp(-logits))
    probabilities.flat[0] = 1.0  # log(1 - x) = -inf is clamped to -100 in both libraries
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = np.linspace(0.5, 2.0, logits.shape[-1]).astype(np.float32)
    check_loss("BCELoss", kwargs, probabilities.astype(np.float32), targets, grad_of=(0, 1),
               device=device, tolerance=(1e-4, 1e-3))


@pytest.mark.parametrize("loss_name", ["MSELoss", "L1Loss"])
@given(binary_case(), REDUCTIONS)
def test_regression_losses(device: str, loss_name: str, case: tuple, reduction: str) -> None:
    predictions, targets = case
    predictions.flat[0] = targets.flat[0]  # |0| has a kink
    check_loss(loss_name, {"reduction": reduction}, predictions, targets, grad_of=(0, 1),
               device=device)


def test_mse_broadcasting_warns_like_torch() -> None:
    with pytest.warns(UserWarning, match="different to the input size"):
        nn.functional.mse_loss(tinygrad_edu.zeros(3, 2), tinygrad_edu.zeros(2))


def test_legacy_size_average_and_reduce_arguments() -> None:
    x, y = np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)
    with pytest.warns(UserWarning):
        check_loss("MSELoss", {"size_average": False}, x, y)
    with pytest.warns(UserWarning):
        check_loss("L1Loss", {"reduce": False}, x, y)


# --- robust regression losses (DQN example) ----------------------------------------------------
@pytest.mark.parametrize("loss_name,option", [("HuberLoss", "delta"), ("SmoothL1Loss", "beta")])
@settings(max_examples=8)  # a composite of tested ops: a few cases suffice on "cuda"
@given(binary_case(), REDUCTIONS, st.sampled_from([0.25, 1.0, 2.0]))
def test_huber_and_smooth_l1(device: str, loss_name: str, option: str, case: tuple,
                             reduction: str, width: float) -> None:
    predictions, targets = case
    predictions.flat[0] = targets.flat[0]
    check_loss(loss_name, {"reduction": reduction, option: width}, predictions, targets,
               grad_of=(0, 1), device=device)


def test_smooth_l1_with_beta_zero_is_l1_and_bad_widths_raise() -> None:
    x, y = tinygrad_edu.tensor([0.5, -2.0]), tinygrad_edu.tensor([0.0, 0.0])
    assert nn.functional.smooth_l1_loss(x, y, beta=0.0).item() == pytest.approx(1.25)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        nn.functional.huber_loss(x, y, delta=0.0)
    with pytest.raises(RuntimeError, match="negative values for beta"):
        nn.functional.smooth_l1_loss(x, y, beta=-1.0)
