"""Generating one Triton kernel for a chain of elementwise calls.

Eager mode launches one kernel per primitive: `add` reads x and b from memory and writes y, then
`relu` reads y back and writes z. The generated code reads x and b once, keeps every
intermediate in registers, and writes only z. It is a *piece*: a device function of a program
id, so that several independent pieces can share one launch (horizontal.py):

    @triton.jit
    def fused_0(pid, x0_ptr, x1_ptr, out_ptr):
        # fused: add (Linear) -> relu (Relu)
        index = pid * 1024 + tl.arange(0, 1024)                  # output positions
        mask = index < 8192
        i1 = index % 128                                         # coordinates of (64, 128)
        i0 = index // 128
        x0 = tl.load(x0_ptr + index, mask=mask)                  # (64, 128) row-major
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

A piece may end with an *SGD epilogue*: the gradient it just computed (still in registers) updates
the momentum buffer and the parameter in place, b = mu*b + (1-d)*g;  p -= lr*b, when nothing else
in that launch reads the parameter. A parameter whose gradient came from an eager primitive is
updated by an SGD piece of its own (sgd_piece). Sizes are literals: a piece is specialised to the
shapes and strides of its capture. horizontal.py writes the launch kernel that calls the pieces,
and the module is written to a file (Triton reads a kernel's source) and imported once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from .capture import Call, Ref
from .fusion import FusedKernel, Operand, _describe, _operands_of, arguments, group_shape

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


CONV_HEADS = frozenset({"conv2d", "conv2d_backward_input", "conv2d_backward_weight"})


def supports_conv(call: Call) -> bool:
    """A 2-D convolution (forward, input or weight gradient) the generator can write as a
    chain's head: groups 1, and each output's terms fit in one tile (a bias, if any, is added
    to the sums as the eager kernel's epilogue does)."""
    args = call.args
    if arguments(call)["groups"] != 1 or len(args[1].shape) != 4 or len(args[3].shape) != 4:
        return False
    return _conv_terms(call) <= REDUCE_TILE


def _conv_terms(call: Call) -> int:
    """How many products each output of a convolution head sums."""
    a_view, b_view = call.args[1], call.args[3]
    if call.primitive == "conv2d":  # over (C, KH, KW) of the weight
        return int(np.prod(b_view.shape[1:]))
    if call.primitive == "conv2d_backward_input":  # over (O, KH, KW) of the weight
        return b_view.shape[0] * b_view.shape[2] * b_view.shape[3]
    return a_view.shape[0] * a_view.shape[2] * a_view.shape[3]  # weight grad: (N, Ho, Wo) of dy


def _address(name: str, terms: list[str], offset: int) -> str:
    return f"{name} + " + " + ".join(terms) + (f" + {offset}" if offset else "")


def _conv_load(index: int, call: Call) -> tuple[list[str], int]:
    """Source lines of a convolution head written as the reduction it is (stride s, padding p,
    dilation d): a [BLOCK, RBLOCK] tile of each factor, the terms r along the columns; zero
    where a window reaches into the padding. Output coordinates i0..i3."""
    a, a_view, b, b_view = call.args[:4]
    args = arguments(call)
    (sh, sw), padding, (dh, dw) = args["stride"], args["padding"], args["dilation"]
    pt, pl = padding[0], padding[2]
    sa, sb = a_view.strides, b_view.strides
    count = _conv_terms(call)
    A, B = f"x{index}", f"x{index + 1}"
    terms = f"mask[:, None] & (r < {count})[None, :]"
    if call.primitive == "conv2d":  # y[n,o,h,w] = sum x[n,c,h*s-p+kh*d, w*s-p+kw*d] w[o,c,kh,kw]
        _, _, kh_size, kw_size = b_view.shape
        height, width = a_view.shape[2:]
        lines = [f"r = tl.arange(0, RBLOCK)  # terms (c, kh, kw) of {tuple(b_view.shape[1:])}",
                 f"kw = r % {kw_size}", f"kh = (r // {kw_size}) % {kh_size}",
                 f"c = r // {kh_size * kw_size}",
                 f"ih = (i2 * {sh} - {pt})[:, None] + (kh * {dh})[None, :]  # input row",
                 f"iw = (i3 * {sw} - {pl})[:, None] + (kw * {dw})[None, :]  # input column",
                 f"inside = {terms} & (ih >= 0) & (ih < {height}) & (iw >= 0) & (iw < {width})",
                 f"{A} = tl.load(" + _address(f"{A}_ptr", [f"(i0 * {sa[0]})[:, None]",
                                                        f"(c * {sa[1]})[None, :]",
                                                        f"ih * {sa[2]}", f"iw * {sa[3]}"],
                                            a_view.offset)
                 + f", mask=inside, other=0)  # x {tuple(a_view.shape)}",
                 f"{B} = tl.load(" + _address(f"{B}_ptr", [
                     f"(i1 * {sb[0]})[:, None]",
                     f"(c * {sb[1]} + kh * {sb[2]} + kw * {sb[3]})[None, :]"], b_view.offset)
                 + f", mask={terms}, other=0)  # weight {tuple(b_view.shape)}"]
        return lines, count
    if call.primitive == "conv2d_backward_input":  # dx[n,c,h,w] = sum dy[n,o,oh,ow] w[o,c,kh,kw]
        _, _, kh_size, kw_size = b_view.shape  # where h = oh*s - p + kh*d (and so for w)
        out_h, out_w = a_view.shape[2:]
        lines = ["r = tl.arange(0, RBLOCK)  # terms (o, kh, kw) of the weight",
                 f"kw = r % {kw_size}", f"kh = (r // {kw_size}) % {kh_size}",
                 f"o = r // {kh_size * kw_size}",
                 f"nh = (i2 + {pt})[:, None] - (kh * {dh})[None, :]  # = oh * stride",
                 f"nw = (i3 + {pl})[:, None] - (kw * {dw})[None, :]"]
        inside = f"{terms} & (nh >= 0) & (nw >= 0)"
        if (sh, sw) == (1, 1):
            lines += ["oh = nh", "ow = nw"]
        else:
            lines += [f"oh = nh // {sh}", f"ow = nw // {sw}"]
            inside += f" & (nh % {sh} == 0) & (nw % {sw} == 0)"
        lines += [f"inside = {inside} & (oh < {out_h}) & (ow < {out_w})",
                  f"{A} = tl.load(" + _address(f"{A}_ptr", [f"(i0 * {sa[0]})[:, None]",
                                                         f"(o * {sa[1]})[None, :]",
                                                         f"oh * {sa[2]}", f"ow * {sa[3]}"],
                                             a_view.offset)
                  + f", mask=inside, other=0)  # dy {tuple(a_view.shape)}",
                  f"{B} = tl.load(" + _address(f"{B}_ptr", [
                      f"(i1 * {sb[1]})[:, None]",
                      f"(o * {sb[0]} + kh * {sb[2]} + kw * {sb[3]})[None, :]"], b_view.offset)
                  + f", mask={terms}, other=0)  # weight {tuple(b_view.shape)}"]
        return lines, count
    # weight gradient: dw[o,c,kh,kw] = sum over n, oh, ow of dy[n,o,oh,ow] x[n,c,ih,iw]
    _, _, out_h, out_w = a_view.shape
    height, width = b_view.shape[2:]
    lines = [f"r = tl.arange(0, RBLOCK)  # terms (n, oh, ow) of dy {tuple(a_view.shape)}",
             f"ow = r % {out_w}", f"oh = (r // {out_w}) % {out_h}", f"n = r // {out_h * out_w}",
             f"ih = (oh * {sh} - {pt})[None, :] + (i2 * {dh})[:, None]  # input row",
             f"iw = (ow * {sw} - {pl})[None, :] + (i3 * {dw})[:, None]  # input column",
             f"inside = {terms} & (ih >= 0) & (ih < {height}) & (iw >= 0) & (iw < {width})",
             f"{A} = tl.load(" + _address(f"{A}_ptr", [
                 f"(i0 * {sa[1]})[:, None]",
                 f"(n * {sa[0]} + oh * {sa[2]} + ow * {sa[3]})[None, :]"], a_view.offset)
             + f", mask={terms}, other=0)  # dy {tuple(a_view.shape)}",
             f"{B} = tl.load(" + _address(f"{B}_ptr", [f"(n * {sb[0]})[None, :]",
                                                    f"(i1 * {sb[1]})[:, None]",
                                                    f"ih * {sb[2]}", f"iw * {sb[3]}"],
                                        b_view.offset)
             + f", mask=inside, other=0)  # x {tuple(b_view.shape)}"]
    return lines, count


def pool_producing(number: int, program: Any) -> Any:
    """The max_pool2d call that made value `number` (its values or its indices), if its windows
    do not overlap (kernel == stride, no padding, dilation or ceil mode, 4-D): then a piece can
    recompute what it needs from the pool's input instead of reading the pool's outputs."""
    for forward in program.graph.calls:
        if forward.primitive == "max_pool2d" and number in forward.outputs:
            kernel, stride, padding, dilation, ceil_mode = forward.args[2:7]
            if (tuple(kernel) == tuple(stride) and tuple(padding) == (0, 0) and not ceil_mode
                    and tuple(dilation) == (1, 1) and len(forward.args[1].shape) == 4):
                return forward
    return None


def _window_lines(x: str, forward: Call, where: tuple[str, str, str, str], valid: str,
                  winner: bool) -> list[str]:
    """`best` = the maximum of window (n, c, oh, ow) of the pool's input, by the eager kernel's
    rule (kernels/pool.py: strictly greater wins, so the first maximum wins ties; a NaN beats
    numbers), and `win` = its position in the window (row-major) when asked."""
    x_view = forward.args[1]
    kh, kw = forward.args[2]
    s = x_view.strides
    n, c, oh, ow = where
    lines = []
    for a in range(kh):
        for b in range(kw):
            address = _address(f"{x}_ptr", [f"{n} * {s[0]}", f"{c} * {s[1]}",
                                            f"({oh} * {kh} + {a}) * {s[2]}",
                                            f"({ow} * {kw} + {b}) * {s[3]}"], x_view.offset)
            if a == b == 0:
                lines.append(f"best = tl.load({address}, mask={valid}, other=0)  # window (0, 0)")
                if winner:
                    lines.append("win = tl.zeros_like(best).to(tl.int32)")
                continue
            lines += [f"v = tl.load({address}, mask={valid}, other=0)  # window ({a}, {b})",
                      "better = (v > best) | ((v != v) & (best == best))",
                      "best = tl.where(better, v, best)"]
            if winner:
                lines.append(f"win = tl.where(better, {a * kw + b}, win)")
    return lines


def _pooled_matmul_tile(index: int, a_view: Any, forward: Call) -> list[str]:
    """The matmul's left factor when it is a max pool's output (flattened): each element is
    recomputed as its window's maximum, so the pooled tensor is never stored (a prologue)."""
    _, channels, height, width = forward.args[1].shape
    kh, kw = forward.args[2]
    out_h, out_w = height // kh, width // kw
    sa = a_view.strides
    offset = f" + {a_view.offset}" if a_view.offset else ""
    valid = f"mask[:, None] & (r < {a_view.shape[1]})[None, :]"
    return ([f"q = (i0 * {sa[0]})[:, None] + (r * {sa[1]})[None, :]{offset}  # position in the "
             f"pooled ({forward.args[1].shape[0]}, {channels}, {out_h}, {out_w})",
             f"pw = q % {out_w}", f"ph = (q // {out_w}) % {out_h}",
             f"pc = (q // {out_h * out_w}) % {channels}", f"pn = q // {channels * out_h * out_w}"]
            + _window_lines(f"x{index}", forward, ("pn", "pc", "ph", "pw"), valid, False)
            + [f"x{index} = best  # the max pool ({forward.origin}), recomputed"])


def pool_piece(name: str, forward: Call, program: Any, which: int) -> FusedKernel | None:
    """A non-overlapping max pool as a piece: output `which` (0: the maxima, 1: where each came
    from, h * W + w, as the eager kernel reports it), one program per block of outputs."""
    x, x_view = forward.args[:2]
    if pool_producing(forward.outputs[which], program) is None:
        return None
    if _dtype_name(program, x.value) not in _FLOATS:
        return None
    batch, channels, height, width = x_view.shape
    kh, kw = forward.args[2]
    shape = (batch, channels, height // kh, width // kw)
    numel = int(np.prod(shape))
    coordinates = ["rest = index"]
    for d in range(3, 0, -1):
        coordinates += [f"i{d} = rest % {shape[d]}", f"rest = rest // {shape[d]}"]
    coordinates.append("i0 = rest")
    if which == 0:
        result = ["t0 = best"]
    else:
        result = [f"t0 = ((i2 * {kh} + win // {kw}) * {width} + i3 * {kw} + win % {kw})"
                  ".to(tl.int64)  # h * W + w of the winner"]
    what = "maxima" if which == 0 else "indices (h * W + w) of the maxima"
    lines = ([f"# max pool {kh}x{kw} ({forward.origin}): its {what}, output {shape}",
              f"index = pid * {BLOCK} + tl.arange(0, {BLOCK})  # output positions",
              f"mask = index < {numel}"] + coordinates
             + _window_lines("x0", forward, ("i0", "i1", "i2", "i3"), "mask", which == 1)
             + result + ["tl.store(out_ptr + index, t0, mask=mask)"])
    source = (f"@triton.jit\ndef {name}(pid, x0_ptr, out_ptr):\n"
              + "".join(f"    {line}\n" for line in lines))
    output = forward.outputs[which]
    kernel = FusedKernel(name, source, [forward], [Operand(x.value, x_view)], output, shape,
                         np.dtype(_dtype_name(program, output)), backend="triton")
    kernel.extra.update(allocate=_triton_allocate, programs=(numel + BLOCK - 1) // BLOCK,
                        optional=True)  # (not run when its readers recompute it instead)
    return kernel


def _pool_backward_load(index: int, call: Call, forward: Call) -> list[str]:
    """dx[n,c,h,w] = dy[n,c,h//k,w//k] where the window's maximum came from (h, w), else 0."""
    dy_view, i_view = call.args[1], call.args[3]
    kh, kw = forward.args[2]
    out_h, out_w = dy_view.shape[2:]
    sd, si = dy_view.strides, i_view.strides
    D, I = f"x{index}", f"x{index + 1}"
    return [f"oh = i2 // {kh}  # the window (input position (i2, i3) is in at most one)",
            f"ow = i3 // {kw}",
            f"inside = mask & (oh < {out_h}) & (ow < {out_w})",
            f"{D} = tl.load(" + _address(f"{D}_ptr", [f"i0 * {sd[0]}", f"i1 * {sd[1]}",
                                                   f"oh * {sd[2]}", f"ow * {sd[3]}"],
                                       dy_view.offset)
            + f", mask=inside, other=0)  # dy {tuple(dy_view.shape)}",
            f"{I} = tl.load(" + _address(f"{I}_ptr", [f"i0 * {si[0]}", f"i1 * {si[1]}",
                                                   f"oh * {si[2]}", f"ow * {si[3]}"],
                                       i_view.offset)
            + ", mask=inside, other=-1)  # where each window's maximum is (h * W + w)"]


def _gathered_matmul(index: int, b_index: int, dy_view: Any, a_view: Any,
                     b_view: Any) -> list[str]:
    """x{index} = the dy elements a pool backward gathers, at window (i0, i1, oh, ow), each
    recomputed as sum over k of a[row, k] * b[k, column] where (row, column) is its place in
    the matmul's row-major (M, N) output (dy is a view of it: Flatten's backward)."""
    sd, columns, k = dy_view.strides, b_view.shape[1], a_view.shape[1]
    sa, sb = a_view.strides, b_view.strides
    valid = f"inside[:, None] & (r < {k})[None, :]"
    return [_address("f = ", [f"i0 * {sd[0]}", f"i1 * {sd[1]}", f"oh * {sd[2]}",
                              f"ow * {sd[3]}"], dy_view.offset).replace("f =  + ", "f = ")
            + f"  # its place in the matmul's output {tuple(a_view.shape[:1]) + (columns,)}",
            f"row = f // {columns}", f"column = f % {columns}",
            f"r = tl.arange(0, RBLOCK)  # positions along k ({k})",
            _address(f"a = tl.load(x{index}_ptr", [f"(row * {sa[0]})[:, None]",
                                                   f"(r * {sa[1]})[None, :]"], a_view.offset)
            + f", mask={valid}, other=0)",
            _address(f"b = tl.load(x{b_index}_ptr", [f"(column * {sb[1]})[:, None]",
                                                       f"(r * {sb[0]})[None, :]"], b_view.offset)
            + f", mask={valid}, other=0)",
            f"x{index} = tl.sum(a * b, axis=1)  # dy, recomputed (the matmul's prologue)"]


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


@dataclass
class SgdUpdate:
    """One parameter's plain SGD update (momentum, no weight decay, not the first step):
    b = momentum * b + (1 - dampening) * g;  p = p - lr * b   (kernels/optim.py's formula)."""

    call: Call  # the sgd_step or foreach_sgd_step call it comes from
    parameter: int  # value numbers of p, g and the momentum buffer b
    gradient: int
    buffer: int
    shape: tuple[int, ...]
    lr: float
    momentum: float
    dampening: float


def sgd_updates(call: Call, program: Any) -> list[SgdUpdate] | None:
    """The per-parameter updates of an SGD call, if each is plain, dense and float32 (else None:
    the eager primitive runs)."""
    args = call.args
    if call.primitive == "sgd_step":
        ps, pv, gs, gv, bs, bv = [args[0]], [args[1]], [args[2]], [args[3]], [args[4]], [args[5]]
        first_steps = [args[12]]
    elif call.primitive == "foreach_sgd_step":
        ps, pv, gs, gv, bs, bv = args[:6]
        first_steps = args[12]
    else:
        return None
    lr, momentum, dampening, weight_decay, nesterov, maximize = args[6:12]
    if momentum == 0 or weight_decay != 0 or nesterov or maximize or any(first_steps):
        return None
    updates = []
    for p, p_view, g, g_view, b, b_view in zip(ps, pv, gs, gv, bs or [], bv or []):
        views = (p_view, g_view, b_view)
        if any(v.offset != 0 or v.strides != _row_major_strides(v.shape)
               or v.shape != p_view.shape for v in views):
            return None
        if any(_dtype_name(program, r.value) != "float32" for r in (p, g, b)):
            return None  # the literals of the formula are float32
        updates.append(SgdUpdate(call, p.value, g.value, b.value, tuple(p_view.shape),
                                 float(lr), float(momentum), float(dampening)))
    return updates if len(updates) == len(ps) else None


def _sgd_lines(update: SgdUpdate, g: str, p_ptr: str, b_ptr: str) -> list[str]:
    """The update of one parameter at positions `index` (masked), g already in registers."""
    return [f"b = tl.load({b_ptr} + index, mask=mask)",
            f"b = b * {update.momentum!r} + {float(1 - update.dampening)!r} * {g}",
            f"tl.store({b_ptr} + index, b, mask=mask)",
            f"p = tl.load({p_ptr} + index, mask=mask)",
            f"tl.store({p_ptr} + index, p - {update.lr!r} * b, mask=mask)"]


def triton_chain(name: str, calls: list[Call], program: Any,
                 epilogue: SgdUpdate | None = None,
                 inline: dict[int, list[Call]] | None = None,
                 recompute: bool = False, gather: Call | None = None) -> FusedKernel | None:
    """Generate the device function (a piece, see the module docstring) of a chain: an optional
    matmul or sum head, elementwise calls, and an optional SGD epilogue; None if unsupported.
    inline: scalars (value -> the calls computing it, see scalar_chain) recomputed here instead
    of loaded, so this piece need not wait for the launch that computes them. recompute: a
    cross-entropy backward recomputes its row's log-sum-exp and the total weight from the
    logits and targets (cross_entropy_piece stores neither), so it can share the forward's
    launch. gather: the matmul whose output a max-pool backward head gathers from; each gathered
    element is recomputed as its dot product (a prologue), so the matmul need not run first."""
    shape = group_shape(calls[0])
    final = calls[-1].outputs[0]
    if calls[0].primitive == "cross_entropy_backward" and not supports_cross_entropy(calls[0],
                                                                                    program):
        return None
    for call in calls:
        numbers = call.refs() + list(call.outputs)
        if call.primitive in ("cross_entropy_backward", "max_pool2d_backward"):  # (integer
            numbers = [n for n in numbers if n != call.args[2].value]  # targets, indices)
        for number in numbers:
            if _dtype_name(program, number) not in _FLOATS + ("bool",):
                return None
    operands: list[Operand] = []
    names: dict[int, str] = {}
    loads: list[str] = []
    body: list[str] = []
    inline = inline or {}

    def operand(number: int, view: Any) -> str:
        if number in names:
            return names[number]
        if number in inline:  # a scalar recomputed here (a few loads and a sum)
            lines, result = _scalar_lines(inline[number], program, operands, inline,
                                          f"s{len(names)}_")
            loads.extend(lines)
            names[number] = result
            return result
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
            pool = pool_producing(a.value, program)
            if pool is not None and a.value != pool.outputs[0]:
                pool = None
            first = Operand(a.value, a_view) if pool is None else Operand(pool.args[0].value,
                                                                          pool.args[1])
            operands += [first, Operand(b.value, b_view)]
            tile, reduced = _matmul_load(len(operands) - 2, a_view, b_view)
            if pool is not None:  # a max pool's output: recomputed from the pool's input
                tile[1:2] = _pooled_matmul_tile(len(operands) - 2, a_view, pool)
            loads.extend(tile)
            expression = f"tl.sum(x{len(operands) - 2} * x{len(operands) - 1}, axis=1)"
        elif call.primitive == "reduce":  # the head: one tile per block of outputs, summed
            _, x, x_view, axes = call.args
            operands.append(Operand(x.value, x_view))
            tile, reduced = _reduce_load(len(operands) - 1, x_view, axes)
            loads.extend(tile)
            expression = f"tl.sum(x{len(operands) - 1}, axis=1)"
        elif call.primitive in CONV_HEADS:  # the head: a convolution as a sum of products
            a, a_view, b, b_view = call.args[:4]
            operands += [Operand(a.value, a_view), Operand(b.value, b_view)]
            tile, reduced = _conv_load(len(operands) - 2, call)
            loads.extend(tile)
            expression = f"tl.sum(x{len(operands) - 2} * x{len(operands) - 1}, axis=1)"
            bias = arguments(call).get("bias")  # (conv2d only)
            if bias is not None:  # the eager kernel's epilogue: + b[o] on output channel o
                bias_view = arguments(call)["bias_view"]
                expression += f" + {operand(bias.value, _broadcast(bias_view, shape, 1))}"
        elif call.primitive == "max_pool2d_backward":  # the head: a gather (no overlap)
            forward = pool_producing(call.args[2].value, program)  # (its indices' pool)
            if forward is None:
                return None
            args = arguments(call)
            dy, dy_view, indices, i_view = call.args[:4]
            input_shape = args["input_shape"]
            first = len(operands)  # x{first}: dy, x{first + 1}: the winners' positions
            operands += [Operand(dy.value, dy_view), Operand(indices.value, i_view)]
            tile = _pool_backward_load(first, call, forward)
            if gather is not None:  # dy itself recomputed: row . column of the matmul making it
                a, a_view, b, b_view = gather.args
                operands[first] = Operand(a.value, a_view)
                operands.append(Operand(b.value, b_view))
                tile[3:4] = _gathered_matmul(first, first + 2, dy_view, a_view, b_view)
                reduced = a_view.shape[1]
            loads.extend(tile)
            expression = (f"tl.where(x{first + 1} == i2 * {input_shape[3]} + i3, "
                          f"x{first}, 0.0)")
        elif call.primitive == "cross_entropy_backward":  # elementwise, given lse (forward)
            args = arguments(call)
            logits = operand(args["x"].value, args["x_view"])
            target = operand(args["target"].value, _per_row(args["target_view"], shape))
            dy = operand(args["dy"].value, _per_row(args["dy_view"], shape))
            if recompute:  # lse of row i0 and the count of counted rows, from x and targets
                lse, total = f"lse{position}", f"count{position}"
                loads.extend(_statistics_lines(logits, args["x_view"], target,
                                               args["target_view"], args["ignore_index"],
                                               lse, total))
                reduced = args["x_view"].shape[1]  # a [BLOCK, classes] tile: a smaller BLOCK
            else:
                lse = operand(args["lse"].value, _per_row(args["lse_view"], shape))
                total = None if args["total_weight"] is None else operand(
                    args["total_weight"].value, _broadcast(args["total_weight_view"], shape, None))
            rows = [target, lse]
            body.append(f"w{position} = tl.where({rows[0]} != {args['ignore_index']}, 1.0, 0.0)"
                        "  # the row counts (its target is not ignore_index)")
            if args["total_weight"] is not None:  # reduction 'mean': dy / the total weight
                dy = f"({dy} / {total})"
            expression = (f"{dy} * (tl.exp({logits} - {rows[1]}) * w{position} - "
                          f"tl.where(i1 == {rows[0]}, w{position}, 0.0))")
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
    rblock = max(2, 1 << (reduced - 1).bit_length()) if reduced else 0
    numel = int(np.prod(shape))
    block = BLOCK if not reduced else max(2, min(1 << max(numel - 1, 0).bit_length(),
                                                 REDUCE_TILE // rblock))
    loads = [line.replace("RBLOCK", str(rblock)) for line in loads]
    ops = " -> ".join(_describe(c) for c in calls)
    result = f"t{len(calls) - 1}"
    tail = [f"tl.store(out_ptr + index, {result}, mask=mask)"]
    pointers = [f"x{i}_ptr" for i in range(len(operands))] + ["out_ptr"]
    all_calls = list(calls)
    if epilogue is not None:
        tail.append(f"# SGD epilogue ({epilogue.call.origin}): this gradient updates its "
                    f"parameter {epilogue.shape} in place")
        tail += _sgd_lines(epilogue, result, "p_ptr", "b_ptr")
        operands += [Operand(epilogue.parameter, _row_major(epilogue.shape)),
                     Operand(epilogue.buffer, _row_major(epilogue.shape))]
        pointers = pointers[:-1] + ["p_ptr", "b_ptr", "out_ptr"]
        all_calls.append(epilogue.call)
        ops += f" -> {_describe(epilogue.call)}"
    lines = ([f"# fused: {ops}", f"# output shape {shape}, {_dtype_name(program, final)}",
              f"index = pid * {block} + tl.arange(0, {block})  # output positions",
              f"mask = index < {numel}"] + coordinates + loads + body + tail)
    source = (f"@triton.jit\ndef {name}(pid, {', '.join(pointers)}):\n"
              + "".join(f"    {line}\n" for line in lines))
    kernel = FusedKernel(name, source, all_calls, operands, final, shape,
                         np.dtype(_dtype_name(program, final)), backend="triton")
    kernel.extra.update(allocate=_triton_allocate, programs=(numel + block - 1) // block,
                        epilogue=epilogue, chain=list(calls), inline=inline, recompute=recompute,
                        gather=gather)
    return kernel


def _statistics_lines(x: str, x_view: Any, t: str, t_view: Any, ignore: int, lse: str,
                      count: str) -> list[str]:
    """`lse` = log-sum-exp of row i0 of the logits (the eager kernel's guard: a row without a
    finite maximum is shifted by 0) and `count` = how many targets are not ignore_index (the
    total weight of a 'mean' without class weights), read again from x and the targets."""
    rows, classes = x_view.shape
    cblock, mblock = (max(2, 1 << (n - 1).bit_length()) for n in (classes, rows))
    s, st = x_view.strides, t_view.strides[0]
    x_offset = f" + {x_view.offset}" if x_view.offset else ""
    t_offset = f" + {t_view.offset}" if t_view.offset else ""
    return [f"c = tl.arange(0, {cblock})  # the {classes} classes of row i0",
            f"row = tl.load({x}_ptr + (i0 * {s[0]})[:, None] + (c * {s[1]})[None, :]{x_offset}, "
            f"mask=mask[:, None] & (c < {classes})[None, :], "
            "other=tl.where(mask[:, None], float('-inf'), 0.0))",
            "top = tl.max(row, axis=1)",
            "shift = tl.where((top == top) & (top - top == 0), top, 0.0)",
            f"{lse} = shift + tl.log(tl.sum(tl.exp(row - shift[:, None]), axis=1))  # recomputed",
            f"m = tl.arange(0, {mblock})  # all {rows} targets: the total weight",
            f"targets = tl.load({t}_ptr + m * {st}{t_offset}, mask=m < {rows}, other={ignore})",
            f"{count} = tl.sum(tl.where(targets != {ignore}, 1.0, 0.0), axis=0)  # recomputed"]


def cross_entropy_piece(name: str, call: Call, program: Any) -> FusedKernel | None:
    """The loss of cross_entropy with reduction 'mean' or 'sum' (no class weights, no label
    smoothing, float32 (M, C) logits, M * C within one tile) as a piece of one program:
    loss = sum over counted rows of lse - x[target] (divided by their count for 'mean').
    A target outside [0, C) is recorded in an error slot, as the eager kernel does
    (kernels/cross_entropy.py), and raised as PyTorch's IndexError at the next host read. It
    stores only the loss: the backward piece recomputes lse and the count (recompute=True)."""
    args = arguments(call)
    x_view, t_view = args["x_view"], args["target_view"]
    if (args["weight"] is not None or args["smoothing"] != 0
            or args["reduction"] not in ("mean", "sum") or len(x_view.shape) != 2
            or len(t_view.shape) != 1 or _dtype_name(program, args["x"].value) != "float32"
            or _dtype_name(program, args["target"].value) != "int64"):
        return None
    rows, classes = x_view.shape
    mblock, cblock = (max(2, 1 << (n - 1).bit_length()) for n in (rows, classes))
    if not rows or mblock * cblock > REDUCE_TILE:
        return None
    ignore = int(args["ignore_index"])
    s, st = x_view.strides, t_view.strides[0]
    x_offset = f" + {x_view.offset}" if x_view.offset else ""
    t_offset = f" + {t_view.offset}" if t_view.offset else ""
    mean = args["reduction"] == "mean"
    lines = [f"# cross-entropy ({call.origin}), reduction '{args['reduction']}': logits "
             f"{tuple(x_view.shape)}, one program",
             f"m = tl.arange(0, {mblock})  # rows", f"c = tl.arange(0, {cblock})  # classes",
             f"valid = m < {rows}",
             f"t = tl.load(x1_ptr + m * {st}{t_offset}, mask=valid, other={ignore})  # targets",
             f"counted = valid & (t != {ignore})",
             f"bad = counted & ((t < 0) | (t >= {classes}))  # IndexError at the next host read",
             "record_bad_values(error_ptr, error_slot, t, bad)",
             "t = tl.where(bad, 0, t)",
             f"x = tl.load(x0_ptr + (m * {s[0]})[:, None] + (c * {s[1]})[None, :]{x_offset}, "
             f"mask=valid[:, None] & (c < {classes})[None, :], "
             "other=tl.where(valid[:, None], float('-inf'), 0.0))",
             "top = tl.max(x, axis=1)  # log-sum-exp of each row, shifted by its maximum",
             "shift = tl.where((top == top) & (top - top == 0), top, 0.0)",
             "lse = shift + tl.log(tl.sum(tl.exp(x - shift[:, None]), axis=1))",
             "picked = tl.sum(tl.where(c[None, :] == t[:, None], x, 0.0), axis=1)  # x[target]",
             "loss = tl.sum(tl.where(counted, lse - picked, 0.0), axis=0)"]
    if mean:
        lines.append("loss = loss / tl.sum(tl.where(counted, 1.0, 0.0), axis=0)  # all ignored:"
                     " 0 / 0 = nan, as torch")
    lines.append("tl.store(out_ptr, loss)")
    source = (f"@triton.jit\ndef {name}(pid, x0_ptr, x1_ptr, out_ptr, error_ptr, error_slot):\n"
              + "".join(f"    {line}\n" for line in lines))
    output = call.outputs[0]
    operands = [Operand(args["x"].value, x_view), Operand(args["target"].value, t_view)]
    kernel = FusedKernel(name, source, [call], operands, output, (),
                         np.dtype("float32"), backend="triton")

    def make_error(largest: int, smallest: int) -> Exception:
        return IndexError(f"Target {largest if largest >= classes else smallest} is out of "
                          "bounds.")

    kernel.extra.update(allocate=_triton_allocate, programs=1, error=make_error)
    return kernel


def total_weight_piece(name: str, call: Call, program: Any) -> FusedKernel:
    """The total weight of a cross_entropy that cross_entropy_piece computes (no class weights:
    how many targets are not ignore_index), when someone still holds it (the loss's backward
    node keeps it): a second piece of one program, beside the loss in the same launch."""
    args = arguments(call)
    t_view = args["target_view"]
    rows = t_view.shape[0]
    mblock = max(2, 1 << (rows - 1).bit_length())
    ignore = int(args["ignore_index"])
    t_offset = f" + {t_view.offset}" if t_view.offset else ""
    lines = [f"# total weight of the cross-entropy ({call.origin}): its counted rows",
             f"m = tl.arange(0, {mblock})",
             f"t = tl.load(x0_ptr + m * {t_view.strides[0]}{t_offset}, mask=m < {rows}, "
             f"other={ignore})",
             f"tl.store(out_ptr, tl.sum(tl.where(t != {ignore}, 1.0, 0.0), axis=0))"]
    source = (f"@triton.jit\ndef {name}(pid, x0_ptr, out_ptr):\n"
              + "".join(f"    {line}\n" for line in lines))
    kernel = FusedKernel(name, source, [call], [Operand(args["target"].value, t_view)],
                         call.outputs[1], (), np.dtype("float32"), backend="triton")
    kernel.extra.update(allocate=_triton_allocate, programs=1)
    return kernel


def supports_cross_entropy(call: Call, program: Any) -> bool:
    """cross_entropy_backward as an elementwise piece: no class weights, no label smoothing,
    float32 (M, C) logits; dx = dy * (softmax - onehot(target)), the eager kernel's formula."""
    args = arguments(call)
    if args["weight"] is not None or args["smoothing"] != 0:
        return False
    total_view = args["total_weight_view"]
    if total_view is not None and int(np.prod(total_view.shape)) != 1:
        return False
    return (len(args["x_view"].shape) == 2
            and _dtype_name(program, args["x"].value) == "float32"
            and all(len(args[f"{r}_view"].shape) == 1 for r in ("target", "lse", "dy")))


def _broadcast(view: Any, shape: tuple[int, ...], dim: int | None) -> Any:
    """A 1-element view (dim None), or a vector along output dim `dim` (a conv bias (O,) on
    dim 1), read at every position of an output of `shape`: stride 0 elsewhere."""
    from ..kernels import View

    strides = [0] * len(shape)
    if dim is not None:
        strides[dim] = view.strides[0]
    return View(tuple(shape), tuple(strides), view.offset)


def _per_row(view: Any, shape: tuple[int, ...]) -> Any:
    """A (M,) view read at each (row, column) position of an (M, C) output: stride 0 on C."""
    from ..kernels import View

    return View(tuple(shape), (view.strides[0], 0), view.offset)


def scalar_chain(calls: list[Call]) -> bool:
    """A chain that makes one scalar from a small full sum and scalar operands: cheap enough to
    recompute inside each piece that reads it (the 1 / batch size of a mean's backward)."""
    head = calls[0]
    if group_shape(head) != ():
        return False
    if head.primitive == "reduce":
        op, _, x_view, axes = head.args
        if op != "sum" or int(np.prod(x_view.shape)) > REDUCE_TILE:
            return False
        calls = calls[1:]
    elif head.primitive == "matmul":
        return False
    return all(view.shape == () and view.strides == () for call in calls
               for _, view in _operands_of(call)) and all(
        c.primitive in ("unary", "binary") for c in calls)


def _scalar_lines(calls: list[Call], program: Any, operands: list[Operand],
                  inline: dict[int, list[Call]], prefix: str) -> tuple[list[str], str]:
    """Source computing a scalar_chain as scalars (prefix names its variables)."""
    lines = [f"# recomputed scalar: {' -> '.join(_describe(c) for c in calls)}"]
    names: dict[int, str] = {}

    def scalar(number: int, view: Any) -> str:
        if number in names:
            return names[number]
        if number in inline:
            more, result = _scalar_lines(inline[number], program, operands, inline,
                                         f"{prefix}{len(names)}_")
            lines.extend(more)
        else:
            operands.append(Operand(number, view))
            result = f"x{len(operands) - 1}"
            lines.append(f"{result} = tl.load(x{len(operands) - 1}_ptr + {view.offset})")
        names[number] = result
        return result

    for position, call in enumerate(calls):
        if call.primitive == "reduce":
            _, x, x_view, axes = call.args
            operands.append(Operand(x.value, x_view))
            tile, count = _reduce_load(len(operands) - 1, x_view, axes)
            rblock = max(2, 1 << (count - 1).bit_length())
            tile = [line.replace("RBLOCK", str(rblock)).replace("mask[:, None] & ", "")
                    .replace("(index * 0)[:, None] + ", "").replace("[None, :]", "")
                    for line in tile]  # one row: the (RBLOCK,) positions, summed to a scalar
            lines += tile
            expression = f"tl.sum(x{len(operands) - 1}, axis=0)"
        else:
            sources = [scalar(number, view) for number, view in _operands_of(call)]
            table = UNARY if call.primitive == "unary" else BINARY
            expression = table[call.args[0]].format(*sources)
        lines.append(f"{prefix}t{position} = {expression}  # {_describe(call)}")
        names[call.outputs[0]] = f"{prefix}t{position}"
    return lines, f"{prefix}t{len(calls) - 1}"


def sgd_piece(name: str, update: SgdUpdate) -> FusedKernel:
    """The device function updating one parameter in place (its gradient was made by an eager
    primitive, or something else in its launch still reads the parameter)."""
    numel = int(np.prod(update.shape))
    lines = [f"# SGD update of a parameter {update.shape} ({update.call.origin}), in place",
             f"index = pid * {BLOCK} + tl.arange(0, {BLOCK})",
             f"mask = index < {numel}",
             "g = tl.load(g_ptr + index, mask=mask)"] + _sgd_lines(update, "g", "p_ptr", "b_ptr")
    source = (f"@triton.jit\ndef {name}(pid, p_ptr, g_ptr, b_ptr):\n"
              + "".join(f"    {line}\n" for line in lines))
    view = _row_major(update.shape)
    operands = [Operand(update.parameter, view), Operand(update.gradient, view),
                Operand(update.buffer, view)]
    kernel = FusedKernel(name, source, [update.call], operands, None, backend="triton")
    kernel.extra["programs"] = (numel + BLOCK - 1) // BLOCK
    return kernel


def _row_major(shape: tuple[int, ...]) -> Any:
    from ..kernels import contiguous_view

    return contiguous_view(shape)


def _row_major_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    from ..kernels import contiguous_strides

    return contiguous_strides(shape)


def _triton_allocate(shape: tuple[int, ...], dtype: Any, flat: Any) -> tuple[Any, Any]:
    from ..kernels.triton_support import empty

    if flat is None:
        flat = empty(int(np.prod(shape)), np.dtype(str(dtype).removeprefix("torch.")))
    return flat, flat


_DIRECTORY: list[str] = []


def load_module(name: str, source: str) -> Any:
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


__all__ = ["supports", "supports_matmul", "supports_reduce", "triton_chain", "sgd_piece",
           "sgd_updates", "SgdUpdate", "load_module", "Ref"]
