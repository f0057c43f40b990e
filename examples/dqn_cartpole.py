"""Deep Q-learning plays CartPole: game AI from the same autograd that classifies digits.

    pip install -e ".[examples]"                  # gymnasium (CartPole-v1)
    python examples/dqn_cartpole.py               # full run: until the last 100 episodes average
                                                  # >= 195 (CartPole's "solved"), a few minutes
    python examples/dqn_cartpole.py --quick       # 6000 steps, well under a minute

The agent sees the cart's position and speed and the pole's angle and angular speed, and pushes
the cart left or right; each step the pole stays up earns 1 (an episode ends when it falls, or
after 500 steps). A random policy averages about 22.

A Q-network Q(s, a) estimates the return of pushing `a` in state `s` and then playing well. It is
trained toward the Bellman target r + gamma * max_a' Q_target(s', a') (0 after the last step),
with the five classic ingredients of DQN (Mnih et al., 2015):

- epsilon-greedy exploration: a random action with probability epsilon, decayed from 1 to 0.05;
- a replay buffer: transitions are stored and trained on in random minibatches, which breaks the
  correlation between consecutive steps;
- a target network: a copy of the Q-network, synchronised every `--target-every` steps, computes
  the targets, so the network does not chase its own moving output;
- the Huber loss (F.huber_loss): quadratic for small TD errors, linear for big ones;
- gradient clipping (nn.utils.clip_grad_norm_), so one bad minibatch cannot blow the weights up.

It writes a plot of the episode returns (returns.png in --out) and ends with
`result: avg_return=<average return of the last 100 episodes>`.
"""

from __future__ import annotations

import argparse
import copy
import os
import time
from pathlib import Path

# The matrices here are tiny (64 x 128): BLAS threads cost more than they help, and on a busy
# machine they spin and slow each step tenfold. One thread (set before NumPy loads BLAS).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import tinygrad_edu as torch  # noqa: E402
import tinygrad_edu.nn as nn  # noqa: E402
import tinygrad_edu.nn.functional as F  # noqa: E402
import tinygrad_edu.optim as optim  # noqa: E402


class QNetwork(nn.Module):
    """State (4 numbers) -> one estimated return per action (2)."""

    def __init__(self, observations: int = 4, actions: int = 2, hidden: int = 128) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(observations, hidden), nn.ReLU(),
                                    nn.Linear(hidden, hidden), nn.ReLU(),
                                    nn.Linear(hidden, actions))

    def forward(self, state: torch.Tensor) -> torch.Tensor:  # (N, 4) -> (N, 2)
        return self.layers(state)


class ReplayBuffer:
    """A ring buffer of transitions (s, a, r, s', done) in NumPy arrays; sample() a minibatch."""

    def __init__(self, capacity: int, observations: int, seed: int) -> None:
        self.states = np.zeros((capacity, observations), np.float32)
        self.actions = np.zeros(capacity, np.int64)
        self.rewards = np.zeros(capacity, np.float32)
        self.next_states = np.zeros((capacity, observations), np.float32)
        self.done = np.zeros(capacity, np.float32)  # 1 when s' ended the game (no future reward)
        self.capacity, self.size, self.position = capacity, 0, 0
        self.rng = np.random.default_rng(seed)

    def add(self, state, action: int, reward: float, next_state, done: bool) -> None:
        i = self.position
        self.states[i], self.actions[i], self.rewards[i] = state, action, reward
        self.next_states[i], self.done[i] = next_state, float(done)
        self.position = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch: int) -> tuple[torch.Tensor, ...]:
        index = self.rng.integers(0, self.size, batch)
        return (torch.from_numpy(self.states[index]), torch.from_numpy(self.actions[index]),
                torch.from_numpy(self.rewards[index]), torch.from_numpy(self.next_states[index]),
                torch.from_numpy(self.done[index]))


