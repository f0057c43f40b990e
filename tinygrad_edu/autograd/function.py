"""Function and the graph it records: how a forward op leaves a node behind for backward.

A differentiable op is a subclass of Function with two static methods:

    forward(ctx, *inputs)        compute outputs from inputs (no graph is recorded inside)
    backward(ctx, *grad_outputs) return one gradient per forward input (None where not needed)

`Function.apply(*inputs)` runs forward and, when grad mode is on and an input requires grad, keeps
`ctx` as the output's `grad_fn`: a node that remembers the inputs' nodes (`next_functions`), what
forward saved (`ctx.save_for_backward`) and which inputs need gradients (`ctx.needs_input_grad`).
Leaves that require grad are reached through an AccumulateGrad node, which adds into `.grad`.

Saved tensors remember the version of their storage; an in-place op bumps it, and backward refuses
to use a value that changed. An output saved by its own op is kept *without* its grad_fn (and gets
it back when unpacked), so tensor -> node -> tensor cycles never form.
"""

from __future__ import annotations

import itertools
import time
import weakref
from typing import TYPE_CHECKING, Any, ClassVar

from .grad_mode import GradMode
from .tracing import Tracing

if TYPE_CHECKING:
    from ..tensor import Tensor

_sequence_numbers = itertools.count()
_new_object = object.__new__


class Node:
    """A node of the backward graph (what `tensor.grad_fn` returns)."""

    next_functions: tuple[tuple[Node | None, int], ...] = ()
    # Where the gradient of each forward argument goes, in argument order ((None, 0) for one
    # that needs none); the engine walks these. A leaf's AccumulateGrad has none.
    _edges: tuple[tuple[Node | None, int], ...] = ()
    # Rarely used, so None on the class until needed: a new node sets only its sequence number.
    _tensor_pre_hooks: dict[int, list] | None = None
    _retained: dict[int, weakref.ref] | None = None
    _metadata: dict[str, Any] | None = None
    _post_hooks: dict[int, Any] | None = None  # Node.register_hook: fn(grad_inputs, grad_outputs)

    def __init__(self) -> None:
        self._sequence_nr = next(_sequence_numbers)

    @property
    def metadata(self) -> dict[str, Any]:
        """A dict for anything attached to the node (the visualiser keeps its records here)."""
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def _add_tensor_pre_hook(self, output_nr: int, hook: Any) -> None:
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        self._tensor_pre_hooks.setdefault(output_nr, []).append(hook)

    def register_hook(self, fn: Any) -> Any:
        """fn(grad_inputs, grad_outputs) runs after this node's backward; it may return
        replacement grad_inputs (torch.autograd.graph.Node.register_hook)."""
        from ..nn.hooks import add_hook

        if self._post_hooks is None:
            self._post_hooks = {}
        return add_hook(self._post_hooks, fn)

    def _retain_grad_for(self, output_nr: int, tensor: Tensor) -> None:
        if self._retained is None:
            self._retained = {}
        self._retained[output_nr] = weakref.ref(tensor)


class AccumulateGrad(Node):
    """The node of a leaf tensor that requires grad: backward ends here by adding into .grad."""

    def __init__(self, variable: Tensor):
        # (Node.__init__'s one line, written out: a leaf used in a graph makes one of these per
        # graph, and a second __init__ frame per node is a measurable part of recording an op)
        self._sequence_nr = next(_sequence_numbers)
        self.variable = variable


class SavedTensor:
    """A tensor kept for backward, with the version its storage had when it was saved."""

    __slots__ = ("tensor", "version", "is_output", "output_nr")

    def __init__(self, tensor: Tensor, is_output: bool, output_nr: int):
        self.tensor = tensor
        self.version = tensor._storage.version
        self.is_output = is_output
        self.output_nr = output_nr


class ForwardContext:
    """The ctx a forward runs with when no graph is recorded: saving is a no-op."""

    needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        pass

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        pass

    def set_materialize_grads(self, value: bool) -> None:
        pass


class BackwardContext(Node):
    """The ctx of a recorded Function call; it is also the grad_fn node of its outputs."""

    _function: ClassVar[type[Function]]
    _saved: list[SavedTensor | None] | None = None
    _to_save: tuple = ()
    _freed = False
    _non_differentiable: tuple = ()
    _materialize_grads = True

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep these tensors for backward (read them back from ctx.saved_tensors)."""
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """These outputs get no grad_fn (e.g. the indices returned by max)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None instead of zeros for outputs that got no gradient."""
        self._materialize_grads = value

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or if "
                "you need to access saved tensors after calling backward.")
        return tuple([self._unpack(saved) for saved in (self._saved or ())])

    def _unpack(self, saved: SavedTensor | None) -> Tensor | None:
        if saved is None:
            return None
        tensor = saved.tensor
        if tensor._storage.version != saved.version:
            producer = self if saved.is_output else tensor._grad_fn
            produced_by = (f", which is output {saved.output_nr} of {producer.name()},"
                           if producer else "")
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{tensor.type()} {list(tensor.shape)}]{produced_by} is at "
                f"version {tensor._storage.version}; expected version {saved.version} instead. "
                "Hint: the tensor was changed in place (an op ending in '_', or x[...] = ...) "
                "after the op that needs it for backward; use an out-of-place op instead.")
        if saved.is_output:  # re-attach the graph that was cut to avoid a cycle
            tensor = tensor._alias()
            tensor._requires_grad, tensor._grad_fn, tensor._output_nr = True, self, saved.output_nr
        return tensor

    def _release_saved(self) -> None:
        if self._saved:
            self._saved = None
            self._freed = True

    def apply(self, *grad_outputs: Tensor | None) -> tuple[Tensor | None, ...]:
        """Run the Function's backward and return one gradient per forward input."""
        grads = self._function.backward(self, *grad_outputs)
        return grads if isinstance(grads, tuple) else (grads,)


