"""Parameter exploration: :class:`BoxSearch`."""

from neurolib.optimize.exploration.exploration import BoxSearch as BoxSearch
from neurolib.optimize.exploration.exploration import ExplorationError as ExplorationError
from neurolib.optimize.exploration.exploration import RunContext as RunContext

__all__ = ["BoxSearch", "ExplorationError", "RunContext"]
