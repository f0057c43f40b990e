"""The speed-ups of the CPU training path compute exactly what the plain code computes.

- where_reference selects with bit masks (no branches) above a size threshold: the bits of np.where,
  NaN, -0.0, infinities, broadcast and transposed views included.
- Function.apply skips the requires_grad scan when grad mode is off; nodes create `metadata` lazily.
- The lean eager path: Memo dicts compute once and stay bounded; operators skip the out= wrappers
  the public functions keep; add/sub/mul/div leave broadcast reduction to the engine (first and
  second derivatives equal PyTorch's); the grad-mode switch is one slot.
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


# --- the lean eager path (issue 14, round 4) ----------------------------------------------------
def test_memo_computes_once_and_empties_when_full():
    from tinygrad_edu.kernels.strided import Memo

    calls = []
    memo = Memo(lambda key: calls.append(key) or key * 2, maxsize=3)
    assert [memo[1], memo[2], memo[1]] == [2, 4, 2]
    assert calls == [1, 2]  # the second memo[1] was a dict hit
    memo[3]
    memo[4]  # the memo was full (3 keys): emptied, then refilled with this key
    assert len(memo) == 1 and memo[4] == 8 and calls == [1, 2, 3, 4]


def test_operators_call_the_ops_themselves_and_keep_the_out_keyword_on_the_functions():
    a, b = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 5.0])
    assert torch.Tensor._plain_ops.add is not torch.add  # torch.add carries the out= wrapper
    out = torch.empty(2)
    assert torch.add(a, b, out=out) is out
    assert (a + b).tolist() == out.tolist() == [4.0, 7.0]
    assert (a - b).tolist() == a.sub(b).tolist() == [-2.0, -3.0]
    assert (a * 2).dtype is torch.float32 and (2 ** a).tolist() == [2.0, 4.0]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_broadcast_gradients_are_reduced_by_the_engine_as_in_pytorch(op):
    import torch as real

    rng = np.random.default_rng(1)
    values = [rng.standard_normal(shape).astype(np.float32) + 2
              for shape in ((3, 1, 4), (2, 1), ())]

    def gradients(library):
        x, y, z = (library.tensor(v, requires_grad=True) for v in values)
        out = getattr(library, op)(getattr(library, op)(x, y), z)  # (3, 2, 4)
        first = library.autograd.grad((out * out).sum(), (x, y, z), create_graph=True)
        second = library.autograd.grad(sum((g * g).sum() for g in first), (x, y))
        return [g.detach().numpy() for g in first + second]

    for ours, theirs in zip(gradients(torch), gradients(real)):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_grad_mode_switch_is_one_slot_restored_by_every_context():
    from tinygrad_edu.autograd.grad_mode import GradMode

    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        assert GradMode.enabled is False and not (x * 2).requires_grad
        with torch.enable_grad():
            assert (x * 2).requires_grad
        assert GradMode.enabled is False
    assert GradMode.enabled is True and (x * 2).grad_fn is not None
    with pytest.raises(AttributeError):
        GradMode.other = 1  # one slot: a typo cannot create a second switch
