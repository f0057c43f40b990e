"""What every Triton kernel file shares: lazy kernel definition, the interpreter switch, buffers.

Three problems are solved here once, so that each kernel file can read like a tutorial:

1. *Deciding between the GPU and the interpreter, late.* `triton.jit` looks at TRITON_INTERPRET when
   a kernel is **defined**, and importing tinygrad_edu must not touch a GPU. So kernels are written
   with `@triton_kernel` instead of `@triton.jit`: it only records the Python function. The first
   time the Triton backend is needed, `prepare_triton()` checks for a GPU, switches the interpreter
   on if there is none (with a one-line warning), then hands every recorded function to
   `triton.jit` and puts the result back under the same name in its module. From then on
   `unary_kernel[grid](...)` in a launcher is the real Triton kernel.
2. *Buffers.* Triton launches take torch tensors (anything with `data_ptr()`), so Triton buffers are
   flat torch tensors, used only as memory: allocated, copied to and from the host, and handed to
   kernels. No torch compute op is ever called on them.
3. *Strided views.* `strided_offsets` turns row-major positions into buffer offsets through a view's
   shape and strides, inside a kernel; `merge_dims` first shrinks views to as few dims as possible.
4. *Checks without waiting for the GPU.* A bad index or a zero integer divisor is found *inside*
   the kernel that reads it: the kernel clamps (so it never touches memory it should not) and
   records the bad value in a small device buffer of error slots (`error_slot`). Nothing is copied
   to the host then; the next host read (`download`) looks at the slots first and raises the error
   PyTorch would raise. That is how CUDA reports errors too: late, at the next synchronisation.
   `COUNTS` counts kernel launches and device-to-host transfers, so tests can hold a training
   step to "no transfer at all".
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import math
import os
import struct
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np


class _NotYetImported:
    """Stands for `triton.language` until prepare_triton() imports it.

    Triton is imported late on purpose: its own library functions (tl.zeros, tl.sum, tl.rand, ...)
    are themselves @triton.jit functions, so they too must be defined after TRITON_INTERPRET is
    set. Kernel files write `tl.` as usual; prepare_triton() puts the real module under that
    name."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"tl.{name} used before the Triton backend was created "
                           "(call kernels.triton_support.prepare_triton() first)")


tl: Any = _NotYetImported()


# ----------------------------------------------------------------------------------------------
# Lazy kernel definition and the interpreter switch
# ----------------------------------------------------------------------------------------------


