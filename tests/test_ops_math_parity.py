"""The math library and the activation zoo against PyTorch (issue 10, part A): values and
gradients with Hypothesis on both devices, broadcasting, 0-d and non-contiguous inputs; the new
elementwise kernels (kernels/special_math.py) against their NumPy reference at the hard points
(zeros, signed zeros, infinities, NaN, huge values)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from parity_helpers import LAYOUTS, relayout

import tinygrad_edu as te
from tinygrad_edu.testing import assert_matches_torch
from tinygrad_edu.testing.strategies import arrays, broadcastable_pair, shapes


def F(t):  # noqa: N802 - the usual name of nn.functional
    return t.nn.functional


# name -> (function of (module, x), low, high)
UNARY = {
    "tan": (lambda t, x: t.tan(x), -1.4, 1.4),
    "asin": (lambda t, x: x.asin(), -0.95, 0.95),
    "acos": (lambda t, x: t.acos(x), -0.95, 0.95),
    "atan": (lambda t, x: x.arctan(), -20, 20),
    "sinh": (lambda t, x: t.sinh(x), -5, 5),
    "cosh": (lambda t, x: x.cosh(), -5, 5),
    "asinh": (lambda t, x: t.asinh(x), -50, 50),
    "acosh": (lambda t, x: t.acosh(x.abs() + 1.05), -10, 10),
    "atanh": (lambda t, x: x.atanh(), -0.95, 0.95),
    "log2": (lambda t, x: t.log2(x), 0.1, 100),
    "log10": (lambda t, x: x.log10(), 0.1, 100),
    "exp2": (lambda t, x: t.exp2(x), -10, 10),
    "expm1": (lambda t, x: x.expm1(), -5, 5),
    "sgn_frac": (lambda t, x: t.sgn(x) + t.frac(x), -10, 10),
    "deg2rad": (lambda t, x: t.rad2deg(t.deg2rad(x) * 2), -10, 10),
    "logit": (lambda t, x: t.logit(x), 0.05, 0.95),
    "logit_eps": (lambda t, x: x.logit(eps=0.2), 0.0, 1.0),
    "nan_to_num": (lambda t, x: t.nan_to_num(t.log(x), nan=1.5, neginf=-3.0), -1, 5),
    "isfinite": (lambda t, x: t.isfinite(t.log(x)) ^ t.isposinf(1 / x), -2, 2),
    "std_mean": (lambda t, x: t.std_mean(x), -5, 5),
    "var_mean": (lambda t, x: t.var_mean(x, dim=-1, keepdim=True, correction=0), -5, 5),
    # activations (nn.functional)
    "softplus": (lambda t, x: F(t).softplus(x, beta=2.0, threshold=5.0), -10, 10),
    "elu": (lambda t, x: F(t).elu(x, alpha=0.7), -5, 5),
    "celu": (lambda t, x: t.celu(x, alpha=2.0), -5, 5),
    "selu": (lambda t, x: t.selu(x), -5, 5),
    "relu6": (lambda t, x: F(t).relu6(x * 2), -10, 10),
    "hardtanh": (lambda t, x: F(t).hardtanh(x, -2.0, 3.0), -5, 5),
    "hardsigmoid": (lambda t, x: F(t).hardsigmoid(x), -5, 5),
    "hardswish": (lambda t, x: F(t).hardswish(x.round()), -5, 5),
    "mish": (lambda t, x: F(t).mish(x), -10, 10),
    "logsigmoid": (lambda t, x: F(t).logsigmoid(x), -30, 30),
    "softsign": (lambda t, x: F(t).softsign(x), -10, 10),
    "tanhshrink": (lambda t, x: F(t).tanhshrink(x), -5, 5),
    "softshrink": (lambda t, x: F(t).softshrink(x, 0.7), -3, 3),
    "hardshrink": (lambda t, x: t.hardshrink(x, 0.7), -3, 3),
    "threshold": (lambda t, x: F(t).threshold(x, 0.5, -2.0), -3, 3),
    "silu_gelu": (lambda t, x: F(t).silu(x) + F(t).gelu(x, approximate="tanh"), -5, 5),
}

BINARY = {
    "atan2": (lambda t, a, b: t.atan2(a, b), True),
    "fmod": (lambda t, a, b: t.fmod(a, b), True),
    "copysign": (lambda t, a, b: t.copysign(a, b), False),
    "hypot": (lambda t, a, b: t.hypot(a, b), True),
    "logaddexp": (lambda t, a, b: t.logaddexp(a, b), False),
    "logaddexp2": (lambda t, a, b: a.logaddexp2(b), False),
    "lerp": (lambda t, a, b: t.lerp(a, b, 0.3) + a.lerp(b, b.sigmoid()), False),
    "xlogy": (lambda t, a, b: t.xlogy(a.round(), b.abs()), True),
    "clamp_both_tensors": (lambda t, a, b: t.clamp(a, min=b - 1, max=b + 1), False),
}

FAST = settings(max_examples=6)


def fixed_example(low: float, high: float, shape: tuple[int, ...] = (2, 3)) -> np.ndarray:
    """One spread-out array for the Triton interpreter (each kernel launch there costs ~50 ms)."""
    values = np.linspace(low, high, int(np.prod(shape)) + 2, dtype=np.float32)[1:-1]
    return np.random.default_rng(0).permutation(values).reshape(shape)


def on_device(device: str, strategy: st.SearchStrategy, check: Callable[[Any], None],
              cuda_example: Any) -> None:
    """Hypothesis examples on "cpu"; one fixed, non-trivial example on "cuda" (the interpreter)."""
    if device == "cuda":
        check(cuda_example)
        return

    @FAST
    @given(strategy)
    def examples(example: Any) -> None:
        check(example)

    examples()


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_math_matches_torch(name: str, device: str) -> None:
    function, low, high = UNARY[name]
    strategy = st.tuples(arrays("float32", shapes(min_dims=0, max_dims=3), low=low, high=high),
                         st.sampled_from(LAYOUTS))

    def check(example: tuple[np.ndarray, str]) -> None:
        array, layout = example
        assert_matches_torch(lambda t, x: function(t, relayout(t, x, layout)), None, array,
                             device=device)

    on_device(device, strategy, check, (fixed_example(low, high), "permuted"))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_math_matches_torch(name: str, device: str) -> None:
    function, avoid_zero = BINARY[name]
    strategy = st.tuples(broadcastable_pair(avoid_zero_second=avoid_zero),
                         st.sampled_from(LAYOUTS))

    def check(example: tuple[tuple[np.ndarray, np.ndarray], str]) -> None:
        (a, b), layout = example
        assert_matches_torch(lambda t, x, y: function(t, relayout(t, x, layout), y), None, a, b,
                             device=device)

    b = fixed_example(0.5, 4, (3,)) * np.array([1, -1, 1], np.float32)
    on_device(device, strategy, check, ((fixed_example(-4, 4), b), "permuted"))


def test_glu_prelu_softmin_normalize(device: str) -> None:
    def check(array: np.ndarray) -> None:
        weight = np.linspace(-0.5, 0.5, array.shape[1]).astype(np.float32)
        assert_matches_torch(lambda t, x, w: [F(t).prelu(x, w), F(t).glu(x[:, :2], dim=1),
                                              F(t).softmin(x, dim=-1), F(t).normalize(x, dim=1),
                                              F(t).normalize(x, p=1.0, dim=-1)],
                             None, array, weight, device=device)

    strategy = arrays("float32", shapes(min_dims=2, max_dims=3, min_side=2), low=-3, high=3)
    on_device(device, strategy, check, fixed_example(-3, 3, (2, 3, 2)))


def test_activation_modules_match_torch(device: str) -> None:
    x = np.linspace(-4, 4, 24, dtype=np.float32).reshape(2, 3, 4)
    modules = [("ELU", (0.5,)), ("CELU", ()), ("SELU", ()), ("Softplus", (2.0,)),
               ("Hardtanh", (-2.0, 2.0)), ("ReLU6", ()), ("Hardsigmoid", ()),
               ("Hardswish", ()), ("Mish", ()), ("LogSigmoid", ()), ("Softsign", ()),
               ("Tanhshrink", ()), ("Softshrink", (1.0,)), ("Hardshrink", ()),
               ("Threshold", (0.1, 20.0)), ("GLU", (-1,)), ("Softmin", (2,)),
               ("PReLU", (3, 0.1)), ("GELU", ("tanh",)), ("SiLU", ())]
    if device == "cuda":  # the functions are tested there already: one module in four
        modules = modules[::4]
    for name, args in modules:
        ours = getattr(te.nn, name)(*args).to(device)
        theirs = getattr(torch.nn, name)(*args)
        assert repr(ours) == repr(theirs)
        x_ours = te.tensor(x, device=device, requires_grad=True)
        x_theirs = torch.tensor(x, requires_grad=True)
        y_ours, y_theirs = ours(x_ours), theirs(x_theirs)
        y_ours.sum().backward()
        y_theirs.sum().backward()
        np.testing.assert_allclose(y_ours.detach().cpu().numpy(), y_theirs.detach().numpy(),
                                   rtol=1e-5, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(x_ours.grad.cpu().numpy(), x_theirs.grad.numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=name)
    prelu = te.nn.PReLU(3)
    out = prelu(te.tensor(x, requires_grad=True))
    out.sum().backward()
    theirs = torch.nn.PReLU(3)
    theirs(torch.tensor(x)).sum().backward()
    np.testing.assert_allclose(prelu.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-5)


def test_inplace_activations_and_errors() -> None:
    for name in ["elu_", "celu_", "selu_", "hardtanh_", "relu_", "leaky_relu_"]:
        x, y = te.linspace(-2, 2, 5), torch.linspace(-2, 2, 5)
        assert getattr(te.nn.functional, name)(x) is x
        getattr(torch.nn.functional, name)(y)
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-6, err_msg=name)
    x = te.linspace(-2, 2, 5)
    te.nn.functional.threshold(x, 0.0, 9.0, inplace=True)
    assert x.tolist() == [9.0, 9.0, 9.0, 1.0, 2.0]
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        te.nn.functional.glu(te.ones(2, 3))
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        te.nn.functional.hardtanh(te.ones(2), 1.0, 0.0)
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        te.nn.functional.prelu(te.ones(2, 3), te.ones(2))


def test_predicates_and_closeness() -> None:
    values = [0.0, -0.0, 1.0, math.inf, -math.inf, math.nan, 1e-9]
    ours, theirs = te.tensor(values), torch.tensor(values)
    for name in ["isfinite", "isposinf", "isneginf"]:
        assert getattr(te, name)(ours).tolist() == getattr(torch, name)(theirs).tolist()
    other = [0.0, 0.0, 1.00001, math.inf, math.inf, math.nan, 0.0]
    for equal_nan in (False, True):
        assert (te.isclose(ours, te.tensor(other), equal_nan=equal_nan).tolist()
                == torch.isclose(theirs, torch.tensor(other), equal_nan=equal_nan).tolist())
    assert te.allclose(te.tensor([1.0, 2.0]), te.tensor([1.0, 2.0 + 1e-9]))
    assert not te.allclose(te.tensor([1.0]), te.tensor([1.1]))
    assert te.isfinite(te.tensor([1, 2])).tolist() == [True, True]
    assert te.nan_to_num(ours).tolist() == torch.nan_to_num(theirs).tolist()
    assert te.copysign(te.tensor([2.0]), te.tensor([-0.0])).item() == -2.0
    assert te.fmod(te.tensor([-7, 7]), 3).tolist() == [-1, 1]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        te.fmod(te.tensor([1, 2]), te.tensor([1, 0]))


HARD_POINTS = np.array([-1e12, -3.0, -1.0, -0.5, -1e-8, -0.0, 0.0, 1e-9, 0.3, 0.999, 1.0, 1.5,
                        2.0, 10.0, 1e12, np.inf, -np.inf, np.nan])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_math_kernels_match_reference(dtype: type) -> None:
    """Each new Triton op (interpreter here) against NumPy at the hard points, both dtypes."""
    from tinygrad_edu.kernels import View, elementwise
    from tinygrad_edu.kernels.triton_support import download, upload

    x = HARD_POINTS.astype(dtype)
    view = View(x.shape, (1,), 0)
    tolerance = 1e-6 if dtype == np.float64 else 2e-6
    with np.errstate(all="ignore"):
        for op in elementwise.MATH_UNARY_OPS:
            expected = elementwise.unary_reference(op, x, view)
            got = download(elementwise.unary_triton(op, upload(x), view))
            np.testing.assert_allclose(got, expected, rtol=tolerance, equal_nan=True, err_msg=op)
        a, b = np.repeat(x, len(x)), np.tile(x, len(x))  # every pair of hard points
        pair_view = View(a.shape, (1,), 0)
        for op in elementwise.MATH_BINARY_OPS:
            expected = elementwise.binary_reference(op, a, pair_view, b, pair_view)
            got = download(elementwise.binary_triton(op, upload(a), pair_view, upload(b),
                                                     pair_view))
            np.testing.assert_allclose(got, expected, rtol=tolerance, equal_nan=True, err_msg=op)
