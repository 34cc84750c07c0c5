"""Parameter table of the ALN model and its transfer-function table."""

import os

import numpy as np

from neurolib._core.params import default_params
from neurolib._core.spec import INIT, INPUT, META, OU, ModelSpec, Param
from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.models._native import common_params

DEFAULT_TABLE = os.path.join(os.path.dirname(__file__), "data", "aln_table.h5")
TABLE_KEYS = ("mu_vals", "sigma_vals", "r_ss", "V_mean_ss", "tau_mu_exp", "tau_sigma_exp")


def load_table(path=None):
    """Read a transfer-function table (HDF5 with datasets ``mu_vals``, ``sigma_vals``, ``r_ss``,
    ``V_mean_ss``, ``tau_mu_exp``, ``tau_sigma_exp``; the upstream ``quantities_cascade.h5`` works too).

    Parameters
    ----------
    path : str, optional
        The file; default: the table computed by ``python -m neurolib.models.aln.precompute``.

    Returns
    -------
    dict
        The six arrays (grids in mV/ms and mV/sqrt(ms); r_ss in kHz, V_mean_ss in mV, taus in ms).
    """
    import h5py

    path = DEFAULT_TABLE if path is None else os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"ALN transfer-function table not found: {path}. Compute one with "
            f"'python -m neurolib.models.aln.precompute --out FILE' and pass lookupTableFileName=FILE."
        )
    with h5py.File(path, "r") as f:
        missing = [k for k in TABLE_KEYS if k not in f]
        if missing:
            raise ParameterError(
                f"lookupTableFileName: the ALN table {path} lacks the datasets {missing}; it needs {list(TABLE_KEYS)}."
            )
        table = {k: np.array(f[k], dtype=float) for k in TABLE_KEYS}
    shape = (len(table["mu_vals"]), len(table["sigma_vals"]))
    for k in TABLE_KEYS[2:]:
        if table[k].shape != shape:
            raise ParameterError(
                f"lookupTableFileName: ALN table {path}: '{k}' has shape {table[k].shape}, expected {shape} "
                "(mu x sigma)."
            )
    return table


def _u(scale, shape_col=False):
    return lambda N, rng: scale * rng.uniform(0, 1, (N, 1) if shape_col else N)


