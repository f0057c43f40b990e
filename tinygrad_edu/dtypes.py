"""Data types and PyTorch's type-promotion rules.

Nine dtypes: float32 (the default float), float64, float16, int64 (the default int), int32, int16,
int8, uint8 and bool. When an op mixes dtypes, the result dtype follows PyTorch:

- Categories rank bool < integer < floating. Within a category the wider type wins
  (float32 + float64 -> float64; uint8 + int32 -> int32); uint8 + int8 -> int16, the smallest type
  that holds both 255 and -128.
- Operands come in three tiers: tensors with dimensions, zero-dimensional tensors, and Python
  numbers. A lower tier only changes the result if it is of a *higher category*: int32 tensor
  + 2.5 -> float32 (the default float), but float16 tensor + 2.5 -> float16, and float32 tensor
  + float64 0-d tensor -> float32.
- Comparisons return bool whatever the inputs.
- complex64 and complex128 rank above floating: float32 + complex64 -> complex64, but float64 +
  complex64 -> complex128 (the wider *part* wins); a Python complex number takes the default
  complex dtype (complex64 while the default float is float32).
"""

from __future__ import annotations

import numpy as np


class dtype:  # noqa: N801 - the name PyTorch users write: torch.dtype
    """A tensor element type: its name, NumPy equivalent, size in bytes and category."""

    __slots__ = ("name", "numpy", "itemsize", "category", "rank")

    def __init__(self, name: str, numpy_type: type, category: int, rank: int):
        self.name = name
        self.numpy = np.dtype(numpy_type)
        self.itemsize = self.numpy.itemsize
        self.category = category  # 0 bool, 1 integer, 2 floating, 3 complex
        self.rank = rank  # order of width inside the category

    @property
    def is_floating_point(self) -> bool:
        return self.category == 2

    @property
    def is_complex(self) -> bool:
        return self.category == 3

    @property
    def is_differentiable(self) -> bool:
        """Floating and complex tensors can require gradients."""
        return self.category >= 2

    @property
    def is_signed(self) -> bool:
        return self.name not in ("uint8", "bool")

    def __repr__(self) -> str:
        return f"tinygrad_edu.{self.name}"

    def __reduce__(self) -> str:  # pickle as the module-level singleton
        return self.name


bool_ = dtype("bool", np.bool_, 0, 0)
uint8 = dtype("uint8", np.uint8, 1, 0)
int8 = dtype("int8", np.int8, 1, 0)  # the same rank as uint8: neither holds the other
int16 = dtype("int16", np.int16, 1, 1)
int32 = dtype("int32", np.int32, 1, 2)
int64 = dtype("int64", np.int64, 1, 3)
float16 = dtype("float16", np.float16, 2, 0)
float32 = dtype("float32", np.float32, 2, 1)
float64 = dtype("float64", np.float64, 2, 2)
# complex: stored as interleaved (real, imag) pairs; rank = the rank of the float of each part
complex64 = dtype("complex64", np.complex64, 3, 1)
complex128 = dtype("complex128", np.complex128, 3, 2)

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64,
              complex128)
COMPLEX_DTYPES = (complex64, complex128)
FLOATING_DTYPES = (float16, float32, float64)
_BY_NUMPY = {d.numpy: d for d in ALL_DTYPES}
_BY_NAME = {d.name: d for d in ALL_DTYPES} | {"float": float32, "double": float64, "half": float16,
                                              "long": int64, "int": int32, "bool": bool_,
                                              "cfloat": complex64, "cdouble": complex128,
                                              "short": int16}


class _Defaults:
    float_dtype: dtype = float32


def get_default_dtype() -> dtype:
    """The dtype of floating tensors created from Python floats (float32 unless changed)."""
    return _Defaults.float_dtype


def set_default_dtype(new_dtype: dtype) -> None:
    """Change the default floating dtype (float32 or float64), as torch.set_default_dtype."""
    if new_dtype not in FLOATING_DTYPES:
        raise TypeError("only floating-point types are supported as the default type")
    _Defaults.float_dtype = new_dtype


def get_default_complex_dtype() -> dtype:
    """The dtype of complex numbers created from Python complex: complex64 with float32 default."""
    return complex128 if _Defaults.float_dtype is float64 else complex64


def to_complex(real: dtype) -> dtype:
    """The complex dtype whose parts have this floating dtype (float16 has none: complex64)."""
    if real.is_complex:
        return real
    return complex128 if real is float64 else complex64


def to_real(complex_dtype: dtype) -> dtype:
    """The floating dtype of each part of a complex dtype (a real dtype is returned as is)."""
    if not complex_dtype.is_complex:
        return complex_dtype
    return float64 if complex_dtype is complex128 else float32


def from_numpy_dtype(numpy_dtype: np.dtype) -> dtype:
    """The tinygrad_edu dtype for a NumPy dtype; TypeError for the ones we do not support."""
    found = _BY_NUMPY.get(np.dtype(numpy_dtype))
    if found is None:
        raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(numpy_dtype).name}. "
                        "The only supported types are: float64, float32, float16, complex64, "
                        "complex128, int64, int32, int16, int8, uint8, and bool.")
    return found


def to_dtype(value: object) -> dtype:
    """Accept a dtype, a NumPy dtype, a Python type (float, int, bool) or a name like 'float32'."""
    if isinstance(value, dtype):
        return value
    if value is float:
        return get_default_dtype()
    if value is int:
        return int64
    if value is bool:
        return bool_
    if value is complex:
        return get_default_complex_dtype()
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    try:
        return from_numpy_dtype(np.dtype(value))
    except TypeError:
        raise TypeError(f"{value!r} is not a tinygrad_edu dtype") from None


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both a and b convert to without losing their category."""
    if a is b:
        return a
    if a.is_complex or b.is_complex:  # the wider part wins: float64 + complex64 -> complex128
        part = max(to_real(a).rank if a.category >= 2 else 0,
                   to_real(b).rank if b.category >= 2 else 0)
        return complex128 if part >= 2 else complex64
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.rank == b.rank and a.category == 1:  # uint8 and int8: neither holds the other
        return int16
    return a if a.rank >= b.rank else b


def scalar_dtype(value: bool | int | float | complex) -> dtype:
    """The dtype a Python number takes on its own: bool, int64, the default float or complex."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, complex):
        return get_default_complex_dtype()
    return get_default_dtype()


def _combine_tiers(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """PyTorch's combine_categories: a lower tier counts only when its category is higher."""
    if higher is None:
        return lower
    if lower is None or higher.is_complex:
        return higher
    if lower.is_complex:  # a complex scalar makes a float tensor complex, keeping its width
        return to_complex(higher) if higher.category == 2 else lower
    if higher.category == 2:
        return higher
    if higher is bool_ or lower.category == 2:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: object) -> dtype:
    """The dtype of an op over these operands (tensors and Python numbers), as torch.result_type."""
    dimensioned: dtype | None = None
    zero_dim: dtype | None = None
    python_number: dtype | None = None
    for operand in operands:
        if isinstance(operand, (bool, int, float, complex)):
            current = scalar_dtype(operand)
            python_number = current if python_number is None else promote_types(python_number,
                                                                                 current)
        elif operand.ndim == 0:  # a Tensor
            zero_dim = operand.dtype if zero_dim is None else promote_types(zero_dim, operand.dtype)
        else:
            dimensioned = (operand.dtype if dimensioned is None
                           else promote_types(dimensioned, operand.dtype))
    return _combine_tiers(dimensioned, _combine_tiers(zero_dim, python_number))
