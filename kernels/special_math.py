"""The rest of the math library: inverse trig, hyperbolic, log2/exp2/expm1, atan2, hypot, copysign.

These are more named ops of the elementwise primitives (`unary` and `binary` in elementwise.py):
the NumPy reference is one NumPy function each; the Triton side is built here from the few
operations every GPU has (exp, log, sqrt, sin, cos, division), the way a math library is built:

    atan(x)    |x| > 1: pi/2 - atan(1/|x|);  then two halvings
               atan(r) = 2 atan(r / (1 + sqrt(1 + r^2))) bring r below 0.2,
               where the series r - r^3/3 + r^5/5 - ... converges fast
    asin(x)    atan(x / sqrt((1 - x)(1 + x)))        acos(x) = 2 atan(sqrt((1 - x) / (1 + x)))
    atan2(y, x)  the angle of the point (x, y): atan of the smaller over the larger magnitude,
                 then reflected into the right quadrant by the signs of x and y (-0.0 counts)
    expm1(x)   (e^x - 1) * x / log(e^x): exact to rounding even where e^x - 1 cancels
    log1p(x)   log(1 + x) * x / ((1 + x) - 1): the same trick from the other side
    sinh(x)    (e - e / (e + 1)) / 2 with e = expm1(x) near 0, (e^x - e^-x) / 2 elsewhere
    asinh(x)   log1p(|x| + x^2 / (1 + sqrt(1 + x^2)))  (log(2|x|) for huge |x|, where x^2 overflows)
    acosh(x)   log1p(t + sqrt(t (t + 2))) with t = x - 1       atanh(x) = log1p(2x / (1 - x)) / 2
    hypot(a, b)  m sqrt(1 + (n/m)^2) with m = max(|a|, |b|), n = min: no overflow of a^2
"""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------------------------
# NumPy reference: the ops elementwise.py adds to its UNARY_OPS and BINARY_OPS tables
# ----------------------------------------------------------------------------------------------
MATH_UNARY_OPS = {
    "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh, "asinh": np.arcsinh, "acosh": np.arccosh,
    "atanh": np.arctanh, "log2": np.log2, "log10": np.log10, "exp2": np.exp2, "expm1": np.expm1,
}


def _integer_safe_fmod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iub" and np.any(b == 0):
        raise RuntimeError("ZeroDivisionError")
    return np.fmod(a, b)


MATH_BINARY_OPS = {
    "atan2": np.arctan2, "fmod": _integer_safe_fmod, "copysign": np.copysign, "hypot": np.hypot,
}

# ----------------------------------------------------------------------------------------------
# Triton: device functions called from elementwise.py's unary_op / binary_op
# ----------------------------------------------------------------------------------------------
from .triton_support import precise_sqrt, tl, triton_kernel  # noqa: E402

# The constants are written out as literals inside the kernels: a compiled Triton kernel may read
# a module-level global only if it is a tl.constexpr (the interpreter reads any), and tl is not
# imported yet when this module is. A literal is rounded to the dtype of the tensor it meets.
#   1.5707963267948966 = pi / 2      3.141592653589793 = pi      0.6931471805599453 = ln 2
#   0.30102999566398120 = log10(2)
#   1e10: beyond it sqrt(1 + x^2) == |x| in float64, so asinh / acosh take log(2|x|)


@triton_kernel
def _log1p(x):
    """log(1 + x) with the low bits of x kept (and log1p(inf) = inf)."""
    u = 1.0 + x
    y = tl.where(u == 1.0, x, tl.log(u) * (x / (u - 1.0)))
    return tl.where(u == float("inf"), u, y)


@triton_kernel
def _expm1(x):
    """e^x - 1 with the low bits of x kept (Kahan's trick)."""
    u = tl.exp(x)
    y = tl.where(u == 1.0, x, (u - 1.0) * (x / tl.log(u)))
    y = tl.where(u - 1.0 == -1.0, -1.0, y)
    return tl.where(u == float("inf"), u, y)


