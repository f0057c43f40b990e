"""Digits: scikit-learn's bundled 1,797 handwritten digits (8x8, 16 gray levels), offline.

It needs no download, so examples, tests and `make demo` run anywhere. The images can be resized
(bilinear, see vision/images.py) so that MNIST-shaped models run unchanged: Digits(size=28).
The split is fixed: the first 1,437 images (80 %) train, the last 360 test — different writers
mostly, so test accuracy measures generalisation to new handwriting.
Each sample is (PIL image 'L', int label), like MNIST.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ...creation import from_numpy
from ...tensor import Tensor
from ...utils.data import Dataset
from ..images import dataset_item, resize_array

TRAIN_COUNT = 1437


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError("the Digits dataset comes with scikit-learn: pip install scikit-learn "
                          "(or pip install 'tinygrad-edu[train]')") from error
    digits = load_digits()
    return digits.images, digits.target


class Digits(Dataset):
    """8x8 handwritten digits (0-16 gray levels scaled to 0-255), optionally resized to size."""

    classes = [str(digit) for digit in range(10)]

    def __init__(self, root: str | Path | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False, size: int = 8):
        if size < 1:
            raise ValueError(f"size must be a positive number of pixels, got {size}")
        self.root, self.train, self.size = root, train, size
        self.transform, self.target_transform = transform, target_transform
        images, labels = _load_digits()
        part = slice(0, TRAIN_COUNT) if train else slice(TRAIN_COUNT, None)
        images = images[part] * (255.0 / 16.0)
        if size != 8:
            images = resize_array(images, size, size)
        self._images = np.clip(np.rint(images), 0, 255).astype(np.uint8)
        self._labels = labels[part].astype(np.int64)

    @property
    def data(self) -> Tensor:
        return from_numpy(self._images)

    @property
    def targets(self) -> Tensor:
        return from_numpy(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return dataset_item(self._images[index], int(self._labels[index]), self.transform,
                            self.target_transform)
