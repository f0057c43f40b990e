"""The words inside the boxes: tensor names and summaries, op arguments, and each op's formula.

Every op's docstring starts with its math, forward and local derivative separated by `;`:

    "y = max(x, 0);  dx = dy * (y > 0)   (0 at x == 0, as PyTorch)"

`formula()` splits that line so the picture and the player can show the derivative next to the
backward node that applies it. Names come from the caller: a module's `named_parameters()`, a dict
such as {"x": x, "W": w}, or a list of (name, tensor) pairs.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .language import tr
from .summary import Snapshot, format_bytes, format_shape

_HIDDEN_CTX_ATTRIBUTES = frozenset({"needs_input_grad", "metadata", "next_functions"})


def parameter_names(params: Any) -> dict[int, str]:
    """{id(tensor): name} from a Module (named_parameters), a dict, or (name, tensor) pairs."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        items: Iterable = params.named_parameters()
    elif isinstance(params, dict):
        items = params.items()
    else:
        items = params
    names = {}
    for name, tensor in items:
        if not hasattr(tensor, "_view"):
            raise TypeError(f"params: {name!r} is a {type(tensor).__name__}, not a Tensor")
        names[id(tensor)] = str(name)
    return names


def owner_module(name: str) -> str:
    """The module path a parameter belongs to: 'features.0.weight' -> 'features.0'."""
    return name.rpartition(".")[0]


@lru_cache(maxsize=512)
def formula(function: type) -> tuple[str, str]:
    """(forward formula, local derivative) from the first paragraph of an op's docstring."""
    doc = inspect.getdoc(function) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    forward, _, derivative = first.partition(";")
    return forward.strip(), derivative.strip()


def tensor_lines(snapshot: Snapshot, grad: Snapshot | None, *, show_values: bool,
                 show_grads: bool, show_strides: bool) -> list[str]:
    """Shape, dtype and device; then the value, the gradient and the strides when asked."""
    device = "" if snapshot.device == "cpu" else f" {snapshot.device}"
    lines = [f"{format_shape(snapshot.shape)} {snapshot.dtype}{device}"]
    if show_values:
        lines.append(snapshot.summary)
    if show_grads and grad is not None:
        lines.append(grad_line(grad))
    if show_strides:
        text = ("strides {strides}, contiguous" if snapshot.contiguous
                else "strides {strides}, not contiguous")
        lines.append(tr(text, strides=format_shape(snapshot.strides)))
    return lines


def grad_line(grad: Snapshot) -> str:
    """The line a tensor box shows for its gradient (the player hides it until it is computed)."""
    return tr("grad: {summary}", summary=grad.summary)


def saved_lines(snapshot: Snapshot, is_output: bool) -> list[str]:
    role = tr("the op's own output" if is_output else "an input or intermediate")
    return [f"{format_shape(snapshot.shape)} {snapshot.dtype}", format_bytes(snapshot.nbytes), role]


def short_value(value: Any, limit: int = 28) -> str | None:
    """A short text for an op argument (None for tensors and things too long to show)."""
    if hasattr(value, "_view"):
        return None
    if isinstance(value, (list, tuple)) and any(hasattr(v, "_view") for v in value):
        return None
    if hasattr(value, "name") and hasattr(value, "itemsize"):  # a dtype
        text = value.name
    elif hasattr(value, "type") and hasattr(value, "index") and not isinstance(value, tuple):
        text = str(value)  # a device: cpu, cuda:0
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Settings a label may leave out when the line gets long: PyTorch's defaults.
SETTING_DEFAULTS: dict[str, Any] = {"padding": 0, "dilation": 1, "groups": 1, "ceil_mode": False,
                                    "count_include_pad": True, "divisor_override": None}


def _compact(value: Any) -> Any:
    """(1, 1) -> 1, and padding (top, bottom, left, right) = (1, 1, 2, 2) -> (1, 2), as PyTorch."""
    if isinstance(value, (tuple, list)) and len(value) == 4 and value[0] == value[1] \
            and value[2] == value[3]:
        value = (value[0], value[2])
    if isinstance(value, (tuple, list)) and value and all(v == value[0] for v in value):
        return value[0]
    return value


def named_settings(names: tuple[str, ...], values: Any, limit: int = 42) -> list[str]:
    """`stride=1, padding=0, dilation=1, groups=1` for a Function's settings tuple (its class
    names the fields in `settings_names`); defaults are left out when the text would be long."""
    pairs = [(name, _compact(value)) for name, value in zip(names, values)]
    texts = [f"{name}={short_value(value)}" for name, value in pairs]
    if len(", ".join(texts)) > limit:
        texts = [text for (name, value), text in zip(pairs, texts)
                 if not (name in SETTING_DEFAULTS and SETTING_DEFAULTS[name] == value)]
    return texts


def _argument(function: Any, name: str, value: Any) -> list[str]:
    names = getattr(function, "settings_names", None)
    if name == "settings" and names and isinstance(value, tuple):
        return named_settings(names, value)
    text = short_value(value)
    return [] if text is None else [f"{name}={text}"]


def call_arguments(function: type, args: tuple, kwargs: dict) -> list[str]:
    """`name=value` for the non-tensor arguments of a forward call (dim, stride, padding, ...)."""
    try:
        parameters = list(inspect.signature(function.forward).parameters)[1:]  # drop ctx
    except (TypeError, ValueError):
        parameters = []
    shown = []
    for index, value in enumerate(args):
        name = parameters[index] if index < len(parameters) else f"arg{index}"
        shown += _argument(function, name, value)
    for name, value in kwargs.items():
        shown += _argument(function, name, value)
    return shown


def ctx_arguments(node: Any) -> list[str]:
    """`name=value` for what a recorded node kept besides tensors (shape, axes, dim, ...)."""
    shown = []
    function = getattr(node, "_function", None)
    for name, value in vars(node).items():
        if name.startswith("_") or name in _HIDDEN_CTX_ATTRIBUTES:
            continue
        shown += _argument(function, name, value)
    return shown


def kernel_line(backend: str, kernels: list[str], limit: int = 3) -> str:
    """'numpy: binary(mul)' — which primitives of which backend computed an op."""
    if not kernels:
        return tr("{backend}: no kernel (a view)", backend=backend) if backend else ""
    unique = list(dict.fromkeys(kernels))
    text = ", ".join(unique[:limit]) + (f", +{len(unique) - limit}" if len(unique) > limit else "")
    return f"{backend}: {text}" if backend else text


def join_args(arguments: list[str], per_line: int = 3) -> list[str]:
    """Arguments packed a few to a line so op boxes stay narrow."""
    return [", ".join(arguments[i:i + per_line]) for i in range(0, len(arguments), per_line)]
