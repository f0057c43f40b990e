"""Generating one Triton kernel for a chain of elementwise calls.

Eager mode launches one kernel per primitive: `add` reads x and b from memory and writes y, then
`relu` reads y back and writes z. The generated kernel reads x and b once, keeps every
intermediate in registers, and writes only z:

    @triton.jit
    def fused_0(x0_ptr, x1_ptr, out_ptr, numel, BLOCK: tl.constexpr):
        # fused: add (Linear) -> relu (Relu)
        index = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)   # output positions
        mask = index < numel
        i1 = index % 128                                         # coordinates of (64, 128)
        i0 = index // 128
        x0 = tl.load(x0_ptr + (i0 * 128 + i1), mask=mask)        # (64, 128) row-major
        x1 = tl.load(x1_ptr + (i1), mask=mask)                   # the bias: stride 0 on dim 0
        t0 = x0 + x1                                             # add (Linear)
        t1 = tl.where(t0 < 0, 0, t0)                             # relu (Relu)
        tl.store(out_ptr + index, t1, mask=mask)

Each op is written with the same formula as the eager kernel in kernels/elementwise.py, so the
results are the same bits. A chain may start with a reduction: a sum loads a [BLOCK, RBLOCK] tile
(output positions by reduced positions) and adds its rows with tl.sum, and a matmul is written as
the reduction it is, y[i0, i1] = sum over k of a[i0, k] * b[k, i1] (a readable kernel, not a fast
one: a GPU wants tl.dot on square tiles, as kernels/matmul.py does; here K must fit in one tile).
The epilogue then runs on the reduced values in registers: relu(x @ W^T + b) is one kernel.

The source is written to a file (Triton reads a kernel's source) and imported once; the kernel
is specialised to the shapes and strides of its capture.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from typing import Any

import numpy as np

from .capture import Call, Ref
from .fusion import FusedKernel, Operand, _describe, _op, _operands_of, group_shape

BLOCK = 1024

UNARY = {"neg": "-{0}", "abs": "tl.abs({0})", "relu": "tl.where({0} < 0, 0, {0})"}
BINARY = {
    "add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "div": "{0} / {1}",
    "maximum": "tl.where(({0} > {1}) | ({0} != {0}), {0}, {1})",
    "minimum": "tl.where(({0} < {1}) | ({0} != {0}), {0}, {1})",
    "eq": "{0} == {1}", "ne": "{0} != {1}", "lt": "{0} < {1}", "le": "{0} <= {1}",
    "gt": "{0} > {1}", "ge": "{0} >= {1}",
}
_FLOATS = ("float32", "float64")


def supports(call: Call) -> bool:
    """Elementwise calls the generator can write (others stay eager kernels)."""
    if call.primitive == "where":
        return True
    table = UNARY if call.primitive == "unary" else BINARY if call.primitive == "binary" else {}
    return call.args[0] in table


REDUCE_TILE = 4096  # at most this many reduced elements per output: one tile, no loop


def supports_reduce(call: Call) -> bool:
    """A sum the generator can write as a chain's head: each output's reduced elements fit in
    one tile of the program (otherwise the eager reduce kernel, which loops, runs)."""
    op, _, x_view, axes = call.args
    return op == "sum" and int(np.prod([x_view.shape[d] for d in axes])) <= REDUCE_TILE


def supports_matmul(call: Call) -> bool:
    """A 2-D matmul the generator can write as a chain's head: K fits in one tile."""
    _, a_view, _, _ = call.args
    return a_view.shape[1] <= REDUCE_TILE


