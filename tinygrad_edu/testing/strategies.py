"""Hypothesis strategies that generate test inputs: shapes, arrays, broadcastable pairs, and
non-contiguous layouts of the same values.

    @given(arrays(shape=shapes(max_dims=3)))              one float32 array
    @given(broadcastable_pair())                           two arrays that broadcast together
    @given(tensors(), layouts())                           the same values stored permuted/strided

Everything is generated as NumPy arrays, so one example can feed tinygrad_edu and PyTorch alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..creation import from_numpy, tensor
from ..tensor import Tensor

_NUMPY_DTYPES = {"float32": np.float32, "float64": np.float64, "float16": np.float16,
                 "int64": np.int64, "int32": np.int32, "uint8": np.uint8, "bool": np.bool_}


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
           ) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes of rank min_dims..max_dims with each size in min_side..max_side (rank 0 allowed)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def elements(dtype: str = "float32", low: float = -10, high: float = 10, *,
             avoid_zero: bool = False) -> st.SearchStrategy[Any]:
    """Finite values in [low, high] of a dtype; avoid_zero keeps |x| >= 0.1 (for 1/x, log|x|)."""
    if dtype == "bool":
        return st.booleans()
    if dtype in ("int64", "int32", "uint8"):
        low = max(low, 0) if dtype == "uint8" else low
        values = st.integers(int(low), int(high))
        return values.filter(lambda v: v != 0) if avoid_zero else values
    width = 16 if dtype == "float16" else 32 if dtype == "float32" else 64
    narrow = {16: np.float16, 32: np.float32, 64: np.float64}[width]
    low, high = float(narrow(low)), float(narrow(high))  # bounds exactly representable
    # Subnormal numbers (below ~1e-38 in float32) underflow to 0 in products such as x * x; they
    # are left out so that tests compare arithmetic, not the underflow behaviour of two libraries.
    values = st.floats(low, high, allow_nan=False, allow_infinity=False, width=width,
                       allow_subnormal=False)
    return values.filter(lambda v: abs(v) >= 0.1) if avoid_zero else values


def arrays(dtype: str = "float32", shape: Any = None, *, low: float = -10, high: float = 10,
           avoid_zero: bool = False) -> st.SearchStrategy[np.ndarray]:
    """NumPy arrays of a dtype with a given shape (or a strategy for one)."""
    return hnp.arrays(_NUMPY_DTYPES[dtype], shape if shape is not None else shapes(),
                      elements=elements(dtype, low, high, avoid_zero=avoid_zero))


@st.composite
def broadcastable_pair(draw: Any, dtype: str = "float32", max_dims: int = 3, low: float = -10,
                       high: float = 10, avoid_zero_second: bool = False
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Two arrays whose shapes broadcast (sizes equal or 1, ranks may differ)."""
    shape_a, shape_b = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=max_dims,
                                                              max_side=4)).input_shapes
    a = draw(arrays(dtype, shape_a, low=low, high=high))
    b = draw(arrays(dtype, shape_b, low=low, high=high, avoid_zero=avoid_zero_second))
    return a, b


@st.composite
def layouts(draw: Any) -> str:
    """How to store a test array: contiguous, permuted (transposed memory) or strided (a slice)."""
    return draw(st.sampled_from(["contiguous", "permuted", "strided"]))


def as_layout(array: np.ndarray, layout: str, *, requires_grad: bool = False, **kwargs: Any
              ) -> Tensor:
    """A tensor with array's values whose *storage* follows the layout (values are unchanged)."""
    if layout == "permuted" and array.ndim >= 2:
        order = tuple(reversed(range(array.ndim)))
        stored = tensor(np.ascontiguousarray(array.transpose(order)), **kwargs)
        result = stored.permute(order)
    elif layout == "strided" and array.ndim >= 1:
        padded = np.repeat(array, 2, axis=-1)  # every value twice; step 2 picks one of each
        result = tensor(padded, **kwargs)[..., ::2]
    else:
        result = tensor(array, **kwargs)
    result = result.detach()
    return result.requires_grad_(requires_grad) if requires_grad else result


def tensors(dtype: str = "float32", shape: Any = None, **kwargs: Any
            ) -> st.SearchStrategy[Tensor]:
    """tinygrad_edu tensors (sharing memory with generated NumPy arrays)."""
    return arrays(dtype, shape, **kwargs).map(lambda a: from_numpy(np.array(a)))
