"""A pytest plugin that records which differentiable ops each test ran, forward and backward.

The op atlas (docs/_tools/atlas.py) uses it to name, for each op, the tests that really check it,
instead of guessing from test names. Run pytest with `-p op_recorder` (docs/_tools on PYTHONPATH):

    OP_RECORDER_OUTPUT=/tmp/out  python -m pytest tests/test_core_ops_parity.py -p op_recorder

During the call phase of each test the plugin installs a tracer as
`tinygrad_edu.autograd.tracing.Tracing.active` (the hook the visualiser uses). The tracer keeps the
qualified names of the Function classes whose forward ran (`on_forward`) and of those whose
backward node ran (`on_backward`). If another tracer is already installed when a test starts, the
plugin records nothing for that test; a test that installs its own tracer (`viz.trace()` saves and
restores the previous one) simply hides its ops from the recorder while its trace is open.

It also notes which ops ran *inside* another op's forward or backward (a backward formula is
written with Tensor ops): when an op starts, the nearest Function.apply or engine._run_node frame
above it on the Python stack names the op that is running it.

Environment variables:
    OP_RECORDER_OUTPUT        folder for the results: one JSON file per process (xdist workers
                              write `gw0.json`, `gw1.json`, ...; a plain run writes `main.json`)
    OP_RECORDER_SKIP_DEVICES  comma-separated values of a `device` parameter to deselect
                              (e.g. "cuda": the same ops on the Triton backend, much slower)
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from tinygrad_edu.autograd import engine
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.tracing import Tracing

_RESULTS: dict[str, dict[str, Any]] = {}
# "forward" / "backward" -> op -> the ops applied while that op's forward / backward was running
_NESTED: dict[str, dict[str, set[str]]] = {"forward": defaultdict(set),
                                           "backward": defaultdict(set)}
_APPLY_CODE = Function.apply.__func__.__code__
_RUN_NODE_CODE = engine._run_node.__code__


def qualified_name(function: type) -> str:
    """'tinygrad_edu.ops.unary.Exp' for the Exp Function class."""
    return f"{function.__module__}.{function.__qualname__}"


def enclosing_step(apply_frame: FrameType) -> tuple[str, str] | None:
    """("forward" | "backward", op) of the op whose forward or backward called this apply:
    the nearest Function.apply or engine._run_node frame above it; None at the top level."""
    frame = apply_frame.f_back
    while frame is not None:
        if frame.f_code is _APPLY_CODE:
            return "forward", qualified_name(frame.f_locals["cls"])
        if frame.f_code is _RUN_NODE_CODE:
            function = getattr(type(frame.f_locals["node"]), "_function", None)
            return ("backward", qualified_name(function)) if function is not None else None
        frame = frame.f_back
    return None


class OpRecorder:
    """A tracer (see tinygrad_edu/autograd/tracing.py) that remembers which ops ran, and which
    ops ran inside another op's forward or backward."""

    def __init__(self) -> None:
        self.forward: set[str] = set()
        self.backward: set[str] = set()

    def on_forward_begin(self, function: type) -> None:
        step = enclosing_step(sys._getframe(1))  # frame 1: the Function.apply that called us
        if step is not None:
            _NESTED[step[0]][step[1]].add(qualified_name(function))

    def on_forward(self, function: type, node: Any, args: tuple, kwargs: dict, outputs: Any,
                   seconds: float) -> None:
        self.forward.add(qualified_name(function))

    def on_backward_begin(self, node: Any) -> None:
        pass

    def on_backward(self, node: Any, grad_outputs: tuple, grad_inputs: tuple,
                    seconds: float) -> None:
        function = getattr(type(node), "_function", None)  # AccumulateGrad nodes have none
        if function is not None:
            self.backward.add(qualified_name(function))

    def on_accumulate(self, node: Any, output_nr: int, existing: Any, incoming: Any,
                      total: Any) -> None:
        pass


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the test cases whose `device` parameter is listed in OP_RECORDER_SKIP_DEVICES."""
    skipped = {value for value in os.environ.get("OP_RECORDER_SKIP_DEVICES", "").split(",")
               if value}
    if not skipped:
        return
    kept, deselected = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        device = callspec.params.get("device") if callspec is not None else None
        (deselected if device in skipped else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    if Tracing.active is not None:  # someone else is tracing: stay out of the way
        yield
        return
    recorder = OpRecorder()
    Tracing.active = recorder
    try:
        yield
    finally:
        if Tracing.active is recorder:
            Tracing.active = None
        _RESULTS[item.nodeid] = {"forward": sorted(recorder.forward),
                                 "backward": sorted(recorder.backward), "outcome": "unknown"}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.nodeid in _RESULTS:
        _RESULTS[report.nodeid]["outcome"] = report.outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    folder = os.environ.get("OP_RECORDER_OUTPUT")
    if not folder or not _RESULTS:  # the xdist controller runs no test: nothing to write
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = Path(folder) / f"{worker}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    nested = {direction: {op: sorted(inner) for op, inner in ops.items()}
              for direction, ops in _NESTED.items()}
    path.write_text(json.dumps({"tests": _RESULTS, "nested": nested}, indent=0, sort_keys=True),
                    encoding="utf-8")
