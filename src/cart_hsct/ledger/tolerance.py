"""The statuses and the tolerance rules, in one place.

``exact``
    the reproduced value rounds to the printed value at the printed precision, and so do
    the CI bounds (and range, p) where the paper prints them;
``close``
    within tolerance: percent +-1 point (CI bounds +-2); medians, days and other
    continuous quantities +-5 %; HR within +-10 % and inside the published CI; p on the
    same side of 0.05 and its odds ``p / (1 - p)`` within a factor of 1.5 of the printed
    p's odds. CI bounds of other quantities get twice the estimate's tolerance, as
    percentages do (HR bounds +-20 %, day bounds +-10 %);
``discrepant``
    outside tolerance; carries an explanation;
``not_reproducible``
    the information needed is not published; says what is missing;
``pending``
    no chapter records it yet.

Entries marked ``reproducible_from: counts`` are exact computations from stated counts:
for them there is no ``close``, only ``exact`` or ``discrepant``.

Why odds for p. A factor on p itself means nothing for large p: a factor of 1.5 around a
printed 0.956 accepts anything from 0.64 to 1. On the odds scale the rule is the same as
before for small p (the odds of 0.01 and 0.01 itself differ by 1 %), and for large p it
narrows to what the print can mean: 0.956 accepts 0.935-0.970, 0.5 accepts 0.40-0.60.
"""

from __future__ import annotations

import math
from typing import Any

from .entries import Entry

__all__ = ["STATUSES", "close_gap", "compare", "p_close"]

STATUSES = ("exact", "close", "discrepant", "not_reproducible", "pending")
_RANK = {s: i for i, s in enumerate(("exact", "close", "discrepant"))}
P_ODDS_FACTOR = 1.5


def _within_print(reproduced: float, printed: float, half: float) -> bool:
    return abs(reproduced - printed) <= half * (1 + 1e-9) + 1e-12


def close_gap(unit: str, reproduced: float, printed: float, *, bound: bool = False) -> float:
    """Signed gap of ``reproduced`` from ``printed`` in units of the ``close`` band.

    ``|gap| <= 1`` is close (for a p-value, together with being on the same side of 0.05).
    The one definition of "close": ``compare`` judges by it, and the reconstruction's loss
    measures distances with it. Percent: 1 point; HR: 10 % of the printed HR; p-value: a
    factor of 1.5 on the odds scale; days, years, doses, chi2: 5 % of the printed value. A
    CI bound gets twice the estimate's band. Counts and dates have no band (NaN).
    """
    widen = 2.0 if bound else 1.0
    if unit == "percent":
        return (reproduced - printed) / widen
    if unit == "HR":
        return (reproduced - printed) / (widen * 0.10 * abs(printed) or 1e-12)
    if unit in ("count", "date"):
        return float("nan")
    if unit == "p-value":
        rep, pub = _odds(max(reproduced, 1e-300)), _odds(printed)
        if math.isinf(rep) or math.isinf(pub) or pub <= 0:
            return float("inf") if rep != pub else 0.0
        return math.log(rep / pub) / math.log(P_ODDS_FACTOR)
    # days, years, doses, chi2
    return (reproduced - printed) / (widen * 0.05 * abs(printed) or 1e-12)


def _value_close(unit: str, reproduced: float, printed: float, *, bound: bool = False) -> bool:
    if unit == "p-value":
        return p_close(reproduced, printed, None)
    return abs(close_gap(unit, reproduced, printed, bound=bound)) <= 1.0 + 1e-9


def _odds(p: float) -> float:
    return p / (1.0 - p) if p < 1.0 else float("inf")


def p_close(reproduced: float, printed: float, operator: str | None = None) -> bool:
    """Whether a reproduced p is ``close`` to a printed one (``operator``: ``<``, ``>``).

    Same side of 0.05, and odds within a factor of 1.5 (a bound printed as ``p < x`` is
    met when the reproduced odds are below 1.5 times those of ``x``).
    """
    if not 0.0 <= reproduced <= 1.0 or not 0.0 < printed <= 1.0:
        return False
    rep, pub, k = _odds(reproduced), _odds(printed), P_ODDS_FACTOR
    if operator == "<":
        return rep < k * pub and (reproduced < 0.05) == (printed <= 0.05)
    if operator == ">":
        return rep > pub / k and (reproduced < 0.05) == (printed < 0.05)
    if reproduced == 0.0 or rep == float("inf") or pub == float("inf"):
        return False
    same_side = (reproduced < 0.05) == (printed < 0.05)
    return same_side and abs(close_gap("p-value", reproduced, printed)) <= 1.0 + 1e-12


