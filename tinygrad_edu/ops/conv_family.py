"""The rest of the convolution family, built on the 2-D primitives: 1-D convs and pools,
transposed convolutions, adaptive max pooling, unpooling, resampling and group/instance norm.

    conv1d(x, w)            = conv2d on (N, C, 1, L) with a (O, C/g, 1, k) kernel
    conv_transpose2d(x, w)  = the input-gradient of a conv2d: y = conv_input_grad(x, w).
        A transposed convolution is the adjoint of a convolution, which is exactly what conv2d's
        backward computes, so it reuses that primitive (Conv2dInputGrad, kernels/conv.py) and its
        derivatives come for free:  dx = conv2d(dy, w),  dw = conv_weight_grad(x, dy).
        Output size: (H - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1.
    adaptive_max_pool2d     bin i covers rows floor(i*H/out) .. ceil((i+1)*H/out) - 1; the winner
                            of each bin is found, then gathered (dx = dy sent to the winner)
    max_unpool2d            y = zeros, y[indices] = x  (a scatter; dx = dy gathered at indices)
    interpolate             separable resampling: per spatial dim an index_select of the source
                            rows (nearest) or a weighted sum of 2 (linear) or 4 (cubic) of them,
                            so dx spreads dy back with the same weights (index_select's adjoint)
    pixel_shuffle           (C*r*r, H, W) -> (C, H*r, W*r): a reshape, a permute, a reshape
    group_norm              y = (x - mean_g) / sqrt(var_g + eps) * w + b over each group of
                            channels (and all positions); instance_norm is one channel per group
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import int64
from ..tensor import Tensor
from . import lowering
from .conv import Conv2dInputGrad, conv2d, pair
from .movement import constant_pad


def _single(value: Any, name: str) -> int:
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of 1 "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(value)}")
        return int(value[0])
    return int(value)


# --- 1-D convolution and pooling ----------------------------------------------------------------
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """F.conv1d: (N, C, L) or (C, L) input, (O, C/groups, k) weight: a conv2d of height 1."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got "
                           f"input of size: {list(input.shape)}")
    if weight.ndim != 3:
        raise RuntimeError(f"weight should have at least three dimensions, got {weight.ndim}D")
    pad = padding if isinstance(padding, str) else (0, _single(padding, "padding"))
    y = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride, "stride")),
               pad, (1, _single(dilation, "dilation")), groups)  # (N, O, 1, Lo)
    return y.squeeze(-2)


