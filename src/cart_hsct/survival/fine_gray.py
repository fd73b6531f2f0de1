"""Fine-Gray proportional subdistribution-hazards regression, as R's ``cmprsk::crr``.

Patients who failed from a competing cause stay in the risk set with weight
G(t-)/G(s-), where G is the Kaplan-Meier estimate of the censoring distribution
and s their failure time (Fine & Gray 1999). The fit reproduces ``crr``'s Newton
iteration (start at 0, backtracking line search, stop when
``max|score| * max(|b|, 1) < max(|loglik|, 1) * 1e-6``, at most 10 iterations) and
its robust sandwich variance (``crrvv``: the eta and psi influence terms, psi for
the estimated censoring distribution). All sums are cumulative sums over time-sorted
data; ``crr``'s Fortran loops are O(n^2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cart_hsct import checks

from ._common import _linalg, norm_sf, zval
from ._design import design_matrix

__all__ = ["fine_gray"]

# crr() defaults
_GTOL = 1e-6
_MAXITER = 10


def _status_codes(values: pd.Series, name: str, cause: int) -> np.ndarray:
    """Status: 0 censored, ``cause`` the event of interest, other positive integers
    competing events. Missing, negative or non-integer codes are errors."""
    num = pd.to_numeric(values, errors="coerce").to_numpy(float)
    missing = ~np.isfinite(num)
    if missing.any():
        raise ValueError(
            f"'{name}' has {missing.sum()} missing or non-numeric values (rows "
            f"{checks._rows(missing)}); a missing status is not censoring: code it explicitly."
        )
    bad = (num < 0) | (num != np.round(num))
    if bad.any():
        codes = sorted(set(num[bad].tolist()))
        raise ValueError(
            f"'{name}' has unknown codes {codes} (rows {checks._rows(bad)}); use 0 for "
            "censored and positive integers for causes of failure."
        )
    num = num.astype(int)
    if cause == 0 or cause not in set(num.tolist()):
        raise ValueError(
            f"cause={cause!r} does not occur in '{name}' (codes present: "
            f"{sorted(set(num.tolist()))}); 0 means censored."
        )
    return num


def _censoring_km_left(time: np.ndarray, censored: np.ndarray) -> np.ndarray:
    """G(t-) for each (sorted) time: KM of the censoring distribution just before t,
    as crr's ``survfit(Surv(ftime, cenind) ~ 1)`` evaluated at ``ftime * (1 - 100 eps)``."""
    uniq, inverse = np.unique(time, return_inverse=True)
    n_at = np.bincount(inverse, minlength=uniq.size)
    n_cens = np.bincount(inverse, weights=censored, minlength=uniq.size)
    at_risk = n_at[::-1].cumsum()[::-1]
    surv = np.cumprod(1.0 - n_cens / at_risk)
    left = np.concatenate([[1.0], surv[:-1]])
    return left[inverse]


