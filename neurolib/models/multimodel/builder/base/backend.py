"""``BackendIntegrator``: ``run()`` for nodes and networks, on the numba or the jitcdde backend.

============  =======================================  ================================================
              ``"numba"`` (MultiModel's default)       ``"jitcdde"``
============  =======================================  ================================================
method        forward Euler, fixed ``dt``              adaptive Bogacki-Shampine (jitcdde), C code
``dt``        integration step                         sampling interval of the returned series
inputs        ndarray (channels, steps)                ``chspy.CubicHermiteSpline`` of all channels
delays        rounded to steps, ``round(tau / dt)``    exact
============  =======================================  ================================================
"""

from __future__ import annotations

import logging
import time

import numpy as np

from neurolib.errors import ParameterError, ParameterTypeError

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "numba"
BACKENDS = ("numba", "jitcdde")


def make_backend(name):
    """A new backend object by name."""
    if name == "numba":
        from neurolib.models.multimodel.builder.base.numba_backend import NumbaBackend

        return NumbaBackend()
    if name == "jitcdde":
        from neurolib.models.multimodel.builder.base.jitcdde_backend import JitcddeBackend

        return JitcddeBackend()
    raise ParameterError(f"Unknown backend {name!r}; use one of {BACKENDS}.")


def is_spline(obj):
    """Whether ``obj`` is a ``chspy.CubicHermiteSpline``."""
    try:
        from chspy import CubicHermiteSpline
    except ImportError:  # pragma: no cover - chspy is part of the multimodel extra
        return False
    return isinstance(obj, CubicHermiteSpline)


class BackendIntegrator:
    """Mixin giving nodes and networks ``run()`` (and ``clean()``); the backend object is kept between runs."""

    _backend = None

    def backend_for(self, backend):
        """The backend object for ``backend`` (``"numba"`` or ``"jitcdde"``), created when needed."""
        if backend not in BACKENDS:
            raise ParameterError(f"Unknown backend {backend!r}; use one of {BACKENDS}.")
        if self._backend is None or self._backend.name != backend:
            self._backend = make_backend(backend)
        return self._backend

    def run(self, duration, dt, noise_input, backend=DEFAULT_BACKEND, return_xarray=True, **kwargs):
        """Integrate the node or network from its ``initial_state``.

        Parameters
        ----------
        duration : float
            Simulated time, ms.
        dt : float
            Integration step (numba) or sampling interval (jitcdde), ms.
        noise_input : ndarray or chspy.CubicHermiteSpline
            All input channels: ``(num_noise_variables, duration / dt)`` for numba (column k drives step k), a
            spline for jitcdde.
        backend : {"numba", "jitcdde"}
            Integration backend.
        return_xarray : bool
            Return an ``xarray.Dataset`` (time in s) instead of ``(times in ms, states (variables, time))``.

        Returns
        -------
        xarray.Dataset or tuple
            One data variable per state variable name, dims ``("time", "node")``, time in seconds rounded to 10 µs;
            samples at ``dt, 2 dt, ..., duration``.
        """
        for attr in ("initialised", "num_state_variables", "num_noise_variables", "_derivatives", "_sync"):
            if not hasattr(self, attr):
                raise ParameterError(f"{type(self).__name__} lacks '{attr}' needed to run.")
        if not self.initialised:
            raise ParameterError("Model must be initialised (init_node / init_network) before it runs.")
        if not isinstance(noise_input, np.ndarray) and not is_spline(noise_input):
            raise ParameterTypeError(
                f"'noise_input' must be a numpy array (numba) or a chspy.CubicHermiteSpline (jitcdde), got "
                f"{type(noise_input).__name__}."
            )
        integrator = self.backend_for(backend)
        start = time.perf_counter()
        if backend == "numba":
            from neurolib.models.multimodel.builder.base.numba_backend import run

            if not isinstance(noise_input, np.ndarray):
                raise ParameterTypeError("The numba backend needs 'noise_input' as a numpy array.")
            times, states = run(self, duration, dt, noise_input)
        else:
            if not is_spline(noise_input):
                raise ParameterTypeError("The jitcdde backend needs 'noise_input' as a chspy.CubicHermiteSpline.")
            times, states = integrator.run(self, duration, dt, noise_input)
        logger.info(f"{self.name}: integrated {duration} ms with {backend} in {time.perf_counter() - start:.3f} s.")
        if states.shape != (self.num_state_variables, len(times)):
            raise ParameterError(f"{self.name}: the backend returned states of shape {states.shape}.")
        return to_xarray(self, times, states) if return_xarray else (times, states)

    def make_params_symbolic(self, vector=False):
        """Replace every numeric parameter (masses, local and network matrices; not the inputs) by a symengine
        symbol named by its dotted key (``.`` -> ``DOT``, matrix entries ``_<i>_<j>``), as the numba backend does
        while it derives the equations. :meth:`make_params_floats` puts the values back.

        Parameters
        ----------
        vector : bool
            Accepted for compatibility; the symbols are always individual ones.
        """
        from neurolib.models.multimodel.builder.base._symbolic import symbolize

        if not getattr(self, "are_params_floats", True):
            return
        self.float_params = symbolize(self)
        self.are_params_floats = False

    def make_params_floats(self):
        """Put back the values replaced by :meth:`make_params_symbolic`."""
        from neurolib.models.multimodel.builder.base._symbolic import top_prefix

        if getattr(self, "are_params_floats", True):
            return
        originals = self.float_params or {}
        self._swap_params(top_prefix(self), lambda key, value: originals.get(key, value))
        self.float_params = None
        self.are_params_floats = True

    def clean(self):
        """Forget the backend (its compiled equations stay in the cache folder for later runs)."""
        self._backend = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_backend", None)  # compiled code: made again (from the disk cache) after unpickling
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)


def variable_layout(instance):
    """Distinct state variable names (in order of appearance) and ``{name: [(node, state index), ...]}``."""
    names, where, start = [], {}, 0
    for node, node_names in enumerate(instance.state_variable_names):
        for k, name in enumerate(node_names):
            if name not in where:
                names.append(name)
                where[name] = []
            where[name].append((node, start + k))
        start += len(node_names)
    return names, where


def per_node(instance, states, names=None):
    """``{name: (nodes, time) array}`` from states (variables, time); NaN where a node lacks the variable."""
    all_names, where = variable_layout(instance)
    n_nodes = len(instance.state_variable_names)
    out = {}
    for name in all_names if names is None else names:
        arr = np.full((n_nodes, states.shape[1]), np.nan)
        for node, k in where[name]:
            arr[node] = states[k]
        out[name] = arr
    return out


def to_xarray(instance, times_ms, states):
    """The states as an ``xarray.Dataset`` (dims ``time`` in s, ``node``)."""
    import xarray as xr

    data = per_node(instance, states)
    n_nodes = len(instance.state_variable_names)
    coords = {"time": np.round(np.asarray(times_ms) / 1000.0, 5), "node": np.arange(n_nodes)}
    return xr.Dataset({name: (("time", "node"), arr.T) for name, arr in data.items()}, coords=coords)
