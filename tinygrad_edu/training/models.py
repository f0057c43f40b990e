"""The models `tinygrad-edu train` can train (examples/ shows the same code as plain scripts).

ConvNet is PyTorch's classic MNIST example, layer for layer: two 3x3 convolutions (1 -> 32 -> 64
channels), 2x2 max pooling, dropout, and two fully connected layers; on a 28x28 input the
convolutions leave 24x24, pooling 12x12, so fc1 sees 64 * 12 * 12 = 9216 features. It returns
log-probabilities (log_softmax), to be trained with nll_loss.
"""

from __future__ import annotations

from ..nn import Conv2d, Dropout, Dropout2d, Linear, MaxPool2d, Module
from ..nn import functional as F  # noqa: N812 - PyTorch's conventional name
from ..ops import flatten
from ..tensor import Tensor


class ConvNet(Module):
    """The classic MNIST ConvNet (input 1x28x28, 10 classes)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = Conv2d(1, 32, 3, 1)
        self.conv2 = Conv2d(32, 64, 3, 1)
        self.dropout1 = Dropout2d(0.25)
        self.dropout2 = Dropout2d(0.5)
        self.fc1 = Linear(9216, 128)
        self.fc2 = Linear(128, 10)

    def forward(self, x: Tensor) -> Tensor:
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


class MLP(Module):
    """A multilayer perceptron on flattened images: in -> 128 -> 64 -> classes."""

    def __init__(self, in_features: int = 784, classes: int = 10) -> None:
        super().__init__()
        self.fc1 = Linear(in_features, 128)
        self.fc2 = Linear(128, 64)
        self.fc3 = Linear(64, classes)
        self.dropout = Dropout(0.1)

    def forward(self, x: Tensor) -> Tensor:
        x = flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        x = F.relu(self.fc2(x))
        return F.log_softmax(self.fc3(x), dim=1)


class CifarNet(Module):
    """A small ConvNet for 3x32x32 images: conv-pool, conv-pool, three fully connected layers."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = Conv2d(3, 6, 5)
        self.pool = MaxPool2d(2, 2)
        self.conv2 = Conv2d(6, 16, 5)
        self.fc1 = Linear(16 * 5 * 5, 120)
        self.fc2 = Linear(120, 84)
        self.fc3 = Linear(84, 10)

    def forward(self, x: Tensor) -> Tensor:
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.log_softmax(self.fc3(x), dim=1)


MODELS = {"convnet": ConvNet, "mlp": MLP, "cifar-convnet": CifarNet}
