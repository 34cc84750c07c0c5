"""Small controlled problems for the optimal-control tests: settled models, targets from a known input."""

import contextlib
import io

import numpy as np

from neurolib.models.aln import ALNModel
from neurolib.models.fhn import FHNModel
from neurolib.models.hopf import HopfModel
from neurolib.models.kuramoto import KuramotoModel
from neurolib.models.thalamus import ThalamicMassModel
from neurolib.models.wc import WCModel
from neurolib.models.ww import WWModel

CMAT = np.array([[0.0, 1.0], [0.5, 0.0]])
LENGTHS = np.array([[0.0, 8.0], [12.0, 0.0]])  # mm: 0.4 ms and 0.6 ms at 20 mm/ms


def _aln(m):
    m.params["mue_ext_mean"] = 2.0
    m.params["mui_ext_mean"] = 0.5


def _kuramoto(m):
    # slow phases that stay clear of the wrap at 2 pi (the precision cost is not circular)
    m.params["omega"] = np.full(m.params["N"], 0.05)
    m.params["theta_init"] = np.full((m.params["N"], 1), 1.0)


# name -> (class, network allowed, set-up, settle the initial state)
MODELS = {
    "fhn": (FHNModel, True, None, True),
    "hopf": (HopfModel, True, None, True),
    "wc": (WCModel, True, None, True),
    "ww": (WWModel, True, None, True),
    "kuramoto": (KuramotoModel, True, _kuramoto, False),
    "aln": (ALNModel, True, _aln, True),
    "thalamus": (ThalamicMassModel, False, None, True),
}


def quiet(fn, *args, **kwargs):
    """Call ``fn`` with its printing swallowed."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def make_model(name, N=1, duration=5.0, settle_ms=200.0):
    """A noise-free model of ``N`` nodes (2: delayed, asymmetric coupling) whose initial state is settled."""
    cls, network, setup, settle = MODELS[name]
    assert N == 1 or network
    m = cls(Cmat=CMAT, Dmat=LENGTHS, seed=3) if N > 1 else cls(seed=3)
    if "sigma_ou" in m.params:
        m.params["sigma_ou"] = 0.0
    if "d_phi" in m.params:
        m.params["d_phi"] = 0.0
    if setup is not None:
        setup(m)
    if settle:
        m.params["duration"] = settle_ms
        m.run()
        L = m.getMaxDelay() + 1
        for iv, sv in zip(m.init_vars, m.state_vars):
            s = np.asarray(m.state[sv])
            m.params[iv] = np.tile(s[:, -1:], (1, L)) if s.ndim == 2 else s.copy()
    m.params["duration"] = duration
    return m


def n_times(model):
    """T = duration / dt + 1 time points of a control."""
    return int(round(model.params["duration"] / model.params["dt"])) + 1


def sine_input(model, channels, amp=1.0):
    """(N, inputs, T) input: a sine of one period over the run on ``channels`` (first and last column 0)."""
    T = n_times(model)
    u = np.zeros((model.params["N"], len(model.input_vars), T))
    t = np.arange(T) * model.params["dt"]
    u[:, channels, 1:-1] = amp * np.sin(2 * np.pi * t[1:-1] / model.params["duration"])
    return u


def initial_outputs(model):
    """Most recent initial value of each output, (N, outputs)."""
    spec = model.spec
    inits = dict(zip(spec.state_vars, spec.init_vars))
    cols = []
    for o in model.output_vars:
        v = np.asarray(model.params[inits[o]], dtype=float)
        cols.append(v.reshape(model.params["N"], -1)[:, -1])
    return np.stack(cols, axis=1)


def target_of(model, u):
    """Outputs (N, outputs, T) of a run driven by ``u``, the initial value first; the model's inputs are reset to 0."""
    for i, v in enumerate(model.input_vars):
        model.params[v] = u[:, i, :].copy()
    model.run()
    out = np.stack([model[o] for o in model.output_vars], axis=1)
    target = np.concatenate((initial_outputs(model)[:, :, None], out), axis=2)
    for v in model.input_vars:
        model.params[v] = np.zeros_like(u[:, 0, :])
    return target


def fd_gradient(oc, control, h):
    """Central finite differences of ``oc``'s total cost with respect to every entry of ``control``, each through a
    forward run of the model."""
    fd = np.zeros_like(control)
    for idx in np.ndindex(control.shape):
        costs = []
        for sign in (1.0, -1.0):
            c = control.copy()
            c[idx] += sign * h
            oc.control = c
            oc.update_input()
            oc.simulate_forward()
            costs.append(oc.compute_total_cost())
        fd[idx] = (costs[0] - costs[1]) / (2 * h)
    return fd
