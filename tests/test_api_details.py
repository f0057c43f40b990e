"""The small API details PyTorch code relies on (issue 10, part A): axis= / keepdims=, dim 0 / -1
of 0-d tensors, int8 / int16 / uint8 end to end, bitwise ops and shifts, integer ** negative
integer, negative reflect / circular padding, list indexing in several dims, every in-place `_`
variant, out=, Tensor.new*, the legacy typed constructors and tinygrad_edu.functional."""

from __future__ import annotations

import inspect
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as te
from tinygrad_edu.tensor_breadth import IN_PLACE, OUT_FUNCTIONS
from tinygrad_edu.testing import assert_matches_torch

X = np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5 - 2


@pytest.mark.parametrize("name", ["sum", "mean", "std", "var", "prod", "amax", "amin", "argmax",
                                  "argmin", "logsumexp", "max", "min", "any", "all", "cumsum",
                                  "median", "sort", "softmax", "nanmedian"])
def test_axis_and_keepdims_aliases(name: str) -> None:
    def call(t, x):
        x = x > 0 if name in ("any", "all") else x
        kwargs = {} if name in ("cumsum", "sort", "softmax") else {"keepdims": True}
        method = getattr(x, name)(axis=1, **kwargs)
        function = getattr(t, name)(x, axis=0)
        as_list = [r for r in (method, function) for r in (r if isinstance(r, tuple) else [r])]
        return [r.float() if r.dtype == t.bool else r for r in as_list]

    assert_matches_torch(call, None, X)


@pytest.mark.parametrize("dim", [0, -1])
def test_dim_0_and_minus_1_of_0d_tensors(dim: int, device: str) -> None:
    def call(t, x):
        return [x.sum(dim), x.mean(dim), x.prod(dim), x.amax(dim), x.max(dim).values,
                x.min(dim).indices.float(), x.argmax(dim).float(), t.softmax(x, dim),
                x.logsumexp(dim), x.cumsum(dim), x.sort(dim).values, t.cummax(x, dim).values,
                x.var(dim, correction=0), x.unsqueeze(dim), x.median(dim).values]

    assert_matches_torch(call, None, np.float32(1.5), device=device)
    with pytest.raises(IndexError, match="Dimension out of range"):
        te.tensor(1.0).sum(1)


@settings(max_examples=10)
@given(st.sampled_from(["int8", "int16", "uint8"]), st.data())
def test_small_integer_dtypes_end_to_end(name: str, data: st.DataObject) -> None:
    dtype = getattr(np, name)
    low, high = (0, 200) if name == "uint8" else (-100, 100)
    values = data.draw(hnp.arrays(dtype, (2, 3), elements=st.integers(low, high)))
    for device in ("cpu", "cuda"):
        ours = te.tensor(values, device=device)
        theirs = torch.tensor(values)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        small = te.tensor([1, 2, 3], dtype=te.int8, device=device)
        pairs = [(ours + 1, theirs + 1), (ours * 2, theirs * 2), (ours.sum(), theirs.sum()),
                 (ours + small, theirs + torch.tensor([1, 2, 3], dtype=torch.int8)),
                 (ours // 3, theirs // 3), (ours.float() / 2, theirs.float() / 2),
                 ((ours > 5).to(ours.dtype), (theirs > 5).to(theirs.dtype)),
                 (ours.max(1).values, theirs.max(1).values), (~ours, ~theirs),
                 (ours.cumsum(1), theirs.cumsum(1)), (ours.sort(1).values, theirs.sort(1).values),
                 ((ours.float() * 3).to(ours.dtype), (theirs.float() * 3).to(theirs.dtype))]
        for index, (a, b) in enumerate(pairs):
            assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1], index
            np.testing.assert_array_equal(a.cpu().numpy(), b.numpy(), err_msg=f"{index}")
    assert te.promote_types(te.uint8, te.int8) is te.int16
    assert te.tensor([1], dtype=te.short).type() == "tinygrad_edu.ShortTensor"


