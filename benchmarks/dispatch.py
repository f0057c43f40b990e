"""Per-op overhead: how long tinygrad_edu and PyTorch take for tiny tensors, where the arithmetic is
free and everything measured is dispatch — Python calls, dtype checks, graph recording.

    python benchmarks/dispatch.py            (1 thread, medians of interleaved rounds)

Cases: a 4-element add without and with requires_grad, and `(a + b).sum().backward()`.
Goal (issue 14): forward op <= 2 us without grad; graph recording adds <= 2 us.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import statistics  # noqa: E402
import time  # noqa: E402

# CPU time of this process, not wall time: on a shared machine the wall clock also counts the time
# spent waiting for a core (other processes), which hits the libraries unevenly. Everything here
# runs on one thread, so the CPU time is the time the step took. TIMING_CLOCK=wall for wall time.
CLOCK = time.perf_counter if os.environ.get("TIMING_CLOCK") == "wall" else time.process_time
from collections.abc import Callable  # noqa: E402

import torch  # noqa: E402

import tinygrad_edu  # noqa: E402

ROUNDS, CALLS = 15, 2000


def _microseconds_per_call(function: Callable[[], object]) -> float:
    started = CLOCK()
    for _ in range(CALLS):
        function()
    return (CLOCK() - started) / CALLS * 1e6


def _cases(library) -> dict[str, Callable[[], object]]:
    a, b = library.ones(4), library.ones(4)
    ga = library.ones(4, requires_grad=True)
    gb = library.ones(4, requires_grad=True)

    def backward_step() -> None:
        (ga + gb).sum().backward()

    return {"add (no grad)": lambda: a + b, "add (requires_grad)": lambda: ga + gb,
            "(a+b).sum().backward()": backward_step}


def main() -> None:
    torch.set_num_threads(1)
    libraries = {"tinygrad_edu": _cases(tinygrad_edu), "torch": _cases(torch)}
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(ROUNDS):  # interleave libraries so machine noise hits both alike
        for library, cases in libraries.items():
            for name, function in cases.items():
                samples.setdefault((library, name), []).append(_microseconds_per_call(function))
    print(f"{'case':26} {'tinygrad_edu us':>16} {'torch us':>10} {'ratio':>7}")
    medians = {key: statistics.median(values) for key, values in samples.items()}
    for name in libraries["torch"]:
        ours, theirs = medians[("tinygrad_edu", name)], medians[("torch", name)]
        print(f"{name:26} {ours:16.2f} {theirs:10.2f} {ours / theirs:7.2f}")
    recording = medians[("tinygrad_edu", "add (requires_grad)")] - medians[
        ("tinygrad_edu", "add (no grad)")]
    print(f"\ngraph recording adds {recording:.2f} us per op (goal <= 2 us); forward op without "
          f"grad {medians[('tinygrad_edu', 'add (no grad)')]:.2f} us (goal <= 2 us)")


if __name__ == "__main__":
    main()
