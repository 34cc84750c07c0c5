"""The task runner: serial, forked and spawned local workers, any executor; errors are reported per task."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from neurolib.optimize._runner import TaskError, run_tasks


def add(shared, task):
    if task == 3:
        raise ValueError("three")
    return shared["a"] + task


@pytest.mark.parametrize(
    "kwargs", [{"ncores": 1}, {"ncores": 2}, {"ncores": 2, "fork": False}, {"executor": "threads"}],
    ids=["serial", "fork", "spawn", "threads"],
)  # fmt: skip
def test_run_tasks(kwargs):
    if kwargs.get("executor") == "threads":
        kwargs = {"executor": ThreadPoolExecutor(3)}
    results = dict(run_tasks(add, {"a": 10}, [(i, i) for i in range(6)], window=2, **kwargs))
    assert sorted(results) == list(range(6))
    assert [results[i] for i in (0, 1, 2, 4, 5)] == [10, 11, 12, 14, 15]
    assert isinstance(results[3], TaskError) and "ValueError: three" in results[3].message
    assert "Traceback" in results[3].traceback
