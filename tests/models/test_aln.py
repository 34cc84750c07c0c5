"""ALN (``ALNModel``) specifics: the naive reference (aln.md §4, with the project's filter_sigma and distr_delay),
the spec reference runs (aln.md §10 G1, G2), the table lookup at and beyond the grid edges (§6), hand-made
table files and a missing table.

The shared ``Model`` contract is covered for ALNModel by ``test_contract.py`` where the default table exists
(conftest.py adds it to ``ALL_MODELS`` then).

Conventions of the naive comparison (as in ``test_naive.py``):

- noise: ``neurolib._core.noise.generator(seed).standard_normal((T, N, 2))``, channels ``mue_ou``, ``mui_ou``;
- inputs: a series of K samples is read by step g (0-based) at sample ``max(0, g - 1 + K - T)``;
- delays: ``round_half_even(lengthMat / signalV / dt)`` with the diagonal set to ``nde = round_half_even(de/dt)``
  (it carries a non-zero Cmat diagonal); local rates are read with delays nde (E) and ndi (I);
- rates ``rates_exc``, ``rates_inh`` (Hz) are algebraic: looked up from the pre-step state, stored for that step.
"""

import re
from pathlib import Path

import h5py
import numpy as np
import pytest
from reference import naive
from reference.compare import aligned, assert_close

from neurolib._core import noise as nl_noise
from neurolib.models.aln import ALNModel
from neurolib.models.aln.loadDefaultParams import DEFAULT_TABLE, TABLE_KEYS
from neurolib.models.aln.timeIntegration import grid_index, interpolate

REFERENCE_ALN_TABLE = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "reference" / "aln_quantities_cascade.h5"
)
RTOL = 1e-10
DT = 0.1
DURATION = 50.0
T = 500
SIGNALV = 20.0
SEED = 21
HIST_COLS = 50  # multi-column initial histories, longer than S: the last S columns are used

CMAT3 = np.array(
    [
        [0.0, 0.7, 0.4],
        [0.5, 0.0, 0.9],
        [0.3, 0.6, 0.0],
    ]
)
# off-diagonal delays (steps): 0 and 7 (lags 1, 8: near and the first "far" connection of the engine's 8-step
# block), 14, 15, 22, 27; the diagonal is replaced by nde
DELAYS3 = np.array(
    [
        [0, 0, 15],
        [14, 0, 22],
        [27, 7, 0],
    ]
)
LENGTH3 = DELAYS3 * SIGNALV * DT  # mm
np.fill_diagonal(LENGTH3, 30.0)  # a self-length must be ignored (the diagonal delay is de)

# (de, di, Cmat diagonal): A: local delays longer than every network delay (S = nde + 1), zero diagonal;
# B: short E delay (near), long I delay (S = ndi + 1) and a non-zero Cmat diagonal acting with delay nde
CONFIGS = {
    "A": dict(de=4.0, di=2.0, diag=[0.0, 0.0, 0.0], nde=40, ndi=20, S=41),
    "B": dict(de=0.7, di=3.3, diag=[0.3, 0.0, 0.5], nde=7, ndi=33, S=34),
}
STATE_KEYS = naive.ALN_STATES + ("sigmae_f", "sigmai_f", "rd_exc", "rd_inh", "mue_ou", "mui_ou")


# ---------------------------------------------------------------------------------------------- helpers
def read_table(path):
    with h5py.File(path, "r") as f:
        return {k: np.array(f[k], dtype=float) for k in TABLE_KEYS}


def write_table(path, tables, skip=()):
    with h5py.File(path, "w") as f:
        for k, v in tables.items():
            if k not in skip:
                f.create_dataset(k, data=np.asarray(v, dtype=float))
    return str(path)


def _table_or_skip(which):
    """Path of the 'reference' (upstream's, shared folder) or the 'default' (computed) table; skip if absent."""
    path = REFERENCE_ALN_TABLE if which == "reference" else Path(DEFAULT_TABLE)
    if not path.is_file():
        pytest.skip(f"{which} ALN table not available: {path}")
    return str(path)


