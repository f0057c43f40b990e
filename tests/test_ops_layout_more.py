"""Shape helpers (ravel, tile, hstack ... tensor_split, select, mv, inner, diagflat), the vector
distances and the samplers against PyTorch: values and gradients on both devices."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as te
from tinygrad_edu.testing import assert_matches_torch

floats = st.floats(-3, 3, width=32)
matrices = hnp.arrays(np.float32, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4),
                      elements=floats)

SHAPE_CALLS = {
    "ravel": lambda t, a: t.ravel(a.T),
    "tile": lambda t, a: [t.tile(a, (2,)), a.tile((2, 1, 3))],
    "stacks": lambda t, a: [t.hstack([a, a]), t.vstack([a, a[:1]]), t.dstack([a, a]),
                            t.row_stack([a[0], a[-1]]), t.hstack([a[0], a[-1]]),
                            t.column_stack([a[:, 0], a])],
    "splits": lambda t, a: [*t.tensor_split(a, 3, dim=1), *a.tensor_split([1, -1]),
                            *t.hsplit(a, [1]), *t.vsplit(a, [1])],
    "flips": lambda t, a: [t.fliplr(a), t.flipud(a)],
    "select": lambda t, a: [t.select(a, 1, -1), a.select(0, 0)],
    "products": lambda t, a: [t.mv(a, a[0]), t.inner(a, a), a.inner(a[0]), t.diagflat(a, 1)],
    "distances": lambda t, a: [t.nn.functional.cosine_similarity(a, a.flip(0)),
                               t.cosine_similarity(a, a * 2 + 1, dim=0),
                               t.nn.functional.pairwise_distance(a, a.flip(1)),
                               t.pairwise_distance(a, a * 0.5, p=1, keepdim=True)],
}


@pytest.mark.parametrize("name", sorted(SHAPE_CALLS))
def test_shape_helpers_match_torch(device: str, name: str) -> None:
    @settings(max_examples=8 if device == "cpu" else 2, deadline=None)  # the interpreter: few
    @given(matrices)
    def check(a):
        if name == "products" and a.shape[0] != a.shape[1]:
            a = np.resize(a, (a.shape[1], a.shape[1]))
        assert_matches_torch(SHAPE_CALLS[name], None, a, device=device)

    check()


def test_split_errors_are_torchs() -> None:
    cases = [lambda t: t.hsplit(t.zeros(2, 3), 2), lambda t: t.vsplit(t.zeros(3), 2),
             lambda t: t.dsplit(t.zeros(2, 2), 1), lambda t: t.fliplr(t.zeros(3)),
             lambda t: t.mv(t.zeros(2, 3), t.zeros(2))]
    for case in cases:
        with pytest.raises(RuntimeError) as theirs:
            case(torch)
        with pytest.raises(RuntimeError) as ours:
            case(te)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(IndexError, match=r"select\(\): index 5 out of range"):
        te.select(te.zeros(3), 0, 5)


def test_multinomial_draws_follow_the_weights(device: str) -> None:
    te.manual_seed(0)
    weights = te.tensor([0.2, 0.3, 0.5], device=device)
    draws = te.multinomial(weights, 4000, replacement=True)
    assert draws.dtype == te.int64 and draws.shape == (4000,)
    frequencies = np.bincount(draws.cpu().numpy(), minlength=3) / 4000
    np.testing.assert_allclose(frequencies, [0.2, 0.3, 0.5], atol=0.03)
    rows = te.multinomial(te.tensor([[0.0, 1.0, 3.0], [5.0, 0.0, 1.0]], device=device), 2)
    for row, zero in zip(rows.cpu().numpy(), (0, 1)):  # without replacement: distinct, no zeros
        assert len(set(row)) == 2 and zero not in row
    if device == "cpu":  # the first draw without replacement follows the weights too
        firsts = [int(te.multinomial(weights.cpu(), 1)) for _ in range(600)]
        np.testing.assert_allclose(np.bincount(firsts, minlength=3) / 600, [0.2, 0.3, 0.5],
                                   atol=0.06)


def test_multinomial_errors_are_torchs() -> None:
    for case in (lambda t: t.multinomial(t.tensor([1.0, -1.0]), 1),
                 lambda t: t.multinomial(t.tensor([1.0, 2.0]), 3),
                 lambda t: t.multinomial(t.zeros(2, 2, 2), 1)):
        with pytest.raises(RuntimeError) as theirs:
            case(torch)
        with pytest.raises(RuntimeError) as ours:
            case(te)
        assert str(ours.value) == str(theirs.value)


def test_normal_and_bernoulli(device: str) -> None:
    te.manual_seed(1)
    draws = te.normal(te.full((20000,), 3.0, device=device), 2.0)
    assert abs(float(draws.mean()) - 3.0) < 0.05 and abs(float(draws.std()) - 2.0) < 0.05
    assert te.normal(0.0, 1.0, (2, 3)).shape == (2, 3)
    assert te.normal(te.zeros(2, 1), te.ones(3)).shape == (2, 3)
    coins = te.bernoulli(te.full((20000,), 0.3, device=device))
    assert coins.dtype == te.float32 and set(np.unique(coins.cpu().numpy())) <= {0.0, 1.0}
    assert abs(float(coins.mean()) - 0.3) < 0.02
    ones = te.zeros(20000, device=device).bernoulli_(0.25)
    assert abs(float(ones.mean()) - 0.25) < 0.02 and ones.dtype == te.float32
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        te.normal(0.0, -1.0, (2,))
