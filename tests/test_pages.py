"""The helpers pages share (cart_hsct.pages): p-values as printed, medians recorded against
the ledger, factor levels, spec expressions on a cohort, stated numbers recorded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cart_hsct import cohorts, ledger, pages, papertext, paths
from cart_hsct.reconstruct import load_spec


def test_format_p():
    assert pages.format_p(0.0004) == "p < 0.001"
    assert pages.format_p(0.0391) == "p = 0.039"
    assert pages.format_p(float("nan")) == "p = NA"
    assert pages.format_p(None) == "p = NA"
    assert pages.format_p(0.0004, prefix=False) == "< 0.001"
    assert pages.format_p(0.0391, prefix=False) == "0.039"
    assert pages.format_p(None, prefix=False) == "NA"


@pytest.fixture
def records(tmp_path, monkeypatch):
    """Records of this process by id; their page file goes to a temporary folder."""
    monkeypatch.setattr(paths, "REPRODUCTION", tmp_path)
    monkeypatch.setenv("CART_HSCT_NOTEBOOK", "test/pages")
    return lambda: {r["id"]: r for r in ledger.records()}


def test_record_median_explains_only_a_shortfall(records):
    eid = "cao2023.t2.mnc_dose"  # published median and range
    e = ledger.entry(eid)
    exact = [e.range[0], e.value, e.range[1]]
    d = pages.record_median(eid, exact, shortfall="why it misses")
    assert d == {"patients": 3, "median": e.value, "min": e.range[0], "max": e.range[1]}
    assert records()[eid]["explanation"] in (None, "")
    pages.record_median(eid, [e.range[0], 2 * e.value, e.range[1]], shortfall="why it misses")
    assert records()[eid]["explanation"] == "why it misses"
    pages.record_median(eid, exact, note="always", shortfall="why it misses")
    assert records()[eid]["explanation"] == "always"


def test_record_median_leaves_out_missing_values_and_gives_quartiles_on_request(records):
    d = pages.record_median(
        "cao2023.dli.time_median",
        pd.Series([1, 2, None, 3, 4, "x"]),
        note="a toy sample",
        quartiles=True,
    )
    assert d == {"patients": 4, "median": 2.5, "min": 1.0, "max": 4.0, "q1": 1.75, "q3": 3.25}
    assert records()["cao2023.dli.time_median"]["range"] == [1.0, 4.0]


def test_level_column_first_true_mask_wins_and_none_is_missing():
    a = pd.Series([True, False, False, pd.NA], dtype="boolean")
    b = pd.Series([True, True, False, True])
    out = pages.level_column({"a": a, "b": b})
    assert out.tolist() == ["a", "b", None, "b"]
    assert out.notna().tolist() == [True, True, False, True]


def test_spec_mask_reads_the_spec_and_leaves_missing_values_on_neither_side():
    pts = cohorts.load("cao2023")
    spec = load_spec("cao2023")
    of = {i: t.of for t in spec.targets if t.stat == "count" and t.of is not None for i in t.ids}
    le = pages.spec_mask(of["cao2023.t3.n.relapse_time_hsct1.le180d"], pts)
    gt = pages.spec_mask(of["cao2023.t3.n.relapse_time_hsct1.gt180d"], pts)
    missing = pts.hsct1_to_relapse_days.isna()
    assert missing.any() and not (le | gt)[missing].any()
    assert (le ^ gt)[~missing].all()
    assert le.sum() == ledger.entry("cao2023.t3.n.relapse_time_hsct1.le180d").value
    gt90 = pages.spec_mask(spec.derived["interval_gt90d"], pts)
    assert (gt90 == (pts.interval_gt90d == 1)).all()


def test_stated_reads_the_papers_text_not_the_ledger():
    entries = {
        i: e
        for i, e in ledger.load("chen2021").items()
        if i in ("chen2021.n.total", "chen2021.design.data_cutoff")
    }
    got = papertext.stated("chen2021", entries)
    assert got["chen2021.n.total"] == 28
    assert got["chen2021.design.data_cutoff"] == "2021-01-01"


def test_record_stated_names_the_identity_or_the_other_check(records):
    entries = {
        i: ledger.entry(i)
        for i in ("chen2021.n.total", "chen2021.sex.male", "chen2021.design.data_cutoff")
    }
    values = {
        "chen2021.n.total": 28,
        "chen2021.sex.male": 17,
        "chen2021.design.data_cutoff": "2021-01-01",
    }
    holds = {"text": "17 + 11 = 28", "holds": True}
    pages.record_stated(
        "chen2021",
        entries,
        values,
        {"sex": (holds, ["chen2021.sex.male"])},
        checks={"chen2021.design.data_cutoff": "; dates in order."},
        extra={"chen2021.n.total": " More."},
    )
    got = records()
    assert "identity 17 + 11 = 28 (sex) holds." in got["chen2021.sex.male"]["explanation"]
    assert got["chen2021.design.data_cutoff"]["explanation"].endswith("; dates in order.")
    assert got["chen2021.n.total"]["explanation"].endswith(
        "; no arithmetic identity involves it. More."
    )
    assert all(got[i]["explanation"].startswith("Read from the paper's") for i in values)


def test_cox_term_is_one_row_and_names_the_terms_when_absent():
    from cart_hsct import survival as sv

    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {"t": rng.exponential(10, 40), "e": rng.integers(0, 2, 40), "x": rng.normal(size=40)}
    )
    fit = sv.cox(df, "t", "e", ["x"])
    assert fit.term("x")["hr"] == fit.summary.iloc[0]["hr"]
    with pytest.raises(KeyError, match="terms: \\['x'\\]"):
        fit.term("y")
