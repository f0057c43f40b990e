"""Pooling: max_pool2d, avg_pool2d and adaptive_avg_pool2d, with their backward passes.

    max_pool2d:  y = max over each window, and the index of the winner
                 dx = dy sent back to the winner (MaxPool2dBackward); its own derivative is a gather
                 of g at the same indices, so second derivatives work too. Both backward
                 Functions also take x, whose derivative through them is 0 (as in PyTorch: the
                 winners and divisors do not move when x moves a little).
    avg_pool2d:  y = window sum / divisor;  dx = dy / divisor spread over the window. The two maps
                 are each other's adjoint: AvgPool2d's backward is AvgPool2dBackward and vice versa.
    adaptive_avg_pool2d: output bin i averages input rows floor(i*H/out) .. ceil((i+1)*H/out) - 1;
                 with P (out, H) holding those averaging weights, y = P_h @ x @ P_w^T: two matmuls,
                 differentiable with no new code.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..creation import tensor
from ..kernels.pool import pool2d_output_shape
from ..tensor import Tensor
from . import lowering
from .conv import pair


class MaxPool2d(Function):
    """y, index = window max and where it came from;  dx = dy added at index"""

    settings_names = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")  # for viz

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, settings):
        values, indices = lowering.max_pool2d(x, *settings)
        ctx.mark_non_differentiable(indices)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x, indices._alias())  # an alias: saved as data, not as an output
        ctx.geometry = settings[:4]  # kernel, stride, padding, dilation: where the windows lie
        return values, indices

    @staticmethod
    def backward(ctx, dvalues, dindices):
        x, indices = ctx.saved_tensors
        if dvalues is None:
            return None, None
        return MaxPool2dBackward.apply(dvalues, x, indices, ctx.geometry), None


class MaxPool2dBackward(Function):
    """dx = dy added at the winners' positions;  d(dy) = g gathered there,  d(x) = 0"""

    @staticmethod
    def forward(ctx, dy, x, indices, geometry=None):
        ctx.save_for_backward(indices)
        ctx.dy_shape, ctx.input_shape = dy._view.shape, x._view.shape
        return lowering.max_pool2d_backward(dy, indices, x._view.shape, geometry)

    @staticmethod
    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        lead = ctx.dy_shape[:-2]
        planes = g.reshape(*lead, -1)  # (..., H*W)
        picked = planes.gather(-1, indices.reshape(*lead, -1))
        dx = g.new_zeros(ctx.input_shape) if ctx.needs_input_grad[1] else None
        return picked.reshape(ctx.dy_shape), dx, None, None


class AvgPool2d(Function):
    """y = window sums / divisor;  dx = AvgPool2dBackward(dy)"""

    settings_names = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                      "divisor_override")  # how viz labels `settings`

    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, settings):
        ctx.settings = settings
        ctx.save_for_backward(x)
        return lowering.avg_pool2d(x, *settings)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return AvgPool2dBackward.apply(dy, x, ctx.settings), None


class AvgPool2dBackward(Function):
    """dx = dy / divisor spread over every window;  d(dy) = AvgPool2d(g) (the adjoint),  d(x) = 0"""

    settings_names = AvgPool2d.settings_names

    @staticmethod
    def forward(ctx, dy, x, settings):
        ctx.settings, ctx.input_shape = settings, x._view.shape
        return lowering.avg_pool2d_backward(dy, x._view.shape, *settings)

    @staticmethod
    def backward(ctx, g):
        dx = g.new_zeros(ctx.input_shape) if ctx.needs_input_grad[1] else None
        return AvgPool2d.apply(g, ctx.settings), dx, None


# --- argument handling ---------------------------------------------------------------------------
def _pool_arguments(input: Tensor, kernel_size: Any, stride: Any, padding: Any,
                    dilation: Any) -> tuple[tuple[int, int], ...]:
    if input.ndim not in (3, 4) or input.numel() == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel = pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else pair(stride, "stride")
    padding, dilation = pair(padding, "padding"), pair(dilation, "dilation")
    if min(kernel) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} "
                           f"kW: {kernel[1]}")
    if min(stride) <= 0:
        raise RuntimeError("stride should not be zero")
    if min(padding) < 0 or padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, "
                           f"kH = {kernel[0]}")
    return kernel, stride, padding, dilation


