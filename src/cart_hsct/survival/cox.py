"""Cox proportional-hazards regression, as R's ``survival::coxph``, with Firth's
penalised likelihood as R's ``coxphf``.

The fit reproduces ``coxph``'s Newton-Raphson exactly (start at 0, the same step
halving, stop when ``|1 - loglik_old / loglik_new| <= 1e-9``, at most 20 iterations,
``coxph.control()`` defaults), so coefficients, standard errors, log-likelihoods
and the likelihood-ratio, Wald and score tests agree with R to rounding error.
Risk-set sums are reverse cumulative sums over time-sorted data, so one
likelihood evaluation costs O(n p^2) without Python loops.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import ndtr

from cart_hsct import checks

from ._common import _linalg, chi2_ppf, chi2_upper, norm_sf, zval
from ._design import design_matrix

__all__ = ["CoxResult", "MonotoneLikelihoodWarning", "cox", "cox_time_varying"]

Ties = Literal["efron", "breslow"]

# coxph.control() defaults (survival 3.5)
_EPS = 1e-9
_ITER_MAX = 20
_TOLER_INF = np.sqrt(_EPS)

# Firth fit: converge far tighter than coxphf's defaults so that the result is the
# penalised MLE itself, not an iterate near it.
_FIRTH_GTOL = 1e-10
_FIRTH_MAX_ITER = 200
_FIRTH_MAX_STEP = 0.5  # coxphf's default 'maxstep'
_FIRTH_MAX_HALVING = 30


class MonotoneLikelihoodWarning(UserWarning):
    """A coefficient diverges (monotone likelihood, separation); R warns the same."""


@dataclass
class CoxResult:
    """A fitted Cox model (lifelines-style: results end in ``_``, tables are DataFrames).

    Attributes
    ----------
    summary : DataFrame
        term, coef, hr, se, ci_lower, ci_upper, p. ``ci_lower``/``ci_upper`` are on the
        hazard-ratio scale (``exp(confint)``, as ``summary(coxph)``'s lower/upper .95).
    tests : DataFrame
        Index lr, wald, score; columns stat, df, p (the three global tests that
        ``summary(coxph)`` prints).
    loglik_ : tuple of float
        (null, final) log partial likelihood, R's ``fit$loglik``; penalised for Firth.
    """

    summary: pd.DataFrame
    tests: pd.DataFrame
    coef_: pd.Series
    var_: pd.DataFrame
    loglik_: tuple[float, float]
    n: int
    events: int
    converged_: bool
    iterations_: int
    ties: str
    firth: bool
    ci: str
    alpha: float
    infinite_terms_: list[str] = field(default_factory=list)

    @property
    def hazard_ratios_(self) -> pd.Series:
        return np.exp(self.coef_)

    def term(self, name: str) -> pd.Series:
        """The summary row of one term: coef, hr, se, ci_lower, ci_upper, p."""
        rows = self.summary.set_index("term")
        if name not in rows.index:
            raise KeyError(
                f"no term {name!r} in this Cox model; terms: {list(rows.index)}. "
                "A categorical covariate's terms join its name and level, e.g. "
                "'armB'."
            )
        return rows.loc[name]

    def print_summary(self, decimals: int = 3) -> None:
        kind = "Firth-penalised " if self.firth else ""
        print(f"{kind}Cox model, ties={self.ties}, n={self.n}, events={self.events}")
        print(self.summary.round(decimals).to_string(index=False))
        print(self.tests.round(decimals).to_string())

    def __repr__(self) -> str:
        terms = ", ".join(f"{t}={c:.4g}" for t, c in self.coef_.items())
        return f"<CoxResult n={self.n} events={self.events} ties={self.ties} {terms}>"


# --------------------------------------------------------------------------- engine


class _PartialLikelihood:
    """Log partial likelihood, score and information for right-censored or
    (start, stop] data, with Breslow or Efron ties, as ``coxfit6.c``/``agfit4.c``.

    Each death contributes one "row": with d deaths at a time, Efron's row l
    (l = 0..d-1) uses the risk set minus l/d of the deaths' weight; Breslow uses the
    whole risk set for every row.
    """

    def __init__(
        self,
        x: np.ndarray,
        stop: np.ndarray,
        event: np.ndarray,
        start: np.ndarray | None,
        ties: str,
    ):
        # R centres covariates; the likelihood is unchanged, rounding is kinder.
        self.x = x - x.mean(axis=0)
        self.n, self.p = x.shape
        deaths = np.flatnonzero(event == 1)
        deaths = deaths[np.argsort(stop[deaths], kind="stable")]
        self.deaths = deaths
        times, first, counts = np.unique(stop[deaths], return_index=True, return_counts=True)
        self.event_times = times
        self.first = first
        block = np.repeat(np.arange(times.size), counts)
        self.block = block
        within = np.arange(deaths.size) - first[block]
        self.frac = within / counts[block] if ties == "efron" else np.zeros(deaths.size)
        self.stop_order = np.argsort(stop, kind="stable")
        self.stop_pos = np.searchsorted(stop[self.stop_order], times, side="left")
        if start is not None:
            # at risk at t: start < t <= stop; remove those with start >= t
            self.start_order = np.argsort(start, kind="stable")
            self.start_pos = np.searchsorted(start[self.start_order], times, side="left")
        else:
            self.start_order = None
        self.x_deaths_sum = self.x[deaths].sum(axis=0)

    def _risk_sums(self, v: np.ndarray) -> np.ndarray:
        """Sum of the rows of ``v`` over each event time's risk set, shape (K, m)."""

        def revcum(order):
            s = np.cumsum(v[order][::-1], axis=0)[::-1]
            return np.vstack([s, np.zeros((1, v.shape[1]))])

        total = revcum(self.stop_order)[self.stop_pos]
        if self.start_order is not None:
            total = total - revcum(self.start_order)[self.start_pos]
        return total

    def moments(self, beta: np.ndarray, order: int = 2):
        """Per-death-row risk-set moments (den, a, c[, e]) and eta."""
        x, p = self.x, self.p
        eta = x @ beta
        r = np.exp(eta)
        cols = [r[:, None], r[:, None] * x]
        xx = (x[:, :, None] * x[:, None, :]).reshape(self.n, p * p)
        cols.append(r[:, None] * xx)
        if order >= 3:
            xxx = (xx[:, :, None] * x[:, None, :]).reshape(self.n, p * p * p)
            cols.append(r[:, None] * xxx)
        v = np.hstack(cols)
        at_risk = self._risk_sums(v)
        dead = np.add.reduceat(v[self.deaths], self.first, axis=0)
        rows = at_risk[self.block] - self.frac[:, None] * dead[self.block]
        den = rows[:, 0]
        a = rows[:, 1 : 1 + p]
        c = rows[:, 1 + p : 1 + p + p * p].reshape(-1, p, p)
        e = rows[:, 1 + p + p * p :].reshape(-1, p, p, p) if order >= 3 else None
        return eta, den, a, c, e

    def evaluate(self, beta: np.ndarray):
        """(loglik, score, information) at beta."""
        eta, den, a, c, _ = self.moments(beta)
        loglik = eta[self.deaths].sum() - np.log(den).sum()
        mean = a / den[:, None]
        score = self.x_deaths_sum - mean.sum(axis=0)
        info = (c / den[:, None, None]).sum(axis=0) - mean.T @ mean
        return float(loglik), score, info

    def evaluate_firth(self, beta: np.ndarray):
        """(penalised loglik, modified score, information, loglik) at beta.

        Penalty 0.5 log|I(beta)| (Heinze & Schemper 2001); the modified score is
        U + 0.5 tr(I^-1 dI/dbeta_r).
        """
        eta, den, a, c, e = self.moments(beta, order=3)
        loglik = eta[self.deaths].sum() - np.log(den).sum()
        m1 = a / den[:, None]
        m2 = c / den[:, None, None]
        m3 = e / den[:, None, None, None]
        score = self.x_deaths_sum - m1.sum(axis=0)
        info = m2.sum(axis=0) - m1.T @ m1
        # derivative of each row's covariance matrix (third cumulant of the risk set)
        cov1 = m2 - m1[:, :, None] * m1[:, None, :]  # dm1_s/dbeta_r = cov1[s, r]
        d_info = (
            m3.sum(axis=0)
            - np.einsum("kst,kr->str", m2, m1)
            - np.einsum("ksr,kt->str", cov1, m1)
            - np.einsum("ks,ktr->str", m1, cov1)
        )
        chol = _linalg().cho_factor(info)
        logdet = 2 * np.log(np.diag(chol[0])).sum()
        inv = _linalg().cho_solve(chol, np.eye(self.p))
        modified = score + 0.5 * np.einsum("ts,str->r", inv, d_info)
        return float(loglik + 0.5 * logdet), modified, info, float(loglik)


def _solve(info: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    la = _linalg()
    return la.cho_solve(la.cho_factor(info), rhs)


def _newton_raphson(pl: _PartialLikelihood, counting: bool):
    """R's coxfit6 (right-censored) / agfit4 (counting process) iteration."""
    beta = np.zeros(pl.p)
    ll0, u0, info0 = pl.evaluate(beta)
    step = _solve(info0, u0)
    score_test = float(u0 @ step)
    best = ll0
    new = beta + step
    halving = 0
    converged = False
    for iteration in range(1, _ITER_MAX + 1):  # noqa: B007 (returned: the count)
        ll, u, info = pl.evaluate(new)
        finite = np.isfinite(ll) and np.all(np.isfinite(u)) and np.all(np.isfinite(info))
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
            step = _solve(info, u)
            beta, new = new, new + step
    else:
        # out of iterations: report the last good beta, as R does
        ll, u, info = pl.evaluate(beta)
    var = _linalg().inv(info)
    var = (var + var.T) / 2
    return beta, var, (ll0, ll), u, score_test, converged, iteration


def _firth_fit(
    pl: _PartialLikelihood, fixed: dict[int, float] | None = None, start: np.ndarray | None = None
):
    """Maximise the penalised partial likelihood, optionally with some coefficients
    fixed (for profile likelihood). Newton steps use the unpenalised information, capped
    at ``_FIRTH_MAX_STEP`` per coefficient, with step halving: coxphf's scheme."""
    fixed = fixed or {}
    free = np.array([j for j in range(pl.p) if j not in fixed], dtype=int)
    beta = np.zeros(pl.p) if start is None else start.astype(float).copy()
    for j, v in fixed.items():
        beta[j] = v
    pll, score, info, _ = pl.evaluate_firth(beta)
    if free.size == 0:
        return beta, pll, True, 0
    for iteration in range(1, _FIRTH_MAX_ITER + 1):
        g = score[free]
        if np.max(np.abs(g)) < _FIRTH_GTOL:
            return beta, pll, True, iteration - 1
        step = _solve(info[np.ix_(free, free)], g)
        biggest = np.max(np.abs(step))
        if biggest > _FIRTH_MAX_STEP:
            step *= _FIRTH_MAX_STEP / biggest
        for _ in range(_FIRTH_MAX_HALVING):
            trial = beta.copy()
            trial[free] += step
            try:
                t_pll, t_score, t_info, _ = pl.evaluate_firth(trial)
            except (np.linalg.LinAlgError, FloatingPointError):  # scipy's is numpy's
                t_pll = -np.inf
            if np.isfinite(t_pll) and t_pll >= pll - 1e-12 * abs(pll):
                break
            step /= 2
        else:
            return beta, pll, False, iteration
        if np.max(np.abs(step)) < 1e-14:
            return trial, t_pll, True, iteration
        beta, pll, score, info = trial, t_pll, t_score, t_info
    return beta, pll, False, _FIRTH_MAX_ITER


def _profile_bound(pl, j, beta_hat, pll_hat, se, crit, direction):
    """Root of 2 (PL_hat - PL_profile(b)) = crit on one side of beta_hat[j]."""
    warm = {"start": beta_hat.copy()}

    def excess(b):
        beta, pll, ok, _ = _firth_fit(pl, {j: b}, start=warm["start"])
        if not ok:
            raise RuntimeError(f"constrained penalised fit failed at {b}")
        warm["start"] = beta
        return 2 * (pll_hat - pll) - crit

    width = max(se, 0.1)
    inner = beta_hat[j]
    outer = inner + direction * 2 * width
    for _ in range(60):
        if excess(outer) > 0:
            break
        inner, outer = outer, outer + (outer - beta_hat[j])  # double the distance
    else:
        return np.nan  # penalised profile never reaches the cut-off
    lo, hi = sorted((inner, outer))
    from scipy import optimize  # deferred: only profile intervals need it (~0.15 s import)

    return optimize.brentq(excess, lo, hi, xtol=1e-12, rtol=1e-14, maxiter=200)


# --------------------------------------------------------------------------- inputs


def _validated_event(df: pd.DataFrame, event: str) -> np.ndarray:
    return checks.status(df[event], (0, 1), event)


def _validated_times(df: pd.DataFrame, name: str) -> np.ndarray:
    return checks.durations(df[name], name)


def _check_choices(ties: str, ci: str, firth: bool) -> None:
    if ties not in ("efron", "breslow"):
        raise ValueError(f"'ties' must be 'efron' or 'breslow' (R's coxph ties=), got {ties!r}.")
    if ci not in ("wald", "profile"):
        raise ValueError(f"'ci' must be 'wald' or 'profile', got {ci!r}.")
    if ci == "profile" and not firth:
        raise ValueError(
            "ci='profile' gives coxphf's profile penalised-likelihood intervals and needs "
            "firth=True; coxph's intervals are Wald intervals (ci='wald')."
        )
    if firth and ties != "breslow":
        raise ValueError(
            "firth=True reproduces R's coxphf, which handles ties by Breslow's method only: "
            "pass ties='breslow'."
        )


def _tests_frame(lr: float, wald: float, score: float, df: int) -> pd.DataFrame:
    stats = np.array([lr, wald, score], dtype=float)
    return pd.DataFrame(
        {"stat": stats, "df": [df] * 3, "p": chi2_upper(stats, df)},
        index=pd.Index(["lr", "wald", "score"], name="test"),
    )


def _cox_kernel(x, stop, event, start, ties, z, counting=False) -> dict:
    """Newton-Raphson fit and Wald summaries of ``coxph``: the numpy core of :func:`cox`.

    Takes an already-validated design matrix (n, p), times and 0/1 events (at least
    one); :func:`cox` validates and calls this, and so does the reconstruction's inner
    loop, which validates its cohort once. Returns beta, var, se, p (Wald), lower and
    upper (log scale), loglik (null, final), score_test, converged, iterations and
    ``infinite`` (a boolean per term: R's test for a diverging coefficient).
    """
    pl = _PartialLikelihood(x, stop, event, start, ties)
    beta, var, loglik, u_final, score_test, converged, iterations = _newton_raphson(pl, counting)
    infs = np.abs(u_final @ var)
    if counting:
        flag = ~np.isfinite(u_final) | (infs > _TOLER_INF * (1 + np.abs(beta)))
    else:
        flag = ~np.isfinite(u_final) | ((infs > _EPS) & (infs > _TOLER_INF * np.abs(beta)))
    se = np.sqrt(np.diag(var))
    return {
        "pl": pl,
        "beta": beta,
        "var": var,
        "se": se,
        "loglik": loglik,
        "score_test": score_test,
        "converged": converged,
        "iterations": iterations,
        "p": 2 * ndtr(-np.abs(beta / se)),
        "lower": beta - z * se,
        "upper": beta + z * se,
        "infinite": flag & converged,
    }


def _fit(x, names, stop, event, start, *, ties, firth, ci, alpha, counting) -> CoxResult:
    n_events = int(event.sum())
    if n_events == 0:
        raise ValueError("There are no events (all patients censored); a Cox model needs events.")
    z = zval(alpha)
    infinite: list[str] = []
    if not firth:
        k = _cox_kernel(x, stop, event, start, ties, z, counting)
        pl, beta, var, loglik = k["pl"], k["beta"], k["var"], k["loglik"]
        score_test, converged, iterations = k["score_test"], k["converged"], k["iterations"]
        infinite = [t for t, f in zip(names, k["infinite"], strict=True) if f]
        if infinite:
            warnings.warn(
                f"Cox model: the log-likelihood converged while the coefficient(s) of "
                f"{infinite} kept growing (monotone likelihood, e.g. a level with no "
                "events): the estimate may be infinite and its SE, CI and Wald p are "
                "meaningless (R: 'Loglik converged before variable ...; coefficient may "
                "be infinite'). Refit with firth=True, ties='breslow' (Heinze & Schemper "
                "2001, R's coxphf), ideally with ci='profile'.",
                MonotoneLikelihoodWarning,
                stacklevel=3,
            )
        elif not converged:
            warnings.warn(
                "Cox model did not converge in 20 iterations (R: 'Ran out of iterations').",
                RuntimeWarning,
                stacklevel=3,
            )
        wald = float(beta @ _solve(var, beta))
        lr = 2 * (loglik[1] - loglik[0])
        se, p, lower, upper = k["se"], k["p"], k["lower"], k["upper"]
    else:
        pl = _PartialLikelihood(x, stop, event, start, ties)
        # the ordinary (unpenalised) score test at beta = 0, as for coxph
        _, u0, info0 = pl.evaluate(np.zeros(pl.p))
        score_test = float(u0 @ _solve(info0, u0))
        pll0, *_ = pl.evaluate_firth(np.zeros(pl.p))
        beta, pll, converged, iterations = _firth_fit(pl)
        if not converged:
            warnings.warn("Firth-penalised Cox fit did not converge.", RuntimeWarning, stacklevel=3)
        _, _, info, _ = pl.evaluate_firth(beta)
        var = _linalg().inv(info)
        var = (var + var.T) / 2
        se = np.sqrt(np.diag(var))
        loglik = (pll0, pll)
        lr = 2 * (pll - pll0)
        wald = float(beta @ info @ beta)
        if ci == "wald":
            p = 2 * norm_sf(np.abs(beta / se))
            lower, upper = beta - z * se, beta + z * se
        else:
            crit = chi2_ppf(1 - alpha, 1)
            p = np.empty(pl.p)
            lower, upper = np.empty(pl.p), np.empty(pl.p)
            for j in range(pl.p):
                start0 = beta.copy()
                start0[j] = 0.0
                _, pll_j0, ok, _ = _firth_fit(pl, {j: 0.0}, start=start0)
                p[j] = chi2_upper(max(2 * (pll - pll_j0), 0.0), 1) if ok else np.nan
                lower[j] = _profile_bound(pl, j, beta, pll, se[j], crit, -1)
                upper[j] = _profile_bound(pl, j, beta, pll, se[j], crit, +1)
    with np.errstate(over="ignore"):  # a diverging coefficient has an infinite upper bound
        summary = pd.DataFrame(
            {
                "term": names,
                "coef": beta,
                "hr": np.exp(beta),
                "se": se,
                "ci_lower": np.exp(lower),
                "ci_upper": np.exp(upper),
                "p": p,
            }
        )
    return CoxResult(
        summary=summary,
        tests=_tests_frame(lr, wald, score_test, pl.p),
        coef_=pd.Series(beta, index=names, name="coef"),
        var_=pd.DataFrame(var, index=names, columns=names),
        loglik_=(float(loglik[0]), float(loglik[1])),
        n=int(x.shape[0]),
        events=n_events,
        converged_=bool(converged),
        iterations_=int(iterations),
        ties=ties,
        firth=firth,
        ci=ci,
        alpha=alpha,
        infinite_terms_=infinite,
    )


# --------------------------------------------------------------------------- public


def cox(
    df: pd.DataFrame,
    duration: str,
    event: str,
    covariates: Sequence[str],
    ties: Ties = "efron",
    firth: bool = False,
    ci: Literal["wald", "profile"] = "wald",
    alpha: float = 0.05,
) -> CoxResult:
    """Cox proportional-hazards model for right-censored data.

    Same result as R ``coxph(Surv(duration, event) ~ covariates, data, ties=ties)``
    (survival 3.5, default ``coxph.control()``); with ``firth=True`` as
    ``coxphf(Surv(duration, event) ~ covariates, data, pl=(ci == "profile"))``.

    Parameters
    ----------
    df : DataFrame
        One row per patient.
    duration, event : str
        Columns with follow-up time (>= 0) and event indicator (1 event, 0 censored;
        a missing status is an error, never censoring).
    covariates : sequence of str
        Numeric columns enter as they are; categorical (pandas category, object or
        string) columns become treatment dummies against the first level (declared
        order for a category, sorted otherwise), named like R (``colLevel``); booleans
        become ``colTRUE``.
    ties : {"efron", "breslow"}
        R's ``ties=``. ``coxph`` defaults to Efron.
    firth : bool
        Firth-penalised partial likelihood (Heinze & Schemper 2001), as R ``coxphf``;
        finite estimates under monotone likelihood. Needs ``ties="breslow"`` (coxphf's
        only method). SEs are ``sqrt(diag(I(beta)^-1))`` at the penalised estimate,
        as coxphf; ``loglik_`` and the LR test are penalised.
    ci : {"wald", "profile"}
        ``"profile"`` (Firth only): profile penalised-likelihood intervals and
        penalised likelihood-ratio p-values per term, as coxphf's default ``pl=TRUE``.
    alpha : float
        1 - confidence level.

    Returns
    -------
    CoxResult
        ``.summary`` (term, coef, hr, se, ci_lower, ci_upper, p; CI on the HR scale),
        ``.tests`` (lr, wald, score: stat, df, p), ``loglik_`` (null, final), ``n``,
        ``events``, ``converged_``.

    Warns
    -----
    MonotoneLikelihoodWarning
        When a coefficient diverges, by R's rule (``coxph.fit``: ``|U V| > eps`` and
        ``> sqrt(eps) |beta|``), naming the term and pointing to ``firth=True``.

    Notes
    -----
    Rows with missing covariates raise an error naming column and rows (R would drop
    them); constant or aliased terms raise an error (R returns NA). Times are used as
    given: R's ``timefix`` (merging times equal up to floating-point noise) is not
    applied, so compute times so that equal times compare equal. For Firth fits the score
    test is the ordinary (unpenalised) score test at beta = 0 and the Wald test is
    ``beta' I(beta) beta``; coxphf reports neither.

    References
    ----------
    Therneau & Grambsch (2000), Modeling Survival Data, ch. 3.
    Heinze & Schemper (2001), Biometrics 57:114-119.
    """
    _check_choices(ties, ci, firth)
    checks.columns(df, [duration, event], "data frame")
    stop = _validated_times(df, duration)
    status = _validated_event(df, event)
    x, names = design_matrix(df, covariates)
    return _fit(
        x, names, stop, status, None, ties=ties, firth=firth, ci=ci, alpha=alpha, counting=False
    )


def cox_time_varying(
    df: pd.DataFrame,
    id: str,
    start: str,
    stop: str,
    event: str,
    covariates: Sequence[str],
    ties: Ties = "efron",
    alpha: float = 0.05,
) -> CoxResult:
    """Cox model on counting-process (start, stop] data, e.g. a time-varying covariate.

    Same result as R ``coxph(Surv(start, stop, event) ~ covariates, data, ties=ties)``
    (``agreg.fit``; model-based variance, no ``cluster``). A patient is at risk in an
    interval at the event times t with start < t <= stop.

    Parameters
    ----------
    df : DataFrame
        One row per patient-interval.
    id : str
        Patient identifier; used to check that a patient's intervals do not overlap.
    start, stop : str
        Interval bounds (>= 0, start < stop).
    event : str
        1 if the event happens at ``stop``, else 0.
    covariates, ties, alpha
        As in :func:`cox`.

    Returns
    -------
    CoxResult
        As :func:`cox`.
    """
    _check_choices(ties, "wald", False)
    checks.columns(df, [id, start, stop, event], "data frame")
    t0 = _validated_times(df, start)
    t1 = _validated_times(df, stop)
    bad = t1 <= t0
    if bad.any():
        raise ValueError(
            f"'{stop}' must be greater than '{start}': {bad.sum()} intervals are empty or "
            f"reversed (rows {checks._rows(bad)})."
        )
    ids = df[id]
    if ids.isna().any():
        miss = ids.isna().to_numpy()
        raise ValueError(f"'{id}' has {miss.sum()} missing values (rows {checks._rows(miss)}).")
    order = np.lexsort((t0, pd.factorize(ids)[0]))
    same = pd.factorize(ids)[0][order]
    overlap = (same[1:] == same[:-1]) & (t0[order][1:] < t1[order][:-1])
    if overlap.any():
        rows = np.zeros(len(df), bool)
        rows[order[1:][overlap]] = True
        raise ValueError(
            f"Intervals overlap within patients of '{id}' (rows {checks._rows(rows)}); "
            "each patient's (start, stop] intervals must be disjoint."
        )
    status = _validated_event(df, event)
    x, names = design_matrix(df, covariates)
    return _fit(
        x, names, t1, status, t0, ties=ties, firth=False, ci="wald", alpha=alpha, counting=True
    )
