"""Bad inputs to cart_hsct.survival raise ValueError naming the column, the rows and the fix."""

from __future__ import annotations

import numpy as np
import pytest

from cart_hsct import survival as sv

TIME = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
EVENT = [1, 0, 1, 1, 0, 1]
GROUP = ["a", "b", "a", "b", "a", "b"]
STATUS = [1, 0, 2, 1, 2, 1]

KM_CALLS = {
    "km_table": lambda t, e: sv.km_table(t, e, conf_type="log"),
    "km_at": lambda t, e: sv.km_at(t, e, [2], conf_type="log"),
    "km_median": lambda t, e: sv.km_median(t, e, conf_type="log"),
    "median_followup": lambda t, e: sv.median_followup(t, e),
    "logrank": lambda t, e: sv.logrank(t, e, GROUP),
    "pairwise_logrank": lambda t, e: sv.pairwise_logrank(t, e, GROUP),
    "maxstat": lambda t, e: sv.maxstat(t, e, [1, 2, 3, 4, 5, 6], minprop=0.2, maxprop=0.8),
}


@pytest.mark.parametrize("name", KM_CALLS)
def test_negative_time_names_column_and_row(name):
    t = list(TIME)
    t[3] = -1.0
    with pytest.raises(ValueError, match=r"'time' has 1 negative values \(rows 3\)"):
        KM_CALLS[name](t, EVENT)


@pytest.mark.parametrize("name", KM_CALLS)
def test_missing_time_names_rows(name):
    t = list(TIME)
    t[1] = np.nan
    t[4] = np.nan
    with pytest.raises(ValueError, match=r"'time' has 2 missing .*rows 1, 4"):
        KM_CALLS[name](t, EVENT)


@pytest.mark.parametrize("name", KM_CALLS)
def test_event_code_outside_0_1(name):
    e = list(EVENT)
    e[5] = 2
    with pytest.raises(
        ValueError, match=r"'event' has codes 2(\.0)? \(rows 5\) outside the declared \[0, 1\]"
    ):
        KM_CALLS[name](TIME, e)


@pytest.mark.parametrize("name", KM_CALLS)
def test_missing_event_is_not_censoring(name):
    e = np.array(EVENT, dtype=float)
    e[0] = np.nan
    with pytest.raises(ValueError, match=r"'event' has 1 missing .*rows 0.*not censoring"):
        KM_CALLS[name](TIME, e)


@pytest.mark.parametrize("name", KM_CALLS)
def test_mismatched_lengths(name):
    with pytest.raises(ValueError, match=r"same length: 'time' has 6, 'event' has 5"):
        KM_CALLS[name](TIME, EVENT[:5])


def test_group_length_mismatch_names_group():
    with pytest.raises(ValueError, match=r"'group' has 5"):
        sv.logrank(TIME, EVENT, GROUP[:5])


def test_missing_group_label_names_rows():
    g = list(GROUP)
    g[2] = None
    with pytest.raises(ValueError, match=r"'group' has 1 missing values \(rows 2\)"):
        sv.km_table(TIME, EVENT, conf_type="log", group=g)


def test_empty_input():
    with pytest.raises(ValueError, match="'time' is empty"):
        sv.km_table([], [], conf_type="log")


@pytest.mark.parametrize(
    "call",
    [
        lambda: sv.logrank(TIME, EVENT, ["a"] * 6),
        lambda: sv.pairwise_logrank(TIME, EVENT, ["a"] * 6),
        lambda: sv.gray_test(TIME, STATUS, ["a"] * 6),
    ],
    ids=["logrank", "pairwise_logrank", "gray_test"],
)
def test_two_group_test_given_one_group(call):
    with pytest.raises(ValueError, match=r"'group' has 1 distinct value.*needs at least 2"):
        call()


def test_conf_type_has_no_default_and_is_checked():
    with pytest.raises(TypeError):
        sv.km_table(TIME, EVENT)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="'conf_type' must be one of"):
        sv.km_table(TIME, EVENT, conf_type="arcsin")  # R's spelling; ours is "arcsine"
    with pytest.raises(ValueError, match="'conf_type' must be one of"):
        sv.cuminc(TIME, STATUS, conf_type="arcsine")


def test_cuminc_status_codes_and_cause():
    s = list(STATUS)
    s[4] = -1
    with pytest.raises(ValueError, match=r"'status' has codes -1(\.0)? \(rows 4\)"):
        sv.cuminc(TIME, s, conf_type="log")
    s = np.array(STATUS, dtype=float)
    s[3] = np.nan
    with pytest.raises(ValueError, match=r"'status' has 1 missing .*rows 3"):
        sv.cuminc(TIME, s, conf_type="log")
    with pytest.raises(ValueError, match=r"no patient with cause 3 \(causes present: \[1, 2\]\)"):
        sv.cuminc(TIME, STATUS, cause=3, conf_type="log")
    with pytest.raises(ValueError, match="absent must be 'raise' or 'zero'"):
        sv.cuminc(TIME, STATUS, cause=3, conf_type="log", absent="skip")
    with pytest.raises(ValueError, match="same length"):
        sv.gray_test(TIME, STATUS[:4], GROUP)


def test_cuminc_of_an_absent_cause_can_be_zero():
    """absent="zero": incidence 0, variance 0, no interval; NaN after the last follow-up
    (cmprsk's timepoints), like any other curve."""
    last = float(np.max(TIME))
    out = sv.cuminc(
        TIME, STATUS, cause=3, conf_type="log", absent="zero", times=[0.0, last / 2, last + 1]
    )
    assert out.estimate.iloc[:2].tolist() == [0.0, 0.0]
    assert out.variance.iloc[:2].tolist() == [0.0, 0.0]
    assert out.ci_lower.isna().all() and out.ci_upper.isna().all()
    assert np.isnan(out.estimate.iloc[2])


def test_km_at_negative_requested_time():
    with pytest.raises(ValueError, match=r"'times' has 1 negative values \(rows 1\)"):
        sv.km_at(TIME, EVENT, [3, -2], conf_type="log")


def test_pairwise_adjust_and_maxstat_options():
    with pytest.raises(ValueError, match="'adjust' must be None, 'holm' or 'BH'"):
        sv.pairwise_logrank(TIME, EVENT, GROUP, adjust="bonferroni")
    with pytest.raises(ValueError, match="'pmethod' must be 'Lau94' or 'HL'"):
        sv.maxstat(TIME, EVENT, TIME, pmethod="exactGauss")
    with pytest.raises(ValueError, match=r"'marker' has 1 missing .*rows 2"):
        sv.maxstat(TIME, EVENT, [1, 2, np.nan, 4, 5, 6], minprop=0.2, maxprop=0.8)
    with pytest.raises(ValueError, match="pmethod='HL' needs n <= 170"):
        n = 200
        sv.maxstat(np.arange(n) + 1.0, np.ones(n, int), np.arange(n) % 50, pmethod="HL")
