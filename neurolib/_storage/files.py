"""The file primitives every store uses: one lock, one atomic write, and the checks of a result path.

* :class:`Lock` is an exclusive inter-process lock on a lock file, from the ``filelock`` package (``flock`` on Unix,
  ``msvcrt`` locking on Windows, so this module loads on any platform). A lock dies with its process, however that
  process ends.
* :func:`write_atomic` writes a whole file so that, whenever the writer is killed, the path holds either the old
  file or the new one: the new content goes to a temporary file in the same folder, is flushed to disk, and
  replaces the old file with :func:`os.replace`.
* :func:`remove_stale` deletes temporary files left by writers that were killed.
"""

from __future__ import annotations

import glob
import os

import h5py
from filelock import FileLock, Timeout  # portable locking (imported with the storage: its import takes ~10 ms)

from neurolib.errors import ParameterError


class StoreError(OSError):
    """A result file cannot be created, opened or read."""


class Locked(StoreError):
    """Another process holds the lock."""


class Lock:
    """An exclusive lock on the file ``path`` (created if missing), shared by processes on any platform.

    Parameters
    ----------
    path : str
        The lock file.
    wait : bool
        Wait until the lock is free (default); with False, :meth:`acquire` raises :class:`Locked` at once if
        another process holds it.
    """

    def __init__(self, path, wait=True):
        if not isinstance(path, (str, os.PathLike)):
            raise ParameterError(f"path must be a file path, got {type(path).__name__}.")
        self.path = os.fspath(path)
        self._lock = FileLock(self.path, timeout=-1 if wait else 0, thread_local=False)

    def acquire(self, message=None):
        """Take the lock; raises :class:`Locked` (with ``message``) if it is held elsewhere and not waited for."""
        try:
            self._lock.acquire()
        except Timeout as e:
            raise Locked(message or f"{self.path!r} is locked by another process.") from e
        return self

    def release(self):
        """Release the lock (if held)."""
        if self._lock.is_locked:
            self._lock.release()

    @property
    def held(self):
        """True while this process holds the lock."""
        return self._lock.is_locked

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def temporary_name(path):
    """A fresh temporary name next to ``path``: ``<path>.tmp-<pid>-<random>`` (see :func:`remove_stale`)."""
    return f"{path}.tmp-{os.getpid()}-{os.urandom(4).hex()}"


def write_atomic(path, write, copy_from=None):
    """Write the file ``path`` atomically: ``write(tmp)`` fills a temporary file, which then replaces ``path``.

    Parameters
    ----------
    path : str
        The file to (re)place.
    write : callable
        ``write(tmp_path)``: writes the new content to ``tmp_path``.
    copy_from : str, optional
        A file copied to the temporary name first (``write`` then changes the copy), e.g. ``path`` itself.
    """
    import shutil

    tmp = temporary_name(path)
    try:
        if copy_from is not None and os.path.exists(copy_from):
            shutil.copyfile(copy_from, tmp)
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def remove_stale(path):
    """Delete the temporary files of ``path`` left by writers that were killed (their process is gone)."""
    for tmp in glob.glob(glob.escape(path) + ".tmp-*"):
        pid = tmp[len(path) + 5 :].split("-")[0]
        try:
            os.kill(int(pid), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except (ValueError, PermissionError, OSError):
            continue
        try:
            os.unlink(tmp)
        except OSError:
            pass


def check_writable(path):
    """Create the folder of ``path`` if needed and make sure files can be written there.

    Raises
    ------
    StoreError
        With the reason, if the folder cannot be created or written, or ``path`` is a folder or not HDF5.
    """
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        raise StoreError(f"The result file {path!r} is a folder; give a file name such as 'exploration.hdf'.")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise StoreError(
            f"Cannot create the folder {folder!r} for the result file: {e.strerror or e}. Choose a filename in a "
            f"writable folder."
        ) from e
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise StoreError(f"The result file {path!r} is not writable.")
    if os.path.exists(path) and not h5py.is_hdf5(path):
        raise StoreError(f"{path!r} exists and is not an HDF5 file; choose another filename.")
    probe = os.path.join(folder, f".neurolib-write-test-{os.getpid()}")
    try:
        with open(probe, "wb"):
            pass
        os.unlink(probe)
    except OSError as e:
        raise StoreError(
            f"Cannot write the result file {path!r}: the folder {folder!r} is not writable ({e.strerror or e})."
        ) from e


def open_hdf_read(path, retries=8):
    """Open ``path`` read-only without the HDF5 file lock (it is only ever replaced whole); None if missing."""
    import time

    last = None
    for attempt in range(retries):
        if not os.path.exists(path):
            return None
        try:
            if not h5py.is_hdf5(path):
                raise StoreError(f"{path!r} is not an HDF5 file.")
            return h5py.File(path, "r", locking=False)
        except FileNotFoundError:
            return None
        except StoreError:
            raise
        except OSError as e:
            last = e
            time.sleep(0.05 * (attempt + 1))
    raise StoreError(f"Cannot read the result file {path!r}: {last}") from last
