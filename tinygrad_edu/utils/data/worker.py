"""Loading batches in worker processes, delivered in exactly the order num_workers=0 gives.

    main process                                  worker k (of n)
    batch i's indices --index_queues[i % n]-->    samples = [dataset[j] for j in indices]
    reorder by i, yield   <----result_queue----   (i, collate_fn(samples))

The main process keeps up to prefetch_factor * n batches in flight. Workers finish out of order,
so results wait in a dictionary until every earlier batch has been yielded: the batches and their
order never depend on the number of workers. Each worker seeds tinygrad_edu's default generator
(and Python's `random`) with base_seed + worker id, so random transforms differ between workers
but are reproducible; get_worker_info() tells a dataset which worker it is running in.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ...random import default_generator

_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker process knows about itself (None in the main process)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """This worker's id, count, seed and dataset copy; None outside worker processes."""
    return _worker_info


@dataclass
class _Failure:
    """An exception raised in a worker, carried back to the main process as text."""

    worker_id: int
    exception_type: type
    formatted: str

    def reraise(self) -> None:
        message = (f"Caught {self.exception_type.__name__} in DataLoader worker process "
                   f"{self.worker_id}.\nOriginal {self.formatted}")
        try:
            error = self.exception_type(message)
        except Exception:  # an exception type that cannot be built from one string
            error = RuntimeError(message)
        raise error


def _fetch(dataset: Any, indices: Any, collate_fn: Callable, auto_collation: bool) -> Any:
    if auto_collation:
        return collate_fn([dataset[i] for i in indices])
    return collate_fn(dataset[indices])


def _worker_loop(dataset: Any, index_queue: Any, result_queue: Any, collate_fn: Callable,
                 auto_collation: bool, worker_id: int, num_workers: int, seed: int,
                 worker_init_fn: Callable[[int], None] | None) -> None:
    """Run in a worker process: fetch the batches it is sent until it receives None."""
    global _worker_info
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    default_generator.manual_seed(seed)
    random.seed(seed)
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception as error:
        result_queue.put((None, _Failure(worker_id, type(error), traceback.format_exc())))
        return
    while True:
        task = index_queue.get()
        if task is None:
            break
        number, indices = task
        try:
            result = _fetch(dataset, indices, collate_fn, auto_collation)
        except Exception as error:
            result = _Failure(worker_id, type(error), traceback.format_exc())
        result_queue.put((number, result))


class MultiProcessIterator:
    """One epoch of a DataLoader, loaded by num_workers processes."""

    def __init__(self, loader: Any, base_seed: int):
        self._shut_down, self._workers, self._index_queues = False, [], []
        self._loader = loader
        self._batches = iter(loader._index_sampler)
        self._timeout = loader.timeout
        context = loader.multiprocessing_context
        if context is None or isinstance(context, str):
            context = multiprocessing.get_context(context)
        count = loader.num_workers
        self._index_queues = [context.Queue() for _ in range(count)]
        self._result_queue = context.Queue()
        for worker_id in range(count):
            process = context.Process(
                target=_worker_loop, daemon=True,
                args=(loader.dataset, self._index_queues[worker_id], self._result_queue,
                      loader.collate_fn, loader._auto_collation, worker_id, count,
                      base_seed + worker_id, loader.worker_init_fn))
            process.start()
            self._workers.append(process)
        self._sent = 0
        self._next = 0
        self._waiting: dict[int, Any] = {}
        for _ in range(loader.prefetch_factor * count):
            self._send_one()

    def __iter__(self) -> Iterator[Any]:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def _send_one(self) -> None:
        indices = next(self._batches, None)
        if indices is None:
            return
        self._index_queues[self._sent % len(self._workers)].put((self._sent, indices))
        self._sent += 1

    def __next__(self) -> Any:
        if self._next == self._sent:
            self._shutdown()
            raise StopIteration
        while self._next not in self._waiting:
            number, result = self._receive()
            if number is None:
                self._shutdown()
                result.reraise()
            self._waiting[number] = result
        result = self._waiting.pop(self._next)
        self._next += 1
        self._send_one()
        if isinstance(result, _Failure):
            self._shutdown()
            result.reraise()
        return result

    def _receive(self) -> tuple[int | None, Any]:
        """The next result from any worker, checking that the workers are still alive."""
        waited = 0.0
        while True:
            try:
                return self._result_queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                waited += _POLL_SECONDS
            dead = [w for w in self._workers if not w.is_alive()]
            if dead:
                self._shutdown()
                pids = ", ".join(str(w.pid) for w in dead)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")
            if self._timeout > 0 and waited >= self._timeout:
                self._shutdown()
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def _shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        for index_queue in self._index_queues:
            index_queue.put(None)
        for worker in self._workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
        for q in (*self._index_queues, self._result_queue):
            q.cancel_join_thread()
            q.close()

    def __del__(self) -> None:
        self._shutdown()
