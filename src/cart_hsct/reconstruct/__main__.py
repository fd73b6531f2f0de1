"""``python -m cart_hsct.reconstruct <cohort>... [--seed N] [--ensemble K] [--out DIR]
[--root DIR] [--scheduler ADDRESS] [--jobs J]``.

Fits ``data/specs/<cohort>.yaml`` with seed N and writes ``data/cohorts/<cohort>.csv`` and
``<cohort>.provenance.json``. With ``--ensemble K`` it also fits seeds N+1..N+K, each from
scratch (an independent fit, byte for byte the cohort ``--seed`` alone would write), and
writes ``<cohort>.ensemble.csv`` (one row per fit, committed seed first: its share of targets
exact or close, its loss), ``<cohort>.ensemble_targets.csv`` (each target's spread over the K
members) and ``<cohort>.ensemble_cohorts.csv`` (the K pseudo-cohorts, with their seed).

Every fit of every cohort goes into one joblib queue: local processes (``--jobs``, default
every core), or a Dask cluster with ``--scheduler tcp://HOST:PORT`` (or
``$DASK_SCHEDULER_ADDRESS``). ``--root DIR`` fits ``DIR/specs/<cohort>.yaml`` against the
ledger in ``DIR/published`` (default: the project's ``data``); ``--out DIR`` writes there
instead of ``data/cohorts``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from .ensemble import SpecSource, fit_members, member_table, summarise_ensemble
from .output import write_cohort, write_ensemble, write_ensemble_cohorts, write_members


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m cart_hsct.reconstruct",
        description="Reconstruct pseudo patient-level data from a spec.",
    )
    ap.add_argument("cohort", nargs="+", help="cohort name(s): <root>/specs/<cohort>.yaml")
    ap.add_argument("--seed", type=int, default=1, help="seed of the committed cohort (default 1)")
    ap.add_argument(
        "--ensemble",
        type=int,
        default=0,
        metavar="K",
        help="also fit seeds N+1..N+K, each from scratch, and write the ensemble files",
    )
    ap.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="annealing steps (default: the spec's solver.iterations)",
    )
    ap.add_argument(
        "--jobs", type=int, default=None, metavar="J", help="local processes (default: every core)"
    )
    ap.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="a Dask scheduler to fit on (default: $DASK_SCHEDULER_ADDRESS, else local)",
    )
    ap.add_argument(
        "--root",
        type=Path,
        default=None,
        metavar="DIR",
        help="read DIR/specs/<cohort>.yaml and the ledger DIR/published "
        "(default: the project's data folder)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="write the outputs to DIR instead of data/cohorts",
    )
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    if args.root is not None and not (args.root / "specs").is_dir():
        ap.error(
            f"--root {args.root}: no folder {args.root / 'specs'} (a root holds specs/ "
            "and published/)"
        )
    sources = {}
    for cohort in args.cohort:
        src = SpecSource.of(cohort, args.root)
        if not src.path.exists():
            ap.error(f"no spec {src.path} for cohort {cohort!r}")
        sources[cohort] = src
    t0 = time.perf_counter()
    seeds = [args.seed + k for k in range(args.ensemble + 1)]
    # committed seeds first, then members seed by seed: the longest jobs start early
    jobs = [(sources[c], s) for s in seeds for c in args.cohort]
    fits = fit_members(
        jobs,
        iterations=args.iterations,
        n_jobs=args.jobs,
        scheduler=args.scheduler,
        keep_fit=[(sources[c].cohort, args.seed) for c in args.cohort],
    )
    by_cohort = {
        c: [m for (src, _), m in zip(jobs, fits, strict=True) if src is sources[c]]
        for c in args.cohort
    }
    for cohort, members in by_cohort.items():
        committed, rest = members[0], members[1:]
        csv, prov = write_cohort(committed.ipd, committed.provenance, args.out)
        counts = committed.fidelity.status.value_counts().to_dict()
        print(
            f"{cohort}: seed {committed.seed}, loss {committed.loss:.3f}, {counts}; wrote "
            f"{csv.name}, {prov.name} ({committed.seconds:.0f} s CPU)"
        )
        if not rest:
            continue
        table = member_table(members)
        write_members(table, cohort, args.out)
        write_ensemble(
            summarise_ensemble(pd.concat([m.fidelity for m in rest], ignore_index=True)),
            cohort,
            args.out,
        )
        write_ensemble_cohorts(
            pd.concat([m.ipd.assign(seed=m.seed) for m in rest], ignore_index=True),
            cohort,
            args.out,
        )
        share = table.share_exact_or_close.iloc[1:]
        print(
            f"{cohort}: {len(rest)} independent fits, share of judged targets exact or "
            f"close per fit: min {share.min():.2f}, median {share.median():.2f}, max "
            f"{share.max():.2f} (committed {table.share_exact_or_close.iloc[0]:.2f}); CPU "
            f"{sum(m.seconds for m in members):.0f} s in all"
        )
    print(f"all fits: {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
