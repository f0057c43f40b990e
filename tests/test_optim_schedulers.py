"""LinearLR, SequentialLR, CosineAnnealingWarmRestarts, OneCycleLR, ReduceLROnPlateau,
ConstantLR, PolynomialLR, MultiplicativeLR and ChainedScheduler against PyTorch's: the same lr (and
momentum) sequence, step after step; PyTorch's errors."""

from __future__ import annotations

import warnings

import pytest
import torch

import tinygrad_edu
import tinygrad_edu.optim as optim


def make_optimizer(library, name: str = "SGD"):
    module = optim if library is tinygrad_edu else torch.optim
    a, b = (library.zeros(1, requires_grad=True) for _ in range(2))
    groups = [{"params": [a]}, {"params": [b], "lr": 0.5}]
    if name == "SGD":
        return module, module.SGD(groups, lr=0.1, momentum=0.9)
    return module, getattr(module, name)(groups, lr=0.1)


def schedule(library, make, steps: int = 25, optimizer_name: str = "SGD",
             metrics: list[float] | None = None) -> list:
    """Every group's (lr, momentum or beta1) after construction and after each step."""
    module, optimizer = make_optimizer(library, optimizer_name)
    scheduler = make(module.lr_scheduler, optimizer)

    def record() -> list:
        return [value for group in optimizer.param_groups for value in
                (group["lr"], group.get("momentum", group.get("betas", (None,))[0]))]

    seen = [record()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for step in range(steps):
            optimizer.step()
            if metrics is None:
                scheduler.step()
            else:
                scheduler.step(metrics[step])
            seen.append(record())
            assert scheduler.get_last_lr() == [group["lr"] for group in optimizer.param_groups]
    return seen


SCHEDULES = {
    "linear": lambda s, o: s.LinearLR(o),
    "linear_decay": lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=7),
    "warm_restarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=4),
    "warm_restarts_mult": lambda s, o: s.CosineAnnealingWarmRestarts(o, 3, T_mult=2,
                                                                     eta_min=0.01),
    "one_cycle": lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=25),
    "one_cycle_linear_3": lambda s, o: s.OneCycleLR(o, max_lr=[1.0, 2.0], epochs=5,
                                                    steps_per_epoch=5, anneal_strategy="linear",
                                                    three_phase=True, pct_start=0.25),
    "one_cycle_fixed_momentum": lambda s, o: s.OneCycleLR(o, 0.3, 25, cycle_momentum=False),
    "constant": lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=4),
    "polynomial": lambda s, o: s.PolynomialLR(o, total_iters=8, power=2.0),
    "multiplicative": lambda s, o: s.MultiplicativeLR(o, [lambda e: 0.9, lambda e: 1 - e / 50]),
    "chained": lambda s, o: s.ChainedScheduler([s.ConstantLR(o, 0.2, 3),
                                                s.ExponentialLR(o, gamma=0.9)]),
    "sequential_constant": lambda s, o: s.SequentialLR(
        o, [s.ConstantLR(o, 0.1, 10), s.PolynomialLR(o, 10, 0.5)], milestones=[4]),
    "sequential": lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.1, total_iters=4), s.ExponentialLR(o, gamma=0.8)],
        milestones=[5]),
    "sequential_three": lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, 0.5, 0.5, 2), s.CosineAnnealingLR(o, T_max=6),
            s.StepLR(o, step_size=3, gamma=0.5)], milestones=[3, 12]),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_matches_pytorch(name: str) -> None:
    make = SCHEDULES[name]
    ours = schedule(tinygrad_edu, make)
    theirs = schedule(torch, make)
    assert [v for step in ours for v in step] == pytest.approx([v for step in theirs for v in step],
                                                               rel=1e-12)
    assert len({step[0] for step in theirs}) > 1  # the schedule does change the lr


def test_one_cycle_cycles_adams_beta1() -> None:
    def make(s, o):
        return s.OneCycleLR(o, max_lr=0.01, total_steps=20, base_momentum=0.8)

    ours = schedule(tinygrad_edu, make, steps=20, optimizer_name="Adam")
    theirs = schedule(torch, make, steps=20, optimizer_name="Adam")
    assert [v for step in ours for v in step] == pytest.approx([v for step in theirs for v in step],
                                                               rel=1e-12)


