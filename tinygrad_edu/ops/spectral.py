"""Short-time Fourier transforms: torch.stft / torch.istft and the windows they use.

stft cuts a signal into overlapping frames, weights each frame by a window and takes its FFT:

    signal (L,) --pad n_fft//2 each side--> frames (n_frames, n_fft) = signal[t*hop + (0..n_fft-1)]
            --* window--> --rfft along the frame--> (n_fft//2 + 1, n_frames) complex

A spectrogram is its magnitude (or power). Every step is an ordinary differentiable op (an index
gather for the frames, a multiply, tinygrad_edu.fft), so gradients flow from a loss on
`stft(x).abs()` back to the waveform with no new derivative.

istft inverts it: inverse FFT of each column, times the window, overlap-added back into one
signal (a scatter_add), divided by the overlap-added squared window (the "envelope"):

    x[t] = sum_f w[t - f hop] frame_f[t - f hop] / sum_f w[t - f hop]^2
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..dtypes import get_default_dtype, to_dtype, to_real
from ..tensor import Tensor


# --- windows -----------------------------------------------------------------------------------
def _cosine_window(window_length: int, periodic: bool, coefficients: tuple[float, ...],
                   dtype: Any, device: Any, requires_grad: bool, name: str) -> Tensor:
    """sum_k (-1)^k a_k cos(2 pi k n / (N - 1)), N = window_length (+1 when periodic)."""
    from ..creation import tensor

    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length="
                           f"{window_length}")
    result_dtype = to_dtype(dtype) if dtype is not None else get_default_dtype()
    if not result_dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {result_dtype}")
    if window_length <= 1:
        values = np.ones(window_length)
    else:
        size = window_length + 1 if periodic else window_length
        n = np.arange(window_length)
        values = sum((-1) ** k * a * np.cos(2 * np.pi * k * n / (size - 1))
                     for k, a in enumerate(coefficients))
    return tensor(values, dtype=result_dtype, device=device, requires_grad=requires_grad)


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """w[n] = 0.5 - 0.5 cos(2 pi n / (N - 1))."""
    return _cosine_window(window_length, periodic, (0.5, 0.5), dtype, device, requires_grad,
                          "hann_window")


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, requires_grad: bool = False) -> Tensor:
    """w[n] = alpha - beta cos(2 pi n / (N - 1))."""
    return _cosine_window(window_length, periodic, (alpha, beta), dtype, device, requires_grad,
                          "hamming_window")


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, requires_grad: bool = False
                    ) -> Tensor:
    """w[n] = 0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""
    return _cosine_window(window_length, periodic, (0.42, 0.5, 0.08), dtype, device,
                          requires_grad, "blackman_window")


# --- stft / istft -------------------------------------------------------------------------------
def _full_window(window: Tensor | None, n_fft: int, win_length: int, like: Tensor) -> Tensor:
    """The window (ones if None) zero-padded on both sides to n_fft, on like's device."""
    from ..creation import ones
    from .movement import constant_pad

    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"stft expected 0 < win_length <= n_fft, but got win_length="
                           f"{win_length}")
    if window is None:
        window = ones(win_length, dtype=to_real(like.dtype), device=like.device)
    if window.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"stft expected a 1D window tensor of size equal to win_length="
                           f"{win_length}, but got window with size {list(window.shape)}")
    left = (n_fft - win_length) // 2
    if left or n_fft - win_length - left:
        window = constant_pad(window, (left, n_fft - win_length - left))
    return window


def _frame_index(n_frames: int, n_fft: int, hop_length: int, like: Tensor) -> Tensor:
    """(n_frames, n_fft) int64 positions: frame f covers f * hop_length + (0 .. n_fft - 1)."""
    from ..creation import tensor

    positions = np.arange(n_frames)[:, None] * hop_length + np.arange(n_fft)[None, :]
    return tensor(positions, device=like.device)


