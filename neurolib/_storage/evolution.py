"""Where evolutions are stored: an append-only record file per evolution, indexed by the HDF5 results file.

Files
-----
``<file>.<trajectory>.records``
    The evolution itself, a :mod:`~neurolib._storage.journal` (the same record files as explorations):

    * ``HEADER 0``: ``attrs`` (format, uid, fingerprint, creation time, algorithm, weights, bounds ...),
      ``parameters`` (popsize, NGEN ...), ``model_params``, ``provenance``, and what the evolution started from
      (``rng``, ``state``: None for a fresh evolution, the whole state for one loaded or continued in a new file);
    * ``HEADER k`` (k >= 1): the start of the k-th call of ``run()`` (its target generation);
    * ``RUN id``: what the evaluation of individual ``id`` returned besides its fitness (its outputs), written
      once, just before the generation that evaluated it;
    * ``GENERATION g``: the checkpoint of generation ``g``: the individuals evaluated in it (without outputs),
      the candidates and survivors, fitness values, generator states and counters;
    * ``END k``: the k-th call of ``run()`` returned.

    Replaying the records rebuilds the state after the last complete generation, so a ``kill -9`` at any moment
    loses at most the generation being evaluated; outputs of an unfinished generation are cut off on resume. An
    evolution without ``END`` after its last ``HEADER`` is unfinished: the same configuration started again
    resumes it. While ``run()`` works, its process holds the record file's lock, so no second process resumes it.
``<file>`` (``./data/hdf/<name>.hdf`` by default)
    The HDF5 *index*, one group per evolution, readable with any HDF5 tool; replaced atomically (under the lock
    ``.<file>.lock``) each time ``run()`` returns::

        /<trajectory>/              attrs: format, uid, algorithm, weightList, parameterNames, bounds, provenance,
                                    created, updated, last_generation, records (file name), records_end
            parameters/             popsize, NGEN, POP_INIT_SIZE, ind_len, seed
            results/params          the model's parameters, if a model was given
            results/evolution/gen_000003/{fitness, scores, population, ind_ids}
            records                 (n, 4) int64: kind, key, offset, length of every record of the record file

Reading (:class:`StoredEvolution`) takes the record file (the index's entries plus what was appended since), so
an evolution is readable while it runs, and its outputs are read one individual at a time.
"""

from __future__ import annotations

import glob
import numbers
import os
import time
from collections.abc import Mapping

import h5py
import numpy as np

from neurolib._storage import journal as J
from neurolib._storage import provenance as P
from neurolib._storage.files import Lock, StoreError, check_writable, open_hdf_read, remove_stale, write_atomic
from neurolib._storage.values import read_tree, read_value, write_value
from neurolib.utils.collections import dotdict

FORMAT = "neurolib-evolution-2"


def records_path(path, name):
    """The record file of evolution ``name`` of the results file ``path``."""
    return f"{path}.{name}.records"


def generation_name(gIdx):
    """``gen_`` + 6 digits."""
    return f"gen_{int(gIdx):06d}"


def individual_name(ind_id):
    """``ind_`` + 6 digits."""
    return f"ind_{int(ind_id):06d}"


def _is_evolution(header):
    return isinstance(header, dict) and header.get("attrs", {}).get("format") == FORMAT


def _headers(path):
    """{name: header} of the evolutions' record files next to ``path``."""
    prefix, out = f"{path}.", {}
    for rp in glob.glob(glob.escape(path) + ".*.records"):
        header = J.read_header(rp)
        if _is_evolution(header):
            out[rp[len(prefix) : -len(".records")]] = header
    return out


def _index_groups(f):
    if f is None:
        return {}
    return {k: g for k, g in f.items() if isinstance(g, h5py.Group) and g.attrs.get("format") == FORMAT}


def all_names(path):
    """Every name used in the results file ``path`` or by a record file next to it (evolutions, explorations)."""
    path = os.path.abspath(path)
    names = {os.path.basename(rp)[len(os.path.basename(path)) + 1 : -len(".records")]
             for rp in glob.glob(glob.escape(path) + ".*.records")}  # fmt: skip
    try:
        f = open_hdf_read(path)
    except StoreError:
        return sorted(names)
    if f is not None:
        with f:
            names |= set(f.keys())
    return sorted(names)


