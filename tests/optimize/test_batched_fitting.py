"""A batched evaluation (``neurolib.optimize.batched``) stores exactly what the equivalent ``evalFunction(traj)``
stores, for BoxSearch (serial, worker processes, Dask) and Evolution (serial, worker processes)."""

import sys

import numpy as np
import pytest

from neurolib.errors import ParameterError
from neurolib.models.hopf import HopfModel
from neurolib.optimize import batched
from neurolib.optimize.evolution import Evolution
from neurolib.optimize.exploration import BoxSearch
from neurolib.utils import functions as func
from neurolib.utils.parameterSpace import ParameterSpace

_GLOBAL = {}  # the search of the traj-style evaluation functions (as in the published examples)


def _model(seed=5):
    rng = np.random.default_rng(0)
    model = HopfModel(Cmat=rng.uniform(0, 1, (4, 4)), Dmat=rng.uniform(0, 40, (4, 4)), seed=seed)
    model.params["duration"] = 4100.0  # BOLD samples at 0, 2 and 4 s
    model.params["sigma_ou"] = 0.02
    return model


def fit(outputs, params):
    """Results of one run: its BOLD FC, mean BOLD and the last x values."""
    bold = outputs["BOLD"]["BOLD"]
    return {"fc": func.fc(bold), "bold_mean": float(bold.mean()), "x_last": outputs["x"][:, -1].copy()}


def traj_fit(traj):
    search = _GLOBAL["search"]
    model = search.getModelFromTraj(traj)
    model.run(bold=True)
    search.saveToPypet(fit(model.outputs, model.params), traj)


def _space():
    return ParameterSpace({"K_gl": [0.1, 0.6, 1.2], "a": [-0.1, 0.2]}, kind="grid")


def _search(tmp_path, name, evalFunction, **kwargs):
    search = BoxSearch(model=_model(), evalFunction=evalFunction, parameterSpace=_space(),
                       filename=str(tmp_path / f"{name}.hdf"), progress=False, **kwargs)  # fmt: skip
    _GLOBAL["search"] = search
    search.run()
    search.loadResults()
    return search


def _assert_same_results(a, b):
    assert a.nRuns == b.nRuns == 6
    for i in range(a.nRuns):
        ra, rb = a.results[i], b.results[i]
        assert set(ra) == set(rb) == {"fc", "bold_mean", "x_last"}
        for key in ra:
            assert np.array_equal(ra[key], rb[key]), f"run {i}: {key}"
    assert a.dfResults["bold_mean"].tolist() == b.dfResults["bold_mean"].tolist()
    assert len(set(a.dfResults["bold_mean"])) == 6  # the runs really differ


@pytest.mark.parametrize("ncores", [1, 2])
def test_boxsearch_batched_equals_traj_style(tmp_path, ncores):
    reference = _search(tmp_path, "traj", traj_fit, ncores=1)
    fitted = _search(tmp_path, "batched", batched(fit, bold=True), ncores=ncores, batch_size=4)
    _assert_same_results(fitted, reference)


def test_boxsearch_batched_outputs_subset_and_errors(tmp_path):
    def bold_only(outputs, params):
        assert set(outputs) == {"t", "BOLD"}
        if params["K_gl"] == 1.2:
            raise RuntimeError("no fit for K_gl = 1.2")
        return {"bold_mean": float(outputs["BOLD"]["BOLD"].mean())}

    from neurolib.optimize.exploration import ExplorationError

    with pytest.raises(ExplorationError, match="no fit for K_gl") as info:
        _search(tmp_path, "sub", batched(bold_only, bold=True, outputs=[]), ncores=1)
    assert len(info.value.failures) == 2  # the other four runs are stored
    with pytest.raises(ParameterError, match="model"):
        BoxSearch(evalFunction=batched(fit), parameterSpace=_space(), filename=str(tmp_path / "x.hdf")).run()


def test_boxsearch_batched_on_dask(tmp_path):
    distributed = pytest.importorskip("distributed")
    import cloudpickle

    reference = _search(tmp_path, "traj", traj_fit, ncores=1)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    try:
        with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as c:
            with distributed.Client(c) as client:
                fitted = _search(tmp_path, "dask", batched(fit, bold=True), executor=client, batch_size=2)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    _assert_same_results(fitted, reference)


# ---------------------------------------------------------------------------------------------- Evolution
def evo_fit(outputs, params):
    bold = outputs["BOLD"]["BOLD"]
    return (float(np.abs(bold.mean() - 0.01)), float(outputs["x"].std())), {"bold": bold.copy()}


def evo_traj_fit(traj):
    model = _GLOBAL["evolution"].getModelFromTraj(traj)
    model.run(bold=True)
    return evo_fit(model.outputs, model.params)


def _evolution(tmp_path, name, evalFunction, ncores):
    model = _model()  # initial values drawn with seed 5
    model.params["seed"] = None  # each individual gets its own seed
    space = ParameterSpace(["K_gl", "a"], [[0.0, 1.5], [-0.3, 0.3]])
    evo = Evolution(evalFunction, space, weightList=[-1.0, 1.0], model=model, POP_INIT_SIZE=6, POP_SIZE=4, NGEN=2,
                    filename=str(tmp_path / f"{name}.hdf"), ncores=ncores, seed=3, progress=False)  # fmt: skip
    _GLOBAL["evolution"] = evo
    evo.run(verbose=False)
    return evo


@pytest.mark.parametrize("ncores", [1, 2])
def test_evolution_batched_equals_traj_style(tmp_path, ncores):
    reference = _evolution(tmp_path, "traj", evo_traj_fit, 1)
    fitted = _evolution(tmp_path, "batched", batched(evo_fit, bold=True), ncores)
    df_a, df_b = reference.dfEvolution(outputs=True), fitted.dfEvolution(outputs=True)
    assert df_a.drop(columns=["bold"]).equals(df_b.drop(columns=["bold"]))
    ids = 0
    for g in reference.history:
        for ia, ib in zip(reference.history[g], fitted.history[g]):
            assert ia.id == ib.id and ia.fitness.values == ib.fitness.values
            assert np.array_equal(ia.outputs["bold"], ib.outputs["bold"])
            ids += 1
    assert ids >= 6 and len(set(df_a["f0"])) > 3
