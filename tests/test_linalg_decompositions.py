"""Decompositions against PyTorch (ops/decompositions.py): linalg.eigh, eigvalsh, svd, svdvals,
pinv, cholesky, qr, matrix_norm(ord=2/-2/'nuc') and torch.svd / qr / pinverse / cholesky, values and
gradients on every device; and the symmetric_eigen primitive's Triton kernel against its NumPy
reference (kernels/eigen.py).

Eigenvectors and singular vectors are defined up to sign (LAPACK picks one, Jacobi another), so
the cases compare what does not depend on it: values, |V|, reconstructions, projectors."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from parity_helpers import LAYOUTS, relayout
from tinygrad_edu.kernels import View, contiguous_strides
from tinygrad_edu.kernels.eigen import symmetric_eigen_reference

import tinygrad_edu as te
from tinygrad_edu.testing import assert_matches_torch
from tinygrad_edu.testing.strategies import arrays


@st.composite
def separated_values(draw: st.DrawFn, k: int) -> np.ndarray:
    """k values at least 0.5 apart (eigenvalue gaps keep the eigenvector gradients finite)."""
    steps = draw(st.lists(st.floats(0.5, 2.0), min_size=k, max_size=k))
    return np.cumsum(steps)


@st.composite
def symmetric(draw: st.DrawFn, batch: tuple[int, ...], n: int) -> np.ndarray:
    """Q diag(values) Q^T with a random orthogonal Q and separated values of both signs."""
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((*batch, n, n)))
    values = draw(separated_values(n)) - draw(st.floats(0, 3))
    return (q * values[..., None, :]) @ np.swapaxes(q, -1, -2)


@st.composite
def full_rank(draw: st.DrawFn, batch: tuple[int, ...], m: int, n: int) -> np.ndarray:
    """U diag(S) V^T with separated singular values in [0.5, ~8]."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    u, _ = np.linalg.qr(rng.standard_normal((*batch, m, m)))
    v, _ = np.linalg.qr(rng.standard_normal((*batch, n, n)))
    k = min(m, n)
    s = draw(separated_values(k))[::-1]
    return (u[..., :, :k] * s) @ np.swapaxes(v[..., :, :k], -1, -2)


def _svd_invariants(t, a, **options):
    u, s, vh = t.linalg.svd(a, **options)
    k = s.shape[-1]
    return s, u.abs(), vh.abs(), (u[..., :, :k] * s.unsqueeze(-2)) @ vh[..., :k, :]


def _full_svd_invariants(t, a):
    """The completed basis is unique only as a subspace: compare U U^T = I and |U[:, :k]|."""
    u, s, vh = t.linalg.svd(a.detach())
    return s, u[..., :, : s.shape[-1]].abs(), u @ u.mT, vh.abs()


