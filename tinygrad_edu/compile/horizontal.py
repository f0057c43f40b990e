"""Horizontal fusion: independent pieces of work share one kernel launch (the Triton backend).

Vertical fusion (fusion.py) joins a producer and its consumer; it cannot join the three
gradients of one Linear layer's backward, which do not feed each other:

    dX = dY @ W      dW = dY^T @ X      db = sum(dY, dim 0)          (all three only read dY)

Eager mode launches them one after another. Here every step of the program gets a *level*: one
more than the highest level of the steps it must wait for, namely the step that wrote a value it
reads (read after write), the steps that read or wrote a value it writes in place (write after
read, write after write: an SGD update must wait until the matmul reading the parameter ran).
Steps of one level never depend on each other, so one launch can run them all: its program ids
are split into ranges, one range per *piece* (a generated device function, codegen_triton.py):

    @triton.jit
    def launch_3(f0_x0_ptr, f0_x1_ptr, f0_x2_ptr, f0_out_ptr, f1_x0_ptr, ...):
        pid = tl.program_id(0)
        if pid < 4:    # fused_6: matmul (Mm) -> where (ReluGradient)   dX, and ReLU's backward
            fused_6(pid, f0_x0_ptr, f0_x1_ptr, f0_x2_ptr, f0_out_ptr)
        elif pid < 7:  # fused_7: matmul (Mm)                            dW
            fused_7(pid - 4, f1_x0_ptr, f1_x1_ptr, f1_out_ptr)
        elif pid < 8:  # fused_8: sum (Sum) -> sgd update                db, and b's SGD update
            fused_8(pid - 7, f2_x0_ptr, f2_x1_ptr, f2_x2_ptr, f2_out_ptr)

So the number of launches becomes the depth of the graph (its number of levels), not its size,
as in a GPU "wavefront" schedule. Steps that stay eager primitives (the cross-entropy forward,
an overlapping pool) keep their own launch at their level. The optimizer's update is split per
parameter, so each parameter is updated as soon as its gradient exists and nothing still reads
it; when the piece that computes a gradient is the last thing waiting, the update becomes that
piece's epilogue (the gradient never leaves registers before it is applied).
"""

from __future__ import annotations

from typing import Any

from ..kernels.triton_support import error_slot
from .capture import Call
from .codegen_triton import (
    SgdUpdate,
    cross_entropy_piece,
    load_module,
    pool_piece,
    scalar_chain,
    sgd_piece,
    sgd_updates,
    total_weight_piece,
    triton_chain,
)
from .fusion import FusedKernel, arguments
from .program import MAY_WRITE, Step


class Launch:
    """One generated kernel running several pieces, each on its own range of program ids."""

    def __init__(self, name: str, pieces: list[FusedKernel]):
        self.name, self.parts = name, pieces
        self.backend = "triton"
        self.calls = [call for piece in pieces for call in piece.calls]
        self.operands = [operand for piece in pieces for operand in piece.operands]
        self.outputs = tuple(piece.output for piece in pieces if piece.output is not None)
        self.output = self.outputs[0] if len(self.outputs) == 1 else None
        self.extra: dict = {}
        parameters: list[str] = []
        dispatch = ["pid = tl.program_id(0)"]
        start = 0
        for index, piece in enumerate(pieces):
            mine = [f"f{index}_x{i}_ptr" for i in range(len(piece.operands))]
            if piece.output is not None:
                mine.append(f"f{index}_out_ptr")
            if "error" in piece.extra:  # a checked piece: where it records bad values
                mine += [f"f{index}_error_ptr", f"f{index}_error_slot"]
            parameters += mine
            programs = piece.extra["programs"]
            keyword = "if" if index == 0 else "elif"
            ops = piece.summary().split(": ", 1)[1]
            dispatch += [f"{keyword} pid < {start + programs}:  # {piece.name}: {ops}",
                         f"    {piece.name}({'pid' if not start else f'pid - {start}'}, "
                         f"{', '.join(mine)})"]
            start += programs
        self.grid = (start,)
        pieces_source = "\n\n".join(piece.source for piece in pieces)
        checked = any("error" in piece.extra for piece in pieces)
        imports = "import triton\nimport triton.language as tl\n" + (
            "from tinygrad_edu.kernels.triton_support import record_bad_values\n" if checked
            else "")
        self.source = (imports + "\n\n" + pieces_source
                       + f"\n\n@triton.jit\ndef {name}({', '.join(parameters)}):\n"
                       f'    """{len(pieces)} independent piece(s), one range of program ids '
                       'each"""\n' + "".join(f"    {line}\n" for line in dispatch))
        self.function = load_module(name, self.source)

    def summary(self) -> str:
        return f"{self.name} [triton]: " + " | ".join(
            piece.summary().split(": ", 1)[1] for piece in self.parts)

    def run(self, *buffers: Any) -> Any:
        """Fill in the output buffers (memory plan) after each piece's operands, and launch."""
        arguments: list[Any] = []
        outputs: list[Any] = []
        position = 0
        for piece in self.parts:
            count = len(piece.operands)
            arguments += buffers[position:position + count]
            position += count
            if piece.output is not None:
                flat = piece.extra["out"]()[0]
                arguments.append(flat)
                outputs.append(flat)
            if "error" in piece.extra:  # a fresh slot per launch, as an eager checked kernel
                arguments += error_slot(piece.extra["error"])
        if self.grid[0]:
            self.function[self.grid](*arguments)
        if not outputs:
            return None
        return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _reads_and_writes(step: Step) -> tuple[set[int], set[int]]:
    kernel = step.kernel
    if kernel is not None:
        writes = {kernel.output} if kernel.output is not None else set()
        epilogue = kernel.extra.get("epilogue")
        if kernel.output is None or epilogue is not None:  # an SGD update: p and b in place
            update = epilogue or kernel.extra["update"]
            writes |= {update.parameter, update.buffer}
        return {operand.value for operand in kernel.operands}, writes
    call = step.calls[0]
    reads = set(call.refs())
    writes = set(call.outputs)
    if call.primitive in MAY_WRITE or not call.outputs:
        writes |= reads
    return reads, writes


