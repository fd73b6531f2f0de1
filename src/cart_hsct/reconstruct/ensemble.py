"""Independent reconstructions: the same spec fitted from scratch with many seeds.

A single pseudo-cohort is one of many data sets that reproduce the published summaries.
Each member of the ensemble is a fit of its own (``Reconstruction(spec).fit(seed)``: its
own start, search and polish; no member starts from another's state), so member *k* with
seed *s* is byte for byte the cohort ``python -m cart_hsct.reconstruct <cohort> --seed s``
writes. The spread of a number over the members is what the published summaries leave
undetermined; the share of targets each member reproduces says how reliably a fresh fit
gets there.

The fits run through joblib: on the local cores (loky processes) by default, or on a Dask
cluster given its address (``scheduler="tcp://HOST:PORT"``, or the ``DASK_SCHEDULER_ADDRESS``
environment variable, Dask's own name for it), so that a user with a cluster can fit
hundreds of members. Results come back in the order of the seeds whatever the backend.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from .spec import Spec, load_spec

__all__ = ["Member", "SpecSource", "fit_members", "member_table", "summarise_ensemble"]

#: Environment variable naming a Dask scheduler (Dask reads the same name).
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


@dataclass(frozen=True)
class SpecSource:
    """Where a worker reads a spec: a file, and the ledger folder beside it (None: the
    project's ``data/published``). Picklable, so that every worker loads the same bytes."""

    path: Path
    ledger_dir: Path | None = None

    @classmethod
    def of(cls, spec: Spec | str | Path, root: Path | None = None) -> SpecSource:
        """A cohort name (looked up under ``root/specs``, ledger ``root/published``; the
        project's ``data`` folder when ``root`` is None), a spec path or a loaded ``Spec``."""
        if isinstance(spec, Spec):
            if spec.path is None:
                raise ValueError(
                    f"spec {spec.cohort!r} was not read from a file; write it to "
                    "a YAML file so that workers can load it"
                )
            return cls(Path(spec.path), spec.ledger_dir)
        path = Path(spec)
        if path.suffix:
            return cls(path, None if root is None else Path(root) / "published")
        if root is None:
            return cls(paths.SPECS / f"{spec}.yaml")
        return cls(Path(root) / "specs" / f"{spec}.yaml", Path(root) / "published")

    def load(self) -> Spec:
        return load_spec(self.path, ledger_dir=self.ledger_dir)

    @property
    def cohort(self) -> str:
        return self.path.stem


@dataclass
class Member:
    """One fit of the ensemble: its seed, fidelity table, pseudo-cohort, loss and time."""

    seed: int
    fidelity: pd.DataFrame
    ipd: pd.DataFrame
    loss: float
    seconds: float
    provenance: dict | None = None  # asked for by keep_fit: the committed cohort's record


def fit_member(
    source: SpecSource, seed: int, iterations: int | None = None, keep_fit: bool = False
) -> Member:
    """Fit ``source``'s spec from scratch with ``seed`` (what one worker runs). A worker
    may be on another machine: it returns data, and the caller writes the files."""
    from .output import provenance_dict
    from .solver import Reconstruction

    t0 = time.process_time()
    rec = Reconstruction(source.load(), iterations=iterations).fit(seed=seed)
    fid = rec.fidelity_.copy()
    fid.insert(0, "seed", int(seed))
    fid["loss"] = rec.loss_
    return Member(
        int(seed),
        fid,
        rec.ipd_,
        float(rec.loss_),
        time.process_time() - t0,
        provenance_dict(rec) if keep_fit else None,
    )


def fit_members(
    jobs: Iterable[tuple[SpecSource, int]],
    *,
    iterations: int | None = None,
    n_jobs: int | None = None,
    scheduler: str | None = None,
    keep_fit: Iterable[tuple[str, int]] = (),
) -> list[Member]:
    """Fit every (spec source, seed) job from scratch, in parallel; results in job order.

    Parameters
    ----------
    jobs : iterable of (SpecSource, int)
        What to fit. Put the slowest first: joblib hands jobs out in this order.
    n_jobs : int, optional
        Local processes (default: every core). Ignored with a scheduler.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://HOST:PORT``); default
        ``$DASK_SCHEDULER_ADDRESS``; None and no variable: joblib's loky processes.
    keep_fit : iterable of (cohort, seed)
        Fits whose provenance record to return (``Member.provenance``), e.g. the
        committed one.
    """
    from joblib import Parallel, delayed, parallel_config

    from ..survival import kernels

    jobs = list(jobs)
    keep = set(keep_fit)
    # compile (or load) the kernels once here, so that local workers load the cache
    # instead of each compiling them
    kernels.warm_up()
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    calls = [
        delayed(fit_member)(src, seed, iterations, (src.cohort, seed) in keep) for src, seed in jobs
    ]
    if scheduler:
        from dask.distributed import Client

        client = Client(scheduler)
        context = parallel_config(backend="dask")
    else:
        client, context = None, nullcontext()
        n_jobs = n_jobs or os.cpu_count() or 1
    try:
        with context:
            return Parallel(
                n_jobs=-1 if client else min(n_jobs, len(calls) or 1),
                backend=None if client else "loky",
            )(calls)
    finally:
        if client is not None:
            client.close()


def member_table(members: list[Member]) -> pd.DataFrame:
    """One row per member: seed, ids judged (declared-infeasible ids left out), how many
    are exact, close or discrepant, the share exact or close and the loss (no timings:
    the file is byte-stable)."""
    rows = []
    for m in members:
        st = m.fidelity.status
        judged = st[st != "infeasible"]
        ok = int(judged.isin(["exact", "close"]).sum())
        rows.append(
            {
                "seed": m.seed,
                "judged": int(judged.size),
                "exact": int((judged == "exact").sum()),
                "close": int((judged == "close").sum()),
                "discrepant": int((judged == "discrepant").sum()),
                "infeasible": int((st == "infeasible").sum()),
                "share_exact_or_close": ok / judged.size if judged.size else float("nan"),
                "loss": m.loss,
            }
        )
    return pd.DataFrame(rows)


def summarise_ensemble(runs: pd.DataFrame) -> pd.DataFrame:
    """Per ledger id: the published value and the spread over the members' fits.

    ``runs``: the members' fidelity tables stacked (a ``seed`` column each). Columns: id,
    unit, published, n_seeds, median, min, max (of the reconstructed value), the 5 % and
    95 % quantiles q05, q95, p_median, p_min, p_max (of a reconstructed p where the
    statistic has one), and the share of seeds in which the id is exact, close, discrepant
    or infeasible.
    """
    rows = []
    for eid, g in runs.groupby("id", sort=False):
        vals = pd.to_numeric(g.reconstructed, errors="coerce").to_numpy(float)
        ps = pd.to_numeric(g.reconstructed_p, errors="coerce").to_numpy(float)
        st = g.status.value_counts(normalize=True)
        rows.append(
            {
                "id": eid,
                "unit": g.unit.iloc[0],
                "published": g.published.iloc[0],
                "n_seeds": len(g),
                "median": _q(vals, 0.5),
                "min": _q(vals, 0.0),
                "max": _q(vals, 1.0),
                "q05": _q(vals, 0.05),
                "q95": _q(vals, 0.95),
                "not_reached": int(np.isnan(vals).sum()),
                "p_median": _q(ps, 0.5),
                "p_min": _q(ps, 0.0),
                "p_max": _q(ps, 1.0),
                "share_exact": float(st.get("exact", 0.0)),
                "share_close": float(st.get("close", 0.0)),
                "share_discrepant": float(st.get("discrepant", 0.0)),
                "share_infeasible": float(st.get("infeasible", 0.0)),
            }
        )
    return pd.DataFrame(rows)


def _q(x: np.ndarray, q: float) -> float:
    x = x[~np.isnan(x)]
    return float(np.quantile(x, q)) if x.size else float("nan")
