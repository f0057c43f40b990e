"""Lowering: from Tensors to backend primitives and back, with no autograd.

Each function takes Tensors, hands their (buffer, view) pairs to the backend primitive of the same
name (see kernels/__init__.py) and wraps the new buffer in a Tensor. Differentiable ops call these
in their forward passes; nothing here records a graph. This is the only file in tinygrad_edu/ that
talks to a backend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from math import prod
from typing import Any

from ..device import backend_for, device
from ..dtypes import bool_, dtype, float16, float32, from_numpy_dtype, int64
from ..kernels import View, contiguous_strides
from ..kernels.conv import conv2d_output_shape
from ..kernels.pool import pool2d_output_shape
from ..kernels.strided import Memo
from ..storage import ScalarStorage, Storage
from ..tensor import Tensor, make_tensor
from ..views import broadcast_shapes, expand_view

_BOOL_RESULT = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
                          "logical_xor", "logical_not", "isnan", "isinf"})


# shape -> the row-major View of a new tensor of that shape. One View object per shape: fresh
# results of one shape share it, so the kernels' "same view?" test is mostly an `is`.
CONTIGUOUS_VIEWS = Memo(lambda shape: View(shape, contiguous_strides(shape), 0))


def contiguous_view(shape: tuple[int, ...]) -> View:
    """The row-major view of a new tensor of this shape (one shared View object per shape)."""
    return CONTIGUOUS_VIEWS[shape]


def same_device(*tensors: Tensor) -> Storage:
    """The storage of the first tensor, after checking every tensor is on its device."""
    first = tensors[0]._storage
    for other in tensors[1:]:
        device = other._storage.device
        if device is not first.device and device != first.device:
            raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                               f"two devices, {first.device} and {other._storage.device}!")
    return first


def wrap(buffer: Any, shape: tuple[int, ...], result_dtype: dtype, like: Storage) -> Tensor:
    """A new contiguous tensor over a buffer that a primitive just returned.

    Every op's result is made here, so it is built the cheapest way Python allows: empty objects
    whose fields are set directly, no __init__ in between (Storage() and Tensor() would add a
    call each, and Tensor() parses user data). Every other field of a new tensor (requires_grad
    False, no grad_fn, no base) is a default on the Tensor class: it costs nothing per tensor."""
    storage = _new_object(Storage)
    storage.buffer, storage.device, storage.backend, storage.version = (
        buffer, like.device, like.backend, 0)
    tensor = _new_object(Tensor)
    tensor._storage, tensor._view, tensor.dtype = storage, CONTIGUOUS_VIEWS[shape], result_dtype
    return tensor


_new_object = object.__new__


def view_of(x: Tensor, view: View) -> Tensor:
    """Another view of x's storage (shares memory and version counter)."""
    return make_tensor(x._storage, view, x.dtype, x if x._base is None else x._base)


# --- elementwise ---------------------------------------------------------------------------------
def unary(op: str, x: Tensor) -> Tensor:
    storage = x._storage
    buffer = storage.backend.unary(op, storage.buffer, x._view)
    return wrap(buffer, x._view.shape, bool_ if op in _BOOL_RESULT else x.dtype, storage)


def _expand_to_common_shape(views: tuple[View, ...]) -> tuple[View, ...]:
    shape = broadcast_shapes(*[view.shape for view in views])
    return tuple([expand_view(view, shape) for view in views])


# (view, view, ...) -> the views expanded to their common shape (stride 0 where a dim is
# broadcast). Memoised: the view arithmetic is pure Python (~1 us a view), and a training step
# repeats the same views.
_BROADCASTS = Memo(_expand_to_common_shape)


def _broadcast(*views: View) -> tuple[View, ...]:
    return _BROADCASTS[views]


def binary(op: str, a: Tensor, b: Tensor) -> Tensor:
    """f(a, b) with broadcasting by stride-0 views; a and b must share a dtype."""
    storage, b_storage = a._storage, b._storage
    if b_storage.device is not storage.device:  # the same device object: nothing to check
        same_device(a, b)
    a_view, b_view = a._view, b._view
    if a_view.shape != b_view.shape:
        a_view, b_view = _BROADCASTS[a_view, b_view]
    # x * 2.0: the 2.0 reaches the kernel as an argument, not as memory (number_or_buffer;
    # the type test first keeps the usual tensor-with-tensor case one comparison each)
    a_data = storage.buffer if type(storage) is not ScalarStorage else number_or_buffer(storage)
    b_data = (b_storage.buffer if type(b_storage) is not ScalarStorage
              else number_or_buffer(b_storage))
    if type(storage) is ScalarStorage and type(b_storage) is ScalarStorage \
            and b_data is b_storage.number:  # two numbers (rare): the first becomes memory
        a_data = storage.buffer
    buffer = storage.backend.binary(op, a_data, a_view, b_data, b_view)
    return wrap(buffer, a_view.shape, bool_ if op in _BOOL_RESULT else a.dtype, storage)


