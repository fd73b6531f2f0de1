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
# (reconstruction)=
# # How the pseudo-patients were made
#
# **Question.** Neither study published its patient-level data. How can the book re-run
# Kaplan-Meier curves, log-rank tests and Cox models at all, and how far can the results be
# trusted?
#
# ## Overview
#
# Every chapter that re-analyses a study runs on **pseudo patient-level data**
# ("pseudo-IPD"): a data set *fitted* so that the papers' published summaries — group
# sizes, covariate margins, landmark survival rates, medians, log-rank p-values, hazard
# ratios, median follow-up — come out again when the book's own, R-validated analysis code
# is run on it. The pseudo-patients are not the study's patients. They are one of many data
# sets that agree with what was printed. This page explains how they are made, shows how
# close they come to each published number, how much the answers change between equally
# good reconstructions, and tests the method on a cohort whose true data are known.

# %% tags=["parameters"]
cohorts_to_show = ["chen2021", "cao2023"]
roundtrip_seed = 2024
roundtrip_iterations = 900

# %% [markdown]
# ````{admonition} Try it
# :class: tip
# Rerun this chapter with another simulated "true" cohort in the round trip. From the
# project folder:
#
# ```bash
# .venv/bin/python -m cart_hsct.rerun reconstruction/how_pseudo_patients_were_made -p roundtrip_seed 7
# ```
#
# Look at the round-trip figure: how closely the pseudo-patients recover a cohort whose
# truth is known varies from one simulated cohort to the next, which is part of the
# uncertainty of every reconstruction. The command writes the rerun page to
# `_build/rerun/reconstruction/how_pseudo_patients_were_made.ipynb`: open it in Jupyter to
# read it.
# ````

# %% tags=["hide-input"]
import tempfile

import numpy as np
import pandas as pd
from myst_nb import glue

from cart_hsct import cohorts, paths, plots, provenance
from cart_hsct.reconstruct import Reconstruction, load_spec
from cart_hsct.reconstruct.roundtrip import simulate, summarise
from cart_hsct.survival.km import km_at

plots.set_theme()

# %% [markdown]
# ## The idea
#
# A paper's numbers constrain its data more than one might think. A 1-year survival of
# 70.0 % in 10 patients with nobody censored before the landmark *is* 3 deaths before day
# 365 — an exact integer fact. A median survival of 482 days pins one death near day 482.
# A log-rank p-value of 0.0063 restricts how the deaths of two groups interleave, and a
# hazard ratio how they fall among patients with and without a risk factor.
#
# The reconstruction turns this around. It starts from a **spec** (`data/specs/<cohort>.yaml`)
# that lists what is known: cohort size, groups, covariate margins, the accrual window and
# data cut-off (which bound each patient's follow-up), the events that can happen to a
# patient (relapse, death, ...) and the published numbers, each tied to its ledger id. Then
#
# 1. **exact counts** that landmark rates fix are met first and never broken again (a spec
#    can also declare that a group was followed completely to a landmark, `lock: true`:
#    nobody in it is censored before);
# 2. what the paper's numbers imply about one patient is written into the spec rather than
#    left to the search: the Cao table by subgroup shows, row by row, who the one patient
#    who died of relapse was ({ref}`cao2023-univariate`, Step 6), and the death from relapse
#    is given that **profile** from the start;
# 3. a seeded **simulated annealing** search moves event times, switches events between
#    patients of the same group, swaps covariate values and moves entry dates — moves that
#    keep every published margin (including the published counts on each side of a cut-off,
#    such as 23 patients aged 14 or younger) — to minimise the standardised distance to all
#    targets. Each round of the search ends with covariate moves only: they are cheap (a
#    covariate feeds few targets) and they are what matches a table of subgroups, where the
#    same outcomes must be split by one variable after another. A median also counts how
#    many values would have to cross it, since moving one value seldom moves a median, and
#    the moves aimed at a median and its range exchange values between the patients that
#    hold its extremes (a printed range of a sum pairs one term's largest value with the
#    other's smallest). A spec may ask for several independent searches (`starts`, as
#    Chen's does), each given a short trial of the polish below: the one reproducing most
#    numbers after its trial goes on, the distance deciding between equals (where a
#    search ends says little about where its polish will);
# 4. a last **polish** walks on from the best cohort found with the same moves, refusing
#    any move that would leave fewer numbers reproduced. It may give up one number for
#    two, or one for another when that lowers the distance, since the way to a number
#    often leads through a neighbour's band; so the count of reproduced numbers can only
#    rise;
# 5. each target's status (exact, close, discrepant) is judged by the same tolerance rules
#    as the rest of the book; targets that the paper's own numbers contradict are declared
#    in the spec as **conflicts**, with the side that was honoured, and reported as
#    `infeasible`.
#
# The statistics inside the search are the `cart_hsct.survival` functions that every chapter
# uses: the pseudo-data are fitted with exactly the code that later analyses them.

