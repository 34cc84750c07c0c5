"""Result values: what a run's results may hold, how time axes are shared between runs, and how values are
kept in HDF5 groups (the evolution's results file).

A run's results are a nested dict of numbers, strings, arrays, lists, None (anything else is pickled). Time axes
(keys ``t`` and ``t_*``) are usually the same array in every run: :func:`share_time_axes` replaces them by a
:class:`SharedRef` to one stored copy, :func:`resolve_shared` puts them back.
"""

from __future__ import annotations

import hashlib
import numbers
import pickle
from collections.abc import Mapping

import h5py
import numpy as np


class SharedRef:
    """Stands for a shared array (a time axis) in a journal record."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __reduce__(self):
        return (SharedRef, (self.name,))


def _pickled(obj):
    return np.void(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _unpickled(dataset):
    return pickle.loads(dataset[()].tobytes())


def _is_time_axis(key):
    return key == "t" or key.startswith("t_")


def has_nonfinite(value):
    """True if a result value (a number, an array, or a nested dict of them) holds NaN or inf."""
    if isinstance(value, Mapping):
        return any(has_nonfinite(v) for v in value.values())
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return False
    if isinstance(value, numbers.Number):
        return not np.isfinite(value) if not isinstance(value, numbers.Integral) else False
    if isinstance(value, (np.ndarray, list, tuple)):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):  # ragged lists
            return any(has_nonfinite(v) for v in value)
        if arr.dtype.kind in "fc":
            return not bool(np.isfinite(arr).all())
        if arr.dtype == object:
            return any(has_nonfinite(v) for v in arr.ravel())
    return False


def write_value(group, key, value):
    """Store ``value`` as dataset ``key`` of ``group`` so that :func:`read_value` gives it back: None, strings,
    booleans, Python and numpy numbers, numeric arrays, lists and tuples of numbers; anything else pickled."""
    if value is None:
        group.create_dataset(key, data=h5py.Empty("f8")).attrs["kind"] = "none"
    elif isinstance(value, (str, np.str_)):
        group.create_dataset(key, data=value, dtype=h5py.string_dtype()).attrs["kind"] = "str"
    elif isinstance(value, (bool, np.bool_)):
        group.create_dataset(key, data=np.bool_(value)).attrs["kind"] = "bool"
    elif isinstance(value, numbers.Number) and not isinstance(value, np.generic):
        group.create_dataset(key, data=value).attrs["kind"] = "py"  # read back as a Python number
    elif isinstance(value, np.generic) and value.dtype.kind in "biufc":
        group.create_dataset(key, data=value)
    elif isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        _write_array(group, key, value)
    elif isinstance(value, (list, tuple)) and _numeric_list(value):
        ds = group.create_dataset(key, data=np.asarray(value))
        ds.attrs["kind"] = type(value).__name__
    else:
        group.create_dataset(key, data=_pickled(value)).attrs["kind"] = "pickle"


def _write_array(group, key, value):
    """``group.create_dataset(key, data=value)``; plain numeric arrays through h5py's low-level API (the same
    contiguous dataset, in about half the time)."""
    if value.dtype.kind in "iuf" and value.dtype.isnative and value.ndim >= 1 and value.size > 0:
        value = np.ascontiguousarray(value)
        space = h5py.h5s.create_simple(value.shape)
        dset = h5py.h5d.create(group.id, key.encode(), h5py.h5t.py_create(value.dtype), space)
        dset.write(h5py.h5s.ALL, h5py.h5s.ALL, value)
    else:
        group.create_dataset(key, data=value)


def shared_name(value):
    """Name of a shared array: content hash, dtype and shape."""
    value = np.ascontiguousarray(value)
    digest = hashlib.sha1(value.view(np.uint8).ravel()).hexdigest()
    return f"{digest}_{value.dtype.str.strip('<>|=')}_{'x'.join(map(str, value.shape))}"


def share_time_axes(tree, known, emit, recent=None):
    """``tree`` with its time axes (``t``, ``t_*``) replaced by :class:`SharedRef`; ``emit(name, array)`` is
    called for each axis not in ``known`` (a set, updated). ``recent`` ({id: (name, array)}, updated, a few
    entries) skips hashing an array object seen just before (a batch's members share one time axis)."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out[key] = share_time_axes(value, known, emit, recent)
        elif (
            _is_time_axis(str(key))
            and isinstance(value, np.ndarray)
            and value.dtype.kind in "biufc"
            and (value.size >= 16)
        ):
            seen = recent.get(id(value)) if recent is not None else None
            if seen is not None and seen[1] is value:
                name = seen[0]
            else:
                name = shared_name(value)
                if recent is not None:
                    if len(recent) >= 8:
                        recent.pop(next(iter(recent)))
                    recent[id(value)] = (name, value)
            if name not in known:
                emit(name, value)
                known.add(name)
            out[key] = SharedRef(name)
        else:
            out[key] = value
    return out


def resolve_shared(tree, arrays):
    """Inverse of :func:`share_time_axes`, with ``arrays`` = {name: array}."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out[key] = resolve_shared(value, arrays)
        elif isinstance(value, SharedRef):
            out[key] = arrays[value.name]
        else:
            out[key] = value
    return out


def _numeric_list(value):
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return False
    return arr.dtype.kind in "biufc" and arr.size > 0


def read_value(ds):
    """The value :func:`write_value` stored in dataset ``ds``."""
    kind = ds.attrs.get("kind")
    if kind == "none":
        return None
    if kind == "pickle":
        return _unpickled(ds)
    if kind == "str":
        value = ds[()]
        return value.decode() if isinstance(value, bytes) else str(value)
    value = ds[()]
    if kind == "py" or kind == "bool":
        return value.item()
    if kind == "list":
        return value.tolist()
    if kind == "tuple":
        return tuple(value.tolist())
    return value


def read_tree(group, mapping=dict):
    """A group's datasets and subgroups as a nested ``mapping`` of values (see :func:`write_value`)."""
    out = mapping()
    for key, obj in group.items():
        out[key] = read_tree(obj, mapping) if isinstance(obj, h5py.Group) else read_value(obj)
    return out


def check_names(tree):
    """Raise ValueError if a result name (at any depth) is not a non-empty string without ``/``."""
    for key, value in tree.items():
        if not isinstance(key, str) or "/" in key or key in ("", "."):
            raise ValueError(f"Result name {key!r} cannot be stored: names must be non-empty strings without '/'.")
        if isinstance(value, Mapping):
            check_names(value)