# ---------------------------------------------------------------------------------------------- (a), (b) naive
def _network_setup(table_path, cfg, **options):
    rng = np.random.default_rng(5)
    m = ALNModel(Cmat=CMAT3.copy(), Dmat=LENGTH3.copy(), lookupTableFileName=table_path, seed=SEED)
    Cmat = m.params["Cmat"].copy()
    np.fill_diagonal(Cmat, cfg["diag"])  # set after construction: the loader zeroes the diagonal
    t = np.arange(T + 13) * DT
    ext_exc_current = 0.3 * np.sin(2 * np.pi * t[None, :] / 13.0 + rng.uniform(0, 6, (3, 1)))
    ext_exc_current += 0.05 * rng.standard_normal((3, T + 13))
    m.params.update(
        dt=DT,
        duration=DURATION,
        signalV=SIGNALV,
        Cmat=Cmat,
        de=cfg["de"],
        di=cfg["di"],
        a=np.array([15.0, 0.0, 5.0]),
        b=np.array([40.0, 20.0, 0.0]),
        mue_ext_mean=np.array([1.2, 1.6, 2.0]),
        mui_ext_mean=np.array([0.8, 0.5, 1.0]),
        tau_ou=5.0,
        sigma_ou=0.1,
        mue_ou=np.array([1.0, 1.8, 2.2]),
        mui_ou=np.array([0.6, 0.7, 0.9]),
        mufe_init=rng.uniform(0.5, 2.5, 3),
        mufi_init=rng.uniform(0.5, 2.5, 3),
        seem_init=rng.uniform(0.05, 0.4, 3),
        seim_init=rng.uniform(0.05, 0.4, 3),
        siem_init=rng.uniform(0.05, 0.4, 3),
        siim_init=rng.uniform(0.05, 0.4, 3),
        seev_init=rng.uniform(1e-4, 1e-3, 3),
        seiv_init=rng.uniform(1e-4, 1e-3, 3),
        siev_init=rng.uniform(1e-4, 1e-2, 3),
        siiv_init=rng.uniform(1e-4, 1e-2, 3),
        rates_exc_init=rng.uniform(0.0, 20.0, (3, HIST_COLS)),
        rates_inh_init=rng.uniform(0.0, 30.0, (3, HIST_COLS)),
        IA_init=rng.uniform(0.0, 100.0, (3, HIST_COLS)),
        sigmae_f_init=np.array([1.5, 2.0, 2.5]),
        sigmai_f_init=np.array([1.6, 1.2, 3.0]),
        rd_exc_init=np.array([0.0, 0.005, 0.01]),
        rd_inh_init=np.array([0.02, 0.0, 0.01]),
        ext_exc_current=ext_exc_current,  # (N, T + 13): right alignment matters
        ext_inh_current=np.array([[0.1], [0.0], [-0.1]]),  # (N, 1): per-node constants
        ext_exc_rate=(0.002 + 0.001 * np.sin(2 * np.pi * np.arange(T) / 97.0))[None, :],  # (1, T): shared
        ext_inh_rate=0.001,
        **options,
    )
    return m


def _naive_args(m, cfg):
    params = m.params
    dt = params["dt"]
    nde, ndi = int(np.around(params["de"] / dt)), int(np.around(params["di"] / dt))
    assert (nde, ndi) == (cfg["nde"], cfg["ndi"]), "test set-up: local delays"
    D = np.around(params["lengthMat"] / params["signalV"] / dt).astype(int)
    np.fill_diagonal(D, nde)
    off = ~np.eye(3, dtype=bool)
    assert np.array_equal(D[off], DELAYS3[off]), f"test set-up: delays {D.tolist()}"
    S = max(int(D.max()), nde, ndi) + 1
    assert S == cfg["S"]
    hist = {k: naive.history_from_init(params[k + "_init"], S) for k in ("rates_exc", "rates_inh", "IA")}
    y0 = {k: params[k + "_init"] for k in naive.ALN_STATES + ("sigmae_f", "sigmai_f", "rd_exc", "rd_inh")}
    p = {k: params[k] for k in naive.ALN_PARAMS}
    p.update(filter_sigma=params["filter_sigma"], distr_delay=params["distr_delay"])
    ou0 = {"mue_ou": params["mue_ou"], "mui_ou": params["mui_ou"]}
    N, T_ = params["N"], int(round(params["duration"] / dt))
    ext = {}
    for name in m.input_vars:
        a = np.asarray(params[name], dtype=float)
        series = aligned(a, T_) if a.ndim == 2 and a.shape[1] > 1 else a.reshape(-1, 1)
        ext[name] = np.broadcast_to(series, (N, T_))
    assert m.spec.ou == ("mue_ou", "mui_ou")
    Z = nl_noise.generator(params["seed"]).standard_normal((T_, N, 2))
    xi = {name: Z[:, :, v].T.copy() for v, name in enumerate(m.spec.ou)}
    tables = {
        "mu_vals": params["Irange"],
        "sigma_vals": params["sigmarange"],
        "r_ss": params["precalc_r"],
        "V_mean_ss": params["precalc_V"],
        "tau_mu_exp": params["precalc_tau_mu"],
        "tau_sigma_exp": params["precalc_tau_sigma"],
    }
    return (p, tables, params["Cmat"], D, nde, ndi, hist, y0, ou0, ext, xi, dt, T_), S


