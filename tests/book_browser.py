"""Helpers for the browser tests of the built book: a local server and one Chromium per worker.

The built HTML is served by :mod:`http.server` on 127.0.0.1 on a free port; every request the
page makes is routed, and anything that would leave the machine is aborted and recorded.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from cart_hsct import paths

CHROMIUM = "/usr/bin/chromium"
# We run as root (no sandbox); the last four flags stop Chromium's own calls to Google.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
SKIP_DIRS = {"_static", "_sources", "_images"}


def html_pages(root: Path = paths.HTML) -> list[str]:
    """Every HTML page of the build (content pages, index, search, genindex), as posix paths."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.html")
        if not SKIP_DIRS & set(p.relative_to(root).parts)
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass  # the test output stays readable; failures are reported by the tests


class BookServer:
    """Serve ``root`` on 127.0.0.1 in a daemon thread; ``origin`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, root: Path):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def chromium_path(preferred: str = CHROMIUM) -> str | None:
    """Debian's Chromium (``make browser`` installs it), or None when it is not installed."""
    return preferred if Path(preferred).exists() else shutil.which("chromium")


MISSING_CHROMIUM = (
    f"Chromium not found at {CHROMIUM} nor on PATH: run `make browser` (it installs "
    "Debian's chromium; the browser tests never download a browser)"
)


@dataclass
class Recorder:
    """What a page did while loading: console errors, page errors, requests off the machine."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.console_errors.clear()
        self.external.clear()

    def on_console(self, msg) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            self.console_errors.append(f"console.error: {msg.text} ({loc.get('url', '?')})")

    def on_pageerror(self, exc) -> None:
        self.console_errors.append(f"page error: {exc}")

    def route(self, route) -> None:
        url = route.request.url
        if url.startswith((self.origin + "/", "data:", "blob:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()


# Every page is a first visit: the theme keeps its light/dark mode in localStorage, and an error
# logged only on a first visit must not depend on which page a worker happened to load first.
FIRST_VISIT_JS = "try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}"

# Wait for what the reader waits for: MathJax typesetting, web fonts, images.
SETTLE_JS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
    new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
}"""

# Every content image in the article (not Sphinx's own _static icons, such as the module index's
# collapse toggle): rendered box, natural width, alt text, enclosing figure's caption.
IMAGES_JS = """() => Array.from(document.querySelectorAll('article img'))
    .filter(img => !/(^|\\/)_static\\//.test(img.getAttribute('src') || '')).map(img => {
  const box = img.getBoundingClientRect();
  const fig = img.closest('figure');
  const cap = fig ? fig.querySelector('figcaption') : null;
  return {src: img.getAttribute('src'), width: box.width, height: box.height,
          naturalWidth: img.naturalWidth, alt: img.getAttribute('alt'),
          figure: fig ? (fig.id || '(no id)') : null,
          caption: cap ? cap.textContent.trim() : ''};
})"""

# The article's headings (level, text) in document order, and whether each data table has a
# header row.
STRUCTURE_JS = """() => {
  const art = document.querySelector('article') || document.body;
  const headings = Array.from(art.querySelectorAll('h1, h2, h3, h4, h5, h6'))
    .map(h => [Number(h.tagName[1]), h.textContent.trim().replace(/#$/, '')]);
  // Sphinx lays out its general and module index with tables of links: not data tables
  const tables = Array.from(art.querySelectorAll('table:not(.indextable):not(.modindextable)'))
    .map((t, i) => {
    const head = t.tHead ? Array.from(t.tHead.querySelectorAll('th')) : [];
    const first = t.rows.length ? Array.from(t.rows[0].cells) : [];
    return {index: i, id: t.id || (t.closest('[id]') || {}).id || '',
            headerRow: head.length > 0
              || (first.length > 0 && first.every(c => c.tagName === 'TH')),
            headerText: head.map(th => th.textContent.trim()).join('').length};
  });
  return {headings, tables};
}"""
