"""Default folders for results and figures, relative to the current working directory."""

HDF_DIR = "./data/hdf/"  # exploration and evolution results
FIGURES_DIR = "./data/figures/"  # figures saved by the plotting helpers
