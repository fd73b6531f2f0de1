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
# (appraisal-forensics)=
# # Forensics: every inconsistency found in either paper
#
# **Question.** Which published numbers of Chen et al. {cite:p}`chen2021` and Cao et al.
# {cite:p}`cao2023` cannot all be true at once, or cannot be what the paper says they are,
# and what computation shows it?
#
# ## Overview
#
# One row per inconsistency, with the computation that demonstrates it, the ledger ids
# involved and how the book treats them. The table is assembled here from what the project
# already holds, not typed: the records the reproduction pages wrote, the conflicts,
# exclusions and notes declared in the reconstruction specs, and a few checks computed on
# the spot from ledger values.
#
# This page needs no pseudo-patients: every demonstration uses published numbers, exact
# counts or the study design only. It reproduces no published number, so it records nothing
# in the ledger.

# %% tags=["parameters"]
papers = ("chen2021", "cao2023")
landmarks = ("1y", "3y")  # Cao's LFS, RI and NRM are printed at 1 and 3 years
followup_id = "chen2021.followup.median_abstract"  # median follow-up with its "range"
with_count_slips = True  # also list discrepant count records, not only contradicted ones

# %% [markdown]
# ````{admonition} Try it
# :class: tip
# Rerun this chapter keeping only the records that no rounding or method can explain
# (*contradicted*), without the discrepant count records. From the project folder:
#
# ```bash
# .venv/bin/python -m cart_hsct.rerun appraisal/forensics -p with_count_slips False
# ```
#
# Compare the number of rows with the book's: what is left are the inconsistencies that
# matter, the printing slips are gone. The command writes the rerun page to
# `_build/rerun/appraisal/forensics.ipynb`: open it in Jupyter to read it (it reads the
# records of the last `make book`).
# ````

# %% tags=["hide-input"]
import pandas as pd
from myst_nb import glue

from cart_hsct import ledger, paths, tables
from cart_hsct.reconstruct import load_spec

# %% [markdown]
# ## 1. What the reproduction pages found
#
# Each reproduction page writes its records to `_build/reproduction/<page>.json`; the
# scorecard is built from them at the end of the book, after this page. So the records are
# read directly (`ledger.build_scorecard`, the function the scorecard itself uses), not the
# previous build's `scorecard.json`. Kept are the records marked *contradicted* (no
# rounding or method makes the printed number come out) and, unless `with_count_slips` is
# off, the *discrepant* records of the exact count analyses, each with the explanation its
# page gave. Records with the same explanation (two numbers of one identity) make one row. On a fresh clone, before the
# reproduction pages have run, there are no records and this part is empty.

# %%
cards = pd.DataFrame(ledger.build_scorecard(paths.REPRODUCTION))
status_of = dict(zip(cards["id"], cards["status"], strict=True))
contra_of = dict(zip(cards["id"], cards["contradicted"], strict=True))
keep = cards["contradicted"] | (
    with_count_slips & (cards["status"] == "discrepant") & (cards["reproducible_from"] == "counts")
)
found = cards[keep]
rows = []
for (paper, expl), grp in found.groupby(["paper", "explanation"], sort=True):
    rows.append(
        {
            "paper": paper,
            "source": "reproduction record",
            "what is inconsistent": "; ".join(grp["quantity"].unique()),
            "demonstration": expl + " [" + "; ".join(grp["comparison"]) + "]",
            "ledger ids": list(grp["id"]),
        }
    )
glue("n_records", int(keep.sum()), display=False)
glue("n_record_rows", len(rows), display=False)
glue("n_pending", int((cards["status"] == "pending").sum()), display=False)
pd.crosstab(found["paper"], found["status"]) if len(found) else "no records yet"

# %% [markdown]
# {glue:text}`n_records` records qualify and make {glue:text}`n_record_rows` rows;
# {glue:text}`n_pending` ledger ids have no record (yet) in this build.
#
# ## 2. What the reconstruction specs declare
#
# A reconstruction spec ([the reconstruction chapter](reconstruction)) lists the published
# numbers that no data set can reproduce together (*conflicts*, with the ones it honours),
# the ones it leaves out and why (*excluded*), and notes on definitions. Not every exclusion
# is an inconsistency of the paper (some are definitions or need data the paper does not
# give); they are listed so the reader can judge.


# %%
def spec_rows(paper):
    spec = load_spec(paper)
    out = []
    for c in spec.conflicts:
        kept = ", ".join(c.honour) if c.honour else "none"
        out.append(
            {
                "paper": paper,
                "source": "spec conflict",
                "what is inconsistent": "published numbers no data set reproduces "
                f"together (honoured: {kept})",
                "demonstration": " ".join(c.reason.split()),
                "ledger ids": list(c.ids),
            }
        )
    by_reason = {}
    for x in spec.excluded:
        by_reason.setdefault(" ".join(x.reason.split()), []).append(x.id)
    for reason, ids in by_reason.items():
        out.append(
            {
                "paper": paper,
                "source": "spec exclusion",
                "what is inconsistent": "left out of the reconstruction",
                "demonstration": reason,
                "ledger ids": ids,
            }
        )
    for key, text in (spec.raw.get("notes") or {}).items():
        text = " ".join(str(text).split())
        ids = sorted(i for i in ledger.load(paper) if i in text)
        out.append(
            {
                "paper": paper,
                "source": f"spec note {key}",
                "what is inconsistent": key.replace("_", " "),
                "demonstration": text,
                "ledger ids": ids,
            }
        )
    return out


