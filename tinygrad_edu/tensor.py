"""Tensor: a view (shape, strides, offset) onto a Storage, plus the autograd bookkeeping.

    x = tensor([[1., 2., 3.], [4., 5., 6.]])    storage [1 2 3 4 5 6], shape (2, 3), strides (3, 1)
    x.T                                          same storage,          shape (3, 2), strides (1, 3)

Every math method here is a one-liner that calls a differentiable op from tinygrad_edu.ops; the
class itself only knows how to look at its storage, how to print itself, and the autograd fields:
`requires_grad`, `grad`, `grad_fn` (the node that made it) and, for leaves, the AccumulateGrad node.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from math import prod
from typing import Any

from .autograd.function import AccumulateGrad, Node
from .autograd.grad_mode import GradMode
from .device import device
from .dtypes import dtype
from .kernels import View
from .storage import Storage


class Size(tuple):
    """A tensor's shape: a tuple that prints like torch.Size."""

    def __repr__(self) -> str:
        return f"tinygrad_edu.Size({list(self)})"

    def numel(self) -> int:
        return prod(self)


class Tensor:
    """An n-dimensional array that can record the operations applied to it (PyTorch's Tensor)."""

    # Defaults on the class, so creating a tensor sets only storage, view and dtype.
    _requires_grad = False
    _grad_fn: Node | None = None
    _output_nr = 0
    _grad: Tensor | None = None
    _base: Tensor | None = None
    _hooks: list | None = None
    _accumulator_ref: weakref.ref | None = None
    _retains_grad = False
    __array_priority__ = 1000  # numpy scalar * tensor -> Tensor.__rmul__

    def __init__(self, *data: Any, dtype: dtype | None = None, device: Any = None,
                 requires_grad: bool = False):
        from . import creation

        if len(data) == 1 and not isinstance(data[0], int):
            source = creation.tensor(data[0], dtype=dtype, device=device)
        else:  # Tensor(2, 3): an uninitialised float tensor of that shape, as torch.Tensor(2, 3)
            source = creation.empty(*data, dtype=dtype, device=device)
        self._storage, self._view, self.dtype = source._storage, source._view, source.dtype
        if requires_grad:
            self.requires_grad_(True)

    # --- what the tensor looks like ---------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._view.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self._view.shape)
        return self._view.shape[_ops.normalize_dim(dim, self.ndim)]

    @property
    def ndim(self) -> int:
        return len(self._view.shape)

    def dim(self) -> int:
        return len(self._view.shape)

    def ndimension(self) -> int:
        return len(self._view.shape)

    def numel(self) -> int:
        return prod(self._view.shape)

    nelement = numel

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        if dim is None:
            return self._view.strides
        return self._view.strides[_ops.normalize_dim(dim, self.ndim)]

    def storage_offset(self) -> int:
        return self._view.offset

    def is_contiguous(self) -> bool:
        return self._view.is_contiguous()

    @property
    def device(self) -> device:
        return self._storage.device

    @property
    def is_cuda(self) -> bool:
        return self._storage.device.type == "cuda"

    def element_size(self) -> int:
        return self.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.dtype.itemsize * self.numel()

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def data_ptr(self) -> int:
        """The address of the first element (storage address + offset * itemsize)."""
        return self._storage.data_ptr() + self._view.offset * self.dtype.itemsize

    def untyped_storage(self) -> Storage:
        return self._storage

    def type(self, dtype: Any = None) -> str | Tensor:
        if dtype is None:
            names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                     "int32": "Int", "uint8": "Byte", "bool": "Bool"}
            prefix = "cuda." if self.is_cuda else ""
            return f"tinygrad_edu.{prefix}{names[self.dtype.name]}Tensor"
        return self.to(dtype)

    # --- autograd fields ---------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                                   "you want to use a computed variable in a subgraph that doesn't "
                                   "require differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self) -> Node | None:
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._view.shape != self._view.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value.device != self.device:
                raise RuntimeError("assigned grad has data located on a different device")
        self._grad = value

    @property
    def data(self) -> Tensor:
        """The same storage and view with no autograd history (what classic loops update)."""
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        self._storage, self._view, self.dtype = value._storage, value._view, value.dtype

    @property
    def _version(self) -> int:
        return self._storage.version

    def _alias(self) -> Tensor:
        """A new Tensor object on the same storage and view, with no autograd history."""
        return make_tensor(self._storage, self._view, self.dtype,
                           self if self._base is None else self._base)

    def _saved_alias(self) -> Tensor:
        """Like _alias, but without a reference back to this tensor (for saving an op's output)."""
        return make_tensor(self._storage, self._view, self.dtype, self._base)

    def detach(self) -> Tensor:
        return self._alias()

    def detach_(self) -> Tensor:
        self._grad_fn, self._requires_grad, self._output_nr = None, False, 0
        return self

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is not None and not self._retains_grad:
            self._grad_fn._retain_grad_for(self._output_nr, self)
            self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call hook(grad) when this tensor's gradient is computed; it may return a new grad."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            self._grad_fn._add_tensor_pre_hook(self._output_nr, hook)
            hooks = self._grad_fn._tensor_pre_hooks[self._output_nr]
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
            hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def _get_grad_accumulator(self) -> AccumulateGrad:
        """The AccumulateGrad node of this leaf, shared by every graph that uses it."""
        node = self._accumulator_ref() if self._accumulator_ref is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator_ref = weakref.ref(node)  # weak: the graph owns the node
        return node

    def _grad_accumulator_node(self) -> AccumulateGrad | None:
        return self._accumulator_ref() if self._accumulator_ref is not None else None

    def _accumulate_grad(self, grad: Tensor) -> None:
        """grad += incoming, for a leaf (run by the engine's AccumulateGrad node)."""
        for hook in self._hooks or ():
            replaced = hook(grad)
            if replaced is not None:
                grad = replaced
        if self._grad is None:
            self._grad = grad.clone() if not GradMode.enabled else grad
        elif GradMode.enabled:  # create_graph: keep the sum differentiable
            self._grad = self._grad + grad
        else:
            _ops.add_inplace_without_checks(self._grad, grad)

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's .grad (see autograd.engine)."""
        from .autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    # --- leaving tinygrad_edu -----------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> Any:
        """A NumPy array sharing memory with this CPU tensor."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self.device.type != "cpu" and not force:
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return self._storage.backend.to_host(self._storage.buffer, self._view)

    def _host(self) -> Any:
        """The values as a NumPy array (a copy for device tensors), for printing and tolist."""
        return self._storage.backend.to_host(self._storage.buffer, self._view)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        array = self._host()
        return array if dtype is None else array.astype(dtype)

    def tolist(self) -> Any:
        return self._host().tolist()

    def item(self) -> bool | int | float:
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        return self._host().reshape(()).item()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __len__(self) -> int:
        if not self._view.shape:
            raise TypeError("len() of a 0-d tensor")
        return self._view.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if not self._view.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._view.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        from .tensor_repr import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self.ndim == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild_tensor, (self._host().copy(), self.dtype, str(self.device),
                                  self._requires_grad))

    # --- conversions ---------------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        return _ops.to(self, *args, **kwargs)

    def cpu(self) -> Tensor:
        return _ops.to(self, "cpu")

    def cuda(self, device: Any = None) -> Tensor:
        return _ops.to(self, "cuda" if device is None else device)

    def float(self) -> Tensor:
        return _ops.to(self, _dtypes.float32)

    def double(self) -> Tensor:
        return _ops.to(self, _dtypes.float64)

    def half(self) -> Tensor:
        return _ops.to(self, _dtypes.float16)

    def long(self) -> Tensor:
        return _ops.to(self, _dtypes.int64)

    def int(self) -> Tensor:
        return _ops.to(self, _dtypes.int32)

    def byte(self) -> Tensor:
        return _ops.to(self, _dtypes.uint8)

    def bool(self) -> Tensor:
        return _ops.to(self, _dtypes.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        return _ops.to(self, other.dtype)

    # --- new tensors like this one (same dtype and device) ---------------------------------------
    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return _creation.zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                               requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return _creation.ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                              requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return _creation.full(size, fill_value, dtype=dtype or self.dtype,
                              device=device or self.device, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return _creation.empty(*size, dtype=dtype or self.dtype, device=device or self.device,
                               requires_grad=requires_grad)

    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        return _creation.tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                                requires_grad=requires_grad)

    # --- views and shapes (zero-copy where PyTorch is) ------------------------------------------
    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], _dtypes.dtype):
            raise TypeError("view(dtype) reinterprets the bytes of a tensor, which tinygrad_edu "
                            "does not support; use .to(dtype) to convert the values")
        return _ops.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return _ops.view(self, other.shape)

    def reshape(self, *shape: Any) -> Tensor:
        return _ops.reshape(self, *shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    def permute(self, *dims: Any) -> Tensor:
        return _ops.permute(self, *dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return _ops.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        return _ops.t(self)

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        return _ops.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        return _ops.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        return _ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return _ops.expand(self, other.shape)

    def squeeze(self, dim: Any = None) -> Tensor:
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return _ops.unsqueeze(self, dim)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return _ops.unflatten(self, dim, sizes)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return _ops.narrow(self, dim, start, length)

    def contiguous(self) -> Tensor:
        return self if self._view.is_contiguous() else _ops.contiguous(self)

    def clone(self) -> Tensor:
        return _ops.clone(self)

    def flip(self, *dims: Any) -> Tensor:
        return _ops.flip(self, *dims)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.unbind(self, dim)

    def repeat(self, *sizes: Any) -> Tensor:
        return _ops.repeat(self, *sizes)

    def sum_to_size(self, *size: Any) -> Tensor:
        return _ops.sum_to_size(self, *size)

    def __getitem__(self, key: Any) -> Tensor:
        return _ops.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        _ops.setitem(self, key, value)

    # --- elementwise math ------------------------------------------------------------------------
    def neg(self) -> Tensor:
        return _ops.neg(self)

    negative = neg

    def abs(self) -> Tensor:
        return _ops.abs(self)

    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def log1p(self) -> Tensor:
        return _ops.log1p(self)

    def sqrt(self) -> Tensor:
        return _ops.sqrt(self)

    def rsqrt(self) -> Tensor:
        return _ops.rsqrt(self)

    def sin(self) -> Tensor:
        return _ops.sin(self)

    def cos(self) -> Tensor:
        return _ops.cos(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    def sign(self) -> Tensor:
        return _ops.sign(self)

    def reciprocal(self) -> Tensor:
        return _ops.reciprocal(self)

    def square(self) -> Tensor:
        return _ops.square(self)

    def floor(self) -> Tensor:
        return _ops.floor(self)

    def ceil(self) -> Tensor:
        return _ops.ceil(self)

    def round(self) -> Tensor:
        return _ops.round(self)

    def trunc(self) -> Tensor:
        return _ops.trunc(self)

    def isnan(self) -> Tensor:
        return _ops.isnan(self)

    def isinf(self) -> Tensor:
        return _ops.isinf(self)

    def logical_not(self) -> Tensor:
        return _ops.logical_not(self)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ops.add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ops.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ops.div(self, other, rounding_mode=rounding_mode)

    true_divide = divide = div

    def floor_divide(self, other: Any) -> Tensor:
        return _ops.div(self, other, rounding_mode="floor")

    def remainder(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return _ops.pow(self, exponent)

    def maximum(self, other: Tensor) -> Tensor:
        return _ops.maximum(self, other)

    def minimum(self, other: Tensor) -> Tensor:
        return _ops.minimum(self, other)

    def eq(self, other: Any) -> Tensor:
        return _ops.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return _ops.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return _ops.lt(self, other)

    def le(self, other: Any) -> Tensor:
        return _ops.le(self, other)

    def gt(self, other: Any) -> Tensor:
        return _ops.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return _ops.ge(self, other)

    def equal(self, other: Tensor) -> bool:
        return _ops.equal(self, other)

    def logical_and(self, other: Any) -> Tensor:
        return _ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return _ops.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return _ops.logical_xor(self, other)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        return _ops.where(condition, self, other)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - torch's names
        return _ops.clamp(self, min, max)

    clip = clamp

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        return _ops.masked_fill(self, mask, value)

    # --- reductions ---------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _ops.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _ops.mean(self, dim, keepdim, dtype=dtype)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        return _ops.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        return _ops.std(self, dim, unbiased, keepdim, correction=correction)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _ops.prod(self, dim, keepdim, dtype=dtype)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _ops.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _ops.amin(self, dim, keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return _ops.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return _ops.min(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _ops.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _ops.argmin(self, dim, keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return _ops.logsumexp(self, dim, keepdim)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.any(self, dim, keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.norm(self, p, dim, keepdim)

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return _ops.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return _ops.log_softmax(self, dim, dtype=dtype)

    # --- linear algebra and indexing ops --------------------------------------------------------
    def matmul(self, other: Tensor) -> Tensor:
        return _ops.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return _ops.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return _ops.bmm(self, other)

    def outer(self, other: Tensor) -> Tensor:
        return _ops.outer(self, other)

    def dot(self, other: Tensor) -> Tensor:
        return _ops.dot(self, other)

    def gather(self, dim: int, index: Tensor) -> Tensor:
        return _ops.gather(self, dim, index)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _ops.scatter_add(self, dim, index, src)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return _ops.index_select(self, dim, index)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return _ops.nonzero(self, as_tuple=as_tuple)

    # --- in place (bump the storage's version counter) ------------------------------------------
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ops.inplace(self, _ops.add, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ops.inplace(self, _ops.sub, other, alpha=alpha)

    def mul_(self, other: Any) -> Tensor:
        return _ops.inplace(self, _ops.mul, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ops.inplace(self, _ops.div, other, rounding_mode=rounding_mode)

    def pow_(self, exponent: Any) -> Tensor:
        return _ops.inplace(self, _ops.pow, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return _ops.inplace(self, _ops.clamp, min, max)

    clip_ = clamp_

    def neg_(self) -> Tensor:
        return _ops.inplace(self, _ops.neg)

    def sqrt_(self) -> Tensor:
        return _ops.inplace(self, _ops.sqrt)

    def exp_(self) -> Tensor:
        return _ops.inplace(self, _ops.exp)

    def relu_(self) -> Tensor:
        return _ops.inplace(self, _ops.relu)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return _ops.inplace(self, _ops.masked_fill, mask, value)

    def copy_(self, src: Tensor) -> Tensor:
        return _ops.copy_(self, src)

    def zero_(self) -> Tensor:
        return _ops.fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        return _ops.fill_(self, value)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        return _ops.copy_(self, _creation.rand_like(self) * (b - a) + a)

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        return _ops.copy_(self, _creation.randn_like(self) * std + mean)

    # --- operators -------------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.div(self, other, rounding_mode="floor")

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.div(other, self, rounding_mode="floor")

    def __mod__(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.remainder(other, self)

    def __pow__(self, exponent: Any) -> Tensor:
        return _ops.pow(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _ops.pow(base, self)

    def __ipow__(self, exponent: Any) -> Tensor:
        return self.pow_(exponent)

    def __matmul__(self, other: Tensor) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Tensor) -> Tensor:
        return _ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __invert__(self) -> Tensor:
        if self.dtype is not _dtypes.bool_:
            raise TypeError("~ (bitwise not) is only supported for bool tensors in tinygrad_edu")
        return _ops.logical_not(self)

    def __and__(self, other: Any) -> Tensor:
        return _ops.logical_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return _ops.logical_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        return _ops.logical_xor(self, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return _ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _ops.ge(self, other)


class RemovableHandle:
    """What register_hook returns: call .remove() to unregister the hook."""

    def __init__(self, hooks: list, hook: Any):
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _rebuild_tensor(array: Any, dtype: dtype, device: str, requires_grad: bool) -> Tensor:
    """How a pickled tensor comes back (DataLoader workers and checkpoints pickle tensors)."""
    return _creation.tensor(array, dtype=dtype, device=device, requires_grad=requires_grad)


def make_tensor(storage: Storage, view: View, dtype: dtype, base: Tensor | None = None) -> Tensor:
    """Wrap a storage and a view into a Tensor (the fast path every op result goes through)."""
    result = object.__new__(Tensor)
    result._storage, result._view, result.dtype = storage, view, dtype
    if base is not None:
        result._base = base
    return result


from . import creation as _creation  # noqa: E402 - these build on Tensor, so they come after it
from . import dtypes as _dtypes  # noqa: E402
from . import ops as _ops  # noqa: E402
