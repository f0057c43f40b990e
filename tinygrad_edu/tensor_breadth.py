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

from . import dtypes as _dtypes

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
    "bitwise_right_shift", "index_add", "unique_consecutive",
    # more math and reductions (ops/math_more.py)
    "aminmax", "count_nonzero", "diff", "float_power", "fmax", "fmin", "ldexp", "nanmean",
    "nansum", "positive", "signbit", "sinc", "addcdiv", "addcmul", "gcd", "heaviside", "isreal",
    "lcm", "nanquantile", "quantile",
    # torch's aliases of comparison and arithmetic methods
    "greater", "greater_equal", "less", "less_equal", "not_equal", "multiply", "subtract", "ger",
    "broadcast_to",
    # writing to chosen positions (ops/scatter.py)
    "scatter", "index_fill", "index_copy", "masked_scatter", "take",
    "corrcoef", "cov", "dist", "histc", "argwhere",
    # more shape helpers and samplers (ops/layout_more.py)
    "ravel", "tile", "tensor_split", "hsplit", "vsplit", "dsplit", "fliplr", "flipud", "select",
    "mv", "inner", "diagflat", "multinomial", "bernoulli",
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
    "bitwise_right_shift", "index_add",
    # products, layout and complex ops merged from other branches
    "addmm", "addmv", "baddbmm", "conj_physical", "tril", "triu",
    "float_power", "ldexp", "sinc", "addcdiv", "addcmul", "gcd", "heaviside", "lcm",
    "scatter", "index_fill", "index_copy", "masked_scatter", "put",
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
        if name in ("abs", "absolute") and self.dtype.is_complex:  # |z| is real: not into z
            raise RuntimeError("In-place abs is not supported for complex tensors.")
        op = getattr(self._ops, name) if hasattr(self._ops, name) else getattr(type(self), name)

        if not cast_back:
            return self._ops.inplace(self, op, *args, **kwargs)

        def computed(current: Tensor, *a: Any, **k: Any) -> Tensor:
            return op(current, *a, **k).to(current.dtype)

        return self._ops.inplace(self, computed, *args, **kwargs)

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


def _bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """In place: each element becomes 1 with probability p (0.5 by default), else 0."""
    from .ops.layout_more import bernoulli_

    return bernoulli_(self, p, generator=generator)


_bernoulli_.__name__ = _bernoulli_.__qualname__ = "bernoulli_"
TensorBreadth.bernoulli_ = _bernoulli_  # type: ignore[attr-defined]  # not torch.bernoulli(x)


# --- keyword conventions of PyTorch's argument parser, applied to every op at once ---------------
import functools  # noqa: E402
import inspect  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402

# torch.<name> functions that take out= (checked against torch by tests/test_api_details.py)
OUT_FUNCTIONS = (
    "abs", "absolute", "acos", "acosh", "add", "addcdiv", "addcmul", "all", "amax", "amin",
    "aminmax", "any", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
    "argmax", "argmin", "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and",
    "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "bmm",
    "bucketize", "cat", "ceil", "clamp", "clip", "concat", "concatenate", "copysign", "cos",
    "cosh", "cummax", "cummin", "cumprod", "cumsum", "deg2rad", "diff", "div", "divide", "dot",
    "eq", "erf", "exp", "exp2", "expm1", "fix", "float_power", "floor", "floor_divide", "fmax",
    "fmin", "fmod", "frac", "gather", "gcd", "ge", "ger", "greater", "greater_equal", "gt",
    "hardshrink", "heaviside", "hypot", "index_add", "index_copy", "index_select", "isin",
    "isneginf", "isposinf", "kthvalue", "lcm", "ldexp", "le", "lerp", "less", "less_equal", "log",
    "log10", "log1p", "log2", "log_softmax", "logaddexp", "logaddexp2", "logcumsumexp",
    "logical_and", "logical_not", "logical_or", "logical_xor", "logit", "logsumexp", "lt",
    "masked_select", "matmul", "max", "maximum", "mean", "median", "min", "minimum", "mm", "mode",
    "msort", "mul", "multiply", "nan_to_num", "nanmean", "nanmedian", "nanquantile", "nansum",
    "ne", "neg", "negative", "nonzero", "norm", "not_equal", "outer", "pow", "prod", "quantile",
    "rad2deg", "reciprocal", "remainder", "round", "rsqrt", "scatter", "scatter_add",
    "searchsorted", "sgn", "sigmoid", "sign", "signbit", "sin", "sinc", "sinh", "softmax", "sort",
    "sqrt", "square", "stack", "std", "sub", "subtract", "sum", "take", "tan", "tanh", "threshold",
    "topk", "true_divide", "trunc", "var", "where", "xlogy",
)


