"""More optimizer-step primitives: RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, each one fused,
in-place update of a parameter and its state buffers (the same lesson as kernels/optim.py).

    rmsprop_step   v = a*v + (1-a)*g^2;  [m = lerp(m, g, 1-a)];  s = sqrt(v [- m^2]) + eps
                   [b = mu*b + g/s;  p -= lr*b]  or  p -= lr * g/s
    adagrad_step   S += g^2;                         p -= clr * g / (sqrt(S) + eps)
    adadelta_step  v = rho*v + (1-rho)*g^2;  d = sqrt(u + eps) / sqrt(v + eps) * g;
                   u = rho*u + (1-rho)*d^2;          p -= lr * d
    adamax_step    m = lerp(m, g, 1-b1);  u = max(b2*u, |g| + eps);
                                                     p -= lr/(1-b1^t) * m/u
    nadam_step     m, v as Adam;  s = sqrt(v/(1-b2^t)) + eps;
                   p -= lr*(1-mu_t)/(1-prod mu) * g/s + lr*mu_{t+1}/(1-prod mu * mu_{t+1}) * m/s
    radam_step     m, v as Adam;  rho_t = rho_inf - 2t b2^t/(1-b2^t);
                   p -= lr * m/(1-b1^t) * (r_t * sqrt(1-b2^t)/(sqrt(v)+eps)  if rho_t > 5  else 1)

Every step first turns the gradient around for maximize (g = -g) and adds the L2 penalty
(g += wd*p), except where NAdam and RAdam decouple the decay (p *= 1 - lr*wd, as AdamW). The
per-step scalars (bias corrections, NAdam's momentum schedule mu_t, RAdam's rectification r_t) are
worked out on the host, once per step, exactly as PyTorch does; the kernels do the per-element
arithmetic. Every buffer comes with its view and is updated in place; the caller bumps versions.
"""

from __future__ import annotations

import math

import numpy as np

from .strided import View, as_numpy

# ----------------------------------------------------------------------------------------------
# NumPy reference
# ----------------------------------------------------------------------------------------------


def _gradient(grad: np.ndarray, grad_view: View, p: np.ndarray, maximize: bool,
              weight_decay: float) -> np.ndarray:
    """g = ±grad (+ wd * p): a new array, the gradient buffer is never written."""
    g = as_numpy(grad, grad_view)
    g = np.negative(g) if maximize else g.copy()
    if weight_decay != 0:
        g += weight_decay * p
    return g


def _decay(p: np.ndarray, grad: np.ndarray, grad_view: View, lr: float, weight_decay: float,
           decoupled: bool, maximize: bool) -> np.ndarray:
    """NAdam / RAdam: decoupled decay shrinks p (in place), coupled decay joins g."""
    if decoupled and weight_decay != 0:
        p *= 1 - lr * weight_decay
        return _gradient(grad, grad_view, p, maximize, 0)
    return _gradient(grad, grad_view, p, maximize, weight_decay)


def rmsprop_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray,
                           grad_view: View, square_avg: np.ndarray, square_avg_view: View,
                           grad_avg: np.ndarray | None, grad_avg_view: View | None,
                           momentum_buffer: np.ndarray | None, momentum_buffer_view: View | None,
                           lr: float, alpha: float, eps: float, weight_decay: float,
                           momentum: float, maximize: bool) -> None:
    """RMSprop in place; grad_avg is given when centered, momentum_buffer when momentum > 0."""
    p = as_numpy(param, param_view)
    g = _gradient(grad, grad_view, p, maximize, weight_decay)
    v = as_numpy(square_avg, square_avg_view)
    v *= alpha
    v += (1 - alpha) * (g * g)
    if grad_avg is not None:  # centered: divide by the standard deviation, not the RMS
        m = as_numpy(grad_avg, grad_avg_view)
        m += (1 - alpha) * (g - m)
        avg = np.sqrt(v - m * m)
    else:
        avg = np.sqrt(v)
    avg += eps
    if momentum_buffer is not None:
        b = as_numpy(momentum_buffer, momentum_buffer_view)
        b *= momentum
        b += g / avg
        p -= lr * b
    else:
        p -= lr * (g / avg)


