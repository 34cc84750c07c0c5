"""Declarations that make a model: its parameter table and how its kernel plugs into the engine.

Every parameter is declared once, as a :class:`Param` row. ``loadDefaultParams``, validation, the
kernel's packed parameter array and the documentation tables are all derived from these rows.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurolib.errors import ParameterKeyError

# Parameter kinds
SCALAR = "scalar"  # a number, or an (N,) array of per-node values
INIT = "init"  # initial value of a buffered state variable: (N, 1) or (N, >= S)
OU = "ou"  # initial value of an Ornstein-Uhlenbeck state: (N,)
INPUT = "input"  # external input: scalar, (N,), (N, 1), (1, K) or (N, K) time series
META = "meta"  # anything else: strings, seeds, matrices, flags


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Parameters
    ----------
    name : str
        Key in ``model.params``.
    default : object or callable
        Default value, or ``default(N, rng)`` returning it for ``N`` nodes and a ``numpy.random.Generator``.
    unit : str
        Physical unit (``"-"`` for dimensionless).
    doc : str
        One-line meaning.
    kind : str
        One of ``scalar``, ``init``, ``ou``, ``input``, ``meta``.
    low, high : float, optional
        Admissible closed range for numeric values (checked before a run).
    """

    name: str
    default: Any
    unit: str = "-"
    doc: str = ""
    kind: str = SCALAR
    low: float | None = None
    high: float | None = None

    def value(self, N: int, rng: np.random.Generator):
        """Default value for ``N`` nodes, drawn from ``rng`` when random."""
        if callable(self.default):
            return self.default(N, rng)
        if isinstance(self.default, np.ndarray):
            return self.default.copy()
        return self.default


@dataclass(frozen=True)
class ModelSpec:
    """How a native model plugs into the engine.

    The engine integrates ``buffered`` variables (kept with their full history, read with delays) with
    forward Euler of the model's ``rhs`` kernel, adds OU noise to the ``ou`` states after each step, and
    feeds ``inputs`` and the delayed network input of ``coupling_var`` to the kernel.
    """

    name: str
    description: str
    params: tuple[Param, ...]
    buffered: tuple[str, ...]  # state variables with a history buffer (outputs, coupling sources), kernel order
    ou: tuple[str, ...]  # OU state variables (their init parameter has the same name)
    ou_mean: tuple[str | None, ...]  # parameter holding each OU mean (None: zero mean)
    inputs: tuple[str, ...]  # external-input parameters, in kernel order
    kernel_params: tuple[str, ...]  # numeric parameters packed for the kernel, in kernel order
    kernel_module: str  # module defining the @njit kernels ``rhs`` (and optionally ``post``, ``features``)
    unbuffered: tuple[str, ...] = ()  # other state variables (last value only), kernel order
    algebraic: tuple[str, ...] = ()  # buffered variables the kernel sets directly (dx holds the new value)
    white_noise: tuple[str, ...] = ()  # parameters scaling white-noise channels the kernel receives in u[NU:]
    self_features: tuple[int, ...] = ()  # feature read from the node's own history, per self read
    self_delays: Callable[[dict, float], tuple] | None = None  # delays (steps) of the self reads
    order: tuple[str, ...] = ()  # state_vars order (default: buffered + unbuffered + ou)
    aux: Callable[[dict], np.ndarray] | None = None  # 3-D array handed to the kernel (e.g. lookup tables)
    aux_params: tuple[str, ...] = ()  # the parameters aux is built from (runs sharing them share aux)
    coupling_var: str | None = None  # buffered variable other nodes see through Cmat
    derived: Callable[[dict, int], dict] | None = None  # extra kernel parameters computed from params
    weights: Callable[[dict], list] | None = None  # coupling weight matrices; default [Cmat]
    channels: tuple = ((0, 0),)  # (weight, feature) of each coupling channel: net[c] = W_w @ delayed feature f
    n_features: int = 1  # coupling features per node (default: the coupling variable)
    has_features: bool = False  # kernel module defines ``features(x, g)`` filling g[f] from the state x
    has_post: bool = False  # kernel module defines ``post(x, p)`` applied after each Euler step
    self_delay_steps: Callable[[dict, float], int] | None = None  # delay on the diagonal (default 0)
    tau_ou: str = "tau_ou"
    sigma_ou: str = "sigma_ou"
    init_vars: tuple[str | None, ...] = ()  # parameter seeding each state variable, state_vars order (None: zeros)
    output_vars: tuple[str, ...] = ()
    default_output: str = ""
    default_input: str | None = None
    bold_transform: Callable[[np.ndarray], np.ndarray] | None = None

    @property
    def state_vars(self) -> tuple[str, ...]:
        """All state variables, in the order an integration returns them."""
        return self.order or self.buffered + self.unbuffered + self.ou

    def param(self, name: str) -> Param:
        """The declared :class:`Param` called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        names = [p.name for p in self.params]
        close = difflib.get_close_matches(str(name), names, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ParameterKeyError(f"'{name}' is not a parameter of the {self.name} model.{hint}")
