"""Training a classifier on CIFAR-10, as in PyTorch's "Training a classifier" tutorial.

    python examples/cifar10.py --root data --download      # fetches 170 MB, md5-checked
    python examples/cifar10.py --root data                  # uses cifar-10-batches-py/ if present

Runs when the CIFAR-10 files are present (or --download is given); otherwise it says what is
missing and exits. Two epochs on 2 CPU cores take a while: --limit N trains on N images only.
"""

from __future__ import annotations

import argparse
import sys

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
import tinygrad_edu.optim as optim
from tinygrad_edu.utils.data import DataLoader, Subset
from tinygrad_edu.vision import datasets, transforms

classes = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


class Net(nn.Module):
    """The classic ConvNet adapted to 3x32x32 images: 32 -> 28 -> 14 -> 10 -> 5 pixels."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def main(argv=None) -> float | None:
    parser = argparse.ArgumentParser(description="Train a ConvNet on CIFAR-10")
    parser.add_argument("--root", default="data")
    parser.add_argument("--download", action="store_true")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, help="use only the first N images of each split")
    parser.add_argument("--num-workers", type=int, default=2)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    try:
        trainset = datasets.CIFAR10(args.root, train=True, download=args.download,
                                    transform=transform)
        testset = datasets.CIFAR10(args.root, train=False, download=args.download,
                                   transform=transform)
    except RuntimeError as error:
        print(f"CIFAR-10 is not available: {error}", file=sys.stderr)
        return None
    if args.limit:
        trainset, testset = Subset(trainset, range(args.limit)), Subset(testset, range(args.limit))
    trainloader = DataLoader(trainset, batch_size=100, shuffle=True, num_workers=args.num_workers)
    testloader = DataLoader(testset, batch_size=100, shuffle=False, num_workers=args.num_workers)

    net = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    for epoch in range(args.epochs):
        running_loss = 0.0
        for i, (inputs, labels) in enumerate(trainloader):
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % 100 == 99:
                print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 100:.3f}")
                running_loss = 0.0

    correct = total = 0
    with torch.no_grad():
        net.eval()
        for images, labels in testloader:
            outputs = net(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    accuracy = 100 * correct / total
    print(f"Accuracy of the network on the {total} test images: {accuracy:.2f} %")
    return accuracy


if __name__ == "__main__":
    main()
