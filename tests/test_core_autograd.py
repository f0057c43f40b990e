"""The autograd engine: graph recording, backward, autograd.grad, hooks, grad modes, higher-order
gradients, memory (freed saved tensors, no cycles), and PyTorch's errors for misuse."""

from __future__ import annotations

import gc
import math
import tracemalloc
import weakref

import numpy as np
import pytest
import torch
from hypothesis import assume, given

import tinygrad_edu as te
from tinygrad_edu.autograd import Function
from tinygrad_edu.testing import assert_matches_torch
from tinygrad_edu.testing.strategies import arrays, shapes


def test_backward_accumulates_into_leaves_like_torch() -> None:
    for library in (te, torch):
        x = library.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * x + x).sum()
        y.backward()
        y2 = (x * 3).sum()
        y2.backward()  # gradients accumulate
        np.testing.assert_allclose(x.grad.numpy(), [6.0, 8.0, 10.0])


def test_grad_fn_names_and_next_functions_match_torch() -> None:
    def build(library):
        x = library.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        w = library.tensor([[0.5], [0.25]], requires_grad=True)
        return ((x @ w).relu() * 2 + 1).sum(), x

    ours, x = build(te)
    theirs, _ = build(torch)

    def names(node):
        result = []
        while node is not None:
            result.append(node.name().replace("torch::autograd::", ""))
            node = next((n for n, _ in node.next_functions if n is not None), None)
        return result

    assert names(ours.grad_fn) == names(theirs.grad_fn)
    accumulate = ours.grad_fn.next_functions[0][0]
    while accumulate.name() != "AccumulateGrad":
        accumulate = accumulate.next_functions[0][0]
    assert accumulate.variable is x
    assert repr(x.sum() * 2).endswith("grad_fn=<MulBackward0>)")


def test_leaf_and_requires_grad_bookkeeping() -> None:
    x = te.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    assert y.detach().requires_grad is False and y.detach().is_leaf
    z = te.ones(2)
    assert z.is_leaf and not (z * 2).requires_grad
    y.detach_()
    assert y.grad_fn is None and not y.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        te.ones(2, dtype=te.int64).requires_grad_()
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype"):
        te.tensor([1, 2], requires_grad=True)


def test_custom_function_with_ctx_like_torch() -> None:
    class Cube(Function):
        """y = x^3;  dx = 3 x^2 dy"""

        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x * x * x * scale

        @staticmethod
        def backward(ctx, dy):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return dy * 3 * x * x * ctx.scale, None

    x = te.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy() ** 2)
    assert te.autograd.gradcheck(lambda v: Cube.apply(v, 2.0), (x.double(),))


def test_custom_function_wrong_gradient_shape_is_reported() -> None:
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, dy):
            return dy.sum(0)[:1]

    x = te.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned an invalid gradient at index 0 - got \\[1\\] "
                                           "but expected shape compatible with \\[2, 3\\]"):
        Broken.apply(x).sum().backward()


def test_autograd_grad_returns_gradients_without_touching_dot_grad() -> None:
    x = te.tensor([1.0, 2.0], requires_grad=True)
    unused = te.tensor([1.0], requires_grad=True)
    y = (x ** 2).sum()
    (gx,) = te.autograd.grad(y, x, retain_graph=True)
    np.testing.assert_allclose(gx.numpy(), [2.0, 4.0])
    assert x.grad is None
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        te.autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = te.autograd.grad(y, [x, unused], allow_unused=True)
    assert gu is None


def test_second_and_third_derivatives_of_cube() -> None:
    x = te.tensor([1.0, 2.0, -3.0], requires_grad=True)
    y = (x ** 3).sum()
    (first,) = te.autograd.grad(y, x, create_graph=True)
    (second,) = te.autograd.grad(first.sum(), x, create_graph=True)
    (third,) = te.autograd.grad(second.sum(), x)
    np.testing.assert_allclose(first.detach().numpy(), 3 * np.array([1.0, 4.0, 9.0]))
    np.testing.assert_allclose(second.detach().numpy(), 6 * np.array([1.0, 2.0, -3.0]))
    np.testing.assert_allclose(third.numpy(), [6.0, 6.0, 6.0])


