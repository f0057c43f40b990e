"""Milliseconds per training step of sequence models on one CPU thread: tinygrad_edu vs PyTorch.

    python benchmarks/sequence_cpu.py [--rounds 7] [--steps 5]

Two models, SGD(lr=0.01), a step = zero_grad + forward + loss + backward + optimizer step:
    LSTM      2 layers, input 64, hidden 128, seq 32, batch 32; loss: mean square of the output
    encoder   nn.TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=512, dropout=0,
              batch_first=True), seq 64, batch 32; loss: mean square of the output
Both libraries start from the same weights (PyTorch's, copied) and see the same input; the
rounds interleave them so that machine noise hits each alike; medians over rounds are reported
with the ratio to PyTorch. Their losses must agree (a check that the same thing is timed).
Goal: <= 2.0x PyTorch for both.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"  # before NumPy and PyTorch load their thread pools

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import tinygrad_edu  # noqa: E402
import tinygrad_edu.optim  # noqa: E402


def limit_threads() -> None:
    torch.set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def build(library, kind: str):
    nn = library.nn
    if kind == "lstm":
        return nn.LSTM(64, 128, num_layers=2, batch_first=True)
    return nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True)


def forward(model, kind: str, x):
    return model(x)[0] if kind == "lstm" else model(x)


def step_function(library, kind: str, state: dict, x: np.ndarray) -> Callable[[], float]:
    model = build(library, kind)
    model.load_state_dict({k: library.tensor(v) for k, v in state.items()})
    optimizer = library.optim.SGD(model.parameters(), lr=0.01)
    inputs = library.tensor(x)

    def step() -> float:
        optimizer.zero_grad()
        loss = forward(model, kind, inputs).square().mean()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def run(kind: str, rounds: int, steps: int) -> dict[str, float]:
    torch.manual_seed(0)
    state = {k: v.detach().numpy().copy() for k, v in build(torch, kind).state_dict().items()}
    shape = (32, 32, 64) if kind == "lstm" else (32, 64, 128)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    steps_by_name = {"tinygrad_edu": step_function(tinygrad_edu, kind, state, x),
                     "torch": step_function(torch, kind, state, x)}
    losses = {name: [step() for _ in range(2)] for name, step in steps_by_name.items()}
    np.testing.assert_allclose(losses["tinygrad_edu"], losses["torch"], rtol=1e-3)
    samples: dict[str, list[float]] = {name: [] for name in steps_by_name}
    for _ in range(rounds):
        for name, step in steps_by_name.items():
            started = time.perf_counter()
            for _ in range(steps):
                step()
            samples[name].append((time.perf_counter() - started) / steps * 1e3)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    limit_threads()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.processor() or ''} "
          f"{os.cpu_count()} cores, 1 thread, medians of {args.rounds} rounds x {args.steps} steps")
    print(f"{'model':<10}{'tinygrad_edu ms':>17}{'torch ms':>10}{'ratio':>8}")
    for kind in ("lstm", "encoder"):
        result = run(kind, args.rounds, args.steps)
        ratio = result["tinygrad_edu"] / result["torch"]
        print(f"{kind:<10}{result['tinygrad_edu']:>17.1f}{result['torch']:>10.1f}{ratio:>7.2f}x")


if __name__ == "__main__":
    main()
