"""Attention and the Transformer modules against PyTorch, with PyTorch's weights loaded.

F.scaled_dot_product_attention (fused FlashAttention path and the composite one: bool and float
masks, is_causal, scale, broadcasting, grouped-query heads, dropout's contract), MultiheadAttention
(batch_first, kdim/vdim, key_padding_mask, attn_mask, need_weights, average_attn_weights,
add_bias_kv, add_zero_attn), the encoder/decoder layers (norm_first, relu/gelu/callable), the
stacks and nn.Transformer; outputs and the gradients of inputs and every parameter. "cuda" runs
tiny shapes in Triton's interpreter. Bad input raises PyTorch's messages.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from nn_parity import check_module

import tinygrad_edu
import tinygrad_edu.nn.functional as F

RNG = np.random.default_rng(0)


def lib_of(module):
    return torch if isinstance(module, torch.nn.Module) else tinygrad_edu


def pair(name, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: enable_nested_tensor advice
        return (getattr(tinygrad_edu.nn, name)(*args, **kwargs),
                getattr(torch.nn, name)(*args, **kwargs))


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def sdpa_parity(arrays, mask=None, device="cpu", **options):
    """Output and q/k/v gradients of both libraries' scaled_dot_product_attention agree."""
    results = []
    for lib, sdpa in ((torch, torch.nn.functional.scaled_dot_product_attention),
                      (tinygrad_edu, F.scaled_dot_product_attention)):
        where = {} if lib is torch else {"device": device}
        inputs = [lib.tensor(a, requires_grad=True, **where) for a in arrays]
        attn_mask = None if mask is None else lib.tensor(mask, **where)
        out = sdpa(*inputs, attn_mask=attn_mask, **options)
        weights = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)).astype(
            np.float32), **where)
        (out * weights).sum().backward()
        results.append([out.detach().cpu().numpy()] + [x.grad.cpu().numpy() for x in inputs])
    for ours, theirs in zip(results[1], results[0], strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=1e-4)


@given(st.integers(1, 3), st.integers(1, 20), st.integers(1, 20), st.integers(1, 9),
       st.integers(1, 5), st.sampled_from(["none", "bool", "float", "causal"]),
       st.sampled_from([None, 0.3]))
def test_sdpa_matches_torch(heads, length, source, dim, dim_v, mask_kind, scale):
    arrays = [randn(2, heads, length, dim), randn(2, heads, source, dim),
              randn(2, heads, source, dim_v)]
    mask = {"bool": RNG.random((length, source)) < 0.8, "float": randn(length, source)}.get(
        mask_kind)
    sdpa_parity(arrays, mask, is_causal=mask_kind == "causal", scale=scale)


def test_sdpa_broadcasts_masks_and_batch_dims_and_hides_fully_masked_rows():
    sdpa_parity([randn(5, 4), randn(6, 4), randn(6, 3)], RNG.random((5, 6)) < 0.5)
    mask = RNG.random((2, 1, 5, 6)) < 0.6
    mask[0, 0, 1] = False  # a query that sees nothing: zeros, as in PyTorch
    sdpa_parity([randn(2, 3, 5, 4), randn(1, 3, 6, 4), randn(2, 3, 6, 2)], mask)
    sdpa_parity([randn(2, 4, 5, 4), randn(2, 2, 6, 4), randn(2, 2, 6, 2)], enable_gqa=True)


def test_sdpa_on_cuda_matches_torch():
    sdpa_parity([randn(1, 2, 5, 4), randn(1, 2, 7, 4), randn(1, 2, 7, 3)],
                RNG.random((5, 7)) < 0.7, device="cuda")
    sdpa_parity([randn(1, 1, 17, 3), randn(1, 1, 17, 3), randn(1, 1, 17, 3)], device="cuda",
                is_causal=True)


def test_sdpa_float_mask_gets_its_gradient_through_the_composite_path():
    mask = tinygrad_edu.tensor(randn(3, 4), requires_grad=True)
    their_mask = torch.tensor(mask.detach().numpy(), requires_grad=True)
    arrays = [randn(3, 2), randn(4, 2), randn(4, 2)]
    F.scaled_dot_product_attention(*[tinygrad_edu.tensor(a) for a in arrays],
                                   attn_mask=mask).sum().backward()
    torch.nn.functional.scaled_dot_product_attention(*[torch.tensor(a) for a in arrays],
                                                     attn_mask=their_mask).sum().backward()
    np.testing.assert_allclose(mask.grad.numpy(), their_mask.grad.numpy(), atol=1e-6)


def test_sdpa_dropout_keeps_rows_unbiased_and_changes_with_the_seed():
    q, k, v = (tinygrad_edu.tensor(randn(1, 1, 4, 3)) for _ in range(3))
    tinygrad_edu.manual_seed(0)
    first = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    tinygrad_edu.manual_seed(0)
    again = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    tinygrad_edu.manual_seed(1)
    other = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert not np.allclose(first.numpy(), other.numpy())


