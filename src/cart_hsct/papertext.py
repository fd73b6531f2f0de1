"""The papers' own text: find a quoted passage and read the numbers printed in it.

Stated counts and design constants are checked against the paper itself, not against
the ledger: :func:`stated_number` locates the ledger's quote in
``data/papers/<paper>_*.txt`` (whitespace-insensitive) and parses the number printed
there, digits or words ("Ninety-three"), and :func:`stated_dates` does the same for
dates ("October 18, 2017" -> ``2017-10-18``).
"""

from __future__ import annotations

import re
from functools import cache

from . import paths

__all__ = ["locate", "numbers", "stated", "stated_dates", "stated_number", "text"]

_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate(
        ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
    if w != "_"
}
_WORD = (
    r"(?:(?:"
    + "|".join(_TENS)
    + r")(?:[-\s](?:"
    + "|".join(list(_UNITS)[1:10])
    + r"))?|"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r")"
)
# digits may carry a unit glued on ("365day"), but not a prefix ("CD19")
_TOKEN = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)|\b(" + _WORD + r")\b", re.IGNORECASE
)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(?:(\d{1,2}),?\s+)?(\d{4})\b", re.IGNORECASE)


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@cache
def text(paper: str) -> str:
    """Full text of ``paper`` (``chen2021`` or ``cao2023``) with whitespace collapsed."""
    if paper not in paths.PAPER_IDS:
        raise ValueError(f"unknown paper {paper!r}; known: {list(paths.PAPER_IDS)}.")
    files = sorted(paths.PAPERS.glob(f"{paper}_*.txt"))
    if len(files) != 1:
        raise FileNotFoundError(
            f"expected one text file data/papers/{paper}_*.txt, found {[f.name for f in files]}."
        )
    return _norm(files[0].read_text(encoding="utf-8"))


def locate(paper: str, quote: str) -> str:
    """The passage of the paper that ``quote`` reproduces (an error if it does not occur)."""
    body, q = text(paper), _norm(quote)
    at = body.find(q)
    if at < 0:
        raise LookupError(
            f"quote {q[:80]!r} does not occur in the text of {paper} "
            "(whitespace-insensitive); correct the ledger quote to the paper's wording."
        )
    return body[at : at + len(q)]


def _word_value(word: str) -> int:
    parts = re.split(r"[-\s]+", word.lower())
    return sum(_TENS.get(p, _UNITS.get(p, 0)) for p in parts)


def numbers(passage: str) -> list[float]:
    """Numbers printed in ``passage``, in order: digits ("1,770", "92.6") and words."""
    out: list[float] = []
    for m in _TOKEN.finditer(passage):
        if m.group(1):
            out.append(float(m.group(1).replace(",", "")))
        else:
            out.append(float(_word_value(m.group(2))))
    return out


def stated_number(paper: str, quote: str, pattern: str | None = None) -> float:
    """The number a quoted passage of ``paper`` states.

    Parameters
    ----------
    paper : str
    quote : str
        Must occur in the paper's text.
    pattern : str, optional
        A regular expression (case-insensitive) with one group that captures the
        number within the passage, e.g. ``r"(\\w+) patients died"``; needed when the
        passage prints more than one number.
    """
    passage = locate(paper, quote)
    if pattern is not None:
        m = re.search(pattern, passage, re.IGNORECASE)
        if m is None:
            raise LookupError(f"pattern {pattern!r} does not match the passage {passage!r}.")
        # "No patient experienced ..." states a count of zero
        found = [0.0] if m.group(1).strip().lower() in ("no", "none") else numbers(m.group(1))
        if len(found) != 1:
            raise LookupError(f"pattern {pattern!r} captured {m.group(1)!r}, not one number.")
        return found[0]
    found = numbers(passage)
    if len(found) != 1:
        raise LookupError(
            f"the passage {passage!r} prints {len(found)} numbers {found}; pass a 'pattern' "
            "that captures the one wanted."
        )
    return found[0]


def stated_dates(paper: str, quote: str) -> str:
    """Dates printed in a quoted passage as ISO text, joined by ``/`` for a period.

    "from May 2016 to May 2020" -> ``"2016-05/2020-05"``; "January 1, 2021" ->
    ``"2021-01-01"``.
    """
    passage = locate(paper, quote)
    found = []
    for month, day, year in _DATE.findall(passage):
        iso = f"{year}-{_MONTHS[month.lower()]:02d}"
        found.append(iso + (f"-{int(day):02d}" if day else ""))
    if not found:
        raise LookupError(f"no date ('Month [day,] year') in the passage {passage!r}.")
    return "/".join(found)


def stated(paper: str, entries, patterns=None, default: str | None = None) -> dict:
    """The value each ledger entry states, read from the paper's text at its quote.

    Parameters
    ----------
    paper : str
    entries : dict of ledger entries by id (``ledger.load(paper)`` filtered).
    patterns : dict, optional
        id -> regular expression for :func:`stated_number`, where the passage prints more
        than one number.
    default : str, optional
        The pattern for ids not in ``patterns``.

    Returns
    -------
    dict
        id -> number, or ISO date text (:func:`stated_dates`) for entries in unit "date".
    """
    patterns = patterns or {}
    return {
        eid: (
            stated_dates(paper, e.quote)
            if e.unit == "date"
            else stated_number(paper, e.quote, patterns.get(eid, default))
        )
        for eid, e in entries.items()
    }
