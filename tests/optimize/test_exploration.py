"""BoxSearch: results equal single runs, evaluation functions, loading, kinds, flags, xarray."""

import os
import re

import numpy as np
import pytest

from neurolib.optimize.exploration import BoxSearch
from neurolib.utils.parameterSpace import ParameterSpace


def _grid():
    # the README example on a small grid
    return ParameterSpace({"mue_ext_mean": np.linspace(0, 3, 4), "mui_ext_mean": np.linspace(0, 3, 3)}, kind="grid")


@pytest.mark.parametrize(
    "ncores, batch_size",
    [(1, 5), (2, 5), (2, 12)],  # the last: one (noisy) batch, fewer than the cores: its members on two threads
)
def test_readme_example_equals_single_runs(aln_model, tmp_path, ncores, batch_size):
    model = aln_model(duration=300.0)  # sigma_ou 0.05
    search = BoxSearch(
        model, _grid(), filename=str(tmp_path / "aln.hdf"), ncores=ncores, batch_size=batch_size, progress=False
    )
    search.run()
    search.loadResults()
    assert search.nRuns == 12 and len(search.results) == 12
    df = search.dfResults
    assert list(df.columns[:2]) == ["mue_ext_mean", "mui_ext_mean"]
    assert not df["nonfinite"].any()
    # the bifurcation diagram of the README: max rate per point, pivoted over the grid
    for i in df.index:
        df.loc[i, "max_r"] = np.max(search.results[i]["rates_exc"][:, -int(100 / model.params["dt"]) :])
    pivot = df.pivot_table(values="max_r", index="mui_ext_mean", columns="mue_ext_mean")
    assert pivot.shape == (3, 4) and np.isfinite(pivot.values).all()
    # each point alone, with the run's seed, gives the same output, bitwise
    for i in df.index:
        run = search.getRun(i)
        alone = aln_model(duration=300.0)
        alone.params.update(run.params)
        alone.run()
        assert np.array_equal(alone.output, search.results[i]["rates_exc"]), f"run {i} differs"
        assert np.array_equal(alone.outputs["t"], search.results[i]["t"])
    # seeds differ between runs; the model's own parameters are untouched
    assert len({search.getRun(i).params["seed"] for i in df.index}) == 12
    assert model.params["seed"] == 11 and model.params["mue_ext_mean"] == aln_model().params["mue_ext_mean"]


def test_save_all_outputs_and_unbatched_path(aln_model, tmp_path):
    model = aln_model(duration=100.0)
    space = ParameterSpace({"mue_ext_mean": [0.5, 1.5, 2.5]}, kind="grid")
    all_out = BoxSearch(model, space, filename=str(tmp_path / "a.hdf"), saveAllModelOutputs=True, ncores=1,
                        progress=False)  # fmt: skip
    all_out.run()
    all_out.loadResults()
    assert {"t", "rates_exc", "rates_inh", "IA"} <= set(all_out.results[0])
    # chunkwise=True is not batched: the model runs point by point, and gives the same result
    chunked = BoxSearch(model, space, filename=str(tmp_path / "b.hdf"), ncores=1, progress=False)
    chunked.run(chunkwise=True, chunksize=250, append_outputs=True)
    chunked.loadResults()
    for i in range(3):
        assert np.array_equal(chunked.results[i]["rates_exc"], all_out.results[i]["rates_exc"])


def test_eval_function_helpers(aln_model, tmp_path):
    model = aln_model(duration=100.0)
    calls = []

    def evaluate(traj):
        params = search.getParametersFromTraj(traj)
        assert params["duration"] == 100.0 and "seed" in params
        m = search.getModelFromTraj(traj)
        assert m is model and m.params["mue_ext_mean"] == params["mue_ext_mean"]
        m.run()
        calls.append(traj.id)
        search.saveToPypet({"max_rate": float(np.max(m.output)), "nested": {"x": np.arange(3)}, "label": "ok"}, traj)
        search.saveToPypet({"mean_rate": float(np.mean(m.output))}, traj)

    space = ParameterSpace({"mue_ext_mean": [0.5, 1.0], "mui_ext_mean": [0.5, 1.0]}, kind="grid")
    search = BoxSearch(model=model, evalFunction=evaluate, parameterSpace=space, filename=str(tmp_path / "e.hdf"),
                       ncores=1, progress=False)  # fmt: skip
    search.run()
    assert sorted(calls) == [0, 1, 2, 3]
    search.loadResults(all=False)
    assert search.results == {} and {"max_rate", "mean_rate"} <= set(search.dfResults.columns)
    r = search.getResult(2)  # not in memory: read from the file
    assert r["label"] == "ok" and np.array_equal(r["x"], np.arange(3)) and r.params["mue_ext_mean"] == 1.0
    assert search.getRun(2, pypetShortNames=False)["nested.x"].tolist() == [0, 1, 2]
    with pytest.raises(AssertionError, match="dict"):
        search.saveToPypet([1, 2], None)
    # the same search again resumes: nothing left to run, and the file is left as it is
    before = os.stat(tmp_path / "e.hdf")
    again = BoxSearch(model=model, evalFunction=evaluate, parameterSpace=space, filename=str(tmp_path / "e.hdf"),
                      ncores=1, progress=False)  # fmt: skip
    again.run()
    assert len(calls) == 4
    assert again.trajectoryName == search.trajectoryName
    after = os.stat(tmp_path / "e.hdf")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    name = search.trajectoryName  # the index, its lock, and the exploration's records (with their lock)
    files = [".e.hdf.lock", "e.hdf", f"e.hdf.{name}.records", f"e.hdf.{name}.records.lock"]
    assert sorted(os.listdir(tmp_path)) == files


