"""Printing and plotting helpers of :class:`~neurolib.optimize.evolution.Evolution`.

Matplotlib (and seaborn, if installed) are imported only when a plot is made. The plots work with any backend:
with a non-interactive one (``Agg``) figures are saved (when asked to) and closed instead of shown.
"""

from __future__ import annotations

import logging
import math
import os

import numpy as np

from neurolib.utils import paths

logger = logging.getLogger(__name__)

__all__ = [
    "plotPopulation",
    "plotProgress",
    "plotScoresDistribution",
    "plotSeabornScatter1",
    "plotSeabornScatter2",
    "printEvolutionInfo",
    "printIndividuals",
    "printParamDist",
    "saveToPypet",
]

_NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "cairo", "template", "pgf"}


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _finish(fig, save_plots=None, suffix="plot"):
    """Save ``fig`` to ``FIGURES_DIR/<save_plots>_<suffix>.png`` if asked; show it, or close it under Agg."""
    plt = _plt()
    if save_plots:
        os.makedirs(paths.FIGURES_DIR, exist_ok=True)
        fname = os.path.join(paths.FIGURES_DIR, f"{save_plots}_{suffix}.png")
        fig.savefig(fname)
        logger.info(f"Saving plot to {fname}")
    backend = str(plt.get_backend()).lower().rsplit("backend_", 1)[-1]
    if backend in _NON_INTERACTIVE:
        plt.close(fig)
    else:
        plt.show()
    return fig


def _names_of(paramInterval, names=None):
    return list(names) if names is not None else list(paramInterval._fields)


# ---------------------------------------------------------------------------------------------- storing
def saveToPypet(traj, pop, gIdx):
    """Store a generation in the results file of an evolution (the published package's per-generation step).

    :meth:`Evolution.run` already stores every generation, so this is only needed for populations assembled by
    hand. The published package wrote into a pypet trajectory; neurolib stores evolutions without pypet, so the
    first argument is the :class:`~neurolib.optimize.evolution.Evolution` itself (its results file and trajectory
    name). The generation goes to ``results/evolution/gen_<gIdx>`` (``fitness``, ``scores``, ``population``,
    ``ind_ids``), and the outputs of its valid individuals not stored before to ``results/outputs/ind_<id>``.
    A generation already stored is left as it is.

    Parameters
    ----------
    traj : Evolution
        The evolution whose results file receives the generation.
    pop : list of Individual
        Evaluated individuals with an ``id`` (as made and tagged by the evolution).
    gIdx : int
        Generation index (``>= 0``).

    Raises
    ------
    ParameterTypeError
        If ``traj`` is not an Evolution (e.g. a pypet trajectory, or a stored evolution loaded read-only).
    ParameterError
        If ``gIdx`` is not a non-negative integer, or an individual has no ``id``.
    """
    import numbers

    from neurolib.errors import ParameterError, ParameterTypeError
    from neurolib.optimize.evolution.evolution import Evolution

    if not isinstance(traj, Evolution):
        raise ParameterTypeError(
            f"saveToPypet(traj, pop, gIdx): traj must be the Evolution whose results file receives the generation, "
            f"got {type(traj).__module__}.{type(traj).__name__}. neurolib does not use pypet trajectories; "
            f"Evolution.run() stores each generation itself, and loadResults() reads them back."
        )
    if isinstance(gIdx, bool) or not isinstance(gIdx, numbers.Integral) or gIdx < 0:
        raise ParameterError(f"saveToPypet: gIdx must be a non-negative integer, got {gIdx!r}.")
    missing = [k for k, ind in enumerate(pop) if not hasattr(ind, "id")]
    if missing:
        raise ParameterError(
            f"saveToPypet: the individuals at positions {missing[:5]} of pop have no id; only individuals tagged by "
            f"the evolution (evaluated by run()) can be stored."
        )
    traj._save_generation(int(gIdx), pop)


# ---------------------------------------------------------------------------------------------- printing
def printParamDist(pop=None, paramInterval=None, gIdx=None, names=None):
    """Print mean and standard deviation of each parameter over the valid individuals of ``pop``.

    Parameters
    ----------
    pop : list of Individual
    paramInterval : namedtuple
        Bounds per parameter (for the names).
    gIdx : int, optional
        Generation, for the title.
    names : list of str, optional
        Parameter names to print (default: the fields of ``paramInterval``).
    """
    from neurolib.optimize.evolution.deapUtils import is_valid

    valid = [ind for ind in (pop or []) if is_valid(ind)]
    title = "Parameter distribution" + (f" (Generation {gIdx})" if gIdx is not None else "")
    print(f"{title}:")
    if not valid:
        print("\t(no valid individuals)")
        return
    genes = np.array([list(ind)[: len(paramInterval)] for ind in valid], dtype=float)
    for i, name in enumerate(_names_of(paramInterval, names)):
        print(f"{name}: \t mean: {np.mean(genes[:, i]):.4},\t std: {np.std(genes[:, i]):.4}")


