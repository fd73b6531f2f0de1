"""Write each page's scripts once.

Under Sphinx 7.4, sphinx-thebe registers its inline configuration script twice, and the
second copy re-declares a ``const``: a console error on every page. Identical scripts are
dropped from the page context; the first copy stays where it was.
"""

from __future__ import annotations


def _dedupe(app, pagename, templatename, context, doctree):
    seen, kept = set(), []
    for script in context.get("script_files", []):
        # an inline script is registered once with filename None and once with '': compare
        # what the page would write
        if isinstance(script, str):
            key = (script, ())
        else:
            key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
