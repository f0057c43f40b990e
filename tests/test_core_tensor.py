"""Tensor basics against PyTorch: dtypes and promotion, creation functions, conversions, printing,
memory sharing with NumPy, and reproducible random numbers."""

from __future__ import annotations

import importlib
import itertools
import pickle
import re
import types
from pathlib import Path

import numpy as np
import pytest
import torch

import tinygrad_edu as te

DTYPES = ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]


def _sample(library, name: str, zero_dim: bool):
    values = 1 if zero_dim else [1, 0, 1]
    return library.tensor(values, dtype=getattr(library, name))


@pytest.mark.parametrize("left, right", list(itertools.product(DTYPES, DTYPES)))
def test_promotion_between_tensors_matches_torch(left: str, right: str) -> None:
    for left_zero, right_zero in itertools.product([False, True], repeat=2):
        ours = _sample(te, left, left_zero) * _sample(te, right, right_zero)
        theirs = _sample(torch, left, left_zero) * _sample(torch, right, right_zero)
        assert ours.dtype.name == str(theirs.dtype).replace("torch.", ""), (left_zero, right_zero)


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_promotion_with_python_numbers_matches_torch(name: str, scalar) -> None:
    ours = _sample(te, name, False) + scalar
    theirs = _sample(torch, name, False) + scalar
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    comparison = _sample(te, name, False) < scalar
    assert comparison.dtype is te.bool
    division = _sample(te, name, False) / 2
    assert division.dtype.name == str((_sample(torch, name, False) / 2).dtype).replace("torch.", "")


def test_conversions_and_dtype_methods() -> None:
    x = te.tensor([1.7, -2.2, 0.0])
    assert x.dtype is te.float32
    assert x.long().tolist() == [1, -2, 0] and x.long().dtype is te.int64
    assert x.int().dtype is te.int32 and x.double().dtype is te.float64
    assert x.bool().tolist() == [True, True, False]
    assert x.half().dtype is te.float16 and x.to(te.float64).dtype is te.float64
    assert x.to("cpu") is x and x.to(te.float32) is x
    assert x.float() is x
    assert te.tensor([1, 2]).dtype is te.int64 and te.tensor([True]).dtype is te.bool
    assert te.tensor(np.array([1.0], dtype=np.float64)).dtype is te.float64
    assert te.tensor([[1, 2.5]]).dtype is te.float32
    assert te.result_type(te.tensor([1]), 1.0) is te.float32


def test_creation_functions_match_torch() -> None:
    cases = [
        lambda t: t.zeros(2, 3), lambda t: t.ones((2, 1), dtype=t.int32), lambda t: t.full((2,), 7),
        lambda t: t.full((2,), 1.5), lambda t: t.arange(5), lambda t: t.arange(1, 4, 0.5),
        lambda t: t.arange(10, 0, -3), lambda t: t.linspace(0, 1, 5), lambda t: t.eye(3),
        lambda t: t.eye(2, 4), lambda t: t.zeros_like(t.ones(2, 2, dtype=t.float64)),
        lambda t: t.ones_like(t.tensor([1, 2])), lambda t: t.full_like(t.zeros(3), 2.0),
        lambda t: t.tensor(3.5), lambda t: t.tensor([[1, 2], [3, 4]]), lambda t: t.empty(0, 3),
    ]
    for case in cases:
        ours, theirs = case(te), case(torch)
        assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_from_numpy_shares_memory_both_ways_and_numpy_views_back() -> None:
    array = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    x = te.from_numpy(array)
    array[0, 0] = 42.0
    assert x[0, 0].item() == 42.0
    x[1, 2] = -1.0
    assert array[1, 2] == -1.0
    transposed = te.from_numpy(array.T)
    assert transposed.stride() == (1, 3) and transposed.tolist() == array.T.tolist()
    assert x.numpy().base is not None and np.shares_memory(x.numpy(), array)
    with pytest.raises(ValueError, match="negative"):
        te.from_numpy(array[:, ::-1])


def test_python_conversions_iteration_and_sizes() -> None:
    x = te.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert len(x) == 3 and x.size() == (3, 2) and x.size(-1) == 2 and x.shape[0] == 3
    assert x.dim() == 2 and x.ndim == 2 and x.numel() == 6
    assert [row.tolist() for row in x] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert float(x[1, 1]) == 4.0 and int(x[2, 0]) == 5 and x[0, 1].item() == 2.0
    assert repr(x.shape) == "tinygrad_edu.Size([3, 2])"
    assert bool(te.tensor([1])) is True
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value"):
        bool(x)
    assert x.data_ptr() == x[0].data_ptr() and x[1].data_ptr() == x.data_ptr() + 2 * 4
    assert x.nbytes == 24 and x.element_size() == 4


def test_data_is_a_detached_view_used_by_classic_loops() -> None:
    weights = te.tensor([1.0, 2.0], requires_grad=True)
    data = weights.data
    assert not data.requires_grad and data.untyped_storage() is weights.untyped_storage()
    data.mul_(10)  # allowed: .data is not part of the graph
    assert weights.tolist() == [10.0, 20.0]
    outputs = te.tensor([[0.1, 0.9], [0.8, 0.2]])
    _, predicted = te.max(outputs.data, 1)
    assert predicted.tolist() == [1, 0]


def test_grad_setter_checks_shape() -> None:
    x = te.zeros(2, 2, requires_grad=True)
    x.grad = te.ones(2, 2)
    assert x.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with pytest.raises(RuntimeError, match="assigned grad has data of a different size"):
        x.grad = te.ones(3)
    x.grad = None
    assert x.grad is None


