"""torch.cuda, the part programs use to choose a device: is_available() and friends.

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

is_available() says whether a real GPU is there (asked of the torch package that Triton launches
through; False when torch or Triton is missing). tinygrad_edu's "cuda" device also works without a
GPU, in Triton's interpreter, but far too slowly to train on, so is_available() stays False there,
and the line above picks the CPU as it would with PyTorch.
"""

from __future__ import annotations

import importlib.util

from .random import manual_seed as _manual_seed


def is_available() -> bool:
    """True when a CUDA (or ROCm) GPU can run the Triton kernels."""
    if importlib.util.find_spec("triton") is None or importlib.util.find_spec("torch") is None:
        return False
    from .kernels.triton_support import gpu_available

    return gpu_available()


def device_count() -> int:
    """How many GPUs torch sees (0 without one)."""
    if not is_available():
        return 0
    import torch

    return torch.cuda.device_count()


def synchronize(device: object = None) -> None:
    """Wait for the GPU's queued kernels (for timing); nothing to wait for without a GPU."""
    if is_available():
        import torch

        torch.cuda.synchronize()


def manual_seed(seed: int) -> None:
    """Seed the generator; one generator serves every device here, so this is torch.manual_seed."""
    _manual_seed(seed)


manual_seed_all = manual_seed
