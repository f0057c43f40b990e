"""Why did the ConvNet say "7"? Saliency, integrated gradients and Grad-CAM on the demo ConvNet.

    python examples/interpret_convnet.py                       # trains 3 epochs first (~2 min)
    python examples/interpret_convnet.py --checkpoint runs/demo/checkpoint.pt   # after make demo
    python examples/interpret_convnet.py --quick               # 1 short epoch: under a minute

Everything here is autograd: the same backward pass that trains the network, asked a different
question. tinygrad_edu.interpret holds the three methods (read its docstring for the math):

The score explained is the predicted class's logit (the input of log_softmax).

- saliency: |d score / d pixel|, which pixels the class score is most sensitive to;
- integrated gradients: gradients averaged along the path from a black image to the digit, times
  the pixel change; they add up to score(digit) - score(black image), and the example checks that
  "completeness" (the relative gap should be well under 1 %);
- Grad-CAM: a forward hook on conv2 keeps its feature maps; their gradients say which channels
  raise the score, and the weighted maps say where (24x24, centred on the 28x28 image).

The picture (interpret.png in --out) shows, for a few test digits, the image and the three maps.
The last line is `result: ig_completeness_error=<largest relative gap over the digits>`.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

import tinygrad_edu as torch
from tinygrad_edu import interpret, optim
from tinygrad_edu.training.data import DATASETS, load_split
from tinygrad_edu.training.loop import evaluate, train_one_epoch
from tinygrad_edu.training.models import ConvNet
from tinygrad_edu.training.outputs import load_checkpoint
from tinygrad_edu.utils.data import DataLoader

MEAN, STD = DATASETS["digits"].mean[0], DATASETS["digits"].std[0]
BLACK = (0.0 - MEAN) / STD  # a black pixel after Normalize: the integrated-gradients baseline


def trained_convnet(checkpoint: str | None, epochs: int, limit: int | None, seed: int) -> ConvNet:
    """The demo ConvNet: from `make demo`'s checkpoint, or trained here for a few epochs."""
    model = ConvNet()
    if checkpoint:
        model.load_state_dict(load_checkpoint(checkpoint)["model"])
        return model.eval()
    torch.manual_seed(seed)
    train_set = load_split("digits", "data", True, False, limit)
    loader = DataLoader(train_set, batch_size=32, shuffle=True)
    optimizer = optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    for epoch in range(1, epochs + 1):
        train_one_epoch(model, loader, optimizer, "cpu")
        _, accuracy = evaluate(model, DataLoader(load_split("digits", "data", False, False),
                                                 batch_size=256), "cpu")
        print(f"epoch {epoch}: test accuracy {accuracy:.1f} %", flush=True)
    return model.eval()


def explain(model: ConvNet, images: torch.Tensor, steps: int) -> dict[str, np.ndarray]:
    """The model's predictions and the three attribution maps for them, as NumPy arrays."""
    score = logits_of(model)
    with torch.no_grad():
        predicted = score(images).argmax(1)  # (N,)
    target = predicted.tolist()
    baseline = torch.full_like(images, BLACK)
    ig, delta = interpret.integrated_gradients(score, images, target, baseline, steps,
                                               return_delta=True)
    error = interpret.completeness_error(score, images, target, ig, baseline)
    cam = interpret.grad_cam(score, images, target, model.conv2).numpy()  # (N, 24, 24)
    return {"images": images.numpy()[:, 0], "predicted": np.array(target),
            "saliency": interpret.saliency(score, images, target).numpy()[:, 0],
            "integrated_gradients": ig.numpy()[:, 0], "delta": delta.numpy(),
            "grad_cam": np.stack([centred(c, images.shape[-1]) for c in cam]),
            "completeness_error": np.array(error)}


def first_test_digits(count: int) -> torch.Tensor:
    """The first `count` Digits test images, normalised as in training: (count, 1, 28, 28)."""
    test_set = load_split("digits", "data", False, False)
    return torch.stack([test_set[i][0] for i in range(count)])


def logits_of(model: ConvNet):
    """x -> the ConvNet's class scores before log_softmax, caught by a forward hook on fc2.

    Attribution methods explain a class *score*; the log-probability the model returns also
    depends on every other class's score (through the softmax's normaliser), so its gradient
    mixes "more 7" with "less of everything else". The logits are the classic choice."""

    def run(x: torch.Tensor) -> torch.Tensor:
        kept = []
        handle = model.fc2.register_forward_hook(lambda module, args, output: kept.append(output))
        try:
            model(x)
        finally:
            handle.remove()
        return kept[0]  # (N, 10)

    return run


def centred(map_: np.ndarray, size: int) -> np.ndarray:
    """A conv2 map (24x24) placed over the 28x28 image: output pixel (i, j) of two unpadded 3x3
    convolutions is centred on input pixel (i + 2, j + 2), so pad 2 pixels (edge values)."""
    pad = (size - map_.shape[0]) // 2
    return np.pad(map_, pad, mode="edge")


def figure(found: dict[str, np.ndarray]):
    """One row per digit: the image, saliency, integrated gradients, Grad-CAM over the image."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = len(found["images"])
    fig, axes = plt.subplots(rows, 4, figsize=(8, 2 * rows), squeeze=False)
    for i in range(rows):
        image = found["images"][i]
        ig = found["integrated_gradients"][i]
        limit = np.abs(ig).max() or 1.0
        panels = [(image, "gray", None, f"predicted {found['predicted'][i]}"),
                  (found["saliency"][i], "hot", None, "saliency |dS/dx|"),
                  (ig, "bwr", (-limit, limit), f"integrated gradients (Δ={found['delta'][i]:.3f})"),
                  (image, "gray", None, "Grad-CAM (conv2)")]
        for axes_, (data, cmap, span, title) in zip(axes[i], panels):
            vmin, vmax = span if span else (None, None)
            axes_.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax)
            axes_.set_title(title, fontsize=8)
            axes_.axis("off")
        axes[i][3].imshow(found["grad_cam"][i], cmap="jet", alpha=0.5)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description="Saliency, integrated gradients and Grad-CAM")
    parser.add_argument("--checkpoint", help="a `tinygrad-edu train` checkpoint (make demo's)")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs without one")
    parser.add_argument("--digits", type=int, default=4, help="how many test digits to explain")
    parser.add_argument("--steps", type=int, default=128, help="integrated-gradients steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="1 epoch on 640 images")
    parser.add_argument("--out", default="runs/interpret", help="folder for interpret.png")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="dropout2d: Received a 2-D input")
        model = trained_convnet(args.checkpoint, 1 if args.quick else args.epochs,
                                640 if args.quick else None, args.seed)
        images = first_test_digits(args.digits)  # (N, 1, 28, 28)
        found = explain(model, images, args.steps)
    path = Path(args.out) / "interpret.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    figure(found).savefig(path, dpi=90)
    error = float(found["completeness_error"])
    print(f"wrote {path} ({time.perf_counter() - start:.1f} s)")
    print(f"result: ig_completeness_error={error:.6f}")
    return error


if __name__ == "__main__":
    main()
