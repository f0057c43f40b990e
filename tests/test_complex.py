"""Complex tensors against PyTorch: dtypes and promotion, creation and repr, the complex ops, their
errors, and gradients by PyTorch's convention (complex values built from real leaves; the real
leaves' gradients are compared), on every device."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as te

FEW = settings(max_examples=6, deadline=None)


def _leaves(lib, arrays, device):
    kwargs = {} if lib is torch else {"device": device}
    return [lib.tensor(a, requires_grad=True, **kwargs) for a in arrays]


def _host(t):
    return t.detach().cpu().numpy()


def _compare(function, arrays, device, atol=1e-9, rtol=1e-6):
    """function(lib, *complex inputs) -> complex or real result; forward and leaf gradients."""
    results = {}
    for lib in (torch, te):
        leaves = _leaves(lib, arrays, device)
        inputs = [lib.complex(leaf[..., 0], leaf[..., 1]) for leaf in leaves]
        out = function(lib, *inputs)
        real = lib.view_as_real(out) if out.is_complex() else out
        weights = lib.tensor(np.linspace(0.5, 1.5, real.numel()).reshape(tuple(real.shape)),
                             dtype=real.dtype, **({} if lib is torch else {"device": device}))
        (real * weights).sum().backward()
        results[lib] = (_host(real), [_host(leaf.grad) for leaf in leaves])
    (expected, expected_grads), (got, got_grads) = results[torch], results[te]
    np.testing.assert_allclose(got, expected, atol=atol, rtol=rtol)
    for g, e in zip(got_grads, expected_grads):
        np.testing.assert_allclose(g, e, atol=atol, rtol=rtol)


def pairs(shape):
    """float64 arrays of (real, imag) pairs, parts in [0.2, 2] in size with either sign."""
    size = int(np.prod(shape)) * 2
    magnitude = st.floats(0.2, 2.0)
    return st.lists(st.tuples(magnitude, st.booleans()), min_size=size, max_size=size).map(
        lambda items: np.array([m if s else -m for m, s in items]).reshape(shape + (2,)))


UNARY = {
    "exp": lambda t, z: z.exp(),
    "log": lambda t, z: z.log(),
    "sqrt": lambda t, z: z.sqrt(),
    "abs": lambda t, z: z.abs(),
    "angle": lambda t, z: z.angle(),
    "conj": lambda t, z: z.conj() * (1 + 2j),
    "reciprocal": lambda t, z: z.reciprocal(),
    "neg": lambda t, z: -z,
    "sin": lambda t, z: z.sin(),
    "cos": lambda t, z: t.cos(z),
    "sum": lambda t, z: z.sum(0),
    "mean": lambda t, z: z.mean(),
    "square": lambda t, z: z**2,
    "real_imag": lambda t, z: z.real * z.imag,
    "sgn": lambda t, z: t.sgn(z),
    "polar": lambda t, z: t.polar(z.abs(), z.real),
}
BINARY = {
    "add": lambda t, a, b: a + b,
    "sub": lambda t, a, b: a - b,
    "mul": lambda t, a, b: a * b,
    "div": lambda t, a, b: a / b,
    "pow": lambda t, a, b: a ** b,
    "scalar": lambda t, a, b: (a * (0.5 - 1j) + 2) / (b - 1j),
    "real_times_complex": lambda t, a, b: a.real * b,
    "matmul": lambda t, a, b: a.reshape(2, 2) @ b.reshape(2, 2),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@FEW
@given(data=pairs((2, 2)))
def test_unary_values_and_gradients(name, data):
    _compare(UNARY[name], [data], "cpu")


@pytest.mark.parametrize("name", sorted(BINARY))
@FEW
@given(a=pairs((4,)), b=pairs((4,)))
def test_binary_values_and_gradients(name, a, b):
    _compare(BINARY[name], [a, b], "cpu")


def test_every_op_on_the_device(device):
    """The same ops once each on every device (the interpreter pays per launch: one example)."""
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.3, 2, (4, 2)), rng.uniform(-2, -0.3, (4, 2))
    for function in UNARY.values():
        _compare(function, [a.reshape(2, 2, 2)], device)
    for function in BINARY.values():
        _compare(function, [a, b], device)


def test_broadcast_and_matmul_shapes(device):
    rng = np.random.default_rng(0)
    _compare(lambda t, a, b: (a @ b) * a.sum(), [rng.standard_normal((2, 3, 2)),
                                                rng.standard_normal((3, 2, 2))], device)
    _compare(lambda t, a, b: a * b, [rng.standard_normal((2, 1, 2)),
                                     rng.standard_normal((3, 2))], device)


def test_gradcheck_accepts_complex_inputs(device):
    z = te.tensor([1 + 2j], dtype=te.complex128, device=device, requires_grad=True)
    w = te.tensor([-2 + 0.5j], dtype=te.complex128, device=device, requires_grad=True)
    assert te.autograd.gradcheck(lambda z, w: (z * w).exp() / z + z.abs(), (z, w))


def test_gradcheck_catches_a_wrong_complex_convention():
    """A backward without the conjugate (dz = dy * f'(z)) must fail the check."""
    class WrongMul(te.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        @staticmethod
        def backward(ctx, dy):
            (z,) = ctx.saved_tensors
            return dy * 2 * z  # should be dy * 2 * conj(z)

    z = te.tensor([1 + 2j], dtype=te.complex128, requires_grad=True)
    assert not te.autograd.gradcheck(WrongMul.apply, (z,), raise_exception=False)


@pytest.mark.parametrize("left, right", [
    ("float32", "complex64"), ("float64", "complex64"), ("float32", "complex128"),
    ("int64", "complex64"), ("bool", "complex128"), ("complex64", "complex128")])
def test_promotion_matches_torch(left, right):
    a, b = torch.ones(2, dtype=getattr(torch, left)), torch.ones(2, dtype=getattr(torch, right))
    x, y = te.ones(2, dtype=getattr(te, left)), te.ones(2, dtype=getattr(te, right))
    assert (x + y).dtype.name == str((a + b).dtype).removeprefix("torch.")
    zero_d = te.tensor(1 + 1j, dtype=getattr(te, right))
    assert (x + zero_d).dtype.name == str((a + torch.tensor(1 + 1j, dtype=b.dtype)).dtype
                                          ).removeprefix("torch.")
    assert (x + 2j).dtype.name == str((a + 2j).dtype).removeprefix("torch.")


def test_default_dtype_rules():
    assert te.tensor([1j]).dtype is te.complex64
    assert te.tensor(np.array([1j])).dtype is te.complex128
    te.set_default_dtype(te.float64)
    try:
        assert te.tensor([1 + 1j]).dtype is te.complex128
        assert (te.ones(2, dtype=te.int64) + 1j).dtype is te.complex128
    finally:
        te.set_default_dtype(te.float32)
    assert te.cfloat is te.complex64 and te.cdouble is te.complex128
    assert te.promote_types(te.float64, te.complex64) is te.complex128


@pytest.mark.parametrize("values", [[1 + 2j, 3.5 - 1j], [[1e-5 + 1j, 100 + 1j]], 1j,
                                    [0.25 + 0.5j, -3 - 1j]])
def test_repr_like_torch(values):
    assert repr(te.tensor(values)).replace("tinygrad_edu", "torch") == repr(torch.tensor(values))
    assert (repr(te.tensor(values, dtype=te.complex128)).replace("tinygrad_edu", "torch")
            == repr(torch.tensor(values, dtype=torch.complex128)))


def test_views_share_memory(device):
    z = te.tensor([1 + 2j, 3 - 4j], device=device)
    z.real.mul_(10)
    z.imag[1] = 7.0
    assert z.tolist() == [10 + 2j, 30 + 7j]
    pairs_view = te.view_as_real(z)
    assert pairs_view.shape == (2, 2) and pairs_view.stride() == (2, 1)
    back = te.view_as_complex(pairs_view)
    assert back.tolist() == z.tolist()
    assert z.real.stride() == (2,) and z.imag.storage_offset() == 1
    assert te.view_as_real(z[1:]).storage_offset() == 2


def test_conj_is_a_copy_and_helpers():
    z = te.tensor([1 + 2j])
    c = z.conj()
    assert c.tolist() == [1 - 2j] and not c.is_conj() and c.resolve_conj() is c
    assert te.is_complex(z) and not te.is_complex(z.real)
    real = te.tensor([1.0, -2.0])
    assert real.conj() is real
    assert te.angle(real).tolist() == pytest.approx([0.0, np.pi])
    assert z[None].mH.tolist() == [[1 - 2j]]
    assert te.tensor([1 + 1j]).type() == "tinygrad_edu.ComplexFloatTensor"


@pytest.mark.parametrize("call, error", [
    (lambda t, z: t.max(z), NotImplementedError), (lambda t, z: z < z, NotImplementedError),
    (lambda t, z: t.relu(z), NotImplementedError), (lambda t, z: z.argmax(), RuntimeError),
    (lambda t, z: z.sign(), NotImplementedError), (lambda t, z: t.maximum(z, z), RuntimeError),
    (lambda t, z: z.floor(), NotImplementedError)])
def test_ops_undefined_on_complex_raise_like_torch(device, call, error):
    with pytest.raises(error):
        call(torch, torch.tensor([1 + 2j, 3 - 1j]))
    with pytest.raises(error):
        call(te, te.tensor([1 + 2j, 3 - 1j], device=device))


def test_view_as_complex_errors():
    with pytest.raises(RuntimeError, match="last dimension of size 2"):
        te.view_as_complex(te.zeros(3))
    with pytest.raises(RuntimeError, match="stride 1"):
        te.view_as_complex(te.zeros(2, 2).T)
    with pytest.raises(RuntimeError, match="complex"):
        te.view_as_real(te.zeros(2))


def test_requires_grad_on_complex_and_numpy_round_trip():
    z = te.tensor([1 + 1j], requires_grad=True)
    assert z.requires_grad and z.dtype is te.complex64
    array = np.array([1 + 2j, 3j], dtype=np.complex64)
    shared = te.from_numpy(array)
    shared.real.fill_(5)
    assert array.tolist() == [5 + 2j, 5 + 3j]
    assert te.tensor([2 + 0j]).to(te.float32).tolist() == [2.0]


def test_movement_and_indexing_on_complex(device):
    z = te.tensor([1 + 2j, 3 - 4j, 5j], device=device)
    assert z[1:].tolist() == [3 - 4j, 5j]
    assert z[te.tensor([2, 0], device=device)].tolist() == [5j, 1 + 2j]
    assert z[z.real > 2].tolist() == [3 - 4j]
    assert te.cat([z, z.flip(0)]).tolist() == [1 + 2j, 3 - 4j, 5j, 5j, 3 - 4j, 1 + 2j]
    assert z.reshape(3, 1).T.contiguous().tolist() == [[1 + 2j, 3 - 4j, 5j]]
    copy = z.clone()
    copy[0] = 7
    copy[te.tensor([1], device=device)] = 9j
    assert copy.tolist() == [7, 9j, 5j]
    assert z.to(te.float32).tolist() == [1, 3, 0] and z.to(te.complex128).dtype is te.complex128
    assert z.nonzero().shape == (3, 1) and (z == z).all().item()
    with pytest.raises(TypeError, match="random draws of complex dtype"):
        te.randn(2, dtype=te.complex64, device=device)


# --- the complex paths of the primitives: Triton against the NumPy reference ----------------
def test_complex_primitives_kernel_matches_reference():
    from tinygrad_edu.kernels import View, numpy_backend
    from tinygrad_edu.kernels.triton_backend import make_triton_backend

    triton = make_triton_backend()
    rng = np.random.default_rng(0)
    data = (rng.standard_normal(12) + 1j * rng.standard_normal(12)).astype(np.complex128)
    view = View((3, 2), (1, 4), 1)  # strided, offset: a transposed window of the buffer
    contiguous = View((3, 2), (2, 1), 0)

    def both(name, *args, result_view=contiguous):
        reference = getattr(numpy_backend, name)(*args)
        moved = [triton.from_host(a) if isinstance(a, np.ndarray) else a for a in args]
        got = triton.to_host(getattr(triton, name)(*moved), result_view)
        np.testing.assert_allclose(got, numpy_backend.to_host(reference, result_view), atol=1e-12)

    for op in ("abs", "angle", "conj"):
        both("complex_unary", op, data, view)
    for op in ("neg", "exp", "log", "sqrt", "reciprocal", "sin", "cos"):
        both("unary", op, data, view)
    for op in ("add", "sub", "mul", "div", "pow", "eq", "ne"):
        both("binary", op, data, view, data[::-1].copy(), contiguous)
    both("reduce", "sum", data, view, (0,), result_view=View((2,), (1,), 0))
    both("matmul", data, view, data, View((2, 3), (3, 1), 2), result_view=View((3, 3), (3, 1), 0))
    both("copy", data, view)
    both("cast", data, view, np.dtype(np.complex64))
    both("cast", data, view, np.dtype(np.float64))
    both("where", np.array([True, False, True]), View((3, 2), (1, 0), 0), data, view, data,
         contiguous)
    pairs = triton.as_real(triton.from_host(data))
    assert triton.to_host(pairs, View((24,), (1,), 0)).tolist() == numpy_backend.as_real(
        data).tolist()
    assert triton.to_host(triton.as_complex(pairs), View((12,), (1,), 0)).tolist() == (
        data.tolist())
