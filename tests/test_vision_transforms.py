"""vision.transforms against hand-computed expectations and PyTorch's interpolation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

import tinygrad_edu
from tinygrad_edu.vision import transforms as T

RNG = np.random.default_rng(1)
GRAY = RNG.integers(0, 256, (6, 9), dtype=np.uint8)
COLOR = RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8)


def test_to_tensor_moves_channels_first_and_scales_uint8() -> None:
    gray = T.ToTensor()(Image.fromarray(GRAY))
    assert gray.shape == (1, 6, 9) and gray.dtype == tinygrad_edu.float32
    np.testing.assert_allclose(gray.numpy()[0], GRAY / 255, rtol=1e-6)
    color = T.ToTensor()(Image.fromarray(COLOR))
    np.testing.assert_allclose(color.numpy(), COLOR.transpose(2, 0, 1) / 255, rtol=1e-6)
    floats = T.ToTensor()(COLOR.astype(np.float64))  # only uint8 is rescaled
    assert floats.dtype == tinygrad_edu.float64 and floats.numpy().max() == COLOR.max()
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([1, 2])


def test_normalize_per_channel() -> None:
    x = T.ToTensor()(Image.fromarray(COLOR))
    mean, std = (0.1, 0.5, 0.9), (0.2, 0.5, 1.0)
    expected = (x.numpy() - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    np.testing.assert_allclose(T.Normalize(mean, std)(x).numpy(), expected, rtol=1e-5,
                               atol=1e-6)
    assert x.numpy().min() >= 0  # not in place by default
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0.5,), (0.0,))(x)
    with pytest.raises(TypeError, match="Input tensor should be a torch tensor"):
        T.Normalize((0.5,), (0.5,))(COLOR)


@pytest.mark.parametrize(("size", "shape"), [((13, 4), (13, 4)), (3, (3, 4)), (12, (12, 18))])
def test_resize_tensor_matches_pytorch_antialiased_bilinear(size, shape) -> None:
    x = RNG.random((2, 6, 9)).astype(np.float32)
    ours = T.Resize(size)(tinygrad_edu.tensor(x))
    theirs = torch.nn.functional.interpolate(torch.tensor(x)[None], size=shape, mode="bilinear",
                                             antialias=True, align_corners=False)[0]
    assert tuple(ours.shape) == (2, *shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_resize_pil_keeps_aspect_ratio_of_the_shorter_side() -> None:
    resized = T.Resize(12)(Image.fromarray(GRAY))
    assert resized.size == (18, 12)  # PIL sizes are (width, height)
    close = np.asarray(T.Resize((12, 18))(Image.fromarray(GRAY))).astype(float)
    ours = T.Resize((12, 18))(tinygrad_edu.tensor(GRAY.astype(np.float32))[None]).numpy()[0]
    assert np.abs(close - ours).max() <= 1.0  # PIL rounds in fixed point


def test_random_crop_with_padding_is_a_seeded_window() -> None:
    x = tinygrad_edu.tensor(RNG.random((3, 5, 7)).astype(np.float32))
    crop = T.RandomCrop((5, 7), padding=2)
    padded = np.pad(x.numpy(), ((0, 0), (2, 2), (2, 2)))
    windows = {(i, j) for i in range(5) for j in range(5)}
    seen = set()
    tinygrad_edu.manual_seed(0)
    first = [crop(x).numpy() for _ in range(40)]
    for out in first:
        matches = [(i, j) for i, j in windows if np.array_equal(out, padded[:, i:i + 5, j:j + 7])]
        assert matches
        seen.update(matches)
    assert len(seen) > 5  # the position really is random
    tinygrad_edu.manual_seed(0)
    assert all(np.array_equal(a, crop(x).numpy()) for a in first)
    image = T.RandomCrop(4, padding=(1, 2), padding_mode="reflect")(Image.fromarray(COLOR))
    assert image.size == (4, 4) and image.mode == "RGB"
    with pytest.raises(ValueError, match="Required crop size \\(8, 8\\) is larger"):
        T.RandomCrop(8)(x)
    assert T.RandomCrop(8, pad_if_needed=True)(x).shape == (3, 8, 8)


def test_random_horizontal_flip() -> None:
    x = tinygrad_edu.tensor(COLOR.transpose(2, 0, 1).astype(np.float32))
    assert np.array_equal(T.RandomHorizontalFlip(p=1.0)(x).numpy(), x.numpy()[..., ::-1])
    assert T.RandomHorizontalFlip(p=0.0)(x) is x
    flipped = np.asarray(T.RandomHorizontalFlip(p=1.0)(Image.fromarray(COLOR)))
    assert np.array_equal(flipped, COLOR[:, ::-1])
    tinygrad_edu.manual_seed(5)
    flips = sum(T.RandomHorizontalFlip()(x) is not x for _ in range(200))
    assert 70 < flips < 130


def test_compose_and_lambda() -> None:
    pipeline = T.Compose([T.ToTensor(), T.Lambda(lambda t: t * 2), T.Normalize((1.0,), (2.0,))])
    out = pipeline(Image.fromarray(GRAY))
    np.testing.assert_allclose(out.numpy()[0], (GRAY / 255 * 2 - 1) / 2, rtol=1e-5, atol=1e-6)
    assert "Lambda()" in repr(pipeline)
    with pytest.raises(TypeError, match="Argument lambd should be callable"):
        T.Lambda(3)
