"""Fixed-time statistics against R (1e-6): the z-test of two Kaplan-Meier estimates at one
time (survival.km_compare_at) and cumulative incidence carried past the last follow-up
(survival.cuminc(extend=True, absent="zero")). Fixtures: tests/reference/
make_fixed_time_fixtures.R, which writes both tests out on survfit and cmprsk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cart_hsct import survival as sv
from cart_hsct.paths import ROOT

REF = ROOT / "tests" / "reference"
DATA = pd.read_csv(REF / "fixed_time_data.csv")
KM = pd.read_csv(REF / "fixed_time_km.csv")
CIF = pd.read_csv(REF / "fixed_time_cuminc.csv")


@pytest.mark.parametrize("row", KM.to_dict("records"), ids=lambda r: f"{r['set']}-{r['time']:g}")
def test_km_compare_at_matches_survfit_greenwood(row):
    d = DATA[DATA["set"] == row["set"]]
    got = sv.km_compare_at(d.time, d.event, d.group, at=row["time"])
    assert (got["group_a"], got["group_b"]) == (row["group_a"], row["group_b"])
    keys = ["survival_a", "survival_b", "difference", "std_err", "z", "p"]
    np.testing.assert_allclose(
        [got[k] for k in keys], [row[k] for k in keys], atol=1e-6, equal_nan=True
    )


def test_fixtures_cover_a_curve_at_zero_nothing_to_test_and_times_after_follow_up():
    assert ((KM.survival_a == 0) | (KM.survival_b == 0)).any()
    assert KM.p.isna().any() and KM.p.notna().any()
    last = DATA.groupby("set").time.max()
    assert (KM.time > KM.set.map(last)).any()


def test_km_compare_at_by_hand():
    # a: 3 of 4 alive at day 5 (no censoring), b: 1 of 4; Greenwood var = S(1 - S) / n
    time = [1, 9, 9, 9, 1, 2, 3, 9]
    event = [1, 0, 0, 0, 1, 1, 1, 0]
    got = sv.km_compare_at(time, event, list("aaaabbbb"), at=5)
    se = np.sqrt(0.75 * 0.25 / 4 * 2)
    assert got["z"] == pytest.approx(0.5 / se)


def test_km_compare_at_needs_exactly_two_groups():
    with pytest.raises(ValueError, match="exactly two"):
        sv.km_compare_at([1, 2, 3], [1, 1, 1], ["a", "b", "c"], at=2)


@pytest.mark.parametrize("variance", ["survfit", "cmprsk"])
@pytest.mark.parametrize(
    "key", sorted({tuple(k) for k in CIF[["set", "group", "cause"]].values}), ids=str
)
def test_cuminc_extended_and_absent_match_r(key, variance):
    name, group, cause = key
    r = CIF[(CIF["set"] == name) & (CIF["group"] == group) & (CIF["cause"] == cause)]
    d = DATA[(DATA["set"] == name) & (DATA["group"] == group)]
    got = sv.cuminc(
        d.time,
        d.status,
        cause=int(cause),
        times=r.time,
        conf_type="log",
        variance=variance,
        absent="zero",
        extend=True,
    )
    est, var = (
        ("estimate", "survfit_var") if variance == "survfit" else ("cmprsk_estimate", "cmprsk_var")
    )
    np.testing.assert_allclose(got.estimate, r[est], atol=1e-6)
    np.testing.assert_allclose(got.variance, r[var], atol=1e-6)


def test_without_extend_cuminc_is_na_after_the_last_follow_up():
    d = DATA[(DATA["set"] == "random") & (DATA["group"] == "p")]
    got = sv.cuminc(d.time, d.status, cause=1, times=[80], conf_type="log")
    assert np.isnan(got.estimate.iloc[0])
