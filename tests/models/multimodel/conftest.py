"""Fixtures of the MultiModel tests: the 4-node test network and the shared golden reference folder."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("symengine", reason="MultiModel needs the 'multimodel' extra (symengine, jitcdde, chspy)")
pytest.importorskip("jitcdde", reason="MultiModel needs the 'multimodel' extra (symengine, jitcdde, chspy)")
pytest.importorskip("chspy", reason="MultiModel needs the 'multimodel' extra (symengine, jitcdde, chspy)")

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
GOLDEN = SHARED / "data" / "reference" / "golden-multimodel"
HARNESS = SHARED / "tools" / "golden_multimodel.py"

# [to, from] weights and delays (ms) of a small delayed network (delays are whole multiples of dt = 0.1 ms)
CMAT4 = np.array([[0.0, 0.5, 0.2, 0.1], [0.4, 0.0, 0.3, 0.05], [0.15, 0.25, 0.0, 0.45], [0.05, 0.35, 0.6, 0.0]])
DELAY4 = np.array([[0.0, 1.0, 2.0, 3.0], [1.0, 0.0, 1.5, 2.5], [2.0, 1.5, 0.0, 4.5], [3.0, 2.5, 4.5, 0.0]])


@pytest.fixture
def net4():
    """``(Cmat, delays in ms)`` of the 4-node test network."""
    return CMAT4.copy(), DELAY4.copy()


@pytest.fixture(scope="session")
def golden_harness():
    """The golden MultiModel harness module and the reference folder (skips when the shared folder is absent)."""
    if not (GOLDEN / "manifest.json").is_file() or not HARNESS.is_file():
        pytest.skip(f"golden MultiModel reference not available: {GOLDEN} or {HARNESS} does not exist")
    spec = importlib.util.spec_from_file_location("_golden_multimodel", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_golden_multimodel"] = module
    spec.loader.exec_module(module)
    return module, GOLDEN
