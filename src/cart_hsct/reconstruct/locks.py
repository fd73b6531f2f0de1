"""Exact counts that every move must keep ("locks").

A landmark target whose published value is k/N for exactly one k (N = patients in its
population) fixes the number of events before the landmark, provided nobody is censored
before the last of them; for small populations, the orders of events and censorings whose
Kaplan-Meier estimate (and CI) print as the published numbers do the same (``km_pattern``).
An explicit lock (``lock: true``) asks for complete follow-up: nobody in its population
censored before the landmark. ``make_locks`` finds them on a start; the search meets them
(or drops those it cannot meet) and afterwards refuses every move that breaks one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..survival import kernels
from .model import CohortModel, State
from .spec import Target

__all__ = ["Lock", "held_covariates", "km_pattern", "make_locks", "split_unmet"]

PATTERN_MAX_N = 12  # 2^13 orders of events and censorings to try at most
PATTERN_MAX_KEEP = 8  # more admissible orders than this: too loose to be worth a lock


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
        """How far the cohort is from meeting the lock (0: it holds)."""
        mask = self.mask if self.where is None else self.where(cols)
        off = abs(int(mask.sum()) - self.n)  # a free margin moved the population's size
        days = cols[f"{self.endpoint}_days"][mask]
        status = cols[f"{self.endpoint}_status"][mask]
        if self.pattern is not None:
            return self._pattern_violation(days, status) + off
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

    def _pattern_violation(self, days: np.ndarray, status: np.ndarray) -> int:
        # the order of events (True) and censorings (False) up to the last event
        # before the landmark; at tied times events come first, as in the KM estimate
        inside = days <= self.at
        ev = status[inside] == self.cause
        seq = ev[np.lexsort((~ev, days[inside]))]
        hits = np.flatnonzero(seq)
        seq = seq[: hits[-1] + 1] if hits.size else seq[:0]
        best = None
        for pattern in self.pattern:
            pat = np.asarray(pattern, bool)
            m = min(seq.size, pat.size)
            v = int((seq[:m] != pat[:m]).sum()) + abs(seq.size - pat.size)
            best = v if best is None else min(best, v)
        return best

    def describe(self) -> str:
        if self.pattern is not None:
            seq = " or ".join("".join("E" if x else "C" for x in p) for p in self.pattern)
            return (
                f"{', '.join(self.ids)}: events (E) and censorings (C) of {self.endpoint} "
                f"among {self.n} patients up to the last event by day {self.at:g} in "
                f"the order {seq}"
            )
        kind = "events" if self.km else f"cause-{self.cause} events"
        rule = "nobody censored before it" if self.complete else "no censoring before the last"
        return (
            f"{', '.join(self.ids)}: {self.events} {kind} of {self.endpoint} among "
            f"{self.n} patients by day {self.at:g}, {rule}"
        )


def make_locks(model: CohortModel, st: State) -> list[Lock]:
    """The locks of the landmark targets on the start ``st`` (its populations)."""
    s = model.spec
    cols = model.columns(st)
    locks = []
    within_fu = s.solver.auto_lock == "within_followup"
    for t in s.targets:
        if t.stat not in ("km_at", "cuminc_at") or t.lock is False:
            continue
        if t.lock is None and within_fu and t.at > s.design.followup_bounds[0]:
            continue  # censoring may start before this landmark: only an explicit lock
        honoured = [i for i in t.ids if i not in model.infeasible]
        if not honoured:
            continue
        e = model.entries[honoured[0]]
        if e.unit != "percent" or e.value is None:
            continue
        where = _population(model, t)
        mask = where(cols)
        size = int(mask.sum())
        # an explicit lock (complete follow-up) lets the covariates that define its
        # population move, and recomputes the population at every check; an automatic
        # one holds them
        moving = t.lock is True and bool(
            model.with_inputs(set(where.names)) - model.with_inputs(model.held_structural)
        )
        extra = {"where": where if moving else None, "complete": t.lock is True}
        half = e.half_unit.get("value", 0.05)
        ks = [k for k in range(size + 1) if abs(100.0 * k / size - e.value) <= half + 1e-9]
        if len(ks) != 1:
            pattern = (
                km_pattern(e, size, "ci" in t.compare, t.conf_type) if t.stat == "km_at" else None
            )
            if pattern is not None:
                locks.append(
                    Lock(
                        target=t.index,
                        ids=tuple(honoured),
                        endpoint=t.endpoint,
                        at=float(t.at),
                        events=sum(pattern[0]),
                        n=size,
                        cause=1,
                        km=True,
                        mask=mask,
                        pattern=pattern,
                        **extra,
                    )
                )
            continue
        k = ks[0]
        km = t.stat == "km_at"
        locks.append(
            Lock(
                target=t.index,
                ids=tuple(honoured),
                endpoint=t.endpoint,
                at=float(t.at),
                events=size - k if km else k,
                n=size,
                cause=1 if km else t.cause,
                km=km,
                mask=mask,
                **extra,
            )
        )
    return locks


def _population(model: CohortModel, t: Target) -> Callable:
    """cohort columns -> the boolean mask of target ``t``'s population (its ``where``
    and its endpoint's); ``.names`` lists the columns it reads."""
    n, ep = model.n, model.spec.endpoints[t.endpoint]
    parts = [x for x in (t.where, ep.where) if x is not None]

    def where(cols):
        mask = np.ones(n, bool)
        for x in parts:
            mask &= np.asarray(x(cols, n), bool)
        return mask

    where.names = set().union(*(x.names for x in parts)) if parts else set()
    return where


