"""Batches of sequences of different lengths: padding and packing (torch.nn.utils.rnn).

A batch of sentences is ragged. Two ways to feed it to a recurrent layer:

    padded  (T, B, *)  every sequence filled up to the longest, T = max length; the layer also
                       runs over the padding, so the last hidden state of a short sequence is wrong
    packed  PackedSequence(data (sum of lengths, *), batch_sizes (T,))
                       time-major: data holds step 0 of every sequence, then step 1 of every
                       sequence still running, ...; batch_sizes[t] says how many run at step t.
                       Sequences are sorted longest first, so the running ones are always the
                       first batch_sizes[t] rows, and the layer stops each one at its end.

    lengths [3, 2, 1]      padded (T=3, B=3)       data rows           batch_sizes
                           t=0:  a0 b0 c0          a0 b0 c0            [3,
                           t=1:  a1 b1 .           a1 b1                2,
                           t=2:  a2 .  .           a2                   1]

pack_padded_sequence is one index_select (the rows of data, picked from the padded tensor) and
pad_packed_sequence its reverse (every padded position picks a data row or a padding row), so
both are differentiable. With enforce_sorted=False the batch is sorted first and
`sorted_indices` / `unsorted_indices` remember how to undo it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from ...creation import full, tensor
from ...dtypes import int64
from ...ops.indexing import index_select
from ...ops.movement import cat, stack
from ...ops.padding import pad
from ...tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
           "pad_sequence", "unpack_sequence", "unpad_sequence"]


class PackedSequence(NamedTuple):
    """data (sum of lengths, *), batch_sizes (T,) int64 on the CPU, and the sort permutations."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same packing with data (and the index tensors) moved / cast like Tensor.to."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def move(index: Tensor | None) -> Tensor | None:
            return None if index is None else index.to(data.device)

        return PackedSequence(data, self.batch_sizes, move(self.sorted_indices),
                              move(self.unsorted_indices))

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def cuda(self) -> PackedSequence:
        return self.to("cuda")

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda


def _lengths_list(lengths: Any) -> list[int]:
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.ndim}D {lengths.device.type} Long tensor")
        return [int(v) for v in lengths.cpu().numpy()]
    return [int(v) for v in lengths]


def _index(values: Iterable[int], device: Any) -> Tensor:
    return tensor(np.asarray(list(values), dtype=np.int64), dtype=int64, device=device)


def pack_padded_sequence(input: Tensor, lengths: Tensor | list[int], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded (T, B, *) batch (B, T, * with batch_first) of sequences with these lengths."""
    lengths = _lengths_list(lengths)
    batch_dim = 0 if batch_first else 1
    batch = input.shape[batch_dim]
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch})")
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        sorted_indices = None
        order = list(range(batch))
    else:
        order = sorted(range(batch), key=lambda b: -lengths[b])  # stable, longest first
        sorted_indices = _index(order, input.device)
    sorted_lengths = [lengths[b] for b in order]
    if sorted_lengths and sorted_lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    steps = input.shape[1 - batch_dim]
    if sorted_lengths and sorted_lengths[0] > steps:
        raise RuntimeError(f"Expected every length to be at most the padded length {steps}, but "
                           f"got a length of {sorted_lengths[0]}")
    batch_sizes = [sum(1 for n in sorted_lengths if n > t) for t in range(sorted_lengths[0])]
    # row (t, position p in the sorted batch) of data comes from padded row t * B + order[p]
    if batch_first:
        input = input.transpose(0, 1)  # (T, B, *)
    rows = [t * batch + order[p] for t, size in enumerate(batch_sizes) for p in range(size)]
    flat = input.reshape(steps * batch, *input.shape[2:])  # (T * B, *)
    data = index_select(flat, 0, _index(rows, input.device))  # (sum of lengths, *)
    unsorted_indices = None
    if sorted_indices is not None:
        inverse = [0] * batch
        for position, b in enumerate(order):
            inverse[b] = position
        unsorted_indices = _index(inverse, input.device)
    return PackedSequence(data, tensor(batch_sizes, dtype=int64), sorted_indices,
                          unsorted_indices)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None
                        ) -> tuple[Tensor, Tensor]:
    """(padded (T, B, *) or (B, T, *), lengths (B,) int64): the inverse of pack_padded_sequence."""
    data, batch_sizes = sequence.data, [int(v) for v in sequence.batch_sizes.numpy()]
    steps, batch = len(batch_sizes), batch_sizes[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    # padded position (t, p) reads data row start_t + p if p < batch_sizes[t], else the pad row
    pad_row = data.shape[0]
    rows, start = [], 0
    for t in range(steps):
        size = batch_sizes[t] if t < len(batch_sizes) else 0
        rows.extend(start + p if p < size else pad_row for p in range(batch))
        start += size
    padding = full((1, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    source = cat([data, padding], 0)  # (sum of lengths + 1, *)
    padded = index_select(source, 0, _index(rows, data.device)).reshape(
        steps, batch, *data.shape[1:])  # (T, B, *)
    lengths = [sum(1 for size in batch_sizes if size > p) for p in range(batch)]
    if sequence.unsorted_indices is not None:
        padded = index_select(padded, 1, sequence.unsorted_indices)
        unsorted = [int(v) for v in sequence.unsorted_indices.cpu().numpy()]
        lengths = [lengths[position] for position in unsorted]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, tensor(lengths, dtype=int64)


def pad_sequence(sequences: Tensor | list[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack (L_i, *) sequences into (T, B, *) (or (B, T, *)), padded to the longest."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    sequences = list(sequences.unbind(0)) if isinstance(sequences, Tensor) else list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        widths = [0, 0] * (s.ndim - 1) + ([0, missing] if padding_side == "right" else
                                           [missing, 0])
        padded.append(pad(s, widths, value=padding_value) if missing else s)
    return stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, *) sequences (pad_sequence, then pack_padded_sequence)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor | list[int],
                   batch_first: bool = False) -> list[Tensor]:
    """The list of (L_i, *) sequences inside a padded batch."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[b, :n] for b, n in enumerate(_lengths_list(lengths))]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of (L_i, *) sequences inside a PackedSequence (in their original order)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
