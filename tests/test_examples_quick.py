"""The scenario examples (interpretation, game AI, graduating to PyTorch) run as a learner runs
them, `python examples/X.py --quick`, and their `result:` line must meet the example's promise."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "_tools"))

import gallery  # noqa: E402

RESULT = re.compile(r"^result: (?P<name>\w+)=(?P<value>\S+)$")


def run_quick(name: str, folder: Path) -> tuple[str, float, str]:
    """Run the example's --quick mode; return (metric name, value, everything it printed).
    Its picture must still be the one README's gallery shows (docs/assets/gallery/)."""
    done = gallery.run_quick(name, folder)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    match = RESULT.match(last)
    assert match, f"the last line is not a result line: {last!r}"
    # Same size and nearly the same pixels (fonts may render a little differently elsewhere).
    drawn, shown = folder / gallery.PICTURES[name], gallery.FOLDER / f"{name}.png"
    assert gallery.difference(drawn, shown) < 0.02, f"{shown} is stale: run `make gallery`"
    return match["name"], float(match["value"]), done.stdout


def test_interpret_convnet_integrated_gradients_are_complete(tmp_path: Path) -> None:
    name, value, _ = run_quick("interpret_convnet", tmp_path)
    assert name == "ig_completeness_error" and 0 <= value < 0.01


@pytest.mark.skipif(importlib.util.find_spec("gymnasium") is None,
                    reason="gymnasium is not installed (pip install -e '.[examples]')")
def test_dqn_cartpole_learns_beyond_a_random_policy(tmp_path: Path) -> None:
    name, value, _ = run_quick("dqn_cartpole", tmp_path)
    # A random policy averages about 22 per episode on CartPole-v1; the quick run's last 100
    # episodes (early, mostly random ones included) must average clearly more.
    assert name == "avg_return" and value > 40


def test_graduate_to_pytorch_gives_the_same_logits_and_trains_with_ddp(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    name, value, printed = run_quick("graduate_to_pytorch", tmp_path)
    assert name == "max_logit_diff" and value < 1e-4
    spread = re.search(r"replicas differ by at most (\S+) ", printed)
    assert spread and float(spread[1]) == 0.0  # DDP kept the two processes' weights identical
    accuracy = re.search(r"\(gloo\): test accuracy (\S+) %", printed)
    assert accuracy and float(accuracy[1]) > 80
