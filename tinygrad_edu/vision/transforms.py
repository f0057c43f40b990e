"""Image transforms (torchvision.transforms): small callables chained by Compose.

    transform = Compose([RandomCrop(32, padding=4), RandomHorizontalFlip(), ToTensor(),
                         Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])

Before ToTensor an image is a PIL Image (H, W[, C], uint8); after it, a float tensor (C, H, W) in
[0, 1]. Normalize then maps each channel c to (x - mean[c]) / std[c], e.g. [0, 1] -> [-1, 1].
The geometric transforms accept both. Random transforms draw from tinygrad_edu's generator, so
`manual_seed` makes augmentation reproducible (and DataLoader workers each get their own seed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..creation import as_tensor, rand, randint, tensor
from ..dtypes import float32
from ..tensor import Tensor
from .images import is_pil_image, pil_module, resize_array, to_pil


class Compose:
    """Apply transforms one after the other."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]):
        self.transforms = list(transforms)

    def __call__(self, image: Any) -> Any:
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self) -> str:
        inner = "".join(f"\n    {transform}" for transform in self.transforms)
        return f"{type(self).__name__}({inner}\n)"


class ToTensor:
    """PIL Image or ndarray (H, W[, C]) -> float32 tensor (C, H, W); uint8 is scaled to [0, 1]."""

    def __call__(self, picture: Any) -> Tensor:
        if is_pil_image(picture):
            array = np.asarray(picture)
            if picture.mode == "1":
                array = array.astype(np.uint8) * 255
        elif isinstance(picture, np.ndarray):
            if picture.ndim not in (2, 3):
                raise ValueError(f"pic should be 2/3 dimensional. Got {picture.ndim} dimensions.")
            array = picture
        else:
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(picture)}")
        if array.ndim == 2:
            array = array[:, :, None]
        channels_first = np.ascontiguousarray(array.transpose(2, 0, 1))
        if channels_first.dtype == np.uint8:
            return tensor(channels_first.astype(np.float32) / 255)
        return as_tensor(channels_first)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """Per channel: (x - mean[c]) / std[c] on a float tensor (..., C, H, W)."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        self.mean, self.std, self.inplace = tuple(mean), tuple(std), inplace

    def __call__(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            raise TypeError(f"Input tensor should be a torch tensor. Got {type(x)}.")
        if not x.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {x.dtype}.")
        if x.ndim < 3:
            raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got "
                             f"tensor.size() = {x.shape}")
        mean = tensor(self.mean, dtype=x.dtype).reshape(-1, 1, 1)
        std = tensor(self.std, dtype=x.dtype).reshape(-1, 1, 1)
        if (std == 0).any().item():
            raise ValueError(f"std evaluated to zero after conversion to {x.dtype}, leading to "
                             "division by zero.")
        if self.inplace:
            return x.sub_(mean).div_(std)
        return (x - mean) / std

    def __repr__(self) -> str:
        return f"Normalize(mean={list(self.mean)}, std={list(self.std)})"


def _target_size(size: int | Sequence[int], height: int, width: int) -> tuple[int, int]:
    """An int resizes the shorter side to it (keeping the aspect ratio); (h, w) is exact."""
    if isinstance(size, int):
        if height <= width:
            return size, int(size * width / height)
        return int(size * height / width), size
    if len(size) == 1:
        return _target_size(size[0], height, width)
    return int(size[0]), int(size[1])


class Resize:
    """Resize with a bilinear (triangle) filter, antialiased when shrinking."""

    def __init__(self, size: int | Sequence[int], antialias: bool = True):
        if not isinstance(size, int) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size, self.antialias = size, antialias

    def __call__(self, image: Any) -> Any:
        if is_pil_image(image):
            height, width = _target_size(self.size, image.height, image.width)
            return image.resize((width, height), pil_module().BILINEAR)
        if not isinstance(image, Tensor):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(image)}")
        height, width = _target_size(self.size, image.shape[-2], image.shape[-1])
        resized = resize_array(image.numpy(), height, width)
        if not image.is_floating_point():
            resized = np.clip(np.rint(resized), 0, 255)
        return tensor(resized, dtype=image.dtype)

    def __repr__(self) -> str:
        return f"Resize(size={self.size}, interpolation=bilinear, antialias={self.antialias})"


def _as_chw_array(image: Any) -> tuple[np.ndarray, bool]:
    """(array with the image axes last two, whether it came from PIL)."""
    if is_pil_image(image):
        array = np.asarray(image)
        return (array if array.ndim == 2 else array.transpose(2, 0, 1)), True
    if isinstance(image, Tensor):
        return image.numpy(), False
    raise TypeError(f"img should be PIL Image or Tensor. Got {type(image)}")


def _back(array: np.ndarray, from_pil: bool, like: Any) -> Any:
    if from_pil:
        return to_pil(array if array.ndim == 2 else array.transpose(1, 2, 0))
    return tensor(np.ascontiguousarray(array), dtype=like.dtype)


class RandomCrop:
    """Pad (optionally), then cut a size crop at a uniformly random position."""

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 pad_if_needed: bool = False, fill: float = 0, padding_mode: str = "constant"):
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    def _pad(self, array: np.ndarray, left: int, top: int, right: int, bottom: int) -> np.ndarray:
        widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
        if self.padding_mode == "constant":
            return np.pad(array, widths, mode="constant", constant_values=self.fill)
        return np.pad(array, widths, mode=self.padding_mode)

    def __call__(self, image: Any) -> Any:
        array, from_pil = _as_chw_array(image)
        if self.padding is not None:
            pad = self.padding
            left, top, right, bottom = ((pad,) * 4 if isinstance(pad, int) else
                                        (pad[0], pad[1], pad[0], pad[1]) if len(pad) == 2 else
                                        tuple(pad))
            array = self._pad(array, left, top, right, bottom)
        crop_h, crop_w = self.size
        if self.pad_if_needed:
            extra_w, extra_h = max(crop_w - array.shape[-1], 0), max(crop_h - array.shape[-2], 0)
            array = self._pad(array, extra_w, extra_h, extra_w, extra_h)
        height, width = array.shape[-2:]
        if height < crop_h or width < crop_w:
            raise ValueError(f"Required crop size {(crop_h, crop_w)} is larger than input image "
                             f"size {(height, width)}")
        top = int(randint(0, height - crop_h + 1, (1,)).item())
        left = int(randint(0, width - crop_w + 1, (1,)).item())
        return _back(array[..., top:top + crop_h, left:left + crop_w], from_pil, image)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror the image left-right with probability p."""

    def __init__(self, p: float = 0.5):
        self.p = p

    def __call__(self, image: Any) -> Any:
        if rand(1, dtype=float32).item() >= self.p:
            return image
        if is_pil_image(image):
            return image.transpose(pil_module().FLIP_LEFT_RIGHT)
        if not isinstance(image, Tensor):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(image)}")
        return image.flip(-1)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class Lambda:
    """Wrap any function as a transform."""

    def __init__(self, lambd: Callable[[Any], Any]):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, image: Any) -> Any:
        return self.lambd(image)

    def __repr__(self) -> str:
        return "Lambda()"
