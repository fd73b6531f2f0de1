"""Tests of cart_hsct.parity, the R-parity table shown on the statistics-toolkit page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cart_hsct import parity


def test_every_fixture_is_in_the_parity_table():
    """A new R fixture must get a comparison (or be declared an input) in parity.py."""
    assert parity.uncovered() == []


def test_parity_table_passes_for_every_function():
    table = parity.parity_table()
    assert len(table) == len(parity.COMPARISONS)
    failed = table[~table.passed]
    assert failed.empty, failed[["function", "max_rel_diff", "note"]].to_string()
    assert (table.cases > 0).all() and (table["values"] >= table.cases).all()


@pytest.mark.parametrize(
    "python, r, ok",
    [
        ([0.5, np.nan, np.inf], [0.5 + 9e-7, np.nan, np.inf], True),  # NA where R has NA
        ([0.5, 0.1], [0.5, np.nan], False),  # NaN on one side only
        ([0.5], [0.5 + 2e-6], False),  # beyond 1e-6
        ([3000.0], [3000.0 + 2e-3], True),  # relative above |R| = 1
        ([3000.0], [3000.0 + 4e-3], False),
        ([1.0, 2.0], [1.0], False),  # shape mismatch
    ],
)
def test_difference_rules(python, r, ok):
    assert parity.difference(python, r)[3] is ok


def test_difference_reports_absolute_and_relative():
    n, absolute, relative, _ = parity.difference([10.0, 0.2], [10.5, 0.2])
    assert n == 2 and absolute == pytest.approx(0.5) and relative == pytest.approx(0.5 / 10.5)


def test_missing_fixture_fails_visibly(tmp_path):
    table = parity.parity_table(tmp_path)
    assert not table.passed.any()
    assert set(table.note) == {"fixture missing"}


def test_a_wrong_r_value_fails(tmp_path):
    """Corrupt one R value in a copy of a fixture: its row must fail, the others pass."""
    for f in parity.REFERENCE.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    lr = pd.read_csv(tmp_path / "survival_logrank.csv")
    lr.loc[0, "p"] += 1e-4
    lr.to_csv(tmp_path / "survival_logrank.csv", index=False)
    table = parity.parity_table(tmp_path).set_index("function")
    assert not table.loc["survival.logrank", "passed"]
    assert table.loc["survival.logrank", "max_abs_diff"] == pytest.approx(1e-4, rel=1e-3)
    assert table.drop(index="survival.logrank").passed.all()
