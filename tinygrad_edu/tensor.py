"""Tensor: a view (shape, strides, offset) onto a Storage, plus the autograd bookkeeping.

    x = tensor([[1., 2., 3.], [4., 5., 6.]])    storage [1 2 3 4 5 6], shape (2, 3), strides (3, 1)
    x.T                                          same storage,          shape (3, 2), strides (1, 3)

This file holds what a tensor *is*: how it looks at its storage, how it prints and converts, and the
autograd fields — `requires_grad`, `grad`, `grad_fn` (the node that made it) and, for leaves, the
AccumulateGrad node. The methods that compute are one-liners into tinygrad_edu.ops, grouped in
mixins: tensor_views.py (reshape, permute, slicing), tensor_math.py (math, reductions, matmul,
in-place ops) and tensor_operators.py (`+`, `@`, `<`, ...).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from math import prod
from typing import Any

from .autograd import engine as _engine
from .autograd.function import AccumulateGrad, Node
from .autograd.grad_mode import GradMode
from .device import device
from .dtypes import dtype
from .kernels import View
from .storage import Storage
from .tensor_breadth import TensorBreadth
from .tensor_complex import TensorComplex
from .tensor_layout import TensorLayout
from .tensor_math import TensorMath
from .tensor_operators import TensorOperators
from .tensor_views import TensorViews


class Size(tuple):
    """A tensor's shape: a tuple that prints like torch.Size."""

    def __repr__(self) -> str:
        return f"tinygrad_edu.Size({list(self)})"

    def numel(self) -> int:
        return prod(self)


