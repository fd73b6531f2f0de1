"""The built book in a real browser (Chromium via Playwright), offline, page by page.

``make test`` builds the book first. For every HTML page, in Chromium: no console errors, no
request off the machine, figures that render with real alt text and a caption, headings in order,
data tables with header rows, no axe-core violations. Without a browser: internal links and
anchors resolve, no page or stylesheet fetches anything from another host, MathJax comes from
the build. Then the scorecard's sorting and filtering, the search page, and screenshots
(``_build/screenshots``) of what a reader sees.
"""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from book_browser import (
    CHROMIUM_ARGS,
    FIRST_VISIT_JS,
    IMAGES_JS,
    MISSING_CHROMIUM,
    SETTLE_JS,
    STRUCTURE_JS,
    VIEWPORT,
    BookServer,
    Recorder,
    chromium_path,
    html_pages,
)
from bs4 import BeautifulSoup

from cart_hsct import paths

if not paths.HTML.is_dir():
    pytest.skip(
        f"no built book in {paths.HTML}: run `make book` first (`make test` does)",
        allow_module_level=True,
    )

pytestmark = pytest.mark.build

PAGES = html_pages()
# index.html is only a redirect to the intro (tested on its own); every other page is visited.
VISITED = [p for p in PAGES if p != "index.html"]
SCREENSHOTS = {
    "intro": "book/intro.html",
    "chen2021_survival": "book/chen2021/05_survival.html",
    "cao2023_survival": "book/cao2023/05_survival.html",
    "scorecard": "book/reproduction_scorecard.html",
}

# axe-core findings that come from markup the book does not write (theme, Sphinx, pandas) and
# cannot change from its own CSS or configuration: rule id -> (selector fragment, reason).
AXE_ALLOWLIST: dict[str, tuple[str, str]] = {
    "region": (
        r"\.sidebar-primary-item",
        "sphinx-book-theme puts the primary sidebar's first item outside any landmark",
    ),
    "empty-table-header": (
        r"<th[^>]*>\s*</th>$",
        "pandas' to_html leaves the corner cells above the row index empty",
    ),
    "aria-required-children": (
        r"\.citation-list",
        (
            "docutils marks the bibliography role=list but its entries "
            "role=doc-biblioentry, a role axe-core 4.12 no longer accepts"
        ),
    ),
    "aria-deprecated-role": (
        'role="doc-biblioentry"',
        "docutils' citations carry role=doc-biblioentry",
    ),
    "aria-allowed-role": (
        'role="doc-biblioentry"',
        "docutils' citations carry role=doc-biblioentry",
    ),
}
# Console errors from the build's own tool chain that the book cannot change: substring -> reason.
CONSOLE_ALLOWLIST: dict[str, str] = {}
# Colour contrast is the slowest axe rule (seconds per page on long code, tables and the API
# reference). Code, plain table-body cells and API descriptions share one stylesheet on every
# page, so they are checked in full on one page; styled cells (pandas Styler, ids T_...) always.
CONTRAST_CONTEXT = {
    "include": [["html"], ["td[id^='T_']"]],
    "exclude": [[".highlight"], [".cell_output tbody"], ["dl.py dd"]],
}
CONTRAST_FULL_PAGE = "book/chen2021/04_transplant.html"
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}


# --- fixtures: one server per session, one Chromium and one page per xdist worker ----------


@pytest.fixture(scope="session")
def server():
    with BookServer(paths.HTML) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.fail(MISSING_CHROMIUM)  # a failure, not a skip: `make test` must run these
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def tab(browser, server):
    """One page for the worker; every request goes through the recorder's route."""
    recorder = Recorder(server.origin)
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    context.route("**/*", recorder.route)
    context.add_init_script(FIRST_VISIT_JS)
    page = context.new_page()
    page.on("console", recorder.on_console)
    page.on("pageerror", recorder.on_pageerror)
    page.recorder = recorder
    page.origin = server.origin
    yield page
    context.close()


@functools.cache
def _axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def run_axe(tab, context=None, **options) -> list[dict]:
    """axe-core's violations on the loaded page (``preload`` off: it re-fetches the CSS itself,
    resolving @import against the page instead of the stylesheet, and logs a false 404)."""
    tab.evaluate(_axe_script())
    return tab.evaluate(
        "([c, o]) => axe.run(c || document, o)", [context, {**AXE_OPTIONS, **options}]
    )["violations"]


def real_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(known in e for known in CONSOLE_ALLOWLIST)]


def goto(tab, path: str) -> None:
    tab.recorder.reset()
    tab.goto(f"{tab.origin}/{path}", wait_until="load")
    tab.evaluate(SETTLE_JS)


