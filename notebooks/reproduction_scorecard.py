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
# **Three kinds of evidence.** A number that matches the paper does not always show the
# same thing, so every record says where its number comes from (`source`) and whether the
# reconstruction was fitted to it (`fitted`):
#
# | kind | source | what a match shows |
# | --- | --- | --- |
# | independent | `counts`: recomputed from counts the paper prints; or `pseudo_patients`, not fitted | the paper's number follows from what it prints: a reproduction |
# | fitted | `pseudo_patients`, fitted | the pseudo-patients were fitted to this number: a match shows the cohort is consistent with the paper, not that the paper was reproduced |
# | text | `text`: read from the paper and checked against another place in its text | the paper agrees with itself: a cross-check, not counted as reproduced |
#
# `fitted` is true when the id is a target of the committed reconstruction spec
# (`data/specs/<paper>.yaml`). A target the spec declares infeasible, which the solver
# leaves out of its loss, is not fitted: nothing pulled the cohort towards it.
#
# **Statuses.**
#
# | status | meaning |
# | --- | --- |
# | `exact` | the reproduced value rounds to the printed value at the printed precision (CI bounds likewise) |
# | `close` | within tolerance: percent ±1 point (CI bounds ±2); medians and days ±5 % (bounds ±10 %); HR within ±10 % and inside the published CI (bounds ±20 %); p on the same side of 0.05 with its odds p/(1−p) within a factor of {glue:text}`p_odds_factor:g` of the printed p's odds |
# | `discrepant` | outside tolerance, with an explanation |
# | `not_reproducible` | the information needed is not published; the explanation says what is missing |
# | `pending` | no chapter records this id yet |
#
# The tolerance of `close` is for estimates made on reconstructed pseudo-patients. Numbers
# that follow exactly from stated counts (`reproducible_from: counts`) are either `exact` or
# `discrepant`. The p-value band is set on the odds scale because a factor on p itself
# means nothing for large p; for small p the two are the same rule.

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
# Look at the status counts and the tables of evidence: they are now those of Cao 2023
# alone. The page reads the records of the last `make book`, so run that first. The command
# writes the rerun page to `_build/rerun/reproduction_scorecard.ipynb`: open it in Jupyter
# to read it.
# ````

# %% tags=["hide-input"]
import json

import pandas as pd
from myst_nb import glue

from cart_hsct import ledger, paths, summary_plots, tables
from cart_hsct.ledger.tolerance import P_ODDS_FACTOR, p_close
from cart_hsct.provenance import provenance

# %% [markdown]
# What the odds band means for a large p: the printed p-values below, with the range of
# reproduced p the rule calls `close`.


# %% tags=["hide-input"]
def band(printed, grid=tuple(i / 10000 for i in range(1, 10000))):
    inside = [q for q in grid if p_close(q, printed)]
    return f"{min(inside):.3f}–{max(inside):.3f}"


bands = pd.DataFrame({"printed p": [0.01, 0.2, 0.5, 0.956]})
bands["close when reproduced p is in"] = bands["printed p"].map(band)
glue("band_0956", band(0.956), display=False)
glue("p_odds_factor", P_ODDS_FACTOR, display=False)
bands

# %% [markdown]
# A printed 0.956 is matched by a reproduced p in {glue:text}`band_0956`, not by anything
# above two thirds as a factor on p would allow.

# %% [markdown]
# ## Where each paper stands

# %% tags=["hide-input"]
rows = json.loads(paths.SCORECARD.read_text(encoding="utf-8"))
everything = pd.DataFrame(rows)
card = everything[everything.paper == paper] if paper else everything
counts = tables.status_counts(card, ledger.STATUSES)
glue("n_ids", len(card), display=False)
glue("n_recorded", int((card.status != "pending").sum()), display=False)
glue("n_contradicted", int(card.contradicted.sum()), display=False)
counts

# %% [markdown]
# The ledger holds {glue:text}`n_ids` published numbers; {glue:text}`n_recorded` of them
# are recorded by a chapter, and {glue:text}`n_contradicted` are marked as contradicted by
# the paper's own numbers: no data set could reproduce those, and they are left out of the
# shares below. Where do the discrepancies sit, chapter by chapter?

