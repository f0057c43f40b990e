"""tinygrad_edu.audio: torchaudio's small core — WAV files in and out, spectrogram transforms and a
spoken-digit dataset.

    waveform, sample_rate = audio.load("zero.wav")     (channels, frames) float32 in [-1, 1]
    mel = audio.transforms.MelSpectrogram(sample_rate, n_fft=256, n_mels=32)(waveform)
    db = audio.transforms.AmplitudeToDB()(mel)        (channels, n_mels, frames)

WAV reading and writing use the standard library's `wave` module (PCM, 8/16/32-bit integers).
"""

from __future__ import annotations

from . import datasets, functional, transforms
from .io import load, save

__all__ = ["datasets", "functional", "load", "save", "transforms"]
