"""Build the book: jupytext -> papermill (parallel, cached) -> scorecard -> jupyter-book.

``python -m cart_hsct.build`` executes every ``notebooks/**/*.py`` whose inputs changed,
writes the executed notebooks to ``book/``, aggregates the reproduction records into
``_build/reproduction/scorecard.json``, runs the scorecard page, and builds the HTML into
a staging folder that replaces ``_build/html`` only when everything succeeded. A failed
build names the notebook and cell and leaves the published HTML as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import ledger, notebook_kernels, paths

# pages that read every other page's records (the scorecard): they run after all the others
AFTER_RECORDS = ("reproduction_scorecard", "appraisal/forensics")
# Everything a notebook may read: a notebook is re-executed when any of these changes.
DATA_INPUTS = ("data", "tests/reference")


class BuildError(RuntimeError):
    """A build step failed; the message names the notebook and cell."""


@dataclass(frozen=True)
class Notebook:
    source: Path  # notebooks/<part>/<name>.py

    @property
    def name(self) -> str:
        """``<part>/<name>``: the page path under book/ and the record file's name."""
        return self.source.relative_to(paths.NOTEBOOKS).with_suffix("").as_posix()

    @property
    def output(self) -> Path:
        return paths.BOOK / f"{self.name}.ipynb"

    @property
    def stamp(self) -> Path:
        return paths.CACHE / f"{self.name.replace('/', '__')}.sha256"

    @property
    def records(self) -> Path:
        return paths.REPRODUCTION / f"{self.name.replace('/', '__')}.json"


def _hash_files(files, digest=None):
    digest = digest or hashlib.sha256()
    for f in sorted(files):
        digest.update(f.relative_to(paths.ROOT).as_posix().encode())
        digest.update(f.read_bytes())
    return digest


def _tree(*roots: str) -> list[Path]:
    out = []
    for root in roots:
        base = paths.ROOT / root
        if base.is_file():
            out.append(base)
        elif base.exists():
            out.extend(
                p
                for p in base.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            )
    return out


def inputs_hash(nb: Notebook, extra: list[Path] = ()) -> str:
    """Hash of the notebook source, the package, the data it may read and the lock file."""
    digest = _hash_files([nb.source, *extra])
    _hash_files(_tree("src/cart_hsct", *DATA_INPUTS, "requirements.lock"), digest)
    return digest.hexdigest()


def is_fresh(nb: Notebook, digest: str) -> bool:
    """Executed output, stamp and (for a page that records) its records are all current."""
    if not (nb.output.exists() and nb.stamp.exists() and nb.stamp.read_text() == digest):
        return False
    text = nb.source.read_text(encoding="utf-8")
    records_expected = "ledger.record(" in text or "ledger.not_reproducible(" in text
    return nb.records.exists() or not records_expected


def discover() -> list[Notebook]:
    return [
        Notebook(p)
        for p in sorted(paths.NOTEBOOKS.rglob("*.py"))
        if ".ipynb_checkpoints" not in p.parts
    ]


def _failing_cell(nb_path: Path) -> str:
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    added = {"papermill-error-cell-tag", "injected-parameters"}  # cells papermill inserts
    cells = [c for c in nb.cells if not added & set(c.metadata.get("tags", []))]
    for index, cell in enumerate(cells):  # numbered as in the source notebook, from 0
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                return f"cell {index} ({first!r}): {out.get('ename')}: {out.get('evalue')}"
    return "cell unknown"


def execute(nb: Notebook, parameters: dict | None = None, timeout: int = 900) -> float:
    """Execute one notebook with papermill; write it to book/ only when it succeeds."""
    start = time.perf_counter()
    nb.records.unlink(missing_ok=True)
    staged = paths.CACHE / "executing" / f"{nb.name.replace('/', '__')}.ipynb"
    run_notebook(nb.source, staged, page=nb.name, parameters=parameters, timeout=timeout)
    nb.output.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(staged, nb.output)
    return time.perf_counter() - start


