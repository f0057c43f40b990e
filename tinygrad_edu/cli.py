"""The `tinygrad-edu` command line (also `python -m tinygrad_edu`).

    tinygrad-edu train --model convnet --dataset digits --epochs 12 --output runs/demo

Each subcommand lives in its own `add_<name>_command(subparsers)` function that declares its
arguments and sets `handler`; main() parses and calls it. Adding a subcommand is one such function
plus one line in COMMANDS.

`train` runs the classic loop (see tinygrad_edu/training/loop.py) with a tqdm progress bar showing
the running loss, evaluates test accuracy after every epoch, and leaves in the output folder a
loss/accuracy plot (curves.png), the history (history.json) and a checkpoint (checkpoint.pt).
Two optional training aids: --lr-decay GAMMA shrinks the learning rate after every epoch
(ExponentialLR), --random-crop PIXELS shifts training images randomly (data augmentation).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .viz.cli import add_graph_command


def add_train_command(subparsers: Any) -> None:
    from .training.data import DATASETS
    from .training.models import MODELS

    parser = subparsers.add_parser("train", help="train a model on a dataset",
                                   description="Train a model; print per-epoch test accuracy.")
    parser.add_argument("--model", choices=sorted(MODELS), default="convnet")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="digits")
    parser.add_argument("--data-root", default="data", help="where downloaded datasets live")
    parser.add_argument("--download", action="store_true", help="download missing datasets")
    parser.add_argument("--epochs", type=_positive_int, default=4)
    parser.add_argument("--batch-size", type=_positive_int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--lr-decay", type=_fraction, default=1.0, metavar="GAMMA",
                        help="multiply the learning rate by GAMMA after every epoch "
                             "(ExponentialLR; 1 keeps it constant)")
    parser.add_argument("--random-crop", type=_non_negative_int, default=0, metavar="PIXELS",
                        help="augment: shift training images randomly by up to PIXELS "
                             "(RandomCrop with padding; 0 turns it off)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-workers", type=int, default=0)
    parser.add_argument("--limit", type=_positive_int, default=None,
                        help="use only the first N training and test samples (quick checks)")
    parser.add_argument("--output", default="runs/train", help="folder for plot and checkpoint")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(handler=run_train)


COMMANDS: list[Callable[[Any], None]] = [add_train_command, add_graph_command]


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or a positive integer, got {text}")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tinygrad-edu",
                                     description="tinygrad_edu: train and inspect models")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def run_train(args: argparse.Namespace) -> dict[str, Any]:
    """Train as the arguments say; return the history (also written to the output folder)."""
    from . import manual_seed, optim
    from .training.outputs import save_checkpoint, save_plot

    manual_seed(args.seed)
    loader, test_loader = _loaders(args)
    model = _model(args).to(args.device)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    scheduler = optim.lr_scheduler.ExponentialLR(optimizer, gamma=args.lr_decay)
    output = Path(args.output)
    history: dict[str, list[float]] = {"batch_loss": [], "running_loss": [], "test_loss": [],
                                       "test_accuracy": [], "epoch_seconds": [], "lr": []}
    for epoch in range(1, args.epochs + 1):
        _run_epoch(args, epoch, model, loader, test_loader, optimizer, history)
        scheduler.step()  # after the epoch's optimizer steps, as PyTorch expects
        save_checkpoint(output / "checkpoint.pt", {
            "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "epoch": epoch,
            "history": history, "config": vars(args) | {"handler": None}})
    save_plot(output / "curves.png", history)
    (output / "history.json").write_text(json.dumps(history, indent=1))
    print(f"Test accuracy: {history['test_accuracy'][-1]:.2f} %  ({args.model} on "
          f"{args.dataset}, {args.epochs} epoch{'s' if args.epochs != 1 else ''})")
    print(f"Outputs in {output}/: curves.png (loss and accuracy), checkpoint.pt, history.json")
    return history


def _loaders(args: argparse.Namespace) -> tuple[Any, Any]:
    """(shuffled training batches, test batches) of the chosen dataset."""
    from .training.data import load_split
    from .utils.data import DataLoader

    try:
        train_set = load_split(args.dataset, args.data_root, True, args.download, args.limit,
                               crop_padding=args.random_crop)
        test_set = load_split(args.dataset, args.data_root, False, args.download, args.limit)
    except RuntimeError as error:
        if args.download or "download=True" not in str(error):
            raise
        # The dataset class speaks to Python callers (download=True); a CLI user types a flag.
        message = str(error).replace("You can use download=True", "Pass --download")
        message = message.replace("use download=True", "pass --download")
        raise RuntimeError(message) from error
    return (DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                       num_workers=args.num_workers),
            DataLoader(test_set, batch_size=256, num_workers=args.num_workers))


def _model(args: argparse.Namespace) -> Any:
    """A fresh model; the MLP's input size follows the dataset's image shape."""
    from .training.data import DATASETS
    from .training.models import MLP, MODELS

    channels, height, width = DATASETS[args.dataset].shape
    return MLP(channels * height * width) if args.model == "mlp" else MODELS[args.model]()


def _run_epoch(args: argparse.Namespace, epoch: int, model: Any, loader: Any, test_loader: Any,
               optimizer: Any, history: dict[str, list[float]]) -> None:
    """Train one epoch behind a progress bar, evaluate, record and print the results."""
    from tqdm import tqdm

    from .training.loop import evaluate, train_one_epoch

    start = time.perf_counter()
    bar = tqdm(loader, desc=f"epoch {epoch}/{args.epochs}", unit="batch",
               disable=args.no_progress, leave=False)
    train_one_epoch(model, bar, optimizer, args.device,
                    on_batch=lambda loss: _record(history, loss, bar))
    test_loss, accuracy = evaluate(model, test_loader, args.device)
    history["test_loss"].append(test_loss)
    history["test_accuracy"].append(accuracy)
    history["epoch_seconds"].append(time.perf_counter() - start)
    history["lr"].append(optimizer.param_groups[0]["lr"])
    print(f"epoch {epoch}: train loss {history['running_loss'][-1]:.4f}, test loss "
          f"{test_loss:.4f}, test accuracy {accuracy:.2f} % "
          f"({history['epoch_seconds'][-1]:.1f} s)", flush=True)


def _record(history: dict[str, list[float]], loss: float, bar: Any) -> None:
    """Keep the batch loss and an exponential running mean; show the mean on the bar."""
    running = history["running_loss"]
    running.append(loss if not running else 0.95 * running[-1] + 0.05 * loss)
    history["batch_loss"].append(loss)
    bar.set_postfix(loss=f"{running[-1]:.4f}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            # The classic ConvNet applies Dropout2d to its (N, 128) features, as PyTorch's
            # original example did; both libraries warn that this acts as plain dropout.
            warnings.filterwarnings("ignore", message="dropout2d: Received a 2-D input")
            args.handler(args)
    except (RuntimeError, ImportError, ValueError) as error:
        print(f"tinygrad-edu {args.command}: error: {error}", file=sys.stderr)
        return 1
    return 0
