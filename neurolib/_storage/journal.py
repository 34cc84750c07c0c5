"""An append-only file of records that survives ``kill -9`` at any moment.

A record is a fixed header ``MAGIC | kind (1 byte) | key (8 bytes) | length (8 bytes) | crc32 (4 bytes)``
followed by a payload of ``length`` bytes holding one or more objects. Each object is pickled with protocol 5
and its arrays are stored *out of band*, after the pickle: as raw bytes, or, from ``COMPRESS_MIN`` bytes on,
compressed with blosc2 (ZSTD level 1 after a byte shuffle and a byte delta: about 0.79 of the size of a
network's float64 time series at over 1 GB/s; see ``/_storage/__init__``). The payload starts with a table of
the parts' lengths, so the first object (e.g. a run's attributes) can be read without the rest.

A reader takes the records up to the first one that is incomplete or does not match its checksum (the tail a
killed writer may leave); a writer that reopens the file cuts that tail off before appending. Kind and key sit
in the header, so a journal can be indexed without unpickling its payloads.

While it appends, the writer holds an exclusive :class:`~neurolib._storage.files.Lock` on ``<journal>.lock``.
Two processes therefore never append to one journal. The lock dies with its process, however that process ends;
forked workers do not inherit it (``filelock`` closes the descriptor in the child, and so does this module for the
journal's own descriptor). Nothing is fsynced: a killed process loses nothing it wrote (the operating system keeps
it); a power cut may lose the last records.
"""

from __future__ import annotations

import os
import pickle
import struct
import zlib
from dataclasses import dataclass

import blosc2

from neurolib._storage.files import Lock, Locked

MAGIC = b"NLJ4"
_HEAD = struct.Struct("<4sBqQI")  # crc32: detects a torn or garbled tail, cheaply (~5 GB/s)
_U64 = struct.Struct("<Q")
_CHUNK = 1 << 24  # bytes read at a time while verifying

HEADER, RUN, FAILURE, SHARED, GENERATION, END = 0, 1, 2, 3, 4, 5
COMPRESS_MIN = 1 << 16  # arrays from this size on are compressed
_PIECE = 4 << 20  # compressed in pieces of this many bytes (small: their buffers are reused, no fresh pages)
_RAW, _BLOSC2 = 0, 1

_OPEN: set = set()  # descriptors of the journals this process appends to


def _close_in_child():
    """A forked child (a worker) has no business with the writer's journals: drop its copies of their descriptors."""
    for fd in list(_OPEN):
        try:
            os.close(fd)  # closing a duplicate does not release the parent's lock; dropping the last one does
        except OSError:
            pass
    _OPEN.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


class JournalLocked(Locked):
    """Another process is appending to the journal."""


@dataclass
class Entry:
    """Where one record lies in the journal."""

    kind: int
    key: int
    offset: int  # of the payload
    length: int


# ---------------------------------------------------------------------------------------------- encoding
def _compress(view):
    """``view`` (a contiguous memoryview) compressed: a list of blosc2 chunks, or None if it does not shrink."""
    itemsize = view.itemsize if view.itemsize in (1, 2, 4, 8, 16) else 1
    raw = view.cast("B")
    filters = [blosc2.Filter.SHUFFLE, blosc2.Filter.BYTEDELTA] if itemsize > 1 else [blosc2.Filter.NOFILTER]
    chunks, total = [], 0
    step = _PIECE - _PIECE % max(itemsize, 1)
    for start in range(0, raw.nbytes, step):
        chunk = blosc2.compress2(
            raw[start : start + step], typesize=itemsize, codec=blosc2.Codec.ZSTD, clevel=1, filters=filters,
            filters_meta=[0] * len(filters), nthreads=2,
        )  # fmt: skip
        chunks.append(chunk)
        total += len(chunk)
    return chunks if total < raw.nbytes else None


