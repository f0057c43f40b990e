"""Embedding: look up rows of a weight table by integer index.

    y[..., :] = W[index[...], :]                  W: (num_embeddings, dim),  y: index.shape + (dim,)
    dW[j] = sum of the dy rows whose index is j   (an index_add: repeated indices accumulate)

padding_idx marks a row that never receives gradient (it stays the "nothing here" vector);
scale_grad_by_freq divides each row's gradient by how often its index occurs in the batch (counted
with index_add on the tensors' own device);
max_norm rescales, in place, the looked-up rows whose norm exceeds it before the lookup.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..creation import tensor
from ..dtypes import int32, int64
from ..tensor import Tensor
from . import lowering
from .indexing import IndexAdd


def _host(index: Tensor) -> np.ndarray:
    """The index values as a NumPy array (copied off the GPU when needed)."""
    return index.numpy() if index.device.type == "cpu" else index.cpu().numpy()


def _frequencies(flat_index: Tensor, num_embeddings: int, like: Tensor) -> Tensor:
    """(K,) how often each looked-up index occurs in the batch, counted on the tensors' device:
    counts = zeros(num_embeddings).index_add(0, index, ones), then read back at each index."""
    ones = lowering.full((flat_index._view.shape[0],), 1, like.dtype, like.device)
    zeros = lowering.full((num_embeddings,), 0, like.dtype, like.device)
    counts = lowering.index_add(zeros, 0, flat_index, ones)  # (num_embeddings,)
    return lowering.index_select(counts, 0, flat_index)


class Embedding(Function):
    """y = W[index];  dW = zeros.index_add(0, index, dy) (padding row excluded)"""

    @staticmethod
    def forward(ctx, weight, flat_index, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(flat_index)
        ctx.weight_shape = weight._view.shape
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return lowering.index_select(weight, 0, flat_index)  # (K, dim)

    @staticmethod
    def backward(ctx, dy):
        (flat_index,) = ctx.saved_tensors
        rows = dy  # (K, dim)
        if ctx.padding_idx is not None:
            rows = rows * (flat_index != ctx.padding_idx).unsqueeze(1).to(dy.dtype)
        if ctx.scale_grad_by_freq:
            rows = rows / _frequencies(flat_index, ctx.weight_shape[0], dy).unsqueeze(1)
        return IndexAdd.apply(dy.new_zeros(ctx.weight_shape), 0, flat_index, rows), None, None, None


def _renormalize(weight: Tensor, flat_index: Tensor, max_norm: float, norm_type: float) -> None:
    """Rows of weight used by flat_index with norm > max_norm are scaled to max_norm, in place."""
    with no_grad():
        used = tensor(np.unique(_host(flat_index)), device=weight.device)
        rows = weight.index_select(0, used)
        norms = rows.norm(norm_type, dim=1, keepdim=True)
        scale = (max_norm / (norms + 1e-7)).clamp(max=1.0)
        weight[used] = rows * scale


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """F.embedding: the rows of weight at the positions in input (any shape of int indices)."""
    if input.dtype not in (int64, int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.type()} instead "
                           "(while checking arguments for embedding)")
    if sparse:
        raise RuntimeError("tinygrad_edu has no sparse gradients: use sparse=False")
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx % rows
    flat_index = input.reshape(-1).to(int64)
    values = _host(flat_index)
    if values.size and (values.min() < 0 or values.max() >= rows):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renormalize(weight, flat_index, max_norm, norm_type)
    looked_up = Embedding.apply(weight, flat_index, padding_idx, scale_grad_by_freq)
    return looked_up.reshape(*input.shape, weight.shape[1])
