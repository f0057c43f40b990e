"""Optimizer-step primitives: one fused, in-place update of a parameter and its state per call.

    sgd_step(param, grad, momentum_buffer, ...)          p <- p - lr * direction
    adam_step(param, grad, exp_avg, exp_avg_sq, ...)     p <- p - lr * m_hat / (sqrt(v_hat) + eps)
    foreach_sgd_step, foreach_adam_step                  the same over lists of parameters

An optimizer step written with ordinary tensor ops reads and writes every parameter-sized array
several times (g + wd * p, then the momentum update, then p - lr * d, ...), each a separate pass
over memory. Fusing the whole update into one primitive is the lesson here: on a GPU it becomes a
single kernel that reads p, g and the state once and writes them once; the NumPy reference updates
the arrays in place (`+=`, `*=`) instead of building a new tensor per operation.

Every buffer comes with its view (shape, strides, offset) and is updated *in place*: the optimizer
owns the state buffers, the parameter keeps its storage (other tensors may share it). The caller
bumps the version counters. The formulas are PyTorch's, in the same order, in the parameter's dtype.
"""

from __future__ import annotations

import math

import numpy as np

from .strided import View, as_numpy, contiguous_strides

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def sgd_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray, grad_view: View,
                       momentum_buffer: np.ndarray | None, momentum_buffer_view: View | None,
                       lr: float, momentum: float, dampening: float, weight_decay: float,
                       nesterov: bool, maximize: bool, first_step: bool) -> None:
    """SGD in place:  g = ±grad + wd*p;  b = g (first step) or mu*b + (1-dampening)*g;
    d = g + mu*b (nesterov) or b;  p -= lr*d.  momentum_buffer is None when momentum == 0."""
    p = as_numpy(param, param_view)
    g = as_numpy(grad, grad_view)
    if maximize or weight_decay != 0:
        g = np.negative(g) if maximize else g.copy()
        if weight_decay != 0:
            g += weight_decay * p
    if momentum != 0:
        b = as_numpy(momentum_buffer, momentum_buffer_view)
        if first_step:
            np.copyto(b, g)
        else:
            b *= momentum
            b += (1 - dampening) * g
        if nesterov:
            g = g + momentum * b
        else:
            g = b
    p -= lr * g


def adam_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray, grad_view: View,
                        exp_avg: np.ndarray, exp_avg_view: View, exp_avg_sq: np.ndarray,
                        exp_avg_sq_view: View, max_exp_avg_sq: np.ndarray | None,
                        max_exp_avg_sq_view: View | None, step: int, lr: float, beta1: float,
                        beta2: float, eps: float, weight_decay: float, decoupled: bool,
                        maximize: bool) -> None:
    """Adam (decoupled=False) or AdamW (decoupled=True) in place, `step` counted from 1:
    g = ±grad (+ wd*p for Adam; p *= 1 - lr*wd for AdamW);  m = b1*m + (1-b1)*g;
    v = b2*v + (1-b2)*g^2;  vmax = max(vmax, v) if given;
    p -= lr/(1-b1^t) * m / (sqrt(v or vmax)/sqrt(1-b2^t) + eps)."""
    p = as_numpy(param, param_view)
    g = as_numpy(grad, grad_view)
    if maximize:
        g = np.negative(g)
    if weight_decay != 0:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    m = as_numpy(exp_avg, exp_avg_view)
    v = as_numpy(exp_avg_sq, exp_avg_sq_view)
    m += (1 - beta1) * (g - m)                    # PyTorch's lerp: m + (1-b1)(g - m)
    v *= beta2
    v += (1 - beta2) * (g * g)
    if max_exp_avg_sq is not None:
        v_max = as_numpy(max_exp_avg_sq, max_exp_avg_sq_view)
        np.maximum(v_max, v, out=v_max)
        v = v_max
    step_size = lr / (1 - beta1 ** step)
    denominator = np.sqrt(v)
    denominator /= math.sqrt(1 - beta2 ** step)
    denominator += eps
    p -= step_size * (m / denominator)


