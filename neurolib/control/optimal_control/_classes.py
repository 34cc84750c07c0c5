"""Shared pieces of the per-model OC classes."""

from __future__ import annotations

from neurolib.errors import ParameterTypeError


def check_model(model, name, title, cls):
    """Raise unless ``model`` is the ``name`` model (``model.name``)."""
    if getattr(model, "name", None) != name:
        raise ParameterTypeError(
            f"model: {cls} controls the {title} model (name '{name}'), got {type(model).__name__} "
            f"(name {getattr(model, 'name', None)!r}); use the OC class of that model, or OC itself."
        )


def params_tuple(params, names):
    """Values of ``names`` in ``params``, in order (a ``C/gL``-style entry is a ratio of two parameters)."""
    out = []
    for key in names:
        if "/" in key:
            num, den = key.split("/")
            out.append(params[num] / params[den])
        else:
            out.append(params[key])
    return tuple(out)