@triton_kernel
def _atan(x):
    """atan by reflection (|x| > 1), two argument halvings and an 11-term series."""
    magnitude = tl.abs(x)
    reflected = magnitude > 1.0
    r = tl.where(reflected, 1.0 / magnitude, magnitude)  # 0 <= r <= 1
    r = r / (1.0 + precise_sqrt(1.0 + r * r))  # <= tan(pi/8)
    r = r / (1.0 + precise_sqrt(1.0 + r * r))  # <= tan(pi/16) ~ 0.2
    r2 = r * r
    series = r * 0.0 + 1.0 / 23.0
    # Horner: sum over n of (-r^2)^n / (2n + 1). static_range: n is a Python int, so 1 / (2n + 1)
    # is a float64 constant; a runtime n (an int32) would make it a float32 on a GPU
    for n in tl.static_range(10, -1, -1):
        series = 1.0 / (2 * n + 1) - r2 * series
    angle = 4.0 * r * series
    angle = tl.where(reflected, 1.5707963267948966 - angle, angle)
    return tl.where(x < 0, -angle, angle)


@triton_kernel
def _sign_bit(v):
    """True where v is negative, -0.0 included (1 / -0.0 is -inf)."""
    return (v < 0) | ((v == 0) & (1.0 / v < 0))


@triton_kernel
def math_unary(x, OP: tl.constexpr):
    """The ops of MATH_UNARY_OPS on a float block x."""
    if OP == "tan":
        y = tl.sin(x) / tl.cos(x)
    elif OP == "asin":
        y = _atan(x / precise_sqrt((1.0 - x) * (1.0 + x)))
    elif OP == "acos":
        y = 2.0 * _atan(precise_sqrt((1.0 - x) / (1.0 + x)))
    elif OP == "atan":
        y = _atan(x)
    elif OP == "sinh":
        e = _expm1(x)
        near_zero = (e + e / (e + 1.0)) * 0.5
        y = tl.where(tl.abs(x) < 1.0, near_zero, (tl.exp(x) - tl.exp(-x)) * 0.5)
    elif OP == "cosh":
        y = (tl.exp(x) + tl.exp(-x)) * 0.5
    elif OP == "asinh":
        a = tl.abs(x)
        small = tl.minimum(a, 1e10)
        y = tl.where(a < 1e10, _log1p(small + small * small / (1.0 + precise_sqrt(1.0 + small
                                                                                  * small))),
                     tl.log(a) + 0.6931471805599453)
        y = tl.where(x < 0, -y, y)
    elif OP == "acosh":
        t = tl.minimum(x, 1e10) - 1.0
        root = precise_sqrt(tl.where(x < 1.0, -1.0, t * (t + 2.0)))  # NaN below 1
        y = tl.where(x < 1e10, _log1p(t + root), tl.log(x) + 0.6931471805599453)
    elif OP == "atanh":
        y = 0.5 * _log1p(2.0 * x / (1.0 - x))
    elif OP == "log2":
        y = tl.log2(x)
    elif OP == "log10":
        y = tl.log2(x) * 0.30102999566398120
    elif OP == "exp2":
        y = tl.exp2(x)
    else:
        tl.static_assert(OP == "expm1", "unknown unary op")
        y = _expm1(x)
    return y


@triton_kernel
def atan2(y, x):
    """The angle of (x, y) in (-pi, pi], with C's rules for zeros and infinities."""
    ay = tl.abs(y)
    ax = tl.abs(x)
    angle = tl.where(ay <= ax, _atan(ay / ax), 1.5707963267948966 - _atan(ax / ay))
    angle = tl.where((ax == 0) & (ay == 0), 0.0, angle)
    both_infinite = (ax == float("inf")) & (ay == float("inf"))
    angle = tl.where(both_infinite, 0.7853981633974483, angle)
    angle = tl.where(_sign_bit(x), 3.141592653589793 - angle, angle)
    angle = tl.where(_sign_bit(y), -angle, angle)
    return tl.where((x != x) | (y != y), x + y, angle)


@triton_kernel
def hypot(a, b):
    """sqrt(a^2 + b^2) without overflow of the squares."""
    big = tl.maximum(tl.abs(a), tl.abs(b))
    small = tl.minimum(tl.abs(a), tl.abs(b))
    ratio = small / tl.where(big == 0, 1.0, big)
    y = big * precise_sqrt(1.0 + ratio * ratio)
    y = tl.where((a != a) | (b != b), a + b, y)
    infinite = (tl.abs(a) == float("inf")) | (tl.abs(b) == float("inf"))
    return tl.where(infinite, float("inf"), y)  # even hypot(inf, nan) is inf, as in C


@triton_kernel
def copysign(a, b):
    """|a| with the sign of b (-0.0 counts as negative)."""
    return tl.where(_sign_bit(b), -tl.abs(a), tl.abs(a))
