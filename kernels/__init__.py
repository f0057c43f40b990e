"""The compute primitives: the whole contract between differentiable ops and the hardware.

Everything tinygrad_edu computes — forward passes, backward passes, optimizer steps — is built from
the small set of primitives listed in PRIMITIVES. A *backend* implements every one of them over its
own buffers (flat 1-D arrays); a tensor is such a buffer plus a View (shape, strides, offset), and
views travel into the primitives, so transposes, slices and broadcasts are never copied to feed one.

Each family of primitives lives in one file with its NumPy reference (and, for the GPU, its Triton
kernel) side by side:

    elementwise.py  unary, binary, where, cast        reduce.py   reduce
    matmul.py       matmul                            softmax.py  softmax, softmax_backward
    copy.py         full, arange, from_host, to_host, copy, copy_into
    index.py        gather, scatter_add, index_select, index_add, index, index_put, nonzero
    random.py       uniform, normal, randint, randperm
    optim.py        sgd_step, adam_step (fused, in-place optimizer updates), and their foreach_
                    forms over lists of parameters
    conv.py         conv2d, conv2d_backward_input, conv2d_backward_weight (im2col + matmul)
    pool.py         max_pool2d, max_pool2d_backward, avg_pool2d, avg_pool2d_backward
    cross_entropy.py  cross_entropy, cross_entropy_backward (fused log_softmax + nll)
    dropout.py      dropout (the mask drawn from Philox counters, never stored)
    normalization.py  batch_norm, layer_norm and their backward passes
    recurrent.py    lstm_cell, gru_cell and their backward passes (fused gate math)
    attention.py    attention, attention_backward (FlashAttention: online softmax over tiles)
    complex.py      as_real, as_complex, complex_unary, and every primitive's complex path
    fft.py          fft (radix-2 Stockham stages, or the DFT as a matmul)
    scan.py         scan (cumsum, cumprod, cummax, cummin, logcumsumexp)
    sort.py         sort (sort, argsort, topk, kthvalue, median, mode, unique)
    linalg.py       gauss_jordan (inv, solve, det, slogdet)
    eigen.py        symmetric_eigen (eigh, svd, pinv: cyclic Jacobi rotations)
    optim_family.py  rmsprop/adagrad/adadelta/adamax/nadam/radam_step (fused, in place)

Nothing here knows about Tensor or autograd. Backends are looked up by name, lazily: importing this
package touches no device.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import (
    attention,
    complex,
    conv,
    copy,
    cross_entropy,
    dropout,
    eigen,
    elementwise,
    fft,
    index,
    linalg,
    matmul,
    normalization,
    optim,
    optim_family,
    pool,
    random,
    recurrent,
    reduce,
    scan,
    softmax,
    sort,
)
from .strided import View, as_numpy, contiguous_strides, contiguous_view

PRIMITIVES: dict[str, str] = {
    # elementwise.py
    "unary": "y = f(x) for a named op (neg, exp, log, sqrt, sigmoid, relu, ...)",
    "binary": "y = f(a, b) for a named op over two same-shape views (add, mul, pow, eq, ...)",
    "where": "y = a if condition else b, elementwise",
    "cast": "y = x converted to another dtype",
    # reduce.py
    "reduce": "sum / prod / max / min / argmax / argmin over a set of axes",
    # matmul.py
    "matmul": "batched (..., M, K) @ (..., K, N) over strided views",
    # softmax.py
    "softmax": "softmax or log_softmax along one dim, max-subtracted",
    # copy.py
    "full": "a new buffer filled with one value",
    "arange": "a new buffer y[i] = start + i * step",
    "from_host": "a NumPy array copied into a new buffer",
    "to_host": "a view of a buffer as a NumPy array (a copy off the CPU)",
    "copy": "a strided view written out contiguous",
    "copy_into": "src written into a strided view of dst, in place",
    # index.py
    "gather": "y = x[..., index, ...] elementwise along one dim",
    "scatter_add": "y = base; y[..., index, ...] += src along one dim",
    "index_select": "slices of x along dim at the positions of a 1-D index",
    "index_add": "y = base; slices of src added at the positions of a 1-D index",
    "index": "advanced (integer-array) indexing",
    "index_put": "advanced-index assignment or accumulation, in place",
    "nonzero": "coordinates of the nonzero elements",
    # random.py
    "uniform": "counter-based U[low, high) draws",
    "normal": "counter-based N(mean, std^2) draws",
    "randint": "counter-based integer draws in [low, high)",
    "randperm": "counter-based random permutation of 0 .. n-1",
    # optim.py
    "sgd_step": "fused SGD update (weight decay, momentum, nesterov) of a parameter, in place",
    "adam_step": "fused Adam / AdamW update of a parameter and its moment buffers, in place",
    # conv.py
    "conv2d": "y = 2-D convolution of (N, C, H, W) by (O, C/groups, kh, kw), no bias",
    "conv2d_backward_input": "dx of conv2d from dy and the weight (the transposed convolution)",
    "conv2d_backward_weight": "dweight of conv2d from dy and the input",
    # pool.py
    "max_pool2d": "window maxima of (..., H, W) and the flat index of each winner",
    "max_pool2d_backward": "dx of max_pool2d: dy added at the saved winner indices",
    "avg_pool2d": "window means of (..., H, W) (padding, ceil_mode, divisor options)",
    "avg_pool2d_backward": "dx of avg_pool2d: dy / divisor spread over each window",
    # cross_entropy.py
    "cross_entropy": "per-row losses, weights and log-sum-exp of logits vs class indices (fused)",
    "cross_entropy_backward": "dlogits of cross_entropy: dy * (softmax * coef - target mass)",
    # dropout.py
    "dropout": "y = x * keep / (1 - p), keep drawn from Philox counters per (broadcast) mask slot",
    # normalization.py
    "batch_norm": "per-channel normalize + affine (batch or running stats; updates running ones)",
    "batch_norm_backward": "dx, dweight, dbias of batch_norm from the saved mean and rstd",
    "layer_norm": "normalize + affine over the trailing dims of each row; returns mean and rstd",
    "layer_norm_backward": "dx, dweight, dbias of layer_norm from the saved mean and rstd",
    # recurrent.py (sequence models): the LSTM / GRU gate math of one time step, fused
    "lstm_cell": "h', c' of one LSTM step from gate pre-activations (B, 4H) and c (B, H)",
    "lstm_cell_backward": "dgates (B, 4H) and dc of one LSTM step from dh', dc'",
    "gru_cell": "h' of one GRU step from input gates, hidden gates (B, 3H) and h (B, H)",
    "gru_cell_backward": "dgi, dgh (B, 3H) and dh of one GRU step from dh'",
    # attention.py (sequence models): FlashAttention-style, no L x S matrix in memory
    "attention": "softmax(Q K^T * scale + bias, causal) V by online softmax; returns O and lse",
    "attention_backward": "dQ, dK, dV of attention, P recomputed tile by tile from lse",
    # complex.py (complex numbers: interleaved (real, imag) pairs)
    "as_real": "the 2n float parts of n complex elements, same memory (a reinterpretation)",
    "as_complex": "n complex elements over 2n float parts, same memory (a reinterpretation)",
    "complex_unary": "|z| or arg z (real results) or conj(z) of complex elements",
    # fft.py
    "fft": "unnormalised DFT (or inverse) along the last dim: radix-2 Stockham or DFT matmul",
    # op breadth, part A (issue 10): scan.py
    "scan": "running sum / prod / max / min (with indices) / logsumexp along one dim",
    "sort": "stable sort along one dim (NaN largest), with the original index of each value",
    # linalg.py (issue 10, second half)
    "gauss_jordan": "X = A^-1 B, log|det A| and sign(det A) by pivoted Gauss-Jordan, per matrix",
    # optim_family.py (issue 10, second half): more fused optimizer updates, in place
    "rmsprop_step": "fused RMSprop update (centered, momentum) of a parameter and its state",
    "adagrad_step": "fused Adagrad update of a parameter and its sum of squared gradients",
    "adadelta_step": "fused Adadelta update of a parameter and its two running averages",
    "adamax_step": "fused Adamax update of a parameter, its first moment and infinity norm",
    "nadam_step": "fused NAdam update (Nesterov momentum in Adam) of a parameter and moments",
    "radam_step": "fused RAdam update (rectified Adam) of a parameter and its moments",
    # eigen.py (issue 10, second half)
    "symmetric_eigen": "eigenvalues (ascending) and eigenvectors of symmetric matrices (Jacobi)",
    # triton (issue 15): multi-tensor optimizer steps, every parameter in one or a few launches
    "foreach_sgd_step": "sgd_step over lists of parameters (one launch for many on a GPU)",
    "foreach_adam_step": "adam_step over lists of parameters, each with its own step count",
    "softmax_backward": "dx of softmax or log_softmax along one dim from y and dy (one pass)",
}


class Backend:
    """A named set of primitive implementations; it must implement every entry of PRIMITIVES."""

    def __init__(self, name: str, implementations: dict[str, Callable[..., Any]]):
        missing = sorted(set(PRIMITIVES) - set(implementations))
        extra = sorted(set(implementations) - set(PRIMITIVES))
        if missing or extra:
            raise TypeError(f"backend {name!r}: missing primitives {missing}, unknown {extra}")
        self.name = name
        for primitive, function in implementations.items():
            setattr(self, primitive, function)

    def __repr__(self) -> str:
        return f"Backend({self.name!r})"


# The kernel families: each module holds <primitive>_reference and <primitive>_triton.
FAMILIES = (elementwise, reduce, matmul, softmax, copy, index, random, optim, conv, pool,
            cross_entropy, dropout, normalization,
            recurrent, attention,  # sequence models
            complex, fft,  # complex numbers
            scan, sort,  # op breadth: scans and sorting
            linalg, optim_family, eigen)  # op breadth, part B: linalg, optimizers


def _reference_implementations() -> dict[str, Callable[..., Any]]:
    """Every primitive's NumPy reference: the functions named <primitive>_reference."""
    return {name: getattr(module, f"{name}_reference")
            for module in FAMILIES for name in PRIMITIVES if hasattr(module, f"{name}_reference")}


numpy_backend = Backend("numpy",
                        complex.with_complex_paths(_reference_implementations(), "numpy"))

__all__ = ["FAMILIES", "PRIMITIVES", "Backend", "View", "as_numpy", "contiguous_strides",
           "contiguous_view", "numpy_backend"]
