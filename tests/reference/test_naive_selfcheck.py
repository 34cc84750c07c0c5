"""Self-checks of the naive reference implementations (no engine needed).

Compares ``naive`` against the upstream reference numbers of
spec/models.md §11 (G3 Hopf, G4 FHN, G5 WC, G6 WW, G7 thalamus; G8 Kuramoto is skipped
because it uses upstream's truncated delays) and spec/bold.md §4 and §9 (R1).
"""

import numpy as np
import pytest

from . import naive
from .spec_values import G6

RTOL = 1e-9
IDX = [0, 10, 100, 1999]
DT = 0.1
T = 2000  # duration 200 ms at dt 0.1

CMAT2 = np.array([[0.0, 0.8], [0.5, 0.0]])
LENGTH2 = np.array([[0.0, 120.0], [120.0, 0.0]])
SIGNALV = 20.0

OU_DEFAULTS = {"tau_ou": 5.0, "sigma_ou": 0.0}


def _setup(Cmat, lengthMat, inits):
    D = naive.delay_steps(lengthMat, SIGNALV, DT)
    S = int(D.max()) + 1
    hist = {k: naive.history_from_init(np.array(v, dtype=float), S) for k, v in inits.items()}
    return D, S, hist


def _check(out, ref):
    for var, rows in ref.items():
        for idx, values in rows.items():
            np.testing.assert_allclose(out[var][:, idx], values, rtol=RTOL, atol=0.0, err_msg=f"{var} idx {idx}")


def test_delay_setup_two_nodes():
    D, S, _ = _setup(CMAT2, LENGTH2, {})
    assert D.tolist() == [[0, 60], [60, 0]]
    assert S == 61


def test_g3_hopf_two_nodes():
    p = dict(a=0.25, w=0.2, K_gl=0.6, coupling="diffusive", x_ou_mean=0.0, y_ou_mean=0.0, **OU_DEFAULTS)
    D, S, hist = _setup(CMAT2, LENGTH2, {"x": [[0.5], [-0.2]], "y": [[0.0], [0.3]]})
    out = naive.hopf(p, CMAT2, D, hist, {}, {}, {}, DT, T)
    assert out["x"].shape == (2, T) and out["y"].shape == (2, T)
    assert out["x_ou"].shape == (2,)
    _check(
        out,
        {
            "x": {
                0: [0.4664, -0.1874],
                10: [0.231710986143, -0.076073979782],
                100: [-0.101848370813, -0.165940464236],
                1999: [-0.181084132737, -0.108468879404],
            },
            "y": {
                0: [0.01, 0.2996],
                10: [0.0867258979106, 0.314587854358],
                100: [0.0546226456299, 0.479529923694],
                1999: [-0.505750904905, -0.519876823362],
            },
        },
    )


def test_g4_fhn_one_node():
    p = dict(
        alpha=3.0,
        beta=4.0,
        gamma=-1.5,
        delta=0.0,
        epsilon=0.5,
        tau=20.0,
        K_gl=0.6,
        coupling="diffusive",
        x_ou_mean=0.0,
        y_ou_mean=0.0,
        **OU_DEFAULTS,
    )
    Cmat = np.zeros((1, 1))
    D, S, hist = _setup(Cmat, np.zeros((1, 1)), {"x": [[0.1]], "y": [[0.05]]})
    assert S == 1
    out = naive.fhn(p, Cmat, D, hist, {}, {"x_ext": np.ones((1, T))}, {}, DT, T)
    _check(
        out,
        {
            "x": {0: [0.1837], 10: [0.962547872336], 100: [1.00931536795], 1999: [0.374120101239]},
            "y": {0: [0.050375], 10: [0.076007923263], 100: [0.490969072941], 1999: [0.781470403687]},
        },
    )


def test_g5_wc_two_nodes():
    p = dict(
        tau_exc=2.5,
        tau_inh=3.75,
        c_excexc=16.0,
        c_excinh=15.0,
        c_inhexc=12.0,
        c_inhinh=3.0,
        a_exc=1.5,
        a_inh=1.5,
        mu_exc=3.0,
        mu_inh=3.0,
        K_gl=0.6,
        exc_ext_baseline=0.0,
        inh_ext_baseline=0.0,
        exc_ou_mean=0.0,
        inh_ou_mean=0.0,
        **OU_DEFAULTS,
    )
    D, S, hist = _setup(CMAT2, LENGTH2, {"exc": [[0.1], [0.2]], "inh": [[0.05], [0.1]]})
    out = naive.wc(p, CMAT2, D, hist, {}, {"exc_ext": np.ones((2, T))}, {}, DT, T)
    _check(
        out,
        {
            "exc": {
                0: [0.103376082344, 0.208359939262],
                10: [0.156164966353, 0.283351208],
                100: [0.043644513524, 0.0359778943085],
                1999: [0.0283702048715, 0.346030682518],
            },
            "inh": {
                0: [0.0506332797181, 0.106677991719],
                10: [0.0674241859438, 0.200250460699],
                100: [0.117727350434, 0.0685348403553],
                1999: [0.072525726865, 0.264186275455],
            },
        },
    )


