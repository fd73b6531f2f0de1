"""Competing risks: Aalen-Johansen cumulative incidence and Gray's K-sample test.

Estimates and variances are those of R ``cmprsk::cuminc`` (Gray's Fortran
routines ``cinc`` and ``crstm``), or, on request, the infinitesimal-jackknife variance of
R ``survival::survfit``'s Aalen-Johansen curves, rewritten here with numpy so that they are
deterministic with tied times (lifelines' ``AalenJohansenFitter`` jitters ties
at random) and fast enough for the reconstruction's inner loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from cart_hsct import checks

from ._common import chi2_sf, conf_type_check, groups, zval

__all__ = ["cuminc", "gray_test"]

CIF_CONF_TYPES = ("log", "log-log", "plain")


def _time_status(time, status, cause: int, absent: str = "raise") -> tuple[np.ndarray, np.ndarray]:
    checks.same_length(time=time, status=status)
    t = checks.durations(time, "time")
    if t.size == 0:
        raise ValueError("'time' is empty: at least one patient is needed.")
    raw = status.to_numpy() if isinstance(status, pd.Series) else np.asarray(status)
    num = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(float)
    # declared codes: 0 = censored, any other non-negative integer is a cause
    codes = np.unique(num[np.isfinite(num)])
    allowed = [int(c) for c in codes if c >= 0 and c == int(c)]
    s = checks.status(raw, allowed or [0], "status")
    if cause == 0 or int(cause) != cause:
        raise ValueError(
            f"'cause' must be a non-zero integer status code (0 = censored), got {cause!r}."
        )
    if absent == "raise" and not np.any(s == cause):
        present = sorted(set(s.tolist()) - {0})
        raise ValueError(
            f"'status' has no patient with cause {cause} (causes present: {present}); "
            "check the cause code."
        )
    return t, s


def _cif_steps(t: np.ndarray, s: np.ndarray, cause: int) -> dict[str, np.ndarray]:
    """Cumulative incidence of ``cause`` and cmprsk's variance at each distinct time.

    Follows Gray's ``cinc``: the variance is a delta-method estimate that is
    updated only at times with an event of the cause of interest, while its
    three running sums also collect the competing events.
    """
    times, inverse = np.unique(t, return_inverse=True)
    n_t = np.bincount(inverse, minlength=times.size)
    d1 = np.bincount(inverse, weights=(s == cause), minlength=times.size)
    d_any = np.bincount(inverse, weights=(s != 0), minlength=times.size)
    d2 = d_any - d1
    rs = n_t[::-1].cumsum()[::-1].astype(float)
    km_after = np.cumprod(1.0 - d_any / rs)  # all-cause KM, right-continuous
    km_before = np.r_[1.0, km_after[:-1]]
    f = np.cumsum(km_before * d1 / rs)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_after = np.where(km_after > 0, 1.0 / km_after, 0.0)

        # competing events (skipped by cinc once the all-cause KM reaches 0)
        t5 = np.where(d2 > 1, 1.0 - (d2 - 1.0) / (rs - 1.0), 1.0)
        w2 = np.where((d2 > 0) & (km_after > 0), km_before**2 * t5 * d2 / rs**2, 0.0)
        a2 = f * inv_after  # t4 in cinc
        # events of the cause of interest
        t5 = np.where(d1 > 1, 1.0 - (d1 - 1.0) / (rs - 1.0), 1.0)
        w1 = np.where(d1 > 0, km_before**2 * t5 * d1 / rs**2, 0.0)
        b1 = 1.0 + inv_after * f
    v1 = np.cumsum(a2 * a2 * w2 + b1 * b1 * w1)
    v2 = np.cumsum(inv_after * a2 * w2 + inv_after * b1 * w1)
    v3 = np.cumsum(inv_after * inv_after * (w2 + w1))
    var_at_jump = v1 + f * f * v3 - 2 * f * v2
    # carry the variance forward from the last time with an event of this cause
    last_jump = np.maximum.accumulate(np.where(d1 > 0, np.arange(times.size), -1))
    var = np.where(last_jump >= 0, var_at_jump[np.maximum(last_jump, 0)], 0.0)
    return {"time": times, "estimate": f, "variance": var, "jump": d1 > 0}


def _cif_steps_survfit(t: np.ndarray, s: np.ndarray, cause: int) -> dict[str, np.ndarray]:
    """Cumulative incidence of ``cause`` and its infinitesimal-jackknife variance at each
    distinct time, as R ``survival::survfit`` reports for an Aalen-Johansen curve.

    The variance is the sum over patients of the squared derivative of the estimate
    with respect to the patient's case weight. Without censoring it is ``F(1 - F) / n``.
    """
    times, inverse = np.unique(t, return_inverse=True)
    slot = np.arange(times.size)
    at_risk = inverse[:, None] >= slot[None, :]  # patients x times
    here = inverse[:, None] == slot[None, :]
    ev_any = here & (s != 0)[:, None]
    ev_k = here & (s == cause)[:, None]
    y = at_risk.sum(axis=0).astype(float)
    h, hk = ev_any.sum(axis=0) / y, ev_k.sum(axis=0) / y
    dh = (ev_any - at_risk * h) / y  # each patient's derivative of the hazard increments
    dhk = (ev_k - at_risk * hk) / y
    p0 = np.cumprod(1.0 - h)  # event-free, just after each time
    p0_before = np.r_[1.0, p0[:-1]]
    f = np.cumsum(p0_before * hk)
    # derivative of p0: u_j = u_{j-1} (1 - h_j) - p0_{j-1} dh_j, solved as a cumulative
    # sum; 1 - h is 0 only at the last time, whose u no later time uses
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(h < 1.0, dh / (1.0 - h), 0.0)
    u0 = -p0 * np.cumsum(ratio, axis=1)
    u0_before = np.hstack([np.zeros((t.size, 1)), u0[:, :-1]])
    uk = np.cumsum(u0_before * hk + p0_before * dhk, axis=1)
    return {
        "time": times,
        "estimate": f,
        "variance": (uk * uk).sum(axis=0),
        "jump": ev_k.any(axis=0),
    }


_VARIANCES = {"cmprsk": _cif_steps, "survfit": _cif_steps_survfit}


def _cif_confint(
    f: np.ndarray, v: np.ndarray, conf_type: str, z: float
) -> tuple[np.ndarray, np.ndarray]:
    se = np.sqrt(v)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            return np.maximum(f - z * se, 0.0), np.minimum(f + z * se, 1.0)
        if conf_type == "log":
            ff = np.where(f > 0, f, np.nan)
            return ff * np.exp(-z * se / ff), np.minimum(ff * np.exp(z * se / ff), 1.0)
        if conf_type == "log-log":
            ff = np.where((f > 0) & (f < 1), f, np.nan)
            k = z * se / (ff * np.log(ff))
            return ff ** np.exp(-k), ff ** np.exp(k)
    raise AssertionError(conf_type)


def _cuminc_at_kernel(
    t: np.ndarray,
    s: np.ndarray,
    cause: int,
    times: np.ndarray,
    conf_type: str,
    z: float,
    variance: str = "cmprsk",
    extend: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(estimate, variance, ci_lower, ci_upper) of one curve at ``times``: the numpy core
    of :func:`cuminc` with ``times`` for already-validated arrays (float times >= 0,
    integer status codes, 0 = censored). After the last follow-up time: NaN, as cmprsk,
    or with ``extend`` the last value, as survfit's ``extend=TRUE``."""
    steps = _VARIANCES[variance](t, s, cause)
    idx = np.searchsorted(steps["time"], times, side="right") - 1
    est0 = np.r_[0.0, steps["estimate"]][idx + 1]
    var0 = np.r_[0.0, steps["variance"]][idx + 1]
    beyond = (times > steps["time"][-1]) & (not extend)
    est = np.where(beyond, np.nan, est0)
    var = np.where(beyond, np.nan, var0)
    lower, upper = _cif_confint(est, var, conf_type, z)
    return est, var, lower, upper


