"""A batch of parameter sets integrated in one kernel call equals each set integrated alone, bitwise."""

import numpy as np
import pytest

from neurolib._core.integrate import n_steps
from neurolib._core.noise import generator
from neurolib.models.fhn import FHNModel
from neurolib.models.hopf import HopfModel
from neurolib.models.wc import WCModel
from neurolib.models.ww import WWModel


def _network(cls, seed):
    rng = np.random.default_rng(3)
    Cmat = rng.uniform(0.0, 1.0, (4, 4))
    Dmat = rng.uniform(0.0, 60.0, (4, 4))  # 0 .. 30 steps: near and far connections
    model = cls(Cmat=Cmat, Dmat=Dmat, seed=seed)
    model.params["duration"] = 30.0
    model.params["sigma_ou"] = 0.05
    return model


@pytest.mark.parametrize("cls", [HopfModel, FHNModel, WCModel, WWModel])
def test_batch_equals_single_runs(cls):
    base = _network(cls, seed=1)
    engine = base._engine
    members = []
    for b, K in enumerate([0.2, 0.6, 1.3]):
        params = dict(base.params)
        params["K_gl"] = K
        params["seed"] = 10 + b
        if cls is HopfModel:
            params["x_ext"] = np.sin(np.arange(300) / 7.0)[None, :] * (b + 1)  # a time series per member
        members.append(params)
    T = n_steps(base.params["duration"], base.params["dt"])
    singles = [engine.run(params, T, gen=generator(params["seed"])) for params in members]
    for threads in (1, 2):  # members one after the other, or split over two threads
        Xb, Yb, Qb, _ = engine.run_batch(members, T, gens=[generator(p["seed"]) for p in members], threads=threads)
        for b, (X, Y, Q, _) in enumerate(singles):
            assert np.array_equal(Xb[b], X[0]), f"member {b} differs ({threads} threads)"
            assert np.array_equal(Qb[b], Q[0])
            assert np.array_equal(Yb[b], Y[0])
            assert np.array_equal(Yb[b], Y[0])
    # the members really differ
    assert not np.array_equal(Xb[0], Xb[1])


def test_batch_rejects_different_networks():
    a = _network(HopfModel, seed=1)
    b = dict(a.params)
    b["lengthMat"] = a.params["lengthMat"] * 2
    with pytest.raises(ValueError, match="lengthMat|network"):
        a._engine.run_batch([dict(a.params), b], 10)


@pytest.mark.parametrize("network", [False, True])
def test_batch_in_short_blocks_and_threads_equals_single_runs(monkeypatch, network):
    """Blocks that are not a multiple of the far-sum length, one node (rows kept in registers) or a network,
    noise drawn ahead or by each thread: every member still equals its own run."""
    import neurolib._core.integrate as integrate

    monkeypatch.setattr(integrate, "BLOCK_STEPS", 37)
    base = _network(HopfModel, seed=2) if network else HopfModel(seed=2)
    base.params["duration"] = 30.0
    base.params["sigma_ou"] = 0.05
    engine = base._engine
    members = []
    for b, w in enumerate([0.5, 1.0, 1.5]):
        params = dict(base.params)
        params.update(w=w, seed=20 + b)
        members.append(params)
    T = n_steps(30.0, base.params["dt"])
    singles = [engine.run(p, T, gen=generator(p["seed"])) for p in members]
    for threads in (1, 2, 3):
        Xb, Yb, Qb, _ = engine.run_batch(members, T, gens=[generator(p["seed"]) for p in members], threads=threads)
        for b, (X, Y, Q, _) in enumerate(singles):
            assert np.array_equal(Xb[b], X[0]), f"member {b} differs ({threads} threads)"
            assert np.array_equal(Qb[b], Q[0])
            assert np.array_equal(Yb[b], Y[0])
