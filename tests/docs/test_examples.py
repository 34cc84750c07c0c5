"""Every script of ``examples/`` runs in short mode (``NEUROLIB_EXAMPLES_SHORT=1``), in a fresh process, and
writes its figures where the documentation build takes them (``docs/examples/figures``)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
FIGURES = ROOT / "docs" / "examples" / "figures"


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_in_short_mode(script, shared_datasets, tmp_path):
    env = dict(os.environ, NEUROLIB_EXAMPLES_SHORT="1", NEUROLIB_FIGURES=str(FIGURES), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