def _transposed_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                     output_padding: int) -> int:
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """F.conv_transpose2d: x (N, Cin, H, W), weight (Cin, Cout/groups, kh, kw) -> (N, Cout, Ho,
    Wo): conv2d's input-gradient with x in the place of dy (see the module docstring)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, "
                           f"but got input of size: {list(input.shape)}")
    if weight.ndim != 4:
        raise RuntimeError(f"weight should have at least three dimensions, got {weight.ndim}D")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input  # (N, Cin, H, W)
    stride, padding = pair(stride, "stride"), pair(padding, "padding")
    output_padding, dilation = pair(output_padding, "output_padding"), pair(dilation, "dilation")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError("output padding must be smaller than either stride or dilation, "
                               f"but got output_padding_height: {output_padding[0]} "
                               f"output_padding_width: {output_padding[1]} stride_height: "
                               f"{stride[0]} stride_width: {stride[1]} dilation_height: "
                               f"{dilation[0]} dilation_width: {dilation[1]}")
    in_channels, group_out, kh, kw = weight.shape
    if x.shape[1] != in_channels:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(x.shape)} to have {in_channels} channels, but got "
                           f"{x.shape[1]} channels instead")
    if in_channels % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {list(weight.shape)} instead")
    out_channels = group_out * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"bias to be 1-dimensional with {out_channels} elements, but got bias "
                           f"of size {list(bias.shape)} instead")
    if x.dtype is not weight.dtype:
        raise RuntimeError(f"Input type ({x.type().split('.')[-1]}) and weight type "
                           f"({weight.type().split('.')[-1]}) should be the same")
    height = _transposed_size(x.shape[2], kh, stride[0], padding[0], dilation[0],
                              output_padding[0])
    width = _transposed_size(x.shape[3], kw, stride[1], padding[1], dilation[1],
                             output_padding[1])
    if height <= 0 or width <= 0:
        raise RuntimeError(f"Given input size per channel: ({x.shape[2]} x {x.shape[3]}). "
                           f"Calculated output size per channel: ({height} x {width}). Output "
                           "size is too small")
    # output_padding adds rows at the bottom (columns at the right). The conv whose adjoint we
    # take must map the output back to exactly H rows: its bottom padding shrinks by
    # output_padding, and rows below the last one any window reads stay 0 (padded on after).
    bottom, right = (max(p - op, 0) for p, op in zip(padding, output_padding))
    below, beyond = (max(op - p, 0) for p, op in zip(padding, output_padding))
    settings = (stride, (padding[0], bottom, padding[1], right), dilation, groups)
    y = Conv2dInputGrad.apply(x, weight, (x.shape[0], out_channels, height - below,
                                          width - beyond), settings)  # (N, Cout, Ho', Wo')
    if below or beyond:
        y = constant_pad(y, (0, beyond, 0, below))
    if bias is not None:
        y = y + bias.reshape(-1, 1, 1)
    return y.squeeze(0) if unbatched else y  # (N, Cout, Ho, Wo)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """F.conv_transpose1d: conv_transpose2d of height 1."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, "
                           f"but got input of size: {list(input.shape)}")
    if weight.ndim != 3:
        raise RuntimeError(f"weight should have at least three dimensions, got {weight.ndim}D")
    y = conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias,
                         (1, _single(stride, "stride")), (0, _single(padding, "padding")),
                         (0, _single(output_padding, "output_padding")), groups,
                         (1, _single(dilation, "dilation")))
    return y.squeeze(-2)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """F.max_pool1d: max_pool2d over (N, C, 1, L)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"max_pool1d() Expected 2D or 3D input tensor, but got "
                           f"{list(input.shape)}")
    from .pooling import max_pool2d  # pooling imports creation, which imports ops: load late

    stride = kernel_size if stride is None or stride == [] else stride
    result = max_pool2d(input.unsqueeze(-2), (1, _single(kernel_size, "kernel_size")),
                        (1, _single(stride, "stride")), (0, _single(padding, "padding")),
                        (1, _single(dilation, "dilation")), ceil_mode, return_indices)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """F.avg_pool1d: avg_pool2d over (N, C, 1, L)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"avg_pool1d: Expected 2D or 3D input tensor, but got "
                           f"{list(input.shape)}")
    from .pooling import avg_pool2d  # (see max_pool1d)

    stride = kernel_size if stride is None or stride == [] else stride
    return avg_pool2d(input.unsqueeze(-2), (1, _single(kernel_size, "kernel_size")),
                      (1, _single(stride, "stride")), (0, _single(padding, "padding")), ceil_mode,
                      count_include_pad).squeeze(-2)


