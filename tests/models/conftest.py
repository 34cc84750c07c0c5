"""Fixtures shared by the model tests.

``ALL_MODELS`` is the single place where models join the shared contract tests: every test that takes the
``model_cls`` fixture runs once per class listed here.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from neurolib.models.aln import ALNModel
from neurolib.models.aln.loadDefaultParams import DEFAULT_TABLE
from neurolib.models.fhn import FHNModel
from neurolib.models.hopf import HopfModel
from neurolib.models.kuramoto import KuramotoModel
from neurolib.models.wc import WCModel
from neurolib.models.ww import WWModel

# network models (the single-node thalamic model has its own contract tests in test_thalamus.py)
ALL_MODELS = [HopfModel, FHNModel, WCModel, KuramotoModel, WWModel]
# ALN needs its transfer-function table; the contract tests construct models without a table path, so ALN
# joins them only where the default table (computed by ``python -m neurolib.models.aln.precompute``) exists
if os.path.exists(DEFAULT_TABLE):
    ALL_MODELS.append(ALNModel)

# the established package's table (reference data next to the repository, never shipped)
SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # as tests/conftest.py
REFERENCE_ALN_TABLE = SHARED / "data" / "reference" / "aln_quantities_cascade.h5"


@pytest.fixture(params=ALL_MODELS, ids=lambda cls: cls.__name__)
def model_cls(request):
    """Each model class of ``ALL_MODELS`` in turn."""
    return request.param


@pytest.fixture(scope="session")
def aln_table():
    """Path of an ALN transfer-function table: the default (computed) table if it exists, else the reference
    table of the shared folder; skips the test when neither is available."""
    if os.path.exists(DEFAULT_TABLE):
        return DEFAULT_TABLE
    if REFERENCE_ALN_TABLE.is_file():
        return str(REFERENCE_ALN_TABLE)
    pytest.skip(f"no ALN table: neither {DEFAULT_TABLE} nor {REFERENCE_ALN_TABLE} exists")


@pytest.fixture
def delayed_network():
    """Factory for a small, delayed, noisy network of a model class.

    ``make(cls, N=3, seed=7, sigma=0.05, duration=20.0)`` returns a model whose connectivity mixes short
    delays (fewer steps than the engine's block length) and long ones (up to ~30 steps at dt = 0.1 ms).
    """

    def make(cls, N=3, seed=7, sigma=0.05, duration=20.0):
        rng = np.random.default_rng(1234)
        Cmat = rng.uniform(0.2, 1.0, (N, N))
        Dmat = rng.uniform(2.0, 60.0, (N, N))  # mm; at signalV = 20 mm/ms: 1 .. 30 steps
        Dmat[0, 1] = 4.0  # one short delay (2 steps) so both delay regimes are exercised
        model = cls(Cmat=Cmat, Dmat=Dmat, seed=seed)
        model.params["duration"] = duration
        model.params["sigma_ou"] = sigma
        return model

    return make
