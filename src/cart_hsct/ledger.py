"""The published-results ledger, the tolerance rules and the reproduction scorecard.

Notebooks call :func:`record` for every published number they recompute. The record
is glued into the page (myst-nb ``glue``) and written to
``_build/reproduction/<notebook>.json``; the build aggregates those files into
``scorecard.json`` with one row per ledger id.

Statuses (the tolerance rules live here, once):

``exact``
    the reproduced value rounds to the printed value at the printed precision, and so do
    the CI bounds (and range, p) where the paper prints them;
``close``
    within tolerance: percent +-1 point (CI bounds +-2); medians, days and other
    continuous quantities +-5 %; HR within +-10 % and inside the published CI; p on the
    same side of 0.05 and within a factor of 1.5. CI bounds of other quantities get twice
    the estimate's tolerance, as percentages do (HR bounds +-20 %, day bounds +-10 %);
``discrepant``
    outside tolerance; carries an explanation;
``not_reproducible``
    the information needed is not published; says what is missing;
``pending``
    no chapter records it yet.

Entries marked ``reproducible_from: counts`` are exact computations from stated counts:
for them there is no ``close``, only ``exact`` or ``discrepant``.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import paths

__all__ = [
    "STATUSES",
    "Entry",
    "LedgerError",
    "load",
    "entry",
    "compare",
    "record",
    "not_reproducible",
    "records",
    "table",
    "box",
    "build_scorecard",
    "write_scorecard",
]

STATUSES = ("exact", "close", "discrepant", "not_reproducible", "pending")
UNITS = {
    "percent", "count", "p-value", "days", "HR", "years", "date", "chi2",
    "x10^8 cells/kg", "x10^6 cells/kg",
}
REQUIRED = ("id", "paper", "section", "quote", "quantity", "population", "value", "unit",
            "method", "reproducible_from", "notes")
#: What ``ci_high`` holds when the paper prints an upper bound "not reached" (NR).
NOT_REACHED = "not reached"
NUMERIC_FIELDS = ("ci_low", "ci_high", "p", "range_low", "range_high", "numerator", "denominator")
_RANK = {s: i for i, s in enumerate(("exact", "close", "discrepant"))}


class LedgerError(ValueError):
    """A malformed ledger file or entry; the message names file, entry id and field."""


@dataclass(frozen=True)
class Entry:
    """One published number."""

    id: str
    paper: str
    unit: str
    value: Any
    quote: str
    quantity: str
    section: str
    method: str
    reproducible_from: str
    ci: tuple[float, float] | None = None
    p: float | None = None
    p_operator: str | None = None
    range: tuple[float, float] | None = None
    numerator: int | None = None
    denominator: int | None = None
    notes: str = "none"
    half_unit: dict = field(default_factory=dict, compare=False, hash=False)


# ----------------------------------------------------------------------------- loading

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _half_unit(value: float, quote: str, raw: str | None) -> float:
    """Half a unit of the last printed digit of ``value``.

    The precision is read from the quote where the number appears there (so that
    ``1.42E+06`` keeps its three significant digits), otherwise from the YAML text.
    """
    for token in _NUMBER.findall(quote):
        if math.isclose(float(token), value, rel_tol=1e-12, abs_tol=1e-12):
            return _half_unit_of_text(token)
    return _half_unit_of_text(raw if raw is not None else repr(value))


def _half_unit_of_text(text: str) -> float:
    text = text.strip().lstrip("<>=")
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def _fail(file: Path, eid: str, fld: str, msg: str) -> None:
    raise LedgerError(f"{file.name}: entry '{eid}', field '{fld}': {msg}")


def _parse_file(file: Path) -> list[Entry]:
    try:
        text = file.read_text(encoding="utf-8")
        # libyaml's loader when present: four times faster, and every page loads the ledger
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            root = loader.get_single_node()
            items = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        raise LedgerError(f"{file.name}: not valid YAML: {err}") from err
    if not isinstance(items, list):
        raise LedgerError(f"{file.name}: expected a list of entries, got {type(items).__name__}")
    # each entry's scalars as printed in the file (what yaml.BaseLoader gives), from the
    # same parse: the precision of a number is read from its text
    raw_items = [{k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode)}
                 if isinstance(node, yaml.MappingNode) else {} for node in root.value]
    paper = file.stem
    out = []
    for pos, (item, raw) in enumerate(zip(items, raw_items)):
        eid = item.get("id", f"#{pos + 1}") if isinstance(item, dict) else f"#{pos + 1}"
        if not isinstance(item, dict):
            _fail(file, eid, "-", "entry is not a mapping")
        for fld in REQUIRED:
            if fld not in item:
                _fail(file, eid, fld, "missing")
        if item["paper"] != paper or not str(eid).startswith(paper + "."):
            _fail(file, eid, "paper", f"entry belongs to '{item['paper']}' but sits in {paper}.yaml")
        if item["unit"] not in UNITS:
            _fail(file, eid, "unit", f"unknown unit '{item['unit']}'; known: {sorted(UNITS)}")
        if item["reproducible_from"] not in ("counts", "ipd"):
            _fail(file, eid, "reproducible_from", "must be 'counts' or 'ipd'")
        for fld in NUMERIC_FIELDS:
            if fld == "ci_high" and item.get(fld) == NOT_REACHED:
                continue
            if item.get(fld) is not None and not isinstance(item[fld], (int, float)):
                hint = f" or '{NOT_REACHED}'" if fld == "ci_high" else ""
                _fail(file, eid, fld, f"must be a number{hint}, got {item[fld]!r}")
        value = item["value"]
        if item["unit"] == "date":
            if not isinstance(value, str):
                _fail(file, eid, "value", "a date entry holds an ISO date string")
        elif value is not None and not isinstance(value, (int, float)):
            _fail(file, eid, "value", f"must be a number or null, got {value!r}")
        if item.get("ci_high") is not None and item.get("ci_low") is None:
            _fail(file, eid, "ci_low", "a CI with an upper bound needs its lower bound")
        quote = item["quote"]
        half = {}
        for fld in ("value", "ci_low", "ci_high", "p", "range_low", "range_high"):
            v = item.get(fld)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                half[fld] = _half_unit(float(v), quote, raw.get(fld))
        # a CI printed with its lower bound only stays in the quote; it is not compared.
        # An upper bound "not reached" (a median's, say) is None and compared as such.
        has_ci = item.get("ci_low") is not None and item.get("ci_high") is not None
        ci = (item["ci_low"], None if item["ci_high"] == NOT_REACHED else item["ci_high"]) \
            if has_ci else None
        rng = (item["range_low"], item["range_high"]) if item.get("range_low") is not None else None
        out.append(Entry(
            id=eid, paper=paper, unit=item["unit"], value=value, quote=quote,
            quantity=item["quantity"], section=item["section"], method=item["method"],
            reproducible_from=item["reproducible_from"], ci=ci, p=item.get("p"),
            p_operator=item.get("p_operator"), range=rng, numerator=item.get("numerator"),
            denominator=item.get("denominator"), notes=item["notes"], half_unit=half,
        ))
    return out


@lru_cache(maxsize=None)
def _load_dir(directory: str) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        raise LedgerError(f"no ledger files (*.yaml) in {directory}")
    for file in files:
        for e in _parse_file(file):
            if e.id in entries:
                _fail(file, e.id, "id", "duplicate id")
            entries[e.id] = e
    return entries


def load(paper: str | None = None, directory: Path | None = None) -> dict[str, Entry]:
    """All ledger entries (of one paper if given), keyed by id, in ledger order."""
    entries = _load_dir(str(directory or paths.PUBLISHED))
    if paper is None:
        return dict(entries)
    return {k: e for k, e in entries.items() if e.paper == paper}


def entry(eid: str) -> Entry:
    """One ledger entry; an unknown id is an error."""
    entries = load()
    if eid not in entries:
        close = [k for k in entries if k.split(".")[:2] == eid.split(".")[:2]][:5]
        hint = f" Ids with the same prefix: {close}." if close else ""
        raise KeyError(f"'{eid}' is not a ledger id (data/published/*.yaml).{hint}")
    return entries[eid]


# ----------------------------------------------------------------------------- tolerance


def _within_print(reproduced: float, printed: float, half: float) -> bool:
    return abs(reproduced - printed) <= half * (1 + 1e-9) + 1e-12


def _value_close(unit: str, reproduced: float, printed: float, *, bound: bool = False) -> bool:
    # a CI bound gets twice the estimate's tolerance, as DESIGN states for percentages
    widen = 2.0 if bound else 1.0
    if unit == "percent":
        return abs(reproduced - printed) <= widen * 1.0 + 1e-9
    if unit == "HR":
        return abs(reproduced - printed) <= widen * 0.10 * abs(printed) + 1e-12
    if unit in ("count", "date"):
        return False
    if unit == "p-value":
        return _p_close(reproduced, printed, None)
    # days, years, doses, chi2
    return abs(reproduced - printed) <= widen * 0.05 * abs(printed) + 1e-12


def _p_close(reproduced: float, printed: float, operator: str | None) -> bool:
    if operator == "<":
        return reproduced < 1.5 * printed and (reproduced < 0.05) == (printed <= 0.05)
    if operator == ">":
        return reproduced > printed / 1.5 and (reproduced < 0.05) == (printed < 0.05)
    if reproduced <= 0 or printed <= 0:
        return False
    same_side = (reproduced < 0.05) == (printed < 0.05)
    return same_side and max(reproduced, printed) / min(reproduced, printed) <= 1.5


def _p_exact(reproduced: float, printed: float, operator: str | None, half: float) -> bool:
    if operator == "<":
        return reproduced < printed
    if operator == ">":
        return reproduced > printed
    return _within_print(reproduced, printed, half)


def compare(e: Entry, value: Any, ci: tuple | None = None, p: float | None = None,
            range: tuple | None = None) -> tuple[str, list[str]]:
    """Status of a reproduced number against a ledger entry, and what decided it."""
    parts: list[tuple[str, str]] = []  # (status, reason) of each compared component
    caps: list[str] = []  # published components left uncomputed: at best close

    def judge(what: str, rep, pub, half, unit, *, bound=False, operator=None):
        if pub is None and rep is None:
            parts.append(("exact", f"{what}: not reached / not printed on both sides"))
            return
        if pub is None or rep is None:
            parts.append(("discrepant", f"{what}: published {pub}, reproduced {rep}"))
            return
        if isinstance(pub, str) or isinstance(rep, str):
            ok = str(rep) == str(pub)
            parts.append(("exact" if ok else "discrepant", f"{what}: {rep} vs {pub}"))
            return
        rep = float(rep)
        if unit == "p-value":
            if _p_exact(rep, pub, operator, half):
                parts.append(("exact", f"{what} {rep:.4g} matches {pub}"))
            elif _p_close(rep, pub, operator):
                parts.append(("close", f"{what} {rep:.4g} vs {pub}"))
            else:
                parts.append(("discrepant", f"{what} {rep:.4g} vs {pub}"))
            return
        if _within_print(rep, pub, half):
            parts.append(("exact", f"{what} {rep:.6g} rounds to {pub}"))
        elif _value_close(unit, rep, pub, bound=bound):
            parts.append(("close", f"{what} {rep:.6g} vs {pub}"))
        else:
            parts.append(("discrepant", f"{what} {rep:.6g} vs {pub}"))

    value_unit = e.unit
    operator = e.p_operator if e.unit == "p-value" else None
    judge("value", value, e.value, e.half_unit.get("value", 0.0), value_unit, operator=operator)
    if e.ci is not None and ci is not None:
        for name, rep, pub in (("ci_low", ci[0], e.ci[0]), ("ci_high", ci[1], e.ci[1])):
            judge(name, rep, pub, e.half_unit.get(name, 0.0), value_unit, bound=True)
    elif e.ci is not None:
        caps.append("published CI not recomputed")
    if e.unit == "HR" and e.ci is not None and value is not None:
        inside = e.ci[0] <= float(value) <= (math.inf if e.ci[1] is None else e.ci[1])
        if not inside and parts[0][0] == "close":
            parts[0] = ("discrepant", f"HR {float(value):.4g} outside the published CI {e.ci}")
    if e.p is not None and e.unit != "p-value":
        if p is not None:
            judge("p", p, e.p, e.half_unit.get("p", 0.0), "p-value",
                  operator=e.p_operator)
        else:
            caps.append("published p not recomputed")
    if e.range is not None and range is not None:
        for name, rep, pub in (("range_low", range[0], e.range[0]),
                               ("range_high", range[1], e.range[1])):
            judge(name, rep, pub, e.half_unit.get(name, 0.0), value_unit)
    status = max((s for s, _ in parts), key=_RANK.__getitem__)
    if status == "close" and e.reproducible_from == "counts":
        # an exact computation from stated counts has no estimation error to tolerate:
        # whatever does not round to the printed digits is a mismatch
        status = "discrepant"
        parts.append(("discrepant", "counts entry: exact computation, no tolerance"))
    if caps and status == "exact":
        status = "close"
    return status, [r for _, r in parts] + caps


# ----------------------------------------------------------------------------- recording

_RECORDS: dict[str, dict] = {}


#: Page name of records made outside a build (a reader running a chapter by hand, e.g. the
#: "Try it" commands with other parameters). Their file never enters the scorecard.
INTERACTIVE = "interactive"


def _notebook() -> str:
    return os.environ.get("CART_HSCT_NOTEBOOK", INTERACTIVE)


def _number(x):
    if x is None or isinstance(x, str):
        return x
    x = float(x)
    if not math.isfinite(x):
        return None if math.isnan(x) else x
    return float(f"{x:.12g}")  # stable across platforms' last-bit noise


# Each record's JSON text, made once: the file is rewritten after every record (so that it
# is complete whenever a cell stops), and serialising all records each time made a page
# with 190 records spend 0.2 s in json.dumps. Keyed by id, with the record
# object, so that a record replaced in _RECORDS is serialised again.
_TEXTS: dict[str, tuple[dict, str]] = {}


def _record_text(key: str, rec: dict) -> str:
    cached = _TEXTS.get(key)
    if cached is None or cached[0] is not rec:
        # as json.dumps(body, indent=1, sort_keys=True) prints it two levels deep; JSON
        # strings escape newlines, so every line of the text gets the same indent
        text = json.dumps(rec, indent=1, sort_keys=True).replace("\n", "\n  ")
        cached = _TEXTS[key] = (rec, "  " + text)
    return cached[1]


def _records_json(notebook: str, recs: dict[str, dict]) -> str:
    """``json.dumps({"notebook": ..., "records": [sorted records]}, indent=1,
    sort_keys=True) + "\\n"``, byte for byte, from the cached texts of the records."""
    if not recs:
        return json.dumps({"notebook": notebook, "records": []}, indent=1, sort_keys=True) + "\n"
    items = ",\n".join(_record_text(k, recs[k]) for k in sorted(recs))
    return f'{{\n "notebook": {json.dumps(notebook)},\n "records": [\n{items}\n ]\n}}\n'


def _flush() -> None:
    out = paths.REPRODUCTION / f"{_notebook().replace('/', '__')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    data = _records_json(_notebook(), _RECORDS).encode("utf-8")
    # Overwritten in place, truncated after the new end: truncating a file to zero first
    # (open "w") frees its blocks, ~3 ms per call on the build machine's disk, and the
    # file grows with every record, so a page with 190 records spent 0.6 s here.
    with open(out, "r+b" if out.exists() else "wb") as f:
        f.write(data)
        f.truncate()


def _glue(key: str, value) -> None:
    try:
        from myst_nb import glue
    except ImportError:  # pragma: no cover - myst-nb is a pinned dependency
        return
    if hasattr(value, "item"):  # numpy scalar -> Python number, so that pasting can format it
        value = value.item()
    glue(key, value, display=False)


def record(eid: str, value, ci: tuple | None = None, p: float | None = None,
           note: str | None = None, *, range: tuple | None = None,
           contradicted: bool = False) -> dict:
    """Record a reproduced number against ledger id ``eid`` and glue it into the page.

    Parameters
    ----------
    eid : a ledger id; an unknown id raises ``KeyError``.
    value : the reproduced value, in the ledger's unit (percent as 0-100); None = not reached.
    ci, p, range : reproduced CI bounds, p-value and (min, max) range where the paper prints them.
    note : the explanation shown in the scorecard; required for ``discrepant`` records and
        for ``contradicted`` ones (name the contradiction).
    contradicted : the paper's own numbers rule this one out, so no data set can reproduce it.

    Glue keys: ``eid`` (value), ``eid.ci_lower``, ``eid.ci_upper``, ``eid.p`` where given,
    and ``eid.status``.
    """
    e = entry(eid)
    if contradicted and not note:
        raise ValueError(f"record('{eid}', contradicted=True) needs a note naming the contradiction.")
    status, reasons = compare(e, value, ci=ci, p=p, range=range)
    if status == "discrepant" and not note:
        warnings.warn(f"{eid} is discrepant ({'; '.join(reasons)}) and has no explanation.",
                      stacklevel=2)
    rec = {
        "id": eid, "paper": e.paper, "status": status, "contradicted": bool(contradicted),
        "value": _number(value) if not isinstance(value, str) else value,
        "ci": [_number(c) for c in ci] if ci is not None else None,
        "p": _number(p), "range": [_number(r) for r in range] if range is not None else None,
        "explanation": note or "", "comparison": "; ".join(reasons), "notebook": _notebook(),
    }
    _RECORDS[eid] = rec
    _flush()
    _glue(eid, value)
    if ci is not None:
        _glue(f"{eid}.ci_lower", ci[0])
        _glue(f"{eid}.ci_upper", ci[1])
    if p is not None:
        _glue(f"{eid}.p", p)
    _glue(f"{eid}.status", status)
    return rec


def not_reproducible(eid: str, missing: str) -> dict:
    """Mark a ledger id as not reproducible, saying what information is not published."""
    e = entry(eid)
    if not missing:
        raise ValueError(f"not_reproducible('{eid}') must say what is missing.")
    rec = {"id": eid, "paper": e.paper, "status": "not_reproducible", "contradicted": False,
           "value": None, "ci": None, "p": None, "range": None, "explanation": missing,
           "comparison": "", "notebook": _notebook()}
    _RECORDS[eid] = rec
    _flush()
    _glue(f"{eid}.status", "not_reproducible")
    return rec


def records() -> list[dict]:
    """This notebook's records so far."""
    return [_RECORDS[k] for k in sorted(_RECORDS)]


