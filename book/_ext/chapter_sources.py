"""Offer each chapter's Jupytext source (``notebooks/<page>.py``) in the page's download menu.

The pages are executed notebooks (``book/<page>.ipynb``), so the theme's menu already
offers the ``.ipynb`` with its outputs; this adds the ``.py`` a reader edits and reruns.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def _add_source(app, pagename, templatename, context, doctree):
    source = (
        Path(app.srcdir) / "notebooks" / f"{Path(pagename).relative_to('book')}.py"
        if pagename.startswith("book/")
        else None
    )
    if source is None or not source.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        buttons = list(group["buttons"])  # the source .ipynb (executed), then the .pdf
        buttons.insert(
            1,
            {
                "type": "link",
                "url": f"{context['pathto']('_sources', 1)}/{pagename}.py",
                "text": ".py",
                "tooltip": "Download the Jupytext source (rerun it with papermill)",
                "icon": "fas fa-file-code",
                "label": "download-py-button",
            },
        )
        group["buttons"] = buttons


def setup(app):
    # after sphinx-book-theme fills the header buttons (priority 501)
    app.connect("html-page-context", _add_source, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
