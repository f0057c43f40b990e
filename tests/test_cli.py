"""The tinygrad-edu command line: train writes its plot and checkpoint, errors are clear."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
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
    error = capsys.readouterr().err
    assert "Dataset not found" in error
    assert "pass --download" in error.lower() and "download=True" not in error  # a flag to type


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


@pytest.mark.skipif(importlib.util.find_spec("triton") is None,
                    reason="device cuda is the Triton backend, which needs triton")
def test_train_on_the_triton_backend_and_evaluate_its_checkpoint_on_cpu(tmp_path: Path) -> None:
    # Without a GPU the kernels run in Triton's interpreter: one step on 2 images takes ~20 s.
    from tinygrad_edu.training.data import load_split
    from tinygrad_edu.training.loop import evaluate
    from tinygrad_edu.training.models import ConvNet
    from tinygrad_edu.utils.data import DataLoader

    output = tmp_path / "cuda"
    assert main(["train", "--device", "cuda", "--limit", "2", "--batch-size", "2", "--epochs", "1",
                 "--no-progress", "--output", str(output)]) == 0
    history = json.loads((output / "history.json").read_text())
    model = ConvNet()
    model.load_state_dict(load_checkpoint(output / "checkpoint.pt")["model"])
    test_images = DataLoader(load_split("digits", "data", False, False, limit=2), batch_size=2)
    test_loss, accuracy = evaluate(model, test_images, "cpu")
    assert test_loss == pytest.approx(history["test_loss"][0], rel=1e-4)
    assert accuracy == history["test_accuracy"][0]


def test_lr_decay_shrinks_the_learning_rate_each_epoch(tmp_path: Path) -> None:
    main(["train", "--model", "mlp", "--epochs", "3", "--limit", "64", "--lr", "0.1",
          "--lr-decay", "0.5", "--no-progress", "--output", str(tmp_path)])
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])
    assert load_checkpoint(tmp_path / "checkpoint.pt")["scheduler"]["last_epoch"] == 3


def test_random_crop_shifts_training_images_only() -> None:
    from tinygrad_edu import manual_seed
    from tinygrad_edu.training.data import load_split

    manual_seed(0)
    plain = load_split("digits", "data", True, False, limit=20)
    shifted = load_split("digits", "data", True, False, limit=20, crop_padding=2)
    background = plain[0][0].min().item()  # a 0 pixel after Normalize
    moved = 0
    for index in range(20):
        image, crop = plain[index][0].numpy()[0], shifted[index][0].numpy()[0]
        padded = np.pad(image, 2, constant_values=background)
        offsets = [(top, left) for top in range(5) for left in range(5)
                   if np.allclose(padded[top:top + 28, left:left + 28], crop)]
        assert offsets, f"image {index} is not a shift of the original by at most 2 pixels"
        moved += (2, 2) not in offsets
    assert moved > 10  # most images moved (1 in 25 stays in place by chance)
    test_plain = load_split("digits", "data", False, False, limit=3)
    test_asked_to_crop = load_split("digits", "data", False, False, limit=3, crop_padding=2)
    for index in range(3):
        assert test_asked_to_crop[index][0].tolist() == test_plain[index][0].tolist()


def test_parser_rejects_bad_training_aids() -> None:
    parser = build_parser()
    for bad in (["--lr-decay", "0"], ["--lr-decay", "1.5"], ["--random-crop", "-1"]):
        with pytest.raises(SystemExit):
            parser.parse_args(["train", *bad])
