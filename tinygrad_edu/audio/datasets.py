"""The Free Spoken Digit Dataset (FSDD), read in its official layout.

FSDD (github.com/Jakobovski/free-spoken-digit-dataset, CC BY-SA 4.0) is a few thousand 8 kHz mono
WAV recordings of the digits 0-9 said in English by several speakers, named

    recordings/{digit}_{speaker}_{index}.wav          e.g. recordings/7_jackson_32.wav

Its README defines the split: recordings with index 0-4 are the test set, 5-49 the training set.
The release is a GitHub tag archive; it is downloaded and extracted with the vision datasets' code
(vision/datasets/download.py: temporary file, atomic rename, safe extraction into place). GitHub
builds tag archives on the fly and does not promise their bytes (or md5) stay the same, so instead
of an md5 the reader checks what it extracted: every file name must parse and every file must be
a WAV.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..utils.data import Dataset
from ..vision.datasets.download import download_file, extract_tar
from .io import load

_NAME = re.compile(r"^(\d)_([A-Za-z]+)_(\d+)\.wav$")


class FSDD(Dataset):
    """Spoken digits: each item is (waveform (1, frames) float32, sample_rate, digit, speaker)."""

    version = "1.0.10"
    base_folder = f"free-spoken-digit-dataset-{version}"
    url = ("https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/"
           f"v{version}.tar.gz")
    filename = f"free-spoken-digit-dataset-{version}.tar.gz"
    tgz_md5: str | None = None  # see the module docstring; set it to pin an archive you trust
    classes = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    def __init__(self, root: str | Path, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False):
        self.root = Path(root).expanduser()
        self.train, self.transform, self.target_transform = train, transform, target_transform
        if download:
            self.download()
        folder = self.root / self.base_folder / "recordings"
        if not folder.is_dir():
            raise RuntimeError(f"Dataset not found or corrupted: {folder} is missing. You can "
                               "use download=True to download it")
        self.files: list[Path] = []
        self.targets: list[int] = []
        self.speakers: list[str] = []
        for path in sorted(folder.iterdir()):
            match = _NAME.match(path.name)
            if match is None:
                raise RuntimeError(f"{path}: not a recording name ({{digit}}_{{speaker}}_"
                                   "{index}.wav)")
            digit, speaker, index = int(match[1]), match[2], int(match[3])
            if (index >= 5) == train:  # the official split: 0-4 test, 5-49 train
                self.files.append(path)
                self.targets.append(digit)
                self.speakers.append(speaker)
        if not self.files:
            raise RuntimeError(f"{folder}: no recordings for the {'train' if train else 'test'} "
                               "split")

    def download(self) -> None:
        """Fetch and extract the release archive, unless the recordings are already there."""
        if (self.root / self.base_folder / "recordings").is_dir():
            return
        archive = download_file([self.url], self.root / self.filename, self.tgz_md5)
        extract_tar(archive, self.root, self.base_folder)

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        waveform, sample_rate = load(self.files[index])
        target: Any = self.targets[index]
        if self.transform is not None:
            waveform = self.transform(waveform)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return waveform, sample_rate, target, self.speakers[index]
