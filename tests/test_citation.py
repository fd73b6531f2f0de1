"""Citation metadata, licence and bibliography: CITATION.cff, LICENSE, book/references.bib."""

from __future__ import annotations

import re

import pytest
import yaml
from pybtex.database import parse_file

from cart_hsct import paths

# {cite}`a`, {cite:p}`a,b`, {cite:t}`a`, {cite:ps}`a` ... (sphinxcontrib-bibtex roles in MyST)
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")

# The method references the book's statistics rest on: key -> DOI (None: the work has no DOI).
METHODS = {
    "kaplanmeier1958": "10.1080/01621459.1958.10501452",
    "greenwood1926": None,  # Reports on Public Health and Medical Subjects no. 33, HMSO
    "gray1988": "10.1214/aos/1176350951",
    "finegray1999": "10.1080/01621459.1999.10474144",
    "firth1993": "10.1093/biomet/80.1.27",
    "heinze2001": "10.1111/j.0006-341X.2001.00114.x",
    "lausen1992": "10.2307/2532740",
    "mantelbyar1974": "10.1080/01621459.1974.10480131",
    "guyot2012": "10.1186/1471-2288-12-9",
    "simonmakuch1984": "10.1002/sim.4780030106",
    "grambsch1994": "10.1093/biomet/81.3.515",
}


def _paper_doi(paper: str) -> str:
    """The DOI printed on the paper's first page (data/papers/<paper>_*.txt)."""
    files = sorted(paths.PAPERS.glob(f"{paper}_*.txt"))
    assert files, f"no text of {paper} in {paths.PAPERS}"
    match = re.search(r"doi:\s*(10\.\d{4,}/\S+)", files[0].read_text(encoding="utf-8"))
    assert match, f"{files[0].name}: no 'doi: 10.xxxx/...' line"
    return match.group(1).rstrip(".").lower()


@pytest.fixture(scope="module")
def cff() -> dict:
    path = paths.ROOT / "CITATION.cff"
    assert path.exists(), "CITATION.cff is missing at the repository root"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bib():
    return parse_file(str(paths.BOOK / "references.bib"), bib_format="bibtex")


def test_citation_cff_has_the_required_fields(cff: dict) -> None:
    for field in ("cff-version", "message", "title", "authors", "license", "references"):
        assert cff.get(field), f"CITATION.cff: field '{field}' is missing or empty"
    assert cff["cff-version"] == "1.2.0"
    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert cff["title"] == config["title"], "CITATION.cff title differs from _config.yml title"
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    licences = cff["license"] if isinstance(cff["license"], list) else [cff["license"]]
    assert set(licences) == {"MIT", "CC-BY-4.0"}, f"CITATION.cff license: {licences}"


def test_citation_cff_references_the_two_papers(cff: dict) -> None:
    dois = {str(ref.get("doi", "")).lower() for ref in cff["references"]}
    expected = {_paper_doi(p) for p in paths.PAPER_IDS}
    assert dois == expected, f"CITATION.cff reference DOIs {dois}, papers print {expected}"


def test_licence_names_mit_and_cc_by() -> None:
    text = (paths.ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in text
    assert "CC BY 4.0" in text and "creativecommons.org/licenses/by/4.0" in text
    for where in ("src/", "tests/", "book/", "data/"):
        assert where in text, f"LICENSE does not say under which licence {where} is"


def test_cite_pattern_finds_every_role() -> None:
    text = "a {cite}`x` b {cite:p}`y, z` c {cite:t}`w` d {cite:ps}`v`"
    keys = [k.strip() for m in CITE.findall(text) for k in m.split(",")]
    assert keys == ["x", "y", "z", "w", "v"]


def test_every_cited_key_is_in_the_bibliography(bib) -> None:
    sources = [
        *paths.NOTEBOOKS.rglob("*.py"),
        *paths.NOTEBOOKS.rglob("*.md"),
        *paths.BOOK.rglob("*.md"),
    ]
    cited: dict[str, str] = {}
    for src in sources:
        for group in CITE.findall(src.read_text(encoding="utf-8")):
            for key in group.split(","):
                cited.setdefault(key.strip(), str(src.relative_to(paths.ROOT)))
    assert cited, "no {cite} role found in notebooks/ or book/: has the syntax changed?"
    missing = {k: where for k, where in cited.items() if k not in bib.entries}
    assert not missing, f"cited but not in book/references.bib (key: first file): {missing}"


def test_bibliography_has_the_papers_and_the_method_references(bib) -> None:
    for paper in paths.PAPER_IDS:
        assert paper in bib.entries, f"book/references.bib: no entry '{paper}'"
        assert bib.entries[paper].fields.get("doi", "").lower() == _paper_doi(paper)
    by_doi = {e.fields.get("doi", "").lower(): k for k, e in bib.entries.items()}
    for key, doi in METHODS.items():
        present = (doi is not None and doi.lower() in by_doi) or key in bib.entries
        assert present, f"book/references.bib: no entry for {key} (doi {doi})"