PARAMS = (
    *common_params(),
    Param("model", "aln", "-", "model name", META),
    Param("name", "aln", "-", "model name", META),
    Param("description", "Adaptive linear-nonlinear model of exponential integrate-and-fire neurons", "-", "", META),
    Param("warn", 0, "-", "unused (kept for compatibility)", META),
    Param("dosc_version", 0, "-", "unused (kept for compatibility)", META),
    Param("distr_delay", 0, "-", "1: local delays are exponentially distributed (tau_de, tau_di)", META),
    Param("filter_sigma", 0, "-", "1: low-pass filter sigma with tau_sigma from the table", META),
    Param("fast_interp", 1, "-", "unused (bilinear interpolation is always used)", META),
    Param("c_gl", 0.3, "mV/ms", "inter-areal EPSC amplitude"),
    Param("Ke_gl", 250.0, "-", "E inputs per E neuron from each other area"),
    Param("tau_ou", 5.0, "ms", "OU time constant", low=0.0),
    Param("sigma_ou", 0.0, "mV/ms/sqrt(ms)", "OU noise intensity", low=0.0),
    Param("mue_ext_mean", 0.4, "mV/ms", "mean external input to E (OU mean)"),
    Param("mui_ext_mean", 0.3, "mV/ms", "mean external input to I (OU mean)"),
    Param("sigmae_ext", 1.5, "mV/sqrt(ms)", "external input noise of E"),
    Param("sigmai_ext", 1.5, "mV/sqrt(ms)", "external input noise of I"),
    Param("Ke", 800.0, "-", "E inputs per neuron"),
    Param("Ki", 200.0, "-", "I inputs per neuron"),
    Param("de", 4.0, "ms", "local delay of E-sourced connections", low=0.0),
    Param("di", 2.0, "ms", "local delay of I-sourced connections", low=0.0),
    Param("tau_se", 2.0, "ms", "synaptic time constant, E-sourced", low=0.0),
    Param("tau_si", 5.0, "ms", "synaptic time constant, I-sourced", low=0.0),
    Param("tau_de", 1.0, "ms", "distributed-delay time constant, E (distr_delay)", low=0.0),
    Param("tau_di", 1.0, "ms", "distributed-delay time constant, I (distr_delay)", low=0.0),
    Param("cee", 0.3, "mV/ms", "EPSC amplitude E to E"),
    Param("cie", 0.3, "mV/ms", "EPSC amplitude E to I"),
    Param("cei", 0.5, "mV/ms", "IPSC amplitude I to E"),
    Param("cii", 0.5, "mV/ms", "IPSC amplitude I to I"),
    Param("Jee_max", 2.43, "mV/ms", "maximal mean current E to E"),
    Param("Jie_max", 2.60, "mV/ms", "maximal mean current E to I"),
    Param("Jei_max", -3.3, "mV/ms", "maximal mean current I to E"),
    Param("Jii_max", -1.64, "mV/ms", "maximal mean current I to I"),
    Param("a", 0.0, "nS", "subthreshold adaptation conductance"),
    Param("b", 0.0, "pA", "spike-triggered adaptation increment"),
    Param("EA", -80.0, "mV", "adaptation reversal potential"),
    Param("tauA", 200.0, "ms", "adaptation time constant", low=0.0),
    Param("C", 200.0, "pF", "membrane capacitance", low=0.0),
    Param("gL", 10.0, "nS", "leak conductance", low=0.0),
    Param("EL", -65.0, "mV", "leak reversal (baked into the table)"),
    Param("DeltaT", 1.5, "mV", "EIF slope factor (baked into the table)"),
    Param("VT", -50.0, "mV", "EIF threshold (baked into the table)"),
    Param("Vr", -70.0, "mV", "reset potential (baked into the table)"),
    Param("Vs", -40.0, "mV", "spike cut-off (baked into the table)"),
    Param("Tref", 1.5, "ms", "refractory period (baked into the table)"),
    Param("mue_ou", lambda N, rng: 0.4 * np.ones(N), "mV/ms", "initial OU state, E", OU),
    Param("mui_ou", lambda N, rng: 0.3 * np.ones(N), "mV/ms", "initial OU state, I", OU),
    Param("ext_exc_current", 0.0, "mV/ms", "external current to E", INPUT),
    Param("ext_inh_current", 0.0, "mV/ms", "external current to I", INPUT),
    Param("ext_exc_rate", 0.0, "kHz", "external E rate to E", INPUT),
    Param("ext_inh_rate", 0.0, "kHz", "external E rate to I", INPUT),
    Param("mufe_init", _u(3.0), "mV/ms", "initial filtered mean input, E", META),
    Param("mufi_init", _u(3.0), "mV/ms", "initial filtered mean input, I", META),
    Param("seem_init", _u(0.5), "-", "initial synaptic mean E<-E", META),
    Param("seim_init", _u(0.5), "-", "initial synaptic mean E<-I", META),
    Param("seev_init", _u(0.001), "-", "initial synaptic variance E<-E", META),
    Param("seiv_init", _u(0.001), "-", "initial synaptic variance E<-I", META),
    Param("siim_init", _u(0.5), "-", "initial synaptic mean I<-I", META),
    Param("siem_init", _u(0.5), "-", "initial synaptic mean I<-E", META),
    Param("siiv_init", _u(0.01), "-", "initial synaptic variance I<-I", META),
    Param("siev_init", _u(0.01), "-", "initial synaptic variance I<-E", META),
    Param("rates_exc_init", _u(0.01, True), "Hz", "initial E rate (history)", INIT),
    Param("rates_inh_init", _u(0.01, True), "Hz", "initial I rate (history)", INIT),
    Param("IA_init", _u(200.0, True), "pA", "initial adaptation current (history)", INIT),
    Param("sigmae_f_init", lambda N, rng: np.full(N, 1.5), "mV/sqrt(ms)", "initial filtered sigma, E", META),
    Param("sigmai_f_init", lambda N, rng: np.full(N, 1.5), "mV/sqrt(ms)", "initial filtered sigma, I", META),
    Param("rd_exc_init", lambda N, rng: np.zeros(N), "kHz", "initial distributed-delay E rate", META),
    Param("rd_inh_init", lambda N, rng: np.zeros(N), "kHz", "initial distributed-delay I rate", META),
    Param("Irange", None, "mV/ms", "mu grid of the table", META),
    Param("sigmarange", None, "mV/sqrt(ms)", "sigma grid of the table", META),
    Param("dI", None, "mV/ms", "mu grid spacing", META),
    Param("ds", None, "mV/sqrt(ms)", "sigma grid spacing", META),
    Param("precalc_r", None, "kHz", "stationary rate table (mu x sigma)", META),
    Param("precalc_V", None, "mV", "stationary mean voltage table", META),
    Param("precalc_tau_mu", None, "ms", "mu-filter time constant table", META),
    Param("precalc_tau_sigma", None, "ms", "sigma-filter time constant table", META),
)

