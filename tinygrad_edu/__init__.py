"""tinygrad_edu: the PyTorch you can read and watch.

    import tinygrad_edu as torch
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == 2 * x

The layers, top to bottom: tensor.py (storage + view) -> ops/ (differentiable Functions) ->
autograd/ (the graph and the engine) -> kernels/ (NumPy reference and Triton primitives).
"""

import builtins

from . import autograd
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    scalar_tensor,
    tensor,
    zeros,
    zeros_like,
)
from .device import device
from .dtypes import bool_ as bool  # noqa: A001 - torch.bool
from .dtypes import (
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from .ops import *  # noqa: F403 - the op namespace: torch.add, torch.matmul, ...
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import load, save
from .tensor import Size, Tensor

float = float32  # noqa: A001 - torch.float
double = float64
half = float16
long = int64
int = int32  # noqa: A001 - torch.int

# complex numbers (dtypes.py, ops/complex.py)
from .dtypes import complex64, complex128  # noqa: E402

cfloat = complex64
cdouble = complex128

__version__ = "0.1.0"


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> builtins.int:  # `int` here is the dtype torch.int
    return input.numel()


from . import (  # noqa: E402 - they build on everything above
    cuda,
    fft,  # torch.fft (complex numbers, tinygrad_edu/fft.py)
    linalg,
    nn,
    optim,
    utils,
)

# --- op breadth, part A (issue 10): small dtypes, legacy constructors, torch.functional ----------
from .dtypes import int8, int16  # noqa: E402
from .legacy import (  # noqa: E402
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)

short = int16
from . import functional  # noqa: E402 - after every op, so that it finds them all
from ._signatures import resolve as _resolve_signatures  # noqa: E402

# issue 14: tinygrad_edu.compile (capture, fuse, replay)
from .compile import compile  # noqa: E402, A001 - torch.compile

_resolve_signatures()  # inspect.signature() then prints `bool`, not `'bool'`, as PyTorch's
