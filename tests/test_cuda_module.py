"""torch.cuda.is_available() picks the device as in PyTorch: a real GPU, or the CPU."""

from __future__ import annotations

import torch

import tinygrad_edu as te


def test_is_available_reports_a_real_gpu_only() -> None:
    assert te.cuda.is_available() == torch.cuda.is_available()
    assert te.cuda.device_count() == (torch.cuda.device_count() if torch.cuda.is_available() else 0)
    chosen = te.device("cuda" if te.cuda.is_available() else "cpu")
    assert chosen.type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_cuda_manual_seed_seeds_the_generator() -> None:
    te.cuda.manual_seed(7)
    first = te.rand(3).tolist()
    te.cuda.manual_seed_all(7)
    assert te.rand(3).tolist() == first
    te.cuda.synchronize()
