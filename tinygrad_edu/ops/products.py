"""Products beyond matmul: einsum, addmm/baddbmm, kron, cross, vector norms and cdist.

All of them are composites of ops that already have gradients (diagonal, permute, reshape,
expand, sum, matmul, mul), so their derivatives come for free. einsum is the lesson of the file:
any Einstein sum is reduced to those ops, step by step.

    einsum("bij,bjk->bik", a, b)
      1. a letter repeated inside one operand ("ii->i") takes that operand's diagonal
      2. a letter that only one operand has and the output lacks is summed away at once
      3. operands are contracted left to right, each pair as ONE batched matmul:
         batch letters (both operands, still needed), rows (only in A), cols (only in B) and
         contracted letters (both operands, needed nowhere else) are permuted and reshaped into
         (batch, rows, K) @ (batch, K, cols)
      4. the result is summed over letters the output lacks and permuted into the output order

    addmm:   y = beta * input + alpha * (m1 @ m2)   d(input) = beta * dy, dm1 = alpha * dy @ m2^T
    kron:    y[i*p + k, j*q + l] = a[i, j] * b[k, l]   (a broadcast multiply, reshaped)
    cross:   y = a x b = (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0)
    vector_norm: y = (sum |x|^p)^(1/p);  dx = dy * |x|^(p-1) sign(x) / y^(p-1)
"""

from __future__ import annotations

import builtins
import warnings
from typing import Any

from ..dtypes import bool_
from ..tensor import Tensor
from ..views import broadcast_shapes, normalize_dim, normalize_dims
from . import reduce as _reduce
from .layout import diagonal
from .matmul import bmm, matmul, mm
from .movement import cat, expand, narrow, permute, reshape
from .operands import float_input, promote, scalar_tensor
from .selection import where


# --- einsum -------------------------------------------------------------------------------------
def _parse_equation(equation: str, operands: tuple[Tensor, ...]
                    ) -> tuple[list[list[str]], list[str]]:
    """Labels per operand dim and output labels; '...' becomes labels '.0', '.1', ... aligned
    from the right (so ellipsis dims broadcast like any other batch dims)."""
    equation = equation.replace(" ", "")
    inputs_part, arrow, output_part = equation.partition("->")
    terms = inputs_part.split(",")
    if len(terms) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                         if len(operands) > len(terms) else
                         "einsum(): fewer operands were provided than specified in the equation")
    ellipsis_dims = 0
    labels: list[list[str]] = []
    for term, operand in zip(terms, operands):
        letters = term.replace("...", "")
        if any(not (c.isalpha() and c.isascii()) for c in letters):
            bad = next(c for c in letters if not (c.isalpha() and c.isascii()))
            raise RuntimeError(f"einsum(): invalid subscript given at index "
                               f"{equation.index(bad)} in the equation string, subscripts must "
                               "be in [a-zA-Z]")
        if "..." in term:
            count = operand.ndim - len(letters)
            if count < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(letters)}) is more than the number of dimensions "
                                   f"({operand.ndim}) for operand {len(labels)}")
            ellipsis_dims = builtins.max(ellipsis_dims, count)
            head, _, tail = term.partition("...")
            dots = [f".{ellipsis_dims_index}" for ellipsis_dims_index in range(count)]
            labels.append(list(head) + dots + list(tail))
        else:
            if len(letters) != operand.ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(letters)}) does not match the number of dimensions "
                                   f"({operand.ndim}) for operand {len(labels)} and no ellipsis "
                                   "was given")
            labels.append(list(term))
    # right-align ellipsis labels: operand with k ellipsis dims uses the LAST k of all of them
    for operand_labels in labels:
        dots = [label for label in operand_labels if label.startswith(".")]
        shift = ellipsis_dims - len(dots)
        for position, label in enumerate(operand_labels):
            if label.startswith("."):
                operand_labels[position] = f".{int(label[1:]) + shift}"
    all_dots = [f".{i}" for i in range(ellipsis_dims)]
    if arrow:
        letters = output_part.replace("...", "")
        if "..." in output_part:
            head, _, tail = output_part.partition("...")
            output = list(head) + all_dots + list(tail)
        else:
            output = list(letters)
        for label in letters:
            if not any(label in operand_labels for operand_labels in labels):
                raise RuntimeError(f"einsum(): output subscript {label} does not appear in the "
                                   "equation for any input operand")
            if letters.count(label) > 1:
                raise RuntimeError(f"einsum(): output subscript {label} appears more than once "
                                   "in the output")
    else:  # implicit output: the ellipsis, then letters that appear exactly once, sorted
        counts: dict[str, int] = {}
        for operand_labels in labels:
            for label in operand_labels:
                if not label.startswith("."):
                    counts[label] = counts.get(label, 0) + 1
        output = all_dots + sorted(c for c, n in counts.items() if n == 1)  # ASCII: A-Z, a-z
    return labels, output


