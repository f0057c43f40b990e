"""tinygrad_edu.audio: WAV round trips, spectrogram transforms against PyTorch-computed references,
the mel filterbank against its formula, and FSDD read from a local archive in the official layout
(served from 127.0.0.1, downloaded and extracted like the vision datasets)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import tarfile
import threading
import wave
from pathlib import Path

import numpy as np
import pytest
import torch

import tinygrad_edu as te
from tinygrad_edu import audio

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("bits", [8, 16, 32])
@pytest.mark.parametrize("channels", [1, 2])
def test_wav_round_trip(tmp_path: Path, bits: int, channels: int) -> None:
    values = RNG.uniform(-0.9, 0.9, (channels, 50)).astype(np.float32)
    path = tmp_path / "x.wav"
    audio.save(path, te.tensor(values), 8000, bits_per_sample=bits)
    waveform, sample_rate = audio.load(path)
    assert sample_rate == 8000 and waveform.shape == (channels, 50)
    assert waveform.dtype is te.float32
    np.testing.assert_allclose(waveform.numpy(), values, atol=2.0 ** (1 - bits) * 1.01)
    with wave.open(str(path)) as file:  # a plain PCM file any reader understands
        assert file.getsampwidth() == bits // 8 and file.getnchannels() == channels


def test_load_rejects_non_wav(tmp_path: Path) -> None:
    (tmp_path / "bad.wav").write_bytes(b"not a wav file at all")
    with pytest.raises(RuntimeError, match="not a PCM WAV file"):
        audio.load(tmp_path / "bad.wav")


def _htk_filterbank(n_freqs, f_min, f_max, n_mels, sample_rate):
    """The HTK mel filterbank written out from its definition (triangles between mel points)."""
    def mel(f):
        return 2595 * np.log10(1 + f / 700)

    points = 700 * (10 ** (np.linspace(mel(f_min), mel(f_max), n_mels + 2) / 2595) - 1)
    freqs = np.linspace(0, sample_rate // 2, n_freqs)
    bank = np.zeros((n_freqs, n_mels))
    for m in range(n_mels):
        left, centre, right = points[m], points[m + 1], points[m + 2]
        rising = (freqs - left) / (centre - left)
        falling = (right - freqs) / (right - centre)
        bank[:, m] = np.clip(np.minimum(rising, falling), 0, None)
    return bank


def test_mel_filterbank_matches_its_definition() -> None:
    got = audio.functional.melscale_fbanks(129, 0.0, 4000.0, 20, 8000).numpy()
    np.testing.assert_allclose(got, _htk_filterbank(129, 0.0, 4000.0, 20, 8000), atol=1e-6)
    slaney = audio.functional.melscale_fbanks(65, 100.0, 3000.0, 10, 8000, norm="slaney",
                                              mel_scale="slaney").numpy()
    assert slaney.shape == (65, 10) and np.all(slaney >= 0) and np.all(slaney.max(0) > 0)


def test_mel_spectrogram_and_db_match_torch_stft(device: str) -> None:
    waveform = RNG.standard_normal((1, 160))
    transform = audio.transforms.MelSpectrogram(8000, n_fft=32, n_mels=8).to(device)
    x = te.tensor(waveform, dtype=te.float32, device=device, requires_grad=True)
    mel = transform(x)
    db = audio.transforms.AmplitudeToDB(top_db=60.0)(mel)
    db.sum().backward()
    reference_x = torch.tensor(waveform, dtype=torch.float32, requires_grad=True)
    power = torch.stft(reference_x, 32, 16, window=torch.hann_window(32),
                       return_complex=True).abs() ** 2
    bank = torch.tensor(_htk_filterbank(17, 0.0, 4000.0, 8, 8000), dtype=torch.float32)
    reference = (power.transpose(-1, -2) @ bank).transpose(-1, -2)
    reference_db = 10 * torch.log10(reference.clamp(min=1e-10))
    floor = reference_db.amax(dim=(-2, -1), keepdim=True) - 60.0
    reference_db = torch.max(reference_db, floor)
    reference_db.sum().backward()
    assert mel.shape == (1, 8, 11)
    np.testing.assert_allclose(mel.detach().cpu().numpy(), reference.detach().numpy(),
                               rtol=2e-4, atol=1e-4)
    np.testing.assert_allclose(db.detach().cpu().numpy(), reference_db.detach().numpy(),
                               rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(x.grad.cpu().numpy(), reference_x.grad.numpy(), rtol=1e-3,
                               atol=1e-3)


def test_spectrogram_options() -> None:
    x = te.tensor(RNG.standard_normal(300), dtype=te.float32)
    spec = audio.transforms.Spectrogram(n_fft=32, hop_length=8, power=None)(x)
    assert spec.dtype is te.complex64 and spec.shape == (17, 38)
    normalized = audio.transforms.Spectrogram(n_fft=32, normalized=True, power=1.0)(x)
    window = torch.hann_window(32)
    expected = torch.stft(torch.tensor(x.numpy()), 32, 16, window=window,
                          return_complex=True).abs() / window.pow(2).sum().sqrt()
    np.testing.assert_allclose(normalized.numpy(), expected.numpy(), rtol=1e-4, atol=1e-5)
    amplitude_db = audio.transforms.AmplitudeToDB(stype="magnitude")(te.tensor([10.0, 1e-12]))
    np.testing.assert_allclose(amplitude_db.numpy(), [20.0, -200.0], rtol=1e-5)


# --- FSDD from a local archive ---------------------------------------------------------------
def _wav_bytes(samples: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(8000)
        file.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def fsdd_archive(extra: dict[str, bytes] | None = None) -> bytes:
    """A free-spoken-digit-dataset-1.0.10.tar.gz with 2 speakers x 3 digits x indices 0, 5, 6."""
    buffer = io.BytesIO()
    folder = audio.datasets.FSDD.base_folder
    files = {f"{digit}_{speaker}_{index}.wav": _wav_bytes(np.full(80 + digit, 1000 * digit))
             for digit in (0, 3, 7) for speaker in ("jackson", "theo") for index in (0, 5, 6)}
    files.update(extra or {})
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, payload in files.items():
            info = tarfile.TarInfo(f"{folder}/recordings/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        readme = b"Free Spoken Digit Dataset"
        info = tarfile.TarInfo(f"{folder}/README.md")
        info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))
    return buffer.getvalue()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path):
    """A local HTTP server on 127.0.0.1 serving tmp_path/served; yields its base URL."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def local_fsdd(base_url: str, archive: bytes) -> type:
    class LocalFSDD(audio.datasets.FSDD):
        url = base_url + audio.datasets.FSDD.filename
        tgz_md5 = hashlib.md5(archive, usedforsecurity=False).hexdigest()
    return LocalFSDD


