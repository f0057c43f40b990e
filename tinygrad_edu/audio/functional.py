"""Spectrogram math: the spectrogram itself, mel filterbanks, decibels (torchaudio.functional).

The mel scale spaces frequencies the way pitch is heard: evenly at low frequencies, logarithmically
above about 1 kHz. HTK's formula (torchaudio's default):

    mel(f) = 2595 log10(1 + f / 700)

A mel filterbank is n_mels triangles, evenly spaced in mel between f_min and f_max: filter m rises
from point m to point m + 1 and falls to point m + 2. A mel spectrogram is the power spectrogram
multiplied by the filterbank: (..., freq, time) -> (..., n_mels, time), one matmul.
"""

from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor


def _hz_to_mel(frequency: np.ndarray, mel_scale: str) -> np.ndarray:
    if mel_scale == "htk":
        return 2595.0 * np.log10(1.0 + frequency / 700.0)
    linear = 3 * frequency / 200  # slaney: linear below 1 kHz, logarithmic above
    logstep = math.log(6.4) / 27.0
    return np.where(frequency >= 1000, 15.0 + np.log(np.maximum(frequency, 1e-10) / 1000)
                    / logstep, linear)


def _mel_to_hz(mels: np.ndarray, mel_scale: str) -> np.ndarray:
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    logstep = math.log(6.4) / 27.0
    return np.where(mels >= 15, 1000.0 * np.exp(logstep * (mels - 15.0)), 200.0 * mels / 3)


def melscale_fbanks(n_freqs: int, f_min: float, f_max: float, n_mels: int, sample_rate: int,
                    norm: str | None = None, mel_scale: str = "htk") -> Tensor:
    """(n_freqs, n_mels) triangular filters; norm='slaney' scales each to unit area."""
    from ..creation import tensor

    if norm not in (None, "slaney"):
        raise ValueError('norm must be one of None or "slaney"')
    if mel_scale not in ("htk", "slaney"):
        raise ValueError('mel_scale should be one of "htk" or "slaney".')
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    mel_points = np.linspace(_hz_to_mel(np.float64(f_min), mel_scale),
                             _hz_to_mel(np.float64(f_max), mel_scale), n_mels + 2)
    f_points = _mel_to_hz(mel_points, mel_scale)  # (n_mels + 2,) triangle corners in Hz
    f_diff = f_points[1:] - f_points[:-1]
    slopes = f_points[None, :] - all_freqs[:, None]  # (n_freqs, n_mels + 2)
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    banks = np.maximum(0.0, np.minimum(down, up))
    if norm == "slaney":
        banks *= 2.0 / (f_points[2:n_mels + 2] - f_points[:n_mels])
    return tensor(banks.astype(np.float32))


def spectrogram(waveform: Tensor, pad: int, window: Tensor, n_fft: int, hop_length: int,
                win_length: int, power: float | None, normalized: bool | str,
                center: bool = True, pad_mode: str = "reflect", onesided: bool = True) -> Tensor:
    """|stft(waveform)|^power, (..., time) -> (..., n_fft // 2 + 1, frames)."""
    from ..ops.movement import constant_pad
    from ..ops.spectral import stft

    if pad > 0:
        waveform = constant_pad(waveform, (pad, pad))
    shape = waveform.shape
    flat = waveform.reshape(-1, shape[-1])
    spec = stft(flat, n_fft, hop_length, win_length, window, center, pad_mode,
                normalized == "frame_length", onesided, return_complex=True)
    spec = spec.reshape(tuple(shape[:-1]) + tuple(spec.shape[-2:]))
    if normalized is True or normalized == "window":
        spec = spec / (window * window).sum().sqrt()
    if power is None:
        return spec
    magnitude = spec.abs()
    return magnitude if power == 1.0 else magnitude ** power


def amplitude_to_DB(x: Tensor, multiplier: float, amin: float, db_multiplier: float,  # noqa: N802
                    top_db: float | None = None) -> Tensor:
    """multiplier * log10(max(x, amin)) - multiplier * db_multiplier, floored top_db below max."""
    x_db = x.clamp(min=amin).log() * (multiplier / math.log(10.0))
    x_db = x_db - multiplier * db_multiplier
    if top_db is not None:
        shape = x_db.shape
        packed = shape[-3] if x_db.ndim > 2 else 1
        packed_db = x_db.reshape(-1, packed, shape[-2], shape[-1])
        floor = packed_db.amax(dim=(-3, -2, -1)) - top_db
        x_db = packed_db.maximum(floor.reshape(-1, 1, 1, 1)).reshape(tuple(shape))
    return x_db
