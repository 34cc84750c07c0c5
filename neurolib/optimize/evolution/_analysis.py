"""Analysis and printing of an :class:`~neurolib.optimize.evolution.Evolution`: scores, DataFrames, the
genealogy, the progress bar, :meth:`info` and the plots (drawn by
:mod:`~neurolib.optimize.evolution.evolutionaryUtils`)."""

from __future__ import annotations

import logging
import math

import numpy as np

from neurolib.optimize.evolution import evolutionaryUtils as eu

logger = logging.getLogger(__name__)


class _AnalysisMixin:
    """Scores, DataFrames, genealogy, progress and printing of :class:`~neurolib.optimize.evolution.Evolution`."""

    # ------------------------------------------------------------------ progress
    def _progress_bar(self, target):
        if not self.progress:
            return None
        from tqdm.auto import tqdm

        done = self.gIdx + 1
        bar = tqdm(total=target + 1, initial=done, unit="gen", desc="evolution", leave=True)
        if self.pop:
            bar.set_postfix(self._bar_stats(), refresh=True)
        return bar

    def _bar_stats(self):
        scores = self.getScores()
        if len(scores) == 0:
            return {"best": "nan", "mean": "nan"}
        return {"best": f"{np.max(scores):.4g}", "mean": f"{np.mean(scores):.4g}"}

    # ------------------------------------------------------------------ genealogy
    def _buildEvolutionTree(self):
        """Fill ``tree`` {id: parent ids}, ``id_genx`` {id: generation} and ``id_score`` {id: score}."""
        self.tree, self.id_genx, self.id_score = {}, {}, {}
        for g in sorted(self.history):
            for ind in self.history[g]:
                self.tree.setdefault(ind.id, tuple(getattr(ind, "parentIds", ())))
                self.id_genx.setdefault(ind.id, ind.gIdx)
                self.id_score.setdefault(ind.id, getattr(ind.fitness, "score", math.nan))

    # ------------------------------------------------------------------ inspection
    def getScores(self):
        """Scores of the valid individuals of the current population (numpy array)."""
        return np.array([ind.fitness.score for ind in self.getValidPopulation()], dtype=float)

    def getScoresDuringEvolution(self, traj=None, drop_first=True, reverse=False):
        """Scores of the population after every generation.

        Parameters
        ----------
        traj : StoredEvolution, optional
            A stored evolution (default: ``self.traj`` after :meth:`loadResults`, else this evolution).
        drop_first : bool
            Leave out generation 0 (the whole initial population, of another size).
        reverse : bool
            Accepted for compatibility and ignored: generations always come in increasing order (the published
            package needed ``reverse=True`` to get that order from a loaded file).

        Returns
        -------
        gens : numpy.ndarray
            Generation indices.
        all_scores : numpy.ndarray
            ``(n_gens, POP_SIZE)``; rows of different length (generation 0) are padded with NaN.
        """
        traj = self.traj if traj is None else traj
        if traj is None:
            items = [(g, np.asarray(r["scores"], float)) for g, r in sorted(self._records.items())]
        else:
            evo = traj.results.evolution
            items = sorted((int(k[4:]), np.asarray(v["scores"], float)) for k, v in evo.items())
        if drop_first:
            items = [(g, s) for g, s in items if g != 0]
        gens = np.array([g for g, _ in items], dtype=int)
        if not items:
            return gens, np.zeros((0, self.POP_SIZE))
        width = max(len(s) for _, s in items)
        all_scores = np.full((len(items), width), np.nan)
        for i, (_, s) in enumerate(items):
            all_scores[i, : len(s)] = s
        return gens, all_scores

    def _df(self, inds, outputs):
        """One row per individual; works for individuals the evolution has not tagged (e.g. from
        ``toolbox.population``): a missing id/generation is NaN, a missing score is computed from the fitness."""
        n_obj = len(self.weightList)
        rows = []
        for ind in inds:
            row = {name: ind[i] for i, name in enumerate(self._names)}
            fit = ind.fitness
            row["score"] = getattr(fit, "score", None)
            if row["score"] is None:
                finite = [w for w in fit.wvalues if math.isfinite(w)]
                row["score"] = sum(finite) / n_obj if fit.valid else math.nan
            row["id"] = getattr(ind, "id", math.nan)
            row["gen"] = getattr(ind, "gIdx", math.nan)
            if outputs:
                row.update(getattr(ind, "outputs", None) or {})
            raw = list(fit.values) if fit.valid else []
            raw += [math.nan] * (n_obj - len(raw))
            row.update({f"f{i}": v for i, v in enumerate(raw[:n_obj])})
            rows.append(row)
        import pandas as pd  # only needed here; keeps `import neurolib.optimize.evolution` light

        if not rows:
            return pd.DataFrame(columns=[*self._names, "score", "id", "gen", *(f"f{i}" for i in range(n_obj))])
        return pd.DataFrame(rows)

    def dfPop(self, outputs=False):
        """The valid individuals of the current population as a DataFrame.

        Parameters
        ----------
        outputs : bool
            Add one column per output of the evaluation (arrays in object columns).

        Returns
        -------
        pandas.DataFrame
            Columns: the parameters (original names), ``score``, ``id``, ``gen``, the outputs, ``f0 ... f{k-1}``
            (raw fitness values).
        """
        return self._df(self.getValidPopulation(), outputs)

    def dfEvolution(self, outputs=False):
        """Every individual of the history (once, in order of generation) as a DataFrame.

        Parameters
        ----------
        outputs : bool
            Add one column per output of the evaluation.

        Returns
        -------
        pandas.DataFrame
            The columns of :meth:`dfPop`; invalid individuals included (NaN fitness).
        """
        seen, inds = set(), []
        for g in sorted(self.history):
            for ind in self.history[g]:
                if ind.id not in seen:
                    seen.add(ind.id)
                    inds.append(ind)
        return self._df(inds, outputs).reset_index(drop=True)

    def info(self, plot=True, bestN=5, info=True, reverse=False):
        """Print a summary of the evolution and of the current population; optionally plot.

        Parameters
        ----------
        plot : bool
            Plot the progress and the population (saved into ``paths.FIGURES_DIR``).
        bestN : int
            How many of the best individuals to print.
        info : bool
            Also print the settings of the evolution.
        reverse : bool
            Passed to :meth:`plotProgress` (ignored there).
        """
        if info:
            eu.printEvolutionInfo(self)
        valid = self.getValidPopulation()
        scores = self.getScores()
        n_exc, n_nan = self.nInvalid["exception"], self.nInvalid["nonfinite"]
        rule = "=" * 24
        summary = [
            f"{rule} population after generation {self.gIdx} {rule}",
            f"valid individuals: {len(valid)} of {len(self.pop)}",
            f"mean score (weighted fitness): {np.mean(scores) if len(scores) else math.nan:.4g}",
            f"invalid evaluations so far: {n_exc + n_nan} of {self.evaluationCounter} ({n_exc} raised, {n_nan} "
            f"returned NaN/inf)",
        ]
        print("\n".join(summary))
        eu.printParamDist(self.pop, self.paramInterval, self.gIdx, names=self._names)
        top = self.toolbox.selBest(valid, bestN)
        print(f"{rule} the {len(top)} best (of {bestN} asked) {rule}")
        eu.printIndividuals(top, self.paramInterval, names=self._names)
        print("=" * (2 * len(rule) + 2))
        if not plot:
            return
        try:
            eu.plotProgress(self, reverse)
        except Exception as e:  # a plot must not break the summary
            logger.warning(f"Could not plot the progress: {e}")
        eu.plotPopulation(self, plotScattermatrix=True, save_plots=self.trajectoryName, color=self.plotColor)

    def plotProgress(self, reverse=False):
        """Plot the scores of every generation (image) and their mean and range (see :mod:`evolutionaryUtils`)."""
        return eu.plotProgress(self, reverse=reverse)

    def plotPopulation(self, **kwargs):
        """Plot the current population (score histogram, parameter pairs); see ``evolutionaryUtils.plotPopulation``."""
        return eu.plotPopulation(self, **kwargs)

    def __repr__(self):
        return (
            f"<Evolution {self.trajectoryName}: {self.algorithm}, {len(self._names)} parameters, "
            f"generation {self.gIdx}, population {len(self.pop)}>"
        )