# The multi-tensor ("foreach") steps: every parameter of an optimizer in one call. Lists, one entry
# per parameter; per-parameter numbers (Adam's step count, SGD's first step) are lists too.


def foreach_sgd_step_reference(params: list, param_views: list[View], grads: list,
                               grad_views: list[View], momentum_buffers: list | None,
                               momentum_buffer_views: list[View] | None, lr: float,
                               momentum: float, dampening: float, weight_decay: float,
                               nesterov: bool, maximize: bool, first_steps: list[bool]) -> None:
    """sgd_step_reference for each parameter (momentum_buffers is None when momentum == 0)."""
    for i, (param, param_view, grad, grad_view) in enumerate(
            zip(params, param_views, grads, grad_views)):
        buffer, buffer_view = ((momentum_buffers[i], momentum_buffer_views[i])
                               if momentum_buffers is not None else (None, None))
        sgd_step_reference(param, param_view, grad, grad_view, buffer, buffer_view, lr, momentum,
                           dampening, weight_decay, nesterov, maximize, first_steps[i])


def foreach_adam_step_reference(params: list, param_views: list[View], grads: list,
                                grad_views: list[View], exp_avgs: list,
                                exp_avg_views: list[View], exp_avg_sqs: list,
                                exp_avg_sq_views: list[View], max_exp_avg_sqs: list | None,
                                max_exp_avg_sq_views: list[View] | None, steps: list[int],
                                lr: float, beta1: float, beta2: float, eps: float,
                                weight_decay: float, decoupled: bool, maximize: bool) -> None:
    """adam_step_reference for each parameter, each with its own step count."""
    for i, (param, param_view, grad, grad_view) in enumerate(
            zip(params, param_views, grads, grad_views)):
        vmax, vmax_view = ((max_exp_avg_sqs[i], max_exp_avg_sq_views[i])
                           if max_exp_avg_sqs is not None else (None, None))
        adam_step_reference(param, param_view, grad, grad_view, exp_avgs[i], exp_avg_views[i],
                            exp_avg_sqs[i], exp_avg_sq_views[i], vmax, vmax_view, steps[i], lr,
                            beta1, beta2, eps, weight_decay, decoupled, maximize)


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: a fused update. One program per block of elements reads p, g and the state
# once, does every step of the formula in registers, and writes p and the state once. The
# hyperparameters are combined on the host first (1 - beta1, lr / (1 - beta1^t), ...) exactly as
# the reference does, and travel as float64 bits; the kernel rounds them to the parameter's
# compute type (float32 for float16/float32 parameters, float64 for float64), as NumPy's
# weak Python-float scalars do. Optional state (no momentum, no amsgrad) is a constexpr switch.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    bits_to_float64,
    block_positions,
    cdiv,
    float_bits,
    launch_block,
    merge_dims,
    needs_int64,
    precise_sqrt,
    strided_offsets,
    tl,
    triton_kernel,
)

OPTIM_BLOCK = 1024


@triton_kernel
def _scalar(bits, like):
    """A float64 hyperparameter (as bits) in the compute type of the block `like`."""
    return bits_to_float64(bits).to(like.dtype)


@triton_kernel
def sgd_step_kernel(p_ptr, g_ptr, b_ptr,        # parameter, gradient, momentum buffer (in place)
                    numel, shape,               # number of elements, common (merged) shape
                    p_strides, p_offset, g_strides, g_offset, b_strides, b_offset,  # views
                    lr, momentum, one_minus_dampening, weight_decay,  # float64 bits
                    MOMENTUM: tl.constexpr, NESTEROV: tl.constexpr, MAXIMIZE: tl.constexpr,
                    DECAY: tl.constexpr, FIRST_STEP: tl.constexpr, BLOCK: tl.constexpr,
                    INT64: tl.constexpr = False):
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = index < numel
    p_at = p_ptr + p_offset + strided_offsets(index, shape, p_strides)
    p = tl.load(p_at, mask=mask)
    wide = p.to(tl.float64) if p.dtype == tl.float64 else p.to(tl.float32)
    g = tl.load(g_ptr + g_offset + strided_offsets(index, shape, g_strides), mask=mask)
    g = g.to(wide.dtype)
    if MAXIMIZE:
        g = -g
    if DECAY:
        g = g + _scalar(weight_decay, wide) * wide
    if MOMENTUM:
        b_at = b_ptr + b_offset + strided_offsets(index, shape, b_strides)
        if FIRST_STEP:
            b = g
        else:
            b = tl.load(b_at, mask=mask).to(wide.dtype)
            b = b * _scalar(momentum, wide) + _scalar(one_minus_dampening, wide) * g
        tl.store(b_at, b.to(b_ptr.dtype.element_ty), mask=mask)
        g = g + _scalar(momentum, wide) * b if NESTEROV else b
    tl.store(p_at, (wide - _scalar(lr, wide) * g).to(p_ptr.dtype.element_ty), mask=mask)


