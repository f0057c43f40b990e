"""The Triton backend against PyTorch on the same GPU: bandwidth, FLOP/s, a training step, overhead.

    python benchmarks/gpu.py            on a CUDA GPU (writes benchmarks/gpu_results.md)
    python benchmarks/gpu.py --tiny     anywhere: tiny sizes under Triton's interpreter, against
                                        torch on the CPU, to check that the script runs end to end

Every row times tinygrad_edu on device "cuda" and torch on the same device with the same inputs,
and prints the ratio (ours / torch for throughput, torch / ours for times: > 1 means we are faster).
On a GPU the times come from triton.testing.do_bench (CUDA events around many queued calls, no
host synchronisation between calls, the L2 cache flushed before each, median); TF32 is off for
torch's matmul and cuDNN's convolutions, like ours (exact float32 products).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

import tinygrad_edu as edu
import tinygrad_edu.nn as edu_nn
import tinygrad_edu.nn.functional as edu_F
import tinygrad_edu.optim as edu_optim


def measure(function: Callable[[], object], synchronize: Callable[[], None], repeats: int,
            gpu: bool = False) -> float:
    """Median seconds per call, after one warm-up call (compilation).

    On a GPU: triton.testing.do_bench, which times with CUDA events (the host never waits between
    calls, so launch overhead overlaps GPU work as in a real loop). Elsewhere (--tiny): wall time
    with the work drained after each call."""
    function()
    synchronize()
    if gpu:
        import triton.testing

        return triton.testing.do_bench(function, warmup=25, rep=100, return_mode="median") / 1e3
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Bench:
    """Runs pairs of (ours, torch) and collects table rows."""

    def __init__(self, tiny: bool):
        self.tiny = tiny
        self.device = "cpu" if tiny else "cuda"
        self.repeats = 2 if tiny else 20
        self.rows: list[tuple[str, str, float, float, str]] = []

    def synchronize(self) -> None:
        if not self.tiny:
            torch.cuda.synchronize()

    def pair(self, name: str, size: str, function: Callable, ours: tuple, theirs: tuple,
             work: float, unit: str) -> None:
        """function(*ours) against function(*theirs): the same code, both libraries' tensors.
        work: bytes or FLOPs per call; unit: 'GB/s', 'TFLOP/s' or 'ms' (work ignored)."""
        gpu = not self.tiny
        our_time = measure(lambda: function(*ours), self.synchronize, self.repeats, gpu)
        their_time = measure(lambda: function(*theirs), self.synchronize, self.repeats, gpu)
        scale = {"GB/s": 1e9, "TFLOP/s": 1e12}.get(unit)
        if scale:
            self.rows.append((name, size, work / our_time / scale, work / their_time / scale,
                              unit))
        else:
            self.rows.append((name, size, our_time * 1e3, their_time * 1e3, unit))
        ours_value, theirs_value = self.rows[-1][2:4]
        ratio = ours_value / theirs_value if scale else theirs_value / ours_value
        print(f"{name:<28} {size:<18} ours {ours_value:10.3f}  torch {theirs_value:10.3f} {unit:<8}"
              f" ratio {ratio:6.2f}", flush=True)

    def both(self, array: np.ndarray, requires_grad: bool = False):
        ours = edu.tensor(array, device="cuda", requires_grad=requires_grad)
        theirs = torch.tensor(array, device=self.device, requires_grad=requires_grad)
        return ours, theirs


def add(a, b):
    return a + b


def chain(a, b):
    """Four elementwise kernels (no fusion across ops): each reads and writes memory."""
    return (a * b + a).relu().exp()


def elementwise(bench: Bench) -> None:
    sizes = [2**10, 2**12] if bench.tiny else [2**20, 2**24, 2**26, 2**28]
    for n in sizes:
        x = np.random.default_rng(0).standard_normal(n).astype(np.float32)
        (a, ta), (b, tb) = bench.both(x), bench.both(x[::-1].copy())
        bench.pair("add", f"{n:,}", add, (a, b), (ta, tb), 3 * 4 * n, "GB/s")
        bench.pair("chain relu(a*b+a).exp()", f"{n:,}", chain, (a, b), (ta, tb), 4 * 3 * 4 * n,
                   "GB/s")


def softmax(bench: Bench) -> None:
    rows, widths = (8, [16, 64]) if bench.tiny else (4096, [256, 1024, 4096, 16384])
    for n in widths:
        x = np.random.default_rng(1).standard_normal((rows, n)).astype(np.float32)
        ours, theirs = bench.both(x)
        moved = 2 * 4 * rows * n
        bench.pair("softmax", f"{rows}x{n}", lambda t: t.softmax(1), (ours,), (theirs,), moved,
                   "GB/s")
        bench.pair("log_softmax", f"{rows}x{n}", lambda t: t.log_softmax(1), (ours,), (theirs,),
                   moved, "GB/s")


def matmul(bench: Bench) -> None:
    sizes = [32] if bench.tiny else [1024, 2048, 4096, 8192]
    for dtype in ("float16", "float32"):
        for n in sizes:
            x = np.random.default_rng(2).standard_normal((n, n)).astype(dtype)
            ours, theirs = bench.both(x)
            bench.pair(f"matmul {dtype}", f"{n}^3", lambda t: t @ t, (ours,), (theirs,),
                       2 * n**3, "TFLOP/s")


def reductions(bench: Bench) -> None:
    """Few outputs from much data: a full x.sum() (the two-stage reduction) and a skinny product
    like the ConvNet's fc1, a long K for one tile of outputs (split-K)."""
    n = 2**12 if bench.tiny else 2**26
    ours, theirs = bench.both(np.random.default_rng(7).standard_normal(n).astype(np.float32))
    bench.pair("sum to one value", f"{n:,}", lambda t: t.sum(), (ours,), (theirs,), 4 * n,
               "GB/s")
    m, k, n = (4, 256, 8) if bench.tiny else (128, 9216, 128)
    rng = np.random.default_rng(8)
    (oa, ta), (ob, tb) = (bench.both(rng.standard_normal(shape).astype(np.float32))
                          for shape in ((m, k), (k, n)))
    bench.pair("matmul fc1-like (split-K)", f"{m}x{k}x{n}", lambda a, b: a @ b, (oa, ob),
               (ta, tb), 2 * m * k * n, "TFLOP/s")


