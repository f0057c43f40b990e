"""Generate the pictures of docs/visualize.md (run by `make docs`; the images are not committed).

Every figure is drawn by tinygrad_edu.viz from real computations, into docs/_generated/visualize/.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import tinygrad_edu as torch
from tinygrad_edu import viz

OUT = Path(__file__).resolve().parent / "_generated" / "visualize"


def linear_regression():
    """The linear regression example: y_hat = X @ w + b, mean squared error, one backward."""
    torch.manual_seed(0)
    x = torch.randn(8, 2)
    y = x @ torch.tensor([[2.0], [-1.0]]) + 0.5
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    names = {"X": x, "y": y, "w": w, "b": b}
    with viz.trace(params=names) as recording:
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
    return loss, names, recording


def convnet_trace():
    from tinygrad_edu.nn import functional as F  # noqa: N812
    from tinygrad_edu.training.models import ConvNet

    torch.manual_seed(0)
    model = ConvNet().eval()
    images, labels = torch.randn(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
    with viz.trace(params=model) as recording:
        F.nll_loss(model(images), labels).backward()
    return recording


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    loss, names, recording = linear_regression()
    viz.draw(loss, params=names).render(OUT / "draw", format="svg", cleanup=True)
    viz.draw(loss, params=names, show_saved=True, show_strides=True).render(
        OUT / "draw_saved_strides", format="svg", cleanup=True)
    recording.render(OUT / "trace_forward.svg", include_backward=False)
    recording.render(OUT / "trace_backward.svg")
    recording.to_html(OUT / "player.html", title="linear regression: one step")
    try:
        trace = convnet_trace()
    except ImportError as error:  # nn layers still being written: skip the ConvNet figures
        print(f"ConvNet figures skipped: {error}", file=sys.stderr)
    else:
        started = time.perf_counter()
        trace.render(OUT / "convnet_backward.svg")
        print(f"ConvNet forward+backward rendered in {time.perf_counter() - started:.2f} s")
        trace.render(OUT / "convnet_depth0.svg", depth=0)
        trace.to_html(OUT / "convnet_player.html", title="ConvNet: one training step")
    for path in sorted(OUT.iterdir()):
        print(path)


if __name__ == "__main__":
    main()
