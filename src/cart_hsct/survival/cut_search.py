"""What a cut-off search costs: the ordinary log-rank chi-square at every cut of a marker,
and its maximum under no effect, by simulation.

X-tile and similar tools report the log-rank chi-square of the best split (R ``survdiff``),
not maxstat's standardised statistic (a permutation variance, :func:`maxstat`). A p-value
for a published maximum therefore needs the null distribution of *that* maximum: give the
patients markers unrelated to survival, search the same window, and count how often the
best split reaches the published chi-square.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import chdtrc

from ._common import time_event
from .cutpoints import _cut_positions

__all__ = ["logrank_cut_curve", "max_logrank_null", "search_corrected_p"]


def _chi2_for_groups(time: np.ndarray, event: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Two-group log-rank chi-square (R ``survdiff``) for each row of ``high`` (k x n, 0/1)."""
    t = np.unique(time[event == 1])
    at_risk = (time[:, None] >= t[None, :]).astype(float)  # n x J
    dies = ((time[:, None] == t[None, :]) & (event[:, None] == 1)).astype(float)
    n_j, d_j = at_risk.sum(0), dies.sum(0)
    n1, d1 = high @ at_risk, high @ dies  # k x J
    share = n1 / n_j
    var = np.where(n_j > 1, d_j * share * (1 - share) * (n_j - d_j) / np.maximum(n_j - 1, 1), 0.0)
    return (d1 - d_j * share).sum(1) ** 2 / var.sum(1)


def logrank_cut_curve(
    time: ArrayLike,
    event: ArrayLike,
    marker: ArrayLike,
    *,
    minprop: float = 0.1,
    maxprop: float = 0.9,
) -> pd.DataFrame:
    """The log-rank chi-square of ``marker > cut`` against ``<= cut`` at every cut.

    Cuts lie between distinct marker values, in the window maxstat searches (the lower
    group holds between ``floor(n minprop)`` and ``floor(n maxprop)`` patients).

    Returns
    -------
    DataFrame
        cutpoint (largest value of the lower group), n_low, chi2, p (1 df).
    """
    time, event = time_event(time, event)
    x = np.asarray(marker, dtype=float)
    order = np.argsort(x, kind="stable")
    m = _cut_positions(x[order], x.size, minprop, maxprop)
    high = np.zeros((m.size, x.size))
    for row, size in enumerate(m):
        high[row, order[size:]] = 1.0
    chi2 = _chi2_for_groups(time, event, high)
    return pd.DataFrame(
        {"cutpoint": x[order][m - 1], "n_low": m, "chi2": chi2, "p": chdtrc(1, chi2)}
    )


def max_logrank_null(
    time: ArrayLike,
    event: ArrayLike,
    *,
    minprop: float = 0.1,
    maxprop: float = 0.9,
    n_sim: int = 2000,
    seed: int = 0,
) -> np.ndarray:
    """The best split's log-rank chi-square for ``n_sim`` markers with no effect.

    Each marker is a random order of the patients (uniform draws: distinct values), searched
    over the same window as :func:`logrank_cut_curve`.
    """
    time, event = time_event(time, event)
    n = time.size
    rng = np.random.default_rng(seed)
    m = _cut_positions(np.arange(n, dtype=float), n, minprop, maxprop)
    out = np.empty(n_sim)
    for k in range(n_sim):
        order = rng.permutation(n)
        high = (np.arange(n)[None, :] >= m[:, None]).astype(float)[:, np.argsort(order)]
        out[k] = _chi2_for_groups(time, event, high).max()
    return out


def search_corrected_p(chi2: float, null: ArrayLike) -> float:
    """Share of the null maxima at or above ``chi2``: the p-value of a searched maximum."""
    return float(np.mean(np.asarray(null, dtype=float) >= chi2))