def test_fsdd_download_split_and_items(tmp_path: Path, server) -> None:
    served, url = server
    archive = fsdd_archive()
    (served / audio.datasets.FSDD.filename).write_bytes(archive)
    train = local_fsdd(url, archive)(tmp_path, train=True, download=True)
    test = audio.datasets.FSDD(tmp_path, train=False)
    assert len(train) == 12 and len(test) == 6  # indices 5, 6 train; 0 test (official split)
    waveform, sample_rate, digit, speaker = train[0]
    assert sample_rate == 8000 and waveform.shape == (1, 80) and digit == 0
    assert speaker == "jackson"
    assert sorted(set(test.targets)) == [0, 3, 7]
    _, _, digit, _ = train[len(train) - 1]
    assert digit == 7 and train[len(train) - 1][0].shape == (1, 87)
    assert np.allclose(train[len(train) - 1][0].numpy(), 7000 / 32768)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_fsdd_bad_download_and_names(tmp_path: Path, server) -> None:
    served, url = server
    archive = fsdd_archive()
    (served / audio.datasets.FSDD.filename).write_bytes(archive[:300])
    with pytest.raises(RuntimeError, match="md5 mismatch"):
        local_fsdd(url, archive)(tmp_path, download=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["served"]
    with pytest.raises(RuntimeError, match="Dataset not found"):
        audio.datasets.FSDD(tmp_path)
    odd = fsdd_archive({"notes.txt": b"x"})
    (served / audio.datasets.FSDD.filename).write_bytes(odd)
    with pytest.raises(RuntimeError, match="not a recording name"):
        local_fsdd(url, odd)(tmp_path, download=True)
