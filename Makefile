# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates .venv if absent and installs what it needs: torch==2.13.0 first (the CPU build from
# PyTorch's CPU wheel index when it answers, else whatever the default index has), then the project.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TORCH := torch==2.13.0
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu

.PHONY: demo test lint venv clean bench system-deps docs serve

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	@$(PY) -c "import torch" 2>/dev/null || { \
		if $(PY) -c "import urllib.request as u; u.urlopen('$(TORCH_CPU_INDEX)/torch/', timeout=10)" \
			2>/dev/null; then \
			echo "installing $(TORCH), CPU build, from $(TORCH_CPU_INDEX)"; \
			$(PY) -m pip install -q $(TORCH) --index-url $(TORCH_CPU_INDEX); \
		else \
			echo "$(TORCH_CPU_INDEX) unreachable: installing $(TORCH) from the default index"; \
			$(PY) -m pip install -q $(TORCH); \
		fi; }
	$(PY) -m pip install -q -e ".[dev,docs]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py
	$(VENV)/bin/tinygrad-edu train --model convnet --dataset digits --epochs 12 --batch-size 32 \
		--lr 0.02 --lr-decay 0.85 --random-crop 2 --seed 0 --output runs/demo
	$(VENV)/bin/tinygrad-edu graph --model convnet --checkpoint runs/demo/checkpoint.pt \
		--out runs/demo/graphs

lint: $(STAMP)
	$(PY) -m ruff check .

# Graphviz's dot (viz pictures) and headless Chromium (the HTML player's browser test), via apt
# only when missing; without root or apt the viz tests that need them skip and say why.
system-deps:
	@if ! command -v dot >/dev/null || ! command -v chromium >/dev/null \
		|| ! command -v chromedriver >/dev/null; then \
		(apt-get update && apt-get install -y graphviz chromium chromium-driver) \
		|| echo "could not install graphviz/chromium: viz rendering and browser tests will skip"; \
	fi

# The site (English and 简体中文): every page's code runs and every picture is drawn by the build;
# --strict turns a broken link or any warning into a failure. Output: site/, read with `make serve`.
# Then the built site in headless Chromium (tests marked `site`: tests/test_site_browser.py).
docs: $(STAMP) system-deps
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict
	$(PY) -m pytest -m site -p no:cacheprovider tests/test_site_browser.py

# The built site over HTTP (its links are folders, and search loads its index with a request, so
# opening site/index.html from disk does not work): http://127.0.0.1:8000/, 简体中文 under /zh/.
serve:
	@test -f site/index.html || { echo "site/ is not built yet: run make docs first"; exit 1; }
	@echo "serving site/ at http://127.0.0.1:8000/ (Ctrl-C stops)"
	python3 -m http.server 8000 --bind 127.0.0.1 --directory site

# The ci Hypothesis profile keeps `make test` short on 2 cores; run pytest directly (profile dev,
# more examples) while working on an op.
test: $(STAMP) system-deps
	$(PY) -m ruff check .
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(PY) -m pytest -n 2 -p no:cacheprovider -m "not site"

bench: $(STAMP)
	$(PY) benchmarks/dispatch.py

clean:
	rm -rf $(VENV) build *.egg-info

# The course pages as Jupyter notebooks (notebooks/en, notebooks/zh; git-ignored, like site/),
# generated from the same Markdown and run, so they open with their outputs; an error cell fails.
.PHONY: notebooks
notebooks: $(STAMP) system-deps
	$(PY) docs/_tools/notebooks.py --execute

# README's picture, redrawn from README's example into the checked-in docs/assets/readme-graph.svg
.PHONY: readme-picture
readme-picture: $(STAMP) system-deps
	$(PY) docs/_tools/readme_picture.py

# README's gallery pictures: each scenario example's --quick run, into docs/assets/gallery/
.PHONY: gallery
gallery: $(STAMP)
	$(PY) docs/_tools/gallery.py
