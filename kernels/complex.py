"""Complex numbers in flat buffers: interleaved (real, imag) pairs, and their primitive paths.

A complex64 buffer of n elements is 2n float32 numbers in memory, each element's real part first:

    z = [1+2j, 3-4j]      memory: [1., 2., 3., -4.]      (NumPy's and PyTorch's layout too)

So a complex view (shape, strides, offset) *is* a float view of the same memory with one more
dim of size 2 at the end — the "pair view":

    complex view  shape (3, 4),    strides (4, 1),    offset 5
    float view    shape (3, 4, 2), strides (8, 2, 1), offset 10     (strides and offset doubled)

and fixing that last dim gives the real parts (offset 10) or the imaginary parts (offset 11), each
a float view with stride-2 elements. This is how complex tensors get their paths through the
primitives without a complex type in the kernels:

- moving data (copy, copy_into, where, gather, index_select, ...) and the *componentwise* math
  (add, sub, neg, sum, scatter_add, the running sum of scan, ...) run the float primitive on the
  pair view;
- matmul is four float matmuls over the stride-2 part views:
  (A + iB)(C + iD) = (AC - BD) + i(AD + BC);
- the rest (mul, div, exp, log, sqrt, |z|, arg z, ...) has its own Triton kernel below, which
  loads each pair from the float view at 2k and 2k + 1.

The NumPy reference needs no pair views: NumPy's complex arrays already use this memory layout and
its ufuncs compute on them, so the NumPy path is the same reference code plus PyTorch's errors for
ops that are not defined on complex numbers (ordering: max, <, relu, ...). Primitives with no
complex meaning in PyTorch either (sort, softmax, the normalizations, pooling: REFUSED below) raise
PyTorch's error on a complex buffer, on both backends, rather than read its pairs as floats.

New primitives here: `as_real` / `as_complex` reinterpret a buffer (the same memory, the other
type: what view_as_real, .real and .imag are made of) and `complex_unary` computes |z|, arg z
(real results) and the conjugate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .strided import View, as_numpy

COMPLEX_UNARY = frozenset({"neg", "exp", "log", "sqrt", "reciprocal", "sin", "cos"})
COMPLEX_BINARY = frozenset({"add", "sub", "mul", "div", "pow", "eq", "ne"})
COMPLEX_REDUCE = frozenset({"sum"})
PART_OPS = ("abs", "angle", "conj")  # complex_unary: |z| and arg z are real, conj(z) complex

_MESSAGES = {
    "relu": "clamp is not supported for complex types",
    "sign": "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
            "torch.sgn instead.",
    "argmax": "argmax(): does not support complex input",
    "argmin": "argmin(): does not support complex input",
    "maximum": "maximum not implemented for complex tensors.",
    "minimum": "minimum not implemented for complex tensors.",
    "sort": "Sort does not support complex dtypes",
}

# Primitives that complex numbers do not have in PyTorch either (they need an order, or PyTorch has
# no complex kernel for them): the name PyTorch's error gives for each.
REFUSED = {"softmax": "softmax_lastdim_kernel_impl", "layer_norm": "LayerNormKernelImpl",
           "batch_norm": "batch_norm", "cross_entropy": "log_softmax_lastdim_kernel_impl",
           "avg_pool2d": "avg_pool2d", "max_pool2d": "max_pool2d", "sort": "sort"}
# Running ops (the scan primitive): only the running sum is componentwise, so it is the one kept;
# cumprod of complex numbers is composed of complex multiplies in ops/cumulative.py instead (its
# real backward formula has no conjugates), and the running max / min / logsumexp are refused.
COMPLEX_SCAN = frozenset({"sum"})


def type_name(dtype: Any) -> str:
    """PyTorch's name for a complex element type in error messages."""
    return "ComplexDouble" if np.dtype(dtype).itemsize == 16 else "ComplexFloat"


