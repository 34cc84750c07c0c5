"""Optimal control of noisy models: costs and gradients averaged over noise realisations."""

from __future__ import annotations

import logging
import numbers

import numpy as np

from neurolib.errors import ParameterError

logger = logging.getLogger("neurolib.control.optimal_control.oc")

_MAX_FAILED_RUNS = 100  # realisations producing NaN that are redrawn, per requested realisation


def _count(name, value, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


class NoisyMixin:
    """The noisy branch of :class:`~.oc.OC` (``M > 1``).

    Realisations are drawn from a generator private to the OC object, seeded with the model's ``seed`` (None: fresh
    entropy), so a seeded model gives a reproducible optimisation and no global random state is touched. Cost
    evaluations run the model with a new seed per realisation; the gradient of a realisation integrates its own
    noise along the trajectory that its Jacobians belong to.
    """

    def _setup_noise(self, M, M_validation, validate_per_step):
        self.M = max(1, _count("M", M, -(2**62)))
        self.M_validation = _count("M_validation", M_validation, 0)
        self.validate_per_step = bool(validate_per_step)
        self.cost_validation = 0.0
        self._shared_seeds = None
        self._rng = np.random.default_rng(self.model.params.get("seed"))
        noisy = self._noisy_model
        if noisy and self.M <= 1:
            logger.warning(
                "The model is noisy (sigma_ou > 0, or random input processes) but M = 1: each cost comes from one "
                "noise realisation. "
                "Use M > 1 (better > 10) for a noisy optimisation."
            )
        if noisy and self.M > self.M_validation:
            print("Note: M_validation should be larger than M, to validate the result with more noise realisations.")
        if not noisy and (self.M > 1 or self.M_validation != 0 or self.validate_per_step):
            print("Note: the model is deterministic (no noise); M, M_validation and validate_per_step are irrelevant.")

    @property
    def _noisy_model(self):
        """Whether runs of the model draw noise."""
        return bool(self.dynamics.setup(self.model.params).noisy)

    def compute_cost_noisy(self, M):
        """Mean total cost of the current control over ``M`` forward runs with different noise (runs that produce
        NaN are redrawn). Inside one step-size search all candidates share the same realisations (common random
        numbers), so that their costs differ by the control, not by the noise."""
        M = _count("M", M, 1)
        seed0 = self.model.params.get("seed")
        shared = self._shared_seeds if self._shared_seeds is not None and len(self._shared_seeds) >= M else None
        costs, failed = [], 0
        try:
            while len(costs) < M:
                k = len(costs) + failed
                fresh = shared is None or k >= len(shared)
                self.model.params["seed"] = int(self._rng.integers(2**31)) if fresh else int(shared[k])
                self.simulate_forward()
                cost = self.compute_total_cost()
                if np.isnan(cost):
                    failed += 1
                    if failed > _MAX_FAILED_RUNS * M:
                        return float("nan")
                    continue
                costs.append(cost)
        finally:
            self.model.params["seed"] = seed0
        return float(np.mean(costs))

    def _realisations(self):
        """Gradients (M, N, inputs, T) of M noise realisations and the cost of the current control (the mean of
        their costs, or the ``M_validation`` estimate with ``validate_per_step``)."""
        grads = np.zeros((self.M, self.N, self.dim_in, self.T))
        costs, failed = [], 0
        while len(costs) < self.M:
            lin = self._linearize(noisy=True)
            cost = self._cost_of(self._xs_of(lin), self.control)
            if np.isnan(cost) and failed < _MAX_FAILED_RUNS * self.M:
                failed += 1
                continue
            grads[len(costs)] = self.compute_gradient(lin)
            costs.append(cost)
        if self.validate_per_step and self.M_validation > 0:
            return grads, self.compute_cost_noisy(self.M_validation)
        return grads, float(np.mean(costs))

    def optimize_noisy(self, n_max_iterations):
        """Gradient descent on the mean cost over ``M`` realisations; keeps the control of the lowest cost."""
        if not self.control_history:
            self.control_history.append(self.control.copy())
        grads, cost = self._realisations()
        print(f"Mean cost in iteration 0: {cost}")
        history = self.cost_history
        if not history:
            history.append(cost)
        failures = 0
        for iteration in range(1, n_max_iterations + 1):
            self.gradient = grads.mean(axis=0)
            step = 0.0
            for _ in range(self.count_noisy_step):
                self.zero_step_encountered = False
                step = self.step_size(-self.gradient)
                if step != 0.0:
                    break
            if step == 0.0:
                print("Failed to improve further for noisy system.")
                failures += 1
                if failures > 2:
                    print("Failed to improve further for noisy system three times in a row, stop optimization.")
                    break
            else:
                failures = 0
            self.control_history.append(self.control.copy())
            grads, cost = self._realisations()
            if iteration in self.print_array:
                print(f"Mean cost in iteration {iteration}: {cost}")
            history.append(cost)
        best = int(np.argmin(history))
        print(f"Minimal cost found at iteration {best}")
        self.control = self.control_history[best].copy()
        self.update_input()
        if self.M_validation > 0:
            validated = self.compute_cost_noisy(self.M_validation)
            self.cost_validation = validated
            print(f"Final cost validated with {self.M_validation} noise realizations : {validated}")
