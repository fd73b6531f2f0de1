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
# (cao2023-cohort)=
# # Cao 2023: the patients (Tables 1 and 2)
#
# **Question.** Who were the 95 patients who received a second transplant after CAR-T, and
# how long was the road from diagnosis to that second transplant?
#
# This page runs on **reconstructed pseudo-patients**, not on the study's patients: 95
# rows whose margins were set to the published counts and whose continuous values were
# drawn to match the published medians and ranges ([how they were made](reconstruction)).
# Where the paper gives only a median and a range, everything between is an assumption.
#
# ## Overview
#
# {cite:p}`cao2023` describes the patients at the first transplant (Table 1) and at the
# second (Table 2), with counts and percentages, and gives medians and ranges of ages, cell
# doses and of the intervals between diagnosis, first transplant, relapse, CAR-T and second
# transplant ("The median time from diagnosis to first transplant was 244 (range:
# 109-2766) days, while the median time from diagnosis to second transplant was 840
# (range: 313-4486) days").
#
# The counts and percentages follow from the counts alone; the counts chapter
# {ref}`counts-cao2023` recomputes them, including the few printed percentages that are not
# the rounding of `k/95`. Here we rebuild both tables from the pseudo-patients, set them
# beside the published ones, and record the medians and ranges, which need patient-level
# data.
#
# Steps: (1) Table 1; (2) Table 2; (3) ages and cell doses; (4) the timeline to the second
# transplant.

# %% tags=["parameters"]
cohort = "cao2023"
cohort_seed = None  # None: the committed pseudo-cohort; 2-21: another one of the ensemble
show_quartiles = False  # add quartiles to the tables of ages, doses and intervals (not published)

# %% [markdown]
# ````{admonition} Try it
# :class: tip
# Rerun this chapter with quartiles added to the tables of ages, cell doses and intervals.
# From the project folder:
#
# ```bash
# .venv/bin/python -m cart_hsct.rerun cao2023/01_cohort -p show_quartiles True
# ```
#
# Look at the new q1 and q3 columns: the paper prints only medians and ranges, which the
# reconstruction was fitted to; the quartiles are its own seeded draw, not the study's. The
# command writes the rerun page to `_build/rerun/cao2023/01_cohort.ipynb`: open it in
# Jupyter to read it.
# ````

# %% tags=["hide-input"]
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from cart_hsct import cohorts, ledger, pages, plots, provenance
from cart_hsct import proportions as pr

plots.set_theme()

# %% [markdown]
# ## Step 1. Table 1, at the first transplant
#
# Each table row of the paper is a ledger entry `cao2023.t1.<variable>.<level>` with its
# count and denominator. We map every level to the pseudo-patients' coding (a few names
# differ, e.g. the first regimen is the first half of the conditioning sequence) and count.

# %%
pts = cohorts.load(cohort, seed=cohort_seed)
n = len(pts)


def key(value) -> str:
    """A cohort value in the ledger's spelling: lower case, separators as '_'."""
    return re.sub(r"[:/+\-\s]+", "_", str(value).lower()).strip("_")


