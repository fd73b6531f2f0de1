"""Key findings of the "what the counts alone reproduce" chapter, recomputed from the
ledger and cart_hsct.proportions (not read from notebook output).

Each test can fail: a change to an interval formula, to the tolerance rules in
cart_hsct.ledger or to a ledger entry changes which method reproduces which number.
"""

from __future__ import annotations

import pytest

from cart_hsct import ledger, papertext
from cart_hsct import proportions as pr


def _reproducing(eid: str, candidates) -> list[str]:
    tab = pr.which_method(eid, candidates)
    return tab.loc[tab.reproduces, "method"].tolist()


def _km(eid: str):
    e = ledger.entry(eid)
    return pr.ci_table(
        e.numerator, e.denominator, methods=[*pr.KM_METHODS, "wilson", "clopper-pearson"]
    )


@pytest.mark.parametrize("eid", ["chen2021.lfs_1y.cart_hsct", "chen2021.lfs_1y.cart1"])
def test_chen_lfs_intervals_are_log_log(eid):
    assert _reproducing(eid, _km(eid)) == ["log-log"]


@pytest.mark.parametrize(
    "eid", ["chen2021.os_1y.cart_hsct", "chen2021.os_1y.cart2", "chen2021.os_1y.cart1"]
)
def test_chen_os_intervals_are_reproduced_by_no_method(eid):
    assert _reproducing(eid, _km(eid)) == []


def test_chen_cart1_lfs_is_no_count_out_of_eight():
    assert pr.numerators_for(33.3, 8, 1) == []
    assert _reproducing("chen2021.lfs_1y.cart1", pr.ci_table(3, 9)) == []


@pytest.mark.parametrize(
    "eid",
    [
        "cao2023.t3.lfs_3y.cart_hsct2_interval_90d.gt90d",
        "cao2023.t3.os_3y.cart_hsct2_interval_90d.gt90d",
        "cao2023.t3.lfs_3y.mrd_pre2.pos",
        "cao2023.t3.os_3y.atg.p",
        "cao2023.t3.lfs_3y.atg.p",
    ],
)
def test_cao_km_intervals_are_arcsine(eid):
    assert _reproducing(eid, _km(eid)) == ["arcsine"]


@pytest.mark.parametrize(
    "eid",
    [
        "cao2023.agvhd24_100d",
        "cao2023.agvhd34_100d",
        "cao2023.engraft.platelet_60d",
        "cao2023.ptld_100d",
    ],
)
def test_cao_cif_intervals_are_log_with_aalen_johansen_variance(eid):
    e = ledger.entry(eid)
    assert "aalen-johansen:log" in _reproducing(eid, pr.cif_ci_table(e.numerator, e.denominator))


def test_cao_tatma_interval_needs_cmprsk_variance():
    got = _reproducing("cao2023.tatma_100d", pr.cif_ci_table(8, 95))
    assert got == ["cmprsk:log"]
    # the same count, 8/95, printed 4.3-16.3 for grade 3-4 aGVHD
    assert "cmprsk:log" not in _reproducing("cao2023.agvhd34_100d", pr.cif_ci_table(8, 95))


def test_chen_second_cr_p_is_fisher():
    tab = pr.which_test("chen2021.cr2_rate.p_hsct_vs_cart2", pr.two_by_two(10, 10, 3, 7))
    assert tab.loc[tab.reproduces, "test"].tolist() == ["fisher"]


def test_chen_first_vs_reinfusion_p_is_reproduced_by_no_test_on_stated_counts():
    tab = pr.which_test("chen2021.cr_rate.p_first_vs_reinfusion", pr.two_by_two(25, 27, 3, 7))
    assert not tab.reproduces.any()


def test_cao_intensified_conditioning_p_is_pearson_without_yates():
    tab = pr.which_test("cao2023.intensified.p", pr.two_by_two(6, 9, 13, 86))
    assert tab.loc[tab.reproduces, "test"].tolist() == ["chisq"]


@pytest.mark.parametrize(
    "eid, contradicted",
    [
        ("chen2021.mrd_neg_rate.first_infusion", True),
        ("chen2021.cres.discussion", True),
        ("cao2023.crs.g_undetermined", True),
        ("cao2023.t2.atg.atg_t", True),
        ("cao2023.crs.g2", False),  # truncation
        ("cao2023.t1.sex.male", False),  # rounding twice
    ],
)
def test_percentage_slips(eid, contradicted):
    e = ledger.entry(eid)
    f = pr.percent_finding(e.numerator, e.denominator, e.value, pr.printed_decimals(e))
    assert not f["matches"]
    assert f["contradicted"] is contradicted


def test_cao_undetermined_crs_grade_uses_the_crs_denominator():
    e = ledger.entry("cao2023.crs.g_undetermined")
    assert 56 in pr.denominators_for(e.value, e.numerator, 1)


def test_chen_group_sizes_add_up_from_the_paper_text():
    sizes = [
        papertext.stated_number("chen2021", ledger.entry(f"chen2021.n.{g}").quote)
        for g in ("cart_hsct", "cart2", "cart1", "total")
    ]
    assert pr.partition_sum(dict(zip("abc", sizes[:3], strict=True)), sizes[3])["holds"]


def test_every_counts_entry_is_one_of_the_chapter_kinds():
    # the notebooks sort entries by method/unit; a new method name must not slip through
    for e in ledger.load().values():
        if e.reproducible_from != "counts":
            continue
        landmark = e.method == "KM" or e.method.startswith("cumulative incidence")
        test = e.unit == "p-value" and "Fisher" in e.method
        if landmark or test:
            continue
        assert e.unit in ("percent", "count", "days", "date", "p-value", "years"), e.id
        if e.unit == "percent":
            assert e.numerator is not None and e.denominator is not None, e.id