def adagrad_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray, grad_view: View,
                           state_sum: np.ndarray, state_sum_view: View, clr: float, eps: float,
                           weight_decay: float, maximize: bool) -> None:
    """Adagrad in place: S += g^2;  p -= clr * g / (sqrt(S) + eps), clr = lr / (1 + (t-1)*decay)."""
    p = as_numpy(param, param_view)
    g = _gradient(grad, grad_view, p, maximize, weight_decay)
    total = as_numpy(state_sum, state_sum_view)
    total += g * g
    std = np.sqrt(total)
    std += eps
    p -= clr * (g / std)


def adadelta_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray,
                            grad_view: View, square_avg: np.ndarray, square_avg_view: View,
                            acc_delta: np.ndarray, acc_delta_view: View, lr: float, rho: float,
                            eps: float, weight_decay: float, maximize: bool) -> None:
    """Adadelta in place: the step is scaled by the RMS of past *steps* over that of gradients."""
    p = as_numpy(param, param_view)
    g = _gradient(grad, grad_view, p, maximize, weight_decay)
    v = as_numpy(square_avg, square_avg_view)
    u = as_numpy(acc_delta, acc_delta_view)
    v *= rho
    v += (1 - rho) * (g * g)
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u *= rho
    u += (1 - rho) * (delta * delta)
    p -= lr * delta


def adamax_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray, grad_view: View,
                          exp_avg: np.ndarray, exp_avg_view: View, exp_inf: np.ndarray,
                          exp_inf_view: View, step: int, lr: float, beta1: float, beta2: float,
                          eps: float, weight_decay: float, maximize: bool) -> None:
    """Adamax in place: Adam with the infinity norm, u = max(b2*u, |g| + eps), in place of v."""
    p = as_numpy(param, param_view)
    g = _gradient(grad, grad_view, p, maximize, weight_decay)
    m = as_numpy(exp_avg, exp_avg_view)
    u = as_numpy(exp_inf, exp_inf_view)
    m += (1 - beta1) * (g - m)
    u *= beta2
    np.maximum(u, np.abs(g) + eps, out=u)
    p -= lr / (1 - beta1 ** step) * (m / u)


def nadam_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray, grad_view: View,
                         exp_avg: np.ndarray, exp_avg_view: View, exp_avg_sq: np.ndarray,
                         exp_avg_sq_view: View, step: int, lr: float, beta1: float, beta2: float,
                         eps: float, weight_decay: float, decoupled: bool, maximize: bool,
                         mu: float, mu_next: float, mu_product: float) -> None:
    """NAdam in place: Adam with Nesterov momentum; mu_product = mu_1 * ... * mu_t (this step's)."""
    p = as_numpy(param, param_view)
    g = _decay(p, grad, grad_view, lr, weight_decay, decoupled, maximize)
    m = as_numpy(exp_avg, exp_avg_view)
    v = as_numpy(exp_avg_sq, exp_avg_sq_view)
    m += (1 - beta1) * (g - m)
    v *= beta2
    v += (1 - beta2) * (g * g)
    denominator = np.sqrt(v / (1 - beta2 ** step))
    denominator += eps
    p -= lr * (1 - mu) / (1 - mu_product) * (g / denominator)
    p -= lr * mu_next / (1 - mu_product * mu_next) * (m / denominator)


