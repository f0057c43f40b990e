"""Recurrent layers: RNN, LSTM and GRU, and their single-step cells.

A recurrent layer reads a sequence one step at a time and carries a hidden state between steps:

    h_t = cell(x_t, h_{t-1})          for t = 0 .. T-1, h_{-1} = h_0 (zeros by default)
    output = (h_0, h_1, ..., h_{T-1})  stacked: (T, B, H) (batch_first: (B, T, H))

The cells (ops/recurrent.py) are RNN (tanh or relu), LSTM (with a cell state c beside h, and gates
that decide what to forget, write and show) and GRU (two gates, no separate cell state).

Options, all PyTorch's:
    num_layers      layers stacked: layer l reads the output sequence of layer l-1
    bidirectional   a second pass per layer runs from the last step to the first; the two outputs
                    are joined on the feature axis (2H), and h_n holds both final states
    dropout         applied to each layer's output except the last one (in training mode)
    batch_first     input and output are (B, T, *) instead of (T, B, *) (h_n is never batch-first)
    proj_size       (LSTM) h is projected to proj_size features by weight_hr after every step
    input           a padded tensor, or a PackedSequence (nn.utils.rnn): then each sequence stops
                    at its own length and h_n holds each one's last real state

Parameters have PyTorch's names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, with
_reverse for the backward direction and weight_hr_l0 for projections), shapes and gate order
(LSTM: i, f, g, o; GRU: r, z, n), and PyTorch's initialisation, U(-1/sqrt(H), 1/sqrt(H)) for every
one, so a state_dict moves between tinygrad_edu and torch in both directions.

How one layer and direction runs (the "unrolled" graph that viz draws one cluster per step):

    xw = x @ W_ih^T + b_ih          one matmul for all time steps at once (T * B rows)
    for each step t:  h = cell_math(xw[t], h @ W_hh^T + b_hh, h)      the recurrence
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ..autograd.tracing import group_hooks
from ..creation import empty, zeros
from ..ops.dropout import dropout as _dropout
from ..ops.indexing import index_select
from ..ops.linear import linear
from ..ops.movement import cat, stack
from ..ops.recurrent import (
    gru_cell,
    gru_gates,
    lstm_cell,
    lstm_gates,
    rnn_relu_cell,
    rnn_tanh_cell,
    split_steps,
)
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The machinery shared by RNN, LSTM and GRU: parameters, checks, layers and directions."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _check_arguments(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(self.num_directions):
                layer_input = input_size if layer == 0 else real_hidden * self.num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = {f"weight_ih_l{layer}{suffix}": (gate_size, layer_input),
                          f"weight_hh_l{layer}{suffix}": (gate_size, real_hidden)}
                if bias:
                    shapes[f"bias_ih_l{layer}{suffix}"] = (gate_size,)
                    shapes[f"bias_hh_l{layer}{suffix}"] = (gate_size,)
                if proj_size > 0:
                    shapes[f"weight_hr_l{layer}{suffix}"] = (proj_size, hidden_size)
                for name, shape in shapes.items():
                    setattr(self, name, Parameter(empty(*shape, device=device, dtype=dtype)))
                self._flat_weights_names.extend(shapes)
                self._all_weights.append(list(shapes))
        self.reset_parameters()

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def _flat_weights(self) -> list[Parameter]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op kept for PyTorch compatibility (cuDNN's packed weight buffer does not exist)."""

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # --- checks (PyTorch's messages) -------------------------------------------------------------
    def _check_input(self, input: Tensor, packed: bool) -> None:
        weight = self._flat_weights[0]
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected = 2 if packed else 3
        if input.ndim != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.ndim}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def _expected_hidden_size(self, batch: int, cell: bool = False) -> tuple[int, int, int]:
        size = self.hidden_size if cell or self.proj_size == 0 else self.proj_size
        return (self.num_layers * self.num_directions, batch, size)

    @staticmethod
    def _check_hidden_size(hx: Tensor, expected: tuple[int, int, int],
                           message: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(message.format(expected, list(hx.shape)))

    # --- running the layers ----------------------------------------------------------------------
    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")
        if packed:
            data, batch_sizes = input.data, [int(v) for v in input.batch_sizes.numpy()]
            sorted_indices, unsorted_indices = input.sorted_indices, input.unsorted_indices
            batch, batched = batch_sizes[0], True
        else:
            if input.ndim not in (2, 3):
                tail = " tensor instead" if name == "RNN" else " instead"
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D{tail}")
            batched = input.ndim == 3
            if not batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            if hx is not None:
                hx = _batch_hidden(hx, batched, lstm)
            sorted_indices = unsorted_indices = None
            batch = input.shape[0 if self.batch_first else 1]
        self._check_input(data if packed else input, packed)
        hx = self._initial_state(hx, batch, data if packed else input, lstm)
        if sorted_indices is not None:  # hx is in the caller's order; the packed batch is sorted
            hx = tuple(index_select(h, 1, sorted_indices) for h in hx)
        if not packed:
            sequence = input.transpose(0, 1) if self.batch_first else input  # (T, B, F)
            steps = sequence.shape[0]
            batch_sizes = [batch] * steps
            data = sequence.reshape(steps * batch, sequence.shape[2])  # (T * B, F)
        output, states = self._layers(data, batch_sizes, hx)
        if unsorted_indices is not None:
            states = tuple(index_select(h, 1, unsorted_indices) for h in states)
        if packed:
            output = PackedSequence(output, input.batch_sizes, sorted_indices, unsorted_indices)
        else:
            output = output.reshape(len(batch_sizes), batch, output.shape[-1])  # (T, B, D*H)
            if self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(0 if self.batch_first else 1)
                states = tuple(h.squeeze(1) for h in states)
        return output, (states if lstm else states[0])

    def _initial_state(self, hx: Any, batch: int, input: Tensor, lstm: bool
                       ) -> tuple[Tensor, ...]:
        """hx as a tuple ((h,) or (h, c)), zeros when not given, its shapes checked."""
        expected = self._expected_hidden_size(batch)
        if hx is None:
            h = zeros(*expected, dtype=input.dtype, device=input.device)
            if not lstm:
                return (h,)
            return h, zeros(*self._expected_hidden_size(batch, cell=True), dtype=input.dtype,
                            device=input.device)
        if lstm:
            self._check_hidden_size(hx[0], expected, "Expected hidden[0] size {}, got {}")
            self._check_hidden_size(hx[1], self._expected_hidden_size(batch, cell=True),
                                    "Expected hidden[1] size {}, got {}")
            return tuple(hx)
        self._check_hidden_size(hx, expected)
        return (hx,)

    def _layers(self, data: Tensor, batch_sizes: list[int], hx: tuple[Tensor, ...]
                ) -> tuple[Tensor, tuple[Tensor, ...]]:
        """Run every layer and direction over time-major rows data (N, F); N = sum(batch_sizes)."""
        finals: list[list[Tensor]] = [[] for _ in hx]
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self.num_directions):
                index = layer * self.num_directions + direction
                hooks = group_hooks()  # viz: one cluster per layer/direction and time step
                if hooks is not None:
                    hooks[0](f"layer{layer}" + ("_reverse" if direction else ""),
                             f"layer {layer}" + (", reverse" if direction else ""), None)
                try:
                    out, states = self._direction(layer, direction, data, batch_sizes,
                                                  tuple(h[index] for h in hx), hooks)
                finally:
                    if hooks is not None:
                        hooks[1]()
                outputs.append(out)
                for kept, state in zip(finals, states):
                    kept.append(state)
            data = outputs[0] if len(outputs) == 1 else cat(outputs, 1)  # (N, D * H)
            if self.dropout and self.training and layer < self.num_layers - 1:
                data = _dropout(data, self.dropout, True)
        return data, tuple(stack(kept, 0) for kept in finals)

    def _direction(self, layer: int, direction: int, data: Tensor, batch_sizes: list[int],
                   state: tuple[Tensor, ...], hooks: Any = None
                   ) -> tuple[Tensor, tuple[Tensor, ...]]:
        """One layer in one direction: (outputs (N, H), final states, each (B, H)); hooks: a
        tracer's (begin, end) that draws each time step as a cluster (autograd.tracing)."""
        suffix = "_reverse" if direction == 1 else ""

        def weight(name: str) -> Tensor | None:
            return getattr(self, f"{name}_l{layer}{suffix}", None)

        w_hh, b_hh, w_hr = weight("weight_hh"), weight("bias_hh"), weight("weight_hr")
        xw = linear(data, weight("weight_ih"), weight("bias_ih"))  # (N, G): every step at once
        if b_hh is not None and self.mode != "GRU":  # GRU's b_hh sits inside r * (h W_hh + b_hh)
            xw, b_hh = xw + b_hh, None  # added once for all steps instead of once per step
        steps = list(split_steps(xw, batch_sizes))  # T views (B_t, G)
        order = range(len(steps)) if direction == 0 else range(len(steps) - 1, -1, -1)
        initial = state
        if direction == 1:  # the shortest sequences end first, so they start the reverse pass
            state = tuple(s[:batch_sizes[-1]] for s in state)
        finished: list[tuple[Tensor, ...]] = []  # forward: states of sequences that ended
        outputs: list[Tensor] = [None] * len(steps)  # type: ignore[list-item]
        for t in order:
            size = batch_sizes[t]
            current = state[0].shape[0]
            if size < current:  # forward pass: the last sequences ended at step t - 1
                finished.append(tuple(s[size:] for s in state))
                state = tuple(s[:size] for s in state)
            elif size > current:  # reverse pass: longer sequences start here from h_0
                state = tuple(cat([s, s0[current:size]], 0) for s, s0 in zip(state, initial))
            if hooks is None:
                state = self._step(steps[t], state, w_hh, b_hh, w_hr)
            else:
                hooks[0](f"t{t}", f"t = {t}", t)
                try:
                    state = self._step(steps[t], state, w_hh, b_hh, w_hr)
                finally:
                    hooks[1]()
            outputs[t] = state[0]
        if finished:
            state = tuple(cat([s, *[f[i] for f in reversed(finished)]], 0)
                          for i, s in enumerate(state))
        return (outputs[0] if len(outputs) == 1 else cat(outputs, 0)), state

    def _step(self, xw: Tensor, state: tuple[Tensor, ...], w_hh: Tensor, b_hh: Tensor | None,
              w_hr: Tensor | None) -> tuple[Tensor, ...]:
        """One time step from the input part xw (B, G) of the gates."""
        h = state[0]
        if self.mode == "LSTM":
            h, c = lstm_gates(xw + linear(h, w_hh, b_hh), state[1])
            return (h if w_hr is None else linear(h, w_hr), c)
        if self.mode == "GRU":
            return (gru_gates(xw, linear(h, w_hh, b_hh), h),)
        pre = xw + linear(h, w_hh, b_hh)
        return (pre.tanh() if self.mode == "RNN_TANH" else pre.relu(),)


