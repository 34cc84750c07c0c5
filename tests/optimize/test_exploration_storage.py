"""The result store: torn journals, reading while a search runs, the file layout, clean-up after a crash."""

import os

import h5py
import numpy as np
import pytest

from neurolib._storage import journal as J
from neurolib._storage.hdf import Reader, SearchWriter, has_nonfinite
from neurolib.optimize.exploration import BoxSearch
from neurolib.utils.parameterSpace import ParameterSpace


def test_torn_journal_keeps_complete_records(tmp_path):
    path = str(tmp_path / "j.journal")
    j = J.Journal(path)
    for k in range(5):
        j.append(J.RUN, k, {"k": k}, np.arange(k + 10.0))
    j.close()
    data = open(path, "rb").read()
    entries, good = J.scan(path)
    assert [e.key for e in entries] == [0, 1, 2, 3, 4] and good == len(data)
    last = entries[-1].offset - J._HEAD.size
    for cut in range(last, len(data), 7):  # a writer killed in the middle of the last record
        with open(path, "wb") as fh:
            fh.write(data[:cut])
        assert [e.key for e in J.scan(path)[0]] == [0, 1, 2, 3]
    with open(path, "wb") as fh:  # a flipped byte: the record and everything after it are dropped
        fh.write(data[: entries[2].offset + 3] + b"\xff" + data[entries[2].offset + 4 :])
    assert [e.key for e in J.scan(path)[0]] == [0, 1]
    j = J.Journal(path)  # reopening cuts the bad tail off before appending
    j.append(J.RUN, 9, {"k": 9}, np.zeros(2))
    j.close()
    entries, _ = J.scan(path)
    assert [e.key for e in entries] == [0, 1, 9]
    assert J.load(path, entries[-1:])[0][0] == {"k": 9}
    assert J.load(path, entries[-1:], first=True) == [{"k": 9}]


def test_results_readable_while_the_search_runs(tmp_path):
    path = str(tmp_path / "live.hdf")
    seen = {}

    def evaluate(traj):
        if traj.id == 4:  # another reader, as from a second process, while this search runs
            peek = BoxSearch(evalFunction=evaluate, parameterSpace=space, filename=path, progress=False)
            peek.loadResults()
            seen["runs"] = sorted(peek.results)
            seen["y"] = peek.dfResults["y"].tolist()
        search.saveToPypet({"y": float(traj.params["x"]), "t": np.arange(100.0)}, traj)

    space = ParameterSpace({"x": [0, 1, 2, 3, 4, 5]}, kind="grid")
    search = BoxSearch(evalFunction=evaluate, parameterSpace=space, filename=path, ncores=1, progress=False)
    search.run()
    assert seen["runs"] == [0, 1, 2, 3]
    assert seen["y"][:4] == [0.0, 1.0, 2.0, 3.0] and np.isnan(seen["y"][4:]).all()
    # after the search: one record per run, the time axis stored once; the HDF5 file indexes the records
    records = f"{path}.{search.trajectoryName}.records"
    assert os.path.exists(records)
    kinds = [e.kind for e in J.scan(records)[0]]
    assert kinds.count(J.RUN) == 6 and kinds.count(J.SHARED) == 1
    with h5py.File(path, "r") as f:
        traj = f[search.trajectoryName]
        assert traj["records"].shape == (len(kinds), 4) and traj.attrs["records_end"] == os.path.getsize(records)
        assert traj["explored/x"][()].tolist() == [0, 1, 2, 3, 4, 5]
    with Reader(path) as r:
        assert r.run(3)["y"] == 3.0 and r.run(0)["t"] is r.run(5)["t"]