class PendingKernel:
    """A kernel written but not yet handed to triton.jit (that waits for prepare_triton)."""

    def __init__(self, function: Callable[..., Any]):
        self.function = function
        self.__wrapped__ = function  # inspect.getsource(kernel) shows the kernel's code
        self.jitted: Any = None

    def __getitem__(self, grid: Any) -> Any:  # kernel[grid](...) before preparation: prepare now
        prepare_triton()
        return self.jitted[grid]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # a helper called from Python code
        prepare_triton()
        return self.jitted(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Triton kernel {self.function.__name__} (defined on first use)>"


_PENDING: list[PendingKernel] = []
_STATE: dict[str, Any] = {"prepared": False, "interpret": False, "device": "cpu"}


def triton_kernel(function: Callable[..., Any]) -> Any:
    """Use instead of @triton.jit: the kernel is defined (compiled or interpreted) on first use."""
    pending = PendingKernel(function)
    _PENDING.append(pending)
    if _STATE["prepared"]:  # a kernel file imported after the backend was created
        _define(pending)
    return pending


def _define(pending: PendingKernel) -> None:
    """triton.jit the function; every module-level name that pointed to it now sees the result."""
    language = importlib.import_module("triton.language")
    pending.jitted = importlib.import_module("triton").jit(pending.function)
    _count_launches(pending.jitted)
    namespace = pending.function.__globals__
    if isinstance(namespace.get("tl"), _NotYetImported):
        namespace["tl"] = language
    for name, value in list(namespace.items()):
        if value is pending:
            namespace[name] = pending.jitted


COUNTS: dict[str, int] = {"launches": 0, "to_host": 0}  # kernel launches, device-to-host copies


def _count_launches(jitted: Any) -> None:
    """kernel[grid](...) calls jitted.run: count each launch (helpers called inside kernels are
    never launched, so they never count). The class's run is looked up at each call, so a tool
    that replaces JITFunction.run (tests/triton_compile_check.py) still takes effect."""
    def run(*args: Any, **kwargs: Any) -> Any:
        COUNTS["launches"] += 1
        return type(jitted).run(jitted, *args, **kwargs)

    jitted.run = run


def _rebind_imports(language: Any) -> None:
    """Names imported from another file (`from .triton_support import strided_offsets, tl`)."""
    namespaces = {id(p.function.__globals__): p.function.__globals__ for p in _PENDING}
    namespaces[id(globals())] = globals()
    for namespace in namespaces.values():
        for name, value in list(namespace.items()):
            if isinstance(value, PendingKernel) and value.jitted is not None:
                namespace[name] = value.jitted
            elif isinstance(value, _NotYetImported):
                namespace[name] = language


def gpu_available() -> bool:
    """True when torch sees a CUDA (or ROCm) GPU. Called only when the Triton backend is created."""
    import torch

    return torch.cuda.is_available()


def use_interpreter_if_no_gpu() -> None:
    """Decide the interpreter now, before anything imports Triton, if there is no GPU.

    Needed where another library may import Triton first: PyTorch's optimizers do (through
    torch._dynamo) on their first step, after which the interpreter can no longer be switched on.
    The tests and the docs build call this at start-up. It does nothing when TRITON_INTERPRET is
    already set or Triton (or torch, which it launches through) is missing."""
    if "TRITON_INTERPRET" in os.environ or importlib.util.find_spec("triton") is None \
            or importlib.util.find_spec("torch") is None:
        return
    if not gpu_available():
        os.environ["TRITON_INTERPRET"] = "1"


def prepare_triton() -> None:
    """Decide compiled-or-interpreted, then define every kernel. Safe to call many times."""
    if _STATE["prepared"]:
        return
    if importlib.util.find_spec("triton") is None:
        raise RuntimeError("device 'cuda' runs Triton kernels, but Triton is not installed: "
                           "pip install 'tinygrad-edu[gpu]' (or pip install triton)")
    gpu = gpu_available()
    interpret = os.environ.get("TRITON_INTERPRET", "0") not in ("", "0") or not gpu
    if interpret:
        if "triton.language" in sys.modules and os.environ.get("TRITON_INTERPRET") != "1":
            raise RuntimeError("Triton was imported before the Triton backend was created, so "
                               "its interpreter cannot be switched on: set TRITON_INTERPRET=1 "
                               "before starting Python, or call kernels.triton_support."
                               "use_interpreter_if_no_gpu() before importing what imports Triton")
        os.environ["TRITON_INTERPRET"] = "1"  # before Triton defines its own tl.* functions
        warnings.warn("tinygrad_edu: no GPU, device 'cuda' runs the Triton kernels in Triton's "
                      "interpreter (correct but slow: for learning and tests)", stacklevel=3)
        _let_interpreter_loop_over_runtime_ints()
        _patch_language_once()
        _no_overflow_checks_in_interpreter()
        _lighter_interpreter_bookkeeping()
        _fewer_checks_per_operation_and_launch()
        _vectorised_loads_and_stores()
    language = importlib.import_module("triton.language")
    _STATE.update(prepared=True, interpret=interpret, device="cuda" if gpu else "cpu")
    for pending in _PENDING:
        _define(pending)
    _rebind_imports(language)


def _let_interpreter_loop_over_runtime_ints() -> None:
    """Compatibility shim: `for k in range(0, K, BLOCK)` with a runtime K calls K.__index__, which
    Triton 3.6's interpreter implements as int() of a one-element array; NumPy >= 2.4 refuses
    that. Read the element with .item() instead (same value, any NumPy)."""
    interpreter = importlib.import_module("triton.runtime.interpreter")
    original = interpreter._patch_lang_tensor
    if getattr(original, "reads_item", False):
        return

    def patch_lang_tensor(tensor: Any, scope: Any) -> None:
        original(tensor, scope)
        scope.set_attr(tensor, "__index__", lambda self: int(self.handle.data.item()))

    patch_lang_tensor.reads_item = True  # type: ignore[attr-defined]
    interpreter._patch_lang_tensor = patch_lang_tensor


def _no_overflow_checks_in_interpreter() -> None:
    """Speed-up: Triton's interpreter checks every int32 add, sub and mul for overflow (it redoes
    the operation in int64, compares with the int32 range and asserts): about a third of a small
    step's time, since index arithmetic is int32. A GPU build does no such check (only with
    debug=True), and offsets that could pass 2^31 take the INT64 variants (needs_int64), so the
    interpreter is set to compile-like behaviour. What the kernels compute is unchanged."""
    import dataclasses

    interpreter = importlib.import_module("triton.runtime.interpreter")
    builder = interpreter.interpreter_builder
    builder.options = dataclasses.replace(builder.options, sanitize_overflow=False)


def _lighter_interpreter_bookkeeping() -> None:
    """Speed-up: per `tl` operation the interpreter spends most of its time not in NumPy but in
    Triton's bookkeeping, and two pieces of it are pure waste when interpreting:
    * every tl.tensor keeps its shape as a tl.tuple of constexprs, and every tl.tuple its type
      (with a name string formatted from each dim), built at once, though the interpreter
      hardly ever asks for them: they are now built on first use (functools.cached_property:
      the same value, computed at most once); likewise the name of a block's type, whose
      shape is unwrapped from constexprs in one pass instead of three;
    * the NumPy dtype of a Triton type is looked up by building an 18-entry dict at each call:
      it is now remembered per type;
    * each launch matches its arguments to the kernel's parameters with inspect, which parses
      the function's code twice per launch: the kernel now carries its inspect.Signature;
    * constexprs are unwrapped (hundreds of times per launch) by a chain of isinstance tests:
      the two commonest cases, a constexpr and a plain value, are now answered first; and so
      are the two commonest cases of broadcasting two operands: nothing to do.
    About a quarter of a small training step. What the kernels compute is unchanged."""
    import functools

    interpreter = importlib.import_module("triton.runtime.interpreter")
    core = importlib.import_module("triton.language.core")
    if getattr(interpreter._get_np_dtype, "remembered", False):
        return
    tuple_type = core.tuple_type

    def tuple_init(self: Any, args: Any, type: Any = None) -> None:  # noqa: A002 - Triton's name
        self.values = list(args)
        if isinstance(type, tuple_type):
            self.type = type
        elif type is not None:  # a list of types (as the original accepts)
            self.type = tuple_type(type)
        # else: the type comes from the values, on first use (the cached_property below)

    def lazy(cls: type, name: str, compute: Callable[[Any], Any]) -> None:
        attribute = functools.cached_property(compute)  # an assignment still overrides it
        attribute.__set_name__(cls, name)
        setattr(cls, name, attribute)

    core.tuple.__init__ = tuple_init
    lazy(core.tuple, "type", lambda self: core._type_for_tuple_values(self.values))

    def tensor_init(self: Any, handle: Any, type: Any) -> None:  # noqa: A002 - Triton's name
        self.handle, self.type, self.dtype = handle, type, type.scalar
        # shape and numel (constexprs) come from the type, on first use (below)

    def dims(tensor: Any) -> Any:
        return tensor.type.shape if tensor.type.is_block() else ()

    core.tensor.__init__ = tensor_init
    lazy(core.tensor, "shape", lambda self: core.tuple([core.constexpr(s) for s in dims(self)]))
    lazy(core.tensor, "numel", lambda self: core.constexpr(math.prod(dims(self))))

    constexpr = core.constexpr

    def block_type_init(self: Any, element_ty: Any, shape: Any) -> None:
        self.element_ty = element_ty
        if isinstance(shape, constexpr):
            shape = shape.value
        sizes = [size.value if isinstance(size, constexpr) else size for size in shape]
        if not sizes:
            raise TypeError("0d block_type is forbidden")
        self.shape = core.tuple(sizes)  # a tl.tuple of ints, as Triton's own __init__ makes
        self.numel = core.validate_block_shape(sizes)
        # the name, f"<{shape}, {element type}>", on first use (below)

    core.block_type.__init__ = block_type_init
    lazy(core.block_type, "name", lambda self: f"<{self.shape}, {self.element_ty}>")

    unwrap, constexpr_class = core._unwrap_if_constexpr, core.constexpr
    plain = {int, float, bool, str, type(None), core.tensor, core.dtype, core.block_type,
             core.pointer_type}

    def unwrap_if_constexpr(value: Any) -> Any:  # Triton's own, with its two commonest answers
        kind = type(value)                       # first: a constexpr's value, a plain value
        if kind is constexpr_class:
            return value.value
        if kind in plain:
            return value
        return unwrap(value)  # lists and tuples, unwrapped element by element

    core._unwrap_if_constexpr = unwrap_if_constexpr

    semantic = importlib.import_module("triton.language.semantic").TritonSemantic
    broadcast = semantic.broadcast_impl_value

    def broadcast_impl_value(self: Any, lhs: Any, rhs: Any) -> tuple[Any, Any]:
        left, right = lhs.type, rhs.type  # two blocks of one shape, or two scalars: as they are
        if left.is_block() == right.is_block() and (
                not left.is_block() or left.shape.values == right.shape.values):
            return lhs, rhs
        return broadcast(self, lhs, rhs)  # Triton's own: splats and broadcasts

    semantic.broadcast_impl_value = broadcast_impl_value

    rewrite = interpreter.InterpretedFunction.rewrite

    def rewrite_with_signature(self: Any) -> Any:
        function = rewrite(self)  # the kernel as the interpreter runs it (made once, kept)
        if "__signature__" not in function.__dict__:
            function.__signature__ = inspect.signature(function)
        return function

    interpreter.InterpretedFunction.rewrite = rewrite_with_signature

    np_dtype, known = interpreter._get_np_dtype, {}
    block_type, pointer_type = core.block_type, core.pointer_type

    def remembered_np_dtype(tt_dtype: Any) -> np.dtype:
        if isinstance(tt_dtype, block_type):  # a block's NumPy dtype is its element's
            tt_dtype = tt_dtype.element_ty
        if isinstance(tt_dtype, pointer_type):  # (pointers are not hashable)
            return np_dtype(tt_dtype)
        found = known.get(tt_dtype)
        if found is None:
            found = known[tt_dtype] = np_dtype(tt_dtype)
        return found

    remembered_np_dtype.remembered = True  # type: ignore[attr-defined]
    interpreter._get_np_dtype = remembered_np_dtype


def _fewer_checks_per_operation_and_launch() -> None:
    """Speed-up: more of the interpreter's bookkeeping, the part paid per `tl` operation and per
    launch, for answers that are known in advance:
    * every binary operation (a + b, a < b, ...) first works out a common type for its operands,
      casts both to it and broadcasts them: about a third of a small training step. When both
      are tensors of one (non-pointer) dtype, that type is their dtype, the casts do nothing,
      and only the broadcast is left; for a pointer plus an integer offset (address arithmetic)
      there is no common type to find either (Triton's own rule gives the same answers; it is
      still asked in every other case, e.g. a Python number operand or mixed dtypes, and for /
      and % on float16, which compute in float32);
    * each launch copies every buffer argument to the host and back afterwards, for a GPU's
      memory; with no GPU the buffers are host memory already, so the kernel gets them as they
      are (the copies were of each buffer onto itself);
    * each launch turns every argument's type name ("i32", "*fp32") into a Triton type, parsing
      the name each time: the types are now remembered per name;
    * each launch reads the kernel's parameters with inspect twice (getfullargspec and
      getcallargs parse the signature again): the kernel's inspect.Signature, made once, answers.
    What the kernels compute is unchanged."""
    interpreter = importlib.import_module("triton.runtime.interpreter")
    core = importlib.import_module("triton.language.core")
    semantic = importlib.import_module("triton.language.semantic").TritonSemantic
    if getattr(semantic.binary_op_type_checking_impl, "same_dtype_first", False):
        return
    checking = semantic.binary_op_type_checking_impl
    tensor_class = core.tensor
    computed_wider = (core.float16, core.bfloat16)  # their / and % compute in float32
    plain_types = (core.int32, core.int64, core.float32, core.float64)

    def binary_op_type_checking_impl(self: Any, lhs: Any, rhs: Any, allow_lhs_ptr: bool = False,
                                     allow_rhs_ptr: bool = False, arithmetic_check: bool = True,
                                     div_or_mod: bool = False) -> tuple[Any, Any]:
        if type(lhs) is tensor_class and type(rhs) is tensor_class:
            dtype, other = lhs.dtype, rhs.dtype
            if (dtype is other or dtype == other) and not dtype.is_ptr() and not (
                    div_or_mod and dtype in computed_wider):
                return self.broadcast_impl_value(lhs, rhs)
            if allow_lhs_ptr and dtype.is_ptr() and other.is_int():  # pointer + offsets
                return self.broadcast_impl_value(lhs, rhs)
        elif arithmetic_check and type(lhs) is tensor_class and type(rhs) in (int, float):
            dtype = lhs.dtype
            if dtype in plain_types and (type(rhs) is int or dtype.is_floating()) and (
                    dtype.is_floating() or -2**31 <= rhs < 2**31):  # the tensor's type wins
                return self.broadcast_impl_value(lhs, self.scalar_constant(rhs, dtype))
        return checking(self, lhs, rhs, allow_lhs_ptr, allow_rhs_ptr, arithmetic_check,
                        div_or_mod)

    binary_op_type_checking_impl.same_dtype_first = True  # type: ignore[attr-defined]
    semantic.binary_op_type_checking_impl = binary_op_type_checking_impl

    language = interpreter.tl
    str_to_ty, types = language.str_to_ty, {}

    def remembered_str_to_ty(name: Any, c: Any) -> Any:
        if c is not None or not isinstance(name, str):  # (tuples of names: rare)
            return str_to_ty(name, c)
        found = types.get(name)
        if found is None:
            found = types[name] = str_to_ty(name, c)
        return found

    language.str_to_ty = remembered_str_to_ty

    class SignatureInspect:
        """The `inspect` the interpreter's launches see: the two calls it makes per launch are
        answered from the function's signature, read once; anything else is inspect's own."""

        def __getattr__(self, name: str) -> Any:
            return getattr(inspect, name)

        @staticmethod
        def getfullargspec(function: Any) -> Any:
            found = _ARGSPECS.get(function)
            if found is None:
                found = _ARGSPECS[function] = inspect.getfullargspec(function)
            return found

        @staticmethod
        def getcallargs(function: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
            signature = function.__dict__.get("__signature__") or inspect.signature(function)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return dict(bound.arguments)

    interpreter.inspect = SignatureInspect()

    executor = interpreter.GridExecutor
    copy_to_host, copy_back = executor._init_args_hst, executor._restore_args_dev

    def init_args_hst(self: Any, args_dev: Any, kwargs: Any) -> Any:
        if _STATE["device"] == "cpu":  # no GPU: every buffer is in host memory already
            return args_dev, kwargs
        return copy_to_host(self, args_dev, kwargs)

    def restore_args_dev(self: Any, args_dev: Any, args_hst: Any, kwargs: Any,
                         kwargs_hst: Any) -> None:
        if args_hst is not args_dev:  # (written in place when nothing was copied)
            copy_back(self, args_dev, args_hst, kwargs, kwargs_hst)

    executor._init_args_hst, executor._restore_args_dev = init_args_hst, restore_args_dev


_ARGSPECS: dict[Any, Any] = {}  # kernel function -> its inspect.getfullargspec (see above)


VECTORISED_ACCESS_LANES = 1024  # from this many lanes on, a NumPy gather beats the per-lane loop


def _vectorised_loads_and_stores() -> None:
    """Speed-up: the interpreter's tl.load and tl.store visit the block's lanes one by one in C++
    (about 40 ns a lane, masked or not, more to store): half of a small training step. Blocks of
    VECTORISED_ACCESS_LANES or more become a NumPy gather / scatter instead (gather_lanes,
    scatter_lanes). What the kernels compute is unchanged: the same addresses are read and
    written, with the same values."""
    interpreter = importlib.import_module("triton.runtime.interpreter")
    builder_class = type(interpreter.interpreter_builder)
    if getattr(builder_class.create_masked_load, "vectorised", False):
        return

    def create_masked_load(self: Any, ptrs: Any, mask: Any, other: Any, cache_modifier: Any,
                           eviction_policy: Any, is_volatile: Any) -> Any:
        dtype_tt = ptrs.get_element_ty()
        dtype_np = interpreter._get_np_dtype(dtype_tt)
        other_data = np.zeros_like(ptrs.data, dtype=dtype_np) if other is None else other.data
        return interpreter.TensorHandle(gather_lanes(ptrs.data, mask.data, other_data, dtype_np),
                                        dtype_tt)

    def create_masked_store(self: Any, ptrs: Any, value: Any, mask: Any, cache_modifier: Any,
                            eviction_policy: Any) -> None:
        dtype_np = interpreter._get_np_dtype(ptrs.get_element_ty())
        scatter_lanes(ptrs.data, value.data, mask.data, dtype_np)

    create_masked_load.vectorised = True  # type: ignore[attr-defined]
    builder_class.create_masked_load = create_masked_load
    builder_class.create_masked_store = create_masked_store


def _per_lane_access() -> Any:
    """Triton's own interpreter loads and stores (C++ loops over lanes): load(...), store(...)."""
    return importlib.import_module("triton._C.libtriton").interpreter


def _element_indices(addresses: np.ndarray, itemsize: int) -> tuple[Any, np.ndarray] | None:
    """(the memory from the lowest to the highest address, as raw bytes; each address's element
    index in it), or None when some address is not a whole number of elements from the lowest.
    addresses: int64, the unmasked lanes only (a kernel may not touch memory for masked ones)."""
    import ctypes

    lowest, highest = int(addresses.min()), int(addresses.max())
    offsets = addresses - lowest
    if itemsize & (itemsize - 1) or (offsets & (itemsize - 1)).any():
        return None
    span = (ctypes.c_char * (highest - lowest + itemsize)).from_address(lowest)
    return span, offsets >> (itemsize.bit_length() - 1)


def gather_lanes(pointers: np.ndarray, mask: np.ndarray, other: np.ndarray, dtype: np.dtype
                 ) -> np.ndarray:
    """tl.load under the interpreter: element `*pointer` for each lane where mask is true, else
    `other`. pointers: uint64 addresses (a block of lanes); the result has their shape."""
    if pointers.size < VECTORISED_ACCESS_LANES:
        return _per_lane_access().load(pointers, mask, other, dtype)
    every = bool(mask.all())
    addresses = pointers.view(np.int64)
    addresses = addresses.reshape(-1) if every else addresses[mask]
    if not addresses.size:
        return np.array(np.broadcast_to(other, pointers.shape), dtype=dtype)
    found = _element_indices(addresses, dtype.itemsize)
    if found is None:
        return _per_lane_access().load(pointers, mask, other, dtype)
    span, indices = found
    values = np.frombuffer(span, dtype=dtype)[indices]
    if every:
        return values.reshape(pointers.shape)
    loaded = np.array(np.broadcast_to(other, pointers.shape), dtype=dtype)
    loaded[mask] = values
    return loaded


def scatter_lanes(pointers: np.ndarray, values: np.ndarray, mask: np.ndarray,
                  dtype: np.dtype) -> None:
    """tl.store under the interpreter: `*pointer = value` for each lane where mask is true. Lanes
    storing to one address: the last lane's value stays, as in Triton's loop (on a GPU which
    one wins is undefined anyway)."""
    if pointers.size < VECTORISED_ACCESS_LANES:
        _per_lane_access().store(pointers, values, mask)
        return
    every = bool(mask.all())
    addresses = pointers.view(np.int64)
    addresses = addresses.reshape(-1) if every else addresses[mask]
    if not addresses.size:
        return
    found = _element_indices(addresses, dtype.itemsize)
    if found is None:
        _per_lane_access().store(pointers, values, mask)
        return
    span, indices = found
    values = np.broadcast_to(values, pointers.shape)
    kept = values.reshape(-1) if every else values[mask]
    np.frombuffer(span, dtype=dtype)[indices] = kept.astype(dtype, copy=False)


def _patch_language_once() -> None:
    """Speed-up: the interpreter swaps tl.* for NumPy versions at each launch *and again at each
    call of a helper* (strided_offsets, convert, ...), walking every tl module with
    inspect.getmembers each time, then swaps them back: over half the cost of a small launch.
    In a process that interprets every kernel (TRITON_INTERPRET=1 is process-wide) nothing needs
    the compiled tl.* back, so the swap is done once, at the first launch, and kept.
    What the kernels compute is unchanged."""
    interpreter = importlib.import_module("triton.runtime.interpreter")
    if getattr(interpreter._patch_lang, "once", False):
        return
    patch_lang = interpreter._patch_lang
    done: dict[str, Any] = {}

    class KeptScope(interpreter._LangPatchScope):  # type: ignore[name-defined]
        def restore(self) -> None:  # the swap stays: the next launch needs it again
            return None

    def patch_lang_once(fn: Any) -> Any:
        # what gets swapped is the tl modules a function sees (tl, or tl.core for Triton's own
        # library functions): swap each module once (and look at each function's globals once)
        checked = done.setdefault("functions", {})  # id -> the function (kept: ids stay unique)
        if id(fn) in checked:
            return KeptScope()
        seen = frozenset(id(value) for value in fn.__globals__.values()
                         if value is interpreter.tl or value is interpreter.tl.core)
        if not seen <= done.setdefault("modules", set()):
            patch_lang(fn)
            done["modules"] |= seen
        checked[id(fn)] = fn
        return KeptScope()

    patch_lang_once.once = True  # type: ignore[attr-defined]
    interpreter._patch_lang = patch_lang_once


def interpreting() -> bool:
    """True when kernels run in Triton's interpreter (NumPy on the CPU) instead of on a GPU."""
    prepare_triton()
    return _STATE["interpret"]


# ----------------------------------------------------------------------------------------------
# Buffers: flat torch tensors used as memory
# ----------------------------------------------------------------------------------------------

_TORCH_DTYPE_NAMES = {"bool": "bool", "uint8": "uint8", "int8": "int8", "int16": "int16",
                      "int32": "int32", "int64": "int64",
                      "float16": "float16", "bfloat16": "bfloat16", "float32": "float32",
                      "float64": "float64", "complex64": "complex64", "complex128": "complex128"}


def torch_dtype(dtype: np.dtype) -> Any:
    """The torch dtype with the same element layout as a NumPy dtype."""
    import torch

    name = np.dtype(dtype).name
    if name not in _TORCH_DTYPE_NAMES:
        raise TypeError(f"the Triton backend has no buffers of dtype {name}")
    return getattr(torch, _TORCH_DTYPE_NAMES[name])


def numpy_dtype(buffer: Any) -> np.dtype:
    """The NumPy dtype of a Triton buffer's elements."""
    return np.dtype(str(buffer.dtype).removeprefix("torch."))


def empty(numel: int, dtype: np.dtype) -> Any:
    """A new, uninitialised flat buffer of numel elements on the backend's device."""
    import torch

    prepare_triton()
    return torch.empty(numel, dtype=torch_dtype(dtype), device=_STATE["device"])


def upload(array: np.ndarray) -> Any:
    """A new flat buffer with a copy of a NumPy array's elements (row-major)."""
    import torch

    prepare_triton()
    flat = np.array(array, copy=True, order="C").reshape(-1)
    return torch.from_numpy(flat).to(_STATE["device"])


def download(buffer: Any) -> np.ndarray:
    """A NumPy copy of a whole flat buffer: the one device-to-host path, so errors that kernels
    recorded since the last read are raised here first (see error_slot)."""
    raise_recorded_errors()
    return _copy_to_host(buffer)


def _copy_to_host(buffer: Any) -> np.ndarray:
    COUNTS["to_host"] += 1  # on a GPU the host waits here (under the interpreter: would wait)
    return buffer.detach().to("cpu", copy=True).numpy()


# ----------------------------------------------------------------------------------------------
# Errors found inside kernels, raised at the next host read
# ----------------------------------------------------------------------------------------------

ERROR_SLOTS = 256  # checked launches between two host reads before the slots are read anyway
_NO_HIGH, _NO_LOW = -(1 << 63), (1 << 63) - 1  # a slot's "nothing recorded" values
_ERRORS: dict[str, Any] = {"buffer": None, "makers": []}


def error_slot(make_error: Callable[[int, int], Exception]) -> tuple[Any, int]:
    """(error buffer, slot) for one checked launch; make_error(largest, smallest) builds the
    exception from the bad values the kernel recorded (see record_bad_values).

    A slot is 3 int64: [any bad value, the largest bad value, the smallest bad value]."""
    if len(_ERRORS["makers"]) == ERROR_SLOTS:
        raise_recorded_errors()  # rare: this many checked launches without a host read
    if _ERRORS["buffer"] is None:
        fresh = np.array([0, _NO_HIGH, _NO_LOW] * ERROR_SLOTS, np.int64)
        _ERRORS["buffer"] = upload(fresh)
    _ERRORS["makers"].append(_ERRORS.get("reported_as") or make_error)
    return _ERRORS["buffer"], len(_ERRORS["makers"]) - 1


@contextmanager
def errors_reported_as(make_error: Callable[[int, int], Exception]) -> Iterator[None]:
    """Within this block, checked launches report their bad values with make_error(largest,
    smallest) instead of their own message: an op built from index primitives (nll_loss picks
    log p[target] with a gather) raises its own PyTorch error, still at the next host read."""
    previous = _ERRORS.get("reported_as")
    _ERRORS["reported_as"] = make_error
    try:
        yield
    finally:
        _ERRORS["reported_as"] = previous


def raise_recorded_errors() -> None:
    """Read the error slots (one small transfer, only if a checked kernel ran since the last
    read) and raise the first recorded error. The slots start afresh either way."""
    makers = _ERRORS["makers"]
    if not makers:
        return
    slots = _copy_to_host(_ERRORS["buffer"]).reshape(-1, 3)
    _ERRORS.update(buffer=None, makers=[])
    for (flag, largest, smallest), make_error in zip(slots, makers):
        if flag:
            raise make_error(int(largest), int(smallest))


# ----------------------------------------------------------------------------------------------
# Host-side helpers for launchers
# ----------------------------------------------------------------------------------------------


def cdiv(a: int, b: int) -> int:
    """Ceiling division: how many blocks of b cover a."""
    return (a + b - 1) // b


def next_power_of_2(n: int) -> int:
    """Triton blocks must have power-of-two sizes: 1, 2, 4, ..."""
    return 1 << max(n - 1, 0).bit_length()


# The interpreter runs each program instance as Python calling NumPy on whole blocks: it pays per
# program and per operation, hardly per element. So, under the interpreter only, launchers take
# blocks as big as the data (up to INTERPRETER_BLOCK elements): a 10 000-element add is one
# program instead of ten. On a GPU the blocks stay the tuned ones (many programs keep many SMs
# busy). The kernels are the same either way: a block size is only a launch parameter.
INTERPRETER_BLOCK = 1 << 16
# Matmul and conv tiles (kernels/matmul.py, conv.py): on a GPU, triton.autotune times every
# Hopper config once per shape; under the interpreter that would run each product once per config,
# so there is no autotuning there: one tile as big as the matrices, up to INTERPRETER_TILE a side
# (tl.dot is one NumPy matmul: a small product is one program).
INTERPRETER_TILE = 512


def small_launches() -> bool:
    """True when launches should have as few programs as possible (the interpreter)."""
    prepare_triton()
    return _STATE["interpret"] and not _STATE.get("gpu_launch_configs", False)


def launch_block(numel: int, block: int) -> int:
    """Elements per program for a launch over numel elements: `block` on a GPU; under the
    interpreter the whole tensor (a power of two, at most INTERPRETER_BLOCK), never less."""
    if not small_launches():
        return block
    return max(block, min(next_power_of_2(numel), INTERPRETER_BLOCK))


class gpu_launch_configs:  # noqa: N801 - used like a function: `with gpu_launch_configs():`
    """Within this block, launchers pick the GPU's launch configurations under the interpreter
    too (many programs): tests use it to run the multi-program paths the GPU takes."""

    def __enter__(self) -> None:
        self.previous = _STATE.get("gpu_launch_configs", False)
        _STATE["gpu_launch_configs"] = True

    def __exit__(self, *exc: object) -> None:
        _STATE["gpu_launch_configs"] = self.previous


INT32_MAX = 2**31 - 1


def needs_int64(*extents: Any) -> bool:
    """Whether a launch must compute offsets in int64: some element count (an int) or some
    view's farthest element (offset + sum of (size - 1) * |stride|) passes 2^31 - 1.

    Kernels compute `program_id * BLOCK + arange(BLOCK)` and `index * stride` in int32 by default
    (as fast as it gets on a GPU); past 2^31 elements that wraps around to negative offsets. The
    launcher asks this question and passes the answer as the INT64 constexpr: a second compiled
    variant of the kernel, used only by tensors that big."""
    for extent in extents:
        if extent is None:
            continue
        if isinstance(extent, int):
            reach = extent
        elif 0 in extent.shape:  # an empty view reads nothing
            continue
        else:
            reach = extent.offset + sum((size - 1) * abs(stride)
                                        for size, stride in zip(extent.shape, extent.strides)
                                        if size)
        if reach > INT32_MAX:
            return True
    return False


def merge_dims(shape: tuple[int, ...], *strides: tuple[int, ...]
               ) -> tuple[tuple[int, ...], list[tuple[int, ...]]]:
    """The same elements in the same row-major order, described with as few dims as possible.

    Size-1 dims are dropped, and dims d, d+1 merge when every operand steps over d+1 exactly once
    per step of d (strides[d] == strides[d+1] * shape[d+1]). A contiguous tensor becomes 1-D, so
    the kernel does no index arithmetic at all. The result always has at least one dim."""
    kept = [d for d, size in enumerate(shape) if size != 1]
    merged_shape: list[int] = []
    merged_strides: list[list[int]] = [[] for _ in strides]
    for d in kept:
        mergeable = merged_shape and all(
            s[-1] == st[d] * shape[d] for s, st in zip(merged_strides, strides))
        if mergeable:
            merged_shape[-1] *= shape[d]
            for s, st in zip(merged_strides, strides):
                s[-1] = st[d]
        else:
            merged_shape.append(shape[d])
            for s, st in zip(merged_strides, strides):
                s.append(st[d])
    if not merged_shape:
        return (1,), [(0,) for _ in strides]
    return tuple(merged_shape), [tuple(s) for s in merged_strides]


def float_bits(value: float) -> int:
    """A Python float's 64 bits as a signed int.

    Triton passes Python floats to kernels as float32, which would round 0.1 for a float64 tensor.
    Passing the bits as an int64 and bitcasting inside the kernel (`bits_to_float64`) is exact."""
    return struct.unpack("<q", struct.pack("<d", float(value)))[0]


def number_argument(number: np.generic) -> int | float:
    """A number operand (a NumPy scalar of the operands' dtype: the 2.0 of `x * 2.0`) as a kernel
    argument that arrives exactly: float64 as its 64 bits (see float_bits), other floats as a
    Python float (Triton's float32 argument holds any float32 or float16 value exactly), ints and
    bools as a Python int. Inside the kernel, `number_block` turns it back into the dtype."""
    if number.dtype == np.float64:
        return float_bits(number)
    return float(number) if number.dtype.kind == "f" else int(number)


def signed_int64(value: int) -> int:
    """A 64-bit unsigned value (like a seed) as the signed int with the same bits."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


# ----------------------------------------------------------------------------------------------
# Triton helpers used inside kernels
# ----------------------------------------------------------------------------------------------


@triton_kernel
def strided_offsets(index, shape, strides):
    """Buffer offsets of row-major positions `index` in a view with this shape and strides.

    index: a block of positions in [0, numel); shape, strides: tuples with one entry per dim.
    The last dim varies fastest: peel coordinates off from the right with % and //."""
    if len(shape) == 1:
        offsets = index * strides[0]
    else:
        offsets = index * 0
        rest = index
        for d in tl.static_range(len(shape) - 1, 0, -1):
            offsets += (rest % shape[d]) * strides[d]
            rest = rest // shape[d]
        offsets += rest * strides[0]
    return offsets


@triton_kernel
def block_positions(BLOCK: tl.constexpr, INT64: tl.constexpr):
    """This program's BLOCK consecutive positions (int64 when the launcher asked for it)."""
    program = tl.program_id(0)
    if INT64:
        program = program.to(tl.int64)
    return program * BLOCK + tl.arange(0, BLOCK)


@triton_kernel
def program_number(INT64: tl.constexpr):
    """tl.program_id(0), as int64 when the launcher asked for it: a row or tile number that
    multiplies a row length or stride, so every offset computed from it is int64 too."""
    program = tl.program_id(0)
    if INT64:
        program = program.to(tl.int64)
    return program


@triton_kernel
def lane_positions(BLOCK: tl.constexpr, INT64: tl.constexpr):
    """0 .. BLOCK - 1, int64 when the launcher asked for it: `column * stride` inside one long
    row or axis can pass 2^31 by itself, whatever the program number's type."""
    positions = tl.arange(0, BLOCK)
    if INT64:
        positions = positions.to(tl.int64)
    return positions


@triton_kernel
def record_bad_values(error_ptr, slot, value, bad):
    """Record in error slot `slot` whether any lane is bad, and the largest and smallest bad
    value (int64). One reduction and three scalar atomics per program; nothing when all is good."""
    value = value.to(tl.int64)
    any_bad = tl.max(bad.to(tl.int32), axis=0)
    largest = tl.max(tl.where(bad, value, -9223372036854775807 - 1), axis=0)
    smallest = tl.min(tl.where(bad, value, 9223372036854775807), axis=0)
    at = error_ptr + tl.cast(slot, tl.int64) * 3
    tl.atomic_max(at, any_bad.to(tl.int64), mask=any_bad > 0)
    tl.atomic_max(at + 1, largest, mask=any_bad > 0)
    tl.atomic_min(at + 2, smallest, mask=any_bad > 0)


@triton_kernel
def bits_to_float64(bits):
    """The float64 whose 64 bits are this int (see float_bits).

    tl.cast rather than bits.to(): on a GPU an int argument equal to 1 arrives as a constant."""
    return tl.cast(tl.cast(bits, tl.int64), tl.float64, bitcast=True)


@triton_kernel
def number_block(value, dtype: tl.constexpr, BLOCK: tl.constexpr):
    """A number a launcher passed with number_argument, as a block of BLOCK equal lanes of dtype
    (on a GPU this is one register value, not memory). tl.cast rather than value.to(): a GPU
    launch turns an int argument equal to 1 into a constant."""
    if dtype == tl.float64:
        number = bits_to_float64(value)
    else:
        number = tl.cast(value, dtype)
    return tl.full([BLOCK], number, dtype)


@triton_kernel
def compute_type(x):
    """Arithmetic happens in a wider type than storage for float16 (float32) and small ints/bool."""
    if x.dtype == tl.float16 or x.dtype == tl.bfloat16:
        wide = x.to(tl.float32)
    elif x.dtype == tl.int1 or (x.dtype == tl.uint8 or (x.dtype == tl.int8
                                                         or x.dtype == tl.int16)):
        wide = x.to(tl.int32)
    else:
        wide = x
    return wide


@triton_kernel
def precise_sqrt(x):
    """Correctly rounded sqrt: tl.sqrt may be approximate for float32; float64's is exact."""
    if x.dtype == tl.float32:
        root = tl.sqrt_rn(x)
    else:
        root = tl.sqrt(x)
    return root


@triton_kernel
def convert(x, dtype: tl.constexpr):
    """x converted to dtype with NumPy's rules: nonzero -> True; floats -> uint8 wrap like ints."""
    if dtype == tl.int1:
        converted = x != 0
    elif (dtype == tl.uint8 or (dtype == tl.int8 or dtype == tl.int16)) and x.dtype.is_floating():
        converted = x.to(tl.int32).to(dtype)  # wrap around like NumPy, never undefined
    else:
        converted = x.to(dtype)
    return converted
