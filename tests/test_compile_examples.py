"""tinygrad_edu.compile on the example programs' own models, losses and optimizers.

Each example's training step (zero_grad, forward, loss, backward, step) runs 20 times eagerly and
20 times compiled from the same seed and batches: the losses, the parameters and their gradients
agree within 1e-6. Steps that capture can replay (cifar10's ConvNet with SGD, the speech model's
BatchNorm with SGD); steps that capture cannot replay fall back to eager mode with one warning and
still agree: Adam's step count changes every call, dropout draws new random numbers every call.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as torch
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import functional as F

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STEPS = 20


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"compile_example_{name}",
                                                  EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _linear_regression():
    model = _example("linear_regression").LinearRegression()
    return model, optim.Adam(model.parameters(), lr=0.01), nn.MSELoss(), (8, 1), None


def _convnet():
    model = _example("convnet").Net()  # dropout in training mode
    return (model, optim.SGD(model.parameters(), lr=0.01, momentum=0.9), F.nll_loss,
            (1, 1, 28, 28), 10)


def _cifar10():
    model = _example("cifar10").Net()
    return (model, optim.SGD(model.parameters(), lr=0.001, momentum=0.9), nn.CrossEntropyLoss(),
            (2, 3, 32, 32), 10)


def _speech_digits(optimizer: str):
    model = _example("speech_digits").Net()  # BatchNorm: running statistics updated in place
    opt = (optim.Adam(model.parameters(), lr=3e-3) if optimizer == "adam"
           else optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
    return model, opt, nn.CrossEntropyLoss(), (3, 1, 32, 32), 10


CASES = {"linear_regression": (_linear_regression, False), "convnet": (_convnet, False),
         "cifar10": (_cifar10, True), "speech_digits": (lambda: _speech_digits("adam"), False),
         "speech_digits_sgd": (lambda: _speech_digits("sgd"), True)}


def _train(make, batches, compiled: bool):
    torch.manual_seed(0)
    model, optimizer, criterion, _, _ = make()

    def step(x, y):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    run = torch.compile(step) if compiled else step
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        losses = [run(x, y).item() for x, y in batches]
    fell_back = [w for w in caught if "runs eagerly" in str(w.message)]
    return model, losses, run, fell_back


@pytest.mark.parametrize("name", list(CASES))
def test_compiled_example_step_equals_eager(name: str) -> None:
    make, replays = CASES[name]
    _, _, _, shape, classes = make()
    rng = np.random.default_rng(0)
    batches = []
    for _ in range(STEPS):
        x = torch.tensor(rng.standard_normal(shape).astype(np.float32))
        y = (torch.tensor(rng.integers(0, classes, shape[0])) if classes
             else torch.tensor(rng.standard_normal(shape).astype(np.float32)))
        batches.append((x, y))
    eager_model, eager_losses, _, _ = _train(make, batches, compiled=False)
    model, losses, compiled, fell_back = _train(make, batches, compiled=True)
    np.testing.assert_allclose(losses, eager_losses, atol=1e-6)
    for p, q in zip(eager_model.parameters(), model.parameters()):
        np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), atol=1e-6)
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), atol=1e-6)
    for p, q in zip(eager_model.buffers(), model.buffers()):  # BatchNorm's running statistics
        np.testing.assert_allclose(q.numpy(), p.numpy(), atol=1e-6)
    if replays:
        assert compiled.program is not None and not fell_back
    else:
        assert compiled.program is None and len(fell_back) == 1  # one warning, then eager
