"""A search on a dask.distributed LocalCluster gives exactly the results of ncores=1."""

import sys

import numpy as np
import pytest

from neurolib.optimize.exploration import BoxSearch
from neurolib.utils.parameterSpace import ParameterSpace

distributed = pytest.importorskip("distributed")


def test_dask_local_cluster_equals_serial(aln_model, tmp_path):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    try:
        _compare(aln_model, tmp_path)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def _compare(aln_model, tmp_path):
    model = aln_model(duration=200.0)
    space = ParameterSpace({"mue_ext_mean": np.linspace(0, 3, 4), "mui_ext_mean": np.linspace(0, 3, 4)}, kind="grid")

    def evaluate(traj):
        model = search_eval.getModelFromTraj(traj)
        model.run()
        search_eval.saveToPypet({"max_rate": float(np.max(model.output)), "rates_exc": model.output.copy()}, traj)

    serial = BoxSearch(model, space, filename=str(tmp_path / "serial.hdf"), ncores=1, progress=False)
    serial.run()
    serial.loadResults()
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            batched = BoxSearch(model, space, filename=str(tmp_path / "dask.hdf"), executor=client, batch_size=3,
                                progress=False)  # fmt: skip
            batched.run()
            path = str(tmp_path / "dask_eval.hdf")
            search_eval = BoxSearch(model=model, evalFunction=evaluate, parameterSpace=space, filename=path,
                                    executor=client, progress=False)  # fmt: skip
            search_eval.run()
    batched.loadResults()
    search_eval.loadResults()
    assert batched.getRun(5).params["seed"] == serial.getRun(5).params["seed"]
    for i in range(serial.nRuns):
        assert np.array_equal(batched.results[i]["rates_exc"], serial.results[i]["rates_exc"]), f"run {i}"
        assert np.array_equal(search_eval.results[i]["rates_exc"], serial.results[i]["rates_exc"]), f"run {i}"
    assert search_eval.dfResults["max_rate"].tolist() == [np.max(serial.results[i]["rates_exc"]) for i in range(16)]
