"""watch(model, out_dir): a Graphviz picture of each forward pass of a model, as training runs.

    watcher = viz.watch(model, "graphs/", every=10)   # forward_0001.svg, forward_0011.svg, ...
    for x, y in loader:
        loss = criterion(model(x), y)
        ...
    watcher.stop()                                     # or: with viz.watch(...): ...

It uses the model's own forward hooks: a pre-hook starts a trace, the forward hook ends it and
renders what the forward pass did. The graph of a dynamic model can change from one call to the
next (an `if` in forward), and the numbered pictures show it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .capture import Trace
from .render import FORMATS


class Watcher:
    """Renders every `every`-th forward pass of a model into out_dir until stop() is called."""

    def __init__(self, model: Any, out_dir: str | Path, every: int = 1, fmt: str = "svg",
                 **options: Any):
        if every < 1:
            raise ValueError(f"every must be a positive integer, got {every}")
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
        for method in ("register_forward_pre_hook", "register_forward_hook"):
            if not hasattr(model, method):
                raise TypeError(f"watch() needs an nn.Module (with {method}), got "
                                f"{type(model).__name__}")
        self.model, self.out_dir, self.every, self.fmt = model, Path(out_dir), every, fmt
        self.options = {"include_backward": False, **options}
        self.calls = 0
        self.paths: list[Path] = []
        self._trace: Trace | None = None
        self._handles = [model.register_forward_pre_hook(self._begin),
                         model.register_forward_hook(self._end)]

    def _begin(self, module: Any, args: Any) -> None:
        self.calls += 1
        if (self.calls - 1) % self.every == 0 and self._trace is None:
            self._trace = Trace(params=self.model).__enter__()

    def _end(self, module: Any, args: Any, output: Any) -> None:
        trace, self._trace = self._trace, None
        if trace is None:
            return
        trace.__exit__(None, None, None)
        path = self.out_dir / f"forward_{self.calls:04d}.{self.fmt}"
        self.paths.append(trace.render(path, self.fmt, **self.options))

    @property
    def active(self) -> bool:
        return bool(self._handles)

    def stop(self) -> list[Path]:
        """Stop watching (removes the hooks); returns the paths written."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._trace is not None:
            self._trace.__exit__(None, None, None)
            self._trace = None
        return self.paths

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def watch(model: Any, out_dir: str | Path, every: int = 1, fmt: str = "svg",
          **options: Any) -> Watcher:
    """Render every `every`-th forward pass of `model` to out_dir/forward_NNNN.<fmt>.

    options go to the picture (depth=, show_values=, max_nodes=, ...). Call .stop() to end.
    """
    return Watcher(model, out_dir, every, fmt, **options)
