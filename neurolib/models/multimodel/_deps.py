"""The optional dependencies of MultiModel, checked once with one clear message."""

import importlib
import importlib.util

EXTRA_MODULES = ("symengine", "sympy", "jitcdde", "chspy")
INSTALL_HINT = 'pip install "neurolib[multimodel]"'


def require():
    """Import the ``multimodel`` extra's packages; raise one ``ImportError`` naming the extra if any is missing."""
    missing = []
    for name in EXTRA_MODULES:
        try:
            if name == "sympy":  # needed by jitcdde's tools only: found, not imported (it is slow to import)
                if importlib.util.find_spec(name) is None:
                    raise ImportError(name)
            else:
                importlib.import_module(name)
        except (ImportError, ValueError):
            missing.append(name)
    if missing:
        raise ImportError(
            f"neurolib.models.multimodel needs the optional packages {', '.join(missing)} (missing here). "
            f"Install them with: {INSTALL_HINT}"
        )