def _fmt_published(e: Entry) -> str:
    if e.value is None:
        text = "not reached"
    elif isinstance(e.value, str):
        text = e.value
    else:
        text = f"{e.value:g}"
    if e.ci is not None:
        high = NOT_REACHED if e.ci[1] is None else f"{e.ci[1]:g}"
        text += f" ({e.ci[0]:g}-{high})"
    if e.range is not None:
        text += f" [range {e.range[0]:g}-{e.range[1]:g}]"
    if e.p is not None and e.unit != "p-value":
        text += f"; p{e.p_operator or '='}{e.p:g}"
    return text


def _fmt_reproduced(r: dict) -> str:
    if r["status"] == "not_reproducible":
        return "-"
    v = r["value"]
    text = "not reached" if v is None else (v if isinstance(v, str) else f"{v:.4g}")
    if r["ci"]:
        text += f" ({_g(r['ci'][0])}-{_g(r['ci'][1])})"
    if r.get("range"):
        text += f" [range {_g(r['range'][0])}-{_g(r['range'][1])}]"
    if r["p"] is not None:
        text += f"; p={r['p']:.3g}"
    return text


def _g(x) -> str:
    """A reproduced bound; an undefined one (NaN, stored as null) prints as NA."""
    return "NA" if x is None else f"{x:.4g}"