def _check_against_naive(m, ref, S):
    assert m.startindt == S
    assert_close(m.t, m.params["dt"] * np.arange(1, ref["rates_exc"].shape[1] + 1), "t")
    for var in ("rates_exc", "rates_inh", "IA"):
        assert m[var].shape == ref[var].shape, var
        assert_close(m[var], ref[var], var)
        assert_close(m.state[var][:, -S:], ref[var][:, -S:], f"state[{var!r}]")
    for name in STATE_KEYS:
        assert_close(m.state[name], ref[name], f"final {name}")


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_aln_network_vs_naive(aln_table, config):
    cfg = CONFIGS[config]
    m = _network_setup(aln_table, cfg)
    args, S = _naive_args(m, cfg)
    ref = naive.aln(*args)
    m.run()
    _check_against_naive(m, ref, S)
    # options off: the option states keep their initial values
    for name in ("sigmae_f", "sigmai_f", "rd_exc", "rd_inh"):
        assert np.array_equal(m.state[name], m.params[name + "_init"]), name
    # the set-up exercises noise, the time-varying input, the network and the local loops: each matters
    p, tables, Cmat, D, nde, ndi, hist, y0, ou0, ext, xi, dt, T_ = args
    quiet = naive.aln(p, tables, Cmat, D, nde, ndi, hist, y0, ou0, ext, {}, dt, T_)
    no_cur_ext = dict(ext, ext_exc_current=0 * ext["ext_exc_current"])
    no_cur = naive.aln(p, tables, Cmat, D, nde, ndi, hist, y0, ou0, no_cur_ext, {}, dt, T_)
    uncoupled = naive.aln(p, tables, 0 * Cmat, D, nde, ndi, hist, y0, ou0, ext, {}, dt, T_)
    for other in (ref, no_cur, uncoupled):
        assert np.max(np.abs(other["rates_exc"] - quiet["rates_exc"])) > 1e-3 * np.max(np.abs(quiet["rates_exc"]))
    assert np.max(quiet["rates_exc"]) > 1.0 and np.max(quiet["rates_inh"]) > 1.0  # not a silent network


@pytest.mark.parametrize(
    "options",
    [{"filter_sigma": 1}, {"distr_delay": 1}, {"filter_sigma": 1, "distr_delay": 1}],
    ids=lambda o: "+".join(o),
)
def test_aln_options_vs_naive(aln_table, options):
    cfg = CONFIGS["B"]
    m = _network_setup(aln_table, cfg, **options)
    args, S = _naive_args(m, cfg)
    ref = naive.aln(*args)
    m.run()
    _check_against_naive(m, ref, S)
    default = naive.aln(dict(args[0], filter_sigma=0, distr_delay=0), *args[1:])
    assert np.max(np.abs(default["rates_exc"] - ref["rates_exc"])) > 1e-3 * np.max(np.abs(ref["rates_exc"]))
    if "filter_sigma" in options:  # per-node filtered sigma (upstream shares one scalar)
        assert len(set(np.round(m.state["sigmae_f"], 12))) == 3
    if "distr_delay" in options:  # the network input stays (upstream drops it)
        p, tables, Cmat, *rest = args
        uncoupled = naive.aln(p, tables, 0 * Cmat, *rest)
        assert np.max(np.abs(uncoupled["rates_exc"] - ref["rates_exc"])) > 1e-3 * np.max(np.abs(ref["rates_exc"]))


