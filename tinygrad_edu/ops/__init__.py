"""The differentiable ops, one family per file; this module is their flat public namespace.

    elementwise.py  neg, exp, add, mul, pow, maximum, where, clamp, comparisons, ...
    reduce.py       sum, mean, var, std, prod, amax, max, argmax, logsumexp, all, any, norm
    movement.py     view, reshape, permute, expand, squeeze, narrow, flip, cat, stack, split, pad
    indexing.py     x[key], x[key] = value, gather, scatter_add, index_select, nonzero
    matmul.py       matmul, mm, bmm, dot, outer
    softmax.py      softmax, log_softmax
    conversion.py   to (dtype / device)
    inplace.py      add_, mul_, copy_, fill_, ... (version counters)
"""

from ..views import normalize_dim
from .conversion import cast_to, to
from .elementwise import (
    abs,
    add,
    ceil,
    clamp,
    clip,
    cos,
    div,
    divide,
    eq,
    equal,
    exp,
    floor,
    floor_divide,
    ge,
    greater,
    greater_equal,
    gt,
    isinf,
    isnan,
    le,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    masked_fill,
    maximum,
    minimum,
    mul,
    multiply,
    ne,
    neg,
    negative,
    not_equal,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    sub,
    subtract,
    tanh,
    true_divide,
    trunc,
    where,
)
from .indexing import gather, getitem, index_select, masked_select, nonzero, scatter_add, setitem
from .inplace import add_inplace_without_checks, copy_, fill_, inplace
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
    pad,
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
from .softmax import log_softmax, softmax

__all__ = [name for name in dir() if not name.startswith("_")]
