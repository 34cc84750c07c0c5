"""The errors neurolib raises for bad input.

The established neurolib validated many arguments with ``assert``, so existing code catches
``AssertionError``. Every input error raised here derives from :class:`ParameterError`, which is a
``ValueError`` (the natural class for a bad value) *and* an ``AssertionError`` (so that such code keeps
working). The same pattern is used by scikit-learn's ``InvalidParameterError``.
"""

from __future__ import annotations

__all__ = ["ParameterError", "ParameterTypeError", "ParameterKeyError", "ParameterNameError", "OutputTooLargeError"]


class ParameterError(ValueError, AssertionError):
    """An argument or parameter has an invalid value.

    Messages name the argument as the user wrote it, what was expected and what was received.
    """


class ParameterTypeError(ParameterError, TypeError):
    """An argument or parameter has the wrong type (also a ``TypeError``)."""


class ParameterKeyError(ParameterError, KeyError):
    """An unknown (e.g. misspelt) parameter name looked up by item (also a ``KeyError``)."""

    def __str__(self):  # KeyError quotes its argument; show the message as written
        return str(self.args[0]) if self.args else ""


class ParameterNameError(ParameterKeyError, AttributeError):
    """An unknown parameter name looked up as an attribute, ``params.sigma_uo`` (also an ``AttributeError``,
    so ``hasattr`` and ``getattr(obj, name, default)`` behave as usual)."""


class OutputTooLargeError(ParameterError, MemoryError):
    """A run's outputs would not fit in the memory available (raised before anything is allocated).

    Also a ``MemoryError``; the message gives the estimated size and the remedies.
    """
