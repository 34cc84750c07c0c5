"""Parameter table of the Hopf (Stuart-Landau) model."""

from neurolib._core.spec import INIT, INPUT, META, ModelSpec, Param
from neurolib.models._native import common_params, coupling_mode, default_loader, ou_params, per_node

PARAMS = (
    *common_params(),
    Param("coupling", "diffusive", "-", "network coupling: 'diffusive' or 'additive'", META),
    Param("K_gl", 0.6, "-", "global coupling strength"),
    *ou_params(("x", "y"), unit="-", sigma_unit="1/sqrt(ms)"),
    Param("a", 0.25, "1/ms", "bifurcation parameter (limit cycle for a > 0)"),
    Param("w", 0.2, "rad/ms", "angular frequency"),
    Param("xs_init", lambda N, rng: rng.uniform(-0.5, 0.5, (N, 1)), "-", "initial x (history)", INIT),
    Param("ys_init", lambda N, rng: rng.uniform(-0.5, 0.5, (N, 1)), "-", "initial y (history)", INIT),
    Param("x_ext", per_node(0.0), "-", "external input to x", INPUT),
    Param("y_ext", per_node(0.0), "-", "external input to y", INPUT),
)

SPEC = ModelSpec(
    name="hopf",
    description="Stuart-Landau model with Hopf bifurcation",
    params=PARAMS,
    buffered=("x", "y"),
    ou=("x_ou", "y_ou"),
    ou_mean=("x_ou_mean", "y_ou_mean"),
    inputs=("x_ext", "y_ext"),
    kernel_params=("a", "w", "K_gl", "_diffusive", "_csum"),
    kernel_module="neurolib.models.hopf.timeIntegration",
    coupling_var="x",
    derived=coupling_mode,
    init_vars=("xs_init", "ys_init", "x_ou", "y_ou"),
    output_vars=("x", "y"),
    default_output="x",
    default_input="x_ext",
    bold_transform=lambda x: (x + 1.0) * 4.0,
)


loadDefaultParams = default_loader(SPEC, "Hopf (Stuart-Landau)")
