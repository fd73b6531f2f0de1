"""The data dictionary of a reconstructed cohort, read off its spec and its CSV.

One row per column of ``data/cohorts/<cohort>.csv``: its type, unit and population, the
values it takes, what it means and how the reconstruction made it (a published margin, a
value fitted to the targets, a seeded draw, or a formula). Nothing is typed twice: the
meaning comes from the spec's notes and declarations, the values from the cohort itself.
Entries are plain text (no Markdown): the book shows them in HTML tables.
"""

from __future__ import annotations

import pandas as pd

from . import cohorts

__all__ = ["dictionary"]

#: Columns every cohort has, whatever its spec.
_FIXED = {
    "patient_id": ("pseudo-patient identifier, <cohort>-NNN", "assigned in order"),
    "entry_date": (
        "pseudo date of the time origin",
        "drawn inside the accrual window (seeded); sets the potential follow-up",
    ),
    "followup_days": (
        "potential follow-up: data cut-off minus entry_date",
        "follows from entry_date and the cut-off",
    ),
}


def _unit(column: str) -> str:
    if column.endswith(("_day", "_days")):
        return "days"
    if column.endswith("_pct"):
        return "%"
    if column.endswith("_years") or column.startswith("age_"):
        return "years"
    if column.endswith(("_event", "_status")):
        return "code"
    return "date" if column == "entry_date" else ""


def _type(series: pd.Series) -> str:
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "text"


def _values(series: pd.Series, max_levels: int) -> str:
    present = series.dropna()
    if present.empty:
        return "always empty"
    if _type(series) == "text":
        counts = present.value_counts(sort=False)
        if len(counts) > max_levels:  # identifiers and dates: say how many, not which
            return f"{len(counts)} distinct"
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
    if present.nunique() <= 3 and _type(series) == "integer":
        return ", ".join(f"{k}: {v}" for k, v in sorted(present.value_counts().items()))
    return f"median {present.median():g} (range {present.min():g}-{present.max():g})"


def _margins(levels: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in levels.items())


def _covariate_how(c) -> str:
    if c.kind == "continuous":
        if c.values is not None:
            return "fixed: the published values (their number fixes them all)"
        parts = []
        if c.median is not None:
            parts.append(f"median {c.median:g}")
        if c.range is not None:
            parts.append(f"range {c.range[0]:g}-{c.range[1]:g}")
        how = "seeded draw keeping " + ", ".join(parts) if parts else "seeded draw"
        if c.split:
            how += f"; on the side of {c.split.at:g} that {c.split.by} says"
        for at, count in c.cuts:
            how += f"; exactly {count} values <= {at:g}"
        return how
    if c.levels and all(v is not None for v in c.levels.values()) and not c.free_levels:
        how = f"published margins ({_margins(c.levels)})"
    else:
        how = "levels fitted to the targets (margin not published)"
    if c.by_group:
        how += "; split by group as published"
    return how


def _event_how(e) -> str:
    how = "day fitted by the search to the survival and incidence targets"
    if e.after:
        how += "; after " + ", ".join(_text(a) for a in e.after)
    if e.before:
        how += "; before " + ", ".join(_text(b) for b in e.before)
    return how


def _text(expr) -> str:
    return expr.text if hasattr(expr, "text") else str(expr)


def _named(events: tuple, conditions: tuple) -> str:
    """``death`` or ``death (death_cause != 'relapse')`` for each event of an endpoint."""
    conditions = conditions or (None,) * len(events)
    return ", ".join(
        e + (f" ({_text(c)})" if c is not None else "")
        for e, c in zip(events, conditions, strict=True)
    )


def dictionary(cohort: str, max_levels: int = 12) -> pd.DataFrame:
    """One row per column of the cohort's CSV, in file order.

    Columns: ``column``, ``type``, ``unit``, ``population`` (the spec's ``where``; empty
    means every patient), ``values`` (observed in the committed cohort: counts per level for
    up to ``max_levels`` levels, else the number of distinct values; median and range for
    numbers), ``meaning`` and
    ``how`` (how the reconstruction set it). Raises ``ValueError`` naming the columns the
    spec does not explain, so that a new column cannot go undocumented.
    """
    from .reconstruct import load_spec

    spec = load_spec(cohort)
    df = cohorts.load(cohort)
    known: dict[str, tuple[str, str, str]] = {k: (m, h, "") for k, (m, h) in _FIXED.items()}
    if spec.groups:
        known[spec.groups.column] = (
            "treatment group as named in the paper",
            f"published sizes ({_margins(spec.groups.sizes)})",
            "",
        )
    for c in spec.covariates:
        where = c.where.text if c.where else ""
        known[c.name] = (c.note or c.name.replace("_", " "), _covariate_how(c), where)
    for e in spec.events:
        where = e.where.text if e.where else ""
        known[f"{e.name}_day"] = (
            e.note or f"day of {e.name.replace('_', ' ')}",
            _event_how(e),
            where,
        )
        if e.causes:
            counts = {label: cause.count for label, cause in e.causes.items()}
            known[e.cause_column] = (
                f"cause of {e.name}",
                f"published counts ({_margins(counts)})",
                "",
            )
    for name, expr in spec.derived.items():
        known[name] = ("derived", f"formula: {_text(expr)}", "")
    for name, ep in spec.endpoints.items():
        where = ep.where.text if ep.where else ""
        events = _named(ep.events, ep.events_where)
        rival = _named(ep.competing, ep.competing_where)
        built = f"from the event days: {events}" + (f" (competing: {rival})" if rival else "")
        note = ep.note or name.upper()
        known[f"{name}_days"] = (f"{note}: time to the first event or censoring", built, where)
        known[f"{name}_event"] = (
            f"{note}: 1 = event, 0 = censored or competing event",
            built,
            where,
        )
        if rival:
            known[f"{name}_status"] = (
                f"{note}: 0 censored, 1 event, 2 competing event first",
                built,
                where,
            )
    missing = [c for c in df.columns if c not in known]
    if missing:
        raise ValueError(
            f"{cohorts.path(cohort).name}: columns {missing} are not explained "
            f"by data/specs/{cohort}.yaml (declare them as covariates, events, "
            "derived columns or endpoints)"
        )
    rows = []
    for col in df.columns:
        meaning, how, where = known[col]
        rows.append(
            {
                "column": col,
                "type": _type(df[col]),
                "unit": _unit(col),
                "population": where,
                "values": _values(df[col], max_levels),
                "meaning": " ".join(meaning.split()),
                "how": how,
            }
        )
    return pd.DataFrame(rows)
