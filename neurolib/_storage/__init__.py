"""Private result stores of the optimisers: one layer for explorations and evolutions.

Modules, one job each:

* :mod:`~neurolib._storage.files`: the one lock (``filelock``, portable), the one atomic write (temporary file,
  fsync, ``os.replace``), path checks;
* :mod:`~neurolib._storage.journal`: append-only, checksummed record files (arrays blosc2-compressed) that survive
  ``kill -9`` at any moment: the results themselves, each written once;
* :mod:`~neurolib._storage.values`: what results may hold, shared time axes, values in HDF5 groups;
* :mod:`~neurolib._storage.provenance`: versions, host, times, seeds and arguments of a search;
* :mod:`~neurolib._storage.hdf`: explorations: a record file per exploration plus the HDF5 index
  (``./data/hdf/<name>.hdf``) written atomically when the search ends (:class:`SearchWriter`);
* :mod:`~neurolib._storage.reader`: reading an exploration, finished or running (:class:`Reader`);
* :mod:`~neurolib._storage.evolution`: evolutions: a record file per evolution (header, each individual's
  outputs once, one record per generation to resume from) plus the HDF5 index written when ``run()`` returns.

Why this design (measured on a 2-core VM, 16 runs of the 80-node gw Hopf network, 10 s each, outputs stored):
the published package's pypet file is 821 MB (zlib) for 1024 MB of float64 outputs and its search takes 42 s end to
end. Writing fresh pages costs ~2 ms/MB here, so every byte written twice (a journal plus an HDF5 copy, as before)
costs seconds; the records are therefore the store, and the HDF5 file holds only the index. blosc2 ZSTD level 1
after SHUFFLE + BYTEDELTA shrinks such output to ~0.79 at ~1.3 GB/s (LZ4: 0.83; zlib-1: 0.80 at ~76 MB/s), so the
store is smaller than the published file at a fraction of the cost of writing the raw bytes.
"""

from neurolib._storage.files import Lock, Locked, StoreError, check_writable, write_atomic
from neurolib._storage.hdf import SearchWriter
from neurolib._storage.reader import Reader, trajectory_names
from neurolib._storage.values import has_nonfinite

__all__ = [
    "Lock", "Locked", "Reader", "SearchWriter", "StoreError", "check_writable", "has_nonfinite", "trajectory_names",
    "write_atomic",
]  # fmt: skip
