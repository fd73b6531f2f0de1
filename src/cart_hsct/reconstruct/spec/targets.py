"""Parse a spec's ``targets`` section: each published number, the statistic that
reproduces it and the parts of it that are compared."""

from __future__ import annotations

from typing import Any

from .expressions import compile_expression
from .reader import Reader
from .schema import COMPARE_PARTS, CONF_TYPES, STATS, Target, Versus

__all__ = ["parse_targets"]

_FIELDS = {
    "ids",
    "stat",
    "endpoint",
    "where",
    "at",
    "conf_type",
    "cause",
    "by",
    "levels",
    "covariates",
    "term",
    "ties",
    "of",
    "rank",
    "versus",
    "method",
    "weight",
    "compare",
    "lock",
    "note",
    "report",
    "alternative",
    "median_rule",
    "ci_rule",
    "variance",
}
#: Fields that take one of a few words: (statistics that take the field or None for
#: any, allowed words, message when not).
_CHOICES = {
    "variance": (
        ("cuminc_at",),
        ("cmprsk", "survfit"),
        ("a cuminc_at target's variance: 'cmprsk' (default) or 'survfit', got {!r}"),
    ),
    "ties": (None, ("efron", "breslow"), "must be 'efron' or 'breslow'"),
    "method": (None, ("asymptotic", "exact"), "must be 'asymptotic' or 'exact'"),
    "median_rule": (
        ("km_median",),
        ("R", "first_below"),
        (
            "only km_median takes a median_rule: 'R' (survfit's midpoint of a 0.5 "
            "plateau) or 'first_below' (SPSS: first time S <= 0.5)"
        ),
    ),
    "ci_rule": (
        ("median_followup",),
        ("R", "symmetric"),
        (
            "only median_followup takes a ci_rule: 'R' (the reverse Kaplan-Meier band, "
            "as quantile(survfit)) or 'symmetric' (median +- z SE, as "
            "survival.median_symmetric_ci and SPSS)"
        ),
    ),
    "report": (None, ("p", "chi2"), "must be 'p' or 'chi2'"),
}


def parse_targets(rd: Reader, raw: list, known: set, endpoints: dict) -> list[Target]:
    """The targets, in order. A ledger id is the target of one place only."""
    targets = [_target(rd, t, k, known, endpoints) for k, t in enumerate(rd.seq(raw, "targets"))]
    first: dict[str, str] = {}
    for t in targets:
        for j, i in enumerate(t.ids):
            here = f"{t.label}.ids[{j}]"
            if i in first:
                rd.fail(
                    here,
                    f"{i!r} is already targeted at {first[i]}; a ledger id is "
                    "fitted and reported once (remove one of the two)",
                )
            first[i] = here
    return targets


