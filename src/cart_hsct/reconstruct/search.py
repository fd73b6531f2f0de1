"""The phases of a search, each from a start to a ``SearchRun``.

1. **Exact counts** (``phase1``): an integer search for the hard constraints and the
   locks' exact counts (half of its moves aimed at a lock that does not hold, some at
   deaths whose cause's condition fails); the locks it cannot meet become ordinary
   targets, and afterwards no move may break the others.
2. **Simulated annealing** (``anneal``, in rounds by ``search``): the loss
   (:class:`loss.TargetLoss`) over every move kind; half of the moves aimed at one
   target, drawn in proportion to its loss. Each round restarts from the best state at a
   lower temperature and ends with covariate-only moves.
3. **Polish** (``polish``, a ``walk`` with ``ratchet``): from the best state, half of the
   moves aimed at the targets not reproduced, refusing any move that leaves fewer ids
   exact or close (it may trade one reproduced target for others).

A run's locks, the covariates its moves may change, its fixed populations and its trace
travel in its ``SearchRun``; nothing outlives the call that made it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .cause_moves import repair_cause
from .locks import Lock, held_covariates, make_locks, split_unmet
from .loss import TargetLoss
from .model import CohortModel, State
from .moves import Focus, focus, propose, revert
from .spec import Covariate, SolverSettings
from .start import construct, initial

__all__ = ["Budget", "SearchRun", "anneal", "phase1", "polish", "search", "walk"]

AIM_CAP = 25.0  # loss of a target beyond which it is not aimed at more often
AIM_SHARE = 0.5  # moves aimed at a target in the annealing and the polish
PHASE1_MAX = 60000  # proposals to meet the hard constraints, at most
PHASE1_STALL = 30000  # ... and without a new lowest violation count
PHASE1_AIM = 0.5  # share of phase-1 moves aimed at an unmet lock
PHASE1_REPAIR = 0.3  # share of phase-1 moves aimed at a death whose cause's condition fails
PHASE1_WORSEN = 0.02  # phase-1 moves accepted although they break more (to leave plateaus)
VIOLATION_WEIGHT = 10  # a broken hard constraint counts as this many lock violations
END_TEMPERATURE = 1e-3  # an annealing round cools geometrically to this
ROUND_STEPS = 3000  # a round needs this many steps to be worth restarting from
ROUND_COOLING = 3.0  # each round starts this many times cooler than the previous one
TRACE_EVERY = 100  # steps between two points of the loss trace


@dataclass(frozen=True)
class Budget:
    """The steps of a fit: annealing and covariate-only steps, the polish and its trial
    (``iterations`` other than the spec's scale the others in proportion)."""

    iterations: int
    covariate_iterations: int
    polish: int
    trial: int

    @classmethod
    def scaled(cls, settings: SolverSettings, iterations: int | None = None) -> Budget:
        steps = int(iterations or settings.iterations)
        per_step = steps / int(settings.iterations)
        polish = int(settings.polish_iterations * per_step)
        return cls(
            iterations=steps,
            covariate_iterations=int(
                settings.covariate_iterations * steps / int(settings.iterations)
            ),
            polish=polish,
            trial=min(polish, int(settings.polish_trial_iterations * per_step)),
        )


@dataclass
class SearchRun:
    """One search: its locks and what they hold, where it got, and its loss trace."""

    best: State
    locks: list[Lock]
    movable: list[Covariate]  # covariates its moves may change
    masks: dict  # target index -> population mask, for populations that never change
    best_loss: float = math.inf
    dropped_locks: list[Lock] = field(default_factory=list)
    trace: list[float] = field(default_factory=list)
    reproduced: int = 0  # fitted ids exact or close at ``best``

    @classmethod
    def holding(cls, model: CohortModel, st: State, locks: list[Lock]) -> SearchRun:
        """A run from ``st`` whose ``locks`` hold the covariates defining them."""
        held = held_covariates(model, locks)
        return cls(
            best=st,
            locks=locks,
            movable=model.movable(held),
            masks=model.fixed_populations(held, st),
        )


@dataclass
class _Position:
    """Where an annealing walk stands, and the best state it has seen."""

    state: State
    cols: dict
    parts: np.ndarray
    loss: float
    best: State
    best_loss: float


def search(model: CohortModel, rng: np.random.Generator, budget: Budget, cache: dict) -> SearchRun:
    """One search from a new start: phase 1 (integer constraints) and phase 2
    (annealing rounds). Returns the run, its best state and loss."""
    s = model.spec
    st = initial(model, rng)
    locks = make_locks(model, st)
    construct(model, st, locks, rng)
    run = SearchRun.holding(model, st, locks)
    st, cols = _meet_locks(model, run, st, rng)
    base_bad = model.violations(st, cols)
    loss = TargetLoss(model, run.masks, cache)
    parts = loss.parts(cols)
    pos = _Position(st, cols, parts, float(parts.sum()), st.copy(), float(parts.sum()))
    t0 = s.solver.temperature
    rounds = max(1, min(s.solver.restarts, budget.iterations // ROUND_STEPS))
    per_round = max(1, budget.iterations // rounds)
    cov_per_round = budget.covariate_iterations // rounds if run.movable else 0
    run.trace = [pos.loss]
    for rnd in range(rounds):
        if rnd:
            st = pos.best.copy()
            cols = model.columns(st)
            parts = loss.parts(cols)
            pos.state, pos.cols, pos.parts, pos.loss = st, cols, parts, float(parts.sum())
        anneal(model, run, loss, pos, per_round, t0 / (ROUND_COOLING**rnd), base_bad, rng)
        if cov_per_round:
            # re-heated every round: these moves are cheap, and the best state is kept
            anneal(
                model,
                run,
                loss,
                pos,
                cov_per_round,
                t0 * s.solver.covariate_temperature,
                base_bad,
                rng,
                covariates_only=True,
            )
    run.best, run.best_loss = pos.best, pos.best_loss
    return run


def _meet_locks(
    model: CohortModel, run: SearchRun, st: State, rng: np.random.Generator
) -> tuple[State, dict]:
    """Phase 1 from the constructed start ``st``; the locks it cannot meet are dropped."""
    start = st.copy()
    st, cols, v = phase1(model, run, st, rng)
    if v:
        # The locks cannot all be met. Phase 1 accepts every move that keeps the count
        # of violations, so by now the cohort has wandered far from the constructed
        # start (event counts, death times). Go back to that start, give up the locks
        # that neither it nor the search met, and repair what is left.
        st, missed = start, cols
        cols = model.columns(st)
        run.locks, run.dropped_locks = split_unmet(run.locks, cols, also=missed)
        st, cols, v = phase1(model, run, st, rng)
        if v:
            run.locks, dropped = split_unmet(run.locks, cols)
            run.dropped_locks += dropped
    return st, cols


def phase1(
    model: CohortModel, run: SearchRun, st: State, rng: np.random.Generator
) -> tuple[State, dict, int]:
    """Integer search for the hard constraints and the locks' exact counts; returns the
    best state seen, its columns and its violations (``VIOLATION_WEIGHT`` per broken
    constraint, plus the locks'). Stops when all hold or after ``PHASE1_STALL``
    proposals without a new low."""
    cols = model.columns(st)
    locks = run.locks
    lock_deps = [model.deps[lk.target] for lk in locks]
    lock_v = np.array([lk.violation(cols) for lk in locks], dtype=np.int64)
    v = VIOLATION_WEIGHT * model.violations(st, cols) + int(lock_v.sum())
    low, stall, best = v, 0, (st.copy() if v else None)
    for _ in range(PHASE1_MAX):
        if v == 0 or stall > PHASE1_STALL:
            break
        prop = (
            repair_cause(model, st, cols, rng)
            if model.causes and rng.random() < PHASE1_REPAIR
            else None
        )
        if prop is None:
            # half of the moves aim at a lock that does not hold: its events, patients
            # and population (a small subgroup is rarely hit by chance)
            unmet = np.flatnonzero(lock_v)
            aim = (
                focus(model, run.movable, locks[unmet[rng.integers(unmet.size)]].target, cols)
                if unmet.size and rng.random() < PHASE1_AIM
                else None
            )
            prop = propose(model, st, cols, rng, run.movable, aim)
        if prop is None:
            continue
        changed, undo = prop
        new_cols = model.columns(st, prev=cols, changed=changed)
        new_lv = lock_v.copy()
        for k, lk in enumerate(locks):
            if lock_deps[k] & changed:
                new_lv[k] = lk.violation(new_cols)
        nv = VIOLATION_WEIGHT * model.violations(st, new_cols) + int(new_lv.sum())
        if nv <= v or rng.random() < PHASE1_WORSEN:
            v, cols, lock_v = nv, new_cols, new_lv
        else:
            revert(undo)
        if v < low:
            low, stall = v, 0
            best = st.copy() if v else None  # at 0 the search stops here
        else:
            stall += 1
    if v > low:
        # a few worsening moves are accepted to leave plateaus; never end on one
        st = best
        cols = model.columns(st)
        v = low
    return st, cols, v


def _aim(
    model: CohortModel, run: SearchRun, weights: np.ndarray, cols: dict, rng: np.random.Generator
) -> Focus | None:
    """A move's focus on a target drawn in proportion to ``weights``, or None when they
    are all 0."""
    aim = np.cumsum(weights)
    if aim[-1] <= 0:
        return None
    j = int(np.searchsorted(aim, rng.random() * aim[-1], side="right"))
    return focus(model, run.movable, min(j, len(weights) - 1), cols)


def _try_move(
    model: CohortModel,
    run: SearchRun,
    st: State,
    cols: dict,
    rng: np.random.Generator,
    aim: Focus | None,
    covariates_only: bool,
    base_bad: int,
    retry: bool,
):
    """Propose a move (aimed at ``aim``; unaimed when that finds none and ``retry``)
    and refuse (revert) it if it breaks a constraint or a lock. Returns (changed,
    undo, new columns) or None."""
    prop = propose(model, st, cols, rng, run.movable, aim, covariates_only=covariates_only)
    if prop is None and retry and aim is not None:
        prop = propose(model, st, cols, rng, run.movable, None, covariates_only=covariates_only)
    if prop is None:
        return None
    changed, undo = prop
    new_cols = model.columns(st, prev=cols, changed=changed)
    if (changed & model.constraint_inputs and model.violations(st, new_cols) > base_bad) or any(
        lk.violation(new_cols) for lk in run.locks if model.deps[lk.target] & changed
    ):
        revert(undo)
        return None
    return changed, undo, new_cols


def anneal(
    model: CohortModel,
    run: SearchRun,
    loss: TargetLoss,
    pos: _Position,
    steps: int,
    t_start: float,
    base_bad: int,
    rng: np.random.Generator,
    covariates_only: bool = False,
) -> None:
    """``steps`` annealing moves from ``pos``, cooling from ``t_start`` to
    ``END_TEMPERATURE``; updates ``pos`` (and its best state) in place."""
    targets, deps = model.spec.targets, model.deps
    st, cols, parts, current = pos.state, pos.cols, pos.parts, pos.loss
    cool = (END_TEMPERATURE / t_start) ** (1.0 / max(steps, 1))
    temp = t_start
    for k in range(steps):
        temp *= cool
        aim = None
        if (covariates_only or rng.random() < AIM_SHARE) and current > 0:
            # aim at a target drawn in proportion to its loss, capped so that a few
            # far-off targets do not take every aimed move
            aim = _aim(model, run, np.minimum(parts, AIM_CAP), cols, rng)
        move = _try_move(
            model, run, st, cols, rng, aim, covariates_only, base_bad, retry=covariates_only
        )
        if move is None:
            continue
        changed, undo, new_cols = move
        new_parts = parts.copy()
        for j, t in enumerate(targets):
            if deps[j] & changed:
                new_parts[j] = loss(t, new_cols)
        new_loss = float(new_parts.sum())
        if new_loss <= current or rng.random() < math.exp(-(new_loss - current) / temp):
            current, parts, cols = new_loss, new_parts, new_cols
            if current < pos.best_loss - 1e-12:
                pos.best_loss, pos.best = current, st.copy()
        else:
            revert(undo)
        if k % TRACE_EVERY == 0:
            run.trace.append(current)
    pos.cols, pos.parts, pos.loss = cols, parts, current


def polish(
    model: CohortModel,
    run: SearchRun,
    rng: np.random.Generator,
    steps: int,
    temp: float,
    budget: Budget,
    cache: dict,
) -> float:
    """Walk a run's best state in place, aiming at the targets not reproduced and never
    leaving fewer ids exact or close (their count can only rise); its loss."""
    loss = TargetLoss(model, run.masks, cache)
    return walk(model, run, loss, run.best, rng, steps, temp, budget, ratchet=True)[0]


def walk(
    model: CohortModel,
    run: SearchRun,
    loss: TargetLoss,
    st: State,
    rng: np.random.Generator,
    steps: int,
    temp: float,
    budget: Budget,
    ratchet: bool = False,
) -> tuple[float, np.ndarray, int]:
    """Walk ``st`` in place; returns (loss, loss parts, accepted moves).

    ``steps`` general moves, and covariate-only moves in the budget's proportion. Without
    ``ratchet`` (an ensemble member) a move that turns a reproduced target into anything
    else is refused; among the rest, a move that raises the loss by d is accepted with
    probability exp(-d / temp). With ``ratchet`` (the polish) the walk may trade targets
    instead: a move is refused if it leaves fewer ids exact or close, taken if it leaves
    more, and judged by the loss if as many; half of the moves aim at a target not
    reproduced.
    """
    targets = model.spec.targets
    cols = model.columns(st)
    base_bad = model.violations(st, cols)
    evals = [loss.judge(t, cols, status=True) for t in targets]
    parts = np.array([e[0] for e in evals])
    keep = [bool(e[1]) for e in evals]  # exact or close: stays so
    current = float(parts.sum())
    cov_steps = (
        int(budget.covariate_iterations * steps / budget.iterations)
        if run.movable and budget.iterations
        else 0
    )
    cov_share = cov_steps / (cov_steps + steps) if steps + cov_steps else 0.0
    run.trace.append(current)  # continues the fit's trace
    moved = 0
    for k in range(steps + cov_steps):
        cov_only, aim = bool(rng.random() < cov_share), None
        if ratchet and rng.random() < AIM_SHARE:
            # aim at a target not yet reproduced, drawn in proportion to its loss
            aim = _aim(model, run, np.where(keep, 0.0, np.minimum(parts, AIM_CAP)), cols, rng)
        move = _try_move(model, run, st, cols, rng, aim, cov_only, base_bad, retry=True)
        if move is None:
            continue
        changed, undo, new_cols = move
        judged = _judge_move(model, loss, parts, keep, changed, new_cols, ratchet)
        if judged is None:
            revert(undo)
            continue
        new_parts, balance, gained, lost = judged
        new_loss = float(new_parts.sum())
        if (
            balance > 0
            or new_loss <= current
            or rng.random() < math.exp(-(new_loss - current) / temp)
        ):
            current, parts, cols = new_loss, new_parts, new_cols
            moved += 1
            for j in gained:  # only a ratchet judges targets it does not keep
                keep[j] = True
            for j in lost:
                keep[j] = False
        else:
            revert(undo)
        if k % TRACE_EVERY == 0:
            run.trace.append(current)
    return current, parts, moved


def _judge_move(
    model: CohortModel,
    loss: TargetLoss,
    parts: np.ndarray,
    keep: list,
    changed: set,
    new_cols: dict,
    ratchet: bool,
):
    """(new loss parts, balance of reproduced ids, targets gained, targets lost) of a
    walk's move, or None when it loses reproduced ids on balance.

    With ``ratchet`` a move may trade reproduced targets but never lose ids on balance
    (the way to a target often leads through a neighbour's band). The targets not kept
    are judged first, then the kept ones until the balance turns negative (without
    ratchet: the first kept one that breaks).
    """
    new_parts, gained, lost = parts.copy(), [], []
    touched = sorted(
        (j for j in range(len(parts)) if model.deps[j] & changed), key=lambda j: keep[j] == ratchet
    )
    balance = 0
    for j in touched:
        new_parts[j], ok = loss.judge(model.spec.targets[j], new_cols, status=keep[j] or ratchet)
        if keep[j] and not ok:
            lost.append(j)
            balance -= model.n_fitted[j]
            if balance < 0:
                return None
        if ok and not keep[j]:
            gained.append(j)
            balance += model.n_fitted[j]
    return new_parts, balance, gained, lost
