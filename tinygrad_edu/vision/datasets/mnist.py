"""MNIST and Fashion-MNIST, read from the official idx files (gzipped or not).

The idx format is a tiny header followed by raw big-endian numbers:

    bytes 0-1   zero
    byte  2     element type: 08 uint8, 09 int8, 0B int16, 0C int32, 0D float32, 0E float64
    byte  3     number of dimensions d
    then        d big-endian int32 sizes (images: count, 28, 28; labels: count)
    then        the elements, row-major

Files live in <root>/<ClassName>/raw/, as in torchvision. Each sample is (PIL image 'L', int label).
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ...creation import from_numpy
from ...tensor import Tensor
from ...utils.data import Dataset
from ..images import dataset_item
from .download import download_file

_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """An idx(.gz) file as a NumPy array; a clear error naming the file if it is damaged."""
    path = Path(path)
    try:
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
        raise RuntimeError(f"{path}: corrupt or truncated gzip file ({error})") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise RuntimeError(f"{path}: not an idx file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise RuntimeError(f"{path}: truncated idx file (header incomplete)")
    shape = tuple(int(size) for size in np.frombuffer(raw, ">i4", ndim, 4))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header != expected:
        raise RuntimeError(f"{path}: truncated or corrupt idx file (expected {expected} bytes of "
                           f"data for shape {shape}, found {len(raw) - header})")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


class MNIST(Dataset):
    """torchvision.datasets.MNIST: 60,000 training and 10,000 test 28x28 handwritten digits."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root: str | Path, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False):
        self.root = Path(root).expanduser()
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if download:
            self.download()
        prefix = "train" if train else "t10k"
        images = read_idx(self._find(f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(self._find(f"{prefix}-labels-idx1-ubyte"))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise RuntimeError(f"{self.raw_folder}: images {images.shape} and labels "
                               f"{labels.shape} do not match")
        self._images, self._labels = images.astype(np.uint8), labels.astype(np.int64)

    @property
    def raw_folder(self) -> Path:
        return self.root / type(self).__name__ / "raw"

    @property
    def data(self) -> Tensor:
        """All images as a uint8 tensor (N, 28, 28)."""
        return from_numpy(self._images)

    @property
    def targets(self) -> Tensor:
        """All labels as an int64 tensor (N,)."""
        return from_numpy(self._labels)

    def _find(self, name: str) -> Path:
        for candidate in (self.raw_folder / name, self.raw_folder / f"{name}.gz"):
            if candidate.exists():
                return candidate
        raise RuntimeError(f"Dataset not found: {self.raw_folder / name}(.gz) is missing. You can "
                           "use download=True to download it")

    def download(self) -> None:
        """Fetch every file (skipping those already present and intact)."""
        for filename, md5 in self.resources:
            download_file([mirror + filename for mirror in self.mirrors],
                          self.raw_folder / filename, md5)

    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return dataset_item(self._images[index], int(self._labels[index]), self.transform,
                            self.target_transform)


class FashionMNIST(MNIST):
    """torchvision.datasets.FashionMNIST: Zalando's clothing images, MNIST's format and sizes."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
