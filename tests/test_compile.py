"""tinygrad_edu.compile computes what eager mode computes, and replays only what it may.

- A whole training step (zero_grad, forward, loss, backward, SGD step) compiled: losses, gradients
  and parameters after 20 steps equal eager mode's within 1e-6 (MLP and ConvNet, both devices).
- A new input shape captures again; a graph break (.item() on a computed value) and a Python
  number that changes every call (Adam's step) fall back to eager with one warning.
- no_grad inference compiles; mutating an input between calls is seen; errors inside a replay
  name the user's line.
- Fusion: elementwise chains (also after a matmul or a reduction: an epilogue) become generated
  kernels (NumPy and Triton), listed by kernels() with readable source(i), and a replay launches
  fewer kernels than eager mode calls primitives. On Triton: horizontal fusion (a level's
  independent pieces in one launch), SGD split per parameter, generated convolutions, pooling
  and cross-entropy backward.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu as torch
from tinygrad_edu import nn


def _mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                         nn.Linear(16, 4))


def _convnet() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 3 * 3, 4))


def _training(make_model, device: str, optimizer: str = "sgd"):
    torch.manual_seed(0)
    model = make_model().to(device)
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=0.01)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return model, step


def _batches(shape: tuple[int, ...], count: int, device: str) -> list:
    rng = np.random.default_rng(1)
    return [(torch.tensor(rng.standard_normal(shape).astype(np.float32), device=device),
             torch.tensor(rng.integers(0, 4, shape[0]), device=device)) for _ in range(count)]


@pytest.mark.parametrize("make_model, shape", [(_mlp, (6, 8)), (_convnet, (3, 1, 6, 6))],
                         ids=["mlp", "convnet"])
def test_compiled_training_step_equals_eager(make_model, shape, device):
    steps = 20 if device == "cpu" else 5  # the interpreter is slow: 2 captures, 3 replays
    eager_model, eager_step = _training(make_model, device)
    compiled_model, step = _training(make_model, device)
    compiled = torch.compile(step)
    for x, y in _batches(shape, steps, device):
        expected, got = eager_step(x, y), compiled(x, y)
        assert abs(expected.item() - got.item()) <= 1e-6
    assert compiled.program is not None  # the later steps were replays
    kernels = compiled.kernels()
    if make_model is _mlp:  # the Linear's bias and the ReLU: an epilogue of the matmul
        assert any("matmul (Linear) -> add (Linear) -> relu (Relu)" in k for k in kernels)
    if device == "cuda" and make_model is _mlp:  # generated Triton kernels ran (interpreter)
        index = next(i for i, k in enumerate(kernels) if "relu (Relu)" in k)
        assert "@triton.jit" in compiled.source(index) and "tl.store" in compiled.source(index)
        # the optimizer's multi-tensor (foreach) step is split per parameter: each update is a
        # generated piece (or the epilogue of the piece computing its gradient); none is eager
        assert not [s for s in compiled.program.steps if "sgd_step" in s.function.__name__]
        source = "\n".join(compiled.source(i) for i in range(len(kernels)))
        pieces = source.count("# SGD epilogue") + source.count("# SGD update of a parameter")
        assert pieces == len(list(compiled_model.parameters()))
        # horizontal fusion: the launches hold several independent pieces, drawn as such
        assert compiled.kernel_counts()[1] <= 7  # 3 forward, the loss, 3 backward levels
        assert "3 independent pieces, 1 launch" in compiled.draw().source
    if device == "cuda" and make_model is _convnet:  # convolutions and pooling: generated
        eager = {s.calls[0].primitive for s in compiled.program.steps if s.kernel is None}
        assert not eager & {"conv2d", "conv2d_backward_input", "conv2d_backward_weight",
                            "max_pool2d", "max_pool2d_backward", "cross_entropy"}, eager
        # the pool's backward recomputes the dX of the Linear after it (the matmul is not run)
        source = "\n".join(compiled.source(i) for i in range(len(kernels)))
        assert "dy, recomputed (the matmul's prologue)" in source
        assert "+ x" in source.split("conv2d (Conv2d)")[1].split("tl.store")[0]  # + bias[o]
    for p, q in zip(eager_model.parameters(), compiled_model.parameters()):
        np.testing.assert_allclose(q.detach().cpu().numpy(), p.detach().cpu().numpy(), atol=1e-6)
        np.testing.assert_allclose(q.grad.cpu().numpy(), p.grad.cpu().numpy(), atol=1e-6)


def test_new_shape_captures_again_and_both_replay():
    model, step = _training(_mlp, "cpu")
    compiled = torch.compile(step)
    small, large = _batches((3, 8), 4, "cpu"), _batches((7, 8), 4, "cpu")
    for (xs, ys), (xl, yl) in zip(small, large):
        assert compiled(xs, ys).shape == ()
        compiled(xl, yl)
    assert len(compiled._entries) == 2
    assert all(entry.program is not None for entry in compiled._entries.values())


def test_graph_break_falls_back_to_eager_with_one_warning():
    x = torch.randn(4)

    def branchy(t):
        y = t * 2
        if y.sum().item() > 0:  # data-dependent Python control flow
            return y + 1
        return y - 1

    compiled = torch.compile(branchy)
    with pytest.warns(UserWarning, match="graph break at test_compile.py:.*y.sum\\(\\).item"):
        first = compiled(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning
        for _ in range(3):
            np.testing.assert_array_equal(compiled(x).numpy(), first.numpy())
            x.neg_()
            expected = x * 2 + (1 if (x * 2).sum().item() > 0 else -1)
            np.testing.assert_allclose(compiled(x).numpy(), expected.numpy())
            x.neg_()


def test_changing_python_numbers_fall_back_to_eager():
    model, step = _training(_mlp, "cpu", optimizer="adam")  # Adam reads its step count back
    compiled = torch.compile(step)
    with pytest.warns(UserWarning, match="runs eagerly"):
        for x, y in _batches((4, 8), 3, "cpu"):
            compiled(x, y)


def test_no_grad_inference_compiles_and_sees_input_mutation():
    device = "cpu"
    torch.manual_seed(0)
    model = _mlp().to(device)

    @torch.compile
    def predict(x):
        with torch.no_grad():
            return model(x).relu()

    x = torch.randn(5, 8, device=device)
    for _ in range(4):
        np.testing.assert_allclose(predict(x).cpu().numpy(),
                                   model(x).relu().detach().cpu().numpy(), atol=1e-6)
        x.mul_(-1.5)  # changed in place: the replay must read the new values
    assert predict.program is not None
    first = predict(x)
    second = predict(x * 2)
    assert not np.allclose(first.cpu().numpy(), second.cpu().numpy())  # fresh outputs each call


def test_forward_that_needs_backward_outside_stays_eager():
    model = _mlp()
    compiled = torch.compile(model)
    with pytest.warns(UserWarning, match="require grad but runs no backward"):
        out = compiled(torch.randn(2, 8))
    out.sum().backward()  # the eager result keeps its graph
    assert model[0].weight.grad is not None


def test_error_in_a_replay_names_the_users_line(monkeypatch):
    x = torch.randn(3)

    def double(t):
        return t.exp() * 2  # the line the error must point at

    compiled = torch.compile(double)
    for _ in range(3):
        compiled(x)
    program = compiled.program
    assert program is not None

    def failing(*args):
        raise FloatingPointError("overflow")

    step = next(s for s in program.steps if s.calls[0].primitive == "unary")
    monkeypatch.setattr(step, "function", failing)
    with pytest.raises(FloatingPointError) as raised:
        compiled(x)
    notes = "\n".join(getattr(raised.value, "__notes__", [])) or str(raised.value)
    assert "test_compile.py" in notes and "t.exp() * 2" in notes


def test_kernels_source_and_counts_show_the_fusion():
    model, step = _training(_mlp, "cpu")
    compiled = torch.compile(step)
    for x, y in _batches((6, 8), 3, "cpu"):
        compiled(x, y)
    kernels = compiled.kernels()
    assert kernels[0].startswith("fused_0 [numpy]: matmul (Linear) -> add (Linear) -> relu")
    source = compiled.source(0)
    assert "np.matmul(x0, x1, out=out)" in source and "np.maximum(out" in source
    assert any("SGD updates" in compiled.source(i) for i in range(len(kernels)))
    # the loss mean is no kernel at all: the cross-entropy primitive reduces its rows itself
    assert not any("(CrossEntropyIndices)" in k for k in kernels)
    eager_calls, launches = compiled.kernel_counts()
    assert launches < eager_calls
    # the memory plan: kernel outputs live in buffers allocated once, shared by values whose
    # lifetimes do not overlap, and reused by every replay
    planned = [s.kernel for s in compiled.program.steps
               if s.kernel is not None and "pair" in s.kernel.extra]
    total = sum(int(np.prod(k.output_shape)) * np.dtype(k.output_dtype).itemsize for k in planned)
    assert 0 < compiled.program.planned_bytes < total
    buffers = [k.extra["pair"][0] for k in planned]
    compiled(x, y)
    assert all(k.extra["pair"][0] is b for k, b in zip(planned, buffers))
    unfused = torch.compile(step, options={"fuse": False})
    for x, y in _batches((6, 8), 3, "cpu"):
        unfused(x, y)
    assert unfused.kernels() == [] and unfused.kernel_counts()[1] > launches


def test_reduction_with_an_elementwise_epilogue_is_one_kernel(device):
    x = torch.randn(4, 3, 5, device=device)
    b = torch.randn(3, device=device)

    def f(x, b):
        with torch.no_grad():
            return (x.sum(dim=(0, 2)) * 0.5 + b).relu(), x.sum() / 7

    compiled = torch.compile(f)
    for _ in range(4):
        for got, expected in zip(compiled(x, b), f(x, b)):
            np.testing.assert_allclose(got.cpu().numpy(), expected.cpu().numpy(), atol=1e-6)
        x.mul_(-1.25)  # seen by the next replay
    kernels = compiled.kernels()
    assert any(k.split(": ")[1].startswith("sum (") and "relu" in k for k in kernels), kernels
    assert any(k.split(": ")[1].startswith("sum (") and "div" in k for k in kernels), kernels
    source = "\n".join(compiled.source(i) for i in range(len(kernels)))
    assert ("tl.sum(" in source) if device == "cuda" else ("np.add.reduce(" in source)


def test_viz_draws_fused_kernels_as_clusters():
    model, step = _training(_mlp, "cpu")
    compiled = torch.compile(step)
    for x, y in _batches((6, 8), 3, "cpu"):
        compiled(x, y)
    source = compiled.draw().source
    eager, launches = compiled.kernel_counts()
    assert f"{eager} primitive calls in eager mode -> {launches} kernel launches" in source
    assert source.count("subgraph cluster_fused_") == len(compiled.kernels())
    assert "matmul\\nLinear" in source and "input 0" in source


def test_fused_select_gives_the_eager_where_bits():
    from tinygrad_edu.kernels import contiguous_view
    from tinygrad_edu.kernels.elementwise import where_reference

    from tinygrad_edu.compile.fusion import select

    rng = np.random.default_rng(0)
    c = rng.random((40, 64)) < 0.5  # data: no pattern (the branch-free path, > 1024 elements)
    a = rng.standard_normal((40, 64)).astype(np.float32)
    a[0, :4] = [np.nan, -0.0, np.inf, -np.inf]
    b = np.zeros((), np.float32)
    view = contiguous_view((40, 64))
    expected = where_reference(c.reshape(-1), view, a.reshape(-1), view,
                               np.zeros(1, np.float32), type(view)((40, 64), (0, 0), 0))
    out = np.empty((40, 64), np.float32)
    select(out, c, a, np.broadcast_to(b, (40, 64)))
    np.testing.assert_array_equal(out.view(np.int32).reshape(-1), expected.view(np.int32))
    aliased = a.copy()
    select(aliased, ~c, b.reshape(1, 1) + np.zeros((40, 64), np.float32), aliased)  # out is b
    np.testing.assert_array_equal(aliased, np.where(~c, 0, a))


def test_triton_sgd_updates_are_generated_pieces_without_foreach():
    """With foreach=False the optimizer makes one sgd_step call per parameter; compile turns each
    into a generated piece (or an epilogue), launched with the independent work of its level."""
    results = []
    for compile_it in (False, True):
        torch.manual_seed(0)
        model = _mlp().to("cuda")
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, foreach=False)

        def step(x, y, model=model, opt=opt):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        run = torch.compile(step) if compile_it else step
        results.append([run(x, y).item() for x, y in _batches((6, 8), 3, "cuda")])
    assert np.allclose(results[0], results[1], atol=1e-6)
    source = "\n".join(run.source(i) for i in range(len(run.kernels())))
    pieces = source.count("# SGD epilogue") + source.count("# SGD update of a parameter")
    assert pieces == len(list(model.parameters())) and "@triton.jit" in source
    assert not [s for s in run.program.steps if "sgd_step" in s.function.__name__]


@pytest.mark.parametrize("layers", ["strided", "dilated_overlapping_pool"])
def test_generated_convolutions_and_pool_backward_equal_eager(layers):
    """On Triton the convolutions (forward, input and weight gradients) are generated reduction
    heads and a non-overlapping max-pool backward a gather: stride 2, dilation 2, a pool window
    leaving the last row out, and an overlapping pool (kept as the eager scatter primitive)."""
    def make() -> nn.Module:
        if layers == "strided":  # 7x7 -> conv stride 2 -> 4x4 -> conv -> 4x4 -> pool 3 -> 1x1
            return nn.Sequential(nn.Conv2d(2, 3, 3, stride=2, padding=1), nn.ReLU(),
                                 nn.Conv2d(3, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3),
                                 nn.Flatten(), nn.Linear(2, 4))
        return nn.Sequential(nn.Conv2d(2, 3, 3, dilation=2, padding=2), nn.ReLU(),
                             nn.MaxPool2d(3, stride=2), nn.Flatten(), nn.Linear(27, 4))

    eager_model, eager_step = _training(make, "cuda")
    compiled_model, step = _training(make, "cuda")
    compiled = torch.compile(step)
    for x, y in _batches((1, 2, 7, 7), 3, "cuda"):  # 2 captures, 1 replay
        assert abs(eager_step(x, y).item() - compiled(x, y).item()) <= 1e-6
    source = "\n".join(compiled.source(i) for i in range(len(compiled.kernels())))
    assert "conv2d_backward_weight" in source and "conv2d (Conv2d)" in source
    assert ("max_pool2d_backward (MaxPool2dBackward)" in source) == (layers == "strided")
    for p, q in zip(eager_model.parameters(), compiled_model.parameters()):
        np.testing.assert_allclose(q.detach().cpu().numpy(), p.detach().cpu().numpy(), atol=1e-6)
        np.testing.assert_allclose(q.grad.cpu().numpy(), p.grad.cpu().numpy(), atol=1e-6)


def test_cross_entropy_loss_and_gradient_share_a_launch_and_check_targets():
    """On Triton the mean cross-entropy is a generated piece and its backward recomputes lse and
    the count of counted rows, so both run in one launch; a target outside [0, C) still raises
    PyTorch's IndexError at the next host read (the piece records it in an error slot), and
    ignore_index rows are left out of the mean."""
    torch.manual_seed(0)
    model = _mlp().to("cuda")
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y, ignore_index=2)
        loss.backward()
        opt.step()
        return loss

    eager_model = _mlp().to("cuda")
    eager_model.load_state_dict(model.state_dict())
    eager_opt = torch.optim.SGD(eager_model.parameters(), lr=0.1, momentum=0.9)
    compiled = torch.compile(step)
    for x, y in _batches((6, 8), 3, "cuda"):  # 2 captures, 1 replay
        eager_opt.zero_grad()
        expected = nn.functional.cross_entropy(eager_model(x), y, ignore_index=2)
        expected.backward()
        eager_opt.step()
        assert abs(expected.item() - compiled(x, y).item()) <= 1e-6
    for p, q in zip(eager_model.parameters(), model.parameters()):
        np.testing.assert_allclose(q.grad.cpu().numpy(), p.grad.cpu().numpy(), atol=1e-6)
    shared = [k for k in compiled.kernels()
              if "cross_entropy (" in k and "cross_entropy_backward (" in k]
    assert len(shared) == 1, compiled.kernels()
    assert not [s for s in compiled.program.steps if s.kernel is None]
    x, _ = _batches((6, 8), 1, "cuda")[0]
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        compiled(x, torch.tensor([0, 1, 7, 3, 0, 1], device="cuda")).item()


def test_parameters_read_after_their_update_in_the_same_step():
    """The schedule keeps write-after-read and read-after-write order: the forward after
    optimizer.step() sees the updated parameters, the gradient read after the update is the one
    the SGD epilogue consumed (Triton: updates run as soon as nothing reads the parameter)."""
    def make():
        torch.manual_seed(0)
        model = _mlp().to("cuda")
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def step(x, y):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss, model(x).sum(), model[0].weight.grad.sum()

        return step

    eager, compiled = make(), torch.compile(make())
    for x, y in _batches((5, 8), 3, "cuda"):
        for expected, got in zip(eager(x, y), compiled(x, y)):
            assert abs(expected.item() - got.item()) <= 1e-5
    assert compiled.program is not None


def test_inference_recomputes_the_pool_inside_the_next_matmul():
    """Forward only (no_grad): the Linear after the max pool recomputes the pooled values from the
    pool's input (a prologue), so neither the maxima nor the winners are computed at all."""
    torch.manual_seed(0)
    model = _convnet().to("cuda")

    def infer(x):
        with torch.no_grad():
            return model(x)

    compiled = torch.compile(infer)
    for x, _ in _batches((2, 1, 6, 6), 3, "cuda"):
        np.testing.assert_allclose(compiled(x).cpu().numpy(), infer(x).cpu().numpy(), atol=1e-6)
    kernels = compiled.kernels()
    assert compiled.program is not None and not any("max_pool2d" in k for k in kernels), kernels
    assert "the max pool (MaxPool2d), recomputed" in "\n".join(
        compiled.source(i) for i in range(len(kernels)))