def cuminc(
    time: ArrayLike,
    status: ArrayLike,
    *,
    cause: int = 1,
    group: ArrayLike | None = None,
    times: ArrayLike | Sequence[float] | None = None,
    conf_type: Literal["log", "log-log", "plain"],
    alpha: float = 0.05,
    absent: Literal["raise", "zero"] = "raise",
    variance: Literal["cmprsk", "survfit"] = "cmprsk",
    extend: bool = False,
) -> pd.DataFrame:
    """Cumulative incidence of one cause (Aalen-Johansen) with cmprsk's or survfit's variance.

    Estimates equal R ``cmprsk::cuminc(time, status, group)`` (read at chosen times
    with ``cmprsk::timepoints``); variances are cmprsk's (``variance="cmprsk"``) or the
    infinitesimal-jackknife variance of R ``survival::survfit(Surv(time,
    factor(status)) ~ 1)`` (``variance="survfit"``, its ``std.err`` squared). Tied
    times, also across causes, are handled deterministically as in both.

    cmprsk gives no confidence interval; with ``F`` the estimate, ``v`` its
    variance and ``z`` the normal quantile, this function defines:

    - ``"plain"``: ``F +- z sqrt(v)``, clipped to [0, 1];
    - ``"log"``: ``exp(log F +- z sqrt(v) / F)``, upper limit capped at 1 (the
      transform of R survfit's ``conf.type="log"`` applied to F);
    - ``"log-log"``: ``F ** exp(+-z sqrt(v) / (F log F))``, lower limit with the
      minus sign: the log(-log) transform used with cmprsk's ``timepoints`` output
      in the literature, which keeps the interval inside (0, 1).

    Where F = 0 (or F = 1 for log-log) the transformed limits are undefined: NaN.

    Parameters
    ----------
    time : array of float
        Follow-up times, >= 0.
    status : array of int
        0 = censored; every other integer code is a cause.
    cause : int
        Cause whose incidence is estimated.
    group : array, optional
        One curve per group (sorted labels); without it the column ``group`` is "all".
    times : array of float, optional
        Read the curves at these times (cmprsk ``timepoints`` semantics: the value
        at the last time <= t; NaN after the group's last follow-up time, where
        cmprsk also returns NA). Without it: one row at time 0, one at each time
        with an event of ``cause``, and one at the last follow-up time.
    conf_type : {"log", "log-log", "plain"}
        CI transform, see above. No default: papers differ.
    alpha : float
        1 - confidence level.
    absent : {"raise", "zero"}
        When no patient has ``cause``: an error (default; usually a wrong code), or
        an incidence of 0 with variance 0 and no interval (a subgroup in which the
        event did not happen, which cmprsk leaves out of its output).
    variance : {"cmprsk", "survfit"}
        cmprsk's delta-method variance (Gray's ``cinc``), or survfit's infinitesimal
        jackknife, which without censoring is the binomial ``F(1 - F) / n``.
    extend : bool
        With ``times``: a time after a group's last follow-up gets the value at that last
        follow-up (R ``summary(survfit(...), times, extend = TRUE)``; cmprsk's
        ``timepoints`` at the last time) instead of NaN. The incidence cannot change once
        nobody is followed, so a landmark later than a small subgroup's follow-up still
        has a value. Default False, as cmprsk.

    Returns
    -------
    DataFrame
        group, time, estimate, variance, ci_lower, ci_upper.

    References
    ----------
    Gray RJ (1988). A class of K-sample tests for comparing the cumulative
    incidence of a competing risk. Ann Stat 16:1141-1154.
    """
    conf_type_check(conf_type, CIF_CONF_TYPES)
    if absent not in ("raise", "zero"):
        raise ValueError(f"absent must be 'raise' or 'zero', got {absent!r}.")
    if variance not in _VARIANCES:
        raise ValueError(f"variance must be one of {list(_VARIANCES)}, got {variance!r}.")
    steps_of = _VARIANCES[variance]
    z = zval(alpha)
    t, s = _time_status(time, status, cause, absent)
    if group is None:
        labels, codes = np.array(["all"], dtype=object), np.zeros(t.size, dtype=np.intp)
    else:
        labels, codes = groups(group, t.size)
    at = (
        None
        if times is None
        else checks.durations(np.atleast_1d(np.asarray(times, float)), "times")
    )
    parts = []
    for k, label in enumerate(labels):
        sel = codes == k
        if at is None:
            steps = steps_of(t[sel], s[sel], cause)
            keep = steps["jump"].copy()
            keep[-1] = True
            row_t = np.r_[0.0, steps["time"][keep]]
            est = np.r_[0.0, steps["estimate"][keep]]
            var = np.r_[0.0, steps["variance"][keep]]
            lower, upper = _cif_confint(est, var, conf_type, z)
        else:
            row_t = at
            est, var, lower, upper = _cuminc_at_kernel(
                t[sel], s[sel], cause, at, conf_type, z, variance, extend
            )
        parts.append(
            pd.DataFrame(
                {
                    "group": label,
                    "time": row_t,
                    "estimate": est,
                    "variance": var,
                    "ci_lower": lower,
                    "ci_upper": upper,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _gray_score(t: np.ndarray, m: np.ndarray, g: np.ndarray, n_groups: int, rho: float):
    """Score vector and variance of Gray's test (cmprsk ``crst``, one stratum).

    ``m``: 0 censored, 1 cause of interest, 2 other cause; ``g``: codes 0..G-1.
    Loops over groups only; the time dimension is vectorised.
    """
    G = n_groups
    times, inverse = np.unique(t, return_inverse=True)
    T = times.size
    flat = inverse * G + g
    cnt = np.bincount(flat, minlength=T * G).reshape(T, G).astype(float)
    d1 = np.bincount(flat, weights=(m == 1), minlength=T * G).reshape(T, G)
    d2 = np.bincount(flat, weights=(m == 2), minlength=T * G).reshape(T, G)
    rs = cnt[::-1].cumsum(axis=0)[::-1]
    alive = rs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(alive, 1.0 - (d1 + d2) / np.where(alive, rs, 1.0), 1.0)
        skm = np.cumprod(step, axis=0)  # per-group KM, right-continuous
        skmm = np.vstack([np.ones((1, G)), skm[:-1]])
        f1m_inc = np.where(alive, skmm * d1 / np.where(alive, rs, 1.0), 0.0)
        f1m = np.vstack([np.zeros((1, G)), np.cumsum(f1m_inc, axis=0)[:-1]])
        h = np.where(alive, rs / skmm, 0.0)  # rs / S(t-), "R_r" weights of the paper
        tr = h.sum(axis=1)
        tq = (h * (1 - f1m)).sum(axis=1)
        nd1 = d1.sum(axis=1)
        nd2 = d2.sum(axis=1)
        events = (nd1 + nd2) > 0
        # pooled subdistribution estimate, only updated at event times
        f_inc = np.where(events, nd1 / np.where(events, tr, 1.0), 0.0)
        f = np.cumsum(f_inc)
        fm = np.r_[0.0, f[:-1]]
        fb = (1 - fm) ** rho
        # restrict to event times from here on
        e = events
        h, tr, tq, nd1, fb, fm, f = h[e], tr[e], tq[e], nd1[e], fb[e], fm[e], f[e]
        rs_e, skm_e, skmm_e, f1m_e, d1_e, d2_e, alive_e = (
            rs[e],
            skm[e],
            skmm[e],
            f1m[e],
            d1[e],
            d2[e],
            alive[e],
        )
        a = fb[:, None, None] * (
            np.einsum("ti,ij->tij", h, np.eye(G))
            - h[:, :, None] * h[:, None, :] / tr[:, None, None]
        )
        c = np.cumsum(a * (nd1 / (tr * (1 - fm)))[:, None, None], axis=0)
        score = (
            fb[:, None]
            * np.where(
                alive_e, d1_e - nd1[:, None] * rs_e * (1 - f1m_e) / (skmm_e * tq[:, None]), 0.0
            )
        ).sum(axis=0)
        # events of the cause of interest
        t4 = np.where(skm_e > 0, 1 - (1 - f[:, None]) / skm_e, 1.0)
        t5 = np.where(nd1[:, None] > 1, 1 - (nd1[:, None] - 1) / (tr[:, None] * skmm_e - 1), 1.0)
        w1 = np.where(
            alive_e & (nd1[:, None] > 0), t5 * skmm_e * nd1[:, None] / (tr[:, None] * rs_e), 0.0
        )
        b1 = a - t4[:, None, :] * c
        # competing events
        u4 = np.where(skm_e > 0, (1 - f[:, None]) / skm_e, 0.0)
        u5 = np.where(d2_e > 1, 1 - (d2_e - 1) / (rs_e - 1), 1.0)
        w2 = np.where(
            (skm_e > 0) & (d2_e > 0), u5 * skmm_e**2 * d2_e / np.where(alive_e, rs_e, 1.0) ** 2, 0.0
        )
        b2 = u4[:, None, :] * c
    var = np.einsum("tik,tjk,tk->ij", b1, b1, w1) + np.einsum("tik,tjk,tk->ij", b2, b2, w2)
    v2 = np.einsum("tik,tk->ik", b1, t4 * w1) - np.einsum("tik,tk->ik", b2, u4 * w2)
    v3 = (t4**2 * w1).sum(axis=0) + (u4**2 * w2).sum(axis=0)
    c_end = c[-1] if c.shape[0] else np.zeros((G, G))
    var = var + (c_end * v3) @ c_end.T + c_end @ v2.T + v2 @ c_end.T
    return score[: G - 1], var[: G - 1, : G - 1]


def _gray_kernel(
    t: np.ndarray, s: np.ndarray, codes: np.ndarray, n_groups: int, cause: int, rho: float = 0.0
) -> tuple[float, int, float]:
    """(stat, df, p) of Gray's test: the numpy core of :func:`gray_test` for
    already-validated arrays (float times >= 0, integer status, group codes 0..G-1).

    Raises ValueError when the variance matrix is singular.
    """
    m = np.where(s == 0, 0, np.where(s == cause, 1, 2))
    score, var = _gray_score(t, m, codes, n_groups, float(rho))
    df = n_groups - 1
    if np.linalg.matrix_rank(var) < df:
        raise ValueError(
            f"Gray's test variance matrix is singular for cause {cause} (e.g. a group "
            "with no patients at risk at any event time)."
        )
    stat = float(score @ np.linalg.solve(var, score))
    return stat, df, chi2_sf(stat, df)


def gray_test(
    time: ArrayLike, status: ArrayLike, group: ArrayLike, cause: int = 1, rho: float = 0
) -> dict[str, float]:
    """Gray's K-sample test for equal cumulative incidence of one cause.

    Same statistic as R ``cmprsk::cuminc(time, status, group, rho=<rho>)$Tests``
    (row of ``cause``); patients with any other non-zero status are competing events.

    Returns
    -------
    dict
        stat, df (= number of groups - 1), p. cmprsk reports stat = -1 when the
        variance matrix is singular; here that raises ValueError instead.

    References
    ----------
    Gray RJ (1988). Ann Stat 16:1141-1154.
    """
    t, s = _time_status(time, status, cause)
    labels, codes = groups(group, t.size, min_groups=2)
    try:
        stat, df, p = _gray_kernel(t, s, codes, len(labels), cause, float(rho))
    except ValueError:
        raise ValueError(
            f"Gray's test variance matrix is singular for cause {cause} and groups "
            f"{list(labels)} (e.g. a group with no patients at risk at any event time)."
        ) from None
    return {"stat": stat, "df": df, "p": p}
