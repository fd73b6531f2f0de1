"""Time-dependent exposure tools against R, and their input errors.

References (written by ``tests/reference/make_time_dependent_fixtures.R``, survival 3.5):
- ``td_split.csv``: ``tmerge(base, d, id, exposed = tdc(exposure_day))`` rows;
- ``td_simon_makuch.csv``: ``summary(survfit(Surv(start, stop, event) ~ exposed,
  conf.type = ct), censored = TRUE)``;
- ``td_mantel_byar.json``: the Mantel-Byar sums written out in R, and on ``td_noties``
  (no tied deaths) ``coxph(Surv(start, stop, event) ~ exposed)$score``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from cart_hsct import survival as sv
from cart_hsct.paths import REFERENCE as REF

TOL = 1e-6
SPLIT_DATA = ("edge", "random", "noties")
R_MB = json.loads((REF / "td_mantel_byar.json").read_text())


def _patients(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"td_{name}.csv")


def _rows(name: str) -> pd.DataFrame:
    """Counting-process rows: split here (checked against R below) or given (delayed)."""
    if name == "delayed":
        return _patients("delayed")
    return sv.split_at_exposure(_patients(name), "time", "event", "exposure_day", id="id")


@pytest.mark.parametrize("name", SPLIT_DATA)
def test_split_matches_r_tmerge_tdc(name):
    """R: tmerge(base, d, id = id, exposed = tdc(exposure_day)), NA exposure -> 0."""
    want = pd.read_csv(REF / "td_split.csv").query("dataset == @name").drop(columns="dataset")
    got = sv.split_at_exposure(_patients(name), "time", "event", "exposure_day", id="id")
    got = got.sort_values(["id", "start"]).reset_index(drop=True)
    want = want.sort_values(["id", "start"]).reset_index(drop=True)
    assert list(got.columns) == ["id", "start", "stop", "event", "exposed"]
    assert_allclose(got.to_numpy(float), want[got.columns].to_numpy(float), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", [*SPLIT_DATA, "delayed"])
@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_simon_makuch_matches_r_survfit_counting(name, conf_type):
    """R: summary(survfit(Surv(start, stop, event) ~ exposed, conf.type = ct), censored = TRUE)"""
    want = pd.read_csv(REF / "td_simon_makuch.csv").query(
        "dataset == @name and conf_type == @conf_type"
    )
    d = _rows(name)
    got = sv.simon_makuch(d.start, d.stop, d.event, d.exposed, conf_type=conf_type)
    cols = [
        "group",
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
    assert_allclose(got[cols].to_numpy(float), want[cols].to_numpy(float), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("name", [*SPLIT_DATA, "delayed"])
def test_mantel_byar_matches_r_sums(name):
    """R: mantel_byar_by_hand() in make_time_dependent_fixtures.R (O - E, hypergeometric V)."""
    want = R_MB[name]
    d = _rows(name)
    got = sv.mantel_byar(d.start, d.stop, d.event, d.exposed)
    assert_allclose(
        [got["chi2"], got["df"], got["p"]],
        [want["chi2"][0], want["df"][0], want["p"][0]],
        rtol=TOL,
        atol=TOL,
    )
    assert list(got["groups"]["group"]) == [0, 1]
    assert_allclose(got["groups"]["observed"], want["observed"], rtol=TOL)
    assert_allclose(got["groups"]["expected"], want["expected"], rtol=TOL)


def test_mantel_byar_equals_coxph_score_without_ties():
    """R: coxph(Surv(start, stop, event) ~ exposed, td_noties split)$score."""
    d = _rows("noties")
    got = sv.mantel_byar(d.start, d.stop, d.event, d.exposed)
    assert_allclose(
        [got["chi2"], got["p"]],
        [R_MB["noties"]["coxph_score"][0], R_MB["noties"]["coxph_score_p"][0]],
        rtol=TOL,
        atol=TOL,
    )
    # and the package's own time-varying Cox gives the same score test
    score = sv.cox_time_varying(d, "id", "start", "stop", "event", ["exposed"]).tests
    assert score.loc["score", "stat"] == pytest.approx(got["chi2"], rel=1e-9)


def test_mantel_byar_differs_from_cox_score_with_ties():
    """Tied deaths: the hypergeometric variance is smaller than Breslow's, so chi2 is larger."""
    d = _rows("random")
    got = sv.mantel_byar(d.start, d.stop, d.event, d.exposed)
    score = sv.cox_time_varying(
        d, "id", "start", "stop", "event", ["exposed"], ties="breslow"
    ).tests.loc["score", "stat"]
    assert got["chi2"] > score


def test_mantel_byar_with_fixed_groups_from_zero_is_the_logrank_test():
    d = pd.read_csv(REF / "survival_random.csv")
    d = d[d.group.isin(sorted(d.group.unique())[:2]) & (d.time > 0)]
    got = sv.mantel_byar(np.zeros(len(d)), d.time, d.event, d.group)
    want = sv.logrank(d.time, d.event, d.group)
    assert got["chi2"] == pytest.approx(want["chi2"], rel=1e-12)


def test_split_keeps_columns_and_totals():
    pts = _patients("random").assign(age=lambda x: 30 + x.id % 7)
    rows = sv.split_at_exposure(pts, "time", "event", "exposure_day", keep=["age"])
    assert list(rows.columns) == ["row", "start", "stop", "event", "exposed", "age"]
    # follow-up and events are preserved, only cut in two
    assert (rows.stop - rows.start).sum() == pytest.approx(pts.time.sum())
    assert rows.event.sum() == pts.event.sum()
    assert (rows.groupby("row").age.nunique() == 1).all()


