"""Linear regression, the smallest complete PyTorch program: a model, a loss, an optimizer, a loop.

    python examples/linear_regression.py            # learns y = 2x - 1 from noisy samples

The only tinygrad_edu-specific lines are the imports: the same code runs on PyTorch with
`import torch`, `import torch.nn as nn`, ... (tests/test_examples.py checks that).
"""

from __future__ import annotations

import argparse

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.optim as optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset


class LinearRegression(nn.Module):
    """y = w x + b: one nn.Linear with one input and one output."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


def make_data(samples: int = 256):
    """x uniform in [-1, 1), y = 2x - 1 plus a little noise."""
    x = torch.rand(samples, 1) * 2 - 1
    y = 2 * x - 1 + 0.05 * torch.randn(samples, 1)
    return x, y


def train(epochs: int = 100, batch_size: int = 32, seed: int = 0) -> tuple[float, float, float]:
    """Fit the model; return (weight, bias, final epoch's mean loss)."""
    torch.manual_seed(seed)
    x, y = make_data()
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)
    model = LinearRegression()
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(epochs):
        total = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad()                 # clear the gradients of the last batch
            loss = criterion(model(inputs), targets)
            loss.backward()                       # d loss / d w and d loss / d b
            optimizer.step()                      # move w and b against their gradients
            total += loss.item() * len(inputs)
        if (epoch + 1) % 20 == 0:
            print(f"epoch {epoch + 1}: loss {total / len(x):.5f}")
    weight, bias = model.linear.weight.item(), model.linear.bias.item()
    print(f"learned y = {weight:.3f} x + {bias:.3f}  (true: y = 2 x - 1)")
    return weight, bias, total / len(x)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    train(parser.parse_args().epochs)
