"""Layout ops: triangles, diagonals, rolls, rotations, sliding windows (im2col) and grids.

Most of these are *views* or short compositions of movement ops, which is the lesson: a diagonal
is a strided view (one stride that is the sum of two), a sliding window is a view whose windows
overlap, `rot90` is a flip and a transpose, `roll` is two slices joined.

    diagonal:  y[..., i] = x[..., i, i + offset]        (a view: stride s1 + s2)
               dx = zeros(x.shape) with dy written on that diagonal
    unfold:    y[..., w, k] = x[..., w * step + k]      (a view: the windows overlap)
               dx[j] = sum of dy[w, k] over every (w, k) with w * step + k = j
    tril/triu: y = x where the element is on the kept side of the diagonal, else 0;  dx = dy there
    F.unfold:  im2col, the sliding windows of an image laid out as columns (conv = matmul on them)
    F.fold:    col2im, its adjoint: every column added back into the image where it came from
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from ..autograd.function import Function
from ..dtypes import int64
from ..kernels import View
from ..tensor import Tensor
from ..views import broadcast_shapes, full_slice_spec, normalize_dim
from . import lowering
from .indexing import gather, index_select
from .movement import (
    SliceScatter,
    cat,
    expand,
    flatten,
    flip,
    narrow,
    permute,
    reshape,
    transpose,
    unsqueeze,
)
from .operands import scalar_tensor
from .selection import where


# --- the diagonal view and its scatter -----------------------------------------------------------
def _diagonal_view(view: View, offset: int, dim1: int, dim2: int) -> View:
    """The view of x[..., i, i + offset] over dims (dim1, dim2), moved to the end."""
    size1, size2 = view.shape[dim1], view.shape[dim2]
    stride1, stride2 = view.strides[dim1], view.strides[dim2]
    if offset >= 0:
        length, start = max(min(size1, size2 - offset), 0), offset * stride2
    else:
        length, start = max(min(size1 + offset, size2), 0), -offset * stride1
    keep = [d for d in range(len(view.shape)) if d not in (dim1, dim2)]
    shape = tuple(view.shape[d] for d in keep) + (length,)
    strides = tuple(view.strides[d] for d in keep) + (stride1 + stride2,)
    return View(shape, strides, view.offset + (start if length else 0))


class Diagonal(Function):
    """y[..., i] = x[..., i, i + offset] (a view);  dx = zeros(x.shape), dx's diagonal = dy"""

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.args = x._view.shape, (offset, dim1, dim2)
        return lowering.view_of(x, _diagonal_view(x._view, offset, dim1, dim2))

    @staticmethod
    def backward(ctx, dy):
        return DiagonalScatter.apply(dy, ctx.shape, *ctx.args), None, None, None