def _node_name(function: type[Function]) -> str:
    built_in = function.__module__.startswith("tinygrad_edu.")
    return getattr(function, "node_name", None) or (
        f"{function.__name__}Backward0" if built_in else f"{function.__name__}Backward")


class Function:
    """Base class of every differentiable op; subclass it to write your own (as in PyTorch)."""

    _backward_class: ClassVar[type[BackwardContext]]
    differentiable: ClassVar[bool] = True  # False for ops with no gradient (comparisons, argmax)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._backward_class = type(_node_name(cls), (BackwardContext,),
                                   {"_function": cls, "__doc__": cls.__doc__,
                                    "__module__": cls.__module__})

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, *grad_outputs)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward; record a node for backward when grad mode is on and an input needs it.

        This runs for every op, so each step is the cheapest form of itself: the inputs are
        looked at once, and only in grad mode (backward passes and optimizer steps run with it
        off); the forward call passes no keyword dict when there is none; a call that records
        nothing makes no node, only the throwaway ForwardContext its forward writes into."""
        grad_mode = GradMode.enabled
        node = None  # stays None unless this call is recorded: then ctx is the grad_fn node
        if grad_mode and cls.differentiable:
            for argument in args:
                if getattr(argument, "_requires_grad", False):
                    node = _new_object(cls._backward_class)  # Node.__init__ written out:
                    node._sequence_nr = next(_sequence_numbers)  # no extra frame per op
                    node.needs_input_grad = tuple([getattr(a, "_requires_grad", False)
                                                   for a in args])
                    break
        tracer = Tracing.active
        if tracer is not None:  # the visualiser or compile is watching: tell it, and time the op
            tracer.on_forward_begin(cls)
            started = time.perf_counter()
        ctx = node if node is not None else _new_object(ForwardContext)  # (no __init__ to run)
        if grad_mode:
            GradMode.enabled = False  # forward computes values only; its inner ops record nothing
            try:
                outputs = cls.forward(ctx, *args, **kwargs) if kwargs else cls.forward(ctx, *args)
            finally:
                GradMode.enabled = grad_mode
        else:  # already off (inside backward, no_grad, an optimizer step): nothing to restore
            outputs = cls.forward(ctx, *args, **kwargs) if kwargs else cls.forward(ctx, *args)
        if node is not None:
            outputs = _connect_outputs(node, args, outputs)
        if tracer is not None:
            tracer.on_forward(cls, node, args, kwargs, outputs, time.perf_counter() - started)
        return outputs


_NO_EDGE: tuple[None, int] = (None, 0)  # an input that needs no gradient (or is not a tensor)


def _connect_outputs(ctx: BackwardContext, args: tuple, outputs: Any) -> Any:
    """Make ctx the grad_fn of the (floating point) outputs and turn saved tensors into records.

    One pass over the inputs fills the node's per-input tuples: its edges (where each input's
    gradient goes) and the (shape, dtype) the engine checks each gradient against; one pass over
    the outputs marks them. This runs for every recorded op, so it reads fields directly (a
    dtype's category, not its is_differentiable property) and makes no list it does not keep."""
    edges, input_metadata = [], []
    all_tensors = True
    for argument, needs_grad in zip(args, ctx.needs_input_grad):
        if needs_grad:
            grad_fn = argument._grad_fn
            edges.append((grad_fn, argument._output_nr) if grad_fn is not None
                         else (argument._get_grad_accumulator(), 0))
            input_metadata.append((argument._view.shape, argument.dtype))
        else:
            edges.append(_NO_EDGE)
            input_metadata.append(None)
            if all_tensors and not hasattr(argument, "_requires_grad"):
                all_tensors = False
    ctx._edges = edges = tuple(edges)
    ctx._input_metadata = tuple(input_metadata)
    # next_functions lists the edges of the tensor arguments only (what the user sees)
    ctx.next_functions = edges if all_tensors else tuple(
        [edge for edge, argument in zip(edges, args) if hasattr(argument, "_requires_grad")])
    single = not isinstance(outputs, tuple)  # most ops have one output
    output_list = [outputs] if single else list(outputs)
    output_metadata = ctx._output_metadata = []
    for index, output in enumerate(output_list):
        if output is None or not hasattr(output, "_requires_grad"):
            output_metadata.append(None)
            continue
        if _is_one_of(output, args):  # forward returned an input: hand back an alias
            output = output_list[index] = output._alias()
        dtype = output.dtype
        output_metadata.append((output._view.shape, dtype, output._storage.device))
        if dtype.category >= 2 and not (  # floating or complex: dtype.is_differentiable
                ctx._non_differentiable and _is_one_of(output, ctx._non_differentiable)):
            output._requires_grad, output._grad_fn, output._output_nr = True, ctx, index
    if ctx._to_save:
        ctx._saved = [_save(t, output_list) for t in ctx._to_save]
        ctx._to_save = ()
    return output_list[0] if single else tuple(output_list)


def _is_one_of(value: Any, items: tuple) -> bool:
    """`value is x` for some x in items (identity, never Tensor.__eq__); a plain loop is cheaper
    than any() over a generator for the two or three items an op has."""
    for item in items:
        if item is value:
            return True
    return False


def _save(tensor: Any, outputs: list) -> SavedTensor | None:
    if tensor is None:
        return None
    for index, output in enumerate(outputs):
        if tensor is output and output._grad_fn is not None:  # a differentiable output:
            # keep the data, drop the grad_fn, so no ctx -> output -> ctx cycle forms
            return SavedTensor(tensor._saved_alias(), is_output=True, output_nr=index)
    return SavedTensor(tensor, is_output=False, output_nr=tensor._output_nr)
