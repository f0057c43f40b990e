"""Sorting and selection: sort, argsort, topk, kthvalue, median, mode, unique, searchsorted.

One primitive does the work (kernels/sort.py: a stable sort with the original index of each
value); the rest are a few lines over it:

    topk(x, k)        the first k of sort(x, descending=largest)
    kthvalue(x, k)    position k - 1 of sort(x)            median(x)  position (n - 1) // 2 (the
                                                                      lower median, as PyTorch)
    mode(x)           the most frequent value (the smallest of the most frequent), its last index
    unique(x)         the sorted values where they change; inverse and counts from the run ids
    searchsorted(s, v)  how many of s come before v: sum of (s < v), or (s <= v) with right=True

Gradients: sort's backward puts dy back where each value came from (dx = scatter(dy, indices)),
and everything built from it by narrowing or gathering inherits that. Selected values get the
gradient at the index returned; bincount, unique and searchsorted return counts and positions,
which have no gradient.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..dtypes import float32, float64, int32, int64
from ..tensor import Tensor
from ..views import normalize_dim
from . import lowering
from .movement import cat
from .reduce import values_indices
from .selection import where


class Sort(Function):
    """(values, indices) = stable sort of x along dim;  dx = dy scattered back to the indices"""

    @staticmethod
    def forward(ctx, x, dim, descending):
        values, indices = lowering.sort(x, dim, descending)
        ctx.shape, ctx.dim = x._view.shape, dim
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return values, indices

    @staticmethod
    def backward(ctx, dy, _indices_grad):
        (indices,) = ctx.saved_tensors
        return dy.new_zeros(ctx.shape).scatter_add(ctx.dim, indices, dy), None, None


def _sorted(input: Tensor, dim: int, descending: bool) -> tuple[Tensor, Tensor, int]:
    """(values, indices, dim) with 0-d inputs treated as one-element rows."""
    dim = normalize_dim(dim, input.ndim)
    if input.ndim == 0:
        values, indices = Sort.apply(input.reshape(1), 0, descending)
        return values.reshape(()), indices.reshape(()), 0
    values, indices = Sort.apply(input, dim, descending)
    return values, indices, dim


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False, *,
         out: Any = None) -> Any:
    """(values, indices) sorted along dim. Always stable (stable=False allows any order of ties;
    this one keeps them in input order, like stable=True)."""
    values, indices, _ = _sorted(input, dim, descending)
    if out is not None:
        out[0].copy_(values)
        out[1].copy_(indices)
        return values_indices(out[0], out[1])
    return values_indices(values, indices)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
            ) -> Tensor:
    """The indices that sort input along dim."""
    return _sorted(input, dim, descending)[1]


def msort(input: Tensor) -> Tensor:
    """sort along dim 0, values only."""
    return _sorted(input, 0, False)[0]


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
         ) -> Any:
    """(values, indices) of the k largest (or smallest) along dim, best first. Among equal values
    the indices may differ from PyTorch's, which does not specify them."""
    size = input.shape[dim] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    values, indices, d = _sorted(input, dim, descending=largest)
    if input.ndim == 0:
        return values_indices(values, indices)
    return values_indices(values.narrow(d, 0, k), indices.narrow(d, 0, k))


def _select(values: Tensor, indices: Tensor, dim: int, position: Tensor | int, keepdim: bool,
            scalar: bool) -> Any:
    """values / indices at one position along dim (a number or a per-row tensor)."""
    if scalar:
        return values_indices(values, indices)
    if isinstance(position, int):
        chosen = values.narrow(dim, position, 1), indices.narrow(dim, position, 1)
    else:
        chosen = values.gather(dim, position), indices.gather(dim, position)
    if not keepdim:
        chosen = chosen[0].squeeze(dim), chosen[1].squeeze(dim)
    return values_indices(*chosen)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """(values, indices) of the k-th smallest along dim (k counts from 1)."""
    dim = normalize_dim(dim, input.ndim)
    size = input.shape[dim] if input.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    values, indices, dim = _sorted(input, dim, False)
    return _select(values, indices, dim, k - 1, keepdim, input.ndim == 0)


