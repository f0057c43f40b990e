"""The sequence-model kernels against their NumPy references, under Triton's interpreter.

kernels/recurrent.py (LSTM / GRU gate math, forward and backward) on strided 2-D views, and
kernels/attention.py (FlashAttention forward and its two backward kernels) with causal masks,
broadcast float biases, fully masked rows, lengths that are not multiples of the tiles and
transposed (non-contiguous) q, k, v. The references themselves are checked against plain
dense attention in NumPy, so the online softmax is tested on both sides.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_triton_kernels import FEW, download, run_both, strided
from tinygrad_edu.kernels import View, as_numpy, contiguous_view

pytestmark = pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                                reason="Triton is not installed")

TOLERANCE = {"float32": (1e-5, 1e-4), "float64": (1e-12, 1e-10), "float16": (2e-3, 2e-2)}


def assert_all_close(got, expected, dtype):
    atol, rtol = TOLERANCE[dtype]
    for got_one, expected_one in zip(got, expected, strict=True):
        np.testing.assert_allclose(download(got_one).astype(np.float64),
                                   np.asarray(expected_one, np.float64), atol=atol, rtol=rtol)


# --- recurrent gate math -------------------------------------------------------------------------
@FEW
@given(st.sampled_from(["float32", "float64", "float16"]), st.integers(1, 4), st.integers(1, 5),
       st.data())
def test_lstm_cell_and_backward_match_reference(dtype, batch, hidden, data):
    gates = data.draw(strided(dtype, shape=(batch, 4 * hidden)))
    c = data.draw(strided(dtype, shape=(batch, hidden)))
    assert_all_close(*run_both("lstm_cell", *gates, *c), dtype)
    _, c_new = run_both("lstm_cell", *gates, *c)[1]
    dh, dc = (data.draw(strided(dtype, shape=(batch, hidden))) for _ in range(2))
    arguments = (*gates, *c, c_new, contiguous_view((batch, hidden)), *dh, *dc)
    assert_all_close(*run_both("lstm_cell_backward", *arguments), dtype)


@FEW
@given(st.sampled_from(["float32", "float64", "float16"]), st.integers(1, 4), st.integers(1, 5),
       st.data())
def test_gru_cell_and_backward_match_reference(dtype, batch, hidden, data):
    gi, gh = (data.draw(strided(dtype, shape=(batch, 3 * hidden))) for _ in range(2))
    h, dh = (data.draw(strided(dtype, shape=(batch, hidden))) for _ in range(2))
    triton_out, reference_out = run_both("gru_cell", *gi, *gh, *h)
    assert_all_close([triton_out], [reference_out], dtype)
    assert_all_close(*run_both("gru_cell_backward", *gi, *gh, *h, *dh), dtype)


def test_lstm_reference_is_the_textbook_cell():
    rng = np.random.default_rng(0)
    a, c = rng.standard_normal((2, 8)), rng.standard_normal((2, 2))
    sigmoid = (lambda x: 1 / (1 + np.exp(-x)))  # noqa: E731 - a formula, not a function
    i, f, g, o = sigmoid(a[:, 0:2]), sigmoid(a[:, 2:4]), np.tanh(a[:, 4:6]), sigmoid(a[:, 6:8])
    from tinygrad_edu.kernels.recurrent import lstm_cell_reference

    h_new, c_new = lstm_cell_reference(a.reshape(-1), contiguous_view((2, 8)), c.reshape(-1),
                                       contiguous_view((2, 2)))
    np.testing.assert_allclose(c_new.reshape(2, 2), f * c + i * g)
    np.testing.assert_allclose(h_new.reshape(2, 2), o * np.tanh(f * c + i * g))


# --- attention ---------------------------------------------------------------------------------
def dense_attention(q, k, v, bias, causal, scale):
    """softmax(q k^T * scale + bias) v with the whole (L, S) matrix: what the tiles avoid."""
    s = q @ np.swapaxes(k, -1, -2) * scale + (0 if bias is None else bias)
    if causal:
        s = np.where(np.triu(np.ones(s.shape[-2:], bool), 1), -np.inf, s)
    m = s.max(-1, keepdims=True)
    e = np.exp(s - np.where(np.isneginf(m), 0, m))
    total = e.sum(-1, keepdims=True)
    return np.where(total > 0, (e / np.where(total > 0, total, 1)) @ v, 0)


def four_d(rng, shape, transposed, dtype):
    """(buffer, view) of random values; transposed: the last two dims swapped in memory."""
    values = rng.standard_normal(shape).astype(dtype)
    if not transposed:
        return np.ascontiguousarray(values).reshape(-1), contiguous_view(shape)
    stored = np.ascontiguousarray(np.swapaxes(values, -1, -2))
    b, h, rows, cols = shape
    return stored.reshape(-1), View(shape, (h * rows * cols, rows * cols, 1, rows), 0)


@FEW
@given(st.sampled_from(["float32", "float64"]), st.integers(1, 2), st.integers(1, 35),
       st.integers(1, 35), st.integers(1, 6), st.integers(1, 4), st.booleans(),
       st.sampled_from(["none", "broadcast", "full"]), st.booleans(), st.integers(0, 2**16))
def test_attention_and_backward_match_reference(dtype, heads, length, source, dim, dim_v,
                                                causal, bias_kind, transposed, seed):
    rng = np.random.default_rng(seed)
    q = four_d(rng, (2, heads, length, dim), transposed, dtype)
    k = four_d(rng, (2, heads, source, dim), transposed, dtype)
    v = four_d(rng, (2, heads, source, dim_v), False, dtype)
    bias, bias_view = None, None
    if bias_kind != "none":
        rows = 1 if bias_kind == "broadcast" else 2 * heads
        values = np.where(rng.random((rows, length, source)) < 0.25, -np.inf,
                          rng.standard_normal((rows, length, source))).astype(dtype)
        values[0, 0] = -np.inf  # a query that sees no key
        bias = values.reshape(-1)
        strides = (0, 0) if bias_kind == "broadcast" else (heads * length * source,
                                                            length * source)
        bias_view = View((2, heads, length, source), (*strides, source, 1), 0)
    scale = 1 / np.sqrt(dim)
    (out, lse), (ref_out, ref_lse) = run_both("attention", *q, *k, *v, bias, bias_view, causal,
                                              scale)
    assert_all_close([out, lse], [ref_out, ref_lse], dtype)
    dense = dense_attention(as_numpy(*q), as_numpy(*k), as_numpy(*v),
                            None if bias is None else as_numpy(bias, bias_view), causal, scale)
    np.testing.assert_allclose(ref_out.reshape(dense.shape), dense, atol=1e-5, rtol=1e-4)
    out_view = contiguous_view((2, heads, length, dim_v))
    dout = rng.standard_normal(out_view.shape).astype(dtype).reshape(-1)
    arguments = (*q, *k, *v, bias, bias_view, ref_out, out_view, dout, out_view, ref_lse,
                 contiguous_view((2, heads, length)), causal, scale)
    assert_all_close(*run_both("attention_backward", *arguments), dtype)
