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
from .conversion import cast_to, to
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

__all__ = [name for name in dir() if not name.startswith("_")]
