"""Many equally good reconstructions: the spread of each statistic over seeds.

A single pseudo-cohort is one of many data sets that reproduce the published summaries.
Each ensemble member is a seeded random walk from the committed fit that never lets a
target it reproduces stop being reproduced (``Reconstruction.sample``): the members are
all at least as good as the committed cohort, and the spread of a reproduced HR, p-value
or median over them is what the published summaries leave undetermined near it.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from .spec import Spec, load_spec, parse_spec

__all__ = ["ensemble", "summarise_ensemble"]


def spec_source(spec: Spec | str) -> tuple:
    if isinstance(spec, str):
        return ("name", spec)
    if spec.path is not None and spec.ledger_dir is None:
        return ("path", str(spec.path))
    return ("raw", spec.raw, spec.cohort, spec.ledger_dir)


def _load(source: tuple) -> Spec:
    if source[0] in ("name", "path"):
        return load_spec(source[1])
    return parse_spec(source[1], fname=f"{source[2]}.yaml", ledger_dir=source[3])


def fit_member(args) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fidelity table, pseudo-cohort) of one member; ``args``: (spec source, seed,
    iterations, start), ``start`` the committed fit's ``state_``."""
    source, seed, iterations, start = args
    from .solver import Reconstruction

    spec = _load(source)
    # a walk is shorter than the fit it starts from
    iterations = iterations or spec.solver.get("ensemble_iterations")
    rec = Reconstruction(spec, iterations=iterations).sample(start, seed=seed)
    fid = rec.fidelity_.copy()
    fid.insert(0, "seed", seed)
    fid["loss"] = rec.loss_
    return fid, rec.ipd_.assign(seed=seed)


def ensemble(fitted, seeds, *, iterations: int | None = None,
             workers: int | None = None, keep_cohorts: bool = False):
    """One member per seed (in parallel), each a walk from ``fitted`` (a fitted
    ``Reconstruction``), and their fidelity tables stacked.

    Returns
    -------
    DataFrame
        One row per (seed, ledger id): seed, id, published, reconstructed,
        reconstructed_ci, reconstructed_p, status, detail, loss.
    DataFrame, only with ``keep_cohorts=True``
        The pseudo-cohorts themselves, stacked, with a ``seed`` column.
    """
    seeds = [int(s) for s in seeds]
    source, start = spec_source(fitted.spec), fitted.state_
    jobs = [(source, s, iterations, start) for s in seeds]
    workers = workers or min(len(seeds), os.cpu_count() or 1, 2)
    if workers <= 1:
        frames = [fit_member(j) for j in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            frames = list(pool.map(fit_member, jobs))
    runs, members = stack_members(frames)
    return (runs, members) if keep_cohorts else runs


def stack_members(frames: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fidelity tables, pseudo-cohorts) of :func:`fit_member` results, each stacked."""
    return (pd.concat([fid for fid, _ in frames], ignore_index=True),
            pd.concat([ipd for _, ipd in frames], ignore_index=True))


def summarise_ensemble(runs: pd.DataFrame) -> pd.DataFrame:
    """Per ledger id: the published value and the spread of the reconstructions.

    Columns: id, unit, published, n_seeds, median, min, max (of the reconstructed value),
    p_median, p_min, p_max (of a reconstructed p where the statistic has one), and the
    share of seeds in which the id is exact, close, discrepant or infeasible.
    """
    rows = []
    for eid, g in runs.groupby("id", sort=False):
        vals = pd.to_numeric(g.reconstructed, errors="coerce").to_numpy(float)
        ps = pd.to_numeric(g.reconstructed_p, errors="coerce").to_numpy(float)
        st = g.status.value_counts(normalize=True)
        rows.append({
            "id": eid, "unit": g.unit.iloc[0], "published": g.published.iloc[0],
            "n_seeds": len(g),
            "median": _q(vals, 0.5), "min": _q(vals, 0.0), "max": _q(vals, 1.0),
            "not_reached": int(np.isnan(vals).sum()),
            "p_median": _q(ps, 0.5), "p_min": _q(ps, 0.0), "p_max": _q(ps, 1.0),
            "share_exact": float(st.get("exact", 0.0)),
            "share_close": float(st.get("close", 0.0)),
            "share_discrepant": float(st.get("discrepant", 0.0)),
            "share_infeasible": float(st.get("infeasible", 0.0)),
        })
    return pd.DataFrame(rows)


def _q(x: np.ndarray, q: float) -> float:
    x = x[~np.isnan(x)]
    return float(np.quantile(x, q)) if x.size else float("nan")