def evolution_names(path):
    """Names of the evolutions stored in ``path`` (finished or running), oldest first."""
    path = os.path.abspath(path)
    created = {name: h["attrs"].get("created", 0.0) for name, h in _headers(path).items()}
    f = open_hdf_read(path)
    if f is not None:
        with f:
            created.update({k: g.attrs.get("created", 0.0) for k, g in _index_groups(f).items()})
    elif not created:
        raise StoreError(f"Result file {path!r} does not exist.")
    return sorted(created, key=lambda k: (float(created[k]), k))


def _ends(entries):
    """Whether the last ``HEADER``/``END`` record is an ``END``: the evolution is not running nor interrupted."""
    marks = [e.kind for e in entries if e.kind in (J.HEADER, J.END)]
    return bool(marks) and marks[-1] == J.END


# ---------------------------------------------------------------------------------------------- writing
class EvolutionStore:
    """The record file of one evolution, open for appending (its lock held). See the module's docstring.

    Use :meth:`create`, :meth:`resume` or :meth:`reopen`; :meth:`finish` when ``run()`` returns, :meth:`close`
    when it stops early (resumable).
    """

    def __init__(self, path, name, journal):
        self.path, self.name, self._journal = path, name, journal

    @classmethod
    def create(cls, path, name, header):
        """Start the record file of a new evolution ``name`` (a name no record file uses yet)."""
        path = os.path.abspath(path)
        check_writable(path)
        remove_stale(path)
        rp = records_path(path, name)
        if os.path.exists(rp) and os.path.getsize(rp) > 0:
            raise StoreError(f"The records {rp!r} already exist; choose another trajectory name.")
        journal = J.Journal(rp)
        try:
            journal.append(J.HEADER, 0, header)
        except BaseException:
            journal.close()
            raise
        return cls(path, name, journal)

    @classmethod
    def resume(cls, path, fingerprint):
        """The newest unfinished evolution of ``path`` with ``fingerprint`` that no process is running.

        Returns
        -------
        (EvolutionStore, dict) or (None, None)
            The store (its lock held from now on) and what :meth:`replay` gives.
        """
        path = os.path.abspath(path)
        candidates = [(float(h["attrs"].get("created", 0.0)), name) for name, h in _headers(path).items()
                      if h["attrs"].get("fingerprint") == fingerprint]  # fmt: skip
        for _, name in sorted(candidates, reverse=True):
            entries, _ = J.scan(records_path(path, name))
            if _ends(entries):
                continue
            try:
                store = cls(path, name, J.Journal(records_path(path, name)))
            except J.JournalLocked:
                continue
            try:
                return store, store.replay()
            except BaseException:
                store.close()
                raise
        return None, None

    @classmethod
    def reopen(cls, path, name):
        """Open the record file of evolution ``name`` again (a later ``run()``); None if it is missing.

        Raises
        ------
        JournalLocked
            If another process is running it.
        """
        rp = records_path(os.path.abspath(path), name)
        if not os.path.exists(rp):
            return None
        store = cls(os.path.abspath(path), name, J.Journal(rp))
        store.replay()  # cuts off what an unfinished generation left
        return store

    @property
    def _file(self):
        return self._journal.path

    def replay(self):
        """What the records hold, after cutting off the outputs of an unfinished generation.

        Returns
        -------
        dict
            ``header`` (of ``HEADER 0``), ``targets`` (of every ``run()``, in order), ``ended``, ``generations``
            (the ``GENERATION`` payloads in order) and ``outputs`` ({individual id: outputs}).
        """
        entries = self._journal.entries
        last = max((k for k, e in enumerate(entries) if e.kind in (J.GENERATION, J.HEADER, J.END)), default=-1)
        if last + 1 < len(entries):
            self._journal.cut(entries[last].offset + entries[last].length)
            entries = self._journal.entries
        with open(self._file, "rb") as fh:
            heads = [e for e in entries if e.kind == J.HEADER]
            if not heads or heads[0].key != 0:
                raise StoreError(f"{self._file!r} is not the record file of an evolution (no header).")
            loaded = J.load_from(fh, heads, first=True)
            gens = [e for e in entries if e.kind == J.GENERATION]
            runs = [e for e in entries if e.kind == J.RUN]
            return {
                "header": loaded[0],
                "targets": [h.get("target") for h in loaded],
                "ended": _ends(entries),
                "generations": J.load_from(fh, gens, first=True),
                "outputs": {e.key: out for e, out in zip(runs, J.load_from(fh, runs, first=True))},
            }

    def start_run(self, target):
        """Record that a ``run()`` towards generation ``target`` starts."""
        k = sum(e.kind == J.HEADER for e in self._journal.entries)
        self._journal.append(J.HEADER, k, {"target": int(target), "time": time.time()})

    def write_generation(self, gIdx, payload, outputs):
        """Record generation ``gIdx``: the outputs of its new individuals ({id: dict}) each once, then its payload.

        Outputs that cannot be pickled are replaced by ``{}`` and returned as ``{id: error}``.
        """
        failed = {}
        for ind_id, out in outputs.items():
            try:
                self._journal.append(J.RUN, ind_id, out)
            except Exception as e:  # e.g. a lambda in the outputs
                failed[ind_id] = e
                self._journal.append(J.RUN, ind_id, {})
        self._journal.append(J.GENERATION, gIdx, payload)
        return failed

    def finish(self, index):
        """Record that ``run()`` returned and write the index; releases the lock.

        Parameters
        ----------
        index : dict
            ``attrs`` (more attributes of the group), ``records`` ({gIdx: {fitness, scores, population,
            ind_ids}}).

        Returns
        -------
        str or None
            Where an unreadable results file was moved before it was written anew (None if it was readable).
        """
        try:
            k = sum(e.kind == J.END for e in self._journal.entries) + 1
            self._journal.append(J.END, k, {"time": time.time()})
            return write_index(self.path, self.name, self.replay()["header"], self._journal, index)
        finally:
            self._journal.close()

    def close(self):
        """Stop appending (the evolution stays resumable) and release the lock."""
        self._journal.close()


