"""Moves of the causes of death: exchanged between deaths, or repaired.

A cause is an attribute of a death (``moves.switch_patient`` carries it along); these
moves change which death has which cause, keeping the counts by cause. ``repair_cause``
is phase 1's move aimed at a death whose cause's condition fails.
"""

from __future__ import annotations

import numpy as np

from .model import CohortModel, State, carry_children

__all__ = ["exchange_causes", "repair_cause"]

REPAIR_BY_EXCHANGE = 0.5  # repair by exchanging the cause (else by moving an event)
REPAIR_BY_SWITCH = 0.7  # ... by taking another patient's event (else a new day)


def exchange_causes(
    model: CohortModel, st: State, i: int, others: np.ndarray, rng: np.random.Generator
):
    """Exchange the cause of death of patient ``i`` with one of ``others`` (the counts
    by cause are kept); None when there is nobody to exchange with."""
    if others.size == 0:
        return None
    j = others[rng.integers(others.size)]
    undo = [(st.cause, i, st.cause[i]), (st.cause, j, st.cause[j])]
    st.cause[i], st.cause[j] = st.cause[j], st.cause[i]
    return {model.cause_column}, undo


def repair_cause(model: CohortModel, st: State, cols: dict, rng: np.random.Generator):
    """A move aimed at a death whose cause's condition fails: exchange its cause with
    another death's, or move an event the condition names to this patient."""
    n = model.n
    death = st.ev[model.terminal.name]
    bad = []
    for lab, c in model.causes.items():
        if c.where is not None:
            ok = np.asarray(c.where(cols, n), bool)
            bad.extend((i, c) for i in np.flatnonzero((st.cause == lab) & ~ok & ~np.isnan(death)))
    if not bad:
        return None
    i, c = bad[rng.integers(len(bad))]
    if rng.random() < REPAIR_BY_EXCHANGE:
        return exchange_causes(
            model, st, i, np.flatnonzero(~np.isnan(death) & (st.cause != st.cause[i])), rng
        )
    evs = [e for e in model.spec.events if e.column in c.where.names and not e.terminal]
    if not evs:
        return None
    e = evs[rng.integers(len(evs))]
    t = st.ev[e.name]
    if not np.isnan(t[i]):
        return None
    lo, hi = model.window(st, cols, e, i)
    if lo > hi or not model.eligible(e, cols)[i]:
        return None
    holders = np.flatnonzero(~np.isnan(t))
    undo = [(t, i, t[i])]
    if holders.size and rng.random() < REPAIR_BY_SWITCH:
        j = holders[rng.integers(holders.size)]
        undo.append((t, j, t[j]))
        t[i] = t[j] if lo <= t[j] <= hi else float(rng.integers(lo, hi + 1))
        t[j] = np.nan
        changed = {e.column} | carry_children(model, st, e, j, None, 0.0, undo)
        return changed, undo
    t[i] = float(rng.integers(lo, hi + 1))
    return {e.column}, undo
