"""The adaptive step-size search of :class:`~.oc.OC` and the bookkeeping of evaluated controls.

Trial controls of a deterministic model are integrated by the same compiled sweep that gives the Jacobians (without
them), from parameters packed once per ``optimize()`` call: its trajectories are bit for bit those of ``model.run()``
(``tests/control/test_oc_api.py``), while a ``model.run()`` spends ten times longer validating and packing the
parameters than integrating a few hundred steps. A batch (``model.run_batch``) packs every member again, so it does
not pay here. Noisy models are run through ``model.run()``, one noise realisation per run. At the end of
``optimize()`` the model is run once with the final control, so ``oc.model`` holds its outputs.
"""

from __future__ import annotations

import numpy as np

from neurolib.control.optimal_control._setup import update_control_with_limit

_KEPT = 4  # evaluated controls remembered (the search returns to one of its last candidates)


class StepSearchMixin:
    """``step_size`` with its increase and decrease phases; trajectories and costs of candidate controls."""

    # True reproduces the established package's increase phase, which judges the first doubled step against the cost
    # before the step rather than against the cost of the initial step (and may then keep doubling)
    _first_doubling_vs_cost0 = False

    # ------------------------------------------------------------------------------------------- evaluations
    def _begin(self):
        """Start of ``optimize()``: parameters packed once, no remembered evaluations."""
        self._prep = self.dynamics.prepare(self.model.params)
        self._evaluations = []

    def _end(self):
        """End of ``optimize()``: the model runs with the final control (its outputs are the result's)."""
        self._prep = None
        self._evaluations = []
        self.update_input()
        self.simulate_forward()

    def _problem(self):
        """The packed parameters (of this ``optimize()`` call, or packed now)."""
        return self._prep if self._prep is not None else self.dynamics.prepare(self.model.params)

    def _replayed(self):
        """Whether candidate controls are integrated by the sweep: a deterministic model inside ``optimize()``."""
        return self._prep is not None and not self._prep.noisy and self.M == 1

    def _evaluation(self):
        """Outputs (N, outputs, T) and total cost of the current control (one run)."""
        key = self.control.tobytes()
        for known, xs, cost in self._evaluations:
            if known == key:
                return xs, cost
        if self._replayed():
            xs = self._xs_of(self._linearize(jacobians=False))
        else:
            self.update_input()
            self.simulate_forward()
            xs = self.get_xs()
        cost = self._cost_of(xs, self.control)
        if self._replayed():  # a noisy run is never reused
            self._evaluations.append((key, xs, cost))
            del self._evaluations[:-_KEPT]
        return xs, cost

    def _cost_now(self):
        """Cost of the current control (noisy: mean over ``M`` realisations)."""
        if self.M > 1:
            return self.compute_cost_noisy(self.M)
        return self._evaluation()[1]

    def _try(self, control0, step, direction):
        """Make ``control0 + step * direction`` (limited) the control and integrate it once."""
        self.control = update_control_with_limit(
            self.N, self.dim_in, self.T, control0, step, direction, self.maximum_control_strength
        )
        if self.M > 1:
            self.update_input()
            self.simulate_forward()
            self._tried = (self.get_xs(), None)
        else:
            self._tried = self._evaluation()

    def _diverged(self):
        return bool(np.isnan(self._tried[0]).any())

    def _cost_tried(self):
        """Cost of the control just tried (noisy: over ``M`` realisations)."""
        return self.compute_cost_noisy(self.M) if self.M > 1 else self._tried[1]

    # ------------------------------------------------------------------------------------------- the search
    def step_size(self, direction):
        """Adaptive step along ``direction`` (N, inputs, T); makes the accepted step the control and returns it.

        The last accepted step is tried first (divided by 4 while the run diverges). A step that raises the cost is
        halved until it does not (at most ``count_step`` times, else the step is 0 and ``zero_step_encountered`` is
        set); one that lowers it is doubled once and the doubled step kept if it is at least as good.
        """
        if self.M > 1:  # one set of noise realisations for every candidate of this search
            self._shared_seeds = self._rng.integers(2**31, size=self.M)
        try:
            step, loops = self._search(direction)
        finally:
            self._shared_seeds = None
        self.update_input()
        self.step_sizes_loops_history.append(loops)
        self.step_sizes_history.append(step)
        return step

    def _search(self, direction):
        cost0 = self._cost_now()
        step = self.step
        control0 = self.control.copy()
        while True:
            self._try(control0, step, direction)
            if not self._diverged():
                break
            step *= self.factor_down**2
            self.step = step
            print(f"Diverging model output, decrease step size to {step}.")
        cost = self._cost_tried()
        if cost > cost0 or np.isnan(cost):
            step, loops = self.decrease_step(cost, cost0, step, control0, self.factor_down, direction)
        elif cost < cost0:
            step, loops = self.increase_step(cost, cost0, step, control0, self.factor_up, direction)
        else:
            step, loops = 0.0, 0
        if step == 0.0:
            self.control = control0
            self.zero_step_encountered = True
        else:
            self.step = step
        return step, loops

    def decrease_step(self, cost, cost0, step, control0, factor_down, direction):
        """Halve ``step`` until the cost is at most ``cost0`` (0 after ``count_step`` halvings); (step, loops)."""
        loops = 0
        while not cost <= cost0:
            if loops == self.count_step:
                return 0.0, loops
            step *= factor_down
            loops += 1
            self._try(control0, step, direction)
            cost = self._cost_tried()
        return step, loops

    def increase_step(self, cost, cost0, step, control0, factor_up, direction):
        """Try the doubled step; keep it if its cost is at most that of ``step``. Returns (step, loops).

        The established package's loop, as its outputs show, accepts at most one doubling when the doubled step is
        better than the initial one; when it is worse but still better than the cost before the step (``cost0``),
        it accepts it and goes on doubling while each new step beats the previous one. ``_first_doubling_vs_cost0``
        reproduces that; by default a doubling that is worse than the initial step is rejected.
        """
        quirk = self._first_doubling_vs_cost0
        best = cost0 if quirk else cost
        loops = 0
        while loops < self.count_step:
            trial = step * factor_up
            self._try(control0, trial, direction)
            if self._diverged():
                break
            new = self._cost_tried()
            loops += 1
            if not new <= best:
                break
            best, step = new, trial
            if not (quirk and cost < best):
                break
        self.control = update_control_with_limit(
            self.N, self.dim_in, self.T, control0, step, direction, self.maximum_control_strength
        )
        return step, loops
