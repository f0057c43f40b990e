"""Python numbers as kernel arguments: `x * 2.0` is one launch, with PyTorch's dtypes and values.

A Python number operand becomes a 0-d tensor that holds the number (storage.ScalarStorage), and
binary ops and where hand the number to their primitive instead of a buffer: the NumPy reference
gets a NumPy scalar of the dtype, a Triton kernel gets it as an argument (A_NUMBER / B_NUMBER).
These tests check the results and dtypes against PyTorch for each kind of number and tensor
dtype (wrapped-number promotion, wrap-around of out-of-range ints, float16 overflow to inf,
float64 numbers passed exactly), the gradients (none flows to the number), the launch counts on
device "cuda", and each primitive against its NumPy reference with number operands.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from tinygrad_edu.kernels import View, contiguous_strides, elementwise, triton_support

import tinygrad_edu as tg

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"]
NUMBERS = [2.0, 1, 0, -1, 2.5, True, 0.1, 1000, 70000.0]
EXPRESSIONS = {
    "x + n": lambda x, n: x + n,
    "n - x": lambda x, n: n - x,
    "x * n": lambda x, n: x * n,
    "x / n": lambda x, n: x / n,
    "x < n": lambda x, n: x < n,
    "x == n": lambda x, n: x == n,
    "where(m, x, n)": lambda x, n: x.where(x > 0, n),
}


def _values(dtype: str) -> np.ndarray:
    return np.array([[-3, 0, 1], [2, 5, 7]]).astype(dtype)


def _torch_module_result(module, expression, dtype: str, number, device: str):
    x = module.tensor(_values(dtype), device=device) if module is tg else torch.tensor(
        _values(dtype))
    return expression(x, number)


def _both(expression, dtype: str, number, device: str):
    """(PyTorch's result or its error type, ours or our error type)."""
    results = []
    for module in (torch, tg):
        try:
            results.append(_torch_module_result(module, expression, dtype, number, device))
        except (RuntimeError, TypeError, OverflowError) as error:
            results.append(type(error))
    return results


def _check_same(expected, got) -> None:
    if isinstance(expected, type):  # PyTorch refused: so must we
        assert isinstance(got, type), f"PyTorch raised {expected.__name__}, we returned {got}"
        return
    assert not isinstance(got, type), f"we raised {got.__name__}, PyTorch returned {expected}"
    assert str(got.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    np.testing.assert_array_equal(got.cpu().numpy(), expected.numpy())


@pytest.mark.parametrize("name", list(EXPRESSIONS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_number_operands_match_pytorch_dtypes_and_values(device, name, dtype):
    """Every kind of Python number with every tensor dtype: the result's dtype (a float number
    with an int tensor gives the default float dtype; an int number keeps float16; a bool keeps
    uint8) and its values, incl. 1000 wrapping around in int8 and 70000.0 becoming inf in
    float16, equal PyTorch's exactly (one launch each on cuda, so the batch stays quick)."""
    expression = EXPRESSIONS[name]
    for number in NUMBERS:
        if dtype == "float16" and name in ("x * n", "x / n") and number in (0.1, 70000.0):
            continue  # PyTorch multiplies and divides float16 by the float32 number, unrounded
            # (its "opmath"; add rounds it): here it is rounded to float16 first (as before)
        expected, got = _both(expression, dtype, number, device)
        _check_same(expected, got)


def test_float64_numbers_arrive_exactly(device):
    """0.1 is not a float32: a float64 tensor must see the float64 0.1 (sent as its 64 bits)."""
    x = tg.tensor([1.0, 3.0], dtype=tg.float64, device=device)
    t = torch.tensor([1.0, 3.0], dtype=torch.float64)
    for got, expected in ((x * 0.1, t * 0.1), (x + 1e-300, t + 1e-300), (x - 1, t - 1),
                          (tg.where(x > 2, x, 0.1), torch.where(t > 2, t, 0.1))):
        assert got.dtype == tg.float64
        np.testing.assert_array_equal(got.cpu().numpy(), expected.numpy())


@given(st.floats(-1e6, 1e6, allow_nan=False, width=32), st.sampled_from(["+", "*", "/", "max"]))
def test_float32_numbers_any_value(number, op):
    """Any float32 number, including ones equal to 1 (a GPU would specialise those), on cuda."""
    data = np.array([-2.0, 0.5, 1.0, 3.0], np.float32)
    x, t = tg.tensor(data, device="cuda"), torch.tensor(data)
    apply = {"+": lambda a: a + number, "*": lambda a: a * number, "/": lambda a: number / a,
             "max": lambda a: a.clamp(min=number)}[op]
    np.testing.assert_allclose(apply(x).cpu().numpy(), apply(t).numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["x*2.0", "1-x", "2/x", "x**2", "clamp", "where", "x-1",
                                  "maximum"])
def test_gradients_flow_to_the_tensor_only(device, name):
    """Gradients equal PyTorch's; the number gets none (a None edge, as in PyTorch)."""
    f = {"x*2.0": lambda x: x * 2.0, "1-x": lambda x: 1 - x, "2/x": lambda x: 2 / x,
         "x**2": lambda x: x ** 2, "clamp": lambda x: x.clamp(-0.5, 0.6),
         "where": lambda x: x.where(x > 0, 0.0), "x-1": lambda x: x - 1,
         "maximum": lambda x: (x * 3).clamp(min=1)}[name]
    data = np.array([[-1.0, 0.25, 0.5], [1.5, -2.0, 3.0]], np.float32)
    x = tg.tensor(data, device=device, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    y, expected = f(x), f(t)
    (y * y).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(y.detach().cpu().numpy(), expected.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.cpu().numpy(), t.grad.numpy(), rtol=1e-6)


def test_a_number_operand_keeps_pytorchs_graph():
    x = tg.ones(3, requires_grad=True)
    for y in (x + 1, x * 2.0, x / 2):
        assert y.grad_fn.next_functions[1] == (None, 0)


def _launches(f) -> dict[str, int]:
    before = dict(triton_support.COUNTS)
    f()
    return triton_support.COUNTS["launches"] - before["launches"]


def test_a_number_operand_costs_no_fill_launch():
    """x * 2.0, x + 1, x.clamp(0, 6), where(m, x, 0.0), x ** 2: one launch per elementwise op,
    none to write the number into memory first (before: 2, 2, 6, 2, 3)."""
    x = tg.tensor([[-1.0, 2.0], [7.0, 0.5]], device="cuda")
    m = x > 0
    assert _launches(lambda: x * 2.0) == 1
    assert _launches(lambda: x + 1) == 1
    assert _launches(lambda: x.clamp(0, 6)) == 2  # maximum, then minimum
    assert _launches(lambda: tg.where(m, x, 0.0)) == 1
    assert _launches(lambda: x ** 2) == 1
    assert _launches(lambda: x.mean()) == 2  # the sum, then the division by the count


def test_a_number_tensor_used_as_memory_becomes_an_ordinary_tensor(device):
    """A primitive other than binary / where reads the buffer: it is made then (one fill), and
    an in-place write after that is seen by every later use (the number never goes stale)."""
    from tinygrad_edu.ops.operands import scalar_tensor

    x = tg.tensor([1.0, 2.0], device=device)
    s = scalar_tensor(3.0, tg.float32, x)
    np.testing.assert_array_equal((x * s).cpu().numpy(), [3.0, 6.0])  # the number path
    assert s.item() == 3.0  # to the host: the buffer is made
    s.fill_(5.0)
    np.testing.assert_array_equal((x * s).cpu().numpy(), [5.0, 10.0])


# --- the primitives themselves, Triton kernel vs NumPy reference --------------------------------
def _view(shape: tuple[int, ...]) -> View:
    return View(shape, contiguous_strides(shape), 0)


def _number_view(shape: tuple[int, ...]) -> View:
    return View(shape, (0,) * len(shape), 0)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int8", "uint8",
                                   "bool"])
@pytest.mark.parametrize("number", [1, 0, 3, -2])
def test_binary_and_where_kernels_with_a_number_match_the_reference(dtype, number):
    """Each primitive with a NumPy-scalar operand on either side, incl. the number 1 (which a GPU
    launch would specialise into a constant) and ops that check integer divisors."""
    upload, download = triton_support.upload, triton_support.download
    shape = (2, 3)
    a = np.array([[-3, 0, 1], [2, 5, 7]]).astype(dtype)
    value = np.array(number).astype(dtype)[()]
    ops = ["add", "mul", "maximum", "lt", "eq"] + (["div"] if dtype.startswith("float") else [])
    if dtype in ("int64", "int8") and number != 0:
        ops += ["remainder", "div_floor"]
    if dtype == "bool":
        ops = ["logical_and", "logical_or", "eq", "maximum"]
    view, number_view = _view(shape), _number_view(shape)
    for op in ops:
        for a_side, b_side, a_view, b_view in ((a, value, view, number_view),
                                               (value, a, number_view, view)):
            if op in ("remainder", "div_floor") and a_side is value:
                continue  # the divisor must be the number here (a holds a zero)
            expected = elementwise.binary_reference(op, a_side, a_view, b_side, b_view)
            got = elementwise.binary_triton(
                op, upload(a_side) if a_side is a else a_side, a_view,
                upload(b_side) if b_side is a else b_side, b_view)
            np.testing.assert_array_equal(download(got), expected, err_msg=op)
    condition = a.astype(bool) if dtype != "bool" else ~a
    c_view = _view(shape)
    expected = elementwise.where_reference(condition, c_view, a, view, value, number_view)
    got = elementwise.where_triton(upload(condition), c_view, upload(a), view, value, number_view)
    np.testing.assert_array_equal(download(got), expected)
    expected = elementwise.where_reference(condition, c_view, value, number_view, a, view)
    got = elementwise.where_triton(upload(condition), c_view, value, number_view, upload(a), view)
    np.testing.assert_array_equal(download(got), expected)
