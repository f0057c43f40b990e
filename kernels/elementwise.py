"""Elementwise primitives: one output element from the elements at the same index of the inputs.

    unary(op, x)        y[i] = f(x[i])           neg, exp, log, sqrt, sigmoid, relu, ...
    binary(op, a, b)    y[i] = f(a[i], b[i])     add, mul, div, pow, maximum, eq, ...
    where(c, a, b)      y[i] = a[i] if c[i] else b[i]
    cast(x, dtype)      y[i] = dtype(x[i])

Inputs arrive as (buffer, view). Broadcasting has already happened in the views: a broadcast
dimension has stride 0, so a[i] and b[i] are read from the right place with no copy. Every result
is a new, contiguous buffer of the (common) shape. An operand of binary and where may also be a
*number* instead of a buffer (a NumPy scalar of the operands' dtype: the 2.0 of `x * 2.0`, see
ops/lowering.number_or_buffer): NumPy broadcasts it as it is, and a Triton kernel receives it as
an argument, so no kernel has to write it into memory first. The dtype rules live above this
layer: `binary` gets two inputs of one dtype and returns that dtype, or bool for comparisons.
"""

from __future__ import annotations

import numpy as np

from .erf import erf as _erf
from .special_math import MATH_BINARY_OPS, MATH_UNARY_OPS
from .strided import ROW_MAJOR, View, as_numpy, is_whole

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
    "erf": _erf,
    "floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc,
    "logical_not": np.logical_not, "isnan": np.isnan, "isinf": np.isinf,
    **MATH_UNARY_OPS,  # tan, asin, ..., expm1: kernels/special_math.py
    "bitwise_not": np.invert,  # integers only (the op layer sends bool to logical_not)
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
    **MATH_BINARY_OPS,  # atan2, fmod, copysign, hypot: kernels/special_math.py
    # integer bit operations (bool too, for and/or/xor)
    "bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor,
    "left_shift": np.left_shift, "right_shift": np.right_shift,
}
# Defined on integer (and, for and/or/xor/not, bool) buffers only: the op layer refuses floats.
INTEGER_ONLY_OPS = frozenset({"bitwise_not", "bitwise_and", "bitwise_or", "bitwise_xor",
                              "left_shift", "right_shift"})

# Ops that cannot raise a floating-point warning skip the cost of np.errstate (about 1 µs).
_QUIET_OPS = {"neg", "abs", "relu", "sign", "add", "sub", "mul", "maximum", "minimum", "eq", "ne",
              "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "logical_not",
              "isnan", "isinf", "floor", "ceil", "round", "trunc"}


