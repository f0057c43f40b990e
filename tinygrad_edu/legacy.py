"""The legacy typed constructors: torch.FloatTensor(2, 3), torch.LongTensor([1, 2]), ...

Old tutorials create tensors through one class per dtype. Each is a factory with PyTorch's three
call forms, and isinstance(x, torch.FloatTensor) asks "is x a float32 tensor on the CPU?":

    FloatTensor()            an empty (0,) tensor
    FloatTensor(2, 3)        an uninitialised (2, 3) tensor (sizes, or one torch.Size)
    FloatTensor([1, 2])      a tensor holding the data, converted to the class's dtype
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .creation import empty, tensor
from .tensor import Size, Tensor


def _is_sizes(args: tuple) -> bool:
    return all(isinstance(a, int) and not isinstance(a, bool) for a in args) or (
        len(args) == 1 and isinstance(args[0], Size))


def legacy_new(args: tuple, dtype: dtypes.dtype, device: Any = None) -> Tensor:
    """What FloatTensor(*args) (or x.new(*args)) builds."""
    if not args:
        return empty(0, dtype=dtype, device=device)
    if _is_sizes(args):
        return empty(*args, dtype=dtype, device=device)
    if len(args) != 1:
        raise TypeError(f"new(): invalid arguments: expected sizes or one data argument, got "
                        f"{len(args)} arguments")
    data = args[0]
    if isinstance(data, Tensor):
        return data.to(dtype)
    return tensor(data, dtype=dtype, device=device)


class _LegacyType(type):
    """The metaclass: calling the class builds a Tensor; isinstance checks dtype and device."""

    dtype: dtypes.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:  # type: ignore[override]
        return legacy_new(args, cls.dtype, device)

    def __instancecheck__(cls, instance: object) -> bool:
        return (isinstance(instance, Tensor) and instance.dtype is cls.dtype
                and instance.device.type == "cpu")


def _legacy(name: str, dtype: dtypes.dtype) -> type:
    return _LegacyType(name, (), {"dtype": dtype, "__doc__": f"A {dtype.name} CPU tensor."})


FloatTensor = _legacy("FloatTensor", dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", dtypes.float64)
HalfTensor = _legacy("HalfTensor", dtypes.float16)
LongTensor = _legacy("LongTensor", dtypes.int64)
IntTensor = _legacy("IntTensor", dtypes.int32)
ShortTensor = _legacy("ShortTensor", dtypes.int16)
CharTensor = _legacy("CharTensor", dtypes.int8)
ByteTensor = _legacy("ByteTensor", dtypes.uint8)
BoolTensor = _legacy("BoolTensor", dtypes.bool_)
