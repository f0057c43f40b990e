"""The fused nn kernels against their NumPy references: cross-entropy, dropout, batch/layer norm.

Same rules as test_triton_kernels.py (whose helpers this file reuses): small shapes, strided and
broadcast views, a few programs per launch under the interpreter. Block sizes are patched down
(`streaming=True`) so that rows and groups wider than one block, and the edge sizes BLOCK - 1,
BLOCK and BLOCK + 1, run the multi-block loops without large inputs.

Dropout's two implementations draw from different Philox streams (NumPy's and tl.rand), so they
are checked against the contract instead of each other: deterministic per (seed, offset), the
mask broadcasts over the mask shape, kept elements are scaled by exactly 1 / (1 - p), the kept
fraction is near 1 - p, and (Triton) element j of the mask depends on word j % 4 of counter
offset + j // 4 only.
"""

from __future__ import annotations

import contextlib
import importlib.util

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_triton_kernels import FEW, assert_close, download, run_both, strided, upload
from tinygrad_edu.kernels import View, as_numpy, contiguous_view
from tinygrad_edu.kernels import cross_entropy as cross_entropy_family
from tinygrad_edu.kernels import normalization as normalization_family

pytestmark = pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                                reason="Triton is not installed")

FLOAT_DTYPES = ("float32", "float16", "float64")
# float16 data, float32 statistics: backward sums of M products keep ~1e-3 relative error
GRADIENT_TOLERANCE = {"float16": (5e-2, 5e-2), "float32": (1e-4, 1e-4), "float64": (1e-10, 1e-10)}


@contextlib.contextmanager
def block_sizes(module, **sizes):
    """Temporarily smaller blocks, so that a few elements already need several of them (with the
    GPU's launch configurations: the interpreter's would take whole groups in one block)."""
    from tinygrad_edu.kernels.triton_support import gpu_launch_configs

    previous = {name: getattr(module, name) for name in sizes}
    for name, value in sizes.items():
        setattr(module, name, value)
    try:
        with gpu_launch_configs():
            yield
    finally:
        for name, value in previous.items():
            setattr(module, name, value)


def assert_all_close(got, expected, dtype, tolerance=None):
    for got_one, expected_one in zip(got, expected, strict=True):
        if expected_one is None:
            assert got_one is None
            continue
        if tolerance is None:
            assert_close(download(got_one), expected_one, dtype)
        else:
            np.testing.assert_allclose(download(got_one).astype(np.float64),
                                       np.asarray(expected_one, np.float64), atol=tolerance[0],
                                       rtol=tolerance[1])


# --- cross-entropy -----------------------------------------------------------------------------


@FEW
@given(st.sampled_from(FLOAT_DTYPES), st.integers(1, 6), st.sampled_from([1, 2, 5, 7, 8, 9]),
       st.booleans(), st.sampled_from([0.0, 0.1, 0.5]), st.sampled_from([-100, 1]),
       st.booleans(), st.sampled_from(["none", "sum", "mean"]), st.data())
def test_cross_entropy_and_its_backward_match_reference(dtype, rows, classes, weighted, smoothing,
                                                        ignore_index, streaming, reduction, data):
    x, x_view = data.draw(strided(dtype, shape=(rows, classes)))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    target = rng.integers(0, classes, rows).astype(np.int64)
    target[rng.random(rows) < 0.3] = ignore_index
    target[0] = 0  # one counted row at least: 'mean' of nothing is nan (tested with torch)
    target_view = contiguous_view((rows,))
    weight = rng.uniform(0.5, 2.0, classes).astype(dtype) if weighted else None
    weight_view = contiguous_view((classes,)) if weighted else None
    arguments = (x, x_view, target, target_view, weight, weight_view, ignore_index, smoothing)
    # streaming: 7, 8, 9 classes are BLOCK - 1, 0, + 1, and a tile holds 2 rows of 8 (several
    # row blocks per program); a fused reduction limit of 0 sums per-row results afterwards
    sizes = {"CROSS_ENTROPY_MAX_BLOCK": 8 if streaming else 4096,
             "CROSS_ENTROPY_TILE": 16 if streaming else 2048,
             "FUSED_REDUCTION_LIMIT": data.draw(st.sampled_from([0, 1 << 16]))}
    with block_sizes(cross_entropy_family, **sizes):
        got, expected = run_both("cross_entropy", *arguments, reduction)
        tolerance = None if reduction == "none" else GRADIENT_TOLERANCE[dtype]  # sums of rows
        assert_all_close(got, expected, dtype, tolerance)
        lse = np.asarray(expected[2])
        dy = rng.standard_normal(rows).astype(dtype)
        dy_view = data.draw(st.sampled_from([contiguous_view((rows,)), View((rows,), (0,), 0)]))
        total = (np.asarray(expected[1]), contiguous_view((1,))) if reduction == "mean" else ()
        got, expected = run_both("cross_entropy_backward", *arguments[:6], lse,
                                 contiguous_view((rows,)), dy, dy_view, ignore_index, smoothing,
                                 *total)
    assert_close(download(got), expected, dtype)


