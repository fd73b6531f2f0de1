"""A page's records: :func:`record`, :func:`not_reproducible`, and the page's box.

Records are kept in memory and written to ``_build/reproduction/<notebook>.json`` once
after every cell that made one (in a kernel) or at exit (in a script); :func:`flush`
writes them at once. Each record also leaves an invisible anchor in its cell's output
(``id="record-<ledger id>"``), which the scorecard links to.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import warnings

import pandas as pd

from .. import paths
from .entries import entry
from .formats import format_published, format_reproduced
from .tolerance import compare

__all__ = [
    "INTERACTIVE",
    "SOURCES",
    "anchor",
    "box",
    "flush",
    "not_reproducible",
    "record",
    "records",
    "table",
]

#: Page name of records made outside a build (a reader running a chapter by hand, e.g. the
#: "Try it" commands with other parameters). Their file never enters the scorecard.
INTERACTIVE = "interactive"

#: Kinds of evidence: recomputed from printed counts; computed on the reconstructed
#: pseudo-patients; a number checked against another place in the paper's own text.
SOURCES = ("counts", "pseudo_patients", "text")

_RECORDS: dict[str, dict] = {}
_STATE = {"dirty": False, "hooked": False, "cell": None, "handle": None, "anchors": []}


def anchor(eid: str) -> str:
    """The HTML id of the anchor a record of ``eid`` leaves in its page."""
    return f"record-{eid}"


def _notebook() -> str:
    return os.environ.get("CART_HSCT_NOTEBOOK", INTERACTIVE)


def _number(x):
    if x is None or isinstance(x, str):
        return x
    x = float(x)
    if not math.isfinite(x):
        return None if math.isnan(x) else x
    return float(f"{x:.12g}")  # stable across platforms' last-bit noise


def flush() -> None:
    """Write this page's records file now (``json.dumps``, sorted, byte-stable)."""
    out = paths.REPRODUCTION / f"{_notebook().replace('/', '__')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    body = {"notebook": _notebook(), "records": records()}
    out.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    _STATE["dirty"] = False


def _flush_if_dirty(*_args) -> None:
    if _STATE["dirty"]:
        flush()


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with myst-nb
        return None
    shell = get_ipython()
    # a kernel, not a plain interpreter that merely has IPython installed
    return shell if shell is not None and hasattr(shell, "kernel") else None


def _store(rec: dict) -> None:
    _RECORDS[rec["id"]] = rec
    _STATE["dirty"] = True
    shell = _ipython()
    if not _STATE["hooked"]:
        # once per cell in a kernel; at exit in a script (and in a kernel, as a last resort)
        if shell is not None:
            shell.events.register("post_run_cell", _flush_if_dirty)
        atexit.register(_flush_if_dirty)
        _STATE["hooked"] = True
    if shell is not None:
        _show_anchor(shell, rec["id"])


def _show_anchor(shell, eid: str) -> None:
    """One output per cell holding the anchors of all the cell's records."""
    from IPython.display import HTML, display

    cell = shell.execution_count
    if _STATE["cell"] != cell:
        _STATE.update(cell=cell, anchors=[], handle=None)
    if anchor(eid) not in _STATE["anchors"]:
        _STATE["anchors"].append(anchor(eid))
    spans = "".join(f'<span id="{a}"></span>' for a in _STATE["anchors"])
    html = HTML(f'<div class="ledger-anchors">{spans}</div>')
    if _STATE["handle"] is None:
        _STATE["handle"] = display(html, display_id=True)
    else:
        _STATE["handle"].update(html)


def _glue(key: str, value) -> None:
    try:
        from myst_nb import glue
    except ImportError:  # pragma: no cover - myst-nb is a pinned dependency
        return
    if hasattr(value, "item"):  # numpy scalar -> Python number, so that pasting can format it
        value = value.item()
    glue(key, value, display=False)


