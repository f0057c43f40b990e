"""nn.functional: the stateless functions behind the layers (import ... nn.functional as F).

A layer object holds parameters and settings; the function does the math, given everything
explicitly. `nn.Conv2d(1, 8, 3)(x)` is `F.conv2d(x, layer.weight, layer.bias)`. Each function here
forwards to a differentiable op in tinygrad_edu/ops/ (one file per family, each Function's math in
its docstring):

    linear.py       linear                      conv.py         conv2d
    pooling.py      max_pool2d, avg_pool2d, adaptive_avg_pool2d
    activation.py   leaky_relu, gelu, silu      softmax.py      softmax, log_softmax
    dropout.py      dropout, dropout2d          normalization.py  batch_norm, layer_norm
    embedding.py    embedding                   padding.py      pad (constant/reflect/replicate/...)
    losses.py       mse_loss, l1_loss, binary_cross_entropy(_with_logits), nll_loss, cross_entropy
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import ops as _ops
from ..creation import arange
from ..dtypes import int64
from ..ops.activation import gelu as _gelu
from ..ops.activation import leaky_relu as _leaky_relu
from ..ops.activation import silu as _silu
from ..ops.conv import conv2d
from ..ops.dropout import dropout, dropout2d
from ..ops.embedding import embedding
from ..ops.inplace import inplace as _inplace
from ..ops.linear import linear
from ..ops.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from ..ops.normalization import batch_norm, layer_norm
from ..ops.padding import pad
from ..ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ..tensor import Tensor

__all__ = [
    "adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "conv2d", "cross_entropy", "dropout", "dropout2d",
    "embedding", "gelu", "l1_loss", "layer_norm", "leaky_relu", "linear", "log_softmax",
    "max_pool2d", "mse_loss", "nll_loss", "one_hot", "pad", "relu", "sigmoid", "silu", "softmax",
    "tanh",
    # robust regression losses (DQN example)
    "huber_loss", "smooth_l1_loss",
]


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); inplace=True overwrites input."""
    return input.relu_() if inplace else _ops.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    if inplace:
        return _inplace(input, _leaky_relu, negative_slope)
    return _leaky_relu(input, negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) with Phi the standard normal CDF (approximate='tanh': the tanh formula)."""
    return _gelu(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    return _inplace(input, _silu) if inplace else _silu(input)


def sigmoid(input: Tensor) -> Tensor:
    return _ops.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return _ops.tanh(input)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """PyTorch's implicit choice when dim is None (deprecated): 0 for 0-, 1- and 3-D, else 1."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """e^x / sum(e^x) along dim."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return _ops.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """x - log(sum(e^x)) along dim, computed stably."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return _ops.log_softmax(input, dim, dtype=dtype)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 (..., num_classes) with a 1 at each index (num_classes=-1: max + 1)."""
    if tensor.dtype is not int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    values = tensor.numpy() if tensor.device.type == "cpu" else tensor.cpu().numpy()
    if values.size and values.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not values.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(values.max()) + 1
    if values.size and values.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    classes = arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


# --- layout and the convolution family (issue 10, second half) ----------------------------------
from ..ops.layout import col2im as fold  # noqa: E402 - appended as one block (see ops/layout.py)
from ..ops.layout import im2col as unfold  # noqa: E402

__all__ += ["fold", "unfold"]
# --- op breadth, part A (issue 10): the activation zoo (ops/activation_family.py) --------------
from ..ops.activation_family import (  # noqa: E402
    celu,
    elu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _threshold(input, threshold, value, inplace=True)


_threshold = threshold


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """x / max(||x||_p, eps) along dim: unit vectors (eps keeps a zero vector finite)."""
    norms = _ops.norm(input, p, dim, True).clamp(min=eps)  # (..., 1, ...)
    result = input / norms.expand_as(input)
    return result if out is None else out.copy_(result)


__all__ += [
    "celu", "celu_", "elu", "elu_", "glu", "hardshrink", "hardsigmoid", "hardswish", "hardtanh",
    "hardtanh_", "leaky_relu_", "logsigmoid", "mish", "normalize", "prelu", "relu6", "relu_",
    "selu", "selu_", "softmin", "softplus", "softshrink", "softsign", "tanhshrink", "threshold",
    "threshold_",
]
# sequence models: attention (ops/attention.py)
from ..ops.attention import scaled_dot_product_attention  # noqa: E402

__all__ += ["scaled_dot_product_attention"]