def test_interrupted_copy_is_cleaned_up(tmp_path):
    path = str(tmp_path / "c.hdf")

    def header(name):
        return {"attrs": {"fingerprint": "fp", "nRuns": 2}, "base_params": {"a": 1.0}, "parametrization": {"a": [1, 2]}}

    w = SearchWriter.open(path, "fp", "results-c", header)
    w.write_run(0, {"y": 1.0}, {"seed": np.uint64(3)})
    w.close()  # as if killed before the end: the journal stays
    open(path + ".tmp-999999", "wb").write(b"half a copy")  # a copy killed before it replaced the file
    with Reader(path) as r:
        assert r.running and r.done() == [0] and r.run(0) == {"y": 1.0}
    w = SearchWriter.open(path, "fp", "results-other", header)  # same fingerprint: resumed
    assert w.resumed and w.name == "results-c" and w.done == {0}
    w.write_run(1, {"y": 2.0}, {})
    w.finalize()
    files = [".c.hdf.lock", "c.hdf", "c.hdf.results-c.records", "c.hdf.results-c.records.lock"]
    assert sorted(os.listdir(tmp_path)) == files
    with Reader(path) as r:
        assert not r.running and r.done() == [0, 1] and r.run(1) == {"y": 2.0}
        assert r.run_attrs(0)["seed"] == 3


def test_result_values_round_trip(tmp_path):
    path = str(tmp_path / "v.hdf")

    def header(name):
        return {"attrs": {"fingerprint": "v"}, "base_params": {}, "parametrization": {"a": [1]}}

    values = {
        "f": 1.5, "i": 3, "b": True, "s": "text", "none": None, "arr": np.arange(6).reshape(2, 3),
        "lst": [1.0, 2.0], "tup": (1, 2), "obj": {"nested": {"deep": np.ones(2)}}, "mixed": [1, "a"],
        "np": np.float32(2.5),
    }  # fmt: skip
    w = SearchWriter.open(path, "v", "results-v", header)
    w.write_run(0, values, {})
    with Reader(path) as r:  # from the journal
        from_journal = r.run(0)
    w.finalize()
    with Reader(path) as r:  # from the HDF5 file
        from_file = r.run(0)
    for got in (from_journal, from_file):
        assert got["f"] == 1.5 and type(got["f"]) is float and got["i"] == 3 and got["b"] is True
        assert got["s"] == "text" and got["none"] is None and np.array_equal(got["arr"], values["arr"])
        assert got["lst"] == [1.0, 2.0] and got["tup"] == (1, 2) and got["mixed"] == [1, "a"]
        assert np.array_equal(got["obj"]["nested"]["deep"], np.ones(2)) and got["np"] == np.float32(2.5)
    with pytest.raises(ValueError, match="'/'"):
        SearchWriter.open(path, "w", "results-w", header).write_run(0, {"a/b": 1}, {})


def test_has_nonfinite():
    assert not has_nonfinite({"a": 1.0, "b": np.arange(3), "c": "x", "d": None, "e": [1, 2]})
    assert has_nonfinite({"a": {"b": np.array([1.0, np.nan])}})
    assert has_nonfinite({"a": float("inf")}) and has_nonfinite({"a": [1.0, np.inf]})


def _network_search(path, ncores=2):
    from neurolib.models.hopf import HopfModel

    cmat = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.2], [0.5, 0.2, 0.0]])
    model = HopfModel(Cmat=cmat, Dmat=cmat * 10, seed=3)
    model.params["duration"] = 50.0
    model.params["sigma_ou"] = 0.01
    space = ParameterSpace({"K_gl": [0.1, 0.5, 0.9], "a": [-0.1, 0.2]}, kind="grid")
    search = BoxSearch(model, space, filename=path, ncores=ncores, progress=False)
    search.run()
    search.loadResults()
    return search


def test_big_outputs_go_through_threads_one_batch_ahead_with_the_same_results(tmp_path, monkeypatch):
    """Outputs above SHIP_BYTES: batches of one member per core integrated here, stored while the next one
    integrates; the results are those of the worker-process path, bit for bit."""
    from neurolib.optimize import _runner
    from neurolib.optimize.exploration import exploration

    ref = _network_search(str(tmp_path / "ref.hdf"))
    calls = []
    original = _runner.run_tasks

    def spy(*args, **kwargs):
        calls.append(kwargs.get("ahead"))
        return original(*args, **kwargs)

    monkeypatch.setattr(exploration, "SHIP_BYTES", 0.0)
    monkeypatch.setattr(exploration._runner, "run_tasks", spy)
    big = _network_search(str(tmp_path / "big.hdf"))
    assert calls == [True]
    assert sorted(big.results) == sorted(ref.results) == list(range(6))
    for i in ref.results:
        for key in ("x", "t"):
            assert np.array_equal(big.results[i][key], ref.results[i][key])


