"""WAV files as tensors, with the standard library's `wave` module.

A PCM WAV file holds integer samples, channel-interleaved: frame t is (left_t, right_t, ...).
load returns them as float32 (channels, frames) scaled into [-1, 1) (int16 / 32768, like
torchaudio.load with normalize=True); save clips to [-1, 1] and writes integers back.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from ..tensor import Tensor

_INTEGER_TYPES = {1: np.uint8, 2: np.int16, 4: np.int32}


def load(filepath: str | Path, normalize: bool = True) -> tuple[Tensor, int]:
    """(waveform (channels, frames), sample_rate) of a PCM WAV file."""
    from ..creation import tensor

    try:
        with wave.open(str(filepath), "rb") as file:
            channels, width = file.getnchannels(), file.getsampwidth()
            sample_rate, frames = file.getframerate(), file.getnframes()
            raw = file.readframes(frames)
    except (wave.Error, EOFError) as error:
        raise RuntimeError(f"{filepath}: not a PCM WAV file ({error})") from error
    if width not in _INTEGER_TYPES:
        raise RuntimeError(f"{filepath}: {8 * width}-bit samples are not supported "
                           "(8, 16 or 32-bit PCM)")
    samples = np.frombuffer(raw, dtype=np.dtype(_INTEGER_TYPES[width]).newbyteorder("<"))
    samples = samples[: len(samples) - len(samples) % channels].reshape(-1, channels).T
    if not normalize:
        return tensor(samples.astype(_INTEGER_TYPES[width])), sample_rate
    if width == 1:  # 8-bit WAV is unsigned, centred on 128
        values = (samples.astype(np.float32) - 128) / 128
    else:
        values = samples.astype(np.float32) / float(2 ** (8 * width - 1))
    return tensor(values), sample_rate


def save(filepath: str | Path, src: Tensor, sample_rate: int, bits_per_sample: int = 16,
         channels_first: bool = True) -> None:
    """Write a float waveform (channels, frames) in [-1, 1] as integer PCM."""
    if bits_per_sample not in (8, 16, 32):
        raise ValueError(f"bits_per_sample must be 8, 16 or 32, got {bits_per_sample}")
    values = src.detach().cpu().numpy()
    values = values[None] if values.ndim == 1 else values
    if values.ndim != 2:
        raise ValueError(f"Expected 2D Tensor, got {values.ndim}D")
    if not channels_first:
        values = values.T
    width = bits_per_sample // 8
    if values.dtype.kind == "f":
        scale = 2 ** (bits_per_sample - 1)
        integers = np.clip(np.round(values.astype(np.float64) * scale), -scale, scale - 1)
        if width == 1:
            integers = integers + 128
    else:
        integers = values
    interleaved = integers.T.astype(np.dtype(_INTEGER_TYPES[width]).newbyteorder("<"))
    with wave.open(str(filepath), "wb") as file:
        file.setnchannels(values.shape[0])
        file.setsampwidth(width)
        file.setframerate(int(sample_rate))
        file.writeframes(np.ascontiguousarray(interleaved).tobytes())
