"""Search for pseudo patient-level data that reproduce a spec's targets: the facade.

``Reconstruction(spec).fit(seed)`` wires the engine's parts, all driven by
``numpy.random.Generator`` objects seeded from the fit's seed (same seed -> same cohort):

- ``model``: the cohort model built once from the spec (columns, eligibility, windows,
  hard constraints);
- ``start``: a start that keeps every published margin and follows the published curves;
- ``locks``: exact counts the landmark targets fix, kept by every move once met;
- ``moves``: the moves, one function per kind, with their shares in one table;
- ``loss``: the distance of each target's statistic from its published number;
- ``search``: phase 1 (exact counts), annealing rounds and the polish, each returning a
  ``SearchRun``;
- ``frame``: the fitted state as the cohort table.

With ``solver.starts`` > 1, phases 1 and 2 run from that many seeded starts (the k-th
seeded with ``[seed, k]``); with ``solver.polish_trial_iterations`` each start is first
polished that long, and the one then reproducing most ids (the loss breaking ties) is
polished for the rest of ``solver.polish_iterations``.

:meth:`Reconstruction.walk_from` walks from a fitted state with the same moves but refuses
any move that turns a reproduced target into a discrepant one: a neighbour of the fit, as
good as it. (The ensemble is not made of walks: its members are independent fits, see
``ensemble``.)

A move recomputes only the columns and the targets whose inputs it touched, with the
kernels behind the ``cart_hsct.survival`` functions the notebooks use
(``cart_hsct.survival.kernels``; the cohort is validated once, by
``fidelity.validate_columns``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .fidelity import fidelity_table
from .frame import cohort_frame
from .locks import Lock
from .loss import TargetLoss
from .model import CohortModel, State
from .search import Budget, SearchRun, polish, search, walk
from .spec import Spec, load_spec

__all__ = ["Lock", "Reconstruction"]


class Reconstruction:
    """Pseudo patient-level data fitted to a spec.

    Parameters
    ----------
    spec : Spec or str
        A validated spec or a cohort name (``data/specs/<cohort>.yaml``).
    iterations : int, optional
        Annealing steps (default: the spec's ``solver.iterations``); the covariate-only
        steps and the polish scale with them.

    Attributes (after ``fit`` or ``walk_from``)
    ----------------------------------------
    ipd_ : DataFrame
        One row per pseudo-patient (columns: ``data/cohorts/README.md``).
    loss_ : float
        Final value of the loss (data/specs/README.md, "The loss").
    loss_parts_ : Series
        The loss of each target, indexed by its first ledger id.
    fidelity_ : DataFrame
        id, published, reconstructed, status (``ledger.compare``, or ``infeasible``), ...
    locks_ : list of Lock
        Exact event counts the solution keeps; ``dropped_locks_`` those it could not meet.
    state_ : State
        A copy of the fitted free variables, where :meth:`walk_from` starts.
    trace_ : list of float
        The loss every 100 steps of the search that was kept, and of its polish.
    seed_ : int

    Examples
    --------
    >>> rec = Reconstruction("chen2021").fit(seed=1)       # doctest: +SKIP
    >>> rec.fidelity_.status.value_counts()                  # doctest: +SKIP
    """

    def __init__(self, spec: Spec | str, *, iterations: int | None = None):
        self.spec = spec if isinstance(spec, Spec) else load_spec(spec)
        self.model = CohortModel(self.spec)
        self.budget = Budget.scaled(self.spec.solver, iterations)
        self.iterations = self.budget.iterations
        self.covariate_iterations = self.budget.covariate_iterations

    def fit(self, seed: int = 0) -> Reconstruction:
        """Reconstruct a cohort; deterministic for a given ``seed``. Returns ``self``.

        ``solver.starts`` (default 1) independent searches (phases 1 and 2, the k-th
        seeded with ``[seed, k]``) are run, each polished for
        ``solver.polish_trial_iterations`` steps (default 0); the one then reproducing most
        ids (exact or close), the lowest in the loss among equals, is polished for the rest
        of ``solver.polish_iterations``.
        """
        model, budget, settings = self.model, self.budget, self.spec.solver
        cache: dict = {}
        runs = []
        for k in range(max(1, settings.starts)):
            rng = np.random.default_rng(seed if k == 0 else [seed, k])
            run = search(model, rng, budget, cache)
            if budget.trial:
                # the polish, not the search's end, tells which start is worth going on
                run.best_loss = polish(
                    model, run, rng, budget.trial, settings.polish_temperature, budget, cache
                )
            run.reproduced = TargetLoss(model, run.masks, cache).reproduced(model.columns(run.best))
            runs.append((run, rng))
        # the polish never lowers the count of ids reproduced, so it goes on from the
        # start reproducing most; the loss breaks ties (the first of equals)
        found, rng = min(runs, key=lambda r: (-r[0].reproduced, r[0].best_loss))
        loss = found.best_loss
        if budget.polish > budget.trial:
            loss = polish(
                model,
                found,
                rng,
                budget.polish - budget.trial,
                settings.polish_temperature,
                budget,
                cache,
            )
        parts = TargetLoss(model, found.masks, cache).parts(model.columns(found.best))
        self._result(found, seed, loss, parts)
        return self

    def walk_from(self, start: State, seed: int) -> Reconstruction:
        """A neighbour of ``start`` (a fit's ``state_``) as good as it: a walk, not a fit.

        A seeded random walk from ``start`` over the fit's moves (``iterations`` general
        moves, with covariate-only moves in the fit's proportion) that refuses any move
        breaking a constraint the start meets or turning a target that is exact or close
        at the start (``ledger.compare``) into anything else; among the rest, a move that
        raises the loss by d is accepted with probability exp(-d / walk_temperature)
        (``solver.walk_temperature``, default 1: a number may wander within its close
        band). So the walk reproduces at least what the start does; walks show what the
        summaries leave open near one reconstruction.
        """
        rng = np.random.default_rng(seed)
        run = SearchRun.holding(self.model, start.copy(), [])  # no locks: statuses hold
        loss, parts, self.moves_ = walk(
            self.model,
            run,
            TargetLoss(self.model, run.masks, {}),
            run.best,
            rng,
            self.iterations,
            self.spec.solver.walk_temperature,
            self.budget,
        )
        self._result(run, seed, loss, parts)
        return self

    def _result(self, run: SearchRun, seed: int, loss: float, parts: np.ndarray) -> None:
        s = self.spec
        self.seed_, self.loss_ = int(seed), float(loss)
        self.locks_, self.dropped_locks_, self.trace_ = run.locks, run.dropped_locks, run.trace
        self._state = run.best
        self.loss_parts_ = pd.Series(parts, index=[t.ids[0] for t in s.targets], name="loss")
        self.ipd_ = cohort_frame(self.model, run.best)
        self.fidelity_ = fidelity_table(s, self.ipd_)

    @property
    def state_(self) -> State:
        """A copy of the fitted free variables, where :meth:`walk_from` starts."""
        return self._state.copy()

    @property
    def summary(self) -> pd.DataFrame:
        """Counts of fidelity statuses."""
        return self.fidelity_.status.value_counts().rename_axis("status").reset_index()
