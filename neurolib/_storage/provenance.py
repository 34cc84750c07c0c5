"""Provenance of a stored search: which software, on which machine, when, with which seeds and arguments.

:func:`collect` is called when a search starts; its dict goes into the store's first record (so a search that is
still running or was killed has it too) and, completed with the end time, into the HDF5 index when the search
ends. Values are plain strings, numbers, lists and dicts, so they read back without neurolib.
"""

from __future__ import annotations

import datetime
import os
import platform
import socket
import sys


def _version(module):
    mod = sys.modules.get(module)
    if mod is None:
        try:
            mod = __import__(module)
        except ImportError:
            return None
    return str(getattr(mod, "__version__", "unknown"))


def _iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).astimezone().isoformat(timespec="seconds")


def collect(start, seeds=None, arguments=None):
    """The provenance of a search that starts at ``start``.

    Parameters
    ----------
    start : float
        Start time (``time.time()``).
    seeds : dict, optional
        The seeds that make the search reproducible (e.g. ``{"search_seed": 42}``).
    arguments : dict, optional
        The arguments of the search (run arguments, sizes, ...), each turned into text with ``repr`` if it is not
        a plain number, string or bool.

    Returns
    -------
    dict
        ``neurolib``, ``python``, ``numpy``, ``numba``, ``blosc2``, ``h5py`` (versions), ``platform``, ``host``,
        ``pid``, ``start`` (seconds since the epoch) and ``start_iso``, ``seeds``, ``arguments``.
    """
    import neurolib

    return {
        "neurolib": str(getattr(neurolib, "__version__", "unknown")),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "numba": _version("numba"),
        "blosc2": _version("blosc2"),
        "h5py": _version("h5py"),
        "platform": platform.platform(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "start": float(start),
        "start_iso": _iso(start),
        "seeds": {str(k): _plain(v) for k, v in (seeds or {}).items()},
        "arguments": {str(k): _plain(v) for k, v in (arguments or {}).items()},
    }


def finish(prov, end):
    """``prov`` completed with the end time ``end`` (``time.time()``) and the duration."""
    out = dict(prov)
    out["end"] = float(end)
    out["end_iso"] = _iso(end)
    out["duration"] = float(end) - float(prov.get("start", end))
    return out


def _plain(value):
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, int) or type(value).__name__ in ("int64", "uint64", "int32"):
        return int(value)
    if isinstance(value, float):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (bool, int, float, str)) for v in value):
        return list(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return repr(value)


def to_json(prov):
    """``prov`` as JSON text (how the HDF5 index keeps it)."""
    import json

    return json.dumps(prov, sort_keys=True)


def from_json(text):
    """Inverse of :func:`to_json`."""
    import json

    return json.loads(text)
