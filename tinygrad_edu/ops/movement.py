"""Movement ops: change how elements are arranged, not their values.

View ops (view/reshape, permute, expand, slicing, squeeze/unsqueeze, narrow) return a tensor over
the *same storage* with a new (shape, strides, offset): no element is copied. Their backward passes
move the gradient back into the input's arrangement:

    view:    dx = dy.reshape(x.shape)          permute: dx = dy.permute(inverse permutation)
    expand:  dx = dy summed over the broadcast dims
    slice:   dx = zeros(x.shape) with dy written into the sliced positions

Copying ops (contiguous/clone, flip, cat, pad) allocate a new buffer.
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..kernels import View
from ..tensor import Tensor
from ..views import (
    expand_view,
    full_slice_spec,
    infer_shape,
    inverse_permutation,
    narrow_view,
    normalize_dim,
    permute_view,
    reshape_strides,
    slice_view,
)
from . import lowering
from .operands import promote


def _shape_argument(shape: tuple) -> tuple[int, ...]:
    """Accept view(2, 3), view((2, 3)) and view([2, 3]) alike."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class ViewOp(Function):
    """y = x seen with another shape (same storage);  dx = dy.reshape(x.shape)"""

    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape, strides):
        ctx.shape = x._view.shape
        return lowering.view_of(x, View(shape, strides, x._view.offset))

    @staticmethod
    def backward(ctx, dy):
        return dy.reshape(ctx.shape), None, None


class Permute(Function):
    """y = x with its dims reordered (strides permuted);  dx = dy.permute(inverse)"""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.inverse = inverse_permutation(dims)
        return lowering.view_of(x, permute_view(x._view, dims))

    @staticmethod
    def backward(ctx, dy):
        return dy.permute(ctx.inverse), None


class Expand(Function):
    """y = x broadcast to a larger shape (stride 0);  dx = dy summed back to x.shape"""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._view.shape
        return lowering.view_of(x, expand_view(x._view, shape))

    @staticmethod
    def backward(ctx, dy):
        return dy.sum_to_size(ctx.shape), None


class Slice(Function):
    """y = x[key] for ints, slices, None and ... (a view);  dx = zeros(x.shape), dx[key] = dy"""

    @staticmethod
    def forward(ctx, x, spec):
        ctx.shape, ctx.spec = x._view.shape, spec
        return lowering.view_of(x, slice_view(x._view, spec))

    @staticmethod
    def backward(ctx, dy):
        return SliceScatter.apply(dy, ctx.shape, ctx.spec), None


class SliceScatter(Function):
    """y = zeros(shape) with x written where x[key] would read;  dx = dy[key]"""

    @staticmethod
    def forward(ctx, x, shape, spec):
        ctx.spec = spec
        result = lowering.full(shape, 0, x.dtype, x.device)
        lowering.copy_into(lowering.view_of(result, slice_view(result._view, spec)), x)
        return result

    @staticmethod
    def backward(ctx, dy):
        return Slice.apply(dy, ctx.spec), None, None


class Copy(Function):
    """y = a contiguous copy of x;  dx = dy"""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return lowering.copy(x)

    @staticmethod
    def backward(ctx, dy):
        return dy


class Flip(Function):
    """y = x reversed along dims (a copy);  dx = dy flipped back"""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        shape, strides, offset = x._view
        strides = list(strides)
        for d in dims:
            offset += (shape[d] - 1) * strides[d] if shape[d] else 0
            strides[d] = -strides[d]
        return lowering.copy(lowering.view_of(x, View(shape, tuple(strides), offset)))

    @staticmethod
    def backward(ctx, dy):
        return dy.flip(ctx.dims), None


class Cat(Function):
    """y = the inputs joined along dim;  dx_i = the slice of dy where x_i went"""

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim, ctx.sizes = dim, [t._view.shape[dim] for t in tensors]
        shape = list(tensors[0]._view.shape)
        shape[dim] = sum(ctx.sizes)
        result = lowering.full(tuple(shape), 0, tensors[0].dtype, tensors[0].device)
        start = 0
        for tensor, size in zip(tensors, ctx.sizes):
            target = narrow_view(result._view, dim, start, size)
            lowering.copy_into(lowering.view_of(result, target), tensor)
            start += size
        return result

    @staticmethod
    def backward(ctx, dy):
        grads, start = [], 0
        for size in ctx.sizes:
            grads.append(dy.narrow(ctx.dim, start, size))
            start += size
        return (None, *grads)


class Pad(Function):
    """y = x surrounded by `value` (negative pads crop);  dx = the interior slice of dy"""

    @staticmethod
    def forward(ctx, x, pads, value):
        shape = list(x._view.shape)
        source = x
        interior = []
        for i in range(len(pads) // 2):  # pads are (last-dim left, last-dim right, ...) as torch
            d = len(shape) - 1 - i
            before, after = pads[2 * i], pads[2 * i + 1]
            crop_start, crop_end = max(-before, 0), max(-after, 0)
            source = lowering.view_of(source, narrow_view(source._view, d, crop_start,
                                                          shape[d] - crop_start - crop_end))
            interior.append((d, max(before, 0), source._view.shape[d]))
            shape[d] = shape[d] + before + after
            if shape[d] < 0:
                raise RuntimeError(f"The input size {x._view.shape[d]}, plus negative padding "
                                   f"{before} and {after} resulted in a negative output size")
        result = lowering.full(tuple(shape), value, x.dtype, x.device)
        target = result._view
        for d, start, length in interior:
            target = narrow_view(target, d, start, length)
        lowering.copy_into(lowering.view_of(result, target), source)
        ctx.pads, ctx.input_shape = pads, x._view.shape
        return result

    @staticmethod
    def backward(ctx, dy):
        negated = [-p for p in ctx.pads]
        return constant_pad(dy, negated), None, None


# --- public functions --------------------------------------------------------------------------
def view(input: Tensor, *shape: Any) -> Tensor:
    shape = infer_shape(_shape_argument(shape), input.numel())
    strides = reshape_strides(input._view, shape)
    if strides is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return ViewOp.apply(input, shape, strides)


def reshape(input: Tensor, *shape: Any) -> Tensor:
    shape = infer_shape(_shape_argument(shape), input.numel())
    if shape == input._view.shape:
        return ViewOp.apply(input, shape, input._view.strides)
    strides = reshape_strides(input._view, shape)
    if strides is None:  # the only case that copies
        input = Copy.apply(input)
        strides = reshape_strides(input._view, shape)
    return ViewOp.apply(input, shape, strides)


def permute(input: Tensor, *dims: Any) -> Tensor:
    dims = _shape_argument(dims)
    ndim = input.ndim
    normalized = tuple(normalize_dim(d, ndim) for d in dims)
    if len(normalized) != ndim or len(set(normalized)) != ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {ndim} is not equal to len(dims) = {len(dims)}")
    return Permute.apply(input, normalized)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    ndim = max(input.ndim, 1)
    dims = list(range(input.ndim))
    a, b = normalize_dim(dim0, ndim), normalize_dim(dim1, ndim)
    if input.ndim == 0:
        return Permute.apply(input, ())
    dims[a], dims[b] = dims[b], dims[a]
    return Permute.apply(input, tuple(dims))


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return Permute.apply(input, tuple(reversed(range(input.ndim))))


def expand(input: Tensor, *sizes: Any) -> Tensor:
    shape = _shape_argument(sizes)
    new_view = expand_view(input._view, shape)  # validates, resolves -1
    if new_view.shape == input._view.shape:
        return ViewOp.apply(input, new_view.shape, new_view.strides)
    return Expand.apply(input, new_view.shape)


def broadcast_to(input: Tensor, shape: Any) -> Tensor:
    return expand(input, tuple(shape))


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    shape = input._view.shape
    if dim is None:
        dims = {d for d, s in enumerate(shape) if s == 1}
    else:
        dims = {normalize_dim(d, max(input.ndim, 1)) for d in (dim if isinstance(dim, (tuple, list))
                                                               else (dim,))}
        dims = {d for d in dims if d < len(shape) and shape[d] == 1}
    keep = [d for d in range(len(shape)) if d not in dims]
    return ViewOp.apply(input, tuple(shape[d] for d in keep),
                        tuple(input._view.strides[d] for d in keep))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    d = normalize_dim(dim, input.ndim + 1)
    shape, strides = list(input._view.shape), list(input._view.strides)
    stride = strides[d] * shape[d] if d < len(shape) else 1
    shape.insert(d, 1)
    strides.insert(d, stride)
    return ViewOp.apply(input, tuple(shape), tuple(strides))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if input.ndim == 0:
        return reshape(input, (1,))
    start, end = normalize_dim(start_dim, input.ndim), normalize_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._view.shape
    middle = 1
    for size in shape[start:end + 1]:
        middle *= size
    return reshape(input, shape[:start] + (middle,) + shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    d = normalize_dim(dim, input.ndim)
    shape = input._view.shape
    inner = infer_shape(tuple(sizes), shape[d])
    return reshape(input, shape[:d] + inner + shape[d + 1:])


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    d = normalize_dim(dim, input.ndim)
    size = input._view.shape[d]
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    spec = full_slice_spec(input._view.shape)
    spec.dims[d] = (start, length, 1, True)
    return Slice.apply(input, spec.frozen())


def contiguous(input: Tensor) -> Tensor:
    return Copy.apply(input)


def clone(input: Tensor) -> Tensor:
    return Copy.apply(input)


def flip(input: Tensor, *dims: Any) -> Tensor:
    dims = _shape_argument(dims)
    dims = tuple(normalize_dim(d, max(input.ndim, 1)) for d in dims)
    if input.ndim == 0:  # flipping the one element of a 0-d tensor: a copy
        return Copy.apply(input)
    return Flip.apply(input, dims)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    tensors = [t for t in tensors if not (t.ndim == 1 and t.numel() == 0)] or tensors[:1]
    d = normalize_dim(dim, tensors[0].ndim)
    reference = tensors[0]._view.shape
    for index, tensor in enumerate(tensors):
        if tensor.ndim != len(reference):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(reference)} "
                               f"and {tensor.ndim}")
        for axis, (a, b) in enumerate(zip(reference, tensor._view.shape)):
            if axis != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                                   f"size {a} but got size {b} for tensor number {index} in the "
                                   "list.")
    return Cat.apply(d, *promote(*tensors))


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for index, tensor in enumerate(tensors):
        if tensor.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(tensors[0].shape)} at entry 0 and {list(tensor.shape)} at "
                               f"entry {index}")
    d = normalize_dim(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    d = normalize_dim(dim, input.ndim)
    size = input._view.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sections = [min(step, size - start) for start in range(0, size, step)] if step else [0]
    else:
        sections = list(split_size_or_sections)
        if sum(sections) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{sections}")
    pieces, start = [], 0
    for length in sections:
        pieces.append(narrow(input, d, start, length))
        start += length
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: 0")
    size = input._view.shape[normalize_dim(dim, input.ndim)]
    step = -(-size // chunks) if size else 1
    return split(input, step, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    d = normalize_dim(dim, input.ndim)
    return tuple(squeeze(piece, d) for piece in split(input, 1, d))


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile input: a (2, 3) tensor repeated (2, 2) is (4, 6): an expand of a reshape, copied."""
    repeats = _shape_argument(sizes)
    if len(repeats) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    shape = (1,) * (len(repeats) - input.ndim) + tuple(input._view.shape)
    interleaved = tuple(v for size in shape for v in (1, size))
    expanded = tuple(v for count, size in zip(repeats, shape) for v in (count, size))
    final = tuple(count * size for count, size in zip(repeats, shape))
    return reshape(expand(reshape(input, interleaved), expanded), final)


def constant_pad(input: Tensor, pad: Any, value: Any = None) -> Tensor:
    """Pad with a constant (0 by default), torch's order: (left, right, top, bottom, ...).

    Negative pads crop. The other modes (reflect, replicate, circular) live in ops/padding.py."""
    pads = tuple(int(p) for p in pad)
    if len(pads) % 2 or len(pads) // 2 > input.ndim:
        raise RuntimeError("Padding length must be divisible by 2 and at most twice the number of "
                           "dimensions of the input")
    return Pad.apply(input, pads, 0 if value is None else value)