def sgd_step_triton(param: Any, param_view: View, grad: Any, grad_view: View,
                    momentum_buffer: Any | None, momentum_buffer_view: View | None,
                    lr: float, momentum: float, dampening: float, weight_decay: float,
                    nesterov: bool, maximize: bool, first_step: bool) -> None:
    """SGD in place, one kernel; same contract as sgd_step_reference."""
    numel = param_view.numel
    if not numel:
        return
    has_momentum = momentum != 0
    buffer_view = momentum_buffer_view if has_momentum else param_view
    shape, (p_strides, g_strides, b_strides) = merge_dims(
        param_view.shape, param_view.strides, grad_view.strides, buffer_view.strides)
    block = launch_block(numel, OPTIM_BLOCK)
    sgd_step_kernel[(cdiv(numel, block),)](
        param, grad, momentum_buffer if has_momentum else param, numel, shape,
        p_strides, param_view.offset, g_strides, grad_view.offset, b_strides, buffer_view.offset,
        float_bits(lr), float_bits(momentum), float_bits(1 - dampening), float_bits(weight_decay),
        MOMENTUM=has_momentum, NESTEROV=nesterov, MAXIMIZE=maximize, DECAY=weight_decay != 0,
        FIRST_STEP=first_step, BLOCK=block,
        INT64=needs_int64(numel, param_view, grad_view, buffer_view))


@triton_kernel
def _adam_gradient(p, g, decay, DECAY: tl.constexpr, MAXIMIZE: tl.constexpr):
    """(p, g) in the compute type, after maximize and weight decay (Adam's L2 or AdamW's)."""
    p = p.to(tl.float64) if p.dtype == tl.float64 else p.to(tl.float32)
    g = g.to(p.dtype)
    if MAXIMIZE:
        g = -g
    if DECAY == "adamw":  # decoupled: shrink the parameter itself (decay = 1 - lr * wd)
        p = p * _scalar(decay, p)
    elif DECAY == "adam":  # L2: add to the gradient (decay = wd)
        g = g + _scalar(decay, p) * p
    return p, g


@triton_kernel
def _adam_moments(g, m, v, one_minus_beta1, beta2, one_minus_beta2):
    """m = m + (1-b1)(g - m) (PyTorch's lerp);  v = b2*v + (1-b2)*g^2."""
    m = m + _scalar(one_minus_beta1, g) * (g - m)
    v = v * _scalar(beta2, g) + _scalar(one_minus_beta2, g) * (g * g)
    return m, v


@triton_kernel
def _adam_parameter(p, m, v, step_size, bias_correction2_sqrt, eps):
    """p - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)."""
    denominator = precise_sqrt(v) / _scalar(bias_correction2_sqrt, p) + _scalar(eps, p)
    return p - _scalar(step_size, p) * (m / denominator)


