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


def test_first_gradient_is_adopted_only_when_nothing_else_holds_it():
    """AccumulateGrad stores a fresh, unshared gradient as it is (PyTorch's rule) and copies
    every gradient someone else can still see: the user's, one shared by two leaves, a view."""
    weight = torch.randn(3, 4, requires_grad=True)
    x = torch.randn(5, 3)
    (x @ weight).sum().backward()
    np.testing.assert_allclose(weight.grad.numpy(), x.numpy().sum(0)[:, None].repeat(4, 1),
                               rtol=1e-6)

    a, b = torch.randn(3, requires_grad=True), torch.randn(3, requires_grad=True)
    (a + b).sum().backward()  # Add hands the same dy to both leaves
    assert a.grad._storage is not b.grad._storage
    a.grad += 1
    np.testing.assert_array_equal(b.grad.numpy(), np.ones(3, np.float32))

    c, given = torch.randn(3, requires_grad=True), torch.ones(3)
    (c + 0).backward(given)  # the user's gradient flows to c unchanged
    assert c.grad._storage is not given._storage
    c.grad.mul_(5)
    np.testing.assert_array_equal(given.numpy(), np.ones(3, np.float32))

    d = torch.randn(2, 3, requires_grad=True)
    middle = d * 1
    middle.retain_grad()
    middle.sum().backward()  # middle.grad and d.grad come from one gradient: no sharing
    assert d.grad._storage is not middle.grad._storage


def test_adopted_gradient_is_not_copied(monkeypatch):
    from tinygrad_edu.autograd import engine

    decisions = []
    original = engine._only_held_by

    def spy(grads):
        decisions.append(original(grads))
        return decisions[-1]

    monkeypatch.setattr(engine, "_only_held_by", spy)
    layer = torch.nn.Linear(4, 3)
    layer(torch.randn(2, 4)).sum().backward()
    assert decisions == [True, True]  # dweight and dbias are fresh: stored without a copy


def test_elementwise_on_whole_flat_buffers_matches_the_shaped_path():
    """binary/unary_reference run on the flat buffers when both views are the whole buffer in
    order (one View object); an equal but distinct View, a view of part of a larger buffer and a
    0-d tensor take the shaped path: the same bits either way."""
    from tinygrad_edu.kernels.elementwise import binary_reference, unary_reference

    rng = np.random.default_rng(2)
    shape = (3, 5)
    a = rng.standard_normal(15).astype(np.float32)
    b = rng.standard_normal(15).astype(np.float32)
    whole = _view(shape)
    for op in ("add", "mul", "div", "maximum", "lt"):
        flat = binary_reference(op, a, whole, b, whole)
        shaped = binary_reference(op, a, whole, b, _view(shape))  # equal, not the same object
        assert flat.shape == (15,) and flat.tobytes() == shaped.tobytes()
    assert unary_reference("exp", a, whole).tobytes() == np.exp(a).tobytes()
    longer = np.concatenate([b, np.full(5, np.nan, np.float32)])  # view reads its first 15 only
    assert np.array_equal(binary_reference("add", a, whole, longer, whole), a + b)
    assert np.array_equal(unary_reference("neg", longer, whole), -b)
    scalar = _view(())
    assert binary_reference("add", a[:1], scalar, b[:1], scalar).tolist() == [a[0] + b[0]]
