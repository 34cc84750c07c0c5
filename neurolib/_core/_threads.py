"""Helper threads of the engine: one single-thread executor per name and process, started on first use."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_pools: dict = {}  # name -> (pid, executor)
_lock = threading.Lock()


def helper(name):
    """The single-thread executor ``name`` of this process (a forked child starts its own)."""
    with _lock:
        pid, pool = _pools.get(name, (None, None))
        if pid != os.getpid():
            pool = ThreadPoolExecutor(1, thread_name_prefix=f"neurolib-{name}")
            _pools[name] = (os.getpid(), pool)
        return pool
