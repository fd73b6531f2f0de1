"""Every page that runs on pseudo-patients says so near its top and links to the chapter
that explains them."""

from __future__ import annotations

import re

import pytest

from cart_hsct import paths

# the pages that load a pseudo-cohort, except the one that explains them
NOTEBOOKS = sorted(
    p
    for p in (paths.ROOT / "notebooks").rglob("*.py")
    if re.search(r"cohorts\.(load|ensemble)\(", p.read_text(encoding="utf-8"))
    and "(reconstruction)=" not in p.read_text(encoding="utf-8")
)


def test_the_pages_on_pseudo_patients_are_found():
    assert len(NOTEBOOKS) >= 15  # both papers' chapters and the appraisal pages


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_page_on_pseudo_patients_says_so_near_its_top(notebook):
    text = notebook.read_text(encoding="utf-8")
    top = (
        text[: text.index('tags=["parameters"]')]
        if 'tags=["parameters"]' in text
        else "\n".join(text.splitlines()[:60])
    )
    assert "pseudo-patients" in top.lower(), (
        f"{notebook.name}: no word of pseudo-patients before its code"
    )
    assert "](reconstruction)" in top or "{ref}`reconstruction`" in top, (
        f"{notebook.name}: no link to the reconstruction chapter near its top"
    )
