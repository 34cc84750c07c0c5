"""Pages generated when the site is built (mkdocs-gen-files), so that they cannot drift from the code:

* ``reference/``: one page per public module, rendered from its docstrings by mkdocstrings;
* ``guide/parameters.md``: every native model's parameters (default, unit, meaning, range) from its table;
* ``examples/``: each script of ``examples/`` (jupytext percent format) as a page, with the figures it wrote
  into ``docs/examples/figures`` when it last ran (``NEUROLIB_FIGURES``);
* ``changelog.md``: ``CHANGELOG.md``.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parents[2]

# the public modules, as users import them (private modules and kernels are left out)
PUBLIC = {
    "Models": [
        "neurolib.models.model", "neurolib.models.aln.model", "neurolib.models.fhn.model", "neurolib.models.hopf.model",
        "neurolib.models.kuramoto.model", "neurolib.models.thalamus.model", "neurolib.models.wc.model",
        "neurolib.models.ww.model", "neurolib.models.bold.model", "neurolib.models.multimodel",
    ],
    "Optimisation": [
        "neurolib.optimize", "neurolib.optimize.exploration.exploration",
        "neurolib.optimize.exploration.explorationUtils", "neurolib.optimize.evolution.evolution",
        "neurolib.optimize.evolution.deapUtils", "neurolib.optimize.evolution.evolutionaryUtils",
    ],
    "Optimal control": [
        "neurolib.control.optimal_control.oc", "neurolib.control.optimal_control.cost_functions",
        "neurolib.control.optimal_control.oc_fhn", "neurolib.control.optimal_control.oc_hopf",
        "neurolib.control.optimal_control.oc_wc", "neurolib.control.optimal_control.oc_aln",
        "neurolib.utils.plot_oc",
    ],
    "Utilities": [
        "neurolib.utils.loadData", "neurolib.utils.functions", "neurolib.utils.signal", "neurolib.utils.stimulus",
        "neurolib.utils.parameterSpace", "neurolib.utils.collections", "neurolib.utils.pypetUtils",
        "neurolib.utils.atlases", "neurolib.utils.model_utils", "neurolib.utils.devutils", "neurolib.errors",
    ],
}  # fmt: skip

NATIVE = ["aln", "fhn", "hopf", "kuramoto", "thalamus", "wc", "ww"]


def _exists(module):
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def reference_pages():
    nav = mkdocs_gen_files.Nav()
    for section, modules in PUBLIC.items():
        for module in modules:
            if not _exists(module):
                continue
            path = Path("reference", *module.split(".")).with_suffix(".md")
            with mkdocs_gen_files.open(path, "w") as fh:
                fh.write(f"# `{module}`\n\n::: {module}\n    options:\n      show_root_heading: false\n")
            nav[(section, module)] = path.relative_to("reference").as_posix()
    with mkdocs_gen_files.open("reference/SUMMARY.md", "w") as fh:
        fh.writelines(nav.build_literate_nav())


def _default_text(param):
    value = param.default
    if callable(value):
        return _callable_default(value)
    if value is None:
        return "None"
    return f"`{value!r}`" if len(repr(value)) < 40 else "(array)"


def _callable_default(fn):
    try:
        import numpy as np

        values = np.asarray(fn(2, np.random.default_rng(0)))
        if values.ndim and np.all(values == values.flat[0]):
            return f"`{float(values.flat[0]):g}` per node"
        return "per node (random)"
    except Exception:
        return "per node"


def parameter_page():
    lines = [
        "# Parameters of the native models",
        "",
        "Generated from each model's parameter table (`neurolib/models/<model>/loadDefaultParams.py`), the one",
        "place where a parameter is declared. *Kind*: `scalar` (a number, or one value per node where the model",
        "allows), `init` (initial state), `ou` (noise state), `input` (external input: a number or an array",
        "`(N, steps)`), `meta` (set-up of the run and the network).",
        "",
    ]
    for name in NATIVE:
        module = importlib.import_module(f"neurolib.models.{name}.model")
        cls = next(c for c in vars(module).values() if isinstance(c, type) and getattr(c, "spec", None) is not None
                   and c.__module__ == module.__name__)  # fmt: skip
        spec = cls.spec
        lines += [f"## {cls.__name__} (`{spec.name}`)", "", spec.description or "", ""]
        lines += ["| parameter | default | unit | kind | meaning | range |", "|---|---|---|---|---|---|"]
        for p in spec.params:
            rng = ""
            if p.low is not None or p.high is not None:
                rng = f"[{'' if p.low is None else f'{p.low:g}'}, {'' if p.high is None else f'{p.high:g}'}]"
            doc = p.doc.replace("|", "\\|")
            lines.append(f"| `{p.name}` | {_default_text(p)} | {p.unit} | {p.kind} | {doc} | {rng} |")
        lines.append("")
    with mkdocs_gen_files.open("guide/parameters.md", "w") as fh:
        fh.write("\n".join(lines) + "\n")


_CELL = re.compile(r"^# %%(.*)$")
_FIGURE = re.compile(r"""save_figure\([^,]+,\s*["']([\w.-]+)["']""")


def example_pages():
    figures = ROOT / "docs" / "examples" / "figures"
    nav = mkdocs_gen_files.Nav()
    for script in sorted((ROOT / "examples").glob("[!_]*.py")):
        stem = script.stem
        cells, kind, body = [], "code", []
        for line in script.read_text().splitlines():
            m = _CELL.match(line)
            if m:
                cells.append((kind, body))
                kind, body = ("markdown" if "[markdown]" in m.group(1) else "code"), []
            else:
                body.append(line)
        cells.append((kind, body))
        out = []
        for kind, body in cells:
            text = "\n".join(body).strip("\n")
            if not text.strip():
                continue
            if kind == "markdown":
                out.append("\n".join(re.sub(r"^# ?", "", ln) for ln in text.splitlines()))
                continue
            if text.startswith("# ---"):  # the jupytext header
                continue
            out.append(f"```python\n{text}\n```")
            for fig in _FIGURE.findall(text):
                if (figures / f"{stem}-{fig}.png").exists():
                    out.append(f"![{fig}](figures/{stem}-{fig}.png)")
        source = f"*This page is the script [`examples/{script.name}`]; run it with `python examples/{script.name}`"
        source += " or open it as a notebook (jupytext).*"
        with mkdocs_gen_files.open(f"examples/{stem}.md", "w") as fh:
            fh.write("\n\n".join(out[:1] + [source.replace("[`", "`").replace("`]", "`")] + out[1:]) + "\n")
        title = out[0].splitlines()[0].lstrip("# ").strip() if out else stem
        nav[title] = f"{stem}.md"
    with mkdocs_gen_files.open("examples/SUMMARY.md", "w") as fh:
        fh.writelines(nav.build_literate_nav())


def changelog():
    with mkdocs_gen_files.open("changelog.md", "w") as fh:
        fh.write((ROOT / "CHANGELOG.md").read_text())


reference_pages()
parameter_page()
example_pages()
changelog()
