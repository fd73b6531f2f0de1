"""Evaluate a spec's targets on a (pseudo-)cohort and report how close they come.

Every statistic is computed by the kernels behind the ``cart_hsct.survival`` functions
the notebooks use (``cart_hsct.survival.kernels``: the public function = validation ->
kernel -> DataFrame; the cohort's columns are validated once, by ``validate_columns``,
not at every call); statuses come from ``cart_hsct.ledger.compare`` (the tolerance rules
live there). The search's loss on these numbers is in ``loss``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import checks, ledger
from ..survival import kernels
from ..survival.kernels import design_arrays, zval
from .spec import Spec, Target

# (the kernels are imported under the names the functions below use)

__all__ = [
    "Result",
    "columns_frame",
    "evaluate",
    "fidelity_table",
    "median_crossings",
    "target_values",
    "validate_columns",
]

#: The units in which a statistic is scaled by 100 when the ledger entry is a percentage.
_PROB_STATS = ("km_at", "cuminc_at")


@dataclass
class Result:
    """A reconstructed number in the ledger entry's unit."""

    value: float | None
    ci: tuple | None = None
    p: float | None = None
    range: tuple | None = None


def _mask(t_where, cols, n) -> np.ndarray:
    return np.ones(n, bool) if t_where is None else np.asarray(t_where(cols, n), bool)


def _endpoint_arrays(target: Target, cols: dict, n: int, mask: np.ndarray):
    ep = target.endpoint
    days = cols[f"{ep}_days"]
    keep = mask & ~np.isnan(days)
    return keep, days


def _none(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


#: Statistics computed from an endpoint's times and outcomes (by ``_survival_stat``).
_SURVIVAL_STATS = ("km_at", "km_median", "median_followup", "logrank", "cuminc_at", "gray", "cox")


def evaluate(
    target: Target,
    cols: dict[str, np.ndarray],
    n: int,
    unit: str,
    cache: dict | None = None,
    masks: dict | None = None,
) -> Result:
    """The statistic ``target`` asks for, on the cohort given as column arrays.

    Returns a ``Result`` in the ledger unit ``unit`` (probabilities become percent).
    Raises ``ValueError`` when the statistic cannot be computed on this cohort (for
    example a log-rank test with one group left). ``cache`` (a dict) memoises survival
    statistics on their exact inputs, so a move that leaves a target's patients
    untouched costs nothing. ``masks`` maps target indices to their population masks
    where the caller knows them to be fixed (e.g. defined by the groups only).
    """
    mask = (
        _mask(target.where, cols, n)
        if masks is None or target.index not in masks
        else masks[target.index]
    )
    if target.stat in _SURVIVAL_STATS:
        inputs = _survival_inputs(target, cols, n, mask)
        scale = 100.0 if (unit == "percent" and target.stat in _PROB_STATS) else 1.0
        return _cached(target, inputs, unit, scale, cache)
    return _summary_stat(target, cols, n, mask)


def _text(a: np.ndarray) -> np.ndarray:
    """Labels as text (what survival's groups() sorts), one C loop."""
    return a.astype(str)


def _survival_inputs(target: Target, cols: dict, n: int, mask: np.ndarray) -> list:
    """[times, outcome, extra...] of the target's population: group codes for a test,
    covariates for a Cox model; after a landmark, a censoring just past it."""
    st, ep = target.stat, target.endpoint
    keep, days = _endpoint_arrays(target, cols, n, mask)
    if st in ("logrank", "gray"):
        by = np.asarray(target.by(cols, n), dtype=object)
        if target.levels is not None:
            keep = keep & np.isin(by, list(target.levels))
        # integer codes of the sorted labels, as survival's groups() gives them
        labels, codes = np.unique(_text(by[keep]), return_inverse=True)
        if labels.size < 2:
            raise ValueError(f"one group only ({list(labels)}) in the target's population")
        extra = [codes]
    elif st == "cox":
        extra = [np.asarray(cols[c])[keep] for c in target.covariates]
    else:
        extra = []
    if not keep.any():
        raise ValueError("no patient in the target's population")
    outcome = cols[f"{ep}_status"] if st in ("cuminc_at", "gray") else cols[f"{ep}_event"]
    inputs = [days[keep], outcome[keep], *extra]
    if st in ("km_at", "cuminc_at"):
        # an estimate at a landmark depends only on what happens up to it: everything
        # later is the same censoring just after it (and the cache key agrees)
        late = inputs[0] > target.at
        if late.any():
            inputs[0] = np.where(late, float(target.at) + 1.0, inputs[0])
            inputs[1] = np.where(late, 0.0, inputs[1])
    return inputs


def _cached(target: Target, inputs: list, unit: str, scale: float, cache: dict | None) -> Result:
    """``_survival_stat`` (or a Cox model's term) of ``inputs``, memoised in ``cache`` on
    the inputs' bytes; a failure is memoised too, and raised again."""
    st = target.stat
    key = None
    if cache is not None:
        # a Cox model shared by several targets (one per term) is fitted once
        who = (
            ("cox", target.endpoint, target.covariates, target.ties)
            if st == "cox"
            else (target.index, unit)
        )
        key = (
            who,
            b"|".join(_text(a).tobytes() if a.dtype == object else a.tobytes() for a in inputs),
        )
        hit = cache.get(key)
        if isinstance(hit, Exception):
            raise hit
        if hit is not None:
            return _cox_result(target, hit) if st == "cox" else hit
    try:
        res = _cox_summary(target, inputs) if st == "cox" else _survival_stat(target, inputs, scale)
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError) as exc:
        if cache is not None:
            cache[key] = ValueError(str(exc))
        raise
    if cache is not None:
        if len(cache) > 200_000:
            cache.clear()
        cache[key] = res
    return _cox_result(target, res) if st == "cox" else res