def unsupported(op: str, dtype: Any) -> Exception:
    """PyTorch's error for an op that complex numbers do not have (they are not ordered)."""
    if op in ("floor", "ceil", "round", "trunc"):
        return NotImplementedError(f"{op} is not supported for complex inputs")
    message = _MESSAGES.get(op, f'"{op}" not implemented for \'{type_name(dtype)}\'')
    return (RuntimeError if op.startswith("arg") or op in ("maximum", "minimum", "sort")
            else NotImplementedError)(message)


def _refusal(primitive: str, dtype_of: Callable[[Any], Any]) -> Callable[..., Any]:
    """A complex path that raises PyTorch's error (the complex buffer is the first argument)."""

    def refuse(x: Any, *args: Any) -> Any:
        raise unsupported(REFUSED[primitive], dtype_of(x))

    return refuse


def _scan_op_name(op: str) -> str:
    return {"sum": "cumsum", "prod": "cumprod", "logsumexp": "logcumsumexp"}.get(op, f"cum{op}")


def pair_view(view: View) -> View:
    """The float view of a complex view: one more dim of size 2 (real, imag), strides doubled."""
    return View(view.shape + (2,), tuple(2 * s for s in view.strides) + (1,), 2 * view.offset)


def part_view(view: View, part: int) -> View:
    """The float view of the real (part 0) or imaginary (part 1) components of a complex view."""
    return View(view.shape, tuple(2 * s for s in view.strides), 2 * view.offset + part)


def with_pair(view: View) -> View:
    """A non-complex view (a condition, an index) repeated over the trailing (real, imag) dim."""
    return View(view.shape + (2,), view.strides + (0,), view.offset)


def complex_dtype_for(real: np.dtype) -> np.dtype:
    return np.dtype(np.complex128 if np.dtype(real) == np.float64 else np.complex64)


def real_dtype_for(complex_dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float64 if np.dtype(complex_dtype) == np.complex128 else np.float32)


# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def as_real_reference(x: np.ndarray) -> np.ndarray:
    """The 2n float parts of n complex elements, sharing memory (no copy)."""
    return x.view(real_dtype_for(x.dtype))


def as_complex_reference(x: np.ndarray) -> np.ndarray:
    """n complex elements over 2n float parts, sharing memory (no copy)."""
    return x.view(complex_dtype_for(x.dtype))


def complex_unary_reference(op: str, x: np.ndarray, x_view: View) -> np.ndarray:
    """|z| or arg z (a real buffer), or conj(z) (complex), elementwise."""
    z = as_numpy(x, x_view)
    if op == "abs":
        return np.abs(z).astype(real_dtype_for(x.dtype), copy=False).reshape(-1)
    if op == "angle":
        return np.angle(z).astype(real_dtype_for(x.dtype), copy=False).reshape(-1)
    if op == "conj":
        return np.conj(z).reshape(-1)
    raise ValueError(f"unknown complex_unary op {op!r}")


def _no_complex_draws(*args: Any) -> Any:
    """Random draws are counted in real numbers (Philox offsets); a complex draw would need two
    per element, so it is refused rather than silently overlapping the next call's stream."""
    raise TypeError("random draws of complex dtype are not supported in tinygrad_edu: draw the "
                    "real and imaginary parts as floats and combine them with torch.complex")