def schedule(steps: list[Step], program: Any) -> list[Step]:
    """Split SGD calls per parameter, give every step its level, and launch each level's pieces
    together (see the module docstring)."""
    units: list[Step] = []
    counters: dict[str, int] = {}

    def new_name(prefix: str) -> str:
        counters[prefix] = counters.get(prefix, 0) + 1
        return f"{prefix}_{counters[prefix] - 1}"

    losses = _cross_entropy_pieces(steps, program, new_name)
    for step in steps:  # the optimizer's update, one piece per parameter
        if step.kernel is None and id(step.calls[0]) in losses:  # the loss as a piece
            units += [Step(None, [], [], (piece.output,), [step.calls[0]], kernel=piece)
                      for piece in losses[id(step.calls[0])]]
            continue
        kernel = step.kernel
        if (kernel is not None and "chain" in kernel.extra
                and kernel.extra["chain"][0].primitive == "cross_entropy_backward"
                and id(_forward_of(kernel.extra["chain"][0], steps)) in losses):
            kernel = triton_chain(kernel.name, kernel.extra["chain"], program, recompute=True)
            if kernel is None:  # (cannot happen: the same chain generated before)
                raise RuntimeError("the cross-entropy backward could not recompute its lse")
            units.append(Step(None, [], [], step.outputs, kernel.calls, kernel=kernel))
            continue
        if step.kernel is None and step.calls[0].primitive == "max_pool2d":
            pieces = [pool_piece(new_name("pool"), step.calls[0], program, which)
                      for which in (0, 1)]  # the maxima and the indices: two pieces
            if all(piece is not None for piece in pieces):
                units += [Step(None, [], [], (piece.output,), [step.calls[0]], kernel=piece)
                          for piece in pieces]
                continue
        updates = sgd_updates(step.calls[0], program) if step.kernel is None else None
        if updates is None:
            units.append(step)
            continue
        for update in updates:
            piece = sgd_piece(new_name("sgd"), update)
            piece.extra["update"] = update
            units.append(Step(None, [], [], (), [update.call], kernel=piece))
    units = _gather_prologues(units, program)
    units = _inline_scalars(units, program)
    level_of: list[int] = []
    written_at: dict[int, int] = {}  # value -> level of its last writer
    read_at: dict[int, int] = {}  # value -> highest level of a reader so far
    writer: dict[int, int] = {}  # value -> index of the unit that last wrote it
    for index, unit in enumerate(units):
        reads, writes = _reads_and_writes(unit)
        update = unit.kernel.extra.get("update") if unit.kernel is not None else None
        if update is not None and _absorbed(update, units, level_of, written_at, read_at, writer):
            level_of.append(-1)  # now the epilogue of the piece that computes its gradient
            producer = writer[update.gradient]
            for number in (update.parameter, update.buffer):
                written_at[number] = read_at[number] = level_of[producer]
            continue
        level = 1 + max([written_at.get(n, 0) for n in reads | writes]
                        + [read_at.get(n, 0) for n in writes])
        level_of.append(level)
        for number in reads:
            read_at[number] = max(read_at.get(number, 0), level)
        for number in writes:
            written_at[number] = level
            writer[number] = index
    launches: list[Step] = []
    for level in sorted(set(level_of) - {-1}):
        members = [unit for unit, at in zip(units, level_of) if at == level]
        pieces = [unit.kernel for unit in members if unit.kernel is not None]
        launches += [unit for unit in members if unit.kernel is None]  # eager primitives
        if pieces:
            launch = Launch(new_name("launch"), [_with_epilogue(piece, program)
                                                for piece in pieces])
            slots = [(i, operand.value) for i, operand in enumerate(launch.operands)]
            launches.append(Step(launch.run, [None] * len(slots), slots, launch.outputs,
                                 launch.calls, kernel=launch))
    return launches