def write_index(path, name, header, journal, index):
    """(Re)write the group ``name`` of the HDF5 index ``path`` atomically (see the module's docstring)."""
    folder, base = os.path.split(path)
    aside = None
    with Lock(os.path.join(folder, f".{base}.lock")):
        try:
            f = open_hdf_read(path)
            if f is not None:
                f.close()
        except (StoreError, OSError):
            aside = f"{path}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
            os.replace(path, aside)

        def write(tmp):
            with h5py.File(tmp, "a", libver="earliest") as f:
                if name in f:
                    del f[name]
                _write_group(f.create_group(name), header, journal, index)

        write_atomic(path, write, copy_from=path)
    return aside


def _write_group(traj, header, journal, index):
    attrs = {**header["attrs"], **index.get("attrs", {})}
    prov = header.get("provenance")
    if prov is not None:
        attrs["provenance"] = P.to_json(P.finish(prov, time.time()))
    records = index.get("records", {})
    attrs.update(updated=time.time(), last_generation=max(records, default=-1),
                 records=os.path.basename(journal.path), records_end=int(journal.end))  # fmt: skip
    for key, value in attrs.items():
        traj.attrs[key] = value
    _write_tree(traj.create_group("parameters"), header.get("parameters", {}))
    results = traj.create_group("results")
    if header.get("model_params") is not None:
        write_value(results, "params", header["model_params"])
    evo = results.create_group("evolution")
    for g, record in sorted(records.items()):
        group = evo.create_group(generation_name(g))
        for key, value in record.items():
            group.create_dataset(key, data=np.asarray(value))
    rows = np.array([(e.kind, e.key, e.offset, e.length) for e in journal.entries], dtype=np.int64).reshape(-1, 4)
    traj.create_dataset("records", data=rows)


def _write_tree(group, tree):
    for key, value in tree.items():
        key = str(key).replace("/", "|") or "_"
        if isinstance(value, Mapping):
            _write_tree(group.create_group(key), value)
        else:
            write_value(group, key, value)


# ---------------------------------------------------------------------------------------------- reading
class LazyOutputs(Mapping):
    """``results.outputs`` of a stored evolution: ``outputs["ind_000012"]`` (or ``.ind_000012``, or ``[12]``)
    reads that individual's outputs when asked."""

    def __init__(self, records, entries):
        self._records, self._entries = records, {individual_name(e.key): e for e in entries}

    def __getitem__(self, key):
        if isinstance(key, numbers.Integral):
            key = individual_name(key)
        entry = self._entries[key]
        if not os.path.exists(self._records):
            raise StoreError(f"The outputs are in {self._records!r}, which is missing (keep the .records files "
                             f"next to the results file).")  # fmt: skip
        return _as_dotdict(J.load(self._records, [entry], first=True)[0])

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError as e:
            raise AttributeError(key) from e

    def __iter__(self):
        return iter(sorted(self._entries))

    def __len__(self):
        return len(self._entries)

    def __repr__(self):
        return f"<outputs of {len(self._entries)} individuals in {self._records}>"


