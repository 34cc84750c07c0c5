"""The evolution's store (``neurolib._storage.evolution``): each individual's outputs written once, readable
while the evolution runs, one output at a time, and from the index alone when the record file is not kept."""

import os

import _evolution_helpers as h
import numpy as np
import pytest

from neurolib._storage import journal as J
from neurolib._storage.evolution import StoredEvolution, records_path
from neurolib.optimize.evolution import Evolution


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(h, "evolution", None)


def _with_outputs(traj):
    fitness, _ = h.fit_single(traj)
    return fitness, {"trace": np.full(5, float(traj.individual.id)), "nested": {"id": int(traj.individual.id)}}


def _make(fitness, ngen=4, filename="s.hdf"):
    evo = Evolution(fitness, h.space(), weightList=[-1.0], model=h.make_model(), POP_INIT_SIZE=6, POP_SIZE=6,
                    NGEN=ngen, filename=filename, ncores=1, seed=5, progress=False)  # fmt: skip
    h.evolution = evo
    return evo


def test_outputs_written_once_and_read_lazily():
    evo = _make(_with_outputs)
    evo.run()
    entries, _ = J.scan(records_path(evo.HDF_FILE, evo.trajectoryName))
    runs = [e.key for e in entries if e.kind == J.RUN]
    evaluated = {ind.id for inds in evo.history.values() for ind in inds}
    assert len(runs) == len(set(runs)) == len(evaluated)  # one record per evaluated individual, no copies
    evo.loadResults()
    outputs = evo.traj.results.outputs
    assert len(outputs) == len(evaluated)
    some = sorted(evaluated)[3]
    assert outputs[some]["nested"]["id"] == some and np.array_equal(outputs[some].trace, np.full(5, float(some)))
    assert not evo.traj.running and sorted(evo.traj.results.evolution) == [f"gen_{g:06d}" for g in range(4)]


def test_readable_while_running():
    seen = {}

    def fitness(traj):
        if traj.generation == 2 and "gens" not in seen:
            stored = StoredEvolution(h.evolution.HDF_FILE)
            seen["gens"], seen["running"] = sorted(stored.results.evolution), stored.running
            seen["outputs"] = len(stored.results.outputs)
        return _with_outputs(traj)

    evo = _make(fitness)
    evo.run()
    assert seen["gens"] == ["gen_000000", "gen_000001"] and seen["running"]
    assert seen["outputs"] == 6 + 6  # generation 0 and the offspring of generation 1


def test_index_alone_when_the_records_are_not_kept():
    evo = _make(_with_outputs)
    evo.run()
    evo.loadResults()
    full = evo.traj
    os.remove(records_path(evo.HDF_FILE, evo.trajectoryName))
    alone = StoredEvolution(evo.HDF_FILE)
    assert sorted(alone.results.evolution) == sorted(full.results.evolution)
    for g in full.results.evolution:
        for key in ("fitness", "scores", "population", "ind_ids"):
            assert np.array_equal(alone.results.evolution[g][key], full.results.evolution[g][key])
    assert alone.parameters.popsize == 6 and alone.attrs["parameterNames"] == ["a", "w"]
    assert len(alone.results.outputs) == 0


def test_continued_run_appends_to_the_same_records():
    evo = _make(_with_outputs, ngen=3)
    evo.run()
    evo.run()  # two more generations
    entries, _ = J.scan(records_path(evo.HDF_FILE, evo.trajectoryName))
    assert [e.key for e in entries if e.kind == J.GENERATION] == [0, 1, 2, 3, 4]
    assert [e.kind for e in entries if e.kind in (J.HEADER, J.END)] == [J.HEADER, J.HEADER, J.END, J.HEADER, J.END]
    evo.loadResults()
    assert sorted(evo.traj.results.evolution) == [f"gen_{g:06d}" for g in range(5)]