@triton_kernel
def adam_step_kernel(p_ptr, g_ptr, m_ptr, v_ptr, vmax_ptr,  # param, grad, moments (in place)
                     numel, shape,                          # elements, common (merged) shape
                     p_strides, p_offset, g_strides, g_offset, m_strides, m_offset,
                     v_strides, v_offset, vmax_strides, vmax_offset,  # the five views
                     decay, one_minus_beta1, beta2, one_minus_beta2,   # float64 bits
                     step_size, bias_correction2_sqrt, eps,             # float64 bits
                     DECAY: tl.constexpr,        # weight decay: "none", "adam" or "adamw"
                     AMSGRAD: tl.constexpr, MAXIMIZE: tl.constexpr, BLOCK: tl.constexpr,
                     INT64: tl.constexpr = False):
    index = block_positions(BLOCK, INT64)  # (BLOCK,)
    mask = index < numel
    p_at = p_ptr + p_offset + strided_offsets(index, shape, p_strides)
    m_at = m_ptr + m_offset + strided_offsets(index, shape, m_strides)
    v_at = v_ptr + v_offset + strided_offsets(index, shape, v_strides)
    p = tl.load(p_at, mask=mask)
    g = tl.load(g_ptr + g_offset + strided_offsets(index, shape, g_strides), mask=mask)
    p, g = _adam_gradient(p, g, decay, DECAY, MAXIMIZE)
    m = tl.load(m_at, mask=mask).to(p.dtype)
    v = tl.load(v_at, mask=mask).to(p.dtype)
    m, v = _adam_moments(g, m, v, one_minus_beta1, beta2, one_minus_beta2)
    tl.store(m_at, m.to(m_ptr.dtype.element_ty), mask=mask)
    tl.store(v_at, v.to(v_ptr.dtype.element_ty), mask=mask)
    if AMSGRAD:
        vmax_at = vmax_ptr + vmax_offset + strided_offsets(index, shape, vmax_strides)
        v = tl.maximum(tl.load(vmax_at, mask=mask).to(p.dtype), v)
        tl.store(vmax_at, v.to(vmax_ptr.dtype.element_ty), mask=mask)
    p = _adam_parameter(p, m, v, step_size, bias_correction2_sqrt, eps)
    tl.store(p_at, p.to(p_ptr.dtype.element_ty), mask=mask)


def adam_step_triton(param: Any, param_view: View, grad: Any, grad_view: View,
                     exp_avg: Any, exp_avg_view: View, exp_avg_sq: Any,
                     exp_avg_sq_view: View, max_exp_avg_sq: Any | None,
                     max_exp_avg_sq_view: View | None, step: int, lr: float, beta1: float,
                     beta2: float, eps: float, weight_decay: float, decoupled: bool,
                     maximize: bool) -> None:
    """Adam / AdamW in place, one kernel; same contract as adam_step_reference."""
    numel = param_view.numel
    if not numel:
        return
    amsgrad = max_exp_avg_sq is not None
    vmax, vmax_view = (max_exp_avg_sq, max_exp_avg_sq_view) if amsgrad else (param, param_view)
    shape, strides = merge_dims(param_view.shape, param_view.strides, grad_view.strides,
                                exp_avg_view.strides, exp_avg_sq_view.strides, vmax_view.strides)
    if weight_decay == 0:
        decay_kind, decay = "none", 0.0
    else:
        decay_kind, decay = ("adamw", 1 - lr * weight_decay) if decoupled else ("adam",
                                                                               weight_decay)
    block = launch_block(numel, OPTIM_BLOCK)
    adam_step_kernel[(cdiv(numel, block),)](
        param, grad, exp_avg, exp_avg_sq, vmax, numel, shape,
        strides[0], param_view.offset, strides[1], grad_view.offset, strides[2],
        exp_avg_view.offset, strides[3], exp_avg_sq_view.offset, strides[4], vmax_view.offset,
        float_bits(decay), float_bits(1 - beta1), float_bits(beta2), float_bits(1 - beta2),
        float_bits(lr / (1 - beta1 ** step)), float_bits(math.sqrt(1 - beta2 ** step)),
        float_bits(eps), DECAY=decay_kind, AMSGRAD=amsgrad, MAXIMIZE=maximize,
        BLOCK=block, INT64=needs_int64(numel, param_view, grad_view, exp_avg_view,
                                       exp_avg_sq_view, vmax_view))


