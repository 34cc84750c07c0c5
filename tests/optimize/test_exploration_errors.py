"""Bad input gives clear errors; a failing evaluation is reported with its parameters and traceback."""

import numpy as np
import pytest

from neurolib._storage.hdf import StoreError
from neurolib.optimize.exploration import BoxSearch, ExplorationError
from neurolib.utils.parameterSpace import ParameterSpace


def test_missing_arguments(aln_model, tmp_path):
    space = ParameterSpace({"mue_ext_mean": [0.5, 1.0, 1.5]})
    with pytest.raises(AssertionError, match="Either a model"):
        BoxSearch(parameterSpace=space, filename=str(tmp_path / "a.hdf"))
    with pytest.raises(AssertionError, match="No parameters"):
        BoxSearch(aln_model(), filename=str(tmp_path / "a.hdf"))
    with pytest.raises(AssertionError, match="sequential"):
        BoxSearch(evalFunction=print, parameterSpace=ParameterSpace({"a": [1, 2]}, kind="sequence"))


@pytest.mark.parametrize("space", [ParameterSpace({}), ParameterSpace({"mue_ext_mean": []})], ids=["none", "novalues"])
def test_empty_space(aln_model, tmp_path, space):
    with pytest.raises(ValueError, match="empty"):
        BoxSearch(aln_model(), space, filename=str(tmp_path / "a.hdf"))


def test_unknown_parameter_suggests(aln_model, tmp_path):
    space = ParameterSpace({"mue_ext_meen": [0.5, 1.0, 1.5]})
    with pytest.raises(ValueError, match="mue_ext_meen.*Did you mean 'mue_ext_mean'"):
        BoxSearch(aln_model(), space, filename=str(tmp_path / "a.hdf"))


def test_non_numeric_value(aln_model, tmp_path):
    space = ParameterSpace({"mue_ext_mean": [0.5, "high", 1.5]})
    with pytest.raises(ValueError, match="'mue_ext_mean' must be numeric.*'high'"):
        BoxSearch(aln_model(), space, filename=str(tmp_path / "a.hdf"))


def test_invalid_value_caught_before_running(aln_model, tmp_path):
    space = ParameterSpace({"sigma_ou": [0.1, -1.0, 0.2]})
    with pytest.raises(ValueError, match="sigma_ou.*-1.0"):
        BoxSearch(aln_model(), space, filename=str(tmp_path / "a.hdf"))


def test_unwritable_folder(aln_model, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    space = ParameterSpace({"mue_ext_mean": [0.5, 1.0, 1.5]})
    with pytest.raises(StoreError, match="Cannot create the folder"):
        BoxSearch(aln_model(), space, filename=str(blocker / "sub" / "x.hdf"))
    with pytest.raises(StoreError, match="is a folder"):
        BoxSearch(aln_model(), space, filename=str(tmp_path))


def test_not_an_hdf_file(aln_model, tmp_path):
    path = tmp_path / "notes.hdf"
    path.write_text("some text")
    with pytest.raises(StoreError, match="not an HDF5 file"):
        BoxSearch(aln_model(duration=20.0), ParameterSpace({"mue_ext_mean": [0.5, 1.0, 1.5]}), filename=str(path))


def test_failing_eval_function_keeps_other_runs(tmp_path, caplog):
    def evaluate(traj):
        if traj.params["x"] == 3:
            raise ZeroDivisionError("x = 3 is not allowed")
        search.saveToPypet({"y": traj.params["x"] ** 2}, traj)

    space = ParameterSpace({"x": [1, 2, 3, 4, 5]}, kind="grid")
    path = str(tmp_path / "f.hdf")
    search = BoxSearch(evalFunction=evaluate, parameterSpace=space, filename=path, ncores=1, progress=False)
    with pytest.raises(ExplorationError) as info:
        search.run()
    message = str(info.value)
    assert "1 of 5 runs failed" in message and "'x': 3" in message
    assert "ZeroDivisionError: x = 3 is not allowed" in message and "Traceback" in message
    assert list(info.value.failures) == [2]
    assert "x = 3 is not allowed" in caplog.text
    search.loadResults()
    assert sorted(search.results) == [0, 1, 3, 4]
    assert search.dfResults["y"].tolist()[:2] == [1.0, 4.0] and np.isnan(search.dfResults["y"][2])
    assert list(search.failedRuns) == [2]
    with pytest.raises(KeyError, match="ZeroDivisionError"):
        search.getRun(2)

    # fixed, the same search runs only the failed point
    calls = []

    def evaluate(traj):  # noqa: F811 - same name: the same search
        calls.append(traj.id)
        search.saveToPypet({"y": traj.params["x"] ** 2}, traj)

    search = BoxSearch(evalFunction=evaluate, parameterSpace=space, filename=path, ncores=1, progress=False)
    search.run()
    assert calls == [2]
    search.loadResults()
    assert search.dfResults["y"].tolist() == [1.0, 4.0, 9.0, 16.0, 25.0] and search.failedRuns == {}


def test_failing_runs_in_worker_processes(tmp_path):
    def evaluate(traj):
        if traj.params["x"] % 2:
            raise ValueError(f"odd x: {traj.params['x']}")
        search.saveToPypet({"y": traj.params["x"]}, traj)

    space = ParameterSpace({"x": [0, 1, 2, 3]}, kind="grid")
    search = BoxSearch(evalFunction=evaluate, parameterSpace=space, filename=str(tmp_path / "w.hdf"), ncores=2,
                       progress=False)  # fmt: skip
    with pytest.raises(ExplorationError, match="2 of 4 runs failed") as info:
        search.run()
    assert sorted(info.value.failures) == [1, 3]
    assert "ValueError: odd x" in info.value.failures[1][1]
    search.loadResults()
    assert sorted(search.results) == [0, 2]


def test_second_writer_of_the_same_search_is_refused(tmp_path):
    from neurolib._storage.hdf import SearchWriter
    from neurolib._storage.journal import JournalLocked

    def header(name):
        return {"attrs": {"fingerprint": "f"}, "base_params": {}, "parametrization": {"a": [1]}}

    path = str(tmp_path / "l.hdf")
    first = SearchWriter.open(path, "f", "results-x", header)
    with pytest.raises(JournalLocked, match="another process"):
        SearchWriter.open(path, "f", "results-x", header)
    first.close()
