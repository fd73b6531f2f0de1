"""Benchmark of the reconstruction engine: steps per CPU second, this tree beside a baseline.

For each committed spec, one fit with the spec's own solver settings scaled by ``--scale``
(every budget: starts kept, annealing, covariate-only and polish steps multiplied) is timed
in a fresh process, once with this tree's engine and once with the engine of a baseline
commit (``git archive <rev> src``), on the same spec file and ledger. CPU time
(``time.process_time``), not wall time: the figure does not depend on what else the machine
runs. Steps are the proposals the settings ask for (annealing and covariate-only steps of
every start, trial polishes and the polish with their covariate-only share), the same count
for both engines.

``python -m cart_hsct.bench_reconstruct [--baseline REV] [--scale S] [--seeds 1 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from . import paths

#: Run in a fresh interpreter whose ``cart_hsct`` is the engine under test.
_CHILD = r"""
import json, sys, time
from pathlib import Path
import yaml
from cart_hsct.reconstruct import Reconstruction, parse_spec
path, seed = Path(sys.argv[1]), int(sys.argv[2])
raw = yaml.safe_load(path.read_bytes())
raw["solver"] = json.loads(sys.argv[3])
spec = parse_spec(raw, fname=path.name, path=path)
rec = Reconstruction(spec)
t0 = time.process_time()
rec.fit(seed=seed)
cpu = time.process_time() - t0
st = rec.fidelity_.status
judged = st[st != "infeasible"]
print(json.dumps({"cpu_s": cpu, "loss": float(rec.loss_),
                  "share": float(judged.isin(["exact", "close"]).mean())}))
"""


def configured_steps(solver: dict) -> int:
    """Proposals a fit with these settings makes (defaults as the engine's)."""
    it = int(solver.get("iterations", 4000))
    cov = int(solver.get("covariate_iterations", 0))
    starts = max(1, int(solver.get("starts", 1)))
    polish = int(solver.get("polish_iterations", 0))
    trial = min(polish, int(solver.get("polish_trial_iterations", 0)))
    walk = starts * trial + (polish - trial if polish > trial else 0)
    return starts * (it + cov) + int(walk * (1 + cov / it))


def _scaled(solver: dict, scale: float) -> dict:
    out = dict(solver)
    for key in (
        "iterations",
        "covariate_iterations",
        "polish_iterations",
        "polish_trial_iterations",
    ):
        if key in out:
            out[key] = max(1, int(out[key] * scale))
    return out


def _time(src: Path, spec: Path, seed: int, solver: dict) -> dict:
    # the data are this tree's whichever engine reads them
    env = dict(os.environ, PYTHONPATH=str(src), CART_HSCT_ROOT=str(paths.ROOT))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(spec), str(seed), json.dumps(solver)],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"fitting {spec.name} with the engine in {src} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(
    cohorts=paths.PAPER_IDS, *, baseline: str | None = "2dab556", scale: float = 0.1, seeds=(1,)
) -> list[dict]:
    """One row per (cohort, seed, engine): CPU seconds, steps per CPU second, loss, share of
    judged targets exact or close."""
    engines = {"this tree": paths.ROOT / "src"}
    with tempfile.TemporaryDirectory() as tmp:
        if baseline:
            archive = subprocess.run(
                ["git", "-C", str(paths.ROOT), "archive", baseline, "src"],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            engines[f"baseline {baseline}"] = Path(tmp) / "src"
        rows = []
        for cohort in cohorts:
            spec = paths.SPECS / f"{cohort}.yaml"
            solver = _scaled(yaml.safe_load(spec.read_bytes())["solver"], scale)
            steps = configured_steps(solver)
            for seed in seeds:
                for name, src in engines.items():
                    r = _time(src, spec, seed, solver)
                    rows.append(
                        {
                            "cohort": cohort,
                            "seed": seed,
                            "engine": name,
                            "steps": steps,
                            "cpu_s": round(r["cpu_s"], 1),
                            "steps_per_cpu_s": round(steps / r["cpu_s"]),
                            "loss": round(r["loss"], 2),
                            "share": round(r["share"], 3),
                        }
                    )
                    print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m cart_hsct.bench_reconstruct", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument(
        "--baseline",
        default="2dab556",
        help="commit whose engine to time beside this tree's ('' for none)",
    )
    ap.add_argument(
        "--scale",
        type=float,
        default=0.1,
        help="share of each spec's solver budgets to run (default 0.1)",
    )
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--cohorts", nargs="+", default=list(paths.PAPER_IDS))
    args = ap.parse_args(argv)
    rows = bench(args.cohorts, baseline=args.baseline or None, scale=args.scale, seeds=args.seeds)
    out = paths.BUILD / "bench_reconstruct.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    by = {}
    for r in rows:
        by.setdefault((r["cohort"], r["seed"]), {})[r["engine"]] = r["steps_per_cpu_s"]
    for (cohort, seed), e in by.items():
        line = ", ".join(f"{k}: {v} steps/CPU s" for k, v in e.items())
        if len(e) == 2:
            a, b = e.values()
            line += f" ({a / b:.1f}x)"
        print(f"{cohort} seed {seed}: {line}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
