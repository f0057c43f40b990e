"""Tensor methods for the breadth of torch: x.tan(), x.cumsum(0), x.sort(), and every `x.op_()`.

A mixin of the Tensor class, like tensor_math.py, but written as tables instead of one method
each, because the pattern never changes:

    FORWARDED   x.name(*args)   is  torch.name(x, *args)        (the op, in tinygrad_edu.ops)
    IN_PLACE    x.name_(*args)  is  x[...] = torch.name(x, *args), the version counter bumped
    VIEW_IN_PLACE  x.unsqueeze_(0) changes x's own shape and strides (no data moves)

IN_PLACE is PyTorch's own list: every `Tensor.name_` whose `Tensor.name` tinygrad_edu has
(tests/test_api_details.py checks the list against torch). Methods written out elsewhere
(tensor_math.py's add_, mul_, ...) take precedence: this mixin comes last in Tensor's bases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor

# x.name(...) == ops.name(x, ...)
FORWARDED = (
    # math (ops/math_functions.py)
    "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "asinh",
    "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "log2", "log10", "exp2", "expm1", "atan2",
    "arctan2", "fmod", "copysign", "hypot", "xlogy", "sgn", "frac", "deg2rad", "rad2deg",
    "logaddexp", "logaddexp2", "lerp", "logit", "nan_to_num", "isfinite", "isposinf", "isneginf",
    "isclose", "allclose", "hardshrink", "prelu", "absolute", "fix",
    # scans (ops/cumulative.py)
    "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
    # sorting and selection (ops/sorting.py)
    "sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique",
    "bincount", "masked_select",
    # bit operations (ops/bitwise.py)
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift",
)

# x.name_(...) == x.copy_(ops.name(x, ...)) with the version counter bumped
IN_PLACE = (
    "abs", "absolute", "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
    "arctan2", "arctanh", "asin", "asinh", "atan", "atan2", "atanh", "sinh", "scatter_add",
    "ceil", "copysign", "cos", "cosh",
    "deg2rad", "div", "divide", "erf", "exp", "exp2", "expm1", "floor", "floor_divide", "fmod",
    "frac", "hypot", "lerp", "log", "log10", "log1p", "log2", "logit", "multiply", "nan_to_num",
    "negative", "rad2deg", "reciprocal", "remainder", "round", "rsqrt", "sgn", "sigmoid", "sign",
    "sin", "sqrt", "square", "subtract", "tan", "tanh", "true_divide", "trunc", "xlogy",
    "fix", "cumsum", "cumprod",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift",
)

# comparison and logical ops: x.lt_(y) stores the bool result as 0 / 1 in x's own dtype
IN_PLACE_CASTING = (
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal", "logical_and", "logical_or", "logical_xor", "logical_not",
)

# view ops whose in-place form changes x's shape and strides, not its data
VIEW_IN_PLACE = ("unsqueeze", "squeeze", "transpose", "t", "swapaxes", "swapdims")


def _forwarded(name: str) -> Callable[..., Any]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._ops, name)(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"x.{name}(...) is torch.{name}(x, ...)."
    return method


def _in_place(name: str, cast_back: bool) -> Callable[..., Any]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        op = getattr(self._ops, name) if hasattr(self._ops, name) else getattr(type(self), name)
        if cast_back:
            def computed(current: Tensor, *a: Any, **k: Any) -> Tensor:
                return op(current, *a, **k).to(current.dtype)
            return self._ops.inplace(self, computed, *args, **kwargs)
        return self._ops.inplace(self, op, *args, **kwargs)

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f"In-place x.{name}(...): the result is written into x's own storage."
    return method


def _view_in_place(name: str) -> Callable[..., Any]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        result = getattr(type(self), name)(self, *args, **kwargs)
        self._view = result._view
        if result._grad_fn is not None:
            self._grad_fn, self._output_nr = result._grad_fn, result._output_nr
        return self

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f"In-place x.{name}(...): x takes the new shape and strides (a view op)."
    return method


class TensorBreadth:
    """The table-made methods of Tensor (see the module docstring)."""

    _ops: Any


for _name in FORWARDED:
    setattr(TensorBreadth, _name, _forwarded(_name))
for _name in IN_PLACE:
    setattr(TensorBreadth, f"{_name}_", _in_place(_name, cast_back=False))
for _name in IN_PLACE_CASTING:
    setattr(TensorBreadth, f"{_name}_", _in_place(_name, cast_back=True))
for _name in VIEW_IN_PLACE:
    setattr(TensorBreadth, f"{_name}_", _view_in_place(_name))
