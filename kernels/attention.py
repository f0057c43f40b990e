"""Attention without the n x n matrix: FlashAttention's online softmax, forward and backward.

Scaled dot-product attention, for one (batch, head) with queries Q (L, D), keys K (S, D),
values V (S, Dv), an optional additive bias B (L, S) (a float mask: 0 keeps, -inf hides) and an
optional causal mask (query i sees keys j <= i):

    scores = Q K^T * scale + B          (L, S)
    P = softmax(scores, along S)        (L, S)
    O = P V                             (L, Dv)

Written that way, scores and P are L x S matrices: for a 4k-token sequence, 16M numbers per head.
The online softmax never builds them. Keys and values are read in tiles of BLOCK_N; for a block
of queries the kernel keeps, per query row, the running maximum m, the running sum l of
e^(score - m) and the running output acc. A new tile with scores s:

    m' = max(m, max_j s_j)                       the new maximum
    acc = acc * e^(m - m') + e^(s - m') V_tile   rescale what was summed so far, add the tile
    l   = l   * e^(m - m') + sum_j e^(s_j - m')
    ...after the last tile:  O = acc / l,   lse = m + log(l)   (the log of the softmax's sum)

Backward recomputes P tile by tile from the saved lse (P = e^(scores - lse)) instead of storing
it, with D_i = sum_k dO_ik O_ik (= sum_j P_ij dP_ij):

    dV = P^T dO        dP = dO V^T        dS = P * (dP - D)        (D broadcast along S)
    dQ = dS K * scale  dK = dS^T Q * scale

A query row whose keys are all masked gets O = 0 and no gradient (PyTorch's behaviour).
Views are 4-D (B, H, L, D) with any strides; the bias is a 4-D view too, so a (L, S) mask
broadcast over batch and heads (stride 0) is read in place, never copied per head.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference (the same tiles and running statistics, vectorised over batch, heads, queries)
# ----------------------------------------------------------------------------------------------

TILE = 16  # keys per tile in the reference


def _wide(buffer: np.ndarray, view: View) -> np.ndarray:
    values = as_numpy(buffer, view)
    return values.astype(np.float32) if values.dtype == np.float16 else values


def _tile_scores(q: np.ndarray, k: np.ndarray, bias: np.ndarray | None, start: int, stop: int,
                 causal: bool, scale: float) -> np.ndarray:
    """scores of every query against keys start..stop-1: (B, H, L, stop - start), masked."""
    s = np.matmul(q, np.swapaxes(k[..., start:stop, :], -1, -2)) * q.dtype.type(scale)
    if bias is not None:
        s = s + bias[..., start:stop]
    if causal:
        rows = np.arange(q.shape[-2])[:, None]
        s = np.where(np.arange(start, stop)[None, :] > rows, -np.inf, s)
    return s


def attention_reference(q, q_view, k, k_view, v, v_view, bias, bias_view, causal: bool,
                        scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(O (B, H, L, Dv), lse (B, H, L)) by the online softmax over tiles of keys."""
    q_, k_, v_ = _wide(q, q_view), _wide(k, k_view), _wide(v, v_view)
    bias_ = None if bias is None else _wide(bias, bias_view)
    *lead, length, _ = q_.shape
    m = np.full((*lead, length), -np.inf, q_.dtype)  # running maximum per query
    total = np.zeros((*lead, length), q_.dtype)  # running sum of e^(s - m)
    acc = np.zeros((*lead, length, v_.shape[-1]), q_.dtype)  # running output
    with np.errstate(invalid="ignore", over="ignore"):
        for start in range(0, k_.shape[-2], TILE):
            stop = min(start + TILE, k_.shape[-2])
            s = _tile_scores(q_, k_, bias_, start, stop, causal, scale)  # (B, H, L, tile)
            m_new = np.maximum(m, s.max(-1))
            safe = np.where(np.isneginf(m_new), 0, m_new)  # all masked so far: nothing to scale
            alpha = np.exp(m - safe)
            p = np.exp(s - safe[..., None])
            total = total * alpha + p.sum(-1)
            acc = acc * alpha[..., None] + np.matmul(p, v_[..., start:stop, :])
            m = m_new
        out = np.where(total[..., None] > 0, acc / np.where(total > 0, total, 1)[..., None], 0)
        lse = np.where(total > 0, m + np.log(np.where(total > 0, total, 1)), -np.inf)
    return (np.ascontiguousarray(out, dtype=q.dtype).reshape(-1),
            np.ascontiguousarray(lse, dtype=q_.dtype).reshape(-1))


