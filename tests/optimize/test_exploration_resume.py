"""A search killed with SIGKILL loses no finished run, stays readable, and resumes to the uninterrupted result."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import numpy as np
import pytest

from neurolib._storage import journal as J
from neurolib._storage.hdf import Reader

SCRIPT = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from neurolib.models.aln import ALNModel
    from neurolib.optimize.exploration import BoxSearch
    from neurolib.utils.parameterSpace import ParameterSpace

    table, path, mode, pause = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])

    def evaluate(traj):
        model = search.getModelFromTraj(traj)
        model.run()
        time.sleep(pause)
        search.saveToPypet({"rates_exc": model.output.copy(), "max": float(model.output.max())}, traj)

    def make(mode):
        model = ALNModel(lookupTableFileName=table, seed=5)
        model.params["sigma_ou"] = 0.05
        if mode == "eval":
            model.params["duration"] = 100.0
            space = ParameterSpace({"mue_ext_mean": np.linspace(0, 3, 5), "mui_ext_mean": np.linspace(0, 3, 4)},
                                   kind="grid")
            return BoxSearch(model=model, evalFunction=evaluate, parameterSpace=space, filename=path, ncores=1,
                             progress=False)
        model.params["duration"] = 20000.0
        space = ParameterSpace({"mue_ext_mean": np.linspace(0, 3, 8), "mui_ext_mean": np.linspace(0, 3, 5)},
                               kind="grid")
        return BoxSearch(model, space, filename=path, ncores=2, batch_size=1, progress=False)

    search = make(mode)
    if __name__ == "__main__":
        search.run()
    """
)


def _start(script, table, path, mode, pause):
    env = dict(os.environ)
    return subprocess.Popen([sys.executable, str(script), table, str(path), mode, str(pause)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def _done(path):
    try:
        with Reader(str(path)) as r:
            return len(r.done())
    except Exception:
        return 0


def _kill_after(proc, path, n_runs, timeout=120):
    """SIGKILL the search (and its workers) once ``n_runs`` runs are stored."""
    t0 = time.time()
    while _done(path) < n_runs:
        if proc.poll() is not None:
            raise AssertionError(f"the search ended before it was killed: {proc.stderr.read().decode()[-2000:]}")
        if time.time() - t0 > timeout:
            proc.kill()
            raise AssertionError("the search stored too few runs in time")
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)  # its worker processes notice and end by themselves
    proc.wait()


def _load_module(script):
    import importlib.util

    spec = importlib.util.spec_from_file_location("resume_script", script)
    module = importlib.util.module_from_spec(spec)
    return spec, module


@pytest.mark.parametrize("mode, pause, kills", [("eval", 0.05, (3, 9)), ("batch", 0.0, (4,))])
def test_resume_after_sigkill(aln_table, tmp_path, monkeypatch, mode, pause, kills):
    script = tmp_path / "search.py"
    script.write_text(SCRIPT)
    path = tmp_path / "killed.hdf"
    for n in kills:
        proc = _start(script, aln_table, path, mode, pause)
        _kill_after(proc, path, n)
        # killed: the stored runs are readable, nothing is lost that was stored
        with Reader(str(path)) as r:
            done = r.done()
            assert len(done) >= n
            for i in done:
                assert r.run(i)["rates_exc"].ndim == 2
    assert len(done) < (20 if mode == "eval" else 40), "the search finished before it was killed: nothing resumed"
    proc = _start(script, aln_table, path, mode, 0.0)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()[-3000:]
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]
    # the uninterrupted search, in this process
    monkeypatch.setattr(sys, "argv", ["search.py", aln_table, str(tmp_path / "whole.hdf"), mode, "0"])
    spec, module = _load_module(script)
    spec.loader.exec_module(module)
    module.search.run()
    module.search.loadResults()
    whole = module.search.results
    with h5py.File(path, "r") as f:
        (name,) = list(f)
        records = f[name]["records"][()]
        readable = dict(f[name]["parameters"].attrs)  # readable copies of the model's parameters
    assert readable["dt"] == module.search.model.params["dt"] and readable["model"] == "aln"
    run_keys = sorted(records[records[:, 0] == J.RUN, 1].tolist())
    assert run_keys == list(range(len(whole)))  # every run exactly once
    with Reader(str(path)) as r:
        assert not r.running
        for i in range(len(whole)):
            assert np.array_equal(r.run(i)["rates_exc"], whole[i]["rates_exc"]), f"run {i}"
