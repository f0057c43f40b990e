# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates .venv if absent and installs what it needs (torch==2.13.0 first, the CPU wheel).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv clean bench system-deps docs

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
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
# --strict turns a broken link or any warning into a failure. Output: site/ (open site/index.html).
docs: $(STAMP) system-deps
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# The ci Hypothesis profile keeps `make test` short on 2 cores; run pytest directly (profile dev,
# more examples) while working on an op.
test: $(STAMP) system-deps
	$(PY) -m ruff check .
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(PY) -m pytest -n 2 -p no:cacheprovider

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