def _summary_stat(target: Target, cols: dict, n: int, mask: np.ndarray) -> Result:
    """A count, percent, median, extreme, ranked value or Mann-Whitney p of a column."""
    st = target.stat
    values = np.asarray(target.of(cols, n), dtype=float)
    if st in ("count", "percent"):
        v = values[mask]
        hits = float(np.sum((v != 0) & ~np.isnan(v)))
        if st == "count":
            return Result(hits)
        if v.size == 0:
            raise ValueError("no patient in the target's population")
        return Result(100.0 * hits / v.size)
    vals = _sorted_values(values, mask)
    if st == "mann_whitney":
        return _mann_whitney(target, cols, n, vals)
    if vals.size == 0:
        raise ValueError("no values to summarise")
    if st == "median":
        return Result(float(np.median(vals)), range=(float(vals[0]), float(vals[-1])))
    if st == "min":
        return Result(float(vals[0]))
    if st == "max":
        return Result(float(vals[-1]))
    if st == "sorted_value":
        if target.rank > vals.size:
            raise ValueError(f"rank {target.rank} but only {vals.size} values")
        return Result(float(vals[target.rank - 1]))
    raise ValueError(f"unknown statistic {st!r}")  # pragma: no cover - validated in spec


def _mann_whitney(target: Target, cols: dict, n: int, vals: np.ndarray) -> Result:
    other = np.asarray(target.versus.of(cols, n), dtype=float)
    y = other[_mask(target.versus.where, cols, n)]
    y = y[~np.isnan(y)]
    if vals.size == 0 or y.size == 0:
        raise ValueError("a Mann-Whitney sample is empty")
    from scipy import stats as sps  # deferred: only Mann-Whitney targets need it

    r = sps.mannwhitneyu(vals, y, alternative=target.alternative, method=target.method)
    return Result(float(r.pvalue))


