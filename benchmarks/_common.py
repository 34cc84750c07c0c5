"""Helpers the benchmark scripts share: running a worker in a fresh folder, the ALN table argument."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time


def run_worker(script, python, args, env, label):
    """Run ``python script *args`` in a fresh temporary folder; return its last stdout line (JSON) as a dict,
    with the process's wall time (s) under ``"wall"``."""
    cwd = tempfile.mkdtemp(prefix="nl-bench-")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([python, os.path.abspath(script), *args], capture_output=True, text=True, cwd=cwd,
                              env=env)  # fmt: skip
    finally:
        shutil.rmtree(cwd, ignore_errors=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{label} failed:\n{proc.stderr[-3000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["wall"] = wall
    return res


def aln_table(ours):
    """Our ALN needs its transfer-function table: the computed default, else the shared reference table."""
    if not ours:
        return {}
    from neurolib.models.aln.loadDefaultParams import DEFAULT_TABLE

    if os.path.exists(DEFAULT_TABLE):
        return {}
    return {"lookupTableFileName": os.environ["NL_BENCH_ALN_TABLE"]}
