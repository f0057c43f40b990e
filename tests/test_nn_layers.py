"""Every non-convolution layer against PyTorch (same weights copied through NumPy): Linear, the
activations, BatchNorm (train and eval, running statistics), LayerNorm, Embedding, Flatten, and the
statistics and reproducibility of Dropout / Dropout2d."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from nn_parity import check_module, close

import tinygrad_edu
from tinygrad_edu import nn
from tinygrad_edu.testing.strategies import shapes


def random_array(seed: int, shape: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    return (scale * np.random.default_rng(seed).standard_normal(shape)).astype(np.float32)


@given(shapes(min_dims=1, max_dims=3), st.integers(1, 5), st.booleans(), st.integers(0, 2**16))
def test_linear_matches_torch(device: str, leading: tuple[int, ...], out_features: int,
                              bias: bool, seed: int) -> None:
    in_features = leading[-1]
    x = random_array(seed, leading)
    check_module(nn.Linear(in_features, out_features, bias),
                 torch.nn.Linear(in_features, out_features, bias), x, device=device)


ACTIVATIONS = [
    ("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("GELU", {}),
    ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("Sigmoid", {}), ("Tanh", {}),
    ("Softmax", {"dim": 1}), ("LogSoftmax", {"dim": -1}), ("Flatten", {}), ("Identity", {}),
    ("Flatten", {"start_dim": 0, "end_dim": 1}),
]


@pytest.mark.parametrize("name, kwargs", ACTIVATIONS)
@given(shape=shapes(min_dims=2, max_dims=4), seed=st.integers(0, 2**16))
def test_activation_layers_match_torch(device: str, name: str, kwargs: dict,
                                       shape: tuple[int, ...], seed: int) -> None:
    x = random_array(seed, shape, scale=3.0)
    x.flat[0] = 0.0  # the kink of relu / leaky_relu, where the subgradient convention shows
    check_module(getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs), x,
                 device=device)


@given(st.floats(-12, 12))
def test_gelu_exact_is_precise_in_float64(value: float) -> None:
    x = np.array([value, -value, value / 7], dtype=np.float64)
    ours = nn.functional.gelu(tinygrad_edu.tensor(x)).numpy()
    theirs = torch.nn.functional.gelu(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-14, rtol=1e-12)


@pytest.mark.parametrize("layer, shape", [("BatchNorm1d", (5, 3)), ("BatchNorm1d", (4, 3, 6)),
                                          ("BatchNorm2d", (3, 3, 4, 5))])
@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_then_eval_matches_torch(device: str, layer: str, shape: tuple,
                                                     momentum: float | None,
                                                     affine: bool) -> None:
    ours = getattr(nn, layer)(3, momentum=momentum, affine=affine)
    theirs = getattr(torch.nn, layer)(3, momentum=momentum, affine=affine)
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 2.0)
            theirs.bias.uniform_(-1.0, 1.0)
    for step in range(3):  # running statistics accumulate over several batches
        check_module(ours, theirs, random_array(step, shape, 2.0) + 1.0, device=device)
    ours.eval()
    theirs.eval()
    check_module(ours, theirs, random_array(9, shape), device=device)


def test_batch_norm_without_running_stats_uses_batch_stats_in_eval() -> None:
    ours, theirs = nn.BatchNorm2d(2, track_running_stats=False).eval(), torch.nn.BatchNorm2d(
        2, track_running_stats=False).eval()
    check_module(ours, theirs, random_array(0, (3, 2, 2, 2)))


@given(shapes(min_dims=2, max_dims=4, min_side=2), st.integers(1, 2), st.booleans(),
       st.integers(0, 2**16))
def test_layer_norm_matches_torch(device: str, shape: tuple[int, ...], normalized_dims: int,
                                  affine: bool, seed: int) -> None:
    normalized = shape[len(shape) - normalized_dims:]
    theirs = torch.nn.LayerNorm(normalized, elementwise_affine=affine)
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 2.0)
            theirs.bias.uniform_(-1.0, 1.0)
    check_module(nn.LayerNorm(normalized, elementwise_affine=affine), theirs,
                 random_array(seed, shape), device=device)


@given(st.integers(2, 6), st.integers(1, 4), shapes(min_dims=1, max_dims=2),
       st.sampled_from([None, 0, -1]), st.booleans(), st.integers(0, 2**16))
def test_embedding_matches_torch(device: str, rows: int, dim: int, index_shape: tuple,
                                 padding_idx: int | None, scale_grad: bool, seed: int) -> None:
    indices = np.random.default_rng(seed).integers(0, rows, index_shape)
    kwargs = {"padding_idx": padding_idx, "scale_grad_by_freq": scale_grad}
    check_module(nn.Embedding(rows, dim, **kwargs), torch.nn.Embedding(rows, dim, **kwargs),
                 indices, device=device)


def test_embedding_max_norm_renormalises_rows_like_torch() -> None:
    theirs = torch.nn.Embedding(5, 3, max_norm=1.0)
    with torch.no_grad():
        theirs.weight.mul_(3)
    ours = nn.Embedding(5, 3, max_norm=1.0)
    check_module(ours, theirs, np.array([[0, 2], [2, 4]]))
    close("renormalised weight", ours.weight, theirs.weight, (1e-6, 1e-5))


def test_embedding_padding_row_starts_at_zero() -> None:
    layer = nn.Embedding(4, 3, padding_idx=2)
    assert layer.weight[2].abs().sum().item() == 0
    assert layer.weight[0].abs().sum().item() > 0


@pytest.mark.parametrize("layer, shape, p", [("Dropout", (200, 50), 0.3),
                                             ("Dropout2d", (40, 50, 3, 2), 0.6)])
def test_dropout_statistics_and_gradient(layer: str, shape: tuple, p: float) -> None:
    module = getattr(nn, layer)(p)
    x = tinygrad_edu.ones(shape, requires_grad=True)
    y = module(x)
    y.sum().backward()
    values = y.detach().numpy()
    kept = values != 0
    np.testing.assert_allclose(values[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.03
    np.testing.assert_array_equal(x.grad.numpy(), values)  # dx = mask / (1 - p) = y for x = 1
    if layer == "Dropout2d":  # whole channels: every H x W map is all kept or all dropped
        per_channel = kept.reshape(shape[0], shape[1], -1)
        assert (per_channel.all(-1) | ~per_channel.any(-1)).all()


def test_dropout_is_seeded_identity_in_eval_and_p_extremes() -> None:
    x = tinygrad_edu.randn(8, 8)
    tinygrad_edu.manual_seed(3)
    first = nn.functional.dropout(x, 0.5)
    tinygrad_edu.manual_seed(3)
    second = nn.functional.dropout(x, 0.5)
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    assert nn.Dropout(0.5).eval()(x) is x
    np.testing.assert_array_equal(nn.functional.dropout(x, 1.0).numpy(), np.zeros((8, 8)))
    assert nn.functional.dropout(x, 0.0) is x


def test_dropout_inplace_changes_the_tensor() -> None:
    x = tinygrad_edu.ones(10, 10)
    result = nn.Dropout(0.5, inplace=True)(x)
    assert result is x
    assert (x.numpy() == 0).any() and (x.numpy() == 2).any()
