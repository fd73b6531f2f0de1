"""Tests of cart_hsct.proportions: hand-checkable values, parity with R, properties.

R fixtures: tests/reference/proportions.R (binom.test, prop.test, survfit, fisher.test,
chisq.test, cmprsk::cuminc).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from cart_hsct import proportions as pr
from cart_hsct import survival as sv

REF = __import__("pathlib").Path(__file__).parent / "reference"
CI_REF = pd.read_csv(REF / "proportions_ci.csv")
TESTS_REF = pd.read_csv(REF / "proportions_2x2.csv")
CIF_REF = pd.read_csv(REF / "proportions_cif.csv")


# ----------------------------------------------------------------------------- by hand


def test_percent_by_hand():
    assert pr.percent(20, 27) == pytest.approx(74.074074, abs=1e-6)
    assert pr.percent(0, 95) == 0.0 and pr.percent(95, 95) == 100.0


def test_clopper_pearson_7_of_10_from_beta_quantiles():
    lo, hi = pr.ci(7, 10, method="clopper-pearson")
    assert lo == pytest.approx(stats.beta.ppf(0.025, 7, 4), rel=1e-12)
    assert hi == pytest.approx(stats.beta.ppf(0.975, 8, 3), rel=1e-12)
    assert (round(lo, 4), round(hi, 4)) == (0.3475, 0.9333)


def test_wilson_7_of_10_by_formula():
    z, p, n = stats.norm.ppf(0.975), 0.7, 10
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert_allclose(pr.ci(7, 10, method="wilson"), (centre - half, centre + half), rtol=1e-12)


def test_log_log_8_of_10_by_formula():
    # Greenwood without censoring: var(log S) = (1 - S) / (n S)
    z, s, n = stats.norm.ppf(0.975), 0.8, 10
    half = z * math.sqrt((1 - s) / (n * s)) / math.log(s)
    want = (s ** math.exp(-half), s ** math.exp(half))
    assert_allclose(pr.ci(8, 10, method="log-log"), want, rtol=1e-12)


def test_rounding_conventions_by_hand():
    conv = pr.rounding_conventions(56, 95, 1)  # 58.947...
    assert conv["half-up"] == "58.9" and conv["truncate"] == "58.9"
    assert conv["two-step"] == "59.0"  # 58.947 -> 58.95 -> 59.0
    assert pr.rounding_conventions(1, 8, 1)["half-even"] == "12.5"
    assert pr.rounding_conventions(1, 40, 0)["half-up"] == "3"  # 2.5 up
    assert pr.rounding_conventions(1, 40, 0)["half-even"] == "2"  # 2.5 to even


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(0, 300),
    n=st.integers(1, 300),
    decimals=st.integers(0, 3),
    shift=st.integers(-2, 2),
)
@example(k=1, n=40, decimals=0, shift=0)  # 2.5 %: half-up 3, half-even 2
@example(k=1, n=8, decimals=0, shift=0)  # 12.5 %
@example(k=56, n=95, decimals=1, shift=1)  # 58.947 %: 59.0 only by rounding twice
def test_count_searches_agree_with_rounding_conventions(k, n, decimals, shift):
    """numerators_for / denominators_for take a shortcut; it must give what the definition
    through rounding_conventions(...)["half-up"] gives, also for unreachable prints."""
    from decimal import Decimal

    k = min(k, n)
    printed = float(pr.rounding_conventions(k, n, decimals)["half-up"]) + shift * 10.0**-decimals
    target = Decimal(str(printed)).quantize(Decimal(1).scaleb(-decimals))

    def half_up(k_, n_):
        return Decimal(pr.rounding_conventions(k_, n_, decimals)["half-up"])

    assert pr.numerators_for(printed, n, decimals) == [
        k_ for k_ in range(n + 1) if half_up(k_, n) == target
    ]
    assert pr.denominators_for(printed, k, decimals, max_n=320) == [
        n_ for n_ in range(max(k, 1), 321) if half_up(k, n_) == target
    ]


def test_numerators_for():
    assert pr.numerators_for(74.7, 27, 1) == []  # 20/27 = 74.1, 21/27 = 77.8
    assert pr.numerators_for(74.1, 27, 1) == [20]
    assert pr.numerators_for(33.3, 9, 1) == [3]


def test_partition_sum():
    assert pr.partition_sum({"a": 10, "b": 7, "c": 11}, 28) == {
        "sum": 28,
        "total": 28,
        "holds": True,
        "text": "10 + 7 + 11 = 28",
    }
    assert not pr.partition_sum({"a": 19, "b": 73}, 95)["holds"]


@pytest.mark.parametrize(
    "bad, msg",
    [
        ({"k": 11, "n": 10}, "between 0"),
        ({"k": -1, "n": 10}, "between 0"),
        ({"k": 2.5, "n": 10}, "whole number"),
        ({"k": 1, "n": 0}, ">= 1"),
        ({"k": "3", "n": 10}, "whole number"),
    ],
)
def test_invalid_counts_are_named(bad, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        pr.ci(bad["k"], bad["n"], method="wilson")


def test_unknown_method_is_named():
    with pytest.raises(ValueError, match="'method' must be one of"):
        pr.ci(3, 10, method="jeffreys")


# ----------------------------------------------------------------------------- parity with R


@pytest.mark.parametrize(
    "row", list(CI_REF.itertuples(index=False)), ids=lambda r: f"{r.method}-{r.k}/{r.n}"
)
def test_ci_matches_r(row):
    """R: binom.test(k, n), prop.test(k, n, correct=FALSE), summary(survfit(...,
    conf.type=<ct>), times=1) on n - k deaths before and k survivors after time 1."""
    got = pr.ci(int(row.k), int(row.n), method=row.method)
    assert_allclose(got, (row.lower, row.upper), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "row", list(TESTS_REF.itertuples(index=False)), ids=lambda r: f"{r.k1}/{r.n1}-{r.k2}/{r.n2}"
)
def test_two_by_two_matches_r(row):
    """R: fisher.test(m), chisq.test(m, correct=TRUE), chisq.test(m, correct=FALSE)."""
    got = pr.two_by_two(row.k1, row.n1, row.k2, row.n2)
    for test in pr.TESTS:
        assert got[test] == pytest.approx(getattr(row, test), rel=1e-9), test


@pytest.mark.parametrize(
    "row",
    list(CIF_REF.itertuples(index=False)),
    ids=lambda r: f"{r.k}/{r.n}+{r.competing}-{r.order}",
)
def test_aalen_johansen_log_ci_matches_r_survfit(row):
    """R: summary(survfit(Surv(time, factor(status, 0:2)) ~ 1), times=1) -- the
    multi-state (Aalen-Johansen) fit, infinitesimal-jackknife variance, conf.type "log"."""
    p = row.k / row.n
    assert math.sqrt(p * (1 - p) / row.n) == pytest.approx(row.aj_std_err, rel=1e-9)
    assert_allclose(
        pr.ci(int(row.k), int(row.n), method="log"), (row.aj_log_lower, row.aj_log_upper), rtol=1e-9
    )


@pytest.mark.parametrize(
    "row",
    list(CIF_REF.itertuples(index=False)),
    ids=lambda r: f"{r.k}/{r.n}+{r.competing}-{r.order}",
)
def test_landmark_cif_variance_matches_cmprsk(row):
    """R: timepoints(cuminc(time, status), 1)$var on the same implied data set."""
    if not hasattr(sv, "cuminc"):
        pytest.skip("cart_hsct.survival.cuminc is not available yet")
    got = pr.landmark_cif(
        int(row.k), int(row.n), conf_type="log", competing=int(row.competing), order=row.order
    )
    assert got["estimate"] == pytest.approx(row.estimate, rel=1e-12)
    assert got["variance"] == pytest.approx(row.cmprsk_var, rel=1e-7)
    # the log transform, F exp(+-z sd / F), with cmprsk's variance
    z, sd = stats.norm.ppf(0.975), math.sqrt(row.cmprsk_var)
    assert got["ci_lower"] == pytest.approx(
        row.estimate * math.exp(-z * sd / row.estimate), rel=1e-7
    )


@pytest.mark.parametrize("conf_type", ["plain", "log", "log-log", "arcsine"])
@pytest.mark.parametrize(
    "survivors, n", [(7, 10), (8, 10), (2, 7), (4, 11), (2, 6), (6, 9), (3, 11)]
)
def test_landmark_ci_equals_km_at_on_implied_data(survivors, n, conf_type):
    """Greenwood's variance reduces to S(1-S)/n without early censoring, so the closed
    forms equal the toolkit's Kaplan-Meier (itself validated against R's survfit)."""
    time, event = pr.implied_km_data(survivors, n, landmark=365)
    km = sv.km_at(time, event, [365], conf_type=conf_type).iloc[0]
    assert km["survival"] == pytest.approx(survivors / n, rel=1e-12)
    assert km["std_err"] == pytest.approx(
        math.sqrt(survivors / n * (1 - survivors / n) / n), rel=1e-9
    )
    assert_allclose(
        pr.ci(survivors, n, method=conf_type), (km["ci_lower"], km["ci_upper"]), rtol=1e-9
    )


# ----------------------------------------------------------------------------- matching


def test_which_method_identifies_log_log_for_chen_lfs():
    tab = pr.which_method("chen2021.lfs_1y.cart_hsct", pr.ci_table(8, 10))
    assert tab.loc[tab.reproduces, "method"].tolist() == ["log-log"]


def test_which_test_reads_the_operator():
    tab = pr.which_test("cao2023.intensified.p", pr.two_by_two(6, 9, 13, 86))
    assert tab.set_index("test").loc["chisq", "reproduces"]
    assert not tab.set_index("test").loc["fisher", "reproduces"]


# ----------------------------------------------------------------------------- properties

counts = st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=60, deadline=None)
@given(counts, st.sampled_from(pr.CI_METHODS))
def test_ci_brackets_the_estimate_within_unit_interval(kn, method):
    k, n = kn
    lo, hi = pr.ci(k, n, method=method)
    if math.isnan(lo):  # undefined where R gives NA (p = 0 or 1 on a log scale)
        assert k in (0, n)
        return
    assert 0.0 <= lo <= k / n + 1e-12 <= hi + 2e-12 <= 1.0 + 2e-12


@settings(max_examples=40, deadline=None)
@given(counts, st.sampled_from(pr.CI_METHODS))
def test_higher_confidence_gives_a_wider_interval(kn, method):
    k, n = kn
    lo95, hi95 = pr.ci(k, n, method=method, alpha=0.05)
    lo99, hi99 = pr.ci(k, n, method=method, alpha=0.01)
    if not math.isnan(lo95):
        assert lo99 <= lo95 + 1e-12 and hi95 <= hi99 + 1e-12


@settings(max_examples=40, deadline=None)
@given(counts)
def test_two_by_two_is_symmetric_in_the_groups(kn):
    k, n = kn
    k2, n2 = max(0, n // 2 - 1), n
    if (k + k2 == 0) or (k + k2 == 2 * n):
        return  # a column of zeros: no test is defined
    a, b = pr.two_by_two(k, n, k2, n2), pr.two_by_two(k2, n2, k, n)
    for test in pr.TESTS:
        assert a[test] == pytest.approx(b[test], rel=1e-9)
        assert 0.0 <= a[test] <= 1.0 + 1e-12


def test_one_patient_shortfall_finds_the_rows_that_hold_the_patient():
    # one death left out of NRM: its row's OS + NRM falls short of 100 by 1/n
    os_nrm = {"holds": 100 - 100 / 39, "other": 100.0, "over": 100.3, "short": 96.4}
    n = {"holds": 39, "other": 56, "over": 57, "short": 19}
    total = {k: round(v, 1) for k, v in os_nrm.items()}
    got = pr.one_patient_shortfall(n, total)
    assert got.verdict.to_dict() == {
        "holds": "holds",
        "other": "does not hold",
        "over": "contradictory",
        "short": "does not hold",
    }
    assert got.loc["holds", "one_in_n"] == pytest.approx(100 / 39)
    with pytest.raises(ValueError, match=r"n must be positive counts; rows \['other'\]"):
        pr.one_patient_shortfall({**n, "other": 0}, total)
