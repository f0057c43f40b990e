"""torch.sin_(x), torch.clamp_(x, 0, 1), ...: the in-place ops PyTorch also offers as functions.

Each is the Tensor method of the same name, called on its first argument: `torch.exp_(x)` is
`x.exp_()`, which writes exp(x) into x's own storage (see tensor_breadth.py for how in-place
methods are made, and ops/inplace.py for the version counter that guards saved tensors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

IN_PLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clip_",
    "conj_physical_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "exp2_", "exp_", "expm1_",
    "fix_", "floor_", "frac_", "gcd_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_",
    "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "round_", "rsqrt_",
    "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_",
    "zero_",
)


def _method_as_function(name: str) -> Callable[..., Any]:
    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__module__ = __name__
    function.__doc__ = f"torch.{name}(x, ...) is x.{name}(...): the result is written into x."
    return function


globals().update({name: _method_as_function(name) for name in IN_PLACE_FUNCTIONS})
__all__ = list(IN_PLACE_FUNCTIONS)
