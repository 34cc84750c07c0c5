"""Dictionary helpers used for model parameters and outputs.

``dotdict`` is a ``dict`` whose items can also be read and written as attributes. ``star_dotdict`` adds glob
access on flat, dot-joined keys (``"node_0.mass_1.tau"``), which is how MultiModel parameters are addressed.
The remaining functions convert between nested and flat dictionaries and turn glob patterns into names that
are valid Python identifiers.
"""

import fnmatch
import logging
from collections.abc import MutableMapping

from neurolib.errors import ParameterError, ParameterKeyError

logger = logging.getLogger(__name__)

DEFAULT_STAR_SEPARATOR = "."
FORWARD_REPLACE = {"*": "STAR", "|": "MINUS", ".": "DOT"}
BACKWARD_REPLACE = {new: old for old, new in FORWARD_REPLACE.items()}

_FILTER_SEPARATOR = "|"


def _rebuild(cls, items, private):
    """Recreate a pickled ``dotdict`` (or subclass) without running its ``__init__`` or ``__setitem__``."""
    obj = dict.__new__(cls)
    if private:
        obj.__dict__.update(private)
    dict.update(obj, items)
    return obj


class dotdict(dict):
    """A ``dict`` whose items are also reachable as attributes.

    ``d.key`` is ``d.get("key")``, so a missing key reads as ``None`` instead of raising; ``d.key = v`` sets the
    item and ``del d.key`` deletes it (``KeyError`` when missing). Item access (``d["key"]``) is unchanged.
    Attribute names starting with an underscore are ordinary instance attributes, which lets subclasses keep
    private state next to the items. Nested plain dicts are not converted.

    Attribute reads go through ``self.get`` and attribute writes/deletes through ``self.__setitem__`` /
    ``self.__delitem__``, so a subclass that overrides those (e.g. to validate values) also sees attribute access.

    Pickling stores the plain items (and any private attributes) and restores an instance of the same class.

    Examples
    --------
    >>> d = dotdict({"dt": 0.1})
    >>> d.duration = 1000
    >>> d["duration"], d.dt, d.missing
    (1000, 0.1, None)
    """

    def __getattr__(self, name):
        # only called when normal lookup failed: private/dunder names are genuinely missing attributes
        if name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self.get(name)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name):
        if name.startswith("_"):
            object.__delattr__(self, name)
        else:
            del self[name]

    def __reduce__(self):
        return _rebuild, (type(self), dict(self), dict(self.__dict__))

    def __reduce_ex__(self, protocol):
        return self.__reduce__()


class star_dotdict(dotdict):
    """A ``dotdict`` with glob access on flat, dot-joined keys.

    Keys are flat strings such as ``"WCnode_0.WCmassEXC_0.tau"``. A key containing ``*`` is a pattern:

    - ``sd["*tau"]`` returns a new plain dict ``{key: value}`` of every key matching the pattern. Matching uses
      :func:`fnmatch.fnmatchcase` on the whole key (``*`` also matches dots; ``?`` and ``[...]`` work). A
      pattern that itself contains a ``.`` matches nothing.
    - ``sd["*tau|input"]`` does the same and then drops every key that contains the substring after ``|``. Only
      one ``|`` is allowed.
    - ``sd["*tau"] = v`` sets ``v`` on every match (a pattern matching nothing does nothing).
    - ``del sd["*tau"]`` deletes every match and raises ``KeyError`` when nothing matches; with a ``|`` filter
      the filtered matches are deleted and an empty match is not an error.

    Keys without ``*`` behave as in a plain dict, except that reading a missing key returns ``None``.

    Examples
    --------
    >>> sd = star_dotdict({"m0.tau": 1.0, "m1.tau": 2.0, "m1.input.tau": 3.0})
    >>> sd["*tau|input"]
    {'m0.tau': 1.0, 'm1.tau': 2.0}
    >>> sd["*tau|input"] = 5.0
    >>> sd["m1.tau"], sd["m1.input.tau"]
    (5.0, 3.0)
    """

    @staticmethod
    def _is_pattern(key):
        return isinstance(key, str) and "*" in key

    def _matching_keys(self, key):
        """Return the keys matched by the pattern ``key`` (with optional ``|`` filter) and whether it had a filter."""
        parts = key.split(_FILTER_SEPARATOR)
        if len(parts) > 2:
            raise ParameterError(
                f"Only one filter allowed: the star pattern {key!r} has {len(parts) - 1} '{_FILTER_SEPARATOR}' filters."
            )
        glob = parts[0]
        exclude = parts[1] if len(parts) == 2 else None
        if DEFAULT_STAR_SEPARATOR in glob:
            # keys are flat: a dotted pattern would address nested levels that do not exist
            matches = []
        else:
            matches = [k for k in self.keys() if isinstance(k, str) and fnmatch.fnmatchcase(k, glob)]
        if exclude is not None:
            matches = [k for k in matches if exclude not in k]
        return matches, exclude is not None

    def __getitem__(self, key):
        if self._is_pattern(key):
            matches, _ = self._matching_keys(key)
            return {k: dict.__getitem__(self, k) for k in matches}
        return self.get(key)

    def __setitem__(self, key, value):
        if self._is_pattern(key):
            matches, _ = self._matching_keys(key)
            for k in matches:
                super().__setitem__(k, value)
        else:
            super().__setitem__(key, value)

    def __delitem__(self, key):
        if self._is_pattern(key):
            matches, filtered = self._matching_keys(key)
            if not matches and not filtered:
                raise ParameterKeyError(f"No key matches the pattern {key!r}")
            for k in matches:
                super().__delitem__(k)
        else:
            super().__delitem__(key)


