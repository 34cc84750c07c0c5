"""Optimal control of neurolib models by adjoint gradient descent.

``from neurolib.control.optimal_control import oc_fhn, oc_hopf, oc_wc, oc_aln, cost_functions``; the classes are
``oc_fhn.OcFhn``, ``oc_hopf.OcHopf``, ``oc_wc.OcWc``, ``oc_aln.OcAln``, ``oc_ww.OcWw``, ``oc_thalamus.OcThalamus``,
``oc_kuramoto.OcKuramoto``, ``oc_multimodel.OcMultiModel`` (MultiModel nodes and networks), and the
model-independent base ``oc.OC`` (any of these models).
"""

from neurolib.control.optimal_control import (  # noqa: F401
    cost_functions,
    oc,
    oc_aln,
    oc_fhn,
    oc_hopf,
    oc_kuramoto,
    oc_multimodel,
    oc_thalamus,
    oc_wc,
    oc_ww,
)
