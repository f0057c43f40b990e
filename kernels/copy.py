"""Memory primitives: allocate, fill, move between host and device, and copy through views.

    full(numel, value, dtype)       a new buffer with every element = value
    arange(start, step, numel)      y[i] = start + i * step
    from_host(array) / to_host      NumPy array <-> backend buffer (a real copy, also on the CPU)
    copy(x)                         read a strided view, write it out contiguous (row-major)
    copy_into(dst, src)             write src (broadcast) into a strided view of dst, in place

`copy` is how `.contiguous()` works: a transposed view read element by element in row-major order.
`copy_into` is the only primitive that writes into an existing buffer: in-place ops, slicing
assignment (`x[1:3] = 0`) and the backward of slicing all use it.
"""

from __future__ import annotations

import numpy as np

from .strided import View, as_numpy, contiguous_strides

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def full_reference(numel: int, value: float | int | bool, dtype: np.dtype) -> np.ndarray:
    """A new flat buffer of numel elements, all equal to value."""
    return np.full(numel, value, dtype=dtype)


def arange_reference(start: float | int, step: float | int, numel: int, dtype: np.dtype
                     ) -> np.ndarray:
    """y[i] = start + i * step, computed in float64 (or int64) then cast once."""
    wide = np.float64 if np.dtype(dtype).kind == "f" else np.int64
    return (start + np.arange(numel, dtype=wide) * step).astype(dtype)


def from_host_reference(array: np.ndarray) -> np.ndarray:
    """A new flat buffer holding a copy of a NumPy array's elements in row-major order."""
    return np.array(array, copy=True, order="C").reshape(-1)


def to_host_reference(x: np.ndarray, x_view: View) -> np.ndarray:
    """A NumPy array with the view's shape; on the CPU it shares memory with the buffer."""
    return as_numpy(x, x_view)


def copy_reference(x: np.ndarray, x_view: View) -> np.ndarray:
    """A new contiguous buffer with the elements of a strided view, in row-major order."""
    return as_numpy(x, x_view).copy(order="C").reshape(-1)


def copy_into_reference(destination: np.ndarray, destination_view: View,
                        source: np.ndarray, source_view: View) -> None:
    """destination[view] = source (same shape after broadcasting; casts to destination's dtype)."""
    np.copyto(as_numpy(destination, destination_view), as_numpy(source, source_view),
              casting="unsafe")


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: memory kernels. `full` and `arange` only write; `copy_into` reads one
# strided view and writes another (copy is copy_into a fresh row-major buffer). Moving data between
# the host and the GPU is not a kernel at all: it is a transfer (torch's .to(device), used as a
# memcpy). Python floats reach kernels as float32, so float values travel as their 64 bits.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    bits_to_float64,
    block_positions,
    cdiv,
    convert,
    download,
    empty,
    float_bits,
    launch_block,
    merge_dims,
    needs_int64,
    numpy_dtype,
    strided_offsets,
    tl,
    triton_kernel,
    upload,
)

COPY_BLOCK = 1024


@triton_kernel
def fill_kernel(out_ptr,                    # output buffer
                numel,                      # number of elements
                value,                      # the value: an int, or a float's 64 bits
                VALUE_IS_FLOAT: tl.constexpr,  # value holds float64 bits
                BLOCK: tl.constexpr,
                INT64: tl.constexpr = False):
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    # tl.cast, not value.to(): a GPU launch turns an int argument equal to 1 into a constant
    number = bits_to_float64(value) if VALUE_IS_FLOAT else tl.cast(value, tl.int64)
    block = tl.zeros([BLOCK], dtype=tl.int1).to(number.dtype) + number
    tl.store(out_ptr + index, convert(block, out_ptr.dtype.element_ty), mask=index < numel)


def full_triton(numel: int, value: float | int | bool, dtype: np.dtype) -> Any:
    """A new flat buffer of numel elements, all equal to value, on the GPU."""
    out = empty(numel, dtype)
    if numel:
        is_float = isinstance(value, float) or np.dtype(dtype).kind == "f"
        encoded = float_bits(value) if is_float else int(value)
        block = launch_block(numel, COPY_BLOCK)
        fill_kernel[(cdiv(numel, block),)](out, numel, encoded, VALUE_IS_FLOAT=is_float,
                                           BLOCK=block, INT64=needs_int64(numel))
    return out