def test_loaded_results_are_read_when_asked_and_big_arrays_stay_out_of_dfresults(tmp_path, monkeypatch):
    from neurolib.optimize.exploration import _results

    def evaluate(traj):
        k = traj.params["k"]
        search.saveToPypet({"score": 2.0 * k, "trace": np.full(4, k), "inner": {"n": k + 1}}, traj)

    space = ParameterSpace({"k": [1.0, 2.0, 3.0]}, kind="grid")
    search = BoxSearch(evalFunction=evaluate, parameterSpace=space, filename=str(tmp_path / "l.hdf"), progress=False)
    search.run()
    search.loadResults()
    assert isinstance(search.results, _results.LazyResults) and len(search.results) == 3
    assert np.array_equal(search.results[1]["trace"], np.full(4, 2.0)) and search.results[2]["n"] == 4.0
    assert list(search.dfResults["trace"].iloc[0]) == [1.0] * 4  # small: arrays copied into dfResults as before
    monkeypatch.setattr(_results, "DF_ARRAY_BYTES", 0.0)
    search.loadResults()
    assert "trace" not in search.dfResults and search.dfResults["score"].tolist() == [2.0, 4.0, 6.0]
    assert search.dfResults["n"].tolist() == [2.0, 3.0, 4.0]
    search.aggregateResultsToDfResults()  # asked for explicitly: the arrays come
    assert list(search.dfResults["trace"].iloc[2]) == [3.0] * 4
    with pytest.raises(KeyError):
        search.results[7]


def test_one_ahead_keeps_order_and_passes_errors_on():
    from neurolib.optimize._runner import _one_ahead

    assert list(_one_ahead(iter(range(5)))) == [0, 1, 2, 3, 4]

    def failing():
        yield 1
        raise RuntimeError("boom")

    out = []
    with pytest.raises(RuntimeError, match="boom"):
        for item in _one_ahead(failing()):
            out.append(item)
    assert out == [1]
    gen = _one_ahead(iter(range(100)))
    assert next(gen) == 0
    gen.close()  # the consumer stops early: the helper thread ends


@pytest.mark.parametrize("points", [4, 20])
def test_small_search_runs_here_whatever_ncores(tmp_path, monkeypatch, points):
    """Below SMALL_WORK node-steps, starting workers costs more than it saves: ncores=2 runs in this process, its
    batches on 2 threads when there are at least THREAD_MEMBERS runs per thread; the same results as workers."""
    from neurolib.models.hopf import HopfModel
    from neurolib.optimize.exploration import exploration

    monkeypatch.setattr(exploration, "SMALL_WORK", 5e6)
    calls = []
    original = exploration._runner.run_tasks

    def spy(*args, **kwargs):
        calls.append((kwargs.get("ncores"), args[1].threads))
        return original(*args, **kwargs)

    monkeypatch.setattr(exploration._runner, "run_tasks", spy)
    model = HopfModel(seed=1)
    model.params["duration"] = 100.0
    model.params["sigma_ou"] = 0.02
    space = ParameterSpace({"a": list(np.linspace(0.1, 0.4, points))}, kind="grid")
    small = BoxSearch(model, space, filename=str(tmp_path / "small.hdf"), ncores=2, progress=False)
    small.run()
    assert calls == [(1, 2 if points >= 2 * exploration.THREAD_MEMBERS else 1)]
    small.loadResults()
    monkeypatch.setattr(exploration, "SMALL_WORK", 0.0)
    workers = BoxSearch(model, space, filename=str(tmp_path / "workers.hdf"), ncores=2, progress=False)
    workers.run()
    workers.loadResults()
    for i in range(points):
        assert np.array_equal(small.results[i]["x"], workers.results[i]["x"])