def attention_backward_reference(q, q_view, k, k_view, v, v_view, bias, bias_view, out,
                                 out_view, dout, dout_view, lse, lse_view, causal: bool,
                                 scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dQ, dK, dV), recomputing P one tile of keys at a time from lse."""
    q_, k_, v_ = _wide(q, q_view), _wide(k, k_view), _wide(v, v_view)
    bias_ = None if bias is None else _wide(bias, bias_view)
    do, lse_ = _wide(dout, dout_view), _wide(lse, lse_view)
    d = (do * _wide(out, out_view)).sum(-1, keepdims=True)  # (B, H, L, 1)
    dq = np.zeros(q_.shape, q_.dtype)
    dk, dv = np.zeros(k_.shape, q_.dtype), np.zeros(v_.shape, q_.dtype)
    live = ~np.isneginf(lse_)[..., None]  # rows with at least one visible key
    safe_lse = np.where(live[..., 0], lse_, 0)[..., None]
    with np.errstate(invalid="ignore", over="ignore"):
        for start in range(0, k_.shape[-2], TILE):
            stop = min(start + TILE, k_.shape[-2])
            s = _tile_scores(q_, k_, bias_, start, stop, causal, scale)
            p = np.where(live, np.exp(s - safe_lse), 0)  # (B, H, L, tile)
            dv[..., start:stop, :] = np.matmul(np.swapaxes(p, -1, -2), do)
            dp = np.matmul(do, np.swapaxes(v_[..., start:stop, :], -1, -2))
            ds = p * (dp - d) * q_.dtype.type(scale)
            dq += np.matmul(ds, k_[..., start:stop, :])
            dk[..., start:stop, :] = np.matmul(np.swapaxes(ds, -1, -2), q_)
    return tuple(np.ascontiguousarray(g, dtype=q.dtype).reshape(-1) for g in (dq, dk, dv))


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: a tiled kernel with running statistics.
#   * A program owns BLOCK_M queries of one (batch, head): its Q block, m, l and acc stay in
#     registers while K and V stream past in tiles of BLOCK_N; memory holds O and lse only.
#     (batch * head, query tile) pairs are numbered on grid axis 0, heads outermost (_tile).
#   * Backward is two kernels with no atomics: one program per key tile accumulates dK and dV
#     over every query block, one program per query block accumulates dQ over every key tile.
#     Both recompute P from lse.
#   * Causal attention skips the key tiles that lie wholly right of the diagonal.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    bits_to_float64,
    cdiv,
    compute_type,
    empty,
    float_bits,
    lane_positions,
    needs_int64,
    next_power_of_2,
    numpy_dtype,
    program_number,
    small_launches,
    tl,
    triton_kernel,
)

BLOCK_M = 16  # queries per program (tl.dot needs at least 16 on a GPU)
BLOCK_N = 16  # keys per tile


@triton_kernel
def _tile(length, BLOCK: tl.constexpr, INT64: tl.constexpr):
    """(batch * head, tile number) of this program. Both share grid axis 0, heads outermost (the
    programs of one head run side by side and share its K, V in L2): axis 1 would stop at
    65 535 batch * head pairs on a GPU."""
    program = program_number(INT64)
    tiles = (length + BLOCK - 1) // BLOCK
    return program // tiles, program % tiles


@triton_kernel
def _dot(a, b):
    """a @ b for 2-D blocks: tl.dot in IEEE float32 (no TF32 rounding); float64 by hand."""
    if a.dtype == tl.float64:
        result = tl.sum(a[:, :, None] * b[None, :, :], axis=1)
    else:
        result = tl.dot(a, b, input_precision="ieee")
    return result


@triton_kernel
def _block(ptr, offset, s0, s1, s2, s3, b, h, rows, cols, n_rows, n_cols):
    """The (rows, cols) block of a 4-D view at (b, h), zeros outside, in the compute type."""
    mask = (rows[:, None] < n_rows) & (cols[None, :] < n_cols)
    pointers = ptr + offset + b * s0 + h * s1 + rows[:, None] * s2 + cols[None, :] * s3
    return compute_type(tl.load(pointers, mask=mask, other=0))


@triton_kernel
def _scores(q, k, bias_ptr, bias_off, bs0, bs1, bs2, bs3, b, h, rows, cols, n_q, n_k, scale,
            HAS_BIAS: tl.constexpr, CAUSAL: tl.constexpr):
    """scale * q k^T (+ bias), -inf where a key is out of range or hidden by the causal mask."""
    s = _dot(q, tl.trans(k)) * scale  # (BLOCK_M, BLOCK_N)
    if HAS_BIAS:
        s += _block(bias_ptr, bias_off, bs0, bs1, bs2, bs3, b, h, rows, cols, n_q, n_k)
    hidden = cols[None, :] >= n_k
    if CAUSAL:
        hidden = hidden | (cols[None, :] > rows[:, None])
    return tl.where(hidden, float("-inf"), s)


@triton_kernel
def attention_kernel(q_ptr, q_off, qs0, qs1, qs2, qs3,   # Q (B, H, L, D) view
                     k_ptr, k_off, ks0, ks1, ks2, ks3,   # K (B, H, S, D) view
                     v_ptr, v_off, vs0, vs1, vs2, vs3,   # V (B, H, S, Dv) view
                     bias_ptr, bias_off, bs0, bs1, bs2, bs3,  # bias (B, H, L, S) view (or unused)
                     out_ptr,                            # O (B, H, L, Dv) row-major
                     lse_ptr,                            # lse (B, H, L) row-major
                     heads, n_q, n_k, dim, dim_v,        # H, L, S, D, Dv
                     scale_bits,                         # scale as float64 bits
                     HAS_BIAS: tl.constexpr, CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr,
                     BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_DV: tl.constexpr,
                     INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    bh, block = _tile(n_q, BLOCK_M, INT64)
    b, h = bh // heads, bh % heads
    rows = block * BLOCK_M + lane_positions(BLOCK_M, INT64)  # (BLOCK_M,) query positions
    d, dv = lane_positions(BLOCK_D, INT64), lane_positions(BLOCK_DV, INT64)
    q = _block(q_ptr, q_off, qs0, qs1, qs2, qs3, b, h, rows, d, n_q, dim)  # (BLOCK_M, BLOCK_D)
    scale = bits_to_float64(scale_bits).to(q.dtype)
    m = tl.full((BLOCK_M,), float("-inf"), q.dtype)  # running maximum
    total = tl.zeros((BLOCK_M,), q.dtype)  # running sum of e^(s - m)
    acc = tl.zeros((BLOCK_M, BLOCK_DV), q.dtype)  # running output
    end = tl.minimum(n_k, (block + 1) * BLOCK_M) if CAUSAL else n_k
    for start in range(0, end, BLOCK_N):
        cols = start + lane_positions(BLOCK_N, INT64)  # (BLOCK_N,) key positions
        k = _block(k_ptr, k_off, ks0, ks1, ks2, ks3, b, h, cols, d, n_k, dim)
        v = _block(v_ptr, v_off, vs0, vs1, vs2, vs3, b, h, cols, dv, n_k, dim_v)
        s = _scores(q, k, bias_ptr, bias_off, bs0, bs1, bs2, bs3, b, h, rows, cols, n_q, n_k,
                    scale, HAS_BIAS, CAUSAL)
        m_new = tl.maximum(m, tl.max(s, axis=1))
        safe = tl.where(m_new == float("-inf"), 0.0, m_new)  # all hidden so far: nothing to scale
        alpha = tl.exp(m - safe)
        p = tl.exp(s - safe[:, None])
        total = total * alpha + tl.sum(p, axis=1)
        acc = acc * alpha[:, None] + _dot(p, v)
        m = m_new
    live = total > 0
    out = tl.where(live[:, None], acc / tl.where(live, total, 1.0)[:, None], 0.0)
    lse = tl.where(live, m + tl.log(tl.where(live, total, 1.0)), float("-inf"))
    row_ok = rows < n_q
    tl.store(out_ptr + (bh * n_q + rows[:, None]) * dim_v + dv[None, :],
             out.to(out_ptr.dtype.element_ty), mask=row_ok[:, None] & (dv[None, :] < dim_v))
    tl.store(lse_ptr + bh * n_q + rows, lse.to(lse_ptr.dtype.element_ty), mask=row_ok)


@triton_kernel
def _probabilities(s, lse, rows, n_q):
    """P = e^(s - lse) recomputed; 0 for rows out of range or with no visible key."""
    live = (rows < n_q) & (lse != float("-inf"))
    return tl.where(live[:, None], tl.exp(s - tl.where(live, lse, 0.0)[:, None]), 0.0)


@triton_kernel
def attention_backward_kv_kernel(q_ptr, q_off, qs0, qs1, qs2, qs3,
                                 k_ptr, k_off, ks0, ks1, ks2, ks3,
                                 v_ptr, v_off, vs0, vs1, vs2, vs3,
                                 bias_ptr, bias_off, bs0, bs1, bs2, bs3,
                                 o_ptr, o_off, os0, os1, os2, os3,      # O (B, H, L, Dv)
                                 do_ptr, do_off, ds0, ds1, ds2, ds3,    # dO (B, H, L, Dv)
                                 lse_ptr, ls0, ls1, ls2, l_off,         # lse (B, H, L)
                                 dk_ptr, dv_ptr,                        # outputs, row-major
                                 heads, n_q, n_k, dim, dim_v, scale_bits,
                                 HAS_BIAS: tl.constexpr, CAUSAL: tl.constexpr,
                                 BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                                 BLOCK_D: tl.constexpr, BLOCK_DV: tl.constexpr,
                                 INT64: tl.constexpr = False):
    bh, block = _tile(n_k, BLOCK_N, INT64)
    b, h = bh // heads, bh % heads
    cols = block * BLOCK_N + lane_positions(BLOCK_N, INT64)  # this program's keys
    d, dv = lane_positions(BLOCK_D, INT64), lane_positions(BLOCK_DV, INT64)
    k = _block(k_ptr, k_off, ks0, ks1, ks2, ks3, b, h, cols, d, n_k, dim)  # (BLOCK_N, BLOCK_D)
    v = _block(v_ptr, v_off, vs0, vs1, vs2, vs3, b, h, cols, dv, n_k, dim_v)
    scale = bits_to_float64(scale_bits).to(k.dtype)
    dk = tl.zeros((BLOCK_N, BLOCK_D), k.dtype)
    dv_acc = tl.zeros((BLOCK_N, BLOCK_DV), k.dtype)
    first = (block * BLOCK_N // BLOCK_M) * BLOCK_M if CAUSAL else 0
    for start in range(first, n_q, BLOCK_M):
        rows = start + lane_positions(BLOCK_M, INT64)
        q = _block(q_ptr, q_off, qs0, qs1, qs2, qs3, b, h, rows, d, n_q, dim)
        do = _block(do_ptr, do_off, ds0, ds1, ds2, ds3, b, h, rows, dv, n_q, dim_v)
        o = _block(o_ptr, o_off, os0, os1, os2, os3, b, h, rows, dv, n_q, dim_v)
        lse = compute_type(tl.load(lse_ptr + l_off + b * ls0 + h * ls1 + rows * ls2,
                                   mask=rows < n_q, other=0))
        s = _scores(q, k, bias_ptr, bias_off, bs0, bs1, bs2, bs3, b, h, rows, cols, n_q, n_k,
                    scale, HAS_BIAS, CAUSAL)
        p = _probabilities(s, lse, rows, n_q)  # (BLOCK_M, BLOCK_N)
        dv_acc += _dot(tl.trans(p), do)
        dp = _dot(do, tl.trans(v))
        ds = p * (dp - tl.sum(do * o, axis=1)[:, None]) * scale
        dk += _dot(tl.trans(ds), q)
    keep = cols[:, None] < n_k
    tl.store(dk_ptr + (bh * n_k + cols[:, None]) * dim + d[None, :],
             dk.to(dk_ptr.dtype.element_ty), mask=keep & (d[None, :] < dim))
    tl.store(dv_ptr + (bh * n_k + cols[:, None]) * dim_v + dv[None, :],
             dv_acc.to(dv_ptr.dtype.element_ty), mask=keep & (dv[None, :] < dim_v))


@triton_kernel
def attention_backward_q_kernel(q_ptr, q_off, qs0, qs1, qs2, qs3,
                                k_ptr, k_off, ks0, ks1, ks2, ks3,
                                v_ptr, v_off, vs0, vs1, vs2, vs3,
                                bias_ptr, bias_off, bs0, bs1, bs2, bs3,
                                o_ptr, o_off, os0, os1, os2, os3,
                                do_ptr, do_off, ds0, ds1, ds2, ds3,
                                lse_ptr, ls0, ls1, ls2, l_off,
                                dq_ptr,                                 # output, row-major
                                heads, n_q, n_k, dim, dim_v, scale_bits,
                                HAS_BIAS: tl.constexpr, CAUSAL: tl.constexpr,
                                BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                                BLOCK_D: tl.constexpr, BLOCK_DV: tl.constexpr,
                                INT64: tl.constexpr = False):
    bh, block = _tile(n_q, BLOCK_M, INT64)
    b, h = bh // heads, bh % heads
    rows = block * BLOCK_M + lane_positions(BLOCK_M, INT64)
    d, dv = lane_positions(BLOCK_D, INT64), lane_positions(BLOCK_DV, INT64)
    q = _block(q_ptr, q_off, qs0, qs1, qs2, qs3, b, h, rows, d, n_q, dim)
    do = _block(do_ptr, do_off, ds0, ds1, ds2, ds3, b, h, rows, dv, n_q, dim_v)
    o = _block(o_ptr, o_off, os0, os1, os2, os3, b, h, rows, dv, n_q, dim_v)
    lse = compute_type(tl.load(lse_ptr + l_off + b * ls0 + h * ls1 + rows * ls2,
                               mask=rows < n_q, other=0))
    delta = tl.sum(do * o, axis=1)  # D_i = sum_k dO_ik O_ik
    scale = bits_to_float64(scale_bits).to(q.dtype)
    dq = tl.zeros((BLOCK_M, BLOCK_D), q.dtype)
    end = tl.minimum(n_k, (block + 1) * BLOCK_M) if CAUSAL else n_k
    for start in range(0, end, BLOCK_N):
        cols = start + lane_positions(BLOCK_N, INT64)
        k = _block(k_ptr, k_off, ks0, ks1, ks2, ks3, b, h, cols, d, n_k, dim)
        v = _block(v_ptr, v_off, vs0, vs1, vs2, vs3, b, h, cols, dv, n_k, dim_v)
        s = _scores(q, k, bias_ptr, bias_off, bs0, bs1, bs2, bs3, b, h, rows, cols, n_q, n_k,
                    scale, HAS_BIAS, CAUSAL)
        p = _probabilities(s, lse, rows, n_q)
        ds = p * (_dot(do, tl.trans(v)) - delta[:, None]) * scale
        dq += _dot(ds, k)
    tl.store(dq_ptr + (bh * n_q + rows[:, None]) * dim + d[None, :],
             dq.to(dq_ptr.dtype.element_ty), mask=(rows[:, None] < n_q) & (d[None, :] < dim))


def _view_arguments(buffer: Any, view: View) -> tuple:
    return (buffer, view.offset, *view.strides)


def _bias_arguments(bias: Any, bias_view: View | None, fallback: Any) -> tuple:
    if bias is None:
        return (fallback, 0, 0, 0, 0, 0)
    return _view_arguments(bias, bias_view)


def _sizes(q_view: View, k_view: View, v_view: View) -> dict[str, int]:
    batch, heads, n_q, dim = q_view.shape
    return {"batch": batch, "heads": heads, "n_q": n_q, "n_k": k_view.shape[2], "dim": dim,
            "dim_v": v_view.shape[3]}


def _blocks(size: dict[str, int]) -> dict[str, int]:
    """Tile sizes. Under the interpreter, whole sequences up to 128 per tile (fewer programs and
    loop steps); the kernels are correct for any power-of-two tiles of at least 16 (tl.dot)."""
    if small_launches():
        return {"BLOCK_M": max(BLOCK_M, min(next_power_of_2(size["n_q"]), 128)),
                "BLOCK_N": max(BLOCK_N, min(next_power_of_2(size["n_k"]), 128)),
                "BLOCK_D": max(16, next_power_of_2(size["dim"])),
                "BLOCK_DV": max(16, next_power_of_2(size["dim_v"]))}
    return {"BLOCK_M": BLOCK_M, "BLOCK_N": BLOCK_N,
            "BLOCK_D": max(16, next_power_of_2(size["dim"])),
            "BLOCK_DV": max(16, next_power_of_2(size["dim_v"]))}


def _statistics_dtype(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)


def attention_triton(q, q_view, k, k_view, v, v_view, bias, bias_view, causal: bool,
                     scale: float) -> tuple[Any, Any]:
    size = _sizes(q_view, k_view, v_view)
    dtype = numpy_dtype(q)
    groups = size["batch"] * size["heads"]
    out = empty(groups * size["n_q"] * size["dim_v"], dtype)
    lse = empty(groups * size["n_q"], _statistics_dtype(dtype))
    if not out.numel():
        return out, lse
    blocks = _blocks(size)
    attention_kernel[(cdiv(size["n_q"], blocks["BLOCK_M"]) * groups,)](
        *_view_arguments(q, q_view), *_view_arguments(k, k_view), *_view_arguments(v, v_view),
        *_bias_arguments(bias, bias_view, q), out, lse, size["heads"], size["n_q"], size["n_k"],
        size["dim"], size["dim_v"], float_bits(scale), HAS_BIAS=bias is not None,
        CAUSAL=bool(causal), INT64=needs_int64(q_view, k_view, v_view, bias_view, out.numel()),
        **blocks)
    return out, lse


def attention_backward_triton(q, q_view, k, k_view, v, v_view, bias, bias_view, out, out_view,
                              dout, dout_view, lse, lse_view, causal: bool, scale: float
                              ) -> tuple[Any, Any, Any]:
    size = _sizes(q_view, k_view, v_view)
    dtype = numpy_dtype(q)
    groups = size["batch"] * size["heads"]
    dq = empty(groups * size["n_q"] * size["dim"], dtype)
    dk = empty(groups * size["n_k"] * size["dim"], dtype)
    dv = empty(groups * size["n_k"] * size["dim_v"], dtype)
    if not groups or not size["n_q"] or not size["n_k"]:
        for grad in (dq, dk, dv):
            grad.zero_()
        return dq, dk, dv
    common = (*_view_arguments(q, q_view), *_view_arguments(k, k_view),
              *_view_arguments(v, v_view), *_bias_arguments(bias, bias_view, q),
              *_view_arguments(out, out_view), *_view_arguments(dout, dout_view),
              lse, *lse_view.strides, lse_view.offset)
    tail = (size["heads"], size["n_q"], size["n_k"], size["dim"], size["dim_v"],
            float_bits(scale))
    blocks = _blocks(size)
    options = {"HAS_BIAS": bias is not None, "CAUSAL": bool(causal), **blocks,
               "INT64": needs_int64(q_view, k_view, v_view, bias_view, out_view, dout_view,
                                    lse_view, dq.numel(), dk.numel(), dv.numel())}
    attention_backward_kv_kernel[(cdiv(size["n_k"], blocks["BLOCK_N"]) * groups,)](
        *common, dk, dv, *tail, **options)
    attention_backward_q_kernel[(cdiv(size["n_q"], blocks["BLOCK_M"]) * groups,)](
        *common, dq, *tail, **options)
    return dq, dk, dv
