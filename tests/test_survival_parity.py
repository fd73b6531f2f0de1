"""Parity of cart_hsct.survival with R (survival 3.5, cmprsk 2.2, maxstat 0.7).

Fixtures are written by ``tests/reference/make_survival_fixtures.R`` (R version and
packages in ``survival_sessionInfo.txt``); these tests never call R. Every quantity
must agree to 1e-6 (``rtol`` for statistics that can be large, ``atol`` for
probabilities). NA in R is NaN / None here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cart_hsct import survival as sv

REF = Path(__file__).parent / "reference"
DATASETS = ("edge", "random")
CONF_TYPES = ("plain", "log", "log-log", "arcsine")
TOL = {"rtol": 1e-6, "atol": 1e-9}


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"survival_{name}.csv")


def _subset(d: pd.DataFrame, group: str) -> pd.DataFrame:
    return d if group == "all" else d[d.group == group]


def _cases(fixture: str):
    ref = pd.read_csv(REF / fixture)
    keys = ["dataset", "conf_type", "group"]
    return [tuple(k) for k, _ in ref.groupby(keys, sort=True)]


def _close(got, want, **tol):
    """Equal within tolerance, NaN exactly where R has NA."""
    got, want = np.asarray(got, float), np.asarray(want, float)
    assert_allclose(got, want, equal_nan=True, **(tol or TOL))


@pytest.mark.parametrize("dataset,conf_type,group", _cases("survival_km_table.csv"))
def test_km_table_matches_r_summary_survfit(dataset, conf_type, group):
    """R: summary(survfit(Surv(time, event) ~ 1, d, conf.type=<ct>), censored=TRUE).

    ``arcsine`` is R's ``"arcsin"``; std_err is R's summary std.err (SE of S).
    """
    ref = pd.read_csv(REF / "survival_km_table.csv")
    want = ref[(ref.dataset == dataset) & (ref.conf_type == conf_type) & (ref.group == group)]
    d = _subset(_data(dataset), group)
    got = sv.km_table(d.time, d.event, conf_type=conf_type)
    assert list(got.columns) == [
        "time",
        "at_risk",
        "events",
        "censored",
        "survival",
        "std_err",
        "ci_lower",
        "ci_upper",
    ]
    assert len(got) == len(want)
    for col in got.columns:
        _close(got[col], want[col])


@pytest.mark.parametrize("dataset,conf_type,group", _cases("survival_km_at.csv"))
def test_km_at_matches_r_summary_times_extend(dataset, conf_type, group):
    """R: summary(survfit(...), times=c(0, .25, 1, 3, 4.5, 7, 12, 24, 1000), extend=TRUE).

    Times after the last observation carry the last value (R's extend=TRUE).
    """
    ref = pd.read_csv(REF / "survival_km_at.csv")
    want = ref[(ref.dataset == dataset) & (ref.conf_type == conf_type) & (ref.group == group)]
    d = _subset(_data(dataset), group)
    got = sv.km_at(d.time, d.event, want.time.to_numpy(), conf_type=conf_type)
    for col in ["time", "survival", "std_err", "ci_lower", "ci_upper"]:
        _close(got[col], want[col])


@pytest.mark.parametrize("dataset,conf_type,group", _cases("survival_km_median.csv"))
def test_km_median_matches_r_quantile_survfit(dataset, conf_type, group):
    """R: quantile(survfit(Surv(time, event) ~ 1, d, conf.type=<ct>), 0.5) (as print.survfit).

    Group D of the edge data has S = 0.5 exactly on a plateau: R gives its midpoint;
    group E ends on such a plateau: R gives the midpoint to the last follow-up time.
    """
    ref = pd.read_csv(REF / "survival_km_median.csv")
    want = ref[(ref.dataset == dataset) & (ref.conf_type == conf_type) & (ref.group == group)]
    d = _subset(_data(dataset), group)
    got = sv.km_median(d.time, d.event, conf_type=conf_type)
    for col in ["median", "ci_lower", "ci_upper"]:
        value = np.nan if got[col] is None else got[col]
        _close([value], want[col].to_numpy())


def test_km_median_plateau_midpoint_is_exercised():
    """Guard that the fixture really contains R's plateau rule (median 6.5 in group D)."""
    ref = pd.read_csv(REF / "survival_km_median.csv")
    row = ref[(ref.dataset == "edge") & (ref.group == "D") & (ref.conf_type == "log")].iloc[0]
    d = _subset(_data("edge"), "D")
    assert sv.km_median(d.time, d.event, conf_type="log")["median"] == pytest.approx(row["median"])
    assert row["median"] not in set(d.time)


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_median_followup_matches_r_reverse_km(dataset, conf_type):
    """R: quantile(survfit(Surv(time, 1 - event) ~ 1, d, conf.type=<ct>), 0.5)."""
    ref = pd.read_csv(REF / "survival_median_followup.csv")
    want = ref[(ref.dataset == dataset) & (ref.conf_type == conf_type)].iloc[0]
    d = _data(dataset)
    got = sv.median_followup(d.time, d.event, conf_type=conf_type)
    for col in ["median", "ci_lower", "ci_upper"]:
        _close([np.nan if got[col] is None else got[col]], [want[col]])


def test_km_group_keyword_equals_separate_fits():
    """km_table(group=) stacks the per-group fits of R survfit(Surv(time, event) ~ group)."""
    d = _data("edge")
    both = sv.km_table(d.time, d.event, conf_type="log", group=d.group)
    for g, part in both.groupby("group"):
        sub = d[d.group == g]
        alone = sv.km_table(sub.time, sub.event, conf_type="log")
        _close(part.drop(columns="group").to_numpy(float), alone.to_numpy(float))


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("groups", ["all", "first_two"])
@pytest.mark.parametrize("rho", [0.0, 1.0, 0.5])
def test_logrank_matches_r_survdiff(dataset, groups, rho):
    """R: survdiff(Surv(time, event) ~ group, d, rho=<rho>); df = groups with expected > 0, - 1.

    The edge data include a group with no events (C) and one whose survival reaches 0 (B).
    """
    ref = pd.read_csv(REF / "survival_logrank.csv")
    want = ref[(ref.dataset == dataset) & (ref.groups == groups) & (ref.rho == rho)].iloc[0]
    d = _data(dataset)
    if groups == "first_two":
        d = d[d.group.isin(sorted(d.group.unique())[:2])]
    got = sv.logrank(d.time, d.event, d.group, rho=rho)
    _close([got["chi2"], got["p"]], [want["chi2"], want["p"]])
    assert got["df"] == want["df"]


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("adjust", [None, "holm", "BH"])
def test_pairwise_logrank_matches_r_pairwise_survdiff(dataset, adjust):
    """R: survdiff on each pair of groups, then p.adjust(p, "holm"/"BH") over the pairs,
    which is what survminer::pairwise_survdiff computes."""
    want = pd.read_csv(REF / "survival_pairwise_logrank.csv")
    want = want[want.dataset == dataset].reset_index(drop=True)
    d = _data(dataset)
    got = sv.pairwise_logrank(d.time, d.event, d.group, adjust=adjust)
    assert list(got.group_a) == list(want.group_a) and list(got.group_b) == list(want.group_b)
    _close(got.chi2, want.chi2)
    _close(got.p, want.p)
    _close(got.p_adjusted, want.p if adjust is None else want[f"p_{adjust}"])


# ---- competing risks ---------------------------------------------------------------
CR_DATASETS = ("cr_edge", "cr_random")


def _cr_cases():
    ref = pd.read_csv(REF / "survival_cuminc.csv")
    return [tuple(k) for k, _ in ref.groupby(["dataset", "by", "cause"], sort=True)]


@pytest.mark.parametrize("dataset,by,cause", _cr_cases())
def test_cuminc_matches_r_cmprsk_timepoints(dataset, by, cause):
    """R: timepoints(cmprsk::cuminc(time, status[, group]), c(0, 1, 2, 2.5, 5, 9, 20, 30, 1000)).

    Estimates and variances; NA (time after a group's last follow-up) is NaN. The edge
    data have ties across causes and a censoring tied with both causes at time 2.
    """
    ref = pd.read_csv(REF / "survival_cuminc.csv")
    want = ref[(ref.dataset == dataset) & (ref.by == by) & (ref.cause == cause)]
    d = _data(dataset)
    got = sv.cuminc(
        d.time,
        d.status,
        cause=cause,
        group=None if by == "none" else d.group,
        times=sorted(set(want.time)),
        conf_type="log",
    )
    want = want.sort_values(["group", "time"], kind="stable")
    assert list(got.group) == list(want.group)
    _close(got.time, want.time)
    _close(got.estimate, want.estimate)
    _close(got.variance, want.variance)


@pytest.mark.parametrize(
    "conf_type,prefix", [("plain", "plain"), ("log", "log"), ("log-log", "loglog")]
)
def test_cuminc_ci_matches_formula_on_r_estimates(conf_type, prefix):
    """CI transforms applied in R to cmprsk's estimates/variances (see the R script):

    plain F +- z sqrt(v); log exp(log F +- z sqrt(v)/F) capped at 1;
    log-log F^exp(+-z sqrt(v)/(F log F)). cmprsk itself reports no CI: this is our
    definition, checked against an independent R implementation of it.
    """
    ref = pd.read_csv(REF / "survival_cuminc.csv")
    for (dataset, by, cause), want in ref.groupby(["dataset", "by", "cause"]):
        d = _data(dataset)
        got = sv.cuminc(
            d.time,
            d.status,
            cause=cause,
            group=None if by == "none" else d.group,
            times=sorted(set(want.time)),
            conf_type=conf_type,
        )
        want = want.sort_values(["group", "time"], kind="stable")
        _close(got.ci_lower, want[f"{prefix}_lower"])
        _close(got.ci_upper, want[f"{prefix}_upper"])


@pytest.mark.parametrize("dataset", CR_DATASETS)
@pytest.mark.parametrize("rho", [0.0, 1.0])
@pytest.mark.parametrize("cause", [1, 2])
def test_gray_test_matches_r_cmprsk_tests(dataset, rho, cause):
    """R: cmprsk::cuminc(time, status, group, rho=<rho>)$Tests[cause, ] (stat, pv, df)."""
    ref = pd.read_csv(REF / "survival_gray_test.csv")
    want = ref[(ref.dataset == dataset) & (ref.rho == rho) & (ref.cause == cause)].iloc[0]
    d = _data(dataset)
    got = sv.gray_test(d.time, d.status, d.group, cause=cause, rho=rho)
    _close([got["stat"], got["p"]], [want["stat"], want["p"]])
    assert got["df"] == want["df"]


# ---- maxstat -----------------------------------------------------------------------
@pytest.mark.parametrize("pmethod", ["Lau94", "HL"])
@pytest.mark.parametrize("minprop,maxprop", [(0.1, 0.9), (0.25, 0.75)])
def test_maxstat_matches_r_maxstat_test(pmethod, minprop, maxprop):
    """R: maxstat.test(Surv(time, event) ~ marker, smethod="LogRank", pmethod=<pm>,
    minprop, maxprop): $estimate, $statistic, $p.value, and $cuts / $stats for the curve.

    With "HL" R integerises the log-rank scores first (iscores=TRUE); so do we.
    """
    d = _data("maxstat_data")
    ref = pd.read_csv(REF / "survival_maxstat.csv")
    want = ref[(ref.pmethod == pmethod) & (ref.minprop == minprop)].iloc[0]
    curve = pd.read_csv(REF / "survival_maxstat_curve.csv")
    curve = curve[(curve.pmethod == pmethod) & (curve.minprop == minprop)]
    got = sv.maxstat(d.time, d.event, d.marker, minprop=minprop, maxprop=maxprop, pmethod=pmethod)
    assert got["cutpoint"] == want["cutpoint"]
    _close([got["statistic"], got["p"]], [want["statistic"], want["p"]])
    _close(got["curve"].cutpoint, curve.cutpoint)
    _close(got["curve"].statistic, curve.statistic)
    # naive p of the best split is smaller than the selection-adjusted one
    assert got["p_naive"] < got["p"]
