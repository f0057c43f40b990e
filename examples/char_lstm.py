"""A character-level LSTM language model, trained on the Python standard library's docstrings.

    python examples/char_lstm.py            # full run (about a quarter of an hour on 2 cores)
    python examples/char_lstm.py --quick    # under a minute: a short training run

The corpus is the documentation text every Python installation carries offline: the docstrings
of a fixed list of standard-library modules and of their public classes and functions (read with
`inspect.getdoc`), non-ASCII characters replaced by "?". The last 10 % is held out for
validation. The model reads 64 characters at a time (embedding -> 2-layer LSTM -> linear) and
learns to predict each next character; its quality is the validation cross-entropy in bits per
character (bpc). A unigram model (character frequencies alone) is the baseline to beat; it is
printed first. After training the model writes a sample, one character at a time.

The last line is `result: bpc=<validation bits per character>`. Only the imports are
tinygrad_edu's: the same program runs on PyTorch.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import math
import time

import numpy as np

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
import tinygrad_edu.optim as optim

MODULES = ("argparse", "collections", "functools", "itertools", "json", "os", "pathlib",
           "random", "re", "string", "textwrap", "typing", "unittest", "logging", "csv",
           "datetime", "decimal", "fractions", "heapq", "inspect", "shutil", "subprocess",
           "tarfile", "zipfile", "threading", "queue", "socket", "statistics", "difflib",
           "calendar", "email.message", "http.client", "urllib.parse", "xml.dom.minidom",
           "configparser", "contextlib", "dataclasses", "enum", "fnmatch", "glob", "gzip",
           "hashlib", "io", "ipaddress", "locale", "math", "operator", "pickle", "pprint")


def corpus() -> str:
    """Docstrings of MODULES and of their public members, in a fixed order, ASCII only."""
    parts = []
    for name in MODULES:
        module = importlib.import_module(name)
        parts.append(inspect.getdoc(module) or "")
        for member_name in sorted(vars(module)):
            member = getattr(module, member_name)
            if member_name.startswith("_") or getattr(member, "__module__", None) != name:
                continue
            doc = inspect.getdoc(member)
            if doc:
                parts.append(doc)
    text = "\n\n".join(p for p in parts if p)
    return "".join(c if c == "\n" or 32 <= ord(c) < 127 else "?" for c in text)


class CharLSTM(nn.Module):
    """characters (B, T) -> embedding (B, T, E) -> LSTM (B, T, H) -> scores (B, T, vocab)."""

    def __init__(self, vocab: int, embed: int = 48, hidden: int = 192, layers: int = 2) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, tokens, state=None):
        output, state = self.lstm(self.embedding(tokens), state)
        return self.head(output), state


def unigram_bpc(train: np.ndarray, valid: np.ndarray, vocab: int) -> float:
    """Bits per character of the character frequencies (add-one smoothed) on the valid text."""
    counts = np.bincount(train, minlength=vocab) + 1.0
    return float(-np.log2(counts[valid] / counts.sum()).mean())


def evaluate(model: CharLSTM, valid: np.ndarray, length: int, batch: int) -> float:
    """Validation bits per character, over consecutive windows of the held-out text."""
    model.eval()
    windows = (len(valid) - 1) // length
    starts = np.arange(windows) * length
    total, count = 0.0, 0
    with torch.no_grad():
        for first in range(0, windows, batch):
            rows = starts[first:first + batch]
            x = torch.tensor(np.stack([valid[s:s + length] for s in rows]))
            y = torch.tensor(np.stack([valid[s + 1:s + length + 1] for s in rows]))
            scores, _ = model(x)
            loss = F.cross_entropy(scores.reshape(-1, scores.shape[-1]), y.reshape(-1),
                                   reduction="sum")
            total, count = total + loss.item(), count + y.numel()
    model.train()
    return total / count / math.log(2)


def sample(model: CharLSTM, alphabet: str, prompt: str, count: int) -> str:
    """Feed the prompt, then draw each next character from the predicted distribution."""
    model.eval()
    index = {c: i for i, c in enumerate(alphabet)}
    rng = np.random.default_rng(0)
    text, state = prompt, None
    x = torch.tensor([[index.get(c, 0) for c in prompt]])
    with torch.no_grad():
        for _ in range(count):
            scores, state = model(x, state)
            probabilities = F.softmax(scores[0, -1] / 0.8, dim=-1).numpy().astype(np.float64)
            choice = int(rng.choice(len(alphabet), p=probabilities / probabilities.sum()))
            text += alphabet[choice]
            x = torch.tensor([[choice]])
    model.train()
    return text


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute)")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="stop training after this")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    steps = args.steps or (300 if args.quick else 1000)
    # quick: one smaller layer, so that many more steps fit in the time
    hidden, layers, length, batch = (128, 1, 32, 32) if args.quick else (192, 2, 64, 32)
    seconds = args.seconds or float("inf")
    torch.manual_seed(args.seed)
    text = corpus()
    alphabet = "".join(sorted(set(text)))
    encoded = np.frombuffer(text.encode("ascii"), np.uint8)
    lookup = np.zeros(256, np.int64)
    lookup[np.frombuffer(alphabet.encode("ascii"), np.uint8)] = np.arange(len(alphabet))
    data = lookup[encoded]
    split = int(0.9 * len(data))
    train, valid = data[:split], data[split:]
    if args.quick:
        valid = valid[:20_000]
    print(f"corpus: {len(text)} characters of standard-library docstrings, "
          f"{len(alphabet)} distinct; unigram baseline "
          f"{unigram_bpc(train, valid, len(alphabet)):.3f} bpc")
    model = CharLSTM(len(alphabet), hidden=hidden, layers=layers)
    optimizer = optim.Adam(model.parameters(), lr=1e-2 if args.quick else 5e-3)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=max(1, steps // 3), gamma=0.5)
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    for step in range(1, steps + 1):
        starts = rng.integers(0, len(train) - length - 1, batch)
        x = torch.tensor(np.stack([train[s:s + length] for s in starts]))  # (B, T)
        y = torch.tensor(np.stack([train[s + 1:s + length + 1] for s in starts]))
        scores, _ = model(x)  # (B, T, vocab)
        loss = F.cross_entropy(scores.reshape(-1, len(alphabet)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if step % 50 == 0 or step == steps:
            print(f"step {step}: train {loss.item() / math.log(2):.3f} bpc "
                  f"({time.perf_counter() - started:.0f} s)")
        if time.perf_counter() - started > seconds:
            print(f"stopping after {step} steps: the --seconds budget is spent")
            break
    bpc = evaluate(model, valid, length, 64)
    print("sample:", sample(model, alphabet, "Return the ", 120 if args.quick else 300))
    print(f"result: bpc={bpc:.4f}")
    return bpc


if __name__ == "__main__":
    main()
