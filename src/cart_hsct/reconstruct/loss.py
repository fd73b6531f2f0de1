"""The loss a search minimises: per target, how far its statistic is from the published number.

``distance`` turns a reconstructed number into a standardised distance: each compared
part's gap from the published one in units of the ledger's ``close`` band
(``ledger.compare``'s tolerance), Huber-weighted (``huber``), plus a step for each part
outside its status band (``gap``). ``TargetLoss`` adds up a target's distances over its
ledger ids, with a slope for a median (``fidelity.median_crossings``) and a fixed loss
for a statistic that cannot be computed on the cohort; it also says whether a target is
reproduced (every id exact or close), as the fidelity report would.
"""

from __future__ import annotations

import math

import numpy as np

from .. import ledger
from .fidelity import Result, evaluate, median_crossings, target_values
from .model import CohortModel
from .spec import Target

__all__ = ["TargetLoss", "distance"]

#: Distance given to "not reached" on one side only, or to a statistic that cannot be computed.
_MISSING_Z = 4.0
#: Loss of a target that cannot be computed on the current cohort (per ledger id).
FAIL_Z2 = 9.0
#: Loss per value on the wrong side of a printed median (fidelity.median_crossings): a
#: slope across the median's flat stretches, small beside the loss of the median itself.
CROSSING_Z2 = 0.5


def _z_value(unit: str, rep, pub, *, operator=None, bound=False) -> float:
    """Gap between reconstructed and published in units of the ledger's close band
    (``ledger.close_gap``: one definition of close for the report and the loss); a count,
    which has no close band, in half-units (what rounds to it)."""
    if pub is None and rep is None:
        return 0.0
    if pub is None or rep is None or (isinstance(rep, float) and math.isnan(rep)):
        return _MISSING_Z
    rep, pub = float(rep), float(pub)
    if unit == "count":
        return (rep - pub) / 0.5
    if unit == "HR" and (rep <= 0 or pub <= 0):
        return _MISSING_Z
    z = ledger.close_gap(unit, rep, pub, bound=bound)
    if unit == "p-value":
        if operator == "<":
            z = max(0.0, z)
        elif operator == ">":
            z = min(0.0, z)
        if (rep < 0.05) != (pub < 0.05 if operator != "<" else pub <= 0.05):
            z = math.copysign(abs(z) + 1.0, z if z != 0 else 1.0)
    return z if math.isfinite(z) else math.copysign(_MISSING_Z, z)


def _huber(z: float, delta: float = 2.0) -> float:
    """z^2 near the target, linear far from it: one far-off number does not swamp the rest."""
    a = abs(z)
    return a * a if a <= delta else delta * (2 * a - delta)


#: Added for each compared component outside its ``close`` band (|z| > 1), so that the
#: loss follows the fidelity status: a target is close when none of its parts pays it.
_OUTSIDE = 2.0


def _counts_z(entry: ledger.Entry, part: str, rep, pub) -> float | None:
    """Gap in units of the printed precision, for entries computed exactly from counts
    (``ledger.compare`` gives them no tolerance: anything that does not round to the
    printed digits is discrepant)."""
    half = entry.half_unit.get(part)
    if entry.reproducible_from != "counts" or not half or rep is None or pub is None:
        return None
    if entry.unit == "p-value" or (isinstance(rep, float) and math.isnan(rep)):
        return None
    return (float(rep) - float(pub)) / half


def _gap(
    entry: ledger.Entry, part: str, rep, pub, *, bound=False, operator=None, unit: str | None = None
) -> tuple[float, float]:
    """(gap in units of the ``close`` band, step paid for being outside the status band).

    An entry computed exactly from counts is also outside when it does not round to the
    printed digits: it pays the step twice when it is outside the close band as well. Its
    smooth part keeps the close band's scale, so that being a few points off a subgroup's
    printed proportion weighs what it weighs for any other estimate (in printed digits it
    would be a hundred times more and freeze the search around it).
    """
    unit = unit or entry.unit
    z = _z_value(unit, rep, pub, operator=operator, bound=bound)
    step = _OUTSIDE if abs(z) > 1.0 + 1e-9 else 0.0
    zc = _counts_z(entry, part, rep, pub) if unit == entry.unit else None
    if zc is not None and abs(zc) > 1.0 + 1e-9:
        step += _OUTSIDE
    return z, step


