"""median_symmetric_ci against the formula written out on R's survfit (1e-6)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cart_hsct import survival as sv
from cart_hsct.paths import ROOT

REF = ROOT / "tests" / "reference"
DATA = pd.read_csv(REF / "median_ci_data.csv")
RESULTS = json.loads((REF / "median_ci_results.json").read_text())


@pytest.mark.parametrize("case", RESULTS, ids=lambda c: f"{c['set'][0]}-{c['alpha'][0]:g}")
def test_symmetric_median_interval_matches_r(case):
    d = DATA[DATA["set"] == case["set"][0]]
    median = sv.km_median(d["time"], d["event"], conf_type="log")["median"]
    assert median == pytest.approx(case["median"][0], abs=1e-9)
    lo, hi = sv.median_symmetric_ci(d["time"], d["event"], median, alpha=case["alpha"][0])
    np.testing.assert_allclose([lo, hi], [case["lower"][0], case["upper"][0]], atol=1e-6)


def test_the_fixtures_cover_ties_censoring_and_a_reverse_curve():
    assert set(DATA["set"]) == {"followup", "ties", "exact"}
    ties = DATA[DATA["set"] == "ties"]
    assert ties["time"].duplicated().any() and (ties["event"] == 0).any()


def test_no_interval_when_the_curve_never_reaches_the_band():
    # one death in ten: S never falls to 0.45
    time, event = np.arange(1, 11), np.r_[1, np.zeros(9)]
    assert sv.median_symmetric_ci(time, event, 5.0) == (None, None)
    assert sv.median_symmetric_ci(np.r_[1, 2, 3], np.r_[1, 1, 1], None) == (None, None)
