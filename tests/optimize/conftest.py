"""Fixtures of the exploration tests.

``aln_table`` is the fixture of ``tests/models/conftest.py`` (loaded from there, not copied).
"""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("_models_conftest", Path(__file__).parents[1] / "models" / "conftest.py")
_models_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_models_conftest)

aln_table = _models_conftest.aln_table


@pytest.fixture
def aln_model(aln_table):
    """Factory of a seeded single-node ALN model: ``make(duration=200.0, sigma_ou=0.05, seed=11)``."""
    from neurolib.models.aln import ALNModel

    def make(duration=200.0, sigma_ou=0.05, seed=11):
        model = ALNModel(lookupTableFileName=aln_table, seed=seed)
        model.params["duration"] = duration
        model.params["sigma_ou"] = sigma_ou
        return model

    return make


@pytest.fixture(autouse=True)
def _parallel_paths_even_for_tiny_searches(monkeypatch):
    """Test searches are tiny, so BoxSearch would run them serially (``SMALL_WORK``); keep its worker and thread
    paths under test by switching the crossover off (tests that check it set it back)."""
    from neurolib.optimize.exploration import exploration

    monkeypatch.setattr(exploration, "SMALL_WORK", 0.0)
