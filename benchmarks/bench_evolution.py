"""Time the upstream-style minimal evolution, side by side with the published neurolib in its own environment.

    python benchmarks/bench_evolution.py                                   # this checkout only
    python benchmarks/bench_evolution.py --published /tmp/published-neurolib --repeat 3

The workload is the README example of the published package: a circle x^2 + y^2 = 1 fitted over
``x, y in [-5, 5]`` with an initial population of 10, a population of 10 and 3 generations, run with the default
settings of each package (all cores). Each interpreter runs it in a fresh process whose working directory is a
new temporary folder (so the published package never imports this checkout); reported are the time of
``Evolution(...)`` plus ``run()`` (median over ``--repeat`` processes) and the whole process (imports included).
The ratio is published / ours (> 1: ours is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

WORKER = r"""
import json, logging, sys, time
t_start = time.perf_counter()
logging.disable(logging.WARNING)
import numpy as np
from neurolib.optimize.evolution import Evolution
from neurolib.utils.parameterSpace import ParameterSpace
t_imported = time.perf_counter()

def optimize_me(traj):
    ind = evolution.getIndividualFromTraj(traj)
    computed_result = ind.x**2 + ind.y**2
    fitness_tuple = (abs(computed_result - 1.0),)
    return fitness_tuple, {"result": [computed_result]}

pars = ParameterSpace(["x", "y"], [[-5.0, 5.0], [-5.0, 5.0]])
kwargs = json.loads(sys.argv[1])
t0 = time.perf_counter()
evolution = Evolution(optimize_me, pars, weightList=[-1.0], POP_INIT_SIZE=10, POP_SIZE=10, NGEN=3,
                      filename="bench-evolution.hdf", **kwargs)
evolution.run(verbose=False)
t1 = time.perf_counter()
best = evolution.toolbox.selBest(evolution.pop, 1)[0]
print("RESULT " + json.dumps({"evolution_s": t1 - t0, "import_s": t_imported - t_start,
                              "best": float(best.fitness.values[0]), "n_hist": len(evolution.dfEvolution())}))
"""


def run_once(python, kwargs, env=None):
    """Run the worker once in a fresh temporary folder; returns its timings and the process wall time (s)."""
    import time

    with tempfile.TemporaryDirectory(prefix="bench-evo-", dir="/tmp") as cwd:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [python, "-c", WORKER, json.dumps(kwargs)], cwd=cwd, capture_output=True, text=True, env=env, timeout=900
        )
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{python} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    out = json.loads(line[7:])
    out["process_s"] = wall
    return out


def measure(python, kwargs, repeat, env=None):
    """Median timings over ``repeat`` fresh processes (after one warm-up process)."""
    run_once(python, kwargs, env)  # warm-up: caches, compiled kernels, byte code
    runs = [run_once(python, kwargs, env) for _ in range(repeat)]
    return {key: statistics.median(r[key] for r in runs) for key in ("evolution_s", "import_s", "process_s")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--published", default="/tmp/published-neurolib", help="virtual environment of the published neurolib"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    env = dict(os.environ)
    rows = {}
    rows["ours (defaults)"] = measure(sys.executable, {}, args.repeat, env)
    rows["ours (ncores=1)"] = measure(sys.executable, {"ncores": 1}, args.repeat, env)
    published = os.path.join(args.published, "bin", "python")
    if os.path.exists(published):
        penv = {k: v for k, v in env.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        rows["published (defaults)"] = measure(published, {}, args.repeat, penv)
    else:
        print(f"(no published neurolib at {published}; only this checkout is timed)")

    print(f"{'':24s} {'Evolution+run [s]':>18s} {'imports [s]':>12s} {'process [s]':>12s}")
    for name, r in rows.items():
        print(f"{name:24s} {r['evolution_s']:18.3f} {r['import_s']:12.3f} {r['process_s']:12.3f}")
    if "published (defaults)" in rows:
        pub = rows["published (defaults)"]
        for name in ("ours (defaults)", "ours (ncores=1)"):
            ours = rows[name]
            print(
                f"ratio published / {name}: Evolution+run {pub['evolution_s'] / ours['evolution_s']:.1f}x, "
                f"whole process {pub['process_s'] / ours['process_s']:.1f}x"
            )


if __name__ == "__main__":
    main()
