"""tinygrad_edu: the PyTorch you can read and watch.

    import tinygrad_edu as torch
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == 2 * x

The layers, top to bottom: tensor.py (storage + view) -> ops/ (differentiable Functions) ->
autograd/ (the graph and the engine) -> kernels/ (NumPy reference and Triton primitives).
"""

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

__version__ = "0.1.0"


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


from . import cuda, nn, optim, utils  # noqa: E402 - they build on everything above

# issue 14: tinygrad_edu.compile (capture, fuse, replay)
from .compile import compile  # noqa: E402, A001 - torch.compile
