"""Glue between the public ``Model`` API and the engine, shared by all native models."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from neurolib._core import noise
from neurolib._core.integrate import Engine, n_steps
from neurolib._core.params import ParamDict, default_params
from neurolib._core.spec import META, OU, ModelSpec, Param
from neurolib.errors import ParameterError
from neurolib.models import _batch
from neurolib.models.model import Model

_engines: dict = {}


def engine(spec) -> Engine:
    """The (shared) engine of a model spec."""
    if spec.name not in _engines:
        _engines[spec.name] = Engine(spec)
    return _engines[spec.name]


def common_params(dt=0.1, duration=2000.0, signalV=20.0):
    """Parameter rows shared by all native network models."""
    return (
        Param("dt", dt, "ms", "integration time step", low=0.0),
        Param("duration", duration, "ms", "simulated time", low=0.0),
        Param("seed", None, "-", "seed of the random initial values and the noise (None: fresh)", META),
        Param("N", 1, "-", "number of nodes", META),
        Param("Cmat", None, "-", "structural connectivity, Cmat[i, j] = coupling from j to i", META),
        Param("lengthMat", None, "mm", "fibre lengths (the Dmat argument)", META),
        Param("signalV", signalV, "mm/ms", "signal transmission speed (0: no delays)", low=0.0),
    )


def per_node(value):
    """Default of ``N`` per-node values, all equal to ``value``."""
    return lambda N, rng: np.full(N, float(value))


def ou_params(channels, unit="-", sigma_unit="-"):
    """Parameter rows of OU noise on ``channels`` (e.g. ``("x", "y")``): ``tau_ou``, ``sigma_ou``, a mean
    ``<channel>_ou_mean`` and an initial state ``<channel>_ou`` per channel (``unit``: of the means/states)."""
    rows = [
        Param("tau_ou", 5.0, "ms", "OU time constant", low=0.0),
        Param("sigma_ou", 0.0, sigma_unit, "OU noise intensity", low=0.0),
    ]
    rows += [Param(f"{c}_ou_mean", 0.0, unit, f"OU mean, {c} channel") for c in channels]
    rows += [Param(f"{c}_ou", per_node(0.0), unit, f"initial OU state, {c} channel", OU) for c in channels]
    return tuple(rows)


def coupling_mode(params, N):
    """Kernel parameters of the 'diffusive' / 'additive' coupling switch (Hopf, FHN)."""
    mode = params.get("coupling")
    if mode not in ("diffusive", "additive"):
        raise ParameterError(f"Parameter 'coupling' must be 'diffusive' or 'additive', got {mode!r}.")
    return {"_diffusive": float(mode == "diffusive"), "_csum": np.asarray(params["Cmat"], float).sum(axis=1)}


def _variables(spec, X, Y, Q):
    """Engine buffers as upstream-style arrays in state_vars order: (N, S + T) per buffered variable, (N,) else."""
    arrays = {name: X[0, v].T for v, name in enumerate(spec.buffered)}
    arrays.update({name: Y[0, :, v].copy() for v, name in enumerate(spec.unbuffered)})
    arrays.update({name: Q[0, :, v].copy() for v, name in enumerate(spec.ou)})
    return [arrays[name] for name in spec.state_vars]


def default_loader(spec, title):
    """A model's ``loadDefaultParams(Cmat=None, Dmat=None, seed=None)``, built from its spec."""

    def loadDefaultParams(Cmat=None, Dmat=None, seed=None):
        return default_params(spec, Cmat, Dmat, seed)

    loadDefaultParams.__doc__ = f"""Default parameters of the {title} model.

    Parameters
    ----------
    Cmat : ndarray, optional
        Structural connectivity (N x N), Cmat[i, j] = coupling from node j to node i; None gives one node.
    Dmat : ndarray, optional
        Fibre lengths in mm (N x N).
    seed : int, optional
        Seed of the random initial values and of the noise.

    Returns
    -------
    dotdict
        Every parameter with its default.
    """
    return loadDefaultParams


def integration_function(spec):
    """An upstream-style ``timeIntegration(params) -> (t, *state_vars)`` for one whole run."""

    def timeIntegration(params):
        """Integrate for ``params['duration']`` ms; returns ``(t, *state_vars)``, buffers with their history."""
        eng = engine(spec)
        T = n_steps(params["duration"], params["dt"])
        X, Y, Q, _ = eng.run(params, T)
        return (np.arange(1, T + 1) * params["dt"], *_variables(spec, X, Y, Q))

    return timeIntegration


# methods of a run: a subclass that overrides one of them integrates batches one run after the other (through its
# own run()) unless it declares ``batchable`` itself
_RUN_PATH = ("run", "integrate", "_segment", "_integrate_steps", "storeOutputsAndStates", "_bold", "initializeRun")