def _sanitize_keys(key, replace_dict):
    """Apply every ``old -> new`` substring replacement of ``replace_dict`` to ``key``, in dict order.

    Parameters
    ----------
    key : str
        The key to rewrite.
    replace_dict : dict or None
        Mapping of substrings to their replacements. A falsy value leaves ``key`` unchanged.

    Returns
    -------
    str
        The rewritten key.

    Examples
    --------
    >>> _sanitize_keys("mass1.tau*|noise", FORWARD_REPLACE)
    'mass1DOTtauSTARMINUSnoise'
    """
    if not replace_dict:
        return key
    for old, new in replace_dict.items():
        key = key.replace(old, new)
    return key


def sanitize_dot_dict(dct, replace_dict=FORWARD_REPLACE):
    """Return a copy of ``dct`` whose keys are rewritten with :func:`_sanitize_keys`.

    Parameters
    ----------
    dct : dict
        Dictionary with (possibly dotted or star) string keys.
    replace_dict : dict, optional
        Substring replacements; the default turns ``*``, ``|`` and ``.`` into identifier-safe words.

    Returns
    -------
    dict
        New plain dict with the same values and sanitized keys.
    """
    return dict(zip((_sanitize_keys(key, replace_dict) for key in dct), dct.values()))


def unwrap_star_dotdict(dct, model, replaced_dict=False):
    """Expand star patterns in the keys of ``dct`` into the concrete parameter keys of ``model``.

    Each key is (after undoing ``replaced_dict`` replacements) looked up in ``model.params``. When the lookup
    yields a dict of matches, the value is assigned to every matching key; a pattern that matches nothing is
    logged and kept as it is, as is any key whose lookup is not a dict (a plain parameter name).

    Parameters
    ----------
    dct : dict
        Mapping of (possibly star) parameter keys to values.
    model : object
        Anything with a ``params`` mapping, typically a model whose params are a :class:`star_dotdict`.
    replaced_dict : dict or bool, optional
        Replacements applied to each key before the lookup, e.g. :data:`BACKWARD_REPLACE` for keys produced by
        :func:`sanitize_dot_dict`. ``False`` (default) means no replacement.

    Returns
    -------
    dict
        New dict with concrete keys.
    """
    unwrapped = {}
    for key, value in dct.items():
        found = model.params[_sanitize_keys(key, replaced_dict)]
        if isinstance(found, dict):
            if not found:
                logger.info(f"Key `{key}` cannot be resolved.")
                unwrapped[key] = value
            for concrete in found:
                unwrapped[concrete] = value
        else:
            unwrapped[key] = value
    return unwrapped


def flatten_nested_dict(nested_dict, parent_key="", sep=DEFAULT_STAR_SEPARATOR):
    """Flatten nested mappings into one dict with ``sep``-joined keys.

    Parameters
    ----------
    nested_dict : collections.abc.MutableMapping
        Possibly nested mapping.
    parent_key : str, optional
        Prefix for all keys (used by the recursion).
    sep : str, optional
        Separator between the levels of a key, ``"."`` by default.

    Returns
    -------
    dict
        Flat dict ``{"a.b.c": value}`` in depth-first, insertion order.

    Examples
    --------
    >>> flatten_nested_dict({"a": {"b": 1, "c": {"d": 2}}, "e": 3})
    {'a.b': 1, 'a.c.d': 2, 'e': 3}
    """
    flat = {}
    for key, value in nested_dict.items():
        full_key = f"{parent_key}{sep}{key}" if parent_key else key
        if isinstance(value, MutableMapping):
            flat.update(flatten_nested_dict(value, parent_key=full_key, sep=sep))
        else:
            flat[full_key] = value
    return flat


def flat_dict_to_nested(flat_dict, sep=DEFAULT_STAR_SEPARATOR):
    """Turn a flat dict with ``sep``-joined keys into nested plain dicts (inverse of :func:`flatten_nested_dict`).

    Parameters
    ----------
    flat_dict : dict
        Flat mapping such as ``{"a.b": 1}``.
    sep : str, optional
        Separator between the levels of a key, ``"."`` by default.

    Returns
    -------
    dict
        Nested plain dicts.

    Raises
    ------
    ValueError
        If a key is both a value and the prefix of another key (e.g. ``"a"`` and ``"a.b"``).

    Examples
    --------
    >>> flat_dict_to_nested({"a.b": 1, "a.c.d": 2, "e": 3})
    {'a': {'b': 1, 'c': {'d': 2}}, 'e': 3}
    """
    nested = {}
    for key, value in flat_dict.items():
        levels = key.split(sep) if isinstance(key, str) else [key]
        node = nested
        for depth, level in enumerate(levels[:-1]):
            node = node.setdefault(level, {})
            if not isinstance(node, dict):
                prefix = sep.join(levels[: depth + 1])
                raise ParameterError(f"Key {key!r} conflicts with the value stored under {prefix!r}.")
        if isinstance(node.get(levels[-1]), dict):
            raise ParameterError(f"Key {key!r} conflicts with longer keys that start with it.")
        node[levels[-1]] = value
    return nested