def test_exposure_rules_edge_cases():
    pts = pd.DataFrame(
        {"days": [10, 20, 30, 5, 8], "dead": [1, 1, 0, 0, 1], "tx_day": [0, 20, 35, 5, np.nan]}
    )
    rows = sv.split_at_exposure(pts, "days", "dead", "tx_day")
    one = rows.groupby("row").size()
    assert (one == 1).all()  # day 0, on the death day, after the end, on censoring, never
    assert rows.exposed.tolist() == [1, 0, 0, 0, 0]


# ----------------------------------------------------------------------------- errors


def _pts(**over):
    d = pd.DataFrame({"days": [10.0, 20.0, 30.0], "dead": [1, 0, 1], "tx_day": [3.0, np.nan, 40.0]})
    for k, v in over.items():
        d[k] = v
    return d


@pytest.mark.parametrize(
    "over, match",
    [
        ({"days": [10.0, -1.0, 30.0]}, r"'days' has 1 negative values \(rows 1\)"),
        ({"days": [10.0, 0.0, 30.0]}, r"'days' is 0 for 1 patients \(rows 1\)"),
        ({"tx_day": [-2.0, np.nan, 1.0]}, r"'tx_day' has 1 negative values \(rows 0\).*baseline"),
        ({"tx_day": [1.0, np.inf, 1.0]}, r"'tx_day' has 1 infinite values \(rows 1\).*NaN"),
        ({"tx_day": ["3", "x", None]}, r"'tx_day' has 1 non-numeric values \(rows 1\)"),
        ({"dead": [1, np.nan, 0]}, r"'dead' has 1 missing .* not censoring"),
        ({"dead": [1, 2, 0]}, r"'dead' has codes 2 \(rows 1\)"),
    ],
)
def test_split_errors_name_column_and_rows(over, match):
    with pytest.raises(ValueError, match=match):
        sv.split_at_exposure(_pts(**over), "days", "dead", "tx_day")


def test_split_missing_column():
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['hsct_day'\]"):
        sv.split_at_exposure(_pts(), "days", "dead", "hsct_day")


def test_counting_errors():
    with pytest.raises(ValueError, match=r"'stop' must be greater than 'start'.*rows 1"):
        sv.simon_makuch([0, 5], [3, 5], [1, 0], [0, 1], conf_type="log")
    with pytest.raises(ValueError, match="same length"):
        sv.mantel_byar([0, 0], [3, 4], [1, 0], [0, 1, 1])
    with pytest.raises(ValueError, match=r"'exposed' has 1 distinct value"):
        sv.mantel_byar([0, 0], [3, 4], [1, 0], [1, 1])
    with pytest.raises(ValueError, match=r"'exposed' has 1 missing values \(rows 0\)"):
        sv.mantel_byar([0, 0], [3, 4], [1, 0], [None, 1])
    with pytest.raises(ValueError, match=r"no information.*variance 0"):
        sv.mantel_byar([0, 0], [1, 1], [1, 1], [0, 1])  # both at risk die together
    with pytest.raises(ValueError, match="conf_type"):
        sv.simon_makuch([0], [3], [1], [0], conf_type="log_log")


def test_simon_makuch_without_late_entry_is_kaplan_meier():
    """All rows from 0 (nobody switches): the curves are km_table's, group by group."""
    d = pd.read_csv(REF / "survival_random.csv").query("time > 0")
    got = sv.simon_makuch(np.zeros(len(d)), d.time, d.event, d.group, conf_type="log-log")
    want = sv.km_table(d.time, d.event, group=d.group, conf_type="log-log")
    assert_allclose(
        got.drop(columns="group").to_numpy(float),
        want.drop(columns="group").to_numpy(float),
        rtol=1e-12,
        atol=1e-12,
    )
    assert (got.group.to_numpy() == want.group.to_numpy()).all()


_patient = st.tuples(
    st.integers(1, 100), st.integers(0, 1), st.one_of(st.none(), st.integers(0, 120))
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_patient, min_size=2, max_size=40))
def test_split_and_mantel_byar_invariants(patients):
    """Rows tile each patient's follow-up; exposed exactly from the exposure day on; the
    Mantel-Byar expected counts add up to the observed deaths."""
    pts = pd.DataFrame(patients, columns=["days", "dead", "tx_day"]).astype(float)
    rows = sv.split_at_exposure(pts, "days", "dead", "tx_day")
    by = rows.groupby("row")
    assert (by.start.min() == 0).all() and (by.stop.max() == pts.days).all()
    assert ((rows.stop - rows.start) > 0).all()
    # consecutive rows of a patient meet: each starts where the previous one stopped
    previous_stop = by.stop.shift()
    assert (rows.start[previous_stop.notna()] == previous_stop.dropna()).all()
    assert (by.event.sum() == pts.dead).all() and (by.event.last() == pts.dead).all()
    tx = pts.tx_day.to_numpy()[rows.row]
    assert (rows.exposed == (~np.isnan(tx) & (tx <= rows.start))).all()
    if rows.exposed.nunique() == 2 and rows.event.sum() > 0:
        try:
            got = sv.mantel_byar(rows.start, rows.stop, rows.event, rows.exposed)
        except ValueError as err:  # no death with both statuses at risk and a survivor
            assert "no information" in str(err)
            return
        assert got["chi2"] >= 0 and 0 <= got["p"] <= 1
        assert got["groups"].observed.sum() == rows.event.sum()
        assert got["groups"].expected.sum() == pytest.approx(rows.event.sum())
