"""tinygrad_edu.fft: discrete Fourier transforms with torch.fft's names, arguments and norm= modes.

Every transform here is built on one differentiable op, `DFT` (the unnormalised transform along
the last dim, the `fft` primitive of kernels/fft.py), plus ordinary tensor ops: moving a dim to
the end, zero-padding or trimming to n, scaling by the norm, slicing half a spectrum.

    norm="backward" (default)   forward transform unscaled, inverse scaled by 1/n
    norm="ortho"                both scaled by 1/sqrt(n) (the transform is then unitary)
    norm="forward"              forward scaled by 1/n, inverse unscaled

The derivative of a linear map y = W x is dx = W^H dy (PyTorch's complex convention), and the
DFT matrix is symmetric with W^H = conj(W): the gradient of a forward DFT is the unnormalised
inverse DFT of dy, and the other way round.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .autograd.function import Function
from .dtypes import get_default_dtype, to_complex
from .ops import lowering
from .tensor import Tensor
from .views import normalize_dim

_NORMS = ("backward", "ortho", "forward")


class DFT(Function):
    """y[k] = sum_t x[t] e^(-+2 pi i k t / n) along the last dim;  dx = the opposite transform
    of dy (W^H = conj(W))"""

    node_name = "FftC2CBackward0"  # PyTorch's name for its complex-to-complex transform

    @staticmethod
    def forward(ctx, x, inverse):
        ctx.inverse = inverse
        return lowering.fft(x, inverse)

    @staticmethod
    def backward(ctx, dy):
        return DFT.apply(dy, not ctx.inverse), None


def _scale(norm: str | None, n: int, inverse: bool) -> float:
    norm = "backward" if norm is None else norm
    if norm not in _NORMS:
        raise ValueError(f'Invalid normalization mode: "{norm}"')
    if norm == "ortho":
        return 1 / math.sqrt(n)
    scaled = "backward" if inverse else "forward"
    return 1 / n if norm == scaled else 1.0


def _as_complex(x: Tensor) -> Tensor:
    if x.dtype.is_complex:
        return x
    real = x if x.dtype.is_floating_point else x.to(get_default_dtype())
    return real.to(to_complex(real.dtype))


def _resize(x: Tensor, dim: int, n: int) -> Tensor:
    """x zero-padded or trimmed to n along dim."""
    size = x.shape[dim]
    if n == size:
        return x
    if n < size:
        return x.narrow(dim, 0, n)
    from .ops.movement import constant_pad

    pads = [0, 0] * (x.ndim - 1 - dim) + [0, n - size]
    return constant_pad(x, pads)


def _transform_1d(x: Tensor, n: int | None, dim: int, norm: str | None, inverse: bool
                  ) -> Tensor:
    """The complex DFT of x along dim, resized to n, with the norm's scale."""
    x = _as_complex(x)
    if x.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    dim = normalize_dim(dim, x.ndim)
    n = x.shape[dim] if n is None else int(n)
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    x = _resize(x, dim, n)
    moved = x.transpose(dim, -1) if dim != x.ndim - 1 else x
    y = DFT.apply(moved, inverse)
    y = y.transpose(dim, -1) if dim != x.ndim - 1 else y
    scale = _scale(norm, n, inverse)
    return y if scale == 1.0 else y * scale


def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """X[k] = sum_t x[t] e^(-2 pi i k t / n) along dim (complex result)."""
    return _transform_1d(input, n, dim, norm, inverse=False)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """x[t] = (1/n) sum_k X[k] e^(+2 pi i k t / n) along dim."""
    return _transform_1d(input, n, dim, norm, inverse=True)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The first n // 2 + 1 frequencies of the FFT of a real signal (the rest are conjugates)."""
    if input.dtype.is_complex:
        raise RuntimeError("rfft expects a real input tensor, but got "
                           f"{input.type().split('.')[-1][:-6]}")
    spectrum = fft(input, n, dim, norm)
    dim = normalize_dim(dim, input.ndim)
    return spectrum.narrow(dim, 0, spectrum.shape[dim] // 2 + 1)


def _hermitian_full(x: Tensor, dim: int, n: int) -> Tensor:
    """The full n-point spectrum from its first n // 2 + 1 bins: X[n - k] = conj(X[k])."""
    from .ops.movement import cat

    half = n // 2 + 1
    x = _resize(x, dim, half)
    mirrored = n - half  # bins half .. n-1 mirror bins n-half .. 1
    if mirrored == 0:
        return x
    tail = x.narrow(dim, 1, mirrored).flip(dim).conj()
    return cat([x, tail], dim)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None
          ) -> Tensor:
    """The real signal of length n (default 2 (m - 1)) whose rfft is input (m bins)."""
    x = _as_complex(input)
    dim = normalize_dim(dim, x.ndim)
    n = 2 * (x.shape[dim] - 1) if n is None else int(n)
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return ifft(_hermitian_full(x, dim, n), n, dim, norm).real


