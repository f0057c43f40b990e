"""Conv2d and the pooling layers against PyTorch: forward, input and weight gradients, for stride,
padding (ints, 'same', 'valid', padding modes), dilation, groups and ceil_mode, over
Hypothesis-drawn shapes; double backward through conv and pooling; the conv primitive (both of its
cols layouts) against plain loops."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from nn_parity import check_module, close

import tinygrad_edu
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F


def random_array(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@st.composite
def conv_settings(draw: st.DrawFn) -> dict:
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding_kind = draw(st.sampled_from(["int", "pair", "same", "valid"]))
    stride = (1, 1) if padding_kind == "same" else (draw(st.integers(1, 3)),
                                                    draw(st.integers(1, 3)))
    padding = {"int": draw(st.integers(0, 2)), "pair": (draw(st.integers(0, 2)),
                                                         draw(st.integers(0, 2))),
               "same": "same", "valid": "valid"}[padding_kind]
    return {"in_channels": groups * draw(st.integers(1, 2)),
            "out_channels": groups * draw(st.integers(1, 2)), "kernel_size": kernel,
            "stride": stride, "padding": padding, "dilation": dilation, "groups": groups,
            "bias": draw(st.booleans())}


def input_size(draw: st.DrawFn, settings: dict) -> tuple[int, int]:
    """A spatial size at least as big as the dilated kernel (so the output is not empty)."""
    sizes = []
    for d in range(2):
        span = settings["dilation"][d] * (settings["kernel_size"][d] - 1) + 1
        sizes.append(draw(st.integers(span, span + 4)))
    return tuple(sizes)


@given(st.data(), conv_settings(), st.integers(0, 2**16))
def test_conv2d_matches_torch(device: str, data: st.DataObject, settings: dict, seed: int) -> None:
    height, width = input_size(data.draw, settings)
    batch = data.draw(st.integers(1, 3))
    x = random_array(seed, (batch, settings["in_channels"], height, width))
    check_module(nn.Conv2d(**settings), torch.nn.Conv2d(**settings), x, device=device)


@given(st.sampled_from(["reflect", "replicate", "circular"]), st.integers(1, 2),
       st.integers(0, 2**16))
def test_conv2d_padding_modes(device: str, mode: str, pad: int, seed: int) -> None:
    settings = {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": pad,
                "padding_mode": mode}
    x = random_array(seed, (2, 2, 4, 5))
    check_module(nn.Conv2d(**settings), torch.nn.Conv2d(**settings), x, device=device)


def test_conv2d_unbatched_input_and_even_kernel_same_padding(device: str) -> None:
    settings = {"in_channels": 2, "out_channels": 2, "kernel_size": (2, 4), "padding": "same",
                "dilation": (2, 1)}
    check_module(nn.Conv2d(**settings), torch.nn.Conv2d(**settings), random_array(1, (2, 5, 6)),
                 device=device)


@st.composite
def pool_settings(draw: st.DrawFn, with_dilation: bool) -> dict:
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if with_dilation else (1, 1)
    padding = tuple(draw(st.integers(0, kernel[d] // 2)) for d in range(2))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    settings = {"kernel_size": kernel, "stride": stride, "padding": padding,
                "ceil_mode": draw(st.booleans())}
    if with_dilation:
        settings["dilation"] = dilation
    return settings


def _pool_input(data: st.DataObject, settings: dict, seed: int) -> np.ndarray:
    dilation = settings.get("dilation", (1, 1))
    sizes = [data.draw(st.integers(dilation[d] * (settings["kernel_size"][d] - 1) + 1, 8))
             for d in range(2)]
    batch = data.draw(st.sampled_from([(), (2,)]))
    return random_array(seed, (*batch, 3, *sizes))


@given(st.data(), pool_settings(with_dilation=True), st.integers(0, 2**16))
def test_max_pool2d_matches_torch(device: str, data: st.DataObject, settings: dict,
                                  seed: int) -> None:
    x = _pool_input(data, settings, seed)
    check_module(nn.MaxPool2d(**settings), torch.nn.MaxPool2d(**settings), x, device=device)


@given(st.data(), pool_settings(with_dilation=False), st.booleans(),
       st.sampled_from([None, 2]), st.integers(0, 2**16))
def test_avg_pool2d_matches_torch(device: str, data: st.DataObject, settings: dict,
                                  count_include_pad: bool, divisor: int | None, seed: int) -> None:
    x = _pool_input(data, settings, seed)
    settings = {**settings, "count_include_pad": count_include_pad, "divisor_override": divisor}
    check_module(nn.AvgPool2d(**settings), torch.nn.AvgPool2d(**settings), x, device=device)


@given(st.integers(1, 7), st.integers(1, 7), st.sampled_from([1, 2, 3, None]),
       st.integers(0, 2**16))
def test_adaptive_avg_pool2d_matches_torch(device: str, height: int, width: int,
                                           out: int | None, seed: int) -> None:
    size = (3, out)
    x = random_array(seed, (2, 2, height, width))
    check_module(nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), x, device=device)


def test_max_pool2d_return_indices_match_torch(device: str) -> None:
    x = random_array(3, (2, 3, 7, 6))
    ours, our_indices = F.max_pool2d(tinygrad_edu.tensor(x, device=device), 3, 2, 1,
                                     return_indices=True)
    theirs, their_indices = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1,
                                                           return_indices=True)
    close("values", ours, theirs, (0, 0))
    np.testing.assert_array_equal(our_indices.cpu().numpy(), their_indices.numpy())


def _double_backward(module: object, function: str, x: np.ndarray, w: np.ndarray | None,
                     **kwargs: object) -> list[np.ndarray]:
    """d/d(x, w) of sum(grad_x(f)^2): exercises the backward of the backward."""
    inputs = [module.tensor(x, requires_grad=True)]
    if w is not None:
        inputs.append(module.tensor(w, requires_grad=True))
    out = getattr(module.nn.functional, function)(*inputs, **kwargs)
    weights = module.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape))
                            .astype(np.float32))
    grads = module.autograd.grad((out * weights).sum(), inputs, create_graph=True)
    total = sum((g * g).sum() for g in grads)
    total.backward()
    return [t.grad.detach().numpy() for t in inputs]


@pytest.mark.parametrize("function, kwargs, with_weight", [
    ("conv2d", {"stride": 2, "padding": 1, "dilation": 1, "groups": 2}, True),
    ("conv2d", {"stride": 1, "padding": 2, "dilation": 2}, True),
    ("max_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, False),
    ("avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
     False),
])
def test_double_backward_matches_torch(function: str, kwargs: dict, with_weight: bool) -> None:
    x = random_array(0, (2, 4, 7, 6))
    w = random_array(1, (6, 4 // kwargs.get("groups", 1), 3, 3)) if with_weight else None
    ours = _double_backward(tinygrad_edu, function, x, w, **kwargs)
    theirs = _double_backward(torch, function, x, w, **kwargs)
    for index, (a, b) in enumerate(zip(ours, theirs)):
        close(f"second-order grad {index}", a, b, (1e-3, 1e-3))


@pytest.mark.parametrize("kernel, stride, padding, dilation", [
    ((2, 3), (2, 1), (1, 0, 2, 1), (1, 2)),  # strided layout
    ((2, 3), (1, 1), (1, 0, 2, 1), (1, 2)),  # stride 1, output narrower than input: wide rows
    ((3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),  # stride 1, output as wide as input: tight rows
    ((2, 4), (1, 1), (0, 1, 1, 2), (1, 1)),  # tight, asymmetric ('same' for an even kernel)
    ((3, 2), (1, 1), (2, 2, 1, 1), (2, 2)),  # tight, dilated
])
@pytest.mark.parametrize("channels_first", [False, True])
def test_conv2d_primitives_match_direct_loops(kernel: tuple, stride: tuple, padding: tuple,
                                              dilation: tuple, channels_first: bool,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The im2col reference against the definition, written as plain loops; its two backward
    products against PyTorch's autograd of that definition. Both cols layouts, whichever the
    reference would pick for these shapes."""
    from tinygrad_edu.kernels import View, contiguous_strides, conv, numpy_backend

    monkeypatch.setattr(conv, "_channels_first", lambda *_: channels_first)
    groups = 2
    x, w = random_array(0, (2, 4, 6, 5)), random_array(1, (6, 2, *kernel))
    padded = np.pad(x, ((0, 0), (0, 0), padding[:2], padding[2:]))
    out = numpy_backend.conv2d(x.reshape(-1), View(x.shape, contiguous_strides(x.shape)),
                               w.reshape(-1), View(w.shape, contiguous_strides(w.shape)),
                               stride, padding, dilation, groups)
    n, o, kh, kw = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    out_h = (padded.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (padded.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    expected = np.zeros((n, o, out_h, out_w))
    per_group = w.shape[1]
    for b in range(n):
        for oc in range(o):
            first = (oc // (o // groups)) * per_group
            for i in range(out_h):
                for j in range(out_w):
                    rows = i * stride[0] + np.arange(kh) * dilation[0]
                    cols = j * stride[1] + np.arange(kw) * dilation[1]
                    patch = padded[b, first:first + per_group][:, rows][:, :, cols]
                    expected[b, oc, i, j] = (patch * w[oc]).sum()
    np.testing.assert_allclose(out.reshape(expected.shape), expected, atol=1e-5)
    dy = random_array(2, expected.shape)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    padded_torch = torch.nn.functional.pad(tx, (padding[2], padding[3], padding[0], padding[1]))
    torch.nn.functional.conv2d(padded_torch, tw, stride=stride, dilation=dilation,
                               groups=groups).backward(torch.tensor(dy))
    dy_view = View(dy.shape, contiguous_strides(dy.shape))
    dx = numpy_backend.conv2d_backward_input(dy.reshape(-1), dy_view, w.reshape(-1),
                                             View(w.shape, contiguous_strides(w.shape)), x.shape,
                                             stride, padding, dilation, groups)
    dw = numpy_backend.conv2d_backward_weight(dy.reshape(-1), dy_view, x.reshape(-1),
                                              View(x.shape, contiguous_strides(x.shape)),
                                              w.shape, stride, padding, dilation, groups)
    np.testing.assert_allclose(dx.reshape(x.shape), tx.grad.numpy(), atol=1e-4)
    np.testing.assert_allclose(dw.reshape(w.shape), tw.grad.numpy(), atol=1e-4)


def test_max_pool2d_nan_wins_its_window(device: str) -> None:
    """A nan is the maximum of its window (values, indices and the gradient routed to it): the
    reference finds nan windows from its output, then tracks the winner nan-aware."""
    x = random_array(5, (1, 2, 4, 6))
    x[0, 1, 2, 3] = np.nan
    ours_x = tinygrad_edu.tensor(x, device=device, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    ours, our_indices = F.max_pool2d(ours_x, 2, return_indices=True)
    theirs, their_indices = torch.nn.functional.max_pool2d(theirs_x, 2, return_indices=True)
    close("values", ours, theirs, (0, 0))
    np.testing.assert_array_equal(our_indices.cpu().numpy(), their_indices.numpy())
    ours.nan_to_num().sum().backward()
    theirs.nan_to_num().sum().backward()
    close("grad", ours_x.grad, theirs_x.grad, (0, 0))