_ORDER = (  # upstream's state_vars order, then the four added states
    "rates_exc",
    "rates_inh",
    "mufe",
    "mufi",
    "IA",
    "seem",
    "seim",
    "siem",
    "siim",
    "seev",
    "seiv",
    "siev",
    "siiv",
    "mue_ou",
    "mui_ou",
    "sigmae_f",
    "sigmai_f",
    "rd_exc",
    "rd_inh",
)
_BUFFERED = ("rates_exc", "rates_inh", "IA")
_OU = ("mue_ou", "mui_ou")
_Y = tuple(v for v in _ORDER if v not in _BUFFERED + _OU)  # the other states, kernel order


def _derived(params, N):
    """Rescaled efficacies, tau_m, the table grids and dt, as the kernel reads them."""
    Jee, Jie, Jei, Jii = (np.asarray(params[k], float) for k in ("Jee_max", "Jie_max", "Jei_max", "Jii_max"))
    tse, tsi = np.asarray(params["tau_se"], float), np.asarray(params["tau_si"], float)
    return {
        "_taum": np.asarray(params["C"], float) / np.asarray(params["gL"], float),
        "_cee": np.asarray(params["cee"], float) * tse / Jee,
        "_cie": np.asarray(params["cie"], float) * tse / Jie,
        "_cei": np.asarray(params["cei"], float) * tsi / np.abs(Jei),
        "_cii": np.asarray(params["cii"], float) * tsi / np.abs(Jii),
        "_cgl": np.asarray(params["c_gl"], float) * tse / Jee,
        "_filter_sigma": float(bool(params["filter_sigma"])),
        "_distr_delay": float(bool(params["distr_delay"])),
        "_mu0": float(params["Irange"][0]),
        "_inv_dmu": 1.0 / float(params["dI"]),
        "_sigma0": float(params["sigmarange"][0]),
        "_inv_dsigma": 1.0 / float(params["ds"]),
        "_dt": float(params["dt"]),
        "_inv_tse": 1.0 / tse,
        "_inv_tsi": 1.0 / tsi,
        "_inv_tauA": 1.0 / np.asarray(params["tauA"], float),
        "_inv_C": 1.0 / np.asarray(params["C"], float),
    }


_TABLES = ("precalc_r", "precalc_V", "precalc_tau_mu", "precalc_tau_sigma")  # the kernel's aux, in this order


def _tables(params):
    return np.stack([params[k] for k in _TABLES])


def _steps(params, dt, key):
    value = params[key]
    if np.ndim(value) != 0:
        raise ParameterError(f"Parameter '{key}' (a local delay in ms) must be a single number, got {value!r}.")
    return int(np.around(value / dt))


SPEC = ModelSpec(
    name="aln",
    description="Adaptive linear-nonlinear model of exponential integrate-and-fire neurons",
    params=PARAMS,
    buffered=_BUFFERED,
    algebraic=("rates_exc", "rates_inh"),
    unbuffered=_Y,
    ou=_OU,
    ou_mean=("mue_ext_mean", "mui_ext_mean"),
    inputs=("ext_exc_current", "ext_inh_current", "ext_exc_rate", "ext_inh_rate"),
    kernel_params=tuple(
        "Jee_max Jei_max Jie_max Jii_max tau_se tau_si _taum C Ke Ki Ke_gl _cee _cei _cie _cii _cgl sigmae_ext "
        "sigmai_ext a b EA tauA tau_de tau_di _filter_sigma _distr_delay _mu0 _inv_dmu _sigma0 _inv_dsigma _dt "
        "_inv_tse _inv_tsi _inv_tauA _inv_C".split()
    ),
    kernel_module="neurolib.models.aln.timeIntegration",
    coupling_var="rates_exc",
    derived=_derived,
    weights=lambda params: [params["Cmat"], np.asarray(params["Cmat"]) ** 2],
    channels=((0, 0), (1, 0)),
    n_features=2,
    has_features=True,
    has_post=True,
    self_features=(0, 1),
    self_delays=lambda params, dt: (_steps(params, dt, "de"), _steps(params, dt, "di")),
    self_delay_steps=lambda params, dt: _steps(params, dt, "de"),
    aux=_tables,
    aux_params=_TABLES,
    order=_ORDER,
    init_vars=tuple(v if v.endswith("_ou") else v + "_init" for v in _ORDER),
    output_vars=("rates_exc", "rates_inh", "IA"),
    default_output="rates_exc",
    default_input="ext_exc_rate",
)