BITWISE = {
    "and": lambda t, a, b: a & b, "or": lambda t, a, b: t.bitwise_or(a, b),
    "xor": lambda t, a, b: a.bitwise_xor(b), "not": lambda t, a, b: ~a,
    "bitwise_not": lambda t, a, b: t.bitwise_not(b),
    "left_shift": lambda t, a, b: a << (b & 7), "right_shift": lambda t, a, b: a >> (b & 7),
    "shift_functions": lambda t, a, b: t.bitwise_left_shift(a, 2) + a.bitwise_right_shift(1),
    "scalar_and": lambda t, a, b: 6 & a, "bool": lambda t, a, b: ~(a > 0) ^ (b > 0) | (a < b),
}


@pytest.mark.parametrize("name", sorted(BITWISE))
def test_bitwise_ops_match_torch(name: str, device: str) -> None:
    function = BITWISE[name]

    @settings(max_examples=8 if device == "cpu" else 1)
    @given(st.sampled_from(["int64", "int32", "int16", "int8", "uint8"]), st.data())
    def check(dtype: str, data: st.DataObject) -> None:
        low = 0 if dtype == "uint8" else -50
        a, b = (data.draw(hnp.arrays(getattr(np, dtype), (2, 3), elements=st.integers(low, 60)))
                for _ in range(2))
        assert_matches_torch(function, None, a, b, device=device)

    check()


def test_integer_powers(device: str) -> None:
    """A Python int exponent < 0 is PyTorch's error; a tensor of exponents follows C's rule."""
    for base in (te.tensor([2, 3]), te.tensor([2], dtype=te.int8)):
        with pytest.raises(RuntimeError, match="Integers to negative integer powers are not "):
            base ** -1
    values = np.array([1, -1, 2, 3, 0, -2, 5], dtype=np.int16)
    exponents = np.array([-1, -3, -2, 2, 1, -1, 0])
    assert_matches_torch(lambda t, a, b: [a ** b, 2 ** b, t.pow(a, b.to(t.int8)), a ** 3], None,
                         values, exponents, device=device, differentiate=False)


@pytest.mark.parametrize("dtype", ["int8", "int16", "uint8", "int32", "int64"])
def test_max_pool_on_integers(dtype: str, device: str) -> None:
    low = 0 if dtype == "uint8" else -100
    x = np.random.default_rng(0).integers(low, 100, (1, 2, 5, 5)).astype(dtype)
    assert_matches_torch(lambda t, v: [*t.nn.functional.max_pool2d(v, 3, 2, 1, return_indices=True),
                                       t.nn.MaxPool2d(2)(v)], None, x, device=device,
                         differentiate=False)
    with pytest.raises(NotImplementedError, match="not implemented for 'Bool'"):
        te.nn.functional.max_pool2d(te.ones(1, 2, 2, dtype=te.bool), 2)


def test_integer_errors() -> None:
    with pytest.raises(RuntimeError, match="not implemented for 'Float'"):
        te.ones(2) & te.ones(2)
    with pytest.raises(RuntimeError, match="not implemented for 'Float'"):
        ~te.ones(2)


@pytest.mark.parametrize("mode", ["reflect", "circular"])
def test_negative_padding(mode: str, device: str) -> None:
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for pads in [(-1, 2), (2, -1), (-1, -1, 1, -1), (1, -2, -1, 2)]:
        assert_matches_torch(lambda t, v, p=pads: t.nn.functional.pad(v, p, mode=mode), None, x,
                             device=device)


def test_list_indexing_in_several_dims(device: str) -> None:
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert_matches_torch(lambda t, v: [v[[0, 1], [1, 2]], v[[1, 0], :, [3, 0]],
                                       v[[[0], [1]], [0, 2]], v[:, [0, 2]][..., [1, 1, 3]],
                                       v[[0, 1], [2, 0], [3, 1]]], None, x, device=device)

    def assign(t, v):
        y = v * 1
        y[[0, 1], [1, 2]] = 5.0
        y[[1], :, [0, 3]] = y[[1], :, [0, 3]] * 2
        return y

    assert_matches_torch(assign, None, x, device=device, differentiate=False)


