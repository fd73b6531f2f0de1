"""The fidelity report and the loss: statistics as the survival functions compute them,
statuses as the ledger's rules give them, and the distance the search minimises."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reconstruct_toys import write_ledger

from cart_hsct import ledger
from cart_hsct.reconstruct import parse_spec
from cart_hsct.reconstruct.fidelity import Result, median_crossings
from cart_hsct.reconstruct.loss import distance


def test_a_symmetric_follow_up_interval_target_is_the_survival_functions():
    from cart_hsct import cohorts
    from cart_hsct import survival as sv
    from cart_hsct.reconstruct import fidelity_table, load_spec

    raw = copy.deepcopy(load_spec("chen2021").raw)
    target = next(t for t in raw["targets"] if t["stat"] == "median_followup")
    target.update(ids=["chen2021.followup.median_results"], ci_rule="symmetric")
    target.pop("compare", None)
    spec = parse_spec(raw, fname="chen2021.yaml")
    pts = cohorts.load("chen2021")
    row = fidelity_table(spec, pts).set_index("id").loc["chen2021.followup.median_results"]
    median = sv.median_followup(pts["os_days"], pts["os_event"])["median"]
    lo, hi = sv.median_symmetric_ci(pts["os_days"], 1 - pts["os_event"], median)
    assert row["reconstructed"] == median
    assert tuple(row["reconstructed_ci"]) == pytest.approx((lo, hi), rel=1e-5)  # 6 digits kept


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=15).filter(lambda v: len(v) % 2),
    st.integers(0, 12),
)
def test_median_crossings_count_the_values_that_must_move(values, published):
    """For an odd number of whole numbers, the count is the fewest values to change for
    the median to equal ``published`` (brute force: move the nearest ones onto it)."""
    vals = np.sort(np.asarray(values, float))
    k = median_crossings(vals, float(published), 0.5)
    assert (k == 0) == (np.median(vals) == published)
    moved = vals.copy()
    side = moved < published if np.median(vals) < published else moved > published
    nearest = np.flatnonzero(side)[::-1] if np.median(vals) < published else np.flatnonzero(side)
    moved[nearest[:k]] = published
    assert np.median(moved) == published
    if k:  # and one value fewer is not enough
        fewer = vals.copy()
        fewer[nearest[: k - 1]] = published
        assert np.median(fewer) != published


def _median_entry(tmp_path, ci_high):
    write_ledger(
        tmp_path,
        [
            {
                "id": "toy.median",
                "quote": "410 (250-NR)",
                "value": 410,
                "ci_low": 250,
                "ci_high": ci_high,
                "unit": "days",
            }
        ],
    )
    return ledger.load(directory=tmp_path)["toy.median"]


def test_an_upper_bound_not_reached_is_compared_as_such(tmp_path):
    """A median printed as 410 (250-NR): the lower bound is compared, and the upper one
    is 'not reached' on both sides or it is not reproduced."""
    e = _median_entry(tmp_path, "not reached")
    assert e.ci == (250, None)
    status, _ = ledger.compare(e, 410, ci=(250, None))
    assert status == "exact"
    status, reasons = ledger.compare(e, 410, ci=(250, 900))
    assert status == "discrepant" and any(r.startswith("ci_high") for r in reasons)
    status, reasons = ledger.compare(e, 410, ci=(150, None))
    assert status == "discrepant" and any(r.startswith("ci_low") for r in reasons)
    # the search's loss sees both bounds
    assert distance(e, Result(410, ci=(250, None)), ("value", "ci")) == 0
    assert distance(e, Result(410, ci=(250, 900)), ("value", "ci")) > 0
    assert distance(e, Result(410, ci=(150, None)), ("value", "ci")) > 0


def test_an_upper_bound_must_be_a_number_or_not_reached(tmp_path):
    with pytest.raises(
        ledger.LedgerError,
        match=re.escape(
            "entry 'toy.median', field 'ci_high': must be a number or 'not reached', got 'NR'"
        ),
    ):
        _median_entry(tmp_path, "NR")