def _gather_prologues(units: list[Step], program: Any) -> list[Step]:
    """A max-pool backward piece gathering from a lone matmul's output that nobody else reads
    (the ConvNet's dX of its first Linear, unflattened) recomputes the elements it gathers
    from the matmul's factors, and the matmul is not run: one level fewer."""
    producers = {unit.kernel.output: unit for unit in units if unit.kernel is not None
                 and len(unit.kernel.extra.get("chain", ())) == 1
                 and unit.kernel.extra["chain"][0].primitive == "matmul"
                 and unit.kernel.extra.get("epilogue") is None}
    kept = set(program.live) | program.returned
    dropped: set[int] = set()
    result: list[Step] = []
    for unit in units:
        kernel = unit.kernel
        head = kernel.extra["chain"][0] if kernel is not None and "chain" in kernel.extra else None
        dy = head.args[0].value if head is not None and head.primitive == "max_pool2d_backward" \
            else None
        producer = producers.get(dy)
        if producer is not None and dy not in kept and not kernel.extra.get("inline") and sum(
                dy in _reads(other) for other in units) == 1:
            matmul = producer.kernel.extra["chain"][0]
            regenerated = triton_chain(kernel.name, kernel.extra["chain"], program,
                                       gather=matmul)
            if regenerated is not None:
                unit = Step(None, [], [], unit.outputs, regenerated.calls, kernel=regenerated)
                dropped.add(id(producer))
        result.append(unit)
    return [unit for unit in result if id(unit) not in dropped]


def _forward_of(backward: Call, steps: list[Step]) -> Call | None:
    """The cross_entropy call whose log-sum-exp a cross_entropy_backward reads."""
    lse = arguments(backward)["lse"].value
    for step in steps:
        call = step.calls[0]
        if step.kernel is None and call.primitive == "cross_entropy" and lse in call.outputs:
            return call
    return None


def _cross_entropy_pieces(steps: list[Step], program: Any, new_name: Any) -> dict[int, list]:
    """id(cross_entropy call) -> the pieces computing its loss (and its total weight, if held
    after the step), for each mean or sum loss whose other results (total weight, lse) only
    generated backward pieces read: those recompute them, so the loss and its gradient share
    one launch."""
    losses: dict[int, Any] = {}
    for step in steps:
        call = step.calls[0]
        if step.kernel is not None or call.primitive != "cross_entropy":
            continue
        statistics = set(call.outputs[1:])
        kept = set(program.live) | program.returned
        if call.outputs[2] in kept:  # (lse: held by nobody once the backward ran)
            continue
        readers = [other for other in steps if statistics & _reads(other)]
        if not all(other.kernel is not None and "chain" in other.kernel.extra
                   and other.kernel.extra["chain"][0].primitive == "cross_entropy_backward"
                   and len(other.kernel.extra["chain"]) == 1
                   and _forward_of(other.kernel.extra["chain"][0], steps) is call
                   for other in readers):
            continue
        piece = cross_entropy_piece(new_name("loss"), call, program)
        if piece is not None:
            losses[id(call)] = [piece] + ([total_weight_piece(new_name("count"), call, program)]
                                          if call.outputs[1] in kept else [])
    return losses


def _reads(step: Step) -> set[int]:
    if step.kernel is not None:
        return {operand.value for operand in step.kernel.operands}
    return set(step.calls[0].refs())


