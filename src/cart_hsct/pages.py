"""Small helpers that several pages of the book share.

What a page repeats to tell its story, not statistics (those live in
:mod:`cart_hsct.survival` and :mod:`cart_hsct.proportions`): how a p-value reads in the
prose and on figures, recording a median and range against the ledger, the factor levels
of a subgroup table, evaluating a reconstruction spec's definitions on a cohort, and
recording the numbers a paper states in words. Import as ``from cart_hsct import pages``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["format_p", "level_column", "record_median", "record_stated", "spec_mask"]


def format_p(p: float | None, *, prefix: bool = True) -> str:
    """A p-value as the book prints it, in prose and on figures: ``p < 0.001`` or
    ``p = 0.039`` (``p = NA`` when there is none); with ``prefix=False`` the number alone
    (``< 0.001``, ``0.039``, ``NA``), for prose that names the test before it."""
    if p is None or not np.isfinite(p):
        text = "p = NA"
    else:
        text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    return text if prefix else text.removeprefix("p = ").removeprefix("p ")


def record_median(
    eid: str,
    values,
    *,
    note: str | None = None,
    shortfall: str | None = None,
    quartiles: bool = False,
) -> dict:
    """Record the median and range of ``values`` against ledger id ``eid``.

    Parameters
    ----------
    eid : the ledger id of a published median (with its range).
    values : the reconstructed values; missing and non-numeric ones are left out.
    note : the scorecard's explanation, whatever the status.
    shortfall : the explanation used instead when ``note`` is None and the median or
        range is not reproduced exactly (why the reconstruction may miss it).
    quartiles : also return the quartiles (the papers print medians and ranges only, so
        these are the reconstruction's own).

    Returns
    -------
    dict
        patients, median, min, max [, q1, q3]: a row of the page's table.
    """
    from . import ledger

    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().astype(float)
    d = {
        "patients": len(v),
        "median": float(v.median()),
        "min": float(v.min()),
        "max": float(v.max()),
    }
    if quartiles:
        d.update(q1=float(v.quantile(0.25)), q3=float(v.quantile(0.75)))
    if note is None and shortfall is not None:
        status, _ = ledger.compare(ledger.entry(eid), d["median"], range=(d["min"], d["max"]))
        note = None if status == "exact" else shortfall
    ledger.record(eid, d["median"], range=(d["min"], d["max"]), note=note)
    return d


def level_column(levels: Mapping[str, pd.Series]) -> pd.Series:
    """One factor from boolean masks: each patient gets the first level whose mask holds,
    and stays missing (left out of that factor's analyses) when none does.

    ``levels`` maps a level name to a boolean Series over the same patients; missing
    values in a mask count as False.
    """
    masks = [pd.Series(m).fillna(False).astype(bool) for m in levels.values()]
    index = masks[0].index
    chosen = np.select([m.to_numpy() for m in masks], list(levels), default=None)
    return pd.Series(chosen, index=index, dtype=object)


def spec_mask(expression, frame: pd.DataFrame) -> pd.Series:
    """Where a reconstruction spec's expression holds on a cohort: a boolean Series.

    ``expression`` is one the spec compiled, e.g. a count target's ``of`` or a ``derived``
    definition of ``cart_hsct.reconstruct.load_spec(cohort)``. Numeric columns are read
    as floats, so that a missing value satisfies no comparison (the patient belongs to
    neither side of a cut).
    """
    columns = {}
    for name in expression.names:
        col = frame[name]
        if pd.api.types.is_numeric_dtype(col):
            columns[name] = col.to_numpy(dtype=float, na_value=np.nan)
        else:
            columns[name] = col.to_numpy(dtype=object, na_value=None)
    return pd.Series(np.asarray(expression(columns, len(frame)), dtype=bool), index=frame.index)


def record_stated(
    paper: str,
    entries: Mapping,
    values: Mapping[str, object],
    identities: Mapping[str, tuple[dict, list]],
    *,
    checks: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> None:
    """Record each number the paper states in words, with where it was read and what
    checks it.

    Parameters
    ----------
    paper : ``chen2021`` or ``cao2023``.
    entries : ledger entries by id (their quote and section name the place).
    values : the values read from the paper's text (:func:`cart_hsct.papertext.stated`).
    identities : name -> (``proportions.partition_sum`` result, ids it involves).
    checks : for ids in no identity, the sentence that says how else they were checked
        (starting with "; "); the default says that no identity involves them.
    extra : a further sentence per id, appended to the note.
    """
    from . import ledger, papertext

    checks, extra = checks or {}, extra or {}
    in_identity = {i: name for name, (_, ids) in identities.items() for i in ids}
    for eid, value in values.items():
        e = entries[eid]
        where = f"Read from the paper's {e.section} ('{papertext.locate(paper, e.quote)[:70]}')"
        if eid in in_identity:
            c = identities[in_identity[eid]][0]
            check = (
                f"; identity {c['text']} ({in_identity[eid]}) {'holds' if c['holds'] else 'FAILS'}."
            )
        else:
            check = checks.get(eid, "; no arithmetic identity involves it.")
        ledger.record(eid, value, note=where + check + extra.get(eid, ""), source="text")
