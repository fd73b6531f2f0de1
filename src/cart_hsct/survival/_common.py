"""Internal helpers shared by the survival modules: validation, grouping, CI transforms."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

# The ufuncs behind scipy.stats' norm and chi2 (same values): importing scipy.stats costs
# ~0.5 s, once in every notebook kernel, and these modules need nothing else from it.
from scipy.special import chdtrc, gammaincinv, ndtr, ndtri

from cart_hsct import checks

KMConfType = Literal["plain", "log", "log-log", "arcsine"]
KM_CONF_TYPES = ("plain", "log", "log-log", "arcsine")

# R's summary.survfit / quantile.survfit compare probabilities with this tolerance.
R_TOL = float(np.sqrt(np.finfo(float).eps))


def zval(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise ValueError(f"'alpha' must lie in (0, 1), got {alpha!r}; use 0.05 for 95% intervals.")
    return _zval(float(alpha))


@lru_cache(maxsize=16)
def _zval(alpha: float) -> float:
    # norm.ppf costs ~0.15 ms per call; the reconstruction asks for the same few alphas
    return float(ndtri(1 - alpha / 2))


def chi2_sf(stat: float, df: int) -> float:
    """Upper tail of the chi-square distribution, R ``pchisq(stat, df, lower.tail=FALSE)``.

    The ufunc behind ``scipy.stats.chi2.sf`` without its argument handling (which
    costs ~0.1 ms a call, too much inside the reconstruction's loop).
    """
    return float(chdtrc(df, stat))


def norm_sf(x):
    """Upper tail of the standard normal, R ``pnorm(x, lower.tail = FALSE)``.

    ``scipy.stats.norm.sf(x)`` computes ``ndtr(-x)``; the same ufunc, elementwise.
    """
    return ndtr(np.negative(x))


def norm_cdf(x):
    """Standard normal distribution function, R ``pnorm(x)`` (``scipy.stats.norm.cdf``)."""
    return ndtr(x)


def chi2_upper(stat, df):
    """Elementwise upper chi-square tail, R ``pchisq(stat, df, lower.tail = FALSE)``.

    The values of ``scipy.stats.chi2.sf(stat, df)``: the ufunc ``chdtrc``, with a
    statistic at or below 0 (rounding can make a likelihood ratio -1e-15) giving 1
    as there, where the bare ufunc gives NaN.
    """
    return chdtrc(df, np.maximum(stat, 0.0))


def chi2_ppf(q, df):
    """Chi-square quantile, R ``qchisq(q, df)``: ``scipy.stats.chi2.ppf``'s formula."""
    return 2 * gammaincinv(np.divide(df, 2), q)


_SCIPY_LINALG = None


def _linalg():
    """scipy.linalg, imported at first use (~0.04 s): pages that fit no model skip it."""
    global _SCIPY_LINALG
    if _SCIPY_LINALG is None:
        from scipy import linalg

        _SCIPY_LINALG = linalg
    return _SCIPY_LINALG


def conf_type_check(conf_type: str, allowed: tuple[str, ...]) -> str:
    if conf_type not in allowed:
        raise ValueError(
            f"'conf_type' must be one of {list(allowed)} (R's survfit conf.type names), "
            f"got {conf_type!r}."
        )
    return conf_type


def time_event(time, event, *, event_name: str = "event") -> tuple[np.ndarray, np.ndarray]:
    """Validate a (time, 0/1 event) pair; return float times and int events."""
    checks.same_length(time=time, **{event_name: event})
    t = checks.durations(time, "time")
    e = checks.status(event, (0, 1), event_name)
    if t.size == 0:
        raise ValueError("'time' is empty: at least one patient is needed.")
    return t, e


def groups(
    group, n: int, *, name: str = "group", min_groups: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a grouping vector; return (labels in sorted order, integer codes)."""
    if len(group) != n:
        checks.same_length(time=np.empty(n), **{name: group})
    g = pd.Series(
        group.to_numpy() if isinstance(group, pd.Series) else np.asarray(group, dtype=object)
    )
    missing = g.isna().to_numpy()
    if missing.any():
        raise ValueError(
            f"'{name}' has {missing.sum()} missing values (rows {checks._rows(missing)}); "
            "assign every patient to a group or drop them."
        )
    codes, labels = pd.factorize(g, sort=True)
    if len(labels) < min_groups:
        raise ValueError(
            f"'{name}' has {len(labels)} distinct value(s) ({list(labels)}); this test compares "
            f"groups and needs at least {min_groups}."
        )
    return np.asarray(labels, dtype=object), codes.astype(np.intp)


def km_confint(
    surv: np.ndarray, se: np.ndarray, conf_type: str, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI for survival, as R ``survival:::survfit_confint`` (logse=TRUE).

    ``se`` is the standard error of the cumulative hazard (Greenwood), i.e. of log S.
    Where R returns NA we return NaN.
    """
    p = np.asarray(surv, float)
    se = np.asarray(se, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            se2 = se * p * z
            return np.maximum(p - se2, 0.0), np.minimum(p + se2, 1.0)
        if conf_type == "log":
            xx = np.where(p == 0, np.nan, p)
            se2 = z * se
            return np.exp(np.log(xx) - se2), np.minimum(np.exp(np.log(xx) + se2), 1.0)
        if conf_type == "log-log":
            xx = np.where((p == 0) | (p == 1), np.nan, p)
            se2 = z * se / np.log(xx)
            lll = np.log(-np.log(xx))
            return np.exp(-np.exp(lll - se2)), np.exp(-np.exp(lll + se2))
        if conf_type == "arcsine":
            xx = np.where(p == 0, np.nan, p)
            se2 = 0.5 * z * se * np.sqrt(xx / (1 - xx))
            a = np.arcsin(np.sqrt(xx))
            # R's pmax/pmin propagate NaN (0 * Inf at S = 1), so do we.
            lo = np.where(np.isnan(se2), np.nan, np.maximum(0.0, a - se2))
            hi = np.where(np.isnan(se2), np.nan, np.minimum(np.pi / 2, a + se2))
            return np.sin(lo) ** 2, np.sin(hi) ** 2
    raise AssertionError(conf_type)