def table(ids: list[str] | None = None, recs: list[dict] | None = None) -> pd.DataFrame:
    """Published vs reproduced for the given ids (default: this notebook's records)."""
    recs = recs if recs is not None else records()
    if ids is not None:
        wanted = set(ids)
        recs = [r for r in recs if r["id"] in wanted]
    rows = []
    for r in recs:
        e = entry(r["id"])
        rows.append({"id": r["id"], "quantity": e.quantity, "published": _fmt_published(e),
                     "reproduced": _fmt_reproduced(r), "status": r["status"]
                     + (" (contradicted)" if r.get("contradicted") else ""),
                     "explanation": r["explanation"]})
    return pd.DataFrame(rows, columns=["id", "quantity", "published", "reproduced", "status",
                                       "explanation"])


def box(ids: list[str] | None = None):
    """The page's "published vs reproduced" box as HTML, coloured by status."""
    from IPython.display import HTML

    colours = {"exact": "#d9f0d3", "close": "#fff2cc", "discrepant": "#f8d0c8",
               "not_reproducible": "#e0e0e0"}
    df = table(ids)

    def colour(col):
        return [f"background-color: {colours.get(v.split(' ')[0], '')}" for v in col]

    styled = df.style.apply(colour, subset=["status"]).hide(axis="index")
    return HTML(styled.to_html())


