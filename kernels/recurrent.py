"""The gate math of one LSTM or GRU time step, fused into one elementwise pass (and its backward).

A recurrent layer spends each step in two matrix products (the input and the previous hidden
state times their weights, which `matmul` does well) and then in a dozen small elementwise ops on
the resulting *gate pre-activations*. Unfused, each of those ops reads and writes a whole (B, H)
tensor; fused, every element of the new state is computed from its gates in registers, once.

LSTM, gates a = x W_ih^T + b_ih + h W_hh^T + b_hh of shape (B, 4H), in PyTorch's order i, f, g, o:

    i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
    c' = f * c + i * g                 h' = o * tanh(c')

  backward, given dh' and dc' (the gradient reaching c' from the next step), t = tanh(c'):
    dc_total = dc' + dh' * o * (1 - t^2)
    da_o = dh' * t * o (1 - o)         da_i = dc_total * g * i (1 - i)
    da_g = dc_total * i * (1 - g^2)    da_f = dc_total * c * f (1 - f)       dc = dc_total * f

GRU, gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh, each (B, 3H) in the order r, z, n (the hidden
part of n is kept apart because the reset gate multiplies it, bias included):

    r = sigmoid(gi_r + gh_r)   z = sigmoid(gi_z + gh_z)   n = tanh(gi_n + r * gh_n)
    h' = (1 - z) * n + z * h

  backward, given dh':
    dn = dh' (1 - z) (1 - n^2)          dgi_n = dn     dgh_n = dn * r
    dr = dn * gh_n * r (1 - r)          dgi_r = dgh_r = dr
    dz = dh' (h - n) z (1 - z)          dgi_z = dgh_z = dz          dh = dh' * z

Every input is a 2-D (B, width) view with any strides, so a gate block that is a slice of a
bigger matmul result is read in place. Outputs are new contiguous (B, ·) buffers.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _wide(buffer: np.ndarray, view: View) -> np.ndarray:
    """A view's values, float16 widened to float32 for the arithmetic."""
    values = as_numpy(buffer, view)
    return values.astype(np.float32) if values.dtype == np.float16 else values


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """sigmoid(x) = (1 + tanh(x / 2)) / 2: one tanh, never overflows (faster than exp + where)."""
    half = x.dtype.type(0.5)
    return half * np.tanh(half * x) + half