def test_warm_restarts_fractional_epochs_match_pytorch() -> None:
    lrs = []
    for library in (tinygrad_edu, torch):
        module, optimizer = make_optimizer(library)
        scheduler = module.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=3)
        seen = []
        for epoch in range(10):
            for batch in range(3):
                scheduler.step(epoch + batch / 3)
                seen.append(scheduler.get_last_lr())
        lrs.append(seen)
    assert sum(lrs[0], []) == pytest.approx(sum(lrs[1], []), rel=1e-12)


METRICS = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.9, 0.89, 0.9, 0.9, 0.9, 0.9, 0.8, 0.81, 0.82, 0.83,
           0.84, 0.85, 0.9, 0.9]


@pytest.mark.parametrize("options", [
    {"patience": 2},
    {"patience": 1, "factor": 0.5, "cooldown": 2, "min_lr": [0.02, 0.1]},
    {"mode": "max", "patience": 0, "threshold": 0.05, "threshold_mode": "abs", "min_lr": 1e-3},
    {"patience": 1, "threshold": 0.1, "eps": 0.05},
])
def test_reduce_on_plateau_matches_pytorch(options: dict) -> None:
    def make(s, o):
        return s.ReduceLROnPlateau(o, **options)

    ours = schedule(tinygrad_edu, make, steps=len(METRICS), metrics=METRICS)
    theirs = schedule(torch, make, steps=len(METRICS), metrics=METRICS)
    assert [v for step in ours for v in step] == pytest.approx([v for step in theirs for v in step],
                                                               rel=1e-12)
    assert theirs[-1] != theirs[0]


def test_reduce_on_plateau_takes_a_tensor_metric_and_saves_its_state() -> None:
    _, optimizer = make_optimizer(tinygrad_edu)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0)
    scheduler.step(tinygrad_edu.tensor(1.0))
    scheduler.step(tinygrad_edu.tensor(2.0))
    assert scheduler.get_last_lr() == pytest.approx([0.01, 0.05])
    state = scheduler.state_dict()
    assert "optimizer" not in state and state["best"] == 1.0
    _, other_optimizer = make_optimizer(tinygrad_edu)
    other = optim.lr_scheduler.ReduceLROnPlateau(other_optimizer)
    other.load_state_dict(state)
    assert other.patience == 0 and other.best == 1.0


@pytest.mark.parametrize(("make", "error", "message"), [
    (lambda s, o: s.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor"),
    (lambda s, o: s.LinearLR(o, end_factor=1.5), ValueError, "Ending multiplicative factor"),
    (lambda s, o: s.SequentialLR(o, [], []), ValueError, "expects at least one scheduler"),
    (lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2), s.StepLR(o, 3)], [1, 2]), ValueError,
     "one more than the number of milestone points"),
    (lambda s, o: s.SequentialLR(o, [s.ReduceLROnPlateau(o)], []), ValueError,
     "does not support `ReduceLROnPlateau`"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "Expected positive integer T_0, but got 0"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, 2, T_mult=0), ValueError,
     "Expected integer T_mult >= 1, but got 0"),
    (lambda s, o: s.OneCycleLR(o, 1.0), ValueError, "You must define either total_steps"),
    (lambda s, o: s.OneCycleLR(o, 1.0, 10, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1"),
    (lambda s, o: s.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear'"),
    (lambda s, o: s.OneCycleLR(o, [1.0], 10), ValueError,
     "max_lr must have the same length as optimizer.param_groups"),
    (lambda s, o: s.ConstantLR(o, factor=1.5), ValueError, "Constant multiplicative factor"),
    (lambda s, o: s.MultiplicativeLR(o, 0.5), TypeError, "lr_lambda should be a function"),
    (lambda s, o: s.ChainedScheduler([]), ValueError, "expects at least one scheduler to be"),
    (lambda s, o: s.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda s, o: s.ReduceLROnPlateau(o, mode="mean"), ValueError, "mode mean is unknown!"),
    (lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
])
def test_bad_arguments_raise_pytorchs_errors(make, error: type, message: str) -> None:
    for library in (tinygrad_edu, torch):
        module, optimizer = make_optimizer(library)
        with pytest.raises(error, match=message):
            make(module.lr_scheduler, optimizer)


def test_one_cycle_refuses_to_step_past_total_steps() -> None:
    _, optimizer = make_optimizer(tinygrad_edu)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, 1.0, total_steps=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            scheduler.step()
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            scheduler.step()
