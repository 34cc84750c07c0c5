"""Provenance: every stored exploration and evolution says which software, machine, times, seeds and arguments
made it, readable with one call (``search.provenance()``, ``evolution.provenance()``, ``neurolib.utils.provenance``).
"""

import platform

import numba
import numpy as np
import pytest

import neurolib
from neurolib.errors import ParameterTypeError
from neurolib.optimize.exploration import BoxSearch
from neurolib.utils import provenance
from neurolib.utils.parameterSpace import ParameterSpace


def _check_software(prov):
    assert prov["neurolib"] == neurolib.__version__ and prov["python"] == platform.python_version()
    assert prov["numpy"] == np.__version__ and prov["numba"] == numba.__version__
    assert prov["host"] and isinstance(prov["start"], float) and prov["start_iso"]


def test_exploration_provenance(tmp_path):
    path = str(tmp_path / "p.hdf")
    seen = {}

    def evaluate(traj):
        if traj.id == 1:  # while the search runs: start known, end not yet
            seen["live"] = provenance(path)
        search.saveToPypet({"y": float(traj.params["x"])}, traj)

    space = ParameterSpace({"x": [0.0, 1.0, 2.0]}, kind="grid")
    search = BoxSearch(evalFunction=evaluate, parameterSpace=space, filename=path, ncores=1, seed=42, progress=False)
    search.run(foo=3)
    prov = search.provenance()
    _check_software(prov)
    assert prov["seeds"] == {"search_seed": 42}
    assert prov["arguments"]["run"] == {"foo": 3} and prov["arguments"]["nRuns"] == 3
    assert prov["start"] <= prov["end"] and prov["duration"] >= 0
    assert provenance(path) == prov == provenance(path, search.trajectoryName)
    _check_software(seen["live"])
    assert "end" not in seen["live"] and seen["live"]["start"] == prov["start"]
    search.loadResults()
    assert search.provenance() == prov
    with pytest.raises(ParameterTypeError, match="filename"):
        provenance(3)


def test_evolution_provenance(tmp_path):
    import _evolution_helpers as h

    from neurolib.optimize.evolution import Evolution

    model = h.make_model()

    def evaluate(traj):
        return (-float(sum(evo.getIndividualFromTraj(traj))),), {}

    evo = Evolution(evaluate, h.space(), model=model, weightList=[1.0], POP_INIT_SIZE=4, POP_SIZE=4, NGEN=2, seed=3,
                    filename=str(tmp_path / "evo.hdf"), ncores=1)  # fmt: skip
    evo.run()
    prov = evo.provenance()
    _check_software(prov)
    assert prov["seeds"] == {"seed": 3} and prov["arguments"]["POP_SIZE"] == 4 and prov["arguments"]["NGEN"] == 2
    assert prov["start"] <= prov["end"]
    assert provenance(str(tmp_path / "evo.hdf")) == prov