def _numpy_paths(references: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """NumPy computes on interleaved complex arrays itself: only the errors and casts are ours."""
    unary, binary, reduce = references["unary"], references["binary"], references["reduce"]
    cast = references["cast"]

    def unary_path(op: str, x: np.ndarray, x_view: View) -> np.ndarray:
        if op not in COMPLEX_UNARY:
            raise unsupported(op, x.dtype)
        return unary(op, x, x_view)

    def binary_path(op: str, a: np.ndarray, a_view: View, b: np.ndarray, b_view: View):
        if op not in COMPLEX_BINARY:
            raise unsupported(op, a.dtype)
        return binary(op, a, a_view, b, b_view)

    def reduce_path(op: str, x: np.ndarray, x_view: View, axes: tuple[int, ...]) -> np.ndarray:
        if op not in COMPLEX_REDUCE:
            raise unsupported(f"{op}_all" if op in ("max", "min") else op, x.dtype)
        return reduce(op, x, x_view, axes)

    def cast_path(x: np.ndarray, x_view: View, dtype: np.dtype) -> np.ndarray:
        if np.dtype(dtype).kind == "c":
            return cast(x, x_view, dtype)
        z = as_numpy(x, x_view)  # complex -> real keeps the real part, as PyTorch does
        return (z != 0 if np.dtype(dtype) == np.bool_ else z.real).astype(dtype).reshape(-1)

    def scan_path(op: str, x: np.ndarray, x_view: View, dim: int) -> Any:
        if op not in COMPLEX_SCAN:
            raise unsupported(_scan_op_name(op), x.dtype)
        return references["scan"](op, x, x_view, dim)

    refusals = {name: _refusal(name, lambda x: x.dtype) for name in REFUSED}
    return {"unary": unary_path, "binary": binary_path, "reduce": reduce_path, "cast": cast_path,
            "uniform": _no_complex_draws, "normal": _no_complex_draws, "scan": scan_path,
            **refusals}


def _dispatch(real_path: Callable[..., Any], complex_path: Callable[..., Any],
              positions: tuple[int, ...], complex_dtypes: frozenset,
              dtype_position: int | None = None) -> Callable[..., Any]:
    """Call complex_path when a buffer at one of these argument positions holds complex numbers.

    Every op call of the backend passes through here, so the test is one set lookup on the
    buffer's dtype, written inline: a helper function per test cost as much as the rest of this
    wrapper (about 0.1 us of a 4-element add's ~2 us)."""

    if len(positions) == 1 and dtype_position is None:  # the common case, kept to one check
        (position,) = positions

        def primitive(*args: Any) -> Any:
            if args[position].dtype in complex_dtypes:
                return complex_path(*args)
            return real_path(*args)
    else:
        def primitive(*args: Any) -> Any:
            for position in positions:
                if args[position].dtype in complex_dtypes:
                    return complex_path(*args)
            if dtype_position is not None and np.dtype(args[dtype_position]).kind == "c":
                return complex_path(*args)
            return real_path(*args)

    # it stands for the real path wherever code looks a primitive up (the op atlas reads sources)
    primitive.__name__ = getattr(real_path, "__name__", "primitive")
    primitive.__qualname__ = getattr(real_path, "__qualname__", primitive.__name__)
    primitive.__module__ = real_path.__module__
    primitive.__doc__ = real_path.__doc__
    primitive.__wrapped__ = real_path  # type: ignore[attr-defined]
    return primitive


# Where each wrapped primitive's complex buffers are: argument positions (and a target dtype).
_POSITIONS: dict[str, tuple[tuple[int, ...], int | None]] = {
    "unary": ((1,), None), "binary": ((1,), None), "reduce": ((1,), None),
    "cast": ((0,), 2), "matmul": ((0,), None), "where": ((2,), None), "copy": ((0,), None),
    "copy_into": ((0, 2), None), "full": ((), 2), "gather": ((0,), None),
    "scatter_add": ((0,), None), "index_select": ((0,), None), "index_add": ((0,), None),
    "index": ((0,), None), "index_put": ((0,), None), "nonzero": ((0,), None),
    "softmax": ((0,), None), "to_host": ((0,), None), "uniform": ((), 5), "normal": ((), 5),
    "scan": ((1,), None), "sort": ((0,), None), "layer_norm": ((0,), None),
    "batch_norm": ((0,), None), "cross_entropy": ((0,), None), "avg_pool2d": ((0,), None),
    "max_pool2d": ((0,), None),
}


def with_complex_paths(implementations: dict[str, Callable[..., Any]], backend: str
                       ) -> dict[str, Callable[..., Any]]:
    """A backend's primitives with their complex paths: 'numpy' or 'triton'."""
    if backend == "numpy":
        paths = _numpy_paths(implementations)
        complex_dtypes = frozenset({np.dtype(np.complex64), np.dtype(np.complex128)})
    else:
        import torch

        paths = _triton_paths(implementations)
        complex_dtypes = frozenset({torch.complex32, torch.complex64, torch.complex128})
    wrapped = dict(implementations)
    for name, path in paths.items():
        positions, dtype_position = _POSITIONS[name]
        wrapped[name] = _dispatch(implementations[name], path, positions, complex_dtypes,
                                  dtype_position)
    return wrapped


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: complex arithmetic written out in real numbers. A kernel receives the float
# view of the interleaved buffer; element k of a (merged) complex view lives at float offsets
# 2 * strided_offset(k) and 2 * strided_offset(k) + 1, so the kernel loads the two parts with two
# masked loads, computes, and stores both parts of the result next to each other again.

from .triton_support import (  # noqa: E402
    block_positions,
    cdiv,
    compute_type,
    convert,
    empty,
    launch_block,
    merge_dims,
    needs_int64,
    strided_offsets,
    tl,
    triton_kernel,
)

COMPLEX_BLOCK = 128


def _is_complex_torch(buffer: Any) -> bool:
    # a real number operand of binary / where arrives as a NumPy scalar (no is_complex): never
    # complex, since ops/lowering.py keeps complex numbers in buffers
    return getattr(buffer.dtype, "is_complex", False)


def as_real_triton(x: Any) -> Any:
    """The 2n float parts of n complex elements, sharing memory (torch's view_as_real of the flat
    buffer, used as a reinterpretation only)."""
    import torch

    return torch.view_as_real(x).reshape(-1)


def as_complex_triton(x: Any) -> Any:
    import torch

    return torch.view_as_complex(x.reshape(-1, 2))


@triton_kernel
def _constant(like, hi, lo):
    """hi + lo in like's dtype. Triton turns a Python float literal into float32, so constants
    that float64 kernels need travel as two float32-exact halves, added in the tensor's dtype."""
    return (0.0 * like + hi) + lo


@triton_kernel
def _atan2(y, x):
    """arg(x + iy) in (-pi, pi]: reduce to t = min/max in [0, 1], then to |t| <= tan(pi/8), then
    the series t - t^3/3 + t^5/5 - ... (22 terms: below float64 rounding for |t| <= 0.4143)."""
    ax = tl.abs(x)
    ay = tl.abs(y)
    big = tl.maximum(ax, ay)
    small = tl.minimum(ax, ay)
    one = 1.0 + 0.0 * big
    t = tl.where(big == 0, 0.0 * big, small / tl.where(big == 0, one, big))
    shifted = t > _constant(t, 0.4142135679721832, -5.5990883041090456e-09)
    t = tl.where(shifted, (t - 1.0) / (t + 1.0), t)
    t2 = t * t
    series = 0.0 * t
    for k in tl.static_range(22):  # Horner, from the t^43 term down; each 1/(2n+1) in t's dtype
        series = series * t2 + (one * (1 - 2 * ((21 - k) % 2))) / (one * (2 * (21 - k) + 1))
    angle = t * series + tl.where(shifted, _constant(t, 0.7853981852531433,
                                                     -2.1855694143368964e-08), 0.0 * t)
    angle = tl.where(ay > ax, _constant(t, 1.5707963705062866, -4.371138828673793e-08) - angle,
                     angle)
    angle = tl.where(x < 0, _constant(t, 3.1415927410125732, -8.742277657347586e-08) - angle,
                     angle)
    return tl.where(y < 0, -angle, angle)


@triton_kernel
def _complex_op(a, b, OP: tl.constexpr):
    """(real, imag) of f(a + ib) for one named unary op (|z| and arg z return (value, 0))."""
    if OP == "neg":
        re, im = -a, -b
    elif OP == "conj":
        re, im = a, -b
    elif OP == "abs":
        re, im = tl.sqrt(a * a + b * b), 0.0 * a
    elif OP == "angle":
        re, im = _atan2(b, a), 0.0 * a
    elif OP == "exp":  # e^a (cos b + i sin b)
        scale = tl.exp(a)
        re, im = scale * tl.cos(b), scale * tl.sin(b)
    elif OP == "log":  # ln|z| + i arg z
        re, im = 0.5 * tl.log(a * a + b * b), _atan2(b, a)
    elif OP == "sqrt":  # principal root, computed without cancellation on either half-plane
        t = tl.sqrt((tl.sqrt(a * a + b * b) + tl.abs(a)) * 0.5)
        safe_t = tl.where(t == 0, 1.0 + 0.0 * t, t)
        other = tl.abs(b) / (2.0 * safe_t)
        other = tl.where(t == 0, 0.0 * t, other)
        re = tl.where(a >= 0, t, other)
        im = tl.where(a >= 0, tl.where(t == 0, 0.0 * t, b / (2.0 * safe_t)),
                      tl.where(b < 0, -t, t))
    elif OP == "reciprocal":  # conj(z) / |z|^2
        norm = a * a + b * b
        re, im = a / norm, -b / norm
    elif OP == "sin":  # sin a cosh b + i cos a sinh b
        ep, em = tl.exp(b), tl.exp(-b)
        re, im = tl.sin(a) * (ep + em) * 0.5, tl.cos(a) * (ep - em) * 0.5
    else:  # "cos": cos a cosh b - i sin a sinh b
        ep, em = tl.exp(b), tl.exp(-b)
        re, im = tl.cos(a) * (ep + em) * 0.5, -tl.sin(a) * (ep - em) * 0.5
    return re, im


@triton_kernel
def complex_unary_kernel(x_ptr,                 # float view of the complex input buffer
                         out_ptr,               # float output: 2 * numel parts, or numel if REAL
                         numel,                 # number of complex elements
                         shape,                 # tuple: the complex view's (merged) shape
                         x_strides,             # tuple: its strides in complex elements
                         x_offset,              # its offset in complex elements
                         OP: tl.constexpr,      # op name
                         REAL: tl.constexpr,    # True: store only the real result (abs, angle)
                         BLOCK: tl.constexpr,
                         INT64: tl.constexpr = False):  # complex elements per program
    index = block_positions(BLOCK, INT64)  # (BLOCK,) row-major positions
    mask = index < numel
    where = 2 * (x_offset + strided_offsets(index, shape, x_strides))  # real part's float offset
    a = compute_type(tl.load(x_ptr + where, mask=mask, other=1))
    b = compute_type(tl.load(x_ptr + where + 1, mask=mask, other=0))
    re, im = _complex_op(a, b, OP)
    if REAL:
        tl.store(out_ptr + index, convert(re, out_ptr.dtype.element_ty), mask=mask)
    else:
        tl.store(out_ptr + 2 * index, convert(re, out_ptr.dtype.element_ty), mask=mask)
        tl.store(out_ptr + 2 * index + 1, convert(im, out_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def _complex_binary_op(a, b, c, d, OP: tl.constexpr):
    """(real, imag) of f(a + ib, c + id); eq and ne return (0 or 1, 0)."""
    if OP == "mul":  # (ac - bd) + i(ad + bc)
        re, im = a * c - b * d, a * d + b * c
    elif OP == "div":  # (a + ib) conj(c + id) / (c^2 + d^2)
        norm = c * c + d * d
        re, im = (a * c + b * d) / norm, (b * c - a * d) / norm
    elif OP == "pow":  # e^(w ln z), with 0^w = 0 for Re w > 0 and 0^0 = 1
        log_abs = 0.5 * tl.log(a * a + b * b)
        arg = _atan2(b, a)
        exponent_re = c * log_abs - d * arg
        exponent_im = c * arg + d * log_abs
        scale = tl.exp(exponent_re)
        zero_base = (a == 0) & (b == 0)
        one = (c == 0) & (d == 0)
        re = tl.where(zero_base, tl.where(one, 1.0 + 0.0 * a, 0.0 * a), scale * tl.cos(exponent_im))
        im = tl.where(zero_base, 0.0 * a, scale * tl.sin(exponent_im))
    elif OP == "eq":
        re, im = ((a == c) & (b == d)).to(a.dtype), 0.0 * a
    else:  # "ne"
        re, im = ((a != c) | (b != d)).to(a.dtype), 0.0 * a
    return re, im


@triton_kernel
def complex_binary_kernel(a_ptr, b_ptr,          # float views of the two complex inputs
                          out_ptr,               # float output (2 parts each) or bool (eq, ne)
                          numel,                 # number of complex elements
                          shape,                 # tuple: the common (broadcast, merged) shape
                          a_strides, a_offset,   # a's complex view (strides 0 = broadcast)
                          b_strides, b_offset,   # b's complex view
                          OP: tl.constexpr,      # "mul", "div", "pow", "eq" or "ne"
                          BOOL: tl.constexpr,    # True for eq / ne: one bool per element
                          BLOCK: tl.constexpr,
                          INT64: tl.constexpr = False):  # complex elements per program
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = index < numel
    a_where = 2 * (a_offset + strided_offsets(index, shape, a_strides))
    b_where = 2 * (b_offset + strided_offsets(index, shape, b_strides))
    # other=1 in masked-off lanes: no division by zero on garbage
    a = compute_type(tl.load(a_ptr + a_where, mask=mask, other=1))
    b = compute_type(tl.load(a_ptr + a_where + 1, mask=mask, other=0))
    c = compute_type(tl.load(b_ptr + b_where, mask=mask, other=1))
    d = compute_type(tl.load(b_ptr + b_where + 1, mask=mask, other=0))
    re, im = _complex_binary_op(a, b, c, d, OP)
    if BOOL:
        tl.store(out_ptr + index, re != 0, mask=mask)
    else:
        tl.store(out_ptr + 2 * index, convert(re, out_ptr.dtype.element_ty), mask=mask)
        tl.store(out_ptr + 2 * index + 1, convert(im, out_ptr.dtype.element_ty), mask=mask)


def _complex_unary_launch(op: str, x: Any, x_view: View, real_result: bool) -> Any:
    real = real_dtype_for(numpy_dtype_of(x))
    numel = x_view.numel
    out = empty(numel if real_result else 2 * numel, real)
    if numel:
        shape, (strides,) = merge_dims(x_view.shape, x_view.strides)
        block = launch_block(numel, COMPLEX_BLOCK)
        complex_unary_kernel[(cdiv(numel, block),)](
            as_real_triton(x), out, numel, shape, strides, x_view.offset, OP=op,
            REAL=real_result, BLOCK=block, INT64=needs_int64(pair_view(x_view), 2 * numel))
    return out if real_result else as_complex_triton(out)


def complex_unary_triton(op: str, x: Any, x_view: View) -> Any:
    """|z| or arg z (a real buffer), or conj(z), on the GPU; same contract as the reference."""
    if op not in PART_OPS:
        raise ValueError(f"unknown complex_unary op {op!r}")
    return _complex_unary_launch(op, x, x_view, op != "conj")


def numpy_dtype_of(buffer: Any) -> np.dtype:
    return np.dtype(str(buffer.dtype).removeprefix("torch."))


def _triton_paths(launchers: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """The complex path of each Triton primitive, from the float launchers and the kernels above."""
    unary, binary, reduce, cast = (launchers[n] for n in ("unary", "binary", "reduce", "cast"))
    copy, copy_into, matmul = launchers["copy"], launchers["copy_into"], launchers["matmul"]

    def float_result(real: Any) -> Any:  # a float buffer of (..., 2) pairs, seen as complex
        return as_complex_triton(real)

    def unary_path(op: str, x: Any, x_view: View) -> Any:
        if op not in COMPLEX_UNARY:
            raise unsupported(op, numpy_dtype_of(x))
        if op == "neg":  # componentwise
            return float_result(unary("neg", as_real_triton(x), pair_view(x_view)))
        return _complex_unary_launch(op, x, x_view, False)

    def binary_path(op: str, a: Any, a_view: View, b: Any, b_view: View) -> Any:
        if op not in COMPLEX_BINARY:
            raise unsupported(op, numpy_dtype_of(a))
        if op in ("add", "sub"):  # componentwise on the pair views
            return float_result(binary(op, as_real_triton(a), pair_view(a_view),
                                       as_real_triton(b), pair_view(b_view)))
        numel = a_view.numel
        boolean = op in ("eq", "ne")
        out = empty(numel, np.bool_) if boolean else empty(2 * numel,
                                                           real_dtype_for(numpy_dtype_of(a)))
        if numel:
            shape, (a_strides, b_strides) = merge_dims(a_view.shape, a_view.strides,
                                                       b_view.strides)
            block = launch_block(numel, COMPLEX_BLOCK)
            complex_binary_kernel[(cdiv(numel, block),)](
                as_real_triton(a), as_real_triton(b), out, numel, shape, a_strides,
                a_view.offset, b_strides, b_view.offset, OP=op, BOOL=boolean,
                BLOCK=block, INT64=needs_int64(pair_view(a_view), pair_view(b_view),
                                               2 * numel))
        return out if boolean else float_result(out)

    def reduce_path(op: str, x: Any, x_view: View, axes: tuple[int, ...]) -> Any:
        if op not in COMPLEX_REDUCE:
            raise unsupported(f"{op}_all" if op in ("max", "min") else op, numpy_dtype_of(x))
        return float_result(reduce("sum", as_real_triton(x), pair_view(x_view), axes))

    def cast_path(x: Any, x_view: View, dtype: np.dtype) -> Any:
        target = np.dtype(dtype)
        source_is_complex = _is_complex_torch(x)
        if source_is_complex and target.kind == "c":  # complex64 <-> complex128: each part
            return float_result(cast(as_real_triton(x), pair_view(x_view),
                                     real_dtype_for(target)))
        if source_is_complex:  # complex -> real: the real part (bool: either part nonzero)
            if target == np.bool_:
                parts = cast(as_real_triton(x), pair_view(x_view), np.bool_)
                return reduce("max", parts, View(x_view.shape + (2,), _row_major(
                    x_view.shape + (2,)), 0), (len(x_view.shape),))
            return cast(as_real_triton(x), part_view(x_view, 0), target)
        # real -> complex: zeros, then the values written into the real parts (converting)
        parts = launchers["full"](2 * x_view.numel, 0, real_dtype_for(target))
        copy_into(parts, part_view(_contiguous(x_view.shape), 0), x, x_view)
        return float_result(parts)

    def matmul_path(a: Any, a_view: View, b: Any, b_view: View) -> Any:
        a_parts, b_parts = as_real_triton(a), as_real_triton(b)
        ar, ai = part_view(a_view, 0), part_view(a_view, 1)
        br, bi = part_view(b_view, 0), part_view(b_view, 1)
        rr, ii = matmul(a_parts, ar, b_parts, br), matmul(a_parts, ai, b_parts, bi)
        ri, ir = matmul(a_parts, ar, b_parts, bi), matmul(a_parts, ai, b_parts, br)
        shape = a_view.shape[:-1] + b_view.shape[-1:]
        flat = _contiguous(shape)
        out = empty(2 * flat.numel, numpy_dtype_of(rr))
        copy_into(out, part_view(flat, 0), binary("sub", rr, flat, ii, flat), flat)
        copy_into(out, part_view(flat, 1), binary("add", ri, flat, ir, flat), flat)
        return float_result(out)

    def where_path(condition: Any, condition_view: View, a: Any, a_view: View, b: Any,
                   b_view: View) -> Any:
        return float_result(launchers["where"](condition, with_pair(condition_view),
                                               as_real_triton(a), pair_view(a_view),
                                               as_real_triton(b), pair_view(b_view)))

    def copy_path(x: Any, x_view: View) -> Any:
        return float_result(copy(as_real_triton(x), pair_view(x_view)))

    def copy_into_path(destination: Any, destination_view: View, source: Any,
                       source_view: View) -> None:
        if not _is_complex_torch(destination):
            raise RuntimeError("value cannot be converted to a real type without losing the "
                               "imaginary part")
        if not _is_complex_torch(source):  # a real source fills the real parts, zeros the rest
            copy_into(as_real_triton(destination), part_view(destination_view, 0), source,
                      source_view)
            zero = launchers["full"](1, 0, real_dtype_for(numpy_dtype_of(destination)))
            copy_into(as_real_triton(destination), part_view(destination_view, 1), zero,
                      View(destination_view.shape, (0,) * len(destination_view.shape), 0))
            return
        copy_into(as_real_triton(destination), pair_view(destination_view),
                  as_real_triton(source), pair_view(source_view))

    def full_path(numel: int, value: Any, dtype: np.dtype) -> Any:
        value = complex(value)
        parts = empty(2 * numel, real_dtype_for(dtype))
        flat = _contiguous((numel,))
        for part, number in ((0, value.real), (1, value.imag)):
            filled = launchers["full"](1, number, real_dtype_for(dtype))
            copy_into(parts, part_view(flat, part), filled, View((numel,), (0,), 0))
        return float_result(parts)

    def gather_path(x: Any, x_view: View, dim: int, index: Any, index_view: View) -> Any:
        return float_result(launchers["gather"](as_real_triton(x), pair_view(x_view), dim,
                                                index, with_pair(index_view)))

    def scatter_add_path(base: Any, base_view: View, dim: int, index: Any, index_view: View,
                         source: Any, source_view: View) -> Any:
        return float_result(launchers["scatter_add"](
            as_real_triton(base), pair_view(base_view), dim, index, with_pair(index_view),
            as_real_triton(source), pair_view(source_view)))

    def index_select_path(x: Any, x_view: View, dim: int, index: Any, index_view: View) -> Any:
        return float_result(launchers["index_select"](as_real_triton(x), pair_view(x_view), dim,
                                                      index, index_view))

    def index_add_path(base: Any, base_view: View, dim: int, index: Any, index_view: View,
                       source: Any, source_view: View) -> Any:
        return float_result(launchers["index_add"](
            as_real_triton(base), pair_view(base_view), dim, index, index_view,
            as_real_triton(source), pair_view(source_view)))

    def nonzero_path(x: Any, x_view: View) -> Any:
        either = cast_path(x, x_view, np.dtype(np.bool_))
        return launchers["nonzero"](either, _contiguous(x_view.shape))

    def to_host_path(x: Any, x_view: View) -> np.ndarray:  # the pairs, seen as complex on host
        pairs = np.ascontiguousarray(launchers["to_host"](as_real_triton(x), pair_view(x_view)))
        return pairs.view(numpy_dtype_of(x)).reshape(x_view.shape)

    def scan_path(op: str, x: Any, x_view: View, dim: int) -> Any:
        if op not in COMPLEX_SCAN:
            raise unsupported(_scan_op_name(op), numpy_dtype_of(x))
        # the running sum of pairs along dim is the pair of running sums: the pair view's last
        # dim (real, imag) is just one more independent dim to the float scan
        values, _ = launchers["scan"]("sum", as_real_triton(x), pair_view(x_view), dim)
        return float_result(values), None

    def index_path(x: Any, x_view: View, indices: list) -> Any:  # the pair dim is a ':'
        return float_result(launchers["index"](as_real_triton(x), pair_view(x_view),
                                               list(indices) + [None]))

    def index_put_path(destination: Any, destination_view: View, indices: list, values: Any,
                       values_view: View, accumulate: bool) -> None:
        launchers["index_put"](as_real_triton(destination), pair_view(destination_view),
                               list(indices) + [None], as_real_triton(values),
                               pair_view(values_view), accumulate)

    return {"unary": unary_path, "binary": binary_path, "reduce": reduce_path,
            "cast": cast_path, "matmul": matmul_path, "where": where_path, "copy": copy_path,
            "copy_into": copy_into_path, "full": full_path, "gather": gather_path,
            "scatter_add": scatter_add_path, "index_select": index_select_path,
            "index_add": index_add_path, "nonzero": nonzero_path, "scan": scan_path,
            "index": index_path, "index_put": index_put_path, "to_host": to_host_path,
            "uniform": _no_complex_draws, "normal": _no_complex_draws,
            **{name: _refusal(name, numpy_dtype_of) for name in REFUSED}}


def _row_major(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def _contiguous(shape: tuple[int, ...]) -> View:
    return View(tuple(shape), _row_major(tuple(shape)), 0)