# --- adaptive max pooling and unpooling ---------------------------------------------------------
def _bins(size: int, out: int) -> list[tuple[int, int]]:
    """Adaptive pooling's bins: floor(i * size / out) .. ceil((i + 1) * size / out)."""
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """F.adaptive_max_pool2d: the max of each adaptive bin; indices are flat h * W + w."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(input.shape)}")
    height, width = input.shape[-2:]
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    out_h = height if sizes[0] is None else int(sizes[0])
    out_w = width if sizes[1] is None else int(sizes[1])
    if height == 0 or width == 0:
        raise RuntimeError("adaptive_max_pool2d(): Expected input to have non-zero size for "
                           "non-batch dimensions")
    values = input.detach().cpu().numpy()  # the winners are picked on the host: no gradient
    winners = np.zeros(values.shape[:-2] + (out_h, out_w), dtype=np.int64)
    for i, (top, bottom) in enumerate(_bins(height, out_h)):
        for j, (left, right) in enumerate(_bins(width, out_w)):
            window = values[..., top:bottom, left:right].reshape(*values.shape[:-2], -1)
            local = _first_max(window)  # (...,)
            winners[..., i, j] = (top + local // (right - left)) * width + left + local % (
                right - left)
    indices = lowering.from_host(winners, input.device, int64)  # (..., out_h, out_w)
    flat = input.flatten(-2)  # (..., H * W)
    pooled = flat.gather(-1, indices.flatten(-2)).unflatten(-1, (out_h, out_w))
    return (pooled, indices) if return_indices else pooled


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """F.adaptive_max_pool1d: (N, C, L) or (C, L) -> (..., output_size), as a 2-D pool of
    height 1 (indices along L)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_max_pool1d(): Expected 2D or 3D tensor, but got: "
                           f"{list(input.shape)}")
    size = _single(output_size, "output_size")
    result = adaptive_max_pool2d(input.unsqueeze(-2), (1, size), return_indices)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """F.adaptive_avg_pool1d: the mean of each adaptive bin along L, as a 2-D pool of height 1."""
    from .pooling import adaptive_avg_pool2d

    if input.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got: "
                           f"{list(input.shape)}")
    size = _single(output_size, "output_size")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def _first_max(window: np.ndarray) -> np.ndarray:
    """Index of the first maximum along the last axis (a NaN counts as the maximum, as torch)."""
    nan = np.isnan(window)
    return np.where(nan.any(-1), nan.argmax(-1), window.argmax(-1))


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """F.max_unpool2d: zeros of the pre-pooling size with x written at indices (flat h*W + w)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"max_unpool2d(): Expected 3D or 4D input, but got "
                           f"{list(input.shape)}")
    if indices.dtype is not int64:
        raise RuntimeError("elements in indices should be type int64 but got: "
                           f"{indices.dtype.name}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    kernel = pair(kernel_size, "kernel_size")
    stride = kernel if stride is None else pair(stride, "stride")
    padding = pair(padding, "padding")
    if output_size is None:
        out_h = (input.shape[-2] - 1) * stride[0] - 2 * padding[0] + kernel[0]
        out_w = (input.shape[-1] - 1) * stride[1] - 2 * padding[1] + kernel[1]
    else:
        out_h, out_w = (int(s) for s in tuple(output_size)[-2:])
    flat_indices = indices.flatten(-2)  # (..., h * w)
    if flat_indices.numel():
        largest = int(flat_indices.max().item())
        smallest = int(flat_indices.min().item())
        if smallest < 0 or largest >= out_h * out_w:
            bad = largest if largest >= out_h * out_w else smallest
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{out_h}x{out_w}")
    zeros = lowering.full(tuple(input.shape[:-2]) + (out_h * out_w,), 0, input.dtype,
                          input.device)
    return zeros.scatter_add(-1, flat_indices, input.flatten(-2)).unflatten(-1, (out_h, out_w))


# --- interpolate --------------------------------------------------------------------------------
def _source_coordinates(in_size: int, out_size: int, scale: float | None, align_corners: bool,
                        mode: str) -> np.ndarray:
    """Where output pixel i samples the input (PyTorch's area_pixel_compute_source_index)."""
    i = np.arange(out_size, dtype=np.float64)
    if align_corners:
        return i * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    ratio = 1.0 / scale if scale else in_size / out_size
    source = (i + 0.5) * ratio - 0.5
    return source if mode == "cubic" else np.maximum(source, 0.0)


def _cubic_weights(t: np.ndarray) -> list[np.ndarray]:
    """Keys' cubic convolution (a = -0.75, as PyTorch) for the 4 taps at -1, 0, 1, 2."""
    a = -0.75

    def near(x: np.ndarray) -> np.ndarray:
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _resample_dim(x: Tensor, dim: int, out_size: int, scale: float | None, mode: str,
                  align_corners: bool) -> Tensor:
    """Resample one dim: y = sum_k weight_k * x.index_select(dim, index_k)."""
    in_size = x.shape[dim]
    device = x.device

    def select(index: np.ndarray) -> Tensor:
        return x.index_select(dim, lowering.from_host(index.astype(np.int64), device, int64))

    def weight(values: np.ndarray) -> Tensor:
        shape = [1] * x.ndim
        shape[dim] = out_size
        return lowering.from_host(values.reshape(shape), device, x.dtype)

    if mode in ("nearest", "nearest-exact"):
        ratio = 1.0 / scale if scale else in_size / out_size
        offset = 0.5 if mode == "nearest-exact" else 0.0
        index = np.floor((np.arange(out_size) + offset) * ratio).astype(np.int64)
        return select(np.minimum(index, in_size - 1))
    source = _source_coordinates(in_size, out_size, scale, align_corners, mode)
    base = np.floor(source)
    t = source - base
    base = base.astype(np.int64)
    if mode == "linear":
        low = np.minimum(base, in_size - 1)
        high = np.minimum(base + 1, in_size - 1)
        return select(low) * weight(1 - t) + select(high) * weight(t)
    taps = _cubic_weights(t)  # cubic: 4 taps, indices clamped to the edge
    result = None
    for k, tap in enumerate(taps):
        term = select(np.clip(base - 1 + k, 0, in_size - 1)) * weight(tap)
        result = term if result is None else result + term
    return result


_LINEAR_MODES = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """F.interpolate: nearest, nearest-exact, (bi/tri)linear, bicubic or area resampling of
    (N, C, *spatial), one spatial dim at a time (all these filters are separable)."""
    spatial = input.ndim - 2
    if spatial < 1 or spatial > 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact (got "
                                  f"{mode})")
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != input.ndim:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR_MODES[mode]}D input")
    if mode not in (*_LINEAR_MODES, "nearest", "nearest-exact", "area"):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact (got "
                                  f"{mode})")
    if antialias:
        raise NotImplementedError("tinygrad_edu: interpolate(antialias=True) is not implemented")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    in_sizes = input.shape[2:]
    if size is not None:
        sizes = list(size) if isinstance(size, (tuple, list)) else [size] * spatial
        if len(sizes) != spatial:
            raise ValueError(f"Input and output must have the same number of spatial dimensions,"
                             f" but got input with spatial dimensions of {list(in_sizes)} and "
                             f"output size of {sizes}. Please provide input tensor in (N, C, "
                             "d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
        out_sizes, scales = [int(s) for s in sizes], [None] * spatial
    else:
        factors = (list(scale_factor) if isinstance(scale_factor, (tuple, list))
                   else [scale_factor] * spatial)
        if len(factors) != spatial:
            raise ValueError(f"Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(in_sizes)} and scale_factor of shape {factors}. Please "
                             "provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             "scale_factor in (s1, s2, ...,sK) format.")
        out_sizes = [int(math.floor(s * f)) for s, f in zip(in_sizes, factors)]
        scales = [None if recompute_scale_factor else float(f) for f in factors]
    if mode == "area":
        from .pooling import adaptive_avg_pool2d

        if spatial != 2:
            raise NotImplementedError("tinygrad_edu: mode='area' supports 4D input only")
        return adaptive_avg_pool2d(input, tuple(out_sizes))
    kind = ("nearest" if mode == "nearest" else "nearest-exact" if mode == "nearest-exact"
            else "cubic" if mode == "bicubic" else "linear")
    result = input
    for k in range(spatial):
        result = _resample_dim(result, 2 + k, out_sizes[k], scales[k], kind,
                               bool(align_corners))
    return result


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """F.upsample (deprecated in torch): interpolate."""
    return interpolate(input, size, scale_factor, mode, align_corners)


# --- pixel shuffle ------------------------------------------------------------------------------
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): y[c, h*r + i, w*r + j] = x[c*r*r + i*r + j, h, w]."""
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    r = int(upscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{channels} is not divisible by {r * r}")
    n = len(batch)
    x = input.reshape(*batch, channels // (r * r), r, r, height, width)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)  # (*, C, H, r, W, r)
    return x.reshape(*batch, channels // (r * r), height * r, width * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W): the inverse of pixel_shuffle."""
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    r = int(downscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, channels, height, width = input.shape
    if height % r or width % r:
        raise RuntimeError(f"pixel_unshuffle expects {'height' if height % r else 'width'} to "
                           f"be divisible by downscale_factor, but input.size("
                           f"{-2 if height % r else -1})={height if height % r else width} is "
                           f"not divisible by {r}")
    n = len(batch)
    x = input.reshape(*batch, channels, height // r, r, width // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)  # (*, C, r, r, H, W)
    return x.reshape(*batch, channels * r * r, height // r, width // r)


# --- group and instance normalization -----------------------------------------------------------
def _normalize(x: Tensor, axes: tuple[int, ...], eps: float) -> Tensor:
    mean = x.mean(axes, keepdim=True)
    centered = x - mean
    variance = (centered * centered).mean(axes, keepdim=True)  # biased, as PyTorch normalises
    return centered * (variance + eps).rsqrt()


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    shape = (-1,) + (1,) * (y.ndim - 2)  # per channel: (C, 1, 1, ...)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """F.group_norm over (N, C, *): each group of C/num_groups channels normalised together."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    n, channels = input.shape[0], input.shape[1]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups="
                           f"{num_groups}")
    grouped = input.reshape(n, num_groups, -1)  # (N, G, C/G * positions)
    y = _normalize(grouped, (2,), eps).reshape(input.shape)
    return _affine(y, weight, bias)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """F.instance_norm over (N, C, *): every (sample, channel) normalised over its positions.
    With running statistics and use_input_stats, they are updated in place with the batch
    average of the instance statistics (unbiased variance), as batch norm does."""
    if input.ndim < 3:
        raise ValueError(f"expected at least 3D input (got {input.ndim}D input)")
    axes = tuple(range(2, input.ndim))
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        shape = (1, -1) + (1,) * len(axes)
        y = (input - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
        return _affine(y, weight, bias)
    if running_mean is not None or running_var is not None:
        from ..autograd.grad_mode import no_grad

        with no_grad():
            positions = math.prod(input.shape[2:])
            mean = input.mean(axes)  # (N, C)
            variance = input.var(axes, unbiased=positions > 1)  # (N, C)
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(mean.mean(0) * momentum)
            if running_var is not None:
                running_var.mul_(1 - momentum).add_(variance.mean(0) * momentum)
    return _affine(_normalize(input, axes, eps), weight, bias)