def _absorbed(update: SgdUpdate, units: list[Step], level_of: list[int],
              written_at: dict[int, int], read_at: dict[int, int],
              writer: dict[int, int]) -> bool:
    """Whether this update can be the epilogue of the piece computing its gradient: that piece
    is a generated chain writing the whole gradient, row-major, and nothing at its level or
    later touches the parameter or the momentum buffer."""
    producer = writer.get(update.gradient)
    if producer is None or level_of[producer] < 0:
        return False
    kernel = units[producer].kernel
    if (kernel is None or kernel.output != update.gradient or "chain" not in kernel.extra
            or kernel.extra.get("epilogue") is not None
            or tuple(kernel.output_shape) != update.shape):
        return False
    level = level_of[producer]
    others = [update.parameter, update.buffer]
    if any(written_at.get(n, 0) >= level or read_at.get(n, 0) >= level for n in others):
        return False
    kernel.extra["epilogue"] = update
    return True


def _with_epilogue(piece: FusedKernel, program: Any) -> FusedKernel:
    """A chain piece regenerated with the SGD update it absorbed (the same name and slots)."""
    update = piece.extra.get("epilogue")
    if update is None:
        return piece
    regenerated = triton_chain(piece.name, piece.extra["chain"], program, epilogue=update,
                               inline=piece.extra.get("inline"),
                               recompute=piece.extra.get("recompute", False),
                               gather=piece.extra.get("gather"))
    if regenerated is None:  # (cannot happen: the chain generated before)
        raise RuntimeError(f"{piece.name}: the SGD epilogue could not be generated")
    return regenerated


def _inline_scalars(units: list[Step], program: Any) -> list[Step]:
    """Pieces that read a scalar made by a small chain (a loss's 1 / count) recompute it
    instead of waiting a launch for it; a scalar nobody reads any more is not computed."""
    scalars = {unit.kernel.output: unit.kernel.extra["chain"] for unit in units
               if unit.kernel is not None and "chain" in unit.kernel.extra
               and scalar_chain(unit.kernel.extra["chain"])}
    result: list[Step] = []
    for unit in units:
        kernel = unit.kernel
        if kernel is not None and "chain" in kernel.extra and any(
                operand.value in scalars for operand in kernel.operands):
            inline = {n: calls for n, calls in scalars.items() if n != kernel.output}
            regenerated = triton_chain(kernel.name, kernel.extra["chain"], program,
                                       inline=inline,
                                       recompute=kernel.extra.get("recompute", False),
                                       gather=kernel.extra.get("gather"))
            if regenerated is not None:
                unit = Step(None, [], [], unit.outputs, regenerated.calls, kernel=regenerated)
        result.append(unit)
    read: set[int] = set()
    for unit in result:
        if unit.kernel is not None:
            read.update(operand.value for operand in unit.kernel.operands)
        else:
            read.update(unit.calls[0].refs())
    needed = read | set(program.live) | set(program.returned)
    return [unit for unit in result if _still_needed(unit, needed, scalars)]


def _still_needed(unit: Step, needed: set[int], scalars: dict[int, Any]) -> bool:
    """False for a scalar piece every reader now recomputes, and for an eager primitive whose
    results nobody reads any more (a max pool whose output and winners the pieces recompute)."""
    kernel = unit.kernel
    if kernel is not None:  # (a pool's maxima that the next matmul recomputes: not needed)
        recomputable = kernel.output in scalars or kernel.extra.get("optional", False)
        return kernel.output is None or not recomputable or kernel.output in needed
    call = unit.calls[0]
    if call.primitive in MAY_WRITE or not call.outputs:
        return True
    return any(number in needed for number in call.outputs)


_POINTER_TYPES = {"float32": "*fp32", "float64": "*fp64", "float16": "*fp16", "bool": "*i1",
                  "int64": "*i64", "int32": "*i32"}


def kernel_signature(launch: Launch, program: Any) -> dict[str, str]:
    """Triton's signature of a launch kernel (parameter -> pointer type), to compile it for a
    GPU without running it (tests/test_compile_sm90.py)."""
    signature: dict[str, str] = {}
    for index, piece in enumerate(launch.parts):
        numbers = [operand.value for operand in piece.operands]
        names = [f"f{index}_x{i}_ptr" for i in range(len(numbers))]
        if piece.output is not None:
            numbers.append(piece.output)
            names.append(f"f{index}_out_ptr")
        for name, number in zip(names, numbers):
            dtype = str(program.graph.values[number].dtype).removeprefix("torch.")
            signature[name] = _POINTER_TYPES[dtype]
        if "error" in piece.extra:  # (error_slot's buffer: int64 slots; the slot: an int)
            signature.update({f"f{index}_error_ptr": "*i64", f"f{index}_error_slot": "i32"})
    return signature