def radam_rectification(step: int, beta2: float) -> float | None:
    """RAdam's r_t, or None while rho_t <= 5 (too few steps for a trustworthy variance)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / (1 - beta2 ** step)
    if rho_t <= 5.0:
        return None
    return ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5


def radam_step_reference(param: np.ndarray, param_view: View, grad: np.ndarray, grad_view: View,
                         exp_avg: np.ndarray, exp_avg_view: View, exp_avg_sq: np.ndarray,
                         exp_avg_sq_view: View, step: int, lr: float, beta1: float, beta2: float,
                         eps: float, weight_decay: float, decoupled: bool, maximize: bool) -> None:
    """RAdam in place: SGD with momentum until the variance estimate is trustworthy, then a
    rectified Adam step."""
    p = as_numpy(param, param_view)
    g = _decay(p, grad, grad_view, lr, weight_decay, decoupled, maximize)
    m = as_numpy(exp_avg, exp_avg_view)
    v = as_numpy(exp_avg_sq, exp_avg_sq_view)
    m += (1 - beta1) * (g - m)
    v *= beta2
    v += (1 - beta2) * (g * g)
    corrected = m / (1 - beta1 ** step)
    rect = radam_rectification(step, beta2)
    if rect is None:
        p -= corrected * lr
    else:
        adaptive = math.sqrt(1 - beta2 ** step) / (np.sqrt(v) + eps)
        p -= corrected * lr * adaptive * rect


# ----------------------------------------------------------------------------------------------
# Triton
# ----------------------------------------------------------------------------------------------
# What you will learn: the fused update of kernels/optim.py, six times. Each program takes a block
# of elements, loads p, g and the state once, runs the formula in registers (in float32, or
# float64 for float64 parameters) and stores p and the state once. Optional state buffers
# (centered / momentum RMSprop) are constexpr switches; hyperparameters travel as float64 bits.

from typing import Any  # noqa: E402 - the Triton section starts here on purpose

from .triton_support import (  # noqa: E402
    bits_to_float64,
    cdiv,
    float_bits,
    launch_block,
    merge_dims,
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
def _at(ptr, offset, strides, index, shape):
    """Pointers to the elements `index` of a strided view."""
    return ptr + offset + strided_offsets(index, shape, strides)


@triton_kernel
def _gradient_block(g_ptr, g_offset, g_strides, index, shape, mask, p, weight_decay,
                    MAXIMIZE: tl.constexpr, DECAY: tl.constexpr):
    """g = ±grad (+ wd * p) in p's compute type."""
    g = tl.load(_at(g_ptr, g_offset, g_strides, index, shape), mask=mask).to(p.dtype)
    if MAXIMIZE:
        g = -g
    if DECAY:
        g = g + _scalar(weight_decay, p) * p
    return g


@triton_kernel
def _wide(x):
    """float64 stays float64, every other float type computes in float32."""
    return x.to(tl.float64) if x.dtype == tl.float64 else x.to(tl.float32)


