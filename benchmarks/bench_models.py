"""Time model runs, optionally side by side with the published neurolib in its own virtual environment.

    python benchmarks/bench_models.py                       # this checkout only
    python benchmarks/bench_models.py --published /tmp/published-neurolib
    python benchmarks/bench_models.py --only hopf_gw60 --repeat 5
    python benchmarks/bench_models.py --published /tmp/published-neurolib --only aln_gw300_bold --repeat 0

For every workload, each interpreter runs a fresh process twice (the first may compile and fill the
cache; the second shows what a user meets in a new process with a warm cache) and reports the first
``run()`` call of that second process and the median of ``--repeat`` further warm calls. Ratios are
published / ours (> 1: ours is faster). Only the public API is used, so the same worker code runs
against either package.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

WORKLOADS = {
    # name: (module, class, network?, duration ms, params)
    "hopf_single10": ("hopf", "HopfModel", False, 10_000, {"sigma_ou": 0.03}),
    "fhn_single10": ("fhn", "FHNModel", False, 10_000, {"sigma_ou": 0.03}),
    "wc_single10": ("wc", "WCModel", False, 10_000, {"sigma_ou": 0.01}),
    "hopf_gw60": ("hopf", "HopfModel", True, 60_000, {"sigma_ou": 0.03}),
    "fhn_gw60": ("fhn", "FHNModel", True, 60_000, {"sigma_ou": 0.03}),
    "wc_gw60": ("wc", "WCModel", True, 60_000, {"sigma_ou": 0.01}),
    "ww_gw60": ("ww", "WWModel", True, 60_000, {"sigma_ou": 0.001}),
    "thalamus10": ("thalamus", "ThalamicMassModel", False, 10_000, {}),
    "aln_single10": ("aln", "ALNModel", False, 10_000, {"sigma_ou": 0.1}),
    "aln_gw60": ("aln", "ALNModel", True, 60_000, {"sigma_ou": 0.1}),
    "aln_gw60_bold": ("aln", "ALNModel", True, 60_000, {"sigma_ou": 0.1, "_bold": True}),
    # long: only with --only (peak memory of a 5-minute network run with BOLD; use --repeat 0)
    "aln_gw300_bold": ("aln", "ALNModel", True, 300_000, {"sigma_ou": 0.1, "_bold": True}),
}
LONG = {"aln_gw300_bold"}


def worker(name, repeat):
    """Run one workload in this process; print a JSON line of timings (s)."""
    import importlib
    import logging

    import numpy as np

    logging.disable(logging.WARNING)
    t0 = time.perf_counter()
    module, cls, net, duration, params = WORKLOADS[name]
    Model = getattr(importlib.import_module(f"neurolib.models.{module}"), cls)
    kwargs = {}
    if net:
        from neurolib.utils.loadData import Dataset

        ds = Dataset("gw")
        kwargs = {"Cmat": ds.Cmat, "Dmat": ds.Dmat}
    model = Model(seed=0, **kwargs)
    model.params["duration"] = duration
    params = dict(params)
    bold = params.pop("_bold", False)
    for k, v in params.items():
        model.params[k] = v
    t_setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    model.run(bold=bold)
    first = time.perf_counter() - t1
    warm = []
    for _ in range(repeat):
        t1 = time.perf_counter()
        model.run(bold=bold)
        warm.append(time.perf_counter() - t1)
    warm = warm or [first]  # --repeat 0: the first run only
    out = np.asarray(model.output)
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
    print(
        json.dumps(
            {"setup": t_setup, "first": first, "warm": warm, "peak_mib": peak, "finite": bool(np.isfinite(out).all())}
        )
    )


def measure(python, name, repeat, env):
    """Two fresh processes of ``python``; the timings of the second one."""
    res = None
    for _ in range(2):
        cmd = [python, os.path.abspath(__file__), "--worker", name, "--repeat", str(repeat)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd="/tmp", env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"{python} {name} failed:\n{proc.stderr[-2000:]}")
        res = json.loads(proc.stdout.strip().splitlines()[-1])
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--published", metavar="VENV", help="virtual environment with the published neurolib")
    ap.add_argument("--only", action="append", default=[], help="workload name(s), comma separated")
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per process (median reported)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.repeat)
    names = [n for o in args.only for n in o.split(",") if n] or [n for n in WORKLOADS if n not in LONG]
    ours_env = dict(os.environ)
    ours_env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pub_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pub_python = os.path.join(args.published, "bin", "python") if args.published else None
    head = f"{'workload':15s} {'ours first':>10s} {'ours warm':>10s} {'ours MiB':>9s}"
    if pub_python:
        head += f" {'pub first':>10s} {'pub warm':>10s} {'pub MiB':>9s} {'ratio first':>11s} {'ratio warm':>10s}"
    print(head)
    print("-" * len(head))
    for name in names:
        ours = measure(sys.executable, name, args.repeat, ours_env)
        line = f"{name:15s} {ours['first']:10.3f} {statistics.median(ours['warm']):10.3f} {ours['peak_mib']:9.0f}"
        if pub_python:
            pub = measure(pub_python, name, args.repeat, pub_env)
            rf = pub["first"] / ours["first"]
            rw = statistics.median(pub["warm"]) / statistics.median(ours["warm"])
            line += f" {pub['first']:10.3f} {statistics.median(pub['warm']):10.3f} {pub['peak_mib']:9.0f}"
            line += f" {rf:11.2f} {rw:10.2f}"
        print(line, flush=True)
    print("times in s: 'first' = first run() in a new process (warm compile cache), 'warm' = median of later runs;")
    print("MiB = peak resident memory of the worker process")


if __name__ == "__main__":
    main()
