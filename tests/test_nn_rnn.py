"""RNN, LSTM, GRU and their cells against PyTorch, with PyTorch's weights loaded.

Every check compares the output sequence, the final states, the gradients of the input (and of
the initial state) and of every parameter (nn_parity.check_module). The configurations cover
layers, directions, batch_first, bias, relu, LSTM projections, initial states, unbatched input
and packed sequences; "cuda" (the Triton interpreter) runs a few of them on tiny shapes. Also:
state_dict interchange both ways, PyTorch's messages for bad input, the nn.utils.rnn helpers,
and a language model (embedding -> LSTM -> linear) trained 20 SGD steps with torch's losses.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from nn_parity import check_module, copy_weights

import tinygrad_edu
from tinygrad_edu.nn.utils import rnn as our_rnn

RNG = np.random.default_rng(0)
LAYERS = ("RNN", "LSTM", "GRU")
CONFIGS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True},
    {"bias": False},
]


def library_of(module):
    return torch if isinstance(module, torch.nn.Module) else tinygrad_edu


def flat_result(module, output, states):
    """Output and final states as one flat tensor, so one check covers all of them."""
    lib = library_of(module)
    states = states if isinstance(states, tuple) else (states,)
    return lib.cat([output.reshape(-1)] + [s.reshape(-1) for s in states])


def run(module, x, *state):
    if state and isinstance(module, (torch.nn.LSTM, tinygrad_edu.nn.LSTM)):
        state = (tuple(state),)
    output, states = module(x, *state)
    return flat_result(module, output, states)


def pair(name, *args, **kwargs):
    """The same layer in both libraries (ours gets torch's weights in check_module)."""
    return getattr(tinygrad_edu.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


def sequence(steps, batch, features, batch_first=False):
    shape = (batch, steps, features) if batch_first else (steps, batch, features)
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(c) or "default")
def test_layers_match_torch(name, config):
    ours, theirs = pair(name, 3, 4, **config)
    check_module(ours, theirs, sequence(4, 2, 3, config.get("batch_first", False)), call=run)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_layers_with_initial_state_match_torch(name):
    ours, theirs = pair(name, 3, 4, num_layers=2, bidirectional=True)
    states = [RNG.standard_normal((4, 2, 4)).astype(np.float32)
              for _ in range(2 if name == "LSTM" else 1)]
    check_module(ours, theirs, sequence(3, 2, 3), *states, call=run)


def test_relu_rnn_and_lstm_projection_match_torch():
    ours, theirs = pair("RNN", 3, 5, nonlinearity="relu", num_layers=2)
    check_module(ours, theirs, sequence(4, 3, 3), call=run)
    ours, theirs = pair("LSTM", 3, 5, proj_size=2, num_layers=2, bidirectional=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: "LSTM with projections is not supported..."
        check_module(ours, theirs, sequence(4, 3, 3), RNG.standard_normal((4, 3, 2)).astype(
            np.float32), RNG.standard_normal((4, 3, 5)).astype(np.float32), call=run)


@given(st.sampled_from(LAYERS), st.integers(1, 5), st.integers(1, 3), st.integers(1, 4),
       st.integers(1, 4), st.booleans())
def test_layers_match_torch_for_any_shape(name, steps, batch, features, hidden, unbatched):
    ours, theirs = pair(name, features, hidden, bidirectional=True)
    x = sequence(steps, batch, features)
    check_module(ours, theirs, x[:, 0] if unbatched else x, call=run)


@pytest.mark.parametrize("name", LAYERS)
def test_layers_match_torch_on_cuda(name):
    options = {"num_layers": 2, "bidirectional": True} if name == "LSTM" else {}
    ours, theirs = pair(name, 2, 2, batch_first=True, **options)
    check_module(ours, theirs, sequence(2, 2, 2, batch_first=True), call=run, device="cuda")


# --- packed sequences ----------------------------------------------------------------------------
def packed_run(lengths, enforce_sorted=False):
    def call(module, x, *state):
        rnn = our_rnn if library_of(module) is tinygrad_edu else torch.nn.utils.rnn
        packed = rnn.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
        if state and isinstance(module, (torch.nn.LSTM, tinygrad_edu.nn.LSTM)):
            state = (tuple(state),)
        output, states = module(packed, *state)
        padded, _ = rnn.pad_packed_sequence(output, total_length=x.shape[0])
        return flat_result(module, padded, states)
    return call


@pytest.mark.parametrize("name", LAYERS)
def test_packed_sequences_match_torch(name):
    ours, theirs = pair(name, 3, 4, num_layers=2, bidirectional=True)
    check_module(ours, theirs, sequence(5, 4, 3), call=packed_run([3, 5, 1, 3]))
    check_module(ours, theirs, sequence(5, 3, 3), call=packed_run([5, 3, 3], True))
    states = [RNG.standard_normal((4, 4, 4)).astype(np.float32)
              for _ in range(2 if name == "LSTM" else 1)]
    check_module(ours, theirs, sequence(4, 4, 3), *states, call=packed_run([2, 4, 1, 3]))


@pytest.mark.parametrize("device", ["cuda"])
def test_packed_lstm_matches_torch_on_cuda(device):
    ours, theirs = pair("LSTM", 2, 2, bidirectional=True)
    check_module(ours, theirs, sequence(3, 2, 2), call=packed_run([1, 3]), device=device)


# --- cells ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch(name, bias, device):
    if device == "cuda" and not bias:
        pytest.skip("the interpreter is slow: cuda runs the cells with bias only")
    ours, theirs = pair(name, 3, 4, bias=bias)
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    count = 2 if name == "LSTMCell" else 1
    states = [RNG.standard_normal((2, 4)).astype(np.float32) for _ in range(count)]

    def call(module, x, *state):
        result = module(x, tuple(state) if count == 2 else state[0]) if state else module(x)
        lib = library_of(module)
        return lib.cat(list(result), -1) if count == 2 else result

    check_module(ours, theirs, x, *states, call=call, device=device)
    if device == "cpu":  # unbatched input and the default zero state
        check_module(ours, theirs, x[0], *[s[0] for s in states], call=call)
        check_module(ours, theirs, x, call=call)


def test_relu_cell_matches_torch():
    ours, theirs = pair("RNNCell", 3, 4, nonlinearity="relu")
    check_module(ours, theirs, RNG.standard_normal((5, 3)).astype(np.float32),
                 RNG.standard_normal((5, 4)).astype(np.float32))


# --- parameters and state_dict -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_parameters_have_torch_names_shapes_and_init_range(name):
    options = {} if name.endswith("Cell") else {"num_layers": 2, "bidirectional": True}
    ours, theirs = pair(name, 3, 16, **options)
    our_shapes = {k: tuple(v.shape) for k, v in ours.state_dict().items()}
    assert our_shapes == {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    assert list(our_shapes) == list(theirs.state_dict())  # same order
    # U(-1/sqrt(16), 1/sqrt(16)) = U(-0.25, 0.25): std 0.25/sqrt(3) = 0.144. Every value is in
    # range; the spread is checked over all values at once (a 16-value bias alone can fall < 0.1)
    arrays = [value.detach().numpy().ravel() for value in ours.parameters()]
    assert all(np.abs(array).max() <= 0.25 for array in arrays)
    assert 0.12 < np.concatenate(arrays).std() < 0.17
    assert repr(ours) == repr(theirs)


def test_state_dict_moves_from_ours_to_torch():
    ours, theirs = pair("LSTM", 3, 4, num_layers=2, bidirectional=True)
    theirs.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy())
                            for k, v in ours.state_dict().items()})
    x = sequence(3, 2, 3)
    expected = run(theirs, torch.from_numpy(x)).detach().numpy()
    ours_output = run(ours, tinygrad_edu.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours_output, expected, atol=1e-5)


