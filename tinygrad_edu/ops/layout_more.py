"""More of torch's shape helpers and a few samplers, each a composite of existing ops.

    ravel(x)            x.reshape(-1)
    tile(x, dims)       x.repeat(dims), with dims padded by leading 1s to x's rank
    hstack / vstack / dstack / column_stack     cat after atleast_1d / 2d / 3d / columns
    tensor_split(x, n or indices, dim)          narrow views; sizes differ by at most one
    hsplit / vsplit / dsplit                    tensor_split along dim 1 (0 for 1-d) / 0 / 2
    fliplr / flipud     flip(x, 1) / flip(x, 0)
    select(x, dim, i)   x[:, ..., i] (one dim removed: a view)
    mv(A, v)            A @ v;   inner(a, b) = sum over the last dims of a * b
    diagflat(x, k)      diag(x.flatten(), k)
    cosine_similarity   sum(x1 * x2) / (max(|x1|, eps) * max(|x2|, eps)) along dim
    pairwise_distance   || x1 - x2 + eps ||_p along the last dim
    multinomial         draws by inverting the cumulative weights (with replacement) or by the
                        exponential-race trick (without): keys u^(1/w), the k largest win
    normal / bernoulli  randn * std + mean;  rand < p

Every derivative comes from the ops they are made of (the samplers return draws: no gradient).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import dtypes
from ..autograd.grad_mode import no_grad

if TYPE_CHECKING:
    from ..tensor import Tensor


def _ops() -> Any:
    from .. import ops

    return ops


def _normalize(dim: int, ndim: int) -> int:
    from .movement import normalize_dim

    return normalize_dim(dim, ndim)


def ravel(input: Tensor) -> Tensor:
    """The elements as one dim, a view when the layout allows (x.reshape(-1))."""
    return input.reshape(-1)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """Repeat x dims[i] times along dim i; fewer dims than x's rank count from the right."""
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return input.repeat(*dims)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Side by side: cat along dim 1, or dim 0 for 1-d tensors."""
    tensors = [_ops().atleast_1d(t) for t in tensors]
    return _ops().cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """One on top of the other: cat along dim 0 after atleast_2d (a vector becomes a row)."""
    return _ops().cat([_ops().atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Depth-wise: cat along dim 2 after atleast_3d."""
    return _ops().cat([_ops().atleast_3d(t) for t in tensors], 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Vectors (and 0-d tensors) become columns, then cat along dim 1."""
    columns = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors]
    return _ops().cat(columns, 1)


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """n nearly equal parts (the first size % n parts one longer), or cuts before each index."""
    from ..tensor import Tensor

    d = _normalize(dim, input.ndim)
    size = input.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = (indices_or_sections.item() if indices_or_sections.ndim == 0
                               else indices_or_sections.tolist())
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        short, extra = divmod(size, sections)
        lengths = [short + 1] * extra + [short] * (sections - extra)
        starts = [sum(lengths[:i]) for i in range(sections)]
    else:
        cuts = [min(max(i + size if i < 0 else i, 0), size) for i in indices_or_sections]
        bounds = [0, *cuts, size]
        starts = bounds[:-1]
        lengths = [max(end - start, 0) for start, end in zip(bounds[:-1], bounds[1:])]
    return tuple(input.narrow(d, min(start, size), length)
                 for start, length in zip(starts, lengths))


def _split_along(name: str, input: Tensor, sections: Any, dim: int, least: int) -> tuple:
    if input.ndim < least:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {least} dimension, but "
                           f"got a tensor with {input.ndim} dimensions!")
    if isinstance(sections, int) and input.shape[dim] % sections != 0:
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size "
                           f"of the dimension {input.shape[dim]} is not divisible by the "
                           f"split_size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:
    """tensor_split along dim 1 (dim 0 for a vector); an int must divide the size."""
    return _split_along("hsplit", input, sections, 1 if input.ndim > 1 else 0, 1)


def vsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:
    """tensor_split along dim 0 of a tensor with at least 2 dims."""
    return _split_along("vsplit", input, sections, 0, 2)


def dsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:
    """tensor_split along dim 2 of a tensor with at least 3 dims."""
    return _split_along("dsplit", input, sections, 2, 3)


def fliplr(input: Tensor) -> Tensor:
    """Columns in reverse order: flip(x, 1)."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input: Tensor) -> Tensor:
    """Rows in reverse order: flip(x, 0)."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """x[:, ..., index] with `index` at position dim: that dim disappears (a view)."""
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _normalize(dim, input.ndim)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    return input[(slice(None),) * d + (index,)]


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix times vector:  y_i = sum_j A_ij v_j  (A: (n, m), v: (m,))."""
    if input.ndim != 2 or vec.ndim != 1 or input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.ndim else 1}), "
                           f"mat ({'x'.join(map(str, input.shape))}), "
                           f"vec ({'x'.join(map(str, vec.shape))})")
    return input @ vec


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum over the last dims of both:  y[i.., j..] = sum_k a[i.., k] b[j.., k]."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}.")
    k = input.shape[-1]
    flat = input.reshape(-1, k) @ other.reshape(-1, k).T                        # (A, B)
    return flat.reshape(*input.shape[:-1], *other.shape[:-1])


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened input on the offset-th diagonal of a square matrix."""
    return _ops().diag(input.flatten(), offset)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos of the angle between x1 and x2 along dim:  sum(x1 * x2) / (|x1| |x2|), each norm
    at least eps."""
    norm1 = x1.norm(dim=dim, keepdim=True).clamp(min=eps)
    norm2 = x2.norm(dim=dim, keepdim=True).clamp(min=eps)
    return ((x1 / norm1) * (x2 / norm2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """The p-norm of x1 - x2 + eps along the last dim (eps keeps the gradient finite at 0)."""
    from .. import linalg

    return linalg.vector_norm(x1 - x2 + eps, p, dim=-1, keepdim=keepdim)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:
    """Indices drawn with probability proportional to the weights in each row (int64)."""
    from ..creation import rand

    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if input.dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{str(input.dtype).split('.')[-1].capitalize()}")
    categories = input.shape[-1]
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    with no_grad():
        weights = input.detach().reshape(-1, categories).double()                   # (R, C)
        if not bool(((weights >= 0) & weights.isfinite()).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if not bool((weights.sum(-1) > 0).all()):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rows = weights.shape[0]
        draws = rand(rows, num_samples, generator=generator, dtype=dtypes.float64,
                     device=input.device)                                           # (R, S)
        if replacement:  # invert the cumulative distribution
            cumulative = weights.cumsum(-1)
            cumulative = cumulative / cumulative[:, -1:]
            picked = _ops().searchsorted(cumulative, draws, right=True)
            picked = picked.clamp(max=categories - 1)
        else:  # the exponential race: key u^(1/w), largest keys first (weight 0: never first)
            keys = rand(rows, categories, generator=generator, dtype=dtypes.float64,
                        device=input.device).log() / weights
            picked = keys.topk(num_samples, dim=-1).indices
        picked = picked.long()
    return picked.reshape(num_samples) if input.ndim == 1 else picked


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Draws from N(mean, std^2): randn * std + mean (mean and std tensors broadcast)."""
    from ..creation import randn
    from ..tensor import Tensor

    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    with no_grad():
        if tensors:
            if size is not None:
                raise RuntimeError("normal(): size is only accepted with float mean and std")
            shape = _ops().broadcast_shapes(*(t.shape for t in tensors))
            like = tensors[0]
            noise = randn(*shape, generator=generator, dtype=like.dtype, device=like.device)
        else:
            if size is None:
                raise TypeError("normal() missing 1 required positional arguments: \"size\"")
            noise = randn(*size, generator=generator, dtype=dtype, device=device)
        if isinstance(std, Tensor) and bool((std < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        if not isinstance(std, Tensor) and std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        result = (noise * std + mean).detach()
    return result.requires_grad_(requires_grad) if requires_grad else result


def bernoulli(input: Tensor, p: float | None = None, *, generator: Any = None) -> Tensor:
    """1 with probability p (the input's values, or the number p), else 0; input's dtype."""
    from ..creation import rand

    with no_grad():
        probability = input.detach() if p is None else p
        if p is None and not bool(((input >= 0) & (input <= 1)).all()):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        draws = rand(*input.shape, generator=generator, dtype=dtypes.float64, device=input.device)
        return (draws < probability).to(input.dtype)


def bernoulli_(input: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """In place: each element becomes 1 with probability p (a number or a tensor), else 0."""
    from ..creation import rand
    from ..tensor import Tensor

    with no_grad():
        draws = rand(*input.shape, generator=generator, dtype=dtypes.float64, device=input.device)
        probability = p.to(dtypes.float64) if isinstance(p, Tensor) else p
        coins = (draws < probability).to(input.dtype)
    return input.copy_(coins)


__all__ = ["bernoulli", "column_stack", "cosine_similarity", "diagflat", "dsplit", "dstack",
           "fliplr", "flipud", "hsplit", "hstack", "inner", "multinomial", "mv", "normal",
           "pairwise_distance", "ravel", "row_stack", "select", "tensor_split", "tile", "vsplit",
           "vstack"]
