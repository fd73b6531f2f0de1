"""Proportions from counts: percentages, their confidence intervals and 2x2 tests.

Everything here is an exact computation from stated counts (``k`` of ``n``), so a
published percentage, confidence interval or p-value can be recomputed without
patient-level data, and the method the authors used can be identified by trying
every candidate and keeping those that reproduce the printed digits.

Landmark rates
--------------
A Kaplan-Meier rate at a landmark before which nobody was censored is the binomial
proportion ``S = k/n`` (``k`` patients still event-free), and Greenwood's variance
reduces to ``S(1 - S)/n``. The survfit confidence-interval transforms (``plain``,
``log``, ``log-log``, ``arcsine``, ``logit``) are then functions of ``k`` and ``n``
alone: :func:`ci` computes them in closed form and the tests check them against
``cart_hsct.survival.km_at`` and R's ``survfit``. The same closed forms applied to a
cumulative incidence ``F = k/n`` give the interval of R's ``survfit`` Aalen-Johansen
estimator (infinitesimal-jackknife variance, which is ``F(1 - F)/n`` without
censoring); cmprsk's variance is slightly different and depends on the order of the
events, so :func:`landmark_cif` computes it with ``cart_hsct.survival.cuminc`` on an
explicit implied data set.

Tolerances (what "reproduces the printed value" means) are not defined here: the
``which_*`` helpers ask :func:`cart_hsct.ledger.compare`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import ndtri

from . import ledger

# scipy.stats (~0.5 s to import, in every notebook kernel that imports this module) is
# imported in the two functions that need it: Clopper-Pearson and the 2x2 tests.

__all__ = [
    "CIF_METHODS",
    "CI_METHODS",
    "KM_METHODS",
    "TESTS",
    "choose",
    "ci",
    "ci_table",
    "cif_ci_table",
    "denominators_for",
    "implied_cif_data",
    "implied_km_data",
    "landmark_cif",
    "numerators_for",
    "partition_sum",
    "percent",
    "percent_finding",
    "printed_decimals",
    "rounding_conventions",
    "two_by_two",
    "which_method",
    "which_test",
]

CIMethod = Literal["plain", "log", "log-log", "arcsine", "logit", "wilson", "clopper-pearson"]
#: Every interval method :func:`ci` knows; the first five are survfit's ``conf.type``.
CI_METHODS: tuple[str, ...] = (
    "plain",
    "log",
    "log-log",
    "arcsine",
    "logit",
    "wilson",
    "clopper-pearson",
)
#: Transforms R's survfit offers for a Kaplan-Meier curve.
KM_METHODS: tuple[str, ...] = ("plain", "log", "log-log", "arcsine", "logit")
#: Transforms compared for a cumulative incidence (DESIGN.md, ``cuminc``).
CIF_METHODS: tuple[str, ...] = ("log", "log-log", "plain")
#: The 2x2 tests :func:`two_by_two` returns, in the order they are reported.
TESTS: tuple[str, ...] = ("fisher", "chisq_yates", "chisq")


# ----------------------------------------------------------------------------- validation


def _counts(k, n, *, k_name: str = "k", n_name: str = "n") -> tuple[int, int]:
    """Validate a count ``k`` out of ``n``; floats holding whole numbers are accepted."""
    out = []
    for name, v in ((k_name, k), (n_name, n)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer, float, np.floating)):
            raise TypeError(f"'{name}' must be a whole number, got {v!r} ({type(v).__name__}).")
        if not math.isfinite(float(v)) or float(v) != int(v):
            raise ValueError(f"'{name}' must be a whole number, got {v!r}; counts are patients.")
        out.append(int(v))
    k_, n_ = out
    if n_ <= 0:
        raise ValueError(f"'{n_name}' must be >= 1, got {n_}; a proportion needs a denominator.")
    if not 0 <= k_ <= n_:
        raise ValueError(f"'{k_name}' = {k_} must lie between 0 and '{n_name}' = {n_}.")
    return k_, n_


def _alpha(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise ValueError(f"'alpha' must lie in (0, 1), got {alpha!r}; use 0.05 for 95% intervals.")
    return float(alpha)


def _method(method: str, allowed: Sequence[str]) -> str:
    if method not in allowed:
        raise ValueError(f"'method' must be one of {list(allowed)}, got {method!r}.")
    return method


# ----------------------------------------------------------------------------- percentages


def percent(k: int, n: int) -> float:
    """``100 k / n``, the percentage of ``n`` patients that ``k`` represents.

    Parameters
    ----------
    k, n : int
        Whole numbers with ``0 <= k <= n`` and ``n >= 1``.

    Returns
    -------
    float
        A percentage on the 0-100 scale (the ledger's unit), unrounded.
    """
    k, n = _counts(k, n)
    return 100.0 * k / n


def _decimal_places(printed: str) -> int:
    return len(printed.strip().partition(".")[2])


def rounding_conventions(k: int, n: int, decimals: int) -> dict[str, str]:
    """How ``100 k / n`` prints at ``decimals`` places under common rounding conventions.

    Parameters
    ----------
    k, n : int
        The count and its denominator.
    decimals : int
        Decimal places of the printed percentage.

    Returns
    -------
    dict
        ``half-up`` (school rounding, SPSS and Excel), ``half-even`` (R's ``round``,
        IEC 60559), ``truncate`` (digits cut off), ``ceiling`` and ``two-step`` (the
        proportion first rounded to ``decimals + 1`` places of a percent, then to
        ``decimals``: the double rounding that turns 58.947 into 58.95 and then 59.0),
        each as printed text.

    Notes
    -----
    Exact decimal arithmetic (``decimal.Decimal``) is used so that a value like 2.5 is
    not lost to binary floating point.
    """
    k, n = _counts(k, n)
    if decimals < 0:
        raise ValueError(f"'decimals' must be >= 0, got {decimals}.")
    exact = Decimal(100 * k) / Decimal(n)
    q = Decimal(1).scaleb(-decimals)
    two = exact.quantize(q / 10, rounding=ROUND_HALF_UP)
    return {
        "half-up": str(exact.quantize(q, rounding=ROUND_HALF_UP)),
        "half-even": str(exact.quantize(q, rounding=ROUND_HALF_EVEN)),
        "truncate": str(exact.quantize(q, rounding=ROUND_FLOOR)),
        "ceiling": str(exact.quantize(q, rounding=ROUND_CEILING)),
        "two-step": str(two.quantize(q, rounding=ROUND_HALF_UP)),
    }


def numerators_for(printed: float, n: int, decimals: int) -> list[int]:
    """Every ``k`` in ``0..n`` whose percentage ``100 k / n`` rounds (half-up) to ``printed``.

    An empty list means that no count out of ``n`` can give the printed percentage.
    """
    _, n = _counts(0, n)
    q = _quantum(decimals)
    target = Decimal(str(printed)).quantize(q)
    return [k for k in range(n + 1) if _half_up(k, n, q) == target]


def denominators_for(printed: float, k: int, decimals: int, *, max_n: int = 500) -> list[int]:
    """Every ``n`` in ``max(k, 1)..max_n`` for which ``100 k / n`` rounds (half-up) to
    ``printed``."""
    k, _ = _counts(k, max(k, 1))
    q = _quantum(decimals)
    target = Decimal(str(printed)).quantize(q)
    return [n for n in range(max(k, 1), max_n + 1) if _half_up(k, n, q) == target]


def _quantum(decimals: int) -> Decimal:
    if decimals < 0:
        raise ValueError(f"'decimals' must be >= 0, got {decimals}.")
    return Decimal(1).scaleb(-decimals)


def _half_up(k: int, n: int, q: Decimal) -> Decimal:
    """``rounding_conventions(k, n, ...)["half-up"]`` as a Decimal, for valid counts: the
    searches above try up to 500 candidates per printed number, and the counts pages ask
    about 200 numbers, so they skip the validation and the other four conventions."""
    return (Decimal(100 * k) / Decimal(n)).quantize(q, rounding=ROUND_HALF_UP)


def printed_decimals(e: ledger.Entry, field: str = "value") -> int:
    """Decimal places a ledger entry prints ``field`` with (read from its quote)."""
    half = e.half_unit.get(field)
    if half is None:
        raise ValueError(f"{e.id} prints no {field!r}.")
    return max(0, round(-math.log10(2 * half)))


def percent_finding(k: int, n: int, printed: float, decimals: int) -> dict[str, object]:
    """What ``k`` of ``n`` says about a printed percentage.

    Returns
    -------
    dict
        ``value`` (unrounded percent), ``rounds_to`` (half-up at ``decimals``),
        ``matches`` (the printed value is the usual rounding of k/n), ``conventions``
        (rounding conventions that give the printed text), ``numerators`` (every k'
        of n that would print so), ``denominators`` (every n' <= 500 that would, with
        k), ``contradicted`` (no rounding convention turns k/n into the printed
        value) and ``text``, a one-sentence explanation.
    """
    k, n = _counts(k, n)
    conv = rounding_conventions(k, n, decimals)
    target = str(Decimal(str(printed)).quantize(Decimal(1).scaleb(-decimals)))
    exact = percent(k, n)
    matches = conv["half-up"] == target
    which = [c for c, v in conv.items() if v == target]
    ks, ns = numerators_for(printed, n, decimals), denominators_for(printed, k, decimals)
    text = f"{k}/{n} = {exact:.3f} %, which rounds to {conv['half-up']}"
    if matches:
        text += " as printed."
    else:
        text += f", not the printed {target}"
        if which:
            first_step = Decimal(str(exact)).quantize(
                Decimal(1).scaleb(-decimals - 1), rounding=ROUND_HALF_UP
            )
            text += (
                "; the printed digits come from "
                + " or ".join(
                    {
                        "truncate": "truncating instead of rounding",
                        "ceiling": "rounding up",
                        "two-step": f"rounding twice ({exact:.3f} -> {first_step} -> {target})",
                        "half-even": "rounding half to even",
                    }[c]
                    for c in which
                )
                + "."
            )
        else:
            text += "; no rounding convention gives it"
            text += (
                f", and no count out of {n} does either"
                if not ks
                else f"; it would be {', '.join(f'{x}/{n}' for x in ks)}"
            )
            shown = ns[:6]
            text += (
                f"; {k}/n prints as {target} only for n = {', '.join(map(str, shown))}"
                + (", ..." if len(ns) > 6 else "")
                + "."
                if ns
                else f"; no denominator up to 500 gives {target} with {k}."
            )
    return {
        "value": exact,
        "rounds_to": conv["half-up"],
        "matches": matches,
        "conventions": which,
        "numerators": ks,
        "denominators": ns,
        "contradicted": not which,
        "text": text,
    }


# ----------------------------------------------------------------------------- intervals


def ci(k: int, n: int, *, method: CIMethod, alpha: float = 0.05) -> tuple[float, float]:
    """Confidence interval for the proportion ``k / n`` (returned on the 0-1 scale).

    Parameters
    ----------
    k, n : int
        ``k`` of ``n`` patients: successes for a binomial proportion, patients
        event-free for a Kaplan-Meier landmark rate with nobody censored before the
        landmark, patients with the event for a cumulative incidence.
    method : {"plain", "log", "log-log", "arcsine", "logit", "wilson", "clopper-pearson"}
        No default: the methods give different intervals and papers rarely say.

        - ``plain``: Wald, ``p +- z sqrt(p(1-p)/n)`` clipped to [0, 1]; R
          ``summary(survfit(..., conf.type="plain"))`` on data without censoring.
        - ``log``: ``p exp(+-z sqrt((1-p)/(n p)))``, upper bound capped at 1; R
          ``conf.type="log"`` (survfit's default).
        - ``log-log``: on ``log(-log p)``; R ``conf.type="log-log"`` (lifelines' and
          SAS's default for Kaplan-Meier).
        - ``arcsine``: ``sin^2(asin(sqrt p) -+ z / (2 sqrt n))``; R ``conf.type="arcsin"``.
        - ``logit``: on ``log(p/(1-p))``; R ``conf.type="logit"``.
        - ``wilson``: Wilson score interval; R ``prop.test(k, n, correct=FALSE)$conf.int``.
        - ``clopper-pearson``: exact beta quantiles; R ``binom.test(k, n)$conf.int``.
    alpha : float
        1 - confidence level.

    Returns
    -------
    (lower, upper) : tuple of float
        NaN where R returns NA (``log-log``, ``logit`` and ``arcsine`` at p = 0 or 1,
        ``log`` at p = 0).

    Notes
    -----
    For the survfit transforms the standard error of ``log p`` is
    ``sqrt((1 - p)/(n p))``: Greenwood's formula when no one is censored.
    """
    k, n = _counts(k, n)
    _method(method, CI_METHODS)
    z = float(ndtri(1 - _alpha(alpha) / 2))  # the ufunc scipy.stats.norm.ppf calls
    p = k / n
    if method == "clopper-pearson":
        from scipy import stats

        lo = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
        hi = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
        return lo, hi
    if method == "wilson":
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return max(0.0, centre - half), min(1.0, centre + half)
    nan = float("nan")
    if method == "plain":
        half = z * math.sqrt(p * (1 - p) / n)
        return max(0.0, p - half), min(1.0, p + half)
    if p == 0:
        return nan, nan
    se_log = math.sqrt((1 - p) / (n * p))  # Greenwood, no censoring
    if method == "log":
        return p * math.exp(-z * se_log), min(1.0, p * math.exp(z * se_log))
    if method == "arcsine":
        if p == 1:  # survfit: 0 * Inf = NaN, reported as NA
            return nan, nan
        # survfit: se2 = z * se_log * sqrt(p / (1 - p)) / 2, which is z / (2 sqrt n)
        a, half = math.asin(math.sqrt(p)), z / (2 * math.sqrt(n))
        return math.sin(max(0.0, a - half)) ** 2, math.sin(min(math.pi / 2, a + half)) ** 2
    if p == 1:
        return nan, nan
    if method == "log-log":
        lll, half = math.log(-math.log(p)), z * se_log / math.log(p)
        return math.exp(-math.exp(lll - half)), math.exp(-math.exp(lll + half))
    # logit; survfit: se2 = z * se_log / (1 - p)
    lg, half = math.log(p / (1 - p)), z * se_log / (1 - p)
    return 1 / (1 + math.exp(-(lg - half))), 1 / (1 + math.exp(-(lg + half)))


def ci_table(
    k: int, n: int, *, methods: Sequence[str] = CI_METHODS, alpha: float = 0.05
) -> pd.DataFrame:
    """:func:`ci` under each method, in percent.

    Returns
    -------
    DataFrame
        method, estimate, ci_lower, ci_upper (0-100 scale).
    """
    rows = []
    for m in methods:
        lo, hi = ci(k, n, method=m, alpha=alpha)
        rows.append(
            {"method": m, "estimate": percent(k, n), "ci_lower": 100 * lo, "ci_upper": 100 * hi}
        )
    return pd.DataFrame(rows, columns=["method", "estimate", "ci_lower", "ci_upper"])


# ----------------------------------------------------------------------------- implied data


def implied_km_data(survivors: int, n: int, *, landmark: float) -> tuple[np.ndarray, np.ndarray]:
    """The data set a landmark KM rate ``survivors / n`` implies when nobody is censored early.

    ``n - survivors`` events at distinct times before ``landmark`` and ``survivors``
    patients censored after it. Returns ``(time, event)`` for
    :func:`cart_hsct.survival.km_at`; the rate and its Greenwood variance at the
    landmark do not depend on where exactly the events fall.
    """
    survivors, n = _counts(survivors, n, k_name="survivors")
    if landmark <= 0:
        raise ValueError(f"'landmark' must be > 0, got {landmark!r}.")
    deaths = n - survivors
    time = np.concatenate(
        [landmark * np.arange(1, deaths + 1) / (deaths + 1), np.full(survivors, 2.0 * landmark)]
    )
    event = np.concatenate([np.ones(deaths, int), np.zeros(survivors, int)])
    return time, event


def implied_cif_data(
    k: int,
    n: int,
    *,
    competing: int = 0,
    landmark: float,
    order: Literal["events-first", "competing-first"] = "events-first",
) -> tuple[np.ndarray, np.ndarray]:
    """The competing-risks data set that a landmark incidence ``k / n`` implies.

    ``k`` events of interest (status 1) and ``competing`` competing events (status 2)
    at distinct times before ``landmark``, everyone else event-free and censored after
    it (status 0). cmprsk's variance depends (slightly) on the order in which the two
    kinds of event occur, hence ``order``; the estimate does not.
    """
    k, n = _counts(k, n)
    if isinstance(competing, bool) or competing < 0 or k + competing > n:
        raise ValueError(f"'competing' = {competing!r}: need 0 <= competing <= n - k = {n - k}.")
    if order not in ("events-first", "competing-first"):
        raise ValueError(f"'order' must be 'events-first' or 'competing-first', got {order!r}.")
    if landmark <= 0:
        raise ValueError(f"'landmark' must be > 0, got {landmark!r}.")
    m = k + competing
    times = landmark * np.arange(1, m + 1) / (m + 1)
    codes = [1] * k + [2] * competing if order == "events-first" else [2] * competing + [1] * k
    time = np.concatenate([times, np.full(n - m, 2.0 * landmark)])
    status = np.concatenate([np.asarray(codes, int), np.zeros(n - m, int)])
    return time, status


def landmark_cif(
    k: int,
    n: int,
    *,
    conf_type: Literal["log", "log-log", "plain"],
    competing: int = 0,
    landmark: float = 1.0,
    order: Literal["events-first", "competing-first"] = "events-first",
    alpha: float = 0.05,
    variance: Literal["cmprsk", "survfit"] = "cmprsk",
) -> dict[str, float]:
    """Cumulative incidence ``k / n`` at a landmark with cmprsk's (or survfit's) variance.

    Runs :func:`cart_hsct.survival.cuminc` on :func:`implied_cif_data`, so the
    variance is the one R's ``cmprsk::cuminc`` reports (``timepoints(fit, landmark)$var``),
    or with ``variance="survfit"`` R ``survfit``'s, here the binomial ``F(1 - F) / n``.

    Returns
    -------
    dict
        estimate, variance, ci_lower, ci_upper (0-1 scale).
    """
    from .survival import cuminc  # deferred: the survival package is heavier

    _method(conf_type, CIF_METHODS)
    time, status = implied_cif_data(k, n, competing=competing, landmark=landmark, order=order)
    out = cuminc(
        time, status, cause=1, times=[landmark], conf_type=conf_type, alpha=alpha, variance=variance
    )
    row = out.iloc[-1]
    return {key: float(row[key]) for key in ("estimate", "variance", "ci_lower", "ci_upper")}


def cif_ci_table(
    k: int, n: int, *, competing: int = 0, methods: Sequence[str] = CIF_METHODS, alpha: float = 0.05
) -> pd.DataFrame:
    """A landmark incidence's interval under each transform and both variances, in percent.

    ``variance="aalen-johansen"``: ``F(1-F)/n``, R ``survfit`` multi-state (infinitesimal
    jackknife) without censoring; ``variance="cmprsk"``: R ``cmprsk::cuminc`` on the
    implied data set, for both event orders (their bounds are reported as the
    interval's extremes when they differ).

    Returns
    -------
    DataFrame
        method (``<variance>:<transform>``), variance, transform, estimate, ci_lower,
        ci_upper (percent).
    """
    rows = []
    for m in methods:
        lo, hi = ci(k, n, method=m, alpha=alpha)
        rows.append(
            {
                "method": f"aalen-johansen:{m}",
                "variance": "aalen-johansen",
                "transform": m,
                "estimate": percent(k, n),
                "ci_lower": 100 * lo,
                "ci_upper": 100 * hi,
            }
        )
    for m in methods:
        for order in ("events-first", "competing-first") if competing else ("events-first",):
            r = landmark_cif(k, n, conf_type=m, competing=competing, order=order, alpha=alpha)
            rows.append(
                {
                    "method": f"cmprsk:{m}" + (f" ({order})" if competing else ""),
                    "variance": "cmprsk",
                    "transform": m,
                    "estimate": 100 * r["estimate"],
                    "ci_lower": 100 * r["ci_lower"],
                    "ci_upper": 100 * r["ci_upper"],
                }
            )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- 2x2 tests


def two_by_two(k1: int, n1: int, k2: int, n2: int) -> dict[str, float]:
    """p-values of the usual tests comparing ``k1 / n1`` with ``k2 / n2``.

    Returns
    -------
    dict
        ``fisher``: two-sided Fisher exact test, R ``fisher.test(m)$p.value``;
        ``chisq_yates``: Pearson chi-square with Yates' continuity correction, R
        ``chisq.test(m, correct=TRUE)``; ``chisq``: without it, R
        ``chisq.test(m, correct=FALSE)``; ``min_expected``: the smallest expected
        cell count (below 5 the chi-square approximation is doubtful).
        ``m = matrix(c(k1, n1 - k1, k2, n2 - k2), 2, byrow=TRUE)``.
    """
    k1, n1 = _counts(k1, n1, k_name="k1", n_name="n1")
    k2, n2 = _counts(k2, n2, k_name="k2", n_name="n2")
    table = np.array([[k1, n1 - k1], [k2, n2 - k2]])
    if (table.sum(axis=0) == 0).any():
        raise ValueError(f"2x2 table {table.tolist()} has an empty column; no test is defined.")
    from scipy import stats

    fisher = stats.fisher_exact(table, alternative="two-sided").pvalue
    yates = stats.chi2_contingency(table, correction=True)
    pearson = stats.chi2_contingency(table, correction=False)
    return {
        "fisher": float(fisher),
        "chisq_yates": float(yates.pvalue),
        "chisq": float(pearson.pvalue),
        "min_expected": float(pearson.expected_freq.min()),
    }


# ----------------------------------------------------------------------------- matching


def _ci_only(e: ledger.Entry) -> ledger.Entry:
    # Judge the interval alone: the estimate may be off by a rounding slip that has
    # nothing to do with the interval method.
    return dataclasses.replace(e, value=None, p=None, range=None)


def which_method(e: ledger.Entry | str, candidates: pd.DataFrame) -> pd.DataFrame:
    """Judge each candidate interval against the interval printed in ledger entry ``e``.

    Parameters
    ----------
    e : Entry or str
        The ledger entry (or its id); it must print a CI.
    candidates : DataFrame
        ``method, ci_lower, ci_upper`` in the ledger's unit, e.g. from :func:`ci_table`.

    Returns
    -------
    DataFrame
        The candidates plus ``published`` and ``status`` (``exact``: both bounds round to
        the printed ones, as :func:`cart_hsct.ledger.compare` decides) and ``reproduces``.
    """
    e = ledger.entry(e) if isinstance(e, str) else e
    if e.ci is None:
        raise ValueError(f"{e.id} prints no confidence interval; there is nothing to match.")
    out = candidates.copy()
    judged = _ci_only(e)
    out["published"] = f"{e.ci[0]:g}-{e.ci[1]:g}"
    out["status"] = [
        ledger.compare(judged, None, ci=(lo, hi))[0]
        for lo, hi in zip(out["ci_lower"], out["ci_upper"], strict=True)
    ]
    out["reproduces"] = out["status"] == "exact"
    return out


def which_test(e: ledger.Entry | str, pvalues: Mapping[str, float]) -> pd.DataFrame:
    """Judge each candidate test's p-value against the p printed in ledger entry ``e``.

    Returns
    -------
    DataFrame
        test, p, published, status (as :func:`cart_hsct.ledger.compare` decides) and
        reproduces (status ``exact``).
    """
    e = ledger.entry(e) if isinstance(e, str) else e
    printed = e.value if e.unit == "p-value" else e.p
    if printed is None:
        raise ValueError(f"{e.id} prints no p-value.")
    op = e.p_operator or "="
    rows = []
    for test, p in pvalues.items():
        if test not in TESTS:
            continue
        status = (
            ledger.compare(e, p)[0]
            if e.unit == "p-value"
            else ledger.compare(dataclasses.replace(e, value=None, ci=None), None, p=p)[0]
        )
        rows.append(
            {
                "test": test,
                "p": p,
                "published": f"p{op}{printed:g}",
                "status": status,
                "reproduces": status == "exact",
            }
        )
    return pd.DataFrame(rows, columns=["test", "p", "published", "status", "reproduces"])


def choose(
    judged: pd.DataFrame,
    preference: Sequence[str],
    *,
    key: str = "method",
) -> tuple[pd.Series, bool]:
    """The candidate to record from a :func:`which_method` / :func:`which_test` table.

    The first of ``preference`` that reproduces the printed digits; if none does, the
    first of ``preference`` (the method identified elsewhere in the same paper), so
    that the record shows how far the paper's own method lands. Returns the row and
    whether it reproduces.
    """
    rows = judged.set_index(key)
    missing = [m for m in preference if m not in rows.index]
    if missing:
        raise ValueError(f"preferred {key}s {missing} are not in the table ({list(rows.index)}).")
    for m in preference:
        if bool(rows.loc[m, "reproduces"]):
            return rows.loc[m].rename(m), True
    return rows.loc[preference[0]].rename(preference[0]), False


def partition_sum(parts: Mapping[str, int], total: int) -> dict[str, object]:
    """Check that category counts add up to their stated total.

    Returns
    -------
    dict
        ``sum``, ``total``, ``holds`` (bool) and ``text``, e.g. ``"10 + 7 + 11 = 28"``.
    """
    values = [int(v) for v in parts.values()]
    s = sum(values)
    sign = "=" if s == total else "≠"
    return {
        "sum": s,
        "total": int(total),
        "holds": s == total,
        "text": " + ".join(str(v) for v in values) + f" {sign} {int(total)}",
    }


def one_patient_shortfall(n, total, *, decimals: int = 1, terms: int = 2) -> pd.DataFrame:
    """Which rows of a subgroup table hold one patient who shows as a ``1/n`` gap.

    ``total`` is, per row, the sum of ``terms`` printed percentages that add to 100 % in a
    row without that patient (e.g. OS + NRM, when NRM leaves out one death) and fall
    ``100/n`` short of it in the row of the patient, provided nobody in the row was censored
    before the event. A row ``holds`` the patient when its shortfall is ``100/n`` within
    the rounding of the printed terms, is ``contradictory`` when the terms add to more than
    100 % beyond rounding, and otherwise ``does not hold`` it.

    Returns
    -------
    DataFrame
        ``n``, ``total``, ``shortfall`` (100 - total), ``one_in_n`` (100/n), ``verdict``.
    """
    n = pd.Series(n, dtype=float)
    total = pd.Series(total, dtype=float).reindex(n.index)
    if (n <= 0).any() or n.isna().any():
        raise ValueError(f"n must be positive counts; rows {list(n.index[(n <= 0) | n.isna()])}")
    slack = terms * 0.5 * 10.0**-decimals + 1e-9  # each printed term is off by half a unit
    out = pd.DataFrame(
        {"n": n.astype(int), "total": total, "shortfall": 100.0 - total, "one_in_n": 100.0 / n}
    )
    out["verdict"] = np.where(
        (out.shortfall - out.one_in_n).abs() <= slack,
        "holds",
        np.where(out.shortfall < -slack, "contradictory", "does not hold"),
    )
    return out