@pytest.mark.parametrize("expression", [
    lambda t, x: (x.exp() * x.sin()).sum(),
    lambda t, x: x.softmax(0)[0] * x.tanh().sum(),
    lambda t, x: (x.sigmoid() / (x * x + 1)).log_softmax(0).sum(),
    lambda t, x: (x.reshape(2, 2) @ x.reshape(2, 2).T).sqrt().sum(),
])
def test_double_backward_matches_torch(expression) -> None:
    values = [0.3, 0.7, 1.1, 1.9]
    results = []
    for library in (te, torch):
        x = library.tensor(values, requires_grad=True)
        (g,) = library.autograd.grad(expression(library, x), x, create_graph=True)
        (h,) = library.autograd.grad((g * library.tensor([1.0, -1.0, 2.0, 0.5])).sum(), x)
        results.append(h.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-4, atol=1e-5)


def _index(t, x, values):
    return t.tensor(values, device=x.device)


# Ops whose backward runs only in a double backward: they appear inside another op's backward,
# so grad(..., create_graph=True) builds them and differentiating that gradient runs theirs.
DOUBLE_BACKWARD = {
    # Relu's backward is ReluGradient(dy, y): dy = sin(x) / 3 relu(x)^2 carries the graph
    "relu_times_sin": lambda t, x: (x.relu() * x.sin()).sum(),
    "relu_cubed": lambda t, x: x.relu().pow(3).sum(),
    # x[index]'s backward is IndexAccumulate (repeated indices accumulate)
    "index_rows_repeated": lambda t, x: (x[_index(t, x, [0, -1, 0])] ** 2).sum(),
    "index_pairs": lambda t, x: x[_index(t, x, [0, 2, 0]), _index(t, x, [1, 0, 1])].exp().sum(),
    "index_mask": lambda t, x: (x[x > 0] ** 3).sum(),
    # index_select's and embedding's backward is IndexAdd
    "index_select_repeated": lambda t, x: x.index_select(1, _index(t, x, [2, 0, 2])).sin().sum(),
    "embedding_padding_idx": lambda t, x: (t.nn.functional.embedding(
        _index(t, x, [[0, 2], [2, 1]]), x, padding_idx=1) ** 2).sum(),
    # a broadcast input's gradient goes through SumToSize
    "broadcast_mul": lambda t, x: (x[:1] * x * x).sum(),
}


@pytest.mark.parametrize("name", sorted(DOUBLE_BACKWARD))
@given(array=arrays("float32", shapes(min_dims=2, max_dims=2, min_side=3, max_side=4),
                    low=-2, high=2))
def test_ops_used_inside_backward_have_a_backward_matching_torch(
        name: str, array: np.ndarray, device: str) -> None:
    """The first gradient and its own gradient (a Hessian-vector product) match PyTorch's."""
    function = DOUBLE_BACKWARD[name]
    if name == "index_mask":
        assume((array > 0).any())  # an empty selection leaves no graph to differentiate

    def first_gradient(t, x):
        return t.autograd.grad(function(t, x), x, create_graph=True)[0]

    assert_matches_torch(first_gradient, None, array, device=device)


def test_retain_graph_and_the_second_backward_error() -> None:
    x = te.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (np.exp([1.0, 2.0]) * np.array([2.0, 3.0])),
                               rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_saved_tensors_are_freed_after_backward() -> None:
    x = te.randn(1000, requires_grad=True)
    hidden = x.exp()
    y = hidden.sum()
    reference = weakref.ref(hidden.grad_fn)
    node = hidden.grad_fn
    assert node._saved is not None
    y.backward()
    assert node._saved is None and reference() is node


def test_no_reference_cycles_when_an_op_saves_its_output() -> None:
    gc.disable()
    try:
        x = te.randn(5, requires_grad=True)
        y = x.exp()  # ExpBackward saves y itself
        graph_node = weakref.ref(y.grad_fn)
        output = weakref.ref(y)
        del y
        assert output() is None and graph_node() is None  # freed by refcounting alone
    finally:
        gc.enable()


