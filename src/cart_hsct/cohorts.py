"""Load and validate a reconstructed pseudo-cohort (``data/cohorts/<cohort>.csv``).

These are pseudo patient-level data: a data set fitted to the published summaries by
``cart_hsct.reconstruct``, not the patients of the study. ``provenance`` says how it was
made (spec hash, seed, package version, loss) and how close it comes to every target.
Columns are described in ``data/cohorts/README.md``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .checks import _rows

__all__ = [
    "ensemble",
    "ensemble_seeds",
    "explain",
    "load",
    "members",
    "path",
    "provenance",
    "spread",
]

#: Allowed codes of the status-like columns, by suffix.
_CODES = {"_event": (0, 1), "_status": (0, 1, 2)}


def path(cohort: str) -> Path:
    """``data/cohorts/<cohort>.csv``."""
    return paths.cohort_file(cohort, "cohort")


def _fail(file: str, column: str, mask: np.ndarray, what: str, fix: str) -> None:
    raise ValueError(
        f"{file}: column '{column}' has {int(mask.sum())} {what} "
        f"(rows {_rows(mask)}, 0-based data rows); {fix}"
    )


def validate(df: pd.DataFrame, name: str = "cohort") -> pd.DataFrame:
    """Check a cohort frame; return it with integer columns as pandas ``Int64``.

    Rules: ``patient_id`` present and unique; ``group`` (when present) never missing;
    every ``*_days``/``*_day`` column numeric and >= 0 (missing allowed: outside an
    endpoint's population, or an event that did not happen); ``*_event`` in {0, 1} and
    ``*_status`` in {0, 1, 2}, missing exactly where the matching ``*_days`` is missing.
    """
    if "patient_id" not in df.columns:
        raise ValueError(f"{name}: no 'patient_id' column; columns: {list(df.columns)}")
    dup = df["patient_id"].duplicated().to_numpy()
    if dup.any():
        _fail(name, "patient_id", dup, "duplicated ids", "each pseudo-patient needs one row")
    if "group" in df.columns:
        miss = df["group"].isna().to_numpy()
        if miss.any():
            _fail(name, "group", miss, "missing values", "every patient belongs to a group")
    out = df.copy()
    for col in df.columns:
        is_time = col.endswith(("_days", "_day"))
        code_suffix = next((s for s in _CODES if col.endswith(s)), None)
        if not (is_time or code_suffix):
            continue
        num = pd.to_numeric(df[col], errors="coerce")
        bad = (num.isna() & df[col].notna()).to_numpy()
        if bad.any():
            _fail(name, col, bad, "non-numeric values", "times and codes must be numbers")
        vals = num.to_numpy(float)
        if is_time:
            _check_times(name, col, vals)
            whole = ~np.isnan(vals) & (vals == np.round(vals))
            if whole.sum() == (~np.isnan(vals)).sum():
                out[col] = pd.array([None if np.isnan(v) else int(v) for v in vals], "Int64")
            continue
        _check_codes(df, name, col, code_suffix, vals)
        out[col] = pd.array([None if np.isnan(v) else int(v) for v in vals], "Int64")
    return out


def _check_times(name: str, col: str, vals: np.ndarray) -> None:
    neg = vals < 0
    if neg.any():
        _fail(
            name,
            col,
            neg,
            "negative times",
            "times count days from the time origin and must be >= 0",
        )


def _check_codes(df: pd.DataFrame, name: str, col: str, code_suffix: str, vals: np.ndarray) -> None:
    """Codes in the allowed set, missing exactly where the matching ``*_days`` is missing."""
    allowed = _CODES[code_suffix]
    unknown = ~np.isnan(vals) & ~np.isin(vals, allowed)
    if unknown.any():
        codes = sorted(set(vals[unknown].tolist()))
        _fail(name, col, unknown, f"unknown codes {codes}", f"allowed codes are {allowed}")
    days = col[: -len(code_suffix)] + "_days"
    if days in df.columns:
        dmiss = pd.to_numeric(df[days], errors="coerce").isna().to_numpy()
        mismatch = dmiss != np.isnan(vals)
        if mismatch.any():
            _fail(
                name,
                col,
                mismatch,
                f"values missing where '{days}' is not (or the reverse)",
                "an endpoint's time and status are missing together",
            )


def load(cohort: str, seed: int | None = None) -> pd.DataFrame:
    """The committed pseudo-cohort ``data/cohorts/<cohort>.csv``, validated.

    ``seed`` picks another member of the reconstruction ensemble
    (``<cohort>.ensemble_cohorts.csv``, made by ``make reconstruct``): an equally good
    pseudo-cohort, for rerunning a chapter on it. ``None`` or the committed cohort's own
    seed gives the committed cohort.

    Raises ``FileNotFoundError`` naming the command that makes a missing file, ``KeyError``
    naming the seeds there are, and ``ValueError`` naming the file, column and rows when the
    file breaks the rules of ``validate``.
    """
    file = path(cohort)
    if not file.exists():
        raise FileNotFoundError(
            f"{file} does not exist; make it with `python -m cart_hsct.reconstruct {cohort}`"
        )
    if seed is None or seed == provenance(cohort)["seed"]:
        df = pd.read_csv(file, dtype={"patient_id": str})
        return validate(df, file.name)
    members = _ensemble_cohorts(cohort)
    chosen = members[members["seed"] == seed]
    if chosen.empty:
        raise KeyError(
            f"{_members_file(cohort).name} has no seed {seed}; seeds: "
            f"{ensemble_seeds(cohort)} (and {provenance(cohort)['seed']}, the "
            f"committed cohort)"
        )
    df = chosen.drop(columns="seed").reset_index(drop=True)
    return validate(df, f"{_members_file(cohort).name} (seed {seed})")


def _members_file(cohort: str) -> Path:
    return paths.cohort_file(cohort, "member_cohorts")


def _ensemble_cohorts(cohort: str) -> pd.DataFrame:
    file = _members_file(cohort)
    if not file.exists():
        raise FileNotFoundError(f"{file} does not exist; make it with `make reconstruct`")
    stat = file.stat()
    return _read_members(str(file), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _read_members(file: str, mtime_ns: int, size: int) -> pd.DataFrame:
    """Read once per file version: a chapter that walks the ensemble loads it seed by seed."""
    return pd.read_csv(file, dtype={"patient_id": str})


def ensemble_seeds(cohort: str) -> list[int]:
    """The seeds of the ensemble's pseudo-cohorts (the committed seed not included)."""
    return sorted(int(s) for s in _ensemble_cohorts(cohort)["seed"].unique())


def provenance(cohort: str) -> dict:
    """``data/cohorts/<cohort>.provenance.json``: how the cohort was made and how close it comes."""
    file = paths.cohort_file(cohort, "provenance")
    if not file.exists():
        raise FileNotFoundError(
            f"{file} does not exist; make it with `python -m cart_hsct.reconstruct {cohort}`"
        )
    return json.loads(file.read_text(encoding="utf-8"))


#: What the members of an ensemble are: independent fits (``make reconstruct``), or, in
#: files written before the ensemble was refitted that way, walks from the committed fit.
FITS, WALKS = "independent fits", "walks from the committed fit"


def ensemble(cohort: str) -> pd.DataFrame | None:
    """Each target's spread over the ensemble's members, indexed by ledger id (None if
    there is no ensemble); ``.attrs["members"]`` says what the members are (``FITS`` or
    ``WALKS``).

    Independent fits write it to ``<cohort>.ensemble_targets.csv``; an older ensemble of
    walks wrote the same table to ``<cohort>.ensemble.csv``, which is read as such."""
    file = paths.cohort_file(cohort, "spread")
    kind = FITS
    if not file.exists():
        file, kind = paths.cohort_file(cohort, "members"), WALKS
        if not file.exists() or "id" not in _header(file):
            return None
    out = pd.read_csv(file).set_index("id")
    out.attrs["members"] = kind
    return out


def members(cohort: str) -> pd.DataFrame | None:
    """One row per independent fit, the committed seed first (``<cohort>.ensemble.csv``):
    seed, ids judged, exact, close, discrepant, infeasible, share exact or close, loss.
    None when the cohort has no ensemble of independent fits."""
    file = paths.cohort_file(cohort, "members")
    if not file.exists() or "share_exact_or_close" not in _header(file):
        return None
    return pd.read_csv(file)


def _header(file: Path) -> list[str]:
    with open(file, encoding="utf-8") as fh:
        return fh.readline().strip().split(",")


def explain(cohort: str, eid: str, reason: str | None = None) -> str | None:
    """A scorecard explanation: the page's ``reason``, then what the reconstruction itself
    reaches for ``eid`` when it falls short, then the spread over the seed ensemble.

    A gap the reconstruction already shows is a limit of the pseudo-patients, not of the
    analysis; the ensemble says how much of the number the published summaries pin down.
    """
    parts = [reason] if reason else []
    fit = {t["id"]: t for t in provenance(cohort)["targets"]}.get(eid)
    if fit is not None and fit["status"] != "exact":
        parts.append(
            "reconstruction limit: the pseudo-cohort was fitted to this number and "
            f"reaches {fit['detail']} ({fit['status']})"
        )
    spread = ensemble(cohort)
    if spread is not None and eid in spread.index and pd.notna(spread.loc[eid, "median"]):
        row = spread.loc[eid]
        parts.append(
            f"{int(row['n_seeds'])} {spread.attrs['members']}: median "
            f"{row['median']:.4g}, range {row['min']:.4g}-{row['max']:.4g}"
        )
    return "; ".join(parts) or None


def spread(
    cohort: str, records: list[dict], ids=None, columns: tuple[str, ...] = ("median", "min", "max")
) -> pd.DataFrame:
    """Each recorded number beside its spread over the ensemble of reconstructions.

    ``records`` are a page's ledger records (``ledger.records()``); ``ids`` limits the rows.
    Columns: id, published, this cohort, p (this cohort), then ``columns`` of the ensemble
    summary. Without an ensemble file, one row says so.
    """
    from . import ledger

    summary = ensemble(cohort)
    if summary is None:
        return pd.DataFrame(
            {"note": [f"{cohort}.ensemble_targets.csv not found: no ensemble to show"]}
        )
    wanted = set(ids) if ids is not None else None
    rows = [
        {
            "id": r["id"],
            "published": ledger.entry(r["id"]).value,
            "this cohort": r["value"],
            "p (this cohort)": r["p"],
            **{k: summary.loc[r["id"], k] for k in columns if k in summary.columns},
        }
        for r in records
        if r["id"] in summary.index and (wanted is None or r["id"] in wanted)
    ]
    return pd.DataFrame(rows)
