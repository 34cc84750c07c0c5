"""Where an evolution keeps its results (HDF5) and its checkpoints (one pickle per generation).

Results file
------------
The results go to the HDF5 file ``./data/hdf/<filename>`` (where the published package wrote them), one group per
evolution, named like pypet's trajectories (``results-2024-01-31-12H-00M-00S``)::

    /<trajectory>/                 attrs: format, created, algorithm, weightList, parameter names and bounds, ...
        parameters/                popsize, NGEN, POP_INIT_SIZE, ind_len, seed
        results/params             the model's parameters (pickled), if a model was given
        results/evolution/gen_000003/{fitness, scores, population, ind_ids}    attrs: done (written last)
        results/outputs/ind_000042/<key>...   what the evaluation returned (nested dicts become groups)

Only the driver process writes; it opens the file once per generation, writes the generation, marks it done and
closes it, so other processes may read the file between generations. Groups without ``done`` (a writer killed
while writing) are rewritten on resume.

Checkpoints
-----------
The state needed to continue is not taken from the HDF5 file but from small pickles in the folder
``<results file>.checkpoints/<evolution uid>/``: ``base.pkl`` (configuration and the state the run started from) and
one ``gen_000007.pkl`` per completed generation (the individuals evaluated in it, the survivors, the generator
states and counters). Each is written to a temporary file and moved into place with :func:`os.replace`, so a
checkpoint is either complete or absent, whenever the process is killed. Replaying ``base.pkl`` and the
generation files in order rebuilds exactly the state after the last completed generation. The folder is removed
when ``run()`` returns; the results stay in the HDF5 file. While an evolution runs (or has been resumed) it holds
an exclusive lock on ``<folder>/lock`` (from the ``filelock`` package, so it works on every platform), which keeps a
second process with the same configuration from resuming the same folder; the lock ends with its process, however
that process ends.

Why pickles and not the HDF5 file: a checkpoint must be complete or absent after a ``kill -9`` at any instant, which
:func:`os.replace` guarantees for a whole file; HDF5 offers no such guarantee for a group written in place.
"""

from __future__ import annotations

import glob
import json
import numbers
import os
import pickle
import shutil
import time
from collections.abc import Mapping

import h5py
import numpy as np

from neurolib._storage import files
from neurolib._storage import provenance as P
from neurolib._storage.files import StoreError
from neurolib._storage.values import read_tree as _read_tree
from neurolib._storage.values import read_value, write_value
from neurolib.utils.collections import dotdict

FORMAT = "neurolib-evolution-1"
_RETRIES = 4


# ---------------------------------------------------------------------------------------------- checkpoints
def write_atomic(path, obj):
    """Pickle ``obj`` to ``path`` atomically (see :func:`neurolib._storage.files.write_atomic`)."""

    def write(tmp):
        with open(tmp, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)

    files.write_atomic(path, write)


def _read_pickle(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)


class NameTaken(Exception):
    """The trajectory name belongs to another evolution in the results file."""


def lock(folder):
    """Try to take the exclusive lock of a checkpoint folder without waiting.

    Returns
    -------
    neurolib._storage.files.Lock or None
        The held lock, or None when another process (or another evolution of this one) holds it.
    """
    try:
        return files.Lock(os.path.join(folder, "lock"), wait=False).acquire()
    except files.Locked:
        return None


def unlock(held):
    """Release a lock taken with :func:`lock` (None is ignored)."""
    if held is None:
        return
    try:
        held.release()
    except OSError:  # its folder was removed meanwhile
        pass