# --- multi-tensor steps -------------------------------------------------------------------------
# What you will learn: one launch for many tensors (PyTorch's multi_tensor_apply, its foreach and
# fused optimizers). The parameters are separate buffers of different sizes, so the kernel takes
# *tuples* of pointers and sizes and the grid covers all their blocks end to end:
#
#     program:   0  1  2 | 3 | 4  5 | ...       first_blocks = (0, 3, 4, 6, ...)
#     tensor:    0  0  0 | 1 | 2  2 | ...
#
# Each program finds its tensor with a loop unrolled at compile time (tl.static_range): the test
# `first_blocks[t] <= pid < first_blocks[t + 1]` holds for exactly one t, and only that branch
# does memory work. A model's few dozen small updates become one launch instead of one each; on a
# GPU each launch costs microseconds of host time, under the interpreter milliseconds. The tensors
# must be dense (row-major, any offset: the launcher passes each buffer from its first element);
# strided ones take the one-tensor kernels above. At most FOREACH_TENSORS tensors per launch.
# (A kernel parameter must not be called `params`: that name is taken inside the code Triton
# generates to bind a launch's arguments on a GPU; the interpreter never runs that code.)

FOREACH_TENSORS = 16


def _dense(buffer: Any, view: View) -> Any:
    """The buffer starting at the view's first element (a view of it, no copy)."""
    return buffer[view.offset:view.offset + view.numel] if view.offset else buffer


def _is_dense(*views: View) -> bool:
    """Row-major with no gaps (any offset): position i of the tensor is element offset + i."""
    return all(view.strides == contiguous_strides(view.shape) for view in views)


def _chunks(indices: list[int], numels: list[int]) -> list[tuple[list[int], tuple, tuple, bool]]:
    """Launch groups of at most FOREACH_TENSORS tensors: (tensor indices, BLOCKS (elements per
    program, one per tensor), first blocks (one more than tensors, the last is the grid size),
    INT64). On a GPU every tensor takes OPTIM_BLOCK; under the interpreter each tensor its own
    whole-tensor block (launch_block), so a bias of 10 is not swept as a block of 8192 lanes."""
    groups = []
    for start in range(0, len(indices), FOREACH_TENSORS):
        chunk = indices[start:start + FOREACH_TENSORS]
        sizes = [numels[i] for i in chunk]
        blocks = tuple(launch_block(size, OPTIM_BLOCK) for size in sizes)
        first_blocks = [0]
        for size, block in zip(sizes, blocks):
            first_blocks.append(first_blocks[-1] + cdiv(size, block))
        groups.append((chunk, blocks, tuple(first_blocks), needs_int64(*sizes)))
    return groups


@triton_kernel
def is_mine(first_blocks, t: tl.constexpr):
    """Whether this program works on tensor t: first_blocks[t] <= program < first_blocks[t + 1]."""
    program = tl.program_id(0)
    return (program >= first_blocks[t]) & (program < first_blocks[t + 1])


@triton_kernel
def tensor_positions(first_blocks, t: tl.constexpr, BLOCK: tl.constexpr, INT64: tl.constexpr):
    """This program's BLOCK positions inside tensor t (int64 when the launcher asked for it)."""
    program = tl.program_id(0)
    if INT64:
        program = program.to(tl.int64)
    return (program - first_blocks[t]) * BLOCK + tl.arange(0, BLOCK)


