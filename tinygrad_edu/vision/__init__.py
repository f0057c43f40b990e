"""Computer-vision data (torchvision's role): datasets in their official formats and transforms.

    from tinygrad_edu.vision import datasets, transforms
    train = datasets.MNIST("data", train=True, download=True, transform=transforms.ToTensor())

datasets/    MNIST, FashionMNIST, CIFAR10 (downloaded, checked, read from the official files) and
             Digits (scikit-learn's bundled 8x8 digits: works offline)
transforms   Compose, ToTensor, Normalize, Resize, RandomCrop, RandomHorizontalFlip, Lambda
images.py    PIL image <-> NumPy array, and the resampling behind Resize
"""

from . import datasets, transforms

__all__ = ["datasets", "transforms"]
