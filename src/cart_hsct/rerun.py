"""Rerun one page of the book with other parameters, in one command.

``python -m cart_hsct.rerun chen2021/05_survival -p conf_type plain`` converts
``notebooks/chen2021/05_survival.py`` (jupytext), executes it with papermill from the project
folder with ``conf_type = "plain"`` injected after its parameters cell, and writes the
executed page to ``_build/rerun/chen2021/05_survival.ipynb`` (the path is printed). The
rerun's ledger records go to ``_build/reproduction/interactive.json``, which the scorecard
ignores: the book's own numbers change only with ``make book``.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import sys
import time
from pathlib import Path

from . import build, ledger, paths


class RerunError(ValueError):
    """A page or parameter that does not exist; the message lists the valid ones."""


def pages() -> list[str]:
    """Every page that can be rerun, as ``<part>/<page>``."""
    return [nb.name for nb in build.discover()]


def find_page(name: str) -> build.Notebook:
    """The notebook of ``<part>/<page>`` (a path under ``notebooks/``, with ``.py``, works too)."""
    key = name.removeprefix("notebooks/").removesuffix(".py").removesuffix(".ipynb")
    known = {nb.name: nb for nb in build.discover()}
    if key in known:
        return known[key]
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    raise RerunError(f"no page {name!r}.{hint} The pages are:\n  " + "\n  ".join(known))


def parameters(nb: build.Notebook) -> dict[str, str]:
    """The names set in the page's ``parameters`` cell, with their default's source text."""
    import jupytext

    cells = [
        c for c in jupytext.read(nb.source).cells if "parameters" in c.metadata.get("tags", [])
    ]
    if not cells:
        return {}
    names = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        names[leaf.id] = ast.get_source_segment(cells[0].source, node.value)
    return names


def parse_value(text: str):
    """A ``-p`` value as papermill's own ``-p`` reads it: True/False/None, int, float, else str."""
    special = {"True": True, "False": False, "None": None}
    if text in special:
        return special[text]
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def check_parameters(nb: build.Notebook, names) -> None:
    """Raise ``RerunError`` naming any name the page's parameters cell does not set."""
    defined = parameters(nb)
    unknown = [n for n in names if n not in defined]
    if unknown:
        listed = "\n  ".join(f"{n} = {v}" for n, v in defined.items()) or "(none)"
        raise RerunError(
            f"{nb.name} has no parameter {', '.join(map(repr, unknown))}. "
            f"Its parameters cell sets:\n  {listed}"
        )


def rerun(page: str, values: dict[str, str], output: Path | None = None) -> Path:
    """Execute ``page`` with ``values`` (name -> text, as on the command line); return the
    executed notebook's path."""
    nb = find_page(page)
    check_parameters(nb, values)
    output = output or paths.RERUNS / f"{nb.name}.ipynb"
    build.run_notebook(
        nb.source,
        output,
        page=ledger.INTERACTIVE,
        parameters={k: parse_value(v) for k, v in values.items()},
    )
    return output


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(paths.ROOT)) if path.is_relative_to(paths.ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cart_hsct.rerun", description=__doc__.splitlines()[0]
    )
    parser.add_argument("page", help="<part>/<page>, e.g. chen2021/05_survival")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter (repeatable)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help=f"where to write the executed page (default {_shown(paths.RERUNS)}/"
        "<part>/<page>.ipynb)",
    )
    args = parser.parse_args(argv)
    values = dict(args.parameter)
    start = time.perf_counter()
    try:
        nb = find_page(args.page)
        check_parameters(nb, values)
        shown = ", ".join(f"{k} = {parse_value(v)!r}" for k, v in values.items())
        print(f"Rerunning {nb.name}" + (f" with {shown}" if shown else ""), flush=True)
        out = rerun(nb.name, values, args.output)
    except RerunError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except build.BuildError as err:
        out = args.output or paths.RERUNS / f"{nb.name}.ipynb"
        print(f"RERUN FAILED: {err}\nThe page as far as it ran: {_shown(out)}", file=sys.stderr)
        return 1
    print(
        f"Done in {time.perf_counter() - start:.0f} s. Open the rerun page in Jupyter:\n"
        f"  {_shown(out)}\n"
        f"(its ledger records: {_shown(paths.REPRODUCTION / (ledger.INTERACTIVE + '.json'))},"
        " outside the scorecard)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
