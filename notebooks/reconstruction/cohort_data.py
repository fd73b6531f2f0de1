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
# (cohort-data)=
# # The pseudo-cohorts: downloads and data dictionary
#
# **Question.** What exactly is in the data sets every chapter analyses, and where can a
# reader get them?
#
# ```{warning}
# These are **reconstructed pseudo-patients**, not the studies' patients: one data set among
# many that reproduces the published summaries. {ref}`reconstruction` explains how they were
# made and how far they can be trusted. Use them to rerun and question the book's analyses,
# never as clinical data.
# ```
#
# ## Overview
#
# Each cohort is one CSV file with one row per pseudo-patient, made from a spec
# (`data/specs/<cohort>.yaml`) by `make reconstruct`. The tables below are read off the spec
# and the committed CSV when this page is built: the type and unit of each column, the
# patients it applies to, the values it takes, what it means and how the reconstruction set
# it — a published margin kept exactly, a seeded draw inside published bounds, a day fitted
# to the survival targets, or a formula of other columns.
#
# ## Downloads
#
# | cohort | pseudo-patients | how it was made | the ensemble (what its members are: {ref}`the reconstruction page <reconstruction>`) | the ensemble's cohorts | spec |
# | --- | --- | --- | --- | --- | --- |
# | Chen et al. 2021 | {download}`chen2021.csv <../../data/cohorts/chen2021.csv>` | {download}`chen2021.provenance.json <../../data/cohorts/chen2021.provenance.json>` | {download}`chen2021.ensemble.csv <../../data/cohorts/chen2021.ensemble.csv>` | {download}`chen2021.ensemble_cohorts.csv <../../data/cohorts/chen2021.ensemble_cohorts.csv>` | {download}`chen2021.yaml <../../data/specs/chen2021.yaml>` |
# | Cao et al. 2023 | {download}`cao2023.csv <../../data/cohorts/cao2023.csv>` | {download}`cao2023.provenance.json <../../data/cohorts/cao2023.provenance.json>` | {download}`cao2023.ensemble.csv <../../data/cohorts/cao2023.ensemble.csv>` | {download}`cao2023.ensemble_cohorts.csv <../../data/cohorts/cao2023.ensemble_cohorts.csv>` | {download}`cao2023.yaml <../../data/specs/cao2023.yaml>` |
#
# The published numbers the cohorts were fitted to are the ledgers
# {download}`chen2021.yaml <../../data/published/chen2021.yaml>` and
# {download}`cao2023.yaml <../../data/published/cao2023.yaml>`. In Python,
# `cart_hsct.cohorts.load("<cohort>")` reads a cohort and checks it, and
# `cart_hsct.cohorts.load("<cohort>", seed=k)` reads the independent fit of seed k; the provenance file
# records the spec's SHA-256, the seed, the package version and the status of every target.

# %% tags=["parameters"]
cohorts_to_show = ["chen2021", "cao2023"]
max_levels = 12  # a text column with more distinct values is summarised by their number

# %% [markdown]
# ````{admonition} Try it
# :class: tip
# Rerun this page listing text columns level by level up to 30 distinct values instead of
# 12. From the project folder:
#
# ```bash
# .venv/bin/python -m cart_hsct.rerun reconstruction/cohort_data -p max_levels 30
# ```
#
# Look at the fusion-gene row of Cao's dictionary and the entry dates of Chen's: they are
# now listed value by value with their counts instead of as a number of distinct values; the
# limit only keeps identifiers and dates from flooding the table. The command writes the
# rerun page to `_build/rerun/reconstruction/cohort_data.ipynb`: open it in Jupyter to read
# it.
# ````

# %% tags=["hide-input"]
import pandas as pd
from myst_nb import glue

from cart_hsct import cohorts, tables
from cart_hsct.dictionary import dictionary
from cart_hsct.reconstruct import load_spec

# %% [markdown]
# ## Conventions shared by both cohorts
#
# Times are whole days from the cohort's time origin. An empty cell means "not applicable"
# (the patient is outside the column's population) or "did not happen". For each analysed
# endpoint, `<endpoint>_days` is the time to its first event or censoring, `<endpoint>_event`
# is 1 for an event and 0 otherwise, and `<endpoint>_status` (competing-risks endpoints only)
# is 0 censored, 1 event, 2 competing event first. Patients are censored only
# administratively, at the data cut-off.

# %% tags=["hide-input"]
summary = []
for name in cohorts_to_show:
    spec, df = load_spec(name), cohorts.load(name)
    prov = cohorts.provenance(name)
    summary.append(
        {
            "cohort": name,
            "pseudo-patients": len(df),
            "columns": df.shape[1],
            "time origin": spec.design.origin,
            "accrual": f"{spec.design.accrual_start} to {spec.design.accrual_end}",
            "data cut-off": str(spec.design.cutoff),
            "seed": prov["seed"],
        }
    )
    glue(f"{name}_n_columns", df.shape[1], display=False)
summary = pd.DataFrame(summary).set_index("cohort")
summary

# %% [markdown]
# ## One row per column
#
# Click a header to sort, type in the box to filter (for example `days`, `published` or
# `formula`). The *values* column is computed from the committed cohort; *how* says which
# part of the data the published summaries fix and which part is the reconstruction's own
# choice. A chapter's conclusions can only rest on the first kind.

# %% tags=["hide-input"]
for name in cohorts_to_show:
    glue(f"{name}_dictionary", tables.interactive(dictionary(name, max_levels)), display=False)

# %% [markdown]
# ### Chen et al. 2021
#
# ```{glue} chen2021_dictionary
# ```
#
# ### Cao et al. 2023
#
# ```{glue} cao2023_dictionary
# ```

# %% [markdown]
# ## What the dictionary tells a reader
#
# Chen's cohort has {glue:text}`chen2021_n_columns` columns and Cao's
# {glue:text}`cao2023_n_columns`. Columns marked *published margins* or *fixed* carry the
# paper's information exactly; columns marked *seeded draw* respect published medians and
# ranges but their individual values are invented, so analyses that depend on their exact
# spread (a cut-point search on a continuous marker, say) say little about the real
# patients; event days are fitted to the published curves and tests, and their spread
# across equally good reconstructions is reported in {ref}`reconstruction`.
