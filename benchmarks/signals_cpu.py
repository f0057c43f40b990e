"""The FFT against the DFT as a matmul, and a spectrogram's forward + backward, beside PyTorch.

    python benchmarks/signals_cpu.py         (1 thread, CPU time, medians of interleaved rounds)

What it shows (the course page "Signals"): the DFT is a matmul with an N x N complex matrix, N^2
multiply-adds; the FFT factors that matrix into log2(N) stages, N log2(N) work. Cases, on 64
signals of N = 1024 complex64 samples:

- `fft`: torch.fft.fft (tinygrad_edu: its radix-2 Stockham primitive);
- `dft matmul`: x @ W with the precomputed (N, N) matrix W (the same transform, N^2 work);
- `stft → abs → log, backward`: one second of 16 kHz audio, n_fft=512, hop 128, Hann window, a
  log-magnitude loss and its backward (the speech example's front end, with gradients).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import tinygrad_edu  # noqa: E402

# CPU time of this process (one thread): on a shared machine wall time also counts waiting for a
# core. TIMING_CLOCK=wall for wall time.
CLOCK = time.perf_counter if os.environ.get("TIMING_CLOCK") == "wall" else time.process_time
ROUNDS, CALLS = 15, 5
BATCH, N, SAMPLE_RATE, N_FFT, HOP = 64, 1024, 16000, 512, 128


def _milliseconds_per_call(function: Callable[[], object]) -> float:
    started = CLOCK()
    for _ in range(CALLS):
        function()
    return (CLOCK() - started) / CALLS * 1e3


def _cases(library) -> dict[str, Callable[[], object]]:
    rng = np.random.default_rng(0)
    signals = (rng.standard_normal((BATCH, N)) + 1j * rng.standard_normal((BATCH, N)))
    x = library.tensor(signals.astype(np.complex64))                       # (64, 1024)
    t = np.arange(N)
    w = library.tensor(np.exp(-2j * math.pi * np.outer(t, t) / N).astype(np.complex64))
    audio = library.tensor(rng.standard_normal(SAMPLE_RATE).astype(np.float32),
                           requires_grad=True)                             # (16000,)
    window = library.hann_window(N_FFT)

    def spectrogram_step() -> None:
        audio.grad = None
        spec = library.stft(audio, N_FFT, hop_length=HOP, window=window, return_complex=True)
        (spec.abs() + 1e-3).log().sum().backward()                      # spec: (257, 126)

    return {"fft (64 x 1024)": lambda: library.fft.fft(x),
            "dft matmul (64 x 1024)": lambda: x @ w,
            "stft -> abs -> log, backward": spectrogram_step}


def main() -> None:
    torch.set_num_threads(1)
    libraries = {"tinygrad_edu": _cases(tinygrad_edu), "torch": _cases(torch)}
    for name in ("fft (64 x 1024)", "dft matmul (64 x 1024)"):  # the same numbers first
        mine, theirs = (libraries[lib][name]().numpy() for lib in ("tinygrad_edu", "torch"))
        assert np.allclose(mine, theirs, rtol=1e-3, atol=1e-2 * math.sqrt(N)), name
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(ROUNDS):  # interleave libraries so machine noise hits both alike
        for library, cases in libraries.items():
            for name, function in cases.items():
                samples.setdefault((library, name), []).append(_milliseconds_per_call(function))
    medians = {key: statistics.median(values) for key, values in samples.items()}
    print(f"{'case':30} {'tinygrad_edu ms':>16} {'torch ms':>10} {'ratio':>7}")
    for name in libraries["torch"]:
        mine, theirs = medians[("tinygrad_edu", name)], medians[("torch", name)]
        print(f"{name:30} {mine:16.3f} {theirs:10.3f} {mine / theirs:7.2f}")
    speedup = medians[("tinygrad_edu", "dft matmul (64 x 1024)")] / medians[
        ("tinygrad_edu", "fft (64 x 1024)")]
    print(f"\ntinygrad_edu: the FFT is {speedup:.1f}x faster than the same DFT as a matmul "
          f"(N^2 / (N log2 N) = {N / math.log2(N):.0f} in multiply-adds)")


if __name__ == "__main__":
    main()
