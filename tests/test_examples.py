"""The example programs run, on small settings, and behave like the same code on PyTorch."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def pytorch_version(name: str):
    """The example with its tinygrad_edu imports turned back into PyTorch's (the only change)."""
    source = (EXAMPLES / f"{name}.py").read_text()
    for ours, theirs in PYTORCH_IMPORTS:
        source = source.replace(ours, theirs)
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not [line for line in imports if "tinygrad_edu" in line]
    module = type(sys)(f"pytorch_{name}")
    exec(compile(source, f"pytorch_{name}.py", "exec"), module.__dict__)  # noqa: S102
    return module


PYTORCH_IMPORTS = [("import tinygrad_edu as torch", "import torch"),
                   ("tinygrad_edu.utils.data", "torch.utils.data"), ("tinygrad_edu.", "torch.")]


@pytest.mark.parametrize("seed", [0, 1])
def test_linear_regression_learns_the_line(seed: int) -> None:
    # Adam moves each weight by at most ~lr = 0.01 per step, from a start in [-1, 1]; the
    # example's 100 epochs (800 steps) leave the fit at the noise floor (0.05 ** 2 = 0.0025).
    weight, bias, loss = load_example("linear_regression").train(epochs=100, seed=seed)
    assert weight == pytest.approx(2.0, abs=0.03) and bias == pytest.approx(-1.0, abs=0.03)
    assert loss < 0.004


def test_linear_regression_runs_unchanged_on_pytorch() -> None:
    pytest.importorskip("torch")
    weight, bias, loss = pytorch_version("linear_regression").train(epochs=100)
    assert weight == pytest.approx(2.0, abs=0.03) and bias == pytest.approx(-1.0, abs=0.03)
    assert loss < 0.004


def test_convnet_is_the_classic_architecture_and_trains() -> None:
    example = load_example("convnet")
    ours = {k: tuple(v.shape) for k, v in example.Net().state_dict().items()}
    assert ours == {"conv1.weight": (32, 1, 3, 3), "conv1.bias": (32,),
                    "conv2.weight": (64, 32, 3, 3), "conv2.bias": (64,),
                    "fc1.weight": (128, 9216), "fc1.bias": (128,),
                    "fc2.weight": (10, 128), "fc2.bias": (10,)}
    from tinygrad_edu.training.models import ConvNet

    assert {k: tuple(v.shape) for k, v in ConvNet().state_dict().items()} == ours
    accuracy = example.main(["--epochs", "1", "--limit", "128", "--batch-size", "32"])
    assert 0 <= accuracy <= 100


def test_cifar10_reports_missing_files(tmp_path: Path, capsys) -> None:
    assert load_example("cifar10").main(["--root", str(tmp_path)]) is None
    assert "data_batch_1 is missing" in capsys.readouterr().err


def test_cifar10_trains_on_local_files(tmp_path: Path) -> None:
    import pickle

    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {"data": rng.integers(0, 256, (20, 3072), dtype=np.uint8),
                 "labels": rng.integers(0, 10, 20).tolist()}
        (folder / name).write_bytes(pickle.dumps(batch))
    accuracy = load_example("cifar10").main(["--root", str(tmp_path), "--epochs", "1",
                                             "--num-workers", "1"])
    assert 0 <= accuracy <= 100


def test_speech_digits_quick_learns_the_synthetic_words(capsys) -> None:
    # 10 chance-level classes; --quick (400 synthetic clips, 4 epochs) reaches about 0.86
    accuracy = load_example("speech_digits").main(["--quick"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert "SYNTHETIC" in lines[0]
    assert lines[-1] == f"result: accuracy={accuracy:.4f}"
    assert accuracy >= 0.6
