"""A time-dependent exposure (e.g. a transplant on a later day): counting-process rows,
Simon-Makuch Kaplan-Meier curves and the Mantel-Byar test.

A patient who is exposed on day ``x`` contributes *unexposed* time on (0, x] and
*exposed* time on (x, end]. Classifying the patient as exposed from day 0 instead
credits the exposed group with the days before ``x``, in which the patient had to
survive to be exposed at all (immortal time). The three functions here follow R's
``survival``: :func:`split_at_exposure` builds the rows ``tmerge(..., tdc())`` builds,
:func:`simon_makuch` is ``survfit(Surv(start, stop, event) ~ exposed)`` and
:func:`mantel_byar` is the log-rank-type test with those risk sets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from cart_hsct import checks

from ._common import KM_CONF_TYPES, KMConfType, chi2_sf, conf_type_check, groups, km_confint, zval
from .logrank import _chi2

__all__ = ["mantel_byar", "simon_makuch", "split_at_exposure"]

_SPLIT_COLUMNS = ["start", "stop", "event", "exposed"]


def split_at_exposure(
    df: pd.DataFrame,
    time: str,
    event: str,
    exposure_time: str,
    *,
    id: str | None = None,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """Counting-process (start, stop] rows with an exposure that switches on at a day.

    A patient with exposure day ``x`` and follow-up ``time`` gets two rows when
    ``0 < x < time``: (0, x] unexposed without event, and (x, time] exposed with the
    patient's event status. Otherwise one row (0, time]: exposed when ``x == 0``,
    unexposed when ``x`` is missing (never exposed) or ``x >= time`` (exposure at or
    after the end of follow-up: never exposed while under observation).

    **Ties.** An exposure on the day of the event (or of censoring) does not count: the
    event is attributed to the *unexposed* state. This is the (start, stop] convention
    of R's ``survival``: exposed at ``t`` means exposed strictly before ``t``, so that
    the status at a death is known before it. It is what
    ``tmerge(base, df, id, exposed = tdc(exposure_time))`` gives (a ``tdc`` time at or
    after ``tstop`` does not split; a ``tdc`` time at ``tstart`` applies from the start),
    and ``survSplit(..., cut = x)`` splits the same way.

    Parameters
    ----------
    df : DataFrame
        One row per patient.
    time : str
        Follow-up time from the time origin (> 0; a zero-length interval cannot be
        split or be at risk in (start, stop] data).
    event : str
        1 = event at ``time``, 0 = censored (missing is an error).
    exposure_time : str
        Day of the exposure on the same time scale (>= 0); missing = never exposed.
    id : str, optional
        Patient identifier to carry into the result (e.g. for
        :func:`cox_time_varying`); without it the result has a column ``row`` with the
        position of the patient in ``df``.
    keep : sequence of str
        Further columns (baseline covariates) to copy onto each of a patient's rows.

    Returns
    -------
    DataFrame
        id (or row), start, stop, event, exposed (0/1), then ``keep``; rows ordered
        by patient then start.
    """
    names = [c for c in (id, time, event, exposure_time) if c is not None]
    checks.columns(df, [*names, *keep], "data frame")
    stop = checks.durations(df[time], time)
    zero = stop <= 0
    if zero.any():
        raise ValueError(
            f"'{time}' is 0 for {zero.sum()} patients (rows {checks._rows(zero)}); a "
            "(start, stop] interval needs stop > start: drop them or give the follow-up "
            "of a patient who died on day 0 as a small positive time (R's tmerge also "
            "rejects them)."
        )
    status = checks.status(df[event], (0, 1), event)
    raw = pd.to_numeric(df[exposure_time], errors="coerce").to_numpy(float)
    text = df[exposure_time].notna().to_numpy() & np.isnan(raw)
    if text.any():
        raise ValueError(
            f"'{exposure_time}' has {text.sum()} non-numeric values "
            f"(rows {checks._rows(text)}); give the exposure day as a number, or leave "
            "it empty for a patient never exposed."
        )
    if np.isinf(raw).any():
        inf = np.isinf(raw)
        raise ValueError(
            f"'{exposure_time}' has {inf.sum()} infinite values (rows {checks._rows(inf)}); "
            "leave the exposure day empty (NaN) for a patient never exposed."
        )
    negative = raw < 0
    if negative.any():
        raise ValueError(
            f"'{exposure_time}' has {negative.sum()} negative values "
            f"(rows {checks._rows(negative)}); exposure days are measured from the time "
            f"origin of '{time}' and must be >= 0 (an exposure before the origin is a "
            "baseline covariate, not a time-dependent one)."
        )
    never = np.isnan(raw) | (raw >= stop)  # NaN compares False: handled by isnan
    at_start = ~never & (raw == 0)
    split = ~never & ~at_start
    n = len(df)
    # unexposed part of split patients, then every patient's last (or only) row
    pos = np.r_[np.flatnonzero(split), np.arange(n)]
    first = np.r_[np.ones(split.sum(), bool), np.zeros(n, bool)]
    last_start = np.where(split, raw, 0.0)
    out = pd.DataFrame(
        {
            "start": np.where(first, 0.0, last_start[pos]),
            "stop": np.where(first, raw[pos], stop[pos]),
            "event": np.where(first, 0, status[pos]).astype(int),
            "exposed": np.where(first, 0, (split | at_start)[pos]).astype(int),
        }
    )
    label = id if id is not None else "row"
    ident = df[id].to_numpy() if id is not None else np.arange(n)
    out.insert(0, label, ident[pos])
    for column in keep:
        out[column] = df[column].to_numpy()[pos]
    order = np.lexsort((out["start"].to_numpy(), pos))
    return out.iloc[order].reset_index(drop=True)


def _counting(start, stop, event, group, *, min_groups: int):
    """Validate (start, stop] rows with an event and a group label per row."""
    checks.same_length(start=start, stop=stop, event=event, exposed=group)
    t0 = checks.durations(start, "start")
    t1 = checks.durations(stop, "stop")
    if t0.size == 0:
        raise ValueError("'start' is empty: at least one interval is needed.")
    bad = t1 <= t0
    if bad.any():
        raise ValueError(
            f"'stop' must be greater than 'start': {bad.sum()} intervals are empty or "
            f"reversed (rows {checks._rows(bad)}); build the rows with split_at_exposure()."
        )
    e = checks.status(event, (0, 1), "event")
    labels, codes = groups(group, t0.size, name="exposed", min_groups=min_groups)
    return t0, t1, e, labels, codes


def _at_risk(t0: np.ndarray, t1: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Rows with start < t <= stop at each t: rows not yet ended minus rows not yet begun."""
    not_ended = t1.size - np.searchsorted(np.sort(t1), times, side="left")
    not_begun = t0.size - np.searchsorted(np.sort(t0), times, side="left")
    return not_ended - not_begun


