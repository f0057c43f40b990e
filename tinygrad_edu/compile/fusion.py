"""Fusion: neighbouring primitive calls become one generated kernel with planned buffers.

Two kinds of group are formed from the Program's steps, in order:

* a *chain*: elementwise calls (unary, binary, where, cast) where each one consumes the result of
  the one before and nobody else does, optionally headed by a matmul whose result only the chain
  reads (the bias add and ReLU after a Linear's matmul: an *epilogue*);

      matmul(x, W^T) -> add(_, b) -> relu(_)        one kernel: y = relu(x @ W^T + b)

  or headed by a reduction (sum, prod, max, min) whose result only the chain reads: the epilogue
  then works on the reduced values as they are produced (the mean of a loss: a sum, then a divide);

      reduce sum(losses) -> div(_, total weight)    one kernel: y = sum(losses) / total weight

* an *update*: consecutive SGD steps of several parameters (the optimizer's loop) in one kernel
  (NumPy; on Triton, horizontal.py splits the updates per parameter instead).

On the Triton backend more calls can head a chain (convolutions and their gradients, a
non-overlapping max-pool backward, cross-entropy's backward), a consumer is first moved up next
to its producer when nothing in between changes what it reads (ReLU's backward after the matmul
computing its incoming gradient), and a lone matmul or sum is a generated piece as well.

Each group gets generated source: on the NumPy backend a Python function of NumPy calls writing
into preallocated arrays (`out=`); on the Triton backend (codegen_triton.py) a device function
per chain (a *piece*), which horizontal.py launches together with the other pieces of its
dependency level. The intermediate
values of a chain never exist as buffers; a chain's output lives in a buffer of the *memory
plan*: allocated once, reused by every replay, and shared by values whose lifetimes do not
overlap (or written straight into a live buffer such as a parameter's .grad).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..kernels import View, as_numpy
from .capture import Call, Ref
from .program import Step

ELEMENTWISE = frozenset({"unary", "binary", "where", "cast"})
HEADS = frozenset({"matmul", "reduce"})  # a chain may start with one (its epilogue follows)
# more heads on Triton: convolutions (sums of products) and a non-overlapping max-pool backward
GENERATED_HEADS = frozenset({"conv2d", "conv2d_backward_input", "conv2d_backward_weight",
                             "max_pool2d_backward"})
# reduction -> the NumPy ufunc whose reduce the eager primitive calls (kernels/reduce.py)
NUMPY_REDUCE = {"sum": "np.add", "prod": "np.multiply", "max": "np.maximum", "min": "np.minimum"}

# op -> NumPy source writing into `out` ({0}, {1}, {2}: the operands).
NUMPY_UNARY = {
    "neg": "np.negative({0}, out={out})", "abs": "np.absolute({0}, out={out})",
    "exp": "np.exp({0}, out={out})", "log": "np.log({0}, out={out})",
    "log1p": "np.log1p({0}, out={out})", "sqrt": "np.sqrt({0}, out={out})",
    "sin": "np.sin({0}, out={out})", "cos": "np.cos({0}, out={out})",
    "tanh": "np.tanh({0}, out={out})", "sign": "np.sign({0}, out={out})",
    "reciprocal": "np.reciprocal({0}, out={out})", "floor": "np.floor({0}, out={out})",
    "ceil": "np.ceil({0}, out={out})", "trunc": "np.trunc({0}, out={out})",
    "relu": "np.maximum({0}, {zero}, out={out})",
}
NUMPY_BINARY = {
    "add": "np.add({0}, {1}, out={out})", "sub": "np.subtract({0}, {1}, out={out})",
    "mul": "np.multiply({0}, {1}, out={out})", "div": "np.true_divide({0}, {1}, out={out})",
    "maximum": "np.maximum({0}, {1}, out={out})", "minimum": "np.minimum({0}, {1}, out={out})",
    "pow": "np.power({0}, {1}, out={out})",
    "eq": "np.equal({0}, {1}, out={out})", "ne": "np.not_equal({0}, {1}, out={out})",
    "lt": "np.less({0}, {1}, out={out})", "le": "np.less_equal({0}, {1}, out={out})",
    "gt": "np.greater({0}, {1}, out={out})", "ge": "np.greater_equal({0}, {1}, out={out})",
}
_QUIET = {"neg", "abs", "relu", "sign", "add", "sub", "mul", "maximum", "minimum", "eq", "ne",
          "lt", "le", "gt", "ge", "floor", "ceil", "trunc"}
_BOOL = {"eq", "ne", "lt", "le", "gt", "ge"}


@dataclass
class Operand:
    """A buffer a kernel reads: value number and the view it is read through."""

    value: int
    view: View


@dataclass
class FusedKernel:
    """A generated kernel: its name, source, the calls it fused, and how to run it."""

    name: str
    source: str
    calls: list[Call]
    operands: list[Operand]
    output: int | None  # the value it produces (None for an in-place update)
    output_shape: tuple[int, ...] = ()
    output_dtype: Any = None
    run: Any = None  # run(*buffers of operands) -> output buffer (or None)
    backend: str = "numpy"
    extra: dict = field(default_factory=dict)

    def summary(self) -> str:
        ops = " -> ".join(_describe(call) for call in self.calls)
        return f"{self.name} [{self.backend}]: {ops}"


def _describe(call: Call) -> str:
    if call.primitive in ("sgd_step", "foreach_sgd_step"):  # (one parameter's, when split)
        return f"sgd update ({call.origin})"
    head = call.args[0] if call.primitive in ("unary", "binary", "reduce") else call.primitive
    return f"{head} ({call.origin})"


def _op(call: Call) -> str:
    return call.args[0] if call.primitive in ("unary", "binary", "reduce") else call.primitive


# --- grouping ------------------------------------------------------------------------------------
def _fusable_elementwise(call: Call, backend_name: str) -> bool:
    if call.primitive == "where":
        return True
    if call.primitive == "cast":
        return backend_name == "numpy"
    table = NUMPY_UNARY if call.primitive == "unary" else NUMPY_BINARY
    if call.primitive not in ("unary", "binary") or call.args[0] not in table:
        return False
    if backend_name != "numpy":
        from .codegen_triton import supports

        return supports(call)
    return True


def _operands_of(call: Call) -> list[tuple[int, View]]:
    """(value, view) pairs of an elementwise call, in argument order."""
    args = call.args[1:] if call.primitive in ("unary", "binary") else call.args
    pairs = []
    for first, second in zip(args[0::2], args[1::2]):
        if isinstance(first, Ref):
            pairs.append((first.value, second))
    return pairs


def _output_shape(call: Call) -> tuple[int, ...]:
    views = [view for _, view in _operands_of(call)]
    return views[0].shape if views else ()


def fuse_steps(steps: list[Step], program: Any, written: set[int]) -> list[Step]:
    """Group the steps (see the module docstring) and turn each group into a kernel step."""
    uses: dict[int, int] = {}
    for step in steps:
        for call in step.calls:
            for number in call.refs():
                uses[number] = uses.get(number, 0) + 1
    pinned = set(program.live) | program.returned | written

    def private(number: int) -> bool:  # read by exactly one later call, kept by nobody
        return uses.get(number, 0) == 1 and number not in pinned

    triton = any(step.calls[0].backend.name != "numpy" for step in steps)
    if triton:  # (the NumPy replay keeps the program's order: it is already fast)
        steps = pull_up_consumers(steps, private)
    groups: list[list[Step]] = []
    for step in steps:
        call = step.calls[0]
        backend_name = call.backend.name
        if groups and _extends(groups[-1], call, private, backend_name):
            groups[-1].append(step)
        else:
            groups.append([step])
    fused: list[Step] = []
    counter = 0
    for group in groups:
        calls = [s.calls[0] for s in group]
        kind = _kind(calls)
        if kind is None:
            fused.extend(group)
            continue
        kernel = build_kernel(f"fused_{counter}", kind, calls, program)
        if kernel is None:
            fused.extend(group)
            continue
        counter += 1
        fused.append(_kernel_step(kernel, calls))
    if triton:  # independent pieces share launches (horizontal.py)
        from .horizontal import schedule

        fused = schedule(fused, program)
    plan_memory(fused, program)
    return fused


def pull_up_consumers(steps: list[Step], private: Any) -> list[Step]:
    """Move the one elementwise consumer of a value up to just after its producer, when nothing
    in between changes what it reads: ReLU's backward (a where) runs right after the matmul
    that computes dX, so the two become one chain (the order elsewhere is the program's)."""
    steps = list(steps)
    index = 0
    while index < len(steps) - 1:
        call = steps[index].calls[0]
        if (len(call.outputs) == 1 and private(call.outputs[0])
                and (call.primitive in HEADS | GENERATED_HEADS | ELEMENTWISE)):
            produced = call.outputs[0]
            later = next((j for j in range(index + 1, len(steps))
                          if produced in steps[j].calls[0].refs()), None)
            if later is not None and later > index + 1 and _may_move(steps, index, later):
                steps.insert(index + 1, steps.pop(later))
        index += 1
    return steps


def _may_move(steps: list[Step], producer: int, consumer: int) -> bool:
    from .program import MAY_WRITE

    call = steps[consumer].calls[0]
    if call.primitive not in ELEMENTWISE or len(call.outputs) != 1:
        return False
    reads = set(call.refs())
    for between in steps[producer + 1:consumer]:
        other = between.calls[0]
        writes = set(other.outputs)
        if other.primitive in MAY_WRITE or not other.outputs:
            writes |= set(other.refs())
        if writes & reads:  # it makes (or changes) something the consumer reads
            return False
    return True


def _kind(calls: list[Call]) -> str | None:
    first = calls[0]
    if first.primitive == "sgd_step":  # (on Triton, horizontal.py splits SGD per parameter)
        return "sgd" if _plain_sgd(first) and first.backend.name == "numpy" else None
    if first.primitive == "cross_entropy_backward" and len(calls) == 1:  # a piece on Triton
        return "chain" if first.backend.name != "numpy" else None
    chain = calls[1:] if first.primitive in HEADS | GENERATED_HEADS else calls
    if not chain and first.backend.name != "numpy":  # a lone head: a generated piece
        ok = {"matmul": _matmul_head_ok, "reduce": _reduce_head_ok}.get(first.primitive,
                                                                     _generated_head_ok)
        return "chain" if ok(first, first.backend.name) else None
    if not chain or not all(c.primitive in ELEMENTWISE for c in chain):
        return None
    return "chain" if all(_fusable_elementwise(c, c.backend.name) for c in chain) else None


def _plain_sgd(call: Call) -> bool:
    """SGD without weight decay, nesterov, maximize or a first step: b = mu*b + (1-d)*g."""
    (_, _, _, _, _, _, lr, momentum, dampening, weight_decay, nesterov, maximize,
     first_step) = call.args
    return weight_decay == 0 and not nesterov and not maximize and not first_step


def _extends(group: list[Step], call: Call, private: Any, backend_name: str) -> bool:
    last = group[-1].calls[0]
    if last.backend is not call.backend:
        return False
    if last.primitive == "sgd_step":
        return call.primitive == "sgd_step" and _plain_sgd(call) and _plain_sgd(last)
    if call.primitive not in ELEMENTWISE or not _fusable_elementwise(call, backend_name):
        return False
    head = group[0].calls[0]
    if head.primitive == "matmul":
        if not _matmul_head_ok(head, backend_name):
            return False
    elif head.primitive == "reduce":
        if not _reduce_head_ok(head, backend_name):
            return False
    elif head.primitive in GENERATED_HEADS:
        if not _generated_head_ok(head, backend_name):
            return False
    elif not all(_fusable_elementwise(s.calls[0], backend_name) for s in group):
        return False
    if len(last.outputs) != 1 or not private(last.outputs[0]):
        return False
    produced = last.outputs[0]
    shape = group_shape(group[0].calls[0])
    for number, view in _operands_of(call):
        if number == produced and (view.shape != shape or view != _row_major(shape)):
            return False
    return produced in [n for n, _ in _operands_of(call)] and _output_shape(call) == shape


def _reduce_head_ok(call: Call, backend_name: str) -> bool:
    """A value reduction (not argmax/argmin; float16 sums widen to float32 first: not fused)."""
    op, x, x_view, axes = call.args
    if op not in NUMPY_REDUCE or x_view.shape == () or not axes:
        return False
    if backend_name == "numpy":
        return True
    from .codegen_triton import supports_reduce

    return supports_reduce(call)


def _generated_head_ok(call: Call, backend_name: str) -> bool:
    """A convolution or max-pool backward heading a generated Triton chain."""
    if backend_name == "numpy":
        return False
    if call.primitive == "max_pool2d_backward":
        return len(call.args[1].shape) == 4
    from .codegen_triton import supports_conv

    return supports_conv(call)


def _matmul_head_ok(call: Call, backend_name: str) -> bool:
    a, a_view, b, b_view = call.args
    if len(a_view.shape) != 2 or len(b_view.shape) != 2:
        return False
    if backend_name == "numpy":
        return True
    from .codegen_triton import supports_matmul

    return supports_matmul(call)


# The arguments of the primitives that generated pieces read, by name, in the order the backend
# receives them (ops/lowering.py); trailing optional ones (a conv's bias, a pool backward's
# geometry, the total weight of a mean cross-entropy) may be absent and then read as None.
ARGUMENT_NAMES = {
    "conv2d": ("x", "x_view", "weight", "weight_view", "stride", "padding", "dilation",
               "groups", "bias", "bias_view"),
    "conv2d_backward_input": ("dy", "dy_view", "weight", "weight_view", "input_shape", "stride",
                              "padding", "dilation", "groups"),
    "conv2d_backward_weight": ("dy", "dy_view", "x", "x_view", "weight_shape", "stride",
                               "padding", "dilation", "groups"),
    "max_pool2d": ("x", "x_view", "kernel", "stride", "padding", "dilation", "ceil_mode"),
    "max_pool2d_backward": ("dy", "dy_view", "indices", "indices_view", "input_shape", "kernel",
                            "stride", "padding", "dilation"),
    "cross_entropy": ("x", "x_view", "target", "target_view", "weight", "weight_view",
                      "ignore_index", "smoothing", "reduction"),
    "cross_entropy_backward": ("x", "x_view", "target", "target_view", "weight", "weight_view",
                               "lse", "lse_view", "dy", "dy_view", "ignore_index", "smoothing",
                               "total_weight", "total_weight_view"),
}


def arguments(call: Call) -> dict[str, Any]:
    """A captured call's arguments by name (ARGUMENT_NAMES): args["stride"], not args[-4]."""
    names = ARGUMENT_NAMES[call.primitive]
    if len(call.args) > len(names):
        raise ValueError(f"compile: {call.primitive} got {len(call.args)} arguments, "
                         f"expected at most {len(names)} {names}")
    named = dict.fromkeys(names)  # absent optional trailing arguments: None
    named.update(zip(names, call.args))
    return named


def group_shape(call: Call) -> tuple[int, ...]:
    if call.primitive == "cross_entropy_backward":  # dlogits: the logits' (M, C)
        return tuple(call.args[1].shape)
    if call.primitive == "conv2d":  # (N, O, Ho, Wo)
        args = arguments(call)
        x_view, w_view = args["x_view"], args["weight_view"]
        (sh, sw), padding, (dh, dw) = args["stride"], args["padding"], args["dilation"]
        height = (x_view.shape[2] + padding[0] + padding[1] - dh * (w_view.shape[2] - 1) - 1)
        width = (x_view.shape[3] + padding[2] + padding[3] - dw * (w_view.shape[3] - 1) - 1)
        return (x_view.shape[0], w_view.shape[0], height // sh + 1, width // sw + 1)
    if call.primitive in ("conv2d_backward_input", "conv2d_backward_weight",
                          "max_pool2d_backward"):  # the shape it was told to produce
        return tuple(call.args[4])
    if call.primitive == "matmul":
        _, a_view, _, b_view = call.args
        return a_view.shape[:-1] + b_view.shape[-1:]
    if call.primitive == "reduce":
        _, _, x_view, axes = call.args
        return tuple(size for d, size in enumerate(x_view.shape) if d not in axes)
    return _output_shape(call)


def _row_major(shape: tuple[int, ...]) -> View:
    from ..kernels import contiguous_view

    return contiguous_view(shape)


# --- kernels ------------------------------------------------------------------------------------
def build_kernel(name: str, kind: str, calls: list[Call], program: Any) -> FusedKernel | None:
    backend_name = calls[0].backend.name
    if kind == "sgd":
        return _numpy_sgd(name, calls, program)
    if backend_name == "numpy":
        return _numpy_chain(name, calls, program)
    from .codegen_triton import triton_chain

    return triton_chain(name, calls, program)


def _numpy_dtype_of(program: Any, number: int) -> np.dtype:
    return np.dtype(program.graph.values[number].dtype)


def _numpy_chain(name: str, calls: list[Call], program: Any) -> FusedKernel | None:
    """One Python function of NumPy calls for a chain, writing every step into `out`."""
    operands: list[Operand] = []
    names: dict[int, str] = {}  # value -> the source name that holds it inside the kernel
    lines: list[str] = []
    temps: list[tuple[str, np.dtype]] = []
    shape = group_shape(calls[0])
    final = calls[-1].outputs[0]
    out_dtype = _numpy_dtype_of(program, final)
    quiet = True

    def operand(number: int, view: View) -> str:
        if number in names:
            return names[number]
        operands.append(Operand(number, view))
        return f"x{len(operands) - 1}"

    for call in calls:
        produced = call.outputs[0]
        dtype = _numpy_dtype_of(program, produced)
        target = "out"
        if dtype != out_dtype:  # a mask (bool) or another dtype: a planned temporary array
            target = f"t{len(temps)}"
            temps.append((target, dtype))
        if call.primitive == "matmul":
            a, a_view, b, b_view = call.args
            if _numpy_dtype_of(program, a.value) == np.float16:  # computed via float32
                return None
            code = f"np.matmul({operand(a.value, a_view)}, {operand(b.value, b_view)}, out=out)"
        elif call.primitive == "reduce":
            op, x, x_view, axes = call.args
            if _numpy_dtype_of(program, x.value) == np.float16:  # summed in float32: not fused
                return None
            code = (f"{NUMPY_REDUCE[op]}.reduce({operand(x.value, x_view)}, axis={axes!r}, "
                    f"out={target})")
        elif call.primitive == "where":
            c, c_view, a, a_view, b, b_view = call.args
            code = (f"select({target}, {operand(c.value, c_view)}, {operand(a.value, a_view)}, "
                    f"{operand(b.value, b_view)})")
        elif call.primitive == "cast":
            x, x_view, _ = call.args
            code = f"np.copyto({target}, {operand(x.value, x_view)}, casting='unsafe')"
            quiet = False
        else:
            op = call.args[0]
            quiet = quiet and op in _QUIET
            pairs = _operands_of(call)
            sources = [operand(number, view) for number, view in pairs]
            table = NUMPY_UNARY if call.primitive == "unary" else NUMPY_BINARY
            code = table[op].format(*sources, out=target, zero=f"np.{dtype.name}(0)")
        lines.append(f"{code}  # {_describe(call)}: {call.line}")
        names[produced] = target
    parameters = ", ".join([f"x{i}" for i in range(len(operands))] + ["out"]
                           + [t for t, _ in temps])
    ops = " -> ".join(_op(call) for call in calls)
    body = "\n".join(("        " if not quiet else "    ") + line for line in lines)
    header = f'def {name}({parameters}):\n    """Fused: {ops}   {shape}"""\n'
    if not quiet:
        header += '    with np.errstate(all="ignore"):  # as the eager primitives\n'
    source = header + body + "\n"
    namespace: dict[str, Any] = {"np": np, "select": select}
    exec(compile(source, f"<tinygrad_edu.compile {name}>", "exec"), namespace)  # noqa: S102
    function = namespace[name]
    kernel = FusedKernel(name, source, calls, operands, final, shape, out_dtype)
    kernel.extra["temps"] = [np.empty(shape, dtype) for _, dtype in temps]
    kernel.run = _numpy_runner(function, kernel)
    return kernel


_BITS = {1: np.int8, 2: np.int16, 4: np.int32, 8: np.int64}


def select(out: np.ndarray, c: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """out = a where c else b: the eager where's branch-free select for large arrays (ReLU's mask
    is data, and np.where mispredicts half its branches), (a & m) | (b & ~m) on the elements read
    as integers: the same bits as kernels/elementwise.py's where_reference."""
    if (c.size <= 1024 or c.dtype != np.bool_ or a.dtype != b.dtype or a.dtype != out.dtype
            or a.dtype.itemsize not in _BITS):
        np.copyto(out, np.where(c, a, b))
        return
    bits = _BITS[a.dtype.itemsize]
    result = out.view(bits)
    if (b.size and not any(b.strides) and b.flat[0].view(bits) == 0
            and not np.may_share_memory(out, a)):
        # b is a broadcast +0 (ReLU's backward: dy where y > 0, else 0): the zero side adds no
        # bits, so one AND is the whole select (as where_reference does), and the mask is built
        # in out itself: no temporary array (the size of out) to allocate and touch per replay
        np.negative(c.view(np.int8), dtype=bits, out=result)  # True (1) -> -1: every bit set
        np.bitwise_and(result, a.view(bits), out=result)
        return
    mask = np.negative(c.view(np.int8), dtype=bits)  # True (1) -> -1: every bit set
    other = b.view(bits) & ~mask  # read b before out is written (out may be b's buffer)
    np.bitwise_and(a.view(bits), mask, out=result)
    result |= other


def _numpy_runner(function: Any, kernel: FusedKernel) -> Any:
    """Call the generated function with arrays for the operands (views made only when a buffer
    changed: a parameter's view is made once, an input's once per call)."""
    operands = kernel.operands
    seen: list[Any] = [None] * len(operands)
    arrays: list[Any] = [None] * len(operands)
    temps = kernel.extra["temps"]

    count = range(len(operands))

    def run(*buffers: Any) -> Any:
        for i in count:
            if buffers[i] is not seen[i]:
                seen[i], arrays[i] = buffers[i], as_numpy(buffers[i], operands[i].view)
        flat, out = kernel.extra["out"]()  # a flat buffer and its shaped array (memory plan)
        function(*arrays, out, *temps)
        return flat

    return run


def _numpy_sgd(name: str, calls: list[Call], program: Any) -> FusedKernel:
    """All plain SGD updates in one function: b = mu*b + (1-d)*g; p -= lr*b (per parameter),
    the same NumPy operations in the same order as kernels/optim.py (the same bits)."""
    operands: list[Operand] = []
    lines: list[str] = []
    scratch: list[tuple[tuple[int, ...], np.dtype]] = []
    for index, call in enumerate(calls):
        (p, p_view, g, g_view, b, b_view, lr, momentum, dampening, _, _, _, _) = call.args
        parameter, gradient = f"p{index}", f"g{index}"
        operands += [Operand(p.value, p_view), Operand(g.value, g_view)]
        step = f"s{index}"  # a planned scratch array for lr * direction
        scratch.append((p_view.shape, np.dtype(program.graph.values[p.value].dtype)))
        if momentum != 0:
            operands.append(Operand(b.value, b_view))
            scaled = gradient if dampening == 0 else f"{1 - dampening!r} * {gradient}"
            lines += [f"b{index} *= {momentum!r}  # momentum buffer of parameter {index}",
                      f"b{index} += {scaled}  # (times 1 - dampening: the same bits)",
                      f"np.multiply(b{index}, {lr!r}, out={step})",
                      f"{parameter} -= {step}"]
        else:
            lines += [f"np.multiply({gradient}, {lr!r}, out={step})", f"{parameter} -= {step}"]
    names = []
    for index, call in enumerate(calls):
        names += [f"p{index}", f"g{index}"] + ([f"b{index}"] if call.args[7] != 0 else [])
    names += [f"s{index}" for index in range(len(calls))]
    source = (f"def {name}({', '.join(names)}):\n"
              f'    """Fused: {len(calls)} SGD updates (momentum, in place)"""\n'
              + "".join(f"    {line}\n" for line in lines))
    namespace: dict[str, Any] = {"np": np}
    exec(compile(source, f"<tinygrad_edu.compile {name}>", "exec"), namespace)  # noqa: S102
    function = namespace[name]
    kernel = FusedKernel(name, source, calls, operands, None)
    seen: list[Any] = [None] * len(operands)
    arrays: list[Any] = [None] * len(operands)
    scratch_arrays = [np.empty(shape, dtype) for shape, dtype in scratch]

    def run(*buffers: Any) -> None:
        for i, buffer in enumerate(buffers):
            if buffer is not seen[i]:
                seen[i], arrays[i] = buffer, as_numpy(buffer, operands[i].view)
        function(*arrays, *scratch_arrays)

    kernel.run = run
    return kernel


def _kernel_step(kernel: FusedKernel, calls: list[Call]) -> Step:
    args: list[Any] = [None] * len(kernel.operands)
    slots = [(i, operand.value) for i, operand in enumerate(kernel.operands)]
    outputs = () if kernel.output is None else (kernel.output,)
    return Step(kernel.run, args, slots, outputs, calls, kernel=kernel)


# --- the memory plan -----------------------------------------------------------------------------
def plan_memory(steps: list[Step], program: Any) -> None:
    """Give every kernel output a buffer: a live one written in place, a fresh one for returned
    values, else one from a pool, reused when an earlier value's last reader has run."""
    last_use: dict[int, int] = {}
    for index, step in enumerate(steps):
        for number in _reads(step):
            last_use[number] = index
    free: dict[tuple, list[Any]] = {}
    owner: dict[int, tuple] = {}
    program.planned_bytes = 0
    for index, step in enumerate(steps):
        for kernel in _parts(step.kernel):  # (a launch of several pieces: each one's output)
            if kernel.output is None:
                continue
            number = kernel.output
            allocate = kernel.extra.get("allocate", _numpy_allocate)
            if number in program.returned:  # (returned values are also alive: test first)
                kernel.extra["out"] = lambda kernel=kernel, allocate=allocate: allocate(
                    kernel.output_shape, kernel.output_dtype, None)
            elif number in program.live:
                flat = program.live[number]
                kernel.extra["out"] = _fixed(flat, kernel, allocate)
            else:
                key = (kernel.output_shape, str(kernel.output_dtype), kernel.backend)
                pool = free.get(key)
                if pool:
                    pair = pool.pop()
                else:
                    pair = allocate(kernel.output_shape, kernel.output_dtype, None)
                    program.planned_bytes += int(np.prod(kernel.output_shape)) * np.dtype(
                        str(kernel.output_dtype).removeprefix("torch.")).itemsize
                owner[number] = key
                kernel.extra["out"] = lambda pair=pair: pair
                kernel.extra["pair"] = pair
        for number in _reads(step):  # values whose last reader was this step: to the pool
            if last_use.get(number) == index and number in owner:
                key = owner.pop(number)
                free.setdefault(key, []).append(_pair_of(steps, number))


def _reads(step: Step) -> list[int]:
    """The values a step reads: its calls' buffers, and what its generated kernels load (a piece
    may recompute a value from that value's own inputs)."""
    numbers = [number for call in step.calls for number in call.refs()]
    return numbers + [operand.value for kernel in _parts(step.kernel)
                      for operand in kernel.operands]


def _pair_of(steps: list[Step], number: int) -> Any:
    for step in steps:
        for kernel in _parts(step.kernel):
            if kernel.output == number:
                return kernel.extra["pair"]
    raise KeyError(number)


def _parts(kernel: Any) -> list:
    """The generated kernels of a step: none, one, or the pieces of a launch (horizontal.py)."""
    if kernel is None:
        return []
    return list(getattr(kernel, "parts", [kernel]))


def _fixed(flat: Any, kernel: FusedKernel, allocate: Any) -> Any:
    pair = allocate(kernel.output_shape, kernel.output_dtype, flat)
    return lambda: pair


def _numpy_allocate(shape: tuple[int, ...], dtype: Any, flat: Any) -> tuple[Any, Any]:
    """(flat buffer, the array the kernel writes): a new one, or a view of `flat`."""
    if flat is None:
        flat = np.empty(int(np.prod(shape)), dtype)
    return flat, flat.reshape(shape)
