"""kill -9 of a network BoxSearch that stores its outputs, at moments while records are being written; the same
search run again keeps every finished run exactly once and ends with the results of an uninterrupted search."""

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
    import sys
    import numpy as np
    from neurolib.models.hopf import HopfModel
    from neurolib.optimize.exploration import BoxSearch, exploration
    from neurolib.utils.parameterSpace import ParameterSpace

    rng = np.random.default_rng(1)
    cmat = rng.uniform(0, 1, (12, 12))
    np.fill_diagonal(cmat, 0)
    model = HopfModel(Cmat=cmat, Dmat=rng.uniform(0, 20, (12, 12)), seed=4)
    model.params["duration"] = 4000.0
    space = ParameterSpace({"K_gl": np.linspace(0.2, 1.0, 6), "sigma_ou": [0.0, 0.01, 0.02]}, kind="grid")
    ahead = sys.argv[2] == "ahead"  # batches on threads here, stored while the next one integrates
    exploration.SHIP_BYTES = 0.0 if ahead else 16e6
    search = BoxSearch(model, space, filename=sys.argv[1], ncores=2 if ahead else 1, batch_size=1, progress=False)
    if __name__ == "__main__":
        search.run()
    """
)


def _done(path):
    try:
        with Reader(str(path)) as r:
            return len(r.done())
    except Exception:
        return 0


def _run(script, path, mode):
    return subprocess.Popen([sys.executable, str(script), str(path), mode], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip


@pytest.mark.parametrize("mode", ["serial", "ahead"])
def test_sigkill_while_writing_network_outputs(tmp_path, monkeypatch, mode):
    script = tmp_path / "search.py"
    script.write_text(SCRIPT)
    path = tmp_path / "killed.hdf"
    for n, delay in ((2, 0.0), (5, 0.013), (9, 0.031)):  # killed at different moments after n runs are stored
        proc = _run(script, path, mode)
        t0 = time.time()
        while _done(path) < n:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.time() - t0 < 120, "too slow"
            time.sleep(0.002)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with Reader(str(path)) as r:  # readable after the kill, every stored run intact
            assert r.running and len(r.done()) >= n
            for i in r.done():
                assert r.run(i)["x"].shape[0] == 12
    assert _done(path) < 18, "the search finished before it was killed"
    proc = _run(script, path, mode)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()[-3000:]
    # the uninterrupted search, in this process
    monkeypatch.setattr(sys, "argv", ["search.py", str(tmp_path / "whole.hdf"), mode])
    import importlib.util

    from neurolib.optimize.exploration import exploration

    monkeypatch.setattr(exploration, "SHIP_BYTES", exploration.SHIP_BYTES)  # the script changes it: restored after
    spec = importlib.util.spec_from_file_location("crash_script", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.search.run()
    module.search.loadResults()
    whole = module.search.results
    with h5py.File(path, "r") as f:
        (name,) = list(f)
        rows = f[name]["records"][()]
        records = f"{path}.{name}.records"
        assert f[name].attrs["records_end"] == os.path.getsize(records)
    assert sorted(rows[rows[:, 0] == J.RUN, 1].tolist()) == list(range(18))  # every run exactly once
    assert sorted(e.key for e in J.scan(records)[0] if e.kind == J.RUN) == list(range(18))
    with Reader(str(path)) as r:
        assert not r.running
        for i in range(18):
            got = r.run(i)
            assert sorted(got) == sorted(whole[i]) and "x" in got
            for key in got:
                assert np.array_equal(got[key], whole[i][key]), (i, key)
