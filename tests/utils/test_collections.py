"""Tests for neurolib.utils.collections."""

import copy
import logging
import pickle

import pytest

from neurolib.utils.collections import (
    BACKWARD_REPLACE,
    DEFAULT_STAR_SEPARATOR,
    FORWARD_REPLACE,
    _sanitize_keys,
    dotdict,
    flat_dict_to_nested,
    flatten_nested_dict,
    sanitize_dot_dict,
    star_dotdict,
    unwrap_star_dotdict,
)

NESTED = {
    "mass0": {"a": 0.4, "b": 1.2, "c": "float", "noise": {"b": 12.0}},
    "mass1": {"a": 0.4, "b": 1.2, "c": "int"},
}


@pytest.fixture
def sd():
    return star_dotdict(flatten_nested_dict(NESTED), sep=".")


def test_constants():
    assert DEFAULT_STAR_SEPARATOR == "."
    assert FORWARD_REPLACE == {"*": "STAR", "|": "MINUS", ".": "DOT"}
    assert BACKWARD_REPLACE == {"STAR": "*", "MINUS": "|", "DOT": "."}


# ---------------------------------------------------------------- dotdict


def test_dotdict_attribute_access():
    d = dotdict({"a": 1})
    assert d.a == 1
    assert d.missing is None
    d.b = 2
    assert d["b"] == 2
    del d.a
    assert "a" not in d
    with pytest.raises(KeyError):
        del d.a
    with pytest.raises(KeyError):
        d["missing"]


def test_dotdict_not_recursive():
    d = dotdict({"inner": {"x": 1}})
    assert type(d.inner) is dict


def test_dotdict_private_attributes_are_not_items():
    d = dotdict(a=1)
    d._secret = 5
    assert d._secret == 5
    assert "_secret" not in d
    with pytest.raises(AttributeError):
        _ = d._not_set
    with pytest.raises(AttributeError):
        _ = d.__not_a_dunder__
    del d._secret
    assert not hasattr(d, "_secret")


def test_dotdict_subclass_hooks_see_attribute_access():
    class Checked(dotdict):
        def __setitem__(self, key, value):
            if not isinstance(value, (int, float)):
                raise TypeError(f"{key} must be a number")
            super().__setitem__(key, value)

        def get(self, key, default=None):
            self._reads = getattr(self, "_reads", 0) + 1
            return super().get(key, default)

    c = Checked(x=1)
    c.y = 2.0
    assert c["y"] == 2.0
    with pytest.raises(TypeError, match="z must be a number"):
        c.z = "nope"
    assert c.x == 1
    assert c._reads == 1


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_dotdict_pickle(protocol):
    d = dotdict({"a": 1, "b": [1, 2], "c": {"x": 3}})
    restored = pickle.loads(pickle.dumps(d, protocol=protocol))
    assert type(restored) is dotdict
    assert restored == d
    assert restored.a == 1


class _Tracked(dotdict):
    """Subclass with private state and a __setitem__ hook (module level so that it pickles)."""

    def __setitem__(self, key, value):
        self._log.append(key)
        super().__setitem__(key, value)


def test_dotdict_pickle_subclass_keeps_private_state_and_skips_setitem():
    t = _Tracked()
    t._log = []
    t.a = 1
    restored = pickle.loads(pickle.dumps(t))
    assert type(restored) is _Tracked
    assert restored == {"a": 1}
    assert restored._log == ["a"]


def test_dotdict_copy_and_deepcopy():
    d = dotdict({"a": [1]})
    shallow = copy.copy(d)
    deep = copy.deepcopy(d)
    assert type(shallow) is dotdict and type(deep) is dotdict
    assert shallow["a"] is d["a"]
    assert deep["a"] == [1] and deep["a"] is not d["a"]


# ---------------------------------------------------------------- star_dotdict


def test_star_get(sd):
    assert sd["*a"] == {"mass0.a": 0.4, "mass1.a": 0.4}
    assert sd["*b"] == {"mass0.b": 1.2, "mass0.noise.b": 12.0, "mass1.b": 1.2}
    assert sd["*b|noise"] == {"mass0.b": 1.2, "mass1.b": 1.2}
    assert type(sd["*a"]) is dict


def test_star_get_glob_matches_whole_key(sd):
    sd["mass0.alpha"] = 3.0
    assert set(sd["*a"]) == {"mass0.a", "mass1.a", "mass0.alpha"}
    assert sd["mass?.c*"] == {}  # a dotted pattern matches nothing on flat keys
    assert sd["mass0.*"] == {}
    assert sd["*[01]*c"] == {"mass0.c": "float", "mass1.c": "int"}
    assert sd["*nothing"] == {}


