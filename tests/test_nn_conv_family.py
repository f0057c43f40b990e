"""The convolution family against PyTorch (ops/conv_family.py, nn/conv_family.py): conv1d,
transposed convs, 1-D pools, adaptive max pool, unpooling, interpolate, pixel shuffle, group and
instance norm. Values and gradients on every device; the layers' initialisation and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from parity_helpers import LAYOUTS, relayout

import tinygrad_edu as te
from tinygrad_edu.testing import assert_matches_torch
from tinygrad_edu.testing.strategies import arrays


def examples(device: str) -> int:
    """The Triton interpreter is slow: a couple of examples there, more on NumPy."""
    return 6 if device == "cpu" else 2


@st.composite
def transposed_settings(draw: st.DrawFn, dims: int) -> dict:
    stride = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    padding = tuple(draw(st.integers(0, (k - 1) * d // 2)) for k, d in zip(kernel, dilation))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    groups = draw(st.sampled_from([1, 2]))
    one = (lambda v: v[0]) if dims == 1 else (lambda v: v)
    return dict(kernel=kernel, stride=one(stride), padding=one(padding), groups=groups,
                output_padding=one(output_padding), dilation=one(dilation))


@pytest.mark.parametrize("dims", [1, 2])
def test_conv_transpose_matches_torch(dims: int, device: str) -> None:
    @settings(max_examples=examples(device) if device == "cpu" else 2)
    @given(data=st.data(), config=transposed_settings(dims))
    def check(data: st.DataObject, config: dict) -> None:
        groups = config.pop("groups")
        kernel = config.pop("kernel")
        spatial = tuple(data.draw(st.integers(1, 3)) for _ in range(dims))
        x = data.draw(arrays("float32", (2, 2 * groups, *spatial), low=-2, high=2))
        w = data.draw(arrays("float32", (2 * groups, 2, *kernel), low=-2, high=2))
        b = data.draw(arrays("float32", (2 * groups,), low=-2, high=2))
        layout = data.draw(st.sampled_from(LAYOUTS))
        name = f"conv_transpose{dims}d"
        assert_matches_torch(
            lambda t, x, w, b: getattr(t.nn.functional, name)(
                relayout(t, x, layout), w, b, groups=groups, **config), None, x, w, b,
            device=device)

    check()


# name -> (input shape, function)
CASES = {
    "conv1d": ((2, 4, 5), lambda t, x: t.nn.functional.conv1d(
        x, t.arange(24.0, device=x.device).reshape(3, 4, 2) / 10, stride=2, padding=1)),
    "conv1d_same_groups": ((1, 4, 5), lambda t, x: t.conv1d(
        x, t.arange(12.0, device=x.device).reshape(4, 1, 3) / 10, None, 1, "same", 2, 4)),
    "conv1d_unbatched": ((4, 5), lambda t, x: t.nn.functional.conv1d(
        x, t.ones(2, 4, 3, device=x.device), t.ones(2, device=x.device))),
    "max_pool1d": ((2, 3, 7), lambda t, x: t.nn.functional.max_pool1d(x, 3, 2, 1)),
    "max_pool1d_indices": ((2, 7), lambda t, x: t.nn.functional.max_pool1d(
        x, 2, return_indices=True, ceil_mode=True)),
    "avg_pool1d": ((2, 3, 7), lambda t, x: t.avg_pool1d(x, 3, 2, 1, count_include_pad=False)),
    "adaptive_max_pool2d": ((2, 2, 5, 7), lambda t, x: t.nn.functional.adaptive_max_pool2d(
        x, (3, 4), return_indices=True)),
    "adaptive_pools_1d": ((2, 3, 7), lambda t, x: (
        *t.nn.functional.adaptive_max_pool1d(x, 3, return_indices=True),
        t.nn.AdaptiveMaxPool1d(4)(x), t.nn.functional.adaptive_avg_pool1d(x, (3,)),
        t.nn.AdaptiveAvgPool1d(5)(x[0]))),
    "adaptive_max_pool2d_none": ((2, 5, 4), lambda t, x: t.nn.AdaptiveMaxPool2d((2, None))(x)),
    "max_unpool2d": ((2, 2, 4, 5), lambda t, x: t.nn.functional.max_unpool2d(
        *t.nn.functional.max_pool2d(x, 2, return_indices=True), 2, output_size=(4, 5))),
    "nearest": ((2, 2, 3, 4), lambda t, x: t.nn.functional.interpolate(x, scale_factor=2)),
    "nearest_size": ((1, 2, 5), lambda t, x: t.nn.functional.interpolate(x, size=3)),
    "nearest_exact": ((1, 1, 5, 3), lambda t, x: t.nn.functional.interpolate(
        x, size=(3, 7), mode="nearest-exact")),
    "linear": ((1, 2, 4), lambda t, x: t.nn.functional.interpolate(x, size=7, mode="linear")),
    "bilinear": ((2, 1, 3, 4), lambda t, x: t.nn.functional.interpolate(
        x, size=(5, 3), mode="bilinear")),
    "bilinear_corners": ((1, 2, 3, 3), lambda t, x: t.nn.functional.interpolate(
        x, scale_factor=1.5, mode="bilinear", align_corners=True)),
    "bilinear_scale": ((1, 1, 4, 5), lambda t, x: t.nn.functional.interpolate(
        x, scale_factor=(0.7, 2.3), mode="bilinear")),
    "bicubic": ((1, 2, 4, 3), lambda t, x: t.nn.functional.interpolate(
        x, size=(6, 5), mode="bicubic")),
    "bicubic_corners": ((1, 1, 3, 4), lambda t, x: t.nn.functional.interpolate(
        x, scale_factor=2, mode="bicubic", align_corners=True)),
    "trilinear": ((1, 1, 2, 3, 2), lambda t, x: t.nn.functional.interpolate(
        x, size=(3, 2, 4), mode="trilinear")),
    "area": ((1, 2, 6, 4), lambda t, x: t.nn.functional.interpolate(x, size=(3, 2), mode="area")),
    "upsample": ((1, 2, 2, 3), lambda t, x: t.nn.Upsample(scale_factor=2, mode="bilinear")(x)),
    "upsampling_bilinear": ((1, 1, 2, 3), lambda t, x: t.nn.UpsamplingBilinear2d(size=(4, 4))(x)),
    "pixel_shuffle": ((2, 8, 2, 3), lambda t, x: t.pixel_shuffle(x, 2)),
    "pixel_unshuffle": ((1, 2, 4, 6), lambda t, x: t.nn.PixelUnshuffle(2)(x)),
    "pixel_roundtrip": ((3, 9, 2, 1), lambda t, x: t.nn.functional.pixel_unshuffle(
        t.nn.PixelShuffle(3)(x), 3) * 2),
    "group_norm": ((2, 4, 3), lambda t, x: t.nn.functional.group_norm(
        x, 2, t.arange(4.0, device=x.device), t.ones(4, device=x.device), eps=1e-3)),
    "group_norm_layer": ((3, 6, 2, 2), lambda t, x: t.nn.GroupNorm(3, 6).to(x.device)(x)),
    "instance_norm": ((2, 3, 4, 2), lambda t, x: t.nn.functional.instance_norm(x)),
    "instance_norm2d": ((2, 3, 3, 3), lambda t, x: t.nn.InstanceNorm2d(3, affine=True).to(
        x.device)(x)),
    "instance_norm1d_unbatched": ((3, 4), lambda t, x: t.nn.InstanceNorm1d(3)(x)),
}


# One case per function runs on the (slow) Triton interpreter too; the other cases are the same
# composites with other arguments, checked on NumPy.
ON_TRITON = {"conv1d", "max_pool1d_indices", "avg_pool1d", "adaptive_max_pool2d", "max_unpool2d",
             "nearest", "bilinear", "bicubic", "pixel_shuffle", "group_norm", "instance_norm"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_conv_family_matches_torch(name: str, device: str) -> None:
    shape, function = CASES[name]
    if device != "cpu" and name not in ON_TRITON:
        return

    @settings(max_examples=examples(device) if device == "cpu" else 1)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        x = data.draw(arrays("float32", shape, low=-3, high=3))
        # distinct values: no ties for the max pools, no constant groups for the norms (whose
        # output is then rounding noise in both libraries)
        x = x + np.linspace(0, 0.5, x.size, dtype=np.float32).reshape(shape)
        layout = data.draw(st.sampled_from(LAYOUTS))
        assert_matches_torch(lambda t, x: function(t, relayout(t, x, layout)), None, x,
                             device=device, forward_tolerance=(2e-5, 1e-3),
                             gradient_tolerance=(1e-3, 2e-3))

    check()


def test_conv_layers_match_torch_with_the_same_weights(device: str) -> None:
    te.manual_seed(0)
    for make in (lambda nn: nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2),
                 lambda nn: nn.Conv1d(2, 3, 3, padding="same", padding_mode="reflect"),
                 lambda nn: nn.ConvTranspose1d(2, 4, 3, stride=2, padding=1, output_padding=1),
                 lambda nn: nn.ConvTranspose2d(4, 2, (2, 3), stride=(2, 1), groups=2,
                                               dilation=(1, 2))):
        ours, theirs = make(te.nn), make(torch.nn)
        assert ours.weight.shape == tuple(theirs.weight.shape)
        assert repr(ours) == repr(theirs)
        bound = 1 / np.sqrt(ours.weight.shape[1] * np.prod(ours.weight.shape[2:]))
        assert float(ours.weight.abs().max()) <= bound + 1e-6  # kaiming_uniform(a=sqrt(5))
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
            theirs.bias.copy_(torch.tensor(ours.bias.detach().numpy()))
        ours = ours.to(device)
        channels = theirs.in_channels
        x = np.linspace(-1, 1, 2 * channels * 4 * (3 if isinstance(theirs, torch.nn.ConvTranspose2d)
                                                   else 1), dtype=np.float32)
        x = x.reshape(2, channels, 4, -1) if isinstance(theirs, torch.nn.ConvTranspose2d) \
            else x.reshape(2, channels, 4)
        got = ours(te.tensor(x, device=device)).detach().cpu().numpy()
        np.testing.assert_allclose(got, theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)


def test_conv_transpose_output_size_picks_output_padding() -> None:
    layer = te.nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)
    x = te.ones(1, 1, 3, 3)
    assert layer(x, output_size=(6, 6)).shape == (1, 1, 6, 6)
    assert layer(x).shape == (1, 1, 5, 5)
    with pytest.raises(ValueError, match="requested an output size"):
        layer(x, output_size=(8, 8))


def test_instance_norm_running_stats_match_torch() -> None:
    x = np.linspace(-2, 3, 2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4) ** 2
    ours = te.nn.InstanceNorm1d(3, track_running_stats=True, momentum=0.3)
    theirs = torch.nn.InstanceNorm1d(3, track_running_stats=True, momentum=0.3)
    for _ in range(2):
        ours(te.tensor(x))
        theirs(torch.tensor(x))
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-5)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(te.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(),
                               rtol=1e-4, atol=1e-5)


ERRORS = [
    (lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 2, 3, 3), t.ones(2, 1, 2, 2),
                                                stride=2, output_padding=2),
     "output padding must be smaller than either stride or dilation"),
    (lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 3, 3, 3), t.ones(2, 1, 2, 2)),
     "expected input"),
    (lambda t: t.nn.functional.conv1d(t.ones(2, 3, 4, 5), t.ones(1, 3, 2)), "conv1d"),
    (lambda t: t.pixel_shuffle(t.ones(1, 3, 2, 2), 2), "divisible by the square"),
    (lambda t: t.pixel_unshuffle(t.ones(1, 1, 3, 4), 2), "divisible by downscale_factor"),
    (lambda t: t.nn.functional.group_norm(t.ones(2, 3, 4), 2), "divisible by num_groups"),
    (lambda t: t.nn.functional.interpolate(t.ones(1, 1, 2, 2), scale_factor=2,
                                           align_corners=True), "align_corners option"),
    (lambda t: t.nn.functional.interpolate(t.ones(1, 1, 2, 2)), "size or scale_factor"),
    (lambda t: t.nn.functional.interpolate(t.ones(1, 1, 2, 2), size=3, scale_factor=2),
     "only one of size or scale_factor"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_conv_family_errors_are_torchs(index: int) -> None:
    build, message = ERRORS[index]
    with pytest.raises((RuntimeError, ValueError, NotImplementedError), match=message) as theirs:
        build(torch)
    with pytest.raises(type(theirs.value), match=message):
        build(te)
