"""Collation: turn a list of samples into one batch, keeping the samples' structure.

    samples = [(image_0, 3), (image_1, 7)]           # what the dataset returned, one by one
    default_collate(samples) == [stack([image_0, image_1]), tensor([3, 7])]

The rule is recursive: tensors and NumPy arrays are stacked along a new first dimension, Python
numbers become a 1-D tensor (ints -> int64, floats -> float64), strings stay a list, and
dicts, tuples and lists are collated field by field (tuples come back as lists, as in PyTorch).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...creation import as_tensor, tensor
from ...dtypes import float64
from ...ops import stack
from ...tensor import Tensor

_UNSUPPORTED = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                "lists; found {}")


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch (see the module docstring for the rules)."""
    first = batch[0]
    if isinstance(first, Tensor):
        return stack(list(batch), 0)
    if isinstance(first, np.ndarray):
        if first.dtype.kind in "USO":
            raise TypeError(_UNSUPPORTED.format(first.dtype))
        return stack([as_tensor(array) for array in batch], 0)
    if isinstance(first, np.generic):
        return tensor(np.array(batch))
    if isinstance(first, int):  # bools give a bool tensor, ints int64
        return tensor(batch)
    if isinstance(first, float):
        return tensor(batch, dtype=float64)
    if isinstance(first, str | bytes):
        return list(batch)
    if isinstance(first, Mapping):
        collated = {key: default_collate([sample[key] for sample in batch]) for key in first}
        return collated if type(first) is dict else type(first)(collated)
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple keeps its type
        return type(first)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(first, Sequence):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(_UNSUPPORTED.format(type(first)))


def default_convert(data: Any) -> Any:
    """Without batching (batch_size=None): NumPy arrays become tensors, containers recurse."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "USO":
        return as_tensor(data)
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, list | tuple):
        return [default_convert(value) for value in data]
    return data