def test_every_inplace_variant_torch_has() -> None:
    """x.name_ exists wherever torch has Tensor.name_ and tinygrad_edu has Tensor.name."""
    missing = [name for name in dir(torch.Tensor)
               if name.endswith("_") and not name.startswith("_")
               and hasattr(te.Tensor, name[:-1]) and not hasattr(te.Tensor, name)]
    assert missing == []
    assert all(hasattr(torch.Tensor, f"{name}_") for name in IN_PLACE)


@pytest.mark.parametrize("call", [
    lambda t, x: x.sin_(), lambda t, x: x.unsqueeze_(0), lambda t, x: x.clamp_(-1, 1),
    lambda t, x: x.masked_fill_(x > 0, 3.0), lambda t, x: x.atan2_(x.detach() + 1),
    lambda t, x: x.index_add_(1, t.tensor([0, 0, 2], device=x.device), x.new_ones(3, 3)),
    lambda t, x: x.t_(),
    lambda t, x: x.cumsum_(0), lambda t, x: x.lerp_(x * 2, 0.25), lambda t, x: x.squeeze_(),
    lambda t, x: x.nan_to_num_().fmod_(2), lambda t, x: x.transpose_(0, 1).expm1_(),
])
def test_inplace_variants_match_torch(call, device: str) -> None:
    x = X[:, :3].copy()

    def run(t, v):
        target = v * 1  # a non-leaf: in-place ops on it are recorded
        result = call(t, target)
        assert result is target
        return target

    assert_matches_torch(run, None, x, device=device)


def test_out_keyword() -> None:
    """Every OUT_FUNCTIONS name takes out= in torch; results, resizing and the errors."""
    assert all(callable(getattr(torch, name, None)) for name in OUT_FUNCTIONS)
    for call in (lambda t, v, o: t.argmax(v, 1, out=o), lambda t, v, o: t.softmax(v, 0, out=o),
                 lambda t, v, o: t.cumsum(v, 1, out=o), lambda t, v, o: t.arctan2(v, v, out=o),
                 lambda t, v, o: t.hardshrink(v, 0.7, out=o)):
        theirs = torch.tensor(X)
        expected = call(torch, theirs, torch.empty(0, dtype=call(torch, theirs, None).dtype))
        got = call(te, te.tensor(X), te.empty(0, dtype=getattr(te, str(expected.dtype)[6:])))
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
    x = te.tensor(X)
    out = te.empty(3, 4)
    assert te.exp(x, out=out) is out and np.allclose(out.numpy(), np.exp(X), rtol=1e-6)
    out = te.empty(0, dtype=te.int64)
    te.argmax(x, 1, out=out)
    assert out.tolist() == torch.argmax(torch.tensor(X), 1).tolist()
    values, indices = te.empty(0), te.empty(0, dtype=te.int64)
    result = te.max(x, 0, out=(values, indices))
    assert result.values is values and values.tolist() == torch.tensor(X).max(0).values.tolist()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        te.add(x, 1, out=te.zeros(5))
    assert any("was resized" in str(w.message) for w in caught)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        te.sin(te.ones(2, requires_grad=True), out=te.empty(2))
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        te.mul(x, 0.5, out=te.empty(3, 4, dtype=te.int64))


def test_new_tensors_and_legacy_constructors(device: str) -> None:
    x = te.ones(2, dtype=te.float64, device=device)
    assert x.new(3, 2).shape == (3, 2) and x.new(3, 2).dtype is te.float64
    assert x.new().shape == (0,) and x.new([1, 2]).tolist() == [1.0, 2.0]
    assert x.new([1, 2]).device == x.device
    assert x.new_tensor([1, 2]).dtype is te.float64 and x.new_empty(4).shape == (4,)
    for name in ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ShortTensor",
                 "CharTensor", "ByteTensor", "BoolTensor", "HalfTensor"]:
        ours, theirs = getattr(te, name)([1, 0, 2]), getattr(torch, name)([1, 0, 2])
        assert ours.tolist() == theirs.tolist() and str(ours.dtype)[13:] == str(theirs.dtype)[6:]
        assert isinstance(ours, getattr(te, name))
        assert getattr(te, name)(2, 3).shape == (2, 3)
        assert getattr(te, name)(te.Size([4])).shape == (4,)
    assert not isinstance(te.ones(2), te.LongTensor)
    y = te.tensor([0.2, 0.7])
    assert y.lt_(0.5) is y and y.tolist() == [1.0, 0.0]  # bool result, stored in x's dtype