class _Subdistribution:
    """Sorted data and risk-set machinery of the Fine-Gray partial likelihood."""

    def __init__(self, x, time, kind, g_left):
        self.x, self.time, self.kind, self.g = x, time, kind, g_left
        self.n, self.p = x.shape
        self.events = np.flatnonzero(kind == 1)
        self.tau, counts = np.unique(time[self.events], return_counts=True)
        self.d = counts.astype(float)
        self.first = np.searchsorted(time, self.tau, side="left")
        self.g_tau = g_left[self.first]
        self.competing = (kind == 2).astype(float)
        self.x_events_sum = x[self.events].sum(axis=0)

    def _weighted(self, b, second=True):
        """Risk-set sums S0, S1 (and S2) at each distinct event time; r = exp(x b)."""
        x, n, p = self.x, self.n, self.p
        r = np.exp(x @ b)
        cols = [r[:, None], r[:, None] * x]
        if second:
            cols.append(r[:, None] * (x[:, :, None] * x[:, None, :]).reshape(n, p * p))
        v = np.hstack(cols)
        suffix = np.vstack([np.cumsum(v[::-1], axis=0)[::-1], np.zeros((1, v.shape[1]))])
        w = v * (self.competing / self.g)[:, None]
        prefix = np.vstack([np.zeros((1, v.shape[1])), np.cumsum(w, axis=0)])  # sum_{j < i}
        s = suffix[self.first] + self.g_tau[:, None] * prefix[self.first]
        return r, s, prefix

    def objective(self, b):
        """crr's minimisation objective: minus the log partial likelihood."""
        _, s, _ = self._weighted(b, second=False)
        return float(-(self.x_events_sum @ b) + (self.d * np.log(s[:, 0])).sum())

    def derivatives(self, b):
        """(minus loglik, minus score, information), as crr's Fortran ``crrfsv``."""
        p = self.p
        _, s, _ = self._weighted(b)
        s0, s1, s2 = s[:, 0], s[:, 1 : 1 + p], s[:, 1 + p :].reshape(-1, p, p)
        mean = s1 / s0[:, None]
        lik = -(self.x_events_sum @ b) + (self.d * np.log(s0)).sum()
        score = -self.x_events_sum + (self.d[:, None] * mean).sum(axis=0)
        info = (
            np.einsum("k,kst->st", self.d, s2 / s0[:, None, None])
            - (self.d[:, None] * mean).T @ mean
        )
        return float(lik), score, info

    def robust_variance(self, b, info):
        """crr's sandwich variance H^-1 (sum_i (eta_i + psi_i)^2) H^-1 (Fortran ``crrvv``)."""
        x, p, time, kind, g = self.x, self.p, self.time, self.kind, self.g
        r, s, prefix = self._weighted(b, second=False)
        s0, mean = s[:, 0], s[:, 1 : 1 + p] / s[:, [0]]
        a = self.d / s0  # d_k / S0_k
        bm = a[:, None] * mean  # d_k E_k / S0_k
        ag, bg = a * self.g_tau, bm * self.g_tau[:, None]

        def cum(v):
            return np.concatenate([np.zeros((1, *v.shape[1:])), np.cumsum(v, axis=0)])

        cum_a, cum_b, cum_ag, cum_bg = cum(a), cum(bm), cum(ag), cum(bg)
        # events at or before each patient's time: hazard-increment part of eta_i
        upto = np.searchsorted(self.tau, time, side="right")
        eta = -r[:, None] * (x * cum_a[upto][:, None] - cum_b[upto])
        # competing failures stay at risk after their time, with weight G(tau-)/G(t_i-)
        after_ag = cum_ag[-1] - cum_ag[upto]
        after_bg = cum_bg[-1] - cum_bg[upto]
        comp = kind == 2
        eta[comp] -= (r[comp] / g[comp])[:, None] * (
            x[comp] * after_ag[comp][:, None] - after_bg[comp]
        )
        # dN_i part for the events of interest
        ev = self.events
        k_of = np.searchsorted(self.tau, time[ev], side="left")
        eta[ev] += x[ev] - mean[k_of]

        # psi_i: the estimated censoring distribution's contribution
        psi = np.zeros_like(eta)
        cens = np.flatnonzero(kind == 0)
        if cens.size:
            c_times, c_counts = np.unique(time[cens], return_counts=True)
            c_first = np.searchsorted(time, c_times, side="left")
            at_risk = (self.n - c_first).astype(float)
            q0 = prefix[c_first, 0]  # sum_{competing, t_j < c} r_j / G_j
            q1 = prefix[c_first, 1 : 1 + p]
            from_c = np.searchsorted(self.tau, c_times, side="left")  # events with tau >= c
            tail_ag = cum_ag[-1] - cum_ag[from_c]
            tail_bg = cum_bg[-1] - cum_bg[from_c]
            q = q1 * tail_ag[:, None] - q0[:, None] * tail_bg
            running = -np.cumsum(c_counts[:, None] * q / at_risk[:, None] ** 2, axis=0)
            block = np.searchsorted(c_times, time, side="right") - 1  # last censoring time <= t_i
            has = block >= 0
            psi[has] = running[block[has]]
            own = np.searchsorted(c_times, time[cens], side="left")
            psi[cens] += q[own] / at_risk[own][:, None]
        total = eta + psi
        middle = total.T @ total
        h = _linalg().inv(info)
        var = h @ middle @ h.T
        return (var + var.T) / 2


