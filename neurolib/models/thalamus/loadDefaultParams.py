"""Parameter table of the thalamic mass model (Costa et al. 2016)."""

import numpy as np

from neurolib._core.params import default_params
from neurolib._core.spec import INIT, INPUT, META, ModelSpec, Param
from neurolib.models._native import common_params

_OTHER = ("Ca", "h_T_t", "h_T_r", "m_h1", "m_h2", "s_et", "s_gt", "s_er", "s_gr", "ds_et", "ds_gt", "ds_er", "ds_gr")


def _scalar(value):
    return lambda N, rng: np.full(N, value)


PARAMS = (
    *common_params(dt=0.01, duration=60000.0),
    Param("tau", 20.0, "ms", "time scale of the leak, synaptic and external currents", low=0.0),
    Param("Q_max", 0.4, "kHz", "maximal firing rate"),
    Param("theta", -58.5, "mV", "firing threshold"),
    Param("sigma", 6.0, "mV", "threshold spread", low=0.0),
    Param("C1", 1.8137993642, "-", "sigmoid slope factor (pi / sqrt(3))"),
    Param("C_m", 1.0, "uF/cm^2", "membrane capacitance", low=0.0),
    Param("gamma_e", 0.07, "1/ms", "AMPA synaptic rate constant"),
    Param("gamma_r", 0.1, "1/ms", "GABA synaptic rate constant"),
    Param("g_L", 1.0, "-", "leak conductance"),
    Param("g_GABA", 1.0, "-", "GABA synaptic weight"),
    Param("g_AMPA", 1.0, "-", "AMPA synaptic weight"),
    Param("g_LK", 0.018, "mS/cm^2", "potassium leak conductance"),
    Param("E_AMPA", 0.0, "mV", "AMPA reversal potential"),
    Param("E_GABA", -70.0, "mV", "GABA reversal potential"),
    Param("E_L", -70.0, "mV", "leak reversal potential"),
    Param("E_K", -100.0, "mV", "potassium reversal potential"),
    Param("E_Ca", 120.0, "mV", "calcium reversal potential"),
    Param("g_T_t", 3.0, "mS/cm^2", "T-current conductance, TCR"),
    Param("g_h", 0.062, "mS/cm^2", "h-current conductance"),
    Param("E_h", -40.0, "mV", "h-current reversal potential"),
    Param("alpha_Ca", -5.18e-5, "nmol", "calcium influx per unit T current"),
    Param("tau_Ca", 10.0, "ms", "calcium decay time", low=0.0),
    Param("Ca_0", 2.4e-4, "-", "resting calcium concentration"),
    Param("k1", 2.5e7, "-", "calcium binding"),
    Param("k2", 4.0e-4, "-", "calcium unbinding"),
    Param("k3", 0.1, "1/ms", "h-channel binding"),
    Param("k4", 0.001, "1/ms", "h-channel unbinding"),
    Param("n_P", 4.0, "-", "calcium binding cooperativity"),
    Param("g_inc", 2.0, "-", "conductance increase of bound h-channels"),
    Param("N_tr", 5.0, "-", "TRN to TCR connectivity"),
    Param("d_phi", 0.0, "-", "noise strength on the TCR AMPA input"),
    Param("g_T_r", 2.3, "mS/cm^2", "T-current conductance, TRN"),
    Param("N_rt", 3.0, "-", "TCR to TRN connectivity"),
    Param("N_rr", 25.0, "-", "TRN to TRN connectivity"),
    Param("ext_current_t", 0.0, "-", "external current to the TCR cells (a positive current lowers V)", INPUT),
    Param("ext_current_r", 0.0, "-", "external current to the TRN cells", INPUT),
    Param("V_t_init", lambda N, rng: rng.uniform(-75, -50, N), "mV", "initial TCR voltage", INIT),
    Param("V_r_init", lambda N, rng: rng.uniform(-75, -50, N), "mV", "initial TRN voltage", INIT),
    Param("Q_t_init", lambda N, rng: rng.uniform(0, 200, N), "Hz", "initial TCR rate (history only)", INIT),
    Param("Q_r_init", lambda N, rng: rng.uniform(0, 200, N), "Hz", "initial TRN rate (history only)", INIT),
    Param("Ca_init", _scalar(2.4e-4), "-", "initial calcium concentration", META),
    *(Param(f"{name}_init", _scalar(0.0), "-", f"initial {name}", META) for name in _OTHER[1:]),
)


