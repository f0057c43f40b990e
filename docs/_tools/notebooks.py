"""The course as Jupyter notebooks, generated from the same Markdown pages as the site.

    python docs/_tools/notebooks.py                 # writes notebooks/en/*.ipynb, notebooks/zh/...
    python docs/_tools/notebooks.py --execute       # and runs them (fails on an error cell)

One source of truth: each page of docs/<lang>/course/ becomes one notebook, cell by cell. Prose
becomes Markdown cells; the fences mean what they mean to the docs build (executor.py):

    ```python                       a code cell; its last-line expression shows as a notebook
                                    shows it (graphs as SVG, trace.player() as the inline player)
    ```python raises="SomeError"    a code cell tagged "raises-exception" (Jupyter's own tag: the
                                    error is expected); the expected name is kept in the cell's
                                    metadata and checked after execution
    ```python source="mod:name"     the library's own source, as a listing in a Markdown cell
    ```bash / ```text ...           stay in the Markdown, shown as written

The notebooks are outputs (git-ignored, like the site): edit the Markdown, run `make notebooks`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbformat import v4

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parents[1]
sys.path.insert(0, str(TOOLS))

from executor import parse_blocks, source_of  # noqa: E402

SETUP = ("# Set-up (added by the notebook generator): without a GPU, device \"cuda\" runs the\n"
         "# Triton kernels in Triton's interpreter; decide that before anything imports Triton.\n"
         "from tinygrad_edu.kernels.triton_support import use_interpreter_if_no_gpu\n\n"
         "use_interpreter_if_no_gpu()")
NOTE = {"en": "*Generated from `{page}` by `make notebooks`: edit the Markdown page, not this "
              "notebook.*",
        "zh": "*由 `make notebooks` 从 `{page}` 生成：请修改 Markdown 页面，而不是这个笔记本。*"}
EXPECTED = "tinygrad_edu_raises"  # cell metadata key: the error a raises= cell must end with


def page_to_notebook(markdown: str, page: str, language: str = "en") -> Any:
    """The notebook for one page (markdown text; page is its path, for the note on top)."""
    cells = [v4.new_markdown_cell(NOTE[language].format(page=page)),
             v4.new_code_cell(SETUP, metadata={"tags": ["setup"]})]
    position = 0
    for block in parse_blocks(markdown):
        if block.language != "python":
            continue  # shown as written: stays inside the surrounding Markdown
        _add_markdown(cells, markdown[position:block.start])
        position = block.end
        if "source" in block.options:
            path, code = source_of(block.options["source"])
            _add_markdown(cells, f"`{path}`\n\n```python\n{code}```")
        elif "raises" in block.options:
            cells.append(v4.new_code_cell(block.code.rstrip("\n"), metadata={
                "tags": ["raises-exception"], EXPECTED: block.options["raises"]}))
        else:
            cells.append(v4.new_code_cell(block.code.rstrip("\n")))
    _add_markdown(cells, markdown[position:])
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def _add_markdown(cells: list, text: str) -> None:
    if text.strip():
        cells.append(v4.new_markdown_cell(text.strip("\n")))


def course_pages(language: str) -> list[Path]:
    return sorted((ROOT / "docs" / language / "course").glob("*.md"))


def write_notebooks(out: Path, languages: list[str], pages: list[str] | None = None) -> list[Path]:
    """Write one notebook per course page (only the named pages, e.g. ["graph"], if given)."""
    written = []
    for language in languages:
        for path in course_pages(language):
            if pages and path.stem not in pages:
                continue
            notebook = page_to_notebook(path.read_text(encoding="utf-8"),
                                        path.relative_to(ROOT).as_posix(), language)
            target = out / language / f"{path.stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, target)
            written.append(target)
    return written


def execute(path: Path, timeout: int = 600) -> Any:
    """Run a notebook in a fresh kernel, in its own folder; raise on an unexpected error cell,
    or when a raises= cell did not raise what its page promised. Returns the run notebook."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for number, cell in enumerate(notebook.cells):
        expected = cell.metadata.get(EXPECTED)
        if expected is None:
            continue
        errors = [output.ename for output in cell.get("outputs", [])
                  if output.output_type == "error"]
        if errors != [expected]:
            raise RuntimeError(f"{path.name}, cell {number}: expected {expected}, got "
                               f"{errors or 'no error'}")
    nbformat.write(notebook, path)
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The course pages as Jupyter notebooks")
    parser.add_argument("--out", default=str(ROOT / "notebooks"), help="output folder")
    parser.add_argument("--lang", nargs="+", default=["en", "zh"], choices=["en", "zh"])
    parser.add_argument("--pages", nargs="+", help="only these pages (file stems, e.g. graph)")
    parser.add_argument("--execute", action="store_true", help="run them, fail on an error")
    args = parser.parse_args(argv)
    for path in write_notebooks(Path(args.out), args.lang, args.pages):
        if args.execute:
            execute(path)
        print(f"{'ran and wrote' if args.execute else 'wrote'} {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
