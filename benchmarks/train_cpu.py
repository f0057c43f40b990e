"""Milliseconds per training step on one CPU thread: tinygrad_edu, PyTorch and hand-written NumPy.

    python benchmarks/train_cpu.py [--rounds 15] [--steps 20] [--launches]

Two networks on scikit-learn's 8x8 Digits, batch 64, SGD(lr=0.01, momentum=0.9), cross-entropy:
    MLP  64-128-64-10 (ReLU)
    CNN  conv(1->16, 3, pad 1)-relu-conv(16->32, 3, pad 1)-relu-maxpool2-fc(512->64)-relu-fc(64->10)
A step is zero_grad + forward + loss + backward + optimizer step. All three implementations start
from the same weights and see the same batches; rounds interleave them so that machine noise hits
each alike, and the medians over rounds are reported with the ratios to PyTorch. The losses of the
three must agree (a check that the same thing is being timed). "compiled" is the same step wrapped
in tinygrad_edu.compile (captured on the first calls, then replayed). Goals (issue 14): eager MLP
and CNN <= 1.2x PyTorch; compiled MLP <= 0.6x, compiled CNN <= 1.0x.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"  # before NumPy and PyTorch load their thread pools

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

# CPU time of this process, not wall time: on a shared machine the wall clock also counts the time
# spent waiting for a core (other processes), which hits the libraries unevenly. Everything here
# runs on one thread, so the CPU time is the time the step took. TIMING_CLOCK=wall for wall time.
CLOCK = time.perf_counter if os.environ.get("TIMING_CLOCK") == "wall" else time.process_time
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from numpy_nets import NumpyCNN, NumpyMLP  # noqa: E402

import tinygrad_edu  # noqa: E402
import tinygrad_edu.optim  # noqa: E402

BATCH, LR, MOMENTUM = 64, 0.01, 0.9


def limit_threads() -> None:
    torch.set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the environment variables above already ask for one thread
        return
    threadpool_limits(1)


def digits_batches(image: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    if image:
        x = x.reshape(-1, 1, 8, 8)
    y = data.target.astype(np.int64)
    return [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(x) - BATCH + 1, BATCH)]


def build(module, kind: str):
    nn = module.nn
    if kind == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                             nn.Linear(64, 10))
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10))


def framework_step(module, kind: str, weights: list[np.ndarray], batches: list,
                   compiled: bool = False) -> Callable[[int], float]:
    """A step function for tinygrad_edu or PyTorch, starting from the given weights
    (compiled: the whole step wrapped in tinygrad_edu.compile)."""
    model = build(module, kind)
    with module.no_grad():
        for param, value in zip(model.parameters(), weights):
            param.copy_(module.tensor(value))
    optimizer = module.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    data = [(module.tensor(x), module.tensor(y)) for x, y in batches]
    cross_entropy = module.nn.functional.cross_entropy

    def train_step(x, y):
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    run_step = module.compile(train_step) if compiled else train_step

    def step(index: int) -> float:
        x, y = data[index % len(data)]
        return run_step(x, y).item()

    return step


def numpy_step(kind: str, weights: list[np.ndarray], batches: list) -> Callable[[int], float]:
    network = (NumpyMLP if kind == "mlp" else NumpyCNN)(weights, LR, MOMENTUM)
    return lambda index: network.step(*batches[index % len(batches)])


def run(kind: str, rounds: int, steps: int) -> dict[str, float]:
    batches = digits_batches(image=kind == "cnn")
    torch.manual_seed(0)
    weights = [p.detach().numpy().copy() for p in build(torch, kind).parameters()]
    steps_by_name = {"tinygrad_edu": framework_step(tinygrad_edu, kind, weights, batches),
                     "compiled": framework_step(tinygrad_edu, kind, weights, batches,
                                                compiled=True),
                     "torch": framework_step(torch, kind, weights, batches),
                     "numpy": numpy_step(kind, weights, batches)}
    losses = {name: [step(i) for i in range(3)] for name, step in steps_by_name.items()}
    for name, values in losses.items():  # same start, same batches: same losses
        np.testing.assert_allclose(values, losses["torch"], rtol=1e-3, err_msg=name)
    samples: dict[str, list[float]] = {name: [] for name in steps_by_name}
    counter = 3
    for _ in range(rounds):
        for name, step in steps_by_name.items():
            started = CLOCK()
            for i in range(steps):
                step(counter + i)
            samples[name].append((CLOCK() - started) / steps * 1e3)
        counter += steps
    return {name: statistics.median(values) for name, values in samples.items()}


def kernel_launches(kind: str, batch: int = 8) -> tuple[int, int]:
    """(eager, compiled) Triton kernel launches of one training step on device "cuda" (under the
    interpreter without a GPU), counted where Triton launches a grid; a small batch: the
    interpreter is slow, and the count does not depend on the batch size."""
    from tinygrad_edu.kernels.triton_support import prepare_triton, use_interpreter_if_no_gpu

    use_interpreter_if_no_gpu()
    prepare_triton()
    import triton.runtime.interpreter as interpreter

    executor = interpreter.GridExecutor
    launches = [0]
    original = executor.__call__

    def counted(self, *args, **kwargs):
        launches[0] += 1
        return original(self, *args, **kwargs)

    batches = [(x[:batch], y[:batch]) for x, y in digits_batches(image=kind == "cnn")[:4]]
    torch.manual_seed(0)
    weights = [p.detach().numpy().copy() for p in build(torch, kind).parameters()]
    counts = []
    executor.__call__ = counted
    try:
        for compiled in (False, True):
            step = cuda_step(kind, weights, batches, compiled)
            for i in range(3):  # eager: warm-up; compiled: two captures, then replays
                step(i)
            launches[0] = 0
            step(3)
            counts.append(launches[0])
    finally:
        executor.__call__ = original
    return counts[0], counts[1]


def cuda_step(kind: str, weights: list[np.ndarray], batches: list, compiled: bool):
    model = build(tinygrad_edu, kind).to("cuda")
    with tinygrad_edu.no_grad():
        for param, value in zip(model.parameters(), weights):
            param.copy_(tinygrad_edu.tensor(value, device="cuda"))
    optimizer = tinygrad_edu.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    data = [(tinygrad_edu.tensor(x, device="cuda"), tinygrad_edu.tensor(y, device="cuda"))
            for x, y in batches]

    def train_step(x, y):
        optimizer.zero_grad()
        loss = tinygrad_edu.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    run_step = tinygrad_edu.compile(train_step) if compiled else train_step
    return lambda index: run_step(*data[index % len(data)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--launches", action="store_true",
                        help="also count Triton kernel launches per step, eager vs compiled")
    args = parser.parse_args()
    if args.launches:  # before PyTorch's optimizer imports Triton (see tests/conftest.py)
        from tinygrad_edu.kernels.triton_support import use_interpreter_if_no_gpu

        use_interpreter_if_no_gpu()
    limit_threads()
    print(f"ms per training step (median of {args.rounds} interleaved rounds of {args.steps} "
          "steps, 1 thread)")
    print(f"{'network':8} {'tinygrad_edu':>13} {'compiled':>9} {'torch':>8} {'numpy':>8} "
          f"{'edu/torch':>10} {'goal':>5} {'compiled/torch':>15} {'goal':>5} {'numpy/torch':>12}")
    for kind, goal, compiled_goal in (("mlp", 1.2, 0.6), ("cnn", 1.2, 1.0)):
        ms = run(kind, args.rounds, args.steps)
        ratio, compiled = ms["tinygrad_edu"] / ms["torch"], ms["compiled"] / ms["torch"]
        print(f"{kind.upper():8} {ms['tinygrad_edu']:13.3f} {ms['compiled']:9.3f} "
              f"{ms['torch']:8.3f} {ms['numpy']:8.3f} {ratio:10.2f} {goal:5.1f} {compiled:15.2f} "
              f"{compiled_goal:5.1f} {ms['numpy'] / ms['torch']:12.2f}"
              f"{'  ok' if ratio <= goal and compiled <= compiled_goal else '  MISSED'}")
    if args.launches:
        print("\nTriton kernel launches per training step (device cuda; the interpreter without a "
              "GPU), goal: compiled >= 3x fewer")
        for kind in ("mlp", "cnn"):
            eager, compiled = kernel_launches(kind)
            print(f"{kind.upper():8} eager {eager:4d}   compiled {compiled:4d}   "
                  f"{eager / compiled:5.2f}x fewer")


if __name__ == "__main__":
    main()
