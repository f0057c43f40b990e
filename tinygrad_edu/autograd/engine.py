"""The backward engine: walk the recorded graph from the output back to the leaves.

1. Discover every node reachable from the roots (iteratively: a 100 000-op chain is fine) and count,
   for each node, how many edges point into it.
2. Run a node only when all gradients flowing into it have arrived (its count reached zero); among
   ready nodes run the most recently created first. That is a reverse topological order.
3. Each node's backward turns the gradient of its outputs into gradients of its inputs; where two
   paths meet (a tensor used twice) the gradients are summed — the "grad +=" of the chain rule.
4. AccumulateGrad nodes add the final gradient into a leaf's `.grad` (backward) or hand it back
   (autograd.grad). Unless retain_graph, each node frees its saved tensors after running.

Backward formulas are Tensor ops, run with grad mode = create_graph, so with create_graph=True the
backward pass records a graph of its own and can be differentiated again.
"""

from __future__ import annotations

import heapq
import sys
import time
from collections.abc import Sequence
from heapq import heappop, heappush
from typing import TYPE_CHECKING

from ..kernels.strided import ROW_MAJOR
from .function import AccumulateGrad, BackwardContext, Node, _is_one_of
from .grad_mode import GradMode
from .tracing import Tracing

if TYPE_CHECKING:
    from ..tensor import Tensor

_GradList = list  # per node: one slot per output, None until a gradient arrives


def _as_tuple(value: Tensor | Sequence[Tensor] | None) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _root_gradients(outputs: tuple, grad_outputs: tuple) -> list:
    """The starting gradient of each output: given, or 1 for a scalar output."""
    from .. import creation

    if grad_outputs and len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad_tensors/grad_outputs has {len(grad_outputs)} elements, but "
                           f"there are {len(outputs)} tensors")
    grads = []
    for index, output in enumerate(outputs):
        given = grad_outputs[index] if grad_outputs else None
        if not output._requires_grad:
            raise RuntimeError(f"element {index} of tensors does not require grad and does not "
                               "have a grad_fn")
        if given is None:
            if output.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            given = creation.ones_like(output)
        elif given._view.shape != output._view.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{index}] has a shape of "
                               f"{given.shape} and output[{index}] has a shape of {output.shape}.")
        grads.append(given)
    return grads


def _root_edge(tensor: Tensor) -> tuple[Node, int]:
    if tensor._grad_fn is not None:
        return tensor._grad_fn, tensor._output_nr
    return tensor._get_grad_accumulator(), 0


def _count_dependencies(roots: list[Node]) -> dict[Node, int]:
    """For every reachable node, the number of edges that lead into it."""
    dependencies: dict[Node, int] = {root: 0 for root in roots}
    stack = list(dependencies)
    while stack:
        for next_node, _ in stack.pop()._edges:
            if next_node is None:
                continue
            count = dependencies.get(next_node)  # one lookup decides "new?" and reads the count
            if count is None:
                stack.append(next_node)
                count = 0
            dependencies[next_node] = count + 1
    return dependencies


def _nodes_needed_for(targets: set[Node], dependencies: dict[Node, int]) -> set[Node]:
    """The nodes from which some target can be reached (autograd.grad runs only these)."""
    parents: dict[Node, list[Node]] = {}
    for node in dependencies:
        for next_node, _ in node.next_functions:
            if next_node is not None:
                parents.setdefault(next_node, []).append(node)
    needed = set(targets)
    stack = list(targets)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in needed:
                needed.add(parent)
                stack.append(parent)
    return needed


def _accumulate(buffer: _GradList, node: Node, output_nr: int, grad: Tensor) -> None:
    existing = buffer[output_nr]
    if existing is None:
        buffer[output_nr] = grad
        return
    total = existing + grad  # the chain rule's sum over the paths that meet here
    if Tracing.active is not None:
        Tracing.active.on_accumulate(node, output_nr, existing, grad, total)
    buffer[output_nr] = total


def _apply_tensor_hooks(node: Node, grads: _GradList) -> None:
    """Hooks registered on non-leaf tensors, then retain_grad: they see the gradient on its way."""
    for output_nr, hooks in (node._tensor_pre_hooks or {}).items():
        for hook in hooks:
            if grads[output_nr] is not None:
                replaced = hook(grads[output_nr])
                if replaced is not None:
                    grads[output_nr] = replaced
    for output_nr, reference in (node._retained or {}).items():
        tensor = reference()
        if tensor is not None and grads[output_nr] is not None:
            grad = grads[output_nr] if GradMode.enabled else grads[output_nr].detach()
            tensor._grad = grad if tensor._grad is None else tensor._grad + grad


