"""Launch decisions that only matter at scale, tested without allocating at scale.

A GPU kernel that computes `program_id * BLOCK + arange` in int32 wraps around past 2^31 elements,
and grid axes 1 and 2 stop at 65 535 programs. The launchers decide (needs_int64: an INT64
constexpr variant of the kernel; batches and conv groups folded into grid axis 0); these tests
check the decisions, and run the INT64 variants under the interpreter on small data by lowering
the threshold. tests/triton_compile_check.py compiles the INT64 variants for sm_90.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from tinygrad_edu.kernels import View, conv, copy, elementwise, matmul

pytestmark = pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                                reason="Triton is not installed")


def _support():
    from tinygrad_edu.kernels import triton_support

    return triton_support


def _upload(array: np.ndarray):
    return _support().upload(array)


def _download(buffer) -> np.ndarray:
    return _support().download(buffer)


def test_needs_int64_looks_at_counts_and_at_the_farthest_element_of_each_view():
    needs = _support().needs_int64
    assert not needs(2**31 - 1)
    assert needs(2**31)
    assert not needs(View((1024, 1024), (1024, 1), 0))
    assert needs(View((2, 2**30), (2**30, 1), 1))             # last element at 2^31
    assert needs(View((3,), (2**30,), 0))                     # far by its stride
    assert needs(View((3,), (-(2**30),), 2**31))              # negative strides count by size
    assert not needs(View((0, 2**40), (2**40, 1), 0))         # an empty view reaches nothing
    assert not needs(None, 10, View((4,), (1,), 0))


@pytest.fixture
def int64_everywhere(monkeypatch):
    """Every launch takes its INT64 variant (the threshold lowered to 8 elements)."""
    monkeypatch.setattr(_support(), "INT32_MAX", 8)


def test_int64_variants_compute_the_same(int64_everywhere):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(12).astype(np.float32)
    view, transposed = View((3, 4), (4, 1), 0), View((3, 4), (1, 3), 0)
    got = _download(elementwise.binary_triton("add", _upload(x), view, _upload(x), transposed))
    np.testing.assert_allclose(got, elementwise.binary_reference("add", x, view, x, transposed))
    got = _download(copy.copy_triton(_upload(x), transposed))
    np.testing.assert_array_equal(got, copy.copy_reference(x, transposed))
    got = _download(copy.arange_triton(2, 3, 20, np.dtype(np.int64)))
    np.testing.assert_array_equal(got, np.arange(2, 62, 3))
    a = rng.standard_normal(2 * 5 * 3).astype(np.float32)
    b = rng.standard_normal(2 * 3 * 7).astype(np.float32)
    a_view, b_view = View((2, 5, 3), (15, 3, 1), 0), View((2, 3, 7), (21, 7, 1), 0)
    got = _download(matmul.matmul_triton(_upload(a), a_view, _upload(b), b_view))
    np.testing.assert_allclose(got, matmul.matmul_reference(a, a_view, b, b_view), rtol=1e-5,
                               atol=1e-6)


def test_matmul_batches_and_conv_groups_share_grid_axis_0_with_the_tiles():
    """Several tiles per matrix and several matrices (the GPU's tile sizes): every (batch, tile)
    pair is one program on axis 0, never one on axis 1."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal(3 * 40 * 8).astype(np.float32)
    b = rng.standard_normal(3 * 8 * 36).astype(np.float32)
    a_view, b_view = View((3, 40, 8), (320, 8, 1), 0), View((3, 8, 36), (288, 36, 1), 0)
    with _support().gpu_launch_configs():
        got = _download(matmul.matmul_triton(_upload(a), a_view, _upload(b), b_view))
    np.testing.assert_allclose(got, matmul.matmul_reference(a, a_view, b, b_view), rtol=1e-5,
                               atol=1e-5)
    x = rng.standard_normal(1 * 4 * 5 * 5).astype(np.float32)
    w = rng.standard_normal(6 * 2 * 3 * 3).astype(np.float32)
    x_view, w_view = View((1, 4, 5, 5), (100, 25, 5, 1), 0), View((6, 2, 3, 3), (18, 9, 3, 1), 0)
    geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
    with _support().gpu_launch_configs():
        got = _download(conv.conv2d_triton(_upload(x), x_view, _upload(w), w_view, *geometry))
    np.testing.assert_allclose(got, conv.conv2d_reference(x, x_view, w, w_view, *geometry),
                               rtol=1e-4, atol=1e-5)


def test_integer_convolutions_take_the_exact_path_not_tl_dot():
    rng = np.random.default_rng(2)
    x = rng.integers(-50, 50, 2 * 3 * 4 * 4).astype(np.int32)
    w = rng.integers(-50, 50, 2 * 3 * 2 * 2).astype(np.int32)
    x_view, w_view = View((2, 3, 4, 4), (48, 16, 4, 1), 0), View((2, 3, 2, 2), (12, 4, 2, 1), 0)
    geometry = ((1, 1), (0, 0, 0, 0), (1, 1), 1)
    got = _download(conv.conv2d_triton(_upload(x), x_view, _upload(w), w_view, *geometry))
    np.testing.assert_array_equal(got, conv.conv2d_reference(x, x_view, w, w_view, *geometry))
