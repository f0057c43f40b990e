"""The CPU convolution's forward keeps its cols (im2col of the input) for the weight gradient of
the same input (kernels/conv.py, _kept_columns). These tests pin down that the cache changes only
the time: the weight gradient is the same with and without it, a miss rebuilds cols, entries are
taken once and bounded in number, and an input written in place after the forward cannot reach
a stale cols silently (autograd's version counter refuses the backward)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tinygrad_edu.kernels import conv
from tinygrad_edu.kernels.strided import contiguous_view

import tinygrad_edu

# (input shape, weight shape, stride, padding (t, b, l, r), dilation, groups): the channels-last
# cols layout (deep input), the channels-first one (one input channel), groups and dilation
GEOMETRIES = [((4, 6, 7, 6), (8, 6, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
              ((3, 1, 9, 8), (4, 1, 3, 2), (2, 1), (0, 1, 1, 0), (1, 1), 1),
              ((2, 4, 8, 9), (6, 2, 2, 3), (1, 2), (1, 0, 2, 2), (2, 1), 2)]


def _arrays(x_shape: tuple, w_shape: tuple, stride: tuple, padding: tuple, dilation: tuple
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32).reshape(-1)
    w = rng.standard_normal(w_shape).astype(np.float32).reshape(-1)
    y_shape = conv.conv2d_output_shape(x_shape, w_shape, stride, padding, dilation)
    dy = rng.standard_normal(y_shape).astype(np.float32).reshape(-1)
    return x, w, dy, y_shape


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation, groups", GEOMETRIES)
def test_weight_gradient_is_the_same_with_the_forwards_cols(x_shape, w_shape, stride, padding,
                                                            dilation, groups) -> None:
    x, w, dy, y_shape = _arrays(x_shape, w_shape, stride, padding, dilation)
    args = (dy, contiguous_view(y_shape), x, contiguous_view(x_shape), w_shape, stride, padding,
            dilation, groups)
    conv._kept_columns.clear()
    rebuilt = conv.conv2d_backward_weight_reference(*args)  # a miss: cols built here
    conv.conv2d_reference(x, contiguous_view(x_shape), w, contiguous_view(w_shape), stride,
                          padding, dilation, groups)
    assert len(conv._kept_columns) == 1
    shared = conv.conv2d_backward_weight_reference(*args)  # a hit: the forward's cols
    assert not conv._kept_columns  # taken once
    np.testing.assert_array_equal(shared, rebuilt)


def test_kept_columns_are_bounded_and_keyed_by_the_input_buffer() -> None:
    x_shape, w_shape, stride, padding, dilation, groups = GEOMETRIES[0]
    x, w, dy, y_shape = _arrays(x_shape, w_shape, stride, padding, dilation)
    conv._kept_columns.clear()
    copies = [x.copy() for _ in range(conv._KEPT + 2)]
    for buffer in copies:
        conv.conv2d_reference(buffer, contiguous_view(x_shape), w, contiguous_view(w_shape),
                              stride, padding, dilation, groups)
    assert len(conv._kept_columns) == conv._KEPT
    kept = [entry[0] for entry in conv._kept_columns.values()]
    assert all(any(k is c for c in copies[-conv._KEPT:]) for k in kept)  # the newest ones
    # another buffer with the same values and view is a miss, not a hit on a neighbour's cols
    other = x.copy()
    key = conv._columns_key(other, contiguous_view(x_shape), tuple(w_shape[2:]), stride,
                            padding, dilation, groups, np.dtype(np.float32))
    assert conv._take_columns(key, other) is None
    conv._kept_columns.clear()


def test_an_input_written_after_the_forward_cannot_reach_stale_cols() -> None:
    conv_layer = tinygrad_edu.nn.Conv2d(3, 4, 3, padding=1)
    x = tinygrad_edu.randn(2, 3, 5, 5)
    y = conv_layer(x)
    with tinygrad_edu.no_grad():
        x.add_(1.0)  # the saved input changes: its cols from the forward are stale
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_training_steps_match_torch_with_the_shared_cols() -> None:
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.ReLU(),
                                    torch.nn.Conv2d(4, 3, 3, padding=1))
    model = tinygrad_edu.nn.Sequential(tinygrad_edu.nn.Conv2d(2, 4, 3, padding=1),
                                       tinygrad_edu.nn.ReLU(),
                                       tinygrad_edu.nn.Conv2d(4, 3, 3, padding=1))
    with tinygrad_edu.no_grad():
        for mine, theirs in zip(model.parameters(), reference.parameters()):
            mine.copy_(tinygrad_edu.tensor(theirs.detach().numpy()))
    ours = tinygrad_edu.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(1)
    for _ in range(3):  # a new input buffer each step, as in training
        batch = rng.standard_normal((3, 2, 6, 5)).astype(np.float32)
        for net, optimizer, module in ((model, ours, tinygrad_edu), (reference, theirs, torch)):
            optimizer.zero_grad()
            (net(module.tensor(batch)) ** 2).mean().backward()
            optimizer.step()
    for mine, theirs in zip(model.parameters(), reference.parameters()):
        np.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=1e-5,
                                   atol=1e-5)
