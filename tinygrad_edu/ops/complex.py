"""Complex tensors: building them from real parts, taking them apart, and their derivatives.

    z = torch.complex(x, y)            (..., ) complex from two real tensors
    torch.view_as_real(z)              (..., 2) float view of the same memory: [..., 0] real parts
    z.real, z.imag                     float views (writing to them changes z)

Gradients follow PyTorch's convention. For a real loss L of z = x + iy, the gradient PyTorch
stores is

    z.grad = dL/dx + i dL/dy          (twice the conjugate Wirtinger derivative dL/dz*)

so complex autograd is ordinary real autograd on the pairs (x, y). Through a holomorphic f
(exp, log, *, @, ...) it becomes dz = dw * conj(f'(z)): the backward formulas of the real ops
only gain a `conj()` (Mul: da = dy * conj(b); Matmul: dA = dC @ B^H). The ops here that are not
holomorphic state their own rule: |z|, arg z, conj(z), and the real <-> complex views.

conj is a *copy* here: PyTorch returns a lazy view with a "conjugate bit" that later ops read;
tinygrad_edu keeps one meaning per buffer instead, so `is_conj()` is always False and
`resolve_conj()` returns the tensor itself.
"""

from __future__ import annotations

import math

from ..autograd.function import Function
from ..dtypes import to_complex, to_real
from ..tensor import Tensor
from . import lowering
from .operands import check_tensor


class ViewAsReal(Function):
    """y[..., 0] = Re z, y[..., 1] = Im z (a view);  dz = dy[..., 0] + i dy[..., 1]"""

    node_name = "ViewAsRealBackward0"

    @staticmethod
    def forward(ctx, z):
        return lowering.view_as_real(z, to_real(z.dtype))

    @staticmethod
    def backward(ctx, dy):
        return view_as_complex(dy.contiguous())


class ViewAsComplex(Function):
    """z = x[..., 0] + i x[..., 1] (a view);  dx[..., 0] = Re dz, dx[..., 1] = Im dz"""

    node_name = "ViewAsComplexBackward0"

    @staticmethod
    def forward(ctx, x):
        return lowering.view_as_complex(x, to_complex(x.dtype))

    @staticmethod
    def backward(ctx, dz):
        return view_as_real(dz)


class Conj(Function):
    """y = conj(z) = x - iy;  dz = conj(dy)"""

    node_name = "ConjBackward0"

    @staticmethod
    def forward(ctx, z):
        return lowering.complex_unary("conj", z, z.dtype)

    @staticmethod
    def backward(ctx, dy):
        return conj(dy)


class ComplexAbs(Function):
    """r = |z| = sqrt(x^2 + y^2);  dz = dr * z / |z|   (0 at z == 0)"""

    node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, z):
        r = lowering.complex_unary("abs", z, to_real(z.dtype))
        ctx.save_for_backward(z, r)
        return r

    @staticmethod
    def backward(ctx, dr):
        z, r = ctx.saved_tensors
        safe = r.masked_fill(r == 0, 1.0)
        return (dr / safe).masked_fill(r == 0, 0.0) * z


class Angle(Function):
    """t = arg z = atan2(y, x);  dz = dt * i z / |z|^2   (0 at z == 0)"""

    node_name = "AngleBackward0"

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return lowering.complex_unary("angle", z, to_real(z.dtype))

    @staticmethod
    def backward(ctx, dt):
        (z,) = ctx.saved_tensors
        squared = abs_(z) ** 2
        scale = (dt / squared.masked_fill(squared == 0, 1.0)).masked_fill(squared == 0, 0.0)
        return scale * z * 1j


# --- public functions (torch names) ------------------------------------------------------------
def is_complex(input: Tensor) -> bool:
    return check_tensor(input).dtype.is_complex


def view_as_real(input: Tensor) -> Tensor:
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input: Tensor) -> Tensor:
    if input.dtype.name not in ("float32", "float64"):
        raise RuntimeError("view_as_complex is only supported for float and double tensors, but "
                           f"got a tensor of scalar type: {input.type().split('.')[-1][:-6]}")
    view = input._view
    if not view.shape or view.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if view.strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in view.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if view.offset % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return ViewAsComplex.apply(input)


def real(input: Tensor) -> Tensor:
    """The real parts: a view for complex input, input itself otherwise (as torch.real)."""
    return view_as_real(input)[..., 0] if input.dtype.is_complex else input


def imag(input: Tensor) -> Tensor:
    if not input.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(input)[..., 1]


def conj(input: Tensor) -> Tensor:
    """conj(z) (a copy, see the module docstring); a real tensor is returned as it is."""
    return Conj.apply(input) if input.dtype.is_complex else input


def conj_physical(input: Tensor) -> Tensor:
    return Conj.apply(input) if input.dtype.is_complex else input.clone()


def resolve_conj(input: Tensor) -> Tensor:
    return input


def resolve_neg(input: Tensor) -> Tensor:
    return input


def is_conj(input: Tensor) -> bool:
    return False


def abs_(input: Tensor) -> Tensor:
    """|z| for complex input (a real tensor); unary.abs dispatches here."""
    return ComplexAbs.apply(input)


def angle(input: Tensor) -> Tensor:
    """arg z in (-pi, pi]; for real input: pi where x < 0, else 0 (as torch.angle)."""
    if input.dtype.is_complex:
        return Angle.apply(input)
    from .selection import where

    x = input if input.dtype.is_differentiable else input.float()
    zero = x.detach() * 0.0
    return where(x < 0, zero + math.pi, zero)


def sgn(input: Tensor) -> Tensor:
    """z / |z| (0 at 0) for complex input; sign(x) for real input."""
    if not input.dtype.is_complex:
        return input.sign()
    r = abs_(input)
    return input / r.masked_fill(r == 0, 1.0)


def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001 - torch.complex
    """real + i imag from two float tensors of one dtype (broadcast)."""
    check_tensor(real, "real")
    check_tensor(imag, "imag")
    if real.dtype is not imag.dtype:
        raise RuntimeError(f"Expected object of scalar type {real.type().split('.')[-1][:-6]} "
                           f"but got scalar type {imag.type().split('.')[-1][:-6]} for second "
                           "argument")
    if real.dtype.name not in ("float32", "float64"):
        raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got "
                           f"{real.type().split('.')[-1][:-6]} and "
                           f"{imag.type().split('.')[-1][:-6]}")
    from .movement import broadcast_to, stack

    shape = _broadcast_shape(real, imag)
    return view_as_complex(stack([broadcast_to(real, shape), broadcast_to(imag, shape)], -1))


def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002 - torch.polar's names
    """abs * (cos(angle) + i sin(angle))."""
    return complex(abs * angle.cos(), abs * angle.sin())


def _broadcast_shape(a: Tensor, b: Tensor) -> tuple[int, ...]:
    from ..views import broadcast_shapes

    return broadcast_shapes(a._view.shape, b._view.shape)
