"""tinygrad_edu.fft, stft/istft and the windows against PyTorch: values and gradients, sizes that
are powers of two and not, every norm; the fft kernel against its NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tinygrad_edu.kernels import View
from tinygrad_edu.kernels import fft as fft_kernels

import tinygrad_edu as te

FEW = settings(max_examples=8, deadline=None)
NORMS = [None, "backward", "ortho", "forward"]


def _run(lib, function, array, device):
    kwargs = {} if lib is torch else {"device": device}
    x = lib.tensor(array, requires_grad=True, **kwargs)
    y = function(lib, x)
    y = y.resolve_conj() if lib is torch else y
    real = lib.view_as_real(y) if y.is_complex() else y
    weights = np.linspace(0.5, 1.5, real.numel()).reshape(tuple(real.shape))
    (real * lib.tensor(weights, dtype=real.dtype, **kwargs)).sum().backward()
    return real.detach().cpu().numpy(), x.grad.cpu().numpy()


def _compare(function, array, device="cpu", atol=1e-9):
    expected, expected_grad = _run(torch, function, array, device)
    got, got_grad = _run(te, function, array, device)
    np.testing.assert_allclose(got, expected, atol=atol, rtol=1e-6)
    np.testing.assert_allclose(got_grad, expected_grad, atol=atol, rtol=1e-6)


TRANSFORMS = {
    "fft": lambda t, x, n, norm: t.fft.fft(x, n, norm=norm),
    "ifft": lambda t, x, n, norm: t.fft.ifft(t.complex(x, x.flip(-1)), n, norm=norm),
    "rfft": lambda t, x, n, norm: t.fft.rfft(x, n, norm=norm),
    "irfft": lambda t, x, n, norm: t.fft.irfft(t.fft.rfft(x) * (1 + 0.5j), n, norm=norm),
    "fft_dim0": lambda t, x, n, norm: t.fft.fft(x, n, dim=0, norm=norm),
    "fft2": lambda t, x, n, norm: t.fft.fft2(x, norm=norm),
    "ifft2": lambda t, x, n, norm: t.fft.ifft2(x, s=(3, n or 4), norm=norm),
    "rfft2": lambda t, x, n, norm: t.fft.rfft2(x, norm=norm),
    "irfft2": lambda t, x, n, norm: t.fft.irfft2(t.fft.rfft2(x), s=(x.shape[0], n or 6),
                                                 norm=norm),
    "fftn": lambda t, x, n, norm: t.fft.fftn(x, norm=norm),
    "ifftn": lambda t, x, n, norm: t.fft.ifftn(x, dim=(0,), norm=norm),
}


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@FEW
@given(rows=st.integers(1, 3), size=st.sampled_from([1, 2, 3, 4, 5, 6, 8, 12, 16]),
       n=st.sampled_from([None, 3, 4, 7, 8]), norm=st.sampled_from(NORMS), seed=st.integers(0, 9))
def test_transforms_match_torch(name, rows, size, n, norm, seed):
    array = np.random.default_rng(seed).standard_normal((rows, size))
    if name.startswith("irfft") and (size < 2 and n is None):
        n = 4
    _compare(lambda t, x: TRANSFORMS[name](t, x, n, norm), array)


@pytest.mark.parametrize("size", [8, 6])
def test_transforms_on_the_device(device, size):
    array = np.random.default_rng(size).standard_normal((2, size))
    for name in ("fft", "irfft", "fft2"):
        _compare(lambda t, x, name=name: TRANSFORMS[name](t, x, None, "ortho"), array, device)


def test_frequencies_and_shifts(device):
    for n, d in ((5, 1.0), (8, 0.25), (1, 2.0)):
        np.testing.assert_allclose(te.fft.fftfreq(n, d).numpy(), torch.fft.fftfreq(n, d).numpy(),
                                   rtol=1e-6)
        np.testing.assert_allclose(te.fft.rfftfreq(n, d).numpy(),
                                   torch.fft.rfftfreq(n, d).numpy(), rtol=1e-6)
    array = np.arange(15.0).reshape(3, 5)
    for dim in (None, 0, (1,)):
        _compare(lambda t, x, dim=dim: t.fft.fftshift(x, dim), array, device)
        _compare(lambda t, x, dim=dim: t.fft.ifftshift(x, dim), array, device)


def test_fft_errors_like_torch():
    with pytest.raises(ValueError, match="Invalid normalization mode"):
        te.fft.fft(te.ones(4), norm="unitary")
    with pytest.raises(RuntimeError, match="Invalid number of data points"):
        te.fft.fft(te.ones(4), n=0)
    with pytest.raises(RuntimeError, match="expects a real input"):
        te.fft.rfft(te.ones(4, dtype=te.complex64))
    assert te.fft.fft(te.ones(4)).dtype is te.complex64
    assert te.fft.fft(te.ones(4, dtype=te.float64)).dtype is te.complex128
    assert te.fft.fft(te.arange(4)).dtype is te.complex64


# --- the primitive: Triton kernel against the NumPy reference --------------------------------
@pytest.mark.parametrize("size", [1, 2, 8, 16, 6, 5])
@pytest.mark.parametrize("inverse", [False, True])
def test_fft_kernel_matches_reference(size, inverse):
    from tinygrad_edu.kernels.triton_backend import make_triton_backend

    backend = make_triton_backend()
    rng = np.random.default_rng(size)
    data = (rng.standard_normal((3, size)) + 1j * rng.standard_normal((3, size))).T
    buffer = np.ascontiguousarray(data).reshape(-1)  # (size, 3) row-major: read transposed
    view = View((3, size), (1, 3), 0)
    reference = fft_kernels.fft_reference(buffer, view, inverse).reshape(3, size)
    expected = np.fft.ifft(data.T, norm="forward") if inverse else np.fft.fft(data.T)
    np.testing.assert_allclose(reference, expected, atol=1e-12)
    got = backend.to_host(fft_kernels.fft_triton(backend.from_host(buffer), view, inverse),
                          View((3, size), (size, 1), 0))
    np.testing.assert_allclose(got, reference, atol=1e-12)
    single = buffer.astype(np.complex64)
    got32 = backend.to_host(fft_kernels.fft_triton(backend.from_host(single), view, inverse),
                            View((3, size), (size, 1), 0))
    np.testing.assert_allclose(got32, reference, atol=1e-5)


# --- windows, stft, istft ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window"])
@pytest.mark.parametrize("length", [0, 1, 2, 7, 16])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_torch(name, length, periodic):
    got = getattr(te, name)(length, periodic, dtype=te.float64).numpy()
    expected = getattr(torch, name)(length, periodic, dtype=torch.float64).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-12)


STFT_SETTINGS = [
    dict(n_fft=8),
    dict(n_fft=8, hop_length=3, win_length=6, window="hann", normalized=True),
    dict(n_fft=6, center=False, window="hamming"),
    dict(n_fft=8, pad_mode="constant", onesided=False, window="blackman"),
    dict(n_fft=5, hop_length=2, window="hann", pad_mode="replicate"),
]


def _with_window(lib, settings_: dict) -> dict:
    result = dict(settings_)
    if "window" in result:
        result["window"] = getattr(lib, result["window"] + "_window")(
            result.get("win_length", result["n_fft"]), dtype=lib.float64)
    return result


@pytest.mark.parametrize("index", range(len(STFT_SETTINGS)))
def test_stft_and_gradients_through_abs_match_torch(index):
    array = np.random.default_rng(index).standard_normal((2, 30))

    def spectrogram(t, x):
        return (t.stft(x, return_complex=True, **_with_window(t, STFT_SETTINGS[index])).abs()
                + 1e-3).log()

    _compare(spectrogram, array, atol=1e-8)
    _compare(lambda t, x: t.stft(x[0], return_complex=True,
                                 **_with_window(t, STFT_SETTINGS[index])), array)


def test_stft_on_the_device(device):
    array = np.random.default_rng(0).standard_normal(16)
    _compare(lambda t, x: t.stft(x, 8, 4, window=t.hann_window(8, dtype=t.float64,
                                                               device=x.device),
                                 return_complex=True).abs(), array, device, atol=1e-8)


@pytest.mark.parametrize("settings_", [dict(n_fft=8, window="hann"),
                                       dict(n_fft=8, hop_length=2, win_length=6, window="hann"),
                                       dict(n_fft=6, hop_length=2, normalized=True),
                                       dict(n_fft=8, window="hann", onesided=False)])
@FEW
@given(length=st.integers(16, 40), seed=st.integers(0, 9))
def test_istft_round_trip(settings_, length, seed):
    signal = np.random.default_rng(seed).standard_normal(length)
    x = te.tensor(signal)
    kwargs = _with_window(te, settings_)
    spectrum = te.stft(x, return_complex=True, **kwargs)
    back = te.istft(spectrum, length=length, **kwargs)
    np.testing.assert_allclose(back.numpy(), signal, atol=1e-10)
    expected = torch.istft(torch.tensor(spectrum.numpy()), length=length,
                           **_with_window(torch, settings_))
    np.testing.assert_allclose(back.numpy(), expected.numpy(), atol=1e-10)


def test_istft_gradient_matches_torch():
    spectrum = np.random.default_rng(3).standard_normal((5, 9, 2))

    def inverse(t, pairs):
        return t.istft(t.view_as_complex(pairs), 8, 2, window=t.hann_window(8, dtype=t.float64))

    _compare(inverse, spectrum)


def test_stft_errors_like_torch():
    with pytest.raises(RuntimeError, match="return_complex parameter be given"):
        te.stft(te.ones(32), 8)
    with pytest.raises(RuntimeError, match="window overlap add min"):
        te.istft(te.stft(te.ones(32), 8, 8, window=te.hann_window(8, periodic=False),
                         return_complex=True, center=False), 8, 8,
                 window=te.hann_window(8, periodic=False), center=False)
