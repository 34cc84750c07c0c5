"""Mapping output pages ahead of the loop never changes results or contents."""

import threading

import numpy as np

from neurolib._core import _memory
from neurolib._core.integrate import n_steps
from neurolib._core.noise import generator
from neurolib.models.hopf import HopfModel


def test_populate_keeps_the_contents():
    a = np.arange(3 * 1024 * 1024, dtype=float)  # 24 MB, several pieces
    expected = a.copy()
    pieces = [a[i : i + 100_000] for i in range(0, a.size, 100_000)]
    supported = _memory.populate(pieces, threading.Event())
    assert supported in (True, False)  # False where the kernel lacks MADV_POPULATE_WRITE
    assert np.array_equal(a, expected)


def test_runs_with_prefaulted_outputs_equal_runs_without(monkeypatch):
    rng = np.random.default_rng(5)
    model = HopfModel(Cmat=rng.uniform(0, 1, (6, 6)), Dmat=rng.uniform(0, 80, (6, 6)), seed=3)
    model.params["duration"] = 200.0
    model.params["sigma_ou"] = 0.05
    engine = model._engine
    T = n_steps(200.0, model.params["dt"])
    members = [dict(model.params, K_gl=k, seed=i) for i, k in enumerate([0.3, 0.9, 1.5])]
    plain = engine.run_batch(members, T, gens=[generator(p["seed"]) for p in members])[0]
    monkeypatch.setattr(_memory, "MIN_BYTES", 0)  # every buffer is prefaulted now
    started = []
    original = _memory.prefault
    monkeypatch.setattr(_memory, "prefault", lambda pieces: started.append(len(pieces)) or original(pieces))
    for threads in (1, 2):
        X = engine.run_batch(members, T, gens=[generator(p["seed"]) for p in members], threads=threads)[0]
        assert np.array_equal(X, plain)
    assert len(started) == 2 and started[0] >= 3 * 2  # members x variables