def test_aln_options_chunkwise_equals_single_run(aln_table):
    """The option states (sigmae_f, sigmai_f, rd_exc, rd_inh) are carried from chunk to chunk."""
    runs = []
    for chunksize in (None, 37):
        m = _network_setup(aln_table, CONFIGS["B"], filter_sigma=1, distr_delay=1)
        m.params["duration"] = 20.0
        m.run(chunksize=chunksize, append_outputs=True)
        runs.append(m)
    for var in ("rates_exc", "rates_inh", "IA"):
        assert np.array_equal(runs[0][var], runs[1][var]), var
    for name in STATE_KEYS:
        assert np.array_equal(runs[0].state[name], runs[1].state[name]), name


# ---------------------------------------------------------------------------------------------- (c) G1, G2
G1_ICS = dict(
    mufe_init=1.12362035654,
    mufi_init=2.85214291923,
    seem_init=0.365996970906,
    seim_init=0.299329242099,
    seev_init=0.000156018640442,
    seiv_init=0.000155994520336,
    siim_init=0.0290418060841,
    siem_init=0.433088072887,
    siiv_init=0.00601115011743,
    siev_init=0.00708072577796,
)
G1_HIST = dict(rates_exc_init=0.000205844942958, rates_inh_init=0.00969909852162, IA_init=166.48852816)
G1 = {
    "rates_exc": {0: [1.32923446421], 9: [0.812854792474], 99: [3.92586205206e-07], 999: [0.000800735829048]},
    "rates_inh": {0: [84.8032022947], 9: [47.3354605814], 99: [0.152125420228], 999: [0.36264416647]},
    "IA": {0: [166.405283896], 999: [100.96777085]},
}
G2_CMAT = np.array([[0.0, 0.8], [0.5, 0.0]])
G2_LENGTH = np.array([[0.0, 120.0], [120.0, 0.0]])
G2_PARAMS = dict(
    mufe_init=np.array([1.0, 2.0]),
    mufi_init=np.array([1.5, 0.5]),
    IA_init=np.array([[50.0], [20.0]]),
    seem_init=np.full(2, 0.1),
    siem_init=np.full(2, 0.1),
    seim_init=np.full(2, 0.2),
    siim_init=np.full(2, 0.2),
    seev_init=np.full(2, 1e-4),
    seiv_init=np.full(2, 1e-4),
    siev_init=np.full(2, 1e-3),
    siiv_init=np.full(2, 1e-3),
    rates_exc_init=np.array([[5.0], [8.0]]),
    rates_inh_init=np.array([[10.0], [12.0]]),
    mue_ext_mean=1.0,
    mui_ext_mean=0.5,
    mue_ou=np.array([1.0, 1.0]),
    mui_ou=np.array([0.5, 0.5]),
    a=15.0,
    b=40.0,
    duration=500.0,
)
G2 = {
    "rates_exc": {
        0: [14.7664215171, 56.0129341769],
        1: [14.6020375973, 50.8347353345],
        10: [13.7477619498, 33.5147860185],
        100: [1.64239881309, 9.83175694121],
        1000: [0.177338688825, 0.0539364769348],
        4999: [0.00825827985446, 0.00833203262874],
    },
    "rates_inh": {
        0: [42.6478093568, 5.82170841445],
        1: [39.7620373278, 6.10489815711],
        10: [26.5174129635, 7.02629439318],
        100: [11.5090852719, 29.6202614148],
        1000: [1.46816073241, 0.646523997395],
        4999: [0.765405360206, 0.765496621332],
    },
    "IA": {
        0: [50.1698564697, 20.1967145705],
        1: [50.3774531221, 20.5850264596],
        10: [52.1933909893, 23.5199569061],
        100: [65.8686379227, 45.1848750003],
        1000: [139.336203635, 119.191369493],
        4999: [169.241086509, 169.035699322],
    },
}
G2_FINAL = {
    "mufe": [0.662032343079, 0.661642954998],
    "seem": [0.00204163636689, 0.0019009351055],
    "seev": [0.000120436297801, 0.000109034961445],
}
G_RTOL = 1e-6