def encode(objects):
    """The payload parts of a record holding ``objects`` (a list of bytes-like objects; raw arrays not copied).

    The table holds, per object, the pickle's length, the number of its buffers, and per buffer its stored length,
    its length and its codec (raw or blosc2)."""
    toc = [len(objects)]
    parts = []
    for obj in objects:
        buffers = []
        meta = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
        toc += [len(meta), len(buffers)]
        parts.append(meta)
        for b in buffers:
            view = memoryview(b)
            if not view.contiguous:  # pickle only hands out contiguous buffers; be safe
                view = memoryview(bytes(view))
            chunks = _compress(view) if view.nbytes >= COMPRESS_MIN else None
            if chunks is None:
                toc += [view.nbytes, view.nbytes, _RAW]
                parts.append(view.cast("B"))
            else:
                toc += [sum(len(c) for c in chunks), view.nbytes, _BLOSC2]
                parts += chunks
    return [_U64.pack(len(toc)), struct.pack(f"<{len(toc)}Q", *toc), *parts]


def _toc(read_at):
    """Parse the table of a payload: list of (meta length, [(stored, length, codec)]), offset after the table."""
    (n,) = _U64.unpack(read_at(0, 8))
    toc = struct.unpack(f"<{n}Q", read_at(8, 8 * n))
    out, k = [], 1
    for _ in range(toc[0]):
        meta_len, nbuf = toc[k], toc[k + 1]
        out.append((meta_len, [tuple(toc[k + 2 + 3 * i : k + 5 + 3 * i]) for i in range(nbuf)]))
        k += 2 + 3 * nbuf
    return out, 8 + 8 * n


def _decompress(view, length):
    """The bytes of the blosc2 chunks in ``view``, as a new writable buffer of ``length`` bytes."""
    out = bytearray(length)
    dst = memoryview(out)
    pos = at = 0
    while at < view.nbytes:
        nbytes, cbytes, _ = blosc2.get_cbuffer_sizes(view[at : at + 32])
        blosc2.decompress2(view[at : at + cbytes], dst=dst[pos : pos + nbytes], nthreads=2)
        at += cbytes
        pos += nbytes
    return out


def decode(data, first=False):
    """The objects of a payload (``bytes``/``bytearray``); only the first one with ``first=True``."""
    view = memoryview(data)
    table, pos = _toc(lambda at, n: view[at : at + n])
    objs = []
    for meta_len, bufs_toc in table:
        meta = view[pos : pos + meta_len]
        pos += meta_len
        bufs = []
        for stored, length, codec in bufs_toc:
            part = view[pos : pos + stored]
            bufs.append(part if codec == _RAW else _decompress(part, length))
            pos += stored
        objs.append(pickle.loads(meta, buffers=bufs))
        if first:
            return objs[0]
    return tuple(objs)


# ---------------------------------------------------------------------------------------------- reading
def scan(path, start=0):
    """Index of the complete, intact records of ``path`` from byte ``start`` on (the end of a record):
    ``(entries, end of the last good record)``."""
    entries = []
    good = start
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return entries, start
    with fh:
        fh.seek(start)
        while True:
            head = fh.read(_HEAD.size)
            if len(head) < _HEAD.size:
                break
            magic, kind, key, length, digest = _HEAD.unpack(head)
            if magic != MAGIC:
                break
            crc = 0
            left = length
            while left:
                chunk = fh.read(min(left, _CHUNK))
                if not chunk:
                    break
                crc = zlib.crc32(chunk, crc)
                left -= len(chunk)
            if left or crc != digest:
                break
            entries.append(Entry(kind, key, good + _HEAD.size, length))
            good += _HEAD.size + length
    return entries, good


def _read(fh, entry):
    fh.seek(entry.offset)
    data = bytearray(entry.length)  # writable: arrays built on it can be changed by the user
    fh.readinto(data)
    return data


def load_from(fh, entries, first=False):
    """The objects of ``entries`` from the open file ``fh``: a tuple per record (its first object only with
    ``first=True``, read without the rest)."""
    out = []
    for e in entries:
        if first:
            table, pos = _toc(lambda at, n, base=e.offset: _pread(fh, base + at, n))
            meta_len, bufs_toc = table[0]
            data = bytearray(pos + meta_len + sum(b[0] for b in bufs_toc))
            fh.seek(e.offset)
            fh.readinto(data)
            out.append(decode(data, first=True))
        else:
            out.append(decode(_read(fh, e)))
    return out


