"""MultiModel: heterogeneous brain networks from neural masses written as symbolic delay differential equations.

Needs the optional dependencies of the ``multimodel`` extra (symengine, sympy, jitcdde, chspy)::

    pip install "neurolib[multimodel]"
"""

from neurolib.models.multimodel._deps import require

require()

from neurolib.models.multimodel.builder import *  # noqa: E402,F403
from neurolib.models.multimodel.builder import __all__ as _builder_all  # noqa: E402
from neurolib.models.multimodel.model import MultiModel  # noqa: E402

__all__ = ["MultiModel", *_builder_all]
