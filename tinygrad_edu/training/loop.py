"""One epoch of training and one pass of evaluation: the loop every PyTorch program writes.

    for images, labels in loader:
        optimizer.zero_grad()                  # 1. forget the previous batch's gradients
        outputs = model(images)                # 2. forward: log-probabilities (N, classes)
        loss = F.nll_loss(outputs, labels)     # 3. how wrong: mean of -log p(correct class)
        loss.backward()                        # 4. backward: d loss / d parameter, into .grad
        optimizer.step()                       # 5. update every parameter from its gradient

Evaluation runs the model in eval mode (dropout off) under no_grad (no graph is recorded, which
saves memory and time) and counts the predictions — the index of the largest output — that match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..autograd.grad_mode import no_grad
from ..nn import functional as F  # noqa: N812
from ..ops import max as tensor_max


def train_one_epoch(model: Any, loader: Iterable, optimizer: Any, device: str,
                    on_batch: Callable[[float], None] | None = None) -> list[float]:
    """Train over the loader once; return every batch's loss."""
    model.train()
    losses = []
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if on_batch is not None:
            on_batch(losses[-1])
    return losses


def evaluate(model: Any, loader: Iterable, device: str) -> tuple[float, float]:
    """(mean loss, accuracy in %) over the loader, in eval mode and without a graph."""
    model.eval()
    correct = total = 0
    loss_sum = 0.0
    with no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            outputs = model(images)
            loss_sum += F.nll_loss(outputs, labels, reduction="sum").item()
            _, predicted = tensor_max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return loss_sum / max(total, 1), 100.0 * correct / max(total, 1)