@pytest.mark.parametrize("make", [
    lambda t: t.tensor([[1.0, 2.5], [3.0, -4.0]]),
    lambda t: t.tensor([1.0, 2.0, 3.0]),
    lambda t: t.tensor(3.25),
    lambda t: t.tensor([1, 2, 3]),
    lambda t: t.tensor([True, False]),
    lambda t: t.tensor([1.0, 2.0], dtype=t.float64),
    lambda t: t.tensor([[1, 2]], dtype=t.int32),
    lambda t: t.tensor([1e-5, 1.0]),
    lambda t: t.tensor([1e10, 1.0]),
    lambda t: t.tensor([float("inf"), float("nan"), 1.5]),
    lambda t: t.arange(12.0).reshape(2, 3, 2),
    lambda t: t.ones(2, requires_grad=True),
    lambda t: t.ones(2, requires_grad=True) * 2,
    lambda t: t.arange(2000.0),
    lambda t: t.tensor(np.random.default_rng(0).standard_normal((40, 40)).astype(np.float32)),
    lambda t: t.tensor(np.random.default_rng(1).standard_normal((3, 12)).astype(np.float32)),
    lambda t: t.arange(30).reshape(3, 10),
])
def test_repr_matches_torch(make) -> None:
    ours = repr(make(te)).replace("tinygrad_edu.", "torch.")
    assert ours == repr(make(torch))


@pytest.mark.parametrize("spec", ["", ".3f", ">12"])
def test_format_matches_torch(spec: str) -> None:
    for make in (lambda t: t.tensor(3.14159), lambda t: t.tensor(2),
                 lambda t: t.tensor(0.5, requires_grad=True) * 3):
        assert format(make(te), spec) == format(make(torch), spec)
    vector = te.tensor([1.5, 2.0])
    if spec:
        with pytest.raises(TypeError):
            format(vector, spec)
    else:
        assert format(vector, spec) == repr(vector)


def test_manual_seed_is_deterministic_and_distributions_are_right() -> None:
    te.manual_seed(123)
    first = (te.rand(1000), te.randn(1000), te.randint(0, 10, (1000,)))
    te.manual_seed(123)
    second = (te.rand(1000), te.randn(1000), te.randint(0, 10, (1000,)))
    for a, b in zip(first, second):
        assert a.tolist() == b.tolist()
    uniform, normal, integers = first
    assert 0.0 <= uniform.min().item() and uniform.max().item() < 1.0
    assert abs(uniform.mean().item() - 0.5) < 0.05 and abs(normal.mean().item()) < 0.15
    assert abs(normal.std().item() - 1.0) < 0.1
    assert set(integers.tolist()) == set(range(10)) and integers.dtype is te.int64
    assert te.rand(2).tolist() != te.rand(2).tolist()
    generator = te.Generator().manual_seed(5)
    assert te.randn(3, generator=generator).tolist() == te.randn(
        3, generator=te.Generator().manual_seed(5)).tolist()


def test_pickle_round_trip() -> None:
    x = te.tensor([[1.0, 2.0]], requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == [[1.0, 2.0]] and y.requires_grad and y.dtype is te.float32


def test_devices_and_their_errors() -> None:
    assert te.ones(2).device == te.device("cpu") == "cpu"
    assert str(te.device("cuda")) == "cuda:0" and te.device("triton") == te.device("cuda")
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda device type"):
        te.device("tpu")


# The tinygrad_edu-only part of the top-level namespace: the packages PyTorch has no torch.X for.
# Everything else public at top level must be a torch.X name, so `import tinygrad_edu as torch`
# never offers a function PyTorch lacks (internal helpers such as ops.getitem stay in ops).
TINYGRAD_EDU_ONLY = {
    "kernels",  # the compute primitives: NumPy reference and Triton kernels
    "viz",  # drawing the autograd graph, watching a training run
    "vision",  # datasets and transforms (torchvision's place)
    "training",  # the trainers behind the CLI and the examples
    "cli",  # `python -m tinygrad_edu` / `tinygrad-edu`
    "audio",  # WAV files, spectrograms, the spoken-digits reader (torchaudio's place)
}


def test_top_level_names_are_torch_names_or_documented() -> None:
    for package in ("cli", "testing", "training", "vision", "viz"):  # their names join te's
        importlib.import_module(f"tinygrad_edu.{package}")
    unexpected = []
    for name in dir(te):
        value = getattr(te, name)
        if name.startswith("_") or hasattr(torch, name) or name in TINYGRAD_EDU_ONLY:
            continue
        # Python makes every imported submodule an attribute of its package (te.dtypes, te.views,
        # te.tensor_math): the library's own files, not API. Another package's module is a leak.
        own_file = (isinstance(value, types.ModuleType) and value.__name__ == f"tinygrad_edu.{name}"
                    and not hasattr(value, "__path__"))
        if not own_file:
            unexpected.append(name)
    assert unexpected == [], f"top-level names that torch does not have: {unexpected}"
    namespace: dict = {}
    exec("from tinygrad_edu.ops import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(te.ops.__all__)
    assert all(callable(getattr(torch, name)) for name in te.ops.__all__)
    # the helpers left out of __all__ are still there for the code that reaches them as _ops.X
    package = Path(te.__file__).parent
    used = {name for source in package.rglob("*.py")
            for name in re.findall(r"\b_ops\.(\w+)", source.read_text())}
    assert {"getitem", "setitem", "view", "to"} <= used
    assert [name for name in sorted(used) if not hasattr(te.ops, name)] == []
