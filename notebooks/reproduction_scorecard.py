# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (scorecard)=
# # Reproduction scorecard
#
# **What this page is.** Every number the two papers publish has an id in the ledger
# (`data/published/*.yaml`). Each chapter recomputes the numbers of its section and records
# them against those ids; this page gathers all records. An id no chapter has recorded yet
# is listed as `pending`, so nothing published can quietly go missing.
#
# | status | meaning |
# | --- | --- |
# | `exact` | the reproduced value rounds to the printed value at the printed precision (CI bounds likewise) |
# | `close` | within tolerance: percent ±1 point (CI bounds ±2); medians and days ±5 % (bounds ±10 %); HR within ±10 % and inside the published CI (bounds ±20 %); p on the same side of 0.05 and within a factor of 1.5 |
# | `discrepant` | outside tolerance, with an explanation |
# | `not_reproducible` | the information needed is not published; the explanation says what is missing |
# | `pending` | no chapter records this id yet |
#
# The tolerance of `close` is for estimates made on reconstructed pseudo-patients. Numbers
# that follow exactly from stated counts (`reproducible_from: counts`) are either `exact` or
# `discrepant`.
#
# A record marked *contradicted* is one the paper's own numbers rule out, so that no data
# set could reproduce it; its explanation names the contradiction.

# %% tags=["parameters"]
paper = None  # e.g. "chen2021" to show one paper only

# %% [markdown]
# ````{admonition} Try it
# :class: tip
# Rerun this page for one paper only. From the project folder:
#
# ```bash
# .venv/bin/python -m cart_hsct.rerun reproduction_scorecard -p paper cao2023
# ```
#
# Look at the status counts and the share reproduced: they are now those of Cao 2023 alone.
# The page reads the records of the last `make book`, so run that first. The command writes
# the rerun page to `_build/rerun/reproduction_scorecard.ipynb`: open it in Jupyter to read
# it.
# ````

# %% tags=["hide-input"]
import json

import pandas as pd
from myst_nb import glue

from cart_hsct import ledger, paths, tables
from cart_hsct.provenance import provenance

# %% [markdown]
# ## Where each paper stands

# %% tags=["hide-input"]
rows = json.loads(paths.SCORECARD.read_text(encoding="utf-8"))
card = pd.DataFrame(rows)
if paper:
    card = card[card.paper == paper]
counts = tables.status_counts(card, ledger.STATUSES)
glue("n_ids", len(card), display=False)
glue("n_recorded", int((card.status != "pending").sum()), display=False)
glue("n_contradicted", int(card.contradicted.sum()), display=False)
counts

# %% [markdown]
# The ledger holds {glue:text}`n_ids` published numbers; {glue:text}`n_recorded` of them
# are recorded by a chapter, and {glue:text}`n_contradicted` are marked as contradicted by
# the paper's own numbers.
#
# The share of reproduced numbers is computed separately for the entries that follow from
# stated counts alone and for those that need patient-level data (here: reconstructed
# pseudo-patients), leaving out contradicted entries.

# %% tags=["hide-input"]
judged = card[~card.contradicted]
share = (judged.assign(ok=judged.status.isin(["exact", "close"]))
         .groupby(["paper", "reproducible_from"]).ok.agg(["sum", "count"]))
share["percent exact or close"] = (100 * share["sum"] / share["count"]).round(1)
share.rename(columns={"sum": "exact or close", "count": "entries"})

# %% [markdown]
# ## Every published number
#
# Click a column header to sort; type in the box to filter (for example `discrepant`,
# `cao2023.t4` or `Table 3`).

# %% tags=["hide-input"]
def published(row):
    pub = row["published"]
    text = "not reached" if pub["value"] is None else str(pub["value"])
    if pub["ci"]:
        text += f" ({pub['ci'][0]}–{pub['ci'][1]})"
    if pub["p"] is not None and row["unit"] != "p-value":
        text += f"; p{pub['p_operator'] or '='}{pub['p']}"
    return text


def reproduced(row):
    rep = row["reproduced"]
    if not rep or row["status"] == "not_reproducible":
        return ""
    v = rep["value"]
    text = "not reached" if v is None else (v if isinstance(v, str) else f"{v:.4g}")
    if rep["ci"]:
        text += f" ({rep['ci'][0]:.4g}–{rep['ci'][1]:.4g})"
    if rep["p"] is not None:
        text += f"; p={rep['p']:.3g}"
    return text


view = pd.DataFrame({
    "id": card.id, "section": card.section, "quantity": card.quantity,
    "published": card.apply(published, axis=1), "reproduced": card.apply(reproduced, axis=1),
    "status": card.status + card.contradicted.map({True: " (contradicted)", False: ""}),
    "explanation": card.explanation, "page": card.notebook.fillna(""),
})
tables.interactive(view)

# %% [markdown]
# The same table, with the comparison behind each status, is written to
# `_build/reproduction/scorecard.json` by every build.

# %% tags=["remove-input"]
provenance()