def _has_parameter(function: Any, name: str) -> bool:
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def accepts_numpy_names(function: Callable[..., Any]) -> Callable[..., Any]:
    """Let function take axis= for dim= and keepdims= for keepdim=, as PyTorch does."""
    @functools.wraps(function)
    def with_numpy_names(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            if "axis" in kwargs:
                kwargs["dim"] = kwargs.pop("axis")
            if "keepdims" in kwargs:
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return function(*args, **kwargs)

    return with_numpy_names


def _type_word(x: Tensor) -> str:
    return x.type().split(".")[-1].replace("Tensor", "")


def _write_out(name: str, out: Tensor, result: Tensor) -> Tensor:
    """out[...] = result, with PyTorch's checks; out is resized (with its warning) if needed."""
    from .autograd.grad_mode import GradMode, no_grad
    from .creation import empty

    if GradMode.enabled and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if result.dtype.category > out.dtype.category:
        raise RuntimeError(f"result type {_type_word(result)} can't be cast to the desired output "
                           f"type {_type_word(out)}")
    if tuple(out.shape) != tuple(result.shape):
        if out.numel():
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out.shape)}, which does not match the required output shape "
                          f"{list(result.shape)}. This behavior is deprecated, and in a future "
                          "PyTorch release outputs will not be resized unless they have zero "
                          "elements. You can explicitly reuse an out tensor t by resizing it, "
                          "inplace, to zero elements with t.resize_(0).", stacklevel=4)
        fresh = empty(tuple(result.shape), dtype=out.dtype, device=out.device)
        out._storage, out._view, out._base = fresh._storage, fresh._view, None
    with no_grad():
        out.copy_(result)
    return out


def accepts_out(function: Callable[..., Any]) -> Callable[..., Any]:
    """Let function take out= (a tensor, or a tuple for ops that return several)."""
    name = function.__name__

    @functools.wraps(function)
    def with_out(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if out is None:
            return result
        if isinstance(result, tuple):
            written = [_write_out(name, o, r) for o, r in zip(out, result)]
            return type(result)(*written) if hasattr(result, "_fields") else tuple(written)
        return _write_out(name, out, result)

    return with_out


def install_conventions(namespace: dict[str, Any], tensor_class: type) -> None:
    """Give every op in namespace (and every Tensor method) with a dim parameter the axis= and
    keepdims= aliases, and every OUT_FUNCTIONS op the out= keyword.

    The ops as written (before these wrappers) stay reachable as `Tensor._plain_ops`: Python
    operators (`a + b`) never pass out= or axis=, and the wrapper's `*args, **kwargs` call costs
    about 0.3 us, as much as NumPy's own add of four numbers."""
    plain: dict[str, Any] = {}
    for name in list(namespace.get("__all__", ())):
        function = namespace[name]
        if not callable(function) or isinstance(function, type):
            continue
        plain[name] = function
        if name in OUT_FUNCTIONS and not _has_parameter(function, "out"):
            function = accepts_out(function)
        if _has_parameter(function, "dim"):
            function = accepts_numpy_names(function)
        namespace[name] = function
    tensor_class._plain_ops = types.SimpleNamespace(**plain)
    for name in dir(tensor_class):
        method = getattr(tensor_class, name)
        if (not name.startswith("_") and inspect.isfunction(method)
                and _has_parameter(method, "dim")):
            setattr(tensor_class, name, accepts_numpy_names(method))


def _new(self: Tensor, *args: Any, device: Any = None) -> Tensor:
    """The legacy x.new(...): like torch.FloatTensor(...) with x's dtype and device."""
    from .legacy import legacy_new

    return legacy_new(args, self.dtype, device or self.device)


def _short(self: Tensor) -> Tensor:
    """x.short() is x.to(torch.int16)."""
    return self.to(_dtypes.int16)


def _char(self: Tensor) -> Tensor:
    """x.char() is x.to(torch.int8)."""
    return self.to(_dtypes.int8)


# augmented assignment on integers, in place as in PyTorch: x &= y is x.bitwise_and_(y)
for _operator, _name in (("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor"),
                         ("lshift", "bitwise_left_shift"), ("rshift", "bitwise_right_shift")):
    setattr(TensorBreadth, f"__i{_operator}__", _in_place(_name, cast_back=False))

def _is_signed(self: Tensor) -> bool:
    """Whether the dtype holds negative numbers (every dtype but bool and uint8)."""
    return self.dtype.name not in ("bool", "uint8")


def _is_neg(self: Tensor) -> bool:
    """Whether this is a lazily negated view (never here: negation always computes)."""
    return False


def _put(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """x as 1-D with source written (or added) at index, out of place (ops/scatter.py)."""
    from .ops.scatter import put

    return put(self, index, source, accumulate)


TensorBreadth.put = _put  # type: ignore[attr-defined]
TensorBreadth.is_signed = _is_signed  # type: ignore[attr-defined]
TensorBreadth.is_neg = _is_neg  # type: ignore[attr-defined]
TensorBreadth.new = _new  # type: ignore[attr-defined]
TensorBreadth.short = _short  # type: ignore[attr-defined]
TensorBreadth.char = _char  # type: ignore[attr-defined]
