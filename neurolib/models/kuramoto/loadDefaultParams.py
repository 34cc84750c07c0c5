"""Parameter table of the Kuramoto model."""

import numpy as np

from neurolib._core.spec import INIT, INPUT, OU, ModelSpec, Param
from neurolib.models._native import common_params, default_loader

PARAMS = (
    *common_params(),
    Param("k", 2.0, "rad/ms", "global coupling strength (divided by N)"),
    Param("omega", lambda N, rng: np.full(N, np.pi), "rad/ms", "natural angular frequencies"),
    Param("tau_ou", 5.0, "ms", "OU time constant", low=0.0),
    Param("sigma_ou", 0.0, "rad/ms/sqrt(ms)", "OU noise intensity (zero mean)", low=0.0),
    Param("theta_init", lambda N, rng: rng.uniform(0, 2 * np.pi, (N, 1)), "rad", "initial phases", INIT),
    Param("theta_ou", lambda N, rng: np.zeros(N), "rad/ms", "initial OU state", OU),
    Param("theta_ext", lambda N, rng: np.zeros(N), "rad/ms", "external input", INPUT),
)


def _k_over_n(params, N):
    return {"_k_over_N": np.asarray(params["k"], dtype=float) / N}


SPEC = ModelSpec(
    name="kuramoto",
    description="Kuramoto Model",
    params=PARAMS,
    buffered=("theta",),
    ou=("theta_ou",),
    ou_mean=(None,),
    inputs=("theta_ext",),
    kernel_params=("omega", "_k_over_N"),
    kernel_module="neurolib.models.kuramoto.timeIntegration",
    coupling_var="theta",
    derived=_k_over_n,
    has_features=True,
    n_features=2,
    channels=((0, 0), (0, 1)),
    has_post=True,
    init_vars=("theta_init", "theta_ou"),
    output_vars=("theta",),
    default_output="theta",
    default_input="theta_ext",
)


loadDefaultParams = default_loader(SPEC, "Kuramoto")
