"""The Triton kernels that tinygrad_edu.compile generates compile for a real GPU (sm_90).

The compile tests run the generated kernels under Triton's interpreter, which forgives what the
compiler rejects (a name bound to two block shapes in the branches of an `if`, a non-constexpr
size). Here the programs of a compiled MLP step, a ConvNet step and a capturable-Adam step are
captured (under the interpreter, as everywhere in the tests), and every generated launch kernel
is then compiled for sm_90 in a fresh process (tests/compile_sm90_check.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as torch
from tinygrad_edu import nn
from tinygrad_edu.compile.horizontal import kernel_signature


def _generated_kernels(model: nn.Module, optimizer: str, shape: tuple[int, ...]) -> list:
    torch.manual_seed(0)
    model = model.to("cuda")
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=0.01, capturable=True)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    compiled = torch.compile(step)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal(shape).astype(np.float32), device="cuda")
    y = torch.tensor(rng.integers(0, 4, shape[0]), device="cuda")
    for _ in range(3):  # two captures, then the program is built
        compiled(x, y)
    program = compiled.program
    assert program is not None
    return [[step.kernel.name, step.kernel.source, kernel_signature(step.kernel, program)]
            for step in program.steps if step.kernel is not None]


@pytest.mark.skipif(importlib.util.find_spec("triton") is None, reason="Triton is not installed")
def test_generated_kernels_compile_for_sm90(tmp_path: Path):
    kernels = (
        _generated_kernels(nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)), "sgd",
                           (6, 8))
        + _generated_kernels(nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                                           nn.MaxPool2d(2), nn.Flatten(),
                                           nn.Linear(4 * 3 * 3, 4)), "sgd", (3, 1, 6, 6))
        + _generated_kernels(nn.Sequential(nn.Linear(8, 4)), "adamw", (6, 8)))
    assert len(kernels) >= 8
    listing = tmp_path / "kernels.json"
    listing.write_text(json.dumps(kernels))
    script = Path(__file__).with_name("compile_sm90_check.py")
    # without TRITON_INTERPRET (conftest sets it for this process): compile, do not interpret
    environment = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    result = subprocess.run([sys.executable, "-W", "ignore", str(script), str(listing)],
                            capture_output=True, text=True, timeout=600, env=environment)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert f"{len(kernels)} generated kernels checked, 0 failed" in result.stdout