_BOOL_BINARY_OPS = {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"}


_BOOL = np.dtype(np.bool_)  # a dtype object: comparing a dtype with it is cheaper than with a type


def _result_buffer(result: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Flatten a result into a fresh contiguous buffer of the expected dtype."""
    if result.dtype == dtype:  # the usual case (NumPy scalars have a dtype and reshape too)
        # a ufunc's result on flat buffers is flat already: no new array object needed
        return result if result.ndim == 1 else result.reshape(-1)
    return np.asarray(result, dtype=dtype).reshape(-1)


def unary_reference(op: str, x: np.ndarray, x_view: View) -> np.ndarray:
    """y = f(x) for one named op; bool-valued ops (isnan, logical_not) return bool."""
    function = UNARY_OPS[op]
    x_array = x if is_whole(x, x_view) else as_numpy(x, x_view)
    if op in _QUIET_OPS:
        result = function(x_array)
    else:
        with np.errstate(all="ignore"):
            result = function(x_array)
    dtype = _BOOL if op in ("logical_not", "isnan", "isinf") else x.dtype
    return _result_buffer(result, dtype)


def _one_value(buffer: np.ndarray, view: View) -> np.ndarray | None:
    """The single element a view repeats everywhere (every stride 0: a broadcast scalar, such as
    the 0 of `x > 0`), as a 1-element array, else None."""
    if any(view.strides) or not buffer.size:
        return None
    return buffer[view.offset:view.offset + 1]


def _flat_pair(a: np.ndarray, a_view: View, b: np.ndarray, b_view: View
               ) -> tuple[np.ndarray, np.ndarray] | None:
    """a and b as flat arrays when elementwise math needs no shape, else None: both read whole
    buffers in order (every fresh op result), or one does and the other repeats one value (a
    1-element array broadcasts against the flat buffer exactly as the stride-0 view does, with the
    same inner loop). This skips building two shaped arrays, which costs more than a small op.
    A number (a NumPy scalar) broadcasts by itself: only the other operand needs a view."""
    if isinstance(b, np.generic):
        return (a if is_whole(a, a_view) else as_numpy(a, a_view)), b
    if isinstance(a, np.generic):
        return a, (b if is_whole(b, b_view) else as_numpy(b, b_view))
    # is_whole(a, a_view), written out: this test runs on every elementwise op
    if a_view.offset == 0 and ROW_MAJOR[a_view.shape] == (a_view.strides, a.size):
        # fresh results of one shape share one cached View object: `is` is the cheap first test
        if (b_view is a_view or b_view == a_view) and b.size == a.size:
            return a, b
        value = _one_value(b, b_view)
        return None if value is None else (a, value)
    value = _one_value(a, a_view)
    if value is not None and is_whole(b, b_view):
        return value, b
    return None


def binary_reference(op: str, a: np.ndarray, a_view: View, b: np.ndarray, b_view: View
                     ) -> np.ndarray:
    """y = f(a, b) over two views of one shape (broadcast dims have stride 0); a or b may be a
    number (a NumPy scalar of the dtype) instead of a buffer."""
    function = BINARY_OPS[op]
    a_array, b_array = _flat_pair(a, a_view, b, b_view) or (as_numpy(a, a_view),
                                                            as_numpy(b, b_view))
    if op in _QUIET_OPS:
        result = function(a_array, b_array)
    else:
        with np.errstate(all="ignore"):
            result = function(a_array, b_array)
    dtype = _BOOL if op in _BOOL_BINARY_OPS else a.dtype
    if result.dtype is dtype and result.ndim == 1:  # flat operands, flat result: the usual case
        return result
    return _result_buffer(result, dtype)


# The integer type of each item size: any dtype's elements, read as their raw bits.
_BITS = {1: np.int8, 2: np.int16, 4: np.int32, 8: np.int64}
_BRANCHY_WHERE_MAX = 1024  # up to this many elements np.where's single call is the cheaper one


def where_reference(condition: np.ndarray, condition_view: View, a: np.ndarray, a_view: View,
                    b: np.ndarray, b_view: View) -> np.ndarray:
    """y = a if condition else b, elementwise (a and b share one dtype).

    np.where takes a branch per element. When the condition is data (ReLU's mask: about half True,
    in no pattern) the CPU mispredicts half of those branches: ~30 us for 8192 elements. A
    branch-free select with bit masks gives the same bits in ~5 us: m = all ones where the
    condition holds, y = (a & m) | (b & ~m) on the elements read as integers of their size.
    a or b may be a number (a NumPy scalar) instead of a buffer: it broadcasts by itself."""
    c_array = as_numpy(condition, condition_view)
    a_array = a if isinstance(a, np.generic) else as_numpy(a, a_view)
    b_array = b if isinstance(b, np.generic) else as_numpy(b, b_view)
    if (c_array.size <= _BRANCHY_WHERE_MAX or c_array.dtype != np.bool_ or b.dtype != a.dtype
            or a.dtype.itemsize not in _BITS):
        return _result_buffer(np.where(c_array, a_array, b_array), a.dtype)
    bits = _BITS[a.dtype.itemsize]
    mask = np.negative(c_array.view(np.int8), dtype=bits)  # True (1) -> -1: every bit set
    # Selecting against a broadcast +0 (ReLU's backward: dy where y > 0, else 0) needs half the
    # passes: the zero side contributes no bits, so one AND is the whole select, done in the
    # mask's own buffer (no second array of the result's size to allocate).
    if _is_zero_fill(b, b_view, bits):
        selected = np.bitwise_and(mask, a_array.view(bits), out=mask)
    elif _is_zero_fill(a, a_view, bits):
        selected = np.bitwise_and(np.invert(mask, out=mask), b_array.view(bits), out=mask)
    else:
        selected = (a_array.view(bits) & mask) | (b_array.view(bits) & ~mask)
    return selected.view(a.dtype).reshape(-1)


def _is_zero_fill(buffer: np.ndarray | np.generic, view: View, bits: type) -> bool:
    """True when the view repeats one element whose bits are all zero (+0.0, or integer 0), or
    the operand is such a number."""
    value = buffer if isinstance(buffer, np.generic) else _one_value(buffer, view)
    return value is not None and value.view(bits).item() == 0


def cast_reference(x: np.ndarray, x_view: View, dtype: np.dtype) -> np.ndarray:
    """y = dtype(x): floats to ints truncate toward zero, nonzero to bool is True."""
    with np.errstate(all="ignore"):
        return as_numpy(x, x_view).astype(dtype).reshape(-1)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: the shape of every elementwise kernel.
#   1. Each *program* (one GPU thread block) owns BLOCK consecutive output positions.
#   2. A mask switches off the positions past the end (the last block usually sticks out).
#   3. Inputs are read through their views: row-major position -> buffer offset with the strides
#      (stride 0 re-reads the same element: that is broadcasting, with no copy).
#   4. The op is a compile-time constant (OP: tl.constexpr): one specialised kernel per op.
#   5. The output is written contiguous, in the output buffer's dtype.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .special_math import atan2 as _atan2  # noqa: E402 - Triton's tan, asin, ..., atan2, hypot
from .special_math import copysign as _copysign  # noqa: E402
from .special_math import hypot as _hypot  # noqa: E402
from .special_math import math_unary as _math_unary  # noqa: E402
from .triton_support import (  # noqa: E402
    block_positions,
    cdiv,
    compute_type,
    convert,
    empty,
    error_slot,
    launch_block,
    merge_dims,
    needs_int64,
    number_argument,
    number_block,
    numpy_dtype,
    precise_sqrt,
    record_bad_values,
    strided_offsets,
    tl,
    triton_kernel,
)

ELEMENTWISE_BLOCK = 1024  # elements per program: large enough to keep a GPU's memory bus busy


@triton_kernel
def _tanh(x):
    """tanh from exp: (1 - e) / (1 + e) with e = exp(-2|x|) <= 1, and a series near 0, where
    1 - e would cancel: x - x^3/3 + 2x^5/15 - 17x^7/315 (its error there is below rounding)."""
    small = 1e-3 if x.dtype == tl.float64 else 0.1
    e = tl.exp(-2.0 * tl.abs(x))
    magnitude = (1.0 - e) / (1.0 + e)
    x2 = x * x
    series = x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 - x2 * (17.0 / 315.0))))
    return tl.where(tl.abs(x) < small, series, tl.where(x < 0, -magnitude, magnitude))


@triton_kernel
def _round_half_even(x):
    """NumPy's round: halves go to the even neighbour (0.5 -> 0, 1.5 -> 2, 2.5 -> 2)."""
    below = tl.floor(x)
    fraction = x - below  # exact in floating point
    below_is_odd = below - 2.0 * tl.floor(below * 0.5)  # 1.0 when odd, 0.0 when even
    return tl.where(fraction > 0.5, below + 1.0,
                    tl.where(fraction < 0.5, below, below + below_is_odd))


@triton_kernel
def _erf(x):
    """erf in float64 the way kernels/erf.py does it: an all-positive series for |x| < 2.5, a
    continued fraction for erfc beyond (fixed term counts: enough for float64 at x = 2.5)."""
    x = x.to(tl.float64)
    t = tl.abs(x)
    near = tl.minimum(t, 2.5)  # the series part, kept where it converges
    two_x_squared = 2.0 * near * near
    term = near
    total = near
    for n in range(1, 64):
        term = term * two_x_squared / (2 * n + 1)
        total += term
    series = 1.1283791670955126 * tl.exp(-near * near) * total  # 2 / sqrt(pi)
    far = tl.maximum(t, 2.5)  # the continued-fraction part, kept where it converges
    denominator = far
    for k in range(60, 0, -1):
        denominator = far + (k * 0.5) / denominator
    tail = 1.0 - tl.exp(-far * far) * 0.5641895835477563 / denominator  # 1 / sqrt(pi)
    magnitude = tl.where(t < 2.5, series, tail)
    return tl.where(x < 0, -magnitude, magnitude)


@triton_kernel
def _float_unary(x, OP: tl.constexpr):
    """The ops that need floating point (x is float32 or float64)."""
    if OP == "exp":
        y = tl.exp(x)
    elif OP == "log":
        y = tl.log(x)
    elif OP == "log1p":  # log(1 + x) loses x's low bits; this correction gets them back
        u = 1.0 + x
        y = tl.where(u == 1.0, x, tl.log(u) * (x / (u - 1.0)))
    elif OP == "sqrt":
        y = precise_sqrt(x)
    elif OP == "rsqrt":
        y = 1.0 / precise_sqrt(x)
    elif OP == "sin":
        y = tl.sin(x)
    elif OP == "cos":
        y = tl.cos(x)
    elif OP == "tanh":
        y = _tanh(x)
    elif OP == "sigmoid":  # exp(-|x|) <= 1 never overflows
        z = tl.exp(-tl.abs(x))
        y = tl.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    elif OP == "reciprocal":
        y = 1.0 / x
    elif OP == "erf":
        y = _erf(x).to(x.dtype)
    elif OP == "floor":
        y = tl.floor(x)
    elif OP == "ceil":
        y = tl.ceil(x)
    elif OP == "round":
        y = _round_half_even(x)
    elif OP == "trunc":
        y = tl.where(x < 0, tl.ceil(x), tl.floor(x))
    else:
        y = _math_unary(x, OP)
    return y


@triton_kernel
def unary_op(x, OP: tl.constexpr):
    """y = OP(x) for a block x in its compute type (float32/64, int32/64)."""
    if OP == "neg":
        y = -x
    elif OP == "abs":
        y = tl.abs(x)
    elif OP == "relu":
        y = tl.where(x < 0, 0, x)  # NaN < 0 is False: NaN passes through, as in NumPy
    elif OP == "sign":
        y = tl.where(x > 0, 1, tl.where(x < 0, -1, 0)).to(x.dtype)
        if x.dtype.is_floating():
            y = tl.where(x != x, x, y)
    elif OP == "bitwise_not":
        y = ~x
    elif OP == "logical_not":
        y = x == 0
    elif OP == "isnan":
        y = x != x
    elif OP == "isinf":
        y = (x == x) & (x - x != 0)  # inf - inf is NaN; finite - finite is 0
    elif (not x.dtype.is_floating()) and ((OP == "floor" or OP == "ceil")
                                          or (OP == "round" or OP == "trunc")):
        y = x  # integers are already whole
    elif x.dtype.is_floating():
        y = _float_unary(x, OP)
    else:
        y = _float_unary(x.to(tl.float64), OP)  # like NumPy: int -> float64, cast back on store
    return y


@triton_kernel
def unary_kernel(x_ptr,                 # input buffer (flat)
                 out_ptr,               # output buffer: numel elements, row-major
                 numel,                 # number of elements to compute
                 shape,                 # tuple: the view's (merged) shape
                 x_strides,             # tuple: x's strides in elements, one per dim
                 x_offset,              # position of x[0, ..., 0] in x_ptr
                 OP: tl.constexpr,      # op name, e.g. "exp": one compiled kernel per op
                 BLOCK: tl.constexpr,           # elements per program, a power of two
                 INT64: tl.constexpr = False):  # int64 positions (see needs_int64)
    index = block_positions(BLOCK, INT64)  # (BLOCK,) row-major positions
    mask = index < numel
    x = tl.load(x_ptr + x_offset + strided_offsets(index, shape, x_strides), mask=mask)
    y = unary_op(compute_type(x), OP)
    tl.store(out_ptr + index, convert(y, out_ptr.dtype.element_ty), mask=mask)


def unary_triton(op: str, x: Any, x_view: View) -> Any:
    """y = f(x) for one named op, on the GPU; same contract as unary_reference."""
    if op not in UNARY_OPS:
        raise ValueError(f"unknown unary op {op!r}")
    dtype = np.bool_ if op in ("logical_not", "isnan", "isinf") else numpy_dtype(x)
    out = empty(x_view.numel, dtype)
    if x_view.numel:
        shape, (x_strides,) = merge_dims(x_view.shape, x_view.strides)
        block = launch_block(x_view.numel, ELEMENTWISE_BLOCK)
        unary_kernel[(cdiv(x_view.numel, block),)](x, out, x_view.numel, shape, x_strides,
                                                   x_view.offset, OP=op, BLOCK=block,
                                                   INT64=needs_int64(x_view))
    return out


@triton_kernel
def _int_divide(a, b, FLOOR: tl.constexpr):
    """a / b for integers rounded toward zero, or toward -inf when FLOOR: divide the magnitudes
    (no rounding question there), then put the sign back and step down if floor needs it."""
    quotient = tl.abs(a) // tl.abs(b)
    negative = (a < 0) != (b < 0)
    quotient = tl.where(negative, -quotient, quotient)
    if FLOOR:
        quotient = tl.where(negative & (quotient * b != a), quotient - 1, quotient)
    return quotient


@triton_kernel
def _int_pow(base, exponent):
    """base ** exponent for integers by square-and-multiply: one bit of the exponent per step."""
    result = base * 0 + 1
    while tl.max(exponent) > 0:
        result = tl.where((exponent & 1) == 1, result * base, result)
        base = base * base
        exponent = exponent >> 1
    return result


@triton_kernel
def _float_pow(a, b):
    """a ** b = exp(b log|a|) in float64, with NumPy's rules for the sign and the special cases."""
    a = a.to(tl.float64)
    b = b.to(tl.float64)
    magnitude = tl.exp(b * tl.log(tl.abs(a)))
    b_is_whole = tl.floor(b) == b
    b_is_odd = b_is_whole & (b - 2.0 * tl.floor(b * 0.5) == 1.0)
    a_is_negative = (a < 0) | ((a == 0) & (1.0 / a < 0))  # 1 / -0.0 = -inf catches -0.0
    y = tl.where(a_is_negative & b_is_odd, -magnitude, magnitude)
    not_a_number = (a - a) / (a - a)  # 0 / 0 (or NaN already): a NaN block
    y = tl.where((a < 0) & ~b_is_whole, not_a_number, y)
    return tl.where((b == 0) | (a == 1), 1.0, y)


@triton_kernel
def _float_floor_divide(a, b):
    """Python's a // b for floats, exact even where a / b rounds up to a whole number: take the
    remainder out first (fmod is exact), divide, then round the nearly-whole quotient."""
    remainder = a % b
    quotient = (a - remainder) / b
    quotient = tl.where((remainder != 0) & ((b < 0) != (remainder < 0)), quotient - 1.0, quotient)
    whole = tl.floor(quotient)
    whole = tl.where(quotient - whole > 0.5, whole + 1.0, whole)
    return tl.where(b == 0, a / b, whole)


@triton_kernel
def binary_op(a, b, OP: tl.constexpr):
    """y = OP(a, b) for two blocks in one compute type (float32/64, int32/64)."""
    floating: tl.constexpr = a.dtype.is_floating()
    if OP == "add":
        y = a + b
    elif OP == "sub":
        y = a - b
    elif OP == "mul":
        y = a * b
    elif OP == "div":
        y = a / b if floating else a.to(tl.float64) / b.to(tl.float64)
    elif OP == "div_floor":
        y = _float_floor_divide(a, b) if floating else _int_divide(a, b, True)
    elif OP == "div_trunc":
        if floating:
            quotient = a / b
            y = tl.where(quotient < 0, tl.ceil(quotient), tl.floor(quotient))
        else:
            y = _int_divide(a, b, False)
    elif OP == "remainder":  # the result takes the sign of b, as in Python and NumPy
        if floating:
            y = a % b  # fmod: the sign of a
            y = tl.where((y != 0) & ((y < 0) != (b < 0)), y + b, y)
        else:
            y = a - _int_divide(a, b, True) * b
    elif OP == "pow":
        y = _float_pow(a, b) if floating else _int_pow(a, b)
    elif OP == "maximum":  # NaN wins, as in NumPy
        y = tl.where((a > b) | (a != a), a, b)
    elif OP == "minimum":
        y = tl.where((a < b) | (a != a), a, b)
    elif OP == "eq":
        y = a == b
    elif OP == "ne":
        y = a != b
    elif OP == "lt":
        y = a < b
    elif OP == "le":
        y = a <= b
    elif OP == "gt":
        y = a > b
    elif OP == "ge":
        y = a >= b
    elif OP == "logical_and":
        y = (a != 0) & (b != 0)
    elif OP == "logical_or":
        y = (a != 0) | (b != 0)
    elif OP == "logical_xor":
        y = (a != 0) != (b != 0)
    elif OP == "bitwise_and":
        y = a & b
    elif OP == "bitwise_or":
        y = a | b
    elif OP == "bitwise_xor":
        y = a ^ b
    elif OP == "left_shift":
        y = a << b
    elif OP == "right_shift":  # arithmetic: the sign bit is copied in for signed types
        y = a >> b
    elif OP == "fmod":  # the sign of a (C's fmod)
        y = a % b if floating else a - _int_divide(a, b, False) * b
    elif OP == "atan2":
        y = _atan2(a, b)
    elif OP == "hypot":
        y = _hypot(a, b)
    else:
        tl.static_assert(OP == "copysign", "unknown binary op")
        y = _copysign(a, b)
    return y


@triton_kernel
def binary_kernel(a_ptr, b_ptr,           # input buffers (one dtype)
                  out_ptr,                # output buffer: numel elements, row-major
                  numel,                  # number of elements to compute
                  shape,                  # tuple: the common (broadcast, merged) shape
                  a_strides, a_offset,    # a's view: strides (tuple, 0 = broadcast) and offset
                  b_strides, b_offset,    # b's view
                  OP: tl.constexpr,       # op name, e.g. "add"
                  BLOCK: tl.constexpr,    # elements per program
                  error_ptr=None, error_slot=0,  # integer ops: where a bad divisor is recorded
                  CHECK: tl.constexpr = "",      # "zero": b == 0 is bad; "negative": b < 0
                  INT64: tl.constexpr = False,   # int64 positions (see needs_int64)
                  A_NUMBER: tl.constexpr = False,  # a_ptr is a number, not a buffer (1 - x)
                  B_NUMBER: tl.constexpr = False):  # b_ptr is a number (x * 2.0): no load
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = index < numel
    # other=1 in masked-off lanes: no division by zero or endless pow loop on garbage
    if A_NUMBER:  # (a and b share one dtype: a number takes the other operand's)
        a = number_block(a_ptr, b_ptr.dtype.element_ty, BLOCK)
    else:
        a = tl.load(a_ptr + a_offset + strided_offsets(index, shape, a_strides), mask=mask,
                    other=1)
    if B_NUMBER:
        b = number_block(b_ptr, a_ptr.dtype.element_ty, BLOCK)
    else:
        b = tl.load(b_ptr + b_offset + strided_offsets(index, shape, b_strides), mask=mask,
                    other=1)
    if CHECK == "zero":  # recorded (raised at the next host read), then computed as if b were 1
        bad = mask & (b == 0)
        record_bad_values(error_ptr, error_slot, b, bad)
        b = tl.where(bad, 1, b)
    elif CHECK == "negative":
        bad = mask & (b < 0)
        record_bad_values(error_ptr, error_slot, b, bad)
        b = tl.where(bad, 0, b)
    y = binary_op(compute_type(a), compute_type(b), OP)
    tl.store(out_ptr + index, convert(y, out_ptr.dtype.element_ty), mask=mask)


_BOOL_BINARY = {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"}


def _integer_check(op: str) -> tuple[str, Any, int]:
    """(CHECK, error buffer, slot) for an integer op that can fail: the kernel records a zero
    divisor or a negative exponent, and the next host read raises the reference's error."""
    if op == "pow":
        return ("negative", *error_slot(
            lambda *_: ValueError("Integers to negative integer powers are not allowed.")))
    return ("zero", *error_slot(lambda *_: RuntimeError("ZeroDivisionError")))


def binary_triton(op: str, a: Any, a_view: View, b: Any, b_view: View) -> Any:
    """y = f(a, b) over two views of one shape, on the GPU; same contract as binary_reference
    (a or b may be a number: it is passed as a kernel argument, A_NUMBER / B_NUMBER)."""
    if op not in BINARY_OPS:
        raise ValueError(f"unknown binary op {op!r}")
    a_number, b_number = isinstance(a, np.generic), isinstance(b, np.generic)
    dtype = numpy_dtype(a)  # (a NumPy scalar's dtype reads the same way)
    numel = a_view.numel
    out = empty(numel, np.bool_ if op in _BOOL_BINARY else dtype)
    if numel:
        checked = dtype.kind in "iub" and op in ("div_floor", "div_trunc", "remainder", "pow",
                                                 "fmod")
        check, errors, slot = _integer_check(op) if checked else ("", None, 0)
        shape, (a_strides, b_strides) = merge_dims(a_view.shape, a_view.strides, b_view.strides)
        block = launch_block(numel, ELEMENTWISE_BLOCK)
        binary_kernel[(cdiv(numel, block),)](
            number_argument(a) if a_number else a, number_argument(b) if b_number else b, out,
            numel, shape, a_strides, a_view.offset, b_strides, b_view.offset,
            OP=op, BLOCK=block, error_ptr=errors, error_slot=slot, CHECK=check,
            INT64=needs_int64(a_view, b_view), A_NUMBER=a_number, B_NUMBER=b_number)
    return out


@triton_kernel
def where_kernel(condition_ptr, a_ptr, b_ptr,   # condition (any dtype: nonzero = True), a, b
                 out_ptr,                        # output: numel elements of a's dtype
                 numel,                          # number of elements
                 shape,                          # tuple: the common (broadcast, merged) shape
                 condition_strides, condition_offset,
                 a_strides, a_offset,
                 b_strides, b_offset,
                 BLOCK: tl.constexpr,
                 INT64: tl.constexpr = False,
                 A_NUMBER: tl.constexpr = False,   # a_ptr is a number (where(m, 0.0, x))
                 B_NUMBER: tl.constexpr = False):  # b_ptr is a number (where(m, x, 0.0))
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = index < numel
    condition = tl.load(condition_ptr + condition_offset
                        + strided_offsets(index, shape, condition_strides), mask=mask)
    if A_NUMBER:  # a number in the output's dtype
        a = number_block(a_ptr, out_ptr.dtype.element_ty, BLOCK)
    else:
        a = tl.load(a_ptr + a_offset + strided_offsets(index, shape, a_strides), mask=mask)
    if B_NUMBER:
        b = number_block(b_ptr, out_ptr.dtype.element_ty, BLOCK)
    else:
        b = tl.load(b_ptr + b_offset + strided_offsets(index, shape, b_strides), mask=mask)
    tl.store(out_ptr + index, tl.where(condition != 0, a, b), mask=mask)


def where_triton(condition: Any, condition_view: View, a: Any, a_view: View, b: Any,
                 b_view: View) -> Any:
    """y = a if condition else b, elementwise, on the GPU; same contract as where_reference
    (a or b may be a number: it is passed as a kernel argument, A_NUMBER / B_NUMBER)."""
    a_number, b_number = isinstance(a, np.generic), isinstance(b, np.generic)
    numel = a_view.numel
    out = empty(numel, numpy_dtype(a))
    if numel:
        shape, strides = merge_dims(a_view.shape, condition_view.strides, a_view.strides,
                                    b_view.strides)
        block = launch_block(numel, ELEMENTWISE_BLOCK)
        where_kernel[(cdiv(numel, block),)](
            condition, number_argument(a) if a_number else a,
            number_argument(b) if b_number else b, out, numel, shape, strides[0],
            condition_view.offset, strides[1], a_view.offset, strides[2], b_view.offset,
            BLOCK=block, INT64=needs_int64(condition_view, a_view, b_view), A_NUMBER=a_number,
            B_NUMBER=b_number)
    return out


@triton_kernel
def cast_kernel(x_ptr,                  # input buffer
                out_ptr,                # output buffer of the new dtype: numel elements
                numel,                  # number of elements
                shape, x_strides,       # tuples: x's (merged) view
                x_offset,               # position of x[0, ..., 0]
                BLOCK: tl.constexpr,
                INT64: tl.constexpr = False):
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = index < numel
    x = tl.load(x_ptr + x_offset + strided_offsets(index, shape, x_strides), mask=mask)
    tl.store(out_ptr + index, convert(x, out_ptr.dtype.element_ty), mask=mask)


def cast_triton(x: Any, x_view: View, dtype: np.dtype) -> Any:
    """y = dtype(x), on the GPU; same contract as cast_reference."""
    out = empty(x_view.numel, dtype)
    if x_view.numel:
        shape, (x_strides,) = merge_dims(x_view.shape, x_view.strides)
        block = launch_block(x_view.numel, ELEMENTWISE_BLOCK)
        cast_kernel[(cdiv(x_view.numel, block),)](
            x, out, x_view.numel, shape, x_strides, x_view.offset, BLOCK=block,
            INT64=needs_int64(x_view))
    return out
