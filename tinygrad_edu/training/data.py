"""The datasets `tinygrad-edu train` knows, each with the transform its models expect.

Every image becomes a normalised float tensor: ToTensor maps pixels to [0, 1], Normalize
subtracts the dataset's mean and divides by its standard deviation (measured on the training set),
so the inputs are centred near 0 with unit spread, which keeps early gradients well scaled.

Augmentation (training split only): with crop_padding=p each training image is padded by p pixels
and a random crop of the original size is cut from it, i.e. shifted by up to p pixels. The model
sees every digit at slightly different positions from epoch to epoch, so it learns shapes rather
than where the pixels of this particular handwriting sit; test images are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..utils.data import Dataset, Subset
from ..vision import datasets, transforms


@dataclass(frozen=True)
class DatasetSpec:
    make: Any                     # the dataset class
    mean: tuple[float, ...]
    std: tuple[float, ...]
    shape: tuple[int, int, int]   # (channels, height, width) of one image
    options: tuple = ()           # extra constructor arguments, as (name, value) pairs


DATASETS = {
    "digits": DatasetSpec(datasets.Digits, (0.3054,), (0.3238,), (1, 28, 28), (("size", 28),)),
    "mnist": DatasetSpec(datasets.MNIST, (0.1307,), (0.3081,), (1, 28, 28)),
    "fashion-mnist": DatasetSpec(datasets.FashionMNIST, (0.2860,), (0.3530,), (1, 28, 28)),
    "cifar10": DatasetSpec(datasets.CIFAR10, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5), (3, 32, 32)),
}


def load_split(name: str, root: str | Path, train: bool, download: bool,
               limit: int | None = None, crop_padding: int = 0) -> Dataset:
    """The train or test split of a named dataset, normalised, optionally its first `limit`;
    training images randomly shifted by up to crop_padding pixels (see the module docstring)."""
    spec = DATASETS[name]
    steps = [transforms.ToTensor(), transforms.Normalize(spec.mean, spec.std)]
    if train and crop_padding > 0:
        steps.insert(0, transforms.RandomCrop(spec.shape[1:], padding=crop_padding))
    transform = transforms.Compose(steps)
    options = dict(spec.options)
    if name == "digits":
        dataset = spec.make(train=train, transform=transform, **options)
    else:
        dataset = spec.make(root, train=train, transform=transform, download=download, **options)
    if limit is not None and limit < len(dataset):
        dataset = Subset(dataset, list(range(limit)))
    return dataset
