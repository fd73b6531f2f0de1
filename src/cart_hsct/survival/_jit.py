"""Compiled building blocks shared by the compiled kernels (``kernels.py``).

``jit`` compiles with numba, caching the machine code next to the source, and with
numpy's floating-point error model: a division by zero gives inf or NaN as in the numpy
kernels instead of raising ``ZeroDivisionError``. The scalar helpers repeat the numpy
kernels' arithmetic operation by operation, so that results agree to rounding.
"""

from __future__ import annotations

import hashlib
import math
from functools import cache
from pathlib import Path

import numpy as np
from numba import njit
from numba.core import caching, config

_HERE = Path(__file__).resolve().parent


@cache
def _compiled_sources_stamp() -> str:
    digest = hashlib.sha256()
    for path in sorted(_HERE.glob("_jit*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


class _CompiledModulesLocator(caching.InTreeCacheLocator):
    """numba's in-tree cache (``__pycache__``), valid while no compiled module here changes.

    numba stamps a cached function with its own file's contents, but the machine code of a
    kernel includes the helpers it calls from other files (``tabulate`` from this one): a
    changed helper would leave its callers' stale code in the cache.
    """

    def get_source_stamp(self):
        return _compiled_sources_stamp()

    @classmethod
    def from_function(cls, py_func, py_file):
        if config.CACHE_DIR or Path(py_file).resolve().parent != _HERE:
            return None  # numba's own locators: NUMBA_CACHE_DIR, or someone else's code
        return super().from_function(py_func, py_file)


if not any(
    c.__name__ == _CompiledModulesLocator.__name__ for c in caching.CacheImpl._locator_classes
):
    caching.CacheImpl._locator_classes.insert(0, _CompiledModulesLocator)

jit = njit(cache=True, error_model="numpy", nogil=True)

#: ``conf_type`` names as integer codes (numba compares integers, not strings, cheaply).
CONF_CODES = {"plain": 0, "log": 1, "log-log": 2, "arcsine": 3}

# R's summary.survfit / quantile.survfit tolerance, as _common.R_TOL
R_TOL = float(np.sqrt(np.finfo(float).eps))


@jit
def tabulate(t):
    """Distinct sorted times and, per patient, the index of its time (``np.unique``)."""
    n = t.size
    order = np.argsort(t, kind="mergesort")
    inverse = np.empty(n, np.int64)
    times = np.empty(n, np.float64)
    k = -1
    for i in range(n):
        j = order[i]
        if k < 0 or t[j] != times[k]:
            k += 1
            times[k] = t[j]
        inverse[j] = k
    return times[: k + 1], inverse


@jit
def km_steps(t, e):
    """Product-limit curve at every distinct time: times, at-risk, events, S, se(log S).

    As ``km._km_core``: Greenwood's increment d / (n (n - d)) is infinite once everyone
    at risk dies, and so is the standard error from then on.
    """
    times, inverse = tabulate(t)
    m = times.size
    count = np.zeros(m, np.int64)
    events = np.zeros(m, np.float64)
    for i in range(t.size):
        count[inverse[i]] += 1
        events[inverse[i]] += e[i]
    at_risk = np.empty(m, np.int64)
    surv = np.empty(m)
    se_log = np.empty(m)
    risk, s, var = 0, 1.0, 0.0
    for k in range(m - 1, -1, -1):
        risk += count[k]
        at_risk[k] = risk
    for k in range(m):
        d = float(np.int64(events[k]))
        n = at_risk[k]
        s *= 1.0 - d / n
        surv[k] = s
        if d > 0:
            var += d / (n * (n - d))
        se_log[k] = math.sqrt(var)
        events[k] = d
    return times, at_risk, events, surv, se_log


@jit
def km_band(p, se, conf, z):
    """(lower, upper) of one survival probability: ``_common.km_confint``, scalar."""
    nan = np.nan
    if conf == 0:  # plain
        se2 = se * p * z
        lo, hi = p - se2, p + se2
        if math.isnan(se2):
            return nan, nan
        return max(lo, 0.0), min(hi, 1.0)
    if conf == 1:  # log
        if p == 0:
            return nan, nan
        se2 = z * se
        hi = math.exp(math.log(p) + se2)
        return math.exp(math.log(p) - se2), (hi if math.isnan(hi) else min(hi, 1.0))
    if conf == 2:  # log-log
        if p == 0 or p == 1:
            return nan, nan
        se2 = z * se / math.log(p)
        lll = math.log(-math.log(p))
        return math.exp(-math.exp(lll - se2)), math.exp(-math.exp(lll + se2))
    # arcsine; R's pmax/pmin propagate NaN (0 * Inf at S = 1)
    if p == 0:
        return nan, nan
    se2 = 0.5 * z * se * math.sqrt(p / (1 - p))
    if math.isnan(se2):
        return nan, nan
    a = math.asin(math.sqrt(p))
    return math.sin(max(0.0, a - se2)) ** 2, math.sin(min(math.pi / 2, a + se2)) ** 2


@jit
def chi2_sf(x, df):
    """Upper chi-square tail for integer ``df`` >= 1, as scipy's ``chdtrc(df, x)``.

    Closed forms of the regularised upper gamma function at integer and half-integer
    shape (all terms positive, no cancellation): ``exp(-x/2) sum (x/2)^k / k!`` for even
    ``df``, ``erfc(sqrt(x/2)) + exp(-x/2) sum (x/2)^(k-1/2) / Gamma(k+1/2)`` for odd.
    NaN for x < 0, as ``chdtrc``.
    """
    if x < 0 or math.isnan(x):
        return np.nan
    h = 0.5 * x
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for k in range(1, df // 2):
            term *= h / k
            total += term
        return math.exp(-h) * total
    total = math.erfc(math.sqrt(h))
    if df > 1:
        term = math.sqrt(h) / math.gamma(1.5)  # (x/2)^(1/2) / Gamma(3/2)
        acc = term
        for k in range(2, (df + 1) // 2):
            term *= h / (k - 0.5)
            acc += term
        total += math.exp(-h) * acc
    return total


@jit
def two_sided_normal_p(z):
    """``2 * ndtr(-|z|)``, the Wald p-value (``erfc(|z| / sqrt 2)``)."""
    return math.erfc(abs(z) * 0.7071067811865476)
