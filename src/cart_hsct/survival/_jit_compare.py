"""Compiled K-sample tests: log-rank (``logrank._logrank_kernel``) and Gray's test
(``competing._gray_kernel``), as loops over the distinct times."""

from __future__ import annotations

import numpy as np

from ._jit import chi2_sf, jit, tabulate


@jit
def _per_time(t, values, codes, n_groups):
    """Per distinct time and group: patients, and the sum of each row of ``values``."""
    times, inverse = tabulate(t)
    m = times.size
    count = np.zeros((m, n_groups))
    sums = np.zeros((values.shape[0], m, n_groups))
    for i in range(t.size):
        count[inverse[i], codes[i]] += 1.0
        for r in range(values.shape[0]):
            sums[r, inverse[i], codes[i]] += values[r, i]
    return count, sums


@jit
def _at_risk(count):
    """Reverse cumulative sum over time: patients still under observation just before."""
    risk = np.empty_like(count)
    acc = np.zeros(count.shape[1])
    for k in range(count.shape[0] - 1, -1, -1):
        acc += count[k]
        risk[k] = acc
    return risk


@jit
def logrank(t, e, codes, n_groups, rho):
    """(chi2, df, p) of the K-sample log-rank / G-rho test, as R ``survdiff``."""
    count, sums = _per_time(t, e.reshape(1, -1), codes, n_groups)
    deaths_g = sums[0]
    risk_g = _at_risk(count)
    m, g = count.shape
    observed, expected = np.zeros(g), np.zeros(g)
    var, diag = np.zeros((g, g)), np.zeros(g)
    km = 1.0  # pooled Kaplan-Meier, left-continuous: S(t-) weights the deaths at t
    for k in range(m):
        n, d = risk_g[k].sum(), deaths_g[k].sum()
        w = km**rho if rho != 0 else 1.0
        if rho != 0:
            km *= 1.0 - d / n
        if d <= 0:
            continue
        factor = w**2 * d * (n - d) / (n - 1) if n > 1 else 0.0
        for j in range(g):
            observed[j] += w * deaths_g[k, j]
            expected[j] += w * d * risk_g[k, j] / n
            share_j = risk_g[k, j] / n
            diag[j] += factor * share_j
            for h in range(g):
                var[j, h] += factor * share_j * -(risk_g[k, h] / n)
    for j in range(g):
        var[j, j] += diag[j]
    # groups with no expected events are dropped; the first remaining one is the reference
    use = np.flatnonzero(expected > 0)
    if use.size < 2:
        return 0.0, 0, 1.0
    q = use.size - 1
    diff = np.empty(q)
    vv = np.empty((q, q))
    for a in range(q):
        diff[a] = observed[use[a + 1]] - expected[use[a + 1]]
        for b in range(q):
            vv[a, b] = var[use[a + 1], use[b + 1]]
    stat = float(diff @ np.linalg.solve(vv, diff))
    return stat, q, chi2_sf(stat, q)


