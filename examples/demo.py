"""The first demo: build a small graph, backpropagate, and compare every gradient with PyTorch.

Run it with `make demo`. The same code runs on both libraries; only the module differs.
"""

from __future__ import annotations

import numpy as np

import tinygrad_edu


def small_network(torch, inputs: np.ndarray, weights: np.ndarray, bias: np.ndarray):
    """A 2-layer computation: y = sum(softmax(relu(x @ W + b)) * x[:, :2]), with its leaves."""
    x = torch.tensor(inputs, requires_grad=True)                      # (4, 3)
    w = torch.tensor(weights, requires_grad=True)                     # (3, 2)
    b = torch.tensor(bias, requires_grad=True)                        # (2,)
    hidden = (x @ w + b).relu()                                       # (4, 2) broadcast of b
    y = (hidden.softmax(dim=1) * x[:, :2]).sum()                      # a scalar
    y.backward()
    return y, {"x": x, "W": w, "b": b}


def main() -> None:
    rng = np.random.default_rng(0)
    arrays = (rng.standard_normal((4, 3)).astype(np.float32),
              rng.standard_normal((3, 2)).astype(np.float32),
              rng.standard_normal(2).astype(np.float32))
    ours, our_leaves = small_network(tinygrad_edu, *arrays)
    print("tinygrad_edu:", ours)
    print("graph:       ", " <- ".join(_chain(ours.grad_fn)))
    try:
        import torch
    except ImportError:
        print("(PyTorch is not installed: showing tinygrad_edu's gradients only)")
        for name, leaf in our_leaves.items():
            print(f"d y / d {name} =\n{leaf.grad}")
        return
    theirs, their_leaves = small_network(torch, *arrays)
    print("PyTorch:     ", theirs)
    for name in our_leaves:
        mine, reference = our_leaves[name].grad.numpy(), their_leaves[name].grad.numpy()
        match = np.allclose(mine, reference, atol=1e-5, rtol=1e-4)
        print(f"\nd y / d {name}   ({'matches PyTorch' if match else 'DIFFERS from PyTorch'})")
        print("  tinygrad_edu:", np.array2string(mine, precision=4, prefix="  tinygrad_edu: "))
        print("  PyTorch:     ", np.array2string(reference, precision=4, prefix="  PyTorch:      "))
        if not match:
            raise SystemExit(1)


def _chain(node, limit: int = 12) -> list[str]:
    """The names of the backward nodes along the first input of each node, from the output."""
    names = []
    while node is not None and len(names) < limit:
        names.append(node.name())
        node = next((n for n, _ in node.next_functions if n is not None), None)
    return names


if __name__ == "__main__":
    main()