@triton_kernel
def foreach_sgd_step_kernel(p_ptrs, g_ptrs, b_ptrs,  # tuples of COUNT pointers (dense)
                            numels, first_blocks,     # tuples: sizes, first program of each
                            lr, momentum, one_minus_dampening, weight_decay,  # float64 bits
                            COUNT: tl.constexpr, MOMENTUM: tl.constexpr,
                            NESTEROV: tl.constexpr, MAXIMIZE: tl.constexpr,
                            DECAY: tl.constexpr, FIRST_STEP: tl.constexpr,
                            BLOCKS: tl.constexpr,  # elements per program, one per tensor
                            INT64: tl.constexpr = False):
    for t in tl.static_range(COUNT):
        if is_mine(first_blocks, t):  # only the test runs for the other tensors
            index = tensor_positions(first_blocks, t, BLOCKS[t], INT64)
            mask = index < numels[t]
            p = tl.load(p_ptrs[t] + index, mask=mask)
            wide = p.to(tl.float64) if p.dtype == tl.float64 else p.to(tl.float32)
            g = tl.load(g_ptrs[t] + index, mask=mask).to(wide.dtype)
            if MAXIMIZE:
                g = -g
            if DECAY:
                g = g + _scalar(weight_decay, wide) * wide
            if MOMENTUM:
                if FIRST_STEP:
                    b = g
                else:
                    b = tl.load(b_ptrs[t] + index, mask=mask).to(wide.dtype)
                    b = b * _scalar(momentum, wide) + _scalar(one_minus_dampening, wide) * g
                tl.store(b_ptrs[t] + index, b.to(b_ptrs[t].dtype.element_ty), mask=mask)
                g = g + _scalar(momentum, wide) * b if NESTEROV else b
            tl.store(p_ptrs[t] + index, (wide - _scalar(lr, wide) * g).to(
                p_ptrs[t].dtype.element_ty), mask=mask)


def foreach_sgd_step_triton(params: list, param_views: list[View], grads: list,
                            grad_views: list[View], momentum_buffers: list | None,
                            momentum_buffer_views: list[View] | None, lr: float,
                            momentum: float, dampening: float, weight_decay: float,
                            nesterov: bool, maximize: bool, first_steps: list[bool]) -> None:
    """SGD over many parameters in one launch per (first step or not) and per 16 tensors; same
    contract as foreach_sgd_step_reference."""
    has_momentum = momentum != 0
    buffers = momentum_buffers if has_momentum else params
    buffer_views = momentum_buffer_views if has_momentum else param_views
    dense: dict[bool, list[int]] = {False: [], True: []}
    for i in range(len(params)):
        if not param_views[i].numel:
            continue
        if _is_dense(param_views[i], grad_views[i], buffer_views[i]):
            dense[bool(first_steps[i]) and has_momentum].append(i)
        else:  # a strided tensor: the one-tensor kernel
            sgd_step_triton(params[i], param_views[i], grads[i], grad_views[i],
                            momentum_buffers[i] if has_momentum else None,
                            momentum_buffer_views[i] if has_momentum else None, lr, momentum,
                            dampening, weight_decay, nesterov, maximize, first_steps[i])
    numels = [view.numel for view in param_views]
    for first_step, indices in dense.items():
        for chunk, blocks, first_blocks, int64 in _chunks(indices, numels):
            foreach_sgd_step_kernel[(first_blocks[-1],)](
                tuple(_dense(params[i], param_views[i]) for i in chunk),
                tuple(_dense(grads[i], grad_views[i]) for i in chunk),
                tuple(_dense(buffers[i], buffer_views[i]) for i in chunk),
                tuple(numels[i] for i in chunk), first_blocks,
                float_bits(lr), float_bits(momentum), float_bits(1 - dampening),
                float_bits(weight_decay), COUNT=len(chunk), MOMENTUM=has_momentum,
                NESTEROV=nesterov, MAXIMIZE=maximize, DECAY=weight_decay != 0,
                FIRST_STEP=first_step, BLOCKS=blocks, INT64=int64)