def _sorted_values(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    vals = values[mask]
    return np.sort(vals[~np.isnan(vals)])


def target_values(
    target: Target, cols: dict[str, np.ndarray], n: int, masks: dict | None = None
) -> np.ndarray:
    """The sorted, non-missing values a ``median`` (or ``min``, ``max``...) target summarises."""
    mask = (
        _mask(target.where, cols, n)
        if masks is None or target.index not in masks
        else masks[target.index]
    )
    return _sorted_values(np.asarray(target.of(cols, n), dtype=float), mask)


def median_crossings(vals: np.ndarray, published: float, half: float) -> int:
    """How many of ``vals`` would have to cross to the other side of the printed median
    (``published`` +- ``half``) for their median to print as it.

    Moving one value seldom changes a median (ties, and the values between the printed
    and the reconstructed median), so the median alone is flat under the solver's moves;
    this count slopes towards the printed value and is 0 once an odd number of values
    has its median within the printed precision.
    """
    below = int(np.sum(vals < published - half))
    above = int(np.sum(vals > published + half))
    most = vals.size // 2  # at most this many on either side of the median
    return max(0, below - most) + max(0, above - most)


def _survival_stat(target: Target, inputs: list, scale: float) -> Result:  # noqa: C901 one branch per statistic
    """A survival statistic from validated arrays, by the kernel of the public function."""
    st = target.stat
    days, outcome = inputs[0], inputs[1]
    if days.size == 0:
        raise ValueError("no patient in the target's population")
    if days.min() < 0:  # what checks.durations would refuse (an origin after the event)
        raise ValueError(
            f"'{target.endpoint}_days' has negative values; times are measured "
            "from the time origin and must be >= 0."
        )
    if st == "km_at":
        surv, _, lo, hi = kernels.km_at(
            days, outcome, np.array([float(target.at)]), target.conf_type, zval(0.05)
        )
        return Result(scale * surv[0], ci=(scale * lo[0], scale * hi[0]))
    if st == "km_median":
        med, lo, hi = kernels.km_median(days, outcome, target.conf_type, zval(0.05))
        if target.median_rule == "first_below":  # as survival.km_median(rule="first_below")
            med = kernels.km_first_at_or_below(days, outcome, 0.5)
        return Result(_none(med), ci=(_none(lo), _none(hi)))
    if st == "median_followup":
        # reverse Kaplan-Meier, survival.median_followup's default conf_type ("log")
        med, lo, hi = kernels.km_median(days, 1 - outcome, "log", zval(0.05))
        if target.ci_rule == "symmetric":  # as survival.median_symmetric_ci
            lo, hi = kernels.median_symmetric(days, 1 - outcome, med, zval(0.05))
        return Result(_none(med), ci=(_none(lo), _none(hi)))
    if st == "logrank":
        codes = inputs[2]
        chi2, _, p = kernels.logrank(days, outcome, codes, int(codes.max()) + 1)
        if target.report == "chi2":
            return Result(chi2, p=p)
        return Result(p)
    if st == "gray":
        codes = inputs[2]
        if not np.any(outcome == target.cause):
            raise ValueError(f"no patient with cause {target.cause}")
        _, _, p = kernels.gray(days, outcome.astype(int), codes, int(codes.max()) + 1, target.cause)
        return Result(p)
    if st == "cuminc_at":
        if not np.any(outcome == target.cause):
            # no event of the cause: the incidence is 0 at every time (no CI)
            return Result(0.0)
        est, _, lo, hi = kernels.cuminc_at(
            days,
            outcome.astype(int),
            target.cause,
            np.array([float(target.at)]),
            target.conf_type,
            zval(0.05),
            target.variance,
        )
        return Result(scale * est[0], ci=(scale * lo[0], scale * hi[0]))
    raise ValueError(f"unknown survival statistic {st!r}")  # pragma: no cover


def _cox_summary(target: Target, inputs: list) -> dict:
    """term -> (hr, ci_lower, ci_upper, p) of ``survival.cox``'s Wald summary."""
    days, event = inputs[0], inputs[1]
    if not np.any(event == 1):
        raise ValueError("There are no events (all patients censored); a Cox model needs events.")
    x, names = design_arrays([(c, inputs[2 + k]) for k, c in enumerate(target.covariates)])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        k = kernels.cox(x, days, event.astype(int), None, target.ties, zval(0.05))
        # a diverging coefficient (monotone likelihood) gives an infinite HR: the distance
        # then penalises it as missing
        hr, lo, hi = np.exp(k["beta"]), np.exp(k["lower"]), np.exp(k["upper"])
    return {t: (hr[j], lo[j], hi[j], k["p"][j]) for j, t in enumerate(names)}


def _cox_result(target: Target, row: dict) -> Result:
    term = (
        target.term
        if target.term in row
        else next((t for t in row if t.startswith(target.term)), None)
    )
    if term is None:
        raise ValueError(f"term {target.term!r} not in the fitted model {list(row)}")
    hr, lo, hi, p = row[term]
    return Result(float(hr), ci=(float(lo), float(hi)), p=float(p))


# ----------------------------------------------------------------------------- report


def columns_frame(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Column arrays of a cohort DataFrame in the form ``evaluate`` expects."""
    out = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[c] = s.to_numpy(dtype=float, na_value=np.nan)
        else:
            out[c] = s.to_numpy(dtype=object, na_value=None)
    return out


def _fmt(x):
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return [None if v is None else float(f"{float(v):.6g}") for v in x]
    return float(f"{float(x):.6g}")


def validate_columns(spec: Spec, cols: dict[str, np.ndarray]) -> dict[str, str]:
    """Check a cohort's endpoint columns once, with ``cart_hsct.checks``' messages.

    The statistics in ``evaluate`` run on the survival functions' kernels, which do not
    validate; this does what the public functions would do at every call: times are
    finite and >= 0, ``_event`` is 0/1 and ``_status`` 0/1/2 wherever the patient belongs
    to the endpoint's population (``_days`` not missing), and missing nowhere else.

    Returns
    -------
    dict
        endpoint -> error message, for the endpoints that fail (empty when all pass).
    """
    errors = {}
    for ep in spec.endpoints:
        try:
            days = np.asarray(cols[f"{ep}_days"], float)
            inside = ~np.isnan(days)
            checks.durations(days[inside], f"{ep}_days")
            checks.status(np.asarray(cols[f"{ep}_event"], float)[inside], (0, 1), f"{ep}_event")
            if f"{ep}_status" in cols:
                checks.status(
                    np.asarray(cols[f"{ep}_status"], float)[inside], (0, 1, 2), f"{ep}_status"
                )
            for suffix in ("event", "status"):
                other = cols.get(f"{ep}_{suffix}")
                if other is not None and np.any(np.isnan(np.asarray(other, float)) != ~inside):
                    raise ValueError(
                        f"'{ep}_{suffix}' and '{ep}_days' are missing for "
                        "different patients; both must be empty exactly outside "
                        "the endpoint's population."
                    )
        except ValueError as exc:
            errors[ep] = str(exc)
    return errors


def fidelity_table(spec: Spec, df: pd.DataFrame) -> pd.DataFrame:
    """One row per (target, ledger id): published, reconstructed, status and why.

    ``status`` is ``ledger.compare``'s verdict on the parts the target compares, or
    ``infeasible`` for ids a declared conflict does not honour, or ``discrepant`` when the
    statistic cannot be computed on the cohort.
    """
    cols = columns_frame(df)
    invalid = validate_columns(spec, cols)
    entries = ledger.load(directory=spec.ledger_dir)
    infeasible = spec.infeasible
    rows = []
    for t in spec.targets:
        unit = entries[t.ids[0]].unit
        try:
            if t.endpoint in invalid:
                raise ValueError(invalid[t.endpoint])
            res, err = evaluate(t, cols, len(df), unit), ""
        except (ValueError, np.linalg.LinAlgError, ZeroDivisionError) as exc:
            res, err = None, f"not computable on this cohort: {exc}"
        for eid in t.ids:
            e = entries[eid]
            if res is None:
                status, detail = "discrepant", err
            else:
                status, reasons = ledger.compare(
                    e,
                    res.value,
                    ci=res.ci if "ci" in t.compare else None,
                    p=res.p if "p" in t.compare else None,
                    range=res.range if "range" in t.compare else None,
                )
                detail = "; ".join(reasons)
            if eid in infeasible:
                status, detail = "infeasible", f"{infeasible[eid]} ({detail})"
            rows.append(
                {
                    "id": eid,
                    "target": t.index,
                    "stat": t.stat,
                    "unit": e.unit,
                    "published": e.value,
                    "published_ci": list(e.ci) if e.ci else None,
                    "published_p": e.p,
                    "reconstructed": None if res is None else _fmt(res.value),
                    "reconstructed_ci": None if res is None else _fmt(res.ci),
                    "reconstructed_p": None if res is None else _fmt(res.p),
                    "status": status,
                    "detail": detail,
                }
            )
    return pd.DataFrame(rows)
