"""Shared pieces of the evolution tests: a Hopf node whose (a, w) are to be recovered, and evaluation functions.

The target is the x trace of one Hopf node with a = 0.3, w = 0.25 over 200 ms. An individual is scored by how far
the summary of its x trace is from the target's: the angular frequency (slope of the unwrapped phase of the
analytic signal) and the amplitude (mean envelope, about sqrt(a)), both as relative errors. The phase of a
Stuart-Landau oscillator turns at exactly w and its radius settles at sqrt(a), so both parameters are identified.

The evaluation functions are written as in the published package's examples: they use a global ``evolution``
(set by the caller) to get the model of an individual.
"""

import numpy as np
from scipy.signal import hilbert

from neurolib.models.hopf import HopfModel
from neurolib.utils.parameterSpace import ParameterSpace

A_TRUE, W_TRUE = 0.3, 0.25
DURATION = 200.0

evolution = None  # the evolution whose model the evaluation functions use (set by the tests)
_TARGET = {}


def space():
    """The search box of (a, w)."""
    return ParameterSpace(["a", "w"], [[0.0, 1.0], [0.0, 1.0]])


def make_model(seed=7, sigma_ou=0.0):
    """A single Hopf node running 200 ms (fixed initial values)."""
    model = HopfModel(seed=seed)
    model.params["duration"] = DURATION
    model.params["sigma_ou"] = sigma_ou
    model.params["xs_init"] = np.array([[0.2]])
    model.params["ys_init"] = np.array([[-0.1]])
    return model


def features(x, dt):
    """(angular frequency in rad/ms, amplitude) of a trace, from its analytic signal after the first quarter."""
    x = np.asarray(x, float)[len(x) // 4 :]
    z = hilbert(x - x.mean())
    phase = np.unwrap(np.angle(z))[20:-20]
    w = np.polyfit(np.arange(len(phase)) * dt, phase, 1)[0]
    return float(w), float(np.mean(np.abs(z)[20:-20]))


def target():
    """Features of the target trace (a = 0.3, w = 0.25)."""
    if "f" not in _TARGET:
        model = make_model()
        model.params["a"], model.params["w"] = A_TRUE, W_TRUE
        model.run()
        _TARGET["f"] = features(model.x[0], model.params["dt"])
    return _TARGET["f"]


def errors(traj):
    """Relative errors of (frequency, amplitude) of the individual of ``traj``, and its features."""
    model = evolution.getModelFromTraj(traj)
    model.run()
    w, amp = features(model.x[0], model.params["dt"])
    W, A = target()
    return abs(w - W) / W, abs(amp - A) / A, {"freq": w, "amp": amp}


def fit_single(traj):
    """One objective (minimise): the sum of the two relative errors."""
    ew, ea, out = errors(traj)
    return (ew + ea,), out


def fit_multi(traj):
    """Two objectives (both minimised): frequency error, amplitude error."""
    ew, ea, out = errors(traj)
    return (ew, ea), out


def fit_noisy(traj):
    """Like :func:`fit_single` on a noisy model, with the trace kept as an output."""
    model = evolution.getModelFromTraj(traj)
    model.run()
    w, amp = features(model.x[0], model.params["dt"])
    W, A = target()
    return (abs(w - W) / W + abs(amp - A) / A,), {"x": model.x[0].copy(), "seed": model.params["seed"]}


def summary(evo):
    """Exact, JSON-friendly summary of the final population and of the history."""
    return {
        "genes": [list(map(float, ind)) for ind in evo.pop],
        "ids": [int(ind.id) for ind in evo.pop],
        "fitness": [list(map(float, ind.fitness.values)) for ind in evo.pop],
        "history_ids": {str(g): [int(i.id) for i in inds] for g, inds in evo.history.items()},
        "last_id": int(evo.last_id),
    }
