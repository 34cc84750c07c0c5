"""Parameter table of the FitzHugh-Nagumo model."""

from neurolib._core.spec import INIT, INPUT, META, ModelSpec, Param
from neurolib.models._native import common_params, coupling_mode, default_loader, ou_params, per_node

PARAMS = (
    *common_params(),
    Param("coupling", "diffusive", "-", "network coupling: 'diffusive' or 'additive'", META),
    Param("K_gl", 0.6, "-", "global coupling strength"),
    *ou_params(("x", "y"), unit="-", sigma_unit="-"),
    Param("alpha", 3.0, "-", "cubic coefficient"),
    Param("beta", 4.0, "-", "quadratic coefficient"),
    Param("gamma", -1.5, "-", "linear coefficient"),
    Param("delta", 0.0, "-", "offset of the recovery equation (subtracted)"),
    Param("epsilon", 0.5, "-", "recovery self-coupling"),
    Param("tau", 20.0, "ms", "recovery time scale"),
    Param("xs_init", lambda N, rng: 0.05 * rng.uniform(0, 1, (N, 1)), "-", "initial x (history)", INIT),
    Param("ys_init", lambda N, rng: 0.05 * rng.uniform(0, 1, (N, 1)), "-", "initial y (history)", INIT),
    Param("x_ext", per_node(1.0), "-", "external input to x (default 1: constant drive)", INPUT),
    Param("y_ext", per_node(0.0), "-", "external input to y", INPUT),
)

SPEC = ModelSpec(
    name="fhn",
    description="Fitz-Hugh Nagumo oscillator",
    params=PARAMS,
    buffered=("x", "y"),
    ou=("x_ou", "y_ou"),
    ou_mean=("x_ou_mean", "y_ou_mean"),
    inputs=("x_ext", "y_ext"),
    kernel_params=("alpha", "beta", "gamma", "delta", "epsilon", "tau", "K_gl", "_diffusive", "_csum"),
    kernel_module="neurolib.models.fhn.timeIntegration",
    coupling_var="x",
    derived=coupling_mode,
    init_vars=("xs_init", "ys_init", "x_ou", "y_ou"),
    output_vars=("x", "y"),
    default_output="x",
    default_input="x_ext",
    bold_transform=lambda x: 50.0 * x,
)


loadDefaultParams = default_loader(SPEC, "FitzHugh-Nagumo")
