"""Compile the kernels that tinygrad_edu.compile generated for a real GPU (sm_90), without one.

    python tests/compile_sm90_check.py KERNELS.json

KERNELS.json lists [name, module source, {parameter: pointer type}] triples (written by
tests/test_compile_sm90.py from programs captured under the interpreter). Each module is imported
in *compiled* mode (this process must not set TRITON_INTERPRET) and its launch kernel compiled
for an NVIDIA sm_90 target: the pieces' device functions, the `if pid < ...` dispatch and every
literal shape must be valid for Triton's compiler, which is stricter than the interpreter.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
import traceback


def main() -> int:
    if os.environ.get("TRITON_INTERPRET", "0") not in ("", "0"):
        print("TRITON_INTERPRET is set: the kernels would be interpreted, not compiled")
        return 2
    from tinygrad_edu.kernels import triton_support
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource, compile

    # define the library's kernels compiled, not interpreted: a piece may call one of its
    # helpers (the cross-entropy loss piece records bad targets with record_bad_values)
    triton_support.gpu_available = lambda: True
    triton_support.prepare_triton()
    target = GPUTarget("cuda", 90, 32)
    with open(sys.argv[1]) as file:
        kernels = json.load(file)
    directory = tempfile.mkdtemp(prefix="tinygrad_edu_sm90_")
    failed = 0
    for number, (name, source, signature) in enumerate(kernels):
        path = os.path.join(directory, f"k{number}_{name}.py")
        with open(path, "w") as file:
            file.write(source)
        try:
            spec = importlib.util.spec_from_file_location(f"k{number}_{name}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            compile(ASTSource(getattr(module, name), signature, {}), target=target)
        except Exception:  # noqa: BLE001 - every compiler error is a finding
            failed += 1
            print(f"FAILED {name}\n{traceback.format_exc()[-1500:]}")
    print(f"{len(kernels)} generated kernels checked, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