def _dims_and_sizes(x: Tensor, s: Sequence[int] | None, dim: Any, default_all: bool
                    ) -> tuple[list[int], list[int | None]]:
    if dim is None:
        count = len(s) if s is not None else (x.ndim if default_all else 2)
        dims = list(range(x.ndim - count, x.ndim))
    else:
        dims = [normalize_dim(d, x.ndim) for d in ([dim] if isinstance(dim, int) else dim)]
    if s is not None and len(s) != len(dims):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    return dims, list(s) if s is not None else [None] * len(dims)


def fftn(input: Tensor, s: Sequence[int] | None = None, dim: Any = None,
         norm: str | None = None) -> Tensor:
    """The FFT over several dims (all by default): one 1-D FFT per dim."""
    dims, sizes = _dims_and_sizes(input, s, dim, True)
    result = _as_complex(input)
    for d, size in zip(dims, sizes):
        result = fft(result, size, d, norm)
    return result


def ifftn(input: Tensor, s: Sequence[int] | None = None, dim: Any = None,
          norm: str | None = None) -> Tensor:
    dims, sizes = _dims_and_sizes(input, s, dim, True)
    result = _as_complex(input)
    for d, size in zip(dims, sizes):
        result = ifft(result, size, d, norm)
    return result


def fft2(input: Tensor, s: Sequence[int] | None = None, dim: Any = (-2, -1),
         norm: str | None = None) -> Tensor:
    return fftn(input, s, dim, norm)


def ifft2(input: Tensor, s: Sequence[int] | None = None, dim: Any = (-2, -1),
          norm: str | None = None) -> Tensor:
    return ifftn(input, s, dim, norm)


def rfftn(input: Tensor, s: Sequence[int] | None = None, dim: Any = None,
          norm: str | None = None) -> Tensor:
    """rfft over the last of dims, then the full FFT over the others."""
    dims, sizes = _dims_and_sizes(input, s, dim, True)
    result = rfft(input, sizes[-1], dims[-1], norm)
    for d, size in zip(dims[:-1], sizes[:-1]):
        result = fft(result, size, d, norm)
    return result


def irfftn(input: Tensor, s: Sequence[int] | None = None, dim: Any = None,
           norm: str | None = None) -> Tensor:
    """The inverse of rfftn: inverse FFTs over all but the last of dims, then irfft on it."""
    dims, sizes = _dims_and_sizes(input, s, dim, True)
    result = _as_complex(input)
    for d, size in zip(dims[:-1], sizes[:-1]):
        result = ifft(result, size, d, norm)
    return irfft(result, sizes[-1], dims[-1], norm)


def rfft2(input: Tensor, s: Sequence[int] | None = None, dim: Any = (-2, -1),
          norm: str | None = None) -> Tensor:
    return rfftn(input, s, dim, norm)


def irfft2(input: Tensor, s: Sequence[int] | None = None, dim: Any = (-2, -1),
           norm: str | None = None) -> Tensor:
    return irfftn(input, s, dim, norm)


def fftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """The frequency of each FFT bin: [0, 1, ..., (n-1)//2, -(n//2), ..., -1] / (d n)."""
    from .creation import tensor

    bins = list(range((n - 1) // 2 + 1)) + list(range(-(n // 2), 0))
    return tensor([b / (d * n) for b in bins], dtype=dtype or get_default_dtype(), device=device,
                  requires_grad=requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """The frequency of each rfft bin: [0, 1, ..., n // 2] / (d n)."""
    from .creation import tensor

    return tensor([b / (d * n) for b in range(n // 2 + 1)], dtype=dtype or get_default_dtype(),
                  device=device, requires_grad=requires_grad)


def _roll(x: Tensor, shift: int, dim: int) -> Tensor:
    from .ops.movement import cat

    size = x.shape[dim]
    shift %= size if size else 1
    if shift == 0:
        return x
    return cat([x.narrow(dim, size - shift, shift), x.narrow(dim, 0, size - shift)], dim)


def _shift(x: Tensor, dim: Any, inverse: bool) -> Tensor:
    dims = range(x.ndim) if dim is None else ([dim] if isinstance(dim, int) else dim)
    for d in dims:
        d = normalize_dim(d, x.ndim)
        size = x.shape[d]
        x = _roll(x, -(size // 2) if inverse else size // 2, d)
    return x


def fftshift(input: Tensor, dim: Any = None) -> Tensor:
    """Move the zero frequency to the middle (a roll by n // 2 along each dim)."""
    return _shift(input, dim, inverse=False)


def ifftshift(input: Tensor, dim: Any = None) -> Tensor:
    """Undo fftshift (a roll by -(n // 2))."""
    return _shift(input, dim, inverse=True)


__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "ifft", "ifft2", "ifftn", "ifftshift",
           "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn"]
