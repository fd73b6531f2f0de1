"""Compiled Kaplan-Meier kernels: the loops behind ``kernels.km_at``, ``km_median``,
``km_first_at_or_below`` and ``median_symmetric`` (the numpy originals are in ``km.py``)."""

from __future__ import annotations

import numpy as np

from ._jit import R_TOL, jit, km_band, km_steps


@jit
def km_at(t, e, at, conf, z):
    """Survival, its standard error and CI at the times ``at`` (``km._km_at_kernel``)."""
    times, _, _, surv, se_log = km_steps(t, e)
    k = at.size
    s_out, se_out, lo_out, hi_out = np.empty(k), np.empty(k), np.empty(k), np.empty(k)
    for j in range(k):
        # number of curve times <= at[j] (R's findInterval); 0 = before the first: S = 1
        idx = np.searchsorted(times, at[j], side="right")
        if idx == 0:
            s_out[j], se_out[j], lo_out[j], hi_out[j] = 1.0, 0.0, 1.0, 1.0
        else:
            p, se = surv[idx - 1], se_log[idx - 1]
            s_out[j], se_out[j] = p, p * se
            lo_out[j], hi_out[j] = km_band(p, se, conf, z)
    return s_out, se_out, lo_out, hi_out


@jit
def _first_at_least(knots, valid, p):
    """Position of the smallest knot >= p (the earliest on ties), -1 if p lies outside
    the knots' range: ``approx(knots, 1:n, p, method="constant", f=1)``."""
    lowest, best = np.inf, -1
    highest = -np.inf
    for i in range(knots.size):
        if not valid[i]:
            continue
        v = knots[i]
        lowest = min(lowest, v)
        highest = max(highest, v)
    if p < lowest or p > highest:
        return -1
    smallest = np.inf
    for i in range(knots.size):
        if valid[i] and knots[i] >= p and knots[i] < smallest:
            smallest, best = knots[i], i
    return best


@jit
def findq(x, y, p):
    """R ``survival:::findq`` (``km._findq``): the time at which 1 - S first reaches p."""
    n_all = y.size
    top, any_valid = -np.inf, False
    for i in range(n_all):
        if not np.isnan(y[i]):
            any_valid = True
            top = max(top, y[i])
    if not any_valid or top < p:
        return np.nan
    xmax = x[n_all - 1]
    # R's !duplicated(y), NaN counting as one value: in a stable sort by value the first
    # of each run of equal values is its earliest occurrence
    flat = np.where(np.isnan(y), np.inf, y)  # 1 - S lies in [0, 1]: +inf is free
    order = np.argsort(flat, kind="mergesort")
    keep = np.zeros(n_all, np.bool_)
    m = 0
    for q in range(n_all):
        if q == 0 or flat[order[q]] != flat[order[q - 1]]:
            keep[order[q]] = True
            m += 1
    xs, ys = np.empty(m), np.empty(m)
    valid = np.empty(m, np.bool_)
    k = 0
    for i in range(n_all):
        if keep[i]:
            xs[k], ys[k], valid[k] = x[i], y[i], not np.isnan(y[i])
            k += 1
    i1 = _first_at_least(ys + R_TOL, valid, p)
    i2 = _first_at_least(ys - R_TOL, valid, p)
    quant = np.nan if i1 < 0 or i2 < 0 else (xs[i1] + xs[i2]) / 2
    last = ys[m - 1]
    if not np.isnan(last) and abs(p - last) < R_TOL and i1 >= 0:
        quant = (xs[i1] + xmax) / 2
    return quant


@jit
def km_median(t, e, conf, z):
    """(median, ci_lower, ci_upper) by R's rule, NaN = not reached (``_km_median_kernel``)."""
    times, _, _, surv, se_log = km_steps(t, e)
    m = times.size
    x = np.empty(m + 1)
    ys, ylo, yhi = np.empty(m + 1), np.empty(m + 1), np.empty(m + 1)
    x[0], ys[0], ylo[0], yhi[0] = 0.0, 0.0, 0.0, 0.0
    for k in range(m):
        lo, hi = km_band(surv[k], se_log[k], conf, z)
        x[k + 1] = times[k]
        ys[k + 1], ylo[k + 1], yhi[k + 1] = 1 - surv[k], 1 - lo, 1 - hi
    # the lower band crosses 0.5 first: it gives the lower limit of the median
    return findq(x, ys, 0.5), findq(x, ylo, 0.5), findq(x, yhi, 0.5)


@jit
def km_first_at_or_below(t, e, p):
    """First time at which S <= p (within R_TOL), NaN if never (``_km_first_at_or_below``)."""
    times, _, _, surv, _ = km_steps(t, e)
    for k in range(times.size):
        if surv[k] <= p + R_TOL:
            return times[k]
    return np.nan


@jit
def median_symmetric(t, e, median, z):
    """``median -+ z SE(S(median)) / slope`` (``km._median_symmetric_kernel``)."""
    times, _, events, surv, se_log = km_steps(t, e)
    u, low = -1, -1
    for k in range(times.size):
        if events[k] > 0:
            if surv[k] >= 0.55:
                u = k
            if surv[k] <= 0.45 and low < 0:
                low = k
    if u < 0 or low < 0 or not np.isfinite(median):
        return np.nan, np.nan
    slope = (surv[u] - surv[low]) / (times[low] - times[u])
    idx = np.searchsorted(times, median, side="right")
    se_s = 0.0 if idx == 0 else surv[idx - 1] * se_log[idx - 1]
    half = z * se_s / slope
    return median - half, median + half