def loadDefaultParams(Cmat=None, Dmat=None, lookupTableFileName=None, seed=None):
    """Default parameters of the ALN model.

    Parameters
    ----------
    Cmat : ndarray, optional
        Structural connectivity (N x N); None gives one node.
    Dmat : ndarray, optional
        Fibre lengths in mm (N x N).
    lookupTableFileName : str, optional
        Transfer-function table (HDF5); default: the table shipped with neurolib.
    seed : int, optional
        Seed of the random initial values and of the noise.

    Returns
    -------
    dotdict
        The parameters.
    """
    params = default_params(SPEC, Cmat, Dmat, seed)
    table = load_table(lookupTableFileName)
    params.Irange = table["mu_vals"]
    params.sigmarange = table["sigma_vals"]
    # grid spacings of the (uniform) mu and sigma axes of the table
    params.dI = np.diff(params.Irange[:2])[0]
    params.ds = np.diff(params.sigmarange[:2])[0]
    params.precalc_r = table["r_ss"]
    params.precalc_V = table["V_mean_ss"]
    params.precalc_tau_mu = table["tau_mu_exp"]
    params.precalc_tau_sigma = table["tau_sigma_exp"]
    params.mue_ou = params.mue_ext_mean * np.ones(params.N)
    params.mui_ou = params.mui_ext_mean * np.ones(params.N)
    params.sigmae_f_init = params.sigmae_ext * np.ones(params.N)
    params.sigmai_f_init = params.sigmai_ext * np.ones(params.N)
    return params


# initial values drawn at random, in the tuple order of the established ``generateRandomICs``
RANDOM_IC_NAMES = (
    "mufe_init",
    "mufi_init",
    "IA_init",
    "seem_init",
    "seim_init",
    "seev_init",
    "seiv_init",
    "siim_init",
    "siem_init",
    "siiv_init",
    "siev_init",
    "rates_exc_init",
    "rates_inh_init",
)


def _check_node_count(N):
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)):
        raise ParameterTypeError(f"generateRandomICs: N (number of nodes) must be an integer, got {N!r}.")
    if N < 1:
        raise ParameterError(f"generateRandomICs: N (number of nodes) must be at least 1, got {N}.")


def generateRandomICs(N, seed=None):
    """Random initial values of the ALN model for ``N`` nodes, the same ones ``loadDefaultParams`` draws.

    For a given ``seed`` the arrays equal the ``*_init`` defaults of ``ALNModel(Cmat=<N x N>, seed=seed)``, so
    ``model.params[name] = value`` for each pair of :data:`RANDOM_IC_NAMES` and the result re-draws them.

    Parameters
    ----------
    N : int
        Number of nodes, >= 1.
    seed : int, optional
        Seed of the draw (non-negative); None draws fresh values.

    Returns
    -------
    tuple of numpy.ndarray
        13 arrays, in this order (uniform draws on [0, scale)):
        ``mufe_init`` (N,) in mV/ms (scale 3), ``mufi_init`` (N,) mV/ms (3), ``IA_init`` (N, 1) pA (200),
        ``seem_init``, ``seim_init`` (N,) (0.5), ``seev_init``, ``seiv_init`` (N,) (0.001), ``siim_init``,
        ``siem_init`` (N,) (0.5), ``siiv_init``, ``siev_init`` (N,) (0.01), ``rates_exc_init``,
        ``rates_inh_init`` (N, 1) (0.01). The order is the established package's.

    Raises
    ------
    neurolib.errors.ParameterTypeError
        If ``N`` is not an integer.
    neurolib.errors.ParameterError
        If ``N`` < 1 or ``seed`` is not None or a non-negative integer.

    Notes
    -----
    The established package re-seeds NumPy's global generator; here a local generator is used (as for the
    defaults), so the values differ from the established ones for the same seed and the global state is untouched.

    Examples
    --------
    >>> ics = generateRandomICs(3, seed=1)
    >>> len(ics), ics[0].shape, ics[2].shape
    (13, (3,), (3, 1))
    """
    _check_node_count(N)
    drawn = default_params(SPEC, np.zeros((int(N), int(N))), None, seed)
    return tuple(np.array(drawn[name], copy=True) for name in RANDOM_IC_NAMES)
