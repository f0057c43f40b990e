"""Layout ops against PyTorch (ops/layout.py): triangles, diagonals, roll, rot90, repeats,
sliding windows (Tensor.unfold, F.unfold / F.fold), meshgrid, movedim, take_along_dim, flatten.

Values and gradients on every device, with non-contiguous inputs (parity_helpers.relayout) and
random arguments drawn by Hypothesis; the errors are PyTorch's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from parity_helpers import LAYOUTS, relayout

import tinygrad_edu as te
from tinygrad_edu.testing import assert_matches_torch
from tinygrad_edu.testing.strategies import arrays, shapes

# name -> (min_dims, function of (module, x, data-drawn integer k))
LAYOUT_OPS = {
    "tril": (2, lambda t, x, k: t.tril(x, k)),
    "triu": (2, lambda t, x, k: x.triu(diagonal=k)),
    "diagonal": (2, lambda t, x, k: t.diagonal(x, k, -1, 0) * 2),
    "diagonal_method": (2, lambda t, x, k: x.diagonal(offset=-k, dim1=-1, dim2=0) + 1),
    "diag_embed": (1, lambda t, x, k: t.diag_embed(x, k, 0, -1)),
    "diag_vector": (1, lambda t, x, k: t.diag(x.reshape(-1), k)),
    "diag_matrix": (2, lambda t, x, k: t.diag(x.reshape(x.shape[0], -1), k)),
    "trace": (2, lambda t, x, k: t.trace(x.reshape(x.shape[0], -1))),
    "roll": (1, lambda t, x, k: t.roll(x, k, 0)),
    "roll_dims": (2, lambda t, x, k: x.roll((k, -1), (-1, 0))),
    "roll_flat": (0, lambda t, x, k: t.roll(x, k)),
    "rot90": (2, lambda t, x, k: t.rot90(x, k, (0, -1))),
    "rot90_method": (2, lambda t, x, k: x.rot90(-k, [1, 0])),
    "repeat_interleave": (0, lambda t, x, k: t.repeat_interleave(x, abs(k) % 3)),
    "repeat_interleave_dim": (1, lambda t, x, k: x.repeat_interleave(abs(k) % 3 + 1, dim=-1)),
    "repeat_interleave_tensor": (1, lambda t, x, k: x.repeat_interleave(
        t.arange(x.shape[0], device=x.device) % 3, dim=0)),
    "unfold": (1, lambda t, x, k: x.unfold(-1, min(abs(k) % 3 + 1, x.shape[-1]), abs(k) % 2 + 1)),
    "unfold_overlap": (1, lambda t, x, k: x.unfold(0, 1 + (x.shape[0] > 1), 1) * 3),
    "movedim": (2, lambda t, x, k: t.movedim(x, 0, -1)),
    "movedim_many": (3, lambda t, x, k: x.movedim((0, 1), (-1, 0))),
    "moveaxis": (2, lambda t, x, k: t.moveaxis(x, -1, 0)),
    "swapaxes": (2, lambda t, x, k: x.swapaxes(0, -1) * 2),
    "swapdims": (2, lambda t, x, k: t.swapdims(x, -1, 0) * 2),
    "narrow": (1, lambda t, x, k: t.narrow(x, -1, 0, 1)),
    "flatten": (2, lambda t, x, k: t.flatten(x, 1) * 2),
    "unflatten": (1, lambda t, x, k: x.reshape(-1).unflatten(0, (1, -1))),
    "nn_flatten": (2, lambda t, x, k: t.nn.Flatten(0)(x) * 2),
    "nn_unflatten": (1, lambda t, x, k: t.nn.Unflatten(-1, (x.shape[-1], 1))(x) * 2),
    "take_along_dim": (2, lambda t, x, k: t.take_along_dim(
        x, (t.arange(x.shape[0], device=x.device) % x.shape[1]).reshape(
            -1, *([1] * (x.ndim - 1))), 1)),
    # torch views a non-contiguous input with dim=None (and fails): give it a contiguous one
    "take_along_dim_flat": (1, lambda t, x, k: x.contiguous().take_along_dim(
        t.arange(3, device=x.device) % x.shape[0])),
}


def examples(device: str) -> int:
    """Every op here is built from primitives that the kernel tests cover on Triton already, so
    the (slow) interpreter runs a couple of examples per op and NumPy runs more."""
    return 8 if device == "cpu" else 2


@pytest.mark.parametrize("name", sorted(LAYOUT_OPS))
def test_layout_ops_match_torch(name: str, device: str) -> None:
    min_dims, function = LAYOUT_OPS[name]

    @settings(max_examples=examples(device))
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        array = data.draw(arrays("float32", shapes(min_dims=min_dims, max_dims=max(min_dims, 3),
                                                   min_side=1, max_side=4)))
        layout = data.draw(st.sampled_from(LAYOUTS))
        k = data.draw(st.integers(-3, 3))
        assert_matches_torch(lambda t, x: function(t, relayout(t, x, layout), k), None, array,
                             device=device)

    check()


def test_tril_triu_keep_integer_dtypes_and_nan(device: str) -> None:
    x = te.tensor([[1, 2], [3, 4]], device=device)
    assert te.tril(x).dtype == te.int64 and te.tril(x).tolist() == [[1, 0], [3, 4]]
    y = te.tensor([[float("nan"), 1.0], [2.0, float("nan")]], device=device)
    assert te.triu(y, 1).tolist() == [[0.0, 1.0], [0.0, 0.0]]  # nan below is dropped, not 0*nan


def test_diagonal_is_a_view(device: str) -> None:
    x = te.arange(9.0, device=device).reshape(3, 3)
    d = x.diagonal()
    x[1, 1] = 100.0
    assert d.tolist() == [0.0, 100.0, 8.0]


def test_meshgrid_matches_torch(device: str) -> None:
    a, b, c = (np.arange(n, dtype=np.float32) + 1 for n in (2, 3, 4))
    for indexing in ("ij", "xy"):
        assert_matches_torch(lambda t, x, y, z, i=indexing: t.meshgrid(x, y, z, indexing=i),
                             None, a, b, c, device=device)
    assert_matches_torch(lambda t, x, y: t.meshgrid([x, y], indexing="xy"), None, a, b,
                         device=device)
    with pytest.warns(UserWarning, match="indexing argument"):
        te.meshgrid(te.tensor(a, device=device))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        te.meshgrid(te.tensor(a), indexing="ij")


def test_repeat_interleave_of_counts_and_0d(device: str) -> None:
    counts = te.tensor([2, 0, 3], device=device)
    assert te.repeat_interleave(counts).tolist() == torch.repeat_interleave(
        torch.tensor([2, 0, 3])).tolist()
    assert_matches_torch(lambda t, x: t.repeat_interleave(x, 3), None, np.float32(2.5),
                         device=device)
    assert_matches_torch(lambda t, x: t.roll(x, 2), None, np.float32(2.5), device=device)


@settings(max_examples=4)
@given(data=st.data())
def test_im2col_fold_match_torch(data: st.DataObject, device: str) -> None:
    kh, kw = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3))
    dh, dw = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    ph, pw = data.draw(st.integers(0, 1)), data.draw(st.integers(0, 1))
    sh, sw = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    h = data.draw(st.integers(max(dh * (kh - 1) + 1 - 2 * ph, 1), 5))
    w = data.draw(st.integers(max(dw * (kw - 1) + 1 - 2 * pw, 1), 5))
    batched = data.draw(st.booleans())
    shape = ((2,) if batched else ()) + (2, h, w)
    image = data.draw(arrays("float32", shape))
    arguments = dict(kernel_size=(kh, kw), dilation=(dh, dw), padding=(ph, pw), stride=(sh, sw))
    assert_matches_torch(lambda t, x: t.nn.functional.unfold(relayout(t, x, "permuted"),
                                                             **arguments), None, image,
                         device=device)
    columns = torch.nn.functional.unfold(torch.tensor(image), **arguments).numpy()
    assert_matches_torch(lambda t, c: t.nn.functional.fold(c, (h, w), **arguments), None,
                         columns, device=device)
    if device == "cpu":  # the layers are the functions above (kept off the slow interpreter)
        assert_matches_torch(lambda t, c: t.nn.Fold((h, w), **arguments)(c), None, columns)
        assert_matches_torch(lambda t, x: t.nn.Unfold(**arguments)(x), None, image)


ERRORS = [
    (lambda t: t.tril(t.ones(3)), "tril: input tensor must have at least 2 dimensions"),
    (lambda t: t.diagonal(t.ones(2, 2), 0, 1, -1), "diagonal dimensions cannot be identical"),
    (lambda t: t.trace(t.ones(2, 2, 2)), "trace: expected a matrix"),
    (lambda t: t.diag(t.ones(2, 2, 2)), "diag"),
    (lambda t: t.roll(t.ones(2, 3), (1, 2), 0), "shifts and dimensions must align"),
    (lambda t: t.rot90(t.ones(2, 3), 1, (0, 0)), "expected rotation dims to be different"),
    (lambda t: t.rot90(t.ones(2, 3), 1, (0,)), "expected total rotation dims == 2"),
    (lambda t: t.ones(4).unfold(0, 5, 1), "maximum size for tensor at dimension 0 is 4"),
    (lambda t: t.ones(4).unfold(0, 2, 0), "step is 0 but must be > 0"),
    (lambda t: t.movedim(t.ones(2, 3), (0, 0), (0, 1)), "movedim: repeated dim in `source`"),
    (lambda t: t.take_along_dim(t.ones(2, 3), t.tensor([0]), 0), "same number of dimensions"),
    (lambda t: t.repeat_interleave(t.ones(3), t.tensor([1, 2]), 0), "repeats must have the "
                                                                    "same size as input"),
    (lambda t: t.meshgrid(t.ones(2), indexing="ab"), 'indexing must be one of "xy" or "ij"'),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_layout_errors_are_torchs(index: int) -> None:
    build, message = ERRORS[index]
    with pytest.raises(RuntimeError, match=message) as theirs:
        build(torch)
    with pytest.raises(type(theirs.value), match=message):
        build(te)
