"""Time the fitting workflow end to end, optionally side by side with the published neurolib.

    python benchmarks/bench_fitting.py                                    # this checkout only
    python benchmarks/bench_fitting.py --published /tmp/published-neurolib
    python benchmarks/bench_fitting.py --duration 2000 --points 2         # a quick check of ours

Workload: ``--points`` points (default 8: ``mue_ext_mean`` x ``mui_ext_mean``, 4 x 2) of the 80-node gw ALN
network (``Dataset("gw")``), ``--duration`` ms each (default 60000) with BOLD; each run stores one number, the
FC correlation of its BOLD with the dataset: the mean over ``ds.FCs`` of
``func.matrix_correlation(func.fc(BOLD), fc)`` (BOLD after the first 10 s when the run is longer than 20 s).

* ours: ``BoxSearch(..., evalFunction=batched(fit, bold=True, outputs=[]))``: the points are integrated in
  batches by ``model.run_batch`` (BOLD fed block by block, the rates never kept) and ``fit`` runs in the worker;
* published: ``BoxSearch(..., evalFunction=evaluate)`` with the equivalent ``evaluate(traj)``
  (``model.run(chunkwise=True, bold=True)``, as its examples run long BOLD simulations).

Both with ``--ncores`` workers (default 2), timed end to end (``BoxSearch(...)``, ``run()``, ``loadResults()``),
each in its own process (cwd: a fresh temporary folder), with this checkout on ``PYTHONPATH`` for ours and
``NEUROLIB_DATA`` pointing at the shared datasets. The ratio is published time / our time (> 1: ours is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

from _common import aln_table, run_worker

_DS = {}  # the dataset, loaded before the search (forked workers inherit it)


def _is_ours():
    import inspect

    from neurolib.optimize.exploration import BoxSearch

    return "executor" in inspect.signature(BoxSearch).parameters


def _points(n):
    import numpy as np

    mue = np.linspace(1.5, 3.0, max(1, (n + 1) // 2))
    mui = np.array([2.0, 3.0]) if n > 1 else np.array([2.5])
    return mue, mui


def fc_score(bold):
    """Mean FC correlation of a BOLD signal (N x samples) with the dataset's FCs."""
    import numpy as np

    from neurolib.utils import functions as func

    if bold.shape[1] > 10:
        bold = bold[:, 5:]  # without the first 10 s
    fc = func.fc(bold)
    return float(np.mean([func.matrix_correlation(fc, emp) for emp in _DS["ds"].FCs]))


def fit(outputs, params):
    """Ours: the batched evaluation, on a run's outputs."""
    return {"fc_score": fc_score(outputs["BOLD"]["BOLD"])}


def worker(duration, n_points, ncores):
    """One search in this process; prints a JSON line of timings and scores."""
    import logging
    import warnings

    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    from neurolib.models.aln import ALNModel
    from neurolib.optimize.exploration import BoxSearch
    from neurolib.utils.loadData import Dataset
    from neurolib.utils.parameterSpace import ParameterSpace

    ours = _is_ours()
    ds = _DS["ds"] = Dataset("gw")
    extra = aln_table(ours)
    model = ALNModel(Cmat=ds.Cmat, Dmat=ds.Dmat, **extra)
    model.params["duration"] = duration
    mue, mui = _points(n_points)
    t0 = time.perf_counter()
    space = ParameterSpace({"mue_ext_mean": mue, "mui_ext_mean": mui}, kind="grid")
    if ours:
        from neurolib.optimize import batched

        search = BoxSearch(model, space, evalFunction=batched(fit, bold=True, outputs=[]), filename="fit.hdf",
                           ncores=ncores, progress=False)  # fmt: skip
    else:

        def evaluate(traj):
            m = search.getModelFromTraj(traj)
            m.run(chunkwise=True, bold=True)
            search.saveToPypet({"fc_score": fc_score(m.BOLD.BOLD)}, traj)

        search = BoxSearch(model, space, evalFunction=evaluate, filename="fit.hdf", ncores=ncores)
    search.run()
    t_run = time.perf_counter() - t0
    search.loadResults()
    scores = [float(v) for v in search.dfResults["fc_score"]][:n_points]
    total = time.perf_counter() - t0
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    print(json.dumps({"run": t_run, "total": total, "scores": scores, "peak_mb": peak / 1024}))


def _run(python, args, env, label):
    return run_worker(__file__, python, args, env, label)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--published", metavar="VENV", help="virtual environment with the published neurolib")
    ap.add_argument("--duration", type=float, default=60000.0, help="run duration, ms (default 60000)")
    ap.add_argument("--points", type=int, default=8, help="parameter points, even (default 8)")
    ap.add_argument("--ncores", type=int, default=2, help="workers for both packages (default 2)")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(float(args.worker[0]), int(args.worker[1]), int(args.worker[2]))
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = os.path.join(os.path.dirname(repo), "shared", "data")
    table = os.path.join(shared, "reference", "aln_quantities_cascade.h5")
    data = os.environ.get("NEUROLIB_DATA", os.path.join(shared, "datasets"))
    ours_env = dict(os.environ, PYTHONPATH=repo, NL_BENCH_ALN_TABLE=table, NEUROLIB_DATA=data)
    pub_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pub = os.path.join(args.published, "bin", "python") if args.published else None
    wargs = ["--worker", str(args.duration), str(args.points), str(args.ncores)]
    print(f"{args.points} points of the 80-node gw ALN network, {args.duration / 1000:g} s each with BOLD, "
          f"FC correlation stored; {args.ncores} workers", flush=True)  # fmt: skip
    ours = _run(sys.executable, wargs, ours_env, "ours")
    line = f"ours (batched)  {ours['total']:8.2f} s  peak {ours['peak_mb']:7.0f} MB"
    if pub:
        published = _run(pub, wargs, pub_env, "published")
        line += (
            f" | published (evalFunction) {published['total']:8.2f} s  peak {published['peak_mb']:7.0f} MB"
            f" | ratio {published['total'] / ours['total']:5.2f}x"
        )
        print("FC scores, published:", [round(s, 3) for s in published["scores"]])
    print("FC scores, ours:     ", [round(s, 3) for s in ours["scores"]])
    print(line)


if __name__ == "__main__":
    main()
