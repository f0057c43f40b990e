"""The Triton kernels without a GPU: one training step under the interpreter, timed and counted.

    python benchmarks/interpreter.py [--steps 15] [--numpy-steps 200] [--batch 8]

Device "cuda" runs the real Triton kernels in Triton's interpreter when there is no GPU. This script
times one Adam training step (zero_grad + forward + cross-entropy + backward + step) of two small
networks on scikit-learn's 8x8 Digits against the same step on the NumPy backend (device "cpu"),
and counts, per step, the kernel launches and the device-to-host transfers (a GPU would stall the
host at each transfer; a training step should make none):
    MLP  64-128-64-10 (ReLU)
    CNN  conv(1->16, 3, pad 1)-relu-conv(16->32, 3, pad 1)-relu-maxpool2-fc(512->64)-relu-fc(64->10)
and the seed ConvNet (tinygrad_edu.training.models.ConvNet, 28x28 input) for its counts only.
Both devices start from the same weights and see the same batches, so their losses must agree.
Times are CPU seconds of this process (time.process_time), not wall time: the interpreter and
NumPy both run on one thread, and CPU time stays honest on a machine shared with other work.
Each time is a median over many steps, each device's steps run back to back as in training
(steady state: the other device's work never evicts its data from the CPU caches between two
steps): the interpreter's over --steps steps, the NumPy step's (well under a millisecond, so one
step alone is noise) over --numpy-steps steps.
Goals: MLP <= 30x and CNN <= 60x the NumPy step; CNN step <= 35 launches and 0 transfers.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"  # before NumPy loads its thread pool: one core for both devices

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tinygrad_edu.kernels import triton_support  # noqa: E402

triton_support.use_interpreter_if_no_gpu()

import tinygrad_edu as torch  # noqa: E402
from tinygrad_edu import nn  # noqa: E402


def digits_batches(batch: int, image: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    if image:
        x = x.reshape(-1, 1, 8, 8)
    y = data.target.astype(np.int64)
    return [(x[i:i + batch], y[i:i + batch]) for i in range(0, 10 * batch, batch)]


def build(kind: str) -> nn.Module:
    if kind == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                             nn.Linear(64, 10))
    if kind == "cnn":
        return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10))
    from tinygrad_edu.training.models import ConvNet

    return ConvNet()


class Trainer:
    """One model on one device, Adam, cross-entropy (nll_loss for the seed ConvNet)."""

    def __init__(self, kind: str, device: str, weights: list[np.ndarray], batches: list):
        torch.manual_seed(0)
        self.model = build(kind).to(device)
        with torch.no_grad():
            for param, value in zip(self.model.parameters(), weights):
                param.copy_(torch.tensor(value, device=device))
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.data = [(torch.tensor(x, device=device), torch.tensor(y, device=device))
                     for x, y in batches]
        self.loss_fn = nn.functional.nll_loss if kind == "convnet" else \
            nn.functional.cross_entropy

    def step(self, index: int) -> torch.Tensor:
        """One training step; returns the loss without reading it (no host transfer)."""
        x, y = self.data[index % len(self.data)]
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss


def counted_step(trainer: Trainer, index: int) -> tuple[int, int, float]:
    """(kernel launches, device-to-host transfers, loss) of one step; the loss is read after."""
    before = dict(triton_support.COUNTS)
    loss = trainer.step(index)
    launches = triton_support.COUNTS["launches"] - before["launches"]
    transfers = triton_support.COUNTS["to_host"] - before["to_host"]
    return launches, transfers, loss.item()


def timed_steps(trainer: Trainer, indices: range) -> tuple[list[float], list[float]]:
    """(CPU seconds of each step, losses) of consecutive training steps."""
    times, losses = [], []
    for index in indices:
        started = time.process_time()
        losses.append(trainer.step(index).item())
        times.append(time.process_time() - started)
    return times, losses


def compare(kind: str, batch: int, steps: int, numpy_steps: int) -> dict[str, float]:
    batches = digits_batches(batch, image=kind == "cnn")
    torch.manual_seed(0)
    weights = [p.detach().numpy().copy() for p in build(kind).parameters()]
    cpu, cuda = (Trainer(kind, device, weights, batches) for device in ("cpu", "cuda"))
    cuda.step(0).item(), cpu.step(0).item()  # warm-up: kernels defined, caches filled
    launches, transfers, _ = counted_step(cuda, 1)
    cpu.step(1)
    times, losses = {}, {}
    for name, trainer, count in (("cuda", cuda, steps), ("cpu", cpu, max(steps, numpy_steps))):
        times[name], losses[name] = timed_steps(trainer, range(2, 2 + count))
    np.testing.assert_allclose(losses["cuda"], losses["cpu"][:steps], rtol=1e-4, atol=1e-5)
    cpu_ms, cuda_ms = (statistics.median(times[n]) * 1e3 for n in ("cpu", "cuda"))
    return {"numpy_ms": cpu_ms, "interpreter_ms": cuda_ms, "ratio": cuda_ms / cpu_ms,
            "launches": launches, "to_host": transfers, "loss": losses["cuda"][-1]}


def seed_convnet_counts(batch: int) -> tuple[int, int]:
    """Launches and transfers of one step of the seed ConvNet (28x28 inputs), on device cuda."""
    rng = np.random.default_rng(0)
    batches = [(rng.random((batch, 1, 28, 28), np.float32), rng.integers(0, 10, batch))]
    torch.manual_seed(0)
    weights = [p.detach().numpy().copy() for p in build("convnet").parameters()]
    trainer = Trainer("convnet", "cuda", weights, batches)
    trainer.model.train()
    trainer.step(0).item()
    launches, transfers, _ = counted_step(trainer, 0)
    return launches, transfers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15, help="timed interpreter steps")
    parser.add_argument("--numpy-steps", type=int, default=200,
                        help="more timed NumPy steps (its median is the ratio's denominator)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--skip-convnet", action="store_true", help="no seed ConvNet counts")
    args = parser.parse_args()
    print(f"interpreter: {triton_support.interpreting()}, batch {args.batch}, Adam")
    for kind in ("mlp", "cnn"):
        r = compare(kind, args.batch, args.steps, args.numpy_steps)
        print(f"{kind}: numpy {r['numpy_ms']:.1f} ms, interpreter {r['interpreter_ms']:.1f} ms "
              f"({r['ratio']:.1f}x), {r['launches']} launches, {r['to_host']} device-to-host "
              f"transfers per step, loss {r['loss']:.5f} (same on both devices)")
    if not args.skip_convnet:
        launches, transfers = seed_convnet_counts(args.batch)
        print(f"seed ConvNet (28x28, nll_loss): {launches} launches, {transfers} device-to-host "
              f"transfers per step")


if __name__ == "__main__":
    main()