def test_torch_functional_module_path() -> None:
    from tinygrad_edu import functional

    for name in functional.__all__:
        assert hasattr(torch.functional, name) and getattr(functional, name) is getattr(te, name)
    assert functional.norm(te.tensor([3.0, 4.0])).item() == 5.0
    assert [t.tolist() for t in functional.split(te.arange(4), 2)] == [[0, 1], [2, 3]]


def test_conventions_keep_signatures() -> None:
    """The wrappers that add axis= and out= keep each op's own signature and docstring."""
    assert "dim" in inspect.signature(te.sum).parameters
    assert inspect.signature(te.Tensor.sum).parameters.keys() == inspect.signature(
        te.Tensor.sum.__wrapped__).parameters.keys()


def test_nested_lists_index_like_a_tuple_and_augmented_bit_assignment(device: str) -> None:
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert_matches_torch(lambda t, v: [v[[[0, 1], [1, 0]]], v[(0, 1),], v[[0, slice(1, 3)]],
                                       v[:, 1, [0, 3]], v[1, [0, 2], [1, 3]]], None, x,
                         device=device)

    def augmented(t, a, b):
        results = []
        for operator in ("__iand__", "__ior__", "__ixor__", "__ilshift__", "__irshift__"):
            target = a * 1
            assert getattr(target, operator)(b % 4) is target  # in place, as PyTorch
            results.append(target)
        return results

    assert_matches_torch(augmented, None, np.array([1, -5, 7, 0]), np.array([3, 2, 6, 1]),
                         device=device, differentiate=False)
    y = te.ones(2)
    assert y.type(te.LongTensor).dtype is te.int64 and y.type("torch.IntTensor").dtype is te.int32


def test_index_tensor_dtypes() -> None:
    """uint8 indexes as a (deprecated) mask, int8 / int16 are refused, as in PyTorch."""
    x = te.arange(12.0).reshape(3, 4)
    with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
        assert x[te.tensor([1, 0, 1], dtype=te.uint8)].tolist() == x[[0, 2]].tolist()
    for dtype in (te.int8, te.int16):
        with pytest.raises(IndexError, match="must be long, int, byte or bool tensors"):
            x[te.tensor([0, 2], dtype=dtype)]
    assert x[te.tensor([0, 2], dtype=te.int32)].tolist() == x[[0, 2]].tolist()


@pytest.mark.parametrize("name", ["sin_", "exp_", "clamp_", "neg_", "round_", "zero_", "xlogy_"])
def test_top_level_in_place_functions_write_into_their_first_argument(device, name):
    from tinygrad_edu.ops.inplace_functions import IN_PLACE_FUNCTIONS

    assert set(IN_PLACE_FUNCTIONS) <= set(dir(te))
    assert all(hasattr(torch, n) for n in IN_PLACE_FUNCTIONS)
    extra = {"clamp_": (-0.5, 0.5), "xlogy_": (2.0,)}.get(name, ())
    values = [0.25, -1.5, 2.0]
    expected = torch.tensor(values)
    returned = getattr(torch, name)(expected, *extra)
    x = te.tensor(values, device=device)
    storage_before = x.data_ptr() if hasattr(x, "data_ptr") else None
    got = getattr(te, name)(x, *extra)
    assert got is x and returned is expected
    assert storage_before is None or x.data_ptr() == storage_before
    np.testing.assert_allclose(x.cpu().numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)
