"""Proportional-hazards diagnostics for the Cox model, as R's ``survival`` 3.x:
Schoenfeld and scaled Schoenfeld residuals (``residuals(fit, "schoenfeld" | "scaledsch")``)
and the test of ``cox.zph(fit, transform, terms, global)``.

Since survival 3.0, ``cox.zph`` is a score test, not the Grambsch-Therneau (1994)
approximation that older R versions and lifelines' ``proportional_hazard_test`` compute.
The Cox model is extended by one time-varying term per coefficient,
``beta_j + theta_j g(t)``, where ``g`` is the chosen transform of time centred over the
deaths; the test is the score test of ``theta = 0`` at ``(beta_hat, 0)``, with the full
``2p x 2p`` information matrix (R's C routine ``zph1``):

* score: ``U = (0, sum_deaths g(t_i) r_i)``, ``r_i`` the Schoenfeld residual of death i;
* information: blocks ``sum_k V_k``, ``sum_k g_k V_k``, ``sum_k g_k^2 V_k`` over the death
  rows ``k`` (Efron: one row per tied death, each with its share of the tied deaths'
  weight), ``V_k`` the weighted covariance of the covariates in the risk set;
* per term: ``U' I^-1 U`` restricted to all of ``beta`` and that term's ``theta``;
  global: all of them.

The scaled residuals are ``beta_hat + d * r_i' I^-1`` (d deaths), those that ``plot``
on a ``cox.zph`` object smooths against ``g(t)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cart_hsct import checks

from ._common import _linalg, chi2_upper
from ._design import design_matrix
from .cox import CoxResult, Ties, _PartialLikelihood, _validated_event, _validated_times, cox

__all__ = ["ZphResult", "cox_zph", "schoenfeld_residuals"]

Transform = Literal["km", "identity", "rank", "log"]
TRANSFORMS = ("km", "identity", "rank", "log")


@dataclass
class ZphResult:
    """The result of :func:`cox_zph` (R's ``cox.zph`` object).

    Attributes
    ----------
    table : DataFrame
        Index: the terms (covariate names with ``terms=True``, coefficient names with
        ``terms=False``) and ``GLOBAL``; columns chisq, df, p (R's ``zph$table``).
    x : ndarray
        Transformed time of each death, in time order (R's ``zph$x``).
    time : ndarray
        Time of each death (R's ``zph$time``).
    y : DataFrame
        Scaled Schoenfeld residuals, one row per death and one column per term
        (R's ``zph$y``); for a term of several columns (a factor) the combined
        residual, centred at 1.
    var : ndarray
        R's ``zph$var``, the covariance used to scale the residuals.
    transform : str
    fit : CoxResult
        The Cox model whose proportional-hazards assumption is tested.
    """

    table: pd.DataFrame
    x: np.ndarray
    time: np.ndarray
    y: pd.DataFrame
    var: np.ndarray
    transform: str
    fit: CoxResult


def _prepare(df, duration, event, covariates, ties):
    checks.columns(df, [duration, event], "data frame")
    stop = _validated_times(df, duration)
    status = _validated_event(df, event)
    x, names = design_matrix(df, covariates)
    fit = cox(df, duration, event, covariates, ties=ties)
    pl = _PartialLikelihood(x, stop, status, None, ties)
    beta = fit.coef_.to_numpy(float)
    _, den, a, c, _ = pl.moments(beta)
    mean = a / den[:, None]  # risk-set mean of each Efron/Breslow death row
    cov = c / den[:, None, None] - mean[:, :, None] * mean[:, None, :]
    # a death's residual uses the average of its tie block's row means (coxscho.c, zph1.c)
    block_mean = np.add.reduceat(mean, pl.first, axis=0)
    counts = np.diff(np.append(pl.first, len(pl.deaths)))
    block_mean = block_mean / counts[:, None]
    resid = pl.x[pl.deaths] - block_mean[pl.block]
    return fit, names, stop, status, pl, resid, cov


def schoenfeld_residuals(
    df: pd.DataFrame,
    duration: str,
    event: str,
    covariates: Sequence[str],
    ties: Ties = "efron",
    scaled: bool = False,
) -> pd.DataFrame:
    """Schoenfeld residuals of a Cox model, one row per death in time order.

    Same values as R ``residuals(coxph(Surv(duration, event) ~ covariates, ties=ties),
    type = "schoenfeld")``, or ``type = "scaledsch"`` with ``scaled=True``
    (``beta_hat + d * r V``, ``V = fit$var``, d deaths). Tied deaths keep the order of
    their rows in ``df``, as R's.

    Parameters
    ----------
    df, duration, event, covariates, ties
        As :func:`cart_hsct.survival.cox`, which fits the model.
    scaled : bool
        Scaled Schoenfeld residuals (Grambsch & Therneau 1994).

    Returns
    -------
    DataFrame
        Column ``time`` (the death's time), then one column per coefficient.
    """
    fit, names, stop, _, pl, resid, _ = _prepare(df, duration, event, covariates, ties)
    if scaled:
        resid = resid @ fit.var_.to_numpy(float) * len(pl.deaths) + fit.coef_.to_numpy(float)
    out = pd.DataFrame(resid, columns=names)
    out.insert(0, "time", stop[pl.deaths])
    return out


def _transform_times(times: np.ndarray, status: np.ndarray, transform: str) -> np.ndarray:
    """``ttimes`` of ``cox.zph``: g(t) for every subject, before centring."""
    if transform == "identity":
        return times.astype(float)
    if transform == "log":
        return np.log(times)
    if transform == "rank":
        return pd.Series(times).rank(method="average").to_numpy(float)  # R's rank()
    # km: 1 - S(t-), the Kaplan-Meier estimate just before each time (left-open interval)
    uniq, inverse = np.unique(times, return_inverse=True)
    deaths = np.bincount(inverse, weights=status, minlength=uniq.size)
    leaving = np.bincount(inverse, minlength=uniq.size)
    at_risk = leaving[::-1].cumsum()[::-1]
    surv = np.cumprod(1 - deaths / at_risk)
    before = np.concatenate([[1.0], surv[:-1]])  # S just before each distinct time
    return 1 - before[inverse]


def cox_zph(
    df: pd.DataFrame,
    duration: str,
    event: str,
    covariates: Sequence[str],
    ties: Ties = "efron",
    transform: Transform = "km",
    terms: bool = True,
    global_test: bool = True,
) -> ZphResult:
    """Test of proportional hazards for each term and overall, as R ``cox.zph``.

    Same table, ``x``, ``time``, ``y`` and ``var`` as R (survival >= 3.0)::

        fit <- coxph(Surv(duration, event) ~ covariates, data, ties = ties)
        cox.zph(fit, transform = transform, terms = terms, global = global_test)

    Parameters
    ----------
    df, duration, event, covariates, ties
        As :func:`cart_hsct.survival.cox`, which fits the model (right-censored data,
        no strata; R's ``zph2`` for counting-process data is not implemented).
    transform : {"km", "identity", "rank", "log"}
        g(t): ``"km"`` (R's default) is 1 - KM(t-) from all patients, ``"rank"`` the
        average rank of the times of all patients, ``"identity"`` t itself.
    terms : bool
        ``True``: one test per covariate (a factor's dummies tested together, df = its
        number of levels - 1); ``False``: one test per coefficient.
    global_test : bool
        Add the ``GLOBAL`` row (all terms together, df = number of coefficients).

    Returns
    -------
    ZphResult
        ``.table`` (chisq, df, p per term and GLOBAL), ``.x``, ``.time``, ``.y`` (scaled
        Schoenfeld residuals per term), ``.var``, ``.fit``.

    Notes
    -----
    This is the score test of survival 3.x, not the Grambsch-Therneau approximation
    (``lifelines.statistics.proportional_hazard_test``, R's ``cox.zph`` before 3.0),
    which uses ``d * V`` in place of the information and gives different statistics.
    A small p says the log hazard ratio drifts with ``g(t)``; the plot of ``.y``
    against ``.x`` shows how.
    """
    if transform not in TRANSFORMS:
        raise ValueError(
            f"'transform' must be one of {list(TRANSFORMS)} (R's cox.zph transform=), "
            f"got {transform!r}."
        )
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates)
    fit, names, stop, status, pl, resid, cov = _prepare(df, duration, event, covariates, ties)
    p = len(names)
    n_deaths = len(pl.deaths)
    ttimes = _transform_times(stop, status, transform)
    gtime = ttimes - ttimes[status == 1].mean()
    g_death = gtime[pl.deaths]  # g at each death
    g_row = g_death  # Efron rows are one per death, in the same order
    u2 = g_death @ resid
    i11 = cov.sum(axis=0)
    i12 = np.einsum("k,kst->st", g_row, cov)
    i22 = np.einsum("k,kst->st", g_row**2, cov)
    imat = np.block([[i11, i12], [i12.T, i22]])
    u = np.concatenate([np.zeros(p), u2])

    # which coefficients belong to which covariate (R's fit$assign)
    if terms:
        sizes = [len(design_matrix(df, [c])[1]) for c in covariates]
        starts = np.cumsum([0, *sizes[:-1]])
        assign = {
            c: list(range(s, s + k)) for c, s, k in zip(covariates, starts, sizes, strict=True)
        }
    else:
        assign = {n: [j] for j, n in enumerate(names)}
    la = _linalg()
    stats, dfs = [], []
    for cols in assign.values():
        kk = list(range(p)) + [p + j for j in cols]
        sub_u = u[kk]
        stats.append(float(sub_u @ la.solve(imat[np.ix_(kk, kk)], sub_u, assume_a="sym")))
        dfs.append(len(cols))
    index = list(assign)
    if global_test:
        stats.append(float(u @ la.solve(imat, u, assume_a="sym")))
        dfs.append(p)
        index.append("GLOBAL")
    table = pd.DataFrame(
        {"chisq": stats, "df": dfs, "p": chi2_upper(np.array(stats), np.array(dfs))},
        index=pd.Index(index, name="term"),
    )

    # scaled residuals: R scales by (I / d)^-1 after combining a factor's columns
    beta = fit.coef_.to_numpy(float)
    vmean = i11 / n_deaths
    sresid = resid
    multi = any(len(cols) > 1 for cols in assign.values())
    if multi:
        comb = np.zeros((p, len(assign)))
        for i, cols in enumerate(assign.values()):
            comb[cols, i] = 1.0 if len(cols) == 1 else beta[cols]
        sresid = sresid @ comb
        vmean = comb.T @ vmean @ comb
    sresid = la.solve(vmean, sresid.T, assume_a="sym").T
    centre = np.array([beta[cols[0]] if len(cols) == 1 else 1.0 for cols in assign.values()])
    y = pd.DataFrame(sresid + centre, columns=list(assign))
    return ZphResult(
        table=table,
        x=ttimes[pl.deaths],
        time=stop[pl.deaths],
        y=y,
        var=la.inv(vmean),
        transform=transform,
        fit=fit,
    )
