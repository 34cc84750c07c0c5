"""``Model.run_batch`` returns, per member, exactly what ``run()`` leaves in ``model.outputs`` (bitwise)."""

import pickle

import numpy as np
import pytest

from neurolib.errors import ParameterError
from neurolib.models._batch import RunFailure
from neurolib.models.fhn import FHNModel
from neurolib.models.hopf import HopfModel
from neurolib.models.model import Model
from neurolib.models.wc import WCModel


def _network(cls=HopfModel, seed=1, duration=2500.0, N=4):
    rng = np.random.default_rng(3)
    Cmat = rng.uniform(0.0, 1.0, (N, N))
    Dmat = rng.uniform(0.0, 60.0, (N, N))
    model = cls(Cmat=Cmat, Dmat=Dmat, seed=seed)
    model.params["duration"] = duration
    model.params["sigma_ou"] = 0.05
    return model


def _single(model, override, bold=False):
    """What run() leaves for ``override`` (on a copy of the model, so the original stays untouched)."""
    m = pickle.loads(pickle.dumps(model))
    m.params.update(override)
    m.run(bold=bold)
    return m.outputs


def _assert_tree_equal(a, b, path=""):
    assert set(a) == set(b), f"{path}: keys {sorted(a)} != {sorted(b)}"
    for key in a:
        if isinstance(a[key], dict):
            _assert_tree_equal(a[key], b[key], f"{path}.{key}")
        else:
            assert np.shape(a[key]) == np.shape(b[key]), f"{path}.{key}"
            assert np.array_equal(a[key], b[key]), f"{path}.{key} differs"
            if np.ndim(a[key]) == 2 and a[key].size:  # laid out as run() leaves it: reductions agree bitwise too
                for reduce in (np.sum, np.std, lambda x: x.mean(axis=1), lambda x: x.mean(axis=0)):
                    assert np.array_equal(reduce(a[key]), reduce(b[key])), f"{path}.{key}: reductions differ"


SETS = [{"K_gl": 0.2, "seed": 10}, {"K_gl": 0.9, "seed": 11}, {"K_gl": 1.5, "seed": 12, "sigma_ou": 0.0}]


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("sampling_dt", [None, 0.5])
def test_native_batch_equals_single_runs(bold, sampling_dt):
    model = _network()
    model.params["sampling_dt"] = sampling_dt
    before = dict(model.params)
    results = model.run_batch(SETS, bold=bold)
    assert len(results) == len(SETS)
    for override, res in zip(SETS, results):
        single = _single(model, override, bold)
        _assert_tree_equal(res, single)
        if bold:
            assert res["BOLD"]["BOLD"].shape == (4, 2)  # 2.5 s: samples at 0 and 2 s
        if sampling_dt:
            assert res["t"][1] - res["t"][0] == pytest.approx(0.5)
    assert not np.array_equal(results[0]["x"], results[1]["x"])
    assert dict(model.params).keys() == before.keys() and all(model.params[k] is before[k] for k in before)
    assert not model.outputs  # the model was not run


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("max_bytes", [192_000, 810_000])
def test_segments_and_threads_equal_single_runs(threads, max_bytes):
    """A small max_bytes forces many time segments, of single-member batches (192 kB) or of all three members
    together (810 kB: about 2000 steps per segment): still bitwise equal."""
    model = _network(duration=2100.0)
    model.params["sampling_dt"] = 0.3
    results = model.run_batch(SETS, bold=True, threads=threads, max_bytes=max_bytes)
    for override, res in zip(SETS, results):
        _assert_tree_equal(res, _single(model, override, bold=True))


@pytest.mark.parametrize("sampling_dt", [None, 0.3])
@pytest.mark.parametrize("cls", [HopfModel, Model])
def test_contiguous_outputs_hold_the_same_values(cls, sampling_dt):
    """``contiguous=True``: every (node, time) output a C-contiguous array with run()'s values; the model's own
    batches (segments, two threads) and the sequential path of other models alike."""
    model = _network(duration=2100.0)
    model.params["sampling_dt"] = sampling_dt
    run_batch = model.run_batch if cls is HopfModel else (lambda sets, **kw: Model.run_batch(model, sets, **kw))
    results = run_batch(SETS, contiguous=True, threads=2, max_bytes=400_000)
    for override, res in zip(SETS, results):
        single = _single(model, override)
        assert set(res) == set(single)
        for key, value in single.items():
            assert np.array_equal(res[key], value), key
            if key in ("x", "y"):
                assert res[key].flags.c_contiguous and res[key].shape == value.shape, key


