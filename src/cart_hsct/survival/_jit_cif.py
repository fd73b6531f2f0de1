"""Compiled cumulative incidence at chosen times (``competing._cuminc_at_kernel``), with
cmprsk's delta-method variance or survfit's infinitesimal jackknife."""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit, tabulate


@jit
def _counts(t, s, cause):
    """Distinct times, each patient's time index, and per time: patients, events of any
    cause, events of ``cause``, patients at risk (float, as the numpy kernels')."""
    times, inverse = tabulate(t)
    m = times.size
    n_t, d_any, d_k = np.zeros(m), np.zeros(m), np.zeros(m)
    for i in range(t.size):
        n_t[inverse[i]] += 1.0
        if s[i] != 0:
            d_any[inverse[i]] += 1.0
        if s[i] == cause:
            d_k[inverse[i]] += 1.0
    rs = np.empty(m)
    acc = 0.0
    for k in range(m - 1, -1, -1):
        acc += n_t[k]
        rs[k] = acc
    return times, inverse, d_any, d_k, rs


@jit
def steps_cmprsk(t, s, cause):
    """Estimate and cmprsk's variance at each distinct time (``competing._cif_steps``)."""
    times, _, d_any, d1, rs = _counts(t, s, cause)
    m = times.size
    est, var = np.empty(m), np.empty(m)
    km_after, f = 1.0, 0.0
    v1, v2, v3 = 0.0, 0.0, 0.0
    last = 0.0  # variance at the last time with an event of the cause (0 before any)
    for k in range(m):
        km_before = km_after
        km_after *= 1.0 - d_any[k] / rs[k]
        f += km_before * d1[k] / rs[k]
        d2 = d_any[k] - d1[k]
        inv_after = 1.0 / km_after if km_after > 0 else 0.0
        # competing events (skipped by cinc once the all-cause KM reaches 0)
        t5 = 1.0 - (d2 - 1.0) / (rs[k] - 1.0) if d2 > 1 else 1.0
        w2 = km_before**2 * t5 * d2 / rs[k] ** 2 if d2 > 0 and km_after > 0 else 0.0
        a2 = f * inv_after
        # events of the cause of interest
        t5 = 1.0 - (d1[k] - 1.0) / (rs[k] - 1.0) if d1[k] > 1 else 1.0
        w1 = km_before**2 * t5 * d1[k] / rs[k] ** 2 if d1[k] > 0 else 0.0
        b1 = 1.0 + inv_after * f
        v1 += a2 * a2 * w2 + b1 * b1 * w1
        v2 += inv_after * a2 * w2 + inv_after * b1 * w1
        v3 += inv_after * inv_after * (w2 + w1)
        if d1[k] > 0:
            last = v1 + f * f * v3 - 2 * f * v2
        est[k], var[k] = f, last
    return times, est, var


@jit
def steps_survfit(t, s, cause):
    """Estimate and survfit's infinitesimal-jackknife variance at each distinct time
    (``competing._cif_steps_survfit``): per patient, the derivative of the estimate with
    respect to its case weight, accumulated over time."""
    times, inverse, d_any, d_k, y = _counts(t, s, cause)
    m = times.size
    h, hk = d_any / y, d_k / y
    p0, p0_before, est = np.empty(m), np.empty(m), np.empty(m)
    surv, f = 1.0, 0.0
    for k in range(m):
        p0_before[k] = surv
        surv *= 1.0 - h[k]
        p0[k] = surv
        f += p0_before[k] * hk[k]
        est[k] = f
    var = np.zeros(m)
    for i in range(t.size):
        ti, any_i, k_i = inverse[i], 1.0 if s[i] != 0 else 0.0, 1.0 if s[i] == cause else 0.0
        ratio_sum, u0_before, uk = 0.0, 0.0, 0.0
        for k in range(m):
            at = 1.0 if ti >= k else 0.0
            here = ti == k
            dh = ((any_i if here else 0.0) - at * h[k]) / y[k]
            dhk = ((k_i if here else 0.0) - at * hk[k]) / y[k]
            # 1 - h is 0 only at the last time, whose derivative no later time uses
            ratio_sum += dh / (1.0 - h[k]) if h[k] < 1.0 else 0.0
            uk += u0_before * hk[k] + p0_before[k] * dhk
            var[k] += uk * uk
            u0_before = -p0[k] * ratio_sum
    return times, est, var


@jit
def cif_band(f, v, conf, z):
    """(lower, upper) of one incidence (``competing._cif_confint``; conf 0 plain, 1 log,
    2 log-log)."""
    se = math.sqrt(v)
    if conf == 0:
        lo, hi = f - z * se, f + z * se
        if math.isnan(lo) or math.isnan(hi):
            return lo, hi
        return max(lo, 0.0), min(hi, 1.0)
    if conf == 1:
        if not f > 0:
            return np.nan, np.nan
        hi = f * math.exp(z * se / f)
        return f * math.exp(-z * se / f), (hi if math.isnan(hi) else min(hi, 1.0))
    if not (f > 0 and f < 1):
        return np.nan, np.nan
    k = z * se / (f * math.log(f))
    return f ** math.exp(-k), f ** math.exp(k)


@jit
def cuminc_at(t, s, cause, at, conf, z, survfit):
    """(estimate, variance, ci_lower, ci_upper) at the times ``at``; NaN after the last
    follow-up time, as cmprsk."""
    if survfit:
        times, est, var = steps_survfit(t, s, cause)
    else:
        times, est, var = steps_cmprsk(t, s, cause)
    k = at.size
    e_out, v_out, lo_out, hi_out = np.empty(k), np.empty(k), np.empty(k), np.empty(k)
    for j in range(k):
        if at[j] > times[-1]:
            e_out[j], v_out[j] = np.nan, np.nan
        else:
            idx = np.searchsorted(times, at[j], side="right")
            e_out[j] = 0.0 if idx == 0 else est[idx - 1]
            v_out[j] = 0.0 if idx == 0 else var[idx - 1]
        lo_out[j], hi_out[j] = cif_band(e_out[j], v_out[j], conf, z)
    return e_out, v_out, lo_out, hi_out
