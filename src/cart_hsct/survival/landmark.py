"""Landmark analysis of an exposure that starts on a later day (e.g. a transplant).

Fix a landmark day ``L``; keep the patients still at risk at ``L`` (and, optionally, only
those who could still be exposed then: a restricted comparator); classify them by whether
they were exposed *by* ``L``; and measure time from ``L``. Nobody is classified by
something that happens after the start of their follow-up, so there is no immortal time.
Patients exposed after ``L`` stay unexposed (Anderson, Cain & Gelber 1983).

R equivalent::

    d <- subset(base, time > L & eligible)
    d$exposed <- as.integer(!is.na(d$exposure_day) & d$exposure_day <= L)
    coxph(Surv(time - L, event) ~ exposed, data = d)
    survdiff(Surv(time - L, event) ~ exposed, data = d)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .cox import cox
from .logrank import logrank

__all__ = ["landmark_cox", "landmark_data"]


def landmark_data(
    df: pd.DataFrame,
    time: str,
    event: str,
    exposure_time: str,
    *,
    day: float,
    eligible: ArrayLike | None = None,
) -> pd.DataFrame:
    """The landmark data set: patients at risk at ``day``, exposure by ``day``, time from it.

    Parameters
    ----------
    df : DataFrame
        One row per patient.
    time, event : str
        Follow-up from the time origin and its event indicator (1 event, 0 censored).
    exposure_time : str
        Day of the exposure on the same scale; missing = never exposed.
    day : float
        The landmark. A patient is at risk at it when ``time > day``.
    eligible : array of bool, optional
        Patients who may enter at all (aligned with ``df``), e.g. those in remission and
        relapse-free at the landmark: the comparator is then restricted to patients who
        could still have been exposed.

    Returns
    -------
    DataFrame
        The rows of ``df`` kept, plus ``exposed_by_landmark`` (0/1), ``exposed_later``
        (0/1: exposed after the landmark, counted as unexposed) and ``time_from_landmark``.
    """
    for col in (time, event, exposure_time):
        if col not in df.columns:
            raise KeyError(f"landmark_data(): no column '{col}'; columns: {list(df.columns)}")
    keep = df[time].to_numpy(float) > day
    if eligible is not None:
        eligible = np.asarray(eligible, dtype=bool)
        if eligible.shape != keep.shape:
            raise ValueError(
                f"landmark_data(): eligible has {eligible.size} values for {keep.size} patients"
            )
        keep &= eligible
    out = df[keep].copy()
    x = out[exposure_time].astype(float).to_numpy()
    out["exposed_by_landmark"] = (x <= day).astype(int)  # NaN (never exposed) compares False
    out["exposed_later"] = (x > day).astype(int)
    out["time_from_landmark"] = out[time].astype(float) - day
    return out


def landmark_cox(
    df: pd.DataFrame,
    time: str,
    event: str,
    exposure_time: str,
    *,
    day: float,
    eligible: ArrayLike | None = None,
    alpha: float = 0.05,
) -> dict:
    """Hazard ratio of exposure by the landmark, from the landmark on, and its tests.

    Returns
    -------
    dict
        hr, ci_lower, ci_upper, p (Wald), logrank_p, n (at risk at the landmark), events
        (after it), exposed (by it), exposed_later. The estimates are NaN when everyone
        or nobody at risk was exposed by the landmark: there is nothing to compare.
    """
    lm = landmark_data(df, time, event, exposure_time, day=day, eligible=eligible)
    out = {
        "n": len(lm),
        "events": int(lm[event].sum()),
        "exposed": int(lm["exposed_by_landmark"].sum()),
        "exposed_later": int(lm["exposed_later"].sum()),
    }
    if lm["exposed_by_landmark"].nunique() < 2:
        return {
            "hr": np.nan,
            "ci_lower": np.nan,
            "ci_upper": np.nan,
            "p": np.nan,
            "logrank_p": np.nan,
            **out,
        }
    fit = cox(lm, "time_from_landmark", event, ["exposed_by_landmark"], alpha=alpha)
    row = fit.summary.set_index("term").loc["exposed_by_landmark"]
    test = logrank(lm["time_from_landmark"], lm[event], lm["exposed_by_landmark"])
    return {
        "hr": float(row["hr"]),
        "ci_lower": float(row["ci_lower"]),
        "ci_upper": float(row["ci_upper"]),
        "p": float(row["p"]),
        "logrank_p": float(test["p"]),
        **out,
    }
