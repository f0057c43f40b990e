"""The interpreter's vectorised tl.load / tl.store (kernels/triton_support.py) against Triton's own.

Under the interpreter, blocks of VECTORISED_ACCESS_LANES lanes or more are read and written with a
NumPy gather / scatter instead of Triton's per-lane C++ loop. Both must give the same values for
any block of pointers: contiguous, strided, reversed, repeated, partly masked, every dtype; and
kernels must compute the same with the vectorised path taken for every block (threshold 1).
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_triton_kernels import FEW, assert_close, download, run_both, strided
from tinygrad_edu.kernels import View, contiguous_view, triton_support

pytestmark = pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                                reason="Triton is not installed")

DTYPES = ("bool", "uint8", "int8", "int16", "float16", "int32", "float32", "int64", "float64")


def per_lane():
    triton_support.prepare_triton()
    return importlib.import_module("triton._C.libtriton").interpreter


def pointer_block(memory: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """uint64 addresses of memory[positions]."""
    return (memory.ctypes.data + positions * memory.itemsize).astype(np.uint64)


@FEW
@given(st.sampled_from(DTYPES), st.sampled_from(["contiguous", "strided", "reversed", "random"]),
       st.sampled_from([(1024,), (32, 64), (16, 8, 16)]), st.floats(0.0, 1.0), st.data())
def test_vectorised_load_and_store_match_tritons_loops(dtype, layout, shape, kept, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    lanes = int(np.prod(shape))
    memory = (rng.standard_normal(3 * lanes) * 50).astype(dtype)
    positions = {"contiguous": np.arange(lanes) + 5, "strided": np.arange(lanes) * 3,
                 "reversed": np.arange(lanes)[::-1] * 2 + 1,
                 "random": rng.integers(0, 3 * lanes, lanes)}[layout].reshape(shape)
    pointers = pointer_block(memory, positions)
    mask = rng.random(shape) < kept
    other = (rng.standard_normal(shape) * 50).astype(dtype)
    expected = per_lane().load(pointers, mask, other, memory.dtype)
    np.testing.assert_array_equal(
        triton_support.gather_lanes(pointers, mask, other, memory.dtype), expected)
    # stores: lanes to the same address (layout "random") keep the last lane's value in both
    values = (rng.standard_normal(shape) * 50).astype(dtype)
    expected_memory = memory.copy()
    per_lane().store(pointer_block(expected_memory, positions), values, mask)
    triton_support.scatter_lanes(pointers, values, mask, memory.dtype)
    np.testing.assert_array_equal(memory, expected_memory)


@pytest.fixture
def every_access_vectorised(monkeypatch):
    monkeypatch.setattr(triton_support, "VECTORISED_ACCESS_LANES", 1)


@FEW
@given(st.sampled_from(["float32", "float16", "int64", "bool"]), st.data())
def test_kernels_compute_the_same_with_every_access_vectorised(every_access_vectorised, dtype,
                                                               data):
    a, a_view = data.draw(strided(dtype))
    b = np.ones(a_view.numel, dtype)
    got, expected = run_both("binary", "maximum", a, a_view, b, contiguous_view(a_view.shape))
    assert_close(download(got), expected, dtype)
    got, expected = run_both("copy", a, a_view)
    assert_close(download(got), expected, dtype)
    if dtype != "bool":
        got, expected = run_both("reduce", "sum", a, a_view, tuple(range(len(a_view.shape))))
        assert_close(download(got), expected, dtype)


def test_matmul_and_gather_with_every_access_vectorised(every_access_vectorised):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(6 * 5).astype(np.float32), rng.standard_normal(5 * 7)
    b = b.astype(np.float32)
    got, expected = run_both("matmul", a, View((6, 5), (5, 1), 0), b, View((5, 7), (1, 5), 0))
    assert_close(download(got), expected, "float32")
    index = rng.integers(0, 5, (6, 3)).astype(np.int64)
    got, expected = run_both("gather", a, View((6, 5), (5, 1), 0), 1, index,
                             contiguous_view((6, 3)))
    assert_close(download(got), expected, "float32")