def conv_forward_backward(functional, x, w, dy):
    """Forward, then backward from a given output gradient (no .sum(): a full reduction would be
    timed too, and it is not part of a convolution)."""
    functional.conv2d(x, w).backward(dy)


def conv(bench: Bench) -> None:
    """conv2d forward + backward for the example ConvNet's two convolutions, against cuDNN with
    TF32 off (torch.backends.cudnn.allow_tf32 = False in main)."""
    batch = 2 if bench.tiny else 128
    for name, shape, out_channels in (("conv1", (batch, 1, 28, 28), 32),
                                      ("conv2", (batch, 32, 26, 26), 64)):
        if bench.tiny:
            shape = (batch, shape[1], 8, 8)
        x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
        w = np.random.default_rng(4).standard_normal((out_channels, shape[1], 3, 3)).astype(
            np.float32)
        (ox, tx), (ow, tw) = bench.both(x, True), bench.both(w, True)
        out_shape = (shape[0], out_channels, shape[2] - 2, shape[3] - 2)
        (ody, tdy) = bench.both(np.random.default_rng(5).standard_normal(out_shape).astype(
            np.float32))
        bench.pair(f"conv2d fwd+bwd {name}", "x".join(map(str, shape)), conv_forward_backward,
                   (edu_F, ox, ow, ody), (torch.nn.functional, tx, tw, tdy), 0, "ms")