def test_dropout_between_layers_only_in_training():
    ours, theirs = pair("GRU", 3, 4, num_layers=2, dropout=0.5)
    copy_weights(ours, theirs)
    x = sequence(3, 2, 3)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(run(ours, tinygrad_edu.tensor(x)).detach().numpy(),
                               run(theirs, torch.from_numpy(x)).detach().numpy(), atol=1e-5)
    ours.train()
    tinygrad_edu.manual_seed(0)
    first = run(ours, tinygrad_edu.tensor(x)).detach().numpy()
    tinygrad_edu.manual_seed(1)
    assert not np.allclose(first, run(ours, tinygrad_edu.tensor(x)).detach().numpy())


# --- bad input: PyTorch's messages ---------------------------------------------------------------
def same_error(make_call):
    """Both libraries raise the same exception type with the same message."""
    errors = []
    for lib in (torch, tinygrad_edu):
        with pytest.raises(Exception) as info:
            make_call(lib)
        errors.append((type(info.value).__name__, str(info.value)))
    assert errors[0] == errors[1]


def rand(lib, *shape):
    return lib.tensor(RNG.standard_normal(shape).astype(np.float32))


BAD_CALLS = {
    "input size": lambda lib: lib.nn.LSTM(3, 4)(rand(lib, 2, 2, 5)),
    "input dims": lambda lib: lib.nn.LSTM(3, 4)(rand(lib, 2, 2, 2, 3)),
    "rnn input dims": lambda lib: lib.nn.RNN(3, 4)(rand(lib, 3)),
    "gru input dims": lambda lib: lib.nn.GRU(3, 4)(rand(lib, 1, 1, 1, 3)),
    "hidden shape": lambda lib: lib.nn.GRU(3, 4, num_layers=2)(rand(lib, 2, 2, 3),
                                                               rand(lib, 1, 2, 4)),
    "lstm h shape": lambda lib: lib.nn.LSTM(3, 4)(rand(lib, 2, 2, 3),
                                                  (rand(lib, 1, 3, 4), rand(lib, 1, 2, 4))),
    "lstm c shape": lambda lib: lib.nn.LSTM(3, 4)(rand(lib, 2, 2, 3),
                                                  (rand(lib, 1, 2, 4), rand(lib, 1, 2, 5))),
    "hidden dims": lambda lib: lib.nn.RNN(3, 4)(rand(lib, 2, 2, 3), rand(lib, 2, 4)),
    "lstm hidden dims": lambda lib: lib.nn.LSTM(3, 4)(rand(lib, 2, 3),
                                                      (rand(lib, 1, 1, 4), rand(lib, 1, 1, 4))),
    "cell input size": lambda lib: lib.nn.LSTMCell(3, 4)(rand(lib, 2, 5)),
    "cell hidden size": lambda lib: lib.nn.GRUCell(3, 4)(rand(lib, 2, 3), rand(lib, 2, 5)),
    "cell batch": lambda lib: lib.nn.RNNCell(3, 4)(rand(lib, 2, 3), rand(lib, 3, 4)),
    "cell dims": lambda lib: lib.nn.LSTMCell(3, 4)(rand(lib, 1, 2, 3)),
    "dropout range": lambda lib: lib.nn.LSTM(3, 4, dropout=1.5),
    "nonlinearity": lambda lib: lib.nn.RNN(3, 4, nonlinearity="gelu"),
    "proj size": lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    "hidden size": lambda lib: lib.nn.GRU(3, 0),
    "unsorted lengths": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(
        rand(lib, 3, 2, 1), [1, 3]),
    "zero length": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(rand(lib, 3, 2, 1), [3, 0]),
    "lengths count": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(rand(lib, 3, 2, 1), [3]),
    "total length": lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(rand(lib, 3, 2, 1), [3, 2]), total_length=2),
    "empty list": lambda lib: lib.nn.utils.rnn.pad_sequence([]),
    "padding side": lambda lib: lib.nn.utils.rnn.pad_sequence([rand(lib, 2)], padding_side="up"),
}


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_input_raises_torch_message(case):
    same_error(BAD_CALLS[case])


