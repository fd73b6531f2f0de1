"""Reading a spec's YAML values with errors that name the file and the field path.

Every check fails with ``SpecError("<file>: <field path>: <what is wrong>")``, e.g.
``chen2021.yaml: targets[12].ids[0]: 'x' is not a ledger id``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

__all__ = ["Reader", "SpecError"]


class SpecError(ValueError):
    """A malformed spec; the message names the file and the field path."""


class Reader:
    """Typed access to the raw values of one spec file (``fname``)."""

    def __init__(self, fname: str, ledger_ids: set | frozenset = frozenset()):
        self.fname = fname
        self.ledger_ids = ledger_ids

    def fail(self, where: str, msg: str) -> NoReturn:
        raise SpecError(f"{self.fname}: {where}: {msg}")

    def mapping(self, obj, where: str) -> dict:
        if not isinstance(obj, dict):
            self.fail(where, f"expected a mapping, got {type(obj).__name__}")
        return obj

    def seq(self, obj, where: str) -> list:
        if not isinstance(obj, list):
            self.fail(where, f"expected a list, got {type(obj).__name__}")
        return obj

    def req(self, obj: dict, key: str, where: str) -> Any:
        if key not in obj or obj[key] is None:
            self.fail(f"{where}.{key}" if where else key, "missing (required)")
        return obj[key]

    def number(self, obj, where: str, *, integer=False, positive=False, nonneg=False):
        ok = isinstance(obj, (int, float)) and not isinstance(obj, bool)
        if integer:
            ok = ok and float(obj).is_integer()
        if not ok:
            self.fail(where, f"expected {'an integer' if integer else 'a number'}, got {obj!r}")
        if positive and obj <= 0:
            self.fail(where, f"must be > 0, got {obj!r}")
        if nonneg and obj < 0:
            self.fail(where, f"must be >= 0, got {obj!r}")
        return int(obj) if integer else float(obj)

    def date(self, obj, where: str) -> dt.date:
        if isinstance(obj, dt.date):
            return obj
        try:
            return dt.date.fromisoformat(str(obj))
        except ValueError:
            self.fail(where, f"expected an ISO date (YYYY-MM-DD), got {obj!r}")

    def unknown_keys(self, obj: dict, allowed: set, where: str) -> None:
        extra = sorted(set(obj) - allowed)
        if extra:
            self.fail(
                f"{where}.{extra[0]}" if where else extra[0],
                f"unknown field; allowed here: {sorted(allowed)}",
            )

    def ids(self, raw, where: str) -> tuple:
        """Ledger ids (one, or a list), each checked against the ledger."""
        raw = [raw] if isinstance(raw, str) else self.seq(raw, where)
        for k, i in enumerate(raw):
            if i not in self.ledger_ids:
                self.fail(f"{where}[{k}]", f"{i!r} is not a ledger id (data/published/*.yaml)")
        return tuple(raw)