def _out(value: np.ndarray, like: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(value, dtype=like.dtype).reshape(-1)


def _columns(x: np.ndarray, parts: int) -> list[np.ndarray]:
    """x (B, parts * H) cut into `parts` (B, H) column blocks (views, no copy)."""
    h = x.shape[1] // parts
    return [x[:, k * h:(k + 1) * h] for k in range(parts)]


def _lstm_activations(a: np.ndarray) -> tuple[np.ndarray, ...]:
    """i, f, g, o, each (B, H): one sigmoid over all four gates, then tanh for g."""
    i, f, _, o = _columns(_sigmoid(a), 4)
    return i, f, np.tanh(_columns(a, 4)[2]), o


def lstm_cell_reference(gates: np.ndarray, gates_view: View, c: np.ndarray, c_view: View
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(h', c') of one LSTM step from the gate pre-activations (B, 4H) and the cell state (B, H)."""
    i, f, g, o = _lstm_activations(_wide(gates, gates_view))
    c_new = f * _wide(c, c_view) + i * g  # (B, H)
    h_new = o * np.tanh(c_new)  # (B, H)
    return _out(h_new, gates), _out(c_new, gates)


def lstm_cell_backward_reference(gates: np.ndarray, gates_view: View, c: np.ndarray,
                                 c_view: View, c_new: np.ndarray, c_new_view: View,
                                 dh: np.ndarray, dh_view: View, dc_new: np.ndarray,
                                 dc_new_view: View) -> tuple[np.ndarray, np.ndarray]:
    """(dgates (B, 4H), dc (B, H)) of one LSTM step, from dh' and dc'."""
    i, f, g, o = _lstm_activations(_wide(gates, gates_view))
    t = np.tanh(_wide(c_new, c_new_view))
    dh_ = _wide(dh, dh_view)
    dc_total = _wide(dc_new, dc_new_view) + dh_ * o * (1 - t * t)
    da = np.concatenate([dc_total * g * i * (1 - i),
                         dc_total * _wide(c, c_view) * f * (1 - f),
                         dc_total * i * (1 - g * g),
                         dh_ * t * o * (1 - o)], axis=1)  # (B, 4H)
    return _out(da, gates), _out(dc_total * f, gates)


def _gru_activations(gi: np.ndarray, gh: np.ndarray) -> tuple[np.ndarray, ...]:
    gi_r, gi_z, gi_n = _columns(gi, 3)
    gh_r, gh_z, gh_n = _columns(gh, 3)
    r, z = _sigmoid(gi_r + gh_r), _sigmoid(gi_z + gh_z)
    return r, z, np.tanh(gi_n + r * gh_n), gh_n


def gru_cell_reference(gi: np.ndarray, gi_view: View, gh: np.ndarray, gh_view: View,
                       h: np.ndarray, h_view: View) -> np.ndarray:
    """h' of one GRU step from gi, gh (B, 3H) and the hidden state h (B, H)."""
    r, z, n, _ = _gru_activations(_wide(gi, gi_view), _wide(gh, gh_view))
    return _out((1 - z) * n + z * _wide(h, h_view), gi)


def gru_cell_backward_reference(gi: np.ndarray, gi_view: View, gh: np.ndarray, gh_view: View,
                                h: np.ndarray, h_view: View, dh_new: np.ndarray,
                                dh_new_view: View) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dgi (B, 3H), dgh (B, 3H), dh (B, H)) of one GRU step, from dh'."""
    r, z, n, gh_n = _gru_activations(_wide(gi, gi_view), _wide(gh, gh_view))
    dy = _wide(dh_new, dh_new_view)
    dn = dy * (1 - z) * (1 - n * n)
    dr = dn * gh_n * r * (1 - r)
    dz = dy * (_wide(h, h_view) - n) * z * (1 - z)
    dgi = np.concatenate([dr, dz, dn], axis=1)
    dgh = np.concatenate([dr, dz, dn * r], axis=1)
    return _out(dgi, gi), _out(dgh, gi), _out(dy * z, gi)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: fusing a chain of elementwise ops.
#   * One program handles BLOCK elements of the (B, H) state; element k is (row k // H, col k % H)
#     and reads its gates at columns col, H + col, 2H + col, ... of its row.
#   * Every intermediate (the activated gates, tanh(c')) lives in registers: the only memory
#     traffic is the inputs read once and the outputs written once.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .elementwise import _tanh  # noqa: E402
from .triton_support import (  # noqa: E402
    block_positions,
    cdiv,
    compute_type,
    empty,
    launch_block,
    needs_int64,
    numpy_dtype,
    tl,
    triton_kernel,
)

RECURRENT_BLOCK = 256


@triton_kernel
def _sigmoid_t(x):
    """1 / (1 + e^-x) with exp(-|x|) <= 1, so nothing overflows."""
    z = tl.exp(-tl.abs(x))
    return tl.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


@triton_kernel
def _load(ptr, view_offset, row_stride, col_stride, row, col, mask):
    """Element (row, col) of a 2-D strided view, in the compute type."""
    return compute_type(tl.load(ptr + view_offset + row * row_stride + col * col_stride,
                                mask=mask, other=0))


@triton_kernel
def _lstm_gates(a_ptr, a_off, a_s0, a_s1, row, col, hidden, mask):
    """The LSTM's gates i, f, g, o for one block from the pre-activations (the backward
    recomputes them with this same function)."""
    i = _sigmoid_t(_load(a_ptr, a_off, a_s0, a_s1, row, col, mask))
    f = _sigmoid_t(_load(a_ptr, a_off, a_s0, a_s1, row, hidden + col, mask))
    g = _tanh(_load(a_ptr, a_off, a_s0, a_s1, row, 2 * hidden + col, mask))
    o = _sigmoid_t(_load(a_ptr, a_off, a_s0, a_s1, row, 3 * hidden + col, mask))
    return i, f, g, o


@triton_kernel
def lstm_cell_kernel(a_ptr, a_off, a_s0, a_s1,   # gate pre-activations (B, 4H) and its view
                     c_ptr, c_off, c_s0, c_s1,   # cell state (B, H)
                     h_out_ptr, c_out_ptr,       # outputs h', c': (B, H) row-major
                     numel, hidden,              # B * H, H
                     BLOCK: tl.constexpr,
                     INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    index = block_positions(BLOCK, INT64)  # (BLOCK,) positions in (B, H)
    mask = index < numel
    row, col = index // hidden, index % hidden
    i, f, g, o = _lstm_gates(a_ptr, a_off, a_s0, a_s1, row, col, hidden, mask)
    c_new = f * _load(c_ptr, c_off, c_s0, c_s1, row, col, mask) + i * g
    h_new = o * _tanh(c_new)
    tl.store(h_out_ptr + index, h_new.to(h_out_ptr.dtype.element_ty), mask=mask)
    tl.store(c_out_ptr + index, c_new.to(c_out_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def lstm_cell_backward_kernel(a_ptr, a_off, a_s0, a_s1,      # gate pre-activations (B, 4H)
                              c_ptr, c_off, c_s0, c_s1,      # previous cell state (B, H)
                              cn_ptr, cn_off, cn_s0, cn_s1,  # new cell state c' (B, H)
                              dh_ptr, dh_off, dh_s0, dh_s1,  # dh' (B, H)
                              dc_ptr, dc_off, dc_s0, dc_s1,  # dc' (B, H)
                              da_ptr,                        # output dgates (B, 4H) row-major
                              dc_out_ptr,                    # output dc (B, H) row-major
                              numel, hidden,
                              BLOCK: tl.constexpr,
                              INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    index = block_positions(BLOCK, INT64)
    mask = index < numel
    row, col = index // hidden, index % hidden
    i, f, g, o = _lstm_gates(a_ptr, a_off, a_s0, a_s1, row, col, hidden, mask)
    t = _tanh(_load(cn_ptr, cn_off, cn_s0, cn_s1, row, col, mask))
    dh = _load(dh_ptr, dh_off, dh_s0, dh_s1, row, col, mask)
    dc_total = _load(dc_ptr, dc_off, dc_s0, dc_s1, row, col, mask) + dh * o * (1.0 - t * t)
    c = _load(c_ptr, c_off, c_s0, c_s1, row, col, mask)
    out_ty = da_ptr.dtype.element_ty
    base = da_ptr + row * (4 * hidden) + col
    tl.store(base, (dc_total * g * i * (1.0 - i)).to(out_ty), mask=mask)
    tl.store(base + hidden, (dc_total * c * f * (1.0 - f)).to(out_ty), mask=mask)
    tl.store(base + 2 * hidden, (dc_total * i * (1.0 - g * g)).to(out_ty), mask=mask)
    tl.store(base + 3 * hidden, (dh * t * o * (1.0 - o)).to(out_ty), mask=mask)
    tl.store(dc_out_ptr + index, (dc_total * f).to(out_ty), mask=mask)


@triton_kernel
def _gru_gates(gi_ptr, gi_off, gi_s0, gi_s1, gh_ptr, gh_off, gh_s0, gh_s1, row, col, hidden,
               mask):
    """The GRU's gates for one block: r, z, n and h W_hn^T + b_hn (the backward recomputes
    them with this same function)."""
    r = _sigmoid_t(_load(gi_ptr, gi_off, gi_s0, gi_s1, row, col, mask)
                   + _load(gh_ptr, gh_off, gh_s0, gh_s1, row, col, mask))
    z = _sigmoid_t(_load(gi_ptr, gi_off, gi_s0, gi_s1, row, hidden + col, mask)
                   + _load(gh_ptr, gh_off, gh_s0, gh_s1, row, hidden + col, mask))
    gh_n = _load(gh_ptr, gh_off, gh_s0, gh_s1, row, 2 * hidden + col, mask)
    n = _tanh(_load(gi_ptr, gi_off, gi_s0, gi_s1, row, 2 * hidden + col, mask) + r * gh_n)
    return r, z, n, gh_n


@triton_kernel
def gru_cell_kernel(gi_ptr, gi_off, gi_s0, gi_s1,   # input gates x W_ih^T + b_ih (B, 3H)
                    gh_ptr, gh_off, gh_s0, gh_s1,   # hidden gates h W_hh^T + b_hh (B, 3H)
                    h_ptr, h_off, h_s0, h_s1,       # hidden state h (B, H)
                    out_ptr,                        # output h' (B, H) row-major
                    numel, hidden,
                    BLOCK: tl.constexpr,
                    INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    index = block_positions(BLOCK, INT64)
    mask = index < numel
    row, col = index // hidden, index % hidden
    _, z, n, _ = _gru_gates(gi_ptr, gi_off, gi_s0, gi_s1, gh_ptr, gh_off, gh_s0, gh_s1,
                            row, col, hidden, mask)
    h_new = (1.0 - z) * n + z * _load(h_ptr, h_off, h_s0, h_s1, row, col, mask)
    tl.store(out_ptr + index, h_new.to(out_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def gru_cell_backward_kernel(gi_ptr, gi_off, gi_s0, gi_s1,   # input gates (B, 3H)
                             gh_ptr, gh_off, gh_s0, gh_s1,   # hidden gates (B, 3H)
                             h_ptr, h_off, h_s0, h_s1,       # hidden state h (B, H)
                             dy_ptr, dy_off, dy_s0, dy_s1,   # dh' (B, H)
                             dgi_ptr, dgh_ptr,               # outputs (B, 3H) row-major
                             dh_ptr,                         # output dh (B, H) row-major
                             numel, hidden,
                             BLOCK: tl.constexpr,
                             INT64: tl.constexpr = False):  # int64 offsets (see needs_int64)
    index = block_positions(BLOCK, INT64)
    mask = index < numel
    row, col = index // hidden, index % hidden
    r, z, n, gh_n = _gru_gates(gi_ptr, gi_off, gi_s0, gi_s1, gh_ptr, gh_off, gh_s0, gh_s1,
                               row, col, hidden, mask)
    dy = _load(dy_ptr, dy_off, dy_s0, dy_s1, row, col, mask)
    h = _load(h_ptr, h_off, h_s0, h_s1, row, col, mask)
    dn = dy * (1.0 - z) * (1.0 - n * n)
    dr = dn * gh_n * r * (1.0 - r)
    dz = dy * (h - n) * z * (1.0 - z)
    out_ty = dgi_ptr.dtype.element_ty
    gates = row * (3 * hidden) + col
    tl.store(dgi_ptr + gates, dr.to(out_ty), mask=mask)
    tl.store(dgi_ptr + gates + hidden, dz.to(out_ty), mask=mask)
    tl.store(dgi_ptr + gates + 2 * hidden, dn.to(out_ty), mask=mask)
    tl.store(dgh_ptr + gates, dr.to(out_ty), mask=mask)
    tl.store(dgh_ptr + gates + hidden, dz.to(out_ty), mask=mask)
    tl.store(dgh_ptr + gates + 2 * hidden, (dn * r).to(out_ty), mask=mask)
    tl.store(dh_ptr + index, (dy * z).to(out_ty), mask=mask)


def _arguments(buffer: Any, view: View) -> tuple:
    """(buffer, offset, row stride, column stride) of a 2-D view, as the kernels take them."""
    return buffer, view.offset, view.strides[0], view.strides[1]


def _launch(kernel: Any, views: list[tuple[Any, View]], outputs: list[Any], batch: int,
            hidden: int) -> None:
    numel = batch * hidden
    if not numel:
        return
    arguments = [value for pair in views for value in _arguments(*pair)]
    block = launch_block(numel, RECURRENT_BLOCK)
    # the gate buffers are 3-4x the state: `row * 4H` passes 2^31 before B * H does
    kernel[(cdiv(numel, block),)](*arguments, *outputs, numel, hidden, BLOCK=block,
                                  INT64=needs_int64(4 * numel, *(view for _, view in views)))


def lstm_cell_triton(gates: Any, gates_view: View, c: Any, c_view: View) -> tuple[Any, Any]:
    batch, hidden = c_view.shape
    dtype = numpy_dtype(gates)
    h_new, c_new = empty(batch * hidden, dtype), empty(batch * hidden, dtype)
    _launch(lstm_cell_kernel, [(gates, gates_view), (c, c_view)], [h_new, c_new], batch, hidden)
    return h_new, c_new


def lstm_cell_backward_triton(gates: Any, gates_view: View, c: Any, c_view: View, c_new: Any,
                              c_new_view: View, dh: Any, dh_view: View, dc_new: Any,
                              dc_new_view: View) -> tuple[Any, Any]:
    batch, hidden = c_view.shape
    dtype = numpy_dtype(gates)
    dgates, dc = empty(batch * 4 * hidden, dtype), empty(batch * hidden, dtype)
    _launch(lstm_cell_backward_kernel, [(gates, gates_view), (c, c_view), (c_new, c_new_view),
                                        (dh, dh_view), (dc_new, dc_new_view)],
            [dgates, dc], batch, hidden)
    return dgates, dc


def gru_cell_triton(gi: Any, gi_view: View, gh: Any, gh_view: View, h: Any, h_view: View
                    ) -> Any:
    batch, hidden = h_view.shape
    h_new = empty(batch * hidden, numpy_dtype(gi))
    _launch(gru_cell_kernel, [(gi, gi_view), (gh, gh_view), (h, h_view)], [h_new], batch, hidden)
    return h_new


def gru_cell_backward_triton(gi: Any, gi_view: View, gh: Any, gh_view: View, h: Any,
                             h_view: View, dh_new: Any, dh_new_view: View
                             ) -> tuple[Any, Any, Any]:
    batch, hidden = h_view.shape
    dtype = numpy_dtype(gi)
    dgi, dgh = empty(batch * 3 * hidden, dtype), empty(batch * 3 * hidden, dtype)
    dh = empty(batch * hidden, dtype)
    _launch(gru_cell_backward_kernel, [(gi, gi_view), (gh, gh_view), (h, h_view),
                                       (dh_new, dh_new_view)], [dgi, dgh, dh], batch, hidden)
    return dgi, dgh, dh
