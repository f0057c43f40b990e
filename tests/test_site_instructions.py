"""What README and the install page say about the site is what the Makefile does."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_site_is_read_through_make_serve_not_from_disk() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    serve = re.search(r"^serve:.*?(?=^\S|\Z)", makefile, flags=re.MULTILINE | re.DOTALL)
    assert serve and "http.server 8000 --bind 127.0.0.1 --directory site" in serve.group(0)
    for page in ("README.md", "docs/en/install.md", "docs/zh/install.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert "make serve" in text and "127.0.0.1:8000" in text, page
        assert not re.search(r"open\s+`?site/index\.html", text), page  # links break from disk


def test_the_makefile_installs_torch_as_readme_says() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    index = "https://download.pytorch.org/whl/cpu"
    assert f"TORCH_CPU_INDEX := {index}" in makefile
    assert "--index-url $(TORCH_CPU_INDEX)" in makefile
    assert "$(PY) -m pip install -q $(TORCH); \\" in makefile  # the fallback: the default index
    assert index in readme and "pip install torch==2.13.0" in readme
