"""Learning-rate schedulers against PyTorch's: the same lr sequence, epoch after epoch."""

from __future__ import annotations

import warnings

import pytest
import torch

import tinygrad_edu
import tinygrad_edu.optim as optim
from tinygrad_edu.optim import lr_scheduler

SCHEDULES = [
    ("StepLR", {"step_size": 3}),
    ("StepLR", {"step_size": 2, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 4}),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 1 / (1 + epoch)}),
    ("LambdaLR", {"lr_lambda": [lambda e: 0.9 ** e, lambda e: 1 + e % 3]}),
]


def lr_sequence(library, name: str, options: dict, epochs: int = 20) -> list[float]:
    module = optim if library is tinygrad_edu else torch.optim
    a, b = (library.zeros(1, requires_grad=True) for _ in range(2))
    optimizer = module.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    scheduler = getattr(module.lr_scheduler, name)(optimizer, **options)
    lrs = [scheduler.get_last_lr()]
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [group["lr"] for group in optimizer.param_groups]
    return [lr for epoch_lrs in lrs for lr in epoch_lrs]


@pytest.mark.parametrize(("name", "options"), SCHEDULES)
def test_lr_sequence_matches_pytorch(name: str, options: dict) -> None:
    ours = lr_sequence(tinygrad_edu, name, options)
    theirs = lr_sequence(torch, name, options)
    assert ours == pytest.approx(theirs, rel=1e-12)
    assert len(set(theirs)) > 2  # the schedule does change the lr


@pytest.mark.parametrize(("name", "options"), SCHEDULES[:6])
def test_explicit_epoch_uses_the_closed_form(name: str, options: dict) -> None:
    results = []
    for library, module in ((tinygrad_edu, optim), (torch, torch.optim)):
        optimizer = module.SGD([library.zeros(1, requires_grad=True)], lr=0.1)
        scheduler = getattr(module.lr_scheduler, name)(optimizer, **options)
        optimizer.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            scheduler.step(7)
        results.append(scheduler.get_last_lr())
    assert results[0] == pytest.approx(results[1], rel=1e-12)


def test_state_dict_round_trip_continues_the_schedule() -> None:
    p = tinygrad_edu.zeros(1, requires_grad=True)
    optimizer = optim.SGD([p], lr=1.0)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=6)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    saved = scheduler.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 3
    fresh_optimizer = optim.SGD([p], lr=1.0)
    fresh_optimizer.load_state_dict(optimizer.state_dict())
    fresh = lr_scheduler.CosineAnnealingLR(fresh_optimizer, T_max=6, last_epoch=2)
    fresh.load_state_dict(saved)
    for schedule, opt in ((scheduler, optimizer), (fresh, fresh_optimizer)):
        opt.step()
        schedule.step()
    assert fresh.get_last_lr() == pytest.approx(scheduler.get_last_lr())


def test_lambda_state_dict_saves_callable_objects_only() -> None:
    class Halving:
        def __init__(self) -> None:
            self.factor = 0.5

        def __call__(self, epoch: int) -> float:
            return self.factor ** epoch

    optimizer = optim.SGD([{"params": [tinygrad_edu.zeros(1, requires_grad=True)]},
                           {"params": [tinygrad_edu.zeros(1, requires_grad=True)]}], lr=1.0)
    scheduler = lr_scheduler.LambdaLR(optimizer, [Halving(), lambda e: 1.0])
    assert scheduler.state_dict()["lr_lambdas"] == [{"factor": 0.5}, None]
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(optimizer, [lambda e: 1.0])


def test_scheduler_stepped_before_optimizer_warns() -> None:
    optimizer = optim.SGD([tinygrad_edu.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
    optimizer = optim.SGD([tinygrad_edu.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1)
    optimizer.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=1)
    optimizer = optim.SGD([tinygrad_edu.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(optimizer, step_size=1, last_epoch=4)