def _take_diagonals(operand: Tensor, labels: list[str]) -> tuple[Tensor, list[str]]:
    """'ii' -> 'i': a repeated label keeps only the diagonal (moved to the end by diagonal())."""
    while len(set(labels)) != len(labels):
        label = next(x for x in labels if labels.count(x) > 1)
        first = labels.index(label)
        second = labels.index(label, first + 1)
        if operand.shape[first] != operand.shape[second]:
            raise RuntimeError(f"einsum(): subscript {label} is repeated for operand but the "
                               f"sizes don't match, {operand.shape[first]} != "
                               f"{operand.shape[second]}")
        operand = diagonal(operand, 0, first, second)
        labels = [x for i, x in enumerate(labels) if i not in (first, second)] + [label]
    return operand, labels


def _sum_labels(operand: Tensor, labels: list[str], drop: set[str]) -> tuple[Tensor, list[str]]:
    axes = tuple(i for i, label in enumerate(labels) if label in drop)
    if not axes:
        return operand, labels
    return _reduce.sum(operand, axes), [x for x in labels if x not in drop]


def _contract(a: Tensor, a_labels: list[str], b: Tensor, b_labels: list[str],
              needed: set[str]) -> tuple[Tensor, list[str]]:
    """One pairwise step: a single batched matmul (batch, rows, K) @ (batch, K, cols)."""
    batch = [x for x in a_labels if x in b_labels and x in needed]
    contracted = [x for x in a_labels if x in b_labels and x not in needed]
    rows = [x for x in a_labels if x not in b_labels]
    cols = [x for x in b_labels if x not in a_labels]
    sizes: dict[str, int] = {}
    for operand, labels in ((a, a_labels), (b, b_labels)):
        for label, size in zip(labels, operand.shape):
            if sizes.get(label, 1) != 1 and size not in (1, sizes[label]):
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes "
                                   f"(original->remapped): subscript {label} has sizes "
                                   f"{sizes[label]} and {size}")
            sizes[label] = builtins.max(sizes.get(label, 1), size)
    a = permute(a, tuple(a_labels.index(x) for x in batch + rows + contracted))
    b = permute(b, tuple(b_labels.index(x) for x in batch + contracted + cols))
    a = expand(a, tuple(sizes[x] for x in batch + rows + contracted))
    b = expand(b, tuple(sizes[x] for x in batch + contracted + cols))

    def count(group: list[str]) -> int:
        total = 1
        for label in group:
            total *= sizes[label]
        return total

    a = reshape(a, (count(batch), count(rows), count(contracted)))  # (batch, rows, K)
    b = reshape(b, (count(batch), count(contracted), count(cols)))  # (batch, K, cols)
    product = bmm(a, b)  # (batch, rows, cols)
    result_labels = batch + rows + cols
    return reshape(product, tuple(sizes[x] for x in result_labels)), result_labels


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation: multiply the operands, sum over every letter the output lacks.

    Reduced to diagonal, sum, permute, reshape and batched matmul (see the module docstring), so
    the gradient of each operand is the einsum of dy with the others, made by those ops' own
    backward passes."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    tensors = promote(*operands)
    labels, output = _parse_equation(equation, tensors)
    steps = []
    for tensor, operand_labels in zip(tensors, labels):
        steps.append(_take_diagonals(tensor, operand_labels))

    def needed_after(index: int) -> set[str]:
        wanted = set(output)
        for _, later in steps[index + 1:]:
            wanted.update(later)
        return wanted

    result, result_labels = steps[0]
    result, result_labels = _sum_labels(result, result_labels,
                                        set(result_labels) - needed_after(0))
    for index in range(1, len(steps)):
        operand, operand_labels = steps[index]
        needed = needed_after(index)
        operand, operand_labels = _sum_labels(
            operand, operand_labels, set(operand_labels) - needed - set(result_labels))
        result, result_labels = _contract(result, result_labels, operand, operand_labels, needed)
    result, result_labels = _sum_labels(result, result_labels, set(result_labels) - set(output))
    sizes = dict(zip(result_labels, result.shape))
    missing = [x for x in output if x not in sizes]  # ellipsis dims nobody has (size-1 padding)
    if missing:
        raise RuntimeError(f"einsum(): output subscript {missing[0]} does not appear in the "
                           "equation for any input operand")
    return permute(result, tuple(result_labels.index(x) for x in output))


