"""Private result stores of the optimisers.

:mod:`neurolib._storage.hdf` keeps explorations in one HDF5 file, fed through a crash-proof journal
(:mod:`neurolib._storage.journal`) while a search runs; see its docstring for the layout and for why.
"""

from neurolib._storage.hdf import Reader, SearchWriter, StoreError, check_writable, trajectory_names

__all__ = ["Reader", "SearchWriter", "StoreError", "check_writable", "trajectory_names"]