def _target(rd: Reader, t, k: int, known: set, endpoints: dict) -> Target:  # noqa: C901 a field-by-field validator
    w = f"targets[{k}]"
    rd.mapping(t, w)
    rd.unknown_keys(t, _FIELDS, w)
    ids = rd.ids(rd.req(t, "ids", w), f"{w}.ids")
    if not ids:
        rd.fail(f"{w}.ids", "at least one ledger id is needed")
    stat = rd.req(t, "stat", w)
    if stat not in STATS:
        rd.fail(f"{w}.stat", f"unknown statistic {stat!r}; known: {sorted(STATS)}")
    for fld in STATS[stat]:
        rd.req(t, fld, w)
    kw: dict[str, Any] = {"index": k, "ids": ids, "stat": stat}
    if "endpoint" in t:
        if t["endpoint"] not in endpoints:
            rd.fail(
                f"{w}.endpoint",
                f"{t['endpoint']!r} is not an endpoint; endpoints: {sorted(endpoints)}",
            )
        kw["endpoint"] = t["endpoint"]
        if stat in ("cuminc_at", "gray") and not endpoints[t["endpoint"]].competing:
            rd.fail(f"{w}.endpoint", f"{stat} needs an endpoint with competing events")
    for fld in ("where", "by", "of"):
        if t.get(fld) is not None:
            kw[fld] = compile_expression(t[fld], known, f"{w}.{fld}")
    if "at" in t:
        kw["at"] = rd.number(t["at"], f"{w}.at", positive=True)
    if "conf_type" in t:
        allowed = CONF_TYPES.get(stat, ())
        if t["conf_type"] not in allowed:
            rd.fail(
                f"{w}.conf_type",
                f"must be one of {list(allowed)} for {stat}, got {t['conf_type']!r}",
            )
        kw["conf_type"] = t["conf_type"]
    _choice(rd, t, w, stat, "variance", kw)
    if "cause" in t:
        kw["cause"] = rd.number(t["cause"], f"{w}.cause", integer=True, positive=True)
        if kw["cause"] not in (1, 2):
            rd.fail(f"{w}.cause", "1 (the endpoint's events) or 2 (its competing events)")
    if "levels" in t:
        lv = rd.seq(t["levels"], f"{w}.levels")
        if len(lv) < 2:
            rd.fail(f"{w}.levels", "compare at least two levels")
        kw["levels"] = tuple(lv)
    if "covariates" in t:
        _model_terms(rd, t, w, known, kw)
    _choice(rd, t, w, stat, "ties", kw)
    if "rank" in t:
        kw["rank"] = rd.number(t["rank"], f"{w}.rank", integer=True, positive=True)
    if "versus" in t:
        kw["versus"] = _versus(rd, t["versus"], f"{w}.versus", known)
    _choice(rd, t, w, stat, "method", kw)
    if "alternative" in t:
        kw["alternative"] = str(t["alternative"])
    if "weight" in t:
        kw["weight"] = rd.number(t["weight"], f"{w}.weight", nonneg=True)
    if "compare" in t:
        kw["compare"] = _compare(rd, t, w)
    if "lock" in t:
        kw["lock"] = bool(t["lock"])
    for fld in ("median_rule", "ci_rule", "report"):
        _choice(rd, t, w, stat, fld, kw)
    kw["note"] = str(t.get("note", ""))
    return Target(**kw)


def _choice(rd: Reader, t: dict, w: str, stat: str, fld: str, kw: dict) -> None:
    if fld not in t:
        return
    stats, allowed, message = _CHOICES[fld]
    if (stats is not None and stat not in stats) or t[fld] not in allowed:
        rd.fail(f"{w}.{fld}", message.format(t[fld]))
    kw[fld] = t[fld]


def _model_terms(rd: Reader, t: dict, w: str, known: set, kw: dict) -> None:
    cov = rd.seq(t["covariates"], f"{w}.covariates")
    for j, c in enumerate(cov):
        if c not in known:
            rd.fail(f"{w}.covariates[{j}]", f"{c!r} is not a column; known: {sorted(known)}")
    kw["covariates"] = tuple(cov)
    if t["term"] not in cov:
        rd.fail(f"{w}.term", f"{t['term']!r} must be one of the covariates {cov}")
    kw["term"] = t["term"]


def _versus(rd: Reader, raw, w: str, known: set) -> Versus:
    v = rd.mapping(raw, w)
    rd.unknown_keys(v, {"of", "where"}, w)
    return Versus(
        of=compile_expression(rd.req(v, "of", w), known, f"{w}.of"),
        where=compile_expression(v["where"], known, f"{w}.where") if v.get("where") else None,
    )


def _compare(rd: Reader, t: dict, w: str) -> tuple:
    parts = rd.seq(t["compare"], f"{w}.compare")
    for j, p in enumerate(parts):
        if p not in COMPARE_PARTS:
            rd.fail(f"{w}.compare[{j}]", f"must be one of {list(COMPARE_PARTS)}")
    if "value" not in parts:
        rd.fail(f"{w}.compare", "must include 'value'")
    if set(parts) != set(COMPARE_PARTS) and not t.get("note"):
        rd.fail(f"{w}.note", "say why parts of the published number are not compared")
    return tuple(parts)
