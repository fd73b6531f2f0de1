"""Sensitivity of an analysis to a reconstructed quantity the papers do not print.

The reconstruction has to place some days the papers only summarise (for Chen 2021, the
transplant days: a median and an assumed window). :func:`stretch_days` moves such days
into another window while keeping what *is* published (their median) and what the
reconstruction drew (their order), so that an analysis can be rerun over the windows a
reader might find plausible.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["stretch_days"]


def stretch_days(
    days: ArrayLike, *, window: tuple[float, float], median: float, before: ArrayLike | None = None
) -> tuple[np.ndarray, int]:
    """Map days into ``window`` keeping their order and their median.

    Days at or below ``median`` are stretched linearly from [their minimum, median] onto
    [window[0], median], the others from [median, their maximum] onto [median,
    window[1]]; missing days stay missing. Where ``before`` is given (e.g. the day of
    relapse, death or last follow-up), a moved day is capped one day before it, so that
    no patient is transplanted after the end of their follow-up.

    Returns
    -------
    (array, int)
        The moved days (whole days) and the number of days the cap changed.
    """
    lo, hi = window
    if not lo <= median <= hi:
        raise ValueError(f"stretch_days(): the median {median} lies outside the window {window}")
    x = np.asarray(days, dtype=float)
    seen = x[~np.isnan(x)]
    if seen.size == 0:
        return x.copy(), 0
    x_lo, x_hi = seen.min(), seen.max()
    out = np.full_like(x, np.nan)
    low, high = x <= median, x > median
    out[low] = median - (median - x[low]) * _ratio(median - lo, median - x_lo)
    out[high] = median + (x[high] - median) * _ratio(hi - median, x_hi - median)
    out = np.round(out)
    capped = 0
    if before is not None:
        limit = np.asarray(before, dtype=float) - 1
        over = ~np.isnan(out) & ~np.isnan(limit) & (out > limit)
        capped = int(over.sum())
        out[over] = limit[over]
    return out, capped


def _ratio(target: float, source: float) -> float:
    # a side with no spread (every day on the median) stays where it is
    return target / source if source > 0 else 0.0
