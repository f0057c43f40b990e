"""Recurrent cells: one time step of an RNN, an LSTM and a GRU, as differentiable ops.

A recurrent layer applies the same cell at every time step, feeding each step's hidden state into
the next. Backpropagation through time is nothing special: the unrolled loop is an ordinary graph,
and the engine walks it backwards, step by step (see viz's unrolled view).

    rnn_tanh_cell   h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)         (rnn_relu_cell: relu)
    lstm_cell       a = x W_ih^T + b_ih + h W_hh^T + b_hh   (B, 4H), gates i, f, g, o
                    c' = sigmoid(a_f) c + sigmoid(a_i) tanh(a_g),  h' = sigmoid(a_o) tanh(c')
    gru_cell        gi = x W_ih^T + b_ih, gh = h W_hh^T + b_hh   (B, 3H), gates r, z, n
                    r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r gh_n)
                    h' = (1 - z) n + z h

The matrix products are `linear`; the gate math after them is one fused primitive per step
(`lstm_cell` / `gru_cell` in kernels/recurrent.py, derivatives in its docstring), so one LSTM step
is two matmuls and one elementwise kernel instead of a dozen.

`SplitSteps` cuts a (T * B, ...) tensor into its time steps as views; its backward joins the T
step gradients with one `cat`, where T separate slices would each scatter into a zero tensor of
the full size.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from . import lowering
from .linear import linear
from .movement import Cat, cat, narrow


class LSTMGates(Function):
    """(h', c') = lstm gate math of (gates (B, 4H), c (B, H));  see kernels/recurrent.py"""

    node_name = "LstmCellBackward0"

    @staticmethod
    def forward(ctx, gates, c):
        h_new, c_new = lowering.lstm_cell(gates, c)
        ctx.save_for_backward(gates, c, c_new)
        return h_new, c_new

    @staticmethod
    def backward(ctx, dh, dc_new):
        gates, c, c_new = ctx.saved_tensors
        if is_grad_enabled():  # create_graph=True: differentiable Tensor ops
            return _lstm_backward_ops(gates, c, dh, dc_new)
        return lowering.lstm_cell_backward(gates, c, c_new, dh, dc_new)


def _lstm_backward_ops(gates: Tensor, c: Tensor, dh: Tensor, dc_new: Tensor
                       ) -> tuple[Tensor, Tensor]:
    """LSTMGates' backward written with Tensor ops (the formulas of kernels/recurrent.py)."""
    a_i, a_f, a_g, a_o = gates.chunk(4, 1)
    i, f, g, o = a_i.sigmoid(), a_f.sigmoid(), a_g.tanh(), a_o.sigmoid()
    t = (f * c + i * g).tanh()
    dc_total = dc_new + dh * o * (1 - t * t)
    dgates = cat([dc_total * g * i * (1 - i), dc_total * c * f * (1 - f),
                  dc_total * i * (1 - g * g), dh * t * o * (1 - o)], 1)
    return dgates, dc_total * f


class GRUGates(Function):
    """h' = gru gate math of (gi (B, 3H), gh (B, 3H), h (B, H));  see kernels/recurrent.py"""

    node_name = "GruCellBackward0"

    @staticmethod
    def forward(ctx, gi, gh, h):
        ctx.save_for_backward(gi, gh, h)
        return lowering.gru_cell(gi, gh, h)

    @staticmethod
    def backward(ctx, dh_new):
        gi, gh, h = ctx.saved_tensors
        if is_grad_enabled():
            return _gru_backward_ops(gi, gh, h, dh_new)
        return lowering.gru_cell_backward(gi, gh, h, dh_new)


def _gru_backward_ops(gi: Tensor, gh: Tensor, h: Tensor, dy: Tensor
                      ) -> tuple[Tensor, Tensor, Tensor]:
    """GRUGates' backward written with Tensor ops."""
    gi_r, gi_z, gi_n = gi.chunk(3, 1)
    gh_r, gh_z, gh_n = gh.chunk(3, 1)
    r, z = (gi_r + gh_r).sigmoid(), (gi_z + gh_z).sigmoid()
    n = (gi_n + r * gh_n).tanh()
    dn = dy * (1 - z) * (1 - n * n)
    dr = dn * gh_n * r * (1 - r)
    dz = dy * (h - n) * z * (1 - z)
    return cat([dr, dz, dn], 1), cat([dr, dz, dn * r], 1), dy * z


class SplitSteps(Function):
    """(x[0:n0], x[n0:n0+n1], ...) views along dim 0;  dx = cat(dy_0, dy_1, ...)"""

    node_name = "SplitWithSizesBackward0"

    @staticmethod
    def forward(ctx, x, sections):
        pieces, start = [], 0
        for length in sections:
            pieces.append(narrow(x, 0, start, length))
            start += length
        return tuple(pieces)

    @staticmethod
    def backward(ctx, *dys):
        return Cat.apply(0, *dys), None


def split_steps(x: Tensor, sections: list[int]) -> tuple[Tensor, ...]:
    """x (sum(sections), ...) cut into len(sections) consecutive views along dim 0."""
    if len(sections) == 1:
        return (x,)
    return SplitSteps.apply(x, tuple(sections))


# --- one step of each cell -----------------------------------------------------------------------
def lstm_gates(gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """(h', c') from the gate pre-activations (B, 4H) and the cell state (B, H), fused."""
    return LSTMGates.apply(gates, c)


def gru_gates(gi: Tensor, gh: Tensor, h: Tensor) -> Tensor:
    """h' from the input gates, hidden gates (B, 3H) and the hidden state (B, H), fused."""
    return GRUGates.apply(gi, gh, h)


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return (linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh)).tanh()


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return (linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh)).relu()


def lstm_cell(input: Tensor, hx: tuple[Tensor, Tensor], w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None
              ) -> tuple[Tensor, Tensor]:
    """(h', c') of one LSTM step (torch.lstm_cell)."""
    h, c = hx
    return lstm_gates(linear(input, w_ih, b_ih) + linear(h, w_hh, b_hh), c)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """h' of one GRU step (torch.gru_cell)."""
    return gru_gates(linear(input, w_ih, b_ih), linear(hx, w_hh, b_hh), hx)