def _median(input: Tensor, dim: Any, keepdim: bool, ignore_nan: bool, name: str) -> Any:
    if dim is None:
        if input.numel() == 0:
            return input.new_full((), float("nan"))
        return _median(input.reshape(-1), 0, False, ignore_nan, name).values
    dim = normalize_dim(dim, input.ndim)
    if input.ndim and input.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    values, indices, dim = _sorted(input, dim, False)
    if input.ndim == 0:
        return values_indices(values, indices)
    size = input.shape[dim]
    nan_count = values.isnan().sum(dim, keepdim=True)  # (..., 1, ...): NaN sort last
    if ignore_nan:  # the lower median of the numbers; NaN only for an all-NaN row
        position = ((size - nan_count) - 1).clamp(min=0) // 2
    else:  # any NaN makes the median NaN: the first NaN's position
        position = where(nan_count > 0, size - nan_count, (size - 1) // 2)
    return _select(values, indices, dim, position, keepdim, False)


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median: position (n - 1) // 2 of the sorted values (NaN if there is one);
    with dim, (values, indices)."""
    return _median(input, dim, keepdim, False, "median")


def nanmedian(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """median ignoring NaN."""
    return _median(input, dim, keepdim, True, "nanmedian")


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """(values, indices): the most frequent value along dim (the smallest of several) and the
    last index where it occurs."""
    dim = normalize_dim(dim, input.ndim)
    if input.ndim == 0:
        return values_indices(input.clone(), input.new_zeros((), dtype=int64))
    x = input.transpose(dim, -1)  # (..., n): the mode's dim last
    if x.shape[-1] == 0:
        raise IndexError(f"mode(): Expected reduction dim {dim} to have non-zero size.")
    ordered = _sorted(x.detach(), -1, False)[0]  # (..., n)
    counts = (ordered.unsqueeze(-1) == ordered.unsqueeze(-2)).sum(-1)  # (..., n) copies of each
    first_best = (counts == counts.amax(-1, keepdim=True)).int().argmax(-1, keepdim=True)
    value = ordered.gather(-1, first_best)  # (..., 1): the smallest most frequent value
    positions = lowering.arange(0, 1, x.shape[-1], int64, x.device)  # (n,)
    index = where(x.detach() == value, positions, -1).amax(-1, keepdim=True)  # last occurrence
    values = x.gather(-1, index)  # differentiable: the gradient goes to that index
    values, index = values.transpose(-1, dim), index.transpose(-1, dim)  # dim back in place
    if not keepdim:
        values, index = values.squeeze(dim), index.squeeze(dim)
    return values_indices(values, index)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values in ascending order; optionally where each input element went
    (inverse) and how often each value occurs (counts)."""
    if dim is not None:
        return _unique_dim(input, return_inverse, return_counts, dim)
    flat = input.detach().reshape(-1)  # (n,)
    values, order, _ = _sorted(flat, 0, False)
    n = flat.numel()
    if n:
        starts = values[1:] != values[:-1]  # (n - 1,): a new value begins here
        new_value = cat([lowering.full((1,), True, starts.dtype, flat.device), starts])  # (n,)
    else:
        new_value = values != values
    distinct = values[new_value]
    results: list[Tensor] = [distinct]
    if return_inverse:
        run_id = new_value.long().cumsum(0) - 1  # (n,): which distinct value, in sorted order
        inverse = run_id.new_zeros((n,)).scatter_add(0, order, run_id)
        results.append(inverse.reshape(input.shape))
    if return_counts:
        boundaries = new_value.nonzero().reshape(-1)  # (u,) where each run starts
        ends = cat([boundaries[1:], lowering.full((1,), n, int64, flat.device)])
        results.append(ends - boundaries)
    return results[0] if len(results) == 1 else tuple(results)


def _unique_dim(input: Tensor, return_inverse: bool, return_counts: bool, dim: int) -> Any:
    """unique slices along dim, ordered lexicographically (computed on the host: the number of
    results is only known after comparing whole slices)."""
    dim = normalize_dim(dim, input.ndim)
    array = input.detach().cpu().numpy()
    values, inverse, counts = np.unique(array, axis=dim, return_inverse=True, return_counts=True)
    from .conversion import to

    results = [to(Tensor(values), input.device)]
    if return_inverse:
        results.append(to(Tensor(inverse.reshape(-1).astype(np.int64)), input.device))
    if return_counts:
        results.append(to(Tensor(counts.astype(np.int64)), input.device))
    return results[0] if len(results) == 1 else tuple(results)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """counts[v] = how many times v occurs in a 1-D non-negative integer tensor (or the sum of
    the weights at those places)."""
    if input.ndim != 1 or input.dtype.is_floating_point or input.dtype.name == "bool" or (
            input.numel() and int(input.min().item()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    length = builtins.max(int(input.max().item()) + 1 if input.numel() else 0, minlength)
    index = input.long()
    if weights is None:
        ones = lowering.full(tuple(index.shape), 1, int64, index.device)
        return lowering.full((length,), 0, int64, index.device).scatter_add(0, index, ones)
    if weights.shape != input.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    result_dtype = weights.dtype if weights.dtype in (float32, float64) else float64
    weights = weights.to(result_dtype)
    return weights.new_zeros((length,)).scatter_add(0, index, weights)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Tensor | None = None
                 ) -> Tensor:
    """For each value v: the index where v would be inserted to keep each row of
    sorted_sequence sorted = how many entries are < v (<= v with right=True / side='right')."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    if sorter is not None:
        sorted_sequence = sorted_sequence.gather(-1, sorter)
    scalar = not isinstance(input, Tensor)
    values = sorted_sequence.new_full((), input) if scalar else input
    if sorted_sequence.ndim > 1 and sorted_sequence.shape[:-1] != values.shape[:-1]:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the "
                           "first N-1 dimensions of boundaries tensor and input value tensor must "
                           "match")
    boundaries = sorted_sequence.detach().unsqueeze(-2)  # (..., 1, m)
    v = values.detach().unsqueeze(-1)  # (..., k, 1)
    before = (boundaries <= v) if right else (boundaries < v)  # (..., k, m)
    result = before.sum(-1)
    return result.to(int32) if out_int32 else result


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
              ) -> Tensor:
    """The bucket of each value: i with boundaries[i-1] < x <= boundaries[i] (right=True:
    boundaries[i-1] <= x < boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
