"""torchaudio.transforms: Spectrogram, MelSpectrogram and AmplitudeToDB as nn.Modules.

    waveform (..., time) --Spectrogram--> (..., n_fft // 2 + 1, frames) power
                         --MelSpectrogram--> (..., n_mels, frames)
                         --AmplitudeToDB--> decibels, 10 log10(power)

The window and the mel filterbank are buffers: `.to(device)` moves them with the module.
Defaults are torchaudio's (n_fft=400, hop = win_length // 2, hann window, power 2, HTK mel scale,
no filterbank norm).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..nn.module import Module
from ..ops.spectral import hann_window
from ..tensor import Tensor
from . import functional


class Spectrogram(Module):
    """|stft(waveform)|^power of (..., time): (..., n_fft // 2 + 1, frames)."""

    def __init__(self, n_fft: int = 400, win_length: int | None = None,
                 hop_length: int | None = None, pad: int = 0,
                 window_fn: Callable[..., Tensor] = hann_window, power: float | None = 2.0,
                 normalized: bool | str = False, wkwargs: dict | None = None,
                 center: bool = True, pad_mode: str = "reflect", onesided: bool = True):
        super().__init__()
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.pad, self.power, self.normalized = pad, power, normalized
        self.center, self.pad_mode, self.onesided = center, pad_mode, onesided
        self.register_buffer("window", window_fn(self.win_length, **(wkwargs or {})))

    def forward(self, waveform: Tensor) -> Tensor:
        return functional.spectrogram(waveform, self.pad, self.window, self.n_fft,
                                      self.hop_length, self.win_length, self.power,
                                      self.normalized, self.center, self.pad_mode, self.onesided)


class MelScale(Module):
    """(..., n_stft, time) spectrogram -> (..., n_mels, time) through the mel filterbank."""

    def __init__(self, n_mels: int = 128, sample_rate: int = 16000, f_min: float = 0.0,
                 f_max: float | None = None, n_stft: int = 201, norm: str | None = None,
                 mel_scale: str = "htk"):
        super().__init__()
        self.n_mels, self.sample_rate = n_mels, sample_rate
        self.f_min = f_min
        self.f_max = f_max if f_max is not None else float(sample_rate // 2)
        if f_min > self.f_max:
            raise ValueError(f"Require f_min: {f_min} <= f_max: {self.f_max}")
        self.register_buffer("fb", functional.melscale_fbanks(
            n_stft, self.f_min, self.f_max, n_mels, sample_rate, norm, mel_scale))

    def forward(self, specgram: Tensor) -> Tensor:
        fb = self.fb if self.fb.dtype is specgram.dtype else self.fb.to(specgram.dtype)
        return (specgram.transpose(-1, -2) @ fb).transpose(-1, -2)


class MelSpectrogram(Module):
    """Spectrogram then MelScale: (..., time) -> (..., n_mels, frames)."""

    def __init__(self, sample_rate: int = 16000, n_fft: int = 400,
                 win_length: int | None = None, hop_length: int | None = None,
                 f_min: float = 0.0, f_max: float | None = None, pad: int = 0,
                 n_mels: int = 128, window_fn: Callable[..., Tensor] = hann_window,
                 power: float = 2.0, normalized: bool = False, wkwargs: dict | None = None,
                 center: bool = True, pad_mode: str = "reflect", onesided: Any = None,
                 norm: str | None = None, mel_scale: str = "htk"):
        super().__init__()
        self.sample_rate, self.n_fft, self.n_mels = sample_rate, n_fft, n_mels
        self.spectrogram = Spectrogram(n_fft, win_length, hop_length, pad, window_fn, power,
                                       normalized, wkwargs, center, pad_mode, True)
        self.mel_scale = MelScale(n_mels, sample_rate, f_min, f_max, n_fft // 2 + 1, norm,
                                  mel_scale)

    def forward(self, waveform: Tensor) -> Tensor:
        return self.mel_scale(self.spectrogram(waveform))


class AmplitudeToDB(Module):
    """10 log10(power) (stype="power") or 20 log10(amplitude), floored top_db below the max."""

    def __init__(self, stype: str = "power", top_db: float | None = None):
        super().__init__()
        if top_db is not None and top_db < 0:
            raise ValueError("top_db must be positive value")
        self.stype, self.top_db = stype, top_db
        self.multiplier = 10.0 if stype == "power" else 20.0
        self.amin, self.ref_value = 1e-10, 1.0
        self.db_multiplier = 0.0  # log10(max(amin, ref_value))

    def forward(self, x: Tensor) -> Tensor:
        return functional.amplitude_to_DB(x, self.multiplier, self.amin, self.db_multiplier,
                                          self.top_db)