def _g1_model(path):
    m = ALNModel(lookupTableFileName=path, seed=42)
    m.params.update({k: np.array([v]) for k, v in G1_ICS.items()})
    m.params.update({k: np.array([[v]]) for k, v in G1_HIST.items()})
    m.params["duration"] = 100.0
    return m


def _g2_model(path):
    m = ALNModel(Cmat=G2_CMAT, Dmat=G2_LENGTH, lookupTableFileName=path, seed=0)
    m.params.update(G2_PARAMS)
    return m


def _check_ref(out, expected, rtol=G_RTOL):
    for var, rows in expected.items():
        for idx, values in rows.items():
            np.testing.assert_allclose(out[var][:, idx], values, rtol=rtol, atol=0.0, err_msg=f"{var} idx {idx}")


@pytest.mark.parametrize("which", ["reference", "default"])
def test_g1_reference_values(which):
    """aln.md §10 G1: one node, defaults with the listed initial values, 100 ms (no noise)."""
    m = _g1_model(_table_or_skip(which))
    assert m.params["sigma_ou"] == 0.0 and m.params["dt"] == 0.1
    m.run()
    assert m.startindt == 41
    assert m.t.shape == (1000,)
    for var in m.output_vars:
        assert m[var].shape == (1, 1000)
    _check_ref(m, G1)
    assert np.array_equal(m.output, m["rates_exc"])


@pytest.mark.parametrize("which", ["reference", "default"])
def test_g2_reference_values(which):
    """aln.md §10 G2: two nodes, 6 ms delays (S = 61), explicit initial values, adaptation on, 500 ms."""
    m = _g2_model(_table_or_skip(which))
    m.run()
    assert m.startindt == 61
    assert m.t.shape == (5000,)
    _check_ref(m, G2)
    for var, values in G2_FINAL.items():
        np.testing.assert_allclose(m.state[var], values, rtol=G_RTOL, atol=0.0, err_msg=f"final {var}")


def test_naive_reproduces_g1_g2():
    """The naive reference itself against aln.md §10 (upstream's table)."""
    tables = read_table(_table_or_skip("reference"))
    p = {k: ALNModel.spec.param(k).default for k in naive.ALN_PARAMS}
    # G1
    y0 = {k[: -len("_init")]: v for k, v in G1_ICS.items()}
    hist = {k[: -len("_init")]: np.full((1, 41), v) for k, v in G1_HIST.items()}
    ou0 = {"mue_ou": 0.4, "mui_ou": 0.3}
    out = naive.aln(p, tables, np.zeros((1, 1)), np.array([[40]]), 40, 20, hist, y0, ou0, {}, {}, 0.1, 1000)
    _check_ref(out, G1, rtol=1e-9)
    # G2
    pp = dict(p, a=15.0, b=40.0, mue_ext_mean=1.0, mui_ext_mean=0.5)
    y0 = {k[: -len("_init")]: G2_PARAMS[k] for k in G1_ICS}
    hist = {k: naive.history_from_init(G2_PARAMS[k + "_init"], 61) for k in ("rates_exc", "rates_inh", "IA")}
    D = np.array([[40, 60], [60, 40]])
    out = naive.aln(pp, tables, G2_CMAT, D, 40, 20, hist, y0, {"mue_ou": 1.0, "mui_ou": 0.5}, {}, {}, 0.1, 5000)
    _check_ref(out, G2, rtol=1e-9)
    for var, values in G2_FINAL.items():
        np.testing.assert_allclose(out[var], values, rtol=1e-9, atol=0.0, err_msg=f"final {var}")


# ---------------------------------------------------------------------------------------------- (d) lookup edges
MU5 = np.linspace(-1.0, 2.0, 5)  # step 0.75
SIG4 = np.linspace(0.5, 2.0, 4)  # step 0.5


def _lin(mu, sigma, c):
    """A bilinear function (reproduced exactly by bilinear interpolation); c = (const, mu, sigma, mu*sigma)."""
    return c[0] + c[1] * mu + c[2] * sigma + c[3] * mu * sigma