def distance(entry: ledger.Entry, res: Result, parts: tuple) -> float:
    """Standardised distance of ``res`` from ``entry`` (the parts in ``parts``).

    Each part's gap ``z`` is measured in units of its ``close`` band and contributes
    ``huber(z)`` (``z^2`` while ``|z| <= 2``, linear beyond) plus a step of ``_OUTSIDE``
    when the part is outside its status band (``_gap``); CI bounds count a quarter of
    the smooth part, range ends a half.
    """
    op = entry.p_operator if entry.unit == "p-value" else None
    z, step = _gap(entry, "value", res.value, entry.value, operator=op)
    z2 = _huber(z) + step
    if "ci" in parts and entry.ci is not None and res.ci is not None:
        for name, rep, pub in zip(("ci_low", "ci_high"), res.ci, entry.ci, strict=True):
            zb, step = _gap(entry, name, rep, pub, bound=True)
            z2 += 0.25 * _huber(zb) + step
    if "p" in parts and entry.p is not None and entry.unit != "p-value":
        zp, step = _gap(entry, "p", res.p, entry.p, operator=entry.p_operator, unit="p-value")
        z2 += _huber(zp) + step
    if "range" in parts and entry.range is not None and res.range is not None:
        for name, rep, pub in zip(("range_low", "range_high"), res.range, entry.range, strict=True):
            zr, step = _gap(entry, name, rep, pub)
            z2 += 0.5 * _huber(zr) + step
    if entry.unit == "HR" and entry.ci is not None and res.value is not None:
        lo, hi = entry.ci
        if not lo <= res.value <= (math.inf if hi is None else hi):
            z2 += _OUTSIDE
    return z2


class TargetLoss:
    """Loss and reproduction status of the targets on a cohort's columns.

    ``masks`` are the populations known to be fixed (``CohortModel.fixed_populations``);
    ``cache`` memoises survival statistics on their exact inputs (``fidelity.evaluate``).
    """

    def __init__(self, model: CohortModel, masks: dict, cache: dict):
        self.model, self.masks, self.cache = model, masks, cache

    def __call__(self, t: Target, cols: dict) -> float:
        return self.judge(t, cols)[0]

    def parts(self, cols: dict) -> np.ndarray:
        """Every target's loss, in spec order."""
        return np.array([self(t, cols) for t in self.model.spec.targets])

    def judge(self, t: Target, cols: dict, status: bool = False) -> tuple[float, bool | None]:
        """(loss of target ``t``, and with ``status`` whether every id it fits is exact or
        close under ``ledger.compare``, the fidelity report's rule)."""
        m = self.model
        ids = [i for i in t.ids if i not in m.infeasible]
        if not ids or t.weight == 0:
            return 0.0, True
        unit = m.entries[ids[0]].unit
        try:
            res = evaluate(t, cols, m.n, unit, cache=self.cache, masks=self.masks)
        except (ValueError, np.linalg.LinAlgError, ZeroDivisionError, FloatingPointError):
            return t.weight * FAIL_Z2 * len(ids), False
        ok = None
        if status:
            ok = all(
                ledger.compare(
                    m.entries[eid],
                    res.value,
                    ci=res.ci if "ci" in t.compare else None,
                    p=res.p if "p" in t.compare else None,
                    range=res.range if "range" in t.compare else None,
                )[0]
                in ("exact", "close")
                for eid in ids
            )
        out = 0.0
        for eid in ids:
            entry = m.entries[eid]
            d = distance(entry, res, t.compare)
            out += d if math.isfinite(d) else FAIL_Z2
            half = entry.half_unit.get("value", 0.5)
            # a median that prints as published has no value to cross: skip the recount
            if (
                t.stat == "median"
                and entry.value is not None
                and abs(res.value - float(entry.value)) > half
            ):
                out += CROSSING_Z2 * median_crossings(
                    target_values(t, cols, m.n, self.masks), float(entry.value), half
                )
        return t.weight * out, ok

    def reproduced(self, cols: dict) -> int:
        """Fitted ids exact or close: what the polish counts."""
        m = self.model
        return sum(
            n
            for t, n in zip(m.spec.targets, m.n_fitted, strict=True)
            if self.judge(t, cols, status=True)[1]
        )