def held_covariates(model: CohortModel, locks: list[Lock]) -> set:
    """Columns that never move: the structural ones, and those that define the population
    of a lock whose patients were fixed when it was made."""
    names = set(model.held_structural)
    for lk in locks:
        where = model.spec.targets[lk.target].where
        if where is not None and lk.where is None:
            names |= where.names
    return model.with_inputs(names)


def split_unmet(
    locks: list[Lock], cols: dict, also: dict | None = None
) -> tuple[list[Lock], list[Lock]]:
    """(locks that hold, locks that do not) in ``cols`` and, if given, in ``also``."""
    unmet = [lk.violation(cols) > 0 and (also is None or lk.violation(also) > 0) for lk in locks]
    return (
        [lk for lk, u in zip(locks, unmet, strict=True) if not u],
        [lk for lk, u in zip(locks, unmet, strict=True) if u],
    )


def km_pattern(entry, size: int, with_ci: bool, conf_type: str) -> tuple | None:
    """The orders of events and censorings that print as ``entry`` (value and CI).

    A Kaplan-Meier estimate and its Greenwood CI at a landmark depend only on the order
    of the events and censorings before it, up to the last event (tied events give the
    same product and variance as the same events in sequence; censorings tied with an
    event come after it). Among ``size`` patients, try every order (up to
    ``PATTERN_MAX_N`` patients) and return those (events True) whose estimate, and CI
    when ``with_ci``, round to the printed digits; None when none or more than
    ``PATTERN_MAX_KEEP`` do.
    """
    if size > PATTERN_MAX_N or size == 0 or entry.value is None:
        return None
    z = kernels.zval(0.05)
    found = set()
    at = np.array([float(size + 1)])
    for k in range(1, size + 1):
        for code in range(2**k):
            seq = tuple(bool((code >> (k - 1 - i)) & 1) for i in range(k))
            if not seq[-1]:
                continue  # trailing censorings do not change the estimate
            t = np.r_[np.arange(1.0, k + 1), np.full(size - k, size + 2.0)]
            ev = np.r_[np.array(seq, float), np.zeros(size - k)]
            surv, _, lo, hi = kernels.km_at(t, ev, at, conf_type, z)
            if _prints_as(entry, surv[0], lo[0], hi[0], with_ci):
                found.add(seq)
    return tuple(sorted(found)) if 0 < len(found) <= PATTERN_MAX_KEEP else None


def _prints_as(entry, surv: float, lo: float, hi: float, with_ci: bool) -> bool:
    ok = abs(100 * surv - entry.value) <= entry.half_unit.get("value", 0.05) + 1e-9
    if ok and with_ci and entry.ci is not None:
        for b, pub, part in ((lo, entry.ci[0], "ci_low"), (hi, entry.ci[1], "ci_high")):
            if pub is None:  # not reached
                ok = ok and not math.isfinite(b)
                continue
            ok = (
                ok
                and math.isfinite(b)
                and abs(100 * b - pub) <= entry.half_unit.get(part, 0.05) + 1e-9
            )
    return ok
