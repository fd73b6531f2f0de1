"""``python -m cart_hsct.reconstruct <cohort> [--seed N] [--ensemble K] [--out DIR]``.

Fits ``data/specs/<cohort>.yaml`` with seed N and writes ``data/cohorts/<cohort>.csv``
and ``<cohort>.provenance.json``; with ``--ensemble K`` also draws members N+1..N+K, each
a walk from that fit that keeps what it reproduces (``Reconstruction.sample``), and
writes ``<cohort>.ensemble.csv`` (the spread of every target) and
``<cohort>.ensemble_cohorts.csv`` (the pseudo-cohorts, with their seed). All fits and
walks of all cohorts share ``--workers`` processes. ``--out DIR`` writes to DIR instead of
``data/cohorts``.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from .ensemble import fit_member, spec_source, stack_members, summarise_ensemble
from .output import write_cohort, write_ensemble, write_ensemble_cohorts
from .solver import Reconstruction
from .spec import load_spec


def _committed(job: tuple):
    """Fit and write one cohort's committed seed; returns the line to print and the fitted
    state (the start of the ensemble's walks)."""
    cohort, seed, iterations, out = job
    t0 = time.perf_counter()
    rec = Reconstruction(load_spec(cohort), iterations=iterations).fit(seed=seed)
    csv, prov = write_cohort(rec, out)
    counts = rec.fidelity_.status.value_counts().to_dict()
    return (f"{cohort}: seed {seed}, loss {rec.loss_:.3f}, {counts}; wrote {csv.name}, "
            f"{prov.name} ({time.perf_counter() - t0:.0f} s)"), rec.state_


class _Serial:
    """The executor's interface, run in this process (``--workers 1``)."""

    def submit(self, fn, *args):
        fut = Future()
        fut.set_result(fn(*args))
        return fut

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cart_hsct.reconstruct",
                                 description="Reconstruct pseudo patient-level data from a spec.")
    ap.add_argument("cohort", nargs="+", help="cohort name(s): data/specs/<cohort>.yaml")
    ap.add_argument("--seed", type=int, default=1, help="seed of the committed cohort (default 1)")
    ap.add_argument("--ensemble", type=int, default=0, metavar="K",
                    help="also draw K members (seeds N+1..N+K), each a walk from the fit, "
                         "and write <cohort>.ensemble.csv")
    ap.add_argument("--iterations", type=int, default=None,
                    help="annealing steps (default: the spec's solver.iterations)")
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--out", type=Path, default=None, metavar="DIR",
                    help="write the outputs to DIR instead of data/cohorts")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    seeds = range(args.seed + 1, args.seed + 1 + args.ensemble)
    # the committed (longest) fits first; each cohort's walks start from its fit, so they
    # join the queue as soon as that fit ends and no process waits for the other cohort
    pool = ProcessPoolExecutor(max_workers=args.workers) if args.workers > 1 else _Serial()
    with pool:
        fits = {pool.submit(_committed, (c, args.seed, args.iterations, args.out)): c
                for c in args.cohort}
        lines, walks, todo = {}, {}, set(fits)
        while todo:
            done, todo = wait(todo, return_when=FIRST_COMPLETED)
            for fut in done:
                c = fits[fut]
                lines[c], start = fut.result()
                walks[c] = [pool.submit(fit_member, (spec_source(c), s, args.iterations,
                                                     start)) for s in seeds]
        members = {c: [f.result() for f in walks[c]] for c in args.cohort}
    for c in args.cohort:
        print(lines[c])
    for cohort in args.cohort if args.ensemble else ():
        runs, cohorts = stack_members(members[cohort])
        out = write_ensemble(summarise_ensemble(runs), cohort, args.out)
        write_ensemble_cohorts(cohorts, cohort, args.out)
        # share of the targets a seed can reach (declared-infeasible ids left out)
        fit = runs[runs.status != "infeasible"]
        ok = fit.assign(ok=fit.status.isin(["exact", "close"])).groupby("seed").ok.mean()
        print(f"{cohort}: ensemble of {args.ensemble} seeds, exact/close share of the "
              f"feasible targets per seed: min {ok.min():.2f}, median {ok.median():.2f}, "
              f"max {ok.max():.2f}; wrote {out.name}")
    print(f"all fits: {time.perf_counter() - t0:.0f} s on {args.workers} process(es)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