def stft(input: Tensor, n_fft: int, hop_length: int | None = None,
         win_length: int | None = None, window: Tensor | None = None, center: bool = True,
         pad_mode: str = "reflect", normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None) -> Tensor:
    """(freq, n_frames) (or (B, freq, n_frames)) complex STFT of a (L,) or (B, L) signal."""
    from .. import fft
    from .padding import pad

    if return_complex is None and not input.dtype.is_complex:
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, "
                           "and will further require that return_complex=True in a future "
                           "PyTorch release.")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.ndim}D tensor")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if n_fft <= 0:
        raise RuntimeError(f"stft: expected 0 < n_fft, but got n_fft={n_fft}")
    if hop_length <= 0:
        raise RuntimeError(f"stft: expected hop_length > 0, but got hop_length={hop_length}")
    signal = input if input.ndim == 2 else input.unsqueeze(0)  # (B, L)
    if center:
        signal = pad(signal.unsqueeze(1), (n_fft // 2, n_fft // 2), mode=pad_mode).squeeze(1)
    length = signal.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(f"stft: expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    n_frames = 1 + (length - n_fft) // hop_length
    frames = signal[:, _frame_index(n_frames, n_fft, hop_length, signal)]  # (B, n_frames, n_fft)
    frames = frames * _full_window(window, n_fft, win_length, signal)
    complex_input = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
    onesided = not complex_input if onesided is None else onesided
    if onesided and complex_input:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    spectrum = (fft.rfft if onesided else fft.fft)(frames, dim=-1, norm=norm)
    spectrum = spectrum.transpose(1, 2)  # (B, freq, n_frames)
    if input.ndim == 1:
        spectrum = spectrum.squeeze(0)
    if return_complex is False:
        warnings.warn("stft with return_complex=False is deprecated; use return_complex=True",
                      UserWarning, stacklevel=2)
        from .complex import view_as_real

        return view_as_real(spectrum)
    return spectrum


def istft(input: Tensor, n_fft: int, hop_length: int | None = None,
          win_length: int | None = None, window: Tensor | None = None, center: bool = True,
          normalized: bool = False, onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:
    """The signal whose stft is input: inverse FFTs, windowed overlap-add, envelope division."""
    from .. import fft
    from ..creation import zeros
    from .movement import constant_pad

    if not input.dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 2 or 3 dimensions of complex, but got "
                           f"{input.ndim}D")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    spectrum = input if input.ndim == 3 else input.unsqueeze(0)  # (B, freq, n_frames)
    batch, n_bins, n_frames = spectrum.shape
    onesided = n_bins != n_fft if onesided is None else onesided
    expected_bins = n_fft // 2 + 1 if onesided else n_fft
    if n_bins != expected_bins:
        raise RuntimeError(f"istft: expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft / 2 + 1 when onesided=True, but got "
                           f"{n_bins}")
    if onesided and return_complex:
        raise RuntimeError("cannot have onesided output if window or input is complex")
    columns = spectrum.transpose(1, 2)  # (B, n_frames, freq)
    norm = "ortho" if normalized else "backward"
    if onesided:
        frames = fft.irfft(columns, n=n_fft, dim=-1, norm=norm)
    else:
        frames = fft.ifft(columns, n=n_fft, dim=-1, norm=norm)
        if not return_complex:
            frames = frames.real
    full_window = _full_window(window, n_fft, win_length, frames.real if frames.dtype.is_complex
                               else frames)
    frames = frames * full_window  # (B, n_frames, n_fft)
    total = n_fft + hop_length * (n_frames - 1)
    positions = _frame_index(n_frames, n_fft, hop_length, frames).reshape(1, -1)
    signal = zeros(batch, total, dtype=frames.dtype, device=frames.device).scatter_add(
        1, positions.expand(batch, -1), frames.reshape(batch, -1))
    squared = (full_window * full_window).detach()
    envelope = zeros(1, total, dtype=squared.dtype, device=squared.device).scatter_add(
        1, positions, squared.expand(n_frames, n_fft).reshape(1, -1))
    start = n_fft // 2 if center else 0
    end = total - n_fft // 2 if center else total
    if length is not None:
        end = start + length
    end = min(end, total)
    signal, envelope = signal[:, start:end], envelope[:, start:end]
    lowest = float(envelope.abs().min()) if envelope.numel() else 1.0
    if lowest < 1e-11:
        raise RuntimeError(f"istft(window overlap add min: {lowest:g}): the window overlap-add "
                           "is zero somewhere (choose a window and hop with nonzero overlap)")
    signal = signal / envelope
    if length is not None and signal.shape[-1] < length:
        signal = constant_pad(signal, (0, length - signal.shape[-1]))
    return signal.squeeze(0) if input.ndim == 2 else signal
