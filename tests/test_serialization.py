"""torch.save / torch.load: state_dicts and tensors round-trip; unsafe files are refused."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

import tinygrad_edu as te


class _RunsCode:
    """A pickle that calls print() when loaded: what weights_only must refuse."""

    def __reduce__(self):
        return (print, ("this ran while loading",))


def test_state_dict_round_trip_restores_the_model(tmp_path) -> None:
    te.manual_seed(0)
    model = te.nn.Sequential(te.nn.Linear(3, 4), te.nn.ReLU(), te.nn.Linear(4, 2))
    path = tmp_path / "model.pt"
    te.save(model.state_dict(), path)
    fresh = te.nn.Sequential(te.nn.Linear(3, 4), te.nn.ReLU(), te.nn.Linear(4, 2))
    assert repr(fresh.load_state_dict(te.load(path))) == "<All keys matched successfully>"
    x = te.randn(5, 3)
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def test_tensors_keep_dtype_grad_flag_and_nesting() -> None:
    buffer = io.BytesIO()
    weights = te.nn.Parameter(te.ones(2, 2))
    te.save({"steps": 3, "items": [te.arange(4), te.tensor([1.5], dtype=te.float64)],
             "weights": weights}, buffer)
    buffer.seek(0)
    loaded = te.load(buffer)
    assert loaded["steps"] == 3
    assert loaded["items"][0].dtype == te.int64 and loaded["items"][0].tolist() == [0, 1, 2, 3]
    assert loaded["items"][1].dtype == te.float64
    assert isinstance(loaded["weights"], te.nn.Parameter) and loaded["weights"].requires_grad


def test_map_location_moves_tensors(tmp_path) -> None:
    path = tmp_path / "t.pt"
    te.save({"x": te.ones(3)}, path)
    assert str(te.load(path, map_location="cpu")["x"].device) == "cpu"
    with pytest.raises(RuntimeError):
        te.load(path, map_location="tpu")


def test_weights_only_refuses_code_and_weights_only_false_runs_it(tmp_path, capsys) -> None:
    path = tmp_path / "unsafe.pt"
    path.write_bytes(pickle.dumps(_RunsCode()))
    with pytest.raises(pickle.UnpicklingError, match="unsupported global builtins.print"):
        te.load(path)
    assert capsys.readouterr().out == ""
    te.load(path, weights_only=False)
    assert "this ran while loading" in capsys.readouterr().out


def test_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="No such file or directory"):
        te.load(tmp_path / "absent.pt")