first_regimen = (
    pts.conditioning_seq.str.split("_")
    .str[0]
    .map({"bu": "bu_based", "tbi": "tbi_based", "mel": "mel_based", "na": "not_available"})
)
second_regimen = (
    pts.conditioning_seq.str.split("_")
    .str[1]
    .map({"bu": "bu_based", "tbi": "tbi_based", "mel": "mel_based"})
)
relapse_site = pts.relapse_site.fillna(pts.post_hsct1_course).map(
    {
        "bone_marrow": "bone_marrow",
        "bm_and_em": "bm_and_em",
        "extramedullary": "extramedullary_site",
        "mrd_only": "only_mrd_positive",
    }
)
columns = {  # ledger variable -> the pseudo-patients' level, in the ledger's spelling
    "t1.sex": pts.sex.map(key),
    "t1.fusion": pts.fusion_gene.map(key),
    "t1.hsct1_type": pts.hsct1_type.map(
        {
            "matched_sibling": "matched_sibling_donor",
            "matched_unrelated": "matched_unrelated_donor",
            "haploidentical": "haploidentical_donor",
            "autologous": "autologous",
            "cord_blood": "cord_blood_transplant",
        }
    ),
    "t1.mrd_pre1": pts.mrd_pre1.map(
        {"negative": "mrd_negative", "positive": "mrd_positive", "not_available": "not_available"}
    ),
    "t1.status_pre1": pts.status_pre1.map(key),
    "t1.abo": pts.abo1.map(key).replace({"bidirectional": "bidirectional_mismatched"}),
    "t1.cond1": first_regimen,
    "t1.source": pts.source1.map(key),
    "t1.relapse_site": relapse_site,
    "t2.hctci": pts.hctci.map(key),
    "t2.donor2": pts.donor2.map(
        {
            "matched_sibling": "matched_sibling_donor",
            "matched_unrelated": "matched_unrelated_donor",
            "haploidentical": "haploidentical",
        }
    ),
    # every second donor differs from the first and every patient was in CR (inclusion criteria)
    "t2.donor_changed": pd.Series("yes", index=pts.index),
    "t2.cart_source": pts.cart_source.map(key),
    "t2.cart_target": pts.cart_target.map(key),
    "t2.mrd_pre2": pts.mrd_pre2.map({"negative": "mrd_negative", "positive": "mrd_positive"}),
    "t2.status_pre2": pd.Series("cr", index=pts.index),
    "t2.abo": pts.abo2.map(key),
    "t2.cond2": second_regimen,
    "t2.cond_seq": pts.conditioning_seq.where(
        ~pts.conditioning_seq.str.startswith("na_"), "not_available"
    ),
    "t2.source": pts.source2.map(key),
    "t2.gvhd_prophylaxis": pts.gvhd_prophylaxis.map(key),
    "t2.atg": pts.atg.map(key),
}


def rebuild(table: str) -> pd.DataFrame:
    rows = []
    for eid, e in ledger.load(cohort).items():
        parts = eid.split(".")
        if parts[1] != table or e.numerator is None:
            continue
        var = ".".join(parts[1:3])
        k = int((columns[var] == parts[3]).sum())
        finding = pr.percent_finding(e.numerator, e.denominator, e.value, pr.printed_decimals(e))
        rows.append(
            {
                "variable": parts[2],
                "level": parts[3],
                "published": f"{e.numerator} ({e.value:.1f}%)",
                "pseudo-patients": f"{k} ({pr.percent(k, n):.1f}%)",
                "same count": k == e.numerator,
                "printed % is k/95 rounded": finding["matches"],
            }
        )
    return pd.DataFrame(rows)


def rounding_slips(table: str) -> str:
    """The rows of ``table`` whose printed percentage is not ``k/n`` rounded, in words."""
    slips = []
    for eid, e in ledger.load(cohort).items():
        parts = eid.split(".")
        if parts[1] != table or e.numerator is None:
            continue
        finding = pr.percent_finding(e.numerator, e.denominator, e.value, pr.printed_decimals(e))
        if not finding["matches"]:
            exact = pr.percent(e.numerator, e.denominator)
            slips.append(f"{e.numerator}/{e.denominator} is {exact:.1f} %, printed {e.value:.1f} %")
    return "; ".join(slips)


table1 = rebuild("t1")
glue("t1_rows", len(table1), display=False)
glue("t1_same", int(table1["same count"].sum()), display=False)
glue(
    "t1_slips", ", ".join(table1.loc[~table1["printed % is k/95 rounded"], "level"]), display=False
)
glue("t1_slip_counts", rounding_slips("t1"), display=False)
male = ledger.entry("cao2023.t1.sex.male")  # printed 56 (59.0%): the exercise's rounding slip
glue("male_pct", pr.percent(male.numerator, male.denominator), display=False)
glue("male_pct_next", pr.percent(male.numerator + 1, male.denominator), display=False)
table1.style.hide(axis="index").set_caption(
    "Table 1 of Cao 2023 (n = 95): published and pseudo-patients"
)

