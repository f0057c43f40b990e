"""The pictures of README's gallery: each scenario example's --quick run, checked in under
docs/assets/gallery/ so that README shows them without running anything.

    python docs/_tools/gallery.py        # rerun the examples, refresh the pictures (make gallery)

tests/test_examples_quick.py runs the same --quick commands and compares each new picture with
the checked-in one (same size, nearly the same pixels), so a changed example cannot leave a stale
picture behind. The docs' gallery page (docs/en/gallery.md) draws its own pictures in the build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "docs" / "assets" / "gallery"
# example -> the picture its --quick run writes into --out
PICTURES = {"dqn_cartpole": "returns.png", "interpret_convnet": "interpret.png",
            "graduate_to_pytorch": "logits.png"}


def run_quick(name: str, out: Path) -> subprocess.CompletedProcess:
    """`python examples/<name>.py --quick --out <out>`, one BLAS thread, in `out`."""
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), "--quick",
                           "--out", str(out)], cwd=out, env=env, capture_output=True, text=True,
                          timeout=900)


def difference(a: Path, b: Path) -> float:
    """Mean absolute pixel difference of two PNGs in [0, 1]; 1.0 if their sizes differ."""
    from matplotlib.image import imread

    first, second = imread(a)[..., :3], imread(b)[..., :3]
    return 1.0 if first.shape != second.shape else float(abs(first - second).mean())


def main() -> int:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, picture in PICTURES.items():
        with tempfile.TemporaryDirectory() as out:
            done = run_quick(name, Path(out))
            if done.returncode != 0:
                print(done.stdout + done.stderr, file=sys.stderr)
                return 1
            shutil.copyfile(Path(out) / picture, FOLDER / f"{name}.png")
            print(f"{done.stdout.strip().splitlines()[-1]}  ->  docs/assets/gallery/{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