# ----------------------------------------------------------------------------- scorecard


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


def build_scorecard(directory: Path | None = None) -> list[dict]:
    """One row per ledger id: the record where a notebook made one, else ``pending``."""
    directory = Path(directory or paths.REPRODUCTION)
    recs = _read_records(directory) if directory.exists() else {}
    unknown = sorted(set(recs) - set(load()))
    if unknown:
        raise LedgerError(f"records for ids not in the ledger: {unknown[:5]}")
    rows = []
    for eid, e in load().items():
        r = recs.get(eid)
        rows.append({
            "id": eid, "paper": e.paper, "section": e.section, "quantity": e.quantity,
            "unit": e.unit, "reproducible_from": e.reproducible_from,
            "published": {"value": e.value, "ci": list(e.ci) if e.ci else None, "p": e.p,
                          "p_operator": e.p_operator,
                          "range": list(e.range) if e.range else None},
            "reproduced": {k: r[k] for k in ("value", "ci", "p", "range")} if r else None,
            "status": r["status"] if r else "pending",
            "contradicted": bool(r and r["contradicted"]),
            "explanation": r["explanation"] if r else "",
            "comparison": r["comparison"] if r else "",
            "notebook": r["notebook"] if r else None,
        })
    return rows


def write_scorecard(directory: Path | None = None) -> Path:
    """Aggregate the notebooks' records into ``scorecard.json`` (byte-stable)."""
    directory = Path(directory or paths.REPRODUCTION)
    rows = build_scorecard(directory)
    out = directory / paths.SCORECARD.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    return out