def math_attention(q, k, v):
    """torch's attention as plain ops (its fused CPU kernel has no double backward)."""
    return torch.softmax(q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5, -1) @ v


def test_fused_attention_double_backward_matches_torch():
    arrays = [randn(1, 1, 3, 2), randn(1, 1, 4, 2), randn(1, 1, 4, 2)]
    grads = []
    for lib, sdpa in ((torch, math_attention), (tinygrad_edu, F.scaled_dot_product_attention)):
        q, k, v = (lib.tensor(a, requires_grad=True) for a in arrays)
        (dq,) = lib.autograd.grad(sdpa(q, k, v).pow(2).sum(), q, create_graph=True)
        dq.sum().backward()
        grads.append([g.detach().numpy() for g in (dq, k.grad, v.grad)])
    for ours, theirs in zip(grads[1], grads[0], strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=1e-4)


# --- MultiheadAttention --------------------------------------------------------------------------
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_multihead_self_attention_matches_torch(need_weights, average):
    ours, theirs = pair("MultiheadAttention", 8, 2)
    x = randn(3, 2, 8)
    check_module(ours, theirs, x, call=lambda m, x: m(x, x, x, need_weights=need_weights,
                                                     average_attn_weights=average)[0])
    if need_weights:
        check_module(ours, theirs, x,
                     call=lambda m, x: m(x, x, x, average_attn_weights=average)[1])


def masks(lib, kind):
    padding = lib.tensor(np.array([[False, False, True, False], [False, True, False, False]]))
    if kind == "bool":
        return {"key_padding_mask": padding,
                "attn_mask": lib.tensor(np.array([[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]],
                                                 dtype=bool))}
    attn = np.cos(np.arange(2 * 2 * 3 * 4)).reshape(4, 3, 4).astype(np.float32)
    return {"key_padding_mask": lib.tensor(np.where(padding.numpy(), -np.inf, 0.0).astype(
        np.float32)), "attn_mask": lib.tensor(attn)}


@pytest.mark.parametrize("kind", ["bool", "float"])
@pytest.mark.parametrize("options", [{}, {"bias": False}, {"add_bias_kv": True},
                                     {"add_zero_attn": True}], ids=str)
def test_multihead_cross_attention_with_masks_matches_torch(kind, options):
    ours, theirs = pair("MultiheadAttention", 8, 2, kdim=3, vdim=5, batch_first=True,
                        **options)
    if options.get("add_bias_kv") or options.get("add_zero_attn"):
        kind = "bool" if kind == "bool" else kind

    def call(module, q, k, v, need_weights):
        given = masks(lib_of(module), kind)
        if options.get("add_bias_kv") or options.get("add_zero_attn"):
            given.pop("attn_mask")
        output, weights = module(q, k, v, need_weights=need_weights, **given)
        return weights if need_weights else output

    arrays = (randn(2, 3, 8), randn(2, 4, 3), randn(2, 4, 5))
    check_module(ours, theirs, *arrays, call=lambda m, *xs: call(m, *xs, True))
    check_module(ours, theirs, *arrays, call=lambda m, *xs: call(m, *xs, False))


def test_multihead_attention_unbatched_and_on_cuda():
    ours, theirs = pair("MultiheadAttention", 4, 2)
    x = randn(3, 4)
    check_module(ours, theirs, x, call=lambda m, x: m(x, x, x)[0])
    check_module(ours, theirs, randn(2, 1, 4), device="cuda",
                 call=lambda m, x: m(x, x, x, need_weights=False)[0])


# --- Transformer layers --------------------------------------------------------------------------
def causal_mask(lib, size):
    return lib.nn.Transformer.generate_square_subsequent_mask(size)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
def test_encoder_and_decoder_layers_match_torch(norm_first, activation):
    options = {"dim_feedforward": 16, "dropout": 0.0, "norm_first": norm_first}

    def make(name):
        ours, theirs = pair(name, 8, 2, activation="relu", **options)
        if activation != "relu":
            ours.activation = (tinygrad_edu.nn.functional.gelu if activation == "gelu"
                               else tinygrad_edu.tanh)
            theirs.activation = (torch.nn.functional.gelu if activation == "gelu"
                                 else torch.tanh)
        return ours, theirs

    ours, theirs = make("TransformerEncoderLayer")
    x = randn(3, 2, 8)
    check_module(ours, theirs, x, call=lambda m, x: m(x))
    check_module(ours, theirs, x, call=lambda m, x: m(x, src_mask=causal_mask(lib_of(m), 3),
                                                     is_causal=True))
    ours, theirs = make("TransformerDecoderLayer")
    check_module(ours, theirs, x, randn(4, 2, 8), call=lambda m, x, y: m(
        x, y, tgt_mask=causal_mask(lib_of(m), 3), tgt_is_causal=True))


