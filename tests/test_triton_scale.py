"""Launch decisions that only matter at scale, tested without allocating at scale.

A GPU kernel that computes `program_id * BLOCK + arange` in int32 wraps around past 2^31 elements,
and grid axes 1 and 2 stop at 65 535 programs. The launchers decide (needs_int64: an INT64
constexpr variant of the kernel; batches and conv groups folded into grid axis 0); these tests
check the decisions, and run the INT64 variants under the interpreter on small data by lowering
the threshold. tests/triton_compile_check.py compiles the INT64 variants for sm_90.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from tinygrad_edu.kernels import View, conv, copy, elementwise, matmul

pytestmark = pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                                reason="Triton is not installed")


def _support():
    from tinygrad_edu.kernels import triton_support

    return triton_support


def _upload(array: np.ndarray):
    return _support().upload(array)


def _download(buffer) -> np.ndarray:
    return _support().download(buffer)


def test_needs_int64_looks_at_counts_and_at_the_farthest_element_of_each_view():
    needs = _support().needs_int64
    assert not needs(2**31 - 1)
    assert needs(2**31)
    assert not needs(View((1024, 1024), (1024, 1), 0))
    assert needs(View((2, 2**30), (2**30, 1), 1))             # last element at 2^31
    assert needs(View((3,), (2**30,), 0))                     # far by its stride
    assert needs(View((3,), (-(2**30),), 2**31))              # negative strides count by size
    assert not needs(View((0, 2**40), (2**40, 1), 0))         # an empty view reaches nothing
    assert not needs(None, 10, View((4,), (1,), 0))


@pytest.fixture
def int64_everywhere(monkeypatch):
    """Every launch takes its INT64 variant (the threshold lowered to 8 elements)."""
    monkeypatch.setattr(_support(), "INT32_MAX", 8)


def test_int64_variants_compute_the_same(int64_everywhere):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(12).astype(np.float32)
    view, transposed = View((3, 4), (4, 1), 0), View((3, 4), (1, 3), 0)
    got = _download(elementwise.binary_triton("add", _upload(x), view, _upload(x), transposed))
    np.testing.assert_allclose(got, elementwise.binary_reference("add", x, view, x, transposed))
    got = _download(copy.copy_triton(_upload(x), transposed))
    np.testing.assert_array_equal(got, copy.copy_reference(x, transposed))
    got = _download(copy.arange_triton(2, 3, 20, np.dtype(np.int64)))
    np.testing.assert_array_equal(got, np.arange(2, 62, 3))
    a = rng.standard_normal(2 * 5 * 3).astype(np.float32)
    b = rng.standard_normal(2 * 3 * 7).astype(np.float32)
    a_view, b_view = View((2, 5, 3), (15, 3, 1), 0), View((2, 3, 7), (21, 7, 1), 0)
    got = _download(matmul.matmul_triton(_upload(a), a_view, _upload(b), b_view))
    np.testing.assert_allclose(got, matmul.matmul_reference(a, a_view, b, b_view), rtol=1e-5,
                               atol=1e-6)


def test_matmul_batches_and_conv_groups_share_grid_axis_0_with_the_tiles():
    """Several tiles per matrix and several matrices (the GPU's tile sizes): every (batch, tile)
    pair is one program on axis 0, never one on axis 1."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal(3 * 40 * 8).astype(np.float32)
    b = rng.standard_normal(3 * 8 * 36).astype(np.float32)
    a_view, b_view = View((3, 40, 8), (320, 8, 1), 0), View((3, 8, 36), (288, 36, 1), 0)
    with _support().gpu_launch_configs():
        got = _download(matmul.matmul_triton(_upload(a), a_view, _upload(b), b_view))
    np.testing.assert_allclose(got, matmul.matmul_reference(a, a_view, b, b_view), rtol=1e-5,
                               atol=1e-5)
    x = rng.standard_normal(1 * 4 * 5 * 5).astype(np.float32)
    w = rng.standard_normal(6 * 2 * 3 * 3).astype(np.float32)
    x_view, w_view = View((1, 4, 5, 5), (100, 25, 5, 1), 0), View((6, 2, 3, 3), (18, 9, 3, 1), 0)
    geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
    with _support().gpu_launch_configs():
        got = _download(conv.conv2d_triton(_upload(x), x_view, _upload(w), w_view, *geometry))
    np.testing.assert_allclose(got, conv.conv2d_reference(x, x_view, w, w_view, *geometry),
                               rtol=1e-4, atol=1e-5)


def test_integer_convolutions_take_the_exact_path_not_tl_dot():
    rng = np.random.default_rng(2)
    x = rng.integers(-50, 50, 2 * 3 * 4 * 4).astype(np.int32)
    w = rng.integers(-50, 50, 2 * 3 * 2 * 2).astype(np.int32)
    x_view, w_view = View((2, 3, 4, 4), (48, 16, 4, 1), 0), View((2, 3, 2, 2), (12, 4, 2, 1), 0)
    geometry = ((1, 1), (0, 0, 0, 0), (1, 1), 1)
    got = _download(conv.conv2d_triton(_upload(x), x_view, _upload(w), w_view, *geometry))
    np.testing.assert_array_equal(got, conv.conv2d_reference(x, x_view, w, w_view, *geometry))


def _sequence_and_breadth_cases(rng):
    """(family module, primitive, arguments): softmax, reductions, cross-entropy and the kernels
    added with the sequence models, the complex numbers and the op breadth, in shapes that take
    several programs on a GPU's launch configurations."""
    from tinygrad_edu.kernels import (
        attention,
        complex,
        cross_entropy,
        dropout,
        fft,
        normalization,
        pool,
        recurrent,
        reduce,
        scan,
        softmax,
        sort,
    )

    x = rng.standard_normal(3 * 200).astype(np.float32)
    rows, columns = View((3, 200), (200, 1), 0), View((200, 3), (1, 200), 0)
    long_row = rng.standard_normal(2 * 1500).astype(np.float32)
    yield softmax, "softmax", (x, columns, 0, True)
    yield reduce, "reduce", ("sum", x, columns, (0,))
    yield reduce, "reduce", ("argmax", x, rows, (1,))
    target = rng.integers(0, 200, 3).astype(np.int64)
    yield cross_entropy, "cross_entropy", (x, rows, target, View((3,), (1,), 0), None, None, -100,
                                           0.1)
    yield dropout, "dropout", (x, columns, (200, 3), 7, 0, 0.3)
    from tinygrad_edu.kernels import random

    yield random, "uniform", (3000, 11, 5, -1.0, 2.0, np.dtype(np.float32))
    image = rng.standard_normal(2 * 3 * 9 * 9).astype(np.float32)
    image_view = View((2, 3, 9, 9), (243, 81, 9, 1), 0)
    yield pool, "avg_pool2d", (image, image_view, (3, 3), (2, 2), (1, 1), False, True, None)
    yield pool, "max_pool2d", (image, image_view, (2, 2), (2, 2), (0, 0), (1, 1), False)
    yield normalization, "layer_norm", (x, rows, x[:200], View((200,), (1,), 0), None, None, 1,
                                        1e-5)
    yield normalization, "batch_norm", (image, image_view, None, None, None, None, None, None,
                                        None, None, True, 0.1, 1e-5)
    dy = rng.standard_normal(3 * 200).astype(np.float32)
    mean = rng.standard_normal(3).astype(np.float32)
    rstd = rng.random(3).astype(np.float32) + 0.5
    stats = View((3,), (1,), 0)
    yield normalization, "layer_norm_backward", (dy, rows, x, rows, x[:200], View((200,), (1,), 0),
                                                 mean, stats, rstd, stats, 1, True)
    yield complex, "complex_unary", ("abs", z := (rng.standard_normal(40) + 1j).astype(
        np.complex64), View((5, 8), (1, 5), 0))
    yield scan, "scan", ("sum", long_row, View((2, 1500), (1500, 1), 0), 1)  # two pieces a row
    yield scan, "scan", ("max", x, columns, 0)
    yield sort, "sort", (x, rows, 1, False)  # 4 pieces of 64 per row
    yield sort, "sort", (x, columns, 0, True)
    gates = rng.standard_normal(5 * 4 * 70).astype(np.float32)
    state = rng.standard_normal(5 * 70).astype(np.float32)
    gate_view, state_view = View((5, 280), (280, 1), 0), View((5, 70), (1, 5), 0)
    yield recurrent, "lstm_cell", (gates, gate_view, state, state_view)  # 2 programs of 256
    three = View((5, 210), (210, 1), 0)
    gi, gh = (rng.standard_normal(5 * 210).astype(np.float32) for _ in range(2))
    yield recurrent, "gru_cell_backward", (gi, three, gh, three, state,
                                           state_view, state, View((5, 70), (70, 1), 0))
    b, h, length, keys, dim = 2, 3, 37, 21, 5
    q = rng.standard_normal(b * h * length * dim).astype(np.float32)
    k = rng.standard_normal(b * h * keys * dim).astype(np.float32)
    q_view = View((b, h, length, dim), (h * length * dim, length * dim, dim, 1), 0)
    k_view = View((b, h, keys, dim), (keys * dim, b * keys * dim, dim, 1), 0)  # heads outer
    out, lse = attention.attention_reference(q, q_view, k, k_view, k, k_view, None, None, True,
                                             0.4)
    yield attention, "attention", (q, q_view, k, k_view, k, k_view, None, None, True, 0.4)
    out_view = View((b, h, length, dim), q_view.strides, 0)
    lse_view = View((b, h, length), (h * length, length, 1), 0)
    yield attention, "attention_backward", (q, q_view, k, k_view, k, k_view, None, None,
                                            out.reshape(-1), out_view, q, q_view,
                                            lse.reshape(-1), lse_view, True, 0.4)
    del z
    from tinygrad_edu.kernels import conv, index

    w = rng.standard_normal(6 * 2 * 3 * 3).astype(np.float32)
    w_view = View((6, 2, 3, 3), (18, 9, 3, 1), 0)
    x4 = rng.standard_normal(2 * 4 * 5 * 5).astype(np.float32)
    x4_view = View((2, 4, 5, 5), (100, 25, 5, 1), 0)
    geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
    yield conv, "conv2d", (x4, x4_view, w, w_view, *geometry)
    dy4 = rng.standard_normal(2 * 6 * 5 * 5).astype(np.float32)
    dy4_view = View((2, 6, 5, 5), (150, 25, 5, 1), 0)
    yield conv, "conv2d_backward_input", (dy4, dy4_view, w, w_view, (2, 4, 5, 5), *geometry)
    yield conv, "conv2d_backward_weight", (dy4, dy4_view, x4, x4_view, (6, 2, 3, 3), *geometry)
    position = rng.integers(-3, 3, 5).astype(np.int64)
    vector = View((5,), (1,), 0)
    yield index, "index_select", (x, columns, 1, position, vector)
    source = rng.standard_normal(5 * 200).astype(np.float32)
    yield index, "index_add", (x, rows, 0, position, vector, source, View((5, 200), (200, 1), 0))
    yield index, "index", (x, rows, [(position, vector), None])
    yield index, "nonzero", ((x > 0).astype(np.float32), columns)
    z = (rng.standard_normal(3 * 256) + 1j * rng.standard_normal(3 * 256)).astype(np.complex64)
    yield fft, "fft", (z, View((3, 256), (256, 1), 0), False)  # 128 butterflies: 2 pieces a row


@pytest.mark.parametrize("int64", [False, True])
def test_new_families_on_the_gpus_launch_configs_and_int64_variants(int64, monkeypatch):
    """Softmax, reductions, cross-entropy, scan, sort, LSTM / GRU, attention and the FFT with the
    GPU's block sizes (several programs per row or head, all on grid axis 0) and, second, every
    launch in its INT64 variant."""
    for module, name, arguments in _sequence_and_breadth_cases(np.random.default_rng(3)):
        device = [_upload(a) if isinstance(a, np.ndarray) else
                  [(_upload(e[0]), e[1]) if e else None for e in a] if isinstance(a, list) else a
                  for a in arguments]  # (index's key: a list of (index array, view) or None)
        launch = getattr(module, f"{name}_triton")
        with monkeypatch.context() as patch, _support().gpu_launch_configs():
            if int64:
                patch.setattr(_support(), "INT32_MAX", 8)
            got = launch(*device)
        if name in ("dropout", "uniform"):  # Philox in the kernel, NumPy's generator in the
            expected = _download(launch(*device))  # reference: the default variant instead
        else:
            expected = getattr(module, f"{name}_reference")(*arguments)
        got, expected = ((got, expected) if isinstance(got, tuple) else ((got,), (expected,)))
        for got_one, expected_one in zip(got, expected, strict=True):
            if expected_one is None:
                continue
            np.testing.assert_allclose(_download(got_one), np.asarray(expected_one).reshape(-1),
                                       rtol=1e-4, atol=1e-4, err_msg=name)


@pytest.mark.parametrize("dtype", ["float32", "float16", "int32", "bool"])
def test_reductions_with_few_outputs_split_into_two_stages(dtype, monkeypatch):
    """x.sum() and other reductions to few outputs: the elements of each output cut into pieces
    (one program each, partials in the accumulator's dtype), then the partials reduced. The
    pieces are made small here so a small tensor takes the GPU's two-stage path."""
    from tinygrad_edu.kernels import reduce

    monkeypatch.setattr(reduce, "SPLIT_MIN_CHUNK", 8)
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(3 * 101) * 2).astype(dtype)
    ops = ("sum", "max", "prod") if dtype == "float32" else ("sum", "min")
    if dtype == "float32":
        x[200] = np.nan  # max carries a NaN through the partials
    whole, columns = View((3 * 101,), (1,), 0), View((3, 101), (1, 3), 0)  # 1 output; 3, strided
    with _support().gpu_launch_configs():
        assert reduce._parts("sum", 1, 3 * 101, 16)[0] > 1  # the two-stage path is taken
        for view, axes in ((whole, (0,)), (columns, (1,))):
            for op in ops:
                got = _download(reduce.reduce_triton(op, _upload(x), view, axes))
                expected = reduce.reduce_reference(op, x, view, axes)
                assert got.dtype == expected.dtype
                np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                                           rtol=2e-3 if dtype == "float16" else 1e-5,
                                           err_msg=f"{op} {axes}")


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_skinny_matmuls_split_k_into_partial_products(dtype, monkeypatch):
    """A product with few output tiles and a long K (the ConvNet's fc1, a conv weight gradient):
    K cut into pieces, one program each, the float32 partials summed. The pieces are made small
    here so that small products split."""
    monkeypatch.setattr(matmul, "SPLIT_K_MIN_CHUNK", 16)
    rng = np.random.default_rng(5)
    a = rng.standard_normal(2 * 3 * 150).astype(dtype)
    b = rng.standard_normal(150 * 5).astype(dtype)
    a_view = View((2, 3, 150), (450, 150, 1), 0)
    b_view = View((2, 150, 5), (0, 1, 150), 0)  # broadcast over the batch, transposed
    with _support().gpu_launch_configs():
        assert matmul.split_k(2, 150, 16, True)[0] > 1  # the split-K path is taken
        got = _download(matmul.matmul_triton(_upload(a), a_view, _upload(b), b_view))
    expected = matmul.matmul_reference(a, a_view, b, b_view)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                               rtol=1e-2 if dtype == "float16" else 1e-4, atol=1e-2)
    # the convolution's weight gradient: K = N * Ho * Wo pixels, a few output tiles
    x = rng.standard_normal(3 * 4 * 7 * 7).astype(dtype)
    dy = rng.standard_normal(3 * 6 * 7 * 7).astype(dtype)
    x_view, dy_view = View((3, 4, 7, 7), (196, 49, 7, 1), 0), View((3, 6, 7, 7), (294, 49, 7, 1), 0)
    geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
    with _support().gpu_launch_configs():
        got = _download(conv.conv2d_backward_weight_triton(_upload(dy), dy_view, _upload(x),
                                                           x_view, (6, 2, 3, 3), *geometry))
    expected = conv.conv2d_backward_weight_reference(dy, dy_view, x, x_view, (6, 2, 3, 3),
                                                     *geometry)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                               rtol=1e-2 if dtype == "float16" else 1e-4, atol=5e-2)


