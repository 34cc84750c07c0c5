"""What one MultiModel run segment does: starting history, inputs of the run, the backend call."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from neurolib._core import _memory
from neurolib._core.integrate import n_steps
from neurolib.errors import ParameterError, ParameterTypeError
from neurolib.models.multimodel.builder.base.numba_backend import history_length, history_rows, max_lag
from neurolib.utils.collections import unwrap_star_dotdict
from neurolib.utils.stimulus import OrnsteinUhlenbeckProcess, ZeroInput


def expand_stars(model, overrides):
    """``overrides`` with star patterns replaced by the concrete parameter keys they match."""
    if not any(isinstance(k, str) and "*" in k for k in overrides):
        return dict(overrides)
    return unwrap_star_dotdict(dict(overrides), model)


def _derived_seed(seed, channel, run_index):
    """Seed of input ``channel`` in the ``run_index``-th run of a model seeded with ``seed``."""
    return int(np.random.SeedSequence([int(seed), int(channel), int(run_index)]).generate_state(1)[0])


def _fit_length(arr, T):
    """Cut or pad (with the last value) a (channels, K) array to T columns."""
    if arr.shape[1] > T:
        return arr[:, :T]
    if arr.shape[1] < T:
        return np.pad(arr, ((0, 0), (0, T - arr.shape[1])), mode="edge")
    return arr


def _is_zero(process):
    """Whether an input process is identically zero (a ZeroInput, or an OU process with mu = sigma = 0)."""
    if type(process) is ZeroInput:
        return process.n == 1
    if type(process) is OrnsteinUhlenbeckProcess:
        return process.n == 1 and process.mu == 0 and process.sigma == 0
    return False


@njit(cache=True, nogil=True)
def _ou_recursion(x0, drive, a, out):
    """``out[0] = x0``, ``out[i] = drive[i - 1] + a out[i - 1]`` (what ``lfilter([1], [1, -a])`` computes)."""
    y = x0
    n = out.shape[0]
    if n > 0:
        out[0] = y
    for i in range(1, n):
        y = drive[i - 1] + a * y
        out[i] = y


@njit(cache=True, nogil=True)
def _ou_steps(y, xi, const, scale, a, out):
    """``out[i] = (const + scale xi[i]) + a out[i - 1]`` with ``out[-1] = y``: :func:`_ou_recursion` with the drive
    ``const + scale * xi`` made on the fly (the same operations in the same order, without two temporary arrays)."""
    for i in range(out.shape[0]):
        y = (const + scale * xi[i]) + a * y
        out[i] = y


def _ou_column(process, duration, dt, T, column):
    """``process.as_array(duration, dt)[0]`` of an :class:`OrnsteinUhlenbeckProcess` with one channel, written into
    ``column`` (the first ``T`` samples): the same random numbers and arithmetic, without scipy's ``lfilter``, whose
    import alone costs a second at the first run."""
    process._check_params()
    mu, sigma, tau, dt = float(process.mu), float(process.sigma), float(process.tau), float(dt)
    n = n_steps(duration, dt)
    rng = process._new_rng()
    x0 = rng.uniform(0.0, 1.0, 1) * mu
    xi = rng.standard_normal((1, n - 1))
    drive = dt * mu / tau + sigma * np.sqrt(dt) * xi
    full = np.empty(n)
    _ou_recursion(float(x0[0]), drive[0], 1.0 - dt / tau, full)
    column[:] = full[:T] if n >= T else np.concatenate([full, np.full(T - n, full[-1])])


def process_arrays(model, duration, dt, T):
    """Every input channel's process generated for the run, ``(channels, T)``.

    A process without a seed of its own gets one derived from ``params['seed']`` (if set), the channel and the
    number of runs since the last fresh run, so that a seeded model is reproducible and continued runs get new noise.
    """
    seed = model.params.get("seed")
    processes = model.model_instance.noise_input
    out = np.zeros((len(processes), T))  # (channels, steps): each channel's series contiguous

    def fill(channel):
        process = processes[channel]
        if _is_zero(process):  # the default inputs: exactly zero, no need to integrate a process
            return
        own = process.seed
        if own is None and seed is not None:
            process.seed = _derived_seed(seed, channel, model._runs)
        try:
            if type(process) is OrnsteinUhlenbeckProcess and process.n == 1:
                _ou_column(process, duration, dt, T, out[channel])
                return
            arr = np.asarray(process.as_array(duration, dt), dtype=float)
        finally:
            process.seed = own
        if arr.ndim != 2 or arr.shape[0] != 1:
            raise ParameterError(
                f"Input channel {channel} ({type(process).__name__}) must have one channel (n = 1), got shape "
                f"{arr.shape}."
            )
        out[channel] = _fit_length(arr, T)[0]

    busy = [c for c, p in enumerate(processes) if not _is_zero(p)]
    distinct = len({id(processes[c]) for c in busy}) == len(busy)  # a shared object's seed is set per channel
    if distinct and len(busy) > 1 and T * len(busy) > 1_000_000:  # long runs: two threads (numpy releases the GIL)
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(fill, busy))
    else:
        for channel in busy:
            fill(channel)
    model._runs += 1
    return out


class NoiseStream:
    """The OU inputs of a run made in a background thread, a chunk of steps of every channel at a time, while the
    kernel integrates the steps already made (the kernel and numpy's generators release the GIL).

    Each channel's generator draws its numbers in the same order as :func:`_ou_column` (the uniform start value,
    then the normals of all steps: numpy's ``Generator`` gives the same stream in pieces as in one call) and the
    drive and the recursion are the same arithmetic, so ``out`` is bit for bit what :func:`process_arrays` makes.
    """

    VALUES = 1 << 18  # numbers per chunk (all channels): a chunk stays in the cache while it is written

    def __init__(self, model, dt, T, reuse=None):
        seed = model.params.get("seed")
        processes = model.model_instance.noise_input
        # (channels, T) view of a (T, channels) array: the kernel reads a block of steps of it without a copy; the
        # previous run's array is written over if it fits (fresh memory costs page faults; see benchmarks/)
        fits = reuse is not None and reuse.shape == (len(processes), T) and reuse.T.flags.c_contiguous
        self.out = reuse if fits else _memory.empty_small_pages((T, len(processes))).T
        self.channels = []  # (channel, rng, start value, drive constant, noise factor, a)
        for channel, process in enumerate(processes):
            if _is_zero(process):
                continue
            own = process.seed
            if own is None and seed is not None:
                process.seed = _derived_seed(seed, channel, model._runs)
            try:
                process._check_params()
                mu, sigma, tau = float(process.mu), float(process.sigma), float(process.tau)
                rng = process._new_rng()
            finally:
                process.seed = own
            x0 = rng.uniform(0.0, 1.0, 1) * mu
            self.channels.append((channel, rng, float(x0[0]), dt * mu / tau, sigma * np.sqrt(dt), 1.0 - dt / tau))
        model._runs += 1
        busy = {channel for channel, *_ in self.channels}
        for channel in range(len(processes)):  # channels without noise stay zero
            if channel not in busy:
                self.out[channel] = 0.0
        self.T, self.done, self.error = T, 0, None
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._fill, daemon=True)
        self._thread.start()

    @staticmethod
    def usable(model, dt, T):
        """Whether every non-zero input is a one-channel OU process over exactly ``T`` steps."""
        if model._run_noise is not None or n_steps(model.params["duration"], dt) != T or T < 2:
            return False
        busy = [p for p in model.model_instance.noise_input if not _is_zero(p)]
        return bool(busy) and all(type(p) is OrnsteinUhlenbeckProcess and p.n == 1 for p in busy)

    def _fill(self):
        try:
            last = [x0 for _, _, x0, _, _, _ in self.channels]
            start, chunk = 0, max(1, self.VALUES // max(1, len(self.channels)))
            while start < self.T:
                stop = min(self.T, start + chunk)
                for j, (channel, rng, x0, const, scale, a) in enumerate(self.channels):
                    row = self.out[channel]
                    if start == 0:
                        row[0] = x0
                        _ou_steps(x0, rng.standard_normal(stop - 1), const, scale, a, row[1:stop])
                    else:  # the recursion continues from the last value of the previous chunk
                        _ou_steps(last[j], rng.standard_normal(stop - start), const, scale, a, row[start:stop])
                    last[j] = row[stop - 1]
                with self._cond:
                    self.done = stop
                    self._cond.notify_all()
                start = stop
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting run
            with self._cond:
                self.error = exc
                self._cond.notify_all()

    def wait(self, upto):
        """Block until the columns ``< upto`` are made."""
        if self.done >= upto and self.error is None:
            return
        with self._cond:
            while self.done < upto and self.error is None:
                self._cond.wait()
        if self.error is not None:
            raise self.error

    def finish(self):
        """Wait for the whole run's inputs; the array of them."""
        self.wait(self.T)
        self._thread.join()
        return self.out


def run_inputs(model, T, dt):
    """Inputs of a whole run, ``(channels, T)`` (column k drives step k): the array given to ``run()`` or generated."""
    n = model.num_noise_variables
    given = model._run_noise
    if given is not None:
        arr = np.asarray(given)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
            raise ParameterTypeError(f"'noise_input' must be a numeric array, got dtype {arr.dtype}.")
        if arr.shape != (n, T):
            raise ParameterError(
                f"'noise_input' must have shape (num_noise_variables, steps) = ({n}, {T}) for duration "
                f"{model.params['duration']} ms at dt {dt} ms, got {arr.shape}."
            )
        if not np.all(np.isfinite(arr)):
            raise ParameterError("'noise_input' contains NaN or inf.")
        return np.ascontiguousarray(arr, dtype=float)
    return process_arrays(model, model.params["duration"], dt, T)


def start_history(model, S):
    """History (S, variables), oldest first: the carried state of a continued run or chunk, else the initial state."""
    instance = model.model_instance
    carried = model._carried_history
    if carried is None:
        if instance.initial_state is None:
            raise ParameterError(f"{instance.name}: no initial state (initialise the node or network).")
        return history_rows(instance, instance.initial_state, S)
    width = carried.shape[1]
    if width >= S:
        return np.ascontiguousarray(carried[:, width - S :].T)
    pad = np.repeat(carried[:, :1], S - width, axis=1)
    return np.ascontiguousarray(np.concatenate([pad, carried], axis=1).T)


def numba_segment(model, steps, T, g_in_run, rows):
    """Integrate ``steps`` steps (from step ``g_in_run`` of a ``T``-step run) with numba, keeping variables ``rows``.

    Returns
    -------
    t_ms : ndarray
        Times of the steps, ms.
    X : ndarray
        ``(len(rows), steps)``.
    last : ndarray
        ``(variables, S)``: the last S states (history columns, oldest first).
    """
    instance = model.model_instance
    dt = float(model.params["dt"])
    backend = instance.backend_for("numba")
    args = backend.arguments(instance, dt)
    S = history_length(instance, max_lag(args), dt)
    history = start_history(model, S)
    stream = None
    if g_in_run == 0 or model._inputs is None or model._inputs.shape[1] != T:
        if NoiseStream.usable(model, dt, T):
            stream = NoiseStream(model, dt, T, reuse=model._inputs if g_in_run == 0 else None)
            model._inputs = stream.out
        else:
            model._inputs = run_inputs(model, T, dt)
    try:
        X, last = backend.integrate_rows(
            instance, history, model._inputs, g_in_run, steps, dt, model._steps_done * dt, args, rows,
            ready=stream.wait if stream is not None else None,
        )  # fmt: skip
    finally:
        if stream is not None:
            stream.finish()  # chunkwise runs read the later columns in the next segments
    t_ms = (model._steps_done + np.arange(1, steps + 1)) * dt
    return t_ms, X, last


def jitcdde_segment(model, steps):
    """Integrate ``steps * dt`` ms with jitcdde, sampled every ``sampling_dt``; returns ``(t_ms, states (all
    variables, samples), last state (variables, 1))``."""
    import chspy

    instance = model.model_instance
    dt = float(model.params["dt"])
    sdt = float(model.params.get("sampling_dt") or dt)
    duration = steps * dt
    T = n_steps(duration, sdt)
    backend = instance.backend_for("jitcdde")
    given = model._run_noise
    times = np.arange(1, T + 1) * sdt
    if given is not None:
        arr = np.asarray(given, dtype=float)
        if arr.shape != (model.num_noise_variables, T):
            raise ParameterError(
                f"'noise_input' for jitcdde must have shape ({model.num_noise_variables}, {T}) (samples every "
                f"sampling_dt = {sdt} ms), got {arr.shape}."
            )
    else:
        arr = process_arrays(model, duration, sdt, T)
    if arr.shape[0] == 0:
        raise ParameterError(f"{instance.name}: the jitcdde backend needs at least one input channel.")
    spline = chspy.CubicHermiteSpline.from_data(times, arr.T)
    x0 = model._carried_history[:, -1] if model._carried_history is not None else instance.initial_state
    times_ms, states = backend.run(instance, duration, sdt, spline, initial_state=x0)
    x_start = np.asarray(x0, dtype=float)
    x_start = x_start if x_start.ndim == 1 else x_start[:, -1]
    Y = np.concatenate([x_start[:, None], states], axis=1)
    t_ms = model._steps_done * dt + times_ms
    return t_ms, Y[:, 1:], Y[:, -1:]