# %% [markdown]
# ## The spec
#
# Here are the targets of each cohort's spec: which statistic reproduces which ledger id,
# on which patients.

# %%
present = [c for c in cohorts_to_show if (paths.SPECS / f"{c}.yaml").exists()]
specs = {c: load_spec(c) for c in present}
target_table = pd.concat(
    [
        pd.DataFrame(
            [
                {
                    "cohort": c,
                    "ids": ", ".join(t.ids),
                    "statistic": t.stat,
                    "endpoint": t.endpoint or "",
                    "population": t.where.text if t.where else "all",
                }
                for t in s.targets
            ]
        )
        for c, s in specs.items()
    ],
    ignore_index=True,
)
glue("n_targets", len(target_table), display=False)
target_table

# %% [markdown]
# The specs name {glue:text}`n_targets` targets in all. Numbers that cannot be reproduced
# by any data set — because the paper contradicts itself — are listed with the reason:

# %%
conflict_table = pd.DataFrame(
    [
        {"cohort": c, "ids": ", ".join(k.ids), "honoured": ", ".join(k.honour), "why": k.reason}
        for c, s in specs.items()
        for k in s.conflicts
    ]
)
excluded_table = pd.DataFrame(
    [
        {"cohort": c, "id": x.id, "why not targeted": x.reason}
        for c, s in specs.items()
        for x in s.excluded
    ]
)
conflict_table

# %%
excluded_table

# %% [markdown]
# ## How close the pseudo-cohorts come
#
# Each committed cohort carries a provenance file: the spec's hash, the seed, the package
# version, the final loss and, for every ledger id, the published and reconstructed value
# and the status.

# %%
made = [c for c in present if (paths.COHORTS / f"{c}.provenance.json").exists()]
fidelity = {}
for c in made:
    prov = cohorts.provenance(c)
    fidelity[c] = pd.DataFrame(prov["targets"])
counts = pd.DataFrame({c: f.status.value_counts() for c, f in fidelity.items()}).fillna(0)
counts = counts.astype(int)
for c, f in fidelity.items():
    judged = f[f.status != "infeasible"]
    share = judged.status.isin(["exact", "close"]).mean() if len(judged) else float("nan")
    glue(f"{c}_share_ok", 100 * share, display=False)
    glue(f"{c}_n_judged", len(judged), display=False)
    glue(f"{c}_n_infeasible", len(f) - len(judged), display=False)
counts

# %% [markdown]
# For Chen 2021, {glue:text}`chen2021_share_ok:.0f` % of the
# {glue:text}`chen2021_n_judged` targeted ids that the paper does not contradict come out
# exact or close; {glue:text}`chen2021_n_infeasible` more are declared infeasible, each with
# its reason. The full table, one row per ledger id:


# %%
def show(c):
    f = fidelity[c]
    cols = [
        "id",
        "published",
        "published_ci",
        "published_p",
        "reconstructed",
        "reconstructed_ci",
        "reconstructed_p",
        "status",
    ]
    return f[cols]


show(made[0]) if made else None

# %% [markdown]
# Discrepant rows are as informative as exact ones: a target that no reconstruction reaches
# while every other target holds points at numbers that do not fit together, or at an
# analysis that differs from the one the paper describes (the chapters discuss each case).

# %% tags=["hide-input"]
for c in made[1:]:
    display(show(c))  # noqa: F821 - IPython's display

# %% [markdown]
# ## Equally good reconstructions disagree: the ensemble
#
# One pseudo-cohort is an arbitrary pick. `make reconstruct` fits each spec twenty more
# times from scratch, each with a seed of its own: its own start, search and polish, none
# starting from another fit's state. Member *s* is exactly the cohort that
# `python -m cart_hsct.reconstruct <cohort> --seed s` writes alone, and the table of the
# fits gives each one's share of targets exact or close.

