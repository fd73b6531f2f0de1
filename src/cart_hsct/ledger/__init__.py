"""The published-results ledger, the tolerance rules, the records and the scorecard.

Notebooks call :func:`record` for every published number they recompute. The record is
glued into the page (myst-nb ``glue``), leaves an anchor in the cell's output that the
scorecard links to, and is written to ``_build/reproduction/<notebook>.json`` after the
cell; the build aggregates those files into ``scorecard.json`` with one row per ledger id.

One module per concept:

``ledger.entries``
    load and validate ``data/published/*.yaml`` (:func:`load`, :func:`entry`);
``ledger.tolerance``
    the statuses and the tolerance rules (:func:`compare`), once;
``ledger.recording``
    a page's records (:func:`record`, :func:`not_reproducible`, :func:`table`, :func:`box`);
``ledger.formats``
    the one text form of published and reproduced values;
``ledger.scorecard``
    the aggregation, with each record's kind of evidence (``source``, ``fitted``).
"""

from .entries import NOT_REACHED, Entry, LedgerError, entry, load
from .formats import format_published, format_reproduced
from .recording import (
    INTERACTIVE,
    SOURCES,
    anchor,
    box,
    flush,
    not_reproducible,
    record,
    records,
    table,
)
from .scorecard import KINDS, build_scorecard, evidence, fitted_ids, write_scorecard
from .tolerance import STATUSES, close_gap, compare

__all__ = [
    "INTERACTIVE",
    "KINDS",
    "NOT_REACHED",
    "SOURCES",
    "STATUSES",
    "Entry",
    "LedgerError",
    "anchor",
    "box",
    "build_scorecard",
    "close_gap",
    "compare",
    "entry",
    "evidence",
    "fitted_ids",
    "flush",
    "format_published",
    "format_reproduced",
    "load",
    "not_reproducible",
    "record",
    "records",
    "table",
    "write_scorecard",
]
