"""The differentiable ops, one family per file; this module is their flat public namespace.

    unary.py        neg, exp, log, sqrt, sigmoid, relu, sign, ...
    arithmetic.py   add, sub, mul, div, pow, maximum, minimum
    selection.py    comparisons, logical ops, where, clamp, masked_fill
    reduce.py       sum, mean, var, std, prod, amax, max, argmax, logsumexp, all, any, norm
    movement.py     view, reshape, permute, expand, squeeze, narrow, flip, cat, stack, split, pad
    indexing.py     x[key], x[key] = value, gather, scatter_add, index_select, nonzero
    matmul.py       matmul, mm, bmm, dot, outer
    softmax.py      softmax, log_softmax
    conversion.py   to (dtype / device)
    inplace.py      add_, mul_, copy_, fill_, ... (version counters)

`__all__` lists the ops that are also torch.* functions: `import tinygrad_edu as torch` exports
exactly those. A few more names stay importable here because Tensor methods reach them through
`self._ops` (getitem for x[key], view, expand, to, inplace, normalize_dim, ...), but PyTorch has
no top-level torch.getitem or torch.view, so neither does tinygrad_edu.
"""

from ..views import normalize_dim
from .activation import erf
from .arithmetic import (
    add,
    div,
    divide,
    floor_divide,
    maximum,
    minimum,
    mul,
    multiply,
    pow,
    remainder,
    sub,
    subtract,
    true_divide,
)
from .conv_family import (
    avg_pool1d,
    conv1d,
    conv_transpose1d,
    conv_transpose2d,
    group_norm,
    instance_norm,
    max_pool1d,
    pixel_shuffle,
    pixel_unshuffle,
)
from .conversion import cast_to, to
from .indexing import gather, getitem, index_select, masked_select, nonzero, scatter_add, setitem
from .inplace import add_inplace_without_checks, copy_, fill_, inplace

# layout and products (issue 10, second half)
from .layout import (
    diag,
    diag_embed,
    diagonal,
    meshgrid,
    moveaxis,
    movedim,
    repeat_interleave,
    roll,
    rot90,
    take_along_dim,
    trace,
    tril,
    triu,
)
from .linalg import det, inverse, logdet, slogdet
from .matmul import bmm, dot, ger, matmul, mm, outer
from .movement import (
    broadcast_to,
    cat,
    chunk,
    clone,
    concat,
    concatenate,
    contiguous,
    expand,
    flatten,
    flip,
    narrow,
    permute,
    repeat,
    reshape,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
    view,
)
from .padding import pad
from .products import addmm, addmv, baddbmm, cdist, cross, einsum, kron
from .reduce import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    std,
    sum,
    sum_to_size,
    var,
)
from .selection import (
    clamp,
    clip,
    eq,
    equal,
    ge,
    greater,
    greater_equal,
    gt,
    le,
    less,
    less_equal,
    logical_and,
    logical_or,
    logical_xor,
    lt,
    masked_fill,
    ne,
    not_equal,
    where,
)
from .softmax import log_softmax, softmax
from .unary import (
    abs,
    ceil,
    cos,
    exp,
    floor,
    isinf,
    isnan,
    log,
    log1p,
    logical_not,
    neg,
    negative,
    reciprocal,
    relu,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    tanh,
    trunc,
)

# the torch.* functions (see the docstring: Tensor-method helpers and pad stay out)
__all__ = [
    "abs", "add", "all", "amax", "amin", "any", "argmax", "argmin", "bmm", "broadcast_to", "cat",
    "ceil", "chunk", "clamp", "clip", "clone", "concat", "concatenate", "cos", "div", "divide",
    "dot", "eq", "equal", "erf", "exp", "fill_", "flatten", "flip", "floor", "floor_divide",
    "gather", "ge", "ger", "greater", "greater_equal", "gt", "index_select", "isinf", "isnan",
    "le", "less", "less_equal", "log", "log1p", "log_softmax", "logical_and", "logical_not",
    "logical_or", "logical_xor", "logsumexp", "lt", "masked_fill", "masked_select", "matmul",
    "max", "maximum", "mean", "min", "minimum", "mm", "mul", "multiply", "narrow", "ne", "neg",
    "negative", "nonzero", "norm", "not_equal", "outer", "permute", "pow", "prod", "reciprocal",
    "relu", "remainder", "reshape", "round", "rsqrt", "scatter_add", "sigmoid", "sign", "sin",
    "softmax", "split", "sqrt", "square", "squeeze", "stack", "std", "sub", "subtract", "sum",
    "swapaxes", "swapdims", "t", "tanh", "transpose", "true_divide", "trunc", "unbind",
    "unflatten", "unsqueeze", "var", "where",
    # layout and products (issue 10, second half)
    "addmm", "addmv", "baddbmm", "cdist", "cross", "diag", "diag_embed", "diagonal", "einsum",
    "kron", "meshgrid", "moveaxis", "movedim", "repeat_interleave", "roll", "rot90",
    "take_along_dim", "trace", "tril", "triu",
    "avg_pool1d", "conv1d", "conv_transpose1d", "conv_transpose2d", "group_norm",
    "instance_norm", "max_pool1d", "pixel_shuffle", "pixel_unshuffle",
    "det", "inverse", "logdet", "slogdet",
]
