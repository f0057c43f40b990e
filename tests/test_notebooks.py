"""The course as notebooks (docs/_tools/notebooks.py): every page converts, fence by fence, and
notebooks run in a real Jupyter kernel with graphs and the player shown inline, offline.

Executing every course notebook takes minutes (the ConvNet page trains a network); `make docs`
already runs every page's code. Here two representative pages run in a kernel: the dynamic graph
(English: graphs as SVG, the HTML player) and Tensors (中文: a raises= block).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("nbclient") is None or importlib.util.find_spec("ipykernel") is None,
    reason="the notebook runner is not installed (pip install -e '.[notebooks]')")

TOOLS = Path(__file__).resolve().parent.parent / "docs" / "_tools"
sys.path.insert(0, str(TOOLS))

import executor  # noqa: E402
import notebooks  # noqa: E402


def outputs(notebook, kind: str) -> list:
    return [output for cell in notebook.cells for output in cell.get("outputs", [])
            if kind in output.get("data", {}) or output.get("output_type") == kind]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_course_page_converts_block_by_block(language: str) -> None:
    for page in notebooks.course_pages(language):
        markdown = page.read_text(encoding="utf-8")
        notebook = notebooks.page_to_notebook(markdown, page.name, language)
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"][1:]
        blocks = [b for b in executor.parse_blocks(markdown) if b.language == "python"]
        runnable = [b for b in blocks if "source" not in b.options]
        assert [cell.source for cell in code_cells] == [b.code.rstrip("\n") for b in runnable]
        raising = [cell.metadata.get(notebooks.EXPECTED) for cell in code_cells]
        assert raising == [b.options.get("raises") for b in runnable]
        text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        for block in blocks:
            if "source" in block.options:  # the listing is the library's code itself
                assert executor.source_of(block.options["source"])[1] in text
        assert not re.search(r"^```python", text.replace("```python\n", ""), re.MULTILINE)


def test_notebooks_run_with_graphs_an_offline_player_and_expected_errors(
        tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is missing (make system-deps): no pictures to show")
    written = notebooks.write_notebooks(tmp_path, ["en"], ["graph"]) + \
        notebooks.write_notebooks(tmp_path, ["zh"], ["tensor"])
    ran = {f"{p.parent.name}/{p.stem}": notebooks.execute(p) for p in written}

    notebook = ran["en/graph"]  # viz.draw(...) as SVG, trace.player() as the inline player
    assert len(outputs(notebook, "image/svg+xml")) >= 3
    players = [o["data"]["text/html"] for o in outputs(notebook, "text/html")]
    assert players and all(p.startswith("<iframe srcdoc=") for p in players)
    for page in players:  # everything inline: no script, stylesheet or font from the network
        assert not re.search(r"""(src|href)=(&quot;|["'])https?:""", page)
        assert "&lt;script&gt;" in page and "&lt;svg" in page
    assert not outputs(notebook, "error")

    notebook = ran["zh/tensor"]  # raises= blocks end with the promised error, nothing else does
    errors = outputs(notebook, "error")
    tagged = [c for c in notebook.cells if notebooks.EXPECTED in c.metadata]
    assert len(errors) == len(tagged) >= 1
    assert [e.ename for e in errors] == [c.metadata[notebooks.EXPECTED] for c in tagged]


def test_an_unexpected_error_cell_fails_the_run(tmp_path: Path) -> None:
    from nbclient.exceptions import CellExecutionError

    page = "Intro\n\n```python\nx = 1\n```\n\n```python\n1 / 0\n```\n"
    path = tmp_path / "broken.ipynb"
    notebooks.nbformat.write(notebooks.page_to_notebook(page, "broken.md"), path)
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        notebooks.execute(path)
    page = 'Intro\n\n```python raises="KeyError"\n1 / 0\n```\n'
    notebooks.nbformat.write(notebooks.page_to_notebook(page, "wrong.md"), path)
    with pytest.raises(RuntimeError, match="expected KeyError, got"):
        notebooks.execute(path)
