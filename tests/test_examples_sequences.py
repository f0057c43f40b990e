"""The sequence examples learn: a short run of each, its last line and a threshold.

char_lstm must beat the unigram baseline (4.8 bits per character on this corpus) clearly after a
few dozen steps; transformer_translate must already translate most held-out numbers exactly.
Both run the `--quick` settings with a fixed step count (not a time budget), so the result does
not depend on how busy the machine is.
"""

from __future__ import annotations

import re

from test_examples import load_example


def last_line(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_char_lstm_beats_the_unigram_baseline(capsys) -> None:
    bpc = load_example("char_lstm").main(["--quick", "--steps", "60"])
    line = last_line(capsys)
    assert re.fullmatch(r"result: bpc=\d+\.\d{4}", line), line
    assert float(line.split("=")[1]) == round(bpc, 4)
    assert bpc < 3.9  # the unigram baseline is 4.8


def test_transformer_translates_held_out_numbers(capsys) -> None:
    accuracy = load_example("transformer_translate").main(["--quick", "--steps", "60"])
    line = last_line(capsys)
    assert re.fullmatch(r"result: accuracy=\d\.\d{4}", line), line
    assert accuracy >= 0.5


def test_number_words_are_right() -> None:
    in_words = load_example("transformer_translate").in_words
    assert in_words(0) == "zero" and in_words(15) == "fifteen"
    assert in_words(4071) == "four thousand seventy one"
    assert in_words(9999) == "nine thousand nine hundred ninety nine"
    assert in_words(1100) == "one thousand one hundred"