def test_eval_function_in_forked_workers(aln_model, tmp_path):
    model = aln_model(duration=50.0)

    def evaluate(traj):
        m = search.getModelFromTraj(traj)
        m.run()
        search.saveToPypet({"out": m.output.copy()}, traj)

    space = ParameterSpace({"mue_ext_mean": [0.5, 1.0, 1.5, 2.0]}, kind="grid")
    search = BoxSearch(model=model, evalFunction=evaluate, parameterSpace=space, filename=str(tmp_path / "f.hdf"),
                       ncores=2, progress=False)  # fmt: skip
    search.run()
    search.loadResults()
    reference = BoxSearch(model, space, filename=str(tmp_path / "g.hdf"), ncores=1, progress=False)
    reference.run()
    reference.loadResults()
    for i in range(4):
        assert np.array_equal(search.results[i]["out"], reference.results[i]["rates_exc"])


def test_nonfinite_runs_are_flagged(tmp_path):
    def evaluate(traj):
        x = traj.params["x"]
        search.saveToPypet({"y": np.array([1.0, np.nan if x == 2 else x]), "z": np.inf if x == 3 else 1.0}, traj)

    space = ParameterSpace({"x": [1, 2, 3, 4]}, kind="grid")
    search = BoxSearch(evalFunction=evaluate, parameterSpace=space, filename=str(tmp_path / "n.hdf"), ncores=1,
                       progress=False)  # fmt: skip
    search.run()
    search.loadResults()
    assert search.dfResults["nonfinite"].tolist() == [False, True, True, False]
    assert search.dfResults["nonfinite"].dtype == bool


def test_bound_space_warns(tmp_path):
    def evaluate(traj):
        search.saveToPypet({"s": traj.params["a"] + traj.params["b"]}, traj)

    space = ParameterSpace({"a": [0.0, 1.0], "b": [0.0, 1.0]})
    search = BoxSearch(evalFunction=evaluate, parameterSpace=space, filename=str(tmp_path / "w.hdf"), ncores=1,
                       progress=False)  # fmt: skip
    with pytest.warns(UserWarning, match="kind='grid'"):
        search.run()
    assert search.nRuns == 2


def test_sequence_fills_defaults_and_xr(aln_model, tmp_path):
    model = aln_model(duration=50.0)
    space = ParameterSpace({"mue_ext_mean": [0.5, 1.0], "mui_ext_mean": [2.0]}, kind="sequence")
    search = BoxSearch(model, space, filename=str(tmp_path / "s.hdf"), ncores=1, progress=False)
    default = model.params["mui_ext_mean"]
    assert search.pypetParametrization["mui_ext_mean"] == [default, default, 2.0]
    search.run()
    search.loadResults()
    da = search.xr()
    assert da.name == "exploration" and "run_no" in da.dims and da.sizes["run_no"] == 3


def test_xr_grid_dims(aln_model, tmp_path):
    model = aln_model(duration=50.0)
    search = BoxSearch(model, _grid(), filename=str(tmp_path / "x.hdf"), ncores=1, progress=False)
    search.run()
    search.loadResults()
    da = search.xr()
    assert da.dims == ("mue_ext_mean", "mui_ext_mean", "output", "space", "time")
    assert da.shape[:2] == (4, 3)
    assert np.array_equal(da.sel(mue_ext_mean=1.0, mui_ext_mean=1.5, output="rates_exc").values,
                          search.results[4]["rates_exc"])  # fmt: skip


def test_info_and_load_by_name(aln_model, tmp_path, capsys):
    model = aln_model(duration=50.0)
    space = ParameterSpace({"mue_ext_mean": [0.5, 1.0, 1.5]}, kind="grid")
    path = str(tmp_path / "i.hdf")
    first = BoxSearch(model, space, filename=path, ncores=1, progress=False)
    first.run()
    model.params["duration"] = 60.0  # another search (other parameters) in the same file
    second = BoxSearch(model, space, filename=path, ncores=1, progress=False)
    second.run()
    assert second.trajectoryName != first.trajectoryName
    from neurolib.utils.pypetUtils import getTrajectorynamesInFile

    assert getTrajectorynamesInFile(path) == [first.trajectoryName, second.trajectoryName]
    first.loadResults(trajectoryName=first.trajectoryName)
    assert first.results[0]["rates_exc"].shape[1] == 500
    second.loadResults()
    assert second.results[0]["rates_exc"].shape[1] == 600
    second.info()
    assert re.search(r"Number of runs: *3", capsys.readouterr().out)


