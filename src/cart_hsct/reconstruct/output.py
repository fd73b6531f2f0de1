"""Write a reconstruction to ``data/cohorts``: cohort CSV, provenance JSON, ensemble files.

Files are byte-stable: no timestamps, fixed column order, fixed number formatting, so that
the same spec and seed give identical files. File names: ``paths.cohort_file``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from .. import __version__
from ..paths import cohort_file

__all__ = [
    "provenance_dict",
    "write_cohort",
    "write_ensemble",
    "write_ensemble_cohorts",
    "write_members",
]


def _clean(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, str):
        return x
    x = float(x)
    if math.isnan(x):
        return None
    return float(f"{x:.6g}")


def provenance_dict(rec) -> dict:
    """Spec hash, seed, package version, loss and the fidelity of every target."""
    spec = rec.spec
    fid = rec.fidelity_
    return {
        "cohort": spec.cohort,
        "spec": f"data/specs/{spec.cohort}.yaml",
        "spec_sha256": spec.sha256,
        "seed": rec.seed_,
        "iterations": rec.iterations,
        "package_version": __version__,
        "loss": _clean(rec.loss_),
        "status_counts": {k: int(v) for k, v in sorted(fid.status.value_counts().items())},
        "locks": [lk.describe() for lk in rec.locks_],
        "dropped_locks": [lk.describe() for lk in rec.dropped_locks_],
        "targets": [
            {
                "id": r.id,
                "published": _clean(r.published),
                "published_ci": _clean(r.published_ci),
                "published_p": _clean(r.published_p),
                "reconstructed": _clean(r.reconstructed),
                "reconstructed_ci": _clean(r.reconstructed_ci),
                "reconstructed_p": _clean(r.reconstructed_p),
                "status": r.status,
                "detail": r.detail,
            }
            for r in fid.itertuples()
        ],
        "excluded": [{"id": x.id, "reason": x.reason} for x in spec.excluded],
        "conflicts": [
            {"ids": list(c.ids), "honour": list(c.honour), "reason": c.reason}
            for c in spec.conflicts
        ],
    }


def _target(cohort: str, kind: str, directory: Path | None) -> Path:
    out = cohort_file(cohort, kind, directory)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def write_cohort(
    ipd: pd.DataFrame, provenance: dict, directory: Path | None = None
) -> tuple[Path, Path]:
    """``<cohort>.csv`` and ``<cohort>.provenance.json`` (``provenance_dict`` of the fit)."""
    cohort = provenance["cohort"]
    csv = _target(cohort, "cohort", directory)
    ipd.to_csv(csv, index=False, lineterminator="\n")
    prov = _target(cohort, "provenance", directory)
    prov.write_text(json.dumps(provenance, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return csv, prov


def write_ensemble_cohorts(
    members: pd.DataFrame, cohort: str, directory: Path | None = None
) -> Path:
    """``<cohort>.ensemble_cohorts.csv``: every seed's pseudo-cohort, ``seed`` first."""
    out = _target(cohort, "member_cohorts", directory)
    columns = ["seed"] + [c for c in members.columns if c != "seed"]
    members[columns].to_csv(out, index=False, lineterminator="\n")
    return out


def write_ensemble(summary: pd.DataFrame, cohort: str, directory: Path | None = None) -> Path:
    """``<cohort>.ensemble_targets.csv``: the spread of each target over the fits."""
    out = _target(cohort, "spread", directory)
    summary.to_csv(out, index=False, lineterminator="\n", float_format="%.6g")
    return out


def write_members(table: pd.DataFrame, cohort: str, directory: Path | None = None) -> Path:
    """``<cohort>.ensemble.csv``: one row per fit (seed, fidelity counts and share, loss)."""
    out = _target(cohort, "members", directory)
    table.to_csv(out, index=False, lineterminator="\n", float_format="%.6g")
    return out