def _pread(fh, offset, n):
    fh.seek(offset)
    return fh.read(n)


def load(path, entries, first=False):
    """As :func:`load_from`, opening ``path``."""
    with open(path, "rb") as fh:
        return load_from(fh, entries, first)


def read_header(path):
    """The first object of the first record if it is a header (and intact), else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD.size)
            if len(head) < _HEAD.size:
                return None
            magic, kind, key, length, digest = _HEAD.unpack(head)
            if magic != MAGIC or kind != HEADER:
                return None
            payload = fh.read(length)
    except FileNotFoundError:
        return None
    if len(payload) < length or zlib.crc32(payload) != digest:
        return None
    return decode(payload, first=True)


# ---------------------------------------------------------------------------------------------- writing
class Journal:
    """Appends records to ``path`` (created if missing; an incomplete tail is cut off first).

    Parameters
    ----------
    path : str
    known : tuple, optional
        ``(entries, end)`` of records known to be intact (from an index); only the bytes after ``end`` are checked.

    Attributes
    ----------
    entries : list of Entry
        Every record of the file: those found when it was opened and those appended since.

    Raises
    ------
    JournalLocked
        If another process has the journal open for appending.
    """

    def __init__(self, path, known=None):
        self.path = path
        self._fd = None
        self._lock = Lock(f"{path}.lock", wait=False)
        try:
            self._lock.acquire()
        except Locked as e:
            raise JournalLocked(
                f"The results {path!r} are being written by another process (is the same search running elsewhere?)."
            ) from e
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except BaseException:
            self._lock.release()
            raise
        _OPEN.add(self._fd)
        if known is not None:  # (entries, end) already verified (e.g. listed in an index): check only the rest
            entries, end = known
            if os.fstat(self._fd).st_size < end:
                entries, end = [], 0
            more, self._end = scan(path, end)
            self.entries = list(entries) + more
        else:
            self.entries, self._end = scan(path)
        os.ftruncate(self._fd, self._end)
        os.lseek(self._fd, self._end, os.SEEK_SET)

    def append(self, kind, key, *objects):
        """Append one record holding ``objects`` (durable against a killed process once it returns)."""
        parts = encode(objects)
        crc = 0
        length = 0
        for p in parts:
            crc = zlib.crc32(p, crc)
            length += memoryview(p).nbytes
        try:
            self._write(_HEAD.pack(MAGIC, kind, int(key), length, crc))
            for p in parts:
                self._write(p)
        except BaseException:  # e.g. a full disk: drop the partial record, keep the file consistent
            os.ftruncate(self._fd, self._end)
            os.lseek(self._fd, self._end, os.SEEK_SET)
            raise
        self.entries.append(Entry(kind, int(key), self._end + _HEAD.size, length))
        self._end += _HEAD.size + length

    def cut(self, end):
        """Drop every record after byte ``end`` (the end of a record), e.g. those of an unfinished step."""
        if not 0 <= end <= self._end:
            raise ValueError(f"cut: {end} is not within the records (0 to {self._end}).")
        os.ftruncate(self._fd, end)
        os.lseek(self._fd, end, os.SEEK_SET)
        self.entries = [e for e in self.entries if e.offset + e.length <= end]
        self._end = end

    def _write(self, data):
        view = memoryview(data).cast("B")
        while view.nbytes:
            n = os.write(self._fd, view)
            view = view[n:]

    def close(self):
        """Close the file and release the lock."""
        try:
            if self._fd is not None:
                _OPEN.discard(self._fd)
                os.close(self._fd)
                self._fd = None
        finally:
            self._lock.release()

    @property
    def end(self):
        """The byte offset after the last record."""
        return self._end

    def remove(self):
        """Delete the journal (nothing worth keeping is in it), close it and delete its lock file."""
        try:
            os.unlink(self.path)
        finally:
            self.close()
            try:
                os.unlink(self._lock.path)
            except OSError:  # already gone, or (Windows) still open elsewhere
                pass