# %%
members = {c: cohorts.members(c) for c in made}
members = {c: m for c, m in members.items() if m is not None}
spreads = {c: cohorts.ensemble(c) for c in made}  # each target over the members
spreads = {c: e for c, e in spreads.items() if e is not None}
summaries = []
for c in made:
    m = members.get(c)
    if m is None:
        kind = spreads[c].attrs["members"] if c in spreads else "none"
        summaries.append(
            f"{c}: the committed ensemble's members are {kind}; it has not "
            "been refitted as independent fits"
        )
    else:
        rest = m.share_exact_or_close.iloc[1:]  # the committed seed is the first row
        summaries.append(
            f"{c}: the committed fit reproduces {100 * m.share_exact_or_close.iloc[0]:.0f} % "
            f"of the targets it is judged on, its {len(rest)} independent fits from "
            f"{100 * rest.min():.0f} % (median {100 * rest.median():.0f} %)"
        )
glue("ensemble_summary", "; ".join(summaries), display=False)
fits = (
    pd.concat([m.assign(cohort=c) for c, m in members.items()], ignore_index=True)
    if members
    else pd.DataFrame({"note": ["no ensemble of independent fits committed"]})
)
fits

# %% [markdown]
# In this build: {glue:text}`ensemble_summary`. The spread of a number over independent
# fits mixes two things: what the published summaries leave open, and the search's own
# misses (a fit that misses a target shows it there). The spread over walks from the
# committed fit shows only the first, near that one cohort: a lower bound on what the
# summaries leave open. Below, each targeted hazard ratio, p-value and time in days with
# its median and range over the members (and its 5-95 % range where the members are
# independent fits), and the share of members reproducing it.

# %%
spread = (
    pd.concat(
        [e.reset_index().assign(cohort=c, members=e.attrs["members"]) for c, e in spreads.items()],
        ignore_index=True,
    )
    if spreads
    else pd.DataFrame()
)
for c in spreads:
    e = spread[(spread.cohort == c) & (spread.share_infeasible < 1)]
    glue(f"{c}_share_varies", 100 * float((e["max"] > e["min"]).mean()), display=False)
if len(spread):
    spread["share_ok"] = spread.share_exact + spread.share_close
    show_cols = [
        "cohort",
        "members",
        "id",
        "unit",
        "published",
        "median",
        "min",
        "max",
        "share_ok",
    ] + [q for q in ("q05", "q95") if q in spread.columns]
    spread_view = spread[spread.unit.isin(["HR", "p-value", "days"])][show_cols]
else:
    spread_view = pd.DataFrame()
spread_view

# %%
if len(spread):
    hr = spread[spread.unit == "HR"].copy()
    fig = plots.new_figure(figsize=(7, 0.5 + 0.45 * max(len(hr), 1)))
    ax = fig.subplots()
    y = np.arange(len(hr))
    ax.hlines(y, hr["min"], hr["max"], color="0.75", lw=3, label="range over the members")
    if "q05" in hr and hr["q05"].notna().any():
        ax.hlines(y, hr["q05"], hr["q95"], color="0.35", lw=3, label="5-95 % of the members")
    ax.plot(hr["median"], y, "o", color="0.1", label="median over the members")
    ax.plot(hr["published"], y, "D", color="#D55E00", label="published")
    ax.set_xscale("log")
    ax.set_yticks(y, hr["id"])
    ax.axvline(1, color="0.7", lw=1)
    ax.set_xlabel("Hazard ratio (log scale)")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
else:
    fig = plots.new_figure(figsize=(7, 1))
    fig.text(
        0.5,
        0.5,
        "no ensemble file yet: run python -m cart_hsct.reconstruct <cohort> --ensemble 20",
        ha="center",
        va="center",
    )
glue("fig_hr_spread", fig, display=False)

# %% [markdown]
# ```{glue:figure} fig_hr_spread
# :name: fig-hr-spread
# :alt: Dot plot of published hazard ratios as orange diamonds beside grey bars showing the range of the same hazard ratios over the ensemble's members, with the median as a dot.
# Published hazard ratios (orange diamonds) and the same hazard ratios over the ensemble's
# members (light bar: all of them; dark bar, where the members are independent fits: 5-95 %
# of them; dot: median). Where a bar is long, the published summaries leave the hazard
# ratio loosely determined: a reader should not take the single pseudo-cohort's value as
# "the" reproduction.
# ```
#
# Across the Cao members, {glue:text}`cao2023_share_varies:.0f` % of the targeted numbers
# take more than one value (Chen: {glue:text}`chen2021_share_varies:.0f` %).
#
# The members' cohorts themselves are committed beside the tables
# (`data/cohorts/<cohort>.ensemble_cohorts.csv`, downloadable from {ref}`cohort-data`), so
# any chapter can be rerun on one of them: `cohorts.load(cohort, seed=k)` in code, or
# `-p cohort_seed k` in a chapter's *Try it* command. The immortal-time chapter
# ({ref}`appraisal-immortal-time`) does this for every one of them.

