"""Scaled dot-product attention: every query looks at every key and mixes the values.

    scores  = Q K^T * scale + mask        (..., L, S)   scale = 1 / sqrt(E) by default
    weights = softmax(scores, dim=-1)      (..., L, S)   each query's weights sum to 1
    output  = dropout(weights) V           (..., L, Ev)

The mask is a float tensor added to the scores (-inf hides a key) or a bool tensor (True: the
key takes part); is_causal hides the keys after each query (query i sees keys 0..i). A query that
can see no key at all outputs zeros, as in PyTorch.

Two ways to compute it:
  * the fused primitive (kernels/attention.py, FlashAttention's online softmax): used whenever
    no dropout is asked for and the mask needs no gradient. It never stores the L x S weights:
    its backward recomputes them from the row's log-sum-exp (`FlashAttention` below).
  * the composite of matmul, softmax, dropout and matmul: when dropout_p > 0 (the dropped
    weights must exist to be dropped), when the mask itself needs a gradient, and for
    nn.MultiheadAttention's need_weights=True, which returns the weights.
"""

from __future__ import annotations

import math
from typing import Any

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.tracing import observe_attention
from ..creation import arange, full
from ..dtypes import bool_
from ..tensor import Tensor
from ..views import broadcast_shapes
from . import lowering
from .dropout import dropout as _dropout
from .selection import where
from .softmax import softmax


class FlashAttention(Function):
    """O = softmax(Q K^T * scale + bias, causal) V, 4-D (B, H, L, ·);  see kernels/attention.py

    dV = P^T dO,  dP = dO V^T,  dS = P * (dP - rowsum(dO * O)),  dQ = dS K scale,
    dK = dS^T Q scale, with P recomputed from the saved lse."""

    node_name = "ScaledDotProductFlashAttentionBackward0"

    @staticmethod
    def forward(ctx, q, k, v, bias, causal, scale):
        out, lse = lowering.attention(q, k, v, bias, causal, scale)
        ctx.save_for_backward(q, k, v, bias, out, lse)
        ctx.causal, ctx.scale = causal, scale
        return out

    @staticmethod
    def backward(ctx, dout):
        q, k, v, bias, out, lse = ctx.saved_tensors
        if is_grad_enabled():  # create_graph=True: the same formulas with Tensor ops
            grads = _backward_ops(q, k, v, bias, dout, ctx.causal, ctx.scale)
        else:
            grads = lowering.attention_backward(q, k, v, bias, out, dout, lse, ctx.causal,
                                                ctx.scale)
        return (*grads, None, None, None)


def _causal_hidden(length: int, source: int, device: Any) -> Tensor:
    """(L, S) bool, True where key j comes after query i (j > i): what is_causal hides."""
    return arange(source, device=device)[None, :] > arange(length, device=device)[:, None]


def _backward_ops(q, k, v, bias, dout, causal, scale):
    """FlashAttention's backward with Tensor ops, P and O recomputed differentiably from q, k, v
    (so a second backward also sees how P depends on them through the softmax's sum)."""
    p = attention_weights(q, k, bias, causal, scale)  # (B, H, L, S)
    out = p @ v
    dp = dout @ v.transpose(-2, -1)
    ds = p * (dp - (dout * out).sum(-1, keepdim=True)) * scale
    return ds @ k, ds.transpose(-2, -1) @ q, p.transpose(-2, -1) @ dout


def _check(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None,
           is_causal: bool) -> None:
    """PyTorch's messages for the inputs scaled_dot_product_attention refuses."""
    if attn_mask is not None and is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {_c_name(query)} key.dtype: {_c_name(key)} and "
                           f"value.dtype: {_c_name(value)} instead.")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, "
                           f"but got query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: "
                           f"{value.ndim} instead.")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"Expected query, key and value to have matching sizes, but got query "
                           f"{list(query.shape)}, key {list(key.shape)} and value "
                           f"{list(value.shape)}")
    if attn_mask is not None and attn_mask.dtype is not bool_ and attn_mask.dtype != query.dtype:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                           f"dtype, but got attn_mask.dtype: {_c_name(attn_mask)} and  "
                           f"query.dtype: {_c_name(query)} instead.")


