"""Kaplan-Meier estimates, survival at chosen times, median survival and median follow-up.

Every number follows R's ``survival`` package (3.5): Greenwood variance, the
``conf.type`` transforms of ``survfit``, ``summary.survfit`` for values at chosen
times and ``quantile.survfit`` (what ``print.survfit`` shows) for medians.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._common import (
    KM_CONF_TYPES,
    R_TOL,
    KMConfType,
    conf_type_check,
    groups,
    km_confint,
    norm_sf,
    time_event,
    zval,
)

__all__ = [
    "km_at",
    "km_compare_at",
    "km_median",
    "km_table",
    "median_followup",
    "median_symmetric_ci",
]

_TABLE_COLUMNS = [
    "time",
    "at_risk",
    "events",
    "censored",
    "survival",
    "std_err",
    "ci_lower",
    "ci_upper",
]


def _km_core(time: np.ndarray, event: np.ndarray) -> dict[str, np.ndarray]:
    """Product-limit estimate at every distinct time (event or censoring).

    Returns times, at-risk, events, censored, survival and ``se_logS`` (the
    Greenwood standard error of the cumulative hazard, which is what R keeps in
    ``survfit(...)$std.err``).
    """
    times, inverse = np.unique(time, return_inverse=True)
    n_total = np.bincount(inverse, minlength=times.size)
    events = np.bincount(inverse, weights=event, minlength=times.size).astype(np.int64)
    censored = n_total - events
    # patients still under observation just before each time
    at_risk = n_total[::-1].cumsum()[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = 1.0 - events / at_risk
        surv = np.cumprod(step)
        # Greenwood increment d / (n (n - d)); infinite once everyone at risk dies, as in R
        incr = np.where(events > 0, events / (at_risk * (at_risk - events)), 0.0)
    se_log = np.sqrt(np.cumsum(incr))
    return {
        "time": times,
        "at_risk": at_risk,
        "events": events,
        "censored": censored,
        "survival": surv,
        "se_log": se_log,
    }


def _by_group(fn, time, event, group, event_name="event", **kw) -> pd.DataFrame:
    t, e = time_event(time, event, event_name=event_name)
    if group is None:
        return fn(t, e, **kw)
    labels, codes = groups(group, t.size)
    parts = []
    for k, label in enumerate(labels):
        sel = codes == k
        part = fn(t[sel], e[sel], **kw)
        part.insert(0, "group", label)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _table(t: np.ndarray, e: np.ndarray, *, conf_type: str, alpha: float) -> pd.DataFrame:
    fit = _km_core(t, e)
    lower, upper = km_confint(fit["survival"], fit["se_log"], conf_type, zval(alpha))
    with np.errstate(invalid="ignore"):
        std_err = fit["survival"] * fit["se_log"]  # summary.survfit: std.err * surv (0 * Inf = NaN)
    return pd.DataFrame(
        {
            "time": fit["time"],
            "at_risk": fit["at_risk"],
            "events": fit["events"],
            "censored": fit["censored"],
            "survival": fit["survival"],
            "std_err": std_err,
            "ci_lower": lower,
            "ci_upper": upper,
        }
    )


def km_table(
    time: ArrayLike,
    event: ArrayLike,
    *,
    conf_type: KMConfType,
    alpha: float = 0.05,
    group: ArrayLike | None = None,
) -> pd.DataFrame:
    """Kaplan-Meier estimate as a tidy table, one row per distinct time.

    Same numbers as R ``summary(survfit(Surv(time, event) ~ 1, conf.type=<ct>),
    censored=TRUE)``; ``"arcsine"`` is R's ``"arcsin"``.

    Parameters
    ----------
    time : array of float
        Follow-up times, >= 0.
    event : array of {0, 1}
        1 = event, 0 = censored.
    conf_type : {"plain", "log", "log-log", "arcsine"}
        Transform for the pointwise CI, spelled as in R's ``survfit``. No default:
        R (``"log"``) and lifelines (``"log-log"``) disagree, and papers rarely say.
    alpha : float
        1 - confidence level.
    group : array, optional
        Fit one curve per group; the result then starts with a ``group`` column.

    Returns
    -------
    DataFrame
        time, at_risk, events, censored, survival, std_err (standard error of the
        survival probability, Greenwood), ci_lower, ci_upper. Where R gives NA
        (e.g. a log-log limit at S = 1 or S = 0) the value is NaN.
    """
    conf_type_check(conf_type, KM_CONF_TYPES)
    return _by_group(_table, time, event, group, conf_type=conf_type, alpha=alpha)


def _km_at_kernel(
    t: np.ndarray, e: np.ndarray, times: np.ndarray, conf_type: str, z: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Survival, its standard error and CI at ``times``: the numpy core of :func:`km_at`.

    Takes already-validated arrays (float times >= 0, 0/1 events, at least one patient)
    and a checked ``conf_type``; :func:`km_at` validates and calls this, and so does the
    reconstruction's inner loop, which validates its cohort once.
    """
    fit = _km_core(t, e)
    # Prepend the curve's start (R's survfit0): S = 1, se = 0, CI = [1, 1].
    lower, upper = km_confint(fit["survival"], fit["se_log"], conf_type, z)
    surv = np.r_[1.0, fit["survival"]]
    se_log = np.r_[0.0, fit["se_log"]]
    lower, upper = np.r_[1.0, lower], np.r_[1.0, upper]
    # number of curve times <= requested time, i.e. R's findInterval(); beyond the last
    # observation this is the last row, which is R's summary(..., extend=TRUE)
    idx = np.searchsorted(fit["time"], times, side="right")
    with np.errstate(invalid="ignore"):
        std_err = surv[idx] * se_log[idx]
    return surv[idx], std_err, lower[idx], upper[idx]


