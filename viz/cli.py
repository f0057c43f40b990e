"""`tinygrad-edu graph`: picture one training step of a model — forward graph, full graph, player.

    tinygrad-edu graph --model convnet --out graphs/

runs one batch through the model and the loss inside `viz.trace()`, backpropagates, and writes
    graphs/<model>_forward.svg     the forward pass, one cluster per module
    graphs/<model>_backward.svg    forward and backward together (sum_to_size, grad +=, ...)
    graphs/<model>_player.html     the step-by-step HTML player
and prints how long recording and rendering took. --checkpoint draws a trained model.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from .capture import trace


def add_graph_command(subparsers: Any) -> None:
    """Declare the `graph` subcommand on the tinygrad-edu parser."""
    from tinygrad_edu.training.data import DATASETS
    from tinygrad_edu.training.models import MODELS

    parser = subparsers.add_parser(
        "graph", help="draw a model's forward and backward graph and write the HTML player",
        description="Trace one batch (forward, loss, backward) and draw it.")
    parser.add_argument("--model", choices=sorted(MODELS), default="convnet")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="digits")
    parser.add_argument("--data-root", default="data")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--depth", type=int, default=None,
                        help="draw modules nested deeper than this as one box")
    parser.add_argument("--format", choices=["svg", "png", "pdf", "dot"], default="svg")
    parser.add_argument("--out", default="graphs", help="folder for the pictures")
    parser.add_argument("--checkpoint", default=None,
                        help="checkpoint.pt from `tinygrad-edu train` (default: new weights)")
    parser.set_defaults(handler=run_graph)


def one_batch(dataset: str, root: str, size: int) -> tuple[Any, Any]:
    """The first `size` test samples of a dataset as (inputs, labels)."""
    from tinygrad_edu.training.data import load_split
    from tinygrad_edu.utils.data import DataLoader

    split = load_split(dataset, root, train=False, download=False, limit=size)
    return next(iter(DataLoader(split, batch_size=size)))


def run_graph(args: argparse.Namespace) -> dict[str, Path]:
    """Trace one step of the model and write its pictures; returns their paths."""
    from tinygrad_edu.nn import functional as F  # noqa: N812 - PyTorch's conventional name
    from tinygrad_edu.training.models import MODELS

    model = MODELS[args.model]()
    if args.checkpoint:
        from tinygrad_edu.training.outputs import load_checkpoint

        model.load_state_dict(load_checkpoint(args.checkpoint)["model"])
    model.eval()  # dropout off: the picture shows the deterministic path
    inputs, labels = one_batch(args.dataset, args.data_root, args.batch_size)
    started = time.perf_counter()
    with trace(params=model) as recording:
        loss = F.nll_loss(model(inputs), labels)
        loss.backward()
    recorded = time.perf_counter() - started
    out = Path(args.out)
    started = time.perf_counter()
    paths = {
        "forward": recording.render(out / f"{args.model}_forward.{args.format}", args.format,
                                    include_backward=False, depth=args.depth),
        "backward": recording.render(out / f"{args.model}_backward.{args.format}", args.format,
                                     depth=args.depth),
        "player": recording.to_html(out / f"{args.model}_player.html", depth=args.depth,
                                    title=f"{args.model}: one training step"),
    }
    rendered = time.perf_counter() - started
    print(f"{len(recording.ops)} forward ops, {len(recording.backward_steps)} backward steps; "
          f"loss {loss.item():.4f}; recorded in {recorded:.2f} s, drawn in {rendered:.2f} s")
    for name, path in paths.items():
        print(f"{name:>8}: {path}")
    return paths
