"""The reproduction scorecard: every ledger id once, with its kind of evidence.

Each row says where its number comes from (``source``: ``counts``, ``pseudo_patients`` or
``text``, as recorded) and whether the reconstruction was fitted to it (``fitted``: the id
is a target of the committed spec, ``data/specs/<paper>.yaml``). The kinds count
differently (:func:`evidence`):

independent
    numbers recomputed from printed counts, and pseudo-patient numbers the reconstruction
    was not fitted to: these reproduce the paper;
fitted
    pseudo-patient numbers the reconstruction was fitted to: agreement shows the cohort is
    consistent with the paper, not that the paper was reproduced;
text
    a number read from the paper and checked against another place in its text: a
    cross-check, never counted as reproduced.

A target the spec declares infeasible and leaves out of the fit (``Spec.unfitted``) is
not fitted: the solver ignores it, so the cohort's value of it owes nothing to the
published one. A conflict that keeps fitting its ids (``fit: true``) counts as fitted.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

from .. import paths
from .entries import LedgerError, load
from .recording import INTERACTIVE, anchor

__all__ = ["KINDS", "anchor", "build_scorecard", "evidence", "fitted_ids", "write_scorecard"]

KINDS = ("independent", "fitted", "text")


def _read_records(directory: Path) -> dict[str, dict]:
    seen: dict[str, dict] = {}
    for file in sorted(directory.glob("*.json")):
        # a chapter rerun by hand (other parameters) records the same ids as its page
        if file.name in (paths.SCORECARD.name, f"{INTERACTIVE}.json"):
            continue
        body = json.loads(file.read_text(encoding="utf-8"))
        for rec in body["records"]:
            if rec["id"] in seen:
                raise LedgerError(
                    f"{rec['id']} is recorded by both {seen[rec['id']]['notebook']} and "
                    f"{rec['notebook']}; each ledger id has one home notebook."
                )
            seen[rec["id"]] = rec
    return seen


@cache
def _fitted(specs: str) -> frozenset[str]:
    from ..reconstruct import load_spec  # the engine imports the ledger: import it late

    ids: set[str] = set()
    for file in sorted(Path(specs).glob("*.yaml")):
        spec = load_spec(file)
        ids |= {i for t in spec.targets for i in t.ids} - spec.unfitted
    return frozenset(ids)


def fitted_ids(specs: Path | None = None) -> frozenset[str]:
    """Ledger ids the committed specs fit the reconstruction to (targets minus unfitted)."""
    return _fitted(str(specs or paths.SPECS))


def kind(row: dict) -> str | None:
    """``independent``, ``fitted`` or ``text`` (None for an unrecorded or unreproducible id)."""
    if row["source"] is None or row["status"] in ("pending", "not_reproducible"):
        return None
    if row["source"] == "pseudo_patients" and row["fitted"]:
        return "fitted"
    return "text" if row["source"] == "text" else "independent"


def build_scorecard(directory: Path | None = None, specs: Path | None = None) -> list[dict]:
    """One row per ledger id: the record where a notebook made one, else ``pending``."""
    directory = Path(directory or paths.REPRODUCTION)
    recs = _read_records(directory) if directory.exists() else {}
    unknown = sorted(set(recs) - set(load()))
    if unknown:
        raise LedgerError(f"records for ids not in the ledger: {unknown[:5]}")
    fitted = fitted_ids(specs)
    rows = []
    for eid, e in load().items():
        r = recs.get(eid)
        if r is not None and r["status"] != "not_reproducible" and not r.get("source"):
            raise LedgerError(
                f"{eid}: the record in {r['notebook']} has no 'source'; "
                "rebuild the page with the current cart_hsct.ledger."
            )
        row = {
            "id": eid,
            "paper": e.paper,
            "section": e.section,
            "quantity": e.quantity,
            "unit": e.unit,
            "reproducible_from": e.reproducible_from,
            "published": {
                "value": e.value,
                "ci": list(e.ci) if e.ci else None,
                "p": e.p,
                "p_operator": e.p_operator,
                "range": list(e.range) if e.range else None,
            },
            "reproduced": {k: r[k] for k in ("value", "ci", "p", "range")} if r else None,
            "status": r["status"] if r else "pending",
            "contradicted": bool(r and r["contradicted"]),
            "explanation": r["explanation"] if r else "",
            "comparison": r["comparison"] if r else "",
            "notebook": r["notebook"] if r else None,
            "anchor": anchor(eid) if r else None,
            "source": r.get("source") if r else None,
            "fitted": eid in fitted,
        }
        row["kind"] = kind(row)
        rows.append(row)
    return rows


def evidence(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Per paper and kind of evidence: entries, exact, close, discrepant, contradicted.

    ``reproduced`` is exact or close among the entries not contradicted by the paper's own
    numbers; for text cross-checks the same count is ``matched`` (they reproduce nothing).
    """
    card = pd.DataFrame(rows)
    card = card[card.kind.notna()]
    out = []
    for (paper, k), g in card.groupby(["paper", "kind"], sort=False):
        judged = g[~g.contradicted.astype(bool)]
        ok = int(judged.status.isin(["exact", "close"]).sum())
        out.append(
            {
                "paper": paper,
                "kind": k,
                "entries": len(g),
                "exact": int((g.status == "exact").sum()),
                "close": int((g.status == "close").sum()),
                "discrepant": int((g.status == "discrepant").sum()),
                "contradicted": int(g.contradicted.astype(bool).sum()),
                "exact or close": ok,
                "percent": round(100 * ok / len(judged), 1) if len(judged) else None,
            }
        )
    # no record yet (a rerun of the scorecard page before any build): no rows, same columns
    columns = [
        "paper",
        "kind",
        "entries",
        "exact",
        "close",
        "discrepant",
        "contradicted",
        "exact or close",
        "percent",
    ]
    df = pd.DataFrame(out, columns=columns)
    df["kind"] = pd.Categorical(df.kind, KINDS, ordered=True)
    return df.sort_values(["paper", "kind"]).reset_index(drop=True)


def write_scorecard(directory: Path | None = None) -> Path:
    """Aggregate the notebooks' records into ``scorecard.json`` (byte-stable)."""
    directory = Path(directory or paths.REPRODUCTION)
    rows = build_scorecard(directory)
    out = directory / paths.SCORECARD.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(rows, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return out
