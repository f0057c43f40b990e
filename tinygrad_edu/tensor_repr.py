"""How a tensor prints: values laid out like PyTorch's, then what is not default about it.

    tensor([[1.0000, 2.5000],
            [3.0000, 4.0000]], dtype=tinygrad_edu.float64, requires_grad=True)

Floats use one format for the whole tensor: whole numbers print as `1.`, others with 4 decimals,
and very large or small magnitudes in scientific notation. Tensors over 1000 elements are
summarised with `...`, 3 items from each edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

_THRESHOLD, _EDGE_ITEMS = 1000, 3


def _float_formatter(values: np.ndarray):
    finite = values[np.isfinite(values)].astype(np.float64)
    magnitudes = np.abs(finite[finite != 0])
    if finite.size == 0 or magnitudes.size == 0:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else _special(v)
    largest, smallest = magnitudes.max(), magnitudes.min()
    if np.all(finite == np.round(finite)):
        if largest / smallest > 1000 or largest > 1e8:
            return lambda v: f"{v:.4e}" if np.isfinite(v) else _special(v)
        return lambda v: f"{v:.0f}." if np.isfinite(v) else _special(v)
    if largest / smallest > 1000 or largest > 1e8 or smallest < 1e-4:
        return lambda v: f"{v:.4e}" if np.isfinite(v) else _special(v)
    return lambda v: f"{v:.4f}" if np.isfinite(v) else _special(v)


def _special(value: float) -> str:
    return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")


def _complex_formatter(values: np.ndarray):
    """Like PyTorch: real parts share one format (padded), imaginary parts another, with a sign."""
    real_format, imag_format = _float_formatter(values.real), _float_formatter(values.imag)
    real_width = max((len(real_format(v)) for v in values.real.reshape(-1)), default=0)

    def format_one(value: complex) -> str:
        imag = imag_format(value.imag) + "j"
        return real_format(value.real).rjust(real_width) + (imag if imag[0] == "-" else "+" + imag)

    return format_one


def _formatter(values: np.ndarray):
    if values.dtype.kind == "c":
        return _complex_formatter(values)
    if values.dtype.kind == "f":
        return _float_formatter(values)
    if values.dtype.kind == "b":
        return lambda v: "True" if v else "False"
    return lambda v: str(int(v))


_LINE_WIDTH = 80


def _vector(values: np.ndarray, format_one, width: int, indent: int, summarise: bool) -> str:
    """One row, wrapped to 80 columns like PyTorch; ' ...' stands for the summarised middle."""
    items = list(values)
    if summarise and len(items) > 2 * _EDGE_ITEMS:
        cells = [format_one(v).rjust(width) for v in items[:_EDGE_ITEMS]] + [" ..."] + [
            format_one(v).rjust(width) for v in items[-_EDGE_ITEMS:]]
    else:
        cells = [format_one(v).rjust(width) for v in items]
    per_line = max(1, (_LINE_WIDTH - indent) // (width + 2))
    lines = [", ".join(cells[i:i + per_line]) for i in range(0, len(cells), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _layout(values: np.ndarray, format_one, width: int, indent: int, summarise: bool) -> str:
    if values.ndim == 0:
        return format_one(values.item()).rjust(width)
    if values.ndim == 1:
        return _vector(values, format_one, width, indent, summarise)
    rows = list(range(len(values)))
    if summarise and len(rows) > 2 * _EDGE_ITEMS:
        rows = rows[:_EDGE_ITEMS] + [None] + rows[-_EDGE_ITEMS:]
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    parts = ["..." if r is None else _layout(values[r], format_one, width, indent + 1, summarise)
             for r in rows]
    return "[" + separator.join(parts) + "]"


def format_values(values: np.ndarray, indent: int) -> str:
    """The bracketed values, aligned to one width, as PyTorch prints them."""
    if values.size == 0:
        return "[]"
    summarise = values.size > _THRESHOLD
    shown = values
    if summarise:
        for axis in range(values.ndim):
            if values.shape[axis] > 2 * _EDGE_ITEMS:
                keep = list(range(_EDGE_ITEMS)) + list(range(values.shape[axis] - _EDGE_ITEMS,
                                                             values.shape[axis]))
                shown = np.take(shown, keep, axis=axis)
    format_one = _formatter(shown)  # like PyTorch: the format fits the elements shown
    width = max(len(format_one(v)) for v in shown.reshape(-1))
    return _layout(values, format_one, width, indent, summarise)


def tensor_repr(tensor: Tensor) -> str:
    from .dtypes import get_default_complex_dtype, get_default_dtype

    values = np.asarray(tensor._host())
    text = format_values(values, indent=len("tensor("))
    suffixes = []
    if tensor.device.type != "cpu":
        suffixes.append(f"device='{tensor.device}'")
    if values.size == 0 and values.ndim > 1:
        suffixes.append(f"size={tuple(values.shape)}")
    default_dtypes = (get_default_dtype().name, "int64", "bool", get_default_complex_dtype().name)
    if tensor.dtype.name not in default_dtypes or (values.size == 0 and tensor.dtype.name != (
            get_default_dtype().name)):
        suffixes.append(f"dtype={tensor.dtype!r}")
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{tensor.grad_fn.name()}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return "tensor(" + ", ".join([text] + suffixes) + ")"
