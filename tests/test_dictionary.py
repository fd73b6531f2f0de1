"""The data dictionary explains every column of both cohorts, from their specs."""

from __future__ import annotations

import pytest

from cart_hsct import cohorts
from cart_hsct.dictionary import dictionary


@pytest.mark.parametrize("cohort", ["chen2021", "cao2023"])
def test_every_column_is_explained_in_file_order(cohort):
    table = dictionary(cohort)
    assert list(table["column"]) == list(cohorts.load(cohort).columns)
    assert table[["type", "values", "meaning", "how"]].ne("").all().all()


def test_units_types_and_how_follow_the_spec():
    table = dictionary("chen2021").set_index("column")
    assert table.loc["os_days", ["type", "unit"]].tolist() == ["integer", "days"]
    assert table.loc["mrd_infusion_pct", "unit"] == "%"
    assert table.loc["sex", "how"] == "published margins (male 12, female 16)"
    assert table.loc["hsct", "how"] == "formula: group == 'CART+HSCT'"
    assert table.loc["mrd_after", "population"] == "response == 'CR'"
    assert table.loc["second_relapse_days", "values"] == "38: 1, 92: 1, 120: 1"


def test_an_unexplained_column_is_named(monkeypatch):
    df = cohorts.load("chen2021").assign(mystery=1)
    monkeypatch.setattr(cohorts, "load", lambda name: df)
    with pytest.raises(ValueError, match=r"chen2021.csv: columns \['mystery'\] are not explained"):
        dictionary("chen2021")