class DiagonalScatter(Function):
    """y = zeros(shape) with x written on the diagonal (offset, dim1, dim2);  dx = dy's diagonal"""

    @staticmethod
    def forward(ctx, x, shape, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        result = lowering.full(shape, 0, x.dtype, x.device)
        target = _diagonal_view(result._view, offset, dim1, dim2)
        lowering.copy_into(lowering.view_of(result, target), x)
        return result

    @staticmethod
    def backward(ctx, dy):
        return Diagonal.apply(dy, *ctx.args), None, None, None, None


class Windows(Function):
    """y[..., w, ..., k] = x[..., w * step + k, ...] (a view);  dx[j] = sum over w*step+k = j of dy

    The backward adds `size` strided slices: slice k of dy lands on positions k, k + step, ..."""

    node_name = "UnfoldBackward0"

    @staticmethod
    def forward(ctx, x, dim, size, step):
        shape, strides = list(x._view.shape), list(x._view.strides)
        ctx.shape, ctx.dim, ctx.size, ctx.step = tuple(shape), dim, size, step
        count = (shape[dim] - size) // step + 1 if x._view.shape else 1
        if x._view.shape:
            shape[dim], strides[dim] = count, strides[dim] * step
            base_stride = x._view.strides[dim]
        else:
            base_stride = 1
        return lowering.view_of(x, View(tuple(shape) + (size,), tuple(strides) + (base_stride,),
                                        x._view.offset))

    @staticmethod
    def backward(ctx, dy):
        if not ctx.shape:
            return dy.reshape(()), None, None, None
        count = dy.shape[ctx.dim]
        dx = None
        for k in range(ctx.size):
            spec = full_slice_spec(ctx.shape)
            spec.dims[ctx.dim] = (k, count, ctx.step, True)
            part = SliceScatter.apply(dy[..., k], ctx.shape, spec.frozen())
            dx = part if dx is None else dx + part
        if dx is None:  # size 0: no window reads anything
            dx = lowering.full(ctx.shape, 0, dy.dtype, dy.device)
        return dx, None, None, None


# --- triangles ----------------------------------------------------------------------------------
def _triangle(name: str, input: Tensor, diagonal: int) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols = input.shape[-2], input.shape[-1]
    row = lowering.arange(0, 1, rows, int64, input.device).reshape(rows, 1)  # (rows, 1)
    col = lowering.arange(0, 1, cols, int64, input.device).reshape(1, cols)  # (1, cols)
    keep = (col - row <= diagonal) if name == "tril" else (col - row >= diagonal)  # (rows, cols)
    return where(keep, input, scalar_tensor(0, input.dtype, input))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle: y[i, j] = x[i, j] if j - i <= diagonal else 0;  dx = tril(dy)."""
    return _triangle("tril", input, diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle: y[i, j] = x[i, j] if j - i >= diagonal else 0;  dx = triu(dy)."""
    return _triangle("triu", input, diagonal)


# --- diagonals ----------------------------------------------------------------------------------
def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """y[..., i] = x[..., i, i + offset], a view with the diagonal as the last dim."""
    ndim = input.ndim
    if ndim < 2:
        raise RuntimeError(f"diagonal dimensions requires ndim larger than 1, but got {ndim}")
    d1, d2 = normalize_dim(dim1, ndim), normalize_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The last dim of x becomes the diagonal of new (dim1, dim2) matrices: the adjoint of
    diagonal();  dx = dy.diagonal(offset, dim1, dim2)."""
    ndim = input.ndim + 1
    d1, d2 = normalize_dim(dim1, ndim), normalize_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = input.shape[-1] + abs(int(offset))
    batch = iter(input.shape[:-1])
    shape = tuple(size if d in (d1, d2) else next(batch) for d in range(ndim))
    return DiagonalScatter.apply(input, shape, int(offset), d1, d2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector becomes a square matrix with it on the `diagonal`-th diagonal; a matrix gives its
    diagonal as a vector (a copy)."""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return Diagonal.apply(input, int(diagonal), 0, 1).contiguous()
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{input.ndim}D")


def trace(input: Tensor) -> Tensor:
    """sum_i x[i, i];  dx = dy on the diagonal, 0 elsewhere."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return Diagonal.apply(input, 0, 0, 1).sum()


# --- rolls and rotations -------------------------------------------------------------------------
def _as_tuple(value: Any) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """y[(i + shift) % n] = x[i] along each dim: two slices of x joined the other way round.
    With dims=None the tensor is rolled as if flattened;  dx = dy rolled back."""
    shifts = _as_tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: shifts and dims must align. shifts: {len(shifts)}, dims:0")
        return reshape(roll(flatten(input), shifts, 0), input.shape)
    dims = _as_tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    result = input
    for shift, dim in zip(shifts, dims):
        d = normalize_dim(dim, max(input.ndim, 1))
        size = result.shape[d] if result.ndim else 1
        if size == 0 or result.ndim == 0:
            continue
        shift %= size
        if shift:
            result = cat([narrow(result, d, size - shift, shift),
                          narrow(result, d, 0, size - shift)], d)
    return result


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90 degrees k times in the plane dims[0] -> dims[1]: a flip and a transpose."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    a, b = normalize_dim(dims[0], input.ndim), normalize_dim(dims[1], input.ndim)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and "
                           f"dim1 = {b}")
    k %= 4
    if k == 1:
        return transpose(flip(input, b), a, b)
    if k == 2:
        return flip(input, a, b)
    if k == 3:
        return flip(transpose(input, a, b), b)
    return input.clone()


# --- repeats, windows, grids ---------------------------------------------------------------------
def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element `repeats` times along dim (flattened when dim is None).

    An int repeats is an unsqueeze, an expand and a reshape (dx sums the copies); a tensor of
    repeats selects index i repeats[i] times (index_select, dx = index_add). With only a tensor
    of repeats, torch.repeat_interleave(r) returns the indices 0,0,..,1,1,.. themselves."""
    if repeats is None:  # repeat_interleave(repeats): the index vector
        counts = input
        if counts.ndim > 1 or counts.dtype.is_floating_point:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        values = [int(c) for c in counts.tolist()] if counts.ndim else [int(counts.item())]
        if any(c < 0 for c in values):
            raise RuntimeError("repeats can not be negative")
        flat = [i for i, c in enumerate(values) for _ in range(c)]
        return lowering.from_host(_np_array(flat), counts.device, counts.dtype)
    if dim is None:
        input, d = flatten(input), 0
    else:
        d = normalize_dim(dim, max(input.ndim, 1))
        if input.ndim == 0:
            input = input.reshape(1)
    size = input.shape[d]
    if isinstance(repeats, Tensor) and repeats.numel() != 1:
        if repeats.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if repeats.shape[0] != size:
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats.shape[0]} and input.size({d}) = "
                               f"{size}")
        index = repeat_interleave(repeats)  # (sum(repeats),)
        return index_select(input, d, index.to(int64))
    count = int(repeats.item()) if isinstance(repeats, Tensor) else int(repeats)
    if count < 0:
        raise RuntimeError("repeats can not be negative")
    shape = input.shape
    spread = unsqueeze(input, d + 1)  # (..., size, 1, ...)
    spread = expand(spread, shape[:d + 1] + (count,) + shape[d + 1:])
    return reshape(spread, shape[:d] + (size * count,) + shape[d + 1:])


