"""What a training run leaves behind: a plot of its curves and a checkpoint, written atomically.

Both files are first written under a temporary name in the output folder and then renamed with
os.replace: a run interrupted mid-write leaves the previous complete file (or none), never half of
one. The checkpoint is a pickle of plain data and tensors:

    {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3,
     "history": {"batch_loss": [...], "test_accuracy": [...], ...}, "config": {...}}
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_atomically(path: Path, write: Callable[[Any], None]) -> Path:
    """Call write(file) on a temporary file beside path, then rename it to path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def save_checkpoint(path: Path, state: dict[str, Any]) -> Path:
    return write_atomically(path, lambda file: pickle.dump(state, file))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint written by save_checkpoint (only load files you trust: it is a pickle)."""
    with open(path, "rb") as file:
        return pickle.load(file)


def save_plot(path: Path, history: dict[str, list[float]]) -> Path:
    """Training loss per batch (left) and test accuracy per epoch (right), as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # draw into files, no window: works on servers and in tests
    import matplotlib.pyplot as plt

    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
    loss_axes.plot(history["batch_loss"], linewidth=0.8, label="batch")
    loss_axes.plot(history["running_loss"], linewidth=1.5, label="running mean")
    loss_axes.set(title="training loss", xlabel="batch", ylabel="loss")
    loss_axes.legend()
    epochs = range(1, len(history["test_accuracy"]) + 1)
    accuracy_axes.plot(epochs, history["test_accuracy"], marker="o")
    accuracy_axes.set(title="test accuracy", xlabel="epoch", ylabel="accuracy (%)")
    figure.tight_layout()
    write_atomically(path, lambda file: figure.savefig(file, format="png", dpi=100))
    plt.close(figure)
    return path