@triton_kernel
def rmsprop_step_kernel(p_ptr, g_ptr, v_ptr, m_ptr, b_ptr,   # param, grad, square/grad avg, buf
                        numel, shape, p_strides, p_offset, g_strides, g_offset, v_strides,
                        v_offset, m_strides, m_offset, b_strides, b_offset,
                        lr, alpha, one_minus_alpha, eps, weight_decay, momentum,  # float64 bits
                        CENTERED: tl.constexpr, MOMENTUM: tl.constexpr, MAXIMIZE: tl.constexpr,
                        DECAY: tl.constexpr, BLOCK: tl.constexpr):
    index = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)  # (BLOCK,)
    mask = index < numel
    p_at = _at(p_ptr, p_offset, p_strides, index, shape)
    v_at = _at(v_ptr, v_offset, v_strides, index, shape)
    p = _wide(tl.load(p_at, mask=mask))
    g = _gradient_block(g_ptr, g_offset, g_strides, index, shape, mask, p, weight_decay,
                        MAXIMIZE, DECAY)
    v = tl.load(v_at, mask=mask).to(p.dtype) * _scalar(alpha, p)
    v = v + _scalar(one_minus_alpha, p) * (g * g)
    tl.store(v_at, v.to(v_ptr.dtype.element_ty), mask=mask)
    if CENTERED:
        m_at = _at(m_ptr, m_offset, m_strides, index, shape)
        m = tl.load(m_at, mask=mask).to(p.dtype)
        m = m + _scalar(one_minus_alpha, p) * (g - m)
        tl.store(m_at, m.to(m_ptr.dtype.element_ty), mask=mask)
        v = v - m * m
    avg = precise_sqrt(v) + _scalar(eps, p)
    if MOMENTUM:
        b_at = _at(b_ptr, b_offset, b_strides, index, shape)
        b = tl.load(b_at, mask=mask).to(p.dtype) * _scalar(momentum, p) + g / avg
        tl.store(b_at, b.to(b_ptr.dtype.element_ty), mask=mask)
        p = p - _scalar(lr, p) * b
    else:
        p = p - _scalar(lr, p) * (g / avg)
    tl.store(p_at, p.to(p_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def adagrad_step_kernel(p_ptr, g_ptr, s_ptr, numel, shape, p_strides, p_offset, g_strides,
                        g_offset, s_strides, s_offset, clr, eps, weight_decay,
                        MAXIMIZE: tl.constexpr, DECAY: tl.constexpr, BLOCK: tl.constexpr):
    index = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)  # (BLOCK,)
    mask = index < numel
    p_at = _at(p_ptr, p_offset, p_strides, index, shape)
    s_at = _at(s_ptr, s_offset, s_strides, index, shape)
    p = _wide(tl.load(p_at, mask=mask))
    g = _gradient_block(g_ptr, g_offset, g_strides, index, shape, mask, p, weight_decay,
                        MAXIMIZE, DECAY)
    total = tl.load(s_at, mask=mask).to(p.dtype) + g * g
    tl.store(s_at, total.to(s_ptr.dtype.element_ty), mask=mask)
    p = p - _scalar(clr, p) * (g / (precise_sqrt(total) + _scalar(eps, p)))
    tl.store(p_at, p.to(p_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def adadelta_step_kernel(p_ptr, g_ptr, v_ptr, u_ptr, numel, shape, p_strides, p_offset,
                         g_strides, g_offset, v_strides, v_offset, u_strides, u_offset,
                         lr, rho, one_minus_rho, eps, weight_decay,
                         MAXIMIZE: tl.constexpr, DECAY: tl.constexpr, BLOCK: tl.constexpr):
    index = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)  # (BLOCK,)
    mask = index < numel
    p_at = _at(p_ptr, p_offset, p_strides, index, shape)
    v_at = _at(v_ptr, v_offset, v_strides, index, shape)
    u_at = _at(u_ptr, u_offset, u_strides, index, shape)
    p = _wide(tl.load(p_at, mask=mask))
    g = _gradient_block(g_ptr, g_offset, g_strides, index, shape, mask, p, weight_decay,
                        MAXIMIZE, DECAY)
    v = tl.load(v_at, mask=mask).to(p.dtype) * _scalar(rho, p)
    v = v + _scalar(one_minus_rho, p) * (g * g)
    u = tl.load(u_at, mask=mask).to(p.dtype)
    delta = precise_sqrt(u + _scalar(eps, p)) / precise_sqrt(v + _scalar(eps, p)) * g
    u = u * _scalar(rho, p) + _scalar(one_minus_rho, p) * (delta * delta)
    tl.store(v_at, v.to(v_ptr.dtype.element_ty), mask=mask)
    tl.store(u_at, u.to(u_ptr.dtype.element_ty), mask=mask)
    tl.store(p_at, (p - _scalar(lr, p) * delta).to(p_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def adamax_step_kernel(p_ptr, g_ptr, m_ptr, u_ptr, numel, shape, p_strides, p_offset,
                       g_strides, g_offset, m_strides, m_offset, u_strides, u_offset,
                       clr, one_minus_beta1, beta2, eps, weight_decay,
                       MAXIMIZE: tl.constexpr, DECAY: tl.constexpr, BLOCK: tl.constexpr):
    index = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)  # (BLOCK,)
    mask = index < numel
    p_at = _at(p_ptr, p_offset, p_strides, index, shape)
    m_at = _at(m_ptr, m_offset, m_strides, index, shape)
    u_at = _at(u_ptr, u_offset, u_strides, index, shape)
    p = _wide(tl.load(p_at, mask=mask))
    g = _gradient_block(g_ptr, g_offset, g_strides, index, shape, mask, p, weight_decay,
                        MAXIMIZE, DECAY)
    m = tl.load(m_at, mask=mask).to(p.dtype)
    m = m + _scalar(one_minus_beta1, p) * (g - m)
    u = tl.maximum(tl.load(u_at, mask=mask).to(p.dtype) * _scalar(beta2, p),
                   tl.abs(g) + _scalar(eps, p))
    tl.store(m_at, m.to(m_ptr.dtype.element_ty), mask=mask)
    tl.store(u_at, u.to(u_ptr.dtype.element_ty), mask=mask)
    tl.store(p_at, (p - _scalar(clr, p) * (m / u)).to(p_ptr.dtype.element_ty), mask=mask)


@triton_kernel
def adam_family_step_kernel(p_ptr, g_ptr, m_ptr, v_ptr, numel, shape, p_strides, p_offset,
                            g_strides, g_offset, m_strides, m_offset, v_strides, v_offset,
                            decay, one_minus_beta1, beta2, one_minus_beta2,
                            grad_coefficient, avg_coefficient, bias_correction2, eps,
                            KIND: tl.constexpr,    # "nadam", "radam" (rectified) or "sgdm"
                            DECAY: tl.constexpr,   # "none", "l2" (g += wd*p), "decoupled"
                            MAXIMIZE: tl.constexpr, BLOCK: tl.constexpr):
    """NAdam and RAdam share Adam's moments; they differ in the final combination:
    nadam:  p -= (c_g * g + c_m * m) / (sqrt(v) / sqrt(bc2) + eps)
    radam:  p -= c_m * m / (sqrt(v) + eps)   (c_m = lr * r_t * sqrt(bc2) / bc1)
    sgdm:   p -= c_m * m                     (RAdam's first steps, c_m = lr / bc1)"""
    index = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)  # (BLOCK,)
    mask = index < numel
    p_at = _at(p_ptr, p_offset, p_strides, index, shape)
    m_at = _at(m_ptr, m_offset, m_strides, index, shape)
    v_at = _at(v_ptr, v_offset, v_strides, index, shape)
    p = _wide(tl.load(p_at, mask=mask))
    if DECAY == "decoupled":
        p = p * _scalar(decay, p)
    g = _gradient_block(g_ptr, g_offset, g_strides, index, shape, mask, p, decay,
                        MAXIMIZE, DECAY == "l2")
    m = tl.load(m_at, mask=mask).to(p.dtype)
    m = m + _scalar(one_minus_beta1, p) * (g - m)
    v = tl.load(v_at, mask=mask).to(p.dtype) * _scalar(beta2, p)
    v = v + _scalar(one_minus_beta2, p) * (g * g)
    tl.store(m_at, m.to(m_ptr.dtype.element_ty), mask=mask)
    tl.store(v_at, v.to(v_ptr.dtype.element_ty), mask=mask)
    if KIND == "nadam":
        denominator = precise_sqrt(v / _scalar(bias_correction2, p)) + _scalar(eps, p)
        p = p - _scalar(grad_coefficient, p) * (g / denominator)
        p = p - _scalar(avg_coefficient, p) * (m / denominator)
    elif KIND == "radam":
        p = p - _scalar(avg_coefficient, p) * (m / (precise_sqrt(v) + _scalar(eps, p)))
    else:
        p = p - _scalar(avg_coefficient, p) * m
    tl.store(p_at, p.to(p_ptr.dtype.element_ty), mask=mask)


def _launch(kernel: Any, buffers: list[tuple[Any, View]], scalars: list[float],
            **flags: Any) -> None:
    """One program per block of elements; the views merged to the fewest dims they share."""
    numel = buffers[0][1].numel
    if not numel:
        return
    shape, strides = merge_dims(buffers[0][1].shape, *[view.strides for _, view in buffers])
    views = [value for (_, view), merged in zip(buffers, strides)
             for value in (merged, view.offset)]
    block = launch_block(numel, OPTIM_BLOCK)
    kernel[(cdiv(numel, block),)](*[buffer for buffer, _ in buffers], numel, shape, *views,
                                  *[float_bits(value) for value in scalars], **flags, BLOCK=block)


def rmsprop_step_triton(param: Any, param_view: View, grad: Any, grad_view: View,
                        square_avg: Any, square_avg_view: View, grad_avg: Any | None,
                        grad_avg_view: View | None, momentum_buffer: Any | None,
                        momentum_buffer_view: View | None, lr: float, alpha: float, eps: float,
                        weight_decay: float, momentum: float, maximize: bool) -> None:
    """RMSprop in place, one kernel; same contract as rmsprop_step_reference."""
    centered, has_momentum = grad_avg is not None, momentum_buffer is not None
    buffers = [(param, param_view), (grad, grad_view), (square_avg, square_avg_view),
               (grad_avg, grad_avg_view) if centered else (param, param_view),
               (momentum_buffer, momentum_buffer_view) if has_momentum else (param, param_view)]
    _launch(rmsprop_step_kernel, buffers, [lr, alpha, 1 - alpha, eps, weight_decay, momentum],
            CENTERED=centered, MOMENTUM=has_momentum, MAXIMIZE=maximize,
            DECAY=weight_decay != 0)


def adagrad_step_triton(param: Any, param_view: View, grad: Any, grad_view: View,
                        state_sum: Any, state_sum_view: View, clr: float, eps: float,
                        weight_decay: float, maximize: bool) -> None:
    """Adagrad in place, one kernel; same contract as adagrad_step_reference."""
    _launch(adagrad_step_kernel, [(param, param_view), (grad, grad_view),
                                  (state_sum, state_sum_view)],
            [clr, eps, weight_decay], MAXIMIZE=maximize, DECAY=weight_decay != 0)


def adadelta_step_triton(param: Any, param_view: View, grad: Any, grad_view: View,
                         square_avg: Any, square_avg_view: View, acc_delta: Any,
                         acc_delta_view: View, lr: float, rho: float, eps: float,
                         weight_decay: float, maximize: bool) -> None:
    """Adadelta in place, one kernel; same contract as adadelta_step_reference."""
    _launch(adadelta_step_kernel, [(param, param_view), (grad, grad_view),
                                   (square_avg, square_avg_view), (acc_delta, acc_delta_view)],
            [lr, rho, 1 - rho, eps, weight_decay], MAXIMIZE=maximize, DECAY=weight_decay != 0)


def adamax_step_triton(param: Any, param_view: View, grad: Any, grad_view: View, exp_avg: Any,
                       exp_avg_view: View, exp_inf: Any, exp_inf_view: View, step: int,
                       lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
                       maximize: bool) -> None:
    """Adamax in place, one kernel; same contract as adamax_step_reference."""
    _launch(adamax_step_kernel, [(param, param_view), (grad, grad_view), (exp_avg, exp_avg_view),
                                 (exp_inf, exp_inf_view)],
            [lr / (1 - beta1 ** step), 1 - beta1, beta2, eps, weight_decay],
            MAXIMIZE=maximize, DECAY=weight_decay != 0)


def _adam_family(param: Any, param_view: View, grad: Any, grad_view: View, exp_avg: Any,
                 exp_avg_view: View, exp_avg_sq: Any, exp_avg_sq_view: View, lr: float,
                 beta1: float, beta2: float, eps: float, weight_decay: float, decoupled: bool,
                 maximize: bool, kind: str, grad_coefficient: float, avg_coefficient: float,
                 bias_correction2: float) -> None:
    if weight_decay == 0:
        decay_kind, decay = "none", 0.0
    else:
        decay_kind, decay = ("decoupled", 1 - lr * weight_decay) if decoupled else ("l2",
                                                                                  weight_decay)
    _launch(adam_family_step_kernel, [(param, param_view), (grad, grad_view),
                                      (exp_avg, exp_avg_view), (exp_avg_sq, exp_avg_sq_view)],
            [decay, 1 - beta1, beta2, 1 - beta2, grad_coefficient, avg_coefficient,
             bias_correction2, eps], KIND=kind, DECAY=decay_kind, MAXIMIZE=maximize)


def nadam_step_triton(param: Any, param_view: View, grad: Any, grad_view: View, exp_avg: Any,
                      exp_avg_view: View, exp_avg_sq: Any, exp_avg_sq_view: View, step: int,
                      lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
                      decoupled: bool, maximize: bool, mu: float, mu_next: float,
                      mu_product: float) -> None:
    """NAdam in place, one kernel; same contract as nadam_step_reference."""
    _adam_family(param, param_view, grad, grad_view, exp_avg, exp_avg_view, exp_avg_sq,
                 exp_avg_sq_view, lr, beta1, beta2, eps, weight_decay, decoupled, maximize,
                 "nadam", lr * (1 - mu) / (1 - mu_product),
                 lr * mu_next / (1 - mu_product * mu_next), 1 - beta2 ** step)


def radam_step_triton(param: Any, param_view: View, grad: Any, grad_view: View, exp_avg: Any,
                      exp_avg_view: View, exp_avg_sq: Any, exp_avg_sq_view: View, step: int,
                      lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
                      decoupled: bool, maximize: bool) -> None:
    """RAdam in place, one kernel; same contract as radam_step_reference."""
    rect = radam_rectification(step, beta2)
    bias_correction1 = 1 - beta1 ** step
    if rect is None:
        kind, coefficient = "sgdm", lr / bias_correction1
    else:
        kind = "radam"
        coefficient = lr / bias_correction1 * math.sqrt(1 - beta2 ** step) * rect
    _adam_family(param, param_view, grad, grad_view, exp_avg, exp_avg_view, exp_avg_sq,
                 exp_avg_sq_view, lr, beta1, beta2, eps, weight_decay, decoupled, maximize,
                 kind, 0.0, coefficient, 1.0)