def test_gelu_string_activation_matches_torch():
    ours, theirs = pair("TransformerEncoderLayer", 8, 2, 16, 0.0, "gelu", batch_first=True)
    check_module(ours, theirs, randn(2, 3, 8))


def test_transformer_matches_torch():
    ours, theirs = pair("Transformer", 8, 2, 2, 2, 16, dropout=0.0, batch_first=True)
    src, tgt = randn(2, 5, 8), randn(2, 3, 8)
    padding = np.array([[False] * 5, [False] * 3 + [True] * 2])

    def call(module, src, tgt):
        lib = lib_of(module)
        return module(src, tgt, tgt_mask=causal_mask(lib, 3), tgt_is_causal=True,
                      src_key_padding_mask=lib.tensor(padding),
                      memory_key_padding_mask=lib.tensor(padding))

    check_module(ours, theirs, src, tgt, call=call)
    assert [k for k in ours.state_dict()] == [k for k in theirs.state_dict()]


def test_transformer_state_dict_moves_from_ours_to_torch():
    """The other direction of check_module's torch -> ours: our initialised weights load into
    torch's module (strict) and both give the same output."""
    ours, theirs = pair("Transformer", 8, 2, 1, 1, 16, dropout=0.0, norm_first=True)
    theirs.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy())
                            for k, v in ours.state_dict().items()})
    src, tgt = randn(4, 2, 8), randn(3, 2, 8)
    expected = theirs(torch.from_numpy(src), torch.from_numpy(tgt)).detach().numpy()
    np.testing.assert_allclose(ours(tinygrad_edu.tensor(src), tinygrad_edu.tensor(tgt))
                               .detach().numpy(), expected, atol=1e-5)


def test_encoder_stack_matches_torch_on_cuda():
    ours, theirs = pair("TransformerEncoderLayer", 4, 2, 8, 0.0, norm_first=True)
    ours = tinygrad_edu.nn.TransformerEncoder(ours, 2, tinygrad_edu.nn.LayerNorm(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.TransformerEncoder(theirs, 2, torch.nn.LayerNorm(4))
    check_module(ours, theirs, randn(3, 1, 4), device="cuda")


def test_square_subsequent_mask_is_torchs():
    np.testing.assert_array_equal(causal_mask(tinygrad_edu, 4).numpy(),
                                  causal_mask(torch, 4).numpy())


# --- bad input -----------------------------------------------------------------------------------
def same_error(make_call):
    errors = []
    for lib in (torch, tinygrad_edu):
        with pytest.raises(Exception) as info:
            make_call(lib)
        errors.append((type(info.value).__name__,
                       str(info.value).replace("tinygrad_edu.", "torch.")))
    assert errors[0] == errors[1]


def t(lib, *shape):
    return lib.tensor(randn(*shape))


BAD_CALLS = {
    "heads divide embed_dim": lambda lib: lib.nn.MultiheadAttention(10, 3),
    "positive sizes": lambda lib: lib.nn.MultiheadAttention(0, 3),
    "activation": lambda lib: lib.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    "causal needs mask": lambda lib: lib.nn.MultiheadAttention(4, 2)(t(lib, 3, 2, 4),
                                                                     t(lib, 3, 2, 4),
                                                                     t(lib, 3, 2, 4),
                                                                     is_causal=True),
    "3d mask shape": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        t(lib, 3, 2, 4), t(lib, 3, 2, 4), t(lib, 3, 2, 4), attn_mask=t(lib, 2, 3, 3)),
    "2d mask shape": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        t(lib, 3, 2, 4), t(lib, 3, 2, 4), t(lib, 3, 2, 4), attn_mask=t(lib, 2, 3)),
    "query rank": lambda lib: lib.nn.MultiheadAttention(4, 2)(t(lib, 4), t(lib, 4), t(lib, 4)),
    "key rank": lambda lib: lib.nn.MultiheadAttention(4, 2)(t(lib, 3, 2, 4), t(lib, 3, 4),
                                                            t(lib, 3, 2, 4)),
    "src tgt batch": lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)(t(lib, 3, 2, 8),
                                                                    t(lib, 3, 3, 8)),
    "src tgt features": lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)(t(lib, 3, 2, 8),
                                                                       t(lib, 3, 2, 6)),
    "sdpa mask and causal": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        t(lib, 2, 3), t(lib, 2, 3), t(lib, 2, 3), attn_mask=t(lib, 2, 2), is_causal=True),
    "sdpa dtypes": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        t(lib, 2, 3), t(lib, 2, 3).double(), t(lib, 2, 3)),
    "sdpa rank": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        t(lib, 3), t(lib, 3), t(lib, 3)),
}


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_input_raises_torch_message(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(BAD_CALLS[case])