def test_single_node_batch_and_outputs_subset():
    model = WCModel(seed=4)
    model.params["duration"] = 300.0
    model.params["sigma_ou"] = 0.01
    sets = [{"exc_ext": e, "seed": 5 + k} for k, e in enumerate([0.5, 1.0, 2.0])]
    results = model.run_batch(sets, outputs=["exc"], max_bytes=2 * 8 * 900)
    for override, res in zip(sets, results):
        single = _single(model, override)
        assert list(res) == ["t", "exc"]
        assert np.array_equal(res["exc"], single["exc"]) and np.array_equal(res["t"], single["t"])


def test_evaluate_and_failures_per_member():
    model = _network(FHNModel, duration=200.0)
    sets = [{"K_gl": 0.3, "seed": 1}, {"K_gl": 0.5, "seed": 2, "dt": -1.0}, {"K_gl": 0.7, "seed": 3}]

    def mean_x(outputs, params):
        if params["K_gl"] == 0.7:
            raise RuntimeError("member 2 fails in its evaluation")
        return float(outputs["x"].mean()), params["seed"]

    results = model.run_batch(sets, evaluate=mean_x)
    assert results[0] == (float(_single(model, sets[0])["x"].mean()), 1)
    assert isinstance(results[1], RunFailure) and isinstance(results[1].error, ParameterError)
    assert "dt" in results[1].message and results[1].params == sets[1]
    assert isinstance(results[2], RunFailure) and "member 2 fails" in results[2].traceback


def test_members_with_different_networks_and_durations():
    model = _network()
    other = dict(lengthMat=model.params["lengthMat"] * 2, seed=3)
    sets = [{"seed": 1}, other, {"seed": 2, "duration": 100.0}]
    for override, res in zip(sets, model.run_batch(sets)):
        _assert_tree_equal(res, _single(model, override))


class _Sequential(Model):
    """A user model (not batchable): integrates x' = -a x + noise-free input."""

    name = "seq"
    state_vars = ["x"]
    default_output = "x"
    init_vars = ["x_init"]

    def __init__(self):
        params = {"dt": 0.1, "duration": 5.0, "a": 1.0, "x_init": np.ones((2, 1)), "N": 2}
        super().__init__(integration=_integrate, params=params)


def _integrate(params):
    steps = int(round(params["duration"] / params["dt"]))
    x = np.empty((2, steps + 1))
    x[:, :1] = params["x_init"]
    for i in range(steps):
        x[:, i + 1] = x[:, i] - params["dt"] * params["a"] * x[:, i]
    return np.arange(1, steps + 1) * params["dt"], x


def test_base_model_runs_members_one_after_the_other():
    model = _Sequential()
    assert model.batchable is False and HopfModel.batchable is True
    results = model.run_batch([{"a": 1.0}, {"a": 2.0}, {"nonsense": 1, "dt": -1.0}], bold=True)
    for k, a in enumerate([1.0, 2.0]):
        ref = _Sequential()
        ref.params["a"] = a
        ref.run(bold=True)
        _assert_tree_equal(results[k], ref.outputs)
    assert isinstance(results[2], RunFailure)
    assert model.params["a"] == 1.0 and "nonsense" not in model.params and not model.outputs


def test_native_model_pickles_and_runs():
    model = _network(duration=100.0)
    model.run()
    clone = pickle.loads(pickle.dumps(model))
    assert np.array_equal(clone.outputs["x"], model.outputs["x"])
    clone.run()
    assert np.array_equal(clone.outputs["x"], model.outputs["x"])


def test_subclass_overriding_run_is_not_batchable():
    class Custom(HopfModel):
        def run(self, *args, **kwargs):
            return super().run(*args, **kwargs)

    assert Custom.batchable is False


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"param_sets": {"K_gl": 1.0}}, "param_sets"),
        ({"param_sets": [1.0]}, r"param_sets\[0\]"),
        ({"param_sets": [], "threads": 0}, "threads"),
        ({"param_sets": [], "max_bytes": -1}, "max_bytes"),
        ({"param_sets": [], "outputs": ["nope"]}, "outputs"),
        ({"param_sets": [], "evaluate": 3}, "evaluate"),
        ({"param_sets": [], "contiguous": "yes"}, "contiguous"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        HopfModel().run_batch(**kwargs)