def test_g6_ww_two_nodes():
    p = dict(
        a_exc=0.31,
        b_exc=0.125,
        d_exc=160.0,
        tau_exc=100.0,
        gamma_exc=0.641,
        w_exc=1.0,
        exc_current_baseline=0.382,
        a_inh=0.615,
        b_inh=0.177,
        d_inh=87.0,
        tau_inh=10.0,
        w_inh=0.7,
        inh_current_baseline=0.382,
        J_NMDA=0.15,
        J_I=1.0,
        w_ee=1.4,
        K_gl=0.6,
        exc_ou_mean=0.0,
        inh_ou_mean=0.0,
        **OU_DEFAULTS,
    )
    D, S, hist = _setup(CMAT2, LENGTH2, {"se": [[0.1], [0.2]], "si": [[0.05], [0.1]]})
    out = naive.ww(p, CMAT2, D, hist, {}, {}, {}, DT, T)
    assert set(out) == {"r_exc", "r_inh", "se", "si", "exc_ou", "inh_ou"}
    _check(out, G6)


def test_ou_update_formula_and_lag():
    ou = naive.ou_update(np.array([1.0, -2.0]), 0.5, 5.0, 0.3, 0.1, np.array([1.0, 0.0]))
    np.testing.assert_allclose(
        ou, [1.0 + (0.5 - 1.0) * 0.1 / 5.0 + 0.3 * np.sqrt(0.1), -2.0 + (0.5 + 2.0) * 0.1 / 5.0], rtol=1e-15
    )
    # noise at the end of step 1 acts on the state only from step 2 on
    p = dict(a=0.0, w=0.0, K_gl=0.0, coupling="additive", x_ou_mean=0.0, y_ou_mean=0.0, tau_ou=5.0, sigma_ou=1.0)
    hist = {"x": np.zeros((1, 1)), "y": np.zeros((1, 1))}
    xi = np.zeros((1, 3))
    xi[0, 0] = 1.0
    out = naive.hopf(p, np.zeros((1, 1)), np.zeros((1, 1), int), hist, {}, {}, {"x_ou": xi}, 0.1, 3)
    assert out["x"][0, 0] == 0.0
    assert out["x"][0, 1] == pytest.approx(0.1 * np.sqrt(0.1))


def test_bold_section4_reference():
    Z = np.full((1, 5), 10.0)
    B, X, F, Q, V = naive.bold(Z, 0.1)  # h = 1e-4 s
    assert B[0, 0] == 0.0
    np.testing.assert_allclose(
        B[0, 1:],
        [1.37461538685e-10, 4.12655713866e-10, 8.25853707909e-10, 1.37732677059e-09],
        rtol=RTOL,
        atol=0.0,
    )


def test_bold_r1_reference():
    L = 200000
    ndt = int(round(2000 / 0.1))
    Z = np.zeros((2, L))
    Z[0, :] = 10.0
    Z[1, 50000:60000] = 50.0
    Z_in = Z.copy()
    B, X, F, Q, V = naive.bold(Z, 0.1)
    assert np.array_equal(Z, Z_in)
    idx = naive.bold_sample_indices(0, L, ndt)
    assert idx.tolist() == [1 + 20000 * m for m in range(10)]
    np.testing.assert_allclose(naive.bold_times(idx, 0.1), [0.1 + 2000.0 * m for m in range(10)], rtol=1e-12)
    ref0 = [
        1.37461538685e-10,
        0.0601413433555,
        0.0616674057997,
        0.0614684646655,
        0.0617452976714,
        0.0619119356507,
        0.0619176977511,
        0.0618799599088,
        0.061859934901,
        0.0618610112403,
    ]
    ref1 = [
        1.37324197258e-10,
        0.0226068266509,
        0.0220237720636,
        0.057308517718,
        0.060056518627,
        0.0629377560965,
        0.0626395514318,
        0.0703542228497,
        0.059416931045,
        -0.0215607223554,
    ]
    np.testing.assert_allclose(B[0, idx], ref0, rtol=RTOL, atol=0.0)
    np.testing.assert_allclose(B[1, idx], ref1, rtol=RTOL, atol=0.0)
    np.testing.assert_allclose(X, [-0.0262827475611, 0.0735818523686], rtol=RTOL, atol=0.0)
    np.testing.assert_allclose(F, [25.4076872676, 1.12671995406], rtol=RTOL, atol=0.0)
    np.testing.assert_allclose(Q, [0.134319911589, 1.0562938145], rtol=RTOL, atol=0.0)
    np.testing.assert_allclose(V, [2.81574877281, 1.02900180003], rtol=RTOL, atol=0.0)

    # continuation: second call with the first 30000 samples, from the final states
    B2, *_ = naive.bold(Z[:, :30000], 0.1, X, F, Q, V)
    idx2 = naive.bold_sample_indices(L, 30000, ndt)
    assert idx2.tolist() == [1, 20001]
    np.testing.assert_allclose(naive.bold_times(L + idx2, 0.1), [20000.1, 22000.1], rtol=1e-12)
    np.testing.assert_allclose(B2[0, idx2], [0.0618670609401, 0.0618695982601], rtol=RTOL, atol=0.0)
    np.testing.assert_allclose(B2[1, idx2], [-0.00401693807565, 0.0057088324275], rtol=RTOL, atol=0.0)


