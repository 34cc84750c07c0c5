"""jitcdde backend: the equations compiled to C by jitcdde and integrated with its adaptive Bogacki-Shampine scheme.

Delays are exact (continuous time); inputs are cubic Hermite splines (``chspy``) fed through ``jitcdde_input``.
The compiled module is kept in the user cache folder, keyed by the equations (and the input length, which jitcdde
compiles in), so repeated runs of the same model do not compile again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import warnings

import numpy as np

from neurolib._core._loop import cache_dir
from neurolib.errors import ParameterError
from neurolib.models.multimodel.builder.base.neural_mass import function_name

logger = logging.getLogger(__name__)

# jitcdde's defaults (MultiModel never changed them): absolute and relative local error tolerance
ATOL, RTOL = 1e-10, 1e-5


def _module_path(key):
    """Where the compiled module of ``key`` is kept (its file name is also the module name jitcdde compiled in)."""
    from importlib.machinery import EXTENSION_SUFFIXES

    folder = os.path.join(cache_dir(), "jitcdde")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"_nl_jitcdde_{key}" + sorted(EXTENSION_SUFFIXES, key=len)[0])


def _save(dde, path):
    """Save the compiled module of ``dde`` at ``path`` (atomically; failures only cost a later compilation)."""
    try:
        with tempfile.TemporaryDirectory(dir=os.path.dirname(path)) as tmp:
            saved = dde.save_compiled(tmp + os.sep, overwrite=True)
            os.replace(saved, path)
    except Exception as err:  # noqa: BLE001 - caching is an optimisation only
        logger.info(f"Could not cache the jitcdde module ({err}).")


class JitcddeBackend:
    """Integrates a node's or network's equations with jitcdde (needs a C compiler on first use of a model)."""

    name = "jitcdde"

    def __init__(self, atol=ATOL, rtol=RTOL):
        self.atol, self.rtol = atol, rtol
        self.dde_system = None

    def _system(self, instance, spline, max_delay):

        derivatives = list(instance._derivatives())
        helpers = list(instance._sync())
        callbacks = list({function_name(c[0]): c for c in instance._callbacks()}.values())  # one per name
        n = len(derivatives)
        text = "\n".join(
            [str(e) for e in derivatives]
            + [f"{s} = {e}" for s, e in helpers]
            + [function_name(c[0]) for c in callbacks]
            + [repr(float(spline[-1].time)), repr(float(max_delay)), str(spline.n)]
        )
        key = hashlib.sha256(text.encode()).hexdigest()[:24]
        with warnings.catch_warnings():  # jitcdde warns that inputs start at dt, not 0 (extrapolated: as intended)
            warnings.simplefilter("ignore")
            return self._build(key, derivatives, helpers, spline, n, max_delay, callbacks)

    def _build(self, key, derivatives, helpers, spline, n, max_delay, callbacks):
        from jitcdde import jitcdde_input

        path = _module_path(key)
        common = dict(input=spline, n=n, max_delay=max_delay, callback_functions=callbacks, verbose=False)
        if os.path.exists(path):
            try:
                return jitcdde_input(derivatives, helpers=helpers, module_location=path, **common)
            except Exception as err:  # noqa: BLE001 - a stale or foreign module file: compile anew
                logger.info(f"jitcdde module {path} not usable ({err}); compiling again.")
        dde = jitcdde_input(derivatives, helpers=helpers, **common)
        name = f"_nl_jitcdde_{key}"
        dde.compile_C(simplify=False, do_cse=False, verbose=False, modulename=None if name in sys.modules else name)
        if not os.path.exists(path):
            _save(dde, path)
        return dde

    def run(self, instance, duration, dt, noise_input, initial_state=None):
        """Integrate ``duration`` ms, sampled every ``dt`` ms; returns ``(times (T,), states (n, T))`` in ms.

        Parameters
        ----------
        instance : Node or Network
        duration, dt : float
            Length and sampling interval, ms.
        noise_input : chspy.CubicHermiteSpline
            All input channels (anchors from ``dt`` to ``duration``).
        initial_state : ndarray, optional
            Start instead of ``instance.initial_state``: 1-D (constant past) or 2-D history (newest column last).
        """
        from neurolib._core.integrate import n_steps

        max_delay = float(instance.max_delay)
        self.dde_system = dde = self._system(instance, noise_input, max_delay)
        dde.set_integration_parameters(atol=self.atol, rtol=self.rtol)
        x0 = np.asarray(instance.initial_state if initial_state is None else initial_state, dtype=float)
        if x0.ndim == 2 and x0.shape[1] == 1:
            x0 = x0[:, 0]
        if x0.ndim == 1:
            dde.constant_past(x0, time=0.0)
        else:  # a history, newest column last, at times -(S-1) dt ... 0
            S = x0.shape[1]
            slopes = np.gradient(x0, dt, axis=1) if S > 1 else np.zeros_like(x0)
            for col in range(S):
                dde.add_past_point(-(S - 1 - col) * dt, x0[:, col], slopes[:, col])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dde.adjust_diff()
            T = n_steps(duration, dt)
            times = np.arange(1, T + 1) * dt
            states = np.empty((len(derivative_rows(instance)), T))
            for k, time in enumerate(times):
                states[:, k] = dde.integrate(time)[: states.shape[0]]
        if not np.all(np.isfinite(states)):
            logger.warning(f"{instance.name}: the jitcdde integration produced NaN or inf.")
        return times, states


def derivative_rows(instance):
    """Range of the state variables of ``instance`` (jitcdde appends its input channels after them)."""
    if instance.num_state_variables < 1:
        raise ParameterError(f"{instance.name}: no state variables to integrate.")
    return range(instance.num_state_variables)