def run_notebook(
    source: Path, output: Path, *, page: str, parameters: dict | None = None, timeout: int = 900
) -> None:
    """Convert ``source`` (jupytext) and execute it with papermill into ``output``.

    ``page`` names the page in its ledger records (``$CART_HSCT_NOTEBOOK``). The kernel is
    forked from the build's kernel template when one runs (``notebook_kernels.template``). Raises
    ``BuildError`` naming the notebook and the failing cell; the partly executed notebook
    is then left at ``output``.
    """
    import jupytext
    import papermill

    os.environ["CART_HSCT_NOTEBOOK"] = page
    os.environ.pop("MPLBACKEND", None)  # Agg here silently drops figures from the pages
    output.parent.mkdir(parents=True, exist_ok=True)
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    source_nb = output.with_suffix(".in.ipynb")
    jupytext.write(notebook, source_nb, fmt="ipynb")
    try:
        papermill.execute_notebook(
            str(source_nb),
            str(output),
            parameters=parameters or {},
            cwd=str(paths.ROOT),
            kernel_name="python3",
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            kernel_manager_class=notebook_kernels.ForkedKernelManager,
        )
    except Exception as err:  # papermill wraps every kernel-side failure
        where = _failing_cell(output) if output.exists() else str(err).strip().splitlines()[-1]
        name = source.relative_to(paths.ROOT) if source.is_relative_to(paths.ROOT) else source
        raise BuildError(f"notebook {name} failed at {where}") from None
    finally:
        source_nb.unlink(missing_ok=True)
    _strip_volatile(output)