COEF = {
    "r_ss": (0.03, 0.02, 0.004, 0.001),  # kHz, > 0 on the grid
    "V_mean_ss": (-60.0, 1.5, 0.5, -0.2),  # mV
    "tau_mu_exp": (6.0, -1.0, 0.8, 0.1),  # ms, > 0 on the grid
    "tau_sigma_exp": (-1.0, 0.5, 0.2, 0.0),  # ms, partly below dt (and negative): relaxes within one step
}


def _small_tables():
    mu, sig = np.meshgrid(MU5, SIG4, indexing="ij")  # [mu, sigma]
    out = {"mu_vals": MU5, "sigma_vals": SIG4}
    out.update({k: _lin(mu, sig, c) for k, c in COEF.items()})
    return out


def _kernel_lookup(aux, t, mu, sigma):
    """Table t of aux (table, mu, sigma) on the MU5 x SIG4 grid at (mu, sigma), through the kernel's functions."""
    m, fy = grid_index(mu, MU5[0], 1 / (MU5[1] - MU5[0]), aux.shape[1])
    j, fx = grid_index(sigma, SIG4[0], 1 / (SIG4[1] - SIG4[0]), aux.shape[2])
    assert 0 <= m <= aux.shape[1] - 2 and 0 <= j <= aux.shape[2] - 2
    return interpolate(aux, t, m, fy, j, fx)


def test_grid_index_inside_and_clamped():
    n = 5  # grid -1, 0, 1, 2, 3 (step 1)
    assert grid_index(-1.0, -1.0, 1.0, n) == (0, 0.0)
    assert grid_index(0.25, -1.0, 1.0, n) == (1, 0.25)
    assert grid_index(-1e9, -1.0, 1.0, n) == (0, 0.0)  # below: first point
    assert grid_index(np.nextafter(-1.0, -2), -1.0, 1.0, n) == (0, 0.0)
    for above in (3.0, np.nextafter(3.0, 4.0), 3.5, 1e9, 1e17):  # at or above the last point
        assert grid_index(above, -1.0, 1.0, n) == (n - 2, 1.0), above
    m, f = grid_index(np.nextafter(3.0, 0.0), -1.0, 1.0, n)  # just below the last point
    assert m == n - 2 and f == pytest.approx(1.0, abs=1e-14)
    assert grid_index(-np.inf, -1.0, 1.0, n) == (0, 0.0)
    m, f = grid_index(np.nan, -1.0, 1.0, n)  # NaN is not clamped away: it propagates
    assert np.isnan(f)


@pytest.mark.parametrize("value", [1e19, 1e30, np.inf])
def test_grid_index_huge_values_clamped(value):
    assert grid_index(value, -1.0, 1.0, 5) == (3, 1.0)


def test_interpolation_edges_and_corners():
    tabs = _small_tables()
    aux = np.stack([tabs[k] for k in COEF])  # the kernel's layout: (table, mu, sigma)
    inside = [(-1.0, 0.5), (0.3, 1.7), (1.99, 1.99), (1.0, 1.25)]
    for t, (name, c) in enumerate(COEF.items()):
        r = tabs[name]
        for mu, sig in inside:  # bilinear reproduces a bilinear function
            assert _kernel_lookup(aux, t, mu, sig) == pytest.approx(_lin(mu, sig, c), rel=1e-13, abs=1e-13)
        for sig in (0.5, 1.3, 1.75):  # mu beyond the grid: linear along the mu edge
            assert _kernel_lookup(aux, t, -50.0, sig) == pytest.approx(_lin(MU5[0], sig, c), rel=1e-13, abs=1e-13)
            assert _kernel_lookup(aux, t, 50.0, sig) == pytest.approx(_lin(MU5[-1], sig, c), rel=1e-13, abs=1e-13)
        for mu in (-1.0, 0.4, 1.7):  # sigma beyond the grid: linear along the sigma edge
            assert _kernel_lookup(aux, t, mu, 0.01) == pytest.approx(_lin(mu, SIG4[0], c), rel=1e-13, abs=1e-13)
            assert _kernel_lookup(aux, t, mu, 10.0) == pytest.approx(_lin(mu, SIG4[-1], c), rel=1e-13, abs=1e-13)
        # both beyond: exactly the corner values
        assert _kernel_lookup(aux, t, -50.0, -5.0) == r[0, 0]
        assert _kernel_lookup(aux, t, -50.0, 50.0) == r[0, -1]
        assert _kernel_lookup(aux, t, 50.0, -5.0) == r[-1, 0]
        assert _kernel_lookup(aux, t, 50.0, 50.0) == r[-1, -1]
        assert _kernel_lookup(aux, t, MU5[-1], SIG4[-1]) == r[-1, -1]  # exactly at the last point
        # grid points are reproduced exactly
        for i, j in [(0, 0), (2, 1), (3, 2), (4, 3)]:
            assert _kernel_lookup(aux, t, MU5[i], SIG4[j]) == pytest.approx(r[i, j], rel=1e-15, abs=1e-15)
        # the naive lookup agrees
        for mu, sig in inside + [(-50, 1.3), (50, 10.0), (0.4, 0.01)]:
            assert naive.aln_lookup(r, MU5, SIG4, mu, sig) == pytest.approx(_kernel_lookup(aux, t, mu, sig), rel=1e-14)


