"""Landmark analysis against R.

Reference: ``tests/reference/landmark_results.csv``, written by
``make_landmark_fixtures.R``: ``coxph(Surv(time - L, event) ~ exposed)`` and
``survdiff`` on ``subset(base, time > L & eligible)``, exposed = exposure day <= L, on the
time-dependent fixtures (``td_edge.csv``, ``td_random.csv``); restricted = odd ids only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from cart_hsct import survival as sv
from cart_hsct.paths import REFERENCE as REF

WANT = pd.read_csv(REF / "landmark_results.csv")
# R's coefficient diverges where every exposed patient dies first (separation): no parity
WANT = WANT[~(WANT.hr > 1e6)]


@pytest.mark.parametrize(
    "row",
    WANT.to_dict("records"),
    ids=lambda r: f"{r['dataset']}-L{r['landmark']}-{r['restricted']}",
)
def test_landmark_cox_matches_r_coxph_and_survdiff(row):
    base = pd.read_csv(REF / f"td_{row['dataset']}.csv")
    eligible = base.id % 2 == 1 if row["restricted"] else None
    got = sv.landmark_cox(
        base, "time", "event", "exposure_day", day=row["landmark"], eligible=eligible
    )
    assert (got["n"], got["events"], got["exposed"]) == (row["n"], row["events"], row["exposed"])
    for key in ("hr", "ci_lower", "ci_upper", "p", "logrank_p"):
        if np.isnan(row[key]):
            assert np.isnan(got[key]), key
        else:
            assert_allclose(got[key], row[key], rtol=1e-6, err_msg=key)


def test_exposure_after_the_landmark_counts_as_unexposed():
    df = pd.DataFrame(
        {"time": [5, 50, 80, 90], "event": [1, 1, 0, 1], "x": [np.nan, 20, 40, np.nan]}
    )
    lm = sv.landmark_data(df, "time", "event", "x", day=30)
    assert lm["exposed_by_landmark"].tolist() == [1, 0, 0]  # the death on day 5 leaves
    assert lm["exposed_later"].tolist() == [0, 1, 0]
    assert lm["time_from_landmark"].tolist() == [20.0, 50.0, 60.0]


def test_bad_input_names_the_problem():
    df = pd.DataFrame({"time": [5, 50], "event": [1, 1], "x": [1, 2]})
    with pytest.raises(KeyError, match="no column 'day'"):
        sv.landmark_data(df, "time", "event", "day", day=3)
    with pytest.raises(ValueError, match="eligible has 3 values for 2 patients"):
        sv.landmark_data(df, "time", "event", "x", day=3, eligible=[True, True, False])
