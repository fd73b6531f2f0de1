"""Search for pseudo patient-level data that reproduce a spec's targets.

Three phases, all driven by ``numpy.random.Generator`` objects seeded from the fit's seed (same
seed -> same cohort):

1. **Exact counts.** Landmark targets whose published value is k/N for exactly one k
   (N = patients in the population) fix the number of events before the landmark,
   provided nobody is censored before the last of them; for small populations, the
   orders of events and censorings whose Kaplan-Meier estimate (and CI) print as the
   published numbers do the same. The start is built to meet these "locks" where it can
   (``_construct``: the locked number of events placed before each landmark; the other
   events follow the published curves, ``_profile``; causes of death go to deaths that
   meet their conditions, and a cause's ``profile`` of covariate values is given to its
   death by exchanging values, ``_impose_profiles``), then a cheap integer search
   repairs the rest (half of its
   moves aimed at a lock that does not hold, some at deaths whose cause's condition
   fails); afterwards no move may break them. An explicit lock (``lock: true``) asks
   for complete follow-up: nobody in its population censored before the landmark.
2. **Simulated annealing** over event times, event/censoring assignment, covariate
   assignment and entry dates, minimising the sum over targets of
   :func:`fidelity.distance` (each part's gap in units of its ``close`` band, plus a step
   outside it; a median adds :func:`fidelity.median_crossings`). Every move keeps the
   published margins: covariate values are swapped
   (within group when counts by group are published), events are moved in time,
   exchanged, shifted with the rest of a patient's history or switched between two
   patients of the same group (a cause of death and nested events go with it), entry
   dates stay inside the accrual window. Half of the moves are aimed at one target, drawn
   in proportion to its loss; an aimed switch may move an event into or out of the
   target's population, and a covariate swap aimed at a median may pair the patients
   holding its extremes. The steps are split into rounds that restart from the best
   state at a lower temperature. With ``solver.starts`` > 1, phases 1 and 2 run from that
   many seeded starts and the one reproducing most ids (the loss breaking ties) goes on;
   with ``solver.polish_trial_iterations`` each start is first polished that long and
   the choice is made after it.
3. **Polish** (``solver.polish_iterations``). A walk from the best state with the same
   moves, half of them aimed at the targets not reproduced, that refuses any move leaving
   fewer ids exact or close (it may trade one reproduced target for others). The count of
   reproduced ids can only rise.

:meth:`Reconstruction.sample` walks from a fitted state with the same moves but refuses
any move that turns a reproduced target into a discrepant one: the ensemble's members,
as good as the fit they start from.

A move recomputes only the columns and the targets whose inputs it touched, with the
numpy kernels behind the ``cart_hsct.survival`` functions the notebooks use (the cohort
is validated once, by ``fidelity.validate_columns``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import ledger
from .fidelity import distance, evaluate, fidelity_table, median_crossings, target_values
from .spec import Spec, load_spec

__all__ = ["Lock", "Reconstruction"]

_FAIL_Z2 = 9.0  # loss of a target that cannot be computed on the current cohort
# loss per value on the wrong side of a printed median (fidelity.median_crossings): a slope
# across the median's flat stretches, small beside the loss of the median itself
_CROSSING_Z2 = 0.5


@dataclass(frozen=True)
class Lock:
    """``events`` endpoint events by ``at`` in ``mask``, nobody censored before the last
    (``complete``: nobody censored before ``at``). ``where`` (cohort columns -> mask)
    recomputes the population when the covariates that define it move."""

    target: int
    ids: tuple
    endpoint: str
    at: float
    events: int
    n: int
    cause: int
    km: bool
    mask: np.ndarray
    pattern: tuple | None = None  # admissible orders of events (True) and censorings
    where: Callable | None = None
    complete: bool = False

    def violation(self, cols: dict) -> int:
        mask = self.mask if self.where is None else self.where(cols)
        off = abs(int(mask.sum()) - self.n)  # a free margin moved the population's size
        days = cols[f"{self.endpoint}_days"][mask]
        status = cols[f"{self.endpoint}_status"][mask]
        if self.pattern is not None:
            # the order of events (True) and censorings (False) up to the last event
            # before the landmark; at tied times events come first, as in the KM estimate
            inside = days <= self.at
            ev = status[inside] == self.cause
            seq = ev[np.lexsort((~ev, days[inside]))]
            hits = np.flatnonzero(seq)
            seq = seq[:hits[-1] + 1] if hits.size else seq[:0]
            best = None
            for pattern in self.pattern:
                pat = np.asarray(pattern, bool)
                m = min(seq.size, pat.size)
                v = int((seq[:m] != pat[:m]).sum()) + abs(seq.size - pat.size)
                best = v if best is None else min(best, v)
            return best + off
        hit = (status == self.cause) & (days <= self.at)
        miss = abs(int(hit.sum()) - self.events)
        if self.km:
            ended = hit
            censored = status != self.cause
        else:
            ended = (status > 0) & (days <= self.at)
            censored = status == 0
        last = self.at if self.complete else (days[ended].max() if ended.any() else -np.inf)
        return miss + off + int((censored & (days < last)).sum())

    def describe(self) -> str:
        if self.pattern is not None:
            seq = " or ".join("".join("E" if x else "C" for x in p) for p in self.pattern)
            return (f"{', '.join(self.ids)}: events (E) and censorings (C) of {self.endpoint} "
                    f"among {self.n} patients up to the last event by day {self.at:g} in "
                    f"the order {seq}")
        kind = "events" if self.km else f"cause-{self.cause} events"
        rule = "nobody censored before it" if self.complete else "no censoring before the last"
        return (f"{', '.join(self.ids)}: {self.events} {kind} of {self.endpoint} among "
                f"{self.n} patients by day {self.at:g}, {rule}")


class _State:
    """The free variables of a pseudo-cohort."""

    __slots__ = ("cause", "cov", "entry", "ev", "group")

    def __init__(self, group, cov, entry, ev, cause=None):
        self.group, self.cov, self.entry, self.ev = group, cov, entry, ev
        self.cause = cause  # cause of the terminal event (object array, None = none)

    def copy(self) -> _State:
        return _State(self.group, {k: v.copy() for k, v in self.cov.items()},
                      self.entry.copy(), {k: v.copy() for k, v in self.ev.items()},
                      None if self.cause is None else self.cause.copy())


class Reconstruction:
    """Pseudo patient-level data fitted to a spec.

    Parameters
    ----------
    spec : Spec or str
        A validated spec or a cohort name (``data/specs/<cohort>.yaml``).
    iterations : int, optional
        Annealing steps (default: the spec's ``solver.iterations``, else 4000).

    Attributes (after ``fit``)
    --------------------------
    ipd_ : DataFrame
        One row per pseudo-patient (columns: ``data/cohorts/README.md``).
    loss_ : float
        Final value of the loss (data/specs/README.md, "The loss").
    fidelity_ : DataFrame
        id, published, reconstructed, status (``ledger.compare``, or ``infeasible``), ...
    locks_ : list of Lock
        Exact event counts the solution keeps; ``dropped_locks_`` those it could not meet.
    seed_ : int

    Examples
    --------
    >>> rec = Reconstruction("chen2021").fit(seed=1)       # doctest: +SKIP
    >>> rec.fidelity_.status.value_counts()                  # doctest: +SKIP
    """

    def __init__(self, spec: Spec | str, *, iterations: int | None = None):
        self.spec = spec if isinstance(spec, Spec) else load_spec(spec)
        self.iterations = int(iterations or self.spec.solver.get("iterations", 4000))
        # covariate-only steps, scaled with the annealing steps (shorter ensemble runs)
        full = int(self.spec.solver.get("iterations", 4000))
        self.covariate_iterations = int(
            self.spec.solver.get("covariate_iterations", 0) * self.iterations / full)
        s = self.spec
        self._entries = ledger.load(directory=s.ledger_dir)
        self._terminal = next(e for e in s.events if e.terminal)
        self._gcol = s.groups.column if s.groups else None
        self._accrual_days = (s.design.accrual_end - s.design.accrual_start).days
        self._horizon = (s.design.cutoff - s.design.accrual_start).days
        self._infeasible = s.unfitted
        self._n_fitted = [sum(i not in self._infeasible for i in t.ids) for t in s.targets]
        self._deps = [self._target_deps(t) for t in s.targets]
        # covariates used to define who has another covariate or who can have an event
        held = set()
        for e in s.events:
            if e.where is not None:
                held |= e.where.names
            for b in e.before:
                held |= b.names
        for ep in s.endpoints.values():
            if ep.where is not None:
                held |= ep.where.names
        by_events = set(held)
        # a covariate that alone defines who has other covariates (a class and the interval
        # within it) moves together with them: a swap exchanges the nested values too, so
        # every population stays consistent. One that defines an event's population, or
        # another covariate's together with other covariates, is held.
        self._nested = {}
        for c in s.covariates:
            nested = [x for x in s.covariates if x.where is not None and c.name in x.where.names]
            if nested and c.name not in by_events and all(
                    x.where.names == {c.name} for x in nested):
                self._nested[c.name] = nested
        for c in s.covariates:
            if c.where is not None:
                held |= c.where.names - set(self._nested)
        self._held_structural = set(held)
        for lab, c in (self._terminal.causes or {}).items():
            for cov, _ in c.get("profile", ()):
                if cov.name in held:
                    raise ValueError(f"{s.cohort}.yaml: cause {lab!r}: profile names "
                                     f"{cov.name!r}, which defines who has an event or, with "
                                     "other covariates, another covariate; it cannot be "
                                     "exchanged")
        # until the locks are known (fit), every landmark target that may lock holds the
        # covariates that define its population
        for t in s.targets:
            if t.stat in ("km_at", "cuminc_at") and t.lock is not False and t.where is not None:
                held |= t.where.names
        self._held = self._with_inputs(held)
        self._split = [c for c in s.covariates if c.split is not None]
        self._causes = self._terminal.causes
        self._cause_col = self._terminal.cause_column if self._causes else None
        # children of each event (``within``): they move and vanish with their parent
        self._children = {e.name: [c for c in s.events if c.within == e.name] for e in s.events}
        self._ep_inputs = {
            ep.name: {f"{x}_day" for x in ep.events + ep.competing}
            | {nm for c in ep.conditions for nm in c.names}
            | {self._terminal.column, "entry_day", "followup_days"}
            | (set(ep.where.names) if ep.where is not None else set())
            | (set(ep.origin.names) if ep.origin is not None else set())
            for ep in s.endpoints.values()}
        self._read = set().union(*self._deps) | held | {
            nm for e in s.events for a in e.after + e.before for nm in a.names} | {
            nm for c in (self._causes or {}).values() if c["where"] is not None
            for nm in c["where"].names} | {
            nm for ex in s.derived.values() for nm in ex.names}
        self._movable = [c for c in s.covariates if c.name not in self._held and c.split is None]
        # what _violations reads: a move that touches none of it cannot break a constraint
        names = {e.column for e in s.events} | {"entry_day", "followup_days"}
        for e in s.events:
            for ex in (e.where, *e.after, *e.before):
                if ex is not None:
                    names |= ex.names
        for c in (self._causes or {}).values():
            if c["where"] is not None:
                names |= c["where"].names
        self._constraint_inputs = self._with_inputs(names) | (
            {self._cause_col} if self._cause_col else set())

    def _with_inputs(self, names: set) -> set:
        """``names`` and, through derived columns, every column they are computed from."""
        out, todo = set(), list(names)
        while todo:
            nm = todo.pop()
            if nm not in out:
                out.add(nm)
                if nm in self.spec.derived:
                    todo.extend(self.spec.derived[nm].names)
        return out

    def _release(self) -> None:
        """Hold only the covariates that define a lock's population (a lock's patients are
        fixed when it is made), so the others can move."""
        names = set(self._held_structural)
        for lk in self.locks_:
            where = self.spec.targets[lk.target].where
            if where is not None and lk.where is None:
                names |= where.names
        self._held = self._with_inputs(names)
        self._movable = [c for c in self.spec.covariates
                         if c.name not in self._held and c.split is None]

    # ------------------------------------------------------------------ columns

    def _expand(self, names) -> set:
        s = self.spec
        out = set()
        todo = list(names)
        while todo:
            nm = todo.pop()
            if nm in out:
                continue
            out.add(nm)
            if nm in s.derived:
                todo.extend(s.derived[nm].names)
            for ep in s.endpoints.values():
                if nm in (f"{ep.name}_days", f"{ep.name}_event", f"{ep.name}_status"):
                    todo.extend(f"{x}_day" for x in ep.events + ep.competing)
                    todo.extend(nm for c in ep.conditions for nm in c.names)
                    todo.extend([self._terminal.column, "followup_days"])
                    if ep.where is not None:
                        todo.extend(ep.where.names)
                    if ep.origin is not None:
                        todo.extend(ep.origin.names)
            if nm == "followup_days":
                out.add("entry_day")
            if nm == "entry_day":
                out.add("followup_days")
        return out

    def _target_deps(self, t) -> set:
        names = set()
        for ex in (t.where, t.by, t.of):
            if ex is not None:
                names |= ex.names
        if t.versus:
            names |= t.versus["of"].names
            if t.versus["where"] is not None:
                names |= t.versus["where"].names
        names |= set(t.covariates)
        if t.endpoint:
            names |= {f"{t.endpoint}_days", f"{t.endpoint}_event", f"{t.endpoint}_status"}
        return self._expand(names)

    def _columns(self, st: _State, final: bool = False, prev: dict | None = None,
                 changed: set | None = None) -> dict:
        """Every column of the cohort as arrays. With ``prev`` (the columns before a move,
        whose base arrays are the state's own, changed in place) and ``changed`` (the base
        names the move touched), only the derived and endpoint columns that depend on
        them are recomputed."""
        s, n = self.spec, self.spec.n
        if prev is not None:
            cols = dict(prev)
            dirty = set(changed)
        else:
            cols = {}
            dirty = None
            if self._gcol:
                cols[self._gcol] = st.group
            cols.update(st.cov)
            cols["entry_day"] = st.entry
            for e in s.events:
                cols[e.column] = st.ev[e.name]
            if self._cause_col:
                cols[self._cause_col] = st.cause
        for c in self._split:
            # markers that nothing the solver evaluates reads are made for the output only
            if (final or c.name in self._read) and (dirty is None or c.split["by"] in dirty):
                cols[c.name] = self._split_values(c, st.cov[c.name], cols[c.split["by"]])
                if dirty is not None:
                    dirty.add(c.name)
        if dirty is None or "entry_day" in dirty:
            cols["followup_days"] = self._horizon - st.entry
        for name, ex in s.derived.items():
            if dirty is not None:
                if not ex.names & dirty:
                    continue
                dirty.add(name)
            v = np.asarray(ex(cols, n))
            cols[name] = v.astype(float) if v.dtype == bool else v
        fu = cols["followup_days"]
        death = st.ev[self._terminal.name]
        for ep in s.endpoints.values():
            if dirty is not None and not self._ep_inputs[ep.name] & dirty:
                continue
            t1 = _first([self._cond(st.ev[x], c, cols) for x, c in
                         zip(ep.events, ep.events_where or [None] * len(ep.events))], n)
            t2 = _first([self._cond(st.ev[x], c, cols) for x, c in
                         zip(ep.competing, ep.competing_where or [None] * len(ep.competing))], n)
            has1, has2 = ~np.isnan(t1), ~np.isnan(t2)
            status = np.where(has1 & (~has2 | (t1 <= t2)), 1.0, np.where(has2, 2.0, 0.0))
            cens = np.fmin(fu, death)
            time = np.where(status == 1, t1, np.where(status == 2, t2, cens))
            if ep.origin is not None:
                time = time - np.asarray(ep.origin(cols, n), float)
            pop = np.ones(n, bool) if ep.where is None else np.asarray(ep.where(cols, n), bool)
            cols[f"{ep.name}_days"] = np.where(pop, time, np.nan)
            cols[f"{ep.name}_event"] = np.where(pop, (status == 1).astype(float), np.nan)
            cols[f"{ep.name}_status"] = np.where(pop, status, np.nan)
        return cols

    def _cond(self, times: np.ndarray, cond, cols: dict) -> np.ndarray:
        """Event times where the endpoint's condition on the event holds, else NaN."""
        if cond is None:
            return times
        return np.where(np.asarray(cond(cols, self.spec.n), bool), times, np.nan)

    # ------------------------------------------------------------------ initial state

    def _initial(self, rng: np.random.Generator) -> _State:
        s, n = self.spec, self.spec.n
        if s.groups:
            group = np.array([g for g, k in s.groups.sizes.items() for _ in range(k)], object)
        else:
            group = np.array([None] * n, object)
        cov: dict[str, np.ndarray] = {}
        entry = np.round((np.arange(n) + 0.5) / n * self._accrual_days)
        entry = rng.permutation(entry).astype(float)
        st = _State(group, cov, entry, {e.name: np.full(n, np.nan) for e in s.events})
        for c in s.covariates:
            cols = self._base_columns(st)
            pop = np.ones(n, bool) if c.where is None else np.asarray(c.where(cols, n), bool)
            idx = np.flatnonzero(pop)
            where = f"{s.cohort}.yaml: covariates '{c.name}'"
            if c.kind == "categorical":
                arr = np.array([None] * n, object)
                if c.by_group:
                    left = dict(c.levels)
                    for g, counts in c.by_group.items():
                        gi = idx[group[idx] == g]
                        vals = [lab for lab, k in counts.items() for _ in range(k)]
                        if len(vals) != gi.size:
                            raise ValueError(f"{where}: by_group {g!r} lists {len(vals)} "
                                             f"values but {gi.size} patients match 'where'")
                        arr[gi] = rng.permutation(np.array(vals, object))
                        for lab, k in counts.items():
                            left[lab] -= k
                    # groups not listed share what is left of the margin
                    gi = idx[~np.isin(group[idx], list(c.by_group))]
                    vals = [lab for lab, k in left.items() for _ in range(k)]
                    if len(vals) != gi.size:
                        raise ValueError(f"{where}: the groups not in by_group have {gi.size} "
                                         f"patients matching 'where' but the margin leaves "
                                         f"{len(vals)} values for them")
                    arr[gi] = rng.permutation(np.array(vals, object))
                elif c.levels:
                    vals = [lab for lab, k in c.levels.items() for _ in range(k)]
                    if len(vals) != idx.size:
                        raise ValueError(f"{where}: levels count {len(vals)} patients but "
                                         f"{idx.size} match 'where'")
                    arr[idx] = rng.permutation(np.array(vals, object))
                else:
                    arr[idx] = np.array(c.free_levels, object)[
                        rng.integers(0, len(c.free_levels), idx.size)]
            elif c.split is not None:
                # a latent rank in (0, 1) per patient; _columns maps it to a value on the
                # side of the cut-off that the 0/1 covariate c.split["by"] gives
                arr = np.where(pop, rng.uniform(0.02, 0.98, n), np.nan)
            else:
                arr = np.full(n, np.nan)
                if c.values is not None:
                    if len(c.values) != idx.size:
                        raise ValueError(f"{where}: {len(c.values)} values but {idx.size} "
                                         "patients match 'where'")
                    arr[idx] = rng.permutation(np.array(c.values, float))
                else:
                    arr[idx] = rng.permutation(_median_range_values(c, idx.size, rng))
            cov[c.name] = arr
        # events: a feasible start that follows the published curves of each event where
        # there are any (_profile); deaths first, so that other events fall before them.
        # Phase 1 repairs what this gets wrong.
        cols = self._columns(st)
        fu = self._horizon - entry
        e = self._terminal
        if self._causes:
            st.cause = np.array([None] * n, object)
        labels = None
        if self._causes:
            # the causes fix the number of deaths: that many, each with its cause
            labels = [lab for lab, c in self._causes.items() for _ in range(c["count"])]
        self._place(st, cols, e, rng, fixed=None if labels is None else len(labels))
        if labels is not None:
            dead = np.flatnonzero(~np.isnan(st.ev[e.name]))
            if dead.size != len(labels):
                raise ValueError(f"{s.cohort}.yaml: events '{e.name}'.causes: {len(labels)} "
                                 f"deaths but only {dead.size} patients may die")
        for e in s.events:
            if e.terminal:
                continue
            cols = self._columns(st)
            self._place(st, cols, e, rng)
        if labels is not None:
            self._assign_causes(st, self._columns(st), rng)
            self._impose_profiles(st, rng)
        del fu
        return st

    def _impose_profiles(self, st: _State, rng: np.random.Generator) -> None:
        """Give each death whose cause has a ``profile`` the covariate values it names, by
        exchanging values with patients who have them (every margin is kept). First the
        cause goes, where it can, to a dead patient who meets the rest of its condition
        (a relapse before the death, say), has every profiled covariate (some exist only
        in a subpopulation) and died of a cause without conditions (so the exchange breaks
        none)."""
        n = self.spec.n
        dead = ~np.isnan(st.ev[self._terminal.name])
        for lab, c in self._causes.items():
            if not c["profile"]:
                continue
            present = dead.copy()
            for cov, _ in c["profile"]:
                present &= ~_missing(st.cov[cov.name])
            if not present.any():
                raise ValueError(f"{self.spec.cohort}.yaml: cause {lab!r}: no dead patient "
                                 "has every covariate of its profile")
            base = present if c["base_where"] is None else present & np.asarray(
                c["base_where"](self._columns(st), n), bool)
            free = np.array([x is not None and x != lab and self._causes[x]["where"] is None
                             for x in st.cause])
            for i in np.flatnonzero(st.cause == lab):
                if not (base[i] and present[i]):
                    for pool in (base & free, base & (st.cause != lab), present & free,
                                 present & (st.cause != lab)):
                        if pool.any():
                            break
                    fit = np.flatnonzero(pool)
                    j = fit[rng.integers(fit.size)]
                    st.cause[i], st.cause[j] = st.cause[j], st.cause[i]
                    base[j] = present[j] = False  # taken
                    i = j
                for cov, ex in c["profile"]:
                    arr = st.cov[cov.name]
                    ok = np.asarray(ex(self._columns(st), n), bool)
                    if ok[i]:
                        continue
                    cand = ok & ~_missing(arr) & (st.cause != lab)
                    if cov.by_group and self._gcol:
                        cand &= st.group == st.group[i]
                    cand = np.flatnonzero(cand)
                    if cand.size == 0:
                        raise ValueError(f"{self.spec.cohort}.yaml: cause {lab!r}: nobody "
                                         f"else meets {ex.text!r} to exchange with")
                    j = cand[rng.integers(cand.size)]
                    for a in [arr] + [st.cov[x.name] for x in self._nested.get(cov.name, ())]:
                        a[i], a[j] = a[j], a[i]

    def _assign_causes(self, st: _State, cols: dict, rng: np.random.Generator) -> None:
        """Causes to the deaths: the most restricted causes (fewest dead patients meeting
        their ``where``) first, each to dead patients that meet it where possible."""
        n = self.spec.n
        dead = ~np.isnan(st.ev[self._terminal.name])
        free = dead.copy()
        st.cause[:] = None
        ok = {lab: dead & (np.ones(n, bool) if c["where"] is None
                           else np.asarray(c["where"](cols, n), bool))
              for lab, c in self._causes.items()}
        for lab in sorted(self._causes, key=lambda x: int(ok[x].sum())):
            k = self._causes[lab]["count"]
            good = rng.permutation(np.flatnonzero(ok[lab] & free))
            rest = rng.permutation(np.flatnonzero(~ok[lab] & free))
            who = np.r_[good, rest][:k]
            st.cause[who] = lab
            free[who] = False

    def _exchange_causes(self, st: _State, i: int, others: np.ndarray,
                         rng: np.random.Generator):
        """Exchange the cause of death of patient ``i`` with one of ``others`` (the counts
        by cause are kept); None when there is nobody to exchange with."""
        if others.size == 0:
            return None
        j = others[rng.integers(others.size)]
        undo = [(st.cause, i, st.cause[i]), (st.cause, j, st.cause[j])]
        st.cause[i], st.cause[j] = st.cause[j], st.cause[i]
        return {self._cause_col}, undo

    def _repair_cause(self, st: _State, cols: dict, rng: np.random.Generator):
        """A move aimed at a death whose cause's condition fails: exchange its cause with
        another death's, or move an event the condition names to this patient."""
        n = self.spec.n
        death = st.ev[self._terminal.name]
        bad = []
        for lab, c in self._causes.items():
            if c["where"] is not None:
                ok = np.asarray(c["where"](cols, n), bool)
                bad.extend((i, c) for i in np.flatnonzero((st.cause == lab) & ~ok
                                                          & ~np.isnan(death)))
        if not bad:
            return None
        i, c = bad[rng.integers(len(bad))]
        if rng.random() < 0.5:
            return self._exchange_causes(
                st, i, np.flatnonzero(~np.isnan(death) & (st.cause != st.cause[i])), rng)
        evs = [e for e in self.spec.events if e.column in c["where"].names and not e.terminal]
        if not evs:
            return None
        e = evs[rng.integers(len(evs))]
        t = st.ev[e.name]
        if not np.isnan(t[i]):
            return None
        lo, hi = self._window(st, cols, e, i)
        if lo > hi or not self._eligible(e, cols)[i]:
            return None
        holders = np.flatnonzero(~np.isnan(t))
        undo = [(t, i, t[i])]
        if holders.size and rng.random() < 0.7:
            j = holders[rng.integers(holders.size)]
            undo.append((t, j, t[j]))
            t[i] = t[j] if lo <= t[j] <= hi else float(rng.integers(lo, hi + 1))
            t[j] = np.nan
            changed = {e.column} | self._carry_children(st, e, j, None, 0.0, undo)
            return changed, undo
        t[i] = float(rng.integers(lo, hi + 1))
        return {e.column}, undo

    def _profile(self, e) -> tuple[list, float | None]:
        """Published cumulative shares of event ``e`` in the whole cohort.

        From the landmark targets (no ``where``) of endpoints made of ``e`` alone: a
        ``cuminc_at`` value, or 1 - a ``km_at`` value; and from a ``count`` of
        ``notna(<e>_day)``: the total share. Returns ([(day, share), ...] sorted, total).
        """
        s = self.spec
        pts, total = {}, None
        for t in s.targets:
            ids = [i for i in t.ids if i not in self._infeasible]
            if not ids or t.where is not None:
                continue
            en = self._entries[ids[0]]
            if en.value is None:
                continue
            if t.stat == "count" and t.of is not None and t.of.text.replace(" ", "") == \
                    f"notna({e.column})":
                total = en.value / s.n
                continue
            if t.stat not in ("km_at", "cuminc_at") or en.unit != "percent":
                continue
            ep = s.endpoints[t.endpoint]
            if ep.events != (e.name,) or ep.conditions or ep.origin is not None or \
                    (t.stat == "cuminc_at" and t.cause != 1):
                continue
            pts[float(t.at)] = en.value / 100 if t.stat == "cuminc_at" else 1 - en.value / 100
        return sorted(pts.items()), total

    def _place(self, st: _State, cols: dict, e, rng: np.random.Generator,
               fixed: int | None = None) -> None:
        """Give event ``e`` to some eligible patients at times that follow its profile
        (``fixed`` patients when given; else as many as the profile says, or half)."""
        t = st.ev[e.name]
        elig = np.flatnonzero(self._eligible(e, cols))
        pts, total = self._profile(e)
        share = total if total is not None else (max(v for _, v in pts) if pts else None)
        if fixed is not None:
            k = fixed
        elif share is not None:
            k = int(round(min(1.0, share) * self.spec.n))
        else:
            k = int(rng.binomial(elig.size, 0.5))
        # intervals between the landmarks, weighted by the increase of the share
        edges, weights, prev_a, prev_v = [], [], 0.0, 0.0
        for a, v in pts:
            edges.append((prev_a, a))
            weights.append(max(v - prev_v, 0.0))
            prev_a, prev_v = a, max(prev_v, v)
        if share is not None and share > prev_v or not pts:
            edges.append((prev_a, float(self._horizon)))
            weights.append(max((share or 1.0) - prev_v, 1e-9))
        w = np.asarray(weights) / sum(weights) if sum(weights) > 0 else None
        placed = 0
        for i in rng.permutation(elig):
            if placed >= k:
                break
            lo, hi = self._window(st, cols, e, i)
            if lo > hi:
                continue
            a0, a1 = edges[rng.choice(len(edges), p=w)] if w is not None else (0, hi)
            l2, h2 = max(lo, int(a0) + 1), min(hi, int(a1))
            t[i] = float(rng.integers(l2, h2 + 1)) if l2 <= h2 else float(
                rng.integers(lo, hi + 1))
            placed += 1

    def _construct(self, st: _State, rng: np.random.Generator) -> None:
        """Meet the exact-count locks of single-event endpoints by construction.

        For each such endpoint (parents before the events nested in them), in order of
        landmark: the lock's population gets exactly the locked number of events by the
        landmark, the missing ones placed uniformly between the previous landmark of the
        endpoint and this one, the extra ones moved past it (or removed). Phase 1 repairs
        what this cannot (e.g. a death before the only admissible day).
        """
        s = self.spec
        # complete follow-up: the patients of such a lock enter early enough to be followed
        # to its landmark (entry dates exchanged with patients outside every such lock)
        complete = [lk for lk in self.locks_ if lk.complete]
        inside = np.zeros(s.n, bool)
        for lk in complete:
            inside |= lk.mask
        last = np.zeros(s.n)
        for e in s.events:
            last = np.fmax(last, st.ev[e.name])
        for lk in complete:
            for i in np.flatnonzero(lk.mask & (self._horizon - st.entry < lk.at)):
                reach = self._horizon - st.entry
                # a partner whose history fits in patient i's shorter follow-up
                ok = np.flatnonzero(~inside & (reach >= lk.at) & (last < reach[i]))
                if ok.size:
                    j = ok[rng.integers(ok.size)]
                    st.entry[i], st.entry[j] = st.entry[j], st.entry[i]
        order = {e.name: k for k, e in enumerate(s.events)}
        todo = []
        for lk in self.locks_:
            ep = s.endpoints[lk.endpoint]
            if lk.pattern is not None or len(ep.events) != 1 or ep.conditions or (
                    lk.km and ep.competing):
                continue
            e = next(x for x in s.events if x.name == ep.events[0])
            if e.terminal or ep.origin is not None or (not lk.km and lk.cause != 1):
                continue
            todo.append((order[e.name], lk.at, lk, e))
        done: dict[str, float] = {}
        for _, at, lk, e in sorted(todo, key=lambda x: (x[0], x[1])):
            t = st.ev[e.name]
            cols = self._columns(st)
            lo_at = done.get(e.name, 0.0)
            mask = lk.mask
            hit = mask & ~np.isnan(t) & (t <= at)
            need = lk.events
            have = int(hit.sum())
            if have > need:
                for i in rng.permutation(np.flatnonzero(hit & (t > lo_at)))[:have - need]:
                    lo, hi = self._window(st, cols, e, i)
                    lo = max(lo, int(at) + 1)
                    t[i] = float(rng.integers(lo, hi + 1)) if lo <= hi else np.nan
                    for c in self._children[e.name]:
                        st.ev[c.name][i] = np.nan
            elif have < need:
                elig = self._eligible(e, cols) & mask & ~hit
                for i in rng.permutation(np.flatnonzero(elig)):
                    if have >= need:
                        break
                    lo, hi = self._window(st, cols, e, i)
                    lo, hi = max(lo, int(lo_at) + 1), min(hi, int(at))
                    if lo > hi:
                        continue
                    t[i] = float(rng.integers(lo, hi + 1))
                    for c in self._children[e.name]:
                        ct = st.ev[c.name][i]
                        if not np.isnan(ct) and ct < t[i]:
                            st.ev[c.name][i] = np.nan
                    have += 1
            done[e.name] = max(lo_at, at)

    @staticmethod
    def _split_values(c, u: np.ndarray, side: np.ndarray) -> np.ndarray:
        """Marker values from latent ranks ``u``: below ``at`` where ``side`` is 0, at or
        above it where 1; with ``at_cut`` the lowest of the upper side sits on the cut-off."""
        lo, hi = c.range
        at = c.split["at"]
        step = 10.0 ** -c.decimals
        high = np.array([v is not None and v == 1 for v in side]) if side.dtype == object \
            else side == 1
        high &= ~np.isnan(u)
        low = ~high & ~np.isnan(u)
        out = np.full(u.size, np.nan)
        out[low] = np.minimum(np.round(lo + u[low] * (at - lo), c.decimals), at - step)
        out[high] = np.maximum(np.round(at + u[high] * (hi - at), c.decimals), at)
        if c.split["at_cut"] and high.any():
            out[np.flatnonzero(high)[np.argmin(u[high])]] = at
        return out

    def _base_columns(self, st: _State) -> dict:
        cols = {}
        if self._gcol:
            cols[self._gcol] = st.group
        cols.update(st.cov)
        cols["entry_day"] = st.entry
        cols["followup_days"] = self._horizon - st.entry
        for e in self.spec.events:
            cols[e.column] = st.ev[e.name]
        return cols

    def _eligible(self, e, cols) -> np.ndarray:
        n = self.spec.n
        out = np.ones(n, bool) if e.where is None else np.asarray(e.where(cols, n), bool)
        if e.within is not None:
            out = out & ~np.isnan(cols[f"{e.within}_day"])
        return out

    def _window(self, st: _State, cols: dict, e, i: int) -> tuple[int, int]:
        """Whole days at which patient ``i`` may have event ``e``, given everything else."""
        n = self.spec.n
        lo = 1.0
        for a in e.after:
            b = float(np.asarray(a(cols, n), float)[i])
            if not math.isnan(b):
                lo = max(lo, math.floor(b) + 1.0)
        hi = float(self._horizon - st.entry[i])
        for b in e.before:
            v = float(np.asarray(b(cols, n), float)[i])
            if not math.isnan(v):
                hi = min(hi, math.ceil(v) - 1.0)
        if e.within is not None:
            p = st.ev[e.within][i]
            lo = max(lo, p) if not math.isnan(p) else math.inf
        if e.terminal:
            for other in self.spec.events:
                if not other.terminal:
                    t = st.ev[other.name][i]
                    if not math.isnan(t):
                        lo = max(lo, t + 1.0)
        else:
            d = st.ev[self._terminal.name][i]
            if not math.isnan(d):
                hi = min(hi, d - 1.0)
        return int(math.ceil(lo)), int(math.floor(hi))

    # ------------------------------------------------------------------ constraints

    def _violations(self, st: _State, cols: dict) -> int:
        n = self.spec.n
        fu = cols["followup_days"]
        death = st.ev[self._terminal.name]
        bad = 0
        for e in self.spec.events:
            t = st.ev[e.name]
            has = ~np.isnan(t)
            if not has.any():
                continue
            bad += int((has & ~self._eligible(e, cols)).sum())
            bad += int((has & ((t < 1) | (t > fu))).sum())
            for a in e.after:
                b = np.asarray(a(cols, n), float)
                bad += int((has & ~np.isnan(b) & (t <= b)).sum())
            for a in e.before:
                b = np.asarray(a(cols, n), float)
                bad += int((has & ~np.isnan(b) & (t >= b)).sum())
            if e.within is not None:
                p = st.ev[e.within]
                bad += int((has & ~np.isnan(p) & (t < p)).sum())  # no parent: not eligible
            if not e.terminal:
                bad += int((has & ~np.isnan(death) & (t >= death)).sum())
        if self._causes:
            dead = ~np.isnan(death)
            bad += int((dead != np.array([c is not None for c in st.cause])).sum())
            for lab, c in self._causes.items():
                if c["where"] is not None:
                    ok = np.asarray(c["where"](cols, n), bool)
                    bad += int(((st.cause == lab) & dead & ~ok).sum())
        return bad

    def _make_locks(self, st: _State) -> list[Lock]:
        s = self.spec
        cols = self._columns(st)
        locks = []
        within_fu = s.solver.get("auto_lock", "always") == "within_followup"
        for t in s.targets:
            if t.stat not in ("km_at", "cuminc_at") or t.lock is False:
                continue
            if t.lock is None and within_fu and t.at > s.design.followup_bounds[0]:
                continue  # censoring may start before this landmark: only an explicit lock
            honoured = [i for i in t.ids if i not in self._infeasible]
            if not honoured:
                continue
            e = self._entries[honoured[0]]
            if e.unit != "percent" or e.value is None:
                continue
            where = self._lock_population(t)
            mask = where(cols)
            size = int(mask.sum())
            # an explicit lock (complete follow-up) lets the covariates that define its
            # population move, and recomputes the population at every check; an automatic
            # one holds them
            moving = t.lock is True and bool(
                self._with_inputs(set(where.names)) - self._with_inputs(self._held_structural))
            extra = {"where": where if moving else None, "complete": t.lock is True}
            half = e.half_unit.get("value", 0.05)
            ks = [k for k in range(size + 1) if abs(100.0 * k / size - e.value) <= half + 1e-9]
            if len(ks) != 1:
                pattern = _km_pattern(e, size, "ci" in t.compare, t.conf_type) if t.stat == "km_at" \
                    else None
                if pattern is not None:
                    locks.append(Lock(target=t.index, ids=tuple(honoured), endpoint=t.endpoint,
                                      at=float(t.at), events=sum(pattern[0]), n=size, cause=1,
                                      km=True, mask=mask, pattern=pattern, **extra))
                continue
            k = ks[0]
            km = t.stat == "km_at"
            locks.append(Lock(target=t.index, ids=tuple(honoured), endpoint=t.endpoint,
                              at=float(t.at), events=size - k if km else k, n=size,
                              cause=1 if km else t.cause, km=km, mask=mask, **extra))
        return locks

    def _lock_population(self, t) -> Callable:
        """cohort columns -> the boolean mask of target ``t``'s population (its ``where``
        and its endpoint's); ``.names`` lists the columns it reads."""
        n, ep = self.spec.n, self.spec.endpoints[t.endpoint]
        parts = [x for x in (t.where, ep.where) if x is not None]

        def where(cols):
            mask = np.ones(n, bool)
            for x in parts:
                mask &= np.asarray(x(cols, n), bool)
            return mask

        where.names = set().union(*(x.names for x in parts)) if parts else set()
        return where

    # ------------------------------------------------------------------ moves

    def _focus(self, j: int, cols: dict) -> tuple:
        """(events, covariates, patients) that target ``j`` depends on: moves aimed at it."""
        t, deps = self.spec.targets[j], self._deps[j]
        events = [e for e in self.spec.events if e.column in deps]
        covs = [c for c in self._movable if c.name in deps]
        mask = np.ones(self.spec.n, bool) if t.where is None else np.asarray(
            t.where(cols, self.spec.n), bool)
        if t.versus is not None:  # a two-sample statistic: both samples
            mask = mask | (np.ones(self.spec.n, bool) if t.versus["where"] is None
                           else np.asarray(t.versus["where"](cols, self.spec.n), bool))
        partners = None
        if t.stat == "median":
            # a median and its range are set by the patients holding the smallest, largest
            # and middle values, and by those holding the extremes of every covariate
            # feeding them (a sum's range pairs one term's largest with another's
            # smallest): half of the covariate swaps aimed at it are between two of them
            partners = np.zeros(self.spec.n, bool)
            vals = np.asarray(t.of(cols, self.spec.n), float)
            pop = np.flatnonzero(mask & ~np.isnan(vals))
            if pop.size:
                order = pop[np.argsort(vals[pop], kind="stable")]
                m = order.size
                partners[order[[0, m - 1, (m - 1) // 2, m // 2]]] = True
                for c in self.spec.covariates:
                    if c.kind == "continuous" and c.name in deps:
                        x = np.asarray(cols[c.name], float)[pop]
                        if not np.isnan(x).all():
                            partners[pop[[np.nanargmin(x), np.nanargmax(x)]]] = True
        return events, covs, mask, partners

    def _propose(self, st: _State, cols: dict, rng: np.random.Generator, focus=None,
                 covariates_only: bool = False):
        """Change ``st`` in place; return (changed base names, undo) or None.

        ``focus`` (from ``_focus``) aims the move at one target: its events, its
        covariates and its patients. ``covariates_only`` draws a covariate move.
        """
        s, n = self.spec, self.spec.n
        r = 0.0 if covariates_only else rng.random()
        movable, events, mask, partners = self._movable, s.events, None, None
        if focus is not None:
            f_events, f_covs, mask, partners = focus
            if f_covs:
                movable = f_covs
                r = r * 0.12 / 0.3  # covariate moves 30 % of the time
            elif covariates_only:
                return None
            if f_events:
                events = f_events
        if r < 0.12 and movable:
            c = movable[rng.integers(len(movable))]
            arr = st.cov[c.name]
            pop = np.flatnonzero(~_missing(arr))
            if pop.size < 2:
                return None
            # a class and the covariates it alone defines are only ever swapped together
            nested = self._nested.get(c.name, ())
            if (not nested and c.kind == "categorical" and c.free_levels is not None
                    and len(c.free_levels) == 2 and rng.random() < 0.05):
                # the margin is free: exchange the two labels for everybody (reverses the
                # direction of every effect of this covariate in one move)
                a, b = c.free_levels
                undo = [(arr, i, arr[i]) for i in pop]
                arr[pop] = np.array([b if v == a else a for v in arr[pop]], object)
                return {c.name}, undo
            if (not nested and c.kind == "categorical" and c.free_levels is not None
                    and rng.random() < 0.5):
                inside = pop if mask is None else pop[mask[pop]]
                inside = inside if inside.size else pop
                i = inside[rng.integers(inside.size)]
                old = arr[i]
                arr[i] = c.free_levels[rng.integers(len(c.free_levels))]
                return {c.name}, [(arr, i, old)]
            if not nested and c.kind == "continuous" and c.values is None and rng.random() < 0.5:
                return self._jitter_continuous(c, arr, pop, rng)
            pair = partners is not None and rng.random() < 0.5
            inside = pop if mask is None else pop[(partners if pair else mask)[pop]]
            inside = inside if inside.size else pop
            i = inside[rng.integers(inside.size)]
            same = pop[arr[pop] != arr[i]]
            if c.by_group and self._gcol:
                if st.group[i] in c.by_group:
                    same = same[st.group[same] == st.group[i]]
                else:  # the groups not listed share a pooled margin
                    same = same[~np.isin(st.group[same], list(c.by_group))]
            if same.size == 0:
                return None
            if pair:
                same_in = same[partners[same]]
                same = same_in if same_in.size else same
            j = same[rng.integers(same.size)]
            arrays = [arr] + [st.cov[x.name] for x in nested]
            undo = [(a, k, a[k]) for a in arrays for k in (i, j)]
            for a in arrays:
                a[i], a[j] = a[j], a[i]
            return {c.name} | {x.name for x in nested}, undo
        if r < 0.22:
            i = rng.integers(n) if mask is None or not mask.any() else rng.choice(
                np.flatnonzero(mask))
            old = st.entry[i]
            if rng.random() < 0.5:
                j = rng.integers(n)
                undo = [(st.entry, i, st.entry[i]), (st.entry, j, st.entry[j])]
                st.entry[i], st.entry[j] = st.entry[j], st.entry[i]
                return {"entry_day", "followup_days"}, undo
            step = rng.integers(-60, 61) if rng.random() < 0.6 else None
            new = old + step if step is not None else float(rng.integers(0, self._accrual_days + 1))
            st.entry[i] = float(min(max(new, 0), self._accrual_days))
            return {"entry_day", "followup_days"}, [(st.entry, i, old)]
        e = events[rng.integers(len(events))]
        t = st.ev[e.name]
        has = has_all = np.flatnonzero(~np.isnan(t))
        fixed_count = e.terminal and self._causes is not None
        if fixed_count and rng.random() < 0.1 and has_all.size > 1:
            # exchange the causes of two deaths (the counts by cause are kept)
            i = has_all[rng.integers(has_all.size)]
            return self._exchange_causes(st, i, has_all[st.cause[has_all] != st.cause[i]], rng)
        elig = self._eligible(e, cols)
        if mask is not None:
            # aimed at one target: move the events of its patients
            has_in = has[mask[has]]
            if has_in.size and rng.random() < 0.8:
                has = has_in
            elig_in = elig & mask
            if elig_in.any() and rng.random() < 0.8:
                elig = elig_in
        r2 = rng.random()
        if r2 < 0.08 and has.size:
            # shift one patient's whole history (this event and every later one) by the
            # same number of days: keeps the gaps between relapse and death
            i = has[rng.integers(has.size)]
            delta = float(rng.integers(-120, 121))
            if delta == 0:
                return None
            later = [st.ev[x.name] for x in s.events
                     if not np.isnan(st.ev[x.name][i]) and st.ev[x.name][i] >= t[i]]
            undo = [(arr, i, arr[i]) for arr in later]
            for arr in later:
                arr[i] += delta
            # a move the constraints reject (order, window) is reverted by the caller
            return {x.column for x in s.events}, undo
        if r2 < 0.16 and has.size and has_all.size > 1:
            # exchange two patients' event times (the set of times is kept), possibly
            # across groups: counts by group stay, the times move between them
            i = has[rng.integers(has.size)]
            others = has_all[has_all != i]
            j = others[rng.integers(others.size)]
            undo = [(t, i, t[i]), (t, j, t[j])]
            t[i], t[j] = t[j], t[i]
            return {e.column}, undo
        if r2 < 0.5 and has.size:
            i = has[rng.integers(has.size)]
            lo, hi = self._window(st, cols, e, i)
            if lo > hi:
                return None
            old = t[i]
            if rng.random() < 0.5:
                scale = max(2, int(0.1 * (hi - lo)))
                new = old + rng.integers(-scale, scale + 1)
                if rng.random() < 0.3:
                    new = old + rng.choice([-1, 1])
            else:
                new = rng.integers(lo, hi + 1)
            new = float(min(max(new, lo), hi))
            if new == old:
                return None
            t[i] = new
            return {e.column}, [(t, i, old)]
        if r2 < 0.75 and has.size:
            # switch the event from one patient to another of the same group (count kept)
            i = has[rng.integers(has.size)]
            cand = np.flatnonzero(elig & np.isnan(t))
            if mask is not None and rng.random() < 0.5:
                # aimed at a population: move an event into it or out of it (its count
                # there changes while the cohort's stays)
                all_elig = self._eligible(e, cols) & np.isnan(t)
                if rng.random() < 0.5:
                    out = has_all[~mask[has_all]]
                    if out.size:
                        i = out[rng.integers(out.size)]
                    cand = np.flatnonzero(all_elig & mask)
                else:
                    inside = has_all[mask[has_all]]
                    if inside.size:
                        i = inside[rng.integers(inside.size)]
                    cand = np.flatnonzero(all_elig & ~mask)
            if self._gcol:
                cand = cand[st.group[cand] == st.group[i]]
            if cand.size == 0:
                return None
            j = cand[rng.integers(cand.size)]
            undo = [(t, i, t[i]), (t, j, t[j])]
            old_i = t[i]
            t[i] = np.nan
            lo, hi = self._window(st, cols, e, j)
            if lo > hi:
                t[i] = old_i
                return None
            t[j] = float(old_i) if lo <= old_i <= hi and rng.random() < 0.5 else float(
                rng.integers(lo, hi + 1))
            changed = {e.column}
            if fixed_count:
                # the cause is an attribute of the death: it moves with it
                undo += [(st.cause, i, st.cause[i]), (st.cause, j, st.cause[j])]
                st.cause[j], st.cause[i] = st.cause[i], None
                changed.add(self._cause_col)
            # events nested in this one go with it, at the same distance from it
            changed |= self._carry_children(st, e, i, j, t[j] - old_i, undo)
            return changed, undo
        # add or remove one event (changes a count; locks and targets decide)
        if fixed_count:
            return None  # the causes of death fix the number of deaths
        if rng.random() < 0.5 and has.size:
            i = has[rng.integers(has.size)]
            old = t[i]
            t[i] = np.nan
            undo = [(t, i, old)]
            changed = {e.column} | self._carry_children(st, e, i, None, 0.0, undo)
            return changed, undo
        cand = np.flatnonzero(elig & np.isnan(t))
        if cand.size == 0:
            return None
        i = cand[rng.integers(cand.size)]
        lo, hi = self._window(st, cols, e, i)
        if lo > hi:
            return None
        t[i] = float(rng.integers(lo, hi + 1))
        return {e.column}, [(t, i, np.nan)]

    def _carry_children(self, st: _State, e, i: int, j: int | None, delta: float,
                        undo: list) -> set:
        """Move the events nested in ``e`` (``within``) from patient ``i`` to ``j`` shifted
        by ``delta`` days (``j`` None: remove them); recursive. Returns the changed columns."""
        changed = set()
        for c in self._children[e.name]:
            ct = st.ev[c.name]
            if np.isnan(ct[i]):
                continue
            undo.append((ct, i, ct[i]))
            if j is not None:
                undo.append((ct, j, ct[j]))
                ct[j] = ct[i] + delta
            ct[i] = np.nan
            changed.add(c.column)
            changed |= self._carry_children(st, c, i, j, delta, undo)
        return changed

    def _jitter_continuous(self, c, arr, pop, rng):
        """Move one value between its neighbours, keeping the median and range."""
        vals = arr[pop]
        order = np.argsort(vals, kind="stable")
        m = pop.size
        fixed = {0, m - 1, (m - 1) // 2, m // 2}
        free = [r for r in range(m) if r not in fixed]
        if not free:
            return None
        r = free[rng.integers(len(free))]
        lo = vals[order[r - 1]] if r > 0 else c.range[0]
        hi = vals[order[r + 1]] if r < m - 1 else c.range[1]
        i = pop[order[r]]
        old = arr[i]
        for at, _ in c.cuts:  # stay on the same side of every published cut
            if old <= at:
                hi = min(hi, at)
            else:
                lo = max(lo, at + 10.0 ** -c.decimals)
        new = round(float(rng.uniform(lo, hi)), c.decimals)
        arr[i] = new
        return {c.name}, [(arr, i, old)]

    # ------------------------------------------------------------------ loss

    def _target_loss(self, t, cols) -> float:
        return self._target_eval(t, cols)[0]

    def _target_eval(self, t, cols, status: bool = False) -> tuple[float, bool | None]:
        """(loss of target ``t``, and with ``status`` whether every id it fits is exact or
        close under ``ledger.compare``, the fidelity report's rule)."""
        n = self.spec.n
        ids = [i for i in t.ids if i not in self._infeasible]
        if not ids or t.weight == 0:
            return 0.0, True
        unit = self._entries[ids[0]].unit
        try:
            res = evaluate(t, cols, n, unit, cache=self._cache, masks=self._masks)
        except (ValueError, np.linalg.LinAlgError, ZeroDivisionError, FloatingPointError):
            return t.weight * _FAIL_Z2 * len(ids), False
        ok = None
        if status:
            ok = all(ledger.compare(
                self._entries[eid], res.value,
                ci=res.ci if "ci" in t.compare else None,
                p=res.p if "p" in t.compare else None,
                range=res.range if "range" in t.compare else None)[0] in ("exact", "close")
                for eid in ids)
        out = 0.0
        for eid in ids:
            entry = self._entries[eid]
            d = distance(entry, res, t.compare)
            out += d if math.isfinite(d) else _FAIL_Z2
            half = entry.half_unit.get("value", 0.5)
            # a median that prints as published has no value to cross: skip the recount
            if (t.stat == "median" and entry.value is not None
                    and abs(res.value - float(entry.value)) > half):
                out += _CROSSING_Z2 * median_crossings(
                    target_values(t, cols, n, self._masks), float(entry.value), half)
        return t.weight * out, ok

    # ------------------------------------------------------------------ fit

    def _phase1(self, st: _State, rng: np.random.Generator) -> tuple[_State, dict, int]:
        """Integer search for the hard constraints and the locks' exact counts; returns the
        best state seen, its columns and its 10 * violations + lock violations. Stops when
        all hold or after ``_PHASE1_STALL`` proposals without a new low."""
        cols = self._columns(st)
        lock_deps = [self._deps[lk.target] for lk in self.locks_]
        lock_v = np.array([lk.violation(cols) for lk in self.locks_], dtype=np.int64)
        v = 10 * self._violations(st, cols) + int(lock_v.sum())
        low, stall, best = v, 0, (st.copy() if v else None)
        for _ in range(_PHASE1_MAX):
            if v == 0 or stall > _PHASE1_STALL:
                break
            prop = self._repair_cause(st, cols, rng) if self._causes and rng.random() < 0.3 \
                else None
            if prop is None:
                # half of the moves aim at a lock that does not hold: its events, patients
                # and population (a small subgroup is rarely hit by chance)
                unmet = np.flatnonzero(lock_v)
                focus = self._focus(self.locks_[unmet[rng.integers(unmet.size)]].target, cols) \
                    if unmet.size and rng.random() < _PHASE1_AIM else None
                prop = self._propose(st, cols, rng, focus)
            if prop is None:
                continue
            changed, undo = prop
            new_cols = self._columns(st, prev=cols, changed=changed)
            new_lv = lock_v.copy()
            for k, lk in enumerate(self.locks_):
                if lock_deps[k] & changed:
                    new_lv[k] = lk.violation(new_cols)
            nv = 10 * self._violations(st, new_cols) + int(new_lv.sum())
            if nv <= v or rng.random() < 0.02:
                v, cols, lock_v = nv, new_cols, new_lv
            else:
                _revert(undo)
            if v < low:
                low, stall = v, 0
                best = st.copy() if v else None  # at 0 the search stops here
            else:
                stall += 1
        if v > low:
            # a few worsening moves are accepted to leave plateaus; never end on one
            st = best
            cols = self._columns(st)
            v = low
        return st, cols, v

    def _drop_unmet_locks(self, cols: dict, also: dict | None = None) -> None:
        """The locks that do not hold (in ``cols`` and, if given, in ``also``) become
        ordinary (soft) targets."""
        unmet = [lk.violation(cols) > 0 and (also is None or lk.violation(also) > 0)
                 for lk in self.locks_]
        self.dropped_locks_ += [lk for lk, u in zip(self.locks_, unmet) if u]
        self.locks_ = [lk for lk, u in zip(self.locks_, unmet) if not u]

    def _aim(self, weights: np.ndarray, cols: dict, rng: np.random.Generator):
        """A move's focus (``_focus``) on a target drawn in proportion to ``weights``, or
        None when they are all 0."""
        aim = np.cumsum(weights)
        if aim[-1] <= 0:
            return None
        j = int(np.searchsorted(aim, rng.random() * aim[-1], side="right"))
        return self._focus(min(j, len(weights) - 1), cols)

    def _move(self, st: _State, cols: dict, rng: np.random.Generator, focus,
              covariates_only: bool, base_bad: int, retry: bool):
        """Propose a move (aimed at ``focus``; unaimed when that finds none and ``retry``)
        and refuse (revert) it if it breaks a constraint or a lock. Returns (changed,
        undo, new columns) or None."""
        prop = self._propose(st, cols, rng, focus, covariates_only=covariates_only)
        if prop is None and retry and focus is not None:
            prop = self._propose(st, cols, rng, None, covariates_only=covariates_only)
        if prop is None:
            return None
        changed, undo = prop
        new_cols = self._columns(st, prev=cols, changed=changed)
        if (changed & self._constraint_inputs and self._violations(st, new_cols) > base_bad) \
                or any(lk.violation(new_cols) for lk in self.locks_
                       if self._lock_deps[lk.target] & changed):
            _revert(undo)
            return None
        return changed, undo, new_cols

    def _anneal(self, run: dict, steps: int, t_start: float, base_bad: int,
                rng: np.random.Generator, covariates_only: bool = False) -> None:
        """``steps`` annealing moves from ``run``'s state, cooling from ``t_start`` to
        1e-3; updates ``run`` (st, cols, parts, loss, best, best_loss) in place."""
        s = self.spec
        st, cols, parts, loss = run["st"], run["cols"], run["parts"], run["loss"]
        cool = (1e-3 / t_start) ** (1.0 / max(steps, 1))
        temp = t_start
        for k in range(steps):
            temp *= cool
            focus = None
            if (covariates_only or rng.random() < 0.5) and loss > 0:
                # aim at a target drawn in proportion to its loss, capped so that a few
                # far-off targets do not take every aimed move
                focus = self._aim(np.minimum(parts, _AIM_CAP), cols, rng)
            move = self._move(st, cols, rng, focus, covariates_only, base_bad,
                              retry=covariates_only)
            if move is None:
                continue
            changed, undo, new_cols = move
            new_parts = parts.copy()
            for j, t in enumerate(s.targets):
                if self._deps[j] & changed:
                    new_parts[j] = self._target_loss(t, new_cols)
            new_loss = float(new_parts.sum())
            if new_loss <= loss or rng.random() < math.exp(-(new_loss - loss) / temp):
                loss, parts, cols = new_loss, new_parts, new_cols
                if loss < run["best_loss"] - 1e-12:
                    run["best_loss"], run["best"] = loss, st.copy()
            else:
                _revert(undo)
            if k % 100 == 0:
                self.trace_.append(loss)
        run.update(cols=cols, parts=parts, loss=loss)

    def fit(self, seed: int = 0) -> Reconstruction:
        """Reconstruct a cohort; deterministic for a given ``seed``. Returns ``self``.

        ``solver.starts`` (default 1) independent searches (phases 1 and 2, the k-th
        seeded with ``[seed, k]``) are run, each polished for
        ``solver.polish_trial_iterations`` steps (default 0); the one then reproducing most
        ids (exact or close), the lowest in the loss among equals, is polished for the rest
        of ``solver.polish_iterations``.
        """
        s = self.spec
        self._cache: dict = {}
        per_step = self.iterations / int(s.solver.get("iterations", 4000))
        polish = int(s.solver.get("polish_iterations", 0) * per_step)
        trial = min(polish, int(s.solver.get("polish_trial_iterations", 0) * per_step))
        temp = float(s.solver.get("polish_temperature", 1.0))
        runs = []
        for k in range(max(1, int(s.solver.get("starts", 1)))):
            rng = np.random.default_rng(seed if k == 0 else [seed, k])
            run = self._search(rng)
            if trial:
                # the polish, not the search's end, tells which start is worth going on
                run["best_loss"] = self._polish(run, rng, trial, temp)
            run["reproduced"] = self._reproduced(run["best"])
            runs.append((run, rng))
        # the polish never lowers the count of ids reproduced, so it goes on from the
        # start reproducing most; the loss breaks ties (the first of equals)
        found, rng = min(runs, key=lambda r: (-r[0]["reproduced"], r[0]["best_loss"]))
        best_loss, best = found["best_loss"], found["best"]
        if polish > trial:
            best_loss = self._polish(found, rng, polish - trial, temp)
        else:
            self._own(found)
        self.seed_ = int(seed)
        self.loss_ = float(best_loss)
        self._state = best
        best_cols = self._columns(best)
        self.loss_parts_ = pd.Series([self._target_loss(t, best_cols) for t in s.targets],
                                     index=[t.ids[0] for t in s.targets], name="loss")
        self.ipd_ = self._frame(best)
        self.fidelity_ = fidelity_table(s, self.ipd_)
        return self

    def _search(self, rng: np.random.Generator) -> dict:
        """One search from a new start: phase 1 (integer constraints) and phase 2
        (annealing). Returns its best state and loss, and the attributes it set (its
        locks, the covariates they hold, its trace), which the chosen search restores."""
        s = self.spec
        st = self._initial(rng)
        self.locks_ = self._make_locks(st)
        self._release()
        self._construct(st, rng)
        self._fix_masks(st)
        # phase 1: integer constraints (feasibility, exact event counts), no statistics
        start = st.copy()
        st, cols, v = self._phase1(st, rng)
        self.dropped_locks_ = []
        if v:
            # The locks cannot all be met. Phase 1 accepts every move that keeps the count
            # of violations, so by now the cohort has wandered far from the constructed
            # start (event counts, death times). Go back to that start, give up the locks
            # that neither it nor the search met, and repair what is left.
            st, missed = start, cols
            cols = self._columns(st)
            self._drop_unmet_locks(cols, also=missed)
            st, cols, v = self._phase1(st, rng)
            if v:
                self._drop_unmet_locks(cols)
        base_bad = self._violations(st, cols)
        self._lock_deps = {lk.target: self._deps[lk.target] for lk in self.locks_}

        # phase 2: simulated annealing on all targets, locks held. The steps are split
        # into rounds; each round restarts from the best state found so far with a lower
        # starting temperature, and ends with covariate moves only (cheap: a covariate
        # feeds few targets, so they reach the joint patterns of covariates and outcomes
        # that tables by subgroup print). Half of the moves are aimed at one target.
        parts = np.array([self._target_loss(t, cols) for t in s.targets])
        run = {"st": st, "cols": cols, "parts": parts, "loss": float(parts.sum())}
        run["best_loss"], run["best"] = run["loss"], st.copy()
        t0 = float(s.solver.get("temperature", 3.0))
        # a round needs a few thousand steps to be worth restarting from
        rounds = max(1, min(int(s.solver.get("restarts", 4)), self.iterations // 3000))
        per_round = max(1, self.iterations // rounds)
        cov_per_round = self.covariate_iterations // rounds if self._movable else 0
        cov_heat = float(s.solver.get("covariate_temperature", 1.0))
        self.trace_ = [run["loss"]]
        for rnd in range(rounds):
            if rnd:
                run["st"] = run["best"].copy()
                run["cols"] = self._columns(run["st"])
                run["parts"] = np.array([self._target_loss(t, run["cols"]) for t in s.targets])
                run["loss"] = float(run["parts"].sum())
            t_start = t0 / (3.0 ** rnd)
            self._anneal(run, per_round, t_start, base_bad, rng)
            if cov_per_round:
                # re-heated every round: these moves are cheap, and the best state is kept
                self._anneal(run, cov_per_round, t0 * cov_heat, base_bad, rng,
                             covariates_only=True)
        owned = ("locks_", "dropped_locks_", "_lock_deps", "_held", "_movable", "_masks",
                 "trace_")
        return {"best": run["best"], "best_loss": run["best_loss"],
                "owned": {name: getattr(self, name) for name in owned}}

    def _own(self, run: dict) -> None:
        """Restore the attributes a search set (its locks, held covariates, trace)."""
        for name, value in run["owned"].items():
            setattr(self, name, value)

    def _polish(self, run: dict, rng: np.random.Generator, steps: int, temp: float) -> float:
        """Walk a search's best state in place, aiming at the targets not reproduced and
        never leaving fewer ids exact or close (their count can only rise); its loss."""
        self._own(run)
        return self._walk(run["best"], rng, steps, temp, ratchet=True)[0]

    def _reproduced(self, st: _State) -> int:
        """Fitted ids exact or close in ``st``: what the polish counts."""
        cols = self._columns(st)
        return sum(n for t, n in zip(self.spec.targets, self._n_fitted)
                   if self._target_eval(t, cols, status=True)[1])

    def _fix_masks(self, st: _State) -> None:
        """Populations defined by the groups and by covariates that never move are fixed:
        evaluate them once."""
        s = self.spec
        fixed = set(self._held) | ({self._gcol} if self._gcol else set())
        cols = self._columns(st)
        self._masks = {t.index: np.asarray(t.where(cols, s.n), bool) for t in s.targets
                       if t.where is not None and t.where.names <= fixed}

    def sample(self, start: _State, seed: int) -> Reconstruction:
        """Another pseudo-cohort as good as ``start`` (a fit's ``state_``): an ensemble member.

        A seeded random walk from ``start`` over the fit's moves (``iterations`` general
        moves, with covariate-only moves in the fit's proportion) that refuses any move
        breaking a constraint the start meets or turning a target that is exact or close
        at the start (``ledger.compare``) into anything else; among the rest, a move that
        raises the loss by d is accepted with probability exp(-d / walk_temperature)
        (``solver.walk_temperature``, default 1: a number may wander within its close
        band). So every member reproduces at least what the start does, and the spread
        over members is the spread over equally good reconstructions near it.
        """
        s = self.spec
        rng = np.random.default_rng(seed)
        self._cache = {}
        self.locks_, self.dropped_locks_ = [], []  # the kept statuses hold what they held
        self._lock_deps = {}
        self._release()
        st = start.copy()
        self._fix_masks(st)
        self.trace_ = []
        loss, parts, self.moves_ = self._walk(
            st, rng, self.iterations, float(s.solver.get("walk_temperature", 1.0)))
        self.seed_, self.loss_, self._state = int(seed), loss, st
        self.loss_parts_ = pd.Series(parts, index=[t.ids[0] for t in s.targets], name="loss")
        self.ipd_ = self._frame(st)
        self.fidelity_ = fidelity_table(s, self.ipd_)
        return self

    def _walk(self, st: _State, rng: np.random.Generator, steps: int, temp: float,
              ratchet: bool = False) -> tuple[float, np.ndarray, int]:
        """Walk ``st`` in place (see :meth:`sample`); returns (loss, loss parts, accepted
        moves). With ``ratchet`` (the fit's polish) the walk may trade targets instead: a
        move is refused if it leaves fewer ids exact or close, taken if it leaves more, and
        judged by the loss if as many; half of the moves aim at a target not reproduced."""
        s = self.spec
        cols = self._columns(st)
        base_bad = self._violations(st, cols)
        evals = [self._target_eval(t, cols, status=True) for t in s.targets]
        parts = np.array([e[0] for e in evals])
        keep = [bool(e[1]) for e in evals]  # exact or close: stays so
        loss = float(parts.sum())
        cov_steps = int(self.covariate_iterations * steps / self.iterations) \
            if self._movable and self.iterations else 0
        cov_share = cov_steps / (cov_steps + steps) if steps + cov_steps else 0.0
        self.trace_.append(loss)  # continues the fit's trace
        moved = 0
        for k in range(steps + cov_steps):
            cov_only, focus = bool(rng.random() < cov_share), None
            if ratchet and rng.random() < 0.5:
                # aim at a target not yet reproduced, drawn in proportion to its loss
                focus = self._aim(np.where(keep, 0.0, np.minimum(parts, _AIM_CAP)), cols, rng)
            move = self._move(st, cols, rng, focus, cov_only, base_bad, retry=True)
            if move is None:
                continue
            changed, undo, new_cols = move
            new_parts, broken, gained, lost = parts.copy(), False, [], []
            # With ratchet a move may trade reproduced targets but never lose ids on
            # balance (the way to a target often leads through a neighbour's band). The
            # targets not kept are judged first, then the kept ones until the balance
            # turns negative (without ratchet: the first kept one that breaks).
            touched = sorted((j for j in range(len(parts)) if self._deps[j] & changed),
                             key=lambda j: keep[j] == ratchet)
            balance = 0
            for j in touched:
                new_parts[j], ok = self._target_eval(s.targets[j], new_cols,
                                                     status=keep[j] or ratchet)
                if keep[j] and not ok:
                    lost.append(j)
                    balance -= self._n_fitted[j]
                    if balance < 0:
                        broken = True
                        break
                if ok and not keep[j]:
                    gained.append(j)
                    balance += self._n_fitted[j]
            if broken:
                _revert(undo)
                continue
            new_loss = float(new_parts.sum())
            if balance > 0 or new_loss <= loss or rng.random() < math.exp(
                    -(new_loss - loss) / temp):
                loss, parts, cols = new_loss, new_parts, new_cols
                moved += 1
                for j in gained:  # only a ratchet judges targets it does not keep
                    keep[j] = True
                for j in lost:
                    keep[j] = False
            else:
                _revert(undo)
            if k % 100 == 0:
                self.trace_.append(loss)
        return loss, parts, moved

    @property
    def state_(self) -> _State:
        """A copy of the fitted free variables, where :meth:`sample` starts."""
        return self._state.copy()

    # ------------------------------------------------------------------ output

    def _frame(self, st: _State) -> pd.DataFrame:
        s, n = self.spec, self.spec.n
        cols = self._columns(st, final=True)
        order = np.lexsort((st.entry, _group_rank(st.group, s)))
        out: dict[str, object] = {"patient_id": [f"{s.cohort}-{k + 1:03d}" for k in range(n)]}
        if self._gcol:
            out[self._gcol] = st.group[order]
        for c in s.covariates:
            out[c.name] = _typed(cols[c.name][order], c.kind, c.decimals)
        start = pd.Timestamp(s.design.accrual_start)
        out["entry_date"] = [(start + pd.Timedelta(days=int(d))).date().isoformat()
                             for d in st.entry[order]]
        out["followup_days"] = pd.array((self._horizon - st.entry[order]).astype(int), "Int64")
        for e in s.events:
            out[e.column] = _typed(st.ev[e.name][order], "continuous", 0)
        if self._cause_col:
            out[self._cause_col] = _typed(st.cause[order], "categorical", 0)
        for name in s.derived:
            out[name] = _typed(cols[name][order], "derived", 0)
        for ep in s.endpoints.values():
            out[f"{ep.name}_days"] = _typed(cols[f"{ep.name}_days"][order], "continuous", 0)
            out[f"{ep.name}_event"] = _typed(cols[f"{ep.name}_event"][order], "continuous", 0)
            if ep.competing:
                out[f"{ep.name}_status"] = _typed(cols[f"{ep.name}_status"][order],
                                                  "continuous", 0)
        return pd.DataFrame(out)

    @property
    def summary(self) -> pd.DataFrame:
        """Counts of fidelity statuses."""
        return self.fidelity_.status.value_counts().rename_axis("status").reset_index()


# ----------------------------------------------------------------------------- helpers


_AIM_CAP = 25.0  # loss of a target beyond which it is not aimed at more often
_PHASE1_MAX = 60000  # proposals to meet the hard constraints, at most
_PHASE1_STALL = 30000  # ... and without a new lowest violation count
_PHASE1_AIM = 0.5  # share of phase-1 moves aimed at an unmet lock
_PATTERN_MAX_N = 12  # 2^13 orders of events and censorings to try at most
_PATTERN_MAX_KEEP = 8  # more admissible orders than this: too loose to be worth a lock


def _km_pattern(entry, size: int, with_ci: bool, conf_type: str) -> tuple | None:
    """The orders of events and censorings that print as ``entry`` (value and CI).

    A Kaplan-Meier estimate and its Greenwood CI at a landmark depend only on the order
    of the events and censorings before it, up to the last event (tied events give the
    same product and variance as the same events in sequence; censorings tied with an
    event come after it). Among ``size`` patients, try every order (up to
    ``_PATTERN_MAX_N`` patients) and return those (events True) whose estimate, and CI
    when ``with_ci``, round to the printed digits; None when none or more than
    ``_PATTERN_MAX_KEEP`` do.
    """
    from ..survival._common import zval
    from ..survival.km import _km_at_kernel

    if size > _PATTERN_MAX_N or size == 0 or entry.value is None:
        return None
    z = zval(0.05)
    found = set()
    at = np.array([float(size + 1)])
    for k in range(1, size + 1):
        for code in range(2 ** k):
            seq = tuple(bool((code >> (k - 1 - i)) & 1) for i in range(k))
            if not seq[-1]:
                continue  # trailing censorings do not change the estimate
            t = np.r_[np.arange(1.0, k + 1), np.full(size - k, size + 2.0)]
            ev = np.r_[np.array(seq, float), np.zeros(size - k)]
            surv, _, lo, hi = _km_at_kernel(t, ev, at, conf_type, z)
            ok = abs(100 * surv[0] - entry.value) <= entry.half_unit.get("value", 0.05) + 1e-9
            if ok and with_ci and entry.ci is not None:
                for b, pub, part in ((lo[0], entry.ci[0], "ci_low"), (hi[0], entry.ci[1], "ci_high")):
                    ok = ok and math.isfinite(b) and abs(100 * b - pub) <= entry.half_unit.get(
                        part, 0.05) + 1e-9
            if ok:
                found.add(seq)
    return tuple(sorted(found)) if 0 < len(found) <= _PATTERN_MAX_KEEP else None


def _first(arrays: list, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    for a in arrays:
        out = np.fmin(out, a)
    return out


def _missing(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == object:
        return np.array([v is None for v in arr])
    return np.isnan(arr)


def _revert(undo) -> None:
    for arr, i, old in reversed(undo):
        arr[i] = old


def _group_rank(group: np.ndarray, spec: Spec) -> np.ndarray:
    if not spec.groups:
        return np.zeros(group.size)
    rank = {g: k for k, g in enumerate(spec.groups.sizes)}
    return np.array([rank[g] for g in group])


def _median_range_values(c, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` values with exactly the published median, minimum and maximum, and exactly
    ``count`` values at or below each of the covariate's ``cuts``.

    Each rank of the sorted values gets the interval its constraints allow (between the
    extremes, the median and the cuts); a uniform draw per rank, sorted, keeps every count
    because the intervals are ordered like the ranks.
    """
    lo, hi, med = c.range[0], c.range[1], c.median
    if m == 1:
        return np.array([med])
    step = 10.0 ** -c.decimals
    below, above = (m - 1) // 2, m // 2  # ranks of the two middle values
    mids = [med, med]
    if m % 2 == 0 and c.decimals == 0 and med != round(med):
        # an even count of whole numbers with a .5 median: the two middle values
        mids = [math.floor(med), math.ceil(med)]
    low_edge = np.full(m, lo, float)
    high_edge = np.full(m, hi, float)
    low_edge[above:], high_edge[:below + 1] = med, med
    for at, k in c.cuts:
        if k >= m or (at < mids[0]) != (k <= below) or (at >= mids[-1]) != (k > above):
            raise ValueError(f"covariates '{c.name}': cuts at {at:g} ({k} of {m} values) "
                             f"disagree with the median {med:g}")
        high_edge[:k] = np.minimum(high_edge[:k], at)
        low_edge[k:] = np.maximum(low_edge[k:], at + step)
    vals = np.round(rng.uniform(low_edge, high_edge), c.decimals)
    vals = np.sort(np.clip(vals, low_edge, high_edge))
    vals[0], vals[-1] = lo, hi
    vals[below], vals[above] = mids
    return vals


def _typed(values: np.ndarray, kind: str, decimals: int):
    if kind == "categorical":
        labels = [v for v in values if v is not None]
        if labels and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                          for v in labels):
            return pd.array([None if v is None else int(v) for v in values], "Int64")
        return pd.array([None if v is None else str(v) for v in values], "string")
    arr = np.asarray(values, float)
    if kind == "derived" or decimals == 0:
        if np.all(np.isnan(arr) | (arr == np.round(arr))):
            return pd.array([None if math.isnan(v) else int(v) for v in arr], "Int64")
    if kind == "derived":
        # computed (e.g. an age from another age and an interval): no published precision,
        # so keep what the fit saw, to 6 decimals for a stable CSV
        return np.round(arr, 6)
    return np.round(arr, decimals)