def test_a_100000_op_chain_backpropagates_without_recursion_error() -> None:
    x = te.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_hooks_retain_grad_and_backward_inputs() -> None:
    x = te.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    hidden.retain_grad()
    seen = []
    handle = hidden.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 2)
    x.register_hook(lambda g: g + 1)
    (hidden * hidden).sum().backward()
    np.testing.assert_allclose(seen[0], [6.0, 12.0])
    np.testing.assert_allclose(hidden.grad.numpy(), [12.0, 24.0])  # after the doubling hook
    np.testing.assert_allclose(x.grad.numpy(), [37.0, 73.0])  # 3 * doubled, then + 1
    handle.remove()
    a = te.tensor([1.0], requires_grad=True)
    b = te.tensor([2.0], requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert a.grad.item() == 2.0 and b.grad is None


def test_grad_modes_as_context_decorator_and_call() -> None:
    x = te.ones(2, requires_grad=True)
    with te.no_grad():
        assert not (x * 2).requires_grad
        with te.enable_grad():
            assert (x * 2).requires_grad

    @te.no_grad()
    def evaluate():
        return x * 2

    assert not evaluate().requires_grad
    te.set_grad_enabled(False)
    assert not te.is_grad_enabled()
    te.set_grad_enabled(True)
    with te.set_grad_enabled(False):
        assert not (x + 1).requires_grad
    assert te.is_grad_enabled() and (x + 1).requires_grad


def test_inplace_version_counter_and_saved_tensor_check() -> None:
    x = te.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y * 2  # MulBackward0 needs nothing of y... but ExpBackward0 saved y
    assert y._version == 0
    y.add_(1)
    assert y._version == 1
    with pytest.raises(RuntimeError, match="one of the variables needed for gradient computation "
                                           "has been modified by an inplace operation"):
        (z.sum() + y.sum()).backward()


def test_inplace_ops_record_the_graph_on_non_leaves() -> None:
    for library in (te, torch):
        x = library.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.mul_(3)
        y.add_(x, alpha=3)
        y.sub_(1).div_(2)
        y.sum().backward()
        if library is te:
            ours = x.grad.numpy().copy()
            assert y.grad_fn.name() == "DivBackward0"
    np.testing.assert_allclose(ours, x.grad.numpy())


def test_misuse_errors_match_torch() -> None:
    x = te.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation."):
        x.add_(1)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        x.numpy()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        te.ones(2).sum().backward()
    with pytest.raises(RuntimeError, match="The size of tensor a \\(3\\) must match the size of "
                                           "tensor b \\(4\\) at non-singleton dimension 1"):
        te.ones(2, 3) + te.ones(2, 4)
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied \\(2x3 and "
                                           "4x5\\)"):
        te.ones(2, 3) @ te.ones(4, 5)
    with pytest.raises(RuntimeError, match="shape '\\[3, 5\\]' is invalid for input of size 12"):
        te.ones(3, 4).view(3, 5)
    with pytest.raises(IndexError, match="Dimension out of range \\(expected to be in range of "
                                         "\\[-2, 1\\], but got 2\\)"):
        te.ones(3, 4).sum(2)
    with pytest.raises(RuntimeError, match="a Tensor with 12 elements cannot be converted to "
                                           "Scalar"):
        te.ones(3, 4).item()
    with pytest.raises(RuntimeError, match="device 'cuda'|Expected all tensors"):
        te.ones(2, device="cuda") + te.ones(2)


def test_gradients_at_kinks_follow_torch() -> None:
    zero = te.tensor([0.0], requires_grad=True)
    zero.relu().sum().backward()
    assert zero.grad.item() == 0.0
    zero.grad = None
    zero.abs().sum().backward()
    assert zero.grad.item() == 0.0
    zero.grad = None
    zero.sqrt().sum().backward()
    assert zero.grad.item() == math.inf
    ties = te.tensor([1.0, 3.0, 3.0, 3.0], requires_grad=True)
    ties.max().backward()
    np.testing.assert_allclose(ties.grad.numpy(), [0.0, 1 / 3, 1 / 3, 1 / 3])
    rows = te.tensor([[2.0, 2.0, 1.0]], requires_grad=True)
    values, indices = rows.max(dim=1)
    values.sum().backward()
    assert indices.tolist() == [0] and rows.grad.tolist() == [[1.0, 0.0, 0.0]]
    a = te.tensor([2.0], requires_grad=True)
    b = te.tensor([2.0], requires_grad=True)
    te.maximum(a, b).sum().backward()
    assert a.grad.item() == 0.5 and b.grad.item() == 0.5


def test_numerical_stability_at_extreme_logits() -> None:
    logits = te.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    log_probabilities = logits.log_softmax(1)
    np.testing.assert_allclose(log_probabilities.detach().numpy(), [[0.0, -2e4, -1e4]])
    (-log_probabilities[0, 1]).backward()
    np.testing.assert_allclose(logits.grad.numpy(), [[1.0, -1.0, 0.0]])
    extreme = te.tensor([1000.0, -1000.0], requires_grad=True)
    probabilities = extreme.sigmoid()
    probabilities.sum().backward()
    assert probabilities.tolist() == [1.0, 0.0]
    assert extreme.grad.tolist() == [0.0, 0.0]
    lse = te.tensor([1e4, 1e4], requires_grad=True).logsumexp(0)
    assert abs(lse.item() - (1e4 + math.log(2))) < 1e-2


def test_memory_stays_flat_over_500_training_steps() -> None:
    te.manual_seed(0)
    weights = te.randn(8, 4, requires_grad=True)
    inputs, targets = te.randn(16, 8), te.randn(16, 4)

    def step():
        loss = ((inputs @ weights - targets) ** 2).mean()
        loss.backward()
        with te.no_grad():
            weights.sub_(weights.grad * 0.01)
        weights.grad = None

    for _ in range(50):
        step()
    gc.collect()
    tracemalloc.start()
    for _ in range(50):
        step()
    gc.collect()
    baseline, _ = tracemalloc.get_traced_memory()
    for _ in range(450):
        step()
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert current - baseline < 64 * 1024, f"grew by {current - baseline} bytes"


def test_gradcheck_passes_for_core_ops_and_names_a_wrong_derivative() -> None:
    x = te.tensor([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]], dtype=te.float64, requires_grad=True)
    w = te.tensor([[0.2], [0.4], [-0.1]], dtype=te.float64, requires_grad=True)
    functions = [
        lambda a, b: (a @ b).tanh(), lambda a, b: a.softmax(1) * a.exp(),
        lambda a, b: a.log_softmax(0).sum(1), lambda a, b: (a * a + 1).sqrt() / (b.sum() + 2),
        lambda a, b: a.max(1).values * a.var(0).sum(), lambda a, b: a[:, 1:].prod(1),
        lambda a, b: a.logsumexp(1), lambda a, b: a.pow(2).mean() ** 0.5,
        lambda a, b: te.cat([a, b.T], 0).sigmoid(), lambda a, b: a.gather(1, te.tensor([[2], [0]])),
    ]
    for function in functions:
        assert te.autograd.gradcheck(function, (x, w))

    class WrongSine(Function):
        @staticmethod
        def forward(ctx, v):
            ctx.save_for_backward(v)
            return v.sin()

        @staticmethod
        def backward(ctx, dy):
            (v,) = ctx.saved_tensors
            return dy * v.cos() * 1.1

    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input "
                                           "0: worst element"):
        te.autograd.gradcheck(WrongSine.apply, (x,))
    from tinygrad_edu.testing import gradcheck

    assert gradcheck(WrongSine.apply, (x,), raise_exception=False) is False


def test_tracing_hook_sees_forward_ops_backward_nodes_and_accumulation() -> None:
    from tinygrad_edu.autograd.tracing import Tracing

    class Recorder:
        def __init__(self):
            self.events = []

        def on_forward_begin(self, function):
            pass

        def on_backward_begin(self, node):
            pass

        def on_forward(self, function, node, args, kwargs, outputs, seconds):
            self.events.append(("forward", function.__name__))

        def on_backward(self, node, grad_outputs, grad_inputs, seconds):
            self.events.append(("backward", node.name()))

        def on_accumulate(self, node, output_nr, existing, incoming, total):
            self.events.append(("accumulate", node.name()))

    x = te.tensor([1.0, 2.0], requires_grad=True)
    Tracing.active = recorder = Recorder()
    try:
        y = x * x
        y.sum().backward()
    finally:
        Tracing.active = None
    kinds = [event for event in recorder.events]
    assert ("forward", "Mul") in kinds and ("backward", "MulBackward0") in kinds
    assert ("accumulate", "AccumulateGrad") in kinds  # x is used twice: its two grads meet