# %% tags=["hide-input"]
heat_ax = summary_plots.status_heatmap(card[card.status != "pending"], by="notebook")
heat_ax.set_xlabel("status")
heat_ax.set_ylabel("chapter that records the number")
glue("fig_status_heatmap", heat_ax.figure, display=False)

# %% [markdown]
# ```{glue:figure} fig_status_heatmap
# :name: fig-status-heatmap
# :alt: Heat map with one row per chapter and one column per status (exact, close, discrepant, not reproducible); each cell shows how many of the chapter's published numbers have that status, shaded by their share of the row.
# The published numbers by the chapter that recomputes them and by status. A dark cell in
# the discrepant column points at the chapter whose explanations to read first.
# ```
#
# ## What is reproduced, what is fitted, what is a cross-check
#
# Per paper and kind of evidence: how many numbers, and how many come out exact or close.

# %% tags=["hide-input"]
kinds = ledger.evidence(everything)
for row in kinds.to_dict("records"):
    for col in ("entries", "exact or close", "percent"):
        glue(f"{row['paper']}.{row['kind']}.{col.replace(' ', '_')}", row[col], display=False)
shown = kinds[kinds.paper == paper] if paper else kinds
shown.rename(columns={"percent": "percent exact or close"})

# %% [markdown]
# - **Chen 2021.** Independent reproductions:
#   {glue:text}`chen2021.independent.exact_or_close` of
#   {glue:text}`chen2021.independent.entries` exact or close
#   ({glue:text}`chen2021.independent.percent` % of those not contradicted). Fitted
#   consistency: {glue:text}`chen2021.fitted.exact_or_close` of
#   {glue:text}`chen2021.fitted.entries`. Text cross-checks, not counted as reproduced:
#   {glue:text}`chen2021.text.exact_or_close` of {glue:text}`chen2021.text.entries` agree.
# - **Cao 2023.** Independent reproductions:
#   {glue:text}`cao2023.independent.exact_or_close` of
#   {glue:text}`cao2023.independent.entries` exact or close
#   ({glue:text}`cao2023.independent.percent` % of those not contradicted). Fitted
#   consistency: {glue:text}`cao2023.fitted.exact_or_close` of
#   {glue:text}`cao2023.fitted.entries`. Text cross-checks, not counted as reproduced:
#   {glue:text}`cao2023.text.exact_or_close` of {glue:text}`cao2023.text.entries` agree.
#
# The fitted numbers say how well one reconstructed cohort fits its targets. How much a
# fitted number moves between independent fits (each from its own seed and from scratch)
# is the measure of how firmly the published summaries pin it down; that spread belongs in
# this section and will be shown here once the reconstruction runs its ensemble of
# independent fits. It is not estimated from the single committed cohort.
#
# ## Every published number
#
# Click a column header to sort; type in the box to filter (for example `discrepant`,
# `cao2023.t4` or `Table 3`), or choose a kind of evidence in the drop-downs. The page
# column links to the cell of the chapter that recorded the number.


# %% tags=["hide-input"]
def published(eid):
    return ledger.format_published(ledger.entry(eid))


def reproduced(row):
    rep = row["reproduced"]
    if not rep or row["status"] == "not_reproducible":
        return ""
    return ledger.format_reproduced(rep["value"], rep["ci"], rep["p"], rep["range"])


view = pd.DataFrame(
    {
        "id": card.id,
        "section": card.section,
        "quantity": card.quantity,
        "published": card.id.map(published),
        "reproduced": card.apply(reproduced, axis=1),
        "status": card.status + card.contradicted.map({True: " (contradicted)", False: ""}),
        "source": card.source.fillna(""),
        "fitted": card.fitted.map({True: "fitted", False: "not fitted"}),
        "explanation": card.explanation,
        "page": card.notebook.fillna(""),
    }
)
href = [f"{nb}.html#{a}" if nb else "" for nb, a in zip(card.notebook, card.anchor, strict=True)]
tables.interactive(
    view, links={"page": pd.Series(href, index=view.index)}, filters=("status", "source", "fitted")
)

# %% [markdown]
# The same table, with the comparison behind each status, is written to
# `_build/reproduction/scorecard.json` by every build.

# %% tags=["remove-input"]
provenance()
