"""Feeding data to a model (torch.utils.data).

    from tinygrad_edu.utils.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)

dataset.py     Dataset, TensorDataset, Subset, ConcatDataset, random_split
sampler.py     the order of the indices: SequentialSampler, RandomSampler, BatchSampler, ...
collate.py     a list of samples -> one batch (default_collate)
dataloader.py  DataLoader: sampler + batching + collate_fn, in this process or in workers
worker.py      worker processes that keep the order of num_workers=0
"""

from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler
from .worker import WorkerInfo, get_worker_info

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "RandomSampler", "Sampler",
           "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset", "WorkerInfo",
           "default_collate", "default_convert", "get_worker_info", "random_split"]