def record(
    eid: str,
    value,
    ci: tuple | None = None,
    p: float | None = None,
    note: str | None = None,
    *,
    range: tuple | None = None,
    contradicted: bool = False,
    source: str | None = None,
) -> dict:
    """Record a reproduced number against ledger id ``eid`` and glue it into the page.

    Parameters
    ----------
    eid : a ledger id; an unknown id raises ``KeyError``.
    value : the reproduced value, in the ledger's unit (percent as 0-100); None = not reached.
    ci, p, range : reproduced CI bounds, p-value and (min, max) range where the paper prints them.
    note : the explanation shown in the scorecard; required for ``discrepant`` records and
        for ``contradicted`` ones (name the contradiction).
    contradicted : the paper's own numbers rule this one out, so no data set can reproduce it.
    source : the kind of evidence, one of ``SOURCES``. Default: ``counts`` for an entry
        the ledger marks ``reproducible_from: counts``, else ``pseudo_patients``; a number
        read from the paper's text and checked against another place in it is ``text``.

    Glue keys: ``eid`` (value), ``eid.ci_lower``, ``eid.ci_upper``, ``eid.p`` where given,
    and ``eid.status``.
    """
    e = entry(eid)
    if contradicted and not note:
        raise ValueError(
            f"record('{eid}', contradicted=True) needs a note naming the contradiction."
        )
    if source is None:
        source = "counts" if e.reproducible_from == "counts" else "pseudo_patients"
    if source not in SOURCES:
        raise ValueError(f"record('{eid}', source={source!r}): source must be one of {SOURCES}.")
    status, reasons = compare(e, value, ci=ci, p=p, range=range)
    if status == "discrepant" and not note:
        warnings.warn(
            f"{eid} is discrepant ({'; '.join(reasons)}) and has no explanation.", stacklevel=2
        )
    rec = {
        "id": eid,
        "paper": e.paper,
        "status": status,
        "contradicted": bool(contradicted),
        "value": _number(value) if not isinstance(value, str) else value,
        "ci": [_number(c) for c in ci] if ci is not None else None,
        "p": _number(p),
        "range": [_number(r) for r in range] if range is not None else None,
        "explanation": note or "",
        "comparison": "; ".join(reasons),
        "notebook": _notebook(),
        "source": source,
    }
    _store(rec)
    _glue(eid, value)
    if ci is not None:
        _glue(f"{eid}.ci_lower", ci[0])
        _glue(f"{eid}.ci_upper", ci[1])
    if p is not None:
        _glue(f"{eid}.p", p)
    _glue(f"{eid}.status", status)
    return rec


def not_reproducible(eid: str, missing: str) -> dict:
    """Mark a ledger id as not reproducible, saying what information is not published.

    Its ``source`` is where the number would have come from (``counts`` or
    ``pseudo_patients``, by the ledger's ``reproducible_from``); it counts as no kind of
    evidence (``scorecard.kind``)."""
    e = entry(eid)
    if not missing:
        raise ValueError(f"not_reproducible('{eid}') must say what is missing.")
    rec = {
        "id": eid,
        "paper": e.paper,
        "status": "not_reproducible",
        "contradicted": False,
        "value": None,
        "ci": None,
        "p": None,
        "range": None,
        "explanation": missing,
        "comparison": "",
        "notebook": _notebook(),
        "source": "counts" if e.reproducible_from == "counts" else "pseudo_patients",
    }
    _store(rec)
    _glue(f"{eid}.status", "not_reproducible")
    return rec


def records() -> list[dict]:
    """This notebook's records so far."""
    return [_RECORDS[k] for k in sorted(_RECORDS)]


def table(ids: list[str] | None = None, recs: list[dict] | None = None) -> pd.DataFrame:
    """Published vs reproduced for the given ids (default: this notebook's records)."""
    recs = recs if recs is not None else records()
    if ids is not None:
        wanted = set(ids)
        recs = [r for r in recs if r["id"] in wanted]
    rows = []
    for r in recs:
        e = entry(r["id"])
        reproduced = (
            "-"
            if r["status"] == "not_reproducible"
            else format_reproduced(r["value"], r["ci"], r["p"], r.get("range"))
        )
        rows.append(
            {
                "id": r["id"],
                "quantity": e.quantity,
                "published": format_published(e),
                "reproduced": reproduced,
                "status": r["status"] + (" (contradicted)" if r.get("contradicted") else ""),
                "explanation": r["explanation"],
            }
        )
    return pd.DataFrame(
        rows, columns=["id", "quantity", "published", "reproduced", "status", "explanation"]
    )


def box(ids: list[str] | None = None):
    """The page's "published vs reproduced" box as HTML, coloured by status."""
    from IPython.display import HTML

    colours = {
        "exact": "#d9f0d3",
        "close": "#fff2cc",
        "discrepant": "#f8d0c8",
        "not_reproducible": "#e0e0e0",
    }
    df = table(ids)

    def colour(col):
        return [f"background-color: {colours.get(v.split(' ')[0], '')}" for v in col]

    styled = df.style.apply(colour, subset=["status"]).hide(axis="index")
    return HTML(styled.to_html())
