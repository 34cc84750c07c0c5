"""An append-only file of records that survives ``kill -9`` at any moment.

A record is a fixed header ``MAGIC | kind (1 byte) | key (8 bytes) | length (8 bytes) | crc32 (4 bytes)``
followed by a payload of ``length`` bytes holding one or more objects. Each object is pickled with protocol 5
and its large arrays are stored *out of band*, as raw bytes after the pickle, so writing a record copies no
array and reading one builds the arrays directly on the bytes read. The payload starts with a table of the
parts' lengths, so the first object (e.g. a run's attributes) can be read without the rest.

A reader takes the records up to the first one that is incomplete or does not match its checksum (the tail a
killed writer may leave); a writer that reopens the file cuts that tail off before appending. Kind and key sit
in the header, so a journal can be indexed without unpickling its payloads.

While it appends, the writer holds an exclusive lock on ``<journal>.lock`` (taken with the ``filelock`` package:
``flock`` on Unix, ``msvcrt`` locking on Windows; it is imported only here, so the module loads on any platform).
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

MAGIC = b"NLJ3"
_HEAD = struct.Struct("<4sBqQI")  # crc32: detects a torn or garbled tail, cheaply (~5 GB/s)
_U64 = struct.Struct("<Q")
_CHUNK = 1 << 24  # bytes read at a time while verifying

HEADER, RUN, FAILURE, SHARED = 0, 1, 2, 3

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


class JournalLocked(OSError):
    """Another process is appending to the journal."""


@dataclass
class Entry:
    """Where one record lies in the journal."""

    kind: int
    key: int
    offset: int  # of the payload
    length: int


# ---------------------------------------------------------------------------------------------- encoding
def encode(objects):
    """The payload parts of a record holding ``objects`` (a list of bytes-like objects, nothing copied)."""
    toc = [len(objects)]
    parts = []
    for obj in objects:
        buffers = []
        meta = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
        raws = [b.raw() for b in buffers]
        toc += [len(meta), len(raws), *(r.nbytes for r in raws)]
        parts += [meta, *raws]
    return [_U64.pack(len(toc)), struct.pack(f"<{len(toc)}Q", *toc), *parts]


def _toc(read_at):
    """Parse the table of a payload: list of (meta length, [buffer lengths]) and the offset after the table."""
    (n,) = _U64.unpack(read_at(0, 8))
    toc = struct.unpack(f"<{n}Q", read_at(8, 8 * n))
    out, k = [], 1
    for _ in range(toc[0]):
        meta_len, nbuf = toc[k], toc[k + 1]
        out.append((meta_len, list(toc[k + 2 : k + 2 + nbuf])))
        k += 2 + nbuf
    return out, 8 + 8 * n


def decode(data, first=False):
    """The objects of a payload (``bytes``/``bytearray``); only the first one with ``first=True``."""
    view = memoryview(data)
    table, pos = _toc(lambda at, n: view[at : at + n])
    objs = []
    for meta_len, buf_lens in table:
        meta = view[pos : pos + meta_len]
        pos += meta_len
        bufs = []
        for n in buf_lens:
            bufs.append(view[pos : pos + n])
            pos += n
        objs.append(pickle.loads(meta, buffers=bufs))
        if first:
            return objs[0]
    return tuple(objs)


# ---------------------------------------------------------------------------------------------- reading
def scan(path):
    """Index of the complete, intact records of ``path``: ``(entries, end of the last good record)``."""
    entries = []
    good = 0
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return entries, 0
    with fh:
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
            meta_len, buf_lens = table[0]
            data = bytearray(pos + meta_len + sum(buf_lens))
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

    Attributes
    ----------
    entries : list of Entry
        Every record of the file: those found when it was opened and those appended since.

    Raises
    ------
    JournalLocked
        If another process has the journal open for appending.
    """

    def __init__(self, path):
        from filelock import FileLock, Timeout  # portable locking, imported where it is used

        self.path = path
        self._fd = None
        self._lock = FileLock(f"{path}.lock", timeout=0, thread_local=False)
        try:
            self._lock.acquire()
        except Timeout as e:
            raise JournalLocked(
                f"The results {path!r} are being written by another process (is the same search running elsewhere?)."
            ) from e
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except BaseException:
            self._lock.release()
            raise
        _OPEN.add(self._fd)
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
            if self._lock is not None and self._lock.is_locked:
                self._lock.release()

    def remove(self):
        """Delete the journal (its records are in the HDF5 file now), close it and delete its lock file."""
        try:
            os.unlink(self.path)
        finally:
            self.close()
            try:
                os.unlink(self._lock.lock_file)
            except OSError:  # already gone, or (Windows) still open elsewhere
                pass