SPEC_CORNERS = {  # aln.md §11.8, upstream's table: [mu_index, sigma_index] -> (r_ss, V_mean_ss, tau_mu, tau_sigma)
    (0, 0): (3.731597100406975e-130, -85.0049999998077, 24.811, 17.731),
    (0, 63): (0.0014979173269856231, -85.77136421121989, 11.721, 1.771),
    (349, 0): (0.18094046744613917, -56.23207552963221, 0.161, 0.0),
    (349, 63): (0.1783589602664116, -57.630049512824996, 0.211, 0.0),
}


def test_lookup_beyond_the_real_table_gives_corners():
    """mu / sigma far outside upstream's table read its corner values (aln.md §6, §11.8) through the kernel."""
    tabs = read_table(_table_or_skip("reference"))
    aux = np.stack([tabs[k] for k in ("r_ss", "V_mean_ss", "tau_mu_exp", "tau_sigma_exp")])
    mu0, dmu = tabs["mu_vals"][0], tabs["mu_vals"][1] - tabs["mu_vals"][0]
    s0, ds = tabs["sigma_vals"][0], tabs["sigma_vals"][1] - tabs["sigma_vals"][0]
    n_mu, n_sig = aux.shape[1:]
    points = {(0, 0): (-30.0, 0.0), (0, 63): (-30.0, 40.0), (349, 0): (30.0, -1.0), (349, 63): (30.0, 40.0)}
    for (i, j), (mu, sig) in points.items():
        m, fy = grid_index(mu, mu0, 1 / dmu, n_mu)
        jj, fx = grid_index(sig, s0, 1 / ds, n_sig)
        for t, expected in enumerate(SPEC_CORNERS[(i, j)]):
            assert aux[t, i, j] == pytest.approx(expected, rel=1e-12, abs=1e-14), (i, j, t)  # the file is upstream's
            assert interpolate(aux, t, m, fy, jj, fx) == aux[t, i, j], (i, j, t)  # exactly the corner
    # just below the last grid values (the index/fraction edge case of §6): finite, ~ the last row/column
    m, fy = grid_index(np.nextafter(tabs["mu_vals"][-1], 0.0), mu0, 1 / dmu, n_mu)
    jj, fx = grid_index(np.nextafter(tabs["sigma_vals"][-1], 0.0), s0, 1 / ds, n_sig)
    assert m <= n_mu - 2 and jj <= n_sig - 2
    assert interpolate(aux, 0, m, fy, jj, fx) == pytest.approx(SPEC_CORNERS[(349, 63)][0], rel=1e-9)


