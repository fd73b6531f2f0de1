"""The loss measures distance in the ledger's close band: one definition of "close".

A reconstructed number pays no step for being outside its band exactly when
``ledger.compare`` calls it exact or close, for every unit that has a band.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_hsct import ledger
from cart_hsct.reconstruct.fidelity import Result
from cart_hsct.reconstruct.loss import distance

UNITS = {
    "percent": (st.floats(1.0, 99.0), st.floats(-5.0, 5.0), "70.0%"),
    "HR": (st.floats(0.1, 10.0), st.floats(-0.3, 0.3), "HR 1.50"),
    "days": (st.floats(2.0, 2000.0), st.floats(-0.15, 0.15), "median 300 days"),
    "p-value": (st.floats(0.0005, 0.99), st.floats(-1.5, 1.5), "p=0.2"),
}


def _entry(unit: str, value: float) -> ledger.Entry:
    e = ledger.Entry(
        id="x.y",
        paper="x",
        unit=unit,
        value=value,
        quote=str(value),
        quantity="q",
        section="s",
        method="m",
        reproducible_from="ipd",
    )
    object.__setattr__(e, "half_unit", {"value": 1e-9})  # exact only when equal
    return e


@pytest.mark.parametrize("unit", sorted(UNITS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_loss_pays_its_step_exactly_where_the_ledger_says_not_close(unit, data):
    values, shifts, _ = UNITS[unit]
    printed = data.draw(values)
    shift = data.draw(shifts)
    if unit == "percent":
        reproduced = printed + shift
    elif unit == "p-value":
        odds = printed / (1 - printed) * 10**shift
        reproduced = odds / (1 + odds)
    else:
        reproduced = printed * (1 + shift)
    e = _entry(unit, printed)
    status = ledger.compare(e, reproduced)[0]
    z2 = distance(e, Result(reproduced), ("value",))
    pays_step = z2 > 1.0 + 1e-9  # inside the band z2 = z^2 <= 1; outside it is > 1 + step
    gap = ledger.close_gap(unit, reproduced, printed)
    if abs(abs(gap) - 1.0) < 1e-6:
        return  # on the band's edge, rounding decides
    assert (status in ("exact", "close")) == (not pays_step), (status, z2, gap)