def _materialize(node: BackwardContext, grads: _GradList) -> list:
    """Outputs that received no gradient get zeros (unless the Function asked for None)."""
    if not node._materialize_grads or not _is_one_of(None, grads):  # the usual case: all arrived
        return grads
    from .. import creation  # (here, not above: an import statement costs ~1 us every call)

    return [creation.zeros(meta[0], dtype=meta[1], device=meta[2]) if g is None and meta else g
            for g, meta in zip(grads, node._output_metadata)]


def _validate(node: BackwardContext, grads: tuple) -> tuple:
    """One gradient per input, each with the input's shape (a broadcast one is summed back)."""
    if len(grads) != len(node._edges):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(node._edges)}, got {len(grads)})")
    checked = []
    for index, (grad, metadata) in enumerate(zip(grads, node._input_metadata)):
        if grad is None or metadata is None:
            checked.append(None)
            continue
        shape, dtype = metadata
        if grad._view.shape == shape and grad.dtype is dtype:  # the usual case
            checked.append(grad)
            continue
        if grad._view.shape != shape:
            try:
                grad = grad.sum_to_size(shape)
            except RuntimeError:
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {index} - got "
                    f"{list(grad.shape)} but expected shape compatible with {list(shape)}"
                ) from None
        checked.append(grad if grad.dtype is dtype else grad.to(dtype))
    return tuple(checked)


def _only_held_by(grads: _GradList) -> bool:
    """True when grads[0] can become a leaf's .grad without a copy (PyTorch's rule): no other
    reference to the tensor (not the user's, not a second path's, not a retained grad), no other
    tensor on its storage (not a view, not viewed), its own contiguous buffer, no graph."""
    grad = grads[0]
    if grad is None or grad._base is not None or grad._requires_grad:
        return False
    view = grad._view
    # "its own contiguous buffer": the view reads the whole buffer in row-major order (one memo
    # lookup; view.is_contiguous() and numel() would each loop over the dims in Python)
    return (sys.getrefcount(grad) <= _REFERENCES_WHEN_ALONE[0]
            and sys.getrefcount(grad._storage) <= _REFERENCES_WHEN_ALONE[1]
            and view.offset == 0 and ROW_MAJOR[view.shape] == (view.strides, len(grad._storage)))


def _calibrate_reference_counts() -> tuple[int, int]:
    """What sys.getrefcount reports in _only_held_by for a tensor held only by the list, and for
    a storage held only by that tensor (the counts differ between Python versions)."""
    class Probe:
        _base, _requires_grad = None, False

    probe = Probe()
    probe._storage = Probe()
    grads = [probe]
    del probe
    grad = grads[0]
    return sys.getrefcount(grad), sys.getrefcount(grad._storage)


_REFERENCES_WHEN_ALONE = _calibrate_reference_counts()


def _run_node(node: Node, grads: _GradList, retain_graph: bool) -> tuple:
    tracer = Tracing.active
    if tracer is not None:
        tracer.on_backward_begin(node)
    started = time.perf_counter() if tracer is not None else 0.0
    if isinstance(node, AccumulateGrad):
        unshared = _only_held_by(grads)  # asked first: grads[0] on the call stack is a reference
        node.variable._accumulate_grad(grads[0], unshared)
        outputs: tuple = ()
    else:
        outputs = _validate(node, node.apply(*_materialize(node, grads)))
        if node._post_hooks:  # Node.register_hook: see (and maybe replace) the input gradients
            for hook in list(node._post_hooks.values()):
                replaced = hook(outputs, tuple(grads))
                if replaced is not None:
                    outputs = tuple(replaced)
        if not retain_graph:
            node._release_saved()
    if tracer is not None:
        tracer.on_backward(node, tuple(grads), outputs, time.perf_counter() - started)
    return outputs