@triton_kernel
def foreach_adam_step_kernel(p_ptrs, g_ptrs, m_ptrs, v_ptrs, vmax_ptrs,  # pointers
                             numels, first_blocks,    # tuples: sizes, first program of each
                             step_sizes, bias_corrections2_sqrt,  # tuples of float64 bits
                             decay, one_minus_beta1, beta2, one_minus_beta2, eps,  # float64 bits
                             COUNT: tl.constexpr, DECAY: tl.constexpr, AMSGRAD: tl.constexpr,
                             MAXIMIZE: tl.constexpr,
                             BLOCKS: tl.constexpr,  # elements per program, one per tensor
                             INT64: tl.constexpr = False):
    for t in tl.static_range(COUNT):
        if is_mine(first_blocks, t):  # only the test runs for the other tensors
            index = tensor_positions(first_blocks, t, BLOCKS[t], INT64)
            mask = index < numels[t]
            p = tl.load(p_ptrs[t] + index, mask=mask)
            g = tl.load(g_ptrs[t] + index, mask=mask)
            p, g = _adam_gradient(p, g, decay, DECAY, MAXIMIZE)
            m = tl.load(m_ptrs[t] + index, mask=mask).to(p.dtype)
            v = tl.load(v_ptrs[t] + index, mask=mask).to(p.dtype)
            m, v = _adam_moments(g, m, v, one_minus_beta1, beta2, one_minus_beta2)
            tl.store(m_ptrs[t] + index, m.to(m_ptrs[t].dtype.element_ty), mask=mask)
            tl.store(v_ptrs[t] + index, v.to(v_ptrs[t].dtype.element_ty), mask=mask)
            if AMSGRAD:
                v = tl.maximum(tl.load(vmax_ptrs[t] + index, mask=mask).to(p.dtype), v)
                tl.store(vmax_ptrs[t] + index,
                         v.to(vmax_ptrs[t].dtype.element_ty), mask=mask)
            p = _adam_parameter(p, m, v, step_sizes[t], bias_corrections2_sqrt[t], eps)
            tl.store(p_ptrs[t] + index, p.to(p_ptrs[t].dtype.element_ty), mask=mask)


def foreach_adam_step_triton(params: list, param_views: list[View], grads: list,
                             grad_views: list[View], exp_avgs: list, exp_avg_views: list[View],
                             exp_avg_sqs: list, exp_avg_sq_views: list[View],
                             max_exp_avg_sqs: list | None,
                             max_exp_avg_sq_views: list[View] | None, steps: list[int],
                             lr: float, beta1: float, beta2: float, eps: float,
                             weight_decay: float, decoupled: bool, maximize: bool) -> None:
    """Adam / AdamW over many parameters in one launch per 16 tensors; same contract as
    foreach_adam_step_reference."""
    amsgrad = max_exp_avg_sqs is not None
    vmaxes = max_exp_avg_sqs if amsgrad else params
    vmax_views = max_exp_avg_sq_views if amsgrad else param_views
    indices = []
    for i in range(len(params)):
        if not param_views[i].numel:
            continue
        if _is_dense(param_views[i], grad_views[i], exp_avg_views[i], exp_avg_sq_views[i],
                     vmax_views[i]):
            indices.append(i)
        else:  # a strided tensor: the one-tensor kernel
            adam_step_triton(params[i], param_views[i], grads[i], grad_views[i], exp_avgs[i],
                             exp_avg_views[i], exp_avg_sqs[i], exp_avg_sq_views[i],
                             vmaxes[i] if amsgrad else None,
                             vmax_views[i] if amsgrad else None, steps[i], lr, beta1, beta2,
                             eps, weight_decay, decoupled, maximize)
    if weight_decay == 0:
        decay_kind, decay = "none", 0.0
    else:
        decay_kind, decay = ("adamw", 1 - lr * weight_decay) if decoupled else ("adam",
                                                                               weight_decay)
    numels = [view.numel for view in param_views]
    for chunk, blocks, first_blocks, int64 in _chunks(indices, numels):
        foreach_adam_step_kernel[(first_blocks[-1],)](
            tuple(_dense(params[i], param_views[i]) for i in chunk),
            tuple(_dense(grads[i], grad_views[i]) for i in chunk),
            tuple(_dense(exp_avgs[i], exp_avg_views[i]) for i in chunk),
            tuple(_dense(exp_avg_sqs[i], exp_avg_sq_views[i]) for i in chunk),
            tuple(_dense(vmaxes[i], vmax_views[i]) for i in chunk),
            tuple(numels[i] for i in chunk), first_blocks,
            tuple(float_bits(lr / (1 - beta1 ** steps[i])) for i in chunk),
            tuple(float_bits(math.sqrt(1 - beta2 ** steps[i])) for i in chunk),
            float_bits(decay), float_bits(1 - beta1), float_bits(beta2), float_bits(1 - beta2),
            float_bits(eps), COUNT=len(chunk), DECAY=decay_kind, AMSGRAD=amsgrad,
            MAXIMIZE=maximize, BLOCKS=blocks, INT64=int64)
