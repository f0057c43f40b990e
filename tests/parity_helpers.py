"""Helpers for the parity tests: lay the same values out in different memory layouts.

`relayout(module, x, layout)` returns a tensor equal to x but stored differently: "permuted" keeps
the values in transposed memory (a non-contiguous view), "strided" keeps every value next to a copy
(stride 2 on the last dim). It works for tinygrad_edu and torch alike and is differentiable, so a
parity test checks that ops read strided inputs correctly, forward and backward.
"""

from __future__ import annotations

from typing import Any

LAYOUTS = ("contiguous", "permuted", "strided")


def relayout(module: Any, x: Any, layout: str) -> Any:
    if layout == "permuted" and x.ndim >= 2:
        order = tuple(reversed(range(x.ndim)))
        return x.permute(order).contiguous().permute(order)
    if layout == "strided" and x.ndim >= 1:
        doubled = module.cat([x.unsqueeze(-1), x.unsqueeze(-1)], -1)  # (..., n, 2)
        return doubled[..., 0]
    return x
