"""vision.datasets: tiny archives in the official formats, read, downloaded and damaged."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import io
import pickle
import struct
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu.vision import datasets, transforms

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, (5, 28, 28), dtype=np.uint8)
LABELS = np.array([3, 1, 4, 1, 5], dtype=np.uint8)


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">i", n) for n in array.shape)
    return header + array.astype(">u1").tobytes()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def mnist_files() -> dict[str, bytes]:
    """Official file names -> gzipped idx content (the test split reuses the training arrays)."""
    files = {}
    for prefix in ("train", "t10k"):
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(idx_bytes(IMAGES))
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(idx_bytes(LABELS))
    return files


def write_files(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


@pytest.fixture
def server(tmp_path: Path):
    """A local HTTP server on 127.0.0.1 serving tmp_path/served; yields its base URL."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_mnist_reads_the_idx_files(tmp_path: Path) -> None:
    write_files(tmp_path / "MNIST" / "raw", mnist_files())
    dataset = datasets.MNIST(tmp_path, train=True)
    assert len(dataset) == 5
    image, label = dataset[2]
    assert image.mode == "L" and np.array_equal(np.asarray(image), IMAGES[2]) and label == 4
    assert dataset.data.shape == (5, 28, 28) and dataset.targets.tolist() == LABELS.tolist()
    tensor_image, _ = datasets.MNIST(tmp_path, train=False, transform=transforms.ToTensor())[0]
    assert tensor_image.shape == (1, 28, 28)
    np.testing.assert_allclose(tensor_image.numpy()[0], IMAGES[0] / 255, rtol=1e-6)


def test_uncompressed_idx_files_work_too(tmp_path: Path) -> None:
    raw = tmp_path / "FashionMNIST" / "raw"
    write_files(raw, {"t10k-images-idx3-ubyte": idx_bytes(IMAGES),
                      "t10k-labels-idx1-ubyte": idx_bytes(LABELS)})
    dataset = datasets.FashionMNIST(tmp_path, train=False, target_transform=lambda y: y * 10)
    assert dataset[4][1] == 50 and dataset.classes[9] == "Ankle boot"


def test_missing_files_raise_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.*missing.*download=True"):
        datasets.MNIST(tmp_path)
    with pytest.raises(RuntimeError, match="data_batch_1 is missing.*download=True"):
        datasets.CIFAR10(tmp_path)


