"""The affine map of nn.Linear as one fused op: a matmul and a bias add in a single graph node.

    y = x @ W^T + b          x: (N, in)   W: (out, in)   b: (out,)   y: (N, out)
    dx = dy @ W              (N, out) @ (out, in)
    dW = dy^T @ x            (out, N) @ (N, in)
    db = sum of dy over N

Fusing matters for speed (one node instead of transpose + matmul + add) and for the picture: the
backward graph shows one AddmmBackward0, as PyTorch's does. Inputs with more leading dims are
flattened to (N, in) by a view first.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..kernels import View
from ..tensor import Tensor
from . import lowering
from .matmul import Mm


def _transposed(w: Tensor) -> Tensor:
    """W^T as a view (strides swapped): the matmul primitive reads it with no copy."""
    (rows, cols), (row_stride, col_stride) = w._view.shape, w._view.strides
    return lowering.view_of(w, View((cols, rows), (col_stride, row_stride), w._view.offset))


class Linear(Function):
    """y = x @ W^T + b;  dx = dy @ W,  dW = dy^T @ x,  db = dy summed over rows"""

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        y = lowering.matmul(x, _transposed(weight))  # (N, out)
        return y if bias is None else lowering.binary("add", y, bias)

    @staticmethod
    def backward(ctx, dy):
        x, weight = ctx.saved_tensors
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad
        dx = Mm.apply(dy, weight) if needs_x else None  # (N, out) @ (out, in)
        dweight = Mm.apply(dy.t(), x) if needs_weight else None  # (out, N) @ (N, in)
        dbias = dy.sum(0) if needs_bias else None
        return dx, dweight, dbias


def _type_name(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(t.dtype.name,
                                                                           t.dtype.name)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight^T + bias over the last dim of input (F.linear)."""
    if input.ndim == 0 or weight.ndim not in (1, 2):
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.ndim}D and {weight.ndim}D")
    if weight.ndim == 1:  # a vector weight: y = input @ w (+ b), PyTorch's rule
        result = input @ weight
        return result if bias is None else result + bias
    in_features = input._view.shape[-1]
    if in_features != weight._view.shape[1]:
        rows = input.numel() // max(in_features, 1) if input.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{in_features} and "
                           f"{weight.shape[1]}x{weight.shape[0]})")
    if input.dtype is not weight.dtype or (bias is not None and bias.dtype is not weight.dtype):
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_type_name(input)} "
                           f"and {_type_name(weight)}")
    if input.ndim == 2:
        return Linear.apply(input, weight, bias)
    leading = input._view.shape[:-1]
    flat = input.reshape(-1, in_features) if input.ndim != 1 else input.reshape(1, -1)
    return Linear.apply(flat, weight, bias).reshape(*leading, weight._view.shape[0])