def _np_array(values: list[int]) -> Any:
    import numpy as np

    return np.array(values, dtype=np.int64)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Tensor.unfold: every window of `size` along `dimension`, `step` apart, as a new last dim.
    A view whose windows overlap when step < size; dx adds each window's gradient back."""
    d = normalize_dim(dimension, max(input.ndim, 1))
    length = input.shape[d] if input.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return Windows.apply(input, d, size, step)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids: output i is tensor i laid along dim i and expanded to every length
    (indexing='xy' swaps the first two dims, as NumPy does);  dx_i = dy_i summed back."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    for tensor in tensors:
        if tensor.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {tensor}")
    flat = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(t.shape[0] for t in flat)
    grids = []
    for i, t in enumerate(flat):
        lined = t.reshape(tuple(-1 if j == i else 1 for j in range(len(flat))))
        grids.append(expand(lined, shape))
    if swap:  # grid 0 now belongs to input 1 and vice versa
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims `source` to positions `destination`, the others keep their order (a permute)."""
    source, destination = _as_tuple(source), _as_tuple(destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(source)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(destination)} dims)")
    ndim = input.ndim
    src = [normalize_dim(d, max(ndim, 1)) for d in source]
    dst = [normalize_dim(d, max(ndim, 1)) for d in destination]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destination)})")
    if ndim == 0:
        return permute(input, ())
    order: list[int | None] = [None] * ndim
    for s, t in zip(src, dst):
        order[t] = s
    rest = iter(d for d in range(ndim) if d not in src)
    return permute(input, tuple(o if o is not None else next(rest) for o in order))


moveaxis = movedim


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """y = x gathered at `indices` along dim, both broadcast over the other dims (flattened when
    dim is None): what argsort/argmax indices select;  dx = scatter_add of dy."""
    if indices.dtype.is_floating_point or indices.dtype.name == "bool":
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices.dtype.name.capitalize()}")
    indices = indices.to(int64)
    if dim is None:
        return gather(flatten(input), 0, flatten(indices))
    if input.ndim != indices.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number "
                           f"of dimensions, but got {input.ndim} dimensions for input, and "
                           f"{indices.ndim} dimensions for indices")
    d = normalize_dim(dim, max(input.ndim, 1))
    if input.ndim == 0:
        return gather(input, 0, indices)
    input_shape, index_shape = list(input.shape), list(indices.shape)
    input_shape[d] = index_shape[d] = 1
    common = list(broadcast_shapes(tuple(input_shape), tuple(index_shape)))
    input_target, index_target = list(common), list(common)
    input_target[d], index_target[d] = input.shape[d], indices.shape[d]
    return gather(expand(input, tuple(input_target)), d, expand(indices, tuple(index_target)))


# --- im2col and col2im (nn.functional.unfold / fold) -------------------------------------------
def _pair(value: Any, name: str) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise RuntimeError(f"{name} must be an int or a tuple of two ints")
    return int(pair[0]), int(pair[1])


def im2col(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """F.unfold: (N, C, H, W) -> (N, C*kh*kw, L), column l holding the kh x kw patch at output
    position l. Built from views: pad, two sliding-window views, a strided slice for dilation."""
    if input.ndim not in (3, 4):
        raise NotImplementedError("Input Error: Only 3D or 4D input Tensors are supported (got "
                                  f"{input.ndim}D)")
    batched = input.ndim == 4
    x = input if batched else unsqueeze(input, 0)  # (N, C, H, W)
    (kh, kw), (dh, dw) = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    (ph, pw), (sh, sw) = _pair(padding, "padding"), _pair(stride, "stride")
    if ph or pw:
        from .movement import constant_pad

        x = constant_pad(x, (pw, pw, ph, ph))
    n, c, h, w = x.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if span_h > h or span_w > w or min(kh, kw, sh, sw, dh, dw) <= 0:
        raise RuntimeError(f"Given input with spatial size ({h - 2 * ph}, {w - 2 * pw}), "
                           f"kernel_size=({kh}, {kw}), dilation=({dh}, {dw}), padding=({ph}, "
                           f"{pw}), calculated shape of the array of sliding blocks as "
                           f"({(h - span_h) // sh + 1}, {(w - span_w) // sw + 1}), but its "
                           "components must be at least one.")
    windows = unfold(unfold(x, 2, span_h, sh), 3, span_w, sw)  # (N, C, oh, ow, span_h, span_w)
    windows = windows[..., ::dh, ::dw]  # (N, C, oh, ow, kh, kw)
    oh, ow = windows.shape[2], windows.shape[3]
    columns = reshape(permute(windows, (0, 1, 4, 5, 2, 3)), (n, c * kh * kw, oh * ow))
    return columns if batched else columns.reshape(c * kh * kw, oh * ow)


def col2im(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
           padding: Any = 0, stride: Any = 1) -> Tensor:
    """F.fold: (N, C*kh*kw, L) -> (N, C, H, W), each column added back into the patch it came
    from (overlaps add up): the adjoint of F.unfold. Kernel position (i, j) is one strided
    slice-scatter; dx = unfold(dy)."""
    if input.ndim not in (2, 3):
        raise NotImplementedError("Input Error: Only unbatched (2D) or batched (3D) input Tensors "
                                  f"are supported (got {input.ndim}D)")
    batched = input.ndim == 3
    cols = input if batched else unsqueeze(input, 0)  # (N, C*kh*kw, L)
    (h, w), (kh, kw) = _pair(output_size, "output_size"), _pair(kernel_size, "kernel_size")
    (dh, dw), (ph, pw) = _pair(dilation, "dilation"), _pair(padding, "padding")
    sh, sw = _pair(stride, "stride")
    n, rows, length = cols.shape
    if rows % (kh * kw):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={rows} and "
                           f"kernel_size=({kh}, {kw})")
    padded_h, padded_w = h + 2 * ph, w + 2 * pw
    oh = (padded_h - (dh * (kh - 1) + 1)) // sh + 1
    ow = (padded_w - (dw * (kw - 1) + 1)) // sw + 1
    if oh * ow != length:
        raise RuntimeError(f"Given output_size=({h}, {w}), kernel_size=({kh}, {kw}), dilation=("
                           f"{dh}, {dw}), padding=({ph}, {pw}), stride=({sh}, {sw}), expected "
                           f"size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {oh} * {ow} = {oh * ow}, but got input.size(2)="
                           f"{length}.")
    c = rows // (kh * kw)
    patches = reshape(cols, (n, c, kh, kw, oh, ow))
    shape = (n, c, padded_h, padded_w)
    image = None
    for i in range(kh):
        for j in range(kw):
            spec = full_slice_spec(shape)
            spec.dims[2] = (i * dh, oh, sh, True)
            spec.dims[3] = (j * dw, ow, sw, True)
            part = SliceScatter.apply(patches[:, :, i, j], shape, spec.frozen())  # (N, C, H, W)
            image = part if image is None else image + part
    image = narrow(narrow(image, 2, ph, h), 3, pw, w)
    return image if batched else image.reshape(c, h, w)


__all__ = [
    "diag", "diag_embed", "diagonal", "meshgrid", "moveaxis", "movedim", "repeat_interleave",
    "roll", "rot90", "take_along_dim", "trace", "tril", "triu",
]
