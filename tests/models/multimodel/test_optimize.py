"""BoxSearch and Evolution on a MultiModel with star-notation parameters (small and fast)."""

import numpy as np
import pytest

from neurolib.models.multimodel import MultiModel, WilsonCowanNode
from neurolib.optimize.evolution import Evolution
from neurolib.optimize.exploration import BoxSearch
from neurolib.utils.parameterSpace import ParameterSpace


@pytest.fixture
def wc_model():
    model = MultiModel.init_node(WilsonCowanNode(exc_seed=1, inh_seed=2))
    model.params["duration"] = 200.0
    return model


def test_boxsearch_with_star_parameters(wc_model, tmp_path):
    space = ParameterSpace(
        {"*EXC*ext_drive": [0.5, 1.5], "*INH*tau|input": [3.0, 5.0]}, allow_star_notation=True, kind="grid"
    )
    search = BoxSearch(
        model=wc_model, parameterSpace=space, filename=str(tmp_path / "mm.hdf"), ncores=1, progress=False
    )
    search.run()
    search.loadResults()
    assert list(search.dfResults.columns[:2]) == ["WCnode_0.WCmassEXC_0.ext_drive", "WCnode_0.WCmassINH_1.tau"]
    assert len(search.results) == 4
    for i, (drive, tau) in enumerate([(0.5, 3.0), (0.5, 5.0), (1.5, 3.0), (1.5, 5.0)]):
        alone = MultiModel.init_node(WilsonCowanNode(exc_seed=1, inh_seed=2))
        alone.params["duration"] = 200.0
        alone.params["*EXC*ext_drive"] = drive
        alone.params["*INH*tau|input"] = tau
        alone.run()
        np.testing.assert_array_equal(search.results[i]["q_mean_EXC"], alone.output)


def test_evolution_with_star_parameters(wc_model, tmp_path, monkeypatch):
    """One gene per star pattern; each individual's model has it on the concrete key."""
    monkeypatch.chdir(tmp_path)
    seen = []

    def fitness(traj):
        model = evolution.getModelFromTraj(traj)
        seen.append(model.params["WCnode_0.WCmassEXC_0.ext_drive"])
        model.run()
        return (-abs(float(model.output[0, -500:].mean()) - 0.2),), {}

    space = ParameterSpace({"*EXC*ext_drive": [0.0, 2.0]}, allow_star_notation=True)
    evolution = Evolution(
        fitness, space, weightList=[1.0], model=wc_model, POP_INIT_SIZE=4, POP_SIZE=4, NGEN=2,
        filename="mm_evo.hdf", ncores=1, seed=3, progress=False,
    )  # fmt: skip
    evolution.run()
    population = evolution.dfPop()
    assert len(population) == 4 and population["*EXC*ext_drive"].between(0.0, 2.0).all()
    assert set(np.round(population["*EXC*ext_drive"], 12)) <= set(np.round(seen, 12))


def _search_results(model, ncores, path):
    space = ParameterSpace({"*EXC*ext_drive": [0.5, 1.0, 1.5], "*INH*tau|input": [3.0, 5.0]}, allow_star_notation=True)
    search = BoxSearch(model=model, parameterSpace=space, filename=str(path), ncores=ncores, progress=False)
    search.run()
    search.loadResults()
    return search


def test_boxsearch_serial_equals_two_cores(wc_model, tmp_path):
    serial = _search_results(wc_model, 1, tmp_path / "serial.hdf")
    parallel = _search_results(wc_model, 2, tmp_path / "parallel.hdf")
    assert len(serial.results) == len(parallel.results) == 6
    assert serial.dfResults.iloc[:, :2].equals(parallel.dfResults.iloc[:, :2])
    for i in range(6):
        np.testing.assert_array_equal(serial.results[i]["q_mean_EXC"], parallel.results[i]["q_mean_EXC"])


_EVOLUTIONS = {}


def _fitness(traj):
    """Module level (and the evolution in a global) so that forked workers can run it."""
    model = _EVOLUTIONS["current"].getModelFromTraj(traj)
    model.run()
    return (-abs(float(model.output[0, -500:].mean()) - 0.2),), {}


def _evolve(model, ncores, name):
    space = ParameterSpace({"*EXC*ext_drive": [0.0, 2.0], "*INH*tau|input": [3.0, 5.0]}, allow_star_notation=True)
    evolution = Evolution(
        _fitness, space, weightList=[1.0], model=model, POP_INIT_SIZE=6, POP_SIZE=4, NGEN=2,
        filename=name, ncores=ncores, seed=11, progress=False,
    )  # fmt: skip
    _EVOLUTIONS["current"] = evolution
    evolution.run()
    return evolution


def test_evolution_serial_equals_two_cores(wc_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    serial = _evolve(wc_model, 1, "serial.hdf").dfEvolution()
    parallel = _evolve(wc_model, 2, "parallel.hdf").dfEvolution()
    assert len(serial) >= 6
    cols = ["*EXC*ext_drive", "*INH*tau|input", "score"]
    np.testing.assert_array_equal(serial[cols].to_numpy(float), parallel[cols].to_numpy(float))