def run_backward(outputs: tuple, grad_outputs: tuple, retain_graph: bool, create_graph: bool,
                 inputs: tuple = (), accumulate_into_leaves: bool = True) -> list:
    """Backpropagate; return the gradients of `inputs` (autograd.grad) or accumulate into .grad."""
    root_grads = _root_gradients(outputs, grad_outputs)
    roots = [_root_edge(output) for output in outputs]
    dependencies = _count_dependencies([node for node, _ in roots])
    buffers: dict[Node, _GradList] = {}
    for (node, output_nr), grad in zip(roots, root_grads):
        buffer = buffers.setdefault(node, [None] * _output_count(node))
        _accumulate(buffer, node, output_nr, grad)

    captures = {}  # (node, output_nr) -> index in inputs, for autograd.grad
    for index, tensor in enumerate(inputs):
        captures.setdefault(_capture_key(tensor), []).append(index)
    needed = (_nodes_needed_for({key[0] for key in captures}, dependencies)
              if not accumulate_into_leaves else None)
    captured: list = [None] * len(inputs)

    previous_mode = GradMode.enabled
    GradMode.enabled = create_graph
    try:
        # (sequence numbers are unique, so the heap never compares two nodes themselves)
        ready = [(-node._sequence_nr, node) for node in buffers if dependencies[node] == 0]
        heapq.heapify(ready)
        while ready:
            node = heappop(ready)[1]
            grads = buffers.pop(node)
            if node._tensor_pre_hooks is not None or node._retained is not None:
                _apply_tensor_hooks(node, grads)
            if captures:
                for output_nr in range(len(grads)):
                    for index in captures.get((node, output_nr), ()):
                        captured[index] = grads[output_nr]
            skip = needed is not None and (node not in needed or isinstance(node, AccumulateGrad))
            results = () if skip else _run_node(node, grads, retain_graph)
            count = len(results)
            for position, (next_node, output_nr) in enumerate(node._edges):
                if next_node is None:
                    continue
                grad = results[position] if position < count else None
                buffer = buffers.get(next_node)
                if buffer is None:  # the first edge into next_node: make its gradient slots
                    buffer = buffers[next_node] = [None] * _output_count(next_node)
                if grad is not None:
                    if buffer[output_nr] is None:  # the first gradient to arrive: just keep it
                        buffer[output_nr] = grad
                    else:
                        _accumulate(buffer, next_node, output_nr, grad)
                remaining = dependencies[next_node] = dependencies[next_node] - 1
                if remaining == 0:
                    heappush(ready, (-next_node._sequence_nr, next_node))
            results = grad = None  # the buffers hold the gradients now (see _only_held_by)
    finally:
        GradMode.enabled = previous_mode
    return captured


def _output_count(node: Node) -> int:
    return len(node._output_metadata) if isinstance(node, BackwardContext) else 1


def _capture_key(tensor: Tensor) -> tuple[Node | None, int]:
    if tensor._grad_fn is not None:
        return tensor._grad_fn, tensor._output_nr
    return tensor._grad_accumulator_node(), 0


def backward(tensors: Tensor | Sequence[Tensor], grad_tensors: Tensor | Sequence | None = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Tensor | Sequence[Tensor] | None = None) -> None:
    """Sum the gradients of `tensors` into the .grad of every leaf that requires grad."""
    outputs = _as_tuple(tensors)
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is not None:  # accumulate only into these leaves
        input_tuple = _as_tuple(inputs)
        grads = run_backward(outputs, _as_tuple(grad_tensors), retain, create_graph, input_tuple,
                             accumulate_into_leaves=False)
        for tensor, grad in zip(input_tuple, grads):
            if grad is not None:
                tensor._accumulate_grad(grad)
        return
    run_backward(outputs, _as_tuple(grad_tensors), retain, create_graph)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Tensor | Sequence | None = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of outputs with respect to inputs, returned instead of stored in .grad."""
    input_tuple = _as_tuple(inputs)
    for tensor in input_tuple:
        if not tensor._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    retain = create_graph if retain_graph is None else retain_graph
    grads = run_backward(_as_tuple(outputs), _as_tuple(grad_outputs), retain, create_graph,
                         input_tuple, accumulate_into_leaves=False)
    from .. import creation

    result = []
    for tensor, value in zip(input_tuple, grads):
        if value is None:
            if materialize_grads:
                value = creation.zeros_like(tensor)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
        elif not create_graph:
            value = value.detach()
        result.append(value)
    return tuple(result)
