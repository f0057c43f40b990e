"""Products against PyTorch (ops/products.py): einsum, outer, bmm, addmm, baddbmm, addmv, kron,
cross, vector / matrix norms and cdist. Values and gradients on every device, non-contiguous
inputs, and PyTorch's errors."""

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

# equation -> operand shapes built from the letters' sizes (drawn per example)
EINSUM = [
    "ij,jk->ik", "bij,bjk->bik", "ii->i", "ii", "iij->j", "ij->", "ij->ji", "i,i->", "i,j->ij",
    "...ij,...jk->...ik", "i...->...", "bn,anm,bm->ba", "ijk,ikj->k", "Ab,bA", "ij,ij,ij->i",
    "...i,...i", "i,i,i->i", "ab,cd->abcd", "a...a->...",
]


def _operand_shapes(equation: str, sizes: dict[str, int], ellipsis: tuple[int, ...]
                    ) -> list[tuple[int, ...]]:
    terms = equation.replace(" ", "").split("->")[0].split(",")
    result = []
    for term in terms:
        head, dots, tail = term.partition("...")
        shape = [sizes[c] for c in head] + (list(ellipsis) if dots else []) + \
                [sizes[c] for c in tail]
        result.append(tuple(shape))
    return result


def examples(device: str) -> int:
    """Every op here is a composite of ops whose primitives the kernel tests cover on Triton, so
    the (slow) interpreter runs a couple of examples per case and NumPy runs more."""
    return 6 if device == "cpu" else 2


@pytest.mark.parametrize("equation", EINSUM)
def test_einsum_matches_torch(equation: str, device: str) -> None:
    @settings(max_examples=examples(device))
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        sizes = {c: data.draw(st.integers(1, 3)) for c in "abijkmnABcd"}
        ellipsis = tuple(data.draw(st.lists(st.integers(1, 2), max_size=2)))
        shapes = _operand_shapes(equation, sizes, ellipsis)
        operands = [data.draw(arrays("float32", shape)) for shape in shapes]
        layout = data.draw(st.sampled_from(LAYOUTS))
        assert_matches_torch(
            lambda t, *xs: t.einsum(equation, *[relayout(t, x, layout) for x in xs]), None,
            *operands, device=device)

    check()


def test_einsum_broadcasts_ellipsis_and_takes_a_list(device: str) -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 1, 3)
    b = np.arange(12, dtype=np.float32).reshape(4, 3) / 7
    assert_matches_torch(lambda t, x, y: t.einsum("...j,...j->...", x, y), None, a, b,
                         device=device)
    assert_matches_torch(lambda t, x, y: t.einsum("bij,jk", [x, y.T]), None, a, b,
                         device=device)


