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
TOL = dict(rtol=1e-6, atol=1e-9)


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
    assert list(got.columns) == ["time", "at_risk", "events", "censored", "survival",
                                 "std_err", "ci_lower", "ci_upper"]
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

    Group D of the edge data has S = 0.5 exactly on a plateau: R gives its midpoint.
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
