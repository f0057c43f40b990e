"""Images as arrays: PIL conversion and resampling, shared by the datasets and the transforms.

A grayscale image is an (H, W) array, a color image (H, W, C) — "channels last", as PIL and NumPy
store them; ToTensor moves channels first, (C, H, W), which is what convolutions expect.

Resizing with a triangle ("bilinear") filter: output pixel i covers source coordinates around
    center = (i + 0.5) * scale - 0.5          (scale = input size / output size)
and averages the source pixels j within `support = max(scale, 1)` of it, with weights
    w_ij = max(0, 1 - |j - center| / support), normalised to sum to 1.
Enlarging (scale < 1) this is plain linear interpolation between the two nearest pixels. Shrinking,
the filter widens to cover every source pixel that falls inside the output pixel ("antialiasing"),
instead of sampling two of them and ignoring the rest. As the filter is separable, resizing is two
matrix products: rows then columns, out = W_h @ image @ W_w^T.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def pil_module() -> Any:
    """PIL.Image, imported on first use (a clear error if Pillow is missing)."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("tinygrad_edu.vision returns images as PIL Images: install Pillow "
                          "(pip install 'tinygrad-edu[train]' or pip install pillow)") from error
    return Image


def is_pil_image(image: Any) -> bool:
    return type(image).__module__.startswith("PIL.")


def to_pil(array: np.ndarray) -> Any:
    """An (H, W) or (H, W, 3) uint8 array as a PIL Image ('L' or 'RGB')."""
    return pil_module().fromarray(np.ascontiguousarray(array))


def dataset_item(image: np.ndarray, target: Any, transform: Any, target_transform: Any
                 ) -> tuple[Any, Any]:
    """What a vision dataset returns for one index: (PIL image, label), transformed if asked."""
    picture = to_pil(image)
    if transform is not None:
        picture = transform(picture)
    if target_transform is not None:
        target = target_transform(target)
    return picture, target


def resampling_weights(input_size: int, output_size: int) -> np.ndarray:
    """The (output_size, input_size) matrix of the triangle filter described above."""
    scale = input_size / output_size
    support = max(scale, 1.0)
    centers = (np.arange(output_size) + 0.5) * scale - 0.5
    sources = np.arange(input_size)
    weights = np.maximum(0.0, 1.0 - np.abs(sources[None, :] - centers[:, None]) / support)
    return weights / weights.sum(axis=1, keepdims=True)


def resize_array(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize the last two axes of an array (..., H, W) to (..., height, width), in float64."""
    rows = resampling_weights(image.shape[-2], height)
    columns = resampling_weights(image.shape[-1], width)
    return rows @ image.astype(np.float64) @ columns.T