def _sqrt_dt(params, N):
    return {"_sqrt_dt": np.sqrt(params["dt"])}


SPEC = ModelSpec(
    name="thalamus",
    description="Two population thalamic mass model",
    params=PARAMS,
    buffered=("V_t", "V_r", "Q_t", "Q_r"),
    unbuffered=_OTHER,
    ou=(),
    ou_mean=(),
    inputs=("ext_current_t", "ext_current_r"),
    white_noise=("d_phi",),
    kernel_params=(
        "tau",
        "Q_max",
        "theta",
        "sigma",
        "C1",
        "C_m",
        "gamma_e",
        "gamma_r",
        "g_L",
        "g_GABA",
        "g_AMPA",
        "g_LK",
        "E_AMPA",
        "E_GABA",
        "E_L",
        "E_K",
        "E_Ca",
        "g_T_t",
        "g_h",
        "E_h",
        "alpha_Ca",
        "tau_Ca",
        "Ca_0",
        "k1",
        "k2",
        "k3",
        "k4",
        "n_P",
        "g_inc",
        "N_tr",
        "d_phi",
        "g_T_r",
        "N_rt",
        "N_rr",
        "_sqrt_dt",
    ),  # fmt: skip
    kernel_module="neurolib.models.thalamus.timeIntegration",
    derived=_sqrt_dt,
    has_post=True,
    init_vars=("V_t_init", "V_r_init", "Q_t_init", "Q_r_init", *(f"{name}_init" for name in _OTHER)),
    output_vars=("V_t", "V_r", "Q_t", "Q_r"),
    default_output="Q_t",
    default_input="ext_current_t",
)


def loadDefaultParams(seed=None):
    """Default parameters of the thalamic mass model (a single node).

    Parameters
    ----------
    seed : int, optional
        Seed of the random initial voltages and of the noise.

    Returns
    -------
    dotdict
        The parameters.
    """
    return default_params(SPEC, None, None, seed)


# the initial values in the tuple order of the established ``generateRandomICs``
RANDOM_IC_NAMES = ("V_t_init", "V_r_init", "Q_t_init", "Q_r_init", *(f"{name}_init" for name in _OTHER))


def generateRandomICs(seed=None):
    """Initial values of the (single-node) thalamic model, the same ones ``loadDefaultParams(seed)`` draws.

    Parameters
    ----------
    seed : int, optional
        Seed of the draw (non-negative); None draws fresh values.

    Returns
    -------
    tuple of numpy.ndarray
        17 arrays of shape (1,), in the established package's order: ``V_t_init``, ``V_r_init`` (mV, uniform in
        [-75, -50)), ``Q_t_init``, ``Q_r_init`` (Hz, uniform in [0, 200)), then the fixed values ``Ca_init``
        (2.4e-4), ``h_T_t_init``, ``h_T_r_init``, ``m_h1_init``, ``m_h2_init``, ``s_et_init``, ``s_gt_init``,
        ``s_er_init``, ``s_gr_init``, ``ds_et_init``, ``ds_gt_init``, ``ds_er_init``, ``ds_gr_init`` (all 0).

    Raises
    ------
    neurolib.errors.ParameterError
        If ``seed`` is not None or a non-negative integer.

    Notes
    -----
    The established package seeds NumPy's global generator and returns the fixed values as 0-d arrays; here a
    local generator is used (as for the defaults) and every entry has shape (1,), like the model's parameters.

    Examples
    --------
    >>> ics = generateRandomICs(seed=2)
    >>> len(ics), ics[0].shape
    (17, (1,))
    """
    drawn = default_params(SPEC, None, None, seed)
    return tuple(np.array(drawn[name], copy=True) for name in RANDOM_IC_NAMES)
