"""The moves of the search: small changes to a pseudo-cohort that keep every margin.

``propose`` draws a kind of move from ``MOVE_SHARES`` (and, for an event move, from
``EVENT_MOVE_SHARES``), applies it to the state in place and returns the base columns it
changed with an undo list (``revert`` restores them); the caller decides whether to keep
it. One function per kind:

- covariates: ``swap_covariate`` (two patients exchange values; within group where
  counts by group are published; a class takes the covariates it alone defines along),
  ``relabel`` and ``flip_labels`` (a covariate whose margin is not published),
  ``jitter_continuous`` (a value moves between its neighbours, median and range kept);
- entry dates: ``move_entry`` (exchanged, stepped or redrawn inside the accrual window);
- events: ``shift_history`` (a patient's events from this one on, by the same days),
  ``exchange_times`` (two patients' days), ``move_time``, ``switch_patient`` (the event
  goes to another patient of the same group, with its cause and nested events),
  ``add_or_remove`` (changes a count: locks and targets decide);
- causes of death: ``cause_moves.exchange_causes`` and ``cause_moves.repair_cause``.

A move may be aimed at one target (``focus``): its events, its covariates and its
patients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .cause_moves import exchange_causes
from .model import CohortModel, State, carry_children, missing
from .spec import Covariate, Event

__all__ = [
    "AIMED_COVARIATE_SHARE",
    "EVENT_MOVE_SHARES",
    "MOVE_SHARES",
    "Focus",
    "add_or_remove",
    "carry_children",
    "exchange_times",
    "flip_labels",
    "focus",
    "jitter_continuous",
    "move_entry",
    "move_time",
    "propose",
    "relabel",
    "revert",
    "shift_history",
    "swap_covariate",
    "switch_patient",
]

#: How often each kind of move is drawn, when not aimed at a target.
MOVE_SHARES = {"covariate": 0.12, "entry": 0.10, "event": 0.78}
#: Covariate moves among the moves aimed at a target that has covariates.
AIMED_COVARIATE_SHARE = 0.3
#: How often each kind of event move is drawn.
EVENT_MOVE_SHARES = {
    "shift_history": 0.08,
    "exchange_times": 0.08,
    "move_time": 0.34,
    "switch_patient": 0.25,
    "add_or_remove": 0.25,
}
# within a kind of move
FLIP_LABELS = 0.05  # a free two-level covariate: exchange the labels of everybody
RELABEL = 0.5  # a free covariate: give one patient another label
JITTER = 0.5  # a median-and-range covariate: move one value between its neighbours
PAIR_EXTREMES = 0.5  # aimed at a median: swap between holders of the extremes
SWAP_ENTRIES = 0.5  # exchange two patients' entry days (else step or redraw one)
ENTRY_STEP = 0.6, 60  # step an entry day by at most 60 days (else redraw it)
EXCHANGE_CAUSES = 0.1  # a death move that exchanges two deaths' causes
AIM_AT_PATIENTS = 0.8  # aimed: take the target's patients' events and eligible patients
SHIFT_DAYS = 120  # shift a history by at most this many days
MOVE_STEP = 0.5, 0.1, 0.3  # step (else redraw), by up to 10 % of the window; a one-day step
ACROSS_POPULATION = 0.5  # aimed switch: move an event into or out of the population
KEEP_DAY = 0.5  # a switched event keeps its day where the window allows
REMOVE = 0.5  # add_or_remove: remove one (else add one)


def _upper_ends(shares: dict) -> tuple:
    """(kind, upper end of its interval of a uniform draw), the ends as printed decimals."""
    out, total = [], 0.0
    for kind, share in shares.items():
        total += share
        out.append((kind, round(total, 12)))
    return tuple(out)


_KIND_ENDS = _upper_ends(MOVE_SHARES)
_EVENT_ENDS = _upper_ends(EVENT_MOVE_SHARES)
_COVARIATE_END = _KIND_ENDS[0][1]


class Focus(NamedTuple):
    """What a move aimed at one target may touch: its events, its movable covariates,
    its patients (``mask``) and, for a median, the holders of the extremes (``partners``)."""

    events: list
    covariates: list
    mask: np.ndarray
    partners: np.ndarray | None


@dataclass
class _Pick:
    """The event an event move works on, and who has it or may get it."""

    event: Event
    times: np.ndarray
    has: np.ndarray  # patients with the event (the target's when aimed)
    has_all: np.ndarray  # every patient with the event
    eligible: np.ndarray
    mask: np.ndarray | None
    fixed_count: bool  # deaths with causes: their number is fixed


def propose(
    model: CohortModel,
    st: State,
    cols: dict,
    rng: np.random.Generator,
    movable: list[Covariate],
    aim: Focus | None = None,
    covariates_only: bool = False,
):
    """Change ``st`` in place; return (changed base names, undo) or None.

    ``aim`` (from :func:`focus`) aims the move at one target: its events, its covariates
    and its patients. ``covariates_only`` draws a covariate move.
    """
    r = 0.0 if covariates_only else rng.random()
    events, mask, partners = model.spec.events, None, None
    if aim is not None:
        f_events, f_covs, mask, partners = aim
        if f_covs:
            movable = f_covs
            r = r * _COVARIATE_END / AIMED_COVARIATE_SHARE
        elif covariates_only:
            return None
        if f_events:
            events = f_events
    applies = {"covariate": bool(movable), "entry": True, "event": True}
    kind = next(k for k, end in _KIND_ENDS if r < end and applies[k])
    if kind == "covariate":
        return covariate_move(model, st, rng, movable, mask, partners)
    if kind == "entry":
        return move_entry(model, st, rng, mask)
    return event_move(model, st, cols, rng, events, mask)


def covariate_move(
    model: CohortModel,
    st: State,
    rng: np.random.Generator,
    movable: list[Covariate],
    mask,
    partners,
):
    """A move of one covariate drawn from ``movable``."""
    c = movable[rng.integers(len(movable))]
    arr = st.cov[c.name]
    pop = np.flatnonzero(~missing(arr))
    if pop.size < 2:
        return None
    # a class and the covariates it alone defines are only ever swapped together
    nested = model.nested.get(c.name, ())
    free = not nested and c.kind == "categorical" and c.free_levels is not None
    if free and len(c.free_levels) == 2 and rng.random() < FLIP_LABELS:
        return flip_labels(c, arr, pop)
    if free and rng.random() < RELABEL:
        return relabel(c, arr, pop, mask, rng)
    if not nested and c.kind == "continuous" and c.values is None and rng.random() < JITTER:
        return jitter_continuous(c, arr, pop, rng)
    return swap_covariate(model, st, c, pop, mask, partners, rng)


def flip_labels(c: Covariate, arr: np.ndarray, pop: np.ndarray):
    """The margin is free: exchange the two labels for everybody (reverses the direction
    of every effect of this covariate in one move)."""
    a, b = c.free_levels
    undo = [(arr, i, arr[i]) for i in pop]
    arr[pop] = np.array([b if v == a else a for v in arr[pop]], object)
    return {c.name}, undo


def relabel(c: Covariate, arr: np.ndarray, pop: np.ndarray, mask, rng: np.random.Generator):
    """The margin is free: one patient (of the target's, when aimed) gets a drawn label."""
    inside = pop if mask is None else pop[mask[pop]]
    inside = inside if inside.size else pop
    i = inside[rng.integers(inside.size)]
    old = arr[i]
    arr[i] = c.free_levels[rng.integers(len(c.free_levels))]
    return {c.name}, [(arr, i, old)]


def jitter_continuous(c: Covariate, arr: np.ndarray, pop: np.ndarray, rng: np.random.Generator):
    """Move one value between its neighbours, keeping the median, range and cuts."""
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
            lo = max(lo, at + 10.0**-c.decimals)
    new = round(float(rng.uniform(lo, hi)), c.decimals)
    arr[i] = new
    return {c.name}, [(arr, i, old)]


def swap_covariate(
    model: CohortModel,
    st: State,
    c: Covariate,
    pop: np.ndarray,
    mask,
    partners,
    rng: np.random.Generator,
):
    """Two patients with different values exchange them (within group where counts by
    group are published); the covariates ``c`` alone defines go along."""
    arr = st.cov[c.name]
    nested = model.nested.get(c.name, ())
    pair = partners is not None and rng.random() < PAIR_EXTREMES
    inside = pop if mask is None else pop[(partners if pair else mask)[pop]]
    inside = inside if inside.size else pop
    i = inside[rng.integers(inside.size)]
    same = pop[arr[pop] != arr[i]]
    if c.by_group and model.group_column:
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


def move_entry(model: CohortModel, st: State, rng: np.random.Generator, mask):
    """Exchange two patients' entry days, or step or redraw one inside the accrual window."""
    n = model.n
    i = rng.integers(n) if mask is None or not mask.any() else rng.choice(np.flatnonzero(mask))
    old = st.entry[i]
    if rng.random() < SWAP_ENTRIES:
        j = rng.integers(n)
        undo = [(st.entry, i, st.entry[i]), (st.entry, j, st.entry[j])]
        st.entry[i], st.entry[j] = st.entry[j], st.entry[i]
        return {"entry_day", "followup_days"}, undo
    share, days = ENTRY_STEP
    step = rng.integers(-days, days + 1) if rng.random() < share else None
    new = old + step if step is not None else float(rng.integers(0, model.accrual_days + 1))
    st.entry[i] = float(min(max(new, 0), model.accrual_days))
    return {"entry_day", "followup_days"}, [(st.entry, i, old)]


def event_move(
    model: CohortModel, st: State, cols: dict, rng: np.random.Generator, events: list[Event], mask
):
    """A move of one event drawn from ``events``, its kind from ``EVENT_MOVE_SHARES``."""
    e = events[rng.integers(len(events))]
    t = st.ev[e.name]
    has = has_all = np.flatnonzero(~np.isnan(t))
    fixed_count = e.terminal and model.causes is not None
    if fixed_count and rng.random() < EXCHANGE_CAUSES and has_all.size > 1:
        i = has_all[rng.integers(has_all.size)]
        return exchange_causes(model, st, i, has_all[st.cause[has_all] != st.cause[i]], rng)
    elig = model.eligible(e, cols)
    if mask is not None:
        # aimed at one target: move the events of its patients
        has_in = has[mask[has]]
        if has_in.size and rng.random() < AIM_AT_PATIENTS:
            has = has_in
        elig_in = elig & mask
        if elig_in.any() and rng.random() < AIM_AT_PATIENTS:
            elig = elig_in
    pick = _Pick(e, t, has, has_all, elig, mask, fixed_count)
    applies = {
        "shift_history": has.size > 0,
        "exchange_times": has.size and has_all.size > 1,
        "move_time": has.size > 0,
        "switch_patient": has.size > 0,
        "add_or_remove": True,
    }
    r = rng.random()
    kind = next(k for k, end in _EVENT_ENDS if r < end and applies[k])
    return _EVENT_MOVES[kind](model, st, cols, rng, pick)


def shift_history(model: CohortModel, st: State, cols: dict, rng: np.random.Generator, pick: _Pick):
    """Shift one patient's whole history (this event and every later one) by the same
    number of days: keeps the gaps between relapse and death."""
    t = pick.times
    i = pick.has[rng.integers(pick.has.size)]
    delta = float(rng.integers(-SHIFT_DAYS, SHIFT_DAYS + 1))
    if delta == 0:
        return None
    later = [
        st.ev[x.name]
        for x in model.spec.events
        if not np.isnan(st.ev[x.name][i]) and st.ev[x.name][i] >= t[i]
    ]
    undo = [(arr, i, arr[i]) for arr in later]
    for arr in later:
        arr[i] += delta
    # a move the constraints reject (order, window) is reverted by the caller
    return {x.column for x in model.spec.events}, undo


def exchange_times(
    model: CohortModel, st: State, cols: dict, rng: np.random.Generator, pick: _Pick
):
    """Exchange two patients' event days (the set of days is kept), possibly across
    groups: counts by group stay, the days move between them."""
    t = pick.times
    i = pick.has[rng.integers(pick.has.size)]
    others = pick.has_all[pick.has_all != i]
    j = others[rng.integers(others.size)]
    undo = [(t, i, t[i]), (t, j, t[j])]
    t[i], t[j] = t[j], t[i]
    return {pick.event.column}, undo


def move_time(model: CohortModel, st: State, cols: dict, rng: np.random.Generator, pick: _Pick):
    """Step one patient's event day (by up to a tenth of its window, or one day), or
    redraw it inside its window."""
    t, e = pick.times, pick.event
    i = pick.has[rng.integers(pick.has.size)]
    lo, hi = model.window(st, cols, e, i)
    if lo > hi:
        return None
    old = t[i]
    share, width, one_day = MOVE_STEP
    if rng.random() < share:
        scale = max(2, int(width * (hi - lo)))
        new = old + rng.integers(-scale, scale + 1)
        if rng.random() < one_day:
            new = old + rng.choice([-1, 1])
    else:
        new = rng.integers(lo, hi + 1)
    new = float(min(max(new, lo), hi))
    if new == old:
        return None
    t[i] = new
    return {e.column}, [(t, i, old)]


def switch_patient(
    model: CohortModel, st: State, cols: dict, rng: np.random.Generator, pick: _Pick
):
    """Switch the event from one patient to another of the same group (count kept); a
    cause of death and nested events go with it. Aimed at a population, it may move an
    event into it or out of it (its count there changes while the cohort's stays)."""
    t, e, mask, has_all = pick.times, pick.event, pick.mask, pick.has_all
    i = pick.has[rng.integers(pick.has.size)]
    cand = np.flatnonzero(pick.eligible & np.isnan(t))
    if mask is not None and rng.random() < ACROSS_POPULATION:
        all_elig = model.eligible(e, cols) & np.isnan(t)
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
    if model.group_column:
        cand = cand[st.group[cand] == st.group[i]]
    if cand.size == 0:
        return None
    j = cand[rng.integers(cand.size)]
    undo = [(t, i, t[i]), (t, j, t[j])]
    old_i = t[i]
    t[i] = np.nan
    lo, hi = model.window(st, cols, e, j)
    if lo > hi:
        t[i] = old_i
        return None
    t[j] = (
        float(old_i)
        if lo <= old_i <= hi and rng.random() < KEEP_DAY
        else float(rng.integers(lo, hi + 1))
    )
    changed = {e.column}
    if pick.fixed_count:
        # the cause is an attribute of the death: it moves with it
        undo += [(st.cause, i, st.cause[i]), (st.cause, j, st.cause[j])]
        st.cause[j], st.cause[i] = st.cause[i], None
        changed.add(model.cause_column)
    # events nested in this one go with it, at the same distance from it
    changed |= carry_children(model, st, e, i, j, t[j] - old_i, undo)
    return changed, undo


def add_or_remove(model: CohortModel, st: State, cols: dict, rng: np.random.Generator, pick: _Pick):
    """Remove one patient's event (and its nested ones) or give it to one more eligible
    patient: changes a count, which locks and targets then judge."""
    if pick.fixed_count:
        return None  # the causes of death fix the number of deaths
    t, e = pick.times, pick.event
    if rng.random() < REMOVE and pick.has.size:
        i = pick.has[rng.integers(pick.has.size)]
        old = t[i]
        t[i] = np.nan
        undo = [(t, i, old)]
        changed = {e.column} | carry_children(model, st, e, i, None, 0.0, undo)
        return changed, undo
    cand = np.flatnonzero(pick.eligible & np.isnan(t))
    if cand.size == 0:
        return None
    i = cand[rng.integers(cand.size)]
    lo, hi = model.window(st, cols, e, i)
    if lo > hi:
        return None
    t[i] = float(rng.integers(lo, hi + 1))
    return {e.column}, [(t, i, np.nan)]


_EVENT_MOVES = {
    "shift_history": shift_history,
    "exchange_times": exchange_times,
    "move_time": move_time,
    "switch_patient": switch_patient,
    "add_or_remove": add_or_remove,
}


def focus(model: CohortModel, movable: list[Covariate], j: int, cols: dict) -> Focus:
    """What a move aimed at target ``j`` may touch (:class:`Focus`)."""
    s, n = model.spec, model.n
    t, deps = s.targets[j], model.deps[j]
    events = [e for e in s.events if e.column in deps]
    covs = [c for c in movable if c.name in deps]
    mask = np.ones(n, bool) if t.where is None else np.asarray(t.where(cols, n), bool)
    if t.versus is not None:  # a two-sample statistic: both samples
        mask = mask | (
            np.ones(n, bool)
            if t.versus.where is None
            else np.asarray(t.versus.where(cols, n), bool)
        )
    partners = None
    if t.stat == "median":
        # a median and its range are set by the patients holding the smallest, largest
        # and middle values, and by those holding the extremes of every covariate
        # feeding them (a sum's range pairs one term's largest with another's
        # smallest): half of the covariate swaps aimed at it are between two of them
        partners = np.zeros(n, bool)
        vals = np.asarray(t.of(cols, n), float)
        pop = np.flatnonzero(mask & ~np.isnan(vals))
        if pop.size:
            order = pop[np.argsort(vals[pop], kind="stable")]
            m = order.size
            partners[order[[0, m - 1, (m - 1) // 2, m // 2]]] = True
            for c in s.covariates:
                if c.kind == "continuous" and c.name in deps:
                    x = np.asarray(cols[c.name], float)[pop]
                    if not np.isnan(x).all():
                        partners[pop[[np.nanargmin(x), np.nanargmax(x)]]] = True
    return Focus(events, covs, mask, partners)


def revert(undo: list) -> None:
    """Undo a move: restore the changed entries, last first."""
    for arr, i, old in reversed(undo):
        arr[i] = old