def test_cross_entropy_of_extreme_logits_is_finite_and_exact():
    x = np.array([1e4, -1e4, 0.0, float("-inf"), 3.0, 3.0], np.float32)
    view = View((2, 3), (3, 1), 0)
    target = np.array([0, 2], np.int64)
    got, expected = run_both("cross_entropy", x, view, target, contiguous_view((2,)), None, None,
                             -100, 0.0)
    assert_all_close(got, expected, "float32")
    np.testing.assert_allclose(download(got[0]), [0.0, np.log(2)], rtol=1e-6)


# --- dropout -----------------------------------------------------------------------------------


def dropout_both(x, view, mask_shape, seed, offset, p):
    """(Triton, reference) dropout results of the same call, as NumPy arrays."""
    got, expected = run_both("dropout", x, view, mask_shape, seed, offset, p)
    return download(got), expected


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_keeps_about_one_minus_p_scaled_exactly(p):
    x = np.ones(4096, np.float32)
    for y in dropout_both(x, contiguous_view((4096,)), (4096,), 11, 5, p):
        kept = y != 0
        np.testing.assert_array_equal(y[kept], np.float32(1 / (1 - p)))
        assert abs(kept.mean() - (1 - p)) < 0.04


def test_dropout_mask_is_a_function_of_seed_and_counter():
    x = np.ones(64, np.float32)

    def mask(numel, seed, offset, backend):  # backend 0: Triton, 1: the NumPy reference
        return dropout_both(x[:numel], contiguous_view((numel,)), (numel,), seed, offset,
                            0.5)[backend]

    for backend in range(2):
        first = mask(64, 7, 0, backend)
        np.testing.assert_array_equal(mask(64, 7, 0, backend), first)  # same (seed, offset)
        assert (mask(64, 8, 0, backend) != first).any()                # another seed
        assert (mask(64, 7, 64, backend) != first).any()               # the next counters
    # Triton: element j is word j % 4 of counter offset + j // 4 alone (NumPy's Philox generator,
    # like random.py's reference, starts its stream at the offset instead)
    np.testing.assert_array_equal(mask(56, 7, 2, 0), mask(64, 7, 0, 0)[8:])
    # a broadcast mask (8, 1) over (8, 4) draws position j like the full mask (8,) does
    rows = dropout_both(np.ones(32, np.float32), contiguous_view((8, 4)), (8, 1), 7, 0,
                        0.5)[0].reshape(8, 4)
    np.testing.assert_array_equal(rows[:, 0], mask(8, 7, 0, 0))


@FEW
@given(st.sampled_from(FLOAT_DTYPES), st.sampled_from(["dropout", "dropout2d"]), st.data())
def test_dropout_applies_one_broadcast_mask_to_any_strided_view(dtype, kind, data):
    x, view = data.draw(strided(dtype, max_dims=4))
    shape = view.shape
    mask_shape = shape if kind == "dropout" else shape[:2] + (1,) * (len(shape) - 2)
    ones = np.ones(int(np.prod(shape)), dtype)
    seed = data.draw(st.integers(0, 2**63))
    for backend in range(2):
        mask = dropout_both(ones, contiguous_view(shape), mask_shape, seed, 3, 0.4)[backend]
        mask = mask.reshape(shape)
        per_slot = mask.reshape(*mask_shape[:2], -1) if kind == "dropout2d" else None
        if per_slot is not None:  # every element of a channel shares its channel's draw
            assert ((per_slot == per_slot[..., :1]).all())
        y = dropout_both(x, view, mask_shape, seed, 3, 0.4)[backend].reshape(shape)
        expected = (as_numpy(x, view).astype(np.float64) * mask.astype(np.float64))
        assert_close(y, expected.astype(dtype), dtype)


# --- batch norm and layer norm -----------------------------------------------------------------


def parameter(rng, shape, dtype, present, low, high):
    if not present:
        return None, None
    return rng.uniform(low, high, shape).astype(dtype).reshape(-1), contiguous_view(shape)


@FEW
@given(st.sampled_from(FLOAT_DTYPES), st.sampled_from([(3, 2), (2, 3, 5), (2, 2, 3, 2), (9, 1)]),
       st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.data())