def _strip_volatile(path: Path) -> None:
    """Drop papermill's timestamps so that identical inputs give identical pages."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.get("papermill", {}).pop("start_time", None)
    nb.metadata.get("papermill", {}).pop("end_time", None)
    nb.metadata.get("papermill", {}).pop("duration", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
    nbformat.write(nb, path)


def _run(nb: Notebook) -> tuple[str, float | None, str | None]:
    try:
        return nb.name, execute(nb), None
    except BuildError as err:
        return nb.name, None, str(err)


def execute_all(
    notebooks: list[Notebook],
    workers: int | None = None,
    force: bool = False,
    extra: list[Path] = (),
    kernel_template: contextlib.ExitStack | None = None,
) -> list[tuple[str, float | None]]:
    """Execute the notebooks whose inputs (and ``extra`` files) changed, in parallel;
    raise on any failure.

    With ``kernel_template``, their kernels are forked from a template started on that
    stack (once, when a notebook first needs executing); without it, each starts afresh.
    """
    todo, report = [], []
    for nb in notebooks:
        digest = inputs_hash(nb, extra)
        if not force and is_fresh(nb, digest):
            report.append((nb.name, None))
        else:
            todo.append((nb, digest))
    for nb, _ in todo:
        nb.stamp.unlink(missing_ok=True)
    # longest first, so that no worker starts a long notebook while the others run out of
    # work: by the last run's time, or (clean build) by the source's size, ~4 kB a second
    seconds = _durations()
    todo.sort(key=lambda item: -seconds.get(item[0].name, item[0].source.stat().st_size / 4000))
    failures = []
    if todo and kernel_template is not None:
        notebook_kernels.ensure_template(kernel_template, cwd=paths.ROOT)
    if todo:
        workers = workers or os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            for (nb, digest), (name, took, error) in zip(
                todo, pool.map(_run, [nb for nb, _ in todo]), strict=True
            ):
                if error:
                    failures.append(error)
                    continue
                nb.stamp.parent.mkdir(parents=True, exist_ok=True)
                nb.stamp.write_text(digest)
                report.append((name, took))
                print(f"  executed {name} in {took:.1f} s", flush=True)
    _save_durations({**seconds, **{name: took for name, took in report if took is not None}})
    if failures:
        raise BuildError("\n".join(failures))
    return report


def _durations() -> dict[str, float]:
    """Seconds each notebook took when it last ran (for the order of execution only)."""
    file = paths.CACHE / "durations.json"
    return json.loads(file.read_text()) if file.exists() else {}


def _save_durations(seconds: dict[str, float]) -> None:
    paths.CACHE.mkdir(parents=True, exist_ok=True)
    (paths.CACHE / "durations.json").write_text(json.dumps(seconds, indent=1, sort_keys=True))


def _book_inputs_hash() -> str:
    files = [paths.ROOT / "_config.yml", paths.ROOT / "_toc.yml"]
    files += [p for p in paths.BOOK.rglob("*") if p.is_file() and "_build" not in p.parts]
    return _hash_files(files).hexdigest()


def _site_wide_hash() -> str:
    """What every page depends on: configuration, local extensions, static files, pins.

    Sphinx rewrites only the pages whose source changed; when any of these change, every
    page must be rewritten.
    """
    files = [paths.ROOT / "_config.yml", paths.ROOT / "_toc.yml", paths.ROOT / "requirements.lock"]
    files += [
        p
        for d in ("_ext", "_static")
        for p in (paths.BOOK / d).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    return _hash_files([f for f in files if f.exists()]).hexdigest()


def build_html(force: bool = False) -> bool:
    """jupyter-book build -W -n into a staging folder, then swap it in. True if built."""
    stamp = paths.CACHE / "html.sha256"
    digest = _book_inputs_hash()
    if not force and paths.HTML.exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    site_stamp = paths.CACHE / "html_site.sha256"
    site = _site_wide_hash()
    rewrite_all = force or not site_stamp.exists() or site_stamp.read_text() != site
    staging = paths.BUILD / "staging"
    # Sphinx rebuilds only the pages whose source changed, but a bibliography page lists the
    # citations of every page: mark it changed so that a new citation gets its entry.
    for page in paths.BOOK.rglob("*.md"):
        if "{bibliography}" in page.read_text(encoding="utf-8"):
            page.touch()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(jupyter_book),
        "build",
        str(paths.ROOT),
        "--path-output",
        str(staging),
        "-W",
        "-n",
        "--keep-going",
        "-q",
    ]
    if rewrite_all:
        cmd.append("--all")
    proc = subprocess.run(cmd, cwd=paths.ROOT, env=env, capture_output=True, text=True)
    new_html = staging / "_build" / "html"
    if proc.returncode != 0 or not (new_html / "index.html").exists():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise BuildError(f"jupyter-book build failed; {paths.HTML} left as it was.\n{tail}")
    old = paths.BUILD / "html.previous"
    shutil.rmtree(old, ignore_errors=True)
    if paths.HTML.exists():
        paths.HTML.rename(old)
    shutil.copytree(new_html, paths.HTML)
    shutil.rmtree(old, ignore_errors=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
    site_stamp.write_text(site)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="re-execute every notebook")
    parser.add_argument("--workers", type=int, default=None, help="parallel notebooks")
    parser.add_argument("--no-html", action="store_true", help="execute notebooks only")
    parser.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start every kernel afresh instead of forking it from a template",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    notebooks = discover()
    chapters = [nb for nb in notebooks if nb.name not in AFTER_RECORDS]
    last = [nb for nb in notebooks if nb.name in AFTER_RECORDS]
    stack = contextlib.ExitStack()
    template = None if args.fresh_kernels else stack
    try:
        with stack:
            print(
                f"Executing {len(notebooks)} notebooks ({args.workers or os.cpu_count()} workers)",
                flush=True,
            )
            report = execute_all(
                chapters, workers=args.workers, force=args.force, kernel_template=template
            )
            out = ledger.write_scorecard()
            print(f"Scorecard: {out.relative_to(paths.ROOT)}", flush=True)
            report += execute_all(
                last, workers=args.workers, force=args.force, extra=[out], kernel_template=template
            )
        if not args.no_html:
            built = build_html(force=args.force)
            print(
                "HTML: "
                + (f"{paths.HTML.relative_to(paths.ROOT)}/index.html" if built else "unchanged"),
                flush=True,
            )
    except (BuildError, ledger.LedgerError) as err:
        print(f"BUILD FAILED: {err}", file=sys.stderr, flush=True)
        return 1
    executed = sum(took is not None for _, took in report)
    print(
        f"Done in {time.perf_counter() - start:.1f} s: {executed} notebooks run, "
        f"{len(report) - executed} unchanged",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
