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
]

# --- op breadth, part A (issue 10): math library, activations, scans, sorting, bitwise ----------
from .activation_family import (  # noqa: E402
    celu,
    elu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from .bitwise import (  # noqa: E402
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
)
from .cumulative import cummax, cummin, cumprod, cumsum, logcumsumexp  # noqa: E402
from .math_functions import (  # noqa: E402
    absolute,
    acos,
    acosh,
    allclose,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    copysign,
    cosh,
    deg2rad,
    exp2,
    expm1,
    fix,
    fmod,
    frac,
    hypot,
    isclose,
    isfinite,
    isneginf,
    isposinf,
    lerp,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    logit,
    nan_to_num,
    rad2deg,
    sinh,
    std_mean,
    tan,
    var_mean,
    xlogy,
)
from .sorting import (  # noqa: E402
    argsort,
    bincount,
    bucketize,
    kthvalue,
    median,
    mode,
    msort,
    nanmedian,
    searchsorted,
    sort,
    topk,
    unique,
)

__all__ += [
    "absolute", "fix", "cummax", "cummin", "cumprod", "cumsum", "logcumsumexp",
    "argsort", "bincount", "bucketize", "kthvalue", "median", "mode", "msort", "nanmedian",
    "searchsorted", "sort", "topk", "unique",
    "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor",
    "acos", "acosh", "allclose", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
    "arctanh", "asin", "asinh", "atan", "atan2", "atanh", "celu", "copysign", "cosh", "deg2rad",
    "exp2", "expm1", "fmod", "frac", "hardshrink", "hypot", "isclose", "isfinite", "isneginf",
    "isposinf", "lerp", "log10", "log2", "logaddexp", "logaddexp2", "logit", "nan_to_num",
    "prelu", "rad2deg", "selu", "sinh", "std_mean", "tan", "threshold", "var_mean",
    "xlogy",
]

# complex numbers (ops/complex.py)
from .complex import (  # noqa: E402
    angle,
    complex,
    conj,
    conj_physical,
    imag,
    is_complex,
    is_conj,
    polar,
    real,
    resolve_conj,
    resolve_neg,
    sgn,
    view_as_complex,
    view_as_real,
)
from .spectral import blackman_window, hamming_window, hann_window, istft, stft  # noqa: E402

__all__ += ["angle", "complex", "conj", "conj_physical", "imag", "is_complex", "is_conj",
            "polar", "real", "resolve_conj", "resolve_neg", "sgn", "view_as_complex",
            "view_as_real", "blackman_window", "hamming_window", "hann_window", "istft", "stft"]
