"""The cohort model: a spec's free variables (``State``) and everything computed from them.

``CohortModel`` is built once from a spec. It knows which columns each target, endpoint
and constraint reads (so that a move recomputes only what it touched), computes every
column of a pseudo-cohort from its state (``columns``), says who may have an event
(``eligible``) and on which days (``window``), and counts the broken hard constraints
(``violations``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import ledger
from .spec import Covariate, Event, Spec, Target

__all__ = ["CohortModel", "State", "carry_children", "first_of", "missing"]


class State:
    """The free variables of a pseudo-cohort: group, covariates, entry day, event days and
    the cause of the terminal event (object array, None = none)."""

    __slots__ = ("cause", "cov", "entry", "ev", "group")

    def __init__(self, group, cov, entry, ev, cause=None):
        self.group, self.cov, self.entry, self.ev = group, cov, entry, ev
        self.cause = cause

    def copy(self) -> State:
        return State(
            self.group,
            {k: v.copy() for k, v in self.cov.items()},
            self.entry.copy(),
            {k: v.copy() for k, v in self.ev.items()},
            None if self.cause is None else self.cause.copy(),
        )


class CohortModel:
    """What a spec implies for every pseudo-cohort, computed once.

    Attributes
    ----------
    deps : list of set
        Per target, the columns it reads (through derived columns and endpoints).
    nested : dict
        A covariate that alone defines who has other covariates -> those covariates
        (a class and the interval within it move together).
    held_structural : set
        Covariates that never move: they define who has an event, or (with others) who
        has another covariate.
    """

    def __init__(self, spec: Spec):
        s = self.spec = spec
        self.n = s.n
        self.entries = ledger.load(directory=s.ledger_dir)
        self.terminal = s.terminal
        self.group_column = s.groups.column if s.groups else None
        self.accrual_days = (s.design.accrual_end - s.design.accrual_start).days
        self.horizon = (s.design.cutoff - s.design.accrual_start).days
        self.infeasible = s.unfitted
        self.n_fitted = [sum(i not in self.infeasible for i in t.ids) for t in s.targets]
        self.deps = [self.target_deps(t) for t in s.targets]
        self.causes = self.terminal.causes
        self.cause_column = self.terminal.cause_column if self.causes else None
        self.split = [c for c in s.covariates if c.split is not None]
        # children of each event (``within``): they move and vanish with their parent
        self.children = {e.name: [c for c in s.events if c.within == e.name] for e in s.events}
        self._hold_structure()
        self.ep_inputs = {
            ep.name: {f"{x}_day" for x in ep.events + ep.competing}
            | {nm for c in ep.conditions for nm in c.names}
            | {self.terminal.column, "entry_day", "followup_days"}
            | (set(ep.where.names) if ep.where is not None else set())
            | (set(ep.origin.names) if ep.origin is not None else set())
            for ep in s.endpoints.values()
        }
        # split markers that nothing evaluated reads are made for the output only
        self.read = (
            set().union(*self.deps)
            | self.held_structural
            | {nm for e in s.events for a in e.after + e.before for nm in a.names}
            | {
                nm
                for c in (self.causes or {}).values()
                if c.where is not None
                for nm in c.where.names
            }
            | {nm for ex in s.derived.values() for nm in ex.names}
        )
        # what violations() reads: a move that touches none of it cannot break a constraint
        names = {e.column for e in s.events} | {"entry_day", "followup_days"}
        for e in s.events:
            for ex in (e.where, *e.after, *e.before):
                if ex is not None:
                    names |= ex.names
        for c in (self.causes or {}).values():
            if c.where is not None:
                names |= c.where.names
        self.constraint_inputs = self.with_inputs(names) | (
            {self.cause_column} if self.cause_column else set()
        )

    def _hold_structure(self) -> None:  # noqa: C901 the held names of each part of the spec, in turn
        """``nested`` and ``held_structural``; a cause's profile may not name a held one."""
        s = self.spec
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
        self.nested = {}
        for c in s.covariates:
            nested = [x for x in s.covariates if x.where is not None and c.name in x.where.names]
            if (
                nested
                and c.name not in by_events
                and all(x.where.names == {c.name} for x in nested)
            ):
                self.nested[c.name] = nested
        for c in s.covariates:
            if c.where is not None:
                held |= c.where.names - set(self.nested)
        self.held_structural = set(held)
        for lab, c in (self.terminal.causes or {}).items():
            for cov, _ in c.profile:
                if cov.name in held:
                    raise ValueError(
                        f"{s.cohort}.yaml: cause {lab!r}: profile names "
                        f"{cov.name!r}, which defines who has an event or, with "
                        "other covariates, another covariate; it cannot be "
                        "exchanged"
                    )

    # ------------------------------------------------------------------ dependencies

    def with_inputs(self, names: set) -> set:
        """``names`` and, through derived columns, every column they are computed from."""
        out, todo = set(), list(names)
        while todo:
            nm = todo.pop()
            if nm not in out:
                out.add(nm)
                if nm in self.spec.derived:
                    todo.extend(self.spec.derived[nm].names)
        return out

    def expand(self, names) -> set:
        """``names`` and every column they are computed from, endpoints included."""
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
                    todo.extend([self.terminal.column, "followup_days"])
                    if ep.where is not None:
                        todo.extend(ep.where.names)
                    if ep.origin is not None:
                        todo.extend(ep.origin.names)
            if nm == "followup_days":
                out.add("entry_day")
            if nm == "entry_day":
                out.add("followup_days")
        return out

    def target_deps(self, t: Target) -> set:
        names = set()
        for ex in (t.where, t.by, t.of):
            if ex is not None:
                names |= ex.names
        if t.versus:
            names |= t.versus.of.names
            if t.versus.where is not None:
                names |= t.versus.where.names
        names |= set(t.covariates)
        if t.endpoint:
            names |= {f"{t.endpoint}_days", f"{t.endpoint}_event", f"{t.endpoint}_status"}
        return self.expand(names)

    def movable(self, held: set) -> list[Covariate]:
        """The covariates a move may change when ``held`` are held."""
        return [c for c in self.spec.covariates if c.name not in held and c.split is None]

    def fixed_populations(self, held: set, st: State) -> dict[int, np.ndarray]:
        """Target index -> population mask, for the populations defined by the groups and
        by covariates that never move (``held``): evaluated once."""
        s = self.spec
        fixed = set(held) | ({self.group_column} if self.group_column else set())
        cols = self.columns(st)
        return {
            t.index: np.asarray(t.where(cols, s.n), bool)
            for t in s.targets
            if t.where is not None and t.where.names <= fixed
        }

    # ------------------------------------------------------------------ columns

    def columns(
        self, st: State, final: bool = False, prev: dict | None = None, changed: set | None = None
    ) -> dict:
        """Every column of the cohort as arrays. With ``prev`` (the columns before a move,
        whose base arrays are the state's own, changed in place) and ``changed`` (the base
        names the move touched), only the derived and endpoint columns that depend on
        them are recomputed. ``final`` also makes the markers nothing evaluated reads."""
        s, n = self.spec, self.n
        if prev is not None:
            cols = dict(prev)
            dirty = set(changed)
        else:
            cols = self.base_columns(st, followup=False)
            dirty = None
            if self.cause_column:
                cols[self.cause_column] = st.cause
        for c in self.split:
            if (final or c.name in self.read) and (dirty is None or c.split.by in dirty):
                cols[c.name] = self.split_values(c, st.cov[c.name], cols[c.split.by])
                if dirty is not None:
                    dirty.add(c.name)
        if dirty is None or "entry_day" in dirty:
            cols["followup_days"] = self.horizon - st.entry
        for name, ex in s.derived.items():
            if dirty is not None:
                if not ex.names & dirty:
                    continue
                dirty.add(name)
            v = np.asarray(ex(cols, n))
            cols[name] = v.astype(float) if v.dtype == bool else v
        for ep in s.endpoints.values():
            if dirty is None or self.ep_inputs[ep.name] & dirty:
                self._endpoint_columns(ep, st, cols)
        return cols

    def _endpoint_columns(self, ep, st: State, cols: dict) -> None:
        """``<endpoint>_days``, ``_event`` and ``_status`` into ``cols``."""
        n = self.n
        t1 = first_of(
            [
                self.condition(st.ev[x], c, cols)
                for x, c in zip(ep.events, ep.events_where or [None] * len(ep.events), strict=True)
            ],
            n,
        )
        t2 = first_of(
            [
                self.condition(st.ev[x], c, cols)
                for x, c in zip(
                    ep.competing, ep.competing_where or [None] * len(ep.competing), strict=True
                )
            ],
            n,
        )
        has1, has2 = ~np.isnan(t1), ~np.isnan(t2)
        status = np.where(has1 & (~has2 | (t1 <= t2)), 1.0, np.where(has2, 2.0, 0.0))
        cens = np.fmin(cols["followup_days"], st.ev[self.terminal.name])
        time = np.where(status == 1, t1, np.where(status == 2, t2, cens))
        if ep.origin is not None:
            time = time - np.asarray(ep.origin(cols, n), float)
        pop = np.ones(n, bool) if ep.where is None else np.asarray(ep.where(cols, n), bool)
        cols[f"{ep.name}_days"] = np.where(pop, time, np.nan)
        cols[f"{ep.name}_event"] = np.where(pop, (status == 1).astype(float), np.nan)
        cols[f"{ep.name}_status"] = np.where(pop, status, np.nan)

    def condition(self, times: np.ndarray, cond, cols: dict) -> np.ndarray:
        """Event times where the endpoint's condition on the event holds, else NaN."""
        if cond is None:
            return times
        return np.where(np.asarray(cond(cols, self.n), bool), times, np.nan)

    def base_columns(self, st: State, followup: bool = True) -> dict:
        """The state's own columns (group, covariates, entry, follow-up, event days)."""
        cols = {}
        if self.group_column:
            cols[self.group_column] = st.group
        cols.update(st.cov)
        cols["entry_day"] = st.entry
        if followup:
            cols["followup_days"] = self.horizon - st.entry
        for e in self.spec.events:
            cols[e.column] = st.ev[e.name]
        return cols

    @staticmethod
    def split_values(c: Covariate, u: np.ndarray, side: np.ndarray) -> np.ndarray:
        """Marker values from latent ranks ``u``: below ``at`` where ``side`` is 0, at or
        above it where 1; with ``at_cut`` the lowest of the upper side sits on the cut-off."""
        lo, hi = c.range
        at = c.split.at
        step = 10.0**-c.decimals
        high = (
            np.array([v is not None and v == 1 for v in side])
            if side.dtype == object
            else side == 1
        )
        high &= ~np.isnan(u)
        low = ~high & ~np.isnan(u)
        out = np.full(u.size, np.nan)
        out[low] = np.minimum(np.round(lo + u[low] * (at - lo), c.decimals), at - step)
        out[high] = np.maximum(np.round(at + u[high] * (hi - at), c.decimals), at)
        if c.split.at_cut and high.any():
            out[np.flatnonzero(high)[np.argmin(u[high])]] = at
        return out

    # ------------------------------------------------------------------ constraints

    def eligible(self, e: Event, cols: dict) -> np.ndarray:
        """Who may have event ``e`` (its ``where``, and a parent event for ``within``)."""
        n = self.n
        out = np.ones(n, bool) if e.where is None else np.asarray(e.where(cols, n), bool)
        if e.within is not None:
            out = out & ~np.isnan(cols[f"{e.within}_day"])
        return out

    def window(self, st: State, cols: dict, e: Event, i: int) -> tuple[int, int]:
        """Whole days at which patient ``i`` may have event ``e``, given everything else."""
        n = self.n
        lo = 1.0
        for a in e.after:
            b = float(np.asarray(a(cols, n), float)[i])
            if not math.isnan(b):
                lo = max(lo, math.floor(b) + 1.0)
        hi = float(self.horizon - st.entry[i])
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
            d = st.ev[self.terminal.name][i]
            if not math.isnan(d):
                hi = min(hi, d - 1.0)
        return math.ceil(lo), math.floor(hi)

    def violations(self, st: State, cols: dict) -> int:
        """How many hard constraints the cohort breaks (event order, windows, who may have
        an event, causes of death and their conditions)."""
        n = self.n
        fu = cols["followup_days"]
        death = st.ev[self.terminal.name]
        bad = 0
        for e in self.spec.events:
            t = st.ev[e.name]
            has = ~np.isnan(t)
            if not has.any():
                continue
            bad += int((has & ~self.eligible(e, cols)).sum())
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
        if self.causes:
            dead = ~np.isnan(death)
            bad += int((dead != np.array([c is not None for c in st.cause])).sum())
            for lab, c in self.causes.items():
                if c.where is not None:
                    ok = np.asarray(c.where(cols, n), bool)
                    bad += int(((st.cause == lab) & dead & ~ok).sum())
        return bad


def carry_children(
    model: CohortModel, st: State, e: Event, i: int, j: int | None, delta: float, undo: list
) -> set:
    """Move the events nested in ``e`` (``within``) from patient ``i`` to ``j`` shifted
    by ``delta`` days (``j`` None: remove them); recursive. Returns the changed columns."""
    changed = set()
    for c in model.children[e.name]:
        ct = st.ev[c.name]
        if np.isnan(ct[i]):
            continue
        undo.append((ct, i, ct[i]))
        if j is not None:
            undo.append((ct, j, ct[j]))
            ct[j] = ct[i] + delta
        ct[i] = np.nan
        changed.add(c.column)
        changed |= carry_children(model, st, c, i, j, delta, undo)
    return changed


def first_of(arrays: list, n: int) -> np.ndarray:
    """Element-wise earliest of some event-day arrays (NaN where none)."""
    out = np.full(n, np.nan)
    for a in arrays:
        out = np.fmin(out, a)
    return out


def missing(arr: np.ndarray) -> np.ndarray:
    """Where a covariate has no value (None in object arrays, NaN otherwise)."""
    if arr.dtype == object:
        return np.array([v is None for v in arr])
    return np.isnan(arr)