@pytest.mark.parametrize(("damage", "message"), [
    (lambda data: data[: len(data) // 2], "corrupt or truncated gzip"),
    (lambda data: gzip.compress(gzip.decompress(data)[:-7]), "truncated or corrupt idx file"),
    (lambda data: gzip.compress(b"\x01\x02" + gzip.decompress(data)[2:]), "not an idx file"),
])
def test_damaged_idx_files_name_the_file(tmp_path: Path, damage, message: str) -> None:
    files = mnist_files()
    files["train-images-idx3-ubyte.gz"] = damage(files["train-images-idx3-ubyte.gz"])
    write_files(tmp_path / "MNIST" / "raw", files)
    with pytest.raises(RuntimeError, match=f"train-images-idx3-ubyte.gz.*{message}"):
        datasets.MNIST(tmp_path)


def local_mnist(base_url: str, files: dict[str, bytes]) -> type:
    class LocalMNIST(datasets.MNIST):
        mirrors = ["http://127.0.0.1:9/unreachable/", base_url]  # the first mirror fails
        resources = [(name, md5(content)) for name, content in files.items()]
    return LocalMNIST


def test_download_fetches_checks_and_reads(tmp_path: Path, server) -> None:
    served, url = server
    files = mnist_files()
    write_files(served, files)
    dataset_class = local_mnist(url, files)
    dataset = dataset_class(tmp_path / "data", download=True)
    assert dataset[0][1] == 3
    raw = tmp_path / "data" / "LocalMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(files)
    (served / "train-images-idx3-ubyte.gz").unlink()  # present files are not fetched again
    dataset_class(tmp_path / "data", download=True)


def test_failed_download_leaves_no_partial_file(tmp_path: Path, server) -> None:
    served, url = server
    files = mnist_files()
    dataset_class = local_mnist(url, files)
    files["train-labels-idx1-ubyte.gz"] = files["train-labels-idx1-ubyte.gz"][:-3]  # corrupted
    write_files(served, files)
    with pytest.raises(RuntimeError, match="train-labels-idx1-ubyte.gz(.|\n)*md5 mismatch"):
        dataset_class(tmp_path / "data", download=True)
    raw = tmp_path / "data" / "LocalMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == ["train-images-idx3-ubyte.gz"]


CIFAR_DATA = RNG.integers(0, 256, (6, 3072), dtype=np.uint8)


def cifar_archive(batch_bytes: dict[str, bytes] | None = None) -> bytes:
    """A cifar-10-python.tar.gz with two images per batch."""
    contents = batch_bytes or {}
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for i, name in enumerate(names):
            batch = {"data": CIFAR_DATA[i % 3 * 2: i % 3 * 2 + 2], "labels": [i, 9 - i]}
            payload = contents.get(name, pickle.dumps(batch))
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def local_cifar(base_url: str, archive: bytes) -> type:
    class LocalCIFAR10(datasets.CIFAR10):
        url = base_url + "cifar-10-python.tar.gz"
        tgz_md5 = md5(archive)
    return LocalCIFAR10


def test_cifar10_download_and_layout(tmp_path: Path, server) -> None:
    served, url = server
    archive = cifar_archive()
    (served / "cifar-10-python.tar.gz").write_bytes(archive)
    train = local_cifar(url, archive)(tmp_path, train=True, download=True)
    assert len(train) == 10 and train.targets[:4] == [0, 9, 1, 8]
    image, label = train[1]
    assert image.mode == "RGB" and image.size == (32, 32) and label == 9
    pixels = np.asarray(image)
    row = CIFAR_DATA[1]
    assert np.array_equal(pixels[..., 0].reshape(-1), row[:1024])       # red plane first
    assert np.array_equal(pixels[..., 2].reshape(-1), row[2048:])
    test = datasets.CIFAR10(tmp_path, train=False, transform=transforms.ToTensor())
    assert len(test) == 2 and test[0][0].shape == (3, 32, 32)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cifar10_bad_archive_and_batches(tmp_path: Path, server) -> None:
    served, url = server
    archive = cifar_archive()
    (served / "cifar-10-python.tar.gz").write_bytes(archive[:200])
    with pytest.raises(RuntimeError, match="md5 mismatch"):
        local_cifar(url, archive)(tmp_path, download=True)
    truncated = archive[:200]
    with pytest.raises(RuntimeError, match="cifar-10-python.tar.gz: corrupt or truncated"):
        local_cifar(url, truncated)(tmp_path, download=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cifar-10-python.tar.gz", "served"]
    bad = cifar_archive({"data_batch_3": pickle.dumps({"data": CIFAR_DATA[:2]})[:-9]})
    (served / "cifar-10-python.tar.gz").write_bytes(bad)
    (tmp_path / "cifar-10-python.tar.gz").unlink()
    with pytest.raises(RuntimeError, match="data_batch_3: corrupt or truncated CIFAR batch"):
        local_cifar(url, bad)(tmp_path, download=True)


def test_digits_offline_split_and_resize() -> None:
    from sklearn.datasets import load_digits

    reference = load_digits()
    train, test = datasets.Digits(), datasets.Digits(train=False)
    assert (len(train), len(test)) == (1437, 360)
    assert test[0][1] == reference.target[1437]
    assert np.array_equal(np.asarray(train[5][0]),
                          np.rint(reference.images[5] * 255 / 16).astype(np.uint8))
    big = datasets.Digits(size=28, transform=transforms.ToTensor())
    image, label = big[5]
    assert image.shape == (1, 28, 28) and label == reference.target[5]
    assert big.data.shape == (1437, 28, 28) and big.targets.tolist()[:3] == [0, 1, 2]
    with pytest.raises(ValueError, match="size must be a positive"):
        datasets.Digits(size=0)