# ---------------------------------------------------------------------------------------------- (e) custom table
def test_custom_table_loads_and_drives_the_rates(tmp_path):
    """A hand-made 5 x 4 table: loaded via lookupTableFileName; the first step's rates, V (through IA) and
    tau_mu (through mufe) are the bilinear values of the table, clamped at the edges."""
    tabs = _small_tables()
    path = write_table(tmp_path / "small.h5", tabs)
    m = ALNModel(Cmat=np.zeros((3, 3)), Dmat=np.zeros((3, 3)), lookupTableFileName=path, seed=1)
    assert np.array_equal(m.params["Irange"], MU5) and np.array_equal(m.params["sigmarange"], SIG4)
    assert m.params["dI"] == 0.75 and m.params["ds"] == 0.5
    assert np.array_equal(m.params["precalc_r"], tabs["r_ss"])
    mufe = np.array([-3.0, 0.7, 9.0])  # E: mu below, inside, above the grid ...
    IA0 = np.array([0.0, 40.0, -100.0])  # ... reduced by IA/C (C = 200): -3, 0.5, 9.5
    sige = np.array([1.0, 6.0, 0.2])  # ... sigma inside, above, below
    mufi = np.array([1.3, -7.0, 4.5])
    sigi = np.array([1.2, 0.1, 9.0])
    m.params.update(
        duration=DT,
        mufe_init=mufe,
        mufi_init=mufi,
        IA_init=IA0[:, None],
        seev_init=np.zeros(3),  # no synaptic variance: sigma = sigma_ext exactly
        seiv_init=np.zeros(3),
        siev_init=np.zeros(3),
        siiv_init=np.zeros(3),
        sigmae_ext=sige,
        sigmai_ext=sigi,
        a=np.array([10.0, 20.0, 5.0]),
        b=0.0,
    )
    m.run()
    mu_e = np.clip(mufe - IA0 / 200.0, MU5[0], MU5[-1])
    s_e = np.clip(sige, SIG4[0], SIG4[-1])
    mu_i = np.clip(mufi, MU5[0], MU5[-1])
    s_i = np.clip(sigi, SIG4[0], SIG4[-1])
    np.testing.assert_allclose(m.rates_exc[:, 0], 1000 * _lin(mu_e, s_e, COEF["r_ss"]), rtol=1e-13)
    np.testing.assert_allclose(m.rates_inh[:, 0], 1000 * _lin(mu_i, s_i, COEF["r_ss"]), rtol=1e-13)
    p = m.params
    V = _lin(mu_e, s_e, COEF["V_mean_ss"])
    IA1 = IA0 + DT * (p["a"] * (V - p["EA"]) - IA0) / p["tauA"]
    np.testing.assert_allclose(m.IA[:, 0], IA1, rtol=1e-13)
    muE = p["Jee_max"] * p["seem_init"] + p["Jei_max"] * p["seim_init"] + p["mue_ou"]
    muI = p["Jie_max"] * p["siem_init"] + p["Jii_max"] * p["siim_init"] + p["mui_ou"]
    tau_e, tau_i = _lin(mu_e, s_e, COEF["tau_mu_exp"]), _lin(mu_i, s_i, COEF["tau_mu_exp"])
    np.testing.assert_allclose(m.state["mufe"], mufe + DT * (muE - mufe) / tau_e, rtol=1e-13)
    np.testing.assert_allclose(m.state["mufi"], mufi + DT * (muI - mufi) / tau_i, rtol=1e-13)


@pytest.mark.parametrize("options", [{}, {"filter_sigma": 1, "distr_delay": 1}], ids=["default", "options"])
def test_custom_table_network_vs_naive(tmp_path, options):
    """The whole delayed network on the hand-made table (states wander beyond its small grid; with filter_sigma,
    tau_sigma < dt relaxes sigma_f within one step)."""
    path = write_table(tmp_path / "small.h5", _small_tables())
    m = _network_setup(path, CONFIGS["A"], **options)
    m.params["duration"] = 20.0
    args, S = _naive_args(m, CONFIGS["A"])
    ref = naive.aln(*args)
    m.run()
    _check_against_naive(m, ref, S)


def test_table_missing_dataset_raises(tmp_path):
    path = write_table(tmp_path / "incomplete.h5", _small_tables(), skip=("tau_mu_exp",))
    with pytest.raises(ValueError, match="tau_mu_exp"):
        ALNModel(lookupTableFileName=path)


def test_table_wrong_shape_raises(tmp_path):
    tabs = _small_tables()
    tabs["V_mean_ss"] = tabs["V_mean_ss"].T  # (sigma, mu): wrong orientation
    path = write_table(tmp_path / "transposed.h5", tabs)
    with pytest.raises(ValueError, match="V_mean_ss"):
        ALNModel(lookupTableFileName=path)


# ---------------------------------------------------------------------------------------------- (f) bad input
def test_missing_table_file_raises_file_not_found(tmp_path):
    path = str(tmp_path / "nowhere" / "table.h5")
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        ALNModel(lookupTableFileName=path)