def printIndividuals(pop, paramInterval, stats=True, names=None):
    """Print fitness, score and parameters of each individual (as ``model.params[...] = ...`` lines).

    Parameters
    ----------
    pop : list of Individual
    paramInterval : namedtuple
    stats : bool
        Also print mean and standard deviation of the fitness values.
    names : list of str, optional
        Parameter names (default: the fields of ``paramInterval``).
    """
    names = _names_of(paramInterval, names)
    print(f"{len(pop)} individual(s):")
    for rank, ind in enumerate(pop):
        fit = ind.fitness
        raw = fit.values if fit.valid else ()
        lines = [
            f"#{rank} (id {getattr(ind, 'id', '-')})",
            "\tfitness: " + " ".join(f"{v:.4g}" for v in raw),
            f"\tscore: {getattr(fit, 'score', math.nan):.4g}",
            "\tweighted fitness: " + " ".join(f"{v:.4g}" for v in fit.wvalues),
        ]
        if stats and raw:
            lines.append(
                f"\tfitness mean {np.nanmean(raw):.4g} std {np.nanstd(raw):.4g} min {np.nanmin(raw):.4g} "
                f"max {np.nanmax(raw):.4g}"
            )
        lines += [f'\tmodel.params["{name}"] = {ind[k]:.4g}' for k, name in enumerate(names)]
        print("\n".join(lines))


def printEvolutionInfo(evolution):
    """Print the settings of an evolution (sizes, operators, file, timing)."""
    ev = evolution

    def name_of(obj):
        return getattr(obj, "__name__", obj)

    times = ev._times
    setup = [("results file", ev.HDF_FILE), ("trajectory", ev.trajectoryName)]
    if "start_initial" in times and "end_initial" in times:
        setup.append(("initial population took", f"{times['end_initial'] - times['start_initial']:.3f} s"))
    if "start_evolution" in times and "end_evolution" in times:
        setup.append(("generations took", f"{times['end_evolution'] - times['start_evolution']:.3f} s"))
    if ev.model is not None:
        setup.append(("model", f"{getattr(ev.model, 'name', '')} ({type(ev.model).__name__})"))
    setup += [("evaluation function", ev.evalFunction), ("parameter space", ev.parameterSpace), ("seed", ev.seed)]
    if ev.resumedFrom is not None:
        setup.append(("resumed after generation", ev.resumedFrom))
    sizes = [
        ("algorithm", ev.algorithm), ("generations per run()", ev.NGEN), ("initial population", ev.POP_INIT_SIZE),
        ("population", ev.POP_SIZE), ("weights", ev.weightList),
        ("workers", ev.executor if ev.executor is not None else ev.ncores),
    ]  # fmt: skip
    operators = [
        ("individuals", f"{name_of(ev.individualGenerator)}"),
        ("crossover", f"{name_of(ev.matingOperator)} {ev.MATE_P}"),
        ("mutation", f"{name_of(ev.mutationOperator)} {ev.MUTATE_P}"),
        ("parent selection", f"{name_of(ev.parentSelectionOperator)} {ev.PARENT_SELECT_P}"),
        ("survivor selection", f"{name_of(ev.selectionOperator)} {ev.SELECT_P}"),
    ]
    for title, items in (("Set-up", setup), ("Sizes", sizes), ("Operators (keyword arguments)", operators)):
        print(f"[{title}]")
        for label, value in items:
            print(f"  {label:<26} {value}")
    if ev.comments and ev.comments != "no comments":
        print(f"  {'comments':<26} {ev.comments}")