def test_batch_norm_and_its_backward_match_reference(dtype, shape, training, affine, with_bias,
                                                     streaming, data):
    x, x_view = data.draw(strided(dtype, shape=shape))
    channels = shape[1]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    weight = parameter(rng, (channels,), dtype, affine, 0.5, 2.0)
    bias = parameter(rng, (channels,), dtype, with_bias, -1.0, 1.0)
    running = [rng.uniform(-1, 1, channels).astype(dtype), rng.uniform(0.5, 2, channels).astype(
        dtype)]
    device_running = [upload(r) for r in running]
    stat_view = contiguous_view((channels,))
    sizes = {"NORM_BLOCK": 4, "STATISTICS_PIECE": 4} if streaming else {}  # pieces of a channel
    with block_sizes(normalization_family, **sizes):
        got = normalization_family.batch_norm_triton(
            upload(x), x_view, *[upload(a) if isinstance(a, np.ndarray) else a
                                 for a in (*weight, *bias)],
            device_running[0], stat_view, device_running[1], stat_view, training, 0.1, 1e-5)
        expected = normalization_family.batch_norm_reference(
            x, x_view, *weight, *bias, running[0], stat_view, running[1], stat_view, training,
            0.1, 1e-5)
        assert_all_close(got, expected, dtype)
        assert_all_close(device_running, running, dtype)  # updated in place (training) or not
        dy, dy_view = data.draw(strided(dtype, shape=shape))
        got, expected = run_both("batch_norm_backward", dy, dy_view, x, x_view, *weight,
                                 np.asarray(expected[1]), stat_view, np.asarray(expected[2]),
                                 stat_view, training, affine or with_bias)
    assert_all_close(got, expected, dtype, GRADIENT_TOLERANCE[dtype])


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_backward_cuts_each_channel_into_pieces(training):
    """With the GPU's launch configurations, long channels are cut into pieces in the backward
    too: a kernel of the pieces' four sums (sum dy w, sum dy w x_hat, sum dy, sum dy x_hat),
    then the dx pass with one program per piece, which adds up its channel's sums: 2 launches,
    the same dx, dw and db as the reference (whatever the pieces)."""
    from tinygrad_edu.kernels import triton_support

    rng = np.random.default_rng(11)
    shape = (3, 2, 5, 7)  # 2 channels of 105 elements: 14 pieces of 8, the last one short
    x, dy = (rng.standard_normal(210).astype(np.float32) for _ in range(2))
    x_view, dy_view = contiguous_view(shape), View(shape, (1, 3, 6, 30), 0)  # dy strided
    weight, channel = rng.uniform(0.5, 2, 2).astype(np.float32), contiguous_view((2,))
    _, mean, rstd = normalization_family.batch_norm_reference(
        x, x_view, weight, channel, None, None, None, None, None, None, True, 0.1, 1e-5)
    arguments = (dy, dy_view, x, x_view, weight, channel, mean, channel, rstd, channel, training,
                 True)
    expected = normalization_family.batch_norm_backward_reference(*arguments)
    with block_sizes(normalization_family, NORM_BLOCK=4, STATISTICS_PIECE=4):
        assert normalization_family._pieces(2, 105, 4) == (14, 8)
        device = [upload(a) if isinstance(a, np.ndarray) else a for a in arguments]
        before = triton_support.COUNTS["launches"]
        got = normalization_family.batch_norm_backward_triton(*device)
        assert triton_support.COUNTS["launches"] - before == 2
    assert_all_close(got, expected, "float32", GRADIENT_TOLERANCE["float32"])


@FEW
@given(st.sampled_from(FLOAT_DTYPES), st.sampled_from([(4,), (3, 5), (2, 3, 4), (17, 3)]),
       st.integers(1, 2), st.booleans(), st.booleans(), st.booleans(), st.data())
def test_layer_norm_and_its_backward_match_reference(dtype, shape, normalized_ndim, affine,
                                                     parameter_grads, streaming, data):
    normalized_ndim = min(normalized_ndim, len(shape))
    x, x_view = data.draw(strided(dtype, shape=shape))
    normalized = shape[len(shape) - normalized_ndim:]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    weight = parameter(rng, normalized, dtype, affine, 0.5, 2.0)
    bias = parameter(rng, normalized, dtype, affine, -1.0, 1.0)
    sizes = {"NORM_BLOCK": 4 if streaming else 1024,  # streaming: dw, db from parts of rows
             "PARAMETER_BLOCK": (4, 2) if streaming else (16, 64),
             "PARAMETER_ROWS": 2 if streaming else 64,
             "STATISTICS_PIECE": 4 if streaming else 2048}  # and long rows cut into pieces
    with block_sizes(normalization_family, **sizes):
        got, expected = run_both("layer_norm", x, x_view, *weight, *bias, normalized_ndim, 1e-5)
        assert_all_close(got, expected, dtype)
        groups = contiguous_view((len(expected[1]),))
        dy, dy_view = data.draw(strided(dtype, shape=shape))
        got, expected = run_both("layer_norm_backward", dy, dy_view, x, x_view, *weight,
                                 np.asarray(expected[1]), groups, np.asarray(expected[2]), groups,
                                 normalized_ndim, parameter_grads)
    assert_all_close(got, expected, dtype, GRADIENT_TOLERANCE[dtype])
