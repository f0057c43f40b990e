"""Which tests ran each op, for the op atlas: one recorded pytest run, cached by a source hash.

The pytest plugin op_recorder.py records, per test case, which Function classes ran forward and
backward. record_tests runs the files of RECORDED_TEST_FILES once (their cpu cases, two xdist
workers); recorded_tests caches the merged result in docs/_generated/ under a hash of the sources
of tests/, tinygrad_edu/ and kernels/, so later builds read it back at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from atlas_code import PACKAGE, ROOT

TOOLS = Path(__file__).resolve().parent
CACHE_DIR = ROOT / "docs" / "_generated"


# The test files whose cases are recorded: those that compare ops, layers, losses and optimizers
# against PyTorch (forward values and gradients), plus the autograd engine's tests.
RECORDED_TEST_FILES: tuple[str, ...] = (
    "tests/test_core_ops_parity.py",
    "tests/test_core_movement_parity.py",
    "tests/test_core_autograd.py",
    "tests/test_core_tensor.py",
    "tests/test_nn_layers.py",
    "tests/test_nn_conv_pool.py",
    "tests/test_nn_losses.py",
    "tests/test_nn_fused_ops.py",
    "tests/test_nn_module.py",
    "tests/test_nn_errors_init_utils.py",
    "tests/test_optim.py",
    "tests/test_training_parity.py",
)
SKIPPED_DEVICES = "cuda"  # the same ops again on the Triton backend (its interpreter is slow)
HASHED_SOURCES = ("tests", PACKAGE, "kernels")




# ----------------------------------------------------------------------------------------------
# The tests: recorded once by op_recorder.py, cached
# ----------------------------------------------------------------------------------------------


def sources_key() -> str:
    """A hash of every .py file under tests/, tinygrad_edu/, kernels/ and of the recorder."""
    digest = hashlib.sha256()
    digest.update(repr((RECORDED_TEST_FILES, SKIPPED_DEVICES)).encode())
    paths = [path for folder in HASHED_SOURCES for path in (ROOT / folder).rglob("*.py")]
    paths.append(TOOLS / "op_recorder.py")
    for path in sorted(paths):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def record_tests() -> dict[str, Any]:
    """Run the recorded test files with the op_recorder plugin; merge the workers' results."""
    with tempfile.TemporaryDirectory(prefix="tge-op-recorder-") as output:
        environment = dict(os.environ)
        environment.update({
            "PYTHONPATH": os.pathsep.join(filter(None, [str(TOOLS), str(ROOT),
                                                        os.environ.get("PYTHONPATH")])),
            "HYPOTHESIS_PROFILE": "ci", "OP_RECORDER_OUTPUT": output,
            "OP_RECORDER_SKIP_DEVICES": SKIPPED_DEVICES})
        command = [sys.executable, "-m", "pytest", *RECORDED_TEST_FILES, "-p", "op_recorder",
                   "-n", "2", "-q", "-p", "no:cacheprovider", "-W", "ignore"]
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True,
                                text=True, timeout=900, check=False)
        seconds = time.perf_counter() - started
        if result.returncode not in (0, 1):  # 1: some tests failed (they just do not count)
            raise RuntimeError(f"recording the op tests failed ({result.returncode}):\n"
                               f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        tests: dict[str, Any] = {}
        nested: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for path in sorted(Path(output).glob("*.json")):  # one file per xdist worker
            worker = json.loads(path.read_text(encoding="utf-8"))
            tests.update(worker["tests"])
            for direction, ops in worker.get("nested", {}).items():
                for op, inner in ops.items():
                    nested[direction][op].update(inner)
    return {"files": list(RECORDED_TEST_FILES), "seconds": round(seconds, 1), "tests": tests,
            "nested": {direction: {op: sorted(inner) for op, inner in sorted(ops.items())}
                       for direction, ops in sorted(nested.items())}}


@lru_cache(maxsize=1)
def recorded_tests() -> dict[str, Any]:
    """The recording for the current sources: read from docs/_generated/, or made and stored.

    Inside a pytest session (tests/test_docs.py runs every page) nothing is recorded, so a test
    never starts a second, nested test run: the atlas then leaves its test lists out."""
    key = sources_key()
    path = CACHE_DIR / f"op_tests-{key}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    if "PYTEST_CURRENT_TEST" in os.environ:
        return {"unavailable": True, "tests": {}}
    recording = record_tests()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for old in CACHE_DIR.glob("op_tests-*.json"):
        old.unlink(missing_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(recording, indent=1, sort_keys=True), encoding="utf-8")
    partial.replace(path)
    return recording


@dataclass
class TestFunctionUse:
    """The cases of one test function that ran an op."""

    function: str  # node id without the parameter part
    forward: list[str] = field(default_factory=list)  # parameter ids ("" for no parameters)
    backward: list[str] = field(default_factory=list)
    specificity: int = 10**6  # fewest ops any of its cases ran: small = a focused test


def tests_by_op(recording: dict[str, Any]) -> dict[str, list[TestFunctionUse]]:
    """Qualified op name -> the test functions that ran it: those that ran its backward first,
    then by file (RECORDED_TEST_FILES lists the parity files first), then the most focused."""
    uses: dict[str, dict[str, TestFunctionUse]] = defaultdict(dict)
    for node_id, record in sorted(recording.get("tests", {}).items()):
        if record.get("outcome", "passed") != "passed":
            continue
        function, _, parameters = node_id.partition("[")
        parameters = parameters[:-1] if parameters.endswith("]") else parameters
        ran = len(set(record.get("forward", [])) | set(record.get("backward", [])))
        for direction in ("forward", "backward"):
            for op in record.get(direction, []):
                use = uses[op].setdefault(function, TestFunctionUse(function))
                getattr(use, direction).append(parameters)
                use.specificity = min(use.specificity, ran)
    def rank(use: TestFunctionUse) -> tuple:  # backward tested, then the parity files first
        path = use.function.split("::")[0]
        order = RECORDED_TEST_FILES.index(path) if path in RECORDED_TEST_FILES else len(
            RECORDED_TEST_FILES)
        return (not use.backward, order, use.specificity, use.function)

    return {op: sorted(functions.values(), key=rank) for op, functions in uses.items()}
