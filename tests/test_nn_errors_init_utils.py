"""Bad input gets PyTorch's error (wrong channels, wrong target dtype/shape, bad class, ...);
nn.init draws the right distributions reproducibly; clip_grad_norm_ / clip_grad_value_ match
PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F


def same_error(call: object, words: int | None = None) -> None:
    """call(module) raises the same exception type and message in both libraries (the first
    `words` words only, where PyTorch's message prints a set or varies by code path)."""
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(tinygrad_edu)
    our_message = str(ours.value).replace("tinygrad_edu.Size", "torch.Size")
    assert our_message.split()[:words] == str(theirs.value).split()[:words]


PARTIAL_MESSAGES = {"conv padding mode": 5, "conv padding string": 7, "max pool padding": 3}


LOGITS = np.zeros((4, 5), np.float32)

ERRORS = {
    "conv wrong in_channels": lambda t: t.nn.Conv2d(1, 4, 3)(t.zeros(2, 3, 8, 8)),
    "conv 2-D input": lambda t: t.nn.Conv2d(1, 4, 3)(t.zeros(8, 8)),
    "conv kernel too big": lambda t: t.nn.Conv2d(1, 4, 3)(t.zeros(2, 1, 1, 1)),
    "conv groups in": lambda t: t.nn.Conv2d(3, 4, 3, groups=2),
    "conv groups out": lambda t: t.nn.Conv2d(4, 3, 3, groups=2),
    "conv padding string": lambda t: t.nn.Conv2d(4, 4, 3, padding="foo"),
    "conv same strided": lambda t: t.nn.Conv2d(4, 4, 3, stride=2, padding="same"),
    "conv padding mode": lambda t: t.nn.Conv2d(4, 4, 3, padding_mode="bad"),
    "ce class out of range": lambda t: t.nn.CrossEntropyLoss()(
        t.tensor(LOGITS), t.tensor([0, 1, 2, 7])),
    "ce negative class": lambda t: t.nn.functional.cross_entropy(
        t.tensor(LOGITS), t.tensor([0, 1, 2, -3])),
    "ce float target": lambda t: t.nn.CrossEntropyLoss()(
        t.tensor(LOGITS), t.tensor([0.0, 1, 2, 3])),
    "ce int32 target": lambda t: t.nn.CrossEntropyLoss()(
        t.tensor(LOGITS), t.tensor([0, 1, 2, 3], dtype=t.int32)),
    "ce batch size": lambda t: t.nn.CrossEntropyLoss()(t.tensor(LOGITS), t.tensor([0, 1, 2])),
    "ce 2-D target": lambda t: t.nn.CrossEntropyLoss()(t.tensor(LOGITS), t.zeros(4, 4)),
    "ce spatial target": lambda t: t.nn.CrossEntropyLoss()(
        t.zeros(4, 5, 3), t.zeros(4, 2, dtype=t.long)),
    "ce smoothing": lambda t: t.nn.CrossEntropyLoss(label_smoothing=1.5)(
        t.tensor(LOGITS), t.tensor([0, 1, 2, 3])),
    "ce probabilities ignore_index": lambda t: t.nn.CrossEntropyLoss(ignore_index=1)(
        t.tensor(LOGITS), t.zeros(4, 5)),
    "ce reduction": lambda t: t.nn.functional.cross_entropy(
        t.tensor(LOGITS), t.tensor([0, 1, 2, 3]), reduction="foo"),
    "ce weight size": lambda t: t.nn.CrossEntropyLoss(weight=t.ones(3))(
        t.tensor(LOGITS), t.tensor([0, 1, 2, 3])),
    "nll out of range": lambda t: t.nn.NLLLoss()(t.tensor(LOGITS), t.tensor([0, 1, 2, 5])),
    "bce range": lambda t: t.nn.BCELoss()(t.tensor([1.5]), t.tensor([1.0])),
    "dropout p": lambda t: t.nn.Dropout(1.5),
    "batch norm one value": lambda t: t.nn.BatchNorm1d(3)(t.zeros(1, 3)),
    "batch norm 1d dims": lambda t: t.nn.BatchNorm1d(3)(t.zeros(2, 3, 4, 5)),
    "batch norm 2d dims": lambda t: t.nn.BatchNorm2d(3)(t.zeros(2, 3, 4)),
    "batch norm channels": lambda t: t.nn.BatchNorm2d(3)(t.zeros(2, 4, 4, 4)),
    "layer norm shape": lambda t: t.nn.LayerNorm(3)(t.zeros(2, 4)),
    "embedding range": lambda t: t.nn.Embedding(3, 2)(t.tensor([3])),
    "linear shapes": lambda t: t.nn.Linear(3, 2)(t.zeros(2, 4)),
    "max pool padding": lambda t: t.nn.functional.max_pool2d(t.zeros(1, 1, 4, 4), 2, padding=2),
    "max pool too small": lambda t: t.nn.functional.max_pool2d(t.zeros(1, 1, 1, 1), 3),
    "one hot range": lambda t: t.nn.functional.one_hot(t.tensor([1, 3]), 3),
    "one hot dtype": lambda t: t.nn.functional.one_hot(t.tensor([1.0, 2.0])),
    "pad mode": lambda t: t.nn.functional.pad(t.zeros(1, 2, 3), (1, 1), mode="foo"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_bad_input_raises_torch_error(name: str) -> None:
    same_error(ERRORS[name], PARTIAL_MESSAGES.get(name))


def test_embedding_float_indices_error_names_the_problem() -> None:
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types"):
        nn.Embedding(3, 2)(tinygrad_edu.tensor([1.0]))


def test_init_is_reproducible_with_manual_seed() -> None:
    tinygrad_edu.manual_seed(7)
    first = nn.Conv2d(3, 8, 3).state_dict()
    tinygrad_edu.manual_seed(7)
    second = nn.Conv2d(3, 8, 3).state_dict()
    for key in first:
        np.testing.assert_array_equal(first[key].numpy(), second[key].numpy())
    assert not np.array_equal(first["weight"].numpy(), nn.Conv2d(3, 8, 3).weight.detach().numpy())


@pytest.mark.parametrize("layer, fan_in", [(lambda: nn.Linear(300, 200), 300),
                                           (lambda: nn.Conv2d(20, 30, 5), 500)])
def test_default_init_is_pytorchs_uniform(layer: object, fan_in: int) -> None:
    module = layer()
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) works out to this bound
    weights = module.weight.detach().numpy()
    assert np.abs(weights).max() <= bound
    assert abs(weights.std() - bound / math.sqrt(3)) < 0.03 * bound
    assert np.abs(module.bias.detach().numpy()).max() <= bound


@pytest.mark.parametrize("name, kwargs, expected_std", [
    ("kaiming_uniform_", {"nonlinearity": "relu"}, math.sqrt(2 / 400)),
    ("kaiming_normal_", {"mode": "fan_out"}, math.sqrt(2 / (1 + 0.0)) / math.sqrt(300)),
    ("xavier_uniform_", {"gain": 2.0}, 2.0 * math.sqrt(2 / 700)),
    ("xavier_normal_", {}, math.sqrt(2 / 700)),
    ("normal_", {"mean": 1.0, "std": 0.5}, 0.5),
    ("uniform_", {"a": -3.0, "b": 3.0}, 3 / math.sqrt(3)),
])
def test_init_distributions(name: str, kwargs: dict, expected_std: float) -> None:
    weight = tinygrad_edu.empty(300, 400)
    result = getattr(nn.init, name)(weight, **kwargs)
    assert result is weight
    values = weight.numpy()
    assert abs(values.std() - expected_std) < 0.02 * expected_std
    assert abs(values.mean() - kwargs.get("mean", 0.0)) < 0.02 * max(expected_std, 1e-3) * 5


def test_init_constants_and_gain() -> None:
    weight = tinygrad_edu.empty(3, 3)
    assert nn.init.ones_(weight).numpy().tolist() == [[1.0] * 3] * 3
    assert nn.init.zeros_(weight).numpy().sum() == 0
    assert nn.init.constant_(weight, 2.5).numpy().mean() == 2.5
    for nonlinearity, param in [("relu", None), ("tanh", None), ("leaky_relu", 0.2),
                                ("sigmoid", None), ("selu", None)]:
        assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
            torch.nn.init.calculate_gain(nonlinearity, param))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float) -> None:
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (5,), (2, 2, 2)]]
    results = []
    for module in (tinygrad_edu, torch):
        params = [module.zeros(g.shape, requires_grad=True) for g in grads]
        for param, grad in zip(params, grads):
            param.grad = module.tensor(grad)
        total = module.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        results.append((total.item(), [p.grad.numpy() for p in params]))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-5)
    for ours, theirs in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_clip_grad_value_matches_torch() -> None:
    grad = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    clipped = []
    for module in (tinygrad_edu, torch):
        param = module.zeros(3, 4, requires_grad=True)
        param.grad = module.tensor(grad)
        module.nn.utils.clip_grad_value_([param], 1.5)
        clipped.append(param.grad.numpy())
    np.testing.assert_array_equal(clipped[0], clipped[1])


def test_functional_names_exist_in_torch() -> None:
    for name in F.__all__:
        assert hasattr(torch.nn.functional, name), name
    for name in nn.__all__:
        assert hasattr(torch.nn, name), name
