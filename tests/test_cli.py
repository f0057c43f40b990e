"""The tinygrad-edu command line: train writes its plot and checkpoint, errors are clear."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu.cli import build_parser, main
from tinygrad_edu.training.outputs import load_checkpoint


def test_train_writes_plot_history_and_checkpoint(tmp_path: Path, capsys) -> None:
    output = tmp_path / "run"
    code = main(["train", "--model", "mlp", "--dataset", "digits", "--epochs", "2", "--limit",
                 "200", "--batch-size", "32", "--lr", "0.05", "--output", str(output),
                 "--no-progress"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "epoch 2:" in printed and "Test accuracy:" in printed and str(output) in printed
    assert (output / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    history = json.loads((output / "history.json").read_text())
    assert len(history["test_accuracy"]) == 2 and len(history["batch_loss"]) == 2 * 7
    assert history["test_accuracy"][-1] > 50  # an MLP learns Digits quickly
    checkpoint = load_checkpoint(output / "checkpoint.pt")
    assert checkpoint["epoch"] == 2 and "fc1.weight" in checkpoint["model"]
    assert checkpoint["optimizer"]["param_groups"][0]["lr"] == 0.05
    assert not [p for p in output.iterdir() if p.name.startswith(".")]  # no temporary files


def test_same_seed_same_run(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        main(["train", "--model", "mlp", "--epochs", "1", "--limit", "64", "--no-progress",
              "--output", str(tmp_path / name)])
        runs.append(json.loads((tmp_path / name / "history.json").read_text())["batch_loss"])
    assert runs[0] == runs[1]


def test_missing_dataset_is_a_clear_error(tmp_path: Path, capsys) -> None:
    code = main(["train", "--dataset", "mnist", "--data-root", str(tmp_path), "--no-progress",
                 "--output", str(tmp_path / "out")])
    assert code == 1
    assert "Dataset not found" in capsys.readouterr().err


def test_parser_has_subcommands_and_rejects_bad_values() -> None:
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--epochs", "0"])
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--model", "resnet"])
    assert parser.parse_args(["train"]).batch_size == 64


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "tinygrad_edu", "train", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "--batch-size" in result.stdout
