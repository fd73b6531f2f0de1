"""Log-rank and Fleming-Harrington tests, overall and pairwise, as R ``survdiff``."""

from __future__ import annotations

from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._common import chi2_sf, groups, time_event

__all__ = ["logrank", "p_adjust", "pairwise_logrank"]


def _survdiff(t: np.ndarray, e: np.ndarray, codes: np.ndarray, n_groups: int, rho: float) -> dict:
    """Observed, expected and variance matrix of R ``survdiff.fit`` (no strata)."""
    times, inverse = np.unique(t, return_inverse=True)
    n_times = times.size
    flat = inverse * n_groups + codes
    size = n_times * n_groups
    at_time = np.bincount(flat, minlength=size).reshape(n_times, n_groups)
    deaths_g = np.bincount(flat, weights=e, minlength=size).reshape(n_times, n_groups)
    risk_g = at_time[::-1].cumsum(axis=0)[::-1].astype(float)
    risk = risk_g.sum(axis=1)
    deaths = deaths_g.sum(axis=1)
    if rho != 0:
        # pooled Kaplan-Meier, left-continuous: S(t-) weights the deaths at t
        km_after = np.cumprod(1.0 - deaths / risk)
        weight = np.r_[1.0, km_after[:-1]] ** rho
    else:
        weight = np.ones(n_times)
    keep = deaths > 0
    w, d, n, dg, rg = weight[keep], deaths[keep], risk[keep], deaths_g[keep], risk_g[keep]
    observed = (w[:, None] * dg).sum(axis=0)
    expected = (w[:, None] * d[:, None] * rg / n[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, w**2 * d * (n - d) / (n - 1), 0.0)
    share = rg / n[:, None]
    # V_jk = sum_t w^2 d (n-d)/(n-1) * p_j (delta_jk - p_k)
    var = np.einsum("t,tj,tk->jk", factor, share, -share)
    var[np.diag_indices(n_groups)] += (factor[:, None] * share).sum(axis=0)
    return {"observed": observed, "expected": expected, "var": var}


def _chi2(fit: dict) -> tuple[float, int]:
    # R: groups with no expected events are dropped; the first remaining one is the reference
    use = fit["expected"] > 0
    if use.sum() < 2:
        return 0.0, 0
    diff = (fit["observed"] - fit["expected"])[use][1:]
    vv = fit["var"][np.ix_(use, use)][1:, 1:]
    stat = float(diff @ np.linalg.solve(vv, diff))
    return stat, int(use.sum() - 1)


def _logrank_kernel(
    t: np.ndarray, e: np.ndarray, codes: np.ndarray, n_groups: int, rho: float = 0.0
) -> tuple[float, int, float]:
    """(chi2, df, p) of the K-sample test: the numpy core of :func:`logrank`.

    Takes already-validated arrays (float times >= 0, 0/1 events, integer group codes
    0..n_groups-1); :func:`logrank` validates and calls this, and so does the
    reconstruction's inner loop, which validates its cohort once.
    """
    stat, df = _chi2(_survdiff(t, e, codes, n_groups, float(rho)))
    p = chi2_sf(stat, df) if df > 0 else 1.0
    return stat, df, p


def logrank(
    time: ArrayLike, event: ArrayLike, group: ArrayLike, rho: float = 0
) -> dict[str, float]:
    """K-sample log-rank test (rho = 0) or Fleming-Harrington G^rho test.

    Same statistic as R ``survdiff(Surv(time, event) ~ group, rho=<rho>)``:
    weights S(t-)^rho with S the pooled Kaplan-Meier estimate; rho = 1 is the
    Peto-Peto modification of the Gehan-Wilcoxon test.

    Returns
    -------
    dict
        chi2, df, p.
    """
    t, e = time_event(time, event)
    labels, codes = groups(group, t.size, min_groups=2)
    stat, df, p = _logrank_kernel(t, e, codes, len(labels), float(rho))
    return {"chi2": stat, "df": df, "p": p}


def p_adjust(p: ArrayLike, method: Literal["holm", "BH"] | None) -> np.ndarray:
    """Adjust p-values for multiple comparisons as R ``p.adjust(p, method)``."""
    p = np.asarray(p, dtype=float)
    m = p.size
    if method is None or m == 0:
        return p.copy()
    if method == "holm":
        order = np.argsort(p, kind="stable")
        adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    elif method == "BH":
        order = np.argsort(p, kind="stable")[::-1]
        adj = np.minimum(1.0, np.minimum.accumulate(m / np.arange(m, 0, -1) * p[order]))
    else:
        raise ValueError(
            f"'adjust' must be None, 'holm' or 'BH' (R's p.adjust names), got {method!r}."
        )
    out = np.empty(m)
    out[order] = adj
    return out


def pairwise_logrank(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    adjust: Literal["holm", "BH"] | None = None,
    rho: float = 0,
) -> pd.DataFrame:
    """Log-rank test for every pair of groups, with optional p-value adjustment.

    Each pair is tested on its own patients, as R
    ``survdiff(Surv(time, event) ~ group, subset = group %in% c(a, b))`` (which is
    what ``survminer::pairwise_survdiff`` does); ``p_adjusted`` is
    ``p.adjust(p, method=<adjust>)`` over all pairs (equal to ``p`` when
    ``adjust`` is None).

    Returns
    -------
    DataFrame
        group_a, group_b, chi2, p, p_adjusted; pairs in sorted group order.
    """
    if adjust not in (None, "holm", "BH"):
        raise ValueError(
            f"'adjust' must be None, 'holm' or 'BH' (R's p.adjust names), got {adjust!r}."
        )
    t, e = time_event(time, event)
    labels, codes = groups(group, t.size, min_groups=2)
    rows = []
    for a, b in combinations(range(len(labels)), 2):
        sel = (codes == a) | (codes == b)
        sub_codes = (codes[sel] == b).astype(np.intp)
        stat, _, p = _logrank_kernel(t[sel], e[sel], sub_codes, 2, float(rho))
        rows.append({"group_a": labels[a], "group_b": labels[b], "chi2": stat, "p": p})
    out = pd.DataFrame(rows, columns=["group_a", "group_b", "chi2", "p"])
    out["p_adjusted"] = p_adjust(out["p"].to_numpy(), adjust)
    return out
