"""DataLoader: iterate over a dataset in (shuffled) batches, optionally loaded in parallel.

    loader = DataLoader(dataset, batch_size=64, shuffle=True, num_workers=2)
    for images, labels in loader:       # one epoch; a new shuffle order every epoch
        ...

Three pieces cooperate, each replaceable:
    sampler        which index comes next (SequentialSampler, or RandomSampler when shuffle=True)
    batch_sampler  groups indices into batches of batch_size (drop_last drops a short last one)
    collate_fn     turns a list of samples into one batch (default_collate stacks tensors)
With num_workers > 0 the samples are fetched and collated in worker processes (see worker.py),
and the batches still arrive in the same order with the same contents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ...creation import randint
from ...random import Generator
from .collate import default_collate, default_convert
from .dataset import Dataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .worker import MultiProcessIterator


class DataLoader:
    """torch.utils.data.DataLoader for map-style datasets: same arguments and defaults.

    pin_memory and persistent_workers are accepted for compatibility; they only change speed in
    PyTorch, and here workers are started afresh each epoch and memory is never pinned.
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False):
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else (
                SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn or (default_collate if self._auto_collation
                                         else default_convert)
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers > 0 else (
            prefetch_factor)
        self.persistent_workers = persistent_workers

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Iterable:
        """What one epoch iterates: lists of indices (batching) or single indices."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> Iterator[Any]:
        # Drawn with or without workers (as PyTorch does), so that the shuffle order that follows
        # is the same for every num_workers.
        base_seed = int(randint(0, 2 ** 62, (1,), generator=self.generator).item())
        if self.num_workers == 0:
            return self._single_process_epoch()
        return MultiProcessIterator(self, base_seed)

    def _single_process_epoch(self) -> Iterator[Any]:
        for indices in self._index_sampler:
            if self._auto_collation:
                yield self.collate_fn([self.dataset[i] for i in indices])
            else:
                yield self.collate_fn(self.dataset[indices])

    def __len__(self) -> int:
        return len(self._index_sampler)  # type: ignore[arg-type]


def _check_worker_options(num_workers: int, timeout: float, prefetch_factor: int | None,
                          persistent_workers: bool) -> None:
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
