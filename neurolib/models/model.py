"""The ``Model`` base class: the public run/output API every neurolib model shares.

How problems are reported (one channel each, never both):

* ``warnings.warn`` for something the user should act on: outputs that became NaN or inf, BOLD asked of a
  model whose BOLD model was never set up. One warning per run, so the same text is never printed twice.
* ``logging`` (logger ``neurolib.models.model``) for progress and information that needs no action.
* Exceptions from :mod:`neurolib.errors` for bad input; they are also ``AssertionError``s, as the established
  package raised those.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from neurolib._core import _memory
from neurolib._core.integrate import n_steps
from neurolib._core.params import validate_run
from neurolib.errors import OutputTooLargeError, ParameterError, ParameterKeyError, ParameterTypeError
from neurolib.models import _batch
from neurolib.models.bold import BOLDModel
from neurolib.utils.collections import dotdict

if TYPE_CHECKING:
    import xarray

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_MS = 2000.0  # model time integrated per chunk when run(chunkwise=True) gets no chunksize


def _size_text(nbytes):
    """``nbytes`` in readable units (decimal: kB, MB, GB, TB)."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{int(nbytes)} bytes"


class Model:
    """Base class of all models.

    How to write a model (the native models do this through ``neurolib.models._native``):

    1. Set the class attributes ``name`` (str), ``state_vars`` (names of the arrays the integration
       returns after ``t``, in order), ``default_output`` (one of them), and optionally ``output_vars``
       (default: all state variables), ``init_vars`` (the parameter seeding each state variable, same
       order; needed for chunkwise and continued runs), ``input_vars``, ``default_input`` and
       ``boldInputTransform`` (a function applied to the default output before BOLD).
    2. Write an integration function ``integration(params) -> (t, var_1, ..., var_k)``. ``t`` holds the
       step times ``dt, 2 dt, ..., duration`` (ms). A 2-D variable is ``(N, startindt + len(t))``: its first
       ``startindt = getMaxDelay() + 1`` columns are the initial history. A 1-D variable is its final value.
    3. Call ``super().__init__(integration, params)`` with a dict of parameters holding at least ``dt``
       and ``duration`` (ms), and ``N`` for BOLD.

    The base class then provides ``run`` (single, chunkwise and continued runs, BOLD), the stored
    ``outputs`` and ``state``, ``t``, ``output``, ``model[name]``, ``xr()`` and ``randomICs()``.
    """

    name = "Noname"
    description = ""
    state_vars: list[str] | None = None
    output_vars: list[str] | None = None
    default_output: str | None = None
    init_vars: list[str] | None = None
    input_vars: list[str] | None = None
    default_input: str | None = None
    boldInputTransform: Callable[[np.ndarray], np.ndarray] | None = None  # applied to the default output for BOLD
    batchable: bool = False  # True where run_batch integrates many parameter sets in one engine call

    def __init__(self, integration: Callable[..., tuple], params: Mapping[str, Any]) -> None:
        if getattr(self, "name", None) is None:
            self.name = "Noname"
        elif not isinstance(self.name, str):
            raise ParameterTypeError(f"Model: the class attribute 'name' must be a str, got {self.name!r}.")
        if integration is None:
            raise ParameterError("Model: 'integration' must be a function params -> (t, *state_vars), got None.")
        if not isinstance(params, dict):
            raise ParameterTypeError(f"Model: 'params' must be a dict, got {type(params).__name__}.")
        names = self.state_vars
        if not isinstance(names, (list, tuple)) or not all(isinstance(s, str) for s in names):
            raise ParameterTypeError(f"Model: the class attribute 'state_vars' must be a list of str, got {names!r}.")
        if not isinstance(self.default_output, str):
            raise ParameterTypeError(
                f"Model: the class attribute 'default_output' must be a str, got {self.default_output!r}."
            )
        self.integration, self.params = integration, (params if isinstance(params, dotdict) else dotdict(params))
        if self.output_vars is None:
            self.output_vars = list(names)
        self.outputs = dotdict()
        self.state = dotdict()
        self.maxDelay = None
        self.boldInitialized = False
        self._steps_done = 0  # steps simulated since the last fresh run
        self._gen: np.random.Generator | None = None  # noise generator of the current run (native models)
        self._progress: Callable[[int], object] | None = None  # advances a progress bar during run()
        self._carried: dict[str, np.ndarray] = {}  # init parameter -> what the last state carried into it
        self._nonfinite: dict[str, float] = {}  # output -> first time (ms) it held NaN or inf in the current run
        self.initializeRun()
        logger.info(f"{self.name}: Model initialized.")

    # ------------------------------------------------------------------ attribute access to outputs
    def __getattr__(self, item):
        # Only reached when normal lookup fails: outputs are read through, so they never go stale.
        if item.startswith("_") or item in ("outputs", "params", "state"):
            raise AttributeError(item)
        outputs = self.__dict__.get("outputs")
        if outputs is not None and item in outputs:
            return outputs[item]
        raise AttributeError(f"'{type(self).__name__}' has no attribute or output '{item}'.")

    # ------------------------------------------------------------------ set-up
    def getMaxDelay(self) -> int:
        """Largest network delay in steps of ``dt``.

        Returns
        -------
        int
            ``max(lengthMat / signalV / dt)`` rounded half to even; 0 without lengths or with ``signalV = 0``.
        """
        p = self.params
        dt, lengths, speed = p.get("dt"), p.get("lengthMat"), p.get("signalV")
        if dt is None or lengths is None or not speed or speed <= 0:
            return 0
        steps = np.around(np.asarray(lengths, dtype=float) / speed / dt)
        return int(steps.max(initial=0))

    def initializeRun(self, initializeBold=False):
        """Prepare a run: ``maxDelay``, ``startindt`` and ``sample_every`` (validating ``sampling_dt``).

        Parameters
        ----------
        initializeBold : bool
            Also create the BOLD model if there is none yet.
        """
        validate_run(self.params)
        delay = self.getMaxDelay()
        self.maxDelay, self.startindt = delay, delay + 1
        self.setSamplingDt()
        if initializeBold and self.boldInitialized is not True:
            self.initializeBold()

    def setSamplingDt(self):
        """``sample_every``: how many steps of ``dt`` one output sample spans (``sampling_dt / dt``)."""
        sdt = self.params.get("sampling_dt")
        self.sample_every = 1 if sdt is None else int(round(sdt / self.params["dt"]))

    def initializeBold(self):
        """Create a fresh BOLD model (states at rest, sample counter 0)."""
        N = self.params.get("N")
        if N is None:
            raise ParameterError("BOLD needs the number of nodes: parameter 'N' is missing.")
        self.boldModel = BOLDModel(N, self.params["dt"])
        self.boldInitialized = True

    # ------------------------------------------------------------------ running
    def run(
        self,
        chunkwise: bool = False,
        chunksize: int | None = None,
        bold: bool = False,
        append_outputs: bool = False,
        continue_run: bool = False,
        progress: bool = False,
    ) -> None:
        """Simulate the model for ``params['duration']`` ms.

        Parameters
        ----------
        chunkwise : bool
            Integrate in chunks of ``chunksize`` steps (each continues from the previous one); saves memory
            with ``append_outputs=False``, which keeps only the last chunk's output.
        chunksize : int, optional
            Steps per chunk (implies ``chunkwise``); default ``2000 / dt`` (2 s).
        bold : bool
            Also simulate the BOLD signal (``model.BOLD.BOLD``, ``model.BOLD.t_BOLD`` in ms, every 2 s).
        append_outputs : bool
            Append to the outputs of earlier chunks or runs instead of replacing them.
        continue_run : bool
            Continue from the last state (delay history, noise stream and time included).
        progress : bool
            Show a progress bar (it appears once the run has taken 2 s).

        Raises
        ------
        ParameterError
            For invalid parameters or arguments (also a ``ValueError`` and an ``AssertionError``).
        OutputTooLargeError
            Before anything is allocated, when the outputs would not fit in the available memory.

        Warns
        -----
        RuntimeWarning
            Once per run, when outputs became NaN or inf (the run diverged); it names the first variable
            and the time. The outputs then hold NaN, and so does BOLD.
        """
        self.initializeRun(bold)
        if continue_run:
            self._carry_state()
        else:
            self.clearModelState()
        self._nonfinite = {}
        chunkwise = chunkwise or chunksize is not None
        total = n_steps(self.params["duration"], self.params["dt"])
        if chunkwise:
            if chunksize is None:
                chunksize = int(DEFAULT_CHUNK_MS / self.params["dt"])
            if isinstance(chunksize, bool) or not isinstance(chunksize, (int, np.integer)):
                raise ParameterTypeError(f"'chunksize' must be a positive integer number of steps, got {chunksize!r}.")
            if chunksize < 1:
                raise ParameterError(f"'chunksize' must be a positive integer number of steps, got {chunksize!r}.")
            self.checkChunkwise(chunksize=chunksize, append_outputs=append_outputs)
        self._check_memory(total, chunksize if chunkwise else None, append_outputs)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, delay=2.0, unit="step", unit_scale=True, desc=self.name, leave=False)
            self._progress = bar.update
        try:
            if chunkwise:
                self.integrateChunkwise(chunksize, bold, append_outputs, total=total)
            else:
                self.integrate(append_outputs, simulate_bold=bold, steps=total)
        finally:
            self._progress = None
            if bar is not None:
                bar.close()
        self._warn_nonfinite()

    def run_batch(
        self,
        param_sets: Iterable[Mapping[str, Any]],
        *,
        bold: bool = False,
        outputs: Sequence[str] | None = None,
        evaluate: Callable[[dotdict, dict], Any] | None = None,
        threads: int = 1,
        max_bytes: float = _batch.DEFAULT_BATCH_BYTES,
        contiguous: bool = False,
    ) -> list:
        """Run the model once per parameter set; return each run's outputs (or what ``evaluate`` made of them).

        Member ``k`` runs with the model's parameters updated by ``param_sets[k]`` and gets exactly the outputs a
        plain ``run(bold=bold)`` with those parameters would leave in ``model.outputs`` (same values bit for bit,
        same shapes, ``t`` and ``sampling_dt`` subsampling, the ``BOLD`` group with ``t_BOLD`` in ms). The model
        itself is left as it was: its parameters, outputs and state are not changed.

        Models with ``batchable = True`` (the native models) integrate the members that share the network, ``dt``,
        ``duration`` and ``sampling_dt`` together, in one engine call per time segment; other models run the
        members one after the other through ``run()``.

        Parameters
        ----------
        param_sets : list of dict
            One dict per member: a full or partial override of ``model.params`` (e.g. ``{"K_gl": 1.2, "seed": 3}``).
        bold : bool
            Also simulate BOLD (each member's ``outputs["BOLD"]["BOLD"]``, sampled every 2 s; ``t_BOLD`` in ms).
        outputs : list of str, optional
            Outputs to keep (some of ``model.output_vars``); ``t`` (ms) is always kept, and BOLD with ``bold``.
            Default: every output, as ``run()``. ``[]`` keeps only ``t`` and BOLD, so a batch of long runs never
            holds their full time series (see ``max_bytes``).
        evaluate : callable, optional
            ``evaluate(outputs, params)`` is called for each member right after its run, where it ran (in the
            worker), with its outputs and its full parameters; its return value takes the member's slot, and the
            member's outputs are released. Use it to reduce large outputs to the few numbers you need.
        threads : int
            Threads that integrate disjoint members of a batch at once (native models).
        max_bytes : float
            Largest integration buffer of one engine call, in bytes (default 512 MB): longer runs are integrated
            in time segments, more members in several batches. The kept outputs come on top of it (8 bytes per
            node and kept sample per output and member).
        contiguous : bool
            False (default): each output laid out in memory as ``run()`` leaves it, so that even numpy reductions
            over it round exactly as they would after ``run()``. True: each (node, time) output a C-contiguous
            array, time samples of a node next to each other: the same values, in the layout a store compresses
            best and writes fastest (numpy reductions along an axis may then differ from ``run()``'s in the last
            bit).

        Returns
        -------
        list
            One entry per member, in order: the outputs (a ``dotdict`` like ``model.outputs``), or the value of
            ``evaluate``; a :class:`~neurolib.models._batch.RunFailure` (the exception, its traceback and the
            member's overrides) where that member's run or evaluation raised; the other members are unaffected.

        Raises
        ------
        ParameterError
            For invalid arguments (a member's invalid parameters give a ``RunFailure`` in its slot instead).

        Notes
        -----
        Results do not depend on how members are batched, segmented or threaded; a member whose ``seed`` is
        None gets fresh noise, as ``run()`` does. Unlike ``run()``, no warning is issued for diverged (NaN/inf)
        runs; check the outputs.

        Examples
        --------
        >>> results = model.run_batch([{"K_gl": k, "seed": 1} for k in (0.5, 1.0)], bold=True, outputs=[])
        >>> results[1]["BOLD"]["BOLD"].shape  # (N, samples)
        """
        sets, names = _batch.check_args(self, param_sets, bold, outputs, evaluate, threads, max_bytes, contiguous)
        return _batch.run_sequential(self, sets, names, bold, evaluate, contiguous)

    def check_params(self, params: Mapping[str, Any]) -> None:
        """Check a full parameter dict for errors that would make ``run()`` fail, without running.

        The base class checks nothing (a user model's integration function checks its own parameters); native
        models validate and pack every parameter as a run does.

        Parameters
        ----------
        params : dict
            Every parameter of a run (e.g. ``dict(model.params)`` with some values changed).

        Raises
        ------
        ValueError, TypeError, KeyError
            Where a parameter is invalid (``ParameterError`` for native models).
        """

    def checkChunkwise(self, chunksize, append_outputs=False):
        """Check that the model can run in chunks of ``chunksize`` steps.

        Parameters
        ----------
        chunksize : int
            Steps per chunk.
        append_outputs : bool
            Whether the chunks' outputs are appended (then chunks may be shorter than ``sampling_dt``).

        Raises
        ------
        ParameterError
            Without ``init_vars`` pairing each state variable with its initial value, or when chunks that
            replace each other's outputs are shorter than ``sampling_dt`` (the last one might keep no sample).
        """
        if self.init_vars is None:
            raise ParameterError(
                f"{self.name}: chunkwise runs need the class attribute 'init_vars' (the parameter seeding each "
                f"state variable); it is not set."
            )
        if len(self.init_vars) != len(self.state_vars):
            raise ParameterError(
                f"{self.name}: 'init_vars' must pair each of the {len(self.state_vars)} state_vars with an initial "
                f"value, got {len(self.init_vars)} names."
            )
        sdt = self.params.get("sampling_dt")
        span = chunksize * self.params["dt"]
        if sdt is not None and not append_outputs and span < sdt - 1e-9 * sdt:
            raise ParameterError(
                f"'chunksize' ({chunksize} steps = {span:g} ms) must span at least 'sampling_dt' ({sdt:g} ms) "
                f"when each chunk replaces the outputs of the previous one, so that the kept chunk holds a sample; "
                f"use a larger chunksize or append_outputs=True."
            )

    def integrateChunkwise(self, chunksize, bold=False, append_outputs=False, total=None):
        """Run ``total`` steps in chunks of ``chunksize`` steps, each continuing the previous one.

        Parameters
        ----------
        chunksize : int
            Steps per chunk.
        bold : bool
            Feed each chunk into the BOLD model.
        append_outputs : bool
            Append each chunk's outputs (else each chunk replaces the previous one).
        total : int, optional
            Steps in all; default: the whole ``duration``.
        """
        if total is None:
            total = n_steps(self.params["duration"], self.params["dt"])
        first = self._steps_done
        left = total
        while left > 0:
            steps = chunksize if chunksize < left else left
            self._segment(steps, total, self._steps_done - first, append_outputs, bold)
            self._carry_state()
            left -= steps

    def autochunk(self, inputs=None, chunksize=1, append_outputs=False, bold=False):
        """Integrate one chunk of ``chunksize`` steps continuing the last state, with optional new inputs.

        Parameters
        ----------
        inputs : list of ndarray, optional
            Arrays for ``input_vars`` (in that order), right-aligned with this chunk.
        chunksize : int
            Steps to integrate.
        append_outputs : bool
            Append to the stored outputs instead of replacing them.
        bold : bool
            Also advance BOLD.
        """
        if inputs is not None:
            self.setInputs(inputs)
        self.initializeRun(bold)
        self._segment(chunksize, chunksize, 0, append_outputs, bold)
        self._carry_state()

    def integrate(self, append_outputs=False, simulate_bold=False, steps=None):
        """Integrate the whole duration in one call and store the outputs (and BOLD).

        Parameters
        ----------
        append_outputs : bool
            Append to the stored outputs instead of replacing them.
        simulate_bold : bool
            Also run BOLD on the default output.
        steps : int, optional
            Steps to integrate; default: the whole ``duration``.
        """
        if steps is None:
            steps = n_steps(self.params["duration"], self.params["dt"])
        self._segment(steps, steps, 0, append_outputs, simulate_bold)

    def _segment(self, steps, T, g_in_run, append, bold):
        """Integrate ``steps`` steps (step ``g_in_run`` of a ``T``-step run) and store the results."""
        g0 = self._steps_done
        if bold and self.boldInitialized and self._bold_by_block:
            pieces = []
            t, variables = self._integrate_steps(steps, T, g_in_run, bold=lambda z: pieces.append(self._bold(z)))
            if pieces:
                self._store("BOLD.t_BOLD", np.concatenate([p[0] for p in pieces]), True)
                self._store("BOLD.BOLD", np.concatenate([p[1] for p in pieces], axis=1), True)
            bold = False
        else:
            t, variables = self._integrate_steps(steps, T, g_in_run)
        self._steps_done += steps
        self.storeOutputsAndStates(t, variables, append, g0=g0)
        if bold and self.boldInitialized:
            self.simulateBold(self.get_bold_variable(variables))

    _bold_by_block = False  # True where _integrate_steps can feed BOLD while integrating

    def _integrate_steps(self, steps, T, g_in_run):
        """Call the integration function for ``steps`` steps; returns ``(t, variables)`` with absolute t."""
        saved = self.params["duration"]
        self.params["duration"] = steps * self.params["dt"]
        try:
            result = self.integration(self.params)
        finally:
            self.params["duration"] = saved
        t, variables = result[0], list(result[1:])
        if len(variables) != len(self.state_vars):
            raise ParameterError(
                f"{self.name}: the integration function returned {len(variables)} variables after t, but "
                f"'state_vars' names {len(self.state_vars)}."
            )
        t = np.asarray(t) + self._steps_done * self.params["dt"]
        return t, variables

    def _time_vars(self):
        """How many variables the integration holds over the whole segment (for the memory estimate)."""
        return len(self.output_vars)

    def _check_memory(self, total, chunksize, append):
        """Raise :class:`OutputTooLargeError` if the run would need more memory than is available."""
        N = int(self.params.get("N") or 1)
        column = 8 * N  # bytes of one time sample of one variable
        segment = total if chunksize is None else min(chunksize, total)
        working = self._time_vars() * (self.startindt + segment) * column
        kept_steps = total if (chunksize is None or append) else segment
        kept = len(self.output_vars) * math.ceil(kept_steps / self.sample_every) * column
        if chunksize is None and self.sample_every == 1 and not append:
            kept = 0  # the outputs are views of the integration's arrays
        need = working + kept
        if need < _memory.MIN_BYTES:  # small runs (most of them) skip reading the system's memory figures
            return
        free = _memory.available_bytes()
        if free is None or need <= free:
            return
        raise OutputTooLargeError(
            f"{self.name}: a run of 'duration' = {self.params['duration']:g} ms at dt = {self.params['dt']:g} ms "
            f"({total} steps, {N} nodes, {len(self.output_vars)} outputs) needs about {_size_text(need)} of "
            f"memory, but only {_size_text(free)} is available. Keep fewer samples with "
            f"params['sampling_dt'], run in chunks with run(chunkwise=True) (without append_outputs), keep "
            f"fewer outputs (model.output_vars), or shorten 'duration'."
        )

    # ------------------------------------------------------------------ storing
    def storeOutputsAndStates(self, t, variables, append=False, g0=0):
        """Store ``t``, the output variables (history removed, subsampled) and the last states.

        Parameters
        ----------
        t : ndarray
            Times (ms) of the integrated steps.
        variables : list of ndarray
            The integration's arrays in ``state_vars`` order (2-D ones with their history first).
        append : bool
            Append to the stored outputs.
        g0 : int
            Index of the first step since the start of the run (aligns ``sampling_dt``).
        """
        keep = self._kept(g0, len(t))
        t_kept = np.asarray(t)[keep]
        self._store("t", t_kept, append)
        self.state["t"] = np.asarray(t)
        for name, data in zip(self.state_vars, variables):
            data = np.asarray(data)
            if name in self.output_vars:
                series = data[:, self.startindt :][:, keep] if data.ndim == 2 else data
                self._note_nonfinite(name, series, t_kept)
                self._store(name, series, append)
            self.setStateVariables(name, data)

    def _kept(self, g0, length):
        """Slice of the samples kept by ``sampling_dt``: global step indices that are multiples of it."""
        k = self.sample_every
        return slice((-g0) % k, None, k)

    def _note_nonfinite(self, name, series, t):
        """Remember the first time (ms) the output ``name`` held NaN or inf in this run."""
        if name in self._nonfinite or series.ndim != 2 or series.size == 0:
            return
        with np.errstate(all="ignore"):
            if np.isfinite(series.sum()):  # fast path: a NaN or inf anywhere makes the sum non-finite
                return
            bad = ~np.isfinite(series).all(axis=0)
        if bad.any():
            self._nonfinite[name] = float(t[int(np.argmax(bad))]) if len(t) == series.shape[1] else math.nan

    def setOutput(self, name, data, append=False, removeICs=False):
        """Store ``data`` under ``name``.

        Parameters
        ----------
        name : str
            Output name; dotted names create groups (``"BOLD.BOLD"``).
        data : ndarray
            The values, time last.
        append : bool
            Append along time to an existing output of that name.
        removeICs : bool
            Drop the first ``startindt`` samples (the initial history); never applied to ``"t"``.
        """
        if isinstance(data, dict):
            raise ParameterTypeError(f"setOutput: 'data' for {name!r} must be a numpy array, got a dict.")
        if not isinstance(name, str):
            raise ParameterTypeError(f"setOutput: 'name' must be a str, got {name!r}.")
        if not isinstance(data, np.ndarray):
            raise ParameterTypeError(
                f"setOutput: 'data' for {name!r} must be a numpy array, got {type(data).__name__}."
            )
        drop_history = bool(removeICs) and name != "t"  # "t" never carries the initial history
        if drop_history:
            if data.ndim not in (1, 2):
                raise ParameterError(
                    f"setOutput: removeICs drops the history from 1-D or 2-D arrays (time last); {name!r} has "
                    f"shape {data.shape}."
                )
            data = data[..., self.startindt :]
        self._store(name, data, append)

    def _store(self, name, data, append):
        *groups, leaf = name.split(".")
        node = self.outputs
        for g in groups:
            node = node.setdefault(g, dotdict())
        if append and leaf in node:
            node[leaf] = np.concatenate([node[leaf], data], axis=-1)
        else:
            node[leaf] = data

    def setStateVariables(self, name, data):
        """Keep the last ``startindt`` columns of a 2-D variable (its delay history), else the value."""
        data = np.asarray(data)
        self.state[name] = data[:, -self.startindt :].copy() if data.ndim == 2 else data.copy()

    def setInitialValuesToLastState(self):
        """Make the last state the initial values of the next run (delay history included)."""
        self._carry_state()

    def _carry_state(self):
        # A model's own last state is copied into its init parameters and remembered by identity: the next
        # segment does not check those for NaN/inf (a diverged run goes on as NaN), values a user sets are.
        if any(s not in self.state for s in self.state_vars):
            return
        pairs = dict(zip(self.state_vars, self.init_vars or ()))
        for var, init in pairs.items():
            if init is None:
                continue
            last = self.state[var]
            value = last[:, -self.startindt :].copy() if last.ndim >= 2 else last.copy()
            self.params[init] = value
            self._carried[init] = value

    def _carried_keys(self):
        """Init parameters that still hold the very arrays this model carried over."""
        return {key for key, value in self._carried.items() if self.params.get(key) is value}

    def clearModelState(self):
        """Forget outputs and states; restart BOLD, the time axis and the noise stream."""
        self.state = dotdict()
        self.outputs = dotdict()
        self._steps_done = 0
        self._gen = None
        if self.boldInitialized:
            self.initializeBold()

    def setInputs(self, inputs):
        """Set the parameters ``input_vars[i]`` to ``inputs[i]`` (copied).

        Parameters
        ----------
        inputs : list of array_like
            One array per entry of ``input_vars``, in that order (fewer are allowed).
        """
        if self.input_vars is None or len(inputs) > len(self.input_vars):
            raise ParameterError(
                f"setInputs: the model has input_vars {self.input_vars}, got {len(inputs)} inputs in 'inputs'."
            )
        for name, value in zip(self.input_vars, inputs):
            self.params[name] = np.array(value, copy=True)

    def randomICs(self, min: float = 0, max: float = 1, seed: int | None = None) -> None:
        """Draw every initial value uniformly from [min, max): 1-D ones as (N,), 2-D ones as (N, 1).

        Parameters
        ----------
        min, max : float
            Bounds, in the unit of each variable.
        seed : int, optional
            Seed of the draw.
        """
        rng = np.random.default_rng(seed)
        N = self.params["N"]
        for iv in self.init_vars or []:
            value = self.params.get(iv)
            if value is None:
                continue
            value = np.asarray(value)
            if value.ndim == 1:
                self.params[iv] = rng.uniform(min, max, N)
            elif value.ndim == 2:
                self.params[iv] = rng.uniform(min, max, (N, 1))

    # ------------------------------------------------------------------ BOLD
    def get_bold_variable(self, variables):
        """The default output among ``variables`` (history included)."""
        return variables[list(self.state_vars).index(self.default_output)]

    def simulateBold(self, bold_variable, append=True):
        """Feed the default output (history removed) through ``boldInputTransform`` into the BOLD model.

        Parameters
        ----------
        bold_variable : ndarray
            The default output, (N, startindt + steps), history first.
        append : bool
            Kept for compatibility; BOLD is always appended.
        """
        ready = bool(self.boldInitialized)
        if not ready:
            warnings.warn(
                f"{self.name}: simulateBold() was called before initializeBold(); no BOLD was computed.",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        t_bold, bold = self._bold(np.asarray(bold_variable)[:, self.startindt :])
        self._store("BOLD.t_BOLD", t_bold, True)
        self._store("BOLD.BOLD", bold, True)

    def _bold(self, Z):
        """Advance the BOLD model by the samples Z (N x L) of the default output; returns ``(t_BOLD, BOLD)``."""
        transform = self.boldInputTransform
        if transform is not None:
            Z = transform(Z)
        t_bold, bold = self.boldModel.run(Z)
        return t_bold.copy(), bold.copy()

    # ------------------------------------------------------------------ reading
    def _warn_nonfinite(self, stacklevel=3):
        """One ``RuntimeWarning`` for all NaN/inf found in this run's outputs (and BOLD), if any."""
        bold_t = None
        group = self.outputs.get("BOLD")
        if isinstance(group, dict) and isinstance(group.get("BOLD"), np.ndarray) and group["BOLD"].size:
            with np.errstate(all="ignore"):
                bad = ~np.isfinite(group["BOLD"]).all(axis=0)
            if bad.any():
                times = group.get("t_BOLD")
                i = int(np.argmax(bad))
                bold_t = float(times[i]) if times is not None and i < len(times) else math.nan
        if not self._nonfinite and bold_t is None:
            return
        parts = []
        if self._nonfinite:
            first = min(self._nonfinite, key=self._nonfinite.get)
            parts.append(f"output '{first}' became NaN or inf at t = {self._nonfinite[first]:.6g} ms")
            others = [n for n in self._nonfinite if n != first]
            if others:
                parts.append("so did " + ", ".join(f"'{n}' (t = {self._nonfinite[n]:.6g} ms)" for n in others))
        if bold_t is not None:
            parts.append(f"BOLD is NaN or inf from t_BOLD = {bold_t:.6g} ms")
        warnings.warn(
            f"{self.name}: the run diverged: {'; '.join(parts)}. Check the parameters (coupling strength, inputs, dt).",
            RuntimeWarning,
            stacklevel=stacklevel,
        )

    def checkOutputs(self):
        """Warn (one ``RuntimeWarning``) if any output or BOLD holds NaN or inf, naming the first variable
        and the first time it happened. ``run()`` does this itself; nothing is raised."""
        self._nonfinite = {}
        t = self.outputs.get("t")
        for name in self.output_vars:
            data = self.outputs.get(name)
            if isinstance(data, np.ndarray):
                self._note_nonfinite(name, data, t if t is not None else np.arange(np.shape(data)[-1]))
        self._warn_nonfinite()

    def getOutput(self, name: str) -> Any:
        """The output ``name``; dotted names reach into groups (``"BOLD.BOLD"``).

        Raises
        ------
        ParameterTypeError
            If ``name`` is not a str.
        ParameterKeyError
            If there is no such output (also an ``AssertionError`` and a ``KeyError``).
        """
        if not isinstance(name, str):
            raise ParameterTypeError(f"getOutput: 'name' must be a str such as 'BOLD.BOLD', got {name!r}.")
        node = self.outputs
        for part in name.split("."):
            if not isinstance(node, dict) or part not in node:
                have = ", ".join(repr(k) for k in node) if isinstance(node, dict) else "none"
                raise ParameterKeyError(f"getOutput: no output {name!r}; stored outputs here: {have}.")
            node = node[part]
        return node

    def __getitem__(self, key: str) -> Any:
        return self.getOutput(key)

    def getOutputs(self, group: str = "") -> dotdict:
        """Shallow copy of an output group without its sub-groups (root: ``t`` and every variable).

        Parameters
        ----------
        group : str
            Group name such as ``"BOLD"``; ``""`` is the top level.
        """
        if not isinstance(group, str):
            raise ParameterTypeError(f"getOutputs: 'group' must be a str such as 'BOLD' or '', got {group!r}.")
        node = self.getOutput(group) if group else self.outputs
        if not isinstance(node, dict):
            raise ParameterError(f"getOutputs: {group!r} is an output array, not a group of outputs.")
        return dotdict({k: v for k, v in node.items() if not isinstance(v, dict)})

    @property
    def output(self) -> np.ndarray:
        """The default output."""
        which = self.default_output
        if which is None:
            raise ParameterError(f"{self.name}: no default output is set ('default_output' is None).")
        return self[which]

    def xr(self, group: str = "") -> xarray.DataArray:
        """The outputs of a group as an ``xarray.DataArray`` with dims ``(output, space, time)``.

        Parameters
        ----------
        group : str
            Output group (``""``: the top level, time in ms).
        """
        import xarray as xr

        outputs = self.getOutputs(group)
        tkey = "t" if "t" in outputs else next((k for k in outputs if k.startswith("t")), None)
        if tkey is None:
            raise ParameterKeyError(f"xr: output group {group!r} has no time array (a key starting with 't').")
        t = outputs.pop(tkey)
        names = list(outputs)
        data = np.stack([outputs[k] for k in names])
        return xr.DataArray(
            data,
            dims=("output", "space", "time"),
            coords={"output": names, "space": np.arange(data.shape[1]), "time": t},
        )
