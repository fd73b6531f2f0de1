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
