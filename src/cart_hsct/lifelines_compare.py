"""lifelines beside the R-validated :mod:`cart_hsct.survival`: where they agree, where not.

Readers of the book use lifelines. Each row of :func:`side_by_side` computes one quantity
both ways on the same data and says under which settings the two agree, or why lifelines
cannot give R's number: it has only the log-log interval for Kaplan-Meier curves, Efron's
ties only in Cox models, a median that is the first time the curve falls *below* one half,
and an Aalen-Johansen fitter that breaks tied times by random jitter and reports the
infinitesimal-jackknife variance with a log-log interval (its two interval columns are
named the wrong way round). Gray's test, Fine-Gray, Firth's correction and maximally
selected cut-points are not in lifelines at all.

lifelines is imported here only, when a comparison runs: a page that does not compare
does not pay for it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import survival as sv

__all__ = ["AGREE", "side_by_side"]

#: Largest difference counted as agreement. lifelines stops its Cox iterations at its own
#: tolerance, so coefficients agree to about 1e-8, not to rounding error.
AGREE = 1e-6

#: Six patients whose curve sits at exactly 0.5 from day 3 to day 5: R takes the midpoint
#: of that stretch as the median (4), SPSS its start (3), lifelines its end (5).
FLAT_HALF = (np.array([1.0, 2, 3, 4, 5, 6]), np.array([1, 1, 1, 0, 1, 1]))


def _row(quantity, ours, theirs, python, lifelines, why) -> dict:
    a = np.asarray(ours, dtype=float).ravel()
    b = np.asarray(theirs, dtype=float).ravel()
    diff = np.abs(a - b) if a.shape == b.shape else np.array([np.inf])
    worst = float(np.nanmax(diff))
    return {
        "quantity": quantity,
        "cart_hsct.survival": python,
        "lifelines": lifelines,
        "max |difference|": worst,
        "agree": bool(worst <= AGREE),
        "why": why,
    }


def _km_rows(time, event) -> list[dict]:
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter().fit(time, event)
    at = kmf.survival_function_.index.to_numpy()
    ours = sv.km_table(time, event, conf_type="log-log").set_index("time").reindex(at)
    r_default = sv.km_table(time, event, conf_type="log").set_index("time").reindex(at)
    band = kmf.confidence_interval_.to_numpy()
    ours_ll, ours_log = ours[["ci_lower", "ci_upper"]], r_default[["ci_lower", "ci_upper"]]
    ok = ours_ll.notna().all(axis=1).to_numpy()  # R gives no log-log bound at S = 1
    flat = KaplanMeierFitter().fit(*FLAT_HALF).median_survival_time_
    return [
        _row(
            "Kaplan-Meier estimate",
            ours["survival"],
            kmf.survival_function_.iloc[:, 0],
            'km_table(time, event, conf_type="log-log")',
            "KaplanMeierFitter().fit(time, event)",
            "the same product-limit estimate, events before censorings at a tied time",
        ),
        _row(
            "Kaplan-Meier 95 % CI, log-log",
            ours_ll.to_numpy()[ok],
            band[ok],
            'km_table(..., conf_type="log-log")',
            "kmf.confidence_interval_",
            "lifelines' only interval is the log-log ('exponential Greenwood') one, R's "
            'conf.type = "log-log"',
        ),
        _row(
            "Kaplan-Meier 95 % CI, R's default (log)",
            ours_log.to_numpy()[ok],
            band[ok],
            'km_table(..., conf_type="log")',
            "kmf.confidence_interval_",
            "lifelines has no log, plain or arcsine interval: it cannot give R's default",
        ),
        _row(
            "median on a flat stretch at 0.5 (six patients)",
            sv.km_median(*FLAT_HALF, conf_type="log")["median"],
            flat,
            'km_median(..., rule="R")',
            "kmf.median_survival_time_",
            "R takes the middle of the stretch (4); lifelines the first time below 0.5 (5); "
            'SPSS the first at or below (3, rule="first_below")',
        ),
    ]


def _test_rows(time, event, group, frame, duration, status, covariates) -> list[dict]:
    from lifelines import CoxPHFitter
    from lifelines.statistics import multivariate_logrank_test

    lr = multivariate_logrank_test(time, group, event)
    ours = sv.logrank(time, event, group)
    data = frame[[duration, status, *covariates]]
    cph = CoxPHFitter().fit(data, duration, status)
    efron = sv.cox(frame, duration, status, covariates, ties="efron")
    breslow = sv.cox(frame, duration, status, covariates, ties="breslow")
    theirs = np.r_[cph.params_.to_numpy(), cph.standard_errors_.to_numpy()]
    return [
        _row(
            "log-rank chi-square and p",
            [ours["chi2"], ours["p"]],
            [lr.test_statistic, lr.p_value],
            "logrank(time, event, group)",
            "statistics.multivariate_logrank_test(time, group, event)",
            "the same test, hypergeometric variance with tied events",
        ),
        _row(
            "Cox coefficients and SEs, Efron ties",
            np.r_[efron.coef_.to_numpy(), efron.summary["se"].to_numpy()],
            theirs,
            'cox(df, ..., ties="efron")',
            "CoxPHFitter().fit(df, duration, event)",
            "both maximise Efron's partial likelihood; lifelines stops at its own "
            "tolerance, hence differences near 1e-8",
        ),
        _row(
            "Cox coefficients and SEs, Breslow ties",
            np.r_[breslow.coef_.to_numpy(), breslow.summary["se"].to_numpy()],
            theirs,
            'cox(df, ..., ties="breslow")',
            "CoxPHFitter (Efron only)",
            "lifelines has no Breslow ties, the default of SAS and Stata and what several "
            "papers used: with tied times it cannot give their numbers",
        ),
    ]


def _aalen_johansen_rows(time, status, seed: int) -> list[dict]:
    from lifelines import AalenJohansenFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "To resolve ties, data is randomly jittered"
        tied = AalenJohansenFitter(seed=seed).fit(time, status, event_of_interest=1)
    last = sv.cuminc(time, status, cause=1, times=[np.max(time)], conf_type="log")
    # the same patients with their tied times made distinct, in the order given, and none
    # at 0 (lifelines' curve starts at 0 before any event, so it drops an event at time 0)
    order = np.argsort(time, kind="stable")
    distinct = np.empty(len(time))
    distinct[order] = np.asarray(time, float)[order] + np.arange(1, len(time) + 1) * 1e-6
    aj = AalenJohansenFitter().fit(distinct, status, event_of_interest=1)
    at = aj.cumulative_density_.index.to_numpy()
    ours = sv.cuminc(distinct, status, cause=1, times=at, conf_type="log-log", variance="survfit")
    cmprsk = sv.cuminc(distinct, status, cause=1, times=at, conf_type="log")
    # lifelines names its columns upper, lower; they hold the lower, then the upper bound
    band = aj.confidence_interval_.to_numpy()
    ok = ours[["ci_lower", "ci_upper"]].notna().all(axis=1).to_numpy()
    return [
        _row(
            "Aalen-Johansen estimate, tied times",
            last["estimate"],
            tied.cumulative_density_.iloc[-1, 0],
            "cuminc(time, status, cause=1, ...)",
            f"AalenJohansenFitter(seed={seed}).fit(time, status, 1)",
            "lifelines breaks ties by random jitter, so its estimate depends on the seed; "
            "R (cmprsk, survfit) and cart_hsct handle ties exactly",
        ),
        _row(
            "Aalen-Johansen estimate, distinct times",
            ours["estimate"],
            aj.cumulative_density_.iloc[:, 0],
            "cuminc(...)",
            "AalenJohansenFitter().fit(...)",
            "without ties there is nothing to jitter: the same estimator",
        ),
        _row(
            "Aalen-Johansen 95 % CI, survfit variance, log-log",
            ours[["ci_lower", "ci_upper"]].to_numpy()[ok],
            band[ok],
            'cuminc(..., variance="survfit", conf_type="log-log")',
            "aj.confidence_interval_ (columns swapped)",
            "lifelines' variance is survfit's infinitesimal jackknife, its interval log-log",
        ),
        _row(
            "Aalen-Johansen 95 % CI, cmprsk variance, log",
            cmprsk[["ci_lower", "ci_upper"]].to_numpy()[ok],
            band[ok],
            'cuminc(..., variance="cmprsk", conf_type="log")',
            "aj.confidence_interval_",
            "lifelines has neither cmprsk's (Gray's) variance nor a log interval",
        ),
    ]


MISSING = {
    "Gray's test": "gray_test",
    "Fine-Gray regression": "fine_gray",
    "Firth-penalised Cox": "cox(..., firth=True)",
    "maximally selected cut-point": "maxstat",
}


def side_by_side(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    group: str,
    covariates: list[str],
    competing: pd.DataFrame,
    seed: int = 0,
) -> pd.DataFrame:
    """Each lifelines call beside its :mod:`cart_hsct.survival` counterpart, computed now.

    Parameters
    ----------
    frame : survival data: ``duration``, ``event`` (0/1), ``group`` and numeric
        ``covariates`` (for the Cox rows).
    competing : competing-risks data: columns ``time`` and ``status`` (0 censored, 1 the
        event of interest, 2 a competing event).
    seed : the seed of lifelines' tie jitter.

    Returns
    -------
    DataFrame
        quantity, cart_hsct.survival, lifelines (the calls), max |difference|, agree
        (within :data:`AGREE`), why; the methods lifelines lacks close the table.
    """
    time, status = frame[duration].to_numpy(float), frame[event].to_numpy(int)
    rows = (
        _km_rows(time, status)
        + _test_rows(time, status, frame[group].to_numpy(), frame, duration, event, covariates)
        + _aalen_johansen_rows(
            competing["time"].to_numpy(float), competing["status"].to_numpy(int), seed
        )
    )
    rows += [
        {
            "quantity": q,
            "cart_hsct.survival": call,
            "lifelines": "none",
            "max |difference|": np.nan,
            "agree": False,
            "why": "not in lifelines (R: cmprsk, survival, coxphf, maxstat)",
        }
        for q, call in MISSING.items()
    ]
    return pd.DataFrame(rows)