def _check_arguments(input_size: Any, hidden_size: Any, num_layers: int, bias: Any,
                     batch_first: Any, dropout: Any, proj_size: int) -> None:
    if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
            or not 0 <= dropout <= 1):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    if not isinstance(bias, bool):
        raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
    if not isinstance(batch_first, bool):
        raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
    if not isinstance(input_size, int):
        raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def _batch_hidden(hx: Any, batched: bool, lstm: bool) -> Any:
    """Check hx's dims against the input's (PyTorch's messages); add the batch dim if unbatched."""
    if lstm:
        dims = (hx[0].ndim, hx[1].ndim)
        if batched and dims != (3, 3):
            raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                               f"({dims[0]}-D, {dims[1]}-D) tensors")
        if not batched and dims != (2, 2):
            raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                               f"({dims[0]}-D, {dims[1]}-D) tensors")
        return hx if batched else (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
    if batched and hx.ndim != 3:
        raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.ndim}-D "
                           "tensor")
    if not batched and hx.ndim != 2:
        raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.ndim}-D "
                           "tensor")
    return hx if batched else hx.unsqueeze(1)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s + (f", nonlinearity={self.nonlinearity}" if self.nonlinearity != "tanh" else "")


class LSTM(RNNBase):
    """Long short-term memory: gates decide what the cell state c forgets, writes and shows."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit: reset and update gates, no separate cell state."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)


# --- cells: one time step ------------------------------------------------------------------------
class RNNCellBase(Module):
    """weight_ih (chunks * H, input_size), weight_hh (chunks * H, H), bias_ih, bias_hh."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        size = num_chunks * hidden_size
        self.weight_ih = Parameter(empty(size, input_size, device=device, dtype=dtype))
        self.weight_hh = Parameter(empty(size, hidden_size, device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        return s + (f", nonlinearity={nonlinearity}" if nonlinearity != "tanh" else "")

    def _prepare(self, name: str, input: Tensor, hx: Any, count: int) -> tuple[Tensor, Any, bool]:
        """Check dims (PyTorch's messages), add the batch dim, make zero states, check sizes."""
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        states = [] if hx is None else (list(hx) if count == 2 else [hx])
        for index, value in enumerate(states):
            if value.ndim not in (1, 2):
                what = f"hx[{index}]" if count == 2 else "hidden"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {value.ndim}D "
                                 "instead")
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
            states = [s.unsqueeze(0) for s in states]
        if hx is None:
            states = [zeros(input.shape[0], self.hidden_size, dtype=input.dtype,
                            device=input.device) for _ in range(count)]
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for index, state in enumerate(states):
            if input.shape[0] != state.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                                   f"hidden{index} batch size {state.shape[0]}")
            if state.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{index} has inconsistent hidden_size: got "
                                   f"{state.shape[1]}, expected {self.hidden_size}")
        return input, (tuple(states) if count == 2 else states[0]), batched


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._prepare("RNNCell", input, hx, 1)
        if self.nonlinearity == "tanh":
            cell = rnn_tanh_cell
        elif self.nonlinearity == "relu":
            cell = rnn_relu_cell
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """(h', c') of one LSTM step; hx = (h, c), zeros when not given."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor]:
        input, hx, batched = self._prepare("LSTMCell", input, hx, 2)
        h, c = lstm_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """h' of one GRU step."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._prepare("GRUCell", input, hx, 1)
        h = gru_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)
