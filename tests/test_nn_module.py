"""nn.Module against torch.nn.Module: registration, traversal, state_dict keys/shapes, loading a
PyTorch checkpoint through NumPy, repr, hooks, train/eval, zero_grad, to(), containers."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch
from nn_parity import close, copy_weights

import tinygrad_edu
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F


def build_convnet(module: object) -> object:
    """PyTorch's classic MNIST example network, for either library."""
    nn_, F_ = module.nn, module.nn.functional

    class Net(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn_.Conv2d(1, 32, 3, 1)
            self.conv2 = nn_.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn_.Dropout2d(0.25)
            self.dropout2 = nn_.Dropout2d(0.5)
            self.fc1 = nn_.Linear(9216, 128)
            self.fc2 = nn_.Linear(128, 10)

        def forward(self, x):
            x = F_.relu(self.conv1(x))
            x = F_.max_pool2d(F_.relu(self.conv2(x)), 2)
            x = self.dropout1(x)
            x = module.flatten(x, 1)
            x = self.dropout2(F_.relu(self.fc1(x)))
            return F_.log_softmax(self.fc2(x), dim=1)

    return Net()


def build_mixed(module: object) -> object:
    nn_ = module.nn
    return nn_.Sequential(
        nn_.Conv2d(3, 8, 3, padding="same", bias=False), nn_.BatchNorm2d(8), nn_.ReLU(),
        nn_.MaxPool2d(2), nn_.AvgPool2d(2, stride=1), nn_.AdaptiveAvgPool2d((2, 3)),
        nn_.Flatten(), nn_.Dropout(0.1), nn_.Linear(48, 16), nn_.LayerNorm(16), nn_.GELU(),
        nn_.ModuleList([nn_.Linear(16, 16), nn_.Linear(16, 16), nn_.Tanh()]),
        nn_.ModuleDict({"head": nn_.Linear(16, 4), "act": nn_.LeakyReLU(0.2)}),
        nn_.Embedding(10, 3, padding_idx=0), nn_.BatchNorm1d(4, affine=False),
        nn_.Softmax(dim=1), nn_.LogSoftmax(1), nn_.Identity(), nn_.SiLU(), nn_.Sigmoid(),
        nn_.CrossEntropyLoss(label_smoothing=0.1), nn_.BCEWithLogitsLoss(), nn_.MSELoss(),
        nn_.Conv2d(2, 4, (3, 5), stride=2, padding=(1, 2), dilation=2, groups=2,
                   padding_mode="reflect"), nn_.Dropout2d(0.25), nn_.ReLU(inplace=True))


@pytest.mark.parametrize("build", [build_convnet, build_mixed])
def test_state_dict_keys_shapes_and_repr_equal_torch(build: object) -> None:
    ours, theirs = build(tinygrad_edu), build(torch)
    our_state, their_state = ours.state_dict(), theirs.state_dict()
    assert list(our_state) == list(their_state)
    for key in our_state:
        assert tuple(our_state[key].shape) == tuple(their_state[key].shape), key
        assert our_state[key].dtype.name == str(their_state[key].dtype).removeprefix("torch."), key
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert repr(ours) == repr(theirs)


def test_loading_a_torch_state_dict_reproduces_torch_outputs() -> None:
    theirs = build_convnet(torch).eval()
    ours = build_convnet(tinygrad_edu).eval()
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(np.float32)
    with tinygrad_edu.no_grad():
        our_output = ours(tinygrad_edu.tensor(x))
    close("ConvNet output", our_output, theirs(torch.tensor(x)), (1e-5, 1e-4))


def test_load_state_dict_reports_every_problem_like_torch() -> None:
    model = nn.Sequential(nn.Linear(2, 3))
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict({"0.weight": np.zeros((3, 3), np.float32), "extra": np.zeros(1)})
    message = str(error.value)
    assert message.startswith("Error(s) in loading state_dict for Sequential:")
    assert 'Missing key(s) in state_dict: "0.bias".' in message
    assert 'Unexpected key(s) in state_dict: "extra".' in message
    assert "size mismatch for 0.weight" in message
    result = model.load_state_dict({"0.bias": np.ones(3, np.float32)}, strict=False)
    assert result.missing_keys == ["0.weight"]
    np.testing.assert_array_equal(model[0].bias.detach().numpy(), np.ones(3))


def test_load_state_dict_keeps_parameter_objects() -> None:
    model = nn.Linear(3, 2)
    weight = model.weight
    model.load_state_dict(nn.Linear(3, 2).state_dict())
    assert model.weight is weight and model.weight.requires_grad


def test_registration_and_attribute_errors() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(tinygrad_edu.ones(2))
            self.register_buffer("count", tinygrad_edu.zeros(()))
            self.register_buffer("cache", tinygrad_edu.zeros(2), persistent=False)
            self.inner = nn.Linear(2, 2)
            self.plain = 3

    net = Net()
    assert set(net._parameters) == {"scale"} and set(net._modules) == {"inner"}
    assert list(net.state_dict()) == ["scale", "count", "inner.weight", "inner.bias"]
    assert [n for n, _ in net.named_buffers()] == ["count", "cache"]
    with pytest.raises(TypeError, match="cannot assign"):
        net.scale = tinygrad_edu.ones(2)
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        _ = net.missing
    del net.inner
    assert "inner" not in net._modules
    with pytest.raises(KeyError, match="already exists"):
        net.register_buffer("plain", tinygrad_edu.zeros(1))

    class Forgetful(nn.Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgetful()


def test_shared_parameters_are_listed_once() -> None:
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_train_eval_requires_grad_zero_grad_and_apply() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
    assert model.training and model[1].training
    model.eval()
    assert not model.training and not model[1].training
    model.train()
    model(tinygrad_edu.ones(1, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert model[0].weight.grad.abs().sum().item() == 0
    model.zero_grad()
    assert model[0].weight.grad is None
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    visited = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Dropout", "Sequential"]


def test_to_casts_floating_state_and_keeps_parameter_identity() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    model.to(tinygrad_edu.float64)
    assert model[0].weight is weight and weight.dtype is tinygrad_edu.float64
    assert model[1].running_mean.dtype is tinygrad_edu.float64
    assert model[1].num_batches_tracked.dtype is tinygrad_edu.int64
    assert model.to("cpu") is model
    with pytest.raises(TypeError, match="floating point"):
        model.to(tinygrad_edu.int64)


def test_forward_hooks_and_pre_hooks() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    seen = []
    handle = model[0].register_forward_hook(lambda m, args, out: seen.append(tuple(out.shape)))
    model[1].register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    out = model(tinygrad_edu.ones(4, 2))
    assert seen == [(4, 3)] and out.abs().sum().item() == 0
    handle.remove()
    model(tinygrad_edu.ones(1, 2))
    assert seen == [(4, 3)]
    model[0].register_forward_hook(lambda m, args, out: out + 1)
    assert model[0](tinygrad_edu.zeros(1, 2)).shape == (1, 3)
    kwargs_seen = []
    model[1].register_forward_pre_hook(lambda m, args, kwargs: kwargs_seen.append(kwargs),
                                       with_kwargs=True)
    model[1](tinygrad_edu.ones(1))
    assert kwargs_seen == [{}]


def test_global_module_hooks_see_every_module() -> None:
    from tinygrad_edu.nn.hooks import register_module_forward_hook

    names = []
    handle = register_module_forward_hook(lambda m, args, out: names.append(type(m).__name__))
    try:
        nn.Sequential(nn.Linear(2, 2), nn.ReLU())(tinygrad_edu.ones(1, 2))
    finally:
        handle.remove()
    assert names == ["Linear", "ReLU", "Sequential"]


def test_containers_behave_like_torch_containers() -> None:
    seq = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
    assert isinstance(seq[0:2], nn.Sequential) and len(seq[0:2]) == 2
    assert isinstance(seq[-1], nn.Linear)
    seq.append(nn.Tanh())
    assert len(seq) == 4 and list(seq._modules) == ["0", "1", "2", "3"]
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers += [nn.ReLU()]
    layers.insert(0, nn.Identity())
    assert [type(m).__name__ for m in layers] == ["Identity", "Linear", "Linear", "Linear", "ReLU"]
    assert len(list(layers.parameters())) == 6
    heads = nn.ModuleDict({"a": nn.Linear(1, 1)})
    heads["b"] = nn.Linear(1, 2)
    assert list(heads.keys()) == ["a", "b"] and "b" in heads
    assert list(heads.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]


def test_parameter_is_a_tensor_and_survives_copy_and_pickle() -> None:
    param = nn.Parameter(tinygrad_edu.ones(2, 2))
    assert isinstance(param, tinygrad_edu.Tensor) and param.requires_grad and param.is_leaf
    assert repr(param).startswith("Parameter containing:\ntensor(")
    assert type(param * 2) is tinygrad_edu.Tensor
    model = nn.Linear(3, 2)
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert isinstance(clone.weight, nn.Parameter)
        assert clone.weight is not model.weight
        np.testing.assert_array_equal(clone.weight.detach().numpy(), model.weight.detach().numpy())


def test_modules_train_like_torch_for_a_few_sgd_steps() -> None:
    """A small CNN, same weights, plain SGD written out: the losses stay equal step by step."""
    def build(module: object) -> object:
        nn_ = module.nn
        return nn_.Sequential(nn_.Conv2d(1, 4, 3, padding=1), nn_.ReLU(), nn_.MaxPool2d(2),
                              nn_.Flatten(), nn_.Linear(16, 3))

    ours, theirs = build(tinygrad_edu), build(torch)
    copy_weights(ours, theirs)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 1, 4, 4)).astype(np.float32), rng.integers(0, 3, 8)
    for _ in range(5):
        losses = []
        for module, model in ((tinygrad_edu, ours), (torch, theirs)):
            loss = module.nn.functional.cross_entropy(model(module.tensor(x)), module.tensor(y))
            model.zero_grad()
            loss.backward()
            with module.no_grad():
                for param in model.parameters():
                    param -= 0.1 * param.grad
            losses.append(loss.item())
        assert abs(losses[0] - losses[1]) <= 1e-5 * abs(losses[1])


def test_functional_one_hot_and_softmax_default_dim() -> None:
    labels = tinygrad_edu.tensor([0, 2, 1])
    np.testing.assert_array_equal(F.one_hot(labels).numpy(), np.eye(3, dtype=np.int64)[[0, 2, 1]])
    assert F.one_hot(labels, 5).shape == (3, 5)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        result = F.softmax(tinygrad_edu.zeros(2, 4))
    np.testing.assert_allclose(result.numpy(), np.full((2, 4), 0.25))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_functional_pad_modes_match_torch(mode: str) -> None:
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 4)).astype(np.float32)
    pads = (2, 1, 1, 2)
    ours = tinygrad_edu.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    our_out, their_out = F.pad(ours, pads, mode=mode), torch.nn.functional.pad(theirs, pads,
                                                                               mode=mode)
    close("padded", our_out, their_out, (0, 0))
    weights = np.cos(np.arange(our_out.numel())).reshape(tuple(our_out.shape)).astype(np.float32)
    (our_out * tinygrad_edu.tensor(weights)).sum().backward()
    (their_out * torch.tensor(weights)).sum().backward()
    close("grad", ours.grad, theirs.grad, (1e-5, 1e-5))
