"""The speed-ups of the CPU training path compute exactly what the plain code computes.

- where_reference selects with bit masks (no branches) above a size threshold: the bits of np.where,
  NaN, -0.0, infinities, broadcast and transposed views included.
- Function.apply skips the requires_grad scan when grad mode is off; nodes create `metadata` lazily.
"""

from __future__ import annotations

import numpy as np
import pytest
from tinygrad_edu.kernels import View, contiguous_strides
from tinygrad_edu.kernels.elementwise import _BRANCHY_WHERE_MAX, where_reference

import tinygrad_edu as torch


def _view(shape: tuple[int, ...]) -> View:
    return View(shape, contiguous_strides(shape), 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64, np.int32,
                                   np.uint8, np.bool_])
def test_branch_free_where_matches_np_where_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    shape = (48, 64)  # 3072 elements: above the threshold, so the bit-mask select runs
    assert np.prod(shape) > _BRANCHY_WHERE_MAX
    n = int(np.prod(shape))
    condition = rng.standard_normal(n) > 0
    a = (rng.standard_normal(n) * 10).astype(dtype)
    b = (rng.standard_normal(n) * 10).astype(dtype)
    if np.dtype(dtype).kind == "f":
        a[::7], a[1::7], a[2::7], b[::5] = np.nan, -0.0, np.inf, -np.inf
    got = where_reference(condition, _view(shape), a, _view(shape), b, _view(shape))
    expected = np.where(condition, a, b)
    assert got.dtype == expected.dtype
    assert got.tobytes() == expected.tobytes()


def test_branch_free_where_reads_transposed_and_broadcast_views():
    rng = np.random.default_rng(1)
    rows, cols = 40, 50
    condition = rng.standard_normal(rows * cols) > 0
    a = rng.standard_normal(rows * cols).astype(np.float32)
    zero = np.array([-0.0], np.float32)
    a_t = View((rows, cols), (1, rows), 0)  # a read as a transpose
    broadcast = View((rows, cols), (0, 0), 0)  # one element everywhere
    got = where_reference(condition, _view((rows, cols)), a, a_t, zero, broadcast)
    a_array = np.ndarray((rows, cols), np.float32, a, 0, (4, 4 * rows))
    expected = np.where(condition.reshape(rows, cols), a_array, zero[0]).reshape(-1)
    assert got.tobytes() == expected.tobytes()


def test_relu_backward_on_large_tensors_matches_the_mask_formula():
    torch.manual_seed(0)
    x = torch.randn(64, 128, requires_grad=True)
    dy = torch.randn(64, 128)
    x.relu().backward(dy)
    expected = np.where(x.detach().numpy() > 0, dy.numpy(), np.float32(0))
    assert x.grad.numpy().tobytes() == expected.tobytes()


def test_grad_mode_off_records_nothing_and_nodes_have_metadata():
    a = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        assert (a * 2).grad_fn is None
    node = (a * 2).grad_fn
    assert node.metadata == {}
    node.metadata["k"] = 1
    assert node.metadata == {"k": 1}