def test_bold_sample_count_rule():
    # a single run of T samples keeps floor((T-2)/ndt)+1 samples (T >= 2)
    for T_, ndt in [(2, 5), (6, 5), (7, 5), (100000, 20000)]:
        assert len(naive.bold_sample_indices(0, T_, ndt)) == (T_ - 2) // ndt + 1


THALAMUS_DEFAULTS = dict(
    tau=20.0,
    Q_max=0.4,
    theta=-58.5,
    sigma=6.0,
    C1=1.8137993642,
    C_m=1.0,
    gamma_e=0.07,
    gamma_r=0.1,
    g_L=1.0,
    g_GABA=1.0,
    g_AMPA=1.0,
    g_LK=0.018,
    E_AMPA=0.0,
    E_GABA=-70.0,
    E_L=-70.0,
    E_K=-100.0,
    E_Ca=120.0,
    g_T_t=3.0,
    g_h=0.062,
    E_h=-40.0,
    alpha_Ca=-5.18e-5,
    tau_Ca=10.0,
    Ca_0=2.4e-4,
    k1=2.5e7,
    k2=4.0e-4,
    k3=0.1,
    k4=0.001,
    n_P=4.0,
    g_inc=2.0,
    N_tr=5.0,
    d_phi=0.0,
    g_T_r=2.3,
    N_rt=3.0,
    N_rr=25.0,
)


def thalamus_default_y0():
    y0 = {name: 0.0 for name in naive.THALAMUS_STATES}
    y0["Ca"] = 2.4e-4
    return y0


def test_g7_thalamus():
    """models.md §11 G7: defaults, dt 0.01, V_t_init -65, V_r_init -60, 1000 ms."""
    dt, T_th = 0.01, 100000
    hist = {"V_t": np.array([[-65.0]]), "V_r": np.array([[-60.0]])}
    out = naive.thalamus(THALAMUS_DEFAULTS, hist, thalamus_default_y0(), {}, {}, dt, T_th)
    for name in ("V_t", "V_r", "Q_t", "Q_r"):
        assert out[name].shape == (1, T_th), name
    for name in naive.THALAMUS_STATES:
        assert out[name].shape == (1,), name
    # the exact first step: only the leak and potassium leak act on V (h_T = m_h = s = 0)
    assert out["V_t"][0, 0] == pytest.approx(-65.0 + dt * (-(-65.0 + 70.0) / 20.0 - 0.018 * (-65.0 + 100.0)), rel=1e-14)
    ref = {
        0: (-65.0088, -60.0122, 49.0583506055, 155.066005127),
        10: (-65.0962278207, -60.1336549818, 47.9320855457, 151.594459591),
        1000: (-70.5145930593, -68.7621783314, 10.3122807399, 17.20572672),
        99999: (-66.8116777466, -59.0639473692, 29.9912965938, 182.993047693),
    }
    for idx, values in ref.items():
        for name, value in zip(("V_t", "V_r", "Q_t", "Q_r"), values):
            np.testing.assert_allclose(out[name][0, idx], value, rtol=RTOL, atol=0.0, err_msg=f"{name} idx {idx}")


def test_thalamus_noise_and_rates_convention():
    """ds_et receives gamma_e^2 d_phi sqrt(dt) xi at the end of a step; it reaches s_et one step later, and
    V_t one step after that. Q_t is the rate of the NEW voltage, in Hz."""
    dt = 0.01
    p = dict(THALAMUS_DEFAULTS, d_phi=0.5)
    hist = {"V_t": -65.0, "V_r": -60.0}
    xi = np.zeros((1, 3))
    xi[0, 0] = 1.0
    out = naive.thalamus(p, hist, thalamus_default_y0(), {}, {"ds_et": xi}, dt, 3)
    quiet = naive.thalamus(THALAMUS_DEFAULTS, hist, thalamus_default_y0(), {}, {}, dt, 3)
    assert out["ds_et"][0] == pytest.approx(0.07**2 * 0.5 * np.sqrt(dt), rel=1e-14)
    # ds_et is a random walk (no restoring term): steps 2 and 3 both add dt * ds_et to s_et
    assert out["s_et"][0] == pytest.approx(2 * dt * 0.07**2 * 0.5 * np.sqrt(dt), rel=1e-14)
    assert out["V_t"][0, 1] == quiet["V_t"][0, 1]
    assert out["V_t"][0, 2] != quiet["V_t"][0, 2]
    q = 0.4 / (1.0 + np.exp(-1.8137993642 * (out["V_t"][0, 0] + 58.5) / 6.0))
    assert out["Q_t"][0, 0] == pytest.approx(1000.0 * q, rel=1e-14)