# name -> (shapes of the operands, function)
PRODUCTS = {
    "outer": ([(3,), (4,)], lambda t, a, b: t.outer(a, b)),
    "bmm": ([(2, 3, 4), (2, 4, 2)], lambda t, a, b: t.bmm(a, b)),
    "addmm": ([(2, 3), (2, 4), (4, 3)], lambda t, c, a, b: t.addmm(c, a, b)),
    "addmm_scaled": ([(3,), (2, 4), (4, 3)],
                     lambda t, c, a, b: c.addmm(a, b, beta=0.5, alpha=-2.0)),
    "addmm_beta0": ([(2, 3), (2, 4), (4, 3)], lambda t, c, a, b: t.addmm(c, a, b, beta=0)),
    "baddbmm": ([(2, 2, 3), (2, 2, 4), (2, 4, 3)],
                lambda t, c, a, b: t.baddbmm(c, a, b, beta=2.0, alpha=0.5)),
    "baddbmm_broadcast": ([(1, 3), (2, 2, 4), (2, 4, 3)], lambda t, c, a, b: c.baddbmm(a, b)),
    "addmv": ([(2,), (2, 3), (3,)], lambda t, c, a, b: t.addmv(c, a, b, alpha=3)),
    "kron": ([(2, 3), (3, 2)], lambda t, a, b: t.kron(a, b)),
    "kron_ranks": ([(2,), (3, 2, 2)], lambda t, a, b: a.kron(b.contiguous())),  # torch views b
    "linalg_cross": ([(2, 3), (1, 3)], lambda t, a, b: t.linalg.cross(a, b)),
    "cross_dim": ([(3, 2), (3, 2)], lambda t, a, b: t.cross(a, b, dim=0)),
    "vector_norm": ([(2, 3)], lambda t, a: t.linalg.vector_norm(a)),
    "vector_norm_dim": ([(2, 3, 2)], lambda t, a: t.linalg.vector_norm(a, 2, (0, 2), True)),
    "vector_norm_1": ([(2, 3)], lambda t, a: t.linalg.vector_norm(a, 1, -1)),
    "vector_norm_3": ([(2, 3)], lambda t, a: t.linalg.vector_norm(a, 3, 1)),
    "vector_norm_half": ([(2, 3)], lambda t, a: t.linalg.vector_norm(a, 0.5, 0)),
    "vector_norm_inf": ([(4, 3)], lambda t, a: t.linalg.vector_norm(a, float("inf"), 0)),
    "vector_norm_minf": ([(4, 3)], lambda t, a: t.linalg.vector_norm(a, -float("inf"))),
    "vector_norm_0": ([(4, 3)], lambda t, a: t.linalg.vector_norm(a, 0, 1)),
    "vector_norm_0d": ([()], lambda t, a: t.linalg.vector_norm(a, 3)),
    "linalg_norm": ([(2, 3, 2)], lambda t, a: t.linalg.norm(a)),
    "linalg_norm_vector": ([(2, 3)], lambda t, a: t.linalg.norm(a, 4, 1)),
    "linalg_norm_matrix": ([(2, 3)], lambda t, a: t.linalg.norm(a, "fro")),
    "matrix_norm_1": ([(2, 3, 2)], lambda t, a: t.linalg.matrix_norm(a, 1)),
    "matrix_norm_minf": ([(3, 2)], lambda t, a: t.linalg.matrix_norm(a, -float("inf"), (1, 0),
                                                                     keepdim=True)),
    "matrix_norm_inf": ([(3, 4)], lambda t, a: t.linalg.norm(a, float("inf"))),
    "tensor_norm": ([(2, 3)], lambda t, a: a.norm()),
    "tensor_norm_p": ([(2, 3)], lambda t, a: a.norm(p=3, dim=1, keepdim=True)),
    "cdist": ([(3, 2), (4, 2)], lambda t, a, b: t.cdist(a, b)),
    "cdist_batched_p1": ([(2, 3, 2), (2, 2, 2)], lambda t, a, b: t.cdist(a, b, p=1.0)),
    "cdist_p3": ([(3, 2), (2, 2)], lambda t, a, b: t.cdist(a, b, 3.0)),
    "cdist_inf": ([(3, 2), (2, 2)], lambda t, a, b: t.cdist(a, b, float("inf"))),
}


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_products_match_torch(name: str, device: str) -> None:
    shapes, function = PRODUCTS[name]

    @settings(max_examples=examples(device))
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        # away from 0, where |x|^p has no derivative (torch picks a subgradient there)
        operands = [data.draw(arrays("float32", shape, low=-3, high=3, avoid_zero=True))
                    for shape in shapes]
        layout = data.draw(st.sampled_from(LAYOUTS))
        assert_matches_torch(lambda t, *xs: function(t, *[relayout(t, x, layout) for x in xs]),
                             None, *operands, device=device, gradient_tolerance=(1e-3, 2e-3))

    check()


def test_addmm_beta0_ignores_nan_and_norm_of_zero_has_zero_gradient(device: str) -> None:
    nan = np.full((2, 2), np.nan, dtype=np.float32)
    a, b = np.ones((2, 3), np.float32), np.ones((3, 2), np.float32)
    assert_matches_torch(lambda t, c, x, y: t.addmm(c, x, y, beta=0), None, nan, a, b,
                         device=device)
    zeros = np.zeros((2, 3), np.float32)
    assert_matches_torch(lambda t, x: t.linalg.vector_norm(x, dim=1), None, zeros, device=device)
    assert_matches_torch(lambda t, x, y: t.cdist(x, y), None, zeros, zeros, device=device)


def test_cross_without_dim_warns_and_picks_the_first_length_3_dim() -> None:
    a = np.arange(9, dtype=np.float32).reshape(3, 3) - 4
    with pytest.warns(UserWarning, match="without specifying the dim"):
        ours = te.cross(te.tensor(a), te.tensor(a[::-1].copy()))
    with pytest.warns(UserWarning):
        theirs = torch.cross(torch.tensor(a), torch.tensor(a[::-1].copy()))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


ERRORS = [
    (lambda t: t.einsum("ij,jk->ik", t.ones(2, 3)), "operands"),
    (lambda t: t.einsum("ij->k", t.ones(2, 3)), "output subscript k does not appear"),
    (lambda t: t.einsum("ii->i", t.ones(2, 3)), "subscript i is repeated for operand"),
    (lambda t: t.einsum("ijk->i", t.ones(2, 3)), "number of subscripts in the equation"),
    (lambda t: t.linalg.cross(t.ones(2, 2), t.ones(2, 2)), "must have length 3"),
    (lambda t: t.cdist(t.ones(2, 3), t.ones(2, 2)), "X1 and X2 must have the same number"),
    (lambda t: t.bmm(t.ones(2, 3), t.ones(2, 3, 4)), "batch1 must be a 3D tensor"),
    (lambda t: t.linalg.vector_norm(t.ones(2, dtype=t.int64)), "floating point"),
    (lambda t: t.linalg.matrix_norm(t.ones(3)), "must have at least 2 dimensions"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_product_errors_are_torchs(index: int) -> None:
    build, message = ERRORS[index]
    with pytest.raises((RuntimeError, ValueError), match=message) as theirs:
        build(torch)
    with pytest.raises(type(theirs.value), match=message):
        build(te)
