"""Printed signatures look like PyTorch's: `set_to_none: bool = True`, never `'bool'`."""

from __future__ import annotations

import inspect

import torch as real_torch

import tinygrad_edu as torch
from tinygrad_edu import nn, optim, viz


def test_zero_grad_signatures_print_as_pytorch() -> None:
    assert (str(inspect.signature(optim.Optimizer.zero_grad))
            == str(inspect.signature(real_torch.optim.Optimizer.zero_grad))
            == "(self, set_to_none: bool = True) -> None")
    assert (str(inspect.signature(nn.Module.zero_grad))
            == str(inspect.signature(real_torch.nn.Module.zero_grad)))
    assert str(inspect.signature(torch.numel)).endswith("-> int")  # not the dtype torch.int


def test_public_api_has_no_string_annotations() -> None:
    functions = [getattr(torch.Tensor, n) for n in dir(torch.Tensor) if not n.startswith("_")]
    functions += [getattr(nn.functional, n) for n in dir(nn.functional) if not n.startswith("_")]
    functions += [optim.SGD.step, optim.Adam.step, nn.Module.to, viz.draw, viz.trace]
    strings = [f"{getattr(f, '__qualname__', f)}: {a!r}" for f in functions
               if inspect.isfunction(f) for a in f.__annotations__.values() if isinstance(a, str)]
    assert strings == []


def test_every_public_tensor_method_has_a_docstring() -> None:
    """The API reference shows each one with its source: what it does, its math, the op."""
    missing = []
    for name in dir(torch.Tensor):
        if name.startswith("_") and name not in ("__init__", "__getitem__", "__setitem__"):
            continue
        attribute = inspect.getattr_static(torch.Tensor, name)
        function = attribute.fget if isinstance(attribute, property) else attribute
        function = getattr(function, "__func__", function)
        if callable(function) and not (getattr(function, "__doc__", None) or "").strip():
            missing.append(name)
    assert missing == []
