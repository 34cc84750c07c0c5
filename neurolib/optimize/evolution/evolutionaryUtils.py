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
    print(f"Printing {len(pop)} individuals")
    names = _names_of(paramInterval, names)
    for i, ind in enumerate(pop):
        values = ind.fitness.values if ind.fitness.valid else ()
        print(f"Individual {i}")
        print(f"\tFitness values: {' '.join(f'{v:.4g}' for v in values)}")
        print(f"\tScore: {getattr(ind.fitness, 'score', math.nan):.4g}")
        print(f"\tWeighted fitness: {' '.join(f'{v:.4g}' for v in ind.fitness.wvalues)}")
        if stats and values:
            print(f"\tStats mean {np.nanmean(values):.4g} std {np.nanstd(values):.4g} min {np.nanmin(values):.4g}"
                  f" max {np.nanmax(values):.4g}")  # fmt: skip
        for k, name in enumerate(names):
            print(f'\tmodel.params["{name}"] = {ind[k]:.4g}')


def printEvolutionInfo(evolution):
    """Print the settings of an evolution (sizes, operators, file, timing)."""
    ev = evolution
    print("> Simulation parameters")
    print(f"HDF file storage: {ev.HDF_FILE}")
    print(f"Trajectory Name: {ev.trajectoryName}")
    times = ev._times
    if "start_initial" in times and "end_initial" in times:
        print(f"Duration of evaluating initial population {times['end_initial'] - times['start_initial']:.3f} s")
    if "start_evolution" in times and "end_evolution" in times:
        print(f"Duration of evolution {times['end_evolution'] - times['start_evolution']:.3f} s")
    if ev.model is not None:
        print(f"Model: {type(ev.model)}")
        print(f"Model name: {getattr(ev.model, 'name', '')}")
    print(f"Eval function: {ev.evalFunction}")
    print(f"Parameter space: {ev.parameterSpace}")
    print(f"Seed: {ev.seed}")
    if ev.resumedFrom is not None:
        print(f"Resumed after generation {ev.resumedFrom}")
    print("> Evolution parameters")
    print(f"Algorithm: {ev.algorithm}")
    print(f"Number of generations: {ev.NGEN}")
    print(f"Initial population size: {ev.POP_INIT_SIZE}")
    print(f"Population size: {ev.POP_SIZE}")
    print(f"Weights: {ev.weightList}")
    print(f"Workers: {ev.executor if ev.executor is not None else ev.ncores}")
    print("> Evolutionary operators")
    print(f"Individual generator: {getattr(ev.individualGenerator, '__name__', ev.individualGenerator)}")
    print(f"Mating operator: {getattr(ev.matingOperator, '__name__', ev.matingOperator)}")
    print(f"Mating parameter: {ev.MATE_P}")
    print(f"Selection operator: {getattr(ev.selectionOperator, '__name__', ev.selectionOperator)}")
    print(f"Selection parameter: {ev.SELECT_P}")
    print(f"Parent selection operator: {getattr(ev.parentSelectionOperator, '__name__', ev.parentSelectionOperator)}")
    print(f"Parent selection parameter: {ev.PARENT_SELECT_P}")
    print(f"Mutation operator: {getattr(ev.mutationOperator, '__name__', ev.mutationOperator)}")
    print(f"Mutation parameter: {ev.MUTATE_P}")
    if ev.comments and ev.comments != "no comments":
        print(f"Comments: {ev.comments}")


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
    gens, all_scores = evolution.getScoresDuringEvolution(reverse=reverse)
    fig, axs = plt.subplots(1, 2, figsize=(8, 3), dpi=100)
    if len(gens):
        axs[0].imshow(all_scores.T, aspect="auto", origin="lower",
                      extent=(gens[0] - 0.5, gens[-1] + 0.5, -0.5, all_scores.shape[1] - 0.5))  # fmt: skip
        mean = np.nanmean(all_scores, axis=1)
        axs[1].plot(gens, mean, color=evolution.plotColor, label="mean")
        axs[1].fill_between(gens, np.nanmin(all_scores, axis=1), np.nanmax(all_scores, axis=1),
                            color=evolution.plotColor, alpha=0.3, label="min-max")  # fmt: skip
        axs[1].legend(frameon=False)
    axs[0].set_xlabel("Generation")
    axs[0].set_ylabel("Individual")
    axs[0].set_title("Scores of the population")
    axs[1].set_xlabel("Generation")
    axs[1].set_ylabel("Score")
    fig.tight_layout()
    return _finish(fig, save_plots, "progress")
