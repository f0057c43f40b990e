"""Downloading dataset files safely: check the md5, and never leave a partial file behind.

A download is written to a hidden temporary file in the target folder, its md5 compared with the
published one, and only then renamed to its final name. `os.replace` is atomic on one file system,
so another process (or a later run after a crash or Ctrl-C) sees either no file or the whole,
verified file — never a truncated one that would fail much later with a confusing error.
Archives are extracted the same way: into a temporary folder, then renamed into place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

_CHUNK = 1 << 20


def md5_of(path: str | Path) -> str:
    """The hex md5 digest of a file, read in 1 MiB chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(urls: Sequence[str], destination: str | Path, md5: str | None) -> Path:
    """Fetch the first URL that works into destination, atomically, checking its md5."""
    destination = Path(destination)
    if destination.exists() and (md5 is None or md5_of(destination) == md5):
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in urls:
        try:
            _download_once(url, destination, md5)
            return destination
        except (OSError, ValueError) as error:
            failures.append(f"  {url}: {error}")
    raise RuntimeError(f"could not download {destination.name}:\n" + "\n".join(failures))


def _download_once(url: str, destination: Path, md5: str | None) -> None:
    handle, partial = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.",
                                       suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as file, urllib.request.urlopen(url, timeout=60) as response:
            shutil.copyfileobj(response, file, _CHUNK)
        found = md5_of(partial)
        if md5 is not None and found != md5:
            raise ValueError(f"md5 mismatch: expected {md5}, got {found} (corrupt download?)")
        os.replace(partial, destination)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def extract_tar(archive: str | Path, folder: str | Path, member: str) -> Path:
    """Extract `member` (a top-level folder of the archive) into folder, atomically."""
    folder = Path(folder)
    target = folder / member
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=f".{member}.", suffix=".partial"))
    try:
        try:
            with tarfile.open(archive) as tar:
                _safe_extract(tar, staging)
        except (tarfile.TarError, EOFError, OSError) as error:
            raise RuntimeError(f"{archive}: corrupt or truncated archive ({error})") from error
        if not (staging / member).is_dir():
            raise RuntimeError(f"{archive}: the archive has no folder {member!r}")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging / member, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _safe_extract(tar: tarfile.TarFile, folder: Path) -> None:
    """Extract, refusing members that would land outside folder (absolute paths, '..', links)."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(folder, filter="data")
        return
    for member in tar.getmembers():
        target = (folder / member.name).resolve()
        if folder.resolve() not in target.parents or member.issym() or member.islnk():
            raise RuntimeError(f"refusing to extract {member.name!r}: outside the target folder")
    tar.extractall(folder)