def test_plain_key_get_returns_none_for_missing(sd):
    assert sd["mass0.a"] == 0.4
    assert sd["not.there"] is None
    assert sd.missing is None


def test_more_than_one_filter(sd):
    with pytest.raises(AssertionError, match="Only one filter allowed"):
        sd["*b|noise|x"]


def test_star_set(sd):
    sd["*b|noise"] = 2.7
    assert sd["*b|noise"] == {"mass0.b": 2.7, "mass1.b": 2.7}
    assert sd["mass0.noise.b"] == 12.0
    sd["*b"] = 0.0
    assert set(sd["*b"].values()) == {0.0}
    before = dict(sd)
    sd["*zzz"] = 1.0  # matches nothing: no-op
    assert dict(sd) == before
    sd["new.key"] = 1
    assert sd["new.key"] == 1


def test_star_delete(sd):
    del sd["*b|noise"]
    assert sd["*b"] == {"mass0.noise.b": 12.0}
    del sd["*a"]
    assert sd["*a"] == {}
    with pytest.raises(KeyError):
        del sd["*a"]
    del sd["*a|x"]  # filtered delete matching nothing is silent
    del sd["mass0.c"]
    assert "mass0.c" not in sd
    with pytest.raises(KeyError):
        del sd["mass0.c"]


def test_star_dotdict_pickle(sd):
    restored = pickle.loads(pickle.dumps(sd))
    assert type(restored) is star_dotdict
    assert restored == sd
    assert restored["*b|noise"] == {"mass0.b": 1.2, "mass1.b": 1.2}


def test_star_dotdict_accepts_dict_arguments():
    sd = star_dotdict([("x.tau", 1.0)], y=2)
    assert sd == {"x.tau": 1.0, "y": 2}
    assert sd["*tau"] == {"x.tau": 1.0}


# ---------------------------------------------------------------- helpers


def test_sanitize_keys_round_trip():
    key = "mass1.tau*|noise"
    sanitized = _sanitize_keys(key, FORWARD_REPLACE)
    assert sanitized == "mass1DOTtauSTARMINUSnoise"
    assert _sanitize_keys(sanitized, BACKWARD_REPLACE) == key
    assert _sanitize_keys(key, {}) == key
    assert _sanitize_keys(key, False) == key


def test_sanitize_dot_dict():
    d = {"*tau|input": 1, "a.b": 2}
    out = sanitize_dot_dict(d)
    assert out == {"STARtauMINUSinput": 1, "aDOTb": 2}
    assert all(k.isidentifier() for k in out)
    assert sanitize_dot_dict(out, BACKWARD_REPLACE) == d


class _FakeModel:
    def __init__(self, params):
        self.params = params


def test_unwrap_star_dotdict(sd, caplog):
    model = _FakeModel(sd)
    with caplog.at_level(logging.INFO, logger="neurolib.utils.collections"):
        out = unwrap_star_dotdict({"*b|noise": 5.0, "mass0.c": "x", "*nothing": 1}, model)
    assert out == {"mass0.b": 5.0, "mass1.b": 5.0, "mass0.c": "x", "*nothing": 1}
    assert "Key `*nothing` cannot be resolved." in caplog.text


def test_unwrap_star_dotdict_with_sanitized_keys(sd):
    model = _FakeModel(sd)
    out = unwrap_star_dotdict(sanitize_dot_dict({"*a": 1.0}), model, replaced_dict=BACKWARD_REPLACE)
    assert out == {"mass0.a": 1.0, "mass1.a": 1.0}


def test_flatten_nested_dict():
    flat = flatten_nested_dict(NESTED)
    assert list(flat) == ["mass0.a", "mass0.b", "mass0.c", "mass0.noise.b", "mass1.a", "mass1.b", "mass1.c"]
    assert flat["mass0.noise.b"] == 12.0
    assert flatten_nested_dict({"a": dotdict(b=1)}, sep="/") == {"a/b": 1}
    assert flatten_nested_dict({"a": 1}, parent_key="p") == {"p.a": 1}


def test_flat_dict_round_trip():
    nested = flat_dict_to_nested(flatten_nested_dict(NESTED))
    assert nested == NESTED
    assert type(nested["mass0"]["noise"]) is dict
    assert flat_dict_to_nested({"a/b": 1, "c": 2}, sep="/") == {"a": {"b": 1}, "c": 2}


def test_flat_dict_to_nested_conflict():
    with pytest.raises(ValueError, match="conflicts"):
        flat_dict_to_nested({"a": 1, "a.b": 2})
    with pytest.raises(ValueError, match="conflicts"):
        flat_dict_to_nested({"a.b": 2, "a": 1})
