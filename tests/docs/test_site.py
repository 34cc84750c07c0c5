"""The documentation site builds without a warning (``mkdocs build --strict``, as CI runs it), and every public
class and function of the public modules has its entry in the API reference."""

import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _public_modules():
    sys.path.insert(0, str(ROOT / "docs" / "_gen"))
    try:
        source = (ROOT / "docs" / "_gen" / "pages.py").read_text()
    finally:
        sys.path.pop(0)
    block = source[source.index("PUBLIC = {") : source.index("}  # fmt: skip")]
    return re.findall(r'"(neurolib[\w.]*)"', block)


def test_site_builds_strict_and_documents_every_public_object(tmp_path):
    pytest.importorskip("mkdocs", reason="the documentation extra is not installed")
    env = dict(os.environ, DISABLE_MKDOCS_2_WARNING="true", NO_MKDOCS_2_WARNING="1")
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-5000:]
    pages = list(site.rglob("index.html"))
    assert len(pages) > 40
    missing = []
    for module_name in _public_modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue  # an optional part that is not installed (its page is left out too)
        html = (site / "reference" / Path(*module_name.split(".")) / "index.html").read_text()
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if getattr(obj, "__module__", None) != module_name:
                continue  # imported from elsewhere: documented where it is defined
            if f'id="{module_name}.{name}"' not in html:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"not in the API reference: {missing}"