for p in papers:
    rows += spec_rows(p)

# %% [markdown]
# ## 3. Checks computed here
#
# **Cao: LFS + RI + NRM.** If NRM is death without a prior relapse, every patient is at a
# given time either alive in remission (LFS), relapsed (RI) or dead without relapse (NRM),
# so the three must add up to 100 %.

# %%
cao = ledger.load("cao2023")
sums = {}
for t in landmarks:
    ids = [f"cao2023.{e}_{t}.all" for e in ("lfs", "ri", "nrm")]
    total = sum(cao[i].value for i in ids)
    sums[t] = total
    glue(f"sum_{t}", f"{total:.1f}", display=False)
    rows.append(
        {
            "paper": "cao2023",
            "source": "computed here",
            "what is inconsistent": f"LFS + RI + NRM at {t} is not 100 %",
            "demonstration": " + ".join(f"{cao[i].value:g}" for i in ids) + f" = {total:.1f} %",
            "ledger ids": ids,
        }
    )
pd.Series(sums, name="LFS + RI + NRM, %")

# %% [markdown]
# The printed values add up to {glue:text}`sum_1y` % at 1 year and {glue:text}`sum_3y` %
# at 3 years; the spec note on the NRM definition (row above) explains what the paper's
# "NRM" counts instead.
#
# **Chen: the follow-up "range".** The longest follow-up anyone can have runs from the start
# of accrual to the data cut-off of the spec; the printed range ends beyond it.

# %%
fu = ledger.entry(followup_id)
design = load_spec("chen2021").design
shortest, longest = design.followup_bounds
excess = fu.range[1] - longest
half = (fu.range[1] - fu.range[0]) / 2
glue("fu_high", f"{fu.range[1]:g}", display=False)
glue("fu_longest", f"{longest}", display=False)
glue("fu_excess", f"{excess:g}", display=False)
glue("fu_start", f"{design.accrual_start}", display=False)
glue("fu_cutoff", f"{design.cutoff}", display=False)
glue("fu_mid", f"{(fu.range[0] + fu.range[1]) / 2:g}", display=False)
rows.append(
    {
        "paper": "chen2021",
        "source": "computed here",
        "what is inconsistent": "follow-up 'range' longer than possible",
        "demonstration": f"range end {fu.range[1]:g} d > {longest} d "
        f"({design.accrual_start} to {design.cutoff}), by {excess:g} d;"
        f" midpoint {(fu.range[0] + fu.range[1]) / 2:g}, median {fu.value:g},"
        f" half-width {half:g} (symmetric, as a CI is)",
        "ledger ids": [followup_id],
    }
)
pd.Series(
    {
        "range end, d": fu.range[1],
        "longest possible, d": longest,
        "excess, d": excess,
        "median, d": fu.value,
        "range midpoint, d": (fu.range[0] + fu.range[1]) / 2,
    }
)

# %% [markdown]
# The range ends at day {glue:text}`fu_high`, but nobody accrued from
# {glue:text}`fu_start` and followed to {glue:text}`fu_cutoff` can have more than
# {glue:text}`fu_longest` days: {glue:text}`fu_excess` days too many. The interval is
# symmetric about the median ({glue:text}`fu_mid`), as a confidence interval is and a range
# of follow-up times rarely is.
#
# ## All inconsistencies
#
# A reproduction record on the same ids as a check of section 3 is dropped (same
# inconsistency). The status is the one the book's records give each id (`pending` where
# no page recorded it in this build, `contradicted` added where the record says no rounding
# or method explains the printed number).


# %%
def book_status(ids):
    out = []
    for i in ids:
        s = status_of.get(i, "not in ledger")
        out.append(f"{i.split('.', 1)[1]}: {s}" + (" (contradicted)" if contra_of.get(i) else ""))
    return "; ".join(out)


table = pd.DataFrame(rows)
# a record whose ids a check of section 3 already covers is the same inconsistency: one row
computed = set().union(*table.loc[table["source"] == "computed here", "ledger ids"].map(set))
dup = (table["source"] == "reproduction record") & table["ledger ids"].map(
    lambda ids: set(ids) <= computed
)
table = table[~dup]
table["status in the book"] = table["ledger ids"].map(book_status)
table["ledger ids"] = table["ledger ids"].map(", ".join)
table = table.sort_values(["paper", "source"], kind="stable").reset_index(drop=True)
per_paper = table["paper"].value_counts().reindex(list(papers), fill_value=0)
for p in papers:
    glue(f"n_rows_{p}", int(per_paper[p]), display=False)
glue("n_rows", len(table), display=False)
tables.interactive(
    table[
        [
            "paper",
            "what is inconsistent",
            "demonstration",
            "ledger ids",
            "status in the book",
            "source",
        ]
    ]
)

# %%
pd.crosstab(table["paper"], table["source"], margins=True, margins_name="all")

# %% [markdown]
# ## Conclusion
#
# The table has {glue:text}`n_rows` rows: {glue:text}`n_rows_chen2021` for Chen et al. and
# {glue:text}`n_rows_cao2023` for Cao et al. Most rows of the count analyses are printing
# slips (percentages truncated or rounded twice) that change nothing; the rows that matter
# are those where no data set can give all the printed numbers at once (the spec conflicts),
# where a printed quantity cannot be what it is called (Cao's "NRM", Chen's follow-up
# "range"), and where a number needs a denominator other than the stated one. They are
# reasons to read the affected estimates as approximate, and to prefer the identities the
# papers' own numbers obey over any single printed value.