def test_thread_pool_executor_equals_serial(aln_model, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    model = aln_model(duration=100.0)
    space = ParameterSpace({"mue_ext_mean": [0.5, 1.0, 1.5, 2.0], "mui_ext_mean": [0.5, 1.0]}, kind="grid")
    serial = BoxSearch(model, space, filename=str(tmp_path / "s.hdf"), ncores=1, progress=False)
    serial.run()
    serial.loadResults()
    with ThreadPoolExecutor(2) as pool:
        threaded = BoxSearch(model, space, filename=str(tmp_path / "t.hdf"), executor=pool, batch_size=3,
                             progress=False)  # fmt: skip
        threaded.run()
    threaded.loadResults()
    for i in range(8):
        assert np.array_equal(threaded.results[i]["rates_exc"], serial.results[i]["rates_exc"])


class _StarModel:
    """A stand-in for a MultiModel: flat dotted parameter keys addressed by star patterns."""

    name = "star"

    def __init__(self):
        from neurolib.utils.collections import star_dotdict

        self.params = star_dotdict({"node_0.exc.tau": 1.0, "node_1.exc.tau": 1.0, "node_0.inh.tau": 5.0})


def test_star_notation(tmp_path):
    model = _StarModel()

    def evaluate(traj):
        p = search.getParametersFromTraj(traj)
        search.saveToPypet({"sum": p["node_0.exc.tau"] + p["node_1.exc.tau"] + p["node_0.inh.tau"]}, traj)

    space = ParameterSpace({"*exc*tau": [1.0, 2.0, 3.0]}, allow_star_notation=True, kind="grid")
    search = BoxSearch(model=model, evalFunction=evaluate, parameterSpace=space, filename=str(tmp_path / "x.hdf"),
                       ncores=1, progress=False)  # fmt: skip
    assert sorted(search.pypetParametrization) == ["node_0.exc.tau", "node_1.exc.tau"]
    search.run()
    search.loadResults()
    assert search.dfResults["sum"].tolist() == [7.0, 9.0, 11.0]
    assert list(search.dfResults.columns[:2]) == ["node_0.exc.tau", "node_1.exc.tau"]
    with pytest.raises(AssertionError, match="star notation"):
        BoxSearch(evalFunction=evaluate, parameterSpace=space)


def test_batches_split_by_network_and_duration(tmp_path):
    from neurolib.models.hopf import HopfModel

    rng = np.random.default_rng(0)
    model = HopfModel(Cmat=rng.uniform(0, 1, (3, 3)), Dmat=rng.uniform(0, 40, (3, 3)), seed=4)
    model.params["sigma_ou"] = 0.05
    space = ParameterSpace({"signalV": [10.0, 20.0], "duration": [30.0, 50.0], "K_gl": [0.2, 0.8]}, kind="grid")
    search = BoxSearch(model, space, filename=str(tmp_path / "h.hdf"), ncores=1, batch_size=8, progress=False)
    search.run()
    search.loadResults()
    for i in range(8):
        alone = HopfModel(Cmat=model.params["Cmat"], Dmat=model.params["lengthMat"], seed=4)
        alone.params["sigma_ou"] = 0.05
        alone.params.update(search.getRun(i).params)
        alone.run()
        assert np.array_equal(alone.output, search.results[i]["x"]), f"run {i}"


def test_exploration_utils(aln_model, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import neurolib.optimize.exploration.explorationUtils as eu
    from neurolib.utils import paths

    monkeypatch.setattr(paths, "FIGURES_DIR", str(tmp_path / "figures"))
    model = aln_model(duration=200.0)
    search = BoxSearch(model, _grid(), filename=str(tmp_path / "u.hdf"), ncores=1, progress=False)
    search.run()
    search.loadResults()
    eu.processExplorationResults(search, model=model, output_last_ms=100)
    df = search.dfResults
    for col in ("max_rates_exc", "min_rates_exc", "max_amp_rates_exc", "relative_amplitude_rates_exc"):
        assert col in df.columns
    expected = np.max(search.results[5]["rates_exc"][:, -1000:])
    assert df.loc[5, "max_rates_exc"] == expected
    close = eu.findCloseResults(df, dist=0.1, mue_ext_mean=1.0, mui_ext_mean=[1.0, 2.0])
    assert close.index.tolist() == [4]
    assert eu.paramsRun(df, 4)["mue_ext_mean"] == 1.0
    eu.plotExplorationResults(df, ["mue_ext_mean", "E input"], "mui_ext_mean", "max_rates_exc",
                              contour="max_rates_exc", alpha_mask="max_rates_exc", savename="map.png")  # fmt: skip
    assert (tmp_path / "figures" / "map.png").exists()
    eu.plotResult(search, 3)
    matplotlib.pyplot.close("all")
