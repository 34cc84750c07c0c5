"""Helpers shared by the tests that compare the fast code with the naive references."""

import numpy as np

RTOL = 1e-10  # fast kernel vs naive reference


def assert_close(new, ref, name, rtol=RTOL, circular=False):
    """max |new - ref| <= rtol * max |ref| (+ 1e-14), reporting the relative error; optionally on the circle."""
    new = np.asarray(new, dtype=float)
    ref = np.asarray(ref, dtype=float)
    assert new.shape == ref.shape, f"{name}: shape {new.shape} != reference {ref.shape}"
    assert np.all(np.isfinite(new)), f"{name}: non-finite values"
    d = new - ref
    if circular:
        d = np.angle(np.exp(1j * d))
    max_abs = float(np.max(np.abs(d))) if d.size else 0.0
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    rel = max_abs / scale if scale > 0 else max_abs
    assert max_abs <= rtol * scale + 1e-14, f"{name}: max|new-ref| = {max_abs:.3e} (rel {rel:.3e}) > rtol {rtol:g}"


def aligned(series, T):
    """A (rows, K) input series as the (rows, T) values read by steps 0..T-1 (one-step lag, edge padding)."""
    series = np.atleast_2d(np.asarray(series, dtype=float))
    K = series.shape[1]
    idx = np.maximum(0, np.arange(T) - 1 + K - T)
    return series[:, idx]
