"""The rest of torch.functional: small helpers over reshape, expand, cat and matmul.

    atleast_1d/2d/3d(x)    x with leading (and for 3-d, trailing) size-1 dims added up to n dims
    broadcast_tensors(*ts) every tensor expanded to the common broadcast shape (views, no copy)
    cartesian_prod(*ts)    every combination of one element per 1-D tensor, as rows
    block_diag(*ts)        the matrices along the diagonal of one big zero matrix
    chain_matmul(*ms)      m1 @ m2 @ ... @ mn                  tensordot: sum over paired dims
    unravel_index(i, shape) flat indices back to coordinates (a tuple, one tensor per dim)

Each is differentiable through the ops it is made of.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from ..views import broadcast_shapes as _broadcast_shapes
from .movement import cat, stack


def _tensors(tensors: tuple) -> tuple:
    return tuple(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) \
        else tensors


def _atleast(tensors: tuple, n: int) -> Any:
    results = []
    for x in _tensors(tensors):
        if n == 3 and x.ndim == 2:
            x = x.unsqueeze(-1)  # (a, b) -> (a, b, 1), as NumPy
        elif n == 3 and x.ndim == 1:
            x = x.reshape(1, x.shape[0], 1)  # (a,) -> (1, a, 1)
        while x.ndim < n:
            x = x.unsqueeze(0)
        results.append(x)
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    return results[0] if single else tuple(results)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least one dim (a 0-d one becomes (1,))."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two dims ((a,) becomes (1, a))."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least three dims ((a,) -> (1, a, 1), (a, b) -> (a, b, 1))."""
    return _atleast(tensors, 3)


def broadcast_shapes(*shapes: Any) -> Any:
    """The shape that tensors of these shapes (or ints, as 1-D sizes) broadcast to."""
    from ..tensor import Size

    as_tuples = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    if not as_tuples:
        return Size(())
    try:
        return Size(_broadcast_shapes(*as_tuples))
    except RuntimeError:
        raise RuntimeError("Shape mismatch: objects cannot be broadcast to a single shape.  "
                           f"Mismatch is between {list(as_tuples)}") from None


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """All tensors expanded to their common broadcast shape."""
    tensors = _tensors(tensors)
    shape = _broadcast_shapes(*(tuple(t.shape) for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """(n1 * n2 * ..., k) rows holding every combination of one element per 1-D input."""
    tensors = _tensors(tensors)
    if len(tensors) == 1:
        return tensors[0]
    sizes = [t.shape[0] for t in tensors]
    columns = []
    for i, t in enumerate(tensors):  # column i: t repeated in the grid's dim i
        shape = [1] * len(tensors)
        shape[i] = sizes[i]
        columns.append(t.reshape(shape).expand(sizes).reshape(-1))
    return stack(columns, 1)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block diagonal matrix: the inputs (0-d, 1-d as a row, or 2-d) along its diagonal."""
    from ..creation import zeros

    blocks = [t.reshape(1, -1) if t.ndim < 2 else t for t in _tensors(tensors)]
    if any(b.ndim > 2 for b in blocks):
        raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions")
    if not blocks:
        return zeros(1, 0)
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:  # each block with zeros to its left and right: one band of rows
        before = zeros(b.shape[0], left, dtype=b.dtype, device=b.device)
        after = zeros(b.shape[0], width - left - b.shape[1], dtype=b.dtype, device=b.device)
        rows.append(cat([before, b, after], 1))
        left += b.shape[1]
    dtype = rows[0].dtype
    for r in rows[1:]:
        dtype = (r[:0, :0] + rows[0][:0, :0]).dtype if r.dtype is not dtype else dtype
    return cat([r.to(dtype) for r in rows], 0)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of 2-D matrices, left to right (deprecated in PyTorch for linalg.multi_dot)."""
    matrices = _tensors(matrices)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    result = matrices[0]
    for m in matrices[1:]:
        result = result @ m
    return result


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Tensor | None = None) -> Tensor:
    """Sum of a * b over paired dims: dims=n pairs a's last n with b's first n, or two lists."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    elif isinstance(dims, Tensor):
        pairs = dims.tolist()
        dims_a, dims_b = ([pairs[0]], [pairs[1]]) if isinstance(pairs[0], int) else pairs
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    dims_a = [d % a.ndim for d in dims_a]
    dims_b = [d % b.ndim for d in dims_b]
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    size = 1
    for d in dims_a:
        size *= a.shape[d]
    left = a.permute(*free_a, *dims_a).reshape(-1, size)  # (free a, summed)
    right = b.permute(*dims_b, *free_b).reshape(size, -1)  # (summed, free b)
    shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    result = (left @ right).reshape(shape)
    return result if out is None else out.copy_(result)


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """Flat indices into a tensor of this shape, turned back into one coordinate tensor per dim."""
    from ..creation import tensor as _tensor

    if not isinstance(indices, Tensor):
        indices = _tensor(indices)
    if indices.dtype.category != 1:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    total = 1
    for s in shape:
        total *= s
    flat = indices.long() % total if total else indices.long()  # wraps around, as PyTorch
    coordinates = []
    for s in reversed(shape):  # last dim varies fastest
        coordinates.append(flat % s)
        flat = flat // s
    return tuple(reversed(coordinates))