class TorchNet(torch.nn.Module):
    """The example ConvNet (examples/convnet.py), written for torch."""

    def __init__(self, side: int):
        super().__init__()
        self.conv1, self.conv2 = torch.nn.Conv2d(1, 32, 3), torch.nn.Conv2d(32, 64, 3)
        self.fc1, self.fc2 = torch.nn.Linear(64 * ((side - 4) // 2) ** 2, 128), torch.nn.Linear(
            128, 10)

    def forward(self, x):
        x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
        x = torch.flatten(torch.nn.functional.max_pool2d(x, 2), 1)
        return torch.log_softmax(self.fc2(torch.relu(self.fc1(x))), dim=1)


class EduNet(edu_nn.Module):
    """The same ConvNet in tinygrad_edu (dropout left out on both sides: same work)."""

    def __init__(self, side: int):
        super().__init__()
        self.conv1, self.conv2 = edu_nn.Conv2d(1, 32, 3), edu_nn.Conv2d(32, 64, 3)
        self.fc1, self.fc2 = edu_nn.Linear(64 * ((side - 4) // 2) ** 2, 128), edu_nn.Linear(
            128, 10)

    def forward(self, x):
        x = edu_F.relu(self.conv2(edu_F.relu(self.conv1(x))))
        x = edu.flatten(edu_F.max_pool2d(x, 2), 1)
        return edu_F.log_softmax(self.fc2(edu_F.relu(self.fc1(x))), dim=1)


def train_step(model, optimizer, functional, images, labels):
    optimizer.zero_grad()
    functional.nll_loss(model(images), labels).backward()
    optimizer.step()


def training_step(bench: Bench) -> None:
    batch, side = (4, 8) if bench.tiny else (128, 28)
    images = np.random.default_rng(5).standard_normal((batch, 1, side, side)).astype(np.float32)
    labels = np.random.default_rng(6).integers(0, 10, batch)
    ours_model, theirs_model = EduNet(side).to("cuda"), TorchNet(side).to(bench.device)
    ours_opt = edu_optim.SGD(ours_model.parameters(), lr=0.01, momentum=0.9)
    theirs_opt = torch.optim.SGD(theirs_model.parameters(), lr=0.01, momentum=0.9)
    (ox, tx), (oy, ty) = bench.both(images), bench.both(labels)

    bench.pair("ConvNet training step", f"batch {batch}", train_step,
               (ours_model, ours_opt, edu_F, ox, oy), (theirs_model, theirs_opt,
                                                        torch.nn.functional, tx, ty), 0, "ms")


def launch_overhead(bench: Bench) -> None:
    (a, ta), (b, tb) = bench.both(np.ones(4, np.float32)), bench.both(np.ones(4, np.float32))
    bench.pair("one tiny add (overhead)", "4", add, (a, b), (ta, tb), 0, "ms")


def autotune_choices() -> list[str]:
    """The tile triton.autotune kept for each matmul / conv shape the run met (on a GPU; under
    the interpreter nothing is autotuned: one fixed tile, kernels/triton_support.py)."""
    from tinygrad_edu.kernels.matmul import AUTOTUNERS

    lines = []
    for name, tuner in AUTOTUNERS.items():
        for key, config in tuner.cache.items():
            tile = config.kwargs
            lines.append(f"{name} key {key}: {tile['BLOCK_M']}x{tile['BLOCK_N']}x"
                         f"{tile['BLOCK_K']}, {config.num_warps} warps, {config.num_stages} "
                         "stages")
    return lines or ["no autotuning (the interpreter: one fixed tile per launch)"]


def write_markdown(bench: Bench, path: Path) -> None:
    device = "CPU, Triton interpreter (--tiny)" if bench.tiny else torch.cuda.get_device_name()
    lines = ["# Benchmarks: the Triton backend vs PyTorch", "",
             f"Device: {device}. Date: {datetime.date.today()}. "
             f"Command: `python benchmarks/gpu.py{' --tiny' if bench.tiny else ''}`.", "",
             "| benchmark | size | ours | torch | unit | ratio |", "|---|---|---|---|---|---|"]
    for name, size, ours, theirs, unit in bench.rows:
        ratio = ours / theirs if unit != "ms" else theirs / ours
        lines.append(f"| {name} | {size} | {ours:.3f} | {theirs:.3f} | {unit} | {ratio:.2f} |")
    lines += ["", "Ratio > 1: tinygrad_edu is faster (throughput ours/torch, times torch/ours).",
              "", "Tiles kept by triton.autotune (matmul_kernel, conv2d_gemm_kernel):", ""]
    lines += [f"- {line}" for line in autotune_choices()]
    path.write_text("\n".join(lines) + "\n")
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true",
                        help="tiny sizes under Triton's interpreter (no GPU needed)")
    parser.add_argument("--output", type=Path, default=None,
                        help="markdown table to write (default: benchmarks/gpu_results.md on a "
                             "GPU, nothing with --tiny)")
    parser.add_argument("--only", nargs="*", default=None,
                        help="run only these sections: elementwise softmax reductions matmul "
                             "conv training overhead")
    args = parser.parse_args()
    if not args.tiny and not torch.cuda.is_available():
        parser.error("no CUDA GPU: run with --tiny to check the script under the interpreter")
    torch.backends.cuda.matmul.allow_tf32 = False  # exact float32 products, like ours
    torch.backends.cudnn.allow_tf32 = False
    bench = Bench(args.tiny)
    sections = {"elementwise": elementwise, "softmax": softmax, "reductions": reductions,
                "matmul": matmul, "conv": conv, "training": training_step,
                "overhead": launch_overhead}
    for name, section in sections.items():
        if args.only is None or name in args.only:
            section(bench)
    print("tiles kept by triton.autotune:", *autotune_choices(), sep="\n  ")
    output = args.output or (None if args.tiny else Path(__file__).parent / "gpu_results.md")
    if output is not None:
        write_markdown(bench, output)


if __name__ == "__main__":
    main()
