"""CIFAR-10, read from the official "python version" archive (cifar-10-python.tar.gz).

The archive holds cifar-10-batches-py/ with five training batches (data_batch_1 .. 5), one test
batch (test_batch) and batches.meta. Each batch is a pickled dict:

    b"data"    uint8 array (10000, 3072): each row is 1024 red, then 1024 green, then 1024 blue
               values of a 32x32 image, row-major
    b"labels"  10000 ints in 0..9

So a row reshaped to (3, 32, 32) is channels-first; images are kept as (N, 32, 32, 3) like
torchvision (channels last, what PIL expects). Each sample is (PIL image 'RGB', int label).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ...utils.data import Dataset
from ..images import dataset_item
from .download import download_file, extract_tar


def _load_batch(path: Path) -> tuple[np.ndarray, list[int]]:
    if not path.exists():
        raise RuntimeError(f"Dataset not found or corrupted: {path} is missing. You can use "
                           "download=True to download it")
    try:
        with open(path, "rb") as file:
            batch = pickle.load(file, encoding="latin1")
        data = np.asarray(batch["data"], dtype=np.uint8)
        labels = list(batch["labels"] if "labels" in batch else batch["fine_labels"])
    except (pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError) as error:
        raise RuntimeError(f"{path}: corrupt or truncated CIFAR batch ({error!r})") from error
    if data.ndim != 2 or data.shape[1] != 3072 or len(labels) != len(data):
        raise RuntimeError(f"{path}: corrupt CIFAR batch (data {data.shape}, "
                           f"{len(labels)} labels)")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


class CIFAR10(Dataset):
    """torchvision.datasets.CIFAR10: 50,000 training and 10,000 test 32x32 color images."""

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [f"data_batch_{i}" for i in range(1, 6)]
    test_list = ["test_batch"]
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck"]

    def __init__(self, root: str | Path, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False):
        self.root = Path(root).expanduser()
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if download:
            self.download()
        arrays, self.targets = [], []
        for name in self.train_list if train else self.test_list:
            images, labels = _load_batch(self.root / self.base_folder / name)
            arrays.append(images)
            self.targets.extend(labels)
        self.data = np.concatenate(arrays)
        if any(not 0 <= label < len(self.classes) for label in self.targets):
            raise RuntimeError(f"{self.root / self.base_folder}: labels outside 0..9")
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def download(self) -> None:
        """Fetch and extract the archive, unless the batches are already there."""
        folder = self.root / self.base_folder
        if all((folder / name).exists() for name in self.train_list + self.test_list):
            return
        archive = download_file([self.url], self.root / self.filename, self.tgz_md5)
        extract_tar(archive, self.root, self.base_folder)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return dataset_item(self.data[index], self.targets[index], self.transform,
                            self.target_transform)
