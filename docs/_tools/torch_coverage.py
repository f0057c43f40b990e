"""How much of PyTorch's documented API tinygrad_edu has: torch.* functions and Tensor methods.

    .venv/bin/python docs/_tools/torch_coverage.py            the counts
    .venv/bin/python docs/_tools/torch_coverage.py --missing  ... and every name still missing

The reference is the PyTorch installed next to tinygrad_edu (the .venv's torch):

- documented: a public name (no leading underscore) of `dir(torch)` / `dir(torch.Tensor)` that is
  callable, not a class or module, and has a docstring (PyTorch's undocumented internals have
  none); for Tensor methods, dunder operators are left out (they are counted by the ops they
  call).
- targeted: the documented names minus the families tinygrad_edu deliberately does not copy
  (OUT_OF_SCOPE below: quantization, sparse layouts, TorchScript and graph-capture helpers,
  functionalization's *_copy variants, symbolic-shape helpers, process-wide settings of PyTorch's
  C++ runtime, storage and memory-pinning internals, other accelerators).
- have: the targeted names tinygrad_edu has under the same name (`hasattr`).

The comparison page (docs/en/comparison.md) prints the same numbers when the site is built.
"""

from __future__ import annotations

import re
import sys
import textwrap
import types

# (pattern over the name, why tinygrad_edu does not have it): matched with re.fullmatch
OUT_OF_SCOPE: tuple[tuple[str, str], ...] = (
    (r".*quantiz.*|dequantize|q_.*|int_repr|qscheme|.*fake_quant.*", "quantization"),
    (r".*sparse.*|smm|sspaddmm|hspmm|coalesce|is_coalesced|.*indices|values|to_dense|"
     r"dense_dim|crow_.*|col_.*|ccol_.*|row_indices|to_mkldnn|to_padded_tensor", "sparse layouts"),
    (r".*_copy", "functionalization's copying view variants"),
    (r"sym_.*", "symbolic shapes"),
    (r"parse_ir|parse_schema|parse_type_comment|import_ir_module.*|merge_type_from_type_comment|"
     r"unify_type_list|fork|wait|vmap|cond|while_loop|compiled_with_cxx11_abi", "TorchScript, "
     "graph capture and control-flow operators"),
    (r"(set|get|init)_num_(interop_)?threads|.*deterministic.*|.*float32_matmul_precision|"
     r"set_flush_denormal|set_warn_always|is_warn_always_enabled|thread_safe_generator|"
     r"set_default_tensor_type|get_device_module|is_inference.*|hash_tensor", "process-wide "
     "settings of PyTorch's C++ runtime"),
    (r"storage|storage_type|is_storage|is_shared|share_memory_|pin_memory|is_pinned|"
     r"record_stream|set_|is_set_to|from_file|frombuffer|module_load|const_data_ptr|dim_order|"
     r"as_subclass|apply_|map_|resize_|resize_as_|as_strided.*|new_empty_strided|"
     r"empty_strided|empty_permuted|.*dlpack.*|unsafe_.*", "storage and memory internals"),
    (r"ipu|xpu|mtia|to_mkldnn|get_device", "other accelerators"),
    (r"segment_reduce|conv_tbc|native_channel_shuffle|quantized_.*|range|chalf|"
     r"lobpcg|geqrf|orgqr|ormqr", "legacy or specialised kernels"),
)


def _documented(namespace: object) -> list[str]:
    names = []
    for name in dir(namespace):
        if name.startswith("_"):  # private names and dunder operators
            continue
        value = getattr(namespace, name, None)
        if value is None or not callable(value) or isinstance(value, (type, types.ModuleType)):
            continue
        doc = getattr(value, "__doc__", None)
        if doc and len(doc.strip()) >= 20:
            names.append(name)
    return names


def out_of_scope(name: str) -> str | None:
    """Why a name is not targeted, or None when it is."""
    for pattern, reason in OUT_OF_SCOPE:
        if re.fullmatch(pattern, name):
            return reason
    return None


def coverage() -> dict[str, dict[str, list[str]]]:
    """For 'torch' and 'Tensor': documented, targeted, have and missing names."""
    import torch

    import tinygrad_edu

    result = {}
    for label, theirs, ours in (("torch", torch, tinygrad_edu),
                                ("Tensor", torch.Tensor, tinygrad_edu.Tensor)):
        documented = _documented(theirs)
        targeted = [name for name in documented if out_of_scope(name) is None]
        have = [name for name in targeted if hasattr(ours, name)]
        result[label] = {"documented": documented, "targeted": targeted, "have": have,
                         "missing": [name for name in targeted if not hasattr(ours, name)]}
    return result


def report(show_missing: bool = False) -> str:
    import torch

    lines = [f"against PyTorch {torch.__version__}:",
             f"{'':<22}{'documented':>11}{'targeted':>10}{'have':>7}{'share':>8}"]
    found = coverage()
    for label, title in (("torch", "torch.* functions"), ("Tensor", "Tensor methods")):
        counts = found[label]
        share = len(counts["have"]) / len(counts["targeted"])
        lines.append(f"{title:<22}{len(counts['documented']):>11}{len(counts['targeted']):>10}"
                     f"{len(counts['have']):>7}{share:>8.0%}")
    if show_missing:
        for label in ("torch", "Tensor"):
            missing = found[label]["missing"]
            lines.append(f"\nmissing {label} ({len(missing)}):")
            lines.append(textwrap.fill(", ".join(missing), 100))
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(show_missing="--missing" in sys.argv))
