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


def _converted_item(item, upload):
    """An item of a list argument, uploaded: an array (the foreach steps' lists of buffers), an
    index key's (array, view) pair; views, numbers and None unchanged."""
    if isinstance(item, np.ndarray):
        return upload(item)
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], np.ndarray):
        return upload(item[0]), item[1]
    return item


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
VARIANTS_NOW = {"ints": INT_VARIANTS}  # an autotuner's whole candidate list: 16 only (below)
WHOLE_LIST_PER = {"variant": True}  # --quick: the whole list once per kernel and dtype only,
                                    # and of the fitted candidates only the first per launch


INT64_COMPILED: set = set()  # kernels compiled with INT64=True at least once
AUTOTUNED: dict = {}  # {kernel name: {(candidate number, dtype, variant)}} compiled whole lists
LOWERED_THRESHOLD = "int64:"  # a call named "int64:<primitive>" runs with needs_int64 -> True


def _launched_kernels() -> dict[str, bool]:
    """{name: has an INT64 parameter} of every kernel a launcher launches (named *_kernel)."""
    import inspect

    from tinygrad_edu.kernels import triton_support

    return {p.function.__name__: "INT64" in inspect.signature(p.function).parameters
            for p in triton_support._PENDING if p.function.__name__.endswith("_kernel")}


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
        if arguments.get("INT64") is True:
            INT64_COMPILED.add(self.__name__)
        for replacement in VARIANTS_NOW["ints"]:
            varied = {name: value if name in constexpr else _with_ints(value, replacement)
                      for name, value in arguments.items()}
            compile_one(self, varied, options_in)
        return None

    JITFunction.run = compile_instead_of_run
    _compile_every_autotune_config()


def _compile_every_autotune_config() -> None:
    """On a GPU, an autotuned launch (matmul, conv) times every candidate tile and runs the
    fastest; here it compiles them instead. The candidates fitted to this product (what
    fit_to_problem leaves for these sizes) as any launch, with ints as called, = 1 and = 16; and
    once per kernel, dtype and compiled variant (mode, precision, bias; INT64 aside; --quick:
    once per kernel and dtype, and only the first fitted candidate per launch), the whole list
    as a big product meets it: every int a multiple of 16 (aligned sizes and strides)."""
    from triton.runtime.autotuner import Autotuner

    whole_lists: set = set()

    def compile_every_config(self, *args, **kwargs):
        self.nargs = dict(zip(self.arg_names, args))
        fitted = self.prune_configs(kwargs)
        for config in fitted if WHOLE_LIST_PER["variant"] else fitted[:1]:
            self.fn.run(*args, **kwargs, **config.all_kwargs())
        dtype = next(str(a.dtype).removeprefix("torch.") for a in args if hasattr(a, "dtype"))
        variant = (self.base_fn.__name__, dtype, repr(sorted(
            (k, v) for k, v in kwargs.items() if k not in ("grid", "warmup", "INT64")))
            if WHOLE_LIST_PER["variant"] else "")
        if variant not in whole_lists and not kwargs.get("INT64"):
            whole_lists.add(variant)
            done = AUTOTUNED.setdefault(self.base_fn.__name__, set())
            VARIANTS_NOW["ints"] = (16,)
            try:
                for number, config in enumerate(self.configs):
                    done.add((number, dtype, variant))
                    self.fn.run(*args, **kwargs, **config.all_kwargs())
            finally:
                VARIANTS_NOW["ints"] = INT_VARIANTS
        self.nargs = None

    Autotuner.run = compile_every_config


def _number_operand_calls(dtype: str, x: np.ndarray, view, integer: bool, quick: bool):
    """binary and where with a number operand (x * 2.0: a kernel argument, not a buffer), on
    either side. Number 2 here; the int variants above also compile each int-typed number (ints,
    bools, a float64's bits) as 1, which a GPU launch specialises into a constant, and as 16."""
    from tinygrad_edu.kernels import View, elementwise

    number = np.array(2).astype(dtype)[()]  # a NumPy scalar of the dtype, as lowering sends
    repeated = View((3, 4), (0, 0), 0)  # a number's view: every stride 0
    ops = elementwise.BINARY_OPS if not quick or dtype == "float32" else ["add", "div_floor"]
    for op in ops:
        if _defined(op, dtype, integer):
            yield "binary", (op, x, view, number, repeated)
            yield "binary", (op, number, repeated, x, view)
    yield "where", (np.ones(12, bool), view, x, view, number, repeated)
    yield "where", (np.ones(12, bool), view, number, repeated, x, view)