def _at(
    t: np.ndarray, e: np.ndarray, *, times: np.ndarray, conf_type: str, alpha: float
) -> pd.DataFrame:
    surv, std_err, lower, upper = _km_at_kernel(t, e, times, conf_type, zval(alpha))
    return pd.DataFrame(
        {
            "time": times,
            "survival": surv,
            "std_err": std_err,
            "ci_lower": lower,
            "ci_upper": upper,
        }
    )


def km_at(
    time: ArrayLike,
    event: ArrayLike,
    times: ArrayLike | Sequence[float],
    *,
    conf_type: KMConfType,
    alpha: float = 0.05,
    group: ArrayLike | None = None,
) -> pd.DataFrame:
    """Kaplan-Meier survival, its standard error and CI at chosen times.

    Same numbers as R ``summary(survfit(Surv(time, event) ~ 1, conf.type=<ct>),
    times=<times>, extend=TRUE)``: the value at ``t`` is the curve's value at the
    last time <= ``t`` (1 before the first event). Times beyond the last
    observation are *kept* and carry the last value of the curve, its standard
    error and CI forward -- R's ``extend=TRUE`` behaviour; with R's default
    ``extend=FALSE`` such rows are silently dropped instead. Unlike R, rows come
    back in the order the times were given (R sorts them).

    Parameters
    ----------
    time, event, conf_type, alpha, group
        As in :func:`km_table`.
    times : array of float
        Times (>= 0) at which to read the curve.

    Returns
    -------
    DataFrame
        [group,] time, survival, std_err, ci_lower, ci_upper.
    """
    conf_type_check(conf_type, KM_CONF_TYPES)
    from cart_hsct import checks

    at = checks.durations(np.atleast_1d(np.asarray(times, dtype=float)), "times")
    return _by_group(_at, time, event, group, times=at, conf_type=conf_type, alpha=alpha)


def km_compare_at(time: ArrayLike, event: ArrayLike, group: ArrayLike, *, at: float) -> dict:
    """Test the difference of two Kaplan-Meier estimates at one fixed time.

    ``z = (S_a - S_b) / sqrt(se_a^2 + se_b^2)`` with Greenwood standard errors, two-sided
    normal p-value (Klein et al., *Stat Med* 2007;26:4505-19, the untransformed test).
    R has no function for it; it is the formula written out on ``summary(survfit(...),
    times = at, extend = TRUE)`` (fixture ``tests/reference/make_fixed_time_fixtures.R``).
    A curve that has reached 0 has no spread left: its variance counts as 0, where R's
    ``std.err`` is NaN. Unlike the log-rank test, this compares one time point only.

    Parameters
    ----------
    time, event : as in :func:`km_table`.
    group : array
        Exactly two labels; ``group_a`` is the first in sorted order.
    at : float
        The time (>= 0) at which the curves are compared, e.g. 1095 for 3 years in days.

    Returns
    -------
    dict
        group_a, group_b, survival_a, survival_b, difference (a - b), std_err, z, p;
        z and p are NaN when both variances are 0 (nothing left to test).
    """
    from cart_hsct import checks

    t, e = time_event(time, event)
    labels, codes = groups(group, t.size, min_groups=2)
    if len(labels) != 2:
        raise ValueError(
            f"'group' has {len(labels)} distinct values ({list(labels)}); "
            "km_compare_at compares exactly two: subset the data to one pair."
        )
    when = checks.durations(np.atleast_1d(float(at)), "at")
    est = []
    for k in (0, 1):
        surv, std_err, _, _ = _km_at_kernel(t[codes == k], e[codes == k], when, "log", 1.0)
        est.append((float(surv[0]), 0.0 if surv[0] == 0 else float(std_err[0]) ** 2))
    (s_a, v_a), (s_b, v_b) = est
    se = float(np.sqrt(v_a + v_b))
    z = (s_a - s_b) / se if se > 0 else np.nan
    return {
        "group_a": labels[0],
        "group_b": labels[1],
        "survival_a": s_a,
        "survival_b": s_b,
        "difference": s_a - s_b,
        "std_err": se,
        "z": z,
        "p": float(2 * norm_sf(abs(z))) if se > 0 else np.nan,
    }