def fine_gray(
    df: pd.DataFrame,
    time: str,
    status: str,
    covariates: Sequence[str],
    cause: int = 1,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Fine-Gray model for the subdistribution hazard of one cause.

    Same result as R ``cmprsk::crr(time, status, cov1 = model.matrix(~ covariates)[, -1],
    failcode = cause, cencode = 0)`` with its defaults (``gtol = 1e-6``,
    ``maxiter = 10``, one censoring group).

    Parameters
    ----------
    df : DataFrame
        One row per patient.
    time : str
        Column with the time to the first event or censoring (>= 0).
    status : str
        0 = censored, ``cause`` = the event of interest, any other positive integer a
        competing event. Missing, negative or non-integer codes are errors.
    covariates : sequence of str
        As in :func:`cart_hsct.survival.cox`: numeric columns as they are, categorical
        columns as treatment dummies named ``colLevel``.
    cause : int
        Status code of the event of interest (crr's ``failcode``).
    alpha : float
        1 - confidence level.

    Returns
    -------
    DataFrame
        term, coef, shr (subdistribution hazard ratio), se (crr's robust SE), ci_lower,
        ci_upper (on the SHR scale, as ``summary.crr``), p (two-sided Wald).
        ``.attrs`` holds ``loglik``, ``loglik_null``, ``converged``, ``n``, ``events``,
        ``competing`` and ``iterations``.

    References
    ----------
    Fine JP, Gray RJ (1999). A proportional hazards model for the subdistribution of a
    competing risk. JASA 94:496-509.
    """
    if isinstance(cause, bool) or not isinstance(cause, (int, np.integer)):
        raise TypeError(f"'cause' must be an integer status code, got {cause!r}.")
    checks.columns(df, [time, status], "data frame")
    t = checks.durations(df[time], time)
    codes = _status_codes(df[status], status, int(cause))
    x, names = design_matrix(df, covariates)
    order = np.argsort(t, kind="stable")  # crr: d[order(d$ftime), ]
    t, codes, x = t[order], codes[order], x[order]
    kind = np.where(codes == cause, 1, np.where(codes == 0, 0, 2))
    g_left = _censoring_km_left(t, (kind == 0).astype(float))
    model = _Subdistribution(x, t, kind, g_left)

    b = np.zeros(model.p)
    converged = False
    iterations = 0
    for iterations in range(_MAXITER + 1):
        lik, score, info = model.derivatives(b)
        if np.max(np.abs(score) * np.maximum(np.abs(b), 1)) < max(abs(lik), 1) * _GTOL:
            converged = True
            break
        if iterations == _MAXITER:
            break
        step = -_linalg().solve(info, score, assume_a="sym")
        candidate = b + step
        f_new = model.objective(candidate)
        halvings = 0
        while np.isnan(f_new) or f_new > lik + 1e-4 * float(step @ score):
            halvings += 1
            step = step * 0.5
            candidate = b + step
            f_new = model.objective(candidate)
            if halvings > 20:
                break
        if halvings > 20:
            break
        b = candidate
    lik, score, info = model.derivatives(b)
    var = model.robust_variance(b, info)
    se = np.sqrt(np.diag(var))
    z = zval(alpha)
    with np.errstate(over="ignore"):
        out = pd.DataFrame(
            {
                "term": names,
                "coef": b,
                "shr": np.exp(b),
                "se": se,
                "ci_lower": np.exp(b - z * se),
                "ci_upper": np.exp(b + z * se),
                "p": 2 * norm_sf(np.abs(b / se)),
            }
        )
    out.attrs.update(
        loglik=-lik,
        loglik_null=-model.objective(np.zeros(model.p)),
        converged=converged,
        iterations=iterations,
        n=int(t.size),
        events=int((kind == 1).sum()),
        competing=int((kind == 2).sum()),
    )
    return out