@jit
def gray(t, m, codes, n_groups, rho):  # noqa: C901, PLR0915 cmprsk's crst, loop by loop
    """(stat, df, p) of Gray's test, cmprsk ``crst`` with one stratum; ``m`` is 0
    censored, 1 the cause of interest, 2 another cause. df = -1: singular variance;
    df = -2: a variance that is not finite."""
    G = n_groups
    flags = np.empty((2, t.size))
    for i in range(t.size):
        flags[0, i] = 1.0 if m[i] == 1 else 0.0
        flags[1, i] = 1.0 if m[i] == 2 else 0.0
    cnt, sums = _per_time(t, flags, codes, G)
    d1, d2 = sums[0], sums[1]
    rs = _at_risk(cnt)
    T = cnt.shape[0]
    skm = np.ones(G)  # per-group KM, right-continuous
    f1 = np.zeros(G)  # per-group incidence of the cause, left-continuous (f1m)
    f = 0.0  # pooled subdistribution estimate
    score = np.zeros(G)
    c = np.zeros((G, G))
    var = np.zeros((G, G))
    var2 = np.zeros((G, G))  # the competing events' part, summed apart as in numpy
    v2, v2b = np.zeros((G, G)), np.zeros((G, G))
    v3, v3b = np.zeros(G), np.zeros(G)
    h, skmm, f1m = np.zeros(G), np.empty(G), np.empty(G)
    a, b = np.empty((G, G)), np.empty((G, G))
    t4, w1, u4, w2 = np.empty(G), np.empty(G), np.empty(G), np.empty(G)
    for k in range(T):
        tr, tq, nd1, nd2 = 0.0, 0.0, 0.0, 0.0
        for j in range(G):
            skmm[j], f1m[j] = skm[j], f1[j]
            alive = rs[k, j] > 0
            if alive:
                skm[j] *= 1.0 - (d1[k, j] + d2[k, j]) / rs[k, j]
                f1[j] += skmm[j] * d1[k, j] / rs[k, j]
            h[j] = rs[k, j] / skmm[j] if alive else 0.0
            tr += h[j]
            tq += h[j] * (1 - f1m[j])
            nd1 += d1[k, j]
            nd2 += d2[k, j]
        if nd1 + nd2 <= 0:
            continue
        fm = f
        f += nd1 / tr
        fb = (1 - fm) ** rho
        for i in range(G):
            for j in range(G):
                a[i, j] = fb * ((h[i] if i == j else 0.0) - h[i] * h[j] / tr)
        ratio = nd1 / (tr * (1 - fm))
        for i in range(G):
            for j in range(G):
                c[i, j] += a[i, j] * ratio
        for j in range(G):
            alive = rs[k, j] > 0
            if alive:
                score[j] += fb * (d1[k, j] - nd1 * rs[k, j] * (1 - f1m[j]) / (skmm[j] * tq))
            # events of the cause of interest
            t4[j] = 1 - (1 - f) / skm[j] if skm[j] > 0 else 1.0
            t5 = 1 - (nd1 - 1) / (tr * skmm[j] - 1) if nd1 > 1 else 1.0
            w1[j] = t5 * skmm[j] * nd1 / (tr * rs[k, j]) if alive and nd1 > 0 else 0.0
            # competing events
            u4[j] = (1 - f) / skm[j] if skm[j] > 0 else 0.0
            u5 = 1 - (d2[k, j] - 1) / (rs[k, j] - 1) if d2[k, j] > 1 else 1.0
            w2[j] = (
                u5 * skmm[j] ** 2 * d2[k, j] / (rs[k, j] if alive else 1.0) ** 2
                if skm[j] > 0 and d2[k, j] > 0
                else 0.0
            )
            v3[j] += t4[j] ** 2 * w1[j]
            v3b[j] += u4[j] ** 2 * w2[j]
        for i in range(G):
            for j in range(G):
                b[i, j] = a[i, j] - t4[j] * c[i, j]
        for i in range(G):
            for j in range(G):
                v2[i, j] += b[i, j] * (t4[j] * w1[j])
                v2b[i, j] += u4[j] * c[i, j] * (u4[j] * w2[j])
                for q in range(G):
                    var[i, j] += b[i, q] * b[j, q] * w1[q]
                    var2[i, j] += u4[q] * c[i, q] * (u4[q] * c[j, q]) * w2[q]
    total = np.empty((G, G))
    for i in range(G):
        for j in range(G):
            s1, s2, s3 = 0.0, 0.0, 0.0
            for q in range(G):
                s1 += c[i, q] * (v3[q] + v3b[q]) * c[j, q]
                s2 += c[i, q] * (v2[j, q] - v2b[j, q])
                s3 += (v2[i, q] - v2b[i, q]) * c[j, q]
            total[i, j] = var[i, j] + var2[i, j] + s1 + s2 + s3
    df = G - 1
    if df == 0:
        return 0.0, 0, np.nan  # one group: an empty statistic, and chdtrc(0, 0) is NaN
    vv = total[:df, :df].copy()
    if not np.all(np.isfinite(vv)):
        return np.nan, -2, np.nan  # numpy's rank decides (NaN: its SVD does not converge)
    if np.linalg.matrix_rank(vv) < df:
        return np.nan, -1, np.nan
    sc = score[:df].copy()
    stat = float(sc @ np.linalg.solve(vv, sc))
    return stat, df, chi2_sf(stat, df)