def _findq(x: np.ndarray, y: np.ndarray, p: float, tol: float = R_TOL) -> float:
    """R ``survival:::findq``: the time at which the curve 1 - S first reaches ``p``.

    A plateau within ``tol`` of ``p`` gives the midpoint between its start and the
    next drop (or the last follow-up time when the plateau is the end of the curve).
    """
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return np.nan
    xmax = x[-1]
    # R's !duplicated(y), NaN counting as one value (1 - S lies in [0, 1], so +inf is free)
    _, first = np.unique(np.where(np.isnan(y), np.inf, y), return_index=True)
    keep = np.zeros(y.size, bool)
    keep[first] = True
    x, y = x[keep], y[keep]
    n = y.size
    valid = ~np.isnan(y)
    pos = np.flatnonzero(valid)

    def approx_const_right(shift: float) -> float:
        # approx(y + shift, 1:n, p, method="constant", f=1): smallest knot >= p, NA outside
        knots = y[valid] + shift
        order = np.argsort(knots, kind="stable")
        knots, idx = knots[order], pos[order]
        if p < knots[0] or p > knots[-1]:
            return np.nan
        return float(idx[np.searchsorted(knots, p, side="left")])

    i1, i2 = approx_const_right(tol), approx_const_right(-tol)
    quant = np.nan if np.isnan(i1) or np.isnan(i2) else (x[int(i1)] + x[int(i2)]) / 2
    if not np.isnan(y[n - 1]) and abs(p - y[n - 1]) < tol and not np.isnan(i1):
        quant = (x[int(i1)] + xmax) / 2
    return float(quant)


def _none(v: float) -> float | None:
    return None if np.isnan(v) else float(v)


def _km_median_kernel(
    t: np.ndarray, e: np.ndarray, conf_type: str, z: float
) -> tuple[float, float, float]:
    """(median, ci_lower, ci_upper) by R's rule, NaN = not reached: the core of
    :func:`km_median` and :func:`median_followup` for already-validated arrays."""
    fit = _km_core(t, e)
    lower, upper = km_confint(fit["survival"], fit["se_log"], conf_type, z)
    x = np.r_[0.0, fit["time"]]
    return (
        _findq(x, np.r_[0.0, 1 - fit["survival"]], 0.5),
        # the lower band crosses 0.5 first: it gives the lower limit of the median
        _findq(x, np.r_[0.0, 1 - lower], 0.5),
        _findq(x, np.r_[0.0, 1 - upper], 0.5),
    )


def _km_first_at_or_below(t: np.ndarray, e: np.ndarray, p: float = 0.5) -> float:
    """First time at which the Kaplan-Meier curve is <= ``p`` (NaN if never).

    The median rule of SPSS and Prism (no midpoint of a plateau at exactly ``p``),
    read off the same product-limit estimate as :func:`km_table`; ``R_TOL`` absorbs
    floating-point noise in the product (5/10 * 1 is 0.5, so is 3/6).
    """
    fit = _km_core(t, e)
    below = np.flatnonzero(fit["survival"] <= p + R_TOL)
    return float(fit["time"][below[0]]) if below.size else float("nan")


def _median(
    t: np.ndarray, e: np.ndarray, *, conf_type: str, alpha: float, rule: str = "R"
) -> pd.DataFrame:
    med, lo, hi = _km_median_kernel(t, e, conf_type, zval(alpha))
    if rule == "first_below":
        med = _km_first_at_or_below(t, e, 0.5)
    q = {"median": med, "ci_lower": lo, "ci_upper": hi}
    return pd.DataFrame({k: [_none(v)] for k, v in q.items()}, dtype=object)


