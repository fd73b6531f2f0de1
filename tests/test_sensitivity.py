"""Moving reconstructed days into another window (cart_hsct.sensitivity)."""

import numpy as np
import pytest

from cart_hsct.sensitivity import stretch_days


def test_window_ends_median_and_order_are_kept():
    days = np.array([35, 43, 63, 63, 95, 120, np.nan])
    out, capped = stretch_days(days, window=(21, 180), median=63)
    assert out[0] == 21 and out[5] == 180 and out[2] == out[3] == 63
    assert np.isnan(out[6]) and capped == 0
    assert np.all(np.diff(out[:6]) >= 0)
    assert np.nanmedian(out) == 63


def test_a_day_is_capped_before_the_end_of_follow_up():
    out, capped = stretch_days([35, 63, 120], window=(35, 200), median=63, before=[400, 300, 150])
    assert out.tolist() == [35, 63, 149] and capped == 1


def test_the_median_must_lie_in_the_window():
    with pytest.raises(ValueError, match="outside the window"):
        stretch_days([1, 2, 3], window=(10, 20), median=2)
