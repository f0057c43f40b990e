"""Run the code of a Markdown page, the way a learner would, and show what it printed.

Every ```python block of a page runs in order in one namespace (later blocks use earlier names),
in a temporary working directory. What a block prints is shown under it; when its last line is an
expression, its value is shown the way a notebook shows it: a graph (anything with `_repr_svg_`)
as a picture, a player (`_repr_html_`) in a frame, a matplotlib figure as SVG, anything else as
its repr. A block that raises stops the page with the page name, the block number and the
traceback, so a page whose code breaks fails the build and the tests.

Fences this module understands (the first word is the language):

    ```python                         run it, show its output
    ```python raises="RuntimeError"   run it; it must raise that error, whose message is shown
    ```python source="pkg.mod:name"   not run: filled with the source of pkg.mod.name, so a listing
                                      of library code is always the code itself
    ```bash / ```text / ...           shown as written (shell commands, expected output)
"""

from __future__ import annotations

import ast
import contextlib
import html
import importlib
import inspect
import io
import os
import re
import shlex
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinygrad_edu.kernels.triton_support import use_interpreter_if_no_gpu
from tinygrad_edu.viz.language import LANGUAGES as viz_languages
from tinygrad_edu.viz.language import use_language as viz_language

# Pages run in one process, and a page may use PyTorch's optimizers (which import Triton) before
# another page uses device "cuda": decide the Triton interpreter before any page runs.
use_interpreter_if_no_gpu()

FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)```[ ]*$",
                   re.MULTILINE | re.DOTALL)
OUTPUT_TITLE = {"en": "Output", "zh": "输出"}


class PageCodeError(RuntimeError):
    """A block of a page raised (or did not raise what it promised)."""


@dataclass
class Block:
    """One fenced code block of a page."""

    language: str
    options: dict[str, str]
    code: str
    indent: str
    start: int  # character offsets of the whole fence in the page
    end: int

    @property
    def runs(self) -> bool:
        return self.language == "python" and "source" not in self.options


@dataclass
class Shown:
    """What one block produced: printed text and, maybe, a rich value."""

    text: str = ""
    markup: str = ""  # raw HTML (a picture or a frame) to place under the block
    extra: list[str] = field(default_factory=list)


def parse_blocks(markdown: str) -> list[Block]:
    """Every fenced block of a page, in order."""
    blocks = []
    for match in FENCE.finditer(markdown):
        words = shlex.split(match["info"].strip()) if match["info"].strip() else [""]
        options = dict(word.split("=", 1) if "=" in word else (word, "") for word in words[1:])
        indent = match["indent"]
        lines = match["body"].splitlines(keepends=True)
        code = "".join(line[len(indent):] if line.startswith(indent) else line.lstrip()
                       for line in lines)
        blocks.append(Block(words[0], options, code, indent, match.start(), match.end()))
    return blocks


def python_code_blocks(markdown: str) -> list[str]:
    """The code of every ```python block (run or listed): what two translations must share."""
    return [block.code for block in parse_blocks(markdown) if block.language == "python"]


def source_of(reference: str) -> tuple[str, str]:
    """('path/of/file.py', source) for 'package.module:qualified.name' (or a whole module)."""
    module_name, _, qualified_name = reference.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in filter(None, qualified_name.split(".")):
        target = getattr(target, part)
    # a Triton kernel (pending, jitted or interpreted) wraps the Python function it was written as
    while not (inspect.isroutine(target) or inspect.isclass(target) or inspect.ismodule(target)):
        target = getattr(target, "__wrapped__", None) or target.fn
    target = inspect.unwrap(target)
    path = Path(inspect.getsourcefile(target) or "?")
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        with contextlib.suppress(ValueError):
            path = path.resolve().relative_to(root)
            break
    return path.as_posix(), inspect.getsource(target).rstrip() + "\n"


def _rich_markup(value: Any) -> str:
    """HTML for a value a notebook would draw (graphs, players, figures); '' for the rest."""
    page = value._repr_html_() if hasattr(value, "_repr_html_") else None
    if page is not None:  # a matplotlib Figure has _repr_html_ too, returning None: drawn below
        return (f'<iframe class="tge-player" srcdoc="{html.escape(page, quote=True)}" '
                'loading="lazy"></iframe>')
    if hasattr(value, "_repr_svg_"):
        return _figure(value._repr_svg_())
    if type(value).__module__.startswith("matplotlib") and hasattr(value, "savefig"):
        buffer = io.StringIO()
        value.savefig(buffer, format="svg", bbox_inches="tight")
        return _figure(buffer.getvalue())
    return ""


def _figure(svg: str) -> str:
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = "\n".join(line for line in svg.splitlines() if line.strip())  # no blank line in raw HTML
    return f'<div class="tge-figure">\n{svg}\n</div>'


class PageRunner:
    """Runs the blocks of one page in one namespace, in a temporary working directory."""

    def __init__(self, page_name: str) -> None:
        self.page_name = page_name
        self.namespace: dict[str, Any] = {"__name__": "__docs__"}

    def run(self, number: int, block: Block) -> Shown:
        expected = block.options.get("raises")
        tree = ast.parse(block.code, filename=f"{self.page_name} block {number}")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        stdout = io.StringIO()
        shown = Shown()
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stdout):
                exec(compile(tree, f"{self.page_name} block {number}", "exec"), self.namespace)  # noqa: S102
                if last is not None:
                    expression = ast.Expression(last.value)
                    value = eval(compile(expression, f"{self.page_name} block {number}", "eval"),  # noqa: S307
                                 self.namespace)
                    shown.markup = _rich_markup(value) if value is not None else ""
                    if value is not None and not shown.markup:
                        print(repr(value))
        except Exception as error:  # noqa: BLE001 - reported with the page and block
            if expected and type(error).__name__ == expected:
                print(f"{type(error).__name__}: {error}", file=stdout)
            else:
                raise PageCodeError(
                    f"{self.page_name}: code block {number} raised\n"
                    f"{''.join(traceback.format_exception(error))}\n--- the block ---\n"
                    f"{block.code}") from error
        else:
            if expected:
                raise PageCodeError(f"{self.page_name}: code block {number} should raise "
                                    f"{expected} but did not")
        shown.text = stdout.getvalue()
        return shown


def render_block(block: Block, shown: Shown | None, language: str) -> str:
    """The Markdown that replaces a block: the code, then its output and picture."""
    indent = block.indent
    info = "python"
    if "source" in block.options:
        path, _ = source_of(block.options["source"])
        info = f'python title="{path}"'
    elif "title" in block.options:
        info = f'python title="{block.options["title"]}"'
    parts = [f"{indent}```{info}\n" + "".join(f"{indent}{line}" if line.strip() else line
                                              for line in block.code.splitlines(keepends=True))
             + f"{indent}```"]
    if shown and shown.text.strip():
        title = OUTPUT_TITLE.get(language, "Output")
        text = shown.text.rstrip("\n").replace("```", "ʼʼʼ")
        lines = "".join(f"{indent}{line}\n" for line in text.splitlines())
        # class tge-output: outputs wrap at the page's width (docs/assets/extra.css), code does not
        parts.append(f'{indent}```{{.text .tge-output title="{title}"}}\n{lines}{indent}```')
    if shown and shown.markup:
        parts.append("\n".join(f"{indent}{line}" for line in shown.markup.splitlines()))
    return "\n\n".join(parts)


def run_page(markdown: str, page_name: str, language: str = "en",
             workdir: Path | None = None) -> str:
    """Run a page's python blocks; return it with sources filled in and outputs shown."""
    blocks = parse_blocks(markdown)
    runner = PageRunner(page_name)
    pieces, position = [], 0
    previous = Path.cwd()
    # the Chinese pages draw their pictures and players in Chinese from the same code
    with tempfile.TemporaryDirectory(prefix="tge-docs-") as temporary, \
            viz_language(language if language in viz_languages else "en"):
        os.chdir(workdir or temporary)
        try:
            for number, block in enumerate(blocks, start=1):
                if block.language != "python":
                    continue
                if "source" in block.options:
                    block.code = source_of(block.options["source"])[1]
                    shown = None
                else:
                    shown = runner.run(number, block)
                pieces.append(markdown[position:block.start])
                pieces.append(render_block(block, shown, language))
                position = block.end
        finally:
            os.chdir(previous)
    pieces.append(markdown[position:])
    return "".join(pieces)
