"""The built book (``make test`` builds it first): scorecard, pages, offline HTML."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
import yaml

from cart_hsct import ledger, paths

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def scorecard() -> list[dict]:
    if not paths.SCORECARD.exists():
        pytest.fail("no scorecard: run `make book` first (`make test` does)")
    return json.loads(paths.SCORECARD.read_text(encoding="utf-8"))


def _toc_files() -> list[str]:
    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        for chapter in part["chapters"]:
            files.append(chapter["file"])
            files += [s["file"] for s in chapter.get("sections", [])]
    return files


def test_scorecard_has_every_ledger_id_once_with_a_known_status(scorecard):
    ids = [r["id"] for r in scorecard]
    assert len(ids) == len(set(ids)) == len(ledger.load()) == 484
    assert {r["status"] for r in scorecard} <= set(ledger.STATUSES)


def test_every_discrepancy_is_explained(scorecard):
    unexplained = [
        r["id"]
        for r in scorecard
        if r["status"] in ("discrepant", "not_reproducible") or r["contradicted"]
        if not r["explanation"].strip()
    ]
    assert unexplained == []


def test_every_counts_entry_is_recorded(scorecard):
    pending = [
        r["id"]
        for r in scorecard
        if r["reproducible_from"] == "counts" and r["status"] == "pending"
    ]
    assert pending == []


def test_every_toc_page_is_built_and_notebooks_ran_without_errors():
    for file in _toc_files():
        assert (paths.HTML / f"{file}.html").exists(), file
    for executed in paths.BOOK.rglob("*.ipynb"):
        nb = nbformat.read(executed, as_version=4)
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
        assert errors == [], executed


def test_every_notebook_is_in_the_table_of_contents():
    toc = set(_toc_files())
    pages = {
        f"book/{p.relative_to(paths.NOTEBOOKS).with_suffix('').as_posix()}"
        for p in paths.NOTEBOOKS.rglob("*.py")
    }
    assert pages - toc == set()


def test_glued_figures_reach_the_html():
    """A page that glues a figure shows it as an image (no figure silently dropped)."""
    for executed in paths.BOOK.rglob("*.ipynb"):
        nb = nbformat.read(executed, as_version=4)
        glued_figures = sum(
            "image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])
        )
        if glued_figures:
            page = paths.HTML / executed.relative_to(paths.ROOT).with_suffix(".html")
            assert "<img" in page.read_text(encoding="utf-8"), page


def test_no_figure_is_glued_as_text_only():
    """A Figure whose PNG formatter was not registered reaches the page as '<Figure size ...>'."""
    lost = []
    for executed in paths.BOOK.rglob("*.ipynb"):
        nb = nbformat.read(executed, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                for mime, text in out.get("data", {}).items():
                    if (
                        "text/plain" in mime
                        and "<Figure size" in str(text)
                        and not any("image/png" in m for m in out["data"])
                    ):
                        lost.append(executed.name)
    assert lost == []


RESOURCE = re.compile(
    r'<(?:script|img|iframe)[^>]*\ssrc="(https?:)?//|<link[^>]*\shref="(https?:)?//'
)


def test_html_loads_nothing_from_the_network():
    offenders = [
        p.relative_to(paths.HTML).as_posix()
        for p in paths.HTML.rglob("*.html")
        if RESOURCE.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert (paths.HTML / "_static" / "mathjax" / "tex-chtml.js").exists()


def test_rerunning_a_page_gives_byte_identical_records(tmp_path, monkeypatch):
    """Determinism: the counts page for Chen, executed again, records exactly the same."""
    import jupytext
    import papermill

    built = paths.REPRODUCTION / "counts__chen2021.json"
    monkeypatch.setenv("CART_HSCT_REPRODUCTION", str(tmp_path))
    monkeypatch.setenv("CART_HSCT_NOTEBOOK", "counts/chen2021")
    source = tmp_path / "page.ipynb"
    jupytext.write(jupytext.read(paths.NOTEBOOKS / "counts" / "chen2021.py"), source)
    papermill.execute_notebook(
        str(source),
        str(tmp_path / "out.ipynb"),
        kernel_name="python3",
        cwd=str(paths.ROOT),
        progress_bar=False,
    )
    assert (tmp_path / "counts__chen2021.json").read_bytes() == built.read_bytes()


def test_scorecard_rows_say_what_kind_of_evidence_they_are(scorecard):
    recorded = [r for r in scorecard if r["status"] not in ("pending", "not_reproducible")]
    assert recorded and all(r["source"] in ledger.SOURCES for r in recorded)
    assert all(isinstance(r["fitted"], bool) for r in scorecard)
    kinds = {r["kind"] for r in recorded}
    assert kinds == {"independent", "fitted", "text"}
    # text cross-checks are the counts chapters' stated numbers, never pseudo-patient numbers
    assert {r["notebook"] for r in recorded if r["kind"] == "text"} <= {
        "counts/chen2021",
        "counts/cao2023",
    }


def test_every_scorecard_row_links_to_the_cell_that_recorded_it(scorecard):
    """The page column of the scorecard's table links to an anchor in the recording page."""
    import html as html_lib
    import re

    page = (paths.HTML / "book" / "reproduction_scorecard.html").read_text(encoding="utf-8")
    hrefs = set(re.findall(r'<a href="([^"]+\.html#record-[^"]+)"', page))
    recorded = [r for r in scorecard if r["notebook"]]
    assert len(hrefs) == len(recorded) > 400
    missing = []
    for href in sorted(hrefs):
        target, anchor = html_lib.unescape(href).split("#")
        text = (paths.HTML / "book" / target).read_text(encoding="utf-8")
        if f'id="{anchor}"' not in text:
            missing.append(href)
    assert missing == []
