"""Elementwise primitives: one output element from the elements at the same index of the inputs.

    unary(op, x)        y[i] = f(x[i])           neg, exp, log, sqrt, sigmoid, relu, ...
    binary(op, a, b)    y[i] = f(a[i], b[i])     add, mul, div, pow, maximum, eq, ...
    where(c, a, b)      y[i] = a[i] if c[i] else b[i]
    cast(x, dtype)      y[i] = dtype(x[i])

Inputs arrive as (buffer, view). Broadcasting has already happened in the views: a broadcast
dimension has stride 0, so a[i] and b[i] are read from the right place with no copy. Every result is a
new, contiguous buffer of the (common) shape. The dtype rules live above this layer: `binary` gets two
inputs of one dtype and returns that dtype, or bool for comparisons.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), computed so that exp never overflows: exp(-|x|) is always <= 1."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)


def _rsqrt(x: np.ndarray) -> np.ndarray:
    return np.reciprocal(np.sqrt(x))


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, x.dtype.type(0))


UNARY_OPS = {
    "neg": np.negative, "abs": np.abs, "exp": np.exp, "log": np.log, "log1p": np.log1p,
    "sqrt": np.sqrt, "rsqrt": _rsqrt, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
    "sigmoid": _sigmoid, "relu": _relu, "sign": np.sign, "reciprocal": np.reciprocal,
    "floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc,
    "logical_not": np.logical_not, "isnan": np.isnan, "isinf": np.isinf,
}


def _divide_with_rounding(a: np.ndarray, b: np.ndarray, rounding: str) -> np.ndarray:
    if a.dtype.kind in "iub":
        if np.any(b == 0):
            raise RuntimeError("ZeroDivisionError")
        quotient = np.floor_divide(a, b)
        if rounding == "trunc":  # floor rounds toward -inf; trunc rounds toward 0
            quotient = quotient + ((np.remainder(a, b) != 0) & ((a < 0) != (b < 0)))
        return quotient.astype(a.dtype, copy=False)
    if rounding == "floor":  # Python's floor division: exact even where a / b rounds up to an int
        return np.floor_divide(a, b)
    return np.trunc(np.true_divide(a, b))


def _integer_safe_remainder(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iub" and np.any(b == 0):
        raise RuntimeError("ZeroDivisionError")
    return np.remainder(a, b)


BINARY_OPS = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "div_floor": lambda a, b: _divide_with_rounding(a, b, "floor"),
    "div_trunc": lambda a, b: _divide_with_rounding(a, b, "trunc"),
    "remainder": _integer_safe_remainder, "pow": np.power,
    "maximum": np.maximum, "minimum": np.minimum,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal,
    "logical_and": np.logical_and, "logical_or": np.logical_or, "logical_xor": np.logical_xor,
}

# Ops that cannot raise a floating-point warning skip the cost of np.errstate (about 1 µs).
_QUIET_OPS = {"neg", "abs", "relu", "sign", "add", "sub", "mul", "maximum", "minimum", "eq", "ne",
              "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "logical_not",
              "isnan", "isinf", "floor", "ceil", "round", "trunc"}


def _result_buffer(result: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Flatten a result into a fresh contiguous buffer of the expected dtype."""
    return np.asarray(result, dtype=dtype).reshape(-1)


def unary_reference(op: str, x: np.ndarray, x_view: View) -> np.ndarray:
    """y = f(x) for one named op; bool-valued ops (isnan, logical_not) return bool."""
    function = UNARY_OPS[op]
    x_array = as_numpy(x, x_view)
    if op in _QUIET_OPS:
        result = function(x_array)
    else:
        with np.errstate(all="ignore"):
            result = function(x_array)
    dtype = np.bool_ if op in ("logical_not", "isnan", "isinf") else x.dtype
    return _result_buffer(result, dtype)


def binary_reference(op: str, a: np.ndarray, a_view: View, b: np.ndarray, b_view: View
                     ) -> np.ndarray:
    """y = f(a, b) over two views of one shape (broadcast dims have stride 0)."""
    function = BINARY_OPS[op]
    a_array, b_array = as_numpy(a, a_view), as_numpy(b, b_view)
    if op in _QUIET_OPS:
        result = function(a_array, b_array)
    else:
        with np.errstate(all="ignore"):
            result = function(a_array, b_array)
    bool_result = op in ("eq", "ne", "lt", "le", "gt", "ge") or op.startswith("logical")
    return _result_buffer(result, np.bool_ if bool_result else a.dtype)


def where_reference(condition: np.ndarray, condition_view: View, a: np.ndarray, a_view: View,
                    b: np.ndarray, b_view: View) -> np.ndarray:
    """y = a if condition else b, elementwise (a and b share one dtype)."""
    result = np.where(as_numpy(condition, condition_view), as_numpy(a, a_view), as_numpy(b, b_view))
    return _result_buffer(result, a.dtype)


def cast_reference(x: np.ndarray, x_view: View, dtype: np.dtype) -> np.ndarray:
    """y = dtype(x): floats to ints truncate toward zero, nonzero to bool is True."""
    with np.errstate(all="ignore"):
        return as_numpy(x, x_view).astype(dtype).reshape(-1)