def number_or_buffer(storage: Storage) -> Any:
    """What a binary op or where hands its primitive for one operand: the buffer, or, for a
    Python number made a tensor (storage.ScalarStorage), the number as a NumPy scalar of its
    dtype: the elementwise primitives take either, and a kernel gets the number as an argument.
    (At most one operand of `binary` is a number; complex numbers keep the buffer path.)"""
    if type(storage) is not ScalarStorage or storage.number is None \
            or storage.number.dtype.kind == "c":
        return storage.buffer
    return storage.number


def where(condition: Tensor, a: Tensor, b: Tensor) -> Tensor:
    storage = same_device(condition, a, b)
    condition_view, a_view, b_view = _broadcast(condition._view, a._view, b._view)
    buffer = storage.backend.where(condition._storage.buffer, condition_view,
                                   number_or_buffer(a._storage), a_view,
                                   number_or_buffer(b._storage), b_view)
    return wrap(buffer, a_view.shape, a.dtype, storage)


def cast(x: Tensor, new_dtype: dtype) -> Tensor:
    storage = x._storage
    buffer = storage.backend.cast(storage.buffer, x._view, new_dtype.numpy)
    return wrap(buffer, x._view.shape, new_dtype, storage)


# --- reductions, matmul, softmax ---------------------------------------------------------------
def reduce(op: str, x: Tensor, axes: tuple[int, ...]) -> Tensor:
    """Reduce axes away (the result has x's shape without them)."""
    storage = x._storage
    buffer = storage.backend.reduce(op, storage.buffer, x._view, axes)
    return wrap(buffer, _without_axes(x._view.shape, axes),
                int64 if op in ("argmax", "argmin") else x.dtype, storage)


def _shape_without_axes(key: tuple[tuple[int, ...], tuple[int, ...]]) -> tuple[int, ...]:
    shape, axes = key
    return tuple(size for d, size in enumerate(shape) if d not in axes)


# (shape, axes) -> the shape with those axes removed; shapes and axes repeat every training step
_REDUCED_SHAPES = Memo(_shape_without_axes)


