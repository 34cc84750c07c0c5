"""One network run split over several threads gives, bit for bit, what one thread gives."""

import threading

import numpy as np
import pytest

from neurolib._core import _sync, _threads, integrate
from neurolib.models.aln import ALNModel
from neurolib.models.hopf import HopfModel

N = 20  # at least _threads.MIN_NODES


def _network(cls, **params):
    rng = np.random.default_rng(8)
    Cmat = rng.uniform(0, 1, (N, N)) * (rng.uniform(size=(N, N)) < 0.5)
    np.fill_diagonal(Cmat, 0.0)
    Dmat = rng.uniform(0, 5.0, (N, N))  # lags of 1 to about 26 steps at dt 0.1 ms: every lag class
    m = cls(Cmat=Cmat, Dmat=Dmat, seed=42)
    m.params.update(params)
    return m


def _run(monkeypatch, threads, cls, chunkwise=False, **params):
    monkeypatch.setenv("NEUROLIB_NUM_THREADS", str(threads))
    splits = []
    real = integrate._split_call
    monkeypatch.setattr(integrate, "_split_call", lambda f, args, cuts: (splits.append(cuts), real(f, args, cuts)))
    m = _network(cls, **params)
    m.run(bold=True, chunkwise=chunkwise, chunksize=1234 if chunkwise else None)
    assert splits if threads > 1 else not splits  # the split path really ran
    assert all(len(cuts) == threads + 1 and cuts[-1] == N for cuts in splits)
    return m


@pytest.mark.parametrize("cls, params", [(HopfModel, {"sigma_ou": 0.05}), (ALNModel, {"sigma_ou": 0.1})])
@pytest.mark.parametrize("chunkwise", [False, True])
def test_threads_give_the_one_thread_result_bitwise(monkeypatch, cls, params, chunkwise):
    params = dict(params, duration=2500.0)  # BOLD gets two samples
    one = _run(monkeypatch, 1, cls, chunkwise, **params)
    for threads in (2, 3):
        many = _run(monkeypatch, threads, cls, chunkwise, **params)
        for name, value in one.outputs.items():
            if isinstance(value, dict):
                for key in value:
                    assert np.array_equal(value[key], many.outputs[name][key]), (threads, name, key)
            else:
                assert np.array_equal(value, many.outputs[name]), (threads, name)
        for name in one.state:
            assert np.array_equal(one.state[name], many.state[name]), (threads, name)


def test_node_threads_only_for_big_networks_on_the_main_thread(monkeypatch):
    monkeypatch.setenv("NEUROLIB_NUM_THREADS", "3")
    assert _threads.node_threads(N) == 3
    assert _threads.node_threads(_threads.MIN_NODES - 1) == 1
    seen = []
    worker = threading.Thread(target=lambda: seen.append(_threads.node_threads(N)))
    worker.start()
    worker.join()
    assert seen == [1]  # runs started on other threads already run side by side


def test_bad_thread_count(monkeypatch):
    from neurolib.errors import ParameterError

    monkeypatch.setenv("NEUROLIB_NUM_THREADS", "zero")
    with pytest.raises(ParameterError, match="NEUROLIB_NUM_THREADS"):
        _threads.available()


def test_barrier_returns_when_another_thread_aborts():
    sync = _sync.counters(2)
    result = []
    waiter = threading.Thread(target=lambda: result.append(_sync.barrier(sync, 0, 2, 1)))
    waiter.start()  # thread 1 never arrives
    _sync.abort(sync, 2)
    waiter.join(timeout=30)
    assert result == [False]
    sync = _sync.counters(2)
    both = [threading.Thread(target=lambda t=t: result.append(_sync.barrier(sync, t, 2, 1))) for t in (0, 1)]
    for th in both:
        th.start()
    for th in both:
        th.join(timeout=30)
    assert result == [False, True, True]


def test_a_failing_node_thread_stops_the_others():
    """The thread of the other nodes waits at a barrier for the failing one; it must return, and the error surface."""

    def run_block(*args):
        n0, n1, tid, nth, sync = args[-5:]
        if tid == 1:
            raise FloatingPointError("node thread failed")
        assert _sync.barrier(sync, tid, nth, 1) is False  # released by the abort flag, not by the other thread

    with pytest.raises(FloatingPointError, match="node thread failed"):
        integrate._split_call(run_block, (), (0, 10, 20))