# ---------------------------------------------------------------------------------------------- plots
def plotScoresDistribution(scores, gIdx, save_plots=None, color="C0"):
    """Histogram of the scores of a population.

    Parameters
    ----------
    scores : array_like
    gIdx : int
        Generation (title).
    save_plots : str, optional
        File name prefix: save to ``FIGURES_DIR/<save_plots>_hist_<gIdx>.png``.
    color : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4, 2))
    scores = np.asarray(scores, dtype=float)
    scores = scores[np.isfinite(scores)]
    ax.hist(scores, color=color, edgecolor="k", linewidth=0.5)
    ax.set_title(f"Generation: {gIdx}, mean score: {np.mean(scores) if len(scores) else math.nan:.4g}")
    ax.set_xlabel("Score")
    ax.set_ylabel("Count")
    fig.tight_layout()
    return _finish(fig, save_plots, f"hist_{gIdx}")


def _pairs(evolution, dfPop, save_plots, color, suffix, regression):
    plt = _plt()
    df = evolution.dfPop() if dfPop is None else dfPop
    names = [n for n in evolution.parameterSpace.parameterNames if n in df.columns]
    try:
        import seaborn as sns
    except ImportError:
        sns = None
    if sns is not None:
        grid = sns.pairplot(df, vars=names + ["score"], kind="reg" if regression else "scatter",
                            plot_kws={"color": color} if not regression else {"color": color},
                            diag_kws={"color": color})  # fmt: skip
        return _finish(grid.figure, save_plots, suffix)
    cols = names + ["score"]
    n = len(cols)
    fig, axes = plt.subplots(n, n, figsize=(2.0 * n, 2.0 * n), squeeze=False)
    for i, yi in enumerate(cols):
        for j, xj in enumerate(cols):
            ax = axes[i, j]
            if i == j:
                ax.hist(df[xj].astype(float), color=color, edgecolor="k", linewidth=0.5)
            else:
                ax.scatter(df[xj].astype(float), df[yi].astype(float), s=8, color=color)
                if regression and len(df) > 1:
                    x, y = df[xj].astype(float).values, df[yi].astype(float).values
                    if np.ptp(x) > 0:
                        a, b = np.polyfit(x, y, 1)
                        xs = np.linspace(x.min(), x.max(), 10)
                        ax.plot(xs, a * xs + b, color="k", lw=0.8)
            if i == n - 1:
                ax.set_xlabel(xj)
            if j == 0:
                ax.set_ylabel(yi)
    fig.tight_layout()
    return _finish(fig, save_plots, suffix)


def plotSeabornScatter1(evolution, dfPop=None, save_plots=None, color="C0", line_kws=None, scatter_kws=None):
    """Pair plot of the parameters and the score with regression lines (seaborn if installed, else matplotlib).

    Parameters
    ----------
    evolution : Evolution
    dfPop : pandas.DataFrame, optional
        Default ``evolution.dfPop()``.
    save_plots : str, optional
        File name prefix.
    color : str
    line_kws, scatter_kws : dict, optional
        Accepted for compatibility.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _pairs(evolution, dfPop, save_plots, color, "sns_params_and_fitness", regression=True)


def plotSeabornScatter2(evolution, dfPop=None, save_plots=None, color="C0"):
    """Pair plot of the parameters and the score (seaborn if installed, else matplotlib).

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _pairs(evolution, dfPop, save_plots, color, "sns_params", regression=False)


def plotPopulation(evolution, history=False, plotDistribution=True, plotScattermatrix=False, save_plots=None,
                   color="C0"):  # fmt: skip
    """Plot the current population (or every individual of the history).

    Nothing is plotted with 4 valid individuals or fewer.

    Parameters
    ----------
    evolution : Evolution
    history : bool
        Use every individual of the history instead of the current population.
    plotDistribution : bool
        Histogram of the scores.
    plotScattermatrix : bool
        Pair plots of parameters and score.
    save_plots : str, optional
        File name prefix (e.g. the trajectory name).
    color : str

    Returns
    -------
    list of matplotlib.figure.Figure
    """
    df = evolution.dfEvolution() if history else evolution.dfPop()
    df = df[np.isfinite(df["score"].astype(float))] if len(df) else df
    figs = []
    if len(df) <= 4:
        logger.info("Not enough valid individuals to plot (more than 4 needed).")
        return figs
    if plotDistribution:
        figs.append(plotScoresDistribution(df["score"].values, evolution.gIdx, save_plots, color))
    if plotScattermatrix:
        figs.append(plotSeabornScatter1(evolution, df, save_plots, color))
        figs.append(plotSeabornScatter2(evolution, df, save_plots, color))
    return figs


def plotProgress(evolution, reverse=False, save_plots=None):
    """Scores of every generation as an image, and their mean with the min-max band.

    Parameters
    ----------
    evolution : Evolution
    reverse : bool
        Ignored (generations are always in increasing order).
    save_plots : str, optional
        File name prefix.

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _plt()
    gens, all_scores = evolution.getScoresDuringEvolution(reverse=bool(reverse))
    fig, (ax_img, ax_band) = plt.subplots(1, 2, figsize=(8, 3), dpi=100)
    if len(gens):
        ax_img.imshow(all_scores.T, aspect="auto", origin="lower",
                      extent=(gens[0] - 0.5, gens[-1] + 0.5, -0.5, all_scores.shape[1] - 0.5))  # fmt: skip
        mean = np.nanmean(all_scores, axis=1)
        ax_band.plot(gens, mean, color=evolution.plotColor, label="mean")
        ax_band.fill_between(gens, np.nanmin(all_scores, axis=1), np.nanmax(all_scores, axis=1),
                            color=evolution.plotColor, alpha=0.3, label="min-max")  # fmt: skip
        ax_band.legend(frameon=False)
    ax_img.set(xlabel="generation", ylabel="individual (sorted as stored)", title="Scores of the population")
    ax_band.set(xlabel="generation", ylabel="score")
    fig.tight_layout()
    return _finish(fig, save_plots, "progress")
