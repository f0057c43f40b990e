"""RMSprop, Adagrad, Adadelta, Adamax, NAdam and RAdam against PyTorch: the same MLP, data and
options give the same losses for 30 steps on every device; their fused primitives
(kernels/optim_family.py) agree with the NumPy references; defaults, state, errors as
PyTorch's."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch
from tinygrad_edu.kernels import View
from tinygrad_edu.kernels import optim_family as family

import tinygrad_edu
import tinygrad_edu.optim as optim

RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 5)).astype(np.float32)
Y = RNG.integers(0, 3, 16)
WEIGHTS = [RNG.standard_normal(shape).astype(np.float32) * 0.5 for shape in
           [(5, 8), (8,), (8, 3), (3,)]]


def torch_loss(params: list, x, y):
    hidden = (x @ params[0] + params[1]).relu()
    log_probs = (hidden @ params[2] + params[3]).log_softmax(dim=1)
    return -log_probs.gather(1, y.reshape(-1, 1)).mean()


def mlp_losses(library, name: str, device: str = "cpu", steps: int = 30, **options
               ) -> tuple[list[float], list]:
    """Train a 5-8-3 MLP written with raw tensors: (loss before each step, final parameters).

    On "cuda" (the Triton interpreter, slow per launch) the forward and backward run in PyTorch on
    the host and only the optimizer steps run on the device: the kernels under test."""
    where = device if library is tinygrad_edu else "cpu"
    params = [library.tensor(w.copy(), device=where, requires_grad=True) for w in WEIGHTS]
    # a non-contiguous parameter: the kernels must follow its strides
    params[2] = library.tensor(WEIGHTS[2].T.copy(), device=where).T.detach().requires_grad_()
    optimizer_class = getattr(optim if library is tinygrad_edu else torch.optim, name)
    optimizer = optimizer_class(params, **options)
    on_host = where != "cpu"
    x, y = (torch.tensor(X), torch.tensor(Y)) if on_host else (library.tensor(X),
                                                               library.tensor(Y))
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        if on_host:
            mirror = [torch.tensor(p.detach().cpu().numpy(), requires_grad=True) for p in params]
            loss = torch_loss(mirror, x, y)
            loss.backward()
            for param, copy in zip(params, mirror):
                param.grad = library.tensor(copy.grad.numpy(), device=where)
        else:
            loss = torch_loss(params, x, y)
            loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, [p.detach().cpu().numpy() for p in params]


CASES = [
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.9, "centered": True, "weight_decay": 0.01}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "momentum": 0.5, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.05,
                 "initial_accumulator_value": 0.1, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.01}),
    ("Adamax", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.05, "maximize": True}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.05, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.01}),  # rho_t > 5 from step 6 on: both branches run
    ("RAdam", {"lr": 0.01, "weight_decay": 0.05, "maximize": True}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_losses_match_pytorch_for_30_steps(name: str, options: dict, device: str) -> None:
    ours, our_params = mlp_losses(tinygrad_edu, name, device, **options)
    theirs, their_params = mlp_losses(torch, name, **options)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    for mine, reference in zip(our_params, their_params):
        np.testing.assert_allclose(mine, reference, rtol=1e-4, atol=1e-5)
    assert theirs[-1] != theirs[0]  # the parameters really moved


NAMES = ["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]


@pytest.mark.parametrize("name", NAMES)
def test_defaults_and_state_match_pytorch(name: str) -> None:
    ours = getattr(optim, name)([tinygrad_edu.ones(2, requires_grad=True)], momentum=0.9,
                                centered=True) if name == "RMSprop" else None
    ours = ours or getattr(optim, name)([tinygrad_edu.ones(2, requires_grad=True)])
    theirs_options = {"momentum": 0.9, "centered": True} if name == "RMSprop" else {}
    theirs = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)], **theirs_options)
    assert ours.defaults == theirs.defaults
    for optimizer, library in ((ours, tinygrad_edu), (theirs, torch)):
        param = optimizer.param_groups[0]["params"][0]
        param.grad = library.ones(2)
        optimizer.step()
    our_state = ours.state_dict()["state"][0]
    their_state = theirs.state_dict()["state"][0]
    assert set(our_state) == set(their_state)
    for key, value in their_state.items():
        assert our_state[key].dtype.itemsize == value.dtype.itemsize, key
        np.testing.assert_allclose(our_state[key].numpy(), value.numpy(), rtol=1e-6)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: optim.RMSprop(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.RMSprop(p, alpha=-0.5), "Invalid alpha value: -0.5"),
    (lambda p: optim.RMSprop(p, momentum=-1), "Invalid momentum value: -1"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value: -1"),
    (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
    (lambda p: optim.Adadelta(p, eps=-1), "Invalid epsilon value: -1"),
    (lambda p: optim.Adamax(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.NAdam(p, momentum_decay=-1), "Invalid momentum_decay value: -1"),
    (lambda p: optim.RAdam(p, betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    (lambda p: optim.RAdam(p, weight_decay=-1), "Invalid weight_decay value: -1"),
])
def test_bad_arguments_raise_pytorchs_errors(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([tinygrad_edu.zeros(2, requires_grad=True)])


def test_load_state_dict_resumes_nadam_exactly() -> None:
    def run(optimizer, params, steps):
        for _ in range(steps):
            for p in params:
                p.grad = p.detach() * 2 - 1
            optimizer.step()

    params = [tinygrad_edu.tensor([0.5, -1.0, 2.0], requires_grad=True)]
    optimizer = optim.NAdam(params, lr=0.1)
    run(optimizer, params, 3)
    other_params = [params[0].detach().clone().requires_grad_()]
    other = optim.NAdam(other_params, lr=0.1)
    other.load_state_dict(optimizer.state_dict())
    run(optimizer, params, 2)
    run(other, other_params, 2)
    np.testing.assert_array_equal(params[0].detach().numpy(), other_params[0].detach().numpy())


# --- the primitives under the Triton interpreter ----------------------------------------------

PRIMITIVE_CASES = {  # name -> (state buffer count, hyperparameters)
    "rmsprop_step": (3, (1e-2, 0.9, 1e-8, 0.01, 0.5, True)),
    "adagrad_step": (1, (0.1, 1e-10, 0.01, False)),
    "adadelta_step": (2, (1.0, 0.9, 1e-6, 0.0, True)),
    "adamax_step": (2, (3, 2e-3, 0.9, 0.999, 1e-8, 0.01, False)),
    "nadam_step": (2, (3, 2e-3, 0.9, 0.999, 1e-8, 0.1, True, False, 0.8, 0.81, 0.5)),
    "radam_step": (2, (7, 1e-3, 0.9, 0.999, 1e-8, 0.01, False, True)),
    "radam_step_early": (2, (2, 1e-3, 0.9, 0.999, 1e-8, 0.0, False, False)),
}


@pytest.mark.skipif(importlib.util.find_spec("triton") is None, reason="needs triton")
@pytest.mark.parametrize("case", PRIMITIVE_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_kernel_matches_reference(case: str, dtype: str) -> None:
    from tinygrad_edu.kernels.triton_support import download, upload, use_interpreter_if_no_gpu

    use_interpreter_if_no_gpu()
    name = case.removesuffix("_early")
    states, hyperparameters = PRIMITIVE_CASES[case]
    rng = np.random.default_rng(len(case))
    # p, g, then the state buffers (non-negative: running averages of squares)
    arrays = [rng.standard_normal(12).astype(dtype) for _ in range(2)]
    arrays += [np.abs(rng.standard_normal(12)).astype(dtype) + 0.1 for _ in range(states)]
    strided = View((3, 2), (1, 6), 2)  # a transposed, offset view for the parameter
    views = [strided] + [View((3, 2), (2, 1), 0)] * (1 + states)
    device = [upload(a) for a in arrays]
    getattr(family, f"{name}_triton")(*[x for pair in zip(device, views) for x in pair],
                                      *hyperparameters)
    getattr(family, f"{name}_reference")(*[x for pair in zip(arrays, views) for x in pair],
                                         *hyperparameters)
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    for got, expected in zip(device, arrays):
        np.testing.assert_allclose(download(got), expected, rtol=tolerance, atol=tolerance)