# %% [markdown]
# {glue:text}`t1_same` of the {glue:text}`t1_rows` rows of Table 1 have the published count
# in the pseudo-patients. The printed percentage is not the rounding of `k/95` for
# {glue:text}`t1_slips` ({glue:text}`t1_slip_counts`): rounding slips that the counts
# chapter records.
#
# ## Step 2. Table 2, at the second transplant

# %%
table2 = rebuild("t2")
glue("t2_rows", len(table2), display=False)
glue("t2_same", int(table2["same count"].sum()), display=False)
glue(
    "t2_slips", ", ".join(table2.loc[~table2["printed % is k/95 rounded"], "level"]), display=False
)
glue("t2_slip_counts", rounding_slips("t2"), display=False)
table2.style.hide(axis="index").set_caption(
    "Table 2 of Cao 2023 (n = 95): published and pseudo-patients"
)

# %% [markdown]
# {glue:text}`t2_same` of the {glue:text}`t2_rows` rows match. Percentages off the rounding
# of `k/95`: {glue:text}`t2_slips` ({glue:text}`t2_slip_counts`). The conditioning regimens of the first transplant
# (Table 1) and the first-to-second sequences (Table 2) must agree with each other; the
# pseudo-patients carry the sequence, from which both margins follow.
#
# ## Step 3. Ages and cell doses
#
# Medians and ranges: the paper's only information about these distributions.

# %%
drawn = (
    "Median and range of a continuous variable drawn to match the published ones; "
    "the solver keeps them only approximately when other targets pull."
)
derived_age = (
    "Age at the first HSCT is derived as age at the second minus the interval "
    "between transplants; both are reconstructed from medians and ranges only."
)
medians = {  # row of the table: (ledger id, values, note whatever the status)
    "age at first HSCT (years)": ("cao2023.t1.age_first_hsct", pts.age_hsct1, derived_age),
    "age at second HSCT (years)": ("cao2023.t2.age_second_hsct", pts.age_hsct2, None),
    "MNC (x10^8/kg)": ("cao2023.t2.mnc_dose", pts.mnc_dose, None),
    "CD34+ (x10^6/kg)": ("cao2023.t2.cd34_dose", pts.cd34_dose, None),
    "CD3+ (x10^8/kg)": ("cao2023.t2.cd3_dose", pts.cd3_dose, None),
}
summ = {
    label: pages.record_median(eid, values, note=note, shortfall=drawn, quartiles=show_quartiles)
    for label, (eid, values, note) in medians.items()
}
pd.DataFrame(summ).T

# %% [markdown]
# The median age at the second transplant is {glue:text}`cao2023.t2.age_second_hsct:.1f`
# years (published 22.8). The text's "median age of 21.2 years (range: 2.7-51.7)" is the
# age at the first transplant (Table 1).
#
# ## Step 4. The road to the second transplant
#
# Six published intervals describe the time line: diagnosis to first transplant, first
# transplant to MRD positivity (34 patients) and to overt relapse (92 patients), MRD
# positivity to relapse (31 patients), first to second transplant, and diagnosis to second
# transplant.

# %%
intervals = {
    "cao2023.time.dx_to_hsct1": ("diagnosis → HSCT1", pts.dx_to_hsct1_days),
    "cao2023.time.hsct1_to_mrdpos": ("HSCT1 → MRD+", pts.hsct1_to_mrdpos_days),
    "cao2023.time.hsct1_to_relapse": ("HSCT1 → relapse", pts.hsct1_to_relapse_days),
    "cao2023.time.mrdpos_to_relapse": ("MRD+ → relapse", pts.mrdpos_to_relapse_days),
    "cao2023.time.hsct1_to_hsct2": ("HSCT1 → HSCT2", pts.hsct1_to_hsct2_days),
    "cao2023.time.dx_to_hsct2": ("diagnosis → HSCT2", pts.dx_to_hsct2_days),
}
glue(
    "dx_to_hsct2_sum_of_medians",
    ledger.entry("cao2023.time.dx_to_hsct1").value
    + ledger.entry("cao2023.time.hsct1_to_hsct2").value,
    display=False,
)
timeline = pd.DataFrame(
    {
        label: pages.record_median(eid, values, shortfall=drawn, quartiles=show_quartiles)
        for eid, (label, values) in intervals.items()
    }
).T
timeline

