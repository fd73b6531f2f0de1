"""Benchmark: build times, toolkit speed and reconstruction time (``make bench``).

Prints a table and writes ``_build/bench.json``. Measures, with dependencies installed:
a clean build (no executed notebooks, no HTML), a no-op rebuild, a rebuild after one
notebook's source changed; beside the clean build, in the same run, Jupyter Book's own
execution of the same notebooks and the same HTML (``execute_notebooks: force``) and the
ratio of the two; the statistics toolkit on n = 10,000, and the reconstruction engine's
steps per CPU second beside the baseline engine's (``bench_reconstruct``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from . import paths

TOUCHED = "notebooks/reproduction_scorecard.py"  # cheap to re-execute, always present


def _timed(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=paths.ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def _build() -> float:
    return _timed([sys.executable, "-m", "cart_hsct.build"])


def build_times() -> dict[str, float]:
    """Clean build, no-op rebuild, rebuild after one notebook's source changed."""
    shutil.rmtree(paths.BUILD, ignore_errors=True)
    for executed in paths.BOOK.rglob("*.ipynb"):
        executed.unlink()
    out = {"clean_build_s": _build()}
    out["jupyter_book_force_s"] = jupyter_book_force_time()
    out["clean_build_speedup_x"] = out["jupyter_book_force_s"] / out["clean_build_s"]
    out["noop_rebuild_s"] = _build()
    touched = paths.ROOT / TOUCHED
    original = touched.read_bytes()
    try:
        touched.write_bytes(original + b"\n")
        out["one_notebook_rebuild_s"] = _build()
    finally:
        touched.write_bytes(original)
    _build()  # leave the cache matching the sources
    return out


def jupyter_book_force_time() -> float:
    """Jupyter Book executing the book's notebooks itself, then writing the HTML.

    The same notebooks (those the build wrote to ``book/``, re-executed from scratch: ``force``
    ignores their outputs), the same configuration but for ``execute`` (each notebook in turn,
    a fresh kernel each, run from its own folder, the build's timeout), the same HTML step
    (``-W -n --keep-going``), into a scratch folder. An execution error fails the run, so a
    time is only reported for a complete book. Records go to a scratch folder holding a copy
    of the scorecard (read by the pages that run last in the build).
    """
    scratch = paths.BUILD / "bench-jupyter-book"
    shutil.rmtree(scratch, ignore_errors=True)
    records = scratch / "reproduction"
    records.mkdir(parents=True)
    shutil.copy(paths.SCORECARD, records)  # the scorecard the build's last pages read
    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["execute"] = {"execute_notebooks": "force", "timeout": 900, "raise_on_error": True}
    extensions = config["sphinx"]["local_extensions"]  # found relative to the config file
    config["sphinx"]["local_extensions"] = {k: str(paths.ROOT / v) for k, v in extensions.items()}
    config_file = scratch / "_config.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "CART_HSCT_NOTEBOOK")}
    env["CART_HSCT_REPRODUCTION"] = str(records)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return _timed(
        [
            str(jupyter_book),
            "build",
            str(paths.ROOT),
            "--config",
            str(config_file),
            "--path-output",
            str(scratch / "out"),
            "-W",
            "-n",
            "--keep-going",
            "-q",
            "--all",
        ],
        env=env,
    )


def toolkit_times() -> dict[str, float]:
    """Seconds per call on n = 10,000 (tests/bench_toolkit.py)."""
    file = paths.ROOT / "tests" / "bench_toolkit.py"
    spec = importlib.util.spec_from_file_location("bench_toolkit", file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {f"toolkit_{k}_s": v for k, v in module.run().items()}


def reconstruct_times(cohorts: tuple[str, ...] = paths.PAPER_IDS) -> dict[str, float]:
    """The engine's steps per CPU second on each committed spec, this tree beside the
    baseline engine (``bench_reconstruct``: a tenth of each spec's budgets, one fit per
    engine in a fresh process), and their ratio. A whole ``make reconstruct`` (both
    cohorts, 21 fits each at the committed budgets) is timed by running it."""
    from . import bench_reconstruct

    present = tuple(c for c in cohorts if (paths.SPECS / f"{c}.yaml").exists())
    out: dict[str, float] = {}
    for row in bench_reconstruct.bench(present, scale=0.1):
        engine = "baseline" if row["engine"].startswith("baseline") else "this_tree"
        out[f"engine_{row['cohort']}_{engine}_steps_per_cpu_s"] = row["steps_per_cpu_s"]
    for c in present:
        base = out.get(f"engine_{c}_baseline_steps_per_cpu_s")
        if base:
            out[f"engine_{c}_speedup_x"] = out[f"engine_{c}_this_tree_steps_per_cpu_s"] / base
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["build", "toolkit", "reconstruct"]
    )
    args = parser.parse_args(argv)
    results: dict[str, float] = {}
    if "build" not in args.skip:
        results.update(build_times())
    if "toolkit" not in args.skip:
        results.update(toolkit_times())
    if "reconstruct" not in args.skip:
        results.update(reconstruct_times())
    report = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(terse=True),
        },
        "seconds": {k: round(v, 3) for k, v in results.items()},
    }
    paths.BUILD.mkdir(exist_ok=True)
    (paths.BUILD / "bench.json").write_text(json.dumps(report, indent=1) + "\n")
    width = max(len(k) for k in results) if results else 10
    print(f"{'measure':<{width}}  seconds (ratio for _x)")
    for k, v in results.items():
        print(f"{k:<{width}}  {v:8.3f}")
    if "clean_build_speedup_x" in results:
        print(
            f"clean build: {results['clean_build_speedup_x']:.2f}x faster than Jupyter Book "
            "executing the same notebooks (execute_notebooks: force)"
        )
    print(f"written to {(paths.BUILD / 'bench.json').relative_to(paths.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
