"""Compiled array kernels of the survival statistics, for callers that evaluate them many
times on small, already-validated arrays (the reconstruction's inner loop).

Each function takes and returns what the numpy kernel behind the public function of the
same name takes and returns (``km._km_at_kernel``, ``logrank._logrank_kernel``, ...), and
gives the same numbers to rounding (``tests/test_survival_kernels_compiled.py``): the
public functions validate, these do not. Times are float and >= 0, events 0/1, status
codes integers (0 = censored), group codes 0..n_groups-1, at least one patient. ``z`` is
the normal quantile of the intervals (``_common.zval(alpha)``).

The loops are compiled by numba at first call and cached next to the source
(``__pycache__``), so a fresh checkout pays the compilation once (a few seconds per
kernel) and later processes load the machine code. Importing this module imports numba;
``cart_hsct.survival`` does not import it.
"""

from __future__ import annotations

import numpy as np

from . import _jit_cif, _jit_compare, _jit_cox, _jit_km
from ._common import zval
from ._design import design_arrays
from ._jit import CONF_CODES

__all__ = [
    "cox",
    "cuminc_at",
    "design_arrays",
    "gray",
    "km_at",
    "km_first_at_or_below",
    "km_median",
    "logrank",
    "median_symmetric",
    "warm_up",
    "zval",
]

_CIF_CONF_CODES = {"plain": 0, "log": 1, "log-log": 2}
_VARIANCES = ("cmprsk", "survfit")
_NO_TIMES = np.empty(0)


def _f8(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def _i8(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.int64)


def _code(conf_type: str, codes: dict) -> int:
    try:
        return codes[conf_type]
    except KeyError:
        raise ValueError(f"'conf_type' must be one of {list(codes)}, got {conf_type!r}.") from None


def km_at(t, e, times, conf_type: str, z: float):
    """Kaplan-Meier survival, its standard error and CI at ``times``.

    Returns
    -------
    tuple of arrays
        (survival, std_err, ci_lower, ci_upper), one value per time, as ``km.km_at``.
    """
    return _jit_km.km_at(_f8(t), _f8(e), _f8(times), _code(conf_type, CONF_CODES), float(z))


def km_median(t, e, conf_type: str, z: float) -> tuple[float, float, float]:
    """(median, ci_lower, ci_upper) by R's rule (``quantile.survfit``); NaN = not reached."""
    return _jit_km.km_median(_f8(t), _f8(e), _code(conf_type, CONF_CODES), float(z))


def km_first_at_or_below(t, e, p: float = 0.5) -> float:
    """First time at which the Kaplan-Meier curve is <= ``p`` (SPSS's median rule); NaN
    if never."""
    return _jit_km.km_first_at_or_below(_f8(t), _f8(e), float(p))


def median_symmetric(t, e, median: float, z: float) -> tuple[float, float]:
    """``median -+ z SE`` with SE from the curve's slope around the median (Collett), as
    ``km.median_symmetric_ci``; (NaN, NaN) when undefined."""
    return _jit_km.median_symmetric(_f8(t), _f8(e), float(median), float(z))


def logrank(t, e, codes, n_groups: int, rho: float = 0.0) -> tuple[float, int, float]:
    """(chi2, df, p) of the K-sample log-rank (rho = 0) or G-rho test, R ``survdiff``.

    Raises ``numpy.linalg.LinAlgError`` when the variance matrix is singular, as the
    numpy kernel.
    """
    return _jit_compare.logrank(_f8(t), _f8(e), _i8(codes), int(n_groups), float(rho))


def cuminc_at(t, s, cause: int, times, conf_type: str, z: float, variance: str = "cmprsk"):
    """Cumulative incidence of ``cause``, its variance (cmprsk's or survfit's) and CI at
    ``times``; NaN after the last follow-up time.

    Returns
    -------
    tuple of arrays
        (estimate, variance, ci_lower, ci_upper), as ``competing.cuminc`` with ``times``.
    """
    if variance not in _VARIANCES:
        raise ValueError(f"variance must be one of {list(_VARIANCES)}, got {variance!r}.")
    return _jit_cif.cuminc_at(
        _f8(t),
        _i8(s),
        int(cause),
        _f8(times),
        _code(conf_type, _CIF_CONF_CODES),
        float(z),
        variance == "survfit",
    )


def gray(t, s, codes, n_groups: int, cause: int, rho: float = 0.0) -> tuple[float, int, float]:
    """(stat, df, p) of Gray's test for equal cumulative incidence of ``cause``.

    Raises ValueError when the variance matrix is singular, as the numpy kernel.
    """
    s = _i8(s)
    m = np.where(s == 0, 0, np.where(s == cause, 1, 2))
    stat, df, p = _jit_compare.gray(_f8(t), m, _i8(codes), int(n_groups), float(rho))
    if df == -2:  # a variance that is not finite: numpy's SVD decides, as in the numpy kernel
        from .competing import _gray_kernel

        return _gray_kernel(t, s, codes, n_groups, cause, rho)
    if df < 0:
        raise ValueError(
            f"Gray's test variance matrix is singular for cause {cause} (e.g. a group "
            "with no patients at risk at any event time)."
        )
    return stat, df, p


def cox(x, stop, event, start, ties: str, z: float, counting: bool = False) -> dict:
    """Cox model by ``coxph``'s Newton-Raphson, with Wald summaries.

    ``x`` is the design matrix (n, p); ``start`` None for right-censored data, or the
    intervals' starts for (start, stop] data with ``counting=True``.

    Returns
    -------
    dict
        beta, var, se, p (Wald), lower and upper (log scale), loglik (null, final),
        score_test, converged, iterations and ``infinite`` (per term, R's test for a
        diverging coefficient): the keys of ``cox._cox_kernel`` except its ``pl``.
        Raises ``numpy.linalg.LinAlgError`` when the information is not positive definite.
    """
    if ties not in ("efron", "breslow"):
        raise ValueError(f"'ties' must be 'efron' or 'breslow', got {ties!r}.")
    has_start = start is not None
    (beta, var, se, ll0, ll, score_test, converged, iterations, p, lower, upper, infinite) = (
        _jit_cox.cox(
            _f8(x),
            _f8(stop),
            _i8(event),
            _f8(start) if has_start else _NO_TIMES,
            ties == "efron",
            has_start,
            bool(counting),
            float(z),
        )
    )
    return {
        "beta": beta,
        "var": var,
        "se": se,
        "loglik": (ll0, ll),
        "score_test": score_test,
        "converged": converged,
        "iterations": iterations,
        "p": p,
        "lower": lower,
        "upper": upper,
        "infinite": infinite,
    }


def warm_up() -> None:
    """Call every kernel once on a tiny cohort: compiles what the cache lacks (a fresh
    checkout: about a minute of CPU), or loads it (about a second). Run it once before
    starting worker processes, so that they load the cache instead of each compiling."""
    t, e = np.array([1.0, 2.0, 2.0, 5.0, 7.0]), np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    s, g = np.array([1, 0, 2, 1, 0]), np.array([0, 1, 0, 1, 1])
    x = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    km_at(t, e, t, "log", 1.96)
    km_median(t, e, "log", 1.96)
    km_first_at_or_below(t, e)
    median_symmetric(t, e, 5.0, 1.96)
    logrank(t, e, g, 2)
    for variance in _VARIANCES:
        cuminc_at(t, s, 1, t, "log", 1.96, variance)
    gray(t, s, g, 2, 1)
    cox(x, t, e, None, "efron", 1.96)
