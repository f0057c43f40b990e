"""Spoken digits from mel spectrograms: waveform -> MelSpectrogram -> decibels -> a small CNN.

    python examples/speech_digits.py --root data --download   # the Free Spoken Digit Dataset
    python examples/speech_digits.py                          # FSDD if present, else synthetic
    python examples/speech_digits.py --quick                  # small synthetic run (< 1 minute)

With the Free Spoken Digit Dataset (real recordings: 8 kHz, digits 0-9, several speakers; the
official split) the model learns real speech. Without it the example uses a SYNTHETIC set made
here: it is not speech. Each "digit" is a made-up word of two vowel-like sounds, each built from
a pulse train (the voice's pitch) shaped by three resonances (formants), some words starting with
a noise burst (a consonant). "Speakers" differ in pitch, vocal-tract length (all formants
scaled), speaking rate and loudness, and every clip gets background noise — enough variation that
the classifier has to use the spectrogram's shape, not one frequency.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
import tinygrad_edu.optim as optim
from tinygrad_edu import audio

SAMPLE_RATE = 8000
CLIP = 4000  # samples per clip: 0.5 s at 8 kHz

# Synthetic "digits": (vowel 1 formants, vowel 2 formants, consonant burst band or None), in Hz.
WORDS = [
    ((300, 870, 2240), (730, 1090, 2440), None),
    ((660, 1720, 2410), (300, 2290, 3010), (2500, 3800)),
    ((520, 1190, 2390), (300, 870, 2240), None),
    ((730, 1090, 2440), (270, 2290, 3010), (1200, 2400)),
    ((270, 2290, 3010), (570, 840, 2410), None),
    ((440, 1020, 2240), (660, 1720, 2410), (3000, 3900)),
    ((570, 840, 2410), (390, 1990, 2550), None),
    ((390, 1990, 2550), (440, 1020, 2240), (1800, 3200)),
    ((300, 2290, 3010), (520, 1190, 2390), (2500, 3800)),
    ((490, 1350, 1690), (730, 1090, 2440), None),
]


def vowel(formants, f0, seconds, rng):
    """A vowel-like sound: harmonics of f0, each weighted by its closeness to the formants."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    vibrato = 1 + 0.02 * np.sin(2 * np.pi * rng.uniform(4, 6) * t)
    phase = 2 * np.pi * np.cumsum(f0 * vibrato) / SAMPLE_RATE
    sound = np.zeros_like(t)
    for k in range(1, int(3800 / f0)):
        gain = sum(1 / (1 + ((k * f0 - f) / (60 + 0.08 * f)) ** 2) for f in formants)
        sound += gain * np.sin(k * phase) / k ** 0.5
    envelope = np.minimum(1, np.minimum(t, t[-1] - t) * 40)  # 25 ms fades
    return sound * envelope


def burst(band, seconds, rng):
    """A consonant-like noise burst: white noise kept inside a frequency band (by FFT mask)."""
    noise = rng.standard_normal(int(seconds * SAMPLE_RATE))
    spectrum = np.fft.rfft(noise)
    freqs = np.fft.rfftfreq(noise.size, 1 / SAMPLE_RATE)
    spectrum[(freqs < band[0]) | (freqs > band[1])] = 0
    return np.fft.irfft(spectrum, noise.size) * np.hanning(noise.size) * 2


def synthesize(digit, rng):
    """One clip of a synthetic word spoken by a random synthetic speaker, (CLIP,) float32."""
    first, second, consonant = WORDS[digit]
    f0 = rng.uniform(90, 240)            # pitch
    tract = rng.uniform(0.8, 1.2)        # vocal-tract length: scales every formant
    rate = rng.uniform(0.8, 1.2)         # speaking rate
    pieces = []
    if consonant is not None:
        pieces.append(burst(consonant, 0.06 * rate, rng))
    def sloppy(formants):  # each utterance misses the targets a little
        return [f * tract * rng.uniform(0.9, 1.1) for f in formants]

    pieces.append(vowel(sloppy(first), f0, 0.16 * rate, rng))
    pieces.append(vowel(sloppy(second), f0 * rng.uniform(0.85, 1.0), 0.16 * rate, rng))
    word = np.concatenate(pieces)
    word = word / np.abs(word).max() * rng.uniform(0.3, 0.9)
    clip = np.zeros(CLIP)
    start = rng.integers(0, CLIP - word.size)
    clip[start:start + word.size] = word
    clip += rng.standard_normal(CLIP) * rng.uniform(0.01, 0.2)  # background noise
    return clip.astype(np.float32)


