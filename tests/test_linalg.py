"""Linear systems against PyTorch (ops/linalg.py): linalg.solve, inv, det, slogdet, and the
torch.inverse / det / logdet / slogdet aliases, values and gradients on every device; and the
gauss_jordan primitive's Triton kernel against its NumPy reference (kernels/linalg.py)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from parity_helpers import LAYOUTS, relayout
from tinygrad_edu.kernels import View, contiguous_strides
from tinygrad_edu.kernels.linalg import gauss_jordan_reference

import tinygrad_edu as te
from tinygrad_edu.testing import assert_matches_torch
from tinygrad_edu.testing.strategies import arrays


def examples(device: str) -> int:
    return 8 if device == "cpu" else 2


@st.composite
def regular_matrices(draw: st.DrawFn, batch: tuple[int, ...] = (), n: int | None = None,
                     dtype: str = "float32") -> np.ndarray:
    """Well-conditioned (..., n, n): random entries plus a dominant diagonal of random sign."""
    n = n if n is not None else draw(st.integers(1, 4))
    noise = draw(arrays(dtype, (*batch, n, n), low=-1, high=1))
    signs = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    return (noise + np.diag(signs * (n + 1.0))).astype(dtype)


CASES = {
    "inv": lambda t, a, b: t.linalg.inv(a),
    "inverse": lambda t, a, b: t.inverse(a) * 2,
    "det": lambda t, a, b: t.linalg.det(a),
    "det_method": lambda t, a, b: a.det(),
    "slogdet": lambda t, a, b: t.linalg.slogdet(a),
    "slogdet_alias": lambda t, a, b: tuple(t.slogdet(a)),
    "logdet": lambda t, a, b: t.logdet(a @ a.mT),
    "solve": lambda t, a, b: t.linalg.solve(a, b),
    "solve_vector": lambda t, a, b: t.linalg.solve(a, b[..., 0]),
    "solve_right": lambda t, a, b: t.linalg.solve(a, b.mT, left=False),
    "solve_broadcast": lambda t, a, b: t.linalg.solve(a, b.expand(2, *b.shape)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_linalg_matches_torch(name: str, device: str) -> None:
    @settings(max_examples=examples(device))
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        batch = tuple(data.draw(st.lists(st.integers(1, 2), max_size=2)))
        a = data.draw(regular_matrices(batch))
        b = data.draw(arrays("float32", (*batch, a.shape[-1], data.draw(st.integers(1, 3)))))
        layout = data.draw(st.sampled_from(LAYOUTS))
        assert_matches_torch(lambda t, a, b: CASES[name](t, relayout(t, a, layout), b), None, a,
                             b, device=device, forward_tolerance=(1e-5, 1e-4),
                             gradient_tolerance=(1e-4, 1e-3))

    check()


def test_singular_and_bad_inputs_raise_torchs_errors() -> None:
    for lib in (te, torch):
        singular = lib.ones(3, 3)
        with pytest.raises(RuntimeError, match="singular"):
            lib.linalg.inv(singular)
        with pytest.raises(RuntimeError, match="singular"):
            lib.linalg.solve(singular, lib.ones(3))
        assert float(lib.linalg.det(singular)) == 0.0
        sign, logabsdet = lib.linalg.slogdet(singular)
        assert float(sign) == 0.0 and float(logabsdet) == -float("inf")
        with pytest.raises(RuntimeError, match="A must be batches of square matrices"):
            lib.linalg.inv(lib.ones(2, 3))
        with pytest.raises(RuntimeError, match="Expected a floating point"):
            lib.linalg.det(lib.ones(2, 2, dtype=lib.int64))
        with pytest.raises(RuntimeError, match="Incompatible shapes"):
            lib.linalg.solve(lib.eye(3), lib.ones(2, 2))


def test_double_backward_of_inv() -> None:
    a = np.array([[3.0, 1.0], [-1.0, 2.0]])
    assert_matches_torch(lambda t, a: t.autograd.grad(t.linalg.inv(a).sum(), a,
                                                      create_graph=True)[0], None, a)


@pytest.mark.skipif(importlib.util.find_spec("triton") is None, reason="Triton is not installed")
@settings(max_examples=10)
@given(data=st.data(), dtype=st.sampled_from(["float32", "float64"]))
def test_gauss_jordan_kernel_matches_reference(data: st.DataObject, dtype: str) -> None:
    from tinygrad_edu.kernels.triton_backend import triton_implementations

    batch = tuple(data.draw(st.lists(st.integers(1, 2), max_size=2)))
    n, m = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 3))
    a = data.draw(regular_matrices(batch, n, dtype))
    if data.draw(st.booleans()):  # a singular matrix: a zero row (pivot exactly 0 in both)
        a[..., -1, :] = 0
    b = data.draw(arrays(dtype, (*batch, n, m)))
    transposed = data.draw(st.booleans())  # A read through a permuted (non-contiguous) view
    stored = np.ascontiguousarray(np.swapaxes(a, -1, -2)) if transposed else a
    a_view = View(a.shape, contiguous_strides(a.shape), 0)
    if transposed:
        strides = list(contiguous_strides(stored.shape))
        strides[-1], strides[-2] = strides[-2], strides[-1]
        a_view = View(a.shape, tuple(strides), 0)
    b_view = View(b.shape, contiguous_strides(b.shape), 0)
    expected = gauss_jordan_reference(stored.reshape(-1), a_view, b.reshape(-1), b_view)
    triton = triton_implementations()
    got = triton["gauss_jordan"](triton["from_host"](stored.reshape(-1)), a_view,
                                 triton["from_host"](b.reshape(-1)), b_view)
    got = [g.detach().cpu().numpy() for g in got]
    tolerance = (1e-4, 1e-4) if dtype == "float32" else (1e-9, 1e-9)
    np.testing.assert_allclose(got[2], expected[2])  # signs exactly
    regular = np.repeat(expected[2] != 0, n * m)
    np.testing.assert_allclose(got[0][regular], expected[0][regular], *tolerance[::-1])
    finite = np.isfinite(expected[1])
    np.testing.assert_allclose(got[1][finite], expected[1][finite], *tolerance[::-1])
    assert np.all(got[1][~finite] == -np.inf)
