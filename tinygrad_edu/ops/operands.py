"""Operands: turning Python numbers into tensors and applying PyTorch's type promotion.

`x + 1`, `2.0 ** t` and `int_tensor * 0.5` all reach the ops as a mix of Tensors and Python numbers.
Before an op runs, every operand is converted to one dtype (dtypes.result_type) on one device; a
Python number becomes a 0-d tensor that does not require grad. That tensor holds the number itself
(storage.ScalarStorage), not device memory: binary ops and where pass it to their kernel as an
argument, so `x * 2.0` is one kernel launch, not a `full` launch and then the multiply.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import dtype, get_default_dtype, result_type
from ..storage import ScalarStorage
from ..tensor import Tensor, make_tensor
from . import lowering


def is_number(value: Any) -> bool:
    return isinstance(value, (bool, int, float, complex)) or isinstance(value, np.generic)


def scalar_tensor(value: Any, new_dtype: dtype, like: Tensor) -> Tensor:
    """A 0-d tensor holding a Python number, on like's device (no kernel runs: see the module
    docstring; its buffer is made only if something other than a binary op or where needs it)."""
    storage = like._storage
    number = number_as(value, new_dtype.numpy)
    return make_tensor(ScalarStorage(number, storage.device, storage.backend),
                       lowering.contiguous_view(()), new_dtype)


# The largest finite float16 / float32: a larger Python float becomes +-inf (as in PyTorch).
_LARGEST = {np.dtype(np.float16): 65504.0, np.dtype(np.float32): 3.4028234663852886e38}


def number_as(value: Any, numpy_dtype: np.dtype) -> np.generic:
    """A Python number as a NumPy scalar of numpy_dtype, converted as PyTorch converts it: an int
    out of the dtype's range wraps around (int8: 1000 -> -24), a float out of float16's or
    float32's range becomes +-inf, any nonzero number is True as a bool."""
    largest = _LARGEST.get(numpy_dtype)
    if largest is None or -largest <= value <= largest:  # the usual case: exact or rounded
        try:
            return numpy_dtype.type(value)
        except OverflowError:  # an int out of range (NumPy refuses to wrap it silently)
            pass
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array(value).astype(numpy_dtype)[()]


def as_number(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def promote(*operands: Any, floating: bool = False) -> tuple[Tensor, ...]:
    """Convert every operand (Tensor or number) to the common dtype; `floating` forces a float."""
    first = operands[0]
    if isinstance(first, Tensor):  # the common case: tensors of one dtype already, decided
        dtype = first.dtype        # by one look at each operand before any promotion rule
        for operand in operands:
            if not isinstance(operand, Tensor) or operand.dtype is not dtype:
                break
        else:
            if not floating or dtype.category >= 2:  # floating or complex already
                return operands
    values = [as_number(o) for o in operands]
    for value in values:
        if not isinstance(value, Tensor) and not is_number(value):
            raise TypeError(f"unsupported operand type: {type(value).__name__}")
    common = result_type(*values)
    if floating and not common.is_differentiable:
        common = get_default_dtype()
    like = next(v for v in values if isinstance(v, Tensor))
    return tuple(_convert(v, common, like) for v in values)


def _convert(value: Any, common: dtype, like: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        if value.dtype is common:
            return value
        from .conversion import cast_to

        return cast_to(value, common)
    return scalar_tensor(value, common, like)


def float_input(x: Tensor) -> Tensor:
    """Math functions such as exp on an integer tensor compute in the default float dtype."""
    if x.dtype.is_differentiable:  # floating or complex
        return x
    from .conversion import cast_to

    return cast_to(x, get_default_dtype())


def check_tensor(value: Any, name: str = "input") -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} (position 1) must be Tensor, not {type(value).__name__}")
    return value
