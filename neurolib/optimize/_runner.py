"""Apply a function to many tasks: in this process, in local worker processes, or on any executor.

This module knows nothing about models or storage. :func:`run_tasks` calls ``fn(shared, task)`` for every task
and yields ``(key, outcome)`` as tasks finish (in any order); ``shared`` is a large, read-only object every call
needs (a model, an evaluation function), sent to each worker once where the executor allows it:

* serial (``ncores=1`` and no executor): in this process, ``shared`` used as it is;
* ``ncores > 1``: a :class:`concurrent.futures.ProcessPoolExecutor`, started with ``fork`` where available so
  that workers inherit ``shared`` (and every compiled kernel) without pickling, as pypet's workers did;
* ``executor=``: any object with ``submit(fn, *args)`` returning :class:`concurrent.futures.Future` objects
  (``ThreadPoolExecutor``, ``ProcessPoolExecutor``, MPI/loky pools ...) or a ``dask.distributed.Client``.
  ``shared`` is pickled once (with cloudpickle when installed, so functions defined in ``__main__`` or a
  notebook travel by value); a Dask client scatters it to every worker once, other executors send the bytes with
  each task. Workers unpickle it once per process and thread.

A task that raises inside ``fn`` yields ``(key, TaskError)``; the other tasks go on. At most ``window`` tasks are
in flight at a time, so results never pile up in memory.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import pickle
import threading
import time
import traceback
import uuid
from dataclasses import dataclass

_CACHE: dict = {}  # (token, pid, thread) -> unpickled shared object, in each worker
_CACHE_LOCK = threading.Lock()
_FORK_SHARED: dict = {}  # token -> shared object, inherited by forked workers


@dataclass
class TaskError:
    """A task that raised: the exception's text and its formatted traceback."""

    message: str
    traceback: str


def dumps(obj):
    """Pickle ``obj``; with cloudpickle when it is installed (functions from ``__main__`` travel by value)."""
    try:
        import cloudpickle
    except ImportError:  # pragma: no cover - cloudpickle comes with dask
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return cloudpickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _shared_from_bytes(token, blob):
    key = (token, os.getpid(), threading.get_ident())
    obj = _CACHE.get(key)
    if obj is None:
        obj = pickle.loads(blob)
        with _CACHE_LOCK:
            stale = [k for k in _CACHE if k[0] != token and k[1:] == key[1:]]
            for k in stale:  # keep one search's object per thread
                del _CACHE[k]
            _CACHE[key] = obj
    return obj


def _call(fn, shared, task):
    try:
        return fn(shared, task)
    except Exception as e:  # report, do not kill the search
        return TaskError(f"{type(e).__name__}: {e}", traceback.format_exc())


def _call_bytes(fn, token, blob, task):
    try:
        shared = _shared_from_bytes(token, blob)
    except Exception as e:
        return TaskError(f"cannot unpickle the search in the worker: {type(e).__name__}: {e}", traceback.format_exc())
    return _call(fn, shared, task)


def _call_forked(fn, token, task):
    return _call(fn, _FORK_SHARED[token], task)


def _fork_init(token, shared, parent):
    _FORK_SHARED[token] = shared
    _one_thread_per_run()
    _watch_parent(parent)


def _spawn_init(token, blob, parent):
    _FORK_SHARED[token] = pickle.loads(blob)
    _one_thread_per_run()
    _watch_parent(parent)


def _one_thread_per_run():
    """Worker processes already run side by side: each run uses one thread unless the user said otherwise."""
    os.environ.setdefault("NEUROLIB_NUM_THREADS", "1")


def _watch_parent(parent):
    """End this worker when the process that started it is gone (e.g. killed with SIGKILL)."""

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="neurolib-parent-watch", daemon=True).start()


def _is_dask_client(executor):
    return type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "scatter")


def n_workers(ncores=None, executor=None):
    """How many tasks the executor runs at once (for sizing the window of tasks in flight)."""
    if executor is None:
        return max(1, ncores or 1)
    if _is_dask_client(executor):
        try:
            return max(1, sum(executor.nthreads().values()))
        except Exception:  # pragma: no cover - defensive
            return 1
    for attr in ("_max_workers", "max_workers"):
        value = getattr(executor, attr, None)
        if isinstance(value, int) and value > 0:
            return value
    return os.cpu_count() or 1


