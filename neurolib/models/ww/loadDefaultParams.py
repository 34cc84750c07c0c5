"""Parameter table of the Wong-Wang model (two populations per node, Deco et al. 2014)."""

import numpy as np

from neurolib._core.spec import INIT, INPUT, ModelSpec, Param
from neurolib.models._native import common_params, default_loader, ou_params, per_node

PARAMS = (
    *common_params(),
    Param("K_gl", 0.6, "-", "global coupling strength (on the NMDA gating se)"),
    *ou_params(("exc", "inh"), unit="1/ms", sigma_unit="-"),
    Param("a_exc", 0.31, "kHz/nA", "E gain"),
    Param("b_exc", 0.125, "kHz", "E threshold term"),
    Param("d_exc", 160.0, "ms", "E curvature"),
    Param("tau_exc", 100.0, "ms", "NMDA time constant", low=0.0),
    Param("gamma_exc", 0.641, "-", "kinetic parameter"),
    Param("w_exc", 1.0, "-", "scaling of the external current to E"),
    Param("exc_current_baseline", 0.382, "nA", "static external current to E"),
    Param("a_inh", 0.615, "kHz/nA", "I gain"),
    Param("b_inh", 0.177, "kHz", "I threshold term"),
    Param("d_inh", 87.0, "ms", "I curvature"),
    Param("tau_inh", 10.0, "ms", "GABA time constant", low=0.0),
    Param("w_inh", 0.7, "-", "scaling of the external current to I"),
    Param("inh_current_baseline", 0.382, "nA", "static external current to I"),
    Param("J_NMDA", 0.15, "nA", "excitatory synaptic coupling"),
    Param("J_I", 1.0, "nA", "I to E coupling"),
    Param("w_ee", 1.4, "-", "local recurrent excitation weight"),
    Param("r_exc_init", lambda N, rng: np.zeros((N, 1)), "kHz", "rate history (not read by the dynamics)", INIT),
    Param("r_inh_init", lambda N, rng: np.zeros((N, 1)), "kHz", "rate history (not read by the dynamics)", INIT),
    Param("ses_init", lambda N, rng: 0.05 * rng.uniform(0, 1, (N, 1)), "-", "initial NMDA gating (history)", INIT),
    Param("sis_init", lambda N, rng: 0.05 * rng.uniform(0, 1, (N, 1)), "-", "initial GABA gating (history)", INIT),
    Param("exc_current", per_node(0.0), "nA", "external current to E", INPUT),
    Param("inh_current", per_node(0.0), "nA", "external current to I", INPUT),
)

SPEC = ModelSpec(
    name="wongwang",
    description="Wong-Wang neural mass model",
    params=PARAMS,
    buffered=("r_exc", "r_inh", "se", "si"),
    algebraic=("r_exc", "r_inh"),
    ou=("exc_ou", "inh_ou"),
    ou_mean=("exc_ou_mean", "inh_ou_mean"),
    inputs=("exc_current", "inh_current"),
    kernel_params=(
        "a_exc",
        "b_exc",
        "d_exc",
        "tau_exc",
        "gamma_exc",
        "w_exc",
        "exc_current_baseline",
        "a_inh",
        "b_inh",
        "d_inh",
        "tau_inh",
        "w_inh",
        "inh_current_baseline",
        "J_NMDA",
        "J_I",
        "w_ee",
        "K_gl",
    ),  # fmt: skip
    kernel_module="neurolib.models.ww.timeIntegration",
    coupling_var="se",
    init_vars=("r_exc_init", "r_inh_init", "ses_init", "sis_init", "exc_ou", "inh_ou"),
    output_vars=("r_exc", "r_inh", "se", "si"),
    default_output="r_exc",
    default_input="exc_current",
)


loadDefaultParams = default_loader(SPEC, "Wong-Wang")
