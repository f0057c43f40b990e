"""Datasets in their official formats (torchvision.datasets), plus the offline Digits set.

mnist.py     MNIST, FashionMNIST (idx files)      cifar.py    CIFAR10 (pickled batches)
digits.py    Digits (scikit-learn's 8x8 digits)    download.py md5-checked, atomic downloads
"""

from .cifar import CIFAR10
from .digits import Digits
from .mnist import MNIST, FashionMNIST

__all__ = ["CIFAR10", "MNIST", "Digits", "FashionMNIST"]
