"""Compile every Triton kernel for a GPU, without a GPU: catches what the interpreter forgives.

Triton's interpreter runs kernels as NumPy code, which accepts some Python that the real compiler
rejects (chained `and`/`or`, non-constexpr globals, mixed types in a loop). This script defines the
kernels in *compiled* mode, calls every launcher with small inputs, and instead of running each
launch compiles it for an NVIDIA sm_90 target (Triton ships ptxas), reporting any failure.

    python tests/triton_compile_check.py [--quick]

It runs in its own process (the interpreter switch cannot be undone in a process that used it);
tests/test_triton_compile.py runs it with --quick.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import traceback

import numpy as np


def _with_ints(value, replacement):
    """value with every int (also inside tuples, never a bool) replaced; None: unchanged."""
    if replacement is None:
        return value
    if isinstance(value, tuple):
        return tuple(_with_ints(v, replacement) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return replacement
    return value


# What a GPU launch specialises on, besides dtypes: an int argument equal to 1 becomes a constant
# (no longer a tensor: `.to()` on it fails), and one divisible by 16 is compiled with that
# alignment known. Every launch is compiled as called, with every runtime int = 1, and with every
# runtime int = 16, so each kernel meets both specialisations whatever the test inputs were.
INT_VARIANTS = (None, 1, 16)


def _install_compiling_launch(failures: dict, compiled: set) -> None:
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource, make_backend
    from triton.runtime.jit import JITFunction, create_function_from_signature

    target = GPUTarget("cuda", 90, 32)
    backend = make_backend(target)

    def compile_one(self, arguments: dict, options_in: dict) -> None:
        binder = create_function_from_signature(self.signature, self.params, backend)
        bound, specialization, options = binder(**arguments, **options_in)
        options, signature, constants, attrs = self._pack_args(backend, options_in, bound,
                                                               specialization, options)
        key = (self.__name__, repr(sorted(signature.items())), repr(sorted(constants.items())),
               repr(sorted(attrs.items())))
        if key in compiled:
            return
        compiled.add(key)
        try:
            triton.compile(ASTSource(self, signature, constants, attrs), target=target,
                           options=options.__dict__)
        except Exception as error:  # noqa: BLE001 - every compiler error is a finding
            cause = error
            while (cause.__cause__ or cause.__context__) is not None:  # the innermost error
                cause = cause.__cause__ or cause.__context__
            failures[key] = (f"{type(error).__name__}: {error}"[-900:]
                             + f"\n  CAUSE: {str(cause)[-600:]}")

    def compile_instead_of_run(self, *args, grid, warmup, **kwargs):
        """What JITFunction.run does up to the launch: specialise, compile (then stop)."""
        kwargs.setdefault("debug", False)
        names = [p.name for p in self.params]
        arguments = dict(zip(names, args))
        options_in = {k: v for k, v in kwargs.items() if k not in names}
        arguments.update({k: v for k, v in kwargs.items() if k in names})
        constexpr = {p.name for p in self.params if p.is_constexpr}
        for replacement in INT_VARIANTS:
            varied = {name: value if name in constexpr else _with_ints(value, replacement)
                      for name, value in arguments.items()}
            compile_one(self, varied, options_in)
        return None

    JITFunction.run = compile_instead_of_run


def _calls(quick: bool):
    """(primitive, arguments) pairs covering every kernel and the dtype branches."""
    from tinygrad_edu.kernels import View, elementwise, reduce

    floats = ["float32"] if quick else ["float32", "float16", "float64"]
    ints = ["int64"] if quick else ["int64", "int32", "uint8", "bool"]
    view = View((3, 4), (1, 3), 0)
    vector = View((4,), (1,), 0)
    for dtype in floats + ints:
        x = np.ones(12, dtype)
        ops = elementwise.UNARY_OPS if not quick or dtype == "float32" else ["neg"]
        for op in ops:
            yield "unary", (op, x, view)
        for op in elementwise.BINARY_OPS if not quick or dtype == "float32" else ["add"]:
            yield "binary", (op, x, view, x, View((3, 4), (0, 1), 0))
        yield "where", (np.ones(12, bool), view, x, view, x, view)
        for target in floats + ints:
            yield "cast", (x, view, np.dtype(target))
        for op in ("sum", "prod", "max", "min"):
            yield "reduce", (op, x, view, (0,))
        if dtype != "bool":
            yield "reduce", ("argmax", x, view, (1,))
            yield "matmul", (x, View((1, 3, 4), (0, 4, 1), 0), x, View((1, 4, 3), (0, 1, 4), 0))
        yield "full", (12, 1.5, np.dtype(dtype))
        yield "arange", (0.5, 1, 12, np.dtype(dtype))
        yield "copy", (x, view)
        yield "copy_into", (np.zeros(12, dtype), view, x, View((3, 4), (0, 1), 0))
        yield "nonzero", (x, view)
    for dtype in floats:
        x = np.ones(40, dtype)
        for log, width in itertools.product((False, True), (5, 40)):
            yield "softmax", (x, View((40 // width, width), (width, 1), 0), 1, log)
        yield "uniform", (10, 2**63 + 1, 5, 0.0, 1.0, np.dtype(dtype))
        yield "normal", (10, 1, 5, 0.0, 1.0, np.dtype(dtype))
        position = np.array([0, 2, 1, 0], np.int64)
        yield "gather", (x[:12], view, 0, position, vector)
        yield "scatter_add", (x[:12], view, 1, position, vector, x[:12], vector)
        yield "index_select", (x[:12], view, 1, position, vector)
        yield "index_add", (x[:12], view, 1, position, vector, x[:12], view)
        key = [(position, vector), None]
        yield "index", (x[:12], View((3, 4), (4, 1), 0), key)
        yield "index_put", (x[:12], View((3, 4), (4, 1), 0), key, x[:16], View((4, 4), (4, 1), 0),
                            True)
        yield "index_put", (x[:12], View((3, 4), (4, 1), 0), key, x[:16], View((4, 4), (4, 1), 0),
                            False)
        p = np.ones(12, dtype)
        for momentum, nesterov, first in ((0.0, False, False), (0.9, True, False),
                                          (0.9, False, True)):
            buffer = (p, view) if momentum else (None, None)
            yield "sgd_step", (p, view, p, view, *buffer, 0.1, momentum, 0.0, 0.01, nesterov, True,
                               first)
        for decoupled, amsgrad in itertools.product((False, True), (False, True)):
            extra = (p, view) if amsgrad else (None, None)
            yield "adam_step", (p, view, p, view, p, view, p, view, *extra, 2, 1e-3, 0.9, 0.999,
                                1e-8, 0.01, decoupled, False)
        image = np.ones(2 * 4 * 6 * 6, dtype)
        image_view = View((2, 4, 6, 6), (144, 36, 6, 1), 0)
        weight = np.ones(6 * 2 * 3 * 3, dtype)
        weight_view = View((6, 2, 3, 3), (18, 9, 3, 1), 0)
        geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
        yield "conv2d", (image, image_view, weight, weight_view, *geometry)
        dy = np.ones(2 * 6 * 6 * 6, dtype)
        dy_view = View((2, 6, 6, 6), (216, 36, 6, 1), 0)
        yield "conv2d_backward_input", (dy, dy_view, weight, weight_view, (2, 4, 6, 6), *geometry)
        yield "conv2d_backward_weight", (dy, dy_view, image, image_view, (6, 2, 3, 3), *geometry)
        yield "max_pool2d", (image, image_view, (2, 2), (2, 2), (0, 0), (1, 1), False)
        pooled = View((2, 4, 3, 3), (36, 9, 3, 1), 0)
        yield "max_pool2d_backward", (image[:72], pooled, np.zeros(72, np.int64), pooled,
                                      (2, 4, 6, 6))
        yield "avg_pool2d", (image, image_view, (2, 2), (2, 2), (0, 0), False, True, None)
        yield "avg_pool2d_backward", (image[:72], pooled, (2, 4, 6, 6), (2, 2), (2, 2), (0, 0),
                                      False, True, None)
        yield from _nn_calls(dtype)
    yield "randint", (10, 3, 5, -2, 9, np.dtype("int64"))
    yield from _int64_calls(floats)
    yield "randperm", (10, 3, 0, np.dtype("int64"))
    yield from _complex_calls()
    del reduce


def _int64_calls(floats: list[str]):
    """Views that reach past 2^31 elements: the launchers pick the kernels' INT64 variants (the
    kernels are compiled, never run, so the small buffers behind the views are never read)."""
    from tinygrad_edu.kernels import View

    far = 2**31
    for dtype in floats:
        x = np.ones(12, dtype)
        view, huge = View((3, 4), (4, 1), 0), View((3, 4), (1, 3), far)
        yield "unary", ("exp", x, huge)
        yield "binary", ("add", x, huge, x, view)
        yield "where", (np.ones(12, bool), view, x, huge, x, view)
        yield "cast", (x, huge, np.dtype("float64"))
        yield "copy", (x, huge)
        yield "matmul", (x, View((1, 3, 4), (0, 4, 1), far), x, View((1, 4, 3), (0, 1, 4), 0))
    yield "binary", ("div_floor", np.ones(12, np.int64), View((3, 4), (1, 3), far),
                     np.ones(12, np.int64), View((3, 4), (4, 1), 0))
    image, weight = np.ones(2 * 4 * 6 * 6, np.int32), np.ones(6 * 2 * 3 * 3, np.int32)
    yield "conv2d", (image, View((2, 4, 6, 6), (144, 36, 6, 1), 0), weight,  # integer: no tl.dot
                     View((6, 2, 3, 3), (18, 9, 3, 1), 0), (1, 1), (1, 1, 1, 1), (1, 1), 2)


def _complex_calls():
    """The complex kernels (kernels/complex.py, kernels/fft.py), through the complex paths."""
    from tinygrad_edu.kernels import View
    from tinygrad_edu.kernels.complex import COMPLEX_BINARY, COMPLEX_UNARY, PART_OPS

    for dtype in ("complex64", "complex128"):
        z = np.ones(16, dtype)
        view = View((4, 4), (4, 1), 0)
        for op in PART_OPS:
            yield "complex_unary", (op, z, view)
        for op in sorted(COMPLEX_UNARY):
            yield "unary", (op, z, view)
        for op in sorted(COMPLEX_BINARY):
            yield "binary", (op, z, view, z, view)
        yield "fft", (z, view, False)


def _nn_calls(dtype: str):
    """The fused nn primitives: cross-entropy, dropout, batch norm and layer norm (+ backward)."""
    from tinygrad_edu.kernels import View

    x = np.ones(24, dtype)
    rows = View((4, 6), (6, 1), 0)
    column = View((4,), (1,), 0)
    target, classes = np.zeros(4, np.int64), View((6,), (1,), 0)
    statistics = np.ones(4, np.float32 if dtype == "float16" else dtype)
    for weight, smoothing in ((None, 0.0), (x[:6], 0.1)):
        weight_view = None if weight is None else classes
        yield "cross_entropy", (x, rows, target, column, weight, weight_view, -100, smoothing)
        yield "cross_entropy_backward", (x, rows, target, column, weight, weight_view,
                                         statistics, column, x[:4], View((4,), (0,), 0), -100,
                                         smoothing)
    yield "dropout", (x, rows, (4, 1), 5, 3, 0.5)
    image = View((2, 3, 2, 2), (12, 4, 2, 1), 0)
    channel = View((3,), (1,), 0)
    for training, running in ((True, (x[:3], channel)), (True, (None, None)), (False,
                                                                            (x[:3], channel))):
        yield "batch_norm", (x, image, x[:3], channel, None, None, *running, *running, training,
                             0.1, 1e-5)
        yield "batch_norm_backward", (x, image, x, image, x[:3], channel, statistics[:3], channel,
                                      statistics[:3], channel, training, True)
    yield "layer_norm", (x, rows, x[:6], classes, x[:6], classes, 1, 1e-5)
    yield "layer_norm_backward", (x, rows, x, rows, None, None, statistics, column, statistics,
                                  column, 1, True)


def main() -> int:
    parser = argparse.ArgumentParser(description="compile every Triton kernel for sm_90")
    parser.add_argument("--quick", action="store_true", help="one dtype per family")
    args = parser.parse_args()
    if os.environ.get("TRITON_INTERPRET", "0") not in ("", "0"):
        parser.error("TRITON_INTERPRET is set: the kernels would be interpreted, not compiled")
    from tinygrad_edu.kernels import triton_support

    triton_support.gpu_available = lambda: True  # define compiled kernels ...
    triton_support.prepare_triton()
    triton_support._STATE["device"] = "cpu"      # ... over CPU buffers that are never run
    failures: dict = {}
    compiled: set = set()
    _install_compiling_launch(failures, compiled)
    from tinygrad_edu.kernels.complex import with_complex_paths
    from tinygrad_edu.kernels.triton_backend import triton_implementations

    launchers = with_complex_paths(triton_implementations(), "triton")
    upload = launchers["from_host"]
    for name, arguments in _calls(args.quick):
        converted = [upload(a) if isinstance(a, np.ndarray) else a for a in arguments]
        converted = [[(upload(e[0]), e[1]) if e else None for e in a] if isinstance(a, list)
                     else a for a in converted]
        try:
            launchers[name](*converted)
        except Exception:  # noqa: BLE001 - launchers read results that were never computed
            failures.setdefault(("launcher", name), traceback.format_exc(limit=2)[-500:])
    real = {k: v for k, v in failures.items() if k[0] != "launcher"}
    for key, message in real.items():
        print(f"FAILED {key[0]} {key[2][:200]}\n  {message[-700:]}\n")
    print(f"{len(compiled)} kernel specialisations compiled, {len(real)} failed")
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