def _c_name(t: Tensor) -> str:
    """The C type name PyTorch's messages use (float, double, long int, ...)."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "bool": "bool", "uint8": "unsigned char"}.get(
        str(t.dtype).rsplit(".", 1)[-1], str(t.dtype))


def _as_bias(attn_mask: Tensor | None, dtype: Any) -> Tensor | None:
    """A bool mask (True: take part) as the float bias it means (0 or -inf)."""
    if attn_mask is None or attn_mask.dtype is not bool_:
        return attn_mask
    return full((), float("-inf"), dtype=dtype, device=attn_mask.device).masked_fill(
        attn_mask, 0.0)


def _four_d(x: Tensor, lead: tuple[int, ...]) -> Tensor:
    """x broadcast to lead + its last two dims, as (B, H, ·, ·) (views where possible)."""
    x = x.expand(*lead, *x.shape[-2:])
    if len(lead) == 2:
        return x
    if len(lead) < 2:
        return x.reshape(1, *((1,) * (1 - len(lead))), *lead, *x.shape[-2:])
    return x.reshape(math.prod(lead[:-1]), lead[-1], *x.shape[-2:])


def _repeat_heads(x: Tensor, groups: int) -> Tensor:
    """(..., Hkv, S, E) -> (..., Hkv * groups, S, E), each head repeated groups times in place."""
    expanded = x.unsqueeze(-3).expand(*x.shape[:-2], groups, *x.shape[-2:])
    return expanded.reshape(*x.shape[:-3], x.shape[-3] * groups, *x.shape[-2:])


def attention_weights(query: Tensor, key: Tensor, bias: Tensor | None, is_causal: bool,
                      scale: float) -> Tensor:
    """softmax(Q K^T * scale + bias) (..., L, S), composite; rows that see no key are zeros."""
    scores = query @ key.transpose(-2, -1) * scale  # (..., L, S)
    if is_causal:
        causal = full((), float("-inf"), dtype=query.dtype, device=query.device).masked_fill(
            ~_causal_hidden(query.shape[-2], key.shape[-2], query.device), 0.0)  # (L, S)
        bias = causal if bias is None else bias + causal
    if bias is None:
        return softmax(scores, -1)
    scores = scores + bias
    visible = (scores != float("-inf")).any(-1, keepdim=True)  # (..., L, 1)
    return where(visible, softmax(where(visible, scores, 0.0), -1), 0.0)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + mask) V: (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev)."""
    _check(query, key, value, attn_mask, is_causal)
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        groups = query.shape[-3] // key.shape[-3]  # each key/value head serves `groups` heads
        key, value = _repeat_heads(key, groups), _repeat_heads(value, groups)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    bias = _as_bias(attn_mask, query.dtype)
    if dropout_p > 0 or (bias is not None and bias.requires_grad):
        weights = attention_weights(query, key, bias, is_causal, scale)
        kept = _dropout(weights, dropout_p, True) if dropout_p > 0 else weights
        output = kept @ value
        observe_attention(output, lambda: weights.detach().numpy())  # viz: heat maps
        return output
    lead = broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2],
                            *([bias.shape[:-2]] if bias is not None else []))
    shape = (*lead, query.shape[-2], value.shape[-1])
    if bias is not None:
        bias = bias.expand(*lead, query.shape[-2], key.shape[-2])
    q4, k4, v4 = (_four_d(t, lead) for t in (query, key, value))
    b4 = None if bias is None else _four_d(bias, lead)
    output = FlashAttention.apply(q4, k4, v4, b4, bool(is_causal), scale)
    # viz: the fused kernel never stores the weights; a trace that shows them recomputes them
    observe_attention(output, lambda: attention_weights(q4, k4, b4, bool(is_causal), scale)
                      .detach().numpy())
    return output.reshape(shape)