def test_dropout_with_one_layer_warns_like_torch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        tinygrad_edu.nn.LSTM(3, 4, dropout=0.2)


# --- nn.utils.rnn ------------------------------------------------------------------------------
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.booleans(), st.booleans(),
       st.sampled_from([0.0, -1.5]))
def test_pad_pack_unpack_match_torch(lengths, batch_first, left, value):
    arrays = [RNG.standard_normal((n, 2)).astype(np.float32) for n in lengths]
    side = "left" if left else "right"
    results = {}
    for lib, rnn in ((torch, torch.nn.utils.rnn), (tinygrad_edu, our_rnn)):
        sequences = [lib.tensor(a, requires_grad=True) for a in arrays]
        padded = rnn.pad_sequence(sequences, batch_first, value, side)
        packed = rnn.pack_padded_sequence(rnn.pad_sequence(sequences, batch_first), lengths,
                                          batch_first, enforce_sorted=False)
        unpacked, out_lengths = rnn.pad_packed_sequence(packed, batch_first, value,
                                                        total_length=max(lengths) + 1)
        weights = lib.tensor(np.cos(np.arange(unpacked.numel())).reshape(
            tuple(unpacked.shape)).astype(np.float32))
        (unpacked * weights).sum().backward()
        results[lib.__name__] = [padded.detach().numpy(), packed.data.detach().numpy(),
                                 packed.batch_sizes.numpy(), packed.sorted_indices.numpy(),
                                 packed.unsorted_indices.numpy(), unpacked.detach().numpy(),
                                 out_lengths.numpy()] + [s.grad.numpy() for s in sequences]
        results[lib.__name__] += [s.detach().numpy() for s in rnn.unpack_sequence(packed)]
    for ours, theirs in zip(results["tinygrad_edu"], results["torch"], strict=True):
        np.testing.assert_allclose(ours, theirs)


