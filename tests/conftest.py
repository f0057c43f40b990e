"""Shared test set-up: Hypothesis profiles and the devices every parity test runs on.

HYPOTHESIS_PROFILE=dev (default) runs more examples; =ci fewer, so `make test` stays fast on
2 cores.
Tests that take a `device` fixture run once per backend listed in DEVICES.
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from hypothesis import HealthCheck, settings
from tinygrad_edu.kernels.triton_support import use_interpreter_if_no_gpu

settings.register_profile("dev", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# "cuda" is the Triton backend: compiled on a GPU, Triton's interpreter without one (slow: the
# parity tests keep their shapes small). Its tolerances are the parity tests' own: the kernels
# compute in the same precision as the NumPy reference (see tests/test_triton_kernels.py).
DEVICES = ["cpu", "cuda"] if importlib.util.find_spec("triton") else ["cpu"]

# PyTorch's optimizers import Triton (through torch._dynamo) on their first step; whichever test
# runs first in a process, decide the Triton interpreter here, before that can happen.
use_interpreter_if_no_gpu()


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    """The device string ("cpu", later "cuda") a parametrized test runs on."""
    return request.param


def pytest_configure(config: pytest.Config) -> None:
    # the built site in a browser (tests/test_site_browser.py): `make docs` runs them after building
    config.addinivalue_line("markers", "site: needs the built site (make docs runs these)")