def _without_axes(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return _REDUCED_SHAPES[shape, axes]


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """(..., M, K) @ (..., K, N) with equal batch shapes."""
    storage = same_device(a, b)
    buffer = storage.backend.matmul(storage.buffer, a._view, b._storage.buffer, b._view)
    shape = a._view.shape[:-1] + b._view.shape[-1:]
    return wrap(buffer, shape, a.dtype, storage)


def softmax(x: Tensor, dim: int, log: bool) -> Tensor:
    storage = x._storage
    buffer = storage.backend.softmax(storage.buffer, x._view, dim, log)
    return wrap(buffer, x._view.shape, x.dtype, storage)


def softmax_backward(y: Tensor, dy: Tensor, dim: int, log: bool) -> Tensor:
    """dx of softmax (log=False) or log_softmax (log=True) along dim, from y and dy."""
    storage = same_device(y, dy)
    buffer = storage.backend.softmax_backward(storage.buffer, y._view, dy._storage.buffer,
                                              dy._view, dim, log)
    return wrap(buffer, y._view.shape, y.dtype, storage)


# --- memory ------------------------------------------------------------------------------------
def full(shape: tuple[int, ...], value: Any, new_dtype: dtype, where: device) -> Tensor:
    backend = backend_for(where)
    numel = prod(shape)
    buffer = backend.full(numel, value, new_dtype.numpy)
    return make_tensor(Storage(buffer, where, backend), contiguous_view(tuple(shape)), new_dtype)


def arange(start: Any, step: Any, numel: int, new_dtype: dtype, where: device) -> Tensor:
    backend = backend_for(where)
    buffer = backend.arange(start, step, numel, new_dtype.numpy)
    return make_tensor(Storage(buffer, where, backend), contiguous_view((numel,)), new_dtype)


def from_host(array: Any, where: device, new_dtype: dtype | None = None) -> Tensor:
    """A new tensor holding a copy of a NumPy array."""
    backend = backend_for(where)
    result_dtype = new_dtype or from_numpy_dtype(array.dtype)
    buffer = backend.from_host(array.astype(result_dtype.numpy, copy=False))
    return make_tensor(Storage(buffer, where, backend), contiguous_view(tuple(array.shape)),
                       result_dtype)


def copy(x: Tensor) -> Tensor:
    """A contiguous copy of x (any strides in, row-major out)."""
    storage = x._storage
    return wrap(storage.backend.copy(storage.buffer, x._view), x._view.shape, x.dtype, storage)


def copy_into(destination: Tensor, source: Tensor) -> None:
    """destination[...] = source in place (source broadcast to destination's shape)."""
    storage = same_device(destination, source)
    source_view = expand_view(source._view, destination._view.shape)
    storage.backend.copy_into(storage.buffer, destination._view, source._storage.buffer,
                              source_view)
    storage.version += 1


# --- indexing ----------------------------------------------------------------------------------
def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    storage = same_device(x, index)
    buffer = storage.backend.gather(storage.buffer, x._view, dim, index._storage.buffer,
                                    index._view)
    return wrap(buffer, index._view.shape, x.dtype, storage)


def scatter_add(base: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    storage = same_device(base, index, source)
    buffer = storage.backend.scatter_add(storage.buffer, base._view, dim, index._storage.buffer,
                                         index._view, source._storage.buffer, source._view)
    return wrap(buffer, base._view.shape, base.dtype, storage)


def index_select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    storage = same_device(x, index)
    buffer = storage.backend.index_select(storage.buffer, x._view, dim, index._storage.buffer,
                                          index._view)
    shape = list(x._view.shape)
    shape[dim] = index.numel()
    return wrap(buffer, tuple(shape), x.dtype, storage)


def index_add(base: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    storage = same_device(base, index, source)
    buffer = storage.backend.index_add(storage.buffer, base._view, dim, index._storage.buffer,
                                       index._view, source._storage.buffer, source._view)
    return wrap(buffer, base._view.shape, base.dtype, storage)


def _index_entries(indices: list[Tensor | None]) -> list:
    return [None if i is None else (i._storage.buffer, i._view) for i in indices]


def index(x: Tensor, indices: list[Tensor | None], result_shape: tuple[int, ...]) -> Tensor:
    storage = same_device(x, *[i for i in indices if i is not None])
    buffer = storage.backend.index(storage.buffer, x._view, _index_entries(indices))
    return wrap(buffer, result_shape, x.dtype, storage)


def index_put(destination: Tensor, indices: list[Tensor | None], values: Tensor,
              accumulate: bool) -> None:
    storage = same_device(destination, values, *[i for i in indices if i is not None])
    storage.backend.index_put(storage.buffer, destination._view, _index_entries(indices),
                              values._storage.buffer, values._view, accumulate)
    storage.version += 1


def nonzero(x: Tensor) -> Tensor:
    storage = x._storage
    buffer = storage.backend.nonzero(storage.buffer, x._view)
    ndim = len(x._view.shape)
    count = len(buffer) // ndim if ndim else int(len(buffer) > 0 or bool(x.item()))
    return wrap(buffer, (count, ndim), int64, storage)


# --- random ------------------------------------------------------------------------------------
def random(kind: str, shape: tuple[int, ...], new_dtype: dtype, where: device, seed: int,
           offset: int, low: Any, high: Any) -> Tensor:
    """uniform / normal / randint draws from the counter-based generator at (seed, offset)."""
    backend = backend_for(where)
    numel = prod(shape)
    buffer = getattr(backend, kind)(numel, seed, offset, low, high, new_dtype.numpy)
    return make_tensor(Storage(buffer, where, backend), contiguous_view(tuple(shape)), new_dtype)


def randperm(n: int, new_dtype: dtype, where: device, seed: int, offset: int) -> Tensor:
    """A random permutation of 0 .. n-1 from the counter-based generator at (seed, offset)."""
    backend = backend_for(where)
    buffer = backend.randperm(n, seed, offset, new_dtype.numpy)
    return make_tensor(Storage(buffer, where, backend), contiguous_view((n,)), new_dtype)


# --- errors found inside kernels ----------------------------------------------------------------
@contextmanager
def index_errors_as(x: Tensor, make_error: Callable[[int, int], Exception]) -> Iterator[None]:
    """Out-of-range indices that kernels launched inside this block find on x's device are
    raised, at the next host read, as make_error(largest bad value, smallest bad value). The
    NumPy backend checks as it goes (the caller validates first there): nothing changes."""
    if x._storage.backend.name != "triton":
        yield
        return
    from ..kernels import triton_support

    with triton_support.errors_reported_as(make_error):
        yield


# --- optimizer steps (fused, in place) ---------------------------------------------------------
def _buffer_and_view(x: Tensor | None) -> tuple[Any, View | None]:
    return (None, None) if x is None else (x._storage.buffer, x._view)


def sgd_step(param: Tensor, grad: Tensor, momentum_buffer: Tensor | None, *, lr: float,
             momentum: float, dampening: float, weight_decay: float, nesterov: bool,
             maximize: bool, first_step: bool) -> None:
    """One fused SGD update of param (and its momentum buffer), in place."""
    storage = param._storage
    if grad._storage.device is not storage.device:  # one device object: nothing to check
        same_device(param, grad)
    storage.backend.sgd_step(storage.buffer, param._view, grad._storage.buffer, grad._view,
                             *_buffer_and_view(momentum_buffer), lr, momentum, dampening,
                             weight_decay, nesterov, maximize, first_step)
    storage.version += 1
    if momentum_buffer is not None:
        momentum_buffer._storage.version += 1


def adam_step(param: Tensor, grad: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor,
              max_exp_avg_sq: Tensor | None, *, step: int, lr: float, beta1: float, beta2: float,
              eps: float, weight_decay: float, decoupled: bool, maximize: bool) -> None:
    """One fused Adam / AdamW update of param and its moment buffers, in place."""
    storage = same_device(param, grad, exp_avg, exp_avg_sq)
    storage.backend.adam_step(storage.buffer, param._view, grad._storage.buffer, grad._view,
                              exp_avg._storage.buffer, exp_avg._view, exp_avg_sq._storage.buffer,
                              exp_avg_sq._view, *_buffer_and_view(max_exp_avg_sq), step, lr,
                              beta1, beta2, eps, weight_decay, decoupled, maximize)
    for state in (param, exp_avg, exp_avg_sq, max_exp_avg_sq):
        if state is not None:
            state._storage.version += 1


def _buffers_and_views(xs: list[Tensor] | None) -> tuple[list | None, list | None]:
    if xs is None:
        return None, None
    return [x._storage.buffer for x in xs], [x._view for x in xs]


def foreach_sgd_step(params: list[Tensor], grads: list[Tensor],
                     momentum_buffers: list[Tensor] | None, *, lr: float, momentum: float,
                     dampening: float, weight_decay: float, nesterov: bool, maximize: bool,
                     first_steps: list[bool]) -> None:
    """sgd_step over lists of parameters (all on one device), in place: one or a few launches."""
    storage = same_device(*params, *grads, *(momentum_buffers or []))
    storage.backend.foreach_sgd_step(*_buffers_and_views(params), *_buffers_and_views(grads),
                                     *_buffers_and_views(momentum_buffers), lr, momentum,
                                     dampening, weight_decay, nesterov, maximize,
                                     list(first_steps))
    for x in (*params, *(momentum_buffers or [])):
        x._storage.version += 1


def foreach_adam_step(params: list[Tensor], grads: list[Tensor], exp_avgs: list[Tensor],
                      exp_avg_sqs: list[Tensor], max_exp_avg_sqs: list[Tensor] | None, *,
                      steps: list[int], lr: float, beta1: float, beta2: float, eps: float,
                      weight_decay: float, decoupled: bool, maximize: bool) -> None:
    """adam_step over lists of parameters (all on one device), each with its own step count."""
    storage = same_device(*params, *grads, *exp_avgs, *exp_avg_sqs, *(max_exp_avg_sqs or []))
    storage.backend.foreach_adam_step(*_buffers_and_views(params), *_buffers_and_views(grads),
                                      *_buffers_and_views(exp_avgs),
                                      *_buffers_and_views(exp_avg_sqs),
                                      *_buffers_and_views(max_exp_avg_sqs), list(steps), lr,
                                      beta1, beta2, eps, weight_decay, decoupled, maximize)
    for x in (*params, *exp_avgs, *exp_avg_sqs, *(max_exp_avg_sqs or [])):
        x._storage.version += 1


# --- convolution and pooling (kernels/conv.py, kernels/pool.py) --------------------------------
def conv2d(x: Tensor, weight: Tensor, stride: tuple, padding: tuple, dilation: tuple,
           groups: int, bias: Tensor | None = None) -> Tensor:
    """(N, C, H, W) conv (O, C/groups, kh, kw) (+ bias (O,)) -> (N, O, Ho, Wo); padding is
    (t, b, l, r)."""
    storage = same_device(x, weight, *([] if bias is None else [bias]))
    with_bias = () if bias is None else (bias._storage.buffer, bias._view)
    buffer = storage.backend.conv2d(storage.buffer, x._view, weight._storage.buffer,
                                    weight._view, stride, padding, dilation, groups, *with_bias)
    shape = conv2d_output_shape(x._view.shape, weight._view.shape, stride, padding, dilation)
    return wrap(buffer, shape, x.dtype, storage)


def conv2d_backward_input(grad: Tensor, weight: Tensor, input_shape: tuple, stride: tuple,
                          padding: tuple, dilation: tuple, groups: int) -> Tensor:
    storage = same_device(grad, weight)
    buffer = storage.backend.conv2d_backward_input(
        storage.buffer, grad._view, weight._storage.buffer, weight._view, input_shape, stride,
        padding, dilation, groups)
    return wrap(buffer, tuple(input_shape), grad.dtype, storage)


def conv2d_backward_weight(grad: Tensor, x: Tensor, weight_shape: tuple, stride: tuple,
                           padding: tuple, dilation: tuple, groups: int) -> Tensor:
    storage = same_device(grad, x)
    buffer = storage.backend.conv2d_backward_weight(
        storage.buffer, grad._view, x._storage.buffer, x._view, weight_shape, stride, padding,
        dilation, groups)
    return wrap(buffer, tuple(weight_shape), grad.dtype, storage)


def max_pool2d(x: Tensor, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple,
               ceil_mode: bool) -> tuple[Tensor, Tensor]:
    """(values, int64 flat indices into each H*W plane) of the window maxima of (..., H, W)."""
    storage = x._storage
    values, indices = storage.backend.max_pool2d(storage.buffer, x._view, kernel, stride, padding,
                                                 dilation, ceil_mode)
    shape = pool2d_output_shape(x._view.shape, kernel, stride, padding, dilation, ceil_mode)
    return wrap(values, shape, x.dtype, storage), wrap(indices, shape, int64, storage)


def max_pool2d_backward(grad: Tensor, indices: Tensor, input_shape: tuple,
                        geometry: tuple | None = None) -> Tensor:
    """dx of max_pool2d; geometry (kernel, stride, padding, dilation), if known, lets a backend
    visit only the windows that cover each element."""
    storage = same_device(grad, indices)
    buffer = storage.backend.max_pool2d_backward(storage.buffer, grad._view,
                                                 indices._storage.buffer, indices._view,
                                                 input_shape, *(geometry or ()))
    return wrap(buffer, tuple(input_shape), grad.dtype, storage)


def avg_pool2d(x: Tensor, kernel: tuple, stride: tuple, padding: tuple, ceil_mode: bool,
               count_include_pad: bool, divisor_override: int | None) -> Tensor:
    storage = x._storage
    buffer = storage.backend.avg_pool2d(storage.buffer, x._view, kernel, stride, padding,
                                        ceil_mode, count_include_pad, divisor_override)
    shape = pool2d_output_shape(x._view.shape, kernel, stride, padding, (1, 1), ceil_mode)
    return wrap(buffer, shape, x.dtype, storage)


def avg_pool2d_backward(grad: Tensor, input_shape: tuple, kernel: tuple, stride: tuple,
                        padding: tuple, ceil_mode: bool, count_include_pad: bool,
                        divisor_override: int | None) -> Tensor:
    storage = grad._storage
    buffer = storage.backend.avg_pool2d_backward(storage.buffer, grad._view, input_shape, kernel,
                                                 stride, padding, ceil_mode, count_include_pad,
                                                 divisor_override)
    return wrap(buffer, tuple(input_shape), grad.dtype, storage)


# --- fused nn primitives (kernels/cross_entropy.py, dropout.py, normalization.py) ---------------
def _statistics_dtype(x: Tensor) -> dtype:
    """Per-row statistics (lse, mean, rstd) of float16 data are kept in float32."""
    return float32 if x.dtype is float16 else x.dtype


def cross_entropy(x: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
                  smoothing: float, reduction: str = "none") -> tuple[Tensor, Tensor, Tensor]:
    """(losses (M,), row weights (M,), log-sum-exp (M,)) of logits (M, C) vs targets (M,);
    reduction 'sum' or 'mean': (the reduced loss (), the total weight (), log-sum-exp (M,))."""
    storage = same_device(x, target, *([] if weight is None else [weight]))
    losses, row_weights, lse = storage.backend.cross_entropy(
        storage.buffer, x._view, target._storage.buffer, target._view, *_buffer_and_view(weight),
        ignore_index, smoothing, reduction)
    rows = x._view.shape[:1]
    reduced = rows if reduction == "none" else ()
    return (wrap(losses, reduced, x.dtype, storage), wrap(row_weights, reduced, x.dtype, storage),
            wrap(lse, rows, _statistics_dtype(x), storage))


def cross_entropy_backward(x: Tensor, target: Tensor, weight: Tensor | None, lse: Tensor,
                           dy: Tensor, ignore_index: int, smoothing: float,
                           total_weight: Tensor | None = None) -> Tensor:
    """dlogits (M, C) of cross_entropy, from the saved lse and a per-row dy (M,) (divided by
    total_weight, after reduction 'mean')."""
    storage = same_device(x, target, lse, dy, *([] if weight is None else [weight]))
    buffer = storage.backend.cross_entropy_backward(
        storage.buffer, x._view, target._storage.buffer, target._view, *_buffer_and_view(weight),
        lse._storage.buffer, lse._view, dy._storage.buffer, dy._view, ignore_index, smoothing,
        *(() if total_weight is None else _buffer_and_view(total_weight)))
    return wrap(buffer, x._view.shape, x.dtype, storage)


def dropout(x: Tensor, mask_shape: tuple[int, ...], seed: int, offset: int, p: float) -> Tensor:
    """x * keep / (1 - p), keep drawn at counters (seed, offset + mask position)."""
    storage = x._storage
    buffer = storage.backend.dropout(storage.buffer, x._view, tuple(mask_shape), seed, offset, p)
    return wrap(buffer, x._view.shape, x.dtype, storage)


def batch_norm(x: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """(y, mean (C,), rstd (C,)); training updates running_mean / running_var in place."""
    given = [t for t in (weight, bias, running_mean, running_var) if t is not None]
    storage = same_device(x, *given)
    y, mean, rstd = storage.backend.batch_norm(
        storage.buffer, x._view, *_buffer_and_view(weight), *_buffer_and_view(bias),
        *_buffer_and_view(running_mean), *_buffer_and_view(running_var), training, momentum, eps)
    if training:
        for running in (running_mean, running_var):
            if running is not None:
                running._storage.version += 1
    channels = x._view.shape[1:2]
    return (wrap(y, x._view.shape, x.dtype, storage),
            wrap(mean, channels, _statistics_dtype(x), storage),
            wrap(rstd, channels, _statistics_dtype(x), storage))


def batch_norm_backward(dy: Tensor, x: Tensor, weight: Tensor | None, mean: Tensor, rstd: Tensor,
                        training: bool, parameter_grads: bool
                        ) -> tuple[Tensor, Tensor | None, Tensor | None]:
    """(dx, dweight, dbias) of batch_norm (the last two None unless parameter_grads)."""
    storage = same_device(dy, x, mean, rstd, *([] if weight is None else [weight]))
    dx, dweight, dbias = storage.backend.batch_norm_backward(
        dy._storage.buffer, dy._view, x._storage.buffer, x._view, *_buffer_and_view(weight),
        mean._storage.buffer, mean._view, rstd._storage.buffer, rstd._view, training,
        parameter_grads)
    return _normalization_grads(dx, dweight, dbias, x, mean._view.shape, storage)


def layer_norm(x: Tensor, weight: Tensor | None, bias: Tensor | None, normalized_ndim: int,
               eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """(y, mean (G,), rstd (G,)) with one statistic per leading position (G of them)."""
    storage = same_device(x, *[t for t in (weight, bias) if t is not None])
    y, mean, rstd = storage.backend.layer_norm(
        storage.buffer, x._view, *_buffer_and_view(weight), *_buffer_and_view(bias),
        normalized_ndim, eps)
    groups = (math.prod(x._view.shape[:len(x._view.shape) - normalized_ndim]),)
    return (wrap(y, x._view.shape, x.dtype, storage),
            wrap(mean, groups, _statistics_dtype(x), storage),
            wrap(rstd, groups, _statistics_dtype(x), storage))


def layer_norm_backward(dy: Tensor, x: Tensor, weight: Tensor | None, mean: Tensor,
                        rstd: Tensor, normalized_ndim: int, parameter_grads: bool
                        ) -> tuple[Tensor, Tensor | None, Tensor | None]:
    """(dx, dweight, dbias) of layer_norm (the last two None unless parameter_grads)."""
    storage = same_device(dy, x, mean, rstd, *([] if weight is None else [weight]))
    dx, dweight, dbias = storage.backend.layer_norm_backward(
        dy._storage.buffer, dy._view, x._storage.buffer, x._view, *_buffer_and_view(weight),
        mean._storage.buffer, mean._view, rstd._storage.buffer, rstd._view, normalized_ndim,
        parameter_grads)
    shape = x._view.shape[len(x._view.shape) - normalized_ndim:]
    return _normalization_grads(dx, dweight, dbias, x, shape, storage)


def _normalization_grads(dx: Any, dweight: Any, dbias: Any, x: Tensor,
                         parameter_shape: tuple[int, ...], storage: Storage) -> tuple:
    """Wrap the backward buffers: dx like x, dweight and dbias (or None) in parameter_shape."""
    def parameter(buffer: Any) -> Tensor | None:
        return None if buffer is None else wrap(buffer, tuple(parameter_shape), x.dtype, storage)

    return wrap(dx, x._view.shape, x.dtype, storage), parameter(dweight), parameter(dbias)


# --- recurrent (sequence models): fused LSTM / GRU gate math -------------------------------------
def lstm_cell(gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """(h', c') of one LSTM step: gates (B, 4H) pre-activations, c (B, H)."""
    storage = same_device(gates, c)
    h_new, c_new = storage.backend.lstm_cell(storage.buffer, gates._view, c._storage.buffer,
                                             c._view)
    shape = c._view.shape
    return wrap(h_new, shape, gates.dtype, storage), wrap(c_new, shape, gates.dtype, storage)


def lstm_cell_backward(gates: Tensor, c: Tensor, c_new: Tensor, dh: Tensor, dc_new: Tensor
                       ) -> tuple[Tensor, Tensor]:
    """(dgates (B, 4H), dc (B, H)) of one LSTM step."""
    storage = same_device(gates, c, c_new, dh, dc_new)
    dgates, dc = storage.backend.lstm_cell_backward(
        *[value for t in (gates, c, c_new, dh, dc_new) for value in (t._storage.buffer, t._view)])
    return (wrap(dgates, gates._view.shape, gates.dtype, storage),
            wrap(dc, c._view.shape, gates.dtype, storage))


def gru_cell(gi: Tensor, gh: Tensor, h: Tensor) -> Tensor:
    """h' of one GRU step: gi, gh (B, 3H) input and hidden gates, h (B, H)."""
    storage = same_device(gi, gh, h)
    h_new = storage.backend.gru_cell(
        *[value for t in (gi, gh, h) for value in (t._storage.buffer, t._view)])
    return wrap(h_new, h._view.shape, gi.dtype, storage)


def gru_cell_backward(gi: Tensor, gh: Tensor, h: Tensor, dh_new: Tensor
                      ) -> tuple[Tensor, Tensor, Tensor]:
    """(dgi, dgh (B, 3H), dh (B, H)) of one GRU step."""
    storage = same_device(gi, gh, h, dh_new)
    dgi, dgh, dh = storage.backend.gru_cell_backward(
        *[value for t in (gi, gh, h, dh_new) for value in (t._storage.buffer, t._view)])
    return (wrap(dgi, gi._view.shape, gi.dtype, storage),
            wrap(dgh, gh._view.shape, gi.dtype, storage),
            wrap(dh, h._view.shape, gi.dtype, storage))


# --- attention (sequence models): FlashAttention-style fused primitive ---------------------------
def attention(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | None, causal: bool, scale: float
              ) -> tuple[Tensor, Tensor]:
    """(O (B, H, L, Dv), lse (B, H, L)) of softmax(q k^T * scale + bias) v, all 4-D views."""
    storage = same_device(q, k, v, *([bias] if bias is not None else []))
    out, lse = storage.backend.attention(
        storage.buffer, q._view, k._storage.buffer, k._view, v._storage.buffer, v._view,
        *_buffer_and_view(bias), causal, scale)
    batch, heads, length = q._view.shape[:3]
    return (wrap(out, (batch, heads, length, v._view.shape[3]), q.dtype, storage),
            wrap(lse, (batch, heads, length), _statistics_dtype(q), storage))


def attention_backward(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | None, out: Tensor,
                       dout: Tensor, lse: Tensor, causal: bool, scale: float
                       ) -> tuple[Tensor, Tensor, Tensor]:
    """(dQ, dK, dV) of attention, recomputing the probabilities from lse."""
    storage = same_device(q, k, v, out, dout, lse)
    grads = storage.backend.attention_backward(
        storage.buffer, q._view, k._storage.buffer, k._view, v._storage.buffer, v._view,
        *_buffer_and_view(bias), out._storage.buffer, out._view, dout._storage.buffer,
        dout._view, lse._storage.buffer, lse._view, causal, scale)
    return tuple(wrap(g, t._view.shape, q.dtype, storage) for g, t in zip(grads, (q, k, v)))


# --- complex numbers (kernels/complex.py): reinterpretation and the complex-only unary ops -------
class _ReinterpretedStorage(Storage):
    """The same memory seen with another element type (complex <-> its float parts); it shares
    the version counter of the storage it reinterprets, so in-place changes are seen by both."""

    __slots__ = ("original",)

    def __init__(self, buffer: Any, original: Storage):
        self.original = original
        self.buffer, self.device, self.backend = buffer, original.device, original.backend

    @property
    def version(self) -> int:  # type: ignore[override]
        return self.original.version

    @version.setter
    def version(self, value: int) -> None:
        self.original.version = value


def _reinterpreted(storage: Storage, buffer: Any) -> Storage:
    original = storage.original if isinstance(storage, _ReinterpretedStorage) else storage
    if original.buffer.dtype == buffer.dtype:
        return original
    return _ReinterpretedStorage(buffer, original)


def view_as_real(x: Tensor, real_dtype: dtype) -> Tensor:
    """The (..., 2) float view of a complex tensor's (real, imag) pairs: same memory."""
    from ..kernels.complex import pair_view

    storage = x._storage
    parts = _reinterpreted(storage, storage.backend.as_real(storage.buffer))
    return make_tensor(parts, pair_view(x._view), real_dtype)


def view_as_complex(x: Tensor, complex_dtype: dtype) -> Tensor:
    """The complex view of a (..., 2) float tensor with unit last stride: same memory."""
    storage = x._storage
    pairs = _reinterpreted(storage, storage.backend.as_complex(storage.buffer))
    view = x._view
    shape, strides = view.shape[:-1], tuple(s // 2 for s in view.strides[:-1])
    return make_tensor(pairs, View(shape, strides, view.offset // 2), complex_dtype)


def fft(x: Tensor, inverse: bool) -> Tensor:
    """The unnormalised DFT (inverse: e^(+i...)) along the last dim of a complex tensor."""
    storage = x._storage
    return wrap(storage.backend.fft(storage.buffer, x._view, inverse), x._view.shape, x.dtype,
                storage)


def complex_unary(op: str, x: Tensor, result_dtype: dtype) -> Tensor:
    """|z| or arg z (result_dtype: the float of each part), or conj(z)."""
    storage = x._storage
    buffer = storage.backend.complex_unary(op, storage.buffer, x._view)
    return wrap(buffer, x._view.shape, result_dtype, storage)


# --- op breadth, part A (issue 10): scans (kernels/scan.py) --------------------------------------
def scan(op: str, x: Tensor, dim: int) -> tuple[Tensor, Tensor | None]:
    """(running op along dim, int64 indices of the winners for max / min, else None)."""
    storage = x._storage
    values, indices = storage.backend.scan(op, storage.buffer, x._view, dim)
    shape = x._view.shape
    return (wrap(values, shape, x.dtype, storage),
            None if indices is None else wrap(indices, shape, int64, storage))


def sort(x: Tensor, dim: int, descending: bool) -> tuple[Tensor, Tensor]:
    """(values, int64 indices) of a stable sort along dim (kernels/sort.py)."""
    storage = x._storage
    values, indices = storage.backend.sort(storage.buffer, x._view, dim, descending)
    shape = x._view.shape
    return wrap(values, shape, x.dtype, storage), wrap(indices, shape, int64, storage)


# --- linear systems (issue 10, second half) ----------------------------------------------------
def gauss_jordan(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """X = A^-1 B, log|det A| and sign(det A) for (..., n, n) A and (..., n, m) B."""
    storage = same_device(a, b)
    x, logdet, sign = storage.backend.gauss_jordan(storage.buffer, a._view, b._storage.buffer,
                                                   b._view)
    batch = a._view.shape[:-2]
    return (wrap(x, b._view.shape, a.dtype, storage), wrap(logdet, batch, a.dtype, storage),
            wrap(sign, batch, a.dtype, storage))


# --- more optimizer steps (issue 10, second half): kernels/optim_family.py -----------------------
def fused_optimizer_step(name: str, param: Tensor, grad: Tensor, states: list[Tensor | None],
                         *hyperparameters: Any) -> None:
    """One fused update `name` (rmsprop_step, adagrad_step, ...) of param and its state buffers,
    in place: each state is passed as (buffer, view), None as (None, None)."""
    storage = same_device(param, grad, *[state for state in states if state is not None])
    getattr(storage.backend, name)(storage.buffer, param._view, grad._storage.buffer, grad._view,
                                   *[value for state in states
                                     for value in _buffer_and_view(state)], *hyperparameters)
    for tensor in (param, *states):
        if tensor is not None:
            tensor._storage.version += 1


def symmetric_eigen(a: Tensor) -> tuple[Tensor, Tensor]:
    """(L (..., n) ascending, V (..., n, n)) of the symmetric (..., n, n) A's lower triangle."""
    storage = a._storage
    values, vectors = storage.backend.symmetric_eigen(storage.buffer, a._view)
    shape = a._view.shape
    return (wrap(values, shape[:-1], a.dtype, storage), wrap(vectors, shape, a.dtype, storage))