# --- matrix products with an added term ---------------------------------------------------------
def _scaled_sum(input: Tensor, product: Tensor, beta: Any, alpha: Any) -> Tensor:
    """beta * input + alpha * product; beta == 0 ignores input's values (nan and inf do not
    propagate), but input still gets its (zero) gradient and must broadcast to the result."""
    if broadcast_shapes(input.shape, product.shape) != product.shape:
        raise RuntimeError(f"The expanded size of the tensor must match the result's size "
                           f"{list(product.shape)}, but the input has size {list(input.shape)}")
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        never = scalar_tensor(False, bool_, input)
        return scaled + where(never, input, scalar_tensor(0, input.dtype, input))
    return scaled + (input if beta == 1 else input * beta)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """y = beta * input + alpha * (mat1 @ mat2), input broadcast to (n, p)."""
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)  # (n, p)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
            alpha: Any = 1) -> Tensor:
    """y[b] = beta * input[b] + alpha * (batch1[b] @ batch2[b])."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)  # (B, n, p)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """y = beta * input + alpha * (mat @ vec)."""
    if mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, "
                           f"{vec.ndim}")
    return _scaled_sum(input, matmul(mat, vec), beta, alpha)  # (n,)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """Kronecker product: every element of a scales a whole copy of b,
    y[i*p + k, j*q + l] = a[i, j] * b[k, l] (any number of dims)."""
    a, b = promote(input, other)
    ndim = builtins.max(a.ndim, b.ndim)
    a_shape = (1,) * (ndim - a.ndim) + tuple(a.shape)
    b_shape = (1,) * (ndim - b.ndim) + tuple(b.shape)
    a = reshape(a, tuple(v for size in a_shape for v in (size, 1)))  # (a0, 1, a1, 1, ...)
    b = reshape(b, tuple(v for size in b_shape for v in (1, size)))  # (1, b0, 1, b1, ...)
    return reshape(a * b, tuple(x * y for x, y in zip(a_shape, b_shape)))


# --- cross product and norms --------------------------------------------------------------------
def _rotated(x: Tensor, dim: int, by: int) -> Tensor:
    """x's components along dim (length 3) cycled: by=1 gives (x1, x2, x0)."""
    return cat([narrow(x, dim, by, 3 - by), narrow(x, dim, 0, by)], dim)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """a x b = a.roll(-1) * b.roll(-2) - a.roll(-2) * b.roll(-1) along dim (length 3)."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = normalize_dim(dim, max(input.ndim, 1))
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    a, b = promote(input, other)
    shape = broadcast_shapes(a.shape, b.shape)
    a, b = expand(a, shape), expand(b, shape)
    return _rotated(a, d, 1) * _rotated(b, d, 2) - _rotated(a, d, 2) * _rotated(b, d, 1)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """torch.cross: linalg.cross, except that dim=None picks the first dim of length 3."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=2)
        shape = broadcast_shapes(input.shape, other.shape)
        dim = next((d for d, size in enumerate(shape) if size == 3), -1)
    return linalg_cross(input, other, dim=dim)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """||x||_p = (sum |x|^p)^(1/p); ord=inf is max |x|, -inf min |x|, 0 counts the non-zeros.

    dx = dy * sign(x) |x|^(p-1) / ||x||^(p-1)  (ord=2: dy * x / ||x||, 0 where ||x|| = 0)."""
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {x.dtype.name.capitalize()}")
    if dtype is not None:
        x = x.to(dtype)
    axes = normalize_dims(dim, x.ndim) if dim is not None else tuple(range(x.ndim))
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        axes = tuple(range(x.ndim))
    if x.numel() == 0 and ord in (float("inf"), -float("inf")) or x.numel() == 0 and ord < 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor "
                           "because the operation does not have an identity")
    if ord == 2:
        if x.ndim == 0:
            return x.abs()
        return _reduce.norm(x, 2, axes, keepdim)
    magnitude = x.abs()
    if ord == float("inf"):
        return _reduce.amax(magnitude, axes, keepdim)
    if ord == -float("inf"):
        return _reduce.amin(magnitude, axes, keepdim)
    if ord == 0:
        return _reduce.sum((x != 0).to(x.dtype), axes, keepdim)
    if ord == 1:
        return _reduce.sum(magnitude, axes, keepdim)
    return _reduce.sum(magnitude ** ord, axes, keepdim) ** (1.0 / ord)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: tuple[int, int] = (-2, -1),  # noqa: N803
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """'fro': sqrt(sum |a_ij|^2); 1 / -1: max / min column sum of |a|; inf / -inf: max / min
    row sum; 2 / -2 / 'nuc': largest / smallest / sum of the singular values (linalg.svdvals)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    rows, cols = (normalize_dim(d, A.ndim) for d in dim)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({rows}, {cols})")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in (1, -1, float("inf"), -float("inf")):
        summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = _reduce.sum(A.abs(), summed, keepdim=True)
        pick = _reduce.amax if ord > 0 else _reduce.amin
        result = pick(sums, other, keepdim=True)
        return result if keepdim else result.squeeze((rows, cols))
    if ord in (2, -2, "nuc"):
        from .linalg import svdvals

        moved = A.movedim((rows, cols), (-2, -1))
        values = svdvals(moved)  # (..., k)
        if ord == "nuc":
            result = _reduce.sum(values, -1)
        else:
            result = (_reduce.amax if ord == 2 else _reduce.amin)(values, -1)
        if keepdim:
            for d in sorted((rows, cols)):
                result = result.unsqueeze(d)
        return result
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def linalg_norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """linalg.norm: a vector norm for one dim (or a flattened 1-D input), a matrix norm for two."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or dim is None and ord is not None and A.ndim == 2:
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim,
                           keepdim, dtype=dtype)
    if ord is not None and dim is None and A.ndim != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord={ord} is not supported for vectors")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """y[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p: a broadcast difference, then a norm
    over the last dim (dx from vector_norm's and sub's gradients)."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D" if
                           x1.ndim < 2 else f"cdist only supports at least 2D tensors, X2 got: "
                           f"{x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    a, b = promote(x1, x2)
    a, b = float_input(a), float_input(b)
    difference = a.unsqueeze(-2) - b.unsqueeze(-3)  # (..., P, R, M)
    return vector_norm(difference, p, -1)


__all__ = ["addmm", "addmv", "baddbmm", "cdist", "cross", "einsum", "kron"]
