"""No number in a page's prose is typed: each is glued, or quotes a published number.

Reads the markdown of every executed page (``book/**/*.ipynb``, written by the build) and
lists the numerals left once glued values, code, maths, links, citations and figure
options are taken out, and that are neither a number printed in the ledger (a quotation of
the paper) nor in the short allowlist below.
"""

from __future__ import annotations

import json
import re

import pytest

from cart_hsct import ledger, paths

# conventions, not results: 95 % intervals, the 5 % level, 0-100 %, halves; and the papers'
# landmarks of whole years counted in days (1 to 5 years: 365, 730, ..., 1825)
ALLOWED = {"0", "1", "5", "50", "95", "100", "0.05", "0.5"} | {str(365 * y) for y in range(1, 6)}
_STRIP = [
    re.compile(r"^\s*(```|~~~|:[a-z-]+:).*$", re.M),  # fences, directive options (first:
    # a fence's backticks would pair with a code span's)
    re.compile(r"\{glue:[a-z]*\}`[^`]*`"),  # glued values
    re.compile(r"\{[a-z:]+\}`[^`]*`"),  # roles: cite, ref, doc, numref
    re.compile(r"``[^`]*``|`[^`]*`"),  # code
    re.compile(r"\$\$.*?\$\$", re.S),  # display maths
    re.compile(r"\$[^$\n]+\$"),  # inline maths, on one line
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"https?://\S+"),
    re.compile(r"<[^>]+>"),  # HTML tags
    re.compile(r"^\s*\(.*\)=\s*$", re.M),  # labels
    re.compile(r"^\s*(#+\s*)?\d+\.\s", re.M),  # numbered lists and headings
    re.compile(r"\b(1[89]|20)\d\d;\d+(?:\(\d+\))?:\d+(?:[-–]\d+)?"),  # "1958;53:457-81"
    re.compile(r"\b(1[89]|20)\d\d\b"),  # years
    # names with a number: Table 3, Figure 4A, section 6, CD19, ...
    re.compile(
        r"\b(?:Tables?|Figures?|Fig\.|[Ss]ections?|[Ss]teps?|[Ee]xercises?|[Cc]hapters?|"
        r"[Pp]anels?|[Pp]arts?|[Ss]upplementary|version|v)\s*\d+[A-Za-z]?"
        r"(?:[-–, and]+\d+[A-Za-z]?)*"
    ),
    re.compile(r"\b[A-Za-z]+[-_]?\d+[A-Za-z0-9]*\b"),  # CD19, hCART19s, log2, BCR::ABL1
]
_NUMERAL = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
# the paper's "1.42E+06" written as "1.42 × 10⁶" or "1.42 × 10^6"
_POWER_OF_TEN = re.compile(r"(\d+(?:\.\d+)?)\s*[×x]\s*10(?:\^(\d+)|([⁰¹²³⁴⁵⁶⁷⁸⁹]+))")
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _quoted_numbers() -> set[str]:
    """The ledger's published numbers in their printed form.

    Value, CI, p and range of every entry; the counts behind a published percentage
    (numerator and denominator); and every numeral of an entry's quote, which is an exact
    substring of the paper's text (so "2.83 (2.83-1.37)" quotes the paper's 1.37).
    """
    out = set()
    for e in ledger.load().values():
        fields = (e.value, *(e.ci or ()), e.p, *(e.range or ()), e.numerator, e.denominator)
        for x in fields:
            if isinstance(x, (int, float)) and not isinstance(x, bool):
                out.add(f"{x:g}")
        out.update(_canonical(token) for token in _NUMERAL.findall(e.quote))
    return out


def _canonical(token: str) -> str:
    token = token.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", token) else token
    try:
        return f"{float(token):g}"
    except ValueError:
        return token


def typed_numbers(markdown: str, quoted: set[str]) -> list[str]:
    """The numerals in ``markdown`` that are neither glued, allowed nor quoted."""

    def unquoted_power(m: re.Match) -> str:
        exponent = int(m[2] or m[3].translate(_SUPERSCRIPT))
        return " " if f"{float(m[1]) * 10**exponent:g}" in quoted else m[1]

    text = _POWER_OF_TEN.sub(unquoted_power, markdown)
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    found = []
    for token in _NUMERAL.findall(text):
        c = _canonical(token)
        if c not in ALLOWED and c not in quoted:
            found.append(token)
    return found


def _pages():
    return sorted(paths.BOOK.rglob("*.ipynb"))


def _markdown(page) -> str:
    nb = json.loads(page.read_text(encoding="utf-8"))
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_the_scanner_finds_a_typed_number_and_passes_glued_and_quoted_ones():
    quoted = _quoted_numbers()
    assert typed_numbers("At day 731, 23.97 % were at risk.", quoted) == ["731", "23.97"]
    assert typed_numbers("1,240 days", quoted) == []  # the paper's median follow-up
    assert typed_numbers("At day {glue:text}`d`, {glue:text}`n:.0f` are at risk.", quoted) == []
    assert typed_numbers("The paper's 58.3 % in Table 2 (2021).", quoted) == []
    assert typed_numbers("Read the curves at 365 and 1095 days.", quoted) == []  # landmarks
    # a count behind a published percentage, and a numeral of a ledger quote
    assert typed_numbers("Platelets engrafted in 75 of 95; ATG-T 2.83 (2.83-1.37).", quoted) == []
    assert typed_numbers("The 3-year rate is 1096 days away.", quoted) == ["1096"]
    # the paper's "1.42E+06" HR written as a power of ten; a power not in the ledger is typed
    assert typed_numbers("HRs of 1.42 × 10⁶ and 5.66 × 10^6.", quoted) == []
    assert typed_numbers("An HR of 1.43 × 10⁶.", quoted) == ["1.43"]
    assert typed_numbers("*Biometrika* 1994;81:515-26.", quoted) == []  # a reference


# Typed numbers still in pages, page by page: each must go (glued or removed), and the
# list only shrinks. A number typed anew into any page fails the test below.
KNOWN: dict[str, list[str]] = {}


def test_no_page_has_a_typed_number():
    pages = _pages()
    if not pages:
        pytest.fail("no executed pages in book/: run `make book` first (`make test` does)")
    quoted = _quoted_numbers()
    found = {str(p.relative_to(paths.BOOK)): typed_numbers(_markdown(p), quoted) for p in pages}
    new = {k: [n for n in v if n not in KNOWN.get(k, ())] for k, v in found.items()}
    new = {k: v for k, v in new.items() if v}
    assert not new, "typed numbers (glue them or quote the paper):\n" + "\n".join(
        f"{k}: {', '.join(v)}" for k, v in new.items()
    )
    gone = {k: sorted(set(v) - set(found.get(k, ()))) for k, v in KNOWN.items()}
    gone = {k: v for k, v in gone.items() if v}
    assert not gone, f"typed numbers no longer in their page: remove them from KNOWN: {gone}"
