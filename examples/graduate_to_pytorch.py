"""Graduating to PyTorch: train here, continue there, with the same model code.

    python examples/graduate_to_pytorch.py            # ~1 minute
    python examples/graduate_to_pytorch.py --quick    # fewer epochs

tinygrad_edu exists to be read; when a model outgrows it (more data, more devices), the same code
moves to PyTorch. This example walks the whole path on Digits (8x8 handwritten digits):

1. train a small ConvNet in tinygrad_edu and `save` its state_dict;
2. build the *same class* under real PyTorch (the class body below is written once and defined
   twice: once with tinygrad_edu's nn, once with torch's) and load the saved weights into it
   with `load_state_dict` (strict: every name and shape must match);
3. check that both libraries give the same logits for every test image (max_logit_diff);
4. continue training in PyTorch with DistributedDataParallel over 2 CPU processes: the gloo
   backend, processes started by torch.multiprocessing, talking over 127.0.0.1. Each process
   trains on its half of every epoch (DistributedSampler); DDP averages the gradients across the
   processes in backward(), so both copies of the model stay identical (checked at the end).

The file format: tinygrad_edu.save writes a pickle of its own tensors, which PyTorch's torch.load
cannot read (PyTorch's files are zip archives). The bridge is one line: read the file with
tinygrad_edu.load and hand each tensor's values to torch (`torch.from_numpy(t.numpy())`).

Without PyTorch installed the example says so and stops. The last line is
`result: max_logit_diff=<largest |logit difference| between the two libraries>`.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import tinygrad_edu as edu
import tinygrad_edu.nn as edu_nn
from tinygrad_edu.vision.datasets import Digits


def define_model(nn: Any, F: Any) -> type:
    """The model class, written once, defined with either library's nn and functional."""

    class DigitNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 16, 3, padding=1)
            self.fc1 = nn.Linear(16 * 4 * 4, 64)
            self.fc2 = nn.Linear(64, 10)

        def forward(self, x):  # (N, 1, 8, 8) -> (N, 10) logits
            x = F.max_pool2d(F.relu(self.conv(x)), 2)  # (N, 16, 4, 4)
            x = F.relu(self.fc1(x.flatten(1)))
            return self.fc2(x)

    return DigitNet


def digits(train: bool) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 1, 8, 8) scaled to about [-1, 1], labels (N,)."""
    dataset = Digits(train=train)
    images = dataset.data.numpy().astype(np.float32)[:, None] / 127.5 - 1.0
    return images, dataset.targets.numpy()


def train_here(epochs: int, seed: int) -> Any:
    """Step 1: an ordinary training loop in tinygrad_edu."""
    edu.manual_seed(seed)
    model = define_model(edu_nn, edu_nn.functional)()
    optimizer = edu.optim.Adam(model.parameters(), lr=3e-3)
    images, labels = digits(train=True)
    order = np.random.default_rng(seed)
    for epoch in range(1, epochs + 1):
        permutation = order.permutation(len(labels))
        for start in range(0, len(labels), 64):
            batch = permutation[start:start + 64]
            loss = edu_nn.functional.cross_entropy(model(edu.from_numpy(images[batch])),
                                                   edu.from_numpy(labels[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"tinygrad_edu epoch {epoch}: loss {loss.item():.4f}, "
              f"test accuracy {accuracy(model, edu):.1f} %", flush=True)
    return model


def accuracy(model: Any, library: Any) -> float:
    images, labels = digits(train=False)
    with library.no_grad():
        predicted = model(library.from_numpy(images)).argmax(1).numpy()
    return 100.0 * float((predicted == labels).mean())


def load_into_torch(path: Path) -> Any:
    """Step 2: the same class under PyTorch, with the weights saved by tinygrad_edu."""
    import torch

    model = define_model(torch.nn, torch.nn.functional)()
    saved = edu.load(path)  # {name: tinygrad_edu tensor}
    model.load_state_dict({name: torch.from_numpy(t.numpy()) for name, t in saved.items()})
    return model.eval()


def max_logit_diff(ours: Any, theirs: Any) -> float:
    """Step 3: the largest difference between the two libraries' logits on the test images."""
    import torch

    images, _ = digits(train=False)
    with edu.no_grad():
        logits_here = ours.eval()(edu.from_numpy(images)).numpy()
    with torch.no_grad():
        logits_there = theirs(torch.from_numpy(images)).numpy()
    return float(np.abs(logits_here - logits_there).max())


