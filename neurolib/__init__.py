"""neurolib: whole-brain neural mass modelling.

Importing the package does no work; import the pieces you need, e.g.
``from neurolib.models.hopf import HopfModel``.
"""

__version__ = "0.7.0.dev0"