def _calls(quick: bool):
    """(primitive, arguments) pairs covering every kernel and the dtype branches."""
    from tinygrad_edu.kernels import View, elementwise, reduce

    floats = ["float32"] if quick else ["float32", "float16", "float64"]
    ints = ["int64"] if quick else ["int64", "int32", "uint8", "bool"]
    view = View((3, 4), (1, 3), 0)
    vector = View((4,), (1,), 0)
    for dtype in floats + ints:
        x = np.ones(12, dtype)
        integer = dtype in ints and dtype != "bool"
        ops = elementwise.UNARY_OPS if not quick or dtype == "float32" else ["neg"]
        for op in ops:
            if _defined(op, dtype, integer):
                yield "unary", (op, x, view)
        for op in elementwise.BINARY_OPS if not quick or dtype == "float32" else ["add"]:
            if _defined(op, dtype, integer):
                yield "binary", (op, x, view, x, View((3, 4), (0, 1), 0))
        if quick and integer:  # the integer-only ops once
            for op in sorted(elementwise.INTEGER_ONLY_OPS & set(elementwise.UNARY_OPS)):
                yield "unary", (op, x, view)
            for op in sorted(elementwise.INTEGER_ONLY_OPS & set(elementwise.BINARY_OPS)):
                yield "binary", (op, x, view, x, View((3, 4), (0, 1), 0))
        yield from _breadth_calls(dtype)
        yield "where", (np.ones(12, bool), view, x, view, x, view)
        yield from _number_operand_calls(dtype, x, view, integer, quick)
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
            yield "softmax_backward", (x, View((40 // width, width), (1, 40 // width), 0), x,
                                       View((40 // width, width), (width, 1), 0), 1, log)
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
        # the multi-tensor steps: two dense parameters (one of 1 element: sizes equal to 1)
        ps, views = [p, p[:1]], [View((3, 4), (4, 1), 0), View((1,), (1,), 0)]
        for momentum, first in ((0.0, False), (0.9, True), (0.9, False)):
            yield "foreach_sgd_step", (ps, views, ps, views, *((ps, views) if momentum else
                                                                (None, None)),
                                       0.1, momentum, 0.0, 0.01, True, True, [first, first])
        for decoupled, amsgrad in itertools.product((False, True), (False, True)):
            extra = (ps, views) if amsgrad else (None, None)
            yield "foreach_adam_step", (ps, views, ps, views, ps, views, ps, views, *extra, [1, 2],
                                        1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled, True)
        image = np.ones(2 * 4 * 6 * 6, dtype)
        image_view = View((2, 4, 6, 6), (144, 36, 6, 1), 0)
        weight = np.ones(6 * 2 * 3 * 3, dtype)
        weight_view = View((6, 2, 3, 3), (18, 9, 3, 1), 0)
        geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
        yield "conv2d", (image, image_view, weight, weight_view, *geometry)
        yield "conv2d", (image, image_view, weight, weight_view, *geometry, weight[:6],
                         View((6,), (1,), 0))  # with the bias epilogue
        dy = np.ones(2 * 6 * 6 * 6, dtype)
        dy_view = View((2, 6, 6, 6), (216, 36, 6, 1), 0)
        yield "conv2d_backward_input", (dy, dy_view, weight, weight_view, (2, 4, 6, 6), *geometry)
        yield "conv2d_backward_weight", (dy, dy_view, image, image_view, (6, 2, 3, 3), *geometry)
        yield "max_pool2d", (image, image_view, (2, 2), (2, 2), (0, 0), (1, 1), False)
        pooled = View((2, 4, 3, 3), (36, 9, 3, 1), 0)
        yield "max_pool2d_backward", (image[:72], pooled, np.zeros(72, np.int64), pooled,
                                      (2, 4, 6, 6))
        yield "max_pool2d_backward", (image[:72], pooled, np.zeros(72, np.int64), pooled,
                                      (2, 4, 6, 6), (2, 2), (2, 2), (0, 0), (1, 1))
        yield "avg_pool2d", (image, image_view, (2, 2), (2, 2), (0, 0), False, True, None)
        yield "avg_pool2d_backward", (image[:72], pooled, (2, 4, 6, 6), (2, 2), (2, 2), (0, 0),
                                      False, True, None)
        yield from _nn_calls(dtype)
        yield from _sequence_calls(dtype)
        yield from _part_b_calls(dtype)
    if quick:  # the autotuned kernels' candidates for float16 too (float32: above)
        yield from _tiled_calls("float16")
    yield "randint", (10, 3, 5, -2, 9, np.dtype("int64"))
    yield from _int64_calls(floats)
    yield "randperm", (10, 3, 0, np.dtype("int64"))
    yield from _complex_calls()
    del reduce


def _tiled_calls(dtype: str):
    """The autotuned launches: a matmul and the three convolution products."""
    from tinygrad_edu.kernels import View

    x = np.ones(12, dtype)
    yield "matmul", (x, View((1, 3, 4), (0, 4, 1), 0), x, View((1, 4, 3), (0, 1, 4), 0))
    image, image_view = np.ones(2 * 4 * 6 * 6, dtype), View((2, 4, 6, 6), (144, 36, 6, 1), 0)
    weight, weight_view = np.ones(6 * 2 * 3 * 3, dtype), View((6, 2, 3, 3), (18, 9, 3, 1), 0)
    dy, dy_view = np.ones(2 * 6 * 6 * 6, dtype), View((2, 6, 6, 6), (216, 36, 6, 1), 0)
    geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
    yield "conv2d", (image, image_view, weight, weight_view, *geometry)
    yield "conv2d_backward_input", (dy, dy_view, weight, weight_view, (2, 4, 6, 6), *geometry)
    yield "conv2d_backward_weight", (dy, dy_view, image, image_view, (6, 2, 3, 3), *geometry)


def _defined(op: str, dtype: str, integer: bool) -> bool:
    """Whether the op layer sends op to a buffer of this dtype: the integer-only ops take
    integers, and bool for and / or / xor / not."""
    from tinygrad_edu.kernels.elementwise import INTEGER_ONLY_OPS

    if op not in INTEGER_ONLY_OPS:
        return True
    return integer or (dtype == "bool" and op not in ("left_shift", "right_shift"))



def _breadth_calls(dtype: str):
    """Scans and sorts (kernels/scan.py, kernels/sort.py), along a strided dim and a long one."""
    from tinygrad_edu.kernels import View

    x = np.ones(12, dtype)
    across, down = View((3, 4), (4, 1), 0), View((3, 4), (1, 3), 0)
    for op in ("sum", "prod", "max", "min", "logsumexp"):
        if op != "logsumexp" or dtype.startswith("float"):
            yield "scan", (op, x, down, 1)
    yield "scan", ("sum", np.ones(2048, dtype), View((2, 1024), (1024, 1), 0), 1)  # two pieces
    for descending in (False, True):
        yield "sort", (x, across, 1, descending)
    yield "sort", (x, down, 0, False)
    yield "sort", (np.ones(200, dtype), View((200,), (1,), 0), 0, False)  # several pieces


def _sequence_calls(dtype: str):
    """The sequence-model kernels: LSTM / GRU gate math and attention (forward, backward)."""
    from tinygrad_edu.kernels import View

    batch, hidden = 2, 3
    state = View((batch, hidden), (hidden, 1), 0)
    state_t = View((batch, hidden), (1, batch), 0)  # a transposed view
    s = np.ones(batch * hidden, dtype)
    gates = np.ones(batch * 4 * hidden, dtype)
    yield "lstm_cell", (gates, View((batch, 4 * hidden), (4 * hidden, 1), 0), s, state_t)
    yield "lstm_cell_backward", (gates, View((batch, 4 * hidden), (4 * hidden, 1), 0), s, state,
                                 s, state, s, state_t, s, state)
    three = View((batch, 3 * hidden), (3 * hidden, 1), 0)
    yield "gru_cell", (gates[:batch * 3 * hidden], three, gates[:batch * 3 * hidden], three, s,
                       state)
    yield "gru_cell_backward", (gates[:batch * 3 * hidden], three, gates[:batch * 3 * hidden],
                                three, s, state, s, state_t)
    b, h, length, keys, dim = 2, 2, 5, 7, 4
    q = np.ones(b * h * length * dim, dtype)
    kv = np.ones(b * h * keys * dim, dtype)
    q_view = View((b, h, length, dim), (h * length * dim, length * dim, dim, 1), 0)
    kv_view = View((b, h, keys, dim), (h * keys * dim, keys * dim, 1, keys), 0)  # transposed
    bias = np.ones(length * keys, dtype)
    bias_view = View((b, h, length, keys), (0, 0, keys, 1), 0)  # broadcast over batch, heads
    lse = np.ones(b * h * length, "float64" if dtype == "float64" else "float32")
    lse_view = View((b, h, length), (h * length, length, 1), 0)
    for with_bias, causal in ((False, False), (True, True)):
        extra = (bias, bias_view) if with_bias else (None, None)
        yield "attention", (q, q_view, kv, kv_view, kv, kv_view, *extra, causal, 0.5)
        yield "attention_backward", (q, q_view, kv, kv_view, kv, kv_view, *extra, q, q_view, q,
                                     q_view, lse, lse_view, causal, 0.5)


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
        yield "softmax", (x, View((3, 4), (1, 3), far), 1, True)
        yield "softmax_backward", (x, View((3, 4), (1, 3), far), x, View((3, 4), (4, 1), 0), 1,
                                   False)
        yield "reduce", ("sum", x, View((3, 4), (1, 3), far), (1,))
        yield "reduce", ("argmax", x, View((3, 4), (1, 3), far), (1,))
        target, column = np.zeros(3, np.int64), View((3,), (1,), 0)
        yield "cross_entropy", (x, View((3, 4), (far, 1), 0), target, column, None, None, -100,
                                0.0)
        yield "cross_entropy_backward", (x, View((3, 4), (far, 1), 0), target, column, None, None,
                                         x, column, x, column, -100, 0.0)
        yield "dropout", (x, View((3, 4), (1, 3), far), (3, 4), 5, 3, 0.5)
        image = View((1, 2, 2, 3), (6, 3, 1, 2), far)
        yield "max_pool2d", (x, image, (2, 2), (1, 1), (0, 0), (1, 1), False)
        yield "avg_pool2d_backward", (x, View((1, 2, 1, 2), (4, 2, 2, 1), far), (1, 2, 2, 3),
                                      (2, 2), (1, 1), (0, 0), False, True, None)
        yield "max_pool2d_backward", (x, View((1, 2, 1, 2), (4, 2, 2, 1), far),
                                      np.zeros(4, np.int64), View((1, 2, 1, 2), (4, 2, 2, 1), 0),
                                      (1, 2, 2, 3))
        yield "sgd_step", (x, View((3, 4), (1, 3), far), x, View((3, 4), (4, 1), 0), x,
                           View((3, 4), (4, 1), 0), 0.1, 0.9, 0.0, 0.0, False, False, False)
        yield "adam_step", (x, View((3, 4), (1, 3), far), x, View((3, 4), (4, 1), 0), x,
                            View((3, 4), (4, 1), 0), x, View((3, 4), (4, 1), 0), None, None, 2,
                            1e-3, 0.9, 0.999, 1e-8, 0.0, False, False)
        stats = View((2,), (1,), 0)
        yield "layer_norm", (x, View((2, 6), (far, 1), 0), x, View((6,), (1,), 0), x,
                             View((6,), (1,), 0), 1, 1e-5)
        yield "layer_norm_backward", (x, View((2, 6), (far, 1), 0), x, View((2, 6), (6, 1), 0),
                                      x, View((6,), (1,), 0), x, stats, x, stats, 1, True)
        yield "batch_norm", (x, View((2, 3, 2), (far, 2, 1), 0), None, None, None, None, None,
                             None, None, None, True, 0.1, 1e-5)
        yield "batch_norm", (x, View((2, 2, 64, 64), (far, 4096, 64, 1), 0), None, None, None,
                             None, None, None, None, None, True, 0.1, 1e-5)  # pieces, merged
        yield "batch_norm_backward", (x, View((2, 3, 2), (far, 2, 1), 0), x,
                                      View((2, 3, 2), (6, 2, 1), 0), None, None, x,
                                      View((3,), (1,), 0), x, View((3,), (1,), 0), True, True)
        yield "batch_norm_backward", (x, View((2, 2, 64, 64), (far, 4096, 64, 1), 0), x,
                                      View((2, 2, 64, 64), (8192, 4096, 64, 1), 0), None, None,
                                      x, View((2,), (1,), 0), x, View((2,), (1,), 0), True,
                                      True)  # pieces of a channel
        yield "scan", ("max", x, View((3, 4), (1, 3), far), 1)
        yield "sort", (x, View((3, 4), (1, 3), far), 0, False)
        state = View((2, 6), (6, 1), 0)
        yield "lstm_cell", (x, View((2, 6), (far, 1), 0), x, state)  # B * 4H past 2^31
        yield "gru_cell_backward", (x, View((2, 6), (far, 1), 0), x, state, x, state, x, state)
        q_view = View((1, 2, 3, 2), (12, 6, 2, 1), far)
        lse_view = View((1, 2, 3), (6, 3, 1), 0)
        yield "attention", (x, q_view, x, q_view, x, q_view, None, None, True, 0.5)
        yield "attention_backward", (x, q_view, x, q_view, x, q_view, None, None, x, q_view, x,
                                     q_view, x, lse_view, True, 0.5)
    # launches whose INT64 choice follows an element count (a buffer that size cannot be
    # allocated here): compiled with the threshold lowered, as tests/test_triton_scale.py runs them
    state, three = View((2, 3), (3, 1), 0), View((2, 9), (9, 1), 0)
    small = {
        "full": (12, 1.5, np.dtype("float32")),
        "arange": (0.5, 1, 12, np.dtype("float32")),
        "gru_cell": (np.ones(18, "float32"), three, np.ones(18, "float32"), three,
                     np.ones(6, "float32"), state),
        "lstm_cell_backward": (np.ones(24, "float32"), View((2, 12), (12, 1), 0),
                               *[np.ones(6, "float32"), state] * 4),
        "fft": (np.ones(16, "complex64"), View((2, 8), (8, 1), 0), False),
        "uniform": (10, 3, 5, 0.0, 1.0, np.dtype("float32")),
        "randperm": (10, 3, 0, np.dtype("int64")),
    }
    # advanced indexing's offsets, take and put kernels follow the result's size
    position, vector = np.array([0, 2, 1, 0], np.int64), View((4,), (1,), 0)
    x, square = np.ones(16, "float32"), View((4, 4), (4, 1), 0)
    small["index"] = (x, square, [(position, vector), None])
    small["index_put"] = (x, square, [(position, vector), None], x, square, True)
    small["nonzero"] = (x, square)
    ps, views = [x[:12], x[:5]], [View((3, 4), (4, 1), 0), View((5,), (1,), 0)]
    small["foreach_sgd_step"] = (ps, views, ps, views, ps, views, 0.1, 0.9, 0.0, 0.0, False,
                                 False, [False, False])
    small["foreach_adam_step"] = (ps, views, ps, views, ps, views, ps, views, None, None, [1, 2],
                                  1e-3, 0.9, 0.999, 1e-8, 0.0, False, False)
    for name, arguments in small.items():
        yield LOWERED_THRESHOLD + name, arguments
    yield "binary", ("div_floor", np.ones(12, np.int64), View((3, 4), (1, 3), far),
                     np.ones(12, np.int64), View((3, 4), (4, 1), 0))
    for dtype in ("complex64", "complex128"):
        z = np.ones(16, dtype)
        yield "complex_unary", ("abs", z, View((4, 4), (1, 4), far))
        yield "binary", ("mul", z, View((4, 4), (1, 4), far), z, View((4, 4), (4, 1), 0))
    x, far_image = np.ones(288, "float32"), View((2, 4, 6, 6), (144, 36, 6, 1), far)
    w, w_view = np.ones(108, "float32"), View((6, 2, 3, 3), (18, 9, 3, 1), 0)
    geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
    yield "conv2d", (x, far_image, w, w_view, *geometry)
    yield "conv2d_backward_weight", (x, far_image, x, View((2, 4, 6, 6), (144, 36, 6, 1), 0),
                                     (6, 2, 3, 3), *geometry)
    dy_far = View((2, 6, 6, 6), (216, 36, 6, 1), far)
    yield "conv2d_backward_input", (x, dy_far, w, w_view, (2, 4, 6, 6), *geometry)
    position, vector = np.array([0, 2, 1, 0], np.int64), View((4,), (1,), 0)
    far_rows = View((3, 4), (far, 1), 0)
    yield "gather", (x, far_rows, 0, position, vector)
    yield "scatter_add", (x, far_rows, 1, position, vector, x, vector)
    yield "index_select", (x, far_rows, 1, position, vector)
    image, weight = np.ones(2 * 4 * 6 * 6, np.int32), np.ones(6 * 2 * 3 * 3, np.int32)
    yield "conv2d", (image, View((2, 4, 6, 6), (144, 36, 6, 1), 0), weight,  # integer: no tl.dot
                     View((6, 2, 3, 3), (18, 9, 3, 1), 0), (1, 1), (1, 1, 1, 1), (1, 1), 2)
    yield "conv2d", (image, View((2, 4, 6, 6), (144, 36, 6, 1), 0), weight,
                     View((6, 2, 3, 3), (18, 9, 3, 1), 0), (1, 1), (1, 1, 1, 1), (1, 1), 2,
                     weight[:12], View((6,), (2,), 0))  # an integer bias, strided


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
        # the loss reduced inside the kernel, and the backward of 'mean' (dy / total weight)
        for reduction in ("sum", "mean"):
            yield "cross_entropy", (x, rows, target, column, weight, weight_view, -100, smoothing,
                                    reduction)
        yield "cross_entropy_backward", (x, rows, target, column, weight, weight_view,
                                         statistics, column, x[:1], View((4,), (0,), 0), -100,
                                         smoothing, x[:1], View((1,), (1,), 0))
    yield "dropout", (x, rows, (4, 1), 5, 3, 0.5)
    yield "dropout", (x, rows, (4, 6), 5, 3, 0.5)  # the full mask: 4 draws per Philox counter
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
    yield "layer_norm_backward", (x, View((256, 6), (0, 1), 0), x, View((256, 6), (0, 1), 0),
                                  None, None, np.ones(256, statistics.dtype), View((256,), (1,), 0),
                                  np.ones(256, statistics.dtype), View((256,), (1,), 0), 1,
                                  True)  # 256 rows: dw and db from parts of the rows, then summed
    long = np.ones(2 * 2 * 64 * 64, dtype)  # channels of 8192: pieces of a channel, then merged
    pair = (long[:2], View((2,), (1,), 0))
    yield "batch_norm", (long, View((2, 2, 64, 64), (8192, 4096, 64, 1), 0), None, None, None,
                         None, *pair, *pair, True, 0.1, 1e-5)
    long_view = View((2, 2, 64, 64), (8192, 4096, 64, 1), 0)
    stats = (np.ones(2, statistics.dtype), View((2,), (1,), 0))
    for weight in ((None, None), pair):  # pieces: the four sums per piece, then the dx pass
        yield "batch_norm_backward", (long, long_view, long, long_view, *weight, *stats, *stats,
                                      True, True)


def _part_b_calls(dtype: str):
    """Op breadth, part B: linear systems, the symmetric eigensolver, more optimizer steps."""
    from tinygrad_edu.kernels import View

    a, matrices = np.ones(18, dtype), View((2, 3, 3), (9, 1, 3), 0)
    yield "gauss_jordan", (a, matrices, a[:12], View((2, 3, 2), (6, 2, 1), 0))
    yield "symmetric_eigen", (a, matrices)
    p, view = np.ones(12, dtype), View((3, 4), (1, 3), 0)
    for centered, momentum in itertools.product((False, True), (False, True)):
        extra = [(p, view) if centered else (None, None), (p, view) if momentum else (None, None)]
        yield "rmsprop_step", (p, view, p, view, p, view, *extra[0], *extra[1], 0.01, 0.99, 1e-8,
                               0.01, 0.9 if momentum else 0.0, True)
    yield "adagrad_step", (p, view, p, view, p, view, 0.1, 1e-10, 0.01, False)
    yield "adadelta_step", (p, view, p, view, p, view, p, view, 1.0, 0.9, 1e-6, 0.0, True)
    yield "adamax_step", (p, view, p, view, p, view, p, view, 2, 2e-3, 0.9, 0.999, 1e-8, 0.01,
                          False)
    for decoupled in (False, True):
        yield "nadam_step", (p, view, p, view, p, view, p, view, 2, 2e-3, 0.9, 0.999, 1e-8, 0.01,
                             decoupled, False, 0.8, 0.81, 0.6)
    for step in (2, 8):  # RAdam's two branches
        yield "radam_step", (p, view, p, view, p, view, p, view, step, 1e-3, 0.9, 0.999, 1e-8,
                             0.0, False, True)


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
    WHOLE_LIST_PER["variant"] = not args.quick
    _install_compiling_launch(failures, compiled)
    from tinygrad_edu.kernels import View
    from tinygrad_edu.kernels.complex import with_complex_paths
    from tinygrad_edu.kernels.triton_backend import triton_implementations

    launchers = with_complex_paths(triton_implementations(), "triton")
    upload = launchers["from_host"]
    # nonzero sizes its output from counts it downloads (never computed here): say one per block
    from tinygrad_edu.kernels import index

    index.download = lambda buffer: np.ones(buffer.numel(), np.int64)
    for name, arguments in _calls(args.quick):
        converted = [upload(a) if isinstance(a, np.ndarray) else a for a in arguments]
        converted = [[_converted_item(e, upload) for e in a] if isinstance(a, list) else a
                     for a in converted]
        lowered = name.startswith(LOWERED_THRESHOLD)
        name = name.removeprefix(LOWERED_THRESHOLD)
        threshold = triton_support.INT32_MAX
        triton_support.INT32_MAX = 8 if lowered else threshold
        try:
            launchers[name](*converted)
        except Exception:  # noqa: BLE001 - launchers read results that were never computed
            failures.setdefault(("launcher", name), traceback.format_exc(limit=2)[-500:])
        finally:
            triton_support.INT32_MAX = threshold
    # the TF32 options of float32 products (off by default): one TF32 product, and three
    from tinygrad_edu.kernels import matmul

    matmul.ALLOW_TF32 = True
    for precision in ("tf32", "tf32x3"):
        matmul.TF32_PRECISION = precision
        x, view = upload(np.ones(32 * 32, np.float32)), View((32, 32), (32, 1), 0)
        launchers["matmul"](x, view, x, view)
    matmul.ALLOW_TF32, matmul.TF32_PRECISION = False, "tf32"
    real = {k: v for k, v in failures.items() if k[0] != "launcher"}
    for key, message in real.items():
        print(f"FAILED {key[0]} {key[2][:200]}\n  {message[-700:]}\n")
    # every launched kernel (by convention named *_kernel) must have been compiled at least once,
    # and its INT64 variant too where it has one: a kernel left out here is a kernel unchecked
    kernels = _launched_kernels()
    missing = sorted(set(kernels) - {key[0] for key in compiled})
    for name in missing:
        print(f"NOT COMPILED {name}: no call in tests/triton_compile_check.py reaches it")
    no_int64 = sorted({name for name, has_flag in kernels.items() if has_flag} - INT64_COMPILED)
    for name in no_int64:
        print(f"NOT COMPILED {name} with INT64=True: add a view past 2^31 to _int64_calls")
    # every autotune candidate compiled for every dtype its kernel was launched with
    from tinygrad_edu.kernels.matmul import HOPPER_TILES

    counts, untuned = [], []
    for name, done in sorted(AUTOTUNED.items()):
        variants = sorted({(dtype, variant) for _, dtype, variant in done})
        untuned += [f"{name} candidate {number} for {dtype} {variant}"
                    for dtype, variant in variants for number in range(len(HOPPER_TILES))
                    if (number, dtype, variant) not in done]
        dtypes = sorted({dtype for dtype, _ in variants})
        counts.append(f"{name} {len(done)} ({len(HOPPER_TILES)} candidates x {len(variants)} "
                      f"variants; {', '.join(dtypes)})")
    for what in untuned:
        print(f"NOT COMPILED autotune {what}")
    print(f"autotune configs compiled: {sum(len(d) for d in AUTOTUNED.values())}: "
          + "; ".join(counts))
    print(f"{len(compiled)} kernel specialisations compiled, {len(real)} failed, "
          f"{len(missing) + len(no_int64) + len(untuned)} kernels not compiled")
    return 1 if real or missing or no_int64 or untuned else 0


if __name__ == "__main__":
    sys.exit(main())