def _matmul_load(index: int, a_view: Any, b_view: Any) -> tuple[list[str], int]:
    """Source lines of a matmul head written as the reduction it is: output (i0, i1) is the sum
    over k of a[i0, k] * b[k, i1]; a [BLOCK, RBLOCK] tile of each factor, k along the columns."""
    k = a_view.shape[1]

    def term(name: str, stride: int) -> str:
        return name if stride == 1 else f"{name} * {stride}"

    a_offset = f" + {a_view.offset}" if a_view.offset else ""
    b_offset = f" + {b_view.offset}" if b_view.offset else ""
    mask = f"mask=mask[:, None] & (r < {k})[None, :], other=0"
    lines = [f"r = tl.arange(0, RBLOCK)  # positions along k ({k})",
             f"x{index} = tl.load(x{index}_ptr + ({term('i0', a_view.strides[0])})[:, None] + "
             f"({term('r', a_view.strides[1])})[None, :]{a_offset}, {mask})"
             f"  # a {tuple(a_view.shape)} strides {tuple(a_view.strides)}: rows i0",
             f"x{index + 1} = tl.load(x{index + 1}_ptr + ({term('i1', b_view.strides[1])})"
             f"[:, None] + ({term('r', b_view.strides[0])})[None, :]{b_offset}, {mask})"
             f"  # b {tuple(b_view.shape)} strides {tuple(b_view.strides)}: columns i1"]
    return lines, k


def _reduce_load(index: int, view: Any, axes: tuple[int, ...]) -> tuple[list[str], int]:
    """Source lines loading a [BLOCK, RBLOCK] tile of the reduced input: row = output position
    (coordinates i0.. of the kept dims), column = position r along the reduced dims."""
    axes = tuple(sorted(axes))
    kept = [d for d in range(len(view.shape)) if d not in axes]
    sizes = [view.shape[d] for d in axes]
    count = int(np.prod(sizes))
    rows = [f"i{k} * {view.strides[d]}" if view.strides[d] != 1 else f"i{k}"
            for k, d in enumerate(kept)
            if view.strides[d] != 0 and view.shape[d] != 1] or ["index * 0"]
    lines = ["r = tl.arange(0, RBLOCK)  # positions along the reduced dims " + str(tuple(sizes)),
             "rest = r"]
    for j in range(len(axes) - 1, 0, -1):
        lines += [f"r{j} = rest % {sizes[j]}", f"rest = rest // {sizes[j]}"]
    lines.append("r0 = rest")
    columns = [f"r{j} * {view.strides[d]}" if view.strides[d] != 1 else f"r{j}"
               for j, d in enumerate(axes)
               if view.strides[d] != 0 and view.shape[d] != 1] or ["r * 0"]
    offset = f" + {view.offset}" if view.offset else ""
    lines.append(f"x{index} = tl.load(x{index}_ptr + ({' + '.join(rows)})[:, None] + "
                 f"({' + '.join(columns)})[None, :]{offset}, "
                 f"mask=mask[:, None] & (r < {count})[None, :], other=0)"
                 f"  # {tuple(view.shape)} strides {tuple(view.strides)}")
    return lines, count


def _dtype_name(program: Any, number: int) -> str:
    return str(program.graph.values[number].dtype).removeprefix("torch.")


def _offset_expression(view: Any, shape: tuple[int, ...]) -> str:
    """The buffer offset of output position `index` in this view, from the coordinates i0.."""
    terms = [f"i{d} * {stride}" if stride != 1 else f"i{d}"
             for d, stride in enumerate(view.strides) if stride != 0 and shape[d] != 1]
    if not terms:  # one element broadcast everywhere: still a block of pointers
        terms.append("index * 0")
    if view.offset:
        terms.append(str(view.offset))
    return " + ".join(terms)


