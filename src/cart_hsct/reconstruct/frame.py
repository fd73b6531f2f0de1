"""A pseudo-cohort's state as the table written to ``data/cohorts/<cohort>.csv``.

Columns and their types: ``data/cohorts/README.md``. Rows are ordered by group (in the
spec's order) and entry day; patient ids are ``<cohort>-001`` ...
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .model import CohortModel, State

__all__ = ["cohort_frame"]


def cohort_frame(model: CohortModel, st: State) -> pd.DataFrame:
    """One row per pseudo-patient: group, covariates, entry date, follow-up, event days,
    cause of death, derived columns and endpoints."""
    s, n = model.spec, model.n
    cols = model.columns(st, final=True)
    order = np.lexsort((st.entry, _group_rank(model, st.group)))
    out: dict[str, object] = {"patient_id": [f"{s.cohort}-{k + 1:03d}" for k in range(n)]}
    if model.group_column:
        out[model.group_column] = st.group[order]
    for c in s.covariates:
        out[c.name] = _typed(cols[c.name][order], c.kind, c.decimals)
    start = pd.Timestamp(s.design.accrual_start)
    out["entry_date"] = [
        (start + pd.Timedelta(days=int(d))).date().isoformat() for d in st.entry[order]
    ]
    out["followup_days"] = pd.array((model.horizon - st.entry[order]).astype(int), "Int64")
    for e in s.events:
        out[e.column] = _typed(st.ev[e.name][order], "continuous", 0)
    if model.cause_column:
        out[model.cause_column] = _typed(st.cause[order], "categorical", 0)
    for name in s.derived:
        out[name] = _typed(cols[name][order], "derived", 0)
    for ep in s.endpoints.values():
        out[f"{ep.name}_days"] = _typed(cols[f"{ep.name}_days"][order], "continuous", 0)
        out[f"{ep.name}_event"] = _typed(cols[f"{ep.name}_event"][order], "continuous", 0)
        if ep.competing:
            out[f"{ep.name}_status"] = _typed(cols[f"{ep.name}_status"][order], "continuous", 0)
    return pd.DataFrame(out)


def _group_rank(model: CohortModel, group: np.ndarray) -> np.ndarray:
    if not model.spec.groups:
        return np.zeros(group.size)
    rank = {g: k for k, g in enumerate(model.spec.groups.sizes)}
    return np.array([rank[g] for g in group])


def _typed(values: np.ndarray, kind: str, decimals: int):
    if kind == "categorical":
        labels = [v for v in values if v is not None]
        if labels and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in labels
        ):
            return pd.array([None if v is None else int(v) for v in values], "Int64")
        return pd.array([None if v is None else str(v) for v in values], "string")
    arr = np.asarray(values, float)
    if (kind == "derived" or decimals == 0) and np.all(np.isnan(arr) | (arr == np.round(arr))):
        return pd.array([None if math.isnan(v) else int(v) for v in arr], "Int64")
    if kind == "derived":
        # computed (e.g. an age from another age and an interval): no published precision,
        # so keep what the fit saw, to 6 decimals for a stable CSV
        return np.round(arr, 6)
    return np.round(arr, decimals)
