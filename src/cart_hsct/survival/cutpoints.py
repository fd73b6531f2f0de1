"""Maximally selected log-rank statistic for a data-driven cut-point (R ``maxstat``)."""

from __future__ import annotations

from math import lgamma
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import gammaln

from cart_hsct import checks

from ._common import norm_cdf, norm_sf, time_event

__all__ = ["maxstat"]

# R's pmaxstat multiplies counts by gamma(m + 1) gamma(N - m + 1) / gamma(N + 1):
# gamma overflows from N = 171 on, where R returns NaN.
HL_MAX_N = 170


def _logrank_scores(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Log-rank scores of ``exactRankTests::cscores(Surv(time, event))``.

    Tied times all take the largest rank of their tie group (``irank``).
    """
    n = time.size
    order = np.argsort(time, kind="stable")
    sorted_t = time[order]
    rank_max = np.searchsorted(sorted_t, time, side="right")  # 1-based max rank
    fact = event / (n - rank_max + 1.0)
    cum = np.cumsum(fact[order])
    return event - cum[rank_max - 1]


def _cut_positions(x_sorted: np.ndarray, n: int, minprop: float, maxprop: float) -> np.ndarray:
    """Sizes m of the lower group at each distinct-value boundary, as R ``cmaxstat``."""
    first = np.r_[True, x_sorted[1:] != x_sorted[:-1]]
    m = np.flatnonzero(first)  # which(!duplicated(x)) - 1
    if minprop == 0 and maxprop == 1:
        m = m[1:-1] if m.size > 2 else m[1:1]
    else:
        if np.all(m < np.floor(n * minprop)):
            raise ValueError(
                f"'minprop'={minprop} is too large: no cut-point leaves that share below it."
            )
        if np.all(m > np.floor(n * maxprop)):
            raise ValueError(
                f"'maxprop'={maxprop} is too small: no cut-point leaves that share below it."
            )
        m = m[m >= max(1, np.floor(n * minprop))]
        m = m[m <= np.floor(n * maxprop)]
    if m.size < 1:
        raise ValueError(
            f"'marker' has no cut-point between minprop={minprop} and maxprop={maxprop} "
            "(too few distinct values); widen the range or check the marker."
        )
    return m


def _standardised(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    n = y.size
    ss = y.sum()
    expected = m / n * ss
    variance = m * (n - m) / (n**2 * (n - 1)) * (n * np.sum(y**2) - ss**2)
    return np.abs((np.cumsum(y)[m - 1] - expected) / np.sqrt(variance))


def _p_lausen94(b: float, n: int, m: np.ndarray) -> float:
    """Lausen & Schumacher (1994) improved Bonferroni bound, R ``maxstat:::pLausen94``."""
    if m.size <= 1:
        d = 0.0
    else:
        m1, m2 = m[:-1].astype(float), m[1:].astype(float)
        t = np.sqrt(1 - m1 * (n - m2) / ((n - m1) * m2))
        d = np.sum(1 / np.pi * np.exp(-(b**2) / 2) * (t - (b**2 / 4 - 1) * t**3 / 6))
    return float(1 - (norm_cdf(b) - norm_cdf(-b)) + d)


def _integer_scores(scores: np.ndarray) -> np.ndarray:
    """Integer scores used with pmethod="HL" (``iscores=TRUE`` in R ``maxstat``)."""
    frac = scores - np.floor(scores)
    if np.sum(frac) == 0:
        return scores
    nonzero = frac[frac != 0]
    if np.all(nonzero == 0.5):
        return 2 * scores
    s = scores - scores.min()
    return np.round(s * s.size / s.max())  # R's round(): half to even, as numpy


def _p_hothorn_lausen(b: float, y: np.ndarray, msample: np.ndarray) -> float:
    """Hothorn & Lausen (2003) lower bound of the exact conditional p, R ``maxstat:::pmaxstat``.

    Builds the exact permutation distribution of the partial sums of integer scores
    (shift algorithm) and applies R's bound, index for index.
    """
    n = y.size
    scores = (y - y.min()).astype(np.int64)
    total = int(scores.sum())
    m = np.arange(1, n)
    expected = m / n * total
    var = (
        m * (n - m) / (n**2 * (n - 1)) * (n * np.sum(scores.astype(float) ** 2) - float(total) ** 2)
    )
    if msample.size == 1:
        raise ValueError(
            "pmethod='HL' with a single admissible cut-point is not supported; use 'Lau94'."
        )
    # counts[k, s]: number of subsets of k patients whose scores sum to s
    counts = np.zeros((n + 1, total + 1))
    counts[0, 0] = 1.0
    for k, sc in enumerate(scores):
        upto = k + 1
        if sc == 0:
            counts[1 : upto + 1] += counts[0:upto].copy()
        else:
            counts[1 : upto + 1, sc:] += counts[0:upto, :-sc].copy()
    h = counts[1:n, 1:]  # rows m = 1..N-1, columns s = 1..total (R drops s = 0)
    s_vals = np.arange(1, total + 1, dtype=float)
    stat = np.abs((s_vals[None, :] - expected[:, None]) / np.sqrt(var)[:, None])
    stat[h == 0] = 0
    # x m! (N-m)! / N!, on the log scale to stay finite; R does it in doubles
    log_w = np.array([lgamma(k + 1) + lgamma(n - k + 1) for k in m]) - gammaln(n + 1)
    prob = h * np.exp(log_w)[:, None]
    prob[stat <= b] = 0
    row = prob.sum(axis=1)
    maxs, mins = scores.max(), scores.min()
    # R loops i in min(msample):(N-2), 1-based row i = m_i, row i+1 = m_i + 1
    for i in range(int(msample.min()), n - 1):
        r = i - 1
        cols = np.flatnonzero(prob[r] > 0) + 1  # 1-based s
        if cols.size == 0:
            continue
        below = cols[cols < expected[r]]
        below = below[stat[r + 1, below + maxs - 1] > b]
        row[r + 1] -= prob[r, below - 1].sum()
        above = cols[cols > expected[r]]
        above = above[stat[r + 1, above + mins - 1] > b]
        row[r + 1] -= prob[r, above - 1].sum()
    return float(min(row[msample - 1].sum(), 1.0))


def maxstat(
    time: ArrayLike,
    event: ArrayLike,
    marker: ArrayLike,
    minprop: float = 0.1,
    maxprop: float = 0.9,
    pmethod: Literal["Lau94", "HL"] = "Lau94",
) -> dict:
    """Best cut-point of a continuous marker by the maximally selected log-rank statistic.

    Same numbers as R ``maxstat::maxstat.test(Surv(time, event) ~ marker,
    smethod="LogRank", pmethod=<pmethod>, minprop, maxprop)``: ``cutpoint`` is
    ``$estimate`` (patients with marker <= cutpoint form the lower group),
    ``statistic`` is ``$statistic``, ``p`` is ``$p.value``. With ``pmethod="HL"``
    R (and this function) first turns the log-rank scores into integers
    (``iscores=TRUE``), so the statistic differs slightly from ``"Lau94"``'s.

    Parameters
    ----------
    time, event : arrays
        Follow-up times (>= 0) and 0/1 events.
    marker : array of float
        Continuous marker to dichotomise.
    minprop, maxprop : float
        Share of patients that must lie below the cut at least / at most.
    pmethod : {"Lau94", "HL"}
        ``"Lau94"``: Lausen & Schumacher (1994) approximation. ``"HL"``: Hothorn &
        Lausen (2003) lower bound of the exact conditional p (n <= 170; R's
        gamma() overflows beyond).

    Returns
    -------
    dict
        cutpoint, statistic, p (adjusted for the search over cut-points),
        p_naive (two-sided normal p of the best split as if it had been fixed in
        advance, ``2 * pnorm(-statistic)``: what a naive log-rank at that cut
        suggests), and ``curve``: DataFrame cutpoint, statistic (the standardised
        statistic at every admissible cut, R's ``$cuts`` and ``$stats``).

    References
    ----------
    Lausen B, Schumacher M (1992, 1994); Hothorn T, Lausen B (2003) Comput Stat Data
    Anal 43:121-137.
    """
    t, e = time_event(time, event)
    checks.same_length(time=t, marker=marker)
    raw = (
        marker.to_numpy(float) if isinstance(marker, pd.Series) else np.asarray(marker, dtype=float)
    )
    bad = ~np.isfinite(raw)
    if bad.any():
        raise ValueError(
            f"'marker' has {bad.sum()} missing or infinite values (rows {checks._rows(bad)}); "
            "drop those patients before searching for a cut-point."
        )
    if pmethod not in ("Lau94", "HL"):
        raise ValueError(f"'pmethod' must be 'Lau94' or 'HL' (maxstat's names), got {pmethod!r}.")
    if not 0 <= minprop < maxprop <= 1:
        raise ValueError(
            f"need 0 <= minprop < maxprop <= 1, got minprop={minprop}, maxprop={maxprop}."
        )
    n = t.size
    scores = _logrank_scores(t, e.astype(float))
    if pmethod == "HL":
        if n > HL_MAX_N:
            raise ValueError(
                f"pmethod='HL' needs n <= {HL_MAX_N} (R's pmaxstat overflows beyond); "
                f"got n = {n}. Use pmethod='Lau94'."
            )
        scores = _integer_scores(scores)
    order = np.argsort(raw, kind="stable")
    x, y = raw[order], scores[order]
    m = _cut_positions(x, n, minprop, maxprop)
    stats = _standardised(y, m)
    best = int(np.argmax(stats))  # first maximum, as R's min(which(Test == max))
    b = float(stats[best])
    p = _p_lausen94(b, n, m) if pmethod == "Lau94" else _p_hothorn_lausen(b, y, m)
    return {
        "cutpoint": float(x[m[best] - 1]),
        "statistic": b,
        "p": p,
        "p_naive": float(2 * norm_sf(b)),
        "curve": pd.DataFrame({"cutpoint": x[m - 1], "statistic": stats}),
    }