def test_the_gpus_autotuned_launch_path_runs_every_fitted_candidate(monkeypatch):
    """On a GPU, matmul and conv launch through triton.autotune: the Hopper candidates fitted to
    the product (fit_to_problem), each timed once per key, the grid following each candidate's
    tile, then the fastest kept. Here that path runs under the interpreter with a stand-in
    timer (later candidates 'faster'): every candidate runs, the kept one computes the right
    product, a second call with the same key times nothing again, and the timing runs are not
    counted as launches."""
    import triton.testing

    timed: list[int] = []

    def stand_in_timer(kernel_call, quantiles):
        kernel_call()  # the candidate really runs (interpreted)
        timed.append(1)
        return [1.0 / len(timed)] * len(quantiles)

    monkeypatch.setattr(matmul, "interpreting", lambda: False)  # the GPU's launch path
    monkeypatch.setattr(matmul, "AUTOTUNERS", {})  # fresh autotuners, dropped afterwards
    monkeypatch.setattr(triton.testing, "do_bench", stand_in_timer)
    rng = np.random.default_rng(6)
    a = rng.standard_normal(40 * 20).astype(np.float32)
    b = rng.standard_normal(20 * 70).astype(np.float32)
    a_view, b_view = View((40, 20), (20, 1), 0), View((20, 70), (1, 20), 0)  # b transposed
    expected = matmul.matmul_reference(a, a_view, b, b_view)
    for repeat in range(2):
        a_buffer, b_buffer = _upload(a), _upload(b)
        before = _support().COUNTS["launches"]
        c = matmul.matmul_triton(a_buffer, a_view, b_buffer, b_view)
        assert _support().COUNTS["launches"] - before == 1  # the timing runs left out
        got = _download(c)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
        if repeat == 0:
            candidates = len(timed)
            assert 1 < candidates <= len(matmul.HOPPER_TILES)
    assert len(timed) == candidates  # the same key: the kept tile reused, nothing timed again
    kept = matmul.AUTOTUNERS["matmul_kernel"].best_config
    assert (kept.kwargs["BLOCK_M"], kept.kwargs["BLOCK_N"]) <= (64, 128)  # fitted to 40 x 70
    # what changes the kernel is in the key: TF32 (x3) products, a split-K plan: timed anew
    monkeypatch.setattr(matmul, "ALLOW_TF32", True)
    monkeypatch.setattr(matmul, "TF32_PRECISION", "tf32x3")
    got = _download(matmul.matmul_triton(_upload(a), a_view, _upload(b), b_view))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    assert len(timed) > candidates
    monkeypatch.setattr(matmul, "ALLOW_TF32", False)
    monkeypatch.setattr(matmul, "SPLIT_K_MIN_CHUNK", 8)
    timed.clear()
    skinny = rng.standard_normal(3 * 100).astype(np.float32)  # 3 rows, K = 100: 2 pieces of 64
    long = rng.standard_normal(100 * 70).astype(np.float32)
    skinny_view, long_view = View((3, 100), (100, 1), 0), View((100, 70), (70, 1), 0)
    with _support().gpu_launch_configs():
        got = _download(matmul.matmul_triton(_upload(skinny), skinny_view, _upload(long),
                                             long_view))
    np.testing.assert_allclose(got, matmul.matmul_reference(skinny, skinny_view, long, long_view),
                               rtol=1e-4, atol=1e-4)
    keys = matmul.AUTOTUNERS["matmul_kernel"].cache  # (M, N, K, batch, splits, ...) -> tile
    assert timed and any(key[:3] == (3, 70, 100) and key[4] == 2 for key in keys)
    x = rng.standard_normal(2 * 4 * 5 * 5).astype(np.float32)
    w = rng.standard_normal(6 * 2 * 3 * 3).astype(np.float32)
    bias = rng.standard_normal(6).astype(np.float32)
    x_view, w_view = View((2, 4, 5, 5), (100, 25, 5, 1), 0), View((6, 2, 3, 3), (18, 9, 3, 1), 0)
    geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
    got = _download(conv.conv2d_triton(_upload(x), x_view, _upload(w), w_view, *geometry,
                                       _upload(bias), View((6,), (1,), 0)))
    np.testing.assert_allclose(got, conv.conv2d_reference(x, x_view, w, w_view, *geometry, bias,
                                                          View((6,), (1,), 0)),
                               rtol=1e-4, atol=1e-5)
    assert len(timed) > candidates  # the convolution's own candidates were timed