class Tensor(TensorViews, TensorMath, TensorOperators, TensorLayout, TensorBreadth,
             TensorComplex):
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
        """Tensor(data), as tensor(data); Tensor(*sizes): an uninitialised tensor of that shape."""
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
        """The sizes of the dims, a Size (tuple) such as (2, 3)."""
        return Size(self._view.shape)

    def size(self, dim: int | None = None) -> Size | int:
        """The shape, or the size of one dim."""
        if dim is None:
            return Size(self._view.shape)
        return self._view.shape[_ops.normalize_dim(dim, self.ndim)]

    @property
    def ndim(self) -> int:
        """The number of dims (0 for a scalar)."""
        return len(self._view.shape)

    def dim(self) -> int:
        """The number of dims (as ndim)."""
        return len(self._view.shape)

    def ndimension(self) -> int:
        """The number of dims (as ndim)."""
        return len(self._view.shape)

    def numel(self) -> int:
        """The number of elements: the product of the shape."""
        return prod(self._view.shape)

    nelement = numel
    """Alias of numel: the number of elements, the product of the shape."""

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """Elements to step in storage per index of each dim (or of one dim)."""
        if dim is None:
            return self._view.strides
        return self._view.strides[_ops.normalize_dim(dim, self.ndim)]

    def storage_offset(self) -> int:
        """Where this view's first element sits in its storage, in elements."""
        return self._view.offset

    def is_contiguous(self) -> bool:
        """True if the strides are row-major for the shape (no gaps, no reordering)."""
        return self._view.is_contiguous()

    @property
    def device(self) -> device:
        """Where the storage lives: cpu (NumPy) or cuda (Triton)."""
        return self._storage.device

    @property
    def is_cuda(self) -> bool:
        """True if the tensor is on the cuda (Triton) device."""
        return self._storage.device.type == "cuda"

    def element_size(self) -> int:
        """Bytes per element of the dtype."""
        return self.dtype.itemsize

    @property
    def itemsize(self) -> int:
        """Bytes per element of the dtype (as element_size())."""
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes of the elements this tensor views: numel() * element_size()."""
        return self.dtype.itemsize * self.numel()

    def is_floating_point(self) -> bool:
        """True for float16, float32 and float64 tensors."""
        return self.dtype.is_floating_point

    def data_ptr(self) -> int:
        """The address of the first element (storage address + offset * itemsize)."""
        return self._storage.data_ptr() + self._view.offset * self.dtype.itemsize

    def untyped_storage(self) -> Storage:
        """The flat buffer (and device) this tensor is a view of."""
        return self._storage

    def type(self, dtype: Any = None) -> str | Tensor:
        """The type name ('torch.FloatTensor'), or a copy converted to the dtype given."""
        if dtype is None:
            names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                     "int32": "Int", "uint8": "Byte", "bool": "Bool", "int16": "Short",
                     "int8": "Char", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
            prefix = "cuda." if self.is_cuda else ""
            return f"tinygrad_edu.{prefix}{names[self.dtype.name]}Tensor"
        if isinstance(dtype, str):  # 'torch.LongTensor', 'tinygrad_edu.cuda.FloatTensor'
            from . import legacy

            kind = getattr(legacy, dtype.rsplit(".", 1)[-1], None)
            if kind is None:
                raise ValueError(f"invalid type: '{dtype}'")
            return self.to("cuda" if ".cuda." in dtype else "cpu", kind.dtype)
        if hasattr(dtype, "dtype"):  # a legacy class: a CPU tensor of its dtype
            return self.to("cpu", dtype.dtype)
        return self.to(dtype)

    # --- autograd fields ---------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether autograd records ops on this tensor (settable on leaves)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place and return self (leaves only)."""
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                                   "you want to use a computed variable in a subgraph that doesn't "
                                   "require differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and not self.dtype.is_differentiable:
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self) -> Node | None:
        """The graph node that made this tensor (None for leaves)."""
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        """True if no recorded op made this tensor (its .grad is filled by backward)."""
        return self._grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """The gradient backward accumulated into this leaf (None before)."""
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
        """The same storage without the graph: a view that does not require grad."""
        return self._alias()

    def detach_(self) -> Tensor:
        """Detach in place: drop grad_fn and requires_grad."""
        self._grad_fn, self._requires_grad, self._output_nr = None, False, 0
        return self

    def retain_grad(self) -> None:
        """Keep .grad for this non-leaf tensor too when backward runs."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is not None and not self._retains_grad:
            self._grad_fn._retain_grad_for(self._output_nr, self)
            self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        """True if retain_grad() was called on this non-leaf tensor."""
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
        """The AccumulateGrad node of this leaf, shared by every graph that uses it.

        Weak on this side, as in PyTorch: the graph owns the node and the node owns the leaf, so
        the node lives exactly as long as some graph uses it (no leaf -> node -> leaf cycle)."""
        reference = self._accumulator_ref
        node = reference() if reference is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator_ref = weakref.ref(node)
        return node

    def _grad_accumulator_node(self) -> AccumulateGrad | None:
        return self._accumulator_ref() if self._accumulator_ref is not None else None

    def _accumulate_grad(self, grad: Tensor, unshared: bool = False) -> None:
        """grad += incoming, for a leaf (run by the engine's AccumulateGrad node).

        The first gradient is stored as it is when `unshared` (the engine checked that nothing
        else refers to it or to its storage: PyTorch's rule), else as a copy, so that a later
        in-place `+=` into .grad cannot change a tensor someone else holds."""
        for hook in self._hooks or ():
            replaced = hook(grad)
            if replaced is not None:
                grad, unshared = replaced, False
        if self._grad is None:
            self._grad = grad if GradMode.enabled or unshared else grad.clone()
        elif GradMode.enabled:  # create_graph: keep the sum differentiable
            self._grad = self._grad + grad
        else:
            _ops.add_inplace_without_checks(self._grad, grad)

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's .grad (see autograd.engine)."""
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

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
        """The values as nested Python lists (a number for a 0-d tensor)."""
        return self._host().tolist()

    def item(self) -> bool | int | float:
        """The value of a one-element tensor as a Python number."""
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

    # Tensors hash by identity (== is elementwise, so equal values must not make equal keys).
    # object's own hash is that identity hash in C: optimizer state, parameter sets and the engine
    # look tensors up in dicts every step, and a Python-level __hash__ was a call per lookup.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from .tensor_repr import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self.ndim == 0:  # f"{loss}" and f"{loss:.4f}" format the number, as in PyTorch
            return format(self.item(), spec)
        return object.__format__(self, spec)  # str(self) for "", TypeError for any other spec

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild_tensor, (self._host().copy(), self.dtype, str(self.device),
                                  self._requires_grad))

    # --- conversions ---------------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """A copy with another dtype and/or device (self when nothing changes)  (ops.to)."""
        return _ops.to(self, *args, **kwargs)

    def cpu(self) -> Tensor:
        """to('cpu')  (ops.to)."""
        return _ops.to(self, "cpu")

    def cuda(self, device: Any = None) -> Tensor:
        """to('cuda')  (ops.to)."""
        return _ops.to(self, "cuda" if device is None else device)

    def float(self) -> Tensor:
        """to(float32)  (ops.to)."""
        return _ops.to(self, _dtypes.float32)

    def double(self) -> Tensor:
        """to(float64)  (ops.to)."""
        return _ops.to(self, _dtypes.float64)

    def half(self) -> Tensor:
        """to(float16)  (ops.to)."""
        return _ops.to(self, _dtypes.float16)

    def long(self) -> Tensor:
        """to(int64)  (ops.to)."""
        return _ops.to(self, _dtypes.int64)

    def int(self) -> Tensor:
        """to(int32)  (ops.to)."""
        return _ops.to(self, _dtypes.int32)

    def byte(self) -> Tensor:
        """to(uint8)  (ops.to)."""
        return _ops.to(self, _dtypes.uint8)

    def bool(self) -> Tensor:
        """to(bool)  (ops.to)."""
        return _ops.to(self, _dtypes.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        """to(other.dtype)  (ops.to)."""
        return _ops.to(self, other.dtype)

    # --- new tensors like this one (same dtype and device) ---------------------------------------
    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        """zeros(size) with self's dtype and device unless given."""
        return _creation.zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                               requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        """ones(size) with self's dtype and device unless given."""
        return _creation.ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                              requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        """full(size, fill_value) with self's dtype and device unless given."""
        return _creation.full(size, fill_value, dtype=dtype or self.dtype,
                              device=device or self.device, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        """empty(size) with self's dtype and device unless given."""
        return _creation.empty(*size, dtype=dtype or self.dtype, device=device or self.device,
                               requires_grad=requires_grad)

    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        """tensor(data) with self's dtype and device unless given."""
        return _creation.tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                                requires_grad=requires_grad)

    # --- random fills (in place) ----------------------------------------------------------------
    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """In place: values drawn uniformly from [a, b)."""
        return _ops.copy_(self, _creation.rand_like(self) * (b - a) + a)

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """In place: values drawn from a normal distribution N(mean, std^2)."""
        return _ops.copy_(self, _creation.randn_like(self) * std + mean)


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
    """Wrap a storage and a view into a Tensor, with no __init__ (a view names its base).
    (Fresh op results take the same path written out in ops/lowering.py's wrap.)"""
    result = object.__new__(Tensor)
    result._storage, result._view, result.dtype = storage, view, dtype
    if base is not None:
        result._base = base
    return result


from . import creation as _creation  # noqa: E402 - these build on Tensor, so they come after it
from . import dtypes as _dtypes  # noqa: E402
from . import ops as _ops  # noqa: E402

Tensor._ops = _ops  # what the method mixins (tensor_views, tensor_math, ...) call into
