"""Every Triton kernel against its NumPy reference, under Triton's interpreter when there is no GPU.

Shapes stay small (a few programs per launch: each interpreted program costs about a millisecond),
views are strided, transposed, offset and broadcast (stride 0), and the edge sizes 1, BLOCK - 1 and
BLOCK + 1 of the elementwise kernels are checked explicitly.

Tolerances: the kernels compute in the same precision as the references but not in the same order
(tree sums instead of NumPy's pairwise sums, tl.dot tiles, exp(b log a) for pow, Philox streams),
so float32 results agree to about 1e-5 relative, float16 to its 1e-3 rounding, float64 to 1e-12.
"""

from __future__ import annotations

import importlib.util
import math
from contextlib import nullcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinygrad_edu.kernels import (
    FAMILIES,
    PRIMITIVES,
    View,
    contiguous_strides,
    conv,
    copy,
    elementwise,
    index,
    optim,
    pool,
    random,
)
from tinygrad_edu.kernels import softmax as softmax_family
from tinygrad_edu.kernels.triton_backend import make_triton_backend, triton_implementations
from tinygrad_edu.kernels.triton_support import gpu_launch_configs

pytestmark = pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                                reason="Triton is not installed")

TOLERANCE = {"float16": (2e-2, 2e-2), "float32": (1e-4, 1e-5), "float64": (1e-10, 1e-12)}
FLOAT_DTYPES = ("float32", "float16", "float64")
FEW = settings(max_examples=15, deadline=None)


def upload(array: np.ndarray):
    return triton_implementations()["from_host"](array)


def download(buffer) -> np.ndarray:
    return buffer.detach().cpu().numpy().copy()


def assert_close(got, expected, dtype: str = "float32") -> None:
    atol, rtol = TOLERANCE.get(dtype, (0, 0))
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                                   atol=atol, rtol=rtol, equal_nan=True)


