"""A training step on device "cuda" never waits for the GPU: counted launches and transfers.

On a GPU every device-to-host copy stalls the host until the queued kernels finish, so checks
(bad index, bad class target, integer division by zero) happen inside the kernels and are raised
at the next host read, with PyTorch's message. These tests count what one Adam step of a small
digits CNN costs (kernel launches, device-to-host transfers) through
kernels.triton_support.COUNTS, and check that errors still surface, with the right message, at
the next read. Runs under Triton's interpreter when there is no GPU.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch as real_torch

import tinygrad_edu as torch
from tinygrad_edu import nn

pytestmark = pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                                reason="Triton is not installed")

# One Adam step of the digits CNN (batch 8) must stay within these: the launch count today
# (benchmarks/interpreter.py prints it); lower it as kernels fuse, never raise it silently.
CNN_STEP_LAUNCHES = 33  # 37 before the conv bias epilogue, input and pool gathers


def _counts():
    from tinygrad_edu.kernels import triton_support

    return dict(triton_support.COUNTS)


def _torch_error(function) -> str:
    with pytest.raises(Exception) as caught:
        function()
    return str(caught.value)


def test_out_of_range_gather_is_raised_at_the_next_read_with_pytorchs_message():
    x = torch.tensor([1.0, 2.0, 3.0], device="cuda")
    index = torch.tensor([0, 5], device="cuda")
    before = _counts()
    y = x.gather(0, index)  # no host read: nothing raised yet
    assert _counts()["to_host"] == before["to_host"]
    expected = _torch_error(lambda: real_torch.tensor([1.0, 2.0, 3.0]).gather(
        0, real_torch.tensor([0, 5])))
    with pytest.raises(IndexError) as caught:
        y.tolist()
    assert str(caught.value) == expected
    assert y.shape == (2,)


def test_bad_cross_entropy_target_is_raised_at_the_next_read():
    logits = np.zeros((2, 3), np.float32)
    before = _counts()
    loss = nn.functional.cross_entropy(torch.tensor(logits, device="cuda"),
                                       torch.tensor([1, 7], device="cuda"))
    assert _counts()["to_host"] == before["to_host"]
    expected = _torch_error(lambda: real_torch.nn.functional.cross_entropy(
        real_torch.tensor(logits), real_torch.tensor([1, 7])))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        loss.item()
    assert "Target 7 is out of bounds" in expected
    ok = nn.functional.cross_entropy(torch.tensor(logits, device="cuda"),
                                     torch.tensor([1, -100], device="cuda"))
    assert ok.item() == pytest.approx(np.log(3), rel=1e-6)  # ignore_index is not an error



@pytest.mark.parametrize("bad", [7, 3, -1, -5])
@pytest.mark.parametrize("weighted", [False, True])
def test_bad_nll_loss_target_is_raised_at_the_next_read_with_pytorchs_message(bad, weighted):
    log_p = np.log(np.full((3, 3), 1 / 3, np.float32))
    weight = np.array([1.0, 2.0, 0.5], np.float32) if weighted else None
    before = _counts()
    loss = nn.functional.nll_loss(
        torch.tensor(log_p, device="cuda", requires_grad=True),
        torch.tensor([1, bad, -100], device="cuda"),
        None if weight is None else torch.tensor(weight, device="cuda"))
    loss.backward()  # no host read in the forward or the backward: nothing raised yet
    assert _counts()["to_host"] == before["to_host"]
    expected = _torch_error(lambda: real_torch.nn.functional.nll_loss(
        real_torch.tensor(log_p), real_torch.tensor([1, bad, -100]),
        None if weight is None else real_torch.tensor(weight)))
    with pytest.raises(IndexError) as caught:
        loss.item()
    assert str(caught.value) == expected == f"Target {bad} is out of bounds."
    good = nn.functional.nll_loss(torch.tensor(log_p, device="cuda"),
                                  torch.tensor([1, 2, -100], device="cuda"))
    assert good.item() == pytest.approx(np.log(3), rel=1e-6)  # ignore_index is not an error

def test_integer_division_by_zero_is_raised_at_the_next_read():
    a = torch.tensor([4, 5], device="cuda")
    b = torch.tensor([2, 0], device="cuda")
    quotient = a // b
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        quotient.tolist()
    assert (a // torch.tensor([2, 1], device="cuda")).tolist() == [2, 5]


def _digits_cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10))


def test_a_digits_cnn_adam_step_makes_no_device_to_host_transfer():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    model = _digits_cnn().to("cuda")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.tensor(rng.random((8, 1, 8, 8), np.float32), device="cuda")
    y = torch.tensor(rng.integers(0, 10, 8), device="cuda")

    def step():
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    first = step().item()  # the first step also creates Adam's state
    before = _counts()
    loss = step()
    launches = _counts()["launches"] - before["launches"]
    assert _counts()["to_host"] - before["to_host"] == 0
    assert 0 < launches <= CNN_STEP_LAUNCHES
    assert loss.item() < first  # it trains