def _as_dotdict(tree):
    if isinstance(tree, Mapping):
        return dotdict({k: _as_dotdict(v) for k, v in tree.items()})
    return tree


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
    running : bool
        True while the records hold more than the index (running, or interrupted and not resumed).
    """

    def __init__(self, path, name=None):
        path = os.path.abspath(path)
        names = evolution_names(path)
        if not names:
            raise StoreError(f"The file {path!r} holds no evolution.")
        if name is None:
            name = names[-1]
        elif name not in names:
            raise StoreError(f"The file {path!r} holds no evolution {name!r}; it holds {names}.")
        self.filename, self.name, self.v_name = path, name, name
        entries, end, index = [], 0, None
        f = open_hdf_read(path)
        if f is not None:
            with f:
                group = _index_groups(f).get(name)
                if group is not None:
                    index = _read_group(group)
                    entries = [J.Entry(*map(int, row)) for row in group["records"][()]]
                    end = int(group.attrs.get("records_end", 0))
        rp = records_path(path, name)
        if not os.path.exists(rp):
            entries, end = [], 0
        more, _ = J.scan(rp, end) if os.path.exists(rp) else ([], 0)
        self.running = index is None or bool(more)
        entries = entries + more
        if entries:
            self._from_records(rp, entries)
            if index is not None:
                self.attrs.update(index["attrs"])
        else:  # only the index (the record file was not kept)
            self.attrs, self.parameters = index["attrs"], index["parameters"]
            self.results = dotdict(evolution=index["evolution"], outputs=LazyOutputs(rp, []))
            if "params" in index:
                self.results["params"] = index["params"]
        if isinstance(self.attrs.get("parameterNames"), str):
            import json

            self.attrs["parameterNames"] = json.loads(self.attrs["parameterNames"])

    def _from_records(self, rp, entries):
        last = max((e.offset for e in entries if e.kind == J.GENERATION), default=-1)
        with open(rp, "rb") as fh:
            header = J.load_from(fh, [entries[0]], first=True)[0]
            gens = J.load_from(fh, [e for e in entries if e.kind == J.GENERATION], first=True)
        self.attrs = dict(header["attrs"])
        self.parameters = _as_dotdict(header.get("parameters", {}))
        evolution = dotdict()
        for payload in gens:
            if payload.get("record") is None:
                continue
            evolution[generation_name(payload["gIdx"])] = dotdict(
                {k: np.asarray(v) for k, v in payload["record"].items()}
            )
        runs = {e.key: e for e in entries if e.kind == J.RUN and e.offset < last}  # a finished generation's
        self.results = dotdict(evolution=evolution, outputs=LazyOutputs(rp, runs.values()))
        if header.get("model_params") is not None:
            self.results["params"] = header["model_params"]
        self._header = header

    def __repr__(self):
        return f"<StoredEvolution {self.name!r} in {self.filename!r}: {len(self.results.evolution)} generations>"


def _read_group(group):
    attrs = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in group.attrs.items()}
    res = group["results"]
    evolution = dotdict({k: dotdict({n: g[n][()] for n in g}) for k, g in sorted(res["evolution"].items())})
    out = {"attrs": attrs, "parameters": read_tree(group["parameters"], dotdict), "evolution": evolution}
    if "params" in res:
        out["params"] = read_value(res["params"])
    return out


def provenance(path, name=None):
    """The provenance of the evolution ``name`` (default: the newest) stored in ``path``; {} if it has none.

    For a finished evolution, the end time is when its last ``run()`` returned; while it runs, there is none yet.
    """
    stored = StoredEvolution(path, name)
    text = stored.attrs.get("provenance")
    if text is not None and not stored.running:
        return P.from_json(text)
    header = getattr(stored, "_header", None)
    if header is not None and header.get("provenance") is not None:
        return dict(header["provenance"])
    return P.from_json(text) if text is not None else {}