@pytest.fixture
def visit(tab):
    """Load a page and return what it did and what it shows (one load serves every check)."""

    def _visit(path: str) -> dict:
        goto(tab, path)
        seen = {"images": tab.evaluate(IMAGES_JS), "structure": tab.evaluate(STRUCTURE_JS)}
        seen["axe"] = run_axe(tab, rules={"color-contrast": {"enabled": False}}) + run_axe(
            tab, CONTRAST_CONTEXT, runOnly=["color-contrast"]
        )
        # copied after axe ran, so errors raised while it ran count too
        seen["console"] = list(tab.recorder.console_errors)
        seen["external"] = list(tab.recorder.external)
        return seen

    return _visit


# --- every page in the browser: one load per page, one test per check -----------------------


def console_problems(path: str, seen: dict) -> list[str]:
    return real_errors(seen["console"])


def network_problems(path: str, seen: dict) -> list[str]:
    return [f"request off the machine (aborted): {url}" for url in seen["external"]]


def _is_real_alt(alt: str | None) -> bool:
    """A sentence, not empty and not the file name docutils puts there by default."""
    return (
        bool(alt)
        and not re.search(r"\.(png|jpe?g|svg|gif)$|_images/", alt)
        and len(alt.split()) >= 5
    )


def figure_problems(path: str, seen: dict) -> list[str]:
    problems = []
    for img in seen["images"]:
        where = f"image {img['src']} (figure {img['figure']})"
        if img["width"] <= 0 or img["height"] <= 0:
            problems.append(f"{where} has no rendered size ({img['width']}x{img['height']})")
        if img["naturalWidth"] <= 0:
            problems.append(f"{where} did not load (naturalWidth 0)")
        if img["figure"] is None or not img["caption"]:
            problems.append(
                f"{where} is not in a figure with a caption (alt {img['alt']!r}): "
                "glue it and show it with ```{glue:figure}```, an `:alt:` and a "
                "caption, not with display()"
            )
        elif not _is_real_alt(img["alt"]):
            problems.append(
                f"{where} has no real alt text ({img['alt']!r}): add an `:alt:` "
                "sentence to its glue:figure directive"
            )
    return problems


