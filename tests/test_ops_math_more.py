"""More math, reductions and activations (issue 10, part A): ops/math_more.py composites, rrelu,
Softmax2d, unique_consecutive and ops on 0-d tensors along dim 0 / -1, against PyTorch on both
devices (forward and gradients)."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as te
from tinygrad_edu.testing import assert_matches_torch

FLOATS = st.floats(-4, 4, width=32)

UNARY = {
    "sinc": lambda t, x: t.sinc(x), "sinc_method": lambda t, x: (x * 1).sinc_(),
    "positive": lambda t, x: t.positive(x) * 2,
    "float_power": lambda t, x: [t.float_power(x.abs(), 1.5), x.float_power(2)],
    "ldexp": lambda t, x: t.ldexp(x, t.tensor([1, 0, 3], device=x.device)),
    "nansum": lambda t, x: [t.nansum(x), x.nansum(0, keepdim=True)],
    "nanmean": lambda t, x: [t.nanmean(x, -1), x.nanmean()],
    "aminmax": lambda t, x: [*t.aminmax(x), *x.aminmax(dim=0, keepdim=True)],
    "diff": lambda t, x: [t.diff(x), x.diff(n=2, dim=0), t.diff(x, prepend=x[:, :1], append=x)],
    "rrelu_eval": lambda t, x: t.nn.functional.rrelu(x, 0.1, 0.3),
    "softmax2d": lambda t, x: t.nn.Softmax2d()(x.reshape(1, 2, 3)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_composites_match_torch(name: str, device: str) -> None:
    @settings(max_examples=6 if device == "cpu" else 1)
    @given(hnp.arrays(np.float32, (2, 3), elements=FLOATS))
    def check(x: np.ndarray) -> None:
        if name.startswith("nan"):
            x = x.copy()
            x[0, 1] = np.nan
        assert_matches_torch(UNARY[name], None, x, device=device)

    check()


def test_special_values(device: str) -> None:
    x = np.array([0.0, -0.0, 1.0, np.nan, -2.0, np.inf], dtype=np.float32)
    y = np.array([np.nan, 1.0, np.nan, 2.0, -3.0, 0.0], dtype=np.float32)
    assert_matches_torch(lambda t, a, b: [t.fmax(a, b), t.fmin(a, b), t.sinc(a[:3])], None, x, y,
                         device=device)
    assert_matches_torch(lambda t, a: [t.signbit(a), t.count_nonzero(a), t.nansum(a)], None, x,
                         device=device, differentiate=False)
    ints = np.array([[3, 0, -2], [0, 0, 5]])
    assert_matches_torch(lambda t, a: [t.count_nonzero(a, 1), a.count_nonzero((0, 1)),
                                       t.diff(a, 2), t.diff(a > 0), t.signbit(a),
                                       t.fmax(a, a.flip(0)), *t.aminmax(a, dim=1), t.nansum(a),
                                       t.sinc(a)], None, ints, device=device, differentiate=False)
    assert te.aminmax(te.ones(2)).max.item() == 1.0
    with pytest.raises(RuntimeError, match="nanmean"):
        te.nanmean(te.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="diff expects input to be at least one-dimensional"):
        te.diff(te.tensor(1.0))


def test_rrelu_training_draws_slopes_in_range() -> None:
    layer = te.nn.RReLU(0.1, 0.3)
    assert repr(layer) == repr(torch.nn.RReLU(0.1, 0.3))
    x = te.full((500,), -1.0, requires_grad=True)
    y = layer(x)
    slopes = -y.detach().numpy()
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3 and slopes.std() > 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)  # dx = a where x < 0
    layer.eval()
    assert layer(te.tensor([-1.0, 2.0])).tolist() == pytest.approx([-0.2, 2.0])
    with pytest.raises(ValueError, match="expected input to be 3D or 4D, got 2D"):
        te.nn.Softmax2d()(te.ones(2, 2))


def test_unique_consecutive(device: str) -> None:
    x = np.array([1, 1, 2, 2, 3, 1, 1, 2], dtype=np.int64)
    rows = np.array([[1, 2], [1, 2], [0, 3], [1, 2]], dtype=np.float32)

    def call(t, a, b):
        return [*t.unique_consecutive(a, return_inverse=True, return_counts=True),
                *b.unique_consecutive(return_inverse=True, return_counts=True, dim=0),
                t.unique_consecutive(b, dim=1), t.unique_consecutive(a[:0])]

    assert_matches_torch(call, None, x, rows, device=device, differentiate=False)


@pytest.mark.parametrize("dim", [0, -1])
def test_indexing_ops_on_0d_tensors(dim: int, device: str) -> None:
    def call(t, x):
        index = t.tensor(0, device=x.device)
        return [t.flip(x, (dim,)), t.gather(x, dim, index), t.index_select(x, dim, index[None]),
                t.scatter_add(x, dim, index, x * 2), t.searchsorted(x[None], x), t.norm(x, 0)]

    assert_matches_torch(call, None, np.float32(1.5), device=device, differentiate=False)
    with pytest.raises(IndexError, match="Index to scalar can have only 1 value"):
        te.index_select(te.tensor(1.0), 0, te.tensor([0, 0]))


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_and_nanquantile(interpolation: str, device: str) -> None:
    if device == "cuda" and interpolation in ("lower", "higher", "midpoint"):
        return  # the interpreter is slow: linear and nearest cover the kernels used
    x = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    with_nan = x.copy()
    with_nan[0, 1] = np.nan
    q = np.array([0.0, 0.3, 1.0], dtype=np.float32)

    def call(t, v, qs):
        return [t.quantile(v, 0.4, interpolation=interpolation),
                v.quantile(qs, dim=1, keepdim=True, interpolation=interpolation),
                t.quantile(v, qs, 0, interpolation=interpolation)]

    assert_matches_torch(call, None, x, q, device=device)
    assert_matches_torch(lambda t, v, qs: [t.nanquantile(v, qs, 1, interpolation=interpolation),
                                           t.quantile(v, 0.5, 1), v.nanquantile(0.5)], None,
                         with_nan, q, device=device, differentiate=False)
    with pytest.raises(RuntimeError, match=r"q values must be in the range \[0, 1\]"):
        te.quantile(te.ones(3), 1.5)


def test_products_steps_and_sets(device: str) -> None:
    a, b = np.array([12, -18, 0, 7, 0]), np.array([8, 24, 5, 0, 0])
    x = np.array([[0.5, -1.0, 0.0], [2.0, 0.0, -3.0]], dtype=np.float32)
    y = np.array([1.5, 2.0, -0.5], dtype=np.float32)
    assert_matches_torch(lambda t, u, v: [t.addcmul(u, v, u, value=0.5),
                                          u.addcdiv(v, v.abs() + 1, value=2),
                                          (u * 1).addcmul_(v, v)], None, x, y, device=device)
    assert_matches_torch(lambda t, u, v, m, n: [t.gcd(m, n), m.lcm(n), t.isin(m, n),
                                                t.isin(m, n, invert=True), t.heaviside(u, v),
                                                t.isreal(u), u.greater(v), u.not_equal(v)],
                         None, x, y, a, b, device=device, differentiate=False)
    with pytest.raises(NotImplementedError, match="not implemented for 'Float'"):
        te.gcd(te.ones(2), te.ones(2))
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        te.addcdiv(te.tensor([1]), te.tensor([1]), te.tensor([1]))
    assert te.tensor([1.0]).is_signed() and not te.tensor([1], dtype=te.uint8).is_signed()
    assert te.is_floating_point(te.ones(1)) and te.is_nonzero(te.tensor([2]))


def test_rest_of_torch_functional(device: str) -> None:
    from tinygrad_edu import functional

    assert {"atleast_2d", "block_diag", "tensordot", "unravel_index"} <= set(functional.__all__)
    scalar, row = np.array(2.0, dtype=np.float32), np.arange(3, dtype=np.float32)
    matrix = np.arange(6, dtype=np.float32).reshape(2, 3)

    def call(t, s, r, m):
        return [t.atleast_1d(s), *t.atleast_2d(s, r), t.atleast_3d(r), t.atleast_3d(m),
                *t.broadcast_tensors(r, m), t.cartesian_prod(r, r[:2]), t.block_diag(s, r, m),
                t.chain_matmul(m, m.t(), m), t.tensordot(m, m.t(), 1),
                t.tensordot(m, m, ([0, 1], [0, 1])), t.tensordot(r, r, 0)]

    assert_matches_torch(call, None, scalar, row, matrix, device=device)
    assert te.broadcast_shapes((2, 1), 3) == torch.broadcast_shapes((2, 1), 3)
    with pytest.raises(RuntimeError, match="Shape mismatch: objects cannot be broadcast"):
        te.broadcast_shapes((2,), (3,))
    ours = te.unravel_index(te.tensor([4, 1, -1, 7]), (2, 3))
    theirs = torch.unravel_index(torch.tensor([4, 1, -1, 7]), (2, 3))
    assert [o.tolist() for o in ours] == [t.tolist() for t in theirs]


def test_scatter_family(device: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    src = rng.standard_normal((3, 4)).astype(np.float32)
    index = np.array([[0, 1, 2], [3, 2, 1], [1, 0, 3]])

    def call(t, v, s, i):
        positions = t.tensor([0, 2], device=v.device)
        return [t.scatter(v, 1, i, s[:, :3]), v.scatter(1, i[:, :2], 2.5),
                (v * 1).scatter_(1, i, s[:, :3]), t.index_fill(v, 1, positions, -2.0),
                t.index_copy(v, 1, positions.flip(0), s[:, :2]), v.masked_scatter(v > 0, s),
                v.put(positions, s[0, :2]), v.put(positions, s[0, :2], accumulate=True),
                t.take(v, i[:2] - 1), (v * 1).index_fill_(0, positions[:1], 0.5),
                t.argwhere(v > 0), v.argwhere()]

    assert_matches_torch(call, None, x, src, index, device=device)
    one_hot = te.zeros(3, 4).scatter_(1, te.tensor([[1], [3], [0]]), 1.0)
    assert one_hot.tolist() == torch.zeros(3, 4).scatter_(1, torch.tensor([[1], [3], [0]]),
                                                          1.0).tolist()


def test_integrals_histograms_and_statistics(device: str) -> None:
    rng = np.random.default_rng(3)
    y = rng.standard_normal((3, 5)).astype(np.float32)
    x = np.sort(rng.random(5)).astype(np.float32)

    def call(t, v, s):
        weights = t.tensor([1, 2, 1, 3, 1], device=v.device)
        return [t.trapezoid(v), t.trapezoid(v, s), t.trapz(v, dim=0),
                t.cumulative_trapezoid(v, dx=0.5), t.cumulative_trapezoid(v, s), t.cov(v),
                t.cov(v, fweights=weights, aweights=s + 0.5), t.corrcoef(v), t.dist(v, v[0] * 2),
                v.dist(s, 1)]

    assert_matches_torch(call, None, y, x, device=device)
    assert_matches_torch(lambda t, v: [t.histc(v), t.histc(v, 4, -1, 1), v.histc(3)], None, y,
                         device=device, differentiate=False)