def figure(ours: Any, theirs: Any):
    """Each test image's 10 logits: tinygrad_edu's against PyTorch's (on the diagonal if equal),
    and how far apart they are."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    images, _ = digits(train=False)
    with edu.no_grad():
        here = ours.eval()(edu.from_numpy(images)).numpy().ravel()
    with torch.no_grad():
        there = theirs(torch.from_numpy(images)).numpy().ravel()
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.5))
    left.scatter(here, there, s=3, alpha=0.4)
    left.plot([here.min(), here.max()], [here.min(), here.max()], color="gray", linewidth=0.8)
    left.set(xlabel="tinygrad_edu logit", ylabel="PyTorch logit",
             title="same weights, same class, two libraries")
    right.hist(np.abs(here - there), bins=40)
    right.set(xlabel="|difference|", ylabel="logits", title="float32 rounding only")
    fig.tight_layout()
    return fig


def ddp_worker(rank: int, world_size: int, port: int, weights: str, epochs: int,
               results: str) -> None:
    """Step 4, one process: DDP training on this rank's share of every epoch."""
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    torch.set_num_threads(1)  # one core per process
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    try:
        torch.manual_seed(0)
        model = DistributedDataParallel(load_into_torch(Path(weights)).train())
        images, labels = digits(train=True)
        dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
        sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, seed=0)
        loader = DataLoader(dataset, batch_size=32, sampler=sampler)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(epochs):
            sampler.set_epoch(epoch)  # a different shuffle (and split) every epoch
            for x, y in loader:
                loss = torch.nn.functional.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()  # DDP all-reduces (averages) the gradients here
                optimizer.step()
        # Both replicas must hold the same weights: compare rank 0's with everyone's.
        flat = torch.cat([p.detach().reshape(-1) for p in model.module.parameters()])
        gathered = [torch.zeros_like(flat) for _ in range(world_size)]
        dist.all_gather(gathered, flat)
        spread = max(float((g - gathered[0]).abs().max()) for g in gathered)
        if rank == 0:
            result = {"accuracy": accuracy(model.module.eval(), torch), "replica_spread": spread}
            torch.save({"state": model.module.state_dict(), **result}, results)
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def continue_with_ddp(weights: Path, epochs: int, world_size: int = 2) -> dict[str, Any]:
    import torch
    import torch.multiprocessing as mp

    results = weights.with_name("ddp_result.pt")
    mp.spawn(ddp_worker, args=(world_size, free_port(), str(weights), epochs, str(results)),
             nprocs=world_size, join=True)
    return torch.load(results)


def main(argv: list[str] | None = None) -> float | None:
    parser = argparse.ArgumentParser(description="Train in tinygrad_edu, continue in PyTorch DDP")
    parser.add_argument("--epochs", type=int, default=5, help="tinygrad_edu epochs")
    parser.add_argument("--ddp-epochs", type=int, default=3, help="PyTorch DDP epochs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="2 + 1 epochs")
    parser.add_argument("--out", default=None,
                        help="folder for the files and logits.png (default: temporary)")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("graduate_to_pytorch: PyTorch is not installed, so there is nothing to graduate "
              "to; skipping. Install it (CPU wheel: pip install torch --index-url "
              "https://download.pytorch.org/whl/cpu) and run again.")
        return None
    start = time.perf_counter()
    epochs, ddp_epochs = (2, 1) if args.quick else (args.epochs, args.ddp_epochs)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.out or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        ours = train_here(epochs, args.seed)
        weights = folder / "digitnet.pt"
        edu.save(ours.state_dict(), weights)
        print(f"saved tinygrad_edu's state_dict to {weights}")
        theirs = load_into_torch(weights)
        difference = max_logit_diff(ours, theirs)
        if args.out:
            figure(ours, theirs).savefig(folder / "logits.png", dpi=90)
        print(f"PyTorch {torch.__version__} loaded it: test accuracy {accuracy(theirs, torch):.1f}"
              f" % (tinygrad_edu: {accuracy(ours, edu):.1f} %), max |logit difference| "
              f"{difference:.2e}")
        found = continue_with_ddp(weights, ddp_epochs)
    print(f"after {ddp_epochs} more epoch(s) with DistributedDataParallel on 2 CPU processes "
          f"(gloo): test accuracy {found['accuracy']:.1f} %, replicas differ by at most "
          f"{found['replica_spread']:.1e} ({time.perf_counter() - start:.1f} s)")
    print(f"result: max_logit_diff={difference:.3e}")
    return difference


if __name__ == "__main__":
    main()
