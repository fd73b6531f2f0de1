"""Proportional-hazards diagnostics against R.

Reference: ``tests/reference/make_zph_fixtures.R`` -> ``zph_results.json`` (R survival
3.5.3, see ``zph_sessionInfo.txt``): ``cox.zph(fit, transform, terms, global = TRUE)``
for transforms km, identity, rank and log, Efron and Breslow ties, terms = TRUE and FALSE
(a 3-level factor), and ``residuals(fit, "schoenfeld" | "scaledsch")``. The data sets
(``zph_ties.csv``: many tied deaths, deaths tied with censorings, two covariates;
``zph_factor.csv``: a factor and a continuous covariate, rows unsorted) are written by
the same script.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from cart_hsct import survival as sv
from cart_hsct.survival.diagnostics import cox_zph, schoenfeld_residuals

REF = __import__("pathlib").Path(__file__).parent / "reference"
R = json.loads((REF / "zph_results.json").read_text())
ATOL = 1e-6


def _covariates(case: dict) -> list[str]:
    return case["formula"][0].split("~")[1].replace(" ", "").split("+")


def _data(case: dict) -> pd.DataFrame:
    return pd.read_csv(REF / case["data"][0])


@pytest.mark.parametrize("name", sorted(R["zph"]))
def test_cox_zph_matches_r(name):
    want = R["zph"][name]
    got = cox_zph(
        _data(want),
        "time",
        "event",
        _covariates(want),
        ties=want["ties"][0],
        transform=want["transform"][0],
        terms=want["terms"][0],
    )
    assert list(got.table.index) == want["term"]
    assert_allclose(got.table.chisq, want["chisq"], rtol=ATOL, atol=ATOL)
    assert_array_equal(got.table["df"], want["df"])
    assert_allclose(got.table.p, want["p"], rtol=0, atol=ATOL)
    assert_allclose(got.x, want["x"], rtol=0, atol=ATOL)
    assert_array_equal(got.time, want["time"])
    assert list(got.y.columns) == want["y_columns"]
    # R's matrices arrive column-major
    assert_allclose(got.y.to_numpy().ravel(order="F"), want["y"], rtol=ATOL, atol=ATOL)
    assert_allclose(got.var.ravel(order="F"), want["var"], rtol=ATOL, atol=ATOL)
    assert_allclose(got.fit.coef_, want["coef"], rtol=ATOL, atol=ATOL)


@pytest.mark.parametrize("name", sorted(R["residuals"]))
@pytest.mark.parametrize("kind", ["schoenfeld", "scaledsch"])
def test_schoenfeld_residuals_match_r(name, kind):
    want = R["residuals"][name]
    got = schoenfeld_residuals(
        _data(want),
        "time",
        "event",
        _covariates(want),
        ties=want["ties"][0],
        scaled=kind == "scaledsch",
    )
    assert list(got.columns) == ["time", *want["columns"]]
    assert_array_equal(got.time, want["time"])
    assert_allclose(got.iloc[:, 1:].to_numpy().ravel(order="F"), want[kind], rtol=ATOL, atol=ATOL)


def test_fixtures_cover_ties_transforms_and_terms():
    """The fixtures exercise what the docstring promises (so a shrunken R script fails)."""
    cases = R["zph"].values()
    assert {c["transform"][0] for c in cases} == {"km", "identity", "rank", "log"}
    assert {c["ties"][0] for c in cases} == {"efron", "breslow"}
    assert {c["terms"][0] for c in cases} == {True, False}
    tied = pd.read_csv(REF / "zph_ties.csv")
    death_times = tied.time[tied.event == 1]
    assert death_times.duplicated().sum() > 10
    assert set(death_times) & set(tied.time[tied.event == 0])  # deaths tied with censorings


def test_zph_is_invariant_to_row_order():
    d = pd.read_csv(REF / "zph_factor.csv")
    shuffled = d.sample(frac=1, random_state=3).reset_index(drop=True)
    a = cox_zph(d, "time", "event", ["grp", "age"]).table
    b = cox_zph(shuffled, "time", "event", ["grp", "age"]).table
    assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9)


def test_schoenfeld_residuals_sum_to_zero_at_the_mle():
    """The score at beta-hat is the sum of the Schoenfeld residuals, so it is ~0."""
    d = pd.read_csv(REF / "zph_ties.csv")
    r = schoenfeld_residuals(d, "time", "event", ["trt", "score"], ties="breslow")
    assert_allclose(r[["trt", "score"]].sum(), 0, atol=1e-6)


def test_scaled_residuals_average_to_the_coefficient():
    d = pd.read_csv(REF / "zph_ties.csv")
    fit = sv.cox(d, "time", "event", ["trt", "score"])
    r = schoenfeld_residuals(d, "time", "event", ["trt", "score"], scaled=True)
    assert_allclose(r[["trt", "score"]].mean(), fit.coef_, atol=1e-6)


def test_bad_transform_names_the_choices():
    d = pd.read_csv(REF / "zph_ties.csv")
    with pytest.raises(ValueError, match="'transform' must be one of"):
        cox_zph(d, "time", "event", ["trt"], transform="sqrt")


def test_exported_from_survival():
    assert sv.cox_zph is cox_zph and sv.schoenfeld_residuals is schoenfeld_residuals