def run_tasks(fn, shared, tasks, *, ncores=1, executor=None, window=None, fork=True, ahead=False):
    """Run ``fn(shared, task)`` for every ``(key, task)`` of ``tasks``; yield ``(key, result)`` as they finish.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled by reference).
    shared : object
        Read-only object passed to every call.
    tasks : iterable of (key, task)
        The keys identify the tasks in the results; only the tasks travel to the workers.
    ncores : int
        Local worker processes when no executor is given (1: run here, serially).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where to run the tasks instead.
    window : int, optional
        Tasks in flight at a time (default: 2 per worker).
    fork : bool
        Start local workers with ``fork`` where the platform has it.
    ahead : bool
        Serial only: run the next task on a helper thread while the caller handles the previous result (e.g.
        stores it), one result ahead at most.

    Yields
    ------
    key, result
        ``result`` is what ``fn`` returned, or a :class:`TaskError`.
    """
    tasks = iter(tasks)
    if executor is None and (ncores or 1) <= 1:
        serial = ((key, _call(fn, shared, task)) for key, task in tasks)
        yield from (_one_ahead(serial) if ahead else serial)
        return
    token = uuid.uuid4().hex
    own = None
    if executor is None:
        methods = multiprocessing.get_all_start_methods()
        if fork and "fork" in methods:
            ctx = multiprocessing.get_context("fork")
            own = cf.ProcessPoolExecutor(
                ncores, mp_context=ctx, initializer=_fork_init, initargs=(token, shared, os.getpid())
            )

            def submit(task):
                return own.submit(_call_forked, fn, token, task)

        else:
            blob = dumps(shared)  # sent once to each worker
            own = cf.ProcessPoolExecutor(ncores, initializer=_spawn_init, initargs=(token, blob, os.getpid()))

            def submit(task):
                return own.submit(_call_forked, fn, token, task)

        wait_first = _cf_wait_first
        workers = ncores
    elif _is_dask_client(executor):
        import distributed

        blob = executor.scatter(dumps(shared), broadcast=True, hash=False)

        def submit(task):
            return executor.submit(_call_bytes, fn, token, blob, task, pure=False)

        def wait_first(futures):
            return distributed.wait(futures, return_when="FIRST_COMPLETED").done

        workers = n_workers(executor=executor)
    else:
        blob = dumps(shared)

        def submit(task):
            return executor.submit(_call_bytes, fn, token, blob, task)

        wait_first = _cf_wait_first
        workers = n_workers(executor=executor)
    window = max(1, window or 2 * workers)
    pending = {}
    try:
        for key, task in tasks:
            pending[submit(task)] = key
            if len(pending) >= window:
                yield from _drain(pending, wait_first, until=window - 1)
        yield from _drain(pending, wait_first, until=0)
    finally:
        for future in pending:
            future.cancel()
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)


def _one_ahead(results):
    """Yield from ``results`` while a helper thread computes the next item. The helper starts an item only when
    the caller has finished with the one before the previous, so at most two items exist at a time: the one the
    caller handles and the one being made (or waiting)."""
    import queue

    done, stop = object(), threading.Event()
    box = queue.Queue(maxsize=1)
    slots = threading.Semaphore(2)
    source = iter(results)

    def produce():
        try:
            while True:
                while not slots.acquire(timeout=0.1):
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                item = next(source, done)
                if item is done:
                    box.put(("end", done))
                    return
                box.put(("item", item))
        except BaseException as e:  # handed to the consumer
            box.put(("error", e))

    worker = threading.Thread(target=produce, name="neurolib-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
            del item
            slots.release()  # the caller is done with it: the helper may start the item after the next
    finally:
        stop.set()
        while worker.is_alive():  # let the helper finish its task (cannot be interrupted) and see the stop
            try:
                box.get(timeout=0.1)
            except queue.Empty:
                pass
        worker.join()


def _cf_wait_first(futures):
    return cf.wait(futures, return_when=cf.FIRST_COMPLETED).done


def _drain(pending, wait_first, until):
    """Yield finished tasks until at most ``until`` remain in flight."""
    while len(pending) > until:
        for future in wait_first(list(pending)):
            key = pending.pop(future)
            try:
                result = future.result()
            except Exception as e:  # the worker died or the executor failed
                result = TaskError(f"{type(e).__name__}: {e}", "".join(traceback.format_exception(e)))
            yield key, result