def _axe_problems(violations: list[dict]) -> list[str]:
    problems = []
    for v in violations:
        allowed = AXE_ALLOWLIST.get(v["id"])
        for node in v["nodes"]:
            target = " ".join(map(str, node["target"]))
            if allowed and re.search(allowed[0], f"{target} {node.get('html', '')}"):
                continue
            problems.append(
                f"{v['id']} ({v['impact']}): {v['help']} at {target}: "
                f"{node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return problems


def axe_problems(path: str, seen: dict) -> list[str]:
    return _axe_problems(seen["axe"])


def structure_problems(path: str, seen: dict) -> list[str]:
    """One h1, headings that never skip a level going down, tables with a header row."""
    problems = []
    headings = seen["structure"]["headings"]
    if [level for level, _ in headings].count(1) != 1:
        problems.append(f"{[level for level, _ in headings].count(1)} h1 headings, not one")
    for (before, _), (level, text) in itertools.pairwise(headings):
        if level > before + 1:
            problems.append(f"heading h{level} {text!r} follows an h{before}")
    problems += [
        f"table {t['index']} (in #{t['id']}) has no header row"
        for t in seen["structure"]["tables"]
        if not t["headerRow"]
    ]
    return problems


CHECKS = {
    "console": console_problems,
    "network": network_problems,
    "figures": figure_problems,
    "structure": structure_problems,
    "axe": axe_problems,
}


@pytest.mark.parametrize("path", VISITED)
def test_page(visit, path):
    """One load per page, every check on it (the failure lists the problems check by check).

    console: no errors; network: nothing off the machine; figures: rendered, real alt text and
    a caption; structure: headings in order, data tables with header rows; axe: no axe-core
    violation outside the allowlist.
    """
    seen = visit(path)
    problems = {check: found for check, run in CHECKS.items() if (found := run(path, seen))}
    assert problems == {}, f"{path}\n" + "\n".join(
        f"  {check}: {line}" for check, lines in problems.items() for line in lines
    )


def test_colour_contrast_of_code_and_table_cells(tab):
    goto(tab, CONTRAST_FULL_PAGE)
    problems = _axe_problems(run_axe(tab, runOnly=["color-contrast"]))
    assert problems == [], f"{CONTRAST_FULL_PAGE}: colour contrast\n" + "\n".join(problems)


def test_a_missing_chromium_fails_with_the_command_that_installs_it(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert chromium_path("/nonexistent/chromium") is None
    assert "make browser" in MISSING_CHROMIUM


def test_index_redirects_to_the_intro(tab):
    tab.recorder.reset()
    tab.goto(f"{tab.origin}/index.html")
    tab.wait_for_url(re.compile(r"/book/intro\.html$"), timeout=5000)
    assert tab.recorder.external == []


# --- static checks: links, offline assets ----------------------------------------------------

_SOUPS: dict[str, BeautifulSoup] = {}


def _soup(path: str) -> BeautifulSoup:
    if path not in _SOUPS:
        _SOUPS[path] = BeautifulSoup((paths.HTML / path).read_text(encoding="utf-8"), "html.parser")
    return _SOUPS[path]


@functools.cache
def _anchors(path: str) -> set[str]:
    soup = _soup(path)
    return {t["id"] for t in soup.find_all(id=True)} | {
        t["name"] for t in soup.find_all("a", attrs={"name": True})
    }


def broken_links(path: str, root: Path = paths.HTML) -> list[str]:
    """Internal ``<a href>`` and ``<img src>`` of one page whose file or ``#anchor`` is missing."""
    base = f"http://book.invalid/{path}"
    broken = []
    for tag, attr in (("a", "href"), ("img", "src")):
        for el in _soup(path).find_all(tag, attrs={attr: True}):
            ref = el[attr].strip()
            if not ref or ref.startswith(("mailto:", "data:", "javascript:")):
                continue
            url = urlsplit(urljoin(base, ref))
            if url.netloc != "book.invalid":
                continue  # a link to the outside world (DOI, journal): not loaded, not checked
            target = unquote(url.path).lstrip("/") or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if not (root / target).is_file():
                broken.append(f"{ref}: no file {target}")
            elif (
                url.fragment
                and target.endswith(".html")
                and unquote(url.fragment) not in _anchors(target)
            ):
                broken.append(f"{ref}: no id {url.fragment!r} in {target}")
    return broken


@pytest.mark.parametrize("path", PAGES)
def test_internal_links_resolve(path):
    assert broken_links(path) == [], f"{path}: broken internal links"


_EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


def external_assets(html: str) -> list[str]:
    """Scripts, stylesheets, fonts and preloads that a page would fetch from another host."""
    soup = BeautifulSoup(html, "html.parser")
    found = [
        f"<script src={s['src']}>"
        for s in soup.find_all("script", src=True)
        if _EXTERNAL.match(s["src"])
    ]
    found += [
        f"<link rel={' '.join(link.get('rel', []))} href={link['href']}>"
        for link in soup.find_all("link", href=True)
        if _EXTERNAL.match(link["href"])
    ]
    for style in soup.find_all("style"):
        found += external_css_urls(style.get_text())
    return found


def external_css_urls(css: str) -> list[str]:
    """``url(http...)`` and ``@import`` of another host in a stylesheet."""
    urls = re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css, re.IGNORECASE)
    imports = re.findall(
        r"@import\s+(?:url\()?\s*['\"]?((?:https?:)?//[^'\")\s;]+)", css, re.IGNORECASE
    )
    return sorted(set(urls + imports))


@pytest.mark.parametrize("path", PAGES)
def test_page_references_no_external_script_stylesheet_or_font(path):
    html = (paths.HTML / path).read_text(encoding="utf-8")
    assert external_assets(html) == [], f"{path}: assets from another host"


def test_built_css_fetches_nothing_from_another_host():
    offenders = {
        css.relative_to(paths.HTML).as_posix(): external_css_urls(
            css.read_text(encoding="utf-8", errors="replace")
        )
        for css in (paths.HTML / "_static").rglob("*.css")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_offline_checks_catch_an_injected_external_script():
    """The check above can fail: a copy of a page with a CDN script (and font) is caught."""
    html = (paths.HTML / "book/intro.html").read_text(encoding="utf-8")
    assert external_assets(html) == []
    tampered = html.replace(
        "</head>",
        '<script src="https://cdn.example.org/x.js"></script>'
        '<style>@import url("https://fonts.example.org/f.css");</style></head>',
    )
    assert len(external_assets(tampered)) == 2


def test_mathjax_is_served_from_the_build():
    with_math = [p for p in PAGES if 'class="math' in (paths.HTML / p).read_text("utf-8")]
    assert with_math, "no page has math: is dollarmath still enabled?"
    for path in with_math:
        srcs = [
            s["src"]
            for s in _soup(path).find_all("script", src=True)
            if "mathjax" in s["src"].lower()
        ]
        assert srcs, f"{path}: has math but loads no MathJax"
        for src in srcs:
            assert not _EXTERNAL.match(src), f"{path}: MathJax from a CDN ({src})"
            assert (paths.HTML / path).parent.joinpath(src.split("?")[0]).resolve().is_file(), src
    fonts = list((paths.HTML / "_static" / "mathjax").rglob("*.woff*"))
    assert fonts, "MathJax's CHTML fonts are not in the build (_static/mathjax)"


# --- the scorecard's table, the search page --------------------------------------------------

SCORECARD = "book/reproduction_scorecard.html"
TABLE = ".sortable-filterable table"


def _column(tab, name: str) -> list[str]:
    return tab.evaluate(
        """([sel, name]) => {
          const t = document.querySelector(sel);
          const heads = Array.from(t.tHead.rows[t.tHead.rows.length - 1].cells);
          const col = heads.findIndex(th => th.textContent.trim() === name);
          if (col < 0) throw new Error('no column ' + name);
          return Array.from(t.tBodies[0].rows).filter(r => r.style.display !== 'none')
                      .map(r => r.cells[col].textContent.trim());
        }""",
        [TABLE, name],
    )


def _in_order(tab, values: list[str], descending: bool) -> bool:
    # the same comparison as sortable.js: numbers numerically, text by localeCompare
    return tab.evaluate(
        """([vals, desc]) => vals.every((v, i) => {
          if (i === 0) return true;
          const a = vals[i - 1], nx = parseFloat(a), ny = parseFloat(v);
          const cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : a.localeCompare(v);
          return desc ? cmp >= 0 : cmp <= 0;
        })""",
        [values, descending],
    )


@pytest.mark.parametrize("column", ["status", "published"])
def test_scorecard_sorts_when_a_header_is_clicked(tab, column):
    goto(tab, SCORECARD)
    before = _column(tab, column)
    assert len(before) > 100 and not _in_order(tab, before, descending=False), (
        f"the scorecard's {column} column is already sorted: choose another column"
    )
    header = tab.locator(f"{TABLE} thead th", has_text=re.compile(rf"^\s*{column}\s*$"))
    header.click()
    ascending = _column(tab, column)
    assert sorted(ascending) == sorted(before) and ascending != before
    assert _in_order(tab, ascending, descending=False), f"{column}: not ascending after a click"
    assert header.get_attribute("aria-sort") == "ascending"
    header.focus()  # a keyboard user sorts the other way with Enter
    tab.keyboard.press("Enter")
    assert _in_order(tab, _column(tab, column), descending=True), (
        f"{column}: not descending after Enter on the sorted header"
    )
    assert header.get_attribute("aria-sort") == "descending"


def test_scorecard_filters_on_what_is_typed(tab):
    goto(tab, SCORECARD)
    total = len(_column(tab, "status"))
    count = tab.locator(".table-filter-count")
    assert re.search(rf"\b{total} of {total} rows", count.inner_text())
    tab.locator("input.table-filter").fill("discrepant")
    statuses = _column(tab, "status")
    assert 0 < len(statuses) < total
    # the status cell reads "discrepant" or "discrepant (contradicted)"
    assert {st.split()[0] for st in statuses} == {"discrepant"}, (
        "a row without that status stays visible"
    )
    assert re.search(rf"\b{len(statuses)} of {total} rows", count.inner_text())
    tab.locator("input.table-filter").fill("")
    assert len(_column(tab, "status")) == total


@pytest.mark.parametrize("column, value", [("source", "text"), ("fitted", "fitted")])
def test_scorecard_filters_on_a_kind_of_evidence(tab, column, value):
    goto(tab, SCORECARD)
    total = len(_column(tab, column))
    tab.locator(f"select.table-filter-select[data-column='{column}']").select_option(value)
    shown = _column(tab, column)
    assert 0 < len(shown) < total and set(shown) == {value}
    tab.locator(f"select.table-filter-select[data-column='{column}']").select_option("")
    assert len(_column(tab, column)) == total


def test_search_finds_a_term_and_links_to_a_chapter(tab):
    goto(tab, "search.html?q=Kaplan")
    results = tab.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15000)
    hrefs = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs, "search for Kaplan found nothing"
    chapters = [h for h in hrefs if re.match(r"^book/(chen2021|cao2023|appraisal|toolkit)/", h)]
    assert chapters, f"no chapter among the results: {hrefs}"
    assert real_errors(tab.recorder.console_errors) == [] and tab.recorder.external == []


@pytest.mark.parametrize("name", SCREENSHOTS)
def test_screenshot_as_a_reader_sees_it(tab, name):
    out = paths.BUILD / "screenshots" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    goto(tab, SCREENSHOTS[name])
    # full page, but the scorecard's 484 rows stop at a few screens (it takes seconds otherwise)
    height = tab.evaluate("document.documentElement.scrollHeight")
    tab.screenshot(
        path=str(out),
        full_page=True,
        clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": min(height, 6000)},
    )
    assert out.stat().st_size > 20_000, f"{out}: suspiciously small screenshot"
    assert real_errors(tab.recorder.console_errors) == []
