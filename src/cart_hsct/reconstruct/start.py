"""The start of a search: a pseudo-cohort that keeps every published margin.

``initial`` draws covariates with exactly their published margins (by group where
published; medians, ranges and cuts exactly), entry dates spread over the accrual window,
and events that follow the published curves (``event_curve``, ``place``): deaths first,
so that other events fall before them; causes of death go to deaths that meet their
conditions (``assign_causes``), and a cause's ``profile`` of covariate values is given to
its death by exchanging values (``impose_profiles``). ``construct`` then meets the
exact-count locks of single-event endpoints where it can. The search repairs the rest.
"""

from __future__ import annotations

import math

import numpy as np

from .locks import Lock
from .model import CohortModel, State, missing
from .spec import Covariate, Event

__all__ = [
    "assign_causes",
    "construct",
    "event_curve",
    "impose_profiles",
    "initial",
    "median_range_values",
    "place",
]


def initial(model: CohortModel, rng: np.random.Generator) -> State:
    """A seeded start: margins exact, events following the published curves."""
    s, n = model.spec, model.n
    if s.groups:
        group = np.array([g for g, k in s.groups.sizes.items() for _ in range(k)], object)
    else:
        group = np.array([None] * n, object)
    entry = np.round((np.arange(n) + 0.5) / n * model.accrual_days)
    entry = rng.permutation(entry).astype(float)
    st = State(group, {}, entry, {e.name: np.full(n, np.nan) for e in s.events})
    for c in s.covariates:
        cols = model.base_columns(st)
        pop = np.ones(n, bool) if c.where is None else np.asarray(c.where(cols, n), bool)
        st.cov[c.name] = _covariate_values(model, c, pop, group, rng)
    # events: a feasible start that follows the published curves of each event where
    # there are any (event_curve); deaths first, so that other events fall before them.
    # Phase 1 of the search repairs what this gets wrong.
    cols = model.columns(st)  # before the causes exist
    e = model.terminal
    labels = None
    if model.causes:
        st.cause = np.array([None] * n, object)
        # the causes fix the number of deaths: that many, each with its cause
        labels = [lab for lab, c in model.causes.items() for _ in range(c.count)]
    place(model, st, cols, e, rng, fixed=None if labels is None else len(labels))
    if labels is not None:
        dead = np.flatnonzero(~np.isnan(st.ev[e.name]))
        if dead.size != len(labels):
            raise ValueError(
                f"{s.cohort}.yaml: events '{e.name}'.causes: {len(labels)} "
                f"deaths but only {dead.size} patients may die"
            )
    for e in s.events:
        if not e.terminal:
            place(model, st, model.columns(st), e, rng)
    if labels is not None:
        assign_causes(model, st, model.columns(st), rng)
        impose_profiles(model, st, rng)
    return st