CASES = {  # name -> (kind of input, function)
    "eigh": ("symmetric", lambda t, a: (lambda w, v: (w, v.abs(), v @ (w.sin().diag_embed())
                                                       @ v.mT))(*t.linalg.eigh(a))),
    "eigh_upper": ("symmetric", lambda t, a: (lambda w, v: (w * 2, (v * v)[..., 0, :]))(
        *t.linalg.eigh(a, UPLO="U"))),
    "eigvalsh": ("symmetric", lambda t, a: t.linalg.eigvalsh(a)),
    "svd_tall": ("tall", lambda t, a: _svd_invariants(t, a, full_matrices=False)),
    "svd_wide": ("wide", lambda t, a: _svd_invariants(t, a, full_matrices=False)),
    "svd_full": ("tall", _full_svd_invariants),
    "torch_svd": ("wide", lambda t, a: (lambda u, s, v: (s, (u * s.unsqueeze(-2)) @ v.mT))(
        *t.svd(a))),
    "svdvals": ("tall", lambda t, a: t.linalg.svdvals(a)),
    "matrix_norm": ("wide", lambda t, a: (t.linalg.matrix_norm(a, 2), t.linalg.matrix_norm(
        a, -2, keepdim=True), t.linalg.matrix_norm(a, "nuc"), t.linalg.norm(a, 2, (-1, -2)))),
    "pinv": ("tall", lambda t, a: t.linalg.pinv(a)),
    "pinv_wide": ("wide", lambda t, a: t.pinverse(a) * 2),
    "pinv_hermitian": ("symmetric", lambda t, a: t.linalg.pinv(a, hermitian=True)),
    "qr": ("tall", lambda t, a: tuple(t.linalg.qr(a))),
    "qr_wide": ("wide", lambda t, a: tuple(t.linalg.qr(a, mode="complete"))),
    "torch_qr": ("tall", lambda t, a: tuple(t.qr(a.detach(), some=False))),
    "matrix_power": ("tall", lambda t, a: (t.linalg.matrix_power(a[..., :2, :2], 3),
                                           t.matrix_power(a[..., :2, :2], -2),
                                           a[..., :1, :1].matrix_power(0))),
    "multi_dot": ("tall", lambda t, a: t.linalg.multi_dot([a[..., 0, :], a.mT.reshape(
        a.shape[-1], -1), a.reshape(-1, a.shape[-1])[:, :1].reshape(-1)])
        if a.ndim == 2 else t.linalg.multi_dot([a[0], a[0].mT, a[0]])),
    "vecdot_matmul_diagonal": ("tall", lambda t, a: (t.linalg.vecdot(a, a[..., :1, :]),
                                                     t.linalg.matmul(a.mT, a),
                                                     t.linalg.diagonal(a, offset=-1))),
    "matrix_rank_cond": ("tall", lambda t, a: (t.linalg.matrix_rank(a.detach()),
                                               t.linalg.cond(a), t.linalg.cond(a, -2))),
    # PyTorch's own backward of cond(p="fro"/"nuc") fails (an in-place op on inv's output)
    "cond_square": ("symmetric", lambda t, a: (t.linalg.cond(a.detach(), "fro"),
                                               t.linalg.cond(a.detach(), "nuc"),
                                               t.linalg.matrix_rank(a.detach(),
                                                                    hermitian=True))),
    "cholesky": ("positive", lambda t, a: t.linalg.cholesky(a)),
    "cholesky_upper": ("positive", lambda t, a: t.linalg.cholesky(a, upper=True).sin()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_decomposition_matches_torch(name: str, device: str) -> None:
    kind, function = CASES[name]

    @settings(max_examples=5 if device == "cpu" else 1)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        batch = tuple(data.draw(st.lists(st.integers(1, 2), max_size=1)))
        n = data.draw(st.integers(1, 3))
        if kind in ("symmetric", "positive"):
            a = data.draw(symmetric(batch, n))
            if kind == "positive":
                a = a @ np.swapaxes(a, -1, -2) + np.eye(n)
        else:
            m = n + data.draw(st.integers(0, 2))
            a = data.draw(full_rank(batch, m, n) if kind == "tall" else full_rank(batch, n, m))
        a = a.astype("float32")
        layout = data.draw(st.sampled_from(LAYOUTS))
        assert_matches_torch(lambda t, a: function(t, relayout(t, a, layout)), None, a,
                             device=device, forward_tolerance=(1e-4, 1e-4),
                             gradient_tolerance=(2e-3, 2e-3))

    check()


def test_bad_inputs_raise_torchs_errors() -> None:
    for lib in (te, torch):
        with pytest.raises(RuntimeError, match="A must be batches of square matrices"):
            lib.linalg.eigh(lib.ones(2, 3))
        with pytest.raises(RuntimeError, match="leading minor of order 2 is not positive"):
            lib.linalg.cholesky(lib.tensor([[1.0, 2.0], [2.0, 1.0]]))
        with pytest.raises(RuntimeError, match=r"\(Batch element 1\): The factorization"):
            lib.linalg.cholesky(lib.stack([lib.eye(2), -lib.eye(2)]))
        with pytest.raises(RuntimeError, match="Expected a floating point"):
            lib.linalg.svd(lib.ones(2, 2, dtype=lib.int64))
        with pytest.warns(UserWarning, match="torch.cholesky is deprecated"):
            lib.cholesky(lib.eye(2))


def test_qr_refuses_the_derivatives_torch_refuses() -> None:
    for lib in (te, torch):
        a = lib.ones(3, 2, requires_grad=True)
        with pytest.raises(RuntimeError, match="not computed when mode='r'"):
            lib.linalg.qr(a, mode="r").R.sum().backward()
        with pytest.raises(RuntimeError, match="not differentiable when mode='complete'"):
            lib.linalg.qr(a, mode="complete").Q.sum().backward()
        assert lib.linalg.qr(a, mode="r").Q.shape == (0,)
        with pytest.raises(RuntimeError, match="qr received unrecognized mode 'full'"):
            lib.linalg.qr(a, mode="full")


def test_pinv_of_a_rank_deficient_matrix_matches_torch() -> None:
    a = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]], np.float32)  # rank 1
    assert int(te.linalg.matrix_rank(te.tensor(a))) == 1
    with pytest.raises(RuntimeError, match="expected at least 2 tensors but got 1"):
        te.linalg.multi_dot([te.tensor(a)])
    assert_matches_torch(lambda t, a: t.linalg.pinv(a.detach()), None, a)
    assert_matches_torch(lambda t, a: t.linalg.pinv(a.detach(), atol=0.5, rtol=0.0), None, a)