def test_pack_sequence_sorted_keeps_no_permutation():
    arrays = [RNG.standard_normal((n, 3)).astype(np.float32) for n in (3, 2, 2)]
    packed = our_rnn.pack_sequence([tinygrad_edu.tensor(a) for a in arrays])
    theirs = torch.nn.utils.rnn.pack_sequence([torch.tensor(a) for a in arrays])
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    np.testing.assert_allclose(packed.data.numpy(), theirs.data.numpy())
    assert packed.batch_sizes.tolist() == theirs.batch_sizes.tolist()


# --- training parity -----------------------------------------------------------------------------
def language_model(lib):
    nn = lib.nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(11, 6)
            self.lstm = nn.LSTM(6, 8, num_layers=2, batch_first=True)
            self.head = nn.Linear(8, 11)

        def forward(self, tokens):
            output, _ = self.lstm(self.embedding(tokens))
            return self.head(output)

    return Model()


def test_lstm_language_model_trains_like_torch():
    tokens = RNG.integers(0, 11, (4, 9))
    theirs = language_model(torch)
    ours = language_model(tinygrad_edu)
    copy_weights(ours, theirs)  # before either trains
    losses = {}
    for lib, model in ((torch, theirs), (tinygrad_edu, ours)):
        optimizer = lib.optim.SGD(model.parameters(), lr=0.5)
        inputs, targets = lib.tensor(tokens[:, :-1]), lib.tensor(tokens[:, 1:])
        losses[lib.__name__] = []
        for _ in range(20):
            optimizer.zero_grad()
            logits = model(inputs)  # (4, 8, 11)
            loss = lib.nn.functional.cross_entropy(logits.reshape(-1, 11), targets.reshape(-1))
            loss.backward()
            optimizer.step()
            losses[lib.__name__].append(loss.item())
    np.testing.assert_allclose(losses["tinygrad_edu"], losses["torch"], rtol=1e-4, atol=1e-4)
    assert losses["torch"][-1] < losses["torch"][0] - 0.1  # it learned something
