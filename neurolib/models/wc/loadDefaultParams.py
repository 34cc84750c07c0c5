"""Parameter table of the Wilson-Cowan model."""

from neurolib._core.spec import INIT, INPUT, ModelSpec, Param
from neurolib.models._native import common_params, default_loader, ou_params, per_node

PARAMS = (
    *common_params(),
    Param("K_gl", 0.6, "-", "global coupling strength (additive, E to E)"),
    *ou_params(("exc", "inh"), unit="-", sigma_unit="-"),
    Param("tau_exc", 2.5, "ms", "E time constant", low=0.0),
    Param("tau_inh", 3.75, "ms", "I time constant", low=0.0),
    Param("c_excexc", 16.0, "-", "E to E weight"),
    Param("c_excinh", 15.0, "-", "E to I weight"),
    Param("c_inhexc", 12.0, "-", "I to E weight"),
    Param("c_inhinh", 3.0, "-", "I to I weight"),
    Param("a_exc", 1.5, "-", "E sigmoid gain"),
    Param("a_inh", 1.5, "-", "I sigmoid gain"),
    Param("mu_exc", 3.0, "-", "E sigmoid threshold"),
    Param("mu_inh", 3.0, "-", "I sigmoid threshold"),
    Param("exc_ext_baseline", 0.0, "-", "static input to E (inside the sigmoid)"),
    Param("inh_ext_baseline", 0.0, "-", "static input to I (inside the sigmoid)"),
    Param("exc_init", lambda N, rng: 0.05 * rng.uniform(0, 1, (N, 1)), "-", "initial E (history)", INIT),
    Param("inh_init", lambda N, rng: 0.05 * rng.uniform(0, 1, (N, 1)), "-", "initial I (history)", INIT),
    Param("exc_ext", per_node(0.0), "-", "external input to E", INPUT),
    Param("inh_ext", per_node(0.0), "-", "external input to I", INPUT),
)

SPEC = ModelSpec(
    name="wc",
    description="Wilson-Cowan model",
    params=PARAMS,
    buffered=("exc", "inh"),
    ou=("exc_ou", "inh_ou"),
    ou_mean=("exc_ou_mean", "inh_ou_mean"),
    inputs=("exc_ext", "inh_ext"),
    kernel_params=(
        "tau_exc",
        "tau_inh",
        "c_excexc",
        "c_excinh",
        "c_inhexc",
        "c_inhinh",
        "a_exc",
        "a_inh",
        "mu_exc",
        "mu_inh",
        "exc_ext_baseline",
        "inh_ext_baseline",
        "K_gl",
    ),  # fmt: skip
    kernel_module="neurolib.models.wc.timeIntegration",
    coupling_var="exc",
    has_post=True,
    init_vars=("exc_init", "inh_init", "exc_ou", "inh_ou"),
    output_vars=("exc", "inh"),
    default_output="exc",
    default_input="exc_ext",
    bold_transform=lambda x: 50.0 * x,
)


loadDefaultParams = default_loader(SPEC, "Wilson-Cowan")
