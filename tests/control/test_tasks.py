"""Optimisation tasks: recover a control that reproduces the outputs of a run driven by a known input.

Each model starts from its settled state with zero control and a target made by a sine on input channel 0 (only that
channel is controlled, every output is measured). After at most 100 iterations the cost must be at most 1 % of the
cost of the zero control. Measured ratios final / initial cost (100 iterations, dt 0.1 ms unless noted):

=============  =======  ===========  ============  ====================
model          nodes    duration     initial cost  final / initial cost
=============  =======  ===========  ============  ====================
FHN            1; 2     10 ms        0.27; 0.35    1.2e-6; 2.6e-9
Hopf           1        10 ms        2.58          5.8e-8
WC             1; 2     10 ms        2.4e-3; 5e-3  3.4e-3; 4.0e-3
WW             1        10 ms        0.024         1.3e-4
Kuramoto       1        10 ms        4.75          1.5e-5  (slow phases, clear of the 2 pi wrap)
ALN            1; 2     10 ms        1.4e3; 3.1e3  2.8e-7; 1.9e-7
thalamus       1        5 ms         0.076         2.4e-6  (dt 0.01 ms)
=============  =======  ===========  ============  ====================
"""

import numpy as np
import pytest

from neurolib.control.optimal_control.oc import OC

from .helpers import make_model, quiet, sine_input, target_of

CASES = [
    ("fhn", 1, 10.0, 1.0),
    ("fhn", 2, 10.0, 1.0),
    ("hopf", 1, 10.0, 1.0),
    ("wc", 1, 10.0, 1.0),
    ("wc", 2, 10.0, 1.0),
    ("ww", 1, 10.0, 0.2),
    ("kuramoto", 1, 10.0, 0.5),
    ("aln", 1, 10.0, 1.0),
    ("aln", 2, 10.0, 1.0),
    ("thalamus", 1, 5.0, 1.0),
]


@pytest.mark.parametrize("name, N, duration, amp", CASES, ids=[f"{c[0]}-{c[1]}n" for c in CASES])
def test_recovers_known_input(name, N, duration, amp):
    model = make_model(name, N=N, duration=duration)
    target = target_of(model, sine_input(model, [0], amp=amp))
    control_matrix = np.zeros((N, len(model.input_vars)))
    control_matrix[:, 0] = 1.0
    oc = quiet(OC, model, target, control_matrix=control_matrix)
    quiet(oc.optimize, 100)
    ratio = oc.cost_history[-1] / oc.cost_history[0]
    assert len(oc.cost_history) <= 101
    assert ratio <= 0.01, f"{name} ({N} nodes): final / initial cost = {ratio:.3g}"
    assert np.all(oc.control[:, 1:] == 0.0)  # channels outside the control matrix stay zero


def test_noisy_optimisation_lowers_the_validation_cost():
    """WC with OU noise (sigma_ou 0.01), M = 8 realisations per cost, 10 iterations: the validated cost (64 runs) of
    the result is well below that of the zero control (measured: 3.05e-3 -> 1.42e-3; the noise-free optimum of the
    same task reaches 3e-5, the rest is the cost of the noise itself)."""
    model = make_model("wc", N=1, duration=10.0)
    target = target_of(model, sine_input(model, [0], amp=1.0))
    model.params["sigma_ou"] = 0.01
    model.params["seed"] = 5
    oc = quiet(OC, model, target, control_matrix=np.array([[1.0, 0.0]]), M=8, M_validation=64)
    before = oc.compute_cost_noisy(64)
    quiet(oc.optimize, 10)
    assert oc.cost_validation < 0.75 * before
    assert len(oc.control_history) == len(oc.cost_history)
    best = int(np.argmin(oc.cost_history))
    np.testing.assert_array_equal(oc.control, oc.control_history[best])
