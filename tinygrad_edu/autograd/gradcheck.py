"""gradcheck: does backward agree with the definition of a derivative?

For every input element x_j and output element y_i, compare the analytical Jacobian entry from
backward with the central difference

    dy_i/dx_j  ~=  (f(x + eps e_j)_i - f(x - eps e_j)_i) / (2 eps)

computed in float64 (float32 differences lose most of their digits). A mismatch names the output,
the input and the worst element, with both values.

Complex inputs and outputs are checked as what they are to autograd: pairs of reals. Each complex
input becomes a float64 (..., 2) leaf seen through view_as_complex, each complex output is read
through view_as_real, so the check also tests PyTorch's convention for complex gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..dtypes import float64


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical Jacobians differ."""


def _as_tuple(value: Any) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _float64_inputs(inputs: tuple) -> tuple:
    from ..tensor import Tensor

    prepared = []
    for value in inputs:
        if isinstance(value, Tensor) and value.dtype.is_floating_point:
            copy = value.detach().to(float64).contiguous().clone()
            copy.requires_grad_(value.requires_grad)
            prepared.append(copy)
        else:
            prepared.append(value)
    return tuple(prepared)


def _outputs(function: Callable, inputs: tuple) -> tuple:
    from ..ops.complex import view_as_real

    return tuple(view_as_real(o) if o.dtype.is_complex else o
                 for o in _as_tuple(function(*inputs)) if o.dtype.is_differentiable)


def _complex_as_real_pairs(function: Callable, inputs: tuple) -> tuple[Callable, tuple]:
    """f(z) -> f(view_as_complex(pairs)) with a float64 (..., 2) leaf per complex input z."""
    from ..dtypes import complex128
    from ..ops.complex import view_as_complex, view_as_real
    from ..tensor import Tensor

    was_complex = [isinstance(v, Tensor) and v.dtype.is_complex for v in inputs]
    if not any(was_complex):
        return function, inputs
    pairs = tuple(view_as_real(v.detach().to(complex128)).clone().requires_grad_(v.requires_grad)
                  if flag else v for v, flag in zip(inputs, was_complex))

    def on_pairs(*values: Any) -> Any:
        return function(*[view_as_complex(v) if flag else v
                          for v, flag in zip(values, was_complex)])

    return on_pairs, pairs


def _numerical_jacobian(function: Callable, inputs: tuple, index: int, eps: float) -> list:
    """One (numel_out, numel_in) matrix per output, by central differences."""
    from ..autograd.grad_mode import no_grad

    flat = inputs[index].detach().reshape(-1)
    columns = []
    with no_grad():
        for j in range(flat.numel()):
            original = float(flat[j])
            flat[j] = original + eps
            plus = [o.detach().to(float64)._host().reshape(-1).copy()
                    for o in _outputs(function, inputs)]
            flat[j] = original - eps
            minus = [o.detach().to(float64)._host().reshape(-1).copy()
                     for o in _outputs(function, inputs)]
            flat[j] = original
            columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    outputs = _outputs(function, inputs)
    return [np.stack([column[k] for column in columns], axis=1) if columns else
            np.zeros((o.numel(), 0)) for k, o in enumerate(outputs)]


def _analytical_jacobian(outputs: tuple, inputs: tuple, index: int) -> list:
    """One (numel_out, numel_in) matrix per output: backward of each one-hot output gradient."""
    from ..creation import zeros_like
    from .engine import grad

    matrices = []
    for output in outputs:
        rows = []
        for i in range(output.numel()):
            one_hot = zeros_like(output)
            one_hot.reshape(-1)[i] = 1.0
            if not output.requires_grad:
                rows.append(np.zeros(inputs[index].numel()))
                continue
            (value,) = grad(output, inputs[index], one_hot, retain_graph=True, allow_unused=True)
            rows.append(np.zeros(inputs[index].numel()) if value is None else
                        value.to(float64)._host().reshape(-1).copy())
        matrices.append(np.stack(rows) if rows else np.zeros((0, inputs[index].numel())))
    return matrices


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, **_ignored: Any) -> bool:
    """True when backward matches central differences for every input that requires grad."""
    from ..tensor import Tensor

    func, real_inputs = _complex_as_real_pairs(func, _as_tuple(inputs))
    prepared = _float64_inputs(real_inputs)
    differentiable = [i for i, value in enumerate(prepared)
                      if isinstance(value, Tensor) and value.requires_grad]
    if not differentiable:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    outputs = _outputs(func, prepared)
    analytical_by_input = {i: _analytical_jacobian(outputs, prepared, i) for i in differentiable}
    for index in differentiable:  # (perturbing inputs comes after every backward pass)
        analytical = analytical_by_input[index]
        numerical = _numerical_jacobian(func, prepared, index, eps)
        for output_index, (a, n) in enumerate(zip(analytical, numerical)):
            error = np.abs(a - n) - (atol + rtol * np.abs(n))
            if error.size and not np.all(error <= 0) or np.isnan(a).any() != np.isnan(n).any():
                worst = np.unravel_index(np.nanargmax(np.where(np.isnan(error), np.inf, error)),
                                         error.shape)
                message = (f"Jacobian mismatch for output {output_index} with respect to input "
                           f"{index}: worst element (output element {worst[0]}, input element "
                           f"{worst[1]}): numerical {n[worst]:.6g} vs analytical {a[worst]:.6g}\n"
                           f"numerical:\n{n}\nanalytical:\n{a}")
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True
