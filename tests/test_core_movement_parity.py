"""Movement and indexing ops against PyTorch: the values, the gradients, and — for views — that
no element was copied (the result shares storage with its input)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parity_helpers import LAYOUTS, relayout

import tinygrad_edu as te
from tinygrad_edu.testing import assert_matches_torch
from tinygrad_edu.testing.strategies import arrays, shapes

MOVEMENT = {
    "reshape": lambda t, x: x.reshape(-1, x.shape[-1]) * 2,
    "view_flat": lambda t, x: x.contiguous().view(-1),
    "permute": lambda t, x: x.permute(*reversed(range(x.ndim))) * 1.5,
    "transpose": lambda t, x: x.transpose(0, -1),
    "T": lambda t, x: x.T + 1,
    "mT": lambda t, x: x.mT if x.ndim >= 2 else x,
    "expand": lambda t, x: (
        x.unsqueeze(0).expand(3, *x.shape)
        * t.arange(3.0, device=x.device).reshape(3, *([1] * x.ndim))
    ),
    "squeeze": lambda t, x: x.unsqueeze(1).squeeze(1).squeeze(),
    "unsqueeze": lambda t, x: x.unsqueeze(-1) * x.unsqueeze(0).sum(),
    "flatten": lambda t, x: t.flatten(x, 0, -1) * 3,
    "narrow": lambda t, x: x.narrow(-1, 1, x.shape[-1] - 1),
    "flip": lambda t, x: (
        x.flip(0) * t.arange(x.shape[0] * 1.0, device=x.device).reshape(-1, *([1] * (x.ndim - 1)))
    ),
    "cat": lambda t, x: t.cat([x, x * 2, x[:1]], 0),
    "stack": lambda t, x: t.stack([x, -x], dim=-1),
    "split": lambda t, x: x.split(1, 0)[-1] * 3 + x.split([x.shape[0] - 1, 1], 0)[0].sum(),
    "chunk": lambda t, x: x.chunk(2, -1)[0] * 2,
    "unbind": lambda t, x: t.unbind(x, 0)[0] * 5,
    "repeat": lambda t, x: x.repeat(2, *([1] * (x.ndim - 1))) * 2,
    "contiguous_clone": lambda t, x: x.T.contiguous().clone() * 2,
    "pad": lambda t, x: t.nn.functional.pad(x, (1, 2)),
    "crop_pad": lambda t, x: t.nn.functional.pad(x, (-1, 1), value=3.0),
}


@pytest.mark.parametrize("name", sorted(MOVEMENT))
@given(data=st.data())
def test_movement_ops_match_torch(name: str, data: st.DataObject, device: str) -> None:
    array = data.draw(arrays("float32", shapes(min_dims=2, max_dims=3, min_side=2)))
    layout = data.draw(st.sampled_from(LAYOUTS))
    assert_matches_torch(
        lambda t, x: MOVEMENT[name](t, relayout(t, x, layout)), None, array, device=device
    )


@st.composite
def basic_keys(draw: st.DrawFn, shape: tuple[int, ...]):
    """A random basic index: ints (incl. negative), slices with steps, None and Ellipsis."""
    key = []
    for size in shape:
        kind = draw(st.sampled_from(["int", "slice", "full"]))
        if kind == "int":
            key.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-size - 1, size + 1))
            stop = draw(st.none() | st.integers(-size - 1, size + 1))
            key.append(slice(start, stop, draw(st.none() | st.integers(1, 3))))
        else:
            key.append(slice(None))
        if draw(st.integers(0, 5)) == 0:
            key.append(None)
    if draw(st.booleans()) and len(key) > 1:
        key[draw(st.integers(0, len(key) - 1))] = Ellipsis
    return tuple(key)


@given(data=st.data())
def test_basic_indexing_matches_torch_and_is_a_view(data: st.DataObject, device: str) -> None:
    array = data.draw(arrays("float32", shapes(min_dims=1, max_dims=3, min_side=1)))
    key = data.draw(basic_keys(array.shape))
    assert_matches_torch(lambda t, x: x[key] * 2, None, array, device=device)
    x = te.tensor(array)
    assert x[key].untyped_storage() is x.untyped_storage()


@given(data=st.data())
def test_advanced_indexing_matches_torch(data: st.DataObject, device: str) -> None:
    array = data.draw(arrays("float32", shapes(min_dims=2, max_dims=3, min_side=2)))
    rows = data.draw(
        st.lists(st.integers(-array.shape[0], array.shape[0] - 1), min_size=1, max_size=5)
    )
    cols = data.draw(
        st.lists(st.integers(0, array.shape[1] - 1), min_size=len(rows), max_size=len(rows))
    )
    form = data.draw(st.sampled_from(["rows", "pairs", "slice_then", "list"]))

    def index(t, x):
        r, c = t.tensor(rows, device=x.device), t.tensor(cols, device=x.device)
        if form == "rows":
            return x[r]
        if form == "pairs":
            return x[r, c]
        if form == "slice_then":
            return x[:, c]
        return x[rows]

    assert_matches_torch(index, None, array, device=device)


@given(array=arrays("float32", shapes(min_dims=1, max_dims=3)))
def test_boolean_mask_indexing_matches_torch(array: np.ndarray, device: str) -> None:
    assert_matches_torch(lambda t, x: x[x > 0] * 2, None, array, device=device)
    assert_matches_torch(lambda t, x: t.masked_select(x, x < 1), None, array, device=device)
    if array.ndim >= 2:
        assert_matches_torch(lambda t, x: x[x[..., 0] > 0], None, array, device=device)


@given(data=st.data())
def test_gather_scatter_add_index_select_match_torch(data: st.DataObject, device: str) -> None:
    array = data.draw(arrays("float32", shapes(min_dims=2, max_dims=2, min_side=2)))
    rows, cols = array.shape
    dim = data.draw(st.integers(0, 1))
    index_shape = (data.draw(st.integers(1, rows)), data.draw(st.integers(1, cols)))
    limit = array.shape[dim]
    index = data.draw(arrays("int64", index_shape, low=0, high=limit - 1))
    selection = data.draw(st.lists(st.integers(0, limit - 1), min_size=1, max_size=6))
    assert_matches_torch(
        lambda t, x: x.gather(dim, t.tensor(index, device=x.device)), None, array, device=device
    )
    assert_matches_torch(
        lambda t, x: t.zeros_like(x).scatter_add(
            dim, t.tensor(index, device=x.device), x[: index_shape[0], : index_shape[1]] * 2
        ),
        None,
        array,
        device=device,
    )
    assert_matches_torch(
        lambda t, x: x.index_select(dim, t.tensor(selection, device=x.device)),
        None,
        array,
        device=device,
    )


def test_view_ops_share_storage_and_reshape_copies_only_when_it_must() -> None:
    x = te.arange(24.0).reshape(2, 3, 4)
    for view in (
        x.view(6, 4),
        x.permute(2, 0, 1),
        x.transpose(0, 1),
        x.T,
        x.mT,
        x[0],
        x[:, 1:, ::2],
        x.narrow(2, 1, 2),
        x.unsqueeze(0),
        x[:1].squeeze(0),
        x.flatten(),
        x[0, 0].expand(5, 4),
        x.data,
        x.detach(),
    ):
        assert view.untyped_storage() is x.untyped_storage()
    assert x.reshape(4, 6).untyped_storage() is x.untyped_storage()
    transposed = x.transpose(1, 2)
    assert not transposed.is_contiguous()
    copied = transposed.reshape(-1)  # a transposed tensor cannot be flattened without a copy
    assert copied.untyped_storage() is not x.untyped_storage()
    np.testing.assert_array_equal(
        copied.numpy(), np.arange(24.0).reshape(2, 3, 4).transpose(0, 2, 1).reshape(-1)
    )


def test_strides_offsets_and_contiguity_match_torch() -> None:
    import torch

    cases = [
        lambda t, x: x,
        lambda t, x: x.T,
        lambda t, x: x[1:, ::2],
        lambda t, x: x[:, 1],
        lambda t, x: x.unsqueeze(1),
        lambda t, x: x[0:1].expand(4, 6),
        lambda t, x: x.view(2, 2, 6).permute(2, 0, 1),
        lambda t, x: x[2:, 3:].contiguous(),
    ]
    for case in cases:
        ours = case(te, te.arange(24.0).reshape(4, 6))
        theirs = case(torch, torch.arange(24.0).reshape(4, 6))
        assert ours.stride() == theirs.stride()
        assert ours.storage_offset() == theirs.storage_offset()
        assert ours.is_contiguous() == theirs.is_contiguous()
        assert tuple(ours.shape) == tuple(theirs.shape)


def test_setitem_writes_through_views_and_bumps_versions() -> None:
    import torch

    for library in (te, torch):
        x = library.zeros(3, 4)
        row = x[1]
        x[1, ::2] = 5.0
        x[:, 3] = library.tensor([1.0, 2.0, 3.0])
        x[library.tensor([0, 2]), library.tensor([1, 1])] = -1.0
        x[x > 4] = 7.0
        assert row._version == x._version == 4
        if library is te:
            ours = x.numpy().copy()
        else:
            np.testing.assert_array_equal(ours, x.numpy())
