"""The ```python blocks of README.md run, in order and in one namespace, and print finite numbers.

The blocks build on each other (the analysis block uses the model of the first one), so they are executed as one
sequence. Files they write (the exploration's HDF5 file) go to a temporary folder. The datasets are read from the
shared folder through ``NEUROLIB_DATA`` (see ``tests/conftest.py``); without it the test is skipped.
"""

import contextlib
import io
import math
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\bnan\b|\binf\b", re.IGNORECASE)


def readme_blocks():
    """The source of every ```python block of README.md, in order."""
    return PYTHON_BLOCK.findall(README.read_text(encoding="utf-8"))


def test_readme_has_python_blocks():
    assert len(readme_blocks()) >= 3


def test_readme_says_chunkwise_keeps_last_chunk():
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "chunkwise run keeps only the last chunk" in text and "append_outputs=True" in text


def test_issue7_item13_readme_snippets_run_and_print_numbers(shared_datasets, tmp_path, monkeypatch):
    """Every README python block runs; everything it prints is a finite number (no ``nan`` fit)."""
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__readme__"}
    for index, source in enumerate(readme_blocks()):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(source, f"README.md python block {index}", "exec"), namespace)  # noqa: S102
        output = printed.getvalue()
        assert output.strip(), f"README python block {index} prints nothing:\n{source}"
        numbers = NUMBER.findall(output)
        assert numbers, f"README python block {index} prints no number:\n{output}"
        bad = [n for n in numbers if not math.isfinite(float(n))]
        assert not bad, f"README python block {index} prints non-finite values {bad}:\n{output}"
    assert 0.0 < namespace["fc_fit"] <= 1.0
