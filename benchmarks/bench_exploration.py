"""Time parameter explorations end to end, optionally side by side with the published neurolib.

    python benchmarks/bench_exploration.py                                   # this checkout only
    python benchmarks/bench_exploration.py --published /tmp/published-neurolib
    python benchmarks/bench_exploration.py --published /tmp/published-neurolib --cold-grid 7 --only aln

Workloads
---------
``aln``
    The README exploration: a single ALN node, ``mue_ext_mean`` x ``mui_ext_mean`` each ``np.linspace(0, 3, G)``
    (``--grid``, default 21: 441 runs) of ``--duration`` ms (default 2000), ``--ncores`` workers for both
    packages (default 2). Timed end to end: ``BoxSearch(...)``, ``run()``, ``loadResults()`` and the max-rate
    bifurcation diagram from ``dfResults`` (storage included).

    * *warm*: the kernels are compiled in the driver before the search (``model.run()`` once), so forked workers
      inherit them;
    * *cold*: a new process that does nothing first; the published package then compiles its kernel in every
      worker it forks (one per run). Timed as the whole process, imports included. ``--cold-grid`` runs the
      cold comparison on a smaller grid when the full one would take too long.
``hopf``
    16 points (``K_gl`` x ``sigma_ou``, 4 x 4) of the 80-node gw Hopf network, 10 s each: ours as one batched
    ``BoxSearch`` (storage included; with ``ncores=2`` the batch's members run on two threads) and as the engine's
    batch alone (one and two threads), against the published package's serial ``model.run()`` calls (warm).

Each workload runs in its own process (cwd: a fresh temporary folder, so ``./data/hdf`` lands there), with this
checkout on ``PYTHONPATH`` for ours and the published package's interpreter for it. Ratios are
published time / our time (> 1: ours is faster); runs/s are end to end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

from _common import aln_table, run_worker

T_START = time.perf_counter()


# ---------------------------------------------------------------------------------------------- workers
def _is_ours():
    import inspect

    from neurolib.optimize.exploration import BoxSearch

    return "executor" in inspect.signature(BoxSearch).parameters


def worker_aln(mode, grid, duration, ncores):
    """The README exploration in this process; prints a JSON line of timings."""
    import logging

    import numpy as np

    logging.disable(logging.WARNING)
    from neurolib.models.aln import ALNModel
    from neurolib.optimize.exploration import BoxSearch
    from neurolib.utils.parameterSpace import ParameterSpace

    ours = _is_ours()
    model = ALNModel(**aln_table(ours))
    model.params["duration"] = duration
    if mode == "warm":
        model.run()  # compile (published) / load (ours) the kernel in the driver
    extra = {"progress": False} if ours else {}
    t0 = time.perf_counter()
    space = ParameterSpace(
        {"mue_ext_mean": np.linspace(0, 3, grid), "mui_ext_mean": np.linspace(0, 3, grid)}, kind="grid"
    )
    search = BoxSearch(model, space, filename=f"aln_{mode}.hdf", ncores=ncores, **extra)
    search.run()
    t_run = time.perf_counter() - t0
    search.loadResults()
    dt = model.params["dt"]
    for i in search.dfResults.index:
        search.dfResults.loc[i, "max_r"] = np.max(search.results[i]["rates_exc"][:, -int(1000 / dt) :])
    pivot = search.dfResults.pivot_table(values="max_r", index="mui_ext_mean", columns="mue_ext_mean")
    t_total = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "runs": int(search.nRuns),
                "search": t_total,
                "run_only": t_run,
                "process": time.perf_counter() - T_START,
                "pivot_shape": list(pivot.shape),
                "finite": bool(np.isfinite(pivot.values).all()),
            }
        )
    )


def _hopf_points():
    import numpy as np

    return np.linspace(0.3, 1.2, 4), np.array([0.0, 0.01, 0.02, 0.03])


def worker_hopf(duration):
    """16 points of the 80-node gw Hopf network; prints a JSON line of per-run timings."""
    import logging

    logging.disable(logging.WARNING)
    from neurolib.models.hopf import HopfModel
    from neurolib.utils.loadData import Dataset

    ours = _is_ours()
    ds = Dataset("gw")
    model = HopfModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=0)
    model.params["duration"] = 100.0
    model.run()  # compile / load the kernel
    model.params["duration"] = duration
    Ks, sigmas = _hopf_points()
    points = [(K, s) for K in Ks for s in sigmas]
    out = {"points": len(points)}
    if not ours:
        t0 = time.perf_counter()
        for K, s in points:
            model.params["K_gl"] = K
            model.params["sigma_ou"] = s
            model.run()
        out["serial_per_run"] = (time.perf_counter() - t0) / len(points)
        print(json.dumps(out))
        return
    from neurolib._core.integrate import n_steps
    from neurolib._core.noise import generator
    from neurolib.optimize.exploration import BoxSearch
    from neurolib.utils.parameterSpace import ParameterSpace

    # serial model.run() calls, as the published package does them (a few points suffice)
    t0 = time.perf_counter()
    for K, s in points[:4]:
        model.params["K_gl"] = K
        model.params["sigma_ou"] = s
        model.run()
    out["serial_per_run"] = (time.perf_counter() - t0) / 4
    # the engine's batch alone: 16 members in one call, on one thread and on two
    members = []
    for i, (K, s) in enumerate(points):
        p = dict(model.params)
        p.update(K_gl=K, sigma_ou=s, seed=i)
        members.append(p)
    T = n_steps(duration, model.params["dt"])
    for threads in (1, 2):
        t0 = time.perf_counter()
        X, _, _, _ = model._engine.run_batch(members, T, gens=[generator(p["seed"]) for p in members], threads=threads)
        out[f"engine_batch{threads}_per_run"] = (time.perf_counter() - t0) / len(points)
        del X
    # the whole exploration: one BoxSearch, one task of 16 points, results stored (16 x 80 x 100000 values) and read
    # back; the task's kernel calls hold at most max_batch_bytes (default 512 MB: 4 members here); ncores=2 runs
    # the task in this process with the members of each call on two threads
    space = ParameterSpace({"K_gl": Ks, "sigma_ou": sigmas}, kind="grid")
    for ncores in (1, 2):
        t0 = time.perf_counter()
        search = BoxSearch(model, space, filename=f"hopf{ncores}.hdf", ncores=ncores, batch_size=16, progress=False)
        search.run()
        out[f"search{ncores}_run_per_run"] = (time.perf_counter() - t0) / len(points)
        search.loadResults(all=False)
        out[f"search{ncores}_per_run"] = (time.perf_counter() - t0) / len(points)
        del search
    print(json.dumps(out))


# ---------------------------------------------------------------------------------------------- driver
def _run(python, args, env, label):
    return run_worker(__file__, python, args, env, label)


def _line(label, ours, pub, key, runs):
    text = f"{label:38s} {ours:9.2f} s {runs / ours:9.1f} runs/s"
    if pub is not None:
        text += f" | published {pub:9.2f} s {runs / pub:8.2f} runs/s | ratio {pub / ours:7.1f}x"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--published", metavar="VENV", help="virtual environment with the published neurolib")
    ap.add_argument("--only", choices=["aln", "hopf"], action="append", help="workloads (default: both)")
    ap.add_argument("--grid", type=int, default=21, help="ALN grid size per parameter (default 21)")
    ap.add_argument("--cold-grid", type=int, help="grid of the cold comparison (default: --grid)")
    ap.add_argument("--duration", type=float, default=2000.0, help="ALN run duration, ms")
    ap.add_argument("--hopf-duration", type=float, default=10000.0, help="Hopf run duration, ms")
    ap.add_argument("--ncores", type=int, default=2, help="workers for both packages (default 2)")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        kind = args.worker[0]
        if kind == "aln":
            return worker_aln(args.worker[1], int(args.worker[2]), float(args.worker[3]), int(args.worker[4]))
        return worker_hopf(float(args.worker[1]))
    only = args.only or ["aln", "hopf"]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    table = os.path.join(os.path.dirname(repo), "shared", "data", "reference", "aln_quantities_cascade.h5")
    ours_env = dict(os.environ, PYTHONPATH=repo, NL_BENCH_ALN_TABLE=table)
    pub_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pub = os.path.join(args.published, "bin", "python") if args.published else None
    cold_grid = args.cold_grid or args.grid

    if "aln" in only:
        n = args.grid**2
        print(f"ALN single node, {args.grid} x {args.grid} = {n} runs of {args.duration:g} ms, ncores={args.ncores}")
        a = ["--worker", "aln", "warm", str(args.grid), str(args.duration), str(args.ncores)]
        _run(sys.executable, a, ours_env, "ours warm-up")  # fills our kernel cache
        ours_w = _run(sys.executable, a, ours_env, "ours warm")
        pub_w = _run(pub, a, pub_env, "published warm") if pub else None
        print(_line("warm kernels, search end to end", ours_w["search"], pub_w and pub_w["search"], "search", n))
        cold = ["--worker", "aln", "cold", str(cold_grid), str(args.duration), str(args.ncores)]
        nc = cold_grid**2
        ours_c = _run(sys.executable, cold, ours_env, "ours cold")
        pub_c = _run(pub, cold, pub_env, "published cold") if pub else None
        label = f"cold new process ({nc} runs), whole process"
        print(_line(label, ours_c["wall"], pub_c and pub_c["wall"], "wall", nc))
        empty = dict(ours_env, NEUROLIB_CACHE=tempfile.mkdtemp(prefix="nl-empty-cache-"))
        ours_e = _run(sys.executable, cold, empty, "ours cold, empty cache")
        shutil.rmtree(empty["NEUROLIB_CACHE"], ignore_errors=True)
        print(_line("  ours with an empty kernel cache", ours_e["wall"], pub_c and pub_c["wall"], "wall", nc))
        for label, res in (("ours warm", ours_w), ("published warm", pub_w)):
            if res is not None:
                print(f"  {label}: run() {res['run_only']:.2f} s, loadResults + diagram "
                      f"{res['search'] - res['run_only']:.2f} s, finite diagram {res['finite']}")  # fmt: skip

    if "hopf" in only:
        d = args.hopf_duration
        print(f"\nHopf, 80-node gw network, 16 points (K_gl x sigma_ou) of {d:g} ms")
        h = ["--worker", "hopf", str(d)]
        ours_h = _run(sys.executable, h, ours_env, "ours hopf")
        pub_h = _run(pub, h, pub_env, "published hopf") if pub else None
        ref = pub_h["serial_per_run"] if pub_h else None
        for label, key in (
            ("ours serial model.run()", "serial_per_run"),
            ("ours engine batch of 16, 1 thread", "engine_batch1_per_run"),
            ("ours engine batch of 16, 2 threads", "engine_batch2_per_run"),
            ("ours BoxSearch ncores=1 (run, stored)", "search1_run_per_run"),
            ("ours BoxSearch ncores=1 + loadResults", "search1_per_run"),
            ("ours BoxSearch ncores=2 (run, stored)", "search2_run_per_run"),
            ("ours BoxSearch ncores=2 + loadResults", "search2_per_run"),
        ):
            t = ours_h[key]
            text = f"{label:38s} {t:9.3f} s/run"
            if ref is not None:
                text += f" | published serial {ref:7.3f} s/run | ratio {ref / t:6.1f}x"
            print(text)


if __name__ == "__main__":
    main()