# %% [markdown]
# ## Testing the method where the truth is known
#
# The round trip: simulate a small cohort with known patient data, print its summaries the
# way a paper would (landmark rates read off the curve every six months, medians, a log-rank
# p, a Cox HR, median follow-up), reconstruct from those summaries alone, and compare.

# %%
truth = simulate({"A": 12, "B": 12}, seed=roundtrip_seed)
with tempfile.TemporaryDirectory() as tmp:
    rt_spec = summarise(truth, tmp, iterations=roundtrip_iterations)
    rt = Reconstruction(rt_spec).fit(seed=1)
rt_table = rt.fidelity_[["id", "published", "reconstructed", "status"]]
glue("rt_share_ok", 100 * rt_table.status.isin(["exact", "close"]).mean(), display=False)
rt_table

# %% [markdown]
# {glue:text}`rt_share_ok:.0f` % of the simulated cohort's summaries come back exact or
# close. Do the reconstructed curves also look like the true ones *between* the published
# numbers?

# %%
grid = np.arange(0, 1100, 10)
fig = plots.new_figure(figsize=(7, 4))
ax = fig.subplots()
inside = []
for g, colour in zip(["A", "B"], ["#0072B2", "#E69F00"], strict=True):
    o = truth[truth.group == g]
    r = rt.ipd_[rt.ipd_.group == g]
    band = km_at(o.os_days, o.os_event, grid, conf_type="log-log")
    rec = km_at(r.os_days.to_numpy(float), r.os_event.to_numpy(float), grid, conf_type="log-log")
    ax.fill_between(grid, band.ci_lower, band.ci_upper, step="post", alpha=0.2, color=colour)
    ax.step(grid, band.survival, where="post", color=colour, label=f"group {g}: true data")
    ax.step(
        grid, rec.survival, where="post", color=colour, ls="--", label=f"group {g}: reconstructed"
    )
    lo, hi = band.ci_lower.fillna(band.survival), band.ci_upper.fillna(band.survival)
    inside.append(((rec.survival >= lo - 1e-9) & (rec.survival <= hi + 1e-9)).mean())
ax.set_xlabel("Days")
ax.set_ylabel("Overall survival")
ax.legend(fontsize="small")
fig.tight_layout()
glue("rt_inside", 100 * float(np.mean(inside)), display=False)
glue("fig_roundtrip", fig, display=False)

# %% [markdown]
# ```{glue:figure} fig_roundtrip
# :name: fig-roundtrip
# :alt: Survival curves of a simulated cohort as solid lines with shaded 95 % bands and of its reconstruction from published-style summaries as dashed lines.
# A simulated cohort (solid curves, shaded 95 % log-log bands) and its reconstruction from
# published-style summaries only (dashed). The dashed curves stay inside the true curves'
# bands for {glue:text}`rt_inside:.0f` % of the time grid, but their steps fall at other
# days: the reconstruction recovers what was published, not the individual patients.
# ```
#
# ## What pseudo-IPD can and cannot tell a reader
#
# **It can** show that a set of published numbers is internally consistent (a data set
# exists that reproduces them all) or that it is not (no data set does, and which numbers
# collide); check which method a paper must have used (a confidence-interval transform, a
# median rule, whether deaths were censored); and let a reader re-run an analysis, vary it,
# and see the order of magnitude of the result.
#
# **It cannot** recover the study's patients, nor anything that the published summaries do
# not constrain: the shape of a curve between landmarks, an association that was never
# reported, a subgroup that was never tabulated. A reproduced p-value or hazard ratio that
# was itself a target is fitted, not confirmed. A statistic that was *not* a target
# inherits the arbitrariness shown by the ensemble. Every page that uses pseudo-IPD says so
# near its top and links here.

# %% tags=["remove-input"]
provenance.provenance()