@st.composite
def strided(draw, dtype: str = "float32", max_dims: int = 3, max_side: int = 5,
            low: float = -4, high: float = 4, shape: tuple[int, ...] | None = None):
    """(flat buffer, view): a view that is contiguous, permuted, sliced with a step and offset, or
    broadcast (stride 0), over a buffer of random values."""
    if shape is None:
        shape = tuple(draw(st.lists(st.integers(1, max_side), min_size=1, max_size=max_dims)))
    layout = draw(st.sampled_from(["contiguous", "permuted", "stepped", "broadcast"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    storage_shape = list(shape)
    if layout == "stepped":
        storage_shape = [2 * s + 1 for s in shape]
    order = list(range(len(shape)))
    if layout == "permuted":
        order = draw(st.permutations(order))
    stored = [storage_shape[d] for d in order]
    numel = math.prod(stored)
    if dtype == "bool":
        values = rng.random(numel) < 0.5
    elif dtype in ("int32", "int64", "uint8"):
        smallest = 0 if dtype == "uint8" else math.ceil(low)  # honour low/high for ints too
        values = rng.integers(smallest, math.floor(high) + 1, numel).astype(dtype)
    else:
        values = rng.uniform(low, high, numel).astype(dtype)
    stored_strides = contiguous_strides(tuple(stored))
    strides = [0] * len(shape)
    for position, d in enumerate(order):
        strides[d] = stored_strides[position]
    offset = 0
    if layout == "stepped":
        offset = sum(strides)
        strides = [2 * s for s in strides]
    if layout == "broadcast":
        strides = [0 if draw(st.booleans()) else s for s in strides]
    return values, View(tuple(shape), tuple(strides), offset)


def run_both(name: str, *args):
    """(Triton result, reference result) of one primitive, buffers converted on the way."""
    module = next(m for m in FAMILIES if hasattr(m, f"{name}_reference"))
    reference = getattr(module, f"{name}_reference")
    launcher = getattr(module, f"{name}_triton")
    device_args = [upload(a) if isinstance(a, np.ndarray) else a for a in args]
    return launcher(*device_args), reference(*args)


# --- the contract ----------------------------------------------------------------------------


def test_every_primitive_has_a_reference_and_a_triton_kernel():
    for name in PRIMITIVES:
        assert any(hasattr(m, f"{name}_reference") for m in FAMILIES), f"{name}: no reference"
        assert any(hasattr(m, f"{name}_triton") for m in FAMILIES), f"{name}: no Triton kernel"
    assert set(triton_implementations()) == set(PRIMITIVES)


def test_backend_builds_and_buffers_are_torch_tensors():
    backend = make_triton_backend()
    buffer = backend.from_host(np.arange(6, dtype=np.float32))
    assert type(buffer).__module__.startswith("torch")
    assert backend.to_host(buffer, View((2, 3), (1, 2), 0)).tolist() == [[0, 2, 4], [1, 3, 5]]


# --- elementwise -----------------------------------------------------------------------------

INTEGER_ONLY = elementwise.INTEGER_ONLY_OPS
SAFE_INPUTS = {"log": (0.1, 4), "sqrt": (0, 4), "rsqrt": (0.1, 4), "log1p": (-0.9, 4),
               "reciprocal": (0.2, 4)}


@FEW
@given(st.sampled_from(sorted(set(elementwise.UNARY_OPS) - INTEGER_ONLY)),
       st.sampled_from(FLOAT_DTYPES),
       st.data())
def test_unary_matches_reference(op, dtype, data):
    low, high = SAFE_INPUTS.get(op, (-4, 4))
    x, view = data.draw(strided(dtype, low=low, high=high))
    got, expected = run_both("unary", op, x, view)
    assert_close(download(got), expected, dtype)


@FEW
@given(st.sampled_from(["neg", "abs", "sign", "relu", "logical_not", "isnan", "round",
                        "bitwise_not"]),
       st.sampled_from(["int64", "int32", "uint8", "bool"]), st.data())
def test_unary_on_integers_and_bools(op, dtype, data):
    x, view = data.draw(strided(dtype))
    if dtype == "bool" and op in ("neg", "sign"):
        return
    got, expected = run_both("unary", op, x, view)
    assert_close(download(got), expected, dtype)


@FEW
@given(st.sampled_from(sorted(elementwise.BINARY_OPS)),
       st.sampled_from(FLOAT_DTYPES + ("int64", "int32")), st.data())
def test_binary_matches_reference_with_broadcasting(op, dtype, data):
    if op in INTEGER_ONLY and not dtype.startswith("int"):
        dtype = "int32"  # bitwise ops and shifts are defined on integers only
    a, a_view = data.draw(strided(dtype, low=0.5 if op == "pow" else -4))
    b, b_view = data.draw(strided(dtype, shape=a_view.shape, low=0.5, high=3))
    if dtype.startswith("int") and op in ("div_floor", "div_trunc", "remainder"):
        b = np.where(b == 0, 3, b).astype(dtype)
    got, expected = run_both("binary", op, a, a_view, b, b_view)
    assert_close(download(got), expected, dtype)


def test_integer_division_by_zero_raises_like_the_reference():
    """Found inside the kernel, raised at the next host read (no device-to-host copy before)."""
    from tinygrad_edu.kernels.triton_support import download as read

    a, b = np.array([4, 5], np.int64), np.array([2, 0], np.int64)
    view = View((2,), (1,), 0)
    out = elementwise.binary_triton("div_floor", upload(a), view, upload(b), view)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        read(out)
    assert read(out)[0] == 2  # the error is raised once; the good lanes were computed


@pytest.mark.parametrize("gpu_configs", [True, False])
@pytest.mark.parametrize("numel", [1, elementwise.ELEMENTWISE_BLOCK - 1,
                                   elementwise.ELEMENTWISE_BLOCK + 1, 1000])
def test_elementwise_edge_sizes(numel, gpu_configs):
    """Under the GPU's launch configurations (several programs) and the interpreter's (one)."""
    from contextlib import nullcontext

    from tinygrad_edu.kernels.triton_support import gpu_launch_configs, launch_block, small_launches

    x = np.linspace(-3, 3, numel).astype(np.float32)
    view = View((numel,), (1,), 0)
    with gpu_launch_configs() if gpu_configs else nullcontext():
        block = launch_block(numel, elementwise.ELEMENTWISE_BLOCK)
        got, expected = run_both("binary", "mul", x, view, x, View((numel,), (0,), numel // 2))
    assert_close(download(got), expected)
    whole = not gpu_configs and small_launches()  # the interpreter: one program
    assert block >= numel if whole else block == elementwise.ELEMENTWISE_BLOCK


@FEW
@given(st.sampled_from(FLOAT_DTYPES + ("int64",)), st.data())
def test_where_matches_reference(dtype, data):
    condition, condition_view = data.draw(strided("bool"))
    a, a_view = data.draw(strided(dtype, shape=condition_view.shape))
    b, b_view = data.draw(strided(dtype, shape=condition_view.shape))
    got, expected = run_both("where", condition, condition_view, a, a_view, b, b_view)
    assert_close(download(got), expected, dtype)


DTYPES = ("float32", "float16", "float64", "int64", "int32", "uint8", "bool")


@FEW
@given(st.sampled_from(DTYPES), st.sampled_from(DTYPES), st.data())
def test_cast_matches_reference(source, target, data):
    x, view = data.draw(strided(source, low=-200, high=200))
    if source.startswith("float") and target == "uint8":
        x = np.abs(x)  # negative floats to uint8 are undefined behaviour in C (and on GPUs)
    got, expected = run_both("cast", x, view, np.dtype(target))
    assert_close(download(got), expected, target)


# --- reductions ------------------------------------------------------------------------------


@FEW
@given(st.sampled_from(["sum", "prod", "max", "min", "argmax", "argmin"]),
       st.sampled_from(FLOAT_DTYPES + ("int64", "bool")), st.data())
def test_reduce_matches_reference_over_any_axes(op, dtype, data):
    x, view = data.draw(strided(dtype, low=-2, high=2))
    ndim = len(view.shape)
    if op.startswith("arg"):
        axes = (data.draw(st.integers(0, ndim - 1)),)
        if dtype == "bool":
            return
    else:
        axes = tuple(sorted(data.draw(st.sets(st.integers(0, ndim - 1)))))
    if dtype != "bool" and dtype.startswith("float") and data.draw(st.booleans()):
        x = x.copy()
        x[0] = np.nan  # NaN wins max/min/argmax/argmin
    got, expected = run_both("reduce", op, x, view, axes)
    assert_close(download(got), expected, "float16" if op == "prod" else dtype)


def test_reduce_over_rows_longer_than_a_block():
    x = np.random.default_rng(0).standard_normal(2 * 1500).astype(np.float32)
    for op in ("sum", "max", "argmin"):
        got, expected = run_both("reduce", op, x, View((2, 1500), (1500, 1), 0), (1,))
        assert_close(download(got), expected)


# --- matmul ----------------------------------------------------------------------------------


@FEW
@given(st.sampled_from(FLOAT_DTYPES + ("int64",)), st.integers(1, 2), st.integers(1, 20),
       st.integers(1, 40), st.integers(1, 20), st.booleans(), st.booleans())
def test_matmul_matches_reference(dtype, batch, m, k, n, transpose_b, broadcast_batch):
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    a = (rng.standard_normal(batch * m * k) * 3).astype(dtype)
    b = (rng.standard_normal(batch * k * n) * 3).astype(dtype)
    a_view = View((batch, m, k), (m * k, k, 1), 0)
    b_strides = (k * n, 1, k) if transpose_b else (k * n, n, 1)
    if broadcast_batch:
        b_strides = (0,) + b_strides[1:]
    got, expected = run_both("matmul", a, a_view, b, View((batch, k, n), b_strides, 0))
    atol = 1e-1 if dtype == "float16" else 1e-3
    np.testing.assert_allclose(download(got).astype(float), expected.astype(float), atol=atol,
                               rtol=1e-2 if dtype == "float16" else 1e-5)


# --- softmax ---------------------------------------------------------------------------------


@FEW
@given(st.sampled_from(FLOAT_DTYPES), st.booleans(), st.booleans(), st.data())
def test_softmax_matches_reference(dtype, log, streaming, data):
    x, view = data.draw(strided(dtype, low=-20, high=20))
    dim = data.draw(st.integers(0, len(view.shape) - 1))
    previous = softmax_family.SOFTMAX_MAX_BLOCK
    softmax_family.SOFTMAX_MAX_BLOCK = 2 if streaming else previous  # rows wider than a block
    try:
        got, expected = run_both("softmax", x, view, dim, log)
    finally:
        softmax_family.SOFTMAX_MAX_BLOCK = previous
    assert_close(download(got), expected, dtype)



@FEW
@given(st.sampled_from(FLOAT_DTYPES), st.booleans(), st.booleans(), st.data())
def test_softmax_backward_matches_reference(dtype, log, streaming, data):
    y, view = data.draw(strided(dtype, low=-3, high=0))
    dim = data.draw(st.integers(0, len(view.shape) - 1))
    dy = np.random.default_rng(0).standard_normal(view.shape).astype(dtype)  # row-major
    dy_view = View(view.shape, contiguous_strides(view.shape), 0)
    previous = softmax_family.SOFTMAX_MAX_BLOCK
    softmax_family.SOFTMAX_MAX_BLOCK = 2 if streaming else previous  # rows wider than a block
    try:
        got, expected = run_both("softmax_backward", y, view, dy.reshape(-1), dy_view, dim, log)
    finally:
        softmax_family.SOFTMAX_MAX_BLOCK = previous
    assert_close(download(got), expected, dtype)

def test_softmax_rows_of_minus_infinity_and_huge_logits():
    x = np.array([-np.inf, -np.inf, 1e4, -1e4, 0.0, 3.0], np.float32)
    for log in (False, True):
        got, expected = run_both("softmax", x, View((2, 3), (3, 1), 0), 1, log)
        assert_close(download(got), expected)


# --- memory ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_full_and_arange_match_reference(dtype):
    for value in (0, 1, 0.1, 3) if dtype == "uint8" else (0, 1, 0.1, -3):
        got, expected = run_both("full", 5, value, np.dtype(dtype))
        assert_close(download(got), expected, dtype)
    got, expected = run_both("arange", 0.5, 0.25, 7, np.dtype(dtype))
    assert_close(download(got), expected, dtype)


@FEW
@given(st.sampled_from(DTYPES), st.data())
def test_copy_and_to_host_match_reference(dtype, data):
    x, view = data.draw(strided(dtype))
    got, expected = run_both("copy", x, view)
    assert_close(download(got), expected, dtype)
    got, expected = run_both("to_host", x, view)
    assert_close(got, expected, dtype)


@FEW
@given(st.sampled_from(FLOAT_DTYPES + ("int32",)), st.data())
def test_copy_into_a_strided_view_in_place(dtype, data):
    source, source_view = data.draw(strided("float32"))
    shape = source_view.shape
    destination = np.zeros(math.prod(shape) * 2 + 1, dtype)
    destination_view = View(shape, tuple(2 * s for s in contiguous_strides(shape)), 1)
    device = upload(destination)
    copy.copy_into_triton(device, destination_view, upload(source), source_view)
    copy.copy_into_reference(destination, destination_view, source, source_view)
    assert_close(download(device), destination, dtype)


def test_copy_into_an_overlapping_view_of_itself():
    x = np.arange(10, dtype=np.float32)
    device = upload(x)
    copy.copy_into_triton(device, View((9,), (1,), 1), device, View((9,), (1,), 0))
    copy.copy_into_reference(x, View((9,), (1,), 1), x, View((9,), (1,), 0))
    assert_close(download(device), x)


# --- indexing --------------------------------------------------------------------------------


@FEW
@given(st.sampled_from(("float32", "float64", "int64")), st.data())
def test_gather_and_scatter_add_match_reference(dtype, data):
    x, view = data.draw(strided(dtype, max_dims=3))
    dim = data.draw(st.integers(0, len(view.shape) - 1))
    size = view.shape[dim]
    index_shape = tuple(data.draw(st.integers(1, s)) for s in view.shape)
    rng = np.random.default_rng(size)
    positions = rng.integers(-size, size, math.prod(index_shape)).astype(np.int64)
    index_view = View(index_shape, contiguous_strides(index_shape), 0)
    got, expected = run_both("gather", x, view, dim, positions, index_view)
    assert_close(download(got), expected, dtype)
    source = rng.standard_normal(math.prod(index_shape)).astype(dtype)
    got, expected = run_both("scatter_add", x, view, dim, positions.clip(0), index_view,
                             source, index_view)
    assert_close(download(got), expected, dtype)


@FEW
@given(st.sampled_from(("float32", "float16")), st.data())
def test_index_select_and_index_add_match_reference(dtype, data):
    x, view = data.draw(strided(dtype, max_dims=3))
    dim = data.draw(st.integers(0, len(view.shape) - 1))
    count = data.draw(st.integers(1, 6))
    positions = np.random.default_rng(count).integers(0, view.shape[dim], count).astype(np.int64)
    index_view = View((count,), (1,), 0)
    got, expected = run_both("index_select", x, view, dim, positions, index_view)
    assert_close(download(got), expected, dtype)
    source_shape = list(view.shape)
    source_shape[dim] = count
    source = np.ones(math.prod(source_shape), dtype)
    got, expected = run_both("index_add", x, view, dim, positions, index_view, source,
                             View(tuple(source_shape), contiguous_strides(tuple(source_shape)), 0))
    assert_close(download(got), expected, dtype)


def test_out_of_range_indices_raise_index_error():
    """Found inside the kernel (clamped, recorded), raised at the next host read."""
    from tinygrad_edu.kernels.triton_support import download as read

    x, positions = np.zeros(4, np.float32), np.array([4], np.int64)
    out = index.gather_triton(upload(x), View((4,), (1,), 0), 0, upload(positions),
                              View((1,), (1,), 0))
    with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 0 with size 4"):
        read(out)


INDEX_KEYS = [  # (x shape, key): None is ':', a tuple is an index array's shape
    ((3, 4, 5), [None, (2, 1), None]),
    ((3, 4, 5), [(3,), None, (3,)]),       # not adjacent: the index dims come first
    ((3, 4, 5), [(2, 3), (3,)]),           # broadcast index arrays, trailing ':' implied
    ((6,), [(4,)]),
]


@pytest.mark.parametrize("shape, key", INDEX_KEYS)
@pytest.mark.parametrize("accumulate", [False, True])
def test_advanced_index_and_index_put_match_reference(shape, key, accumulate):
    rng = np.random.default_rng(len(shape))
    x = rng.standard_normal(math.prod(shape)).astype(np.float32)
    view = View(shape, contiguous_strides(shape), 0)
    host_key, device_key = [], []
    for dim, entry in enumerate(key):
        if entry is None:
            host_key.append(None)
            device_key.append(None)
            continue
        array = rng.integers(-shape[dim], shape[dim], math.prod(entry)).astype(np.int64)
        entry_view = View(entry, contiguous_strides(entry), 0)
        host_key.append((array, entry_view))
        device_key.append((upload(array), entry_view))
    expected = index.index_reference(x, view, host_key)
    assert_close(download(index.index_triton(upload(x), view, device_key)), expected)
    targets = np.arange(x.size).reshape(shape)[index._numpy_key(host_key, shape)]
    if not accumulate and np.unique(targets).size < targets.size:
        return  # a position written twice: which write wins is unspecified (as in PyTorch)
    values = np.arange(targets.size, dtype=np.float32)
    values_view = View(targets.shape, contiguous_strides(targets.shape), 0)
    device = upload(x)
    index.index_put_triton(device, view, device_key, upload(values), values_view, accumulate)
    index.index_put_reference(x, view, host_key, values, values_view, accumulate)
    assert_close(download(device), x)


@FEW
@given(st.sampled_from(("float32", "int64", "bool")), st.data())
def test_nonzero_matches_reference(dtype, data):
    x, view = data.draw(strided(dtype, low=-1, high=1))
    x = np.where(np.abs(x.astype(np.float64)) < 0.5, 0, x).astype(dtype)
    got, expected = run_both("nonzero", x, view)
    assert_close(download(got), expected, "int64")


# --- random ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, a, b", [("uniform", -1.0, 3.0), ("normal", 2.0, 0.5),
                                        ("randint", -3, 7)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_random_draws_are_counter_based_and_well_distributed(kind, a, b, dtype):
    if (kind == "randint") != (dtype == "int64"):
        return
    draw = getattr(random, f"{kind}_triton")
    first = download(draw(4000, 2**63 + 11, 5, a, b, np.dtype(dtype)))
    again = download(draw(4000, 2**63 + 11, 5, a, b, np.dtype(dtype)))
    shifted = download(draw(10, 2**63 + 11, 8, a, b, np.dtype(dtype)))
    np.testing.assert_array_equal(first, again)            # same (seed, offset), same numbers
    per = 2 if dtype != "float32" else 4  # element i: value i % per of counter offset + i // per
    np.testing.assert_array_equal(first[3 * per:3 * per + 10], shifted)  # 3 counters further
    expected = getattr(random, f"{kind}_reference")(200_000, 7, 0, a, b, np.dtype(dtype))
    assert abs(first.mean() - expected.mean()) < 4 * expected.std() / math.sqrt(4000)
    assert abs(first.std() - expected.std()) < 0.05 * expected.std()
    if kind != "normal":
        assert first.min() >= a and first.max() < b


def test_randperm_is_a_permutation():
    permutation = download(random.randperm_triton(300, 3, 0, np.dtype(np.int64)))
    assert sorted(permutation.tolist()) == list(range(300))
    assert permutation.tolist() != list(range(300))


# --- optimizer steps -------------------------------------------------------------------------


@FEW
@given(st.sampled_from(("float32", "float64")), st.floats(0, 0.9), st.booleans(), st.booleans(),
       st.booleans(), st.sampled_from([0.0, 0.01]))
def test_sgd_step_matches_reference(dtype, momentum, nesterov, maximize, first_step, decay):
    rng = np.random.default_rng(1)
    p, g, b = (rng.standard_normal(12).astype(dtype) for _ in range(3))
    view = View((3, 4), (4, 1), 0)
    nesterov = nesterov and momentum > 0
    device = [upload(a) for a in (p, g, b)]
    buffers = (b, view) if momentum else (None, None)
    device_buffers = (device[2], view) if momentum else (None, None)
    optim.sgd_step_triton(device[0], view, device[1], view, *device_buffers, 0.1, momentum, 0.1,
                          decay, nesterov, maximize, first_step)
    optim.sgd_step_reference(p, view, g, view, *buffers, 0.1, momentum, 0.1, decay, nesterov,
                             maximize, first_step)
    assert_close(download(device[0]), p, dtype)
    assert_close(download(device[2]), b, dtype)


@FEW
@given(st.sampled_from(("float32", "float64")), st.booleans(), st.booleans(), st.booleans(),
       st.sampled_from([0.0, 0.01]), st.integers(1, 5))
def test_adam_step_matches_reference(dtype, decoupled, amsgrad, maximize, decay, step):
    rng = np.random.default_rng(step)
    p, g, m = (rng.standard_normal(10).astype(dtype) for _ in range(3))
    v, v_max = (np.abs(rng.standard_normal(10)).astype(dtype) for _ in range(2))
    view = View((10,), (1,), 0)
    device = [upload(a) for a in (p, g, m, v, v_max)]
    optim.adam_step_triton(device[0], view, device[1], view, device[2], view, device[3], view,
                           device[4] if amsgrad else None, view if amsgrad else None, step,
                           1e-3, 0.9, 0.999, 1e-8, decay, decoupled, maximize)
    optim.adam_step_reference(p, view, g, view, m, view, v, view, v_max if amsgrad else None,
                              view if amsgrad else None, step, 1e-3, 0.9, 0.999, 1e-8, decay,
                              decoupled, maximize)
    for array, buffer in zip((p, m, v, v_max), (device[0], device[2], device[3], device[4])):
        assert_close(download(buffer), array, dtype)


# Four parameters of different sizes, one strided (it takes the one-tensor kernel) and one at an
# offset inside a larger buffer; GPU launch configs split the 1500-element one over two programs.
FOREACH_VIEWS = [View((3, 4), (4, 1), 0), View((1500,), (1,), 0), View((4, 3), (1, 4), 0),
                 View((5,), (1,), 7)]


def _foreach_arrays(dtype: str, count: int, seed: int) -> list[list[np.ndarray]]:
    """count arrays per parameter (p, g, state...), each the size of its buffer, |state| >= 0."""
    rng = np.random.default_rng(seed)
    sizes = [12, 1500, 12, 12]
    return [[np.abs(rng.standard_normal(size)).astype(dtype) if k >= 2 else
             rng.standard_normal(size).astype(dtype) for k in range(count)] for size in sizes]


@FEW
@given(st.sampled_from(("float32", "float64")), st.floats(0, 0.9), st.booleans(), st.booleans(),
       st.sampled_from([0.0, 0.01]), st.booleans())
def test_foreach_sgd_step_matches_reference(dtype, momentum, nesterov, maximize, decay, gpu):
    arrays = _foreach_arrays(dtype, 3, 2)
    device = [[upload(a) for a in per_param] for per_param in arrays]
    nesterov = nesterov and momentum > 0
    views = FOREACH_VIEWS
    first_steps = [True, False, False, True]
    with gpu_launch_configs() if gpu else nullcontext():
        optim.foreach_sgd_step_triton(
            [d[0] for d in device], views, [d[1] for d in device], views,
            [d[2] for d in device] if momentum else None, views if momentum else None, 0.1,
            momentum, 0.1, decay, nesterov, maximize, first_steps)
    optim.foreach_sgd_step_reference(
        [a[0] for a in arrays], views, [a[1] for a in arrays], views,
        [a[2] for a in arrays] if momentum else None, views if momentum else None, 0.1, momentum,
        0.1, decay, nesterov, maximize, first_steps)
    for per_param, buffers in zip(arrays, device):
        assert_close(download(buffers[0]), per_param[0], dtype)
        assert_close(download(buffers[2]), per_param[2], dtype)


@FEW
@given(st.sampled_from(("float32", "float64")), st.booleans(), st.booleans(), st.booleans(),
       st.sampled_from([0.0, 0.01]), st.booleans())
def test_foreach_adam_step_matches_reference(dtype, decoupled, amsgrad, maximize, decay, gpu):
    arrays = _foreach_arrays(dtype, 5, 3)
    device = [[upload(a) for a in per_param] for per_param in arrays]
    views, steps = FOREACH_VIEWS, [1, 3, 2, 7]  # each parameter has its own step count
    with gpu_launch_configs() if gpu else nullcontext():
        optim.foreach_adam_step_triton(
            [d[0] for d in device], views, [d[1] for d in device],
            views, [d[2] for d in device], views, [d[3] for d in device], views,
            [d[4] for d in device] if amsgrad else None, views if amsgrad else None, steps,
            1e-3, 0.9, 0.999, 1e-8, decay, decoupled, maximize)
    optim.foreach_adam_step_reference(
        [a[0] for a in arrays], views, [a[1] for a in arrays], views, [a[2] for a in arrays],
        views, [a[3] for a in arrays], views, [a[4] for a in arrays] if amsgrad else None,
        views if amsgrad else None, steps, 1e-3, 0.9, 0.999, 1e-8, decay, decoupled, maximize)
    for per_param, buffers in zip(arrays, device):
        for k in (0, 2, 3, 4):
            assert_close(download(buffers[k]), per_param[k], dtype)


def test_foreach_adam_step_is_one_launch_for_dense_parameters():
    from tinygrad_edu.kernels import triton_support

    arrays = _foreach_arrays("float32", 4, 4)
    device = [[upload(a) for a in per_param] for per_param in arrays]
    dense = [0, 1, 3]  # the strided one (index 2) would take a launch of its own
    views = [FOREACH_VIEWS[i] for i in dense]
    before = triton_support.COUNTS["launches"]
    optim.foreach_adam_step_triton(*[x for k in range(4) for x in ([device[i][k] for i in dense],
                                                                   views)],
                                   None, None, [1, 1, 1], 1e-3, 0.9, 0.999, 1e-8, 0.0, False,
                                   False)
    assert triton_support.COUNTS["launches"] - before == 1


# --- convolution and pooling -----------------------------------------------------------------

CONVOLUTIONS = [  # (N, C, H, W), (O, kh, kw), stride, padding (t, b, l, r), dilation, groups
    ((2, 3, 7, 6), (4, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    ((1, 4, 8, 9), (6, 3, 2), (2, 1), (0, 1, 2, 0), (1, 2), 2),
    ((3, 1, 5, 5), (2, 1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1),
]


@pytest.mark.parametrize("input_shape, kernel, stride, padding, dilation, groups", CONVOLUTIONS)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_conv2d_and_its_gradients_match_reference(input_shape, kernel, stride, padding, dilation,
                                                   groups, dtype):
    rng = np.random.default_rng(groups)
    weight_shape = (kernel[0], input_shape[1] // groups, kernel[1], kernel[2])
    x = rng.standard_normal(math.prod(input_shape)).astype(dtype)
    w = rng.standard_normal(math.prod(weight_shape)).astype(dtype)
    x_view = View(input_shape, contiguous_strides(input_shape), 0)
    w_view = View(weight_shape, contiguous_strides(weight_shape), 0)
    geometry = (stride, padding, dilation, groups)
    got, expected = run_both("conv2d", x, x_view, w, w_view, *geometry)
    loose = {"float16": "float16"}.get(dtype, "float32")
    assert_close(download(got), expected, loose)
    bias = rng.standard_normal(2 * kernel[0]).astype(dtype)  # every other element: a strided view
    got, expected = run_both("conv2d", x, x_view, w, w_view, *geometry, bias,
                             View((kernel[0],), (2,), 1))
    assert_close(download(got), expected, loose)
    plain = conv.conv2d_reference(x, x_view, w, w_view, *geometry).reshape(
        input_shape[0], kernel[0], -1)  # (N, O, Ho*Wo)
    assert_close(expected.reshape(plain.shape), plain + bias[1::2, None], loose)
    out_shape = conv.conv2d_output_shape(input_shape, weight_shape, stride, padding, dilation)
    dy = rng.standard_normal(math.prod(out_shape)).astype(dtype)
    dy_view = View(out_shape, contiguous_strides(out_shape), 0)
    got, expected = run_both("conv2d_backward_input", dy, dy_view, w, w_view, input_shape,
                             *geometry)
    assert_close(download(got), expected, loose)
    got, expected = run_both("conv2d_backward_weight", dy, dy_view, x, x_view, weight_shape,
                             *geometry)
    assert_close(download(got), expected, loose)


@pytest.mark.parametrize("height, stride, padding, dilation, groups", [
    (24, (1, 1), (1, 1, 1, 1), (1, 1), 1),  # N * Ho * Wo = 1248: a split-K weight gradient
    (12, (2, 3), (0, 2, 1, 0), (2, 1), 2)])
def test_conv2d_products_with_the_gpu_tiles(height, stride, padding, dilation, groups):
    """The GPU's launch settings: several tiles along M and N, several turns of the K loop,
    split-K for the weight gradient, groups folded into axis 0, x read through a transposed
    view; the input gradient gathers (strides 2 and 3: pixels no window covers get 0)."""
    rng = np.random.default_rng(7)
    input_shape, weight_shape = (2, 8, height, 26), (20, 8 // groups, 3, 3)
    x = rng.standard_normal(math.prod(input_shape)).astype(np.float32)
    w = rng.standard_normal(math.prod(weight_shape)).astype(np.float32)
    n, c, h, wd = input_shape  # x stored (N, H, W, C): its (N, C, H, W) view is strided
    x_view = View(input_shape, (h * wd * c, 1, wd * c, c), 0)
    w_view = View(weight_shape, contiguous_strides(weight_shape), 0)
    geometry = (stride, padding, dilation, groups)
    out_shape = conv.conv2d_output_shape(input_shape, weight_shape, stride, padding, dilation)
    dy = rng.standard_normal(math.prod(out_shape)).astype(np.float32)
    dy_view = View(out_shape, contiguous_strides(out_shape), 0)
    bias = rng.standard_normal(20).astype(np.float32)
    bias_view = View((20,), (1,), 0)
    with gpu_launch_configs():
        y = conv.conv2d_triton(upload(x), x_view, upload(w), w_view, *geometry, upload(bias),
                               bias_view)
        dx = conv.conv2d_backward_input_triton(upload(dy), dy_view, upload(w), w_view,
                                               input_shape, *geometry)
        dw = conv.conv2d_backward_weight_triton(upload(dy), dy_view, upload(x), x_view,
                                                weight_shape, *geometry)
    assert_close(download(y), conv.conv2d_reference(x, x_view, w, w_view, *geometry, bias,
                                                    bias_view))
    assert_close(download(dx), conv.conv2d_backward_input_reference(
        dy, dy_view, w, w_view, input_shape, *geometry))
    assert_close(download(dw), conv.conv2d_backward_weight_reference(
        dy, dy_view, x, x_view, weight_shape, *geometry))


POOLS = [  # input shape, kernel, stride, padding, dilation, ceil_mode
    ((2, 3, 7, 6), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((1, 2, 7, 7), (3, 3), (2, 2), (1, 1), (1, 1), True),
    ((4, 5, 6), (3, 2), (1, 2), (1, 0), (2, 1), False),
]


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation, ceil_mode", POOLS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pooling_and_its_gradients_match_reference(shape, kernel, stride, padding, dilation,
                                                    ceil_mode, dtype):
    rng = np.random.default_rng(len(shape))
    x = rng.standard_normal(math.prod(shape)).astype(dtype)
    x[3] = np.nan
    view = View(shape, contiguous_strides(shape), 0)
    (values, winners), (expected_values, expected_winners) = run_both(
        "max_pool2d", x, view, kernel, stride, padding, dilation, ceil_mode)
    assert_close(download(values), expected_values, dtype)
    assert_close(download(winners), expected_winners, "int64")
    out_shape = pool.pool2d_output_shape(shape, kernel, stride, padding, dilation, ceil_mode)
    dy = rng.standard_normal(math.prod(out_shape)).astype(dtype)
    out_view = View(out_shape, contiguous_strides(out_shape), 0)
    expected = pool.max_pool2d_backward_reference(dy, out_view, expected_winners, out_view, shape)
    got = pool.max_pool2d_backward_triton(upload(dy), out_view, winners, out_view, shape, kernel,
                                          stride, padding, dilation)
    assert_close(download(got), expected, dtype)
    with gpu_launch_configs():  # many programs; no geometry: every window is a candidate
        got = pool.max_pool2d_backward_triton(upload(dy), out_view, winners, out_view, shape)
    assert_close(download(got), expected, dtype)
    if dilation != (1, 1):
        return
    x = np.nan_to_num(x)
    for include_pad, override in ((True, None), (False, None), (True, 3)):
        options = (kernel, stride, padding, ceil_mode, include_pad, override)
        got, expected = run_both("avg_pool2d", x, view, *options)
        assert_close(download(got), expected, dtype)
        got, expected = run_both("avg_pool2d_backward", dy, out_view, shape, *options)
        assert_close(download(got), expected, dtype)