def _covariate_values(
    model: CohortModel, c: Covariate, pop: np.ndarray, group: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Covariate ``c``'s values for the patients in ``pop`` (missing elsewhere)."""
    n = model.n
    idx = np.flatnonzero(pop)
    where = f"{model.spec.cohort}.yaml: covariates '{c.name}'"
    if c.kind == "categorical":
        arr = np.array([None] * n, object)
        if c.by_group:
            _by_group_values(c, arr, idx, group, where, rng)
        elif c.levels:
            vals = [lab for lab, k in c.levels.items() for _ in range(k)]
            if len(vals) != idx.size:
                raise ValueError(
                    f"{where}: levels count {len(vals)} patients but {idx.size} match 'where'"
                )
            arr[idx] = rng.permutation(np.array(vals, object))
        else:
            arr[idx] = np.array(c.free_levels, object)[
                rng.integers(0, len(c.free_levels), idx.size)
            ]
        return arr
    if c.split is not None:
        # a latent rank in (0, 1) per patient; CohortModel.columns maps it to a value on
        # the side of the cut-off that the 0/1 covariate c.split.by gives
        return np.where(pop, rng.uniform(0.02, 0.98, n), np.nan)
    arr = np.full(n, np.nan)
    if c.values is not None:
        if len(c.values) != idx.size:
            raise ValueError(
                f"{where}: {len(c.values)} values but {idx.size} patients match 'where'"
            )
        arr[idx] = rng.permutation(np.array(c.values, float))
    else:
        arr[idx] = rng.permutation(median_range_values(c, idx.size, rng))
    return arr


def _by_group_values(
    c: Covariate,
    arr: np.ndarray,
    idx: np.ndarray,
    group: np.ndarray,
    where: str,
    rng: np.random.Generator,
) -> None:
    """A categorical covariate's counts by group; the groups not listed share the rest."""
    left = dict(c.levels)
    for g, counts in c.by_group.items():
        gi = idx[group[idx] == g]
        vals = [lab for lab, k in counts.items() for _ in range(k)]
        if len(vals) != gi.size:
            raise ValueError(
                f"{where}: by_group {g!r} lists {len(vals)} "
                f"values but {gi.size} patients match 'where'"
            )
        arr[gi] = rng.permutation(np.array(vals, object))
        for lab, k in counts.items():
            left[lab] -= k
    gi = idx[~np.isin(group[idx], list(c.by_group))]
    vals = [lab for lab, k in left.items() for _ in range(k)]
    if len(vals) != gi.size:
        raise ValueError(
            f"{where}: the groups not in by_group have {gi.size} "
            f"patients matching 'where' but the margin leaves "
            f"{len(vals)} values for them"
        )
    arr[gi] = rng.permutation(np.array(vals, object))


def impose_profiles(model: CohortModel, st: State, rng: np.random.Generator) -> None:
    """Give each death whose cause has a ``profile`` the covariate values it names, by
    exchanging values with patients who have them (every margin is kept). First the
    cause goes, where it can, to a dead patient who meets the rest of its condition
    (a relapse before the death, say), has every profiled covariate (some exist only
    in a subpopulation) and died of a cause without conditions (so the exchange breaks
    none)."""
    n = model.n
    dead = ~np.isnan(st.ev[model.terminal.name])
    for lab, c in model.causes.items():
        if not c.profile:
            continue
        present = dead.copy()
        for cov, _ in c.profile:
            present &= ~missing(st.cov[cov.name])
        if not present.any():
            raise ValueError(
                f"{model.spec.cohort}.yaml: cause {lab!r}: no dead patient "
                "has every covariate of its profile"
            )
        base = (
            present
            if c.base_where is None
            else present & np.asarray(c.base_where(model.columns(st), n), bool)
        )
        free = np.array(
            [x is not None and x != lab and model.causes[x].where is None for x in st.cause]
        )
        for i in np.flatnonzero(st.cause == lab):
            if not (base[i] and present[i]):
                for pool in (
                    base & free,
                    base & (st.cause != lab),
                    present & free,
                    present & (st.cause != lab),
                ):
                    if pool.any():
                        break
                fit = np.flatnonzero(pool)
                j = fit[rng.integers(fit.size)]
                st.cause[i], st.cause[j] = st.cause[j], st.cause[i]
                base[j] = present[j] = False  # taken
                i = j
            _exchange_profile(model, st, lab, c.profile, i, rng)


def _exchange_profile(
    model: CohortModel, st: State, lab: str, profile: tuple, i: int, rng: np.random.Generator
) -> None:
    """Patient ``i`` gets every profiled value, each from a patient who has it."""
    for cov, ex in profile:
        arr = st.cov[cov.name]
        ok = np.asarray(ex(model.columns(st), model.n), bool)
        if ok[i]:
            continue
        cand = ok & ~missing(arr) & (st.cause != lab)
        if cov.by_group and model.group_column:
            cand &= st.group == st.group[i]
        cand = np.flatnonzero(cand)
        if cand.size == 0:
            raise ValueError(
                f"{model.spec.cohort}.yaml: cause {lab!r}: nobody "
                f"else meets {ex.text!r} to exchange with"
            )
        j = cand[rng.integers(cand.size)]
        for a in [arr] + [st.cov[x.name] for x in model.nested.get(cov.name, ())]:
            a[i], a[j] = a[j], a[i]


def assign_causes(model: CohortModel, st: State, cols: dict, rng: np.random.Generator) -> None:
    """Causes to the deaths: the most restricted causes (fewest dead patients meeting
    their ``where``) first, each to dead patients that meet it where possible."""
    n = model.n
    dead = ~np.isnan(st.ev[model.terminal.name])
    free = dead.copy()
    st.cause[:] = None
    ok = {
        lab: dead & (np.ones(n, bool) if c.where is None else np.asarray(c.where(cols, n), bool))
        for lab, c in model.causes.items()
    }
    for lab in sorted(model.causes, key=lambda x: int(ok[x].sum())):
        k = model.causes[lab].count
        good = rng.permutation(np.flatnonzero(ok[lab] & free))
        rest = rng.permutation(np.flatnonzero(~ok[lab] & free))
        who = np.r_[good, rest][:k]
        st.cause[who] = lab
        free[who] = False


def event_curve(model: CohortModel, e: Event) -> tuple[list, float | None]:
    """Published cumulative shares of event ``e`` in the whole cohort.

    From the landmark targets (no ``where``) of endpoints made of ``e`` alone: a
    ``cuminc_at`` value, or 1 - a ``km_at`` value; and from a ``count`` of
    ``notna(<e>_day)``: the total share. Returns ([(day, share), ...] sorted, total).
    """
    s = model.spec
    pts, total = {}, None
    for t in s.targets:
        ids = [i for i in t.ids if i not in model.infeasible]
        if not ids or t.where is not None:
            continue
        en = model.entries[ids[0]]
        if en.value is None:
            continue
        if (
            t.stat == "count"
            and t.of is not None
            and t.of.text.replace(" ", "") == f"notna({e.column})"
        ):
            total = en.value / s.n
            continue
        if t.stat not in ("km_at", "cuminc_at") or en.unit != "percent":
            continue
        ep = s.endpoints[t.endpoint]
        if (
            ep.events != (e.name,)
            or ep.conditions
            or ep.origin is not None
            or (t.stat == "cuminc_at" and t.cause != 1)
        ):
            continue
        pts[float(t.at)] = en.value / 100 if t.stat == "cuminc_at" else 1 - en.value / 100
    return sorted(pts.items()), total


def place(
    model: CohortModel,
    st: State,
    cols: dict,
    e: Event,
    rng: np.random.Generator,
    fixed: int | None = None,
) -> None:
    """Give event ``e`` to some eligible patients at times that follow its curve
    (``fixed`` patients when given; else as many as the curve says, or half)."""
    t = st.ev[e.name]
    elig = np.flatnonzero(model.eligible(e, cols))
    pts, total = event_curve(model, e)
    share = total if total is not None else (max(v for _, v in pts) if pts else None)
    if fixed is not None:
        k = fixed
    elif share is not None:
        k = round(min(1.0, share) * model.n)
    else:
        k = int(rng.binomial(elig.size, 0.5))
    # intervals between the landmarks, weighted by the increase of the share
    edges, weights, prev_a, prev_v = [], [], 0.0, 0.0
    for a, v in pts:
        edges.append((prev_a, a))
        weights.append(max(v - prev_v, 0.0))
        prev_a, prev_v = a, max(prev_v, v)
    if (share is not None and share > prev_v) or not pts:
        edges.append((prev_a, float(model.horizon)))
        weights.append(max((share or 1.0) - prev_v, 1e-9))
    w = np.asarray(weights) / sum(weights) if sum(weights) > 0 else None
    placed = 0
    for i in rng.permutation(elig):
        if placed >= k:
            break
        lo, hi = model.window(st, cols, e, i)
        if lo > hi:
            continue
        a0, a1 = edges[rng.choice(len(edges), p=w)] if w is not None else (0, hi)
        l2, h2 = max(lo, int(a0) + 1), min(hi, int(a1))
        t[i] = float(rng.integers(l2, h2 + 1)) if l2 <= h2 else float(rng.integers(lo, hi + 1))
        placed += 1


def construct(model: CohortModel, st: State, locks: list[Lock], rng: np.random.Generator) -> None:
    """Meet the exact-count locks of single-event endpoints by construction.

    First the patients of a complete-follow-up lock get entry dates early enough to be
    followed to its landmark. Then for each single-event endpoint (parents before the
    events nested in them), in order of landmark: the lock's population gets exactly the
    locked number of events by the landmark, the missing ones placed uniformly between
    the previous landmark of the endpoint and this one, the extra ones moved past it (or
    removed). Phase 1 of the search repairs what this cannot (e.g. a death before the
    only admissible day).
    """
    s = model.spec
    _follow_complete_locks(model, st, [lk for lk in locks if lk.complete], rng)
    order = {e.name: k for k, e in enumerate(s.events)}
    todo = []
    for lk in locks:
        ep = s.endpoints[lk.endpoint]
        if (
            lk.pattern is not None
            or len(ep.events) != 1
            or ep.conditions
            or (lk.km and ep.competing)
        ):
            continue
        e = next(x for x in s.events if x.name == ep.events[0])
        if e.terminal or ep.origin is not None or (not lk.km and lk.cause != 1):
            continue
        todo.append((order[e.name], lk.at, lk, e))
    done: dict[str, float] = {}
    for _, at, lk, e in sorted(todo, key=lambda x: (x[0], x[1])):
        lo_at = done.get(e.name, 0.0)
        _meet_count(model, st, lk, e, lo_at, rng)
        done[e.name] = max(lo_at, at)


def _follow_complete_locks(
    model: CohortModel, st: State, complete: list[Lock], rng: np.random.Generator
) -> None:
    """The patients of a complete-follow-up lock enter early enough to be followed to
    its landmark (entry dates exchanged with patients outside every such lock)."""
    inside = np.zeros(model.n, bool)
    for lk in complete:
        inside |= lk.mask
    last = np.zeros(model.n)
    for e in model.spec.events:
        last = np.fmax(last, st.ev[e.name])
    for lk in complete:
        for i in np.flatnonzero(lk.mask & (model.horizon - st.entry < lk.at)):
            reach = model.horizon - st.entry
            # a partner whose history fits in patient i's shorter follow-up
            ok = np.flatnonzero(~inside & (reach >= lk.at) & (last < reach[i]))
            if ok.size:
                j = ok[rng.integers(ok.size)]
                st.entry[i], st.entry[j] = st.entry[j], st.entry[i]


def _meet_count(
    model: CohortModel, st: State, lk: Lock, e: Event, lo_at: float, rng: np.random.Generator
) -> None:
    """Exactly ``lk.events`` of event ``e`` by ``lk.at`` in the lock's population."""
    at, t = lk.at, st.ev[e.name]
    cols = model.columns(st)
    hit = lk.mask & ~np.isnan(t) & (t <= at)
    need, have = lk.events, int(hit.sum())
    if have > need:
        for i in rng.permutation(np.flatnonzero(hit & (t > lo_at)))[: have - need]:
            lo, hi = model.window(st, cols, e, i)
            lo = max(lo, int(at) + 1)
            t[i] = float(rng.integers(lo, hi + 1)) if lo <= hi else np.nan
            for c in model.children[e.name]:
                st.ev[c.name][i] = np.nan
    elif have < need:
        elig = model.eligible(e, cols) & lk.mask & ~hit
        for i in rng.permutation(np.flatnonzero(elig)):
            if have >= need:
                break
            lo, hi = model.window(st, cols, e, i)
            lo, hi = max(lo, int(lo_at) + 1), min(hi, int(at))
            if lo > hi:
                continue
            t[i] = float(rng.integers(lo, hi + 1))
            for c in model.children[e.name]:
                ct = st.ev[c.name][i]
                if not np.isnan(ct) and ct < t[i]:
                    st.ev[c.name][i] = np.nan
            have += 1


def median_range_values(c: Covariate, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` values with exactly the published median, minimum and maximum, and exactly
    ``count`` values at or below each of the covariate's ``cuts``.

    Each rank of the sorted values gets the interval its constraints allow (between the
    extremes, the median and the cuts); a uniform draw per rank, sorted, keeps every count
    because the intervals are ordered like the ranks.
    """
    lo, hi, med = c.range[0], c.range[1], c.median
    if m == 1:
        return np.array([med])
    step = 10.0**-c.decimals
    below, above = (m - 1) // 2, m // 2  # ranks of the two middle values
    mids = [med, med]
    if m % 2 == 0 and c.decimals == 0 and med != round(med):
        # an even count of whole numbers with a .5 median: the two middle values
        mids = [math.floor(med), math.ceil(med)]
    low_edge = np.full(m, lo, float)
    high_edge = np.full(m, hi, float)
    low_edge[above:], high_edge[: below + 1] = med, med
    for at, k in c.cuts:
        if k >= m or (at < mids[0]) != (k <= below) or (at >= mids[-1]) != (k > above):
            raise ValueError(
                f"covariates '{c.name}': cuts at {at:g} ({k} of {m} values) "
                f"disagree with the median {med:g}"
            )
        high_edge[:k] = np.minimum(high_edge[:k], at)
        low_edge[k:] = np.maximum(low_edge[k:], at + step)
    vals = np.round(rng.uniform(low_edge, high_edge), c.decimals)
    vals = np.sort(np.clip(vals, low_edge, high_edge))
    vals[0], vals[-1] = lo, hi
    vals[below], vals[above] = mids
    return vals