def _sm_table(t0, t1, e, *, conf_type: str, z: float) -> pd.DataFrame:
    times = np.unique(t1)
    idx = np.searchsorted(times, t1)
    events = np.bincount(idx, weights=e, minlength=times.size).astype(np.int64)
    censored = np.bincount(idx, minlength=times.size) - events
    at_risk = _at_risk(t0, t1, times)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - events / at_risk)
        # Greenwood: sum d / (n (n - d)), infinite once everyone at risk dies, as in R
        incr = np.where(events > 0, events / (at_risk * (at_risk - events)), 0.0)
    se_log = np.sqrt(np.cumsum(incr))
    lower, upper = km_confint(surv, se_log, conf_type, z)
    with np.errstate(invalid="ignore"):
        std_err = surv * se_log
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "events": events,
            "censored": censored,
            "survival": surv,
            "std_err": std_err,
            "ci_lower": lower,
            "ci_upper": upper,
        }
    )


def simon_makuch(
    start: ArrayLike,
    stop: ArrayLike,
    event: ArrayLike,
    exposed: ArrayLike,
    *,
    conf_type: KMConfType,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Simon-Makuch Kaplan-Meier curves: survival by *current* exposure status.

    Each (start, stop] row counts in the risk set of its own status at times t with
    start < t <= stop, so a patient is "unexposed" until the exposure day and
    "exposed" afterwards, and the exposed curve gains patients as exposures happen.
    Same numbers as R ``summary(survfit(Surv(start, stop, event) ~ exposed,
    conf.type = <ct>), censored = TRUE)`` (Greenwood variance, R's CI transforms; a
    row ending at the exposure day counts as censored in the unexposed curve).

    Parameters
    ----------
    start, stop : array of float
        Interval bounds, 0 <= start < stop (e.g. from :func:`split_at_exposure`).
    event : array of {0, 1}
        1 = event at ``stop``.
    exposed : array
        Exposure status of the row (0/1, or any labels: one curve per label).
    conf_type : {"plain", "log", "log-log", "arcsine"}
        As in :func:`km_table`; no default, for the same reason.
    alpha : float
        1 - confidence level.

    Returns
    -------
    DataFrame
        group, time, at_risk, events, censored, survival, std_err, ci_lower, ci_upper:
        one row per distinct ``stop`` time of the group, as :func:`km_table`.

    References
    ----------
    Simon R, Makuch RW (1984). Stat Med 3:35-44.
    """
    conf_type_check(conf_type, KM_CONF_TYPES)
    z = zval(alpha)
    t0, t1, e, labels, codes = _counting(start, stop, event, exposed, min_groups=1)
    parts = []
    for k, label in enumerate(labels):
        sel = codes == k
        part = _sm_table(t0[sel], t1[sel], e[sel], conf_type=conf_type, z=z)
        part.insert(0, "group", label)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def mantel_byar(start: ArrayLike, stop: ArrayLike, event: ArrayLike, exposed: ArrayLike) -> dict:
    """Mantel-Byar test: a log-rank test whose risk sets follow the current exposure.

    At each distinct event time t, each row with start < t <= stop is at risk in the
    group of its current status; observed minus expected events and the hypergeometric
    variance ``d (n - d) / (n - 1) * n_g / n * (1 - n_g / n)`` are summed over event
    times, exactly as the log-rank test (R ``survdiff``) does for fixed groups. R's
    ``survdiff`` accepts right-censored data only; no R function has this name. The
    statistic equals

    * the sums written out by hand in R (``tests/reference/make_time_dependent_fixtures.R``);
    * without tied event times, the score test of R
      ``coxph(Surv(start, stop, event) ~ exposed)``
      (``fit$score``; :func:`cox_time_varying`'s ``tests.loc["score"]``). With ties
      the two differ slightly: the Cox score variance has no (n - d) / (n - 1) factor
      (Breslow) or another correction (Efron).

    With fixed groups and delayed entry (start > 0) it is the log-rank test for
    left-truncated data.

    Parameters
    ----------
    start, stop, event, exposed
        As in :func:`simon_makuch`; at least two statuses. With more than two, the
        K-sample version (df = K - 1, first status as reference, as ``survdiff``).

    Returns
    -------
    dict
        chi2, df, p, and ``groups``: a DataFrame with group, observed, expected
        (events per status, and the number expected under no difference).

    Raises
    ------
    ValueError
        When the variance is 0 (no event time with two statuses at risk and a survivor),
        where R's sums give 0/0.

    References
    ----------
    Mantel N, Byar DP (1974). J Am Stat Assoc 69:81-86.
    """
    t0, t1, e, labels, codes = _counting(start, stop, event, exposed, min_groups=2)
    k = len(labels)
    times = np.unique(t1[e == 1])
    risk_g = np.column_stack(
        [_at_risk(t0[codes == g], t1[codes == g], times) for g in range(k)]
    ).astype(float)
    died = e == 1
    idx = np.searchsorted(times, t1[died])
    deaths_g = np.zeros((times.size, k))
    np.add.at(deaths_g, (idx, codes[died]), 1.0)
    n, d = risk_g.sum(axis=1), deaths_g.sum(axis=1)
    share = risk_g / n[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    var = np.einsum("t,tj,tk->jk", factor, share, -share)
    var[np.diag_indices(k)] += (factor[:, None] * share).sum(axis=0)
    fit = {
        "observed": deaths_g.sum(axis=0),
        "expected": (d[:, None] * share).sum(axis=0),
        "var": var,
    }
    try:
        stat, df = _chi2(fit)
    except np.linalg.LinAlgError:
        stat, df = np.nan, 0
    if not np.isfinite(stat):
        # zero variance: no death time with patients of two statuses at risk and a survivor
        # (R's hand-written sums give 0/0 = NaN, survdiff's solve() an error)
        raise ValueError(
            "The Mantel-Byar test has no information on these data: at no event time were "
            "patients of two different statuses at risk with at least one of them surviving "
            "(variance 0). Check the exposure coding, or compare fewer statuses."
        )
    return {
        "chi2": stat,
        "df": df,
        "p": chi2_sf(stat, df) if df > 0 else 1.0,
        "groups": pd.DataFrame(
            {"group": labels, "observed": fit["observed"], "expected": fit["expected"]}
        ),
    }