class Checkpoints:
    """The checkpoint folders of one results file.

    Parameters
    ----------
    hdf_file : str
        The results file; checkpoints live in ``<hdf_file>.checkpoints/``.
    """

    def __init__(self, hdf_file):
        self.root = f"{hdf_file}.checkpoints"

    def folder(self, name):
        """Checkpoint folder of the evolution ``name``."""
        return os.path.join(self.root, name)

    def find(self, fingerprint):
        """The newest checkpoint folder with this fingerprint that no running process holds.

        Returns
        -------
        (str, file) or (None, None)
            The folder and its lock (held by the caller from now on).
        """
        candidates = []
        for base in glob.glob(os.path.join(self.root, "*", "base.pkl")):
            try:
                cfg = _read_pickle(base)
            except Exception:  # unreadable (another version, a foreign file): not ours to resume
                continue
            if cfg.get("fingerprint") == fingerprint:
                candidates.append((cfg.get("created", 0.0), os.path.dirname(base)))
        for _, folder in sorted(candidates, reverse=True):
            fh = lock(folder)
            if fh is not None:
                return folder, fh
        return None, None

    def start(self, uid, base, held=None):
        """Create (or reset) the folder of the evolution ``uid``, lock it and write ``base.pkl``.

        Returns
        -------
        (str, file)
            The folder and its lock.
        """
        folder = self.folder(uid)
        os.makedirs(folder, exist_ok=True)
        fh = held if held is not None else lock(folder)
        if fh is None:
            raise StoreError(f"The checkpoint folder {folder!r} is in use by another process.")
        try:
            for path in glob.glob(os.path.join(folder, "gen_*.pkl")):
                os.remove(path)
            write_atomic(os.path.join(folder, "base.pkl"), base)
        except BaseException:
            if held is None:
                unlock(fh)
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return folder, fh

    @staticmethod
    def write_generation(folder, gIdx, payload):
        """Write the checkpoint of generation ``gIdx``."""
        write_atomic(os.path.join(folder, f"gen_{int(gIdx):06d}.pkl"), payload)

    @staticmethod
    def load(folder):
        """``(base, [generation payloads in order])``; stops at the first missing or unreadable generation."""
        base = _read_pickle(os.path.join(folder, "base.pkl"))
        for tmp in glob.glob(os.path.join(folder, "*.tmp-*")):  # left by a killed writer
            try:
                os.remove(tmp)
            except OSError:
                pass
        files = sorted(glob.glob(os.path.join(folder, "gen_*.pkl")))
        payloads = []
        expected = base.get("first_generation", 0)
        for path in files:
            g = int(os.path.basename(path)[4:10])
            if g != expected:
                break
            try:
                payloads.append(_read_pickle(path))
            except Exception:
                break
            expected += 1
        return base, payloads

    @staticmethod
    def remove(folder, fh=None):
        """Delete a checkpoint folder (and the root folder if it is empty), then release its lock."""
        shutil.rmtree(folder, ignore_errors=True)
        unlock(fh)
        root = os.path.dirname(folder)
        try:
            os.rmdir(root)
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------- values
def write_tree(group, tree):
    """Write a (nested) dict into ``group``: dicts become groups, values datasets (others pickled)."""
    for key, value in tree.items():
        key = str(key).replace("/", "|") or "_"
        if isinstance(value, Mapping):
            write_tree(group.create_group(key), value)
        else:
            write_value(group, key, value)


def read_tree(group):
    """Inverse of :func:`write_tree` (a :class:`~neurolib.utils.collections.dotdict`)."""
    return _read_tree(group, dotdict)


# ---------------------------------------------------------------------------------------------- results file
def _open(path, mode):
    last = None
    for attempt in range(_RETRIES):
        try:
            if mode == "r":
                return h5py.File(path, "r", locking=False)
            return h5py.File(path, mode, libver="earliest")
        except FileNotFoundError:
            raise
        except OSError as e:  # another writer holds the lock, or caught in the middle of a flush
            last = e
            time.sleep(0.03 * (attempt + 1))
    raise StoreError(f"Cannot open the result file {path!r} ({'read' if mode == 'r' else 'write'}): {last}") from last


def generation_name(gIdx):
    """``gen_`` + 6 digits."""
    return f"gen_{int(gIdx):06d}"


def individual_name(ind_id):
    """``ind_`` + 6 digits."""
    return f"ind_{int(ind_id):06d}"


def write_generations(path, name, uid, header, generations):
    """Write generations of the evolution ``name`` into the results file (idempotent).

    Parameters
    ----------
    path : str
        The results file (created if missing).
    name : str
        The trajectory (group) name.
    uid : str
        Identity of the evolution; a group of that name written by another evolution raises :class:`NameTaken`.
    header : callable
        ``header() -> (attrs, parameters, model_params or None)``, called when the group is created.
    generations : list of (int, dict, dict)
        ``(gIdx, record, {id: outputs})``; ``record`` holds ``fitness``, ``scores``, ``population``, ``ind_ids``.
        Generations and outputs already marked done are skipped, partial ones rewritten.
    """
    try:
        f = _open(path, "a")
    except OSError as e:
        raise StoreError(f"Cannot write the result file {path!r}: {e}") from e
    with f:
        traj = f.get(name)
        if traj is not None and traj.attrs.get("format") != FORMAT:
            if traj.attrs.get("uid") != uid:  # something else (an exploration?) of that name
                raise NameTaken(name)
            del f[name]  # our header, left half-written
            traj = None
        if traj is not None and traj.attrs.get("uid") != uid:
            raise NameTaken(name)
        if traj is None:
            attrs, parameters, model_params = header()
            traj = f.create_group(name)
            traj.attrs["uid"] = uid
            for k, v in attrs.items():
                traj.attrs[k] = v
            traj.attrs["created"] = time.time()
            write_tree(traj.create_group("parameters"), parameters)
            results = traj.create_group("results")
            if model_params is not None:
                write_value(results, "params", model_params)
            results.create_group("evolution")
            results.create_group("outputs")
            traj.attrs["format"] = FORMAT  # last: the header is complete
        evo = traj["results"]["evolution"]
        outs = traj["results"]["outputs"]
        for gIdx, record, outputs in generations:
            for ind_id, out in outputs.items():
                key = individual_name(ind_id)
                g = outs.get(key)
                if g is not None and g.attrs.get("done", False):
                    continue
                if g is not None:
                    del outs[key]
                g = outs.create_group(key)
                write_tree(g, out)
                g.attrs["done"] = True
            key = generation_name(gIdx)
            g = evo.get(key)
            if g is not None and g.attrs.get("done", False):
                continue
            if g is not None:
                del evo[key]
            g = evo.create_group(key)
            for k, v in record.items():
                g.create_dataset(k, data=np.asarray(v))
            g.attrs["done"] = True
        traj.attrs["last_generation"] = max([int(g) for g, _, _ in generations], default=-1)
        traj.attrs["updated"] = time.time()
        f.flush()