def synthetic_set(count, seed):
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    rng.shuffle(labels)
    return np.stack([synthesize(int(d), rng) for d in labels]), labels


def fsdd_set(root, train, download):
    """FSDD clips cut or zero-padded to CLIP samples, or None when the dataset is absent."""
    try:
        dataset = audio.datasets.FSDD(root, train=train, download=download)
    except RuntimeError as error:
        print(f"FSDD not available ({error}); using the synthetic set", file=sys.stderr)
        return None
    clips = np.zeros((len(dataset), CLIP), dtype=np.float32)
    for i in range(len(dataset)):
        waveform = dataset[i][0].numpy()[0][:CLIP]
        clips[i, :waveform.size] = waveform
    return clips, np.array(dataset.targets)


class Net(nn.Module):
    """(N, 1, 32 mels, 32 frames) -> 10 scores: two conv + pool stages and a linear layer."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.norm1, self.norm2 = nn.BatchNorm2d(8), nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 8 * 8, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.norm1(self.conv1(x))), 2)   # (N, 8, 16, 16)
        x = F.max_pool2d(F.relu(self.norm2(self.conv2(x))), 2)   # (N, 16, 8, 8)
        return self.fc(torch.flatten(x, 1))


def features(clips):
    """(N, CLIP) waveforms -> (N, 1, 32, 32) decibel mel spectrograms, standardised."""
    mel = audio.transforms.MelSpectrogram(SAMPLE_RATE, n_fft=256, hop_length=125, n_mels=32)
    to_db = audio.transforms.AmplitudeToDB(top_db=80.0)
    with torch.no_grad():
        db = to_db(mel(torch.tensor(clips)))[:, :, :32]          # (N, 32, 32)
        db = (db - db.mean()) / db.std()
    return db.unsqueeze(1)


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description="Classify spoken digits from mel spectrograms")
    parser.add_argument("--root", default="data")
    parser.add_argument("--download", action="store_true")
    parser.add_argument("--quick", action="store_true", help="small synthetic run (< 1 minute)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--train-size", type=int, default=2000, help="synthetic set only")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    started = time.time()
    train = test = None
    if not args.quick:
        train = fsdd_set(args.root, True, args.download)
        test = fsdd_set(args.root, False, False) if train is not None else None
    if train is None or test is None:
        size, epochs = (400, 4) if args.quick else (args.train_size, args.epochs)
        print(f"data: SYNTHETIC digit-like sounds (not speech), {size} train clips")
        train, test = synthetic_set(size, seed=0), synthetic_set(size // 4, seed=1)
    else:
        epochs = args.epochs
        print(f"data: Free Spoken Digit Dataset, {len(train[1])} train clips")
    x_train, y_train = features(train[0]), torch.tensor(train[1])
    x_test, y_test = features(test[0]), torch.tensor(test[1])
    model = Net()
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    batch = 50
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(y_train))
        total = 0.0
        for start in range(0, len(y_train), batch):
            index = order[start:start + batch]
            loss = F.cross_entropy(model(x_train[index]), y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        print(f"epoch {epoch + 1}: loss {total / len(y_train):.3f}")
    model.eval()
    with torch.no_grad():
        predictions = model(x_test).argmax(1)
    accuracy = (predictions == y_test).float().mean().item()
    print(f"time: {time.time() - started:.1f} s")
    print(f"result: accuracy={accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
