"""A small encoder-decoder Transformer that translates numbers from digits into English words.

    python examples/transformer_translate.py            # full run (several minutes on 2 cores)
    python examples/transformer_translate.py --quick    # under a minute

The task is generated: every number from 0 to 9999, written in digits ("4071") on the source
side and in words ("four thousand seventy one") on the target side. A random 10 % of the numbers
is held out and never trained on; the model must get them right by having learnt the rules
(thousands, hundreds, the teens, tens and units) rather than the pairs.

The model is nn.Transformer (2 encoder and 2 decoder layers, d_model 64, 4 heads) with learned
token and position embeddings, trained with teacher forcing: the decoder sees the target shifted
right, a causal mask (generate_square_subsequent_mask) keeps each position from seeing later
ones, and padding is masked with key_padding_mask. Translation is greedy: start from <s>, append
the most likely next word until </s>.

The last line is `result: accuracy=<exact-match fraction on the held-out numbers>`. Only the
imports are tinygrad_edu's: the same program runs on PyTorch.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
import tinygrad_edu.optim as optim

UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
PAD, START, END = 0, 1, 2
SOURCE_VOCAB = ["<pad>", "<s>", "</s>"] + list("0123456789")
TARGET_VOCAB = ["<pad>", "<s>", "</s>"] + UNITS + TENS[2:] + ["hundred", "thousand"]


def in_words(n: int) -> str:
    """Words for 0 <= n <= 9999, no "and", no hyphens: 4071 -> four thousand seventy one."""
    if n == 0:
        return "zero"
    words = []
    if n >= 1000:
        words += [UNITS[n // 1000], "thousand"]
        n %= 1000
    if n >= 100:
        words += [UNITS[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(TENS[n // 10])
        n %= 10
    if n:
        words.append(UNITS[n])
    return " ".join(words)


def encode(tokens: list[str], vocab: list[str], length: int) -> list[int]:
    """<s> tokens </s>, as indices, padded to length."""
    ids = [START] + [vocab.index(t) for t in tokens] + [END]
    return ids + [PAD] * (length - len(ids))


SOURCE_LENGTH, TARGET_LENGTH = 6, 10  # <s> 4 digits </s>; <s> up to 7 words </s> (+ padding)


def dataset(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    source = np.array([encode(list(str(n)), SOURCE_VOCAB, SOURCE_LENGTH) for n in numbers])
    target = np.array([encode(in_words(int(n)).split(), TARGET_VOCAB, TARGET_LENGTH)
                       for n in numbers])
    return source, target


class Translator(nn.Module):
    """Token + position embeddings around nn.Transformer, and a linear layer to word scores."""

    def __init__(self, d_model: int = 64, heads: int = 4, layers: int = 2) -> None:
        super().__init__()
        self.source_embedding = nn.Embedding(len(SOURCE_VOCAB), d_model)
        self.target_embedding = nn.Embedding(len(TARGET_VOCAB), d_model)
        self.position = nn.Embedding(16, d_model)
        self.transformer = nn.Transformer(d_model, heads, layers, layers, 4 * d_model,
                                          dropout=0.0, batch_first=True)
        self.head = nn.Linear(d_model, len(TARGET_VOCAB))

    def embed(self, embedding: nn.Embedding, tokens):
        positions = torch.arange(tokens.shape[1])
        return embedding(tokens) + self.position(positions)  # (B, T, d_model)

    def encode(self, source):
        return self.transformer.encoder(self.embed(self.source_embedding, source),
                                        src_key_padding_mask=source == PAD)

    def decode(self, target, memory, source):
        length = target.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(length)
        output = self.transformer.decoder(self.embed(self.target_embedding, target), memory,
                                          tgt_mask=mask, tgt_is_causal=True,
                                          memory_key_padding_mask=source == PAD)
        return self.head(output)  # (B, T, vocab)

    def forward(self, source, target):
        return self.decode(target, self.encode(source), source)


def greedy(model: Translator, source: np.ndarray) -> list[str]:
    """Translate a batch: feed back the most likely word until every row has ended."""
    model.eval()
    with torch.no_grad():
        source_t = torch.tensor(source)
        memory = model.encode(source_t)
        output = np.full((len(source), 1), START)
        for _ in range(TARGET_LENGTH - 1):
            scores = model.decode(torch.tensor(output), memory, source_t)  # (B, t, vocab)
            next_word = scores[:, -1].argmax(-1).numpy()
            output = np.concatenate([output, next_word[:, None]], 1)
            if (output == END).any(1).all():
                break
    model.train()
    sentences = []
    for row in output[:, 1:]:
        words = []
        for index in row:
            if index == END:
                break
            words.append(TARGET_VOCAB[index])
        sentences.append(" ".join(words))
    return sentences


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute)")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="stop training after this")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    steps = args.steps or (300 if args.quick else 1500)
    seconds = args.seconds or float("inf")
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    numbers = rng.permutation(10_000)
    held_out, train_numbers = numbers[:1000], numbers[1000:]
    source, target = dataset(train_numbers)
    model = Translator(d_model=48 if args.quick else 64)
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    started = time.perf_counter()
    for step in range(1, steps + 1):
        rows = rng.integers(0, len(source), 64)
        src, tgt = torch.tensor(source[rows]), torch.tensor(target[rows])
        scores = model(src, tgt[:, :-1])  # predict word t + 1 from words 0..t
        loss = F.cross_entropy(scores.reshape(-1, len(TARGET_VOCAB)), tgt[:, 1:].reshape(-1),
                               ignore_index=PAD)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % 100 == 0 or step == steps:
            print(f"step {step}: loss {loss.item():.4f} ({time.perf_counter() - started:.0f} s)")
        if time.perf_counter() - started > seconds:
            print(f"stopping after {step} steps: the --seconds budget is spent")
            break
    test = held_out[:200] if args.quick else held_out
    test_source, _ = dataset(test)
    predictions = []
    for first in range(0, len(test), 250):
        predictions += greedy(model, test_source[first:first + 250])
    correct = [p == in_words(int(n)) for p, n in zip(predictions, test)]
    for n, p in list(zip(test, predictions))[:5]:
        print(f"{n:>4} -> {p}")
    accuracy = float(np.mean(correct))
    print(f"result: accuracy={accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
