"""Map a big output buffer's pages ahead of the time loop, on a helper thread.

Memory that a process touches for the first time costs a page fault per page (on some virtual machines about
2 ms per MB). The loop writes its output buffer step by step, so it would pay those faults itself; here a helper
thread asks the kernel to map the pages first (``madvise(MADV_POPULATE_WRITE)``, Linux >= 5.14), in the order the
loop writes them. The call never changes the contents, so it is safe while the loop runs. Elsewhere it does
nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading

import numpy as np

from neurolib._core import _threads

MADV_POPULATE_WRITE = 23
PAGE = 4096
MIN_BYTES = 32 << 20  # smaller buffers are not worth a thread's time (the caller checks)
CHUNK = 8 << 20  # bytes asked for at a time (the loop catches up with the helper at most this far)

_state = {"madvise": None}


def _madvise():
    if _state["madvise"] is None:
        fn = False
        if os.name == "posix" and hasattr(os, "uname") and os.uname().sysname == "Linux":
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
                fn = libc.madvise
                fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
                fn.restype = ctypes.c_int
            except (OSError, AttributeError):
                fn = False
        _state["madvise"] = fn
    return _state["madvise"]


def populate(pieces, stop):
    """Map the pages of ``pieces`` (contiguous arrays, in order) until ``stop`` is set; False if unsupported."""
    madvise = _madvise()
    if not madvise:
        return False
    for a in pieces:
        start, end = a.ctypes.data, a.ctypes.data + a.nbytes
        pos = start - start % PAGE
        while pos < end and not stop.is_set():
            n = min(CHUNK, end - pos)
            if madvise(pos, n, MADV_POPULATE_WRITE) != 0:
                return False  # e.g. an older kernel (EINVAL): the loop faults the pages in itself
            pos += n
    return True


def prefault(pieces):
    """Start mapping ``pieces`` on the helper thread; returns the event that stops it (set it when the loop is
    done), or None where this cannot be done."""
    if not _madvise():
        return None
    stop = threading.Event()
    _threads.helper("prefault").submit(populate, list(pieces), stop)
    return stop


HINT_BYTES = 4 << 20  # numpy asks for huge pages for arrays from this size on
_hint_lock = threading.Lock()


def _hint_setter():
    """numpy's switch of its huge-page hint (``_set_madvise_hugepage``), or None where numpy has none."""
    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            mod = __import__(module, fromlist=["_set_madvise_hugepage"])
        except ImportError:
            continue
        setter = getattr(mod, "_set_madvise_hugepage", None)
        if setter is not None:
            return setter
    return None


def empty_small_pages(shape, dtype=np.float64):
    """``np.empty(shape, dtype)`` without numpy's huge-page hint (``madvise(MADV_HUGEPAGE)`` on arrays of 4 MB or
    more); the hint is set back at once, so other arrays keep it.

    Where huge pages cannot be had at once, the hint makes the kernel try to compact memory at every page fault:
    on the virtual machines this project runs on, a first touch of such an array cost about 2.4 ms per MB against
    0.37 ms per MB without it (2026-12-05, 128 MB arrays). Later arrays of a process often get huge pages and are
    then fast, so the hint pays for buffers allocated again and again; for one that is allocated once and reused
    (e.g. the noise of a MultiModel run) it does not.
    """
    dtype = np.dtype(dtype)
    setter = _hint_setter() if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize >= HINT_BYTES else None
    if setter is None:
        return np.empty(shape, dtype)
    with _hint_lock:
        previous = setter(False)
        try:
            return np.empty(shape, dtype)
        finally:
            setter(previous)


def _read_int(path):
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def available_bytes():
    """Memory (bytes) a new allocation can use without swapping, or None where it cannot be told.

    Linux: ``MemAvailable`` of ``/proc/meminfo``, lowered to the room left under a cgroup (v2) memory limit.
    Elsewhere: free physical pages where ``os.sysconf`` reports them, else None (no check).
    """
    free = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    free = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        free = None
    if free is None:
        try:
            free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            return None
    limit = _read_int("/sys/fs/cgroup/memory.max")
    used = _read_int("/sys/fs/cgroup/memory.current")
    if limit is not None and used is not None:
        free = min(free, max(limit - used, 0))
    return free