def _check_output(input: Tensor, shape: tuple[int, ...]) -> None:
    if min(shape[-2:]) <= 0:
        size = "x".join(str(s) for s in input.shape[-3:])
        out = "x".join(str(s) for s in (input.shape[-3], *shape[-2:]))
        raise RuntimeError(f"Given input size: ({size}). Calculated output size: ({out}). "
                           "Output size is too small")


def _output_shape(input: Tensor, settings: tuple) -> tuple[int, ...]:
    kernel, stride, padding, dilation, ceil_mode = settings[:5]
    return pool2d_output_shape(input.shape, kernel, stride, padding, dilation, ceil_mode)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """F.max_pool2d over (N, C, H, W) or (C, H, W); indices are flat positions in each H*W plane."""
    kernel, stride, padding, dilation = _pool_arguments(input, kernel_size, stride, padding,
                                                        dilation)
    settings = (kernel, stride, padding, dilation, bool(ceil_mode))
    _check_output(input, _output_shape(input, settings))
    if input.dtype.category <= 1:
        values, indices = _integer_max_pool2d(input, settings)
    else:
        values, indices = MaxPool2d.apply(input, settings)
    return (values, indices) if return_indices else values


def _integer_max_pool2d(input: Tensor, settings: tuple) -> tuple[Tensor, Tensor]:
    """Integer (and bool) inputs: the kernel compares a float64 copy (exact below 2^53) to find
    each window's winner; the values are then read from the input itself at those indices, so
    they keep their exact integer values (no gradient: integers have none)."""
    if input.dtype.category == 0:
        raise NotImplementedError('"max_pool2d" not implemented for \'Bool\'')
    _, indices = MaxPool2d.apply(input.detach().double(), settings)  # (..., Ho, Wo)
    planes = input.detach().flatten(-2)  # (..., H*W)
    values = planes.gather(-1, indices.flatten(-2)).reshape(indices.shape)  # (..., Ho, Wo)
    return values, indices


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """F.avg_pool2d over (N, C, H, W) or (C, H, W)."""
    kernel, stride, padding, _ = _pool_arguments(input, kernel_size, stride, padding, 1)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    settings = (kernel, stride, padding, bool(ceil_mode), bool(count_include_pad),
                divisor_override)
    shape = _output_shape(input, (kernel, stride, padding, (1, 1), bool(ceil_mode)))
    _check_output(input, shape)
    return AvgPool2d.apply(input if input.dtype.is_differentiable else input.float(), settings)


def _adaptive_matrix(size: int, out: int, like: Tensor) -> Tensor:
    """(out, size) averaging weights: row i is 1/len over input bin i, 0 elsewhere."""
    weights = np.zeros((out, size))
    for i in range(out):
        start, end = (i * size) // out, math.ceil((i + 1) * size / out)
        weights[i, start:end] = 1.0 / (end - start)
    return tensor(weights, dtype=like.dtype, device=like.device)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed output size (None keeps that input dim)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(input.shape)}")
    sizes = output_size if isinstance(output_size, (list, tuple)) else (output_size,) * 2
    height, width = input.shape[-2:]
    out_h, out_w = (height if sizes[0] is None else int(sizes[0]),
                    width if sizes[1] is None else int(sizes[1]))
    if height % out_h == 0 and width % out_w == 0:  # equal bins: a plain average pool
        kernel = (height // out_h, width // out_w)
        return avg_pool2d(input, kernel, kernel)
    rows = _adaptive_matrix(height, out_h, input)  # (out_h, H)
    cols = _adaptive_matrix(width, out_w, input)  # (out_w, W)
    return rows @ (input @ cols.t())  # (..., H, W) @ (W, out_w), then (out_h, H) @ that
