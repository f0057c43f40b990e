"""Scans and sorting against PyTorch (issue 10, part A): cumsum, cumprod (zeros included),
cummax/cummin (PyTorch's tie rule), logcumsumexp, sort (stable, descending, NaN), argsort, topk,
kthvalue, median, mode, unique, bincount, searchsorted, bucketize, masked_select; and the two new
primitives (kernels/scan.py, kernels/sort.py) against their NumPy references under the
interpreter, across block boundaries, non-contiguous views and empty dims."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from parity_helpers import LAYOUTS, relayout

import tinygrad_edu as te
from tinygrad_edu.testing import assert_matches_torch
from tinygrad_edu.testing.strategies import shapes

FAST = settings(max_examples=6)


def small_floats(distinct: bool = False, tied: bool = False) -> st.SearchStrategy[np.ndarray]:
    """float32 arrays of rank 0..3; tied: few values (many ties); distinct: no two equal."""
    values = (st.integers(-3, 3).map(float) if tied else
              st.floats(-5, 5, width=32, allow_subnormal=False))
    return hnp.arrays(np.float32, shapes(min_dims=0, max_dims=3), elements=values,
                      unique=distinct)


def on_device(device: str, strategy: st.SearchStrategy, check: Callable[[Any], None],
              cuda_example: Any) -> None:
    """Hypothesis examples on "cpu"; one fixed example on "cuda" (each interpreted kernel launch
    costs ~50 ms)."""
    if device == "cuda":
        check(cuda_example)
        return

    @FAST
    @given(strategy)
    def examples(example: Any) -> None:
        check(example)

    examples()


FIXED = np.array([[2.0, -1.0, 0.0, 3.0, -1.0], [1.5, 2.5, -2.0, 2.5, 0.5]], np.float32)

SCANS = {
    "cumsum": lambda t, x, d: x.cumsum(d),
    "cumsum_int_dtype": lambda t, x, d: t.cumsum(x.round().long(), d),
    "cumprod": lambda t, x, d: t.cumprod(x, d),
    "cumprod_with_zeros": lambda t, x, d: (x.round() * x).cumprod(d),
    "cummax": lambda t, x, d: list(t.cummax(x.round(), d)),
    "cummin": lambda t, x, d: list(x.round().cummin(d)),
    "logcumsumexp": lambda t, x, d: t.logcumsumexp(x, d),
}


@pytest.mark.parametrize("name", sorted(SCANS))
def test_scans_match_torch(name: str, device: str) -> None:
    function = SCANS[name]

    def check(example: tuple[np.ndarray, int, str]) -> None:
        array, dim, layout = example
        dim = dim % max(array.ndim, 1)
        assert_matches_torch(lambda t, x: function(t, relayout(t, x, layout), dim), None, array,
                             device=device)

    strategy = st.tuples(small_floats(), st.integers(0, 2), st.sampled_from(LAYOUTS))
    on_device(device, strategy, check, (FIXED, 1, "permuted"))


def test_cumprod_gradient_with_zeros_exactly() -> None:
    """One zero, two zeros, a zero first and last: the gradient PyTorch computes, to rounding."""
    rows = np.array([[2.0, 0.0, 3.0, 4.0], [0.0, 2.0, 0.0, 5.0], [1.5, 2.0, 3.0, 0.0],
                     [0.0, 0.0, 0.0, 0.0]], np.float32)
    assert_matches_torch(lambda t, x: t.cumprod(x, 1), None, rows)
    assert_matches_torch(lambda t, x: t.cumprod(x, 0), None, rows)


SELECTIONS = {
    "sort": lambda t, x, d: list(t.sort(x, dim=d, stable=True)),
    "sort_descending": lambda t, x, d: list(x.sort(dim=d, descending=True, stable=True)),
    "argsort": lambda t, x, d: t.argsort(x, dim=d, stable=True),
    "msort": lambda t, x, d: t.msort(x),
    "topk": lambda t, x, d: list(x.topk(min(2, x.shape[d] if x.ndim else 1), d)),
    "topk_smallest": lambda t, x, d: list(t.topk(x, 1, d, largest=False)),
    "kthvalue": lambda t, x, d: list(t.kthvalue(x, 1, d, keepdim=True)),
    "median_dim": lambda t, x, d: list(x.median(d)),
    "median": lambda t, x, d: t.median(x),
    "nanmedian": lambda t, x, d: list(t.nanmedian(x, d)),
    "amax_amin": lambda t, x, d: [x.amax(d), t.amin(x, d, keepdim=True)],
}


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_selections_match_torch(name: str, device: str) -> None:
    """Distinct values: every index is determined, so values, indices and gradients must match;
    sort and the amax/amin gradient split must match with ties as well (PyTorch's rules)."""
    function = SELECTIONS[name]
    tied = name.startswith(("sort", "argsort", "msort", "amax"))

    def check(example: tuple[np.ndarray, int, str]) -> None:
        array, dim, layout = example
        dim = dim % max(array.ndim, 1)
        assert_matches_torch(lambda t, x: function(t, relayout(t, x, layout), dim), None, array,
                             device=device)

    strategy = st.tuples(small_floats(distinct=not tied, tied=tied), st.integers(0, 2),
                         st.sampled_from(LAYOUTS))
    example = FIXED if tied else FIXED + np.arange(10, dtype=np.float32).reshape(2, 5) * 0.01
    on_device(device, strategy, check, (example, 1, "permuted"))


def test_ties_nan_and_edge_sizes(device: str) -> None:
    x = [3.0, float("nan"), 1.0, 3.0, -0.0, 0.0, float("nan"), 1.0]
    ours, theirs = te.tensor(x, device=device), torch.tensor(x)
    for descending in (False, True):
        a = ours.sort(descending=descending, stable=True)
        b = theirs.sort(descending=descending, stable=True)
        np.testing.assert_array_equal(a.values.cpu().numpy(), b.values.numpy())
        assert a.indices.tolist() == b.indices.tolist()
    for op in ("cummax", "cummin"):
        a, b = getattr(ours, op)(0), getattr(theirs, op)(0)
        np.testing.assert_array_equal(a.values.cpu().numpy(), b.values.numpy())
        assert a.indices.tolist() == b.indices.tolist(), op
    assert te.median(ours).isnan().item() and ours.nanmedian().item() == theirs.nanmedian().item()
    tied = te.tensor([1.0, 3.0, 3.0, 2.0, 3.0, 1.0], device=device)
    values, indices = tied.topk(3)
    assert values.tolist() == [3.0, 3.0, 3.0] and sorted(indices.tolist()) == [1, 2, 4]
    k = tied.kthvalue(2)
    assert k.values.item() == 1.0 and tied[k.indices].item() == 1.0
    empty = te.zeros(2, 0, device=device)
    assert empty.sort(1).values.shape == (2, 0) and empty.cumsum(1).shape == (2, 0)
    assert te.topk(tied, 6).values.tolist() == sorted(tied.tolist(), reverse=True)  # k = n
    assert te.topk(tied, 0).values.shape == (0,)
    scalar = te.tensor(2.5, device=device)
    assert scalar.sort(0).values.item() == 2.5 and scalar.cumsum(-1).item() == 2.5
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        tied.topk(7)
    with pytest.raises(RuntimeError, match="kthvalue\\(\\): selected number k out of range"):
        tied.kthvalue(0)


def test_mode_matches_torch(device: str) -> None:
    """The most frequent value (the smallest of several) and its last index, as PyTorch."""
    x = np.array([[2.0, 1.0, 2.0, 1.0, 0.0], [3.0, 3.0, 1.0, 1.0, 3.0], [0.0, 1.0, 2.0, 0.0,
                                                                          1.0]], np.float32)
    assert_matches_torch(lambda t, v: list(t.mode(v, 1)) + list(v.mode(0, keepdim=True)), None,
                         x, device=device)


def test_counting_and_searching_match_torch(device: str) -> None:
    rng = np.random.default_rng(0)
    values = rng.integers(0, 6, size=12)
    ours, theirs = te.tensor(values, device=device), torch.tensor(values)
    for kwargs in ({}, {"return_inverse": True}, {"return_counts": True},
                   {"return_inverse": True, "return_counts": True}):
        a, b = te.unique(ours.reshape(3, 4), **kwargs), torch.unique(theirs.reshape(3, 4),
                                                                      **kwargs)
        for x, y in zip(a if isinstance(a, tuple) else [a], b if isinstance(b, tuple) else [b]):
            assert x.tolist() == y.tolist(), kwargs
    rows = torch.tensor([[1, 2], [0, 5], [1, 2]])
    a = te.unique(te.tensor(rows.numpy(), device=device), dim=0, return_counts=True)
    b = torch.unique(rows, dim=0, return_counts=True)
    assert [t.tolist() for t in a] == [t.tolist() for t in b]
    weights = rng.random(12).astype(np.float32)
    assert te.bincount(ours).tolist() == torch.bincount(theirs).tolist()
    np.testing.assert_allclose(
        te.bincount(ours, te.tensor(weights, device=device), minlength=9).cpu().numpy(),
        torch.bincount(theirs, torch.tensor(weights), minlength=9).numpy(), rtol=1e-6)
    boundaries = [-1.0, 0.5, 2.0, 2.0, 4.0]
    queries = [[-2.0, 0.5, 2.0], [3.0, 4.0, 9.0]]
    for right in (False, True):
        a = te.searchsorted(te.tensor(boundaries, device=device), te.tensor(queries, device=device),
                            right=right)
        b = torch.searchsorted(torch.tensor(boundaries), torch.tensor(queries), right=right)
        assert a.tolist() == b.tolist()
        a = te.bucketize(te.tensor(queries, device=device), te.tensor(boundaries, device=device),
                         right=right, out_int32=True)
        b = torch.bucketize(torch.tensor(queries), torch.tensor(boundaries), right=right,
                            out_int32=True)
        assert a.tolist() == b.tolist() and a.dtype is te.int32
    sorted_rows = [[1.0, 3.0, 5.0], [0.0, 0.0, 2.0]]
    a = te.searchsorted(te.tensor(sorted_rows, device=device), te.tensor([[3.0], [0.0]],
                                                                          device=device),
                        side="right")
    b = torch.searchsorted(torch.tensor(sorted_rows), torch.tensor([[3.0], [0.0]]), side="right")
    assert a.tolist() == b.tolist()
    assert te.searchsorted(te.tensor(boundaries), 2.0).item() == 2
    with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative integral"):
        te.bincount(te.tensor([-1, 2]))


def test_masked_select_broadcasts(device: str) -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    mask = np.array([True, False, True])
    assert_matches_torch(lambda t, v, m: t.masked_select(v, m), None, x, mask, device=device)
    assert_matches_torch(lambda t, v, m: v[0].masked_select(m.reshape(1, 3) | (v > 3)), None, x,
                         mask.reshape(1, 3), device=device)


# --- the primitives against their NumPy references (Triton interpreter) ----------------------
def _layouts(rng: np.random.Generator, dtype: type) -> list[tuple[np.ndarray, Any, int]]:
    """(array, its view over a transposed buffer, dim) for a few shapes, edge sizes included."""
    from tinygrad_edu.kernels import View

    cases = []
    for shape, dim in [((3, 5), 1), ((4, 3, 2), 0), ((2, 9), 1), ((7,), 0), ((0, 3), 1),
                       ((2, 0), 1)]:
        x = rng.integers(-2, 3, size=shape).astype(dtype)
        if x.dtype.kind == "f" and x.size > 3:
            x.flat[1], x.flat[2], x.flat[0] = np.inf, np.nan, -0.0
        stored = np.ascontiguousarray(x.T)  # the same values, transposed in memory
        strides = tuple(reversed([int(s) // stored.itemsize for s in stored.strides]))
        cases.append((stored.reshape(-1), View(x.shape, strides, 0), dim))
    return cases


@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_scan_kernel_matches_reference(dtype: type, monkeypatch: pytest.MonkeyPatch) -> None:
    from tinygrad_edu.kernels import scan
    from tinygrad_edu.kernels.triton_support import download, upload

    monkeypatch.setattr(scan, "SCAN_BLOCK_MAX", 4)  # rows of 5, 7 and 9 span several blocks
    for buffer, view, dim in _layouts(np.random.default_rng(1), dtype):
        for op in scan.SCAN_OPS:
            if op == "logsumexp" and dtype is np.int64:
                continue
            expected, expected_indices = scan.scan_reference(op, buffer, view, dim)
            values, indices = scan.scan_triton(op, upload(buffer), view, dim)
            np.testing.assert_allclose(download(values), expected, rtol=1e-6, equal_nan=True,
                                       err_msg=op)
            if expected_indices is not None:
                np.testing.assert_array_equal(download(indices), expected_indices, err_msg=op)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.uint8, np.bool_])
def test_sort_kernel_matches_reference(dtype: type, monkeypatch: pytest.MonkeyPatch) -> None:
    from tinygrad_edu.kernels import sort
    from tinygrad_edu.kernels.triton_support import download, upload

    monkeypatch.setattr(sort, "SORT_BLOCK", 4)  # several comparison tables per row
    for buffer, view, dim in _layouts(np.random.default_rng(2), dtype):
        for descending in (False, True):
            expected, expected_indices = sort.sort_reference(buffer, view, dim, descending)
            values, indices = sort.sort_triton(upload(buffer), view, dim, descending)
            np.testing.assert_array_equal(download(values), expected)
            np.testing.assert_array_equal(download(indices), expected_indices)