@triton_kernel
def arange_kernel(out_ptr,                  # output buffer
                  numel,                    # number of elements
                  start, step,              # ints, or floats' 64 bits
                  IS_FLOAT: tl.constexpr,   # start and step hold float64 bits
                  BLOCK: tl.constexpr,
                  INT64: tl.constexpr = False):
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    if IS_FLOAT:  # computed in float64, rounded once, like the reference
        y = bits_to_float64(start) + index.to(tl.float64) * bits_to_float64(step)
    else:
        y = tl.cast(start, tl.int64) + index.to(tl.int64) * tl.cast(step, tl.int64)  # 1: a constant
    tl.store(out_ptr + index, convert(y, out_ptr.dtype.element_ty), mask=index < numel)


def arange_triton(start: float | int, step: float | int, numel: int, dtype: np.dtype) -> Any:
    """y[i] = start + i * step, on the GPU; same contract as arange_reference."""
    out = empty(numel, dtype)
    if numel:
        is_float = np.dtype(dtype).kind == "f" or isinstance(start, float) or isinstance(step,
                                                                                          float)
        encode = float_bits if is_float else int
        block = launch_block(numel, COPY_BLOCK)
        arange_kernel[(cdiv(numel, block),)](out, numel, encode(start), encode(step),
                                             IS_FLOAT=is_float, BLOCK=block,
                                             INT64=needs_int64(numel))
    return out


def from_host_triton(array: np.ndarray) -> Any:
    """A new buffer holding a copy of a NumPy array's elements (a host-to-device transfer)."""
    return upload(array)


def to_host_triton(x: Any, x_view: View) -> np.ndarray:
    """A NumPy copy of a view (gathered on the device first when it is not one whole block)."""
    whole = x_view.offset == 0 and x_view.is_contiguous() and x_view.numel == x.numel()
    flat = download(x if whole else copy_triton(x, x_view))
    return flat.reshape(x_view.shape)


@triton_kernel
def copy_kernel(source_ptr, destination_ptr,       # buffers (destination in its own dtype)
                numel,                              # number of elements
                shape,                              # tuple: the common (merged) shape
                source_strides, source_offset,      # source view (stride 0 = broadcast)
                destination_strides, destination_offset,  # destination view
                BLOCK: tl.constexpr,
                INT64: tl.constexpr = False):
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = index < numel
    x = tl.load(source_ptr + source_offset + strided_offsets(index, shape, source_strides),
                mask=mask)
    tl.store(destination_ptr + destination_offset
             + strided_offsets(index, shape, destination_strides),
             convert(x, destination_ptr.dtype.element_ty), mask=mask)


def copy_triton(x: Any, x_view: View) -> Any:
    """A new contiguous buffer with the elements of a strided view, on the GPU."""
    out = empty(x_view.numel, numpy_dtype(x))
    copy_into_triton(out, View(x_view.shape, contiguous_strides(x_view.shape), 0), x, x_view)
    return out


def copy_into_triton(destination: Any, destination_view: View, source: Any, source_view: View
                     ) -> None:
    """destination[view] = source (broadcast), in place, on the GPU."""
    numel = destination_view.numel
    if not numel:
        return
    if source.data_ptr() == destination.data_ptr():  # x[1:] = x[:-1] must read before writing
        source, source_view = copy_triton(source, source_view), View(
            source_view.shape, contiguous_strides(source_view.shape), 0)
    shape, (source_strides, destination_strides) = merge_dims(
        destination_view.shape, source_view.strides, destination_view.strides)
    block = launch_block(numel, COPY_BLOCK)
    copy_kernel[(cdiv(numel, block),)](
        source, destination, numel, shape, source_strides, source_view.offset,
        destination_strides, destination_view.offset, BLOCK=block,
        INT64=needs_int64(destination_view, source_view))