@pytest.mark.skipif(importlib.util.find_spec("triton") is None, reason="Triton is not installed")
@settings(max_examples=6)
@given(data=st.data(), dtype=st.sampled_from(["float32", "float64"]))
def test_symmetric_eigen_kernel_matches_reference(data: st.DataObject, dtype: str) -> None:
    from tinygrad_edu.kernels.triton_backend import triton_implementations

    batch = tuple(data.draw(st.lists(st.integers(1, 2), max_size=1)))
    n = data.draw(st.integers(1, 5))
    a = data.draw(arrays(dtype, (*batch, n, n), low=-3, high=3))
    if data.draw(st.booleans()):  # repeated eigenvalues: a multiple of the identity
        a = np.broadcast_to(np.eye(n, dtype=dtype) * 2, a.shape).copy()
    transposed = data.draw(st.booleans())  # read through a permuted view: the upper triangle
    stored = np.ascontiguousarray(np.swapaxes(a, -1, -2)) if transposed else a
    strides = list(contiguous_strides(a.shape))
    if transposed:
        strides[-1], strides[-2] = strides[-2], strides[-1]
    view = View(a.shape, tuple(strides), 0)
    values, vectors = symmetric_eigen_reference(stored.reshape(-1), view)
    triton = triton_implementations()
    got_values, got_vectors = (x.detach().cpu().numpy() for x in triton["symmetric_eigen"](
        triton["from_host"](stored.reshape(-1)), view))
    tolerance = 2e-5 if dtype == "float32" else 1e-10
    scale = max(1.0, float(np.abs(a).max())) * n
    np.testing.assert_allclose(got_values, values, atol=tolerance * scale)
    got_v = got_vectors.reshape(a.shape)
    lower = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)
    rebuilt = (got_v * got_values.reshape(*a.shape[:-1])[..., None, :]) @ np.swapaxes(got_v, -1, -2)
    np.testing.assert_allclose(rebuilt, lower, atol=tolerance * scale)  # A = V diag(L) V^T
    identity = np.swapaxes(got_v, -1, -2) @ got_v
    np.testing.assert_allclose(identity, np.broadcast_to(np.eye(n), identity.shape),
                               atol=tolerance * n)
