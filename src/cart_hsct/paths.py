"""Every path the project reads or writes, in one place."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("CART_HSCT_ROOT", Path(__file__).resolve().parents[2]))
DATA = ROOT / "data"
PUBLISHED = DATA / "published"
SPECS = DATA / "specs"
COHORTS = DATA / "cohorts"
PAPERS = DATA / "papers"
NOTEBOOKS = ROOT / "notebooks"
REFERENCE = ROOT / "tests" / "reference"  # R scripts and the parity fixtures they wrote
BOOK = ROOT / "book"
BUILD = ROOT / "_build"
HTML = BUILD / "html"
CACHE = BUILD / "cache"
REPRODUCTION = Path(os.environ.get("CART_HSCT_REPRODUCTION", BUILD / "reproduction"))
SCORECARD = REPRODUCTION / "scorecard.json"
RERUNS = Path(os.environ.get("CART_HSCT_RERUNS", BUILD / "rerun"))  # python -m cart_hsct.rerun
PAPER_IDS = ("chen2021", "cao2023")

#: The files a reconstruction writes for a cohort, by what they hold.
COHORT_FILES = {
    "cohort": "{cohort}.csv",  # the committed pseudo-cohort
    "provenance": "{cohort}.provenance.json",  # how it was made and how close it comes
    "members": "{cohort}.ensemble.csv",  # one row per independent fit: seed, fidelity, loss
    "spread": "{cohort}.ensemble_targets.csv",  # per target, its spread over the fits
    "member_cohorts": "{cohort}.ensemble_cohorts.csv",  # every fit's pseudo-cohort
}


def cohort_file(cohort: str, kind: str, directory: Path | None = None) -> Path:
    """``data/cohorts`` (or ``directory``) / the ``kind`` file of ``cohort`` (``COHORT_FILES``)."""
    if kind not in COHORT_FILES:
        raise KeyError(f"no cohort file of kind {kind!r}; kinds: {sorted(COHORT_FILES)}")
    return Path(directory or COHORTS) / COHORT_FILES[kind].format(cohort=cohort)
