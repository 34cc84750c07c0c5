"""Optimal control of neurolib models: the model-independent base class :class:`OC`.

Given a model whose inputs are the control and a target trajectory of its outputs, :meth:`OC.optimize` descends
the gradient of ``w_p * precision + w_2 * energy + w_1D * sparsity`` (see :mod:`.cost_functions`) with an
adaptive step size. The gradient comes from the adjoint of the discretised dynamics (:mod:`._adjoint`), whose
step Jacobians are derived from the model's own kernel (:mod:`._jacobian`); nothing is written per model.
Forward runs for the costs are ordinary ``model.run()`` calls on a private copy of the model.
"""

from __future__ import annotations

import copy
import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from neurolib._core.integrate import n_steps
from neurolib.control.optimal_control import _compat, _setup
from neurolib.control.optimal_control import cost_functions as cf
from neurolib.control.optimal_control._adjoint import (  # noqa: F401  (module-level functions of the interface)
    adjoint_input,
    adjoint_nw_input,
    backward,
    compute_gradient,
    solve_adjoint,
)
from neurolib.control.optimal_control._classes import check_model, params_tuple
from neurolib.control.optimal_control._dynamics import dynamics_of
from neurolib.control.optimal_control._noisy import NoisyMixin
from neurolib.control.optimal_control._search import StepSearchMixin
from neurolib.control.optimal_control._setup import (  # noqa: F401
    convert_interval,
    getdefaultweights,
    limit_control_to_interval,
    update_control_with_limit,
)
from neurolib.errors import ParameterError

if TYPE_CHECKING:
    from neurolib.models.model import Model

logger = logging.getLogger(__name__)


