"""Write a reconstruction to ``data/cohorts``: cohort CSV, provenance JSON, ensemble summary.

Files are byte-stable: no timestamps, fixed column order, fixed number formatting, so that
the same spec and seed give identical files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from .. import __version__, paths

__all__ = ["provenance_dict", "write_cohort", "write_ensemble"]


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
            {"id": r.id, "published": _clean(r.published), "published_ci": _clean(r.published_ci),
             "published_p": _clean(r.published_p), "reconstructed": _clean(r.reconstructed),
             "reconstructed_ci": _clean(r.reconstructed_ci),
             "reconstructed_p": _clean(r.reconstructed_p), "status": r.status,
             "detail": r.detail}
            for r in fid.itertuples()
        ],
        "excluded": [{"id": x.id, "reason": x.reason} for x in spec.excluded],
        "conflicts": [{"ids": list(c.ids), "honour": list(c.honour), "reason": c.reason}
                      for c in spec.conflicts],
    }


def write_cohort(rec, directory: Path | None = None) -> tuple[Path, Path]:
    """``<cohort>.csv`` and ``<cohort>.provenance.json`` for a fitted reconstruction."""
    directory = Path(directory or paths.COHORTS)
    directory.mkdir(parents=True, exist_ok=True)
    cohort = rec.spec.cohort
    csv = directory / f"{cohort}.csv"
    rec.ipd_.to_csv(csv, index=False, lineterminator="\n")
    prov = directory / f"{cohort}.provenance.json"
    prov.write_text(json.dumps(provenance_dict(rec), indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return csv, prov


def write_ensemble_cohorts(members: pd.DataFrame, cohort: str,
                           directory: Path | None = None) -> Path:
    """``<cohort>.ensemble_cohorts.csv``: every seed's pseudo-cohort, ``seed`` first."""
    directory = Path(directory or paths.COHORTS)
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"{cohort}.ensemble_cohorts.csv"
    columns = ["seed"] + [c for c in members.columns if c != "seed"]
    members[columns].to_csv(out, index=False, lineterminator="\n")
    return out


def write_ensemble(summary: pd.DataFrame, cohort: str, directory: Path | None = None) -> Path:
    """``<cohort>.ensemble.csv``: the spread of each target over seeds."""
    directory = Path(directory or paths.COHORTS)
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"{cohort}.ensemble.csv"
    summary.to_csv(out, index=False, lineterminator="\n", float_format="%.6g")
    return out