def td_update(q: QNetwork, target: QNetwork, optimizer: optim.Optimizer, batch: tuple,
              gamma: float, clip: float) -> float:
    """One gradient step on a replayed minibatch; returns the Huber loss."""
    states, actions, rewards, next_states, done = batch
    with torch.no_grad():
        best_next = target(next_states).max(1).values  # (B,)
        goal = rewards + gamma * (1 - done) * best_next  # (B,) the Bellman target
    predicted = q(states).gather(1, actions.unsqueeze(1)).squeeze(1)  # (B,) Q(s, a taken)
    loss = F.huber_loss(predicted, goal)
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(q.parameters(), clip)
    optimizer.step()
    return loss.item()


def epsilon_at(step: int, decay_steps: int, final: float = 0.05) -> float:
    """Linear decay from 1 (all random) to `final` over decay_steps, then constant."""
    return max(final, 1.0 - (1.0 - final) * step / decay_steps)


def train(steps: int, seed: int = 0, solve_at: float | None = 195.0, lr: float = 1e-3,
          batch: int = 64, gamma: float = 0.99, target_every: int = 500, warmup: int = 500,
          decay_steps: int | None = None, clip: float = 10.0) -> list[float]:
    """Play and learn for at most `steps` environment steps; stop early once the last 100
    episodes average >= solve_at. Returns every finished episode's return."""
    import gymnasium as gym

    torch.manual_seed(seed)
    env = gym.make("CartPole-v1")
    env.action_space.seed(seed)
    q = QNetwork()
    target = copy.deepcopy(q)
    optimizer = optim.Adam(q.parameters(), lr=lr)
    memory = ReplayBuffer(50_000, 4, seed)
    decay_steps = decay_steps or max(1, steps // 5)
    returns: list[float] = []
    state, _ = env.reset(seed=seed)
    episode_return = 0.0
    for step in range(steps):
        if np.random.default_rng(seed * 1_000_003 + step).random() < epsilon_at(step, decay_steps):
            action = int(env.action_space.sample())
        else:
            with torch.no_grad():
                action = int(q(torch.from_numpy(state[None])).argmax(1).item())
        next_state, reward, terminated, truncated, _ = env.step(action)
        memory.add(state, action, reward, next_state, terminated)  # truncation is not death
        state, episode_return = next_state, episode_return + reward
        if terminated or truncated:
            returns.append(episode_return)
            state, _ = env.reset()
            episode_return = 0.0
            if solve_at is not None and len(returns) >= 100 and np.mean(returns[-100:]) >= solve_at:
                break
        if memory.size >= warmup:
            td_update(q, target, optimizer, memory.sample(batch), gamma, clip)
        if step % target_every == 0:
            target.load_state_dict(q.state_dict())
    env.close()
    return returns


def figure(returns: list[float]):
    """Episode returns and their 100-episode moving average (a matplotlib Figure)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(figsize=(7, 3.5))
    axes.plot(returns, linewidth=0.7, alpha=0.6, label="episode return")
    average = [np.mean(returns[max(0, i - 99):i + 1]) for i in range(len(returns))]
    axes.plot(average, linewidth=2, label="average of the last 100")
    axes.axhline(195, color="gray", linestyle="--", linewidth=1, label="solved (195)")
    axes.axhline(22, color="red", linestyle=":", linewidth=1, label="random policy (~22)")
    axes.set(xlabel="episode", ylabel="return", title="DQN on CartPole-v1 (tinygrad_edu)")
    axes.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot(returns: list[float], path: Path) -> Path:
    """Save figure(returns) as a PNG."""
    import matplotlib.pyplot as plt

    fig = figure(returns)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description="Deep Q-learning on CartPole-v1")
    parser.add_argument("--steps", type=int, default=100_000, help="most environment steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="6000 steps: shows learning")
    parser.add_argument("--out", default="runs/dqn", help="folder for returns.png")
    args = parser.parse_args(argv)
    try:
        import gymnasium  # noqa: F401
    except ImportError:
        print('dqn_cartpole needs gymnasium: pip install -e ".[examples]"')
        raise SystemExit(1) from None
    start = time.perf_counter()
    returns = train(6000 if args.quick else args.steps, args.seed)
    path = plot(returns, Path(args.out) / "returns.png")
    average = float(np.mean(returns[-100:]))
    print(f"{len(returns)} episodes, {time.perf_counter() - start:.1f} s; wrote {path}")
    print(f"result: avg_return={average:.1f}")
    return average


if __name__ == "__main__":
    main()
