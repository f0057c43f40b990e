"""The classic MNIST ConvNet, trained on Digits resized to 28x28 (offline, a minute or two).

    python examples/convnet.py --epochs 4      # about 90 % test accuracy on Digits
    python examples/convnet.py --device cuda --limit 8 --batch-size 4   # Triton: ~1 min with no GPU

This is PyTorch's well-known MNIST example with the imports changed. Digits (scikit-learn's
8x8 handwritten digits, resized) stands in for MNIST so it runs without a download; pass
--mnist DATA_ROOT to train on the real MNIST files instead. `make demo` trains the same network
with `tinygrad-edu train`, adding a learning-rate decay and random shifts to pass 95 %.
"""

from __future__ import annotations

import argparse

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
import tinygrad_edu.optim as optim
from tinygrad_edu.utils.data import DataLoader, Subset
from tinygrad_edu.vision import datasets, transforms


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout2d(0.25)
        self.dropout2 = nn.Dropout2d(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def train(model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 10 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                  f"\tLoss: {loss.item():.6f}")


def test(model, device, test_loader):
    correct = 0
    total = 0
    with torch.no_grad():
        model.eval()
        for images, labels in test_loader:
            images, labels = images.to(device), labels.to(device)
            outputs = model(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    accuracy = 100 * correct / total
    print(f"Accuracy of the network on the {total} test images: {accuracy:.2f} %")
    return accuracy


def datasets_for(mnist_root: str | None, limit: int | None):
    if mnist_root:
        transform = transforms.Compose([transforms.ToTensor(),
                                        transforms.Normalize((0.1307,), (0.3081,))])
        train_set = datasets.MNIST(mnist_root, train=True, transform=transform)
        test_set = datasets.MNIST(mnist_root, train=False, transform=transform)
    else:
        transform = transforms.Compose([transforms.ToTensor(),
                                        transforms.Normalize((0.3054,), (0.3238,))])
        train_set = datasets.Digits(train=True, transform=transform, size=28)
        test_set = datasets.Digits(train=False, transform=transform, size=28)
    if limit:
        train_set, test_set = Subset(train_set, range(limit)), Subset(test_set, range(limit))
    return train_set, test_set


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description="The classic ConvNet on Digits (or MNIST)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mnist", metavar="DATA_ROOT", help="train on MNIST files instead")
    parser.add_argument("--limit", type=int, help="use only the first N samples (quick runs)")
    parser.add_argument("--device", default="cpu", help='"cpu" (NumPy) or "cuda" (Triton)')
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    train_set, test_set = datasets_for(args.mnist, args.limit)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1000)
    model = Net().to(device)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    accuracy = 0.0
    for epoch in range(1, args.epochs + 1):
        train(model, device, train_loader, optimizer, epoch)
        accuracy = test(model, device, test_loader)
    return accuracy


if __name__ == "__main__":
    main()