def triton_chain(name: str, calls: list[Call], program: Any) -> FusedKernel | None:
    """Generate, import and wrap the Triton kernel of an elementwise chain."""
    shape = group_shape(calls[0])
    final = calls[-1].outputs[0]
    for call in calls:
        for number in call.refs() + list(call.outputs):
            if _dtype_name(program, number) not in _FLOATS + ("bool",):
                return None
    operands: list[Operand] = []
    names: dict[int, str] = {}
    loads: list[str] = []
    body: list[str] = []

    def operand(number: int, view: Any) -> str:
        if number in names:
            return names[number]
        index = len(operands)
        operands.append(Operand(number, view))
        contiguous = view.offset == 0 and view.strides == _row_major_strides(shape)
        where = "index" if contiguous else f"({_offset_expression(view, shape)})"
        loads.append(f"x{index} = tl.load(x{index}_ptr + {where}, mask=mask)"
                     f"  # {tuple(view.shape)} strides {tuple(view.strides)}")
        names[number] = f"x{index}"  # a value read twice is loaded once
        return f"x{index}"

    reduced = 0  # elements per output of a reduction head (0: none)
    for position, call in enumerate(calls):
        if call.primitive == "matmul":  # the head: sum over k of a * b, tile by tile
            a, a_view, b, b_view = call.args
            operands += [Operand(a.value, a_view), Operand(b.value, b_view)]
            tile, reduced = _matmul_load(len(operands) - 2, a_view, b_view)
            loads.extend(tile)
            expression = f"tl.sum(x{len(operands) - 2} * x{len(operands) - 1}, axis=1)"
        elif call.primitive == "reduce":  # the head: one tile per block of outputs, summed
            _, x, x_view, axes = call.args
            operands.append(Operand(x.value, x_view))
            tile, reduced = _reduce_load(len(operands) - 1, x_view, axes)
            loads.extend(tile)
            expression = f"tl.sum(x{len(operands) - 1}, axis=1)"
        elif call.primitive == "where":
            c, c_view, a, a_view, b, b_view = call.args
            expression = (f"tl.where({operand(c.value, c_view)} != 0, "
                          f"{operand(a.value, a_view)}, {operand(b.value, b_view)})")
        else:
            sources = [operand(number, view) for number, view in _operands_of(call)]
            table = UNARY if call.primitive == "unary" else BINARY
            expression = table[call.args[0]].format(*sources)
        body.append(f"t{position} = {expression}  # {_describe(call)}: {call.line}")
        names[call.outputs[0]] = f"t{position}"
    coordinates = []
    if len(shape) > 1:
        coordinates.append("rest = index")
        for d in range(len(shape) - 1, 0, -1):
            coordinates.append(f"i{d} = rest % {shape[d]}")
            coordinates.append(f"rest = rest // {shape[d]}")
        coordinates.append("i0 = rest")
    else:
        coordinates.append("i0 = index")
    ops = " -> ".join(f"{_op(c)} ({c.origin})" for c in calls)
    parameters = ", ".join([f"x{i}_ptr" for i in range(len(operands))] + ["out_ptr"])
    rblock = max(2, 1 << (reduced - 1).bit_length()) if reduced else 0
    numel = int(np.prod(shape))
    block = BLOCK if not reduced else max(2, min(1 << max(numel - 1, 0).bit_length(),
                                                 REDUCE_TILE // rblock))
    lines = ([f"# fused: {ops}", f"# output shape {shape}, {_dtype_name(program, final)}",
              "index = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)  # output positions",
              "mask = index < numel"] + coordinates + loads + body
             + [f"tl.store(out_ptr + index, t{len(calls) - 1}, mask=mask)"])
    source = ("import triton\nimport triton.language as tl\n\n\n@triton.jit\n"
              f"def {name}({parameters}, numel, BLOCK: tl.constexpr"
              + (", RBLOCK: tl.constexpr" if reduced else "") + "):\n"
              + "".join(f"    {line}\n" for line in lines))
    kernel_function = _load(name, source)
    kernel = FusedKernel(name, source, calls, operands, final, shape,
                         np.dtype(_dtype_name(program, final)), backend="triton")
    kernel.extra["allocate"] = _triton_allocate
    grid = ((numel + block - 1) // block,)
    sizes = {"BLOCK": block, **({"RBLOCK": rblock} if reduced else {})}

    def run(*buffers: Any) -> Any:
        flat = kernel.extra["out"]()[0]
        if numel:
            kernel_function[grid](*buffers, flat, numel, **sizes)
        return flat

    kernel.run = run
    return kernel


def _row_major_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    from ..kernels import contiguous_strides

    return contiguous_strides(shape)


def _triton_allocate(shape: tuple[int, ...], dtype: Any, flat: Any) -> tuple[Any, Any]:
    from ..kernels.triton_support import empty

    if flat is None:
        flat = empty(int(np.prod(shape)), np.dtype(str(dtype).removeprefix("torch.")))
    return flat, flat


_DIRECTORY: list[str] = []


def _load(name: str, source: str) -> Any:
    """Write the source to a file and import it: triton.jit reads the kernel's source there."""
    if not _DIRECTORY:
        _DIRECTORY.append(tempfile.mkdtemp(prefix="tinygrad_edu_compile_"))
    digest = hashlib.sha1(source.encode()).hexdigest()[:12]
    path = os.path.join(_DIRECTORY[0], f"{name}_{digest}.py")
    with open(path, "w") as file:
        file.write(source)
    spec = importlib.util.spec_from_file_location(f"tinygrad_edu_compiled_{name}_{digest}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def triton_sgd(name: str, calls: list[Call], program: Any) -> FusedKernel | None:
    """One kernel for the SGD updates of several parameters: each parameter owns a range of
    program ids, and the update is the eager sgd_step_kernel's formula, in float32/float64:
    b = b * momentum + (1 - dampening) * g;  p = p - lr * b."""
    operands: list[Operand] = []
    parameters: list[str] = []
    lines = [f"# fused: {len(calls)} SGD updates ({calls[0].origin}), in place",
             "pid = tl.program_id(0)"]
    start = 0
    for index, call in enumerate(calls):
        (p, p_view, g, g_view, b, b_view, lr, momentum, dampening, _, _, _, _) = call.args
        if momentum == 0 or any(v.offset != 0 or v.strides != _row_major_strides(v.shape)
                                for v in (p_view, g_view, b_view)):
            return None
        if _dtype_name(program, p.value) != "float32":  # literals below are float32
            return None
        numel = int(np.prod(p_view.shape))
        programs = (numel + BLOCK - 1) // BLOCK
        operands += [Operand(p.value, p_view), Operand(g.value, g_view),
                     Operand(b.value, b_view)]
        parameters += [f"p{index}_ptr", f"g{index}_ptr", f"b{index}_ptr"]
        keyword = "if" if index == 0 else "elif"
        lines += [
            f"{keyword} pid < {start + programs}:  # parameter {index}: {tuple(p_view.shape)}",
            f"    index = (pid - {start}) * BLOCK + tl.arange(0, BLOCK)",
            f"    mask = index < {numel}",
            f"    p = tl.load(p{index}_ptr + index, mask=mask)",
            f"    g = tl.load(g{index}_ptr + index, mask=mask)",
            f"    b = tl.load(b{index}_ptr + index, mask=mask)",
            f"    b = b * {float(momentum)!r} + {float(1 - dampening)!r} * g",
            f"    tl.store(b{index}_ptr + index, b, mask=mask)",
            f"    tl.store(p{index}_ptr + index, p - {float(lr)!r} * b, mask=mask)"]
        start += programs
    source = ("import triton\nimport triton.language as tl\n\n\n@triton.jit\n"
              f"def {name}({', '.join(parameters)}, BLOCK: tl.constexpr):\n"
              + "".join(f"    {line}\n" for line in lines))
    kernel_function = _load(name, source)
    kernel = FusedKernel(name, source, calls, operands, None, backend="triton")
    grid = (start,)

    def run(*buffers: Any) -> None:
        kernel_function[grid](*buffers, BLOCK=BLOCK)

    kernel.run = run
    return kernel


__all__ = ["supports", "supports_matmul", "supports_reduce", "triton_chain", "triton_sgd", "Ref"]
