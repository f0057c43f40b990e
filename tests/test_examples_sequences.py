"""The sequence examples run as a learner runs them, `python examples/X.py --quick ...`, and their
`result:` line must keep the example's promise (as tests/test_examples_quick.py does for the
scenario examples).

To stay within the suite's time budget the runs here are the --quick settings cut to a fixed
number of steps (not a time budget, so the result does not depend on how busy the machine is):
char_lstm must already beat the unigram baseline (4.8 bits per character on this corpus) clearly,
transformer_translate must already translate most held-out numbers exactly. The full --quick
runs (about 45 s and 60 s on 2 cores) and the full runs are measured in README's example table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from test_examples import load_example, pytorch_version

ROOT = Path(__file__).resolve().parent.parent
RESULT = re.compile(r"^result: (?P<name>\w+)=(?P<value>\d+\.\d{4})$")


def run_quick(name: str, *arguments: str) -> tuple[str, float, str]:
    """`python examples/<name>.py --quick ...` with one BLAS thread; (metric, value, output)."""
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), "--quick",
                           *arguments], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    match = RESULT.match(last)
    assert match, f"the last line is not a result line: {last!r}"
    return match["name"], float(match["value"]), done.stdout


def test_char_lstm_beats_the_unigram_baseline_and_samples() -> None:
    name, value, printed = run_quick("char_lstm", "--steps", "60")
    baseline = float(re.search(r"unigram baseline (\S+) bpc", printed)[1])
    assert name == "bpc" and 4.5 < baseline < 5.0
    assert value < baseline - 0.9  # 3.6 to 3.8 after 60 steps; about 2.9 after --quick's 300
    sample = re.search(r"^sample: (.*)", printed, re.MULTILINE | re.DOTALL)[1]
    assert sample.startswith("Return the ") and len(sample) > 100


def test_transformer_translates_held_out_numbers() -> None:
    name, value, printed = run_quick("transformer_translate", "--steps", "60")
    assert name == "accuracy" and value >= 0.5  # 1.0 after --quick's 300 steps
    assert re.search(r"^ *\d+ -> [a-z ]+$", printed, re.MULTILINE)


def test_number_words_are_right() -> None:
    in_words = load_example("transformer_translate").in_words
    assert in_words(0) == "zero" and in_words(15) == "fifteen"
    assert in_words(4071) == "four thousand seventy one"
    assert in_words(9999) == "nine thousand nine hundred ninety nine"
    assert in_words(1100) == "one thousand one hundred"
    assert in_words(40) == "forty" and in_words(118) == "one hundred eighteen"


@pytest.mark.parametrize("name", ["char_lstm", "transformer_translate"])
def test_runs_unchanged_on_pytorch(name: str, capsys) -> None:
    """Only the imports are tinygrad_edu's: with PyTorch's imports the same program runs."""
    pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's nested-tensor notice for padding masks
        value = pytorch_version(name).main(["--quick", "--steps", "3"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert RESULT.match(last) and float(last.split("=")[1]) == round(value, 4)
