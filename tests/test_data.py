"""utils.data: datasets, samplers, collation and the DataLoader (with and without workers)."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.utils.data as torch_data

import tinygrad_edu
from tinygrad_edu.utils.data import (
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    get_worker_info,
    random_split,
)

Pair = namedtuple("Pair", "x y")


class Records(Dataset):
    """Samples with every structure default_collate handles."""

    def __len__(self) -> int:
        return 23

    def __getitem__(self, i: int) -> dict:
        return {"image": tinygrad_edu.full((2, 3), float(i)), "label": i, "weight": i / 2,
                "name": f"s{i}", "pair": (np.array([i, -i]), Pair(i, 2.0 * i))}


class Failing(Dataset):
    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int) -> int:
        if i == 5:
            raise KeyError("sample 5 is missing")
        return i


class WorkerIds(Dataset):
    def __len__(self) -> int:
        return 6

    def __getitem__(self, i: int) -> tuple[int, int]:
        info = get_worker_info()
        return i, -1 if info is None else info.id


def plain(batch):
    """A batch as nested Python values, for comparing batches across loaders and libraries."""
    if hasattr(batch, "tolist"):
        return ("tensor", str(batch.dtype).split(".")[-1], batch.tolist())
    if isinstance(batch, dict):
        return {key: plain(value) for key, value in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [plain(value) for value in batch])
    return batch


def test_tensor_dataset_and_sequential_batches() -> None:
    x, y = tinygrad_edu.arange(10).float().reshape(5, 2), tinygrad_edu.arange(5)
    dataset = TensorDataset(x, y)
    assert len(dataset) == 5 and dataset[3][0].tolist() == [6.0, 7.0]
    loader = DataLoader(dataset, batch_size=2)
    batches = list(loader)
    assert len(loader) == 3 and [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert batches[0][0].shape == (2, 2)
    assert len(DataLoader(dataset, batch_size=2, drop_last=True)) == 2
    assert [b[1].tolist() for b in DataLoader(dataset, batch_size=2, drop_last=True)] == [
        [0, 1], [2, 3]]
    with pytest.raises(ValueError, match="Size mismatch between tensors"):
        TensorDataset(x, tinygrad_edu.arange(4))


def test_default_collate_matches_pytorch() -> None:
    ours = default_collate([Records()[i] for i in range(3)])
    torch_samples = [{"image": torch.full((2, 3), float(i)), "label": i, "weight": i / 2,
                      "name": f"s{i}", "pair": (np.array([i, -i]), Pair(i, 2.0 * i))}
                     for i in range(3)]
    theirs = torch_data.default_collate(torch_samples)
    assert plain(ours) == plain(theirs)
    assert isinstance(ours["pair"][1], Pair)


def test_default_collate_errors() -> None:
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        default_collate([object(), object()])


def test_shuffle_is_a_seeded_permutation_each_epoch() -> None:
    dataset = TensorDataset(tinygrad_edu.arange(50))
    generator = tinygrad_edu.Generator().manual_seed(7)
    loader = DataLoader(dataset, batch_size=8, shuffle=True, generator=generator)
    epochs = [[i for (batch,) in loader for i in batch.tolist()] for _ in range(2)]
    assert all(sorted(epoch) == list(range(50)) for epoch in epochs)
    assert epochs[0] != epochs[1] and epochs[0] != list(range(50))
    generator.manual_seed(7)
    assert [i for (batch,) in loader for i in batch.tolist()] == epochs[0]
    tinygrad_edu.manual_seed(3)
    first = [b.tolist() for (b,) in DataLoader(dataset, batch_size=8, shuffle=True)]
    tinygrad_edu.manual_seed(3)
    assert [b.tolist() for (b,) in DataLoader(dataset, batch_size=8, shuffle=True)] == first


@pytest.mark.parametrize("num_workers", [1, 3])
def test_workers_give_the_same_batches_in_the_same_order(num_workers: int) -> None:
    def epoch(workers: int) -> list:
        tinygrad_edu.manual_seed(11)
        loader = DataLoader(Records(), batch_size=4, shuffle=True, num_workers=workers)
        return [plain(batch) for batch in loader]

    assert epoch(num_workers) == epoch(0)


def test_worker_info_and_no_batching() -> None:
    assert get_worker_info() is None
    loader = DataLoader(WorkerIds(), batch_size=None, num_workers=2)
    samples = list(loader)
    assert [i for i, _ in samples] == list(range(6))
    assert {worker for _, worker in samples} == {0, 1}
    assert [w for _, w in DataLoader(WorkerIds(), batch_size=None)] == [-1] * 6


@pytest.mark.parametrize("num_workers", [0, 2])
def test_errors_in_samples_reach_the_caller(num_workers: int) -> None:
    loader = DataLoader(Failing(), batch_size=2, num_workers=num_workers)
    with pytest.raises(KeyError, match="sample 5 is missing"):
        list(loader)


def test_subset_concat_and_random_split() -> None:
    dataset = TensorDataset(tinygrad_edu.arange(10))
    assert [x.item() for (x,) in Subset(dataset, [4, 1, 7])] == [4, 1, 7]
    both = ConcatDataset([dataset, Subset(dataset, [9])])
    assert len(both) == 11 and both[10][0].item() == 9 and both[-2][0].item() == 9
    parts = random_split(dataset, [3, 7], generator=tinygrad_edu.Generator().manual_seed(1))
    indices = [part.indices for part in parts]
    assert [len(i) for i in indices] == [3, 7] and sorted(indices[0] + indices[1]) == list(
        range(10))
    same = random_split(dataset, [3, 7], generator=tinygrad_edu.Generator().manual_seed(1))
    assert [part.indices for part in same] == indices
    fractions = random_split(dataset, [0.25, 0.75])
    assert [len(part) for part in fractions] == [3, 7]  # torch gives the remainder to the first
    assert [len(p) for p in torch_data.random_split(range(10), [0.25, 0.75])] == [3, 7]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(dataset, [3, 3])


@pytest.mark.parametrize(("options", "message"), [
    ({"num_workers": -1}, "num_workers option should be non-negative"),
    ({"shuffle": True, "sampler": [0, 1]}, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ({"batch_size": 0}, "batch_size should be a positive integer value"),
    ({"batch_size": None, "drop_last": True}, "mutually exclusive with drop_last"),
])
def test_bad_options_are_refused_like_pytorch(options: dict, message: str) -> None:
    dataset = TensorDataset(tinygrad_edu.arange(4))
    with pytest.raises(ValueError, match=message):
        DataLoader(dataset, **options)
    with pytest.raises(ValueError, match=message):
        torch_data.DataLoader(torch_data.TensorDataset(torch.arange(4)), **options)
