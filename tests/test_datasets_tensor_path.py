"""course.datasets.mnist/fashion_mnist: the lectures' transform takes a tensor path that gives the
same values as torchvision's PIL path, bit for bit (issue 22: loading was most of an epoch)."""
from __future__ import annotations

import pickle

import pytest
import torch
from torchvision import datasets as tvd
from torchvision import transforms as T

from course import datasets

STANDARD = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])


@pytest.mark.parametrize("name, reference", [("mnist", tvd.MNIST), ("fashion_mnist", tvd.FashionMNIST)])
@pytest.mark.parametrize("transform", [STANDARD, T.ToTensor()], ids=["normalised", "to_tensor"])
def test_same_values_as_torchvision(name, reference, transform):
    fast = getattr(datasets, name)(train=False, transform=transform)
    slow = reference(datasets.torchvision_root(name), train=False, transform=transform)
    assert isinstance(fast, reference) and fast._fast() is not None
    for i in (0, 1, 4321, len(slow) - 1):
        (x, y), (x0, y0) = fast[i], slow[i]
        assert x.dtype == x0.dtype and torch.equal(x, x0) and y == y0 and type(y) is int
    loader = torch.utils.data.DataLoader(datasets.subset(fast, 200, seed=3), batch_size=50)
    reference_loader = torch.utils.data.DataLoader(datasets.subset(slow, 200, seed=3), batch_size=50)
    for (xb, yb), (xr, yr) in zip(loader, reference_loader):
        assert torch.equal(xb, xr) and torch.equal(yb, yr)


def test_other_transforms_take_torchvision_path():
    augmented = datasets.mnist(train=False, transform=T.Compose([T.RandomRotation(10), T.ToTensor()]))
    assert augmented._fast() is None and augmented[0][0].shape == (1, 28, 28)
    raw = datasets.mnist(train=False)
    assert raw._fast() is None and type(raw[0][0]).__name__ == "Image"  # PIL, as torchvision gives it
    labels = datasets.mnist(train=False, transform=STANDARD)
    labels.target_transform = lambda y: y + 100
    assert labels._fast() is None and labels[0][1] >= 100
    labels.target_transform, labels.transform = None, T.Compose([T.ToTensor(), T.RandomErasing(p=1.0)])
    assert labels._fast() is None  # a transform set after construction is honoured


def test_picklable_for_spawned_workers():
    data = datasets.mnist(train=False, transform=STANDARD)
    again = pickle.loads(pickle.dumps(data))
    assert type(again) is type(data) and torch.equal(again[5][0], data[5][0])
