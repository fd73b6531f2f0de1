"""Compiled Cox fit: ``coxph``'s Newton-Raphson with Efron or Breslow ties, as the numpy
kernel ``cox._cox_kernel`` (``_PartialLikelihood`` + ``_newton_raphson``) does it.

The risk-set sums run over the stop-sorted patients from the last backwards (the numpy
kernel's reverse cumulative sums); per death "row" Efron removes ``l / d`` of the
deaths' weight. Everything the numpy kernel computes per likelihood evaluation is done
in one pass, without temporaries per call beyond a few small arrays.
"""

from __future__ import annotations

import numpy as np

from ._jit import jit, two_sided_normal_p

# coxph.control() defaults (survival 3.5), as cox.py
_EPS = 1e-9
_ITER_MAX = 20
_TOLER_INF = float(np.sqrt(_EPS))


@jit
def _layout(x, stop, event, start, has_start, efron):
    """Centred covariates and the bookkeeping of deaths and risk sets (once per fit)."""
    n, p = x.shape
    xc = np.empty((n, p))
    for j in range(p):
        acc = 0.0
        for i in range(n):
            acc += x[i, j]
        mean = acc / n
        for i in range(n):
            xc[i, j] = x[i, j] - mean
    dead = np.flatnonzero(event == 1)
    deaths = dead[np.argsort(stop[dead], kind="mergesort")]
    nd = deaths.size
    block = np.empty(nd, np.int64)
    first = np.empty(nd, np.int64)
    times = np.empty(nd)
    k = -1
    for q in range(nd):
        if k < 0 or stop[deaths[q]] != times[k]:
            k += 1
            times[k], first[k] = stop[deaths[q]], q
        block[q] = k
    n_times = k + 1
    times, first = times[:n_times], first[:n_times]
    frac = np.zeros(nd)
    if efron:
        for q in range(nd):
            b = block[q]
            last = first[b + 1] if b + 1 < n_times else nd
            frac[q] = (q - first[b]) / (last - first[b])
    stop_order = np.argsort(stop, kind="mergesort")
    stop_pos = np.searchsorted(stop[stop_order], times, side="left")
    if has_start:
        start_order = np.argsort(start, kind="mergesort")
        start_pos = np.searchsorted(start[start_order], times, side="left")
    else:
        start_order, start_pos = stop_order[:0], stop_pos[:0]
    x_deaths_sum = np.zeros(p)
    for q in range(nd):
        x_deaths_sum += xc[deaths[q]]
    return (
        xc,
        deaths,
        block,
        first,
        frac,
        stop_order,
        stop_pos,
        start_order,
        start_pos,
        x_deaths_sum,
    )


@jit
def _risk_sums(v, order, pos):
    """Sum of the rows of ``v`` over order[pos[k]:], for each k (``pos`` ascending)."""
    out = np.zeros((pos.size, v.shape[1]))
    acc = np.zeros(v.shape[1])
    q = order.size
    for k in range(pos.size - 1, -1, -1):
        while q > pos[k]:
            q -= 1
            acc += v[order[q]]
        out[k] = acc
    return out


@jit
def _evaluate(beta, lay, has_start):
    """(loglik, score, information) at ``beta`` (``_PartialLikelihood.evaluate``)."""
    xc, deaths, block, _, frac, stop_order, stop_pos, start_order, start_pos, xds = lay
    n, p = xc.shape
    eta = xc @ beta
    v = np.empty((n, 1 + p + p * p))
    for i in range(n):
        r = np.exp(eta[i])
        v[i, 0] = r
        for j in range(p):
            v[i, 1 + j] = r * xc[i, j]
            for h in range(p):
                v[i, 1 + p + j * p + h] = r * (xc[i, j] * xc[i, h])
    at_risk = _risk_sums(v, stop_order, stop_pos)
    if has_start:
        at_risk -= _risk_sums(v, start_order, start_pos)
    dead = np.zeros_like(at_risk)
    ll = 0.0
    for q in range(deaths.size):
        dead[block[q]] += v[deaths[q]]
        ll += eta[deaths[q]]
    score = xds.copy()
    info = np.zeros((p, p))
    cross = np.zeros((p, p))
    mean = np.empty(p)
    for q in range(deaths.size):
        row = at_risk[block[q]] - frac[q] * dead[block[q]]
        den = row[0]
        ll -= np.log(den)
        for j in range(p):
            mean[j] = row[1 + j] / den
            score[j] -= mean[j]
        for j in range(p):
            for h in range(p):
                info[j, h] += row[1 + p + j * p + h] / den
                cross[j, h] += mean[j] * mean[h]
    return ll, score, info - cross


@jit
def _cho_solve(info, rhs):
    """Solve ``info @ x = rhs`` by Cholesky (LinAlgError when not positive definite)."""
    low = np.linalg.cholesky(info)
    p = rhs.size
    y = np.empty(p)
    for i in range(p):
        acc = rhs[i]
        for j in range(i):
            acc -= low[i, j] * y[j]
        y[i] = acc / low[i, i]
    out = np.empty(p)
    for i in range(p - 1, -1, -1):
        acc = y[i]
        for j in range(i + 1, p):
            acc -= low[j, i] * out[j]
        out[i] = acc / low[i, i]
    return out


@jit
def _finite(ll, u, info):
    return np.isfinite(ll) and np.all(np.isfinite(u)) and np.all(np.isfinite(info))


@jit
def cox(x, stop, event, start, efron, has_start, counting, z):
    """R's coxfit6 (right-censored) / agfit4 (counting process) Newton-Raphson and the
    Wald summaries; see ``cox._cox_kernel`` for what each returned value is."""
    lay = _layout(x, stop, event, start, has_start, efron)
    p = x.shape[1]
    beta = np.zeros(p)
    ll0, u0, info0 = _evaluate(beta, lay, has_start)
    step = _cho_solve(info0, u0)
    score_test = float(u0 @ step)
    best = ll0
    new = beta + step
    halving = 0
    converged = False
    ll, u, info = ll0, u0, info0
    iteration = 0
    for iteration in range(1, _ITER_MAX + 1):  # noqa: B007 (returned: the count)
        ll, u, info = _evaluate(new, lay, has_start)
        finite = _finite(ll, u, info)
        # agfit4 also requires that the last step was not a halving step
        if finite and abs(1 - best / ll) <= _EPS and not (counting and halving):
            beta, converged = new, True
            break
        if not finite or ll < best:
            halving += 1
            new = (new + halving * beta) / (halving + 1.0)
        else:
            halving = 0
            best = ll
            step = _cho_solve(info, u)
            beta, new = new, new + step
    if not converged:
        # out of iterations: report the last good beta, as R does
        ll, u, info = _evaluate(beta, lay, has_start)
    var = np.linalg.inv(info)
    var = (var + var.T) / 2
    infs = np.abs(u @ var)
    se = np.sqrt(np.diag(var))
    pval, infinite = np.empty(p), np.zeros(p, np.bool_)
    for j in range(p):
        pval[j] = two_sided_normal_p(beta[j] / se[j])
        if counting:
            flag = not np.isfinite(u[j]) or infs[j] > _TOLER_INF * (1 + abs(beta[j]))
        else:
            flag = not np.isfinite(u[j]) or (infs[j] > _EPS and infs[j] > _TOLER_INF * abs(beta[j]))
        infinite[j] = flag and converged
    return (
        beta,
        var,
        se,
        ll0,
        ll,
        score_test,
        converged,
        iteration,
        pval,
        beta - z * se,
        beta + z * se,
        infinite,
    )
