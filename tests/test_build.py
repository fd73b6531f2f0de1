"""The build pipeline on a small throw-away book: caching, failure paths, staged HTML."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cart_hsct import paths

pytestmark = pytest.mark.build

GOOD = """# %% [markdown]
# # A page
# %% tags=["parameters"]
n = 3
# %%
from myst_nb import glue
glue("total", n * 2, display=False)
# %% [markdown]
# Twice {glue:text}`total` is computed.
"""

BAD = """# %% [markdown]
# # A page that fails
# %%
x = 1
# %%
raise RuntimeError("deliberate failure for the test")
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("book")
    shutil.copy(paths.ROOT / "_config.yml", root)
    shutil.copytree(paths.BOOK / "_static", root / "book" / "_static")
    shutil.copytree(paths.BOOK / "_ext", root / "book" / "_ext")  # local Sphinx extensions
    shutil.copy(paths.BOOK / "references.bib", root / "book")
    (root / "book" / "intro.md").write_text("# Intro\n\nA test book.\n")
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/demo/page\n"
    )
    (root / "notebooks" / "demo").mkdir(parents=True)
    (root / "notebooks" / "demo" / "page.py").write_text(GOOD)
    shutil.copytree(paths.PUBLISHED, root / "data" / "published")
    return root


def _build(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CART_HSCT_ROOT": str(root)}
    env.pop("CART_HSCT_REPRODUCTION", None)
    return subprocess.run(
        [sys.executable, "-m", "cart_hsct.build"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_build_caches_and_a_failing_notebook_keeps_the_old_html(project):
    first = _build(project)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "executed demo/page" in first.stdout
    # quiet: one line per notebook and a summary; no kernel's log lines (TCP warning, the
    # SIGINT jupyter_client sent before a shutdown)
    assert first.stderr == "", first.stderr[-3000:]
    assert re.search(
        r"^Done in [\d.]+ s: 1 notebooks run, 0 unchanged$", first.stdout, re.MULTILINE
    ), first.stdout
    index = project / "_build" / "html" / "book" / "demo" / "page.html"
    assert "Twice" in index.read_text() and "6" in index.read_text()
    before = index.read_bytes()

    again = _build(project)
    assert again.returncode == 0 and "executed" not in again.stdout  # nothing changed: cached
    assert "HTML: unchanged" in again.stdout

    bad = project / "notebooks" / "demo" / "bad.py"
    bad.write_text(BAD)
    (project / "notebooks" / "demo" / "page.py").write_text(GOOD.replace("n = 3", "n = 4"))
    try:
        failed = _build(project)
    finally:
        bad.unlink()
    assert failed.returncode == 1
    assert "notebooks/demo/bad.py" in failed.stderr
    assert "cell 2" in failed.stderr and "deliberate failure for the test" in failed.stderr
    assert index.read_bytes() == before  # the published HTML is untouched
    assert not (project / "book" / "demo" / "bad.ipynb").exists()


def test_broken_page_reference_fails_the_html_step_and_keeps_old_html(project):
    assert _build(project).returncode == 0
    index = project / "_build" / "html" / "book" / "demo" / "page.html"
    before = index.read_bytes()
    intro = project / "book" / "intro.md"
    text = intro.read_text()
    intro.write_text(text + "\nSee {ref}`no-such-label`.\n")  # -W -n turns this into an error
    try:
        failed = _build(project)
    finally:
        intro.write_text(text)
    assert failed.returncode == 1 and "jupyter-book build failed" in failed.stderr
    assert index.read_bytes() == before


def test_a_change_to_a_local_extension_rewrites_every_page(project):
    assert _build(project).returncode == 0
    page = project / "_build" / "html" / "book" / "demo" / "page.html"
    ext = project / "book" / "_ext" / "unique_scripts.py"
    text = ext.read_text()
    # an extension that stamps every page: pages whose source did not change get it too
    ext.write_text(
        text.replace(
            "def setup(app):",
            "def setup(app):\n    app.add_js_file(None, body='var stampedEverywhere = 1;')",
        )
    )
    try:
        assert _build(project).returncode == 0
        assert "stampedEverywhere" in page.read_text()
    finally:
        ext.write_text(text)
    assert _build(project).returncode == 0
    assert "stampedEverywhere" not in page.read_text()
