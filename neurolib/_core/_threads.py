"""Threads of the engine: helper executors (one per name and process, started on first use), and how many threads
share the nodes of one network run.

Measured on a 2-core VM (2026-12-05, 80-node gw networks, 10 s): splitting the nodes over both cores was slower
than one thread (Hopf 0.21 s -> 0.27-0.29 s; ALN without noise 0.68 s -> 0.61 s, with noise 0.68 s -> 0.79 s).
The second core is already busy drawing the noise and mapping the output's pages for the single-threaded run, and
every step the threads read coupling features the other thread wrote one or two steps before (on the gw network
about 30 lag-1 and 70 lag<4 connections cross any balanced cut), each a cache miss between cores. So by default a
run leaves one core to those helpers: node threads start from 3 cores on.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_pools: dict = {}  # name -> (pid, executor)
_lock = threading.Lock()


def _kept(key, k, prefix):
    """The executor of ``k`` threads kept for this process under ``key`` (a forked child starts its own)."""
    with _lock:
        pid, pool = _pools.get(key, (None, None))
        if pid != os.getpid():
            pool = ThreadPoolExecutor(k, thread_name_prefix=prefix)
            _pools[key] = (os.getpid(), pool)
        return pool


def helper(name):
    """The single-thread executor ``name`` of this process (a forked child starts its own)."""
    return _kept(name, 1, f"neurolib-{name}")


# ---------------------------------------------------------------------------------------------- one run, many threads
MIN_NODES = 16  # smaller networks: one thread (a step's work would not pay for the barrier)


def available():
    """Threads a network run may use for its nodes: ``NEUROLIB_NUM_THREADS`` if set (as given), else one less
    than the cores this process may run on (at least one): the remaining core draws the noise ahead and maps the
    output's pages, which a single-threaded run overlaps for free."""
    env = os.environ.get("NEUROLIB_NUM_THREADS")
    if env:
        try:
            n = int(env)
        except ValueError:
            n = 0
        if n < 1:
            from neurolib.errors import ParameterError

            raise ParameterError(f"NEUROLIB_NUM_THREADS must be a positive integer, got {env!r}.")
        return n
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def node_threads(N):
    """Threads that share the nodes of one network run: up to :func:`available` for a network of at least
    ``MIN_NODES`` nodes (at least 4 nodes each) run from the main thread; one otherwise (runs started on other
    threads already run side by side, e.g. in a thread pool or a Dask worker)."""
    if N < MIN_NODES or threading.current_thread() is not threading.main_thread():
        return 1
    return max(1, min(available(), N // 4))


def nodes(k):
    """The executor of the ``k`` extra threads that integrate parts of a network run."""
    return _kept(("nodes", k), k, "neurolib-nodes")


def members(k):
    """The executor of ``k`` threads that integrate disjoint members of a batch (kept for the process, so that a
    batch's segments do not each start threads). Called from one of its own threads (a batch inside a batch), a
    new executor is made, so that the caller never waits for a thread that waits for it."""
    if threading.current_thread().name.startswith("neurolib-members"):
        return ThreadPoolExecutor(k, thread_name_prefix="neurolib-members-nested")
    return _kept(("members", k), k, "neurolib-members")