def evolution_names(path):
    """Names of the evolutions stored in ``path``, oldest first."""
    if not os.path.exists(path):
        raise StoreError(f"Result file {path!r} does not exist.")
    with _open(path, "r") as f:
        names = [k for k, g in f.items() if isinstance(g, h5py.Group) and g.attrs.get("format") == FORMAT]
        return sorted(names, key=lambda k: (float(f[k].attrs.get("created", 0.0)), k))


def name_of_uid(path, uid):
    """Name of the group of ``path`` written by the evolution ``uid``, or None."""
    if not os.path.exists(path):
        return None
    with _open(path, "r") as f:
        for key, g in f.items():
            if isinstance(g, h5py.Group) and g.attrs.get("uid") == uid:
                return key
    return None


def all_names(path):
    """Names of every top-level group of ``path`` (empty if the file does not exist or cannot be read)."""
    if not os.path.exists(path):
        return []
    try:
        with _open(path, "r") as f:
            return list(f.keys())
    except (OSError, StoreError):
        return []


class LazyOutputs(Mapping):
    """``results.outputs`` of a stored evolution: ``outputs["ind_000012"]`` (or ``.ind_000012``) reads on access."""

    def __init__(self, path, name, keys):
        self._path, self._name, self._keys = path, name, list(keys)

    def __getitem__(self, key):
        if isinstance(key, numbers.Integral):
            key = individual_name(key)
        if key not in self._keys:
            raise KeyError(key)
        with _open(self._path, "r") as f:
            return read_tree(f[self._name]["results"]["outputs"][key])

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError as e:
            raise AttributeError(key) from e

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)

    def __repr__(self):
        return f"<outputs of {len(self._keys)} individuals in {self._path}:{self._name}>"


class StoredEvolution:
    """An evolution read from a results file (what :meth:`Evolution.loadResults` puts in ``evolution.traj``).

    Attributes
    ----------
    v_name, name : str
        The trajectory name.
    filename : str
    attrs : dict
        Settings of the evolution.
    parameters : dotdict
        ``popsize``, ``NGEN``, ``POP_INIT_SIZE``, ``ind_len``, ``seed``.
    results : dotdict
        ``results.evolution.gen_000003.{fitness, scores, population, ind_ids}`` (numpy arrays),
        ``results.outputs`` (a :class:`LazyOutputs`), ``results.params`` (the model's parameters, if stored).
    """

    def __init__(self, path, name=None):
        names = evolution_names(path)
        if not names:
            raise StoreError(f"The file {path!r} holds no evolution.")
        if name is None:
            name = names[-1]
        elif name not in names:
            raise StoreError(f"The file {path!r} holds no evolution {name!r}; it holds {names}.")
        self.filename, self.name, self.v_name = path, name, name
        with _open(path, "r") as f:
            traj = f[name]
            self.attrs = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in traj.attrs.items()}
            if isinstance(self.attrs.get("parameterNames"), str):
                self.attrs["parameterNames"] = json.loads(self.attrs["parameterNames"])
            self.parameters = read_tree(traj["parameters"])
            res = traj["results"]
            evolution = dotdict()
            for key in sorted(res["evolution"]):
                g = res["evolution"][key]
                if g.attrs.get("done", False):
                    evolution[key] = dotdict({k: g[k][()] for k in g})
            outputs = [k for k, g in res["outputs"].items() if g.attrs.get("done", False)]
            self.results = dotdict(evolution=evolution, outputs=LazyOutputs(path, name, sorted(outputs)))
            if "params" in res:
                self.results["params"] = read_value(res["params"])

    def __repr__(self):
        return f"<StoredEvolution {self.name!r} in {self.filename!r}: {len(self.results.evolution)} generations>"


def provenance(path, name=None):
    """The provenance of the evolution ``name`` (default: the newest) stored in ``path``; {} if it has none.

    The end time is that of the last generation written.
    """
    names = evolution_names(path)
    if not names:
        raise StoreError(f"The file {path!r} holds no evolution or exploration.")
    if name is None:
        name = names[-1]
    elif name not in names:
        raise StoreError(f"The file {path!r} holds no evolution {name!r}; it holds {names}.")
    with _open(path, "r") as f:
        attrs = f[name].attrs
        text = attrs.get("provenance")
        if text is None:
            return {}
        prov = P.from_json(text)
        return P.finish(prov, float(attrs["updated"])) if "updated" in attrs else prov
