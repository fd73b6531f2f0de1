"""Ledger entries: load ``data/published/*.yaml`` and validate every entry.

A malformed file or entry raises :class:`LedgerError` naming the file, the entry id and the
field. Each entry keeps half a unit of the last printed digit of its numbers
(``half_unit``), read from the quote, so that :func:`~cart_hsct.ledger.compare` can say
whether a reproduced value rounds to the print.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .. import paths

__all__ = ["Entry", "LedgerError", "entry", "load"]

UNITS = {
    "percent",
    "count",
    "p-value",
    "days",
    "HR",
    "years",
    "date",
    "chi2",
    "x10^8 cells/kg",
    "x10^6 cells/kg",
}
REQUIRED = (
    "id",
    "paper",
    "section",
    "quote",
    "quantity",
    "population",
    "value",
    "unit",
    "method",
    "reproducible_from",
    "notes",
)
#: What ``ci_high`` holds when the paper prints an upper bound "not reached" (NR).
NOT_REACHED = "not reached"
NUMERIC_FIELDS = ("ci_low", "ci_high", "p", "range_low", "range_high", "numerator", "denominator")


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


def _check_item(file: Path, eid, item, paper: str) -> None:
    """Raise a LedgerError naming the file, entry and field of the first problem."""
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
    _check_numbers(file, eid, item)


def _check_numbers(file: Path, eid, item: dict) -> None:
    """The numeric fields are numbers (a date entry's value an ISO date string)."""
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
    raw_items = [
        {k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode)}
        if isinstance(node, yaml.MappingNode)
        else {}
        for node in root.value
    ]
    paper = file.stem
    out = []
    for pos, (item, raw) in enumerate(zip(items, raw_items, strict=True)):
        eid = item.get("id", f"#{pos + 1}") if isinstance(item, dict) else f"#{pos + 1}"
        _check_item(file, eid, item, paper)
        value = item["value"]
        quote = item["quote"]
        half = {}
        for fld in ("value", "ci_low", "ci_high", "p", "range_low", "range_high"):
            v = item.get(fld)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                half[fld] = _half_unit(float(v), quote, raw.get(fld))
        # a CI printed with its lower bound only stays in the quote; it is not compared.
        # An upper bound "not reached" (a median's, say) is None and compared as such.
        has_ci = item.get("ci_low") is not None and item.get("ci_high") is not None
        ci = (
            (item["ci_low"], None if item["ci_high"] == NOT_REACHED else item["ci_high"])
            if has_ci
            else None
        )
        rng = (item["range_low"], item["range_high"]) if item.get("range_low") is not None else None
        out.append(
            Entry(
                id=eid,
                paper=paper,
                unit=item["unit"],
                value=value,
                quote=quote,
                quantity=item["quantity"],
                section=item["section"],
                method=item["method"],
                reproducible_from=item["reproducible_from"],
                ci=ci,
                p=item.get("p"),
                p_operator=item.get("p_operator"),
                range=rng,
                numerator=item.get("numerator"),
                denominator=item.get("denominator"),
                notes=item["notes"],
                half_unit=half,
            )
        )
    return out


@cache
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