def _p_exact(reproduced: float, printed: float, operator: str | None, half: float) -> bool:
    if operator == "<":
        return reproduced < printed
    if operator == ">":
        return reproduced > printed
    return _within_print(reproduced, printed, half)


def _judge(what: str, rep, pub, half, unit, *, bound=False, operator=None) -> tuple[str, str]:
    """(status, reason) of one component: ``rep`` reproduced against ``pub`` published."""
    if pub is None and rep is None:
        return ("exact", f"{what}: not reached / not printed on both sides")
    if pub is None or rep is None:
        return ("discrepant", f"{what}: published {pub}, reproduced {rep}")
    if isinstance(pub, str) or isinstance(rep, str):
        ok = str(rep) == str(pub)
        return ("exact" if ok else "discrepant", f"{what}: {rep} vs {pub}")
    rep = float(rep)
    if unit == "p-value":
        if _p_exact(rep, pub, operator, half):
            return ("exact", f"{what} {rep:.4g} matches {pub}")
        if p_close(rep, pub, operator):
            return ("close", f"{what} {rep:.4g} vs {pub}")
        return ("discrepant", f"{what} {rep:.4g} vs {pub}")
    if _within_print(rep, pub, half):
        return ("exact", f"{what} {rep:.6g} rounds to {pub}")
    if _value_close(unit, rep, pub, bound=bound):
        return ("close", f"{what} {rep:.6g} vs {pub}")
    return ("discrepant", f"{what} {rep:.6g} vs {pub}")


def compare(
    e: Entry,
    value: Any,
    ci: tuple | None = None,
    p: float | None = None,
    range: tuple | None = None,
) -> tuple[str, list[str]]:
    """Status of a reproduced number against a ledger entry, and what decided it."""
    parts: list[tuple[str, str]] = []  # (status, reason) of each compared component
    caps: list[str] = []  # published components left uncomputed: at best close

    value_unit = e.unit
    operator = e.p_operator if e.unit == "p-value" else None
    parts.append(
        _judge(
            "value", value, e.value, e.half_unit.get("value", 0.0), value_unit, operator=operator
        )
    )
    if e.ci is not None and ci is not None:
        for name, rep, pub in (("ci_low", ci[0], e.ci[0]), ("ci_high", ci[1], e.ci[1])):
            parts.append(_judge(name, rep, pub, e.half_unit.get(name, 0.0), value_unit, bound=True))
    elif e.ci is not None:
        caps.append("published CI not recomputed")
    if e.unit == "HR" and e.ci is not None and value is not None:
        inside = e.ci[0] <= float(value) <= (math.inf if e.ci[1] is None else e.ci[1])
        if not inside and parts[0][0] == "close":
            parts[0] = ("discrepant", f"HR {float(value):.4g} outside the published CI {e.ci}")
    if e.p is not None and e.unit != "p-value":
        if p is not None:
            parts.append(
                _judge("p", p, e.p, e.half_unit.get("p", 0.0), "p-value", operator=e.p_operator)
            )
        else:
            caps.append("published p not recomputed")
    if e.range is not None and range is not None:
        for name, rep, pub in (
            ("range_low", range[0], e.range[0]),
            ("range_high", range[1], e.range[1]),
        ):
            parts.append(_judge(name, rep, pub, e.half_unit.get(name, 0.0), value_unit))
    status = max((s for s, _ in parts), key=_RANK.__getitem__)
    if status == "close" and e.reproducible_from == "counts":
        # an exact computation from stated counts has no estimation error to tolerate:
        # whatever does not round to the printed digits is a mismatch
        status = "discrepant"
        parts.append(("discrepant", "counts entry: exact computation, no tolerance"))
    if caps and status == "exact":
        status = "close"
    return status, [r for _, r in parts] + caps