class NativeModel(Model):
    """A model integrated by the engine. Subclasses set ``spec`` and ``_load_defaults``.

    Native models integrate batches in one engine call (``batchable = True``, see :meth:`run_batch`) and pickle:
    the compiled engine and integration function are left out and rebuilt when the model is unpickled.
    """

    spec: ModelSpec | None = None
    _load_defaults: Callable[..., dict] | None = None
    _time_integration: Callable[[Mapping[str, Any]], tuple] | None = None
    _bold_by_block = True
    batchable = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "batchable" not in cls.__dict__ and any(name in cls.__dict__ for name in _RUN_PATH):
            cls.batchable = False
        s = cls.spec
        if s is None:
            return
        cls.name = s.name
        cls.description = s.description
        cls.state_vars = list(s.state_vars)
        cls.init_vars = list(s.init_vars)
        cls.output_vars = list(s.output_vars)
        cls.default_output = s.default_output
        cls.input_vars = list(s.inputs)
        cls.default_input = s.default_input
        if s.bold_transform is not None:
            transform = s.bold_transform
            cls.boldInputTransform = staticmethod(transform)

    def __init__(
        self,
        params: Mapping[str, Any] | None = None,
        Cmat: np.ndarray | None = None,
        Dmat: np.ndarray | None = None,
        seed: int | None = None,
    ) -> None:
        self.Cmat = Cmat
        self.Dmat = Dmat
        self.seed = seed
        cls = type(self)
        assert cls.spec is not None and cls._load_defaults is not None and cls._time_integration is not None
        if params is None:
            params = cls._load_defaults(Cmat=Cmat, Dmat=Dmat, seed=seed)
        known = [p.name for p in cls.spec.params]
        params = ParamDict(params, known=known, model=cls.spec.name)
        self._engine = engine(cls.spec)
        super().__init__(integration=cls._time_integration, params=params)

    # ------------------------------------------------------------------ pickling (workers, saved searches)
    def __getstate__(self):
        state = dict(self.__dict__)
        for key in ("_engine", "integration", "_progress"):  # compiled code and callables: rebuilt on load
            state.pop(key, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._engine = engine(self.spec)
        self.integration = type(self)._time_integration
        self._progress = None

    # ------------------------------------------------------------------ batches
    def run_batch(
        self, param_sets, *, bold=False, outputs=None, evaluate=None, threads=1,
        max_bytes=_batch.DEFAULT_BATCH_BYTES, contiguous=False,
    ):  # fmt: skip
        """Integrate many parameter sets together; see :meth:`neurolib.models.model.Model.run_batch`.

        Members that share the network, ``dt``, ``duration`` and ``sampling_dt`` are integrated by one engine
        call per time segment (single nodes in one kernel call per block, network members one after the other
        or on ``threads`` threads), each exactly as ``run()`` integrates it alone. Runs whose buffers would
        exceed ``max_bytes`` (bytes) are integrated in segments that continue each other, keeping only the
        requested outputs and feeding BOLD block by block, so memory stays bounded.
        """
        sets, names = _batch.check_args(self, param_sets, bold, outputs, evaluate, threads, max_bytes, contiguous)
        if not self.batchable:
            return _batch.run_sequential(self, sets, names, bold, evaluate, contiguous)
        return _batch.run_native(self, sets, names, bold, evaluate, int(threads), float(max_bytes), bool(contiguous))

    def check_params(self, params):
        """Validate and pack ``params`` (a full parameter dict) as a run does; raises ``ParameterError``."""
        self._engine.setup(params)

    def getMaxDelay(self):
        """Largest delay of the network in steps of ``dt`` (as the integration uses it).

        Validates and packs the parameters; ``run()`` calls it first and its segments reuse the result.
        """
        self._setup = self._engine.setup(self.params)
        return self._setup.S - 1

    def _time_vars(self):
        return len(self.spec.buffered)

    def _integrate_steps(self, steps, T, g_in_run, bold=None):
        if self._gen is None:
            self._gen = noise.generator(self.params.get("seed"))
        on_block = None
        if bold is not None:  # feed BOLD block by block on the second thread while integrating
            v = self.spec.buffered.index(self.default_output)

            def on_block(X, i0, i1, lo, hi):
                bold(X[0, v, i0:i1].T)

        carried = self._carried_keys()
        # the state carried over from the previous segment is taken as it is (NaN included); user values are checked
        state = self._engine.initial_state(self.params, self._setup, carried) if carried else None
        X, Y, Q, setup = self._engine.run(
            self.params,
            steps,
            T=T,
            g0=g_in_run,
            gen=self._gen,
            setup=self._setup,  # packed by initializeRun() at the start of this run
            state=state,
            progress=self._progress,
            on_block=on_block,
        )
        self.startindt = setup.S
        t = (self._steps_done + np.arange(1, steps + 1)) * self.params["dt"]
        return t, _variables(self.spec, X, Y, Q)
