"""Matrix products: matmul (with PyTorch's 1-D and batch-broadcast rules), mm, bmm, outer, dot.

    C = A @ B;   dA = dC @ B^T,   dB = A^T @ dC

For batched inputs the batch dims broadcast (a stride-0 view, no copy), so the gradients of a
broadcast operand are summed back to its shape. A 1-D operand is made a matrix by unsqueeze (a
view) and the extra dim squeezed away from the result, so the graph shows exactly what happened.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..tensor import Tensor
from ..views import broadcast_shapes, expand_view
from . import lowering
from .operands import promote


class Matmul(Function):
    """C = A @ B for (..., M, K) @ (..., K, N);  dA = dC @ B^T,  dB = A^T @ dC"""

    node_name = "BmmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if len(a._view.shape) == 2 and len(b._view.shape) == 2:  # no batch dims to broadcast
            return lowering.matmul(a, b)
        batch = broadcast_shapes(a._view.shape[:-2], b._view.shape[:-2])
        a_view = expand_view(a._view, batch + a._view.shape[-2:])
        b_view = expand_view(b._view, batch + b._view.shape[-2:])
        return lowering.matmul(lowering.view_of(a, a_view), lowering.view_of(b, b_view))

    @staticmethod
    def backward(ctx, dc):
        a, b = ctx.saved_tensors
        # complex: the conjugate transposes, dA = dC @ B^H and dB = A^H @ dC
        da = (dc @ b.mT.conj()).sum_to_size(a.shape) if ctx.needs_input_grad[0] else None
        db = (a.mT.conj() @ dc).sum_to_size(b.shape) if ctx.needs_input_grad[1] else None
        return da, db


class Mm(Matmul):
    """C = A @ B for (M, K) @ (K, N);  dA = dC @ B^T,  dB = A^T @ dC"""

    node_name = "MmBackward0"


def _check_inner(a: Tensor, b: Tensor) -> None:
    if a._view.shape[-1] != b._view.shape[-2]:
        if a.ndim == 2 and b.ndim == 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x"
                               f"{a.shape[1]} and {b.shape[0]}x{b.shape[1]})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b.shape[0] if b.ndim > 2 else 1}, {a.shape[-1]}] but got: "
                           f"[{b.shape[0] if b.ndim > 2 else 1}, {b.shape[-2]}].")


def matmul(input: Tensor, other: Tensor) -> Tensor:
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{input.ndim}D and {other.ndim}D")
    a, b = promote(input, other)
    if a.ndim == 1 and b.ndim == 1:
        return dot(a, b)
    squeeze_rows, squeeze_cols = a.ndim == 1, b.ndim == 1
    if squeeze_rows:
        a = a.unsqueeze(0)
    if squeeze_cols:
        b = b.unsqueeze(-1)
    _check_inner(a, b)
    result = (Mm if a.ndim == 2 and b.ndim == 2 else Matmul).apply(a, b)
    if squeeze_rows:
        result = result.squeeze(-2)
    if squeeze_cols:
        result = result.squeeze(-1)
    return result


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    a, b = promote(input, mat2)
    _check_inner(a, b)
    return Mm.apply(a, b)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, "
                           f"{mat2.shape[1]}].")
    a, b = promote(input, mat2)
    return Matmul.apply(a, b)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two 1-D tensors: a (1, K) @ (K, 1) matmul squeezed to a scalar."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    a, b = promote(input, other)
    return Mm.apply(a.unsqueeze(0), b.unsqueeze(1)).reshape(())


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """y[i, j] = a[i] * b[j]: a broadcast multiply of a column and a row."""
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer
