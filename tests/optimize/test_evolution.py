"""Evolution: parameter recovery, determinism (processes, Dask), resume after SIGKILL, inspection, persistence."""

import json
import math
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import _evolution_helpers as h
import numpy as np
import pandas as pd
import pytest

from neurolib._storage import journal as J
from neurolib._storage.evolution import EvolutionStore, evolution_names
from neurolib.optimize.evolution import Evolution, EvolutionError
from neurolib.optimize.evolution import deapUtils as du
from neurolib.utils.parameterSpace import ParameterSpace

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Every test writes ./data/... into its own folder; the helpers' global evolution is reset."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(h, "evolution", None)


def _evolve(fitness, algorithm="adaptive", weights=(-1.0,), pop=20, ngen=20, seed=0, model=None, **kwargs):
    evo = Evolution(
        fitness, h.space(), weightList=list(weights), model=model if model is not None else h.make_model(),
        POP_INIT_SIZE=pop, POP_SIZE=pop, NGEN=ngen, algorithm=algorithm, filename=kwargs.pop("filename", "evo.hdf"),
        ncores=kwargs.pop("ncores", 1), seed=seed, progress=kwargs.pop("progress", False), **kwargs,
    )  # fmt: skip
    h.evolution = evo
    evo.run()
    return evo


def _run_script(code, *args, timeout=300):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=os.getcwd(), timeout=timeout)  # fmt: skip


def _result(proc):
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[7:])


# ---------------------------------------------------------------------------------------------- recovery
@pytest.mark.parametrize("algorithm", ["adaptive", "nsga2"])
def test_recovers_hopf_parameters(algorithm):
    evo = _evolve(h.fit_single, algorithm=algorithm, pop=20, ngen=20, seed=0)
    best = evo.toolbox.selBest(evo.pop, 1)[0]
    assert abs(best.a - h.A_TRUE) / h.A_TRUE < 0.05, best.params
    assert abs(best.w - h.W_TRUE) / h.W_TRUE < 0.05, best.params
    assert evo.gIdx == 19 and evo.evaluationCounter == 20 * 20
    assert len(evo.pop) == 20 and sorted(evo.history) == list(range(20))
    # the genealogy: every child knows its parents
    assert set(evo.tree) == {ind.id for inds in evo.history.values() for ind in inds}
    assert all(len(evo.tree[ind.id]) == 2 for ind in evo.history[5] if ind.gIdx == 5)


def test_multiobjective_nsga2():
    evo = _evolve(h.fit_multi, algorithm="nsga2", weights=(-1.0, -1.0), pop=20, ngen=20, seed=0)
    assert all(len(ind.fitness.values) == 2 for ind in evo.pop)
    # score = mean of the weighted values
    ind = evo.pop[0]
    assert ind.fitness.score == pytest.approx(-(ind.fitness.values[0] + ind.fitness.values[1]) / 2)
    best = evo.toolbox.selBest(evo.pop, 1)[0]
    assert abs(best.a - h.A_TRUE) / h.A_TRUE < 0.05 and abs(best.w - h.W_TRUE) / h.W_TRUE < 0.05, best.params
    df = evo.dfPop()
    assert list(df.columns) == ["a", "w", "score", "id", "gen", "f0", "f1"]
    # the survivors are the first non-dominated fronts: nobody in the population dominates the best front
    from deap.tools import sortNondominated

    front = sortNondominated(evo.pop, len(evo.pop), first_front_only=True)[0]
    assert best in front or any(not o.fitness.dominates(best.fitness) for o in evo.pop)


def test_operators_and_probabilities_are_honoured():
    calls = {"mate": 0, "mutate": 0}

    def mate(a, b, tag):
        calls["mate"] += 1
        assert tag == "mine"
        return du.cxUniform_adapt(a, b, indpb=0.5)

    def mutate(ind, scale):
        calls["mutate"] += 1
        ind[0] += scale * random.gauss(0, 1)
        return (ind,)

    evo = _evolve(h.fit_single, pop=8, ngen=3, matingOperator=mate, MATE_P={"tag": "mine"}, mutationOperator=mutate,
                  MUTATE_P={"scale": 0.01}, PARENT_SELECT_P={"s": 2.0})  # fmt: skip
    assert calls["mate"] >= 2 * 4 and calls["mutate"] >= 2 * 8
    assert evo.MATE_P == {"tag": "mine"} and evo.MUTATE_P == {"scale": 0.01} and evo.PARENT_SELECT_P == {"s": 2.0}
    # an operator parameter alone keeps the preset operator
    evo2 = Evolution(h.fit_single, h.space(), MATE_P={"alpha": 0.1}, POP_INIT_SIZE=4, POP_SIZE=4, NGEN=2, ncores=1)
    assert evo2.matingOperator.__name__ == "cxBlend" and evo2.MATE_P == {"alpha": 0.1}


# ---------------------------------------------------------------------------------------------- determinism
def test_same_seed_same_population_serial_and_processes():
    """Noisy model without a seed: each individual gets its own seed from the evolution seed and its id."""
    runs = {}
    for ncores in (1, 2):
        # a fresh model each time: getModelFromTraj sets the seed of the model it is given
        model = h.make_model(seed=None, sigma_ou=0.02)
        evo = _evolve(h.fit_noisy, pop=8, ngen=4, seed=5, model=model, ncores=ncores, filename=f"n{ncores}.hdf")
        runs[ncores] = h.summary(evo)
        seeds = {ind.id: ind.outputs["seed"] for ind in evo.history[2]}
    assert runs[1] == runs[2]
    assert all(seeds[i] == evo.individualSeed(i) for i in seeds) and len(set(seeds.values())) == len(seeds)
    other = _evolve(h.fit_noisy, pop=8, ngen=4, seed=6, model=h.make_model(seed=None, sigma_ou=0.02), filename="o.hdf")
    assert h.summary(other)["genes"] != runs[1]["genes"]


def test_global_random_state_untouched():
    random.seed(123)
    np.random.seed(321)  # noqa: NPY002
    py, npy = random.getstate(), np.random.get_state()  # noqa: NPY002
    evo = _evolve(h.fit_single, algorithm="nsga2", pop=8, ngen=3, seed=1)
    assert random.getstate() == py
    after = np.random.get_state()  # noqa: NPY002
    assert np.array_equal(after[1], npy[1]) and after[2:] == npy[2:]
    assert evo.seed == 1


def test_dask_local_cluster_equals_serial():
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    import cloudpickle

    serial = h.summary(_evolve(h.fit_noisy, pop=8, ngen=3, seed=9, model=h.make_model(seed=None, sigma_ou=0.02),
                               filename="serial.hdf"))  # fmt: skip
    model = h.make_model(seed=None, sigma_ou=0.02)
    # the workers cannot import the helpers module: send its functions (and the evolution they use) by value
    cloudpickle.register_pickle_by_value(h)
    try:
        with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as c:
            with distributed.Client(c) as client:
                evo = _evolve(h.fit_noisy, pop=8, ngen=3, seed=9, model=model, filename="dask.hdf", executor=client)
    finally:
        cloudpickle.unregister_pickle_by_value(h)
    assert h.summary(evo) == serial


# ---------------------------------------------------------------------------------------------- resume
RESUME_SCRIPT = """
    import json, os, signal, sys
    import _evolution_helpers as h
    from neurolib._storage.evolution import EvolutionStore
    from neurolib.optimize.evolution import Evolution

    filename, kill_gen = sys.argv[1], int(sys.argv[2])
    done_here = {"n": 0, "in_gen": 0}

    def fitness(traj):
        if traj.generation == kill_gen:
            done_here["in_gen"] += 1
            if done_here["in_gen"] == 4:  # killed in the middle of generation kill_gen
                os.kill(os.getpid(), signal.SIGKILL)
        done_here["n"] += 1
        return h.fit_single(traj)

    evolution = Evolution(fitness, h.space(), weightList=[-1.0], model=h.make_model(), POP_INIT_SIZE=10,
                          POP_SIZE=10, NGEN=7, filename=filename, ncores=1, seed=11, progress=False)
    h.evolution = evolution
    evolution.run()
    evolution.loadResults()
    gens, scores = evolution.getScoresDuringEvolution(drop_first=False)
    out = h.summary(evolution)
    out.update(evaluated_here=done_here["n"], resumed_from=evolution.resumedFrom, stored_gens=gens.tolist(),
               stored_scores=scores.tolist(), df=evolution.dfEvolution().to_json(),
               unfinished=bool(EvolutionStore.resume(evolution.HDF_FILE, evolution._fingerprint)[0]))
    print("RESULT " + json.dumps(out))
"""


def test_resume_after_sigkill_matches_uninterrupted_run():
    kill_gen = 3
    killed = _run_script(RESUME_SCRIPT, "resumed.hdf", kill_gen)
    assert killed.returncode == -9, killed.stderr[-3000:]
    (records,) = Path("data/hdf").glob("resumed.hdf.*.records")  # the evolution's one record file
    entries, _ = J.scan(str(records))
    assert [e.key for e in entries if e.kind == J.GENERATION] == list(range(kill_gen))
    assert not Path("data/hdf/resumed.hdf").exists()  # the index is written when run() returns

    resumed = _result(_run_script(RESUME_SCRIPT, "resumed.hdf", -1))
    plain = _result(_run_script(RESUME_SCRIPT, "plain.hdf", -1))
    assert resumed["resumed_from"] == kill_gen - 1 and plain["resumed_from"] is None
    assert plain["evaluated_here"] == 10 * 7 and resumed["evaluated_here"] == 10 * (7 - kill_gen)
    for key in ("genes", "ids", "fitness", "history_ids", "last_id", "stored_gens", "stored_scores", "df"):
        assert resumed[key] == plain[key], key
    assert not resumed["unfinished"] and not plain["unfinished"]  # finished: not resumed again
    entries = J.scan(str(records))[0]
    kinds = [e.kind for e in entries]
    assert kinds.count(J.GENERATION) == 7 and kinds[-1] == J.END  # each generation recorded once
    runs = [e.key for e in entries if e.kind == J.RUN]
    assert len(runs) == len(set(runs)) == 10 * 7  # and each evaluated individual's outputs once


def test_resume_in_process_after_a_torn_record_and_a_damaged_index(tmp_path):
    """An interrupted run (here: KeyboardInterrupt) whose last record is torn, and a damaged index file: the
    resumed run redoes the torn generation and writes the index anew."""
    state = {"n": 0}

    def fitness(traj):
        state["n"] += 1
        if state["n"] == 25:
            raise KeyboardInterrupt
        return h.fit_single(traj)

    model = h.make_model()
    other = _evolve(h.fit_single, pop=4, ngen=2, seed=9, model=model, filename="r.hdf")  # the index exists
    evo = Evolution(fitness, h.space(), weightList=[-1.0], model=model, POP_INIT_SIZE=8, POP_SIZE=8, NGEN=5,
                    filename="r.hdf", ncores=1, seed=3, progress=False)  # fmt: skip
    h.evolution = evo
    with pytest.raises(KeyboardInterrupt):
        evo.run()
    assert evo.gIdx == 2  # generations 0, 1, 2 done; 3 interrupted and undone
    records = f"{evo.HDF_FILE}.{evo.trajectoryName}.records"
    with open(records, "r+b") as fh:  # as if killed while writing generation 2's record
        fh.truncate(os.path.getsize(records) - 10)
    size = os.path.getsize(evo.HDF_FILE)
    with open(evo.HDF_FILE, "r+b") as fh:  # and a damaged index
        fh.truncate(size // 3)
    again = Evolution(fitness, h.space(), weightList=[-1.0], model=model, POP_INIT_SIZE=8, POP_SIZE=8, NGEN=5,
                      filename="r.hdf", ncores=1, seed=3, progress=False)  # fmt: skip
    assert again.resumedFrom == 1 and again.trajectoryName == evo.trajectoryName
    h.evolution = again
    again.run()
    ref = _evolve(h.fit_single, pop=8, ngen=5, seed=3, model=model, filename="ref.hdf")
    assert h.summary(again) == h.summary(ref)
    again.loadResults()
    ref.loadResults()
    assert np.array_equal(again.getScoresDuringEvolution()[1], ref.getScoresDuringEvolution()[1])
    assert len(list(Path("data/hdf").glob("r.hdf.damaged-*"))) == 1
    assert not again.traj.running and sorted(again.traj.results.evolution) == [f"gen_{g:06d}" for g in range(5)]
    assert other.trajectoryName in evolution_names(evo.HDF_FILE)  # still listed: its records are kept
    # a finished evolution is not resumed: the same configuration starts afresh
    fresh = Evolution(fitness, h.space(), weightList=[-1.0], model=model, POP_INIT_SIZE=8, POP_SIZE=8, NGEN=5,
                      filename="r.hdf", ncores=1, seed=3, progress=False)  # fmt: skip
    assert fresh.resumedFrom is None and fresh.gIdx == -1


def test_checkpoints_in_use_are_not_resumed_twice():
    state = {"n": 0}

    def fitness(traj):
        state["n"] += 1
        if state["n"] == 10:
            raise KeyboardInterrupt
        return h.fit_single(traj)

    def make():
        evo = Evolution(fitness, h.space(), weightList=[-1.0], model=h.make_model(), POP_INIT_SIZE=4, POP_SIZE=4,
                        NGEN=4, filename="lock.hdf", ncores=1, seed=1, progress=False)  # fmt: skip
        h.evolution = evo
        return evo

    first = make()
    with pytest.raises(KeyboardInterrupt):
        first.run()
    second = make()  # resumes and holds the checkpoints from now on
    third = make()  # same configuration, but the checkpoints are taken: a new evolution
    assert second.resumedFrom == 1 and third.resumedFrom is None
    assert third.trajectoryName != second.trajectoryName == first.trajectoryName
    second.run()
    third.run()
    assert h.summary(second) == h.summary(third)
    assert evolution_names(second.HDF_FILE) == [second.trajectoryName, third.trajectoryName]


def test_run_again_continues_and_progress_bar(capsys):
    evo = _evolve(h.fit_single, pop=6, ngen=3, seed=2, progress=True)
    err = capsys.readouterr().err
    assert "evolution" in err and "3/3" in err and "best=" in err and "mean=" in err
    evo.run()
    assert evo.gIdx == 4 and sorted(evo.history) == [0, 1, 2, 3, 4]
    assert EvolutionStore.resume(evo.HDF_FILE, evo._fingerprint) == (None, None)  # finished
    evo.loadResults()
    assert sorted(evo.traj.results.evolution) == [f"gen_{g:06d}" for g in range(5)]


def test_run_again_after_an_interruption_in_the_same_object():
    state = {"n": 0}

    def fitness(traj):
        state["n"] += 1
        if state["n"] in (13, 30):
            raise KeyboardInterrupt
        return h.fit_single(traj)

    evo = Evolution(fitness, h.space(), weightList=[-1.0], model=h.make_model(), POP_INIT_SIZE=8, POP_SIZE=8,
                    NGEN=5, filename="again.hdf", ncores=1, seed=4, progress=False)  # fmt: skip
    h.evolution = evo
    for _ in range(2):
        with pytest.raises(KeyboardInterrupt):
            evo.run()
    evo.run()
    ref = _evolve(h.fit_single, pop=8, ngen=5, seed=4, filename="ref.hdf")
    assert h.summary(evo) == h.summary(ref) and evo.evaluationCounter == ref.evaluationCounter


# ---------------------------------------------------------------------------------------------- invalid individuals
def test_invalid_individuals_are_marked_replaced_and_counted(capsys):
    def fitness(traj):
        ind = h.evolution.getIndividualFromTraj(traj)
        if ind.a > 0.85:
            raise RuntimeError("unstable")
        if ind.w > 0.85:
            return (np.nan,), {}
        return h.fit_single(traj)

    evo = _evolve(fitness, pop=20, ngen=4, seed=2)
    n_exc, n_nan = evo.nInvalid["exception"], evo.nInvalid["nonfinite"]
    assert n_exc > 0 and n_nan > 0
    assert sum(evo.invalidPerGeneration.values()) == n_exc + n_nan
    assert len(evo.failures) == n_exc and all("unstable" in tb for tb in evo.failures.values())
    assert all(du.is_valid(ind) for ind in evo.pop)  # enough valid individuals: invalid ones never survive
    assert evo.getInvalidPopulation() == [] and len(evo.getValidPopulation()) == 20
    df = evo.dfEvolution()
    assert df["f0"].isna().sum() == n_exc + n_nan
    evo.info(plot=False)
    out = capsys.readouterr().out
    assert (
        f"invalid evaluations so far: {n_exc + n_nan} of {evo.evaluationCounter} ({n_exc} raised, {n_nan} returned"
        in out
    )


def test_every_evaluation_failing_raises():
    def fitness(traj):
        raise ValueError("broken")

    with pytest.raises(EvolutionError, match="broken"):
        _evolve(fitness, pop=4, ngen=2)


def test_wrong_return_shape():
    with pytest.raises(AssertionError, match="must return tuple with shape"):
        _evolve(lambda traj: (1.0,), pop=4, ngen=2)
    with pytest.raises(AssertionError, match="fitness values"):
        _evolve(lambda traj: ((1.0, 2.0), {}), pop=4, ngen=2)


def test_argument_checks():
    pars = h.space()
    with pytest.raises(AssertionError, match="POP_SIZE must be even"):
        Evolution(h.fit_single, pars, POP_SIZE=5, POP_INIT_SIZE=10)
    with pytest.raises(AssertionError, match="POP_INIT_SIZE must be even"):
        Evolution(h.fit_single, pars, POP_SIZE=4, POP_INIT_SIZE=9)
    with pytest.raises(ValueError, match=r"algorithm must be one of the following: \['adaptive', 'nsga2'\]"):
        Evolution(h.fit_single, pars, algorithm="cma")
    with pytest.raises(ValueError, match="divisible by 4"):
        Evolution(h.fit_single, pars, algorithm="nsga2", POP_SIZE=6, POP_INIT_SIZE=6)
    with pytest.raises(AssertionError, match="kind 'bound'"):
        Evolution(h.fit_single, ParameterSpace({"a": [0.1, 0.2, 0.3]}))
    evo = Evolution(h.fit_single, pars, ncores=1)
    assert evo.weightList == [1.0] and evo.POP_INIT_SIZE == 100 and evo.POP_SIZE == 20 and evo.NGEN == 10


# ---------------------------------------------------------------------------------------------- inspection
def test_dataframes_scores_info_and_plots(capsys):
    import matplotlib

    matplotlib.use("Agg")
    evo = _evolve(h.fit_single, pop=10, ngen=4, seed=4)
    df = evo.dfPop()
    assert list(df.columns) == ["a", "w", "score", "id", "gen", "f0"] and len(df) == 10
    assert np.allclose(df["score"], -df["f0"])
    dfo = evo.dfPop(outputs=True)
    assert list(dfo.columns) == ["a", "w", "score", "id", "gen", "freq", "amp", "f0"]
    dfe = evo.dfEvolution()
    assert list(dfe.columns) == ["a", "w", "score", "id", "gen", "f0"]
    assert dfe["id"].is_unique and len(dfe) == 10 + 3 * 10 and list(dfe.index) == list(range(len(dfe)))
    assert sorted(dfe["gen"].unique()) == [0, 1, 2, 3]

    scores = evo.getScores()
    assert np.array_equal(scores, df["score"].values)
    gens, all_scores = evo.getScoresDuringEvolution()
    assert gens.tolist() == [1, 2, 3] and all_scores.shape == (3, 10)
    assert np.array_equal(all_scores[-1], np.array([i.fitness.score for i in evo.pop]))
    evo.loadResults()
    g2, s2 = evo.getScoresDuringEvolution()
    assert np.array_equal(g2, gens) and np.array_equal(s2, all_scores)
    assert evo.traj.results.evolution.gen_000000.scores.shape == (10,)
    best = evo.pop[0]
    assert evo.traj.results.outputs[best.id]["amp"] == best.outputs["amp"]

    ind = evo.pop[3]
    assert evo.individualToDict(ind) == {"a": ind[0], "w": ind[1]} == ind.params
    assert evo.getIndividualFromTraj(ind) is ind
    assert evo.getIndividualFromHistory(ind.id) is ind
    model = evo.getModelFromTraj(ind)
    assert model is evo.model and model.params["a"] == ind.a and model.params["w"] == ind.w

    capsys.readouterr()
    evo.info(plot=True, bestN=3)
    out = capsys.readouterr().out
    for text in ("[Set-up]", evo.trajectoryName, "[Operators (keyword arguments)]", "cxBlend {'alpha': 0.5}",
                 "population after generation 3", "valid individuals: 10 of 10", "mean score (weighted fitness):",
                 "Parameter distribution (Generation 3):", "the 3 best", 'model.params["a"] = '):  # fmt: skip
        assert text in out, text
    figures = sorted(p.name for p in Path("data/figures").iterdir())
    assert f"{evo.trajectoryName}_hist_3.png" in figures and len(figures) == 3
    assert evo.plotProgress() is not None


def test_save_and_load_in_a_new_process():
    evo = _evolve(h.fit_single, pop=8, ngen=3, seed=8)
    path = evo.saveEvolution("data/saved.pickle")
    assert path == "data/saved.pickle" and os.path.exists(path)
    proc = _run_script(
        """
        import json, sys
        import _evolution_helpers as h
        from neurolib.optimize.evolution import Evolution
        from neurolib.utils.parameterSpace import ParameterSpace

        mock = Evolution(lambda x: x, ParameterSpace(["mock"], [[0, 1]]), ncores=1)
        evolution = mock.loadEvolution(sys.argv[1])
        before = h.summary(evolution)
        df = evolution.dfEvolution(outputs=True)
        h.evolution = evolution
        evolution.run()  # continue for NGEN - 1 generations
        print("RESULT " + json.dumps({"before": before, "df": df.drop(columns=[]).to_json(), "gIdx": evolution.gIdx,
                                      "names": evolution.parameterSpace.parameterNames,
                                      "traj": evolution.trajectoryName, "seed": evolution.seed}))
        """,
        path,
    )
    out = _result(proc)
    assert out["before"] == h.summary(evo)
    assert out["df"] == evo.dfEvolution(outputs=True).to_json()
    assert out["gIdx"] == 4 and out["names"] == ["a", "w"] and out["traj"] == evo.trajectoryName
    assert out["seed"] == 8


def test_save_with_a_lambda_warns_and_loads():
    evo = _evolve(lambda traj: h.fit_single(traj), pop=4, ngen=2, seed=1)
    with pytest.warns(UserWarning, match="cannot be pickled"):
        path = evo.saveEvolution("data/lambda.pickle")
    loaded = evo.loadEvolution(path)
    assert h.summary(loaded) == h.summary(evo)
    with pytest.raises(RuntimeError, match="was not saved"):
        loaded.evalFunction(None)


# ---------------------------------------------------------------------------------------------- operators
def test_adaptive_operators():
    state = du.new_random_state(0)
    bounds = [(0.0, 1.0), (-2.0, 2.0)]
    with du.local_random(state):
        genes = du.randomParametersAdaptive(bounds)
        assert genes[2:] == [1 / 3, 4 / 3] and du.checkParamValidity(genes, bounds)
        ind = du.Individual(genes)
        du.gaussianAdaptiveMutation_nStepSizes(ind)
        assert ind[2] != 1 / 3 and ind[3] != 4 / 3 and ind[2] > 0
        a, b = du.Individual([0.0, 0.0, 1.0, 1.0]), du.Individual([1.0, 1.0, 2.0, 2.0])
        du.cxUniform_adapt(a, b, indpb=1.0)
        assert list(a) == [1.0, 1.0, 2.0, 2.0] and list(b) == [0.0, 0.0, 1.0, 1.0]
        du.cxNormDraw_adapt(a, b)
        du.cxUniform_normDraw_adapt(a, b, indpb=1.0)
        pop = [du.Individual([i, 0.0, 0.1, 0.1], weights=(-1.0,)) for i in range(4)]
        for i, p in enumerate(pop):
            p.fitness.values = (float(i),)
        pop[0].fitness.values = (math.nan,)
        assert [p[0] for p in du.selBest_multiObj(pop, 2)] == [1, 2]  # NaN is never the best
        counts = pd.Series([p[0] for p in du.selRank(pop, 4000, s=2.0)]).value_counts()
        assert counts[1] > counts[2] > counts[3] and 0 not in counts  # the worst rank has probability 0 at s=2
    assert state != du.new_random_state(0)  # the state moved on


def test_mutate_until_valid_clips():
    from deap import base

    tb = base.Toolbox()
    tb.register("mutate", lambda ind, by: (ind.__setitem__(0, ind[0] + by), ind)[1:])
    ind = du.Individual([0.5, 0.5])
    du.mutateUntilValid([ind], [(0.0, 1.0), (0.0, 1.0)], tb, {"by": 5.0}, maxTries=3)
    assert list(ind) == [1.0, 0.5]