# %% [markdown]
# The medians do not add up, and need not: the median of a sum is not the sum of the
# medians. Diagnosis to first transplant (244 days) plus first to second transplant (518
# days) is {glue:text}`dx_to_hsct2_sum_of_medians` days, while the median from diagnosis to the second transplant is 840. On
# the pseudo-patients, where the last interval is the sum of the first two for every
# patient, the median of the sum is {glue:text}`cao2023.time.dx_to_hsct2:.0f` days.

# %%
fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
labels = [label for label, _ in intervals.values()]
data = [pd.to_numeric(v, errors="coerce").dropna().to_numpy(float) for _, v in intervals.values()]
ax.boxplot(
    data,
    orientation="horizontal",
    tick_labels=labels,
    widths=0.5,
    showfliers=True,
    medianprops={"color": "C0", "lw": 2},
    flierprops={"markersize": 3},
)
pub = [ledger.entry(eid) for eid in intervals]
ys = np.arange(1, len(pub) + 1)
ax.scatter(
    [e.value for e in pub],
    ys,
    marker="D",
    facecolor="none",
    edgecolor="C1",
    s=60,
    zorder=3,
    label="published median",
)
ax.scatter(
    [e.range[0] for e in pub] + [e.range[1] for e in pub],
    np.r_[ys, ys],
    marker="|",
    color="C1",
    s=200,
    zorder=3,
    label="published range",
)
ax.set_xscale("log")
ax.set_xlabel("Days (log scale)")
ax.invert_yaxis()
ax.legend(loc="lower right")
glue("fig_timeline", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_timeline
# :name: fig-cao-timeline
# :alt: Horizontal box plots of the intervals on the way to the second transplant for the pseudo-patients, with the published medians as diamonds and the published ranges as bars.
# Intervals on the way to the second transplant: box plots of the pseudo-patients, with the
# published medians (diamonds) and ranges (bars). Where a box's median line sits on its
# diamond and its whiskers reach the bars, the reconstruction keeps the published summary;
# the quartiles in between are not published and are the reconstruction's assumption. The
# ranges span more than a decade: some patients relapsed years after the first transplant.
# ```
#
# ## Published vs reproduced

# %% tags=["remove-input"]
ledger.box()

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: cao-cohort-ex1
# For a percentage printed with one decimal, which numerators `k` out of 95 print as 59.0 %?
# Use `proportions.numerators_for`. What does the answer say about the printed "56 (59.0%)"?
# ```
#
# ```{solution-start} cao-cohort-ex1
# :class: dropdown
# ```
# `pr.numerators_for(59.0, 95, 1)` is empty: no `k` out of 95 prints as 59.0 % (56/95 =
# {glue:text}`male_pct:.3f` % rounds to {glue:text}`male_pct:.1f` %, 57/95 is
# {glue:text}`male_pct_next:.1f` %). Rounding twice, {glue:text}`male_pct:.3f` →
# {glue:text}`male_pct:.2f` → 59.0, gives the printed value: a rounding slip, not a different
# count.
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: cao-cohort-ex2
# Three patients became MRD-positive after the first transplant and never relapsed, 31 first
# became MRD-positive and then relapsed, and 61 relapsed directly. Check from the
# pseudo-patients that the Table 1 relapse sites (71 + 5 + 16) and "only MRD-positive" (3)
# partition the 95 patients, and that 92 of them have a time to relapse.
# ```
#
# ```{solution-start} cao-cohort-ex2
# :class: dropdown
# ```
# `pts.post_hsct1_course.value_counts()` and `pts.relapse_site.value_counts(dropna=False)`;
# `pts.hsct1_to_relapse_days.notna().sum()` is 92.
# ```{solution-end}
# ```

# %% tags=["remove-input"]
provenance.provenance()