def km_median(
    time: ArrayLike,
    event: ArrayLike,
    *,
    conf_type: KMConfType,
    alpha: float = 0.05,
    group: ArrayLike | None = None,
    rule: Literal["R", "first_below"] = "R",
) -> dict[str, float | None] | pd.DataFrame:
    """Median survival with its CI, by R's rule (default) or SPSS's.

    Same numbers as R ``quantile(survfit(Surv(time, event) ~ 1, conf.type=<ct>),
    0.5)`` and the median/LCL/UCL columns of ``print(survfit(...))``: the median is
    the first time at which S <= 0.5, except that when S equals 0.5 (within
    ``sqrt(.Machine$double.eps)``) on a plateau the midpoint of the plateau is
    taken. The CI limits are the times at which the lower and upper CI bands first
    reach 0.5, by the same rule. ``rule="first_below"`` reports the first time at
    which S <= 0.5 even on such a plateau, as SPSS and Prism do (R:
    ``min(fit$time[fit$surv <= 0.5 + sqrt(.Machine$double.eps)])``); the CI stays R's.

    Returns
    -------
    dict or DataFrame
        ``{"median", "ci_lower", "ci_upper"}``; ``None`` means not reached. With
        ``group`` a DataFrame with one row per group.
    """
    conf_type_check(conf_type, KM_CONF_TYPES)
    if rule not in ("R", "first_below"):
        raise ValueError(f"rule must be 'R' or 'first_below', got {rule!r}.")
    out = _by_group(_median, time, event, group, conf_type=conf_type, alpha=alpha, rule=rule)
    if group is None:
        return out.iloc[0].to_dict()
    return out


def median_followup(
    time: ArrayLike,
    event: ArrayLike,
    *,
    conf_type: KMConfType = "log",
    alpha: float = 0.05,
) -> dict[str, float | None]:
    """Median follow-up by the reverse Kaplan-Meier method (Schemper & Smith 1996).

    Censoring is treated as the event and events as censoring: R
    ``quantile(survfit(Surv(time, 1 - event) ~ 1, conf.type=<ct>), 0.5)``.
    ``conf_type`` defaults to R's ``"log"`` here because this quantity is a
    description of follow-up, not a result the papers compare across methods.

    Returns
    -------
    dict
        median, ci_lower, ci_upper (``None`` = not reached).
    """
    conf_type_check(conf_type, KM_CONF_TYPES)
    t, e = time_event(time, event)
    return _median(t, 1 - e, conf_type=conf_type, alpha=alpha).iloc[0].to_dict()


def _median_symmetric_kernel(
    t: np.ndarray, e: np.ndarray, median: float, z: float
) -> tuple[float, float]:
    """The numpy core of :func:`median_symmetric_ci` (validated arrays)."""
    fit = _km_core(t, e)
    hit = fit["events"] > 0
    times, surv = fit["time"][hit], fit["survival"][hit]
    upper, lower = np.flatnonzero(surv >= 0.55), np.flatnonzero(surv <= 0.45)
    if upper.size == 0 or lower.size == 0 or not np.isfinite(median):
        return float("nan"), float("nan")
    u, low = upper[-1], lower[0]
    slope = (surv[u] - surv[low]) / (times[low] - times[u])
    _, se_s, _, _ = _km_at_kernel(t, e, np.array([float(median)]), "plain", z)
    half = z * float(se_s[0]) / slope
    return float(median - half), float(median + half)


def median_symmetric_ci(
    time: ArrayLike,
    event: ArrayLike,
    median: float,
    *,
    alpha: float = 0.05,
) -> tuple[float | None, float | None]:
    """A symmetric interval for a Kaplan-Meier median: ``median ± z SE``.

    ``SE = SE(S(median)) / f``, with Greenwood's standard error of the survival at the
    median and ``f = (S(u) - S(l)) / (l - u)`` the slope of the curve around it: ``u`` the
    last event time with ``S >= 0.55``, ``l`` the first with ``S <= 0.45`` (Collett 2015,
    section 2.4). This is the kind of interval SPSS prints beside a median; R's
    ``quantile(survfit(...))`` inverts the pointwise band instead and is not symmetric.
    No R function gives it; ``tests/reference/make_median_ci_fixtures.R`` writes the
    formula out on ``survfit`` and ``summary(survfit, times = median)$std.err``.

    For median follow-up, pass ``1 - event`` (the reverse Kaplan-Meier curve).

    Returns
    -------
    tuple
        (lower, upper); ``(None, None)`` when the curve never reaches 0.55 or 0.45 at an
        event time, or the median is missing.
    """
    t, e = time_event(time, event)
    m = float("nan") if median is None else float(median)
    lo, hi = _median_symmetric_kernel(t, e, m, zval(alpha))
    return (None, None) if np.isnan(lo) else (lo, hi)
