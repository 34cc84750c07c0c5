"""Time iterations of optimal control (the workloads of ../shared/bench/bench_mm_oc.py, and MultiModel ones).

    python benchmarks/bench_oc.py                    # the 100-iteration workloads
    python benchmarks/bench_oc.py --only oc_fhn_2n_delay_100it --repeat 5

Each workload runs in a fresh process twice: the first may compile and fill the numba cache, the second shows what
a user meets in a new process with a warm cache. Reported: the first ``optimize(n)`` of that second process
("first") and the median of ``--repeat`` further calls ("warm"), each on a freshly constructed OC object
(construction untimed), and the iterations done. The established package (0.6.1, measured on this project's
machines): OcAln 22.7 s first / 0.63 s warm, OcFhn 14.5 s / 0.128 s.

Workloads
  oc_aln_1n_100it        OcAln, one node: de 0.2 ms, di 0.3 ms, mue/mui_ext_mean 2.0/0.5, a 15 nS, b 40 pA, tauA 1 ms,
                         settled 1000 ms from zero initial values; 1.2 ms (T = 13); target from a pulse (2, 0.5, 1) on
                         ext_exc_current at columns 1-3; initial control the pulse perturbed by (-1e-2, 1e-3, 1e-2);
                         control channel 0, cost on rates_exc.
  oc_fhn_2n_delay_100it  OcFhn, two nodes, Cmat [[0, 0], [1, 0]], lengths [[0, 0], [18, 0]] mm (0.9 ms), K_gl 1,
                         history = the state after 2 s from x = y = 0.01; 6 ms (T = 61); target from unit pulses in x of
                         node 0 at columns 10, 20, 30; zero initial control; control x of node 0, cost on x of node 1.
  oc_mm_wc_2n_100it      OcMultiModel (no established counterpart), a MultiModel WilsonCowanNetwork of two nodes,
  oc_mm_aln_2n_100it     resp. ALNNetwork, Cmat [[0, 1], [0.5, 0]], delays [[0, 0.4], [0.6, 0]] ms, seed 3, settled
                         200 ms; 10 ms (T = 101); target from a sine of one period (amplitude 1) on input channel 0 of
                         both nodes; zero initial control; control channel 0 of both nodes, cost on every output (the
                         task of tests/control/test_multimodel.py).
  oc_mm_aln_gw80_10it    OcMultiModel, 10 iterations, an ALNNetwork on the 80-node gw connectome (delays: lengths / 20
                         mm/ms), seed 1, settled 100 ms; 20 ms (T = 201); target from a sine of one period on input
                         channel 0 of node 0; control channel 0 of every node, cost on every output. Needs the gw
                         dataset (NEUROLIB_DATA or a download).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time

PUBLISHED = {"oc_aln_1n_100it": (22.7, 0.63), "oc_fhn_2n_delay_100it": (14.5, 0.128)}  # others: no counterpart


def _quiet(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def _final_state_as_init(model):
    L = model.getMaxDelay() + 1
    for iv, sv in zip(model.init_vars, model.state_vars):
        s = model.state[sv]
        model.params[iv] = s[:, -L:].copy() if s.ndim == 2 else s.copy()


def aln_workload():
    """A factory of fresh OcAln objects for the ALN workload."""
    import numpy as np

    from neurolib.control.optimal_control import oc_aln
    from neurolib.models.aln import ALNModel

    m = ALNModel()
    m.params.update(de=0.2, di=0.3, mue_ext_mean=2.0, mui_ext_mean=0.5, sigma_ou=0.0, a=15.0, b=40.0, tauA=1.0)
    N, L = 1, m.getMaxDelay() + 1
    for iv in m.init_vars:
        m.params[iv] = np.zeros((N, L)) if ("rates" in iv or "IA" in iv) else np.zeros(N)
    m.params.mue_ou = np.full(N, 2.0)
    m.params.mui_ou = np.full(N, 0.5)
    m.params.duration = 1000.0
    m.run()
    _final_state_as_init(m)
    m.params.duration = 1.2
    T = 13
    pulse = np.zeros((1, T))
    pulse[0, 1:4] = (2.0, 0.5, 1.0)
    for iv in m.input_vars:
        m.params[iv] = np.zeros((1, T))
    m.params.ext_exc_current = pulse
    m.run()
    first = [m.params[v][:, -1] for v in ("rates_exc_init", "rates_inh_init", "IA_init")]
    target = np.concatenate(
        (np.stack(first, axis=1)[:, :, None], np.stack((m.rates_exc, m.rates_inh, m.IA), axis=1)), axis=2
    )
    start = pulse.copy()
    start[0, 1:4] += (-1e-2, 1e-3, 1e-2)
    m.params.ext_exc_current = start
    cost_matrix = np.array([[1.0, 0.0, 0.0]])
    control_matrix = np.array([[1.0, 0.0, 0.0, 0.0]])
    return lambda: _quiet(oc_aln.OcAln, m, target, control_matrix=control_matrix, cost_matrix=cost_matrix)


def fhn_workload():
    """A factory of fresh OcFhn objects for the delayed FHN workload."""
    import numpy as np

    from neurolib.control.optimal_control import oc_fhn
    from neurolib.models.fhn import FHNModel

    m = FHNModel(Cmat=np.array([[0.0, 0.0], [1.0, 0.0]]), Dmat=np.array([[0.0, 0.0], [18.0, 0.0]]))
    m.params.update(K_gl=1.0, sigma_ou=0.0, x_ou=np.zeros(2), y_ou=np.zeros(2))
    m.params.xs_init = np.full((2, 1), 0.01)
    m.params.ys_init = np.full((2, 1), 0.01)
    m.params.duration = 2000.0
    m.run()
    L = m.getMaxDelay() + 1
    m.params.xs_init = np.repeat(m.x[:, -1:], L, axis=1)
    m.params.ys_init = np.repeat(m.y[:, -1:], L, axis=1)
    m.params.duration = 6.0
    T = 61
    pulses = np.zeros((2, T))
    pulses[0, [10, 20, 30]] = 1.0
    m.params.x_ext = pulses
    m.params.y_ext = np.zeros((2, T))
    m.run()
    first = np.stack((m.params.xs_init[:, -1], m.params.ys_init[:, -1]), axis=1)[:, :, None]
    target = np.concatenate((first, np.stack((m.x, m.y), axis=1)), axis=2)
    m.params.x_ext = np.zeros((2, T))
    control_matrix = np.array([[1.0, 0.0], [0.0, 0.0]])
    cost_matrix = np.array([[0.0, 0.0], [1.0, 0.0]])
    return lambda: _quiet(oc_fhn.OcFhn, m, target, control_matrix=control_matrix, cost_matrix=cost_matrix)


def mm_workload(kind):
    """A factory of fresh OcMultiModel objects for a two-node MultiModel network (``kind``: "wc" or "aln")."""
    import numpy as np

    from neurolib.control.optimal_control.oc_multimodel import OcMultiModel
    from neurolib.models.multimodel import ALNNetwork, MultiModel, WilsonCowanNetwork

    network = {"wc": WilsonCowanNetwork, "aln": ALNNetwork}[kind]
    m = MultiModel(network(np.array([[0.0, 1.0], [0.5, 0.0]]), np.array([[0.0, 0.4], [0.6, 0.0]])))
    m.params.update(seed=3, duration=200.0)
    m.run()
    m.model_instance.initial_state = _mm_last(m)
    m.params["duration"] = 10.0
    T = 101
    sine = np.zeros((2, 2, T))
    sine[:, 0, 1:-1] = np.sin(2 * np.pi * np.arange(1, T - 1) * 0.1 / 10.0)
    probe = _quiet(OcMultiModel, m, np.zeros((2, len(m.output_vars), T)))
    probe.control = sine
    probe.update_input()
    probe.simulate_forward()
    target = probe.get_xs()
    matrix = np.array([[1.0, 0.0], [1.0, 0.0]])
    return lambda: _quiet(OcMultiModel, m, target, control_matrix=matrix)


def _mm_last(model):
    """The last state of every variable of a MultiModel run (its initial state for the next run)."""
    return model._last_history[:, -1].copy()


def mm_gw_workload():
    """A factory of fresh OcMultiModel objects for an 80-node ALN MultiModel network on the gw connectome."""
    import numpy as np

    from neurolib.control.optimal_control.oc_multimodel import OcMultiModel
    from neurolib.models.multimodel import ALNNetwork, MultiModel
    from neurolib.utils.loadData import Dataset

    ds = Dataset("gw")
    m = MultiModel(ALNNetwork(ds.Cmat, ds.Dmat / 20.0))
    m.params.update(seed=1, duration=100.0)
    m.run()
    m.model_instance.initial_state = _mm_last(m)
    m.params["duration"] = 20.0
    N, T = 80, 201
    drive = np.zeros((N, 2, T))
    drive[0, 0, 1:-1] = np.sin(2 * np.pi * np.arange(1, T - 1) * 0.1 / 20.0)
    probe = _quiet(OcMultiModel, m, np.zeros((N, len(m.output_vars), T)))
    probe.control = drive
    probe.update_input()
    probe.simulate_forward()
    target = probe.get_xs()
    matrix = np.zeros((N, 2))
    matrix[:, 0] = 1.0
    return lambda: _quiet(OcMultiModel, m, target, control_matrix=matrix)


WORKLOADS = {  # name: (factory, iterations)
    "oc_aln_1n_100it": (aln_workload, 100),
    "oc_fhn_2n_delay_100it": (fhn_workload, 100),
    "oc_mm_wc_2n_100it": (lambda: mm_workload("wc"), 100),
    "oc_mm_aln_2n_100it": (lambda: mm_workload("aln"), 100),
    "oc_mm_aln_gw80_10it": (mm_gw_workload, 10),
}
DEFAULT = ["oc_aln_1n_100it", "oc_fhn_2n_delay_100it", "oc_mm_wc_2n_100it", "oc_mm_aln_2n_100it"]


def worker(name, repeat):
    """Run one workload in this process; print a JSON line of timings (s)."""
    import logging

    logging.disable(logging.WARNING)
    factory, iterations = WORKLOADS[name]
    make = factory()

    def once():
        oc = make()
        t0 = time.perf_counter()
        _quiet(oc.optimize, iterations)
        return time.perf_counter() - t0, oc

    first, oc = once()
    warm = [once()[0] for _ in range(repeat)]
    print(json.dumps({
        "first": first, "warm": statistics.median(warm) if warm else None, "iterations": len(oc.step_sizes_history),
        "cost_first_last": [oc.cost_history[0], oc.cost_history[-1]],
    }))  # fmt: skip


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--_worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._worker:
        worker(args._worker, args.repeat)
        return 0
    names = [n for o in args.only for n in o.split(",") if n] or DEFAULT
    here = os.path.abspath(__file__)
    root = os.path.dirname(os.path.dirname(here))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for name in names:
        runs = []
        for _ in range(2):  # the first process may compile; the second meets a warm cache
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, here, "--_worker", name, "--repeat", str(args.repeat)],
                                  capture_output=True, text=True, env=env)  # fmt: skip
            if proc.returncode != 0:
                raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            res["process_s"] = time.perf_counter() - t0
            runs.append(res)
        cold, hot = runs
        pub_first, pub_warm = PUBLISHED.get(name, (None, None))
        vs_first = f" ({pub_first / hot['first']:.0f}x)" if pub_first else ""
        vs_warm = f" ({pub_warm / hot['warm']:.1f}x)" if pub_warm else ""
        print(
            f"{name:24s} iterations {hot['iterations']:3d}  cold-cache first {cold['first']:.3f} s  "
            f"warm-cache first {hot['first']:.3f} s{vs_first}  warm {hot['warm']:.4f} s{vs_warm}  "
            f"cost {hot['cost_first_last'][0]:.4g} -> {hot['cost_first_last'][1]:.4g}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