class OC(StepSearchMixin, NoisyMixin, _compat.JacobianArraysMixin):
    """Optimal control of a model towards a target trajectory by adjoint gradient descent.

    Parameters
    ----------
    model : neurolib.models.model.Model
        The model (copied; the original is left untouched). Its inputs (``model.input_vars``, each a constant or
        an (N, T) series) are the initial control; its initial values stay fixed.
    target : ndarray
        Target outputs (N, len(model.output_vars), T) with ``T = duration / dt + 1``; column 0 is the initial
        state (it never enters the gradient).
    weights : dict, optional
        Cost weights ``w_p`` (precision), ``w_2`` (energy), ``w_1D`` (directional sparsity); missing ones keep
        their defaults 1, 0, 0. ``oc.weights[name] = value`` changes them later.
    maximum_control_strength : float, optional
        Bound on ``|control|`` (units of the inputs), applied after every update.
    print_array : sequence of int
        Iterations whose cost is printed.
    cost_interval, control_interval : tuple
        ``(start, stop)`` time indices (None: open end; negative: from the end) where the precision cost counts and
        where the control may be non-zero.
    cost_matrix : ndarray, optional
        (N, outputs) 0/1: which node and output enter the precision cost (default all).
    control_matrix : ndarray, optional
        (N, inputs) 0/1: which node and input channel is controlled (default all).
    M : int
        Noise realisations per cost and gradient (1: deterministic optimisation).
    M_validation : int
        Realisations of the final validation of a noisy optimisation.
    validate_per_step : bool
        Noisy case: the cost of every iteration from ``M_validation`` realisations.

    Attributes
    ----------
    control : ndarray
        (N, inputs, T) current control; column t drives the step from t to t + 1 (the last one drives none).
    gradient : ndarray
        (N, inputs, T) gradient of the total cost per unit time (1/ms) at the control of the last iteration.
    adjoint_state : ndarray
        (N, len(model.state_vars), T) the adjoint in the established package's convention.
    cost_history, step_sizes_history : list of float
        Cost of every iteration (the first entry: iteration 0) and the accepted step sizes.
    """

    # a class for one model declares it: its name (``model.name``), a title for messages, and the parameters
    # ``get_model_params`` returns in the established package's order
    model_name: str | None = None
    model_title = ""
    param_names: tuple[str, ...] = ()

    def __init__(
        self,
        model: Model,
        target: np.ndarray,
        weights: Mapping[str, float] | None = None,
        maximum_control_strength: float | None = None,
        print_array: Sequence[int] = (),
        cost_interval: tuple[int | None, int | None] = (None, None),
        control_interval: tuple[int | None, int | None] = (None, None),
        cost_matrix: np.ndarray | None = None,
        control_matrix: np.ndarray | None = None,
        M: int = 1,
        M_validation: int = 0,
        validate_per_step: bool = False,
    ) -> None:
        if self.model_name is not None:
            check_model(model, self.model_name, self.model_title, type(self).__name__)
        self.model = copy.deepcopy(model)
        self.dynamics = dynamics_of(self.model)
        state_vars, input_vars, output_vars = self.dynamics.layout(self.model)
        if not input_vars:
            raise ParameterError(
                f"model: the {model.name} model has no inputs (input_vars is empty), nothing to control."
            )
        self.weights = _setup.weights_from(weights)
        p = self.model.params
        self.N = int(p["N"])
        self.dt = float(p["dt"])
        self.duration = float(p["duration"])
        self.T = n_steps(self.duration, self.dt) + 1
        if p.get("sampling_dt") is not None:
            p["sampling_dt"] = self.dt  # the control needs every step
        self._outputs: list[str] = output_vars
        self._inputs = input_vars
        self.dim_vars, self.dim_in, self.dim_out = len(state_vars), len(input_vars), len(output_vars)
        self.state_vars_dict = {name: i for i, name in enumerate(state_vars)}
        self._out_idx = np.array([self.dynamics.state_vars.index(o) for o in self._outputs])
        self._state_idx = np.array([self.state_vars_dict[name] for name in self.dynamics.state_vars])
        self.target = _setup.check_target(target, (self.N, self.dim_out, self.T), output_vars)
        self.maximum_control_strength = _setup.limit_of(maximum_control_strength)
        self.print_array = list(print_array)
        self.cost_interval = convert_interval(cost_interval, self.T, "cost_interval")
        self.control_interval = convert_interval(control_interval, self.T, "control_interval")
        self.cost_matrix = _setup.binary_matrix("cost_matrix", cost_matrix, self.N, self.dim_out, "node x output")
        self.control_matrix = _setup.binary_matrix(
            "control_matrix", control_matrix, self.N, self.dim_in, "node x input"
        )
        available = getattr(self.dynamics, "inputs_available", None)  # nodes with fewer inputs than others
        if available is not None and not available.all():
            if control_matrix is not None and np.any(self.control_matrix[~available] != 0):
                n, j = np.argwhere((self.control_matrix != 0) & ~available)[0]
                raise ParameterError(f"control_matrix[{n}, {j}] is 1, but node {n} has no input {j}.")
            self.control_matrix = self.control_matrix * available
        self._setup_noise(M, M_validation, validate_per_step)
        self.adjust_init()
        self.Dmat_ndt = self.dynamics.delays(self.model.params)
        self._x0 = self._initial_outputs()
        self.adjust_input()
        self.check_params()
        self.simulate_forward()
        # step-size search
        self.step = 10.0
        self.count_noisy_step = 10
        self.count_step = 30
        self.factor_down = 0.5
        self.factor_up = 2.0
        self.state_dim = (self.N, self.dim_vars, self.T)
        self.adjoint_state = np.zeros(self.state_dim)
        self.gradient = np.zeros((self.N, self.dim_in, self.T))
        # histories: cost per iteration (first: iteration 0), accepted steps, search loops, controls (noisy case)
        self.cost_history: list[float] = []
        self.step_sizes_history: list[float] = []
        self.step_sizes_loops_history: list[int] = []
        self.control_history: list[np.ndarray] = []
        self.zero_step_encountered = False
        # local E and I delays in steps (ALN's de, di; 0 for models without them)
        self.ndt_de, self.ndt_di = (int(np.around(float(p.get(k, 0.0)) / self.dt)) for k in ("de", "di"))
        self._prep = None
        self._evaluations = []
        self.model_params = self.get_model_params()

    # ------------------------------------------------------------------------------------------- set-up
    def get_state_vars_dict(self):
        """Index of every state variable (``model.state_vars`` order) by name."""
        return dict(self.state_vars_dict)

    def get_model_params(self):
        """The model's parameters: those of ``param_names`` as a tuple in that order if the class declares them
        (the established package's interface), else ``model.params``."""
        return params_tuple(self.model.params, self.param_names) if self.param_names else self.model.params

    def adjust_init(self):
        """Every initial history of an output variable as an (N, maxDelay + 1) array (constant past extended)."""
        S = self.dynamics.setup(self.model.params).S
        spec = getattr(self.model, "spec", None)
        if spec is None:
            return
        inits = dict(zip(spec.state_vars, spec.init_vars))
        for name in spec.buffered:
            key = inits.get(name)
            value = self.model.params.get(key) if key else None
            if value is None:
                continue
            arr = np.asarray(value, dtype=float)
            if arr.ndim == 0:
                arr = np.full((self.N, 1), float(arr))
            elif arr.ndim == 1:  # per-node values, or the history of a single node
                arr = arr.reshape(self.N, 1) if arr.size == self.N else arr.reshape(1, -1)
            if arr.ndim != 2 or arr.shape[0] != self.N:
                raise ParameterError(
                    f"Initial value '{key}' must have shape ({self.N}, k) (nodes x history), got {np.shape(value)}."
                )
            if arr.shape[1] >= S:
                arr = arr[:, -S:]
            else:  # too short: the oldest value continues into the past
                arr = np.concatenate((np.repeat(arr[:, :1], S - arr.shape[1], axis=1), arr), axis=1)
            self.model.params[key] = arr.copy()

    def _initial_outputs(self):
        """Initial values (time 0) of the outputs, (N, outputs)."""
        H, Y, _ = self.dynamics.initial_states(self.model.params)
        state0 = np.concatenate((H[-1], Y), axis=1)
        return np.stack([state0[:, self.dynamics.state_vars.index(o)] for o in self._outputs], axis=1)

    def adjust_input(self):
        """The initial control: the model's inputs as (N, T) series (a MultiModel: zero, added to its inputs)."""
        self.control = self.dynamics.initial_control(self.model, self.N, self.T)

    def check_params(self):
        """Check the control against the inputs of the model and the limits; raises ``ParameterError``."""
        self.control = _setup.check_control(self.control, (self.N, self.dim_in, self.T), self._inputs)
        self.dynamics.check_inputs(self.model, self.control)
        self.control = update_control_with_limit(
            self.N, self.dim_in, self.T, self.control, 0.0, self.control, self.maximum_control_strength
        )

    # ------------------------------------------------------------------------------------------- model runs
    def update_input(self):
        """Write the control into the model's inputs, one (N, T) array per input variable."""
        self.dynamics.write_control(self.model, self.control)

    def simulate_forward(self):
        """Run the model with its current inputs (warnings of a diverging run are silenced: the search handles NaN)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            self.dynamics.run(self.model)

    def get_xs(self) -> np.ndarray:
        """Outputs of the last run with the initial values in front, (N, outputs, T)."""
        xs = np.empty((self.N, self.dim_out, self.T))
        xs[:, :, 0] = self._x0
        for i, o in enumerate(self._outputs):
            xs[:, i, 1:] = self.model.outputs[o]
        return xs

    def get_xs_delay(self):
        """Like :meth:`get_xs`, with the initial history appended: (N, outputs, T + maxDelay), so that a negative
        time index -k reads the value k steps before the start."""
        H, Y, _ = self.dynamics.initial_states(self.model.params)
        idx = [self.dynamics.state_vars.index(o) for o in self._outputs]
        past = H[:-1].transpose(1, 2, 0)[:, idx, :] if H.shape[0] > 1 else np.zeros((self.N, self.dim_out, 0))
        return np.concatenate((self.get_xs(), past), axis=2)

    # ------------------------------------------------------------------------------------------- costs, gradient
    def _cost_of(self, xs, control):
        acc = cf.accuracy_cost(xs, self.target, self.weights, self.cost_matrix, self.dt, self.cost_interval)
        return acc + cf.control_strength_cost(control, self.weights, self.dt)

    def compute_total_cost(self) -> float:
        """Total cost of the last run and the current control (float)."""
        return self._cost_of(self.get_xs(), self.control)

    def _linearize(self, noisy=False, jacobians=True):
        """Trajectory of the current control and its step Jacobians (one noise realisation for a noisy model)."""
        pr = self._problem()
        rng = self._rng if (noisy or pr.noisy) else None
        inputs = self.control_matrix != 0 if jacobians else None
        return self.dynamics.linearize(pr, self.control, rng=rng, jacobians=jacobians, inputs=inputs)

    def _xs_of(self, lin):
        """Outputs (N, outputs, T) of a linearised trajectory."""
        return lin.XS[:, :, self._out_idx].transpose(1, 2, 0)

    def solve_adjoint(self, lin=None):
        """Adjoint of the current control (fills ``adjoint_state``); returns the input gradient dJ/du (T, N, inputs)."""
        lin = self._linearize() if lin is None else lin
        xs = self._xs_of(lin)
        fx = cf.derivative_accuracy_cost(xs, self.target, self.weights, self.cost_matrix, self.cost_interval)
        CX = np.zeros(lin.XS.shape)
        CX[:, :, self._out_idx] = fx.transpose(2, 0, 1) * self.dt
        costate, GU = lin.backward(CX)
        self.adjoint_state = self._adjoint_convention(costate)
        self._lin = lin
        return GU

    def _adjoint_convention(self, costate):
        """The co-state dJ/ds(t+1) as the established adjoint: sign flipped, algebraic rows per dt, OU rows 0."""
        adj = np.zeros(self.state_dim)
        scale = np.where(self.dynamics.algebraic, -1.0 / self.dt, -1.0)
        adj[:, self._state_idx, :-1] = scale[None, :, None] * costate[1:].transpose(1, 2, 0)
        return adj

    def compute_gradient(self, lin=None) -> np.ndarray:
        """Gradient of the total cost per unit time (N, inputs, T) at the current control; also ``self.gradient``."""
        GU = self.solve_adjoint(lin)
        start, stop = self.control_interval
        df_du = cf.derivative_control_strength_cost(self.control, self.weights, self.dt)
        grad = np.zeros((self.N, self.dim_in, self.T))
        share = GU.transpose(1, 2, 0) / self.dt
        grad[:, :, start:stop] = df_du[:, :, start:stop] + self.control_matrix[:, :, None] * share[:, :, start:stop]
        self.gradient = grad
        return grad

    # ------------------------------------------------------------------------------------------- optimisation
    def optimize(self, n_max_iterations: int) -> None:
        """Run up to ``n_max_iterations`` iterations (continuing from the current control and histories).

        Parameters
        ----------
        n_max_iterations : int
            Iterations of gradient descent; it stops early when no step size lowers the cost.
        """
        if isinstance(n_max_iterations, bool) or not isinstance(n_max_iterations, (int, np.integer)):
            raise ParameterError(f"n_max_iterations must be an integer >= 0, got {n_max_iterations!r}.")
        self.cost_interval = convert_interval(self.cost_interval, self.T, "cost_interval")
        self.control_interval = convert_interval(self.control_interval, self.T, "control_interval")
        self.control = _setup.check_control(self.control, (self.N, self.dim_in, self.T), self._inputs)
        self.control = update_control_with_limit(
            self.N, self.dim_in, self.T, self.control, 0.0, self.control, self.maximum_control_strength
        )
        self.control = limit_control_to_interval(self.N, self.dim_in, self.T, self.control, self.control_interval)
        self.update_input()
        self.zero_step_encountered = False
        self._begin()
        try:
            if self.M == 1:
                print("Compute control for a deterministic system")
                self.optimize_deterministic(int(n_max_iterations))
            else:
                print("Compute control for a noisy system")
                self.optimize_noisy(int(n_max_iterations))
        finally:
            self._end()

    def optimize_deterministic(self, n_max_iterations):
        """Gradient descent with one trajectory per cost evaluation."""
        _, cost = self._evaluation()
        print(f"Cost in iteration 0: {cost}")
        history = self.cost_history
        if not history:
            history.append(cost)
        for iteration in range(1, n_max_iterations + 1):
            grad = self.compute_gradient()
            if np.isnan(grad).any():
                print("nan in gradient, break")
                break
            self.step_size(-grad)
            _, cost = self._evaluation()
            if iteration in self.print_array:
                print(f"Cost in iteration {iteration}: {cost}")
            history.append(cost)
            if self.zero_step_encountered:
                print(f"Converged in iteration {iteration} with cost {cost}")
                break
        print(f"Final cost : {cost}")


class StrengthLastOC(OC):
    """:class:`OC` with ``maximum_control_strength`` as the last argument: the signature of the classes whose
    established version had no such argument (``OcWc``, ``OcAln``) and of the new ones, so that positional calls
    written for the established signatures keep working."""

    def __init__(
        self,
        model: Model,
        target: np.ndarray,
        weights: Mapping[str, float] | None = None,
        print_array: Sequence[int] = (),
        cost_interval: tuple[int | None, int | None] = (None, None),
        control_interval: tuple[int | None, int | None] = (None, None),
        cost_matrix: np.ndarray | None = None,
        control_matrix: np.ndarray | None = None,
        M: int = 1,
        M_validation: int = 0,
        validate_per_step: bool = False,
        maximum_control_strength: float | None = None,
    ) -> None:
        super().__init__(
            model, target, weights, maximum_control_strength, print_array, cost_interval, control_interval,
            cost_matrix, control_matrix, M, M_validation, validate_per_step,
        )  # fmt: skip
