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
# (statistics-toolkit)=
# # The statistics toolkit
#
# **Question.** Which survival methods does this book use, what exactly do they compute,
# and how do we know the Python code gives the same numbers as R?
#
# ## Overview
#
# Every chapter calls a handful of functions from `cart_hsct.survival`: Kaplan-Meier
# estimates, the log-rank test, cumulative incidence with Gray's test, Cox and Fine-Gray
# regression, and maximally selected cut-points. This page shows each one twice: first on a
# data set small enough to check with a pencil, then on real data (the 6-mercaptopurine
# remission trial in acute leukaemia of Freireich et al., 1963, which ships with
# *lifelines*) or, for competing risks, on a simulated cohort whose true curves are known.
# Along the way it says which confidence interval and which test to choose, and why the
# two papers reproduced in this book {cite:p}`chen2021,cao2023` print intervals that no
# single default gives. It ends with the table that compares every function with R.
#
# This page uses **no reconstructed pseudo-patients**.

# %% tags=["parameters"]
seed = 20240601  # simulated competing-risks cohort and the null simulation for cut-points
n_simulated = 1000  # patients in the simulated competing-risks cohort
n_null_trials = 500  # repetitions of the cut-point search on a useless marker
alpha = 0.05

# %% [markdown]
# ````{admonition} Try it
# :class: tip
# Rerun this chapter with another seed for its simulations. From the project folder:
#
# ```bash
# .venv/bin/python -m cart_hsct.rerun toolkit/statistics_toolkit -p seed 1
# ```
#
# Look at the simulated cohort and the search for a cut-point on a useless marker: the
# numbers change a little, but the search still finds a "significant" cut far more often
# than alpha. The command writes the rerun page to
# `_build/rerun/toolkit/statistics_toolkit.ipynb`: open it in Jupyter to read it.
# ````

# %% tags=["hide-input"]
import warnings

import numpy as np
import pandas as pd
from lifelines.datasets import load_leukemia
from myst_nb import glue

from cart_hsct import ledger, lifelines_compare, parity, plots, proportions, provenance
from cart_hsct import survival as sv

plots.set_theme()

# %% [markdown]
# ## Kaplan-Meier, by hand
#
# Six patients: deaths on days 2, 5, 5 and 10, and two patients last seen alive on days 3
# and 8 (censored). What is the probability of surviving past day 5?

# %%
tiny = pd.DataFrame({"days": [2, 3, 5, 5, 8, 10], "died": [1, 0, 1, 1, 0, 1]})
tiny_km = sv.km_table(tiny.days, tiny.died, conf_type="log-log")
tiny_km

# %% [markdown]
# Each row is a distinct time. At day 2, six patients are at risk and one dies, so survival
# drops to 5/6. The patient censored at day 3 leaves the risk set without an event. At day 5
# four patients remain and two die, so survival is multiplied by 2/4. By hand:

# %%
s5_by_hand = (1 - 1 / 6) * (1 - 2 / 4)
greenwood_sum = 1 / (6 * 5) + 2 / (4 * 2)  # sum of d / (n (n - d)) up to day 5
se5_by_hand = s5_by_hand * np.sqrt(greenwood_sum)
row5 = tiny_km.set_index("time").loc[5]
assert np.isclose(row5.survival, s5_by_hand) and np.isclose(row5.std_err, se5_by_hand)
glue("tiny_s5", float(s5_by_hand), display=False)
glue("tiny_se5", float(se5_by_hand), display=False)
pd.DataFrame(
    {"by hand": [s5_by_hand, se5_by_hand], "km_table": [row5.survival, row5.std_err]},
    index=["S(5)", "standard error (Greenwood)"],
)

# %% [markdown]
# Survival past day 5 is 5/6 × 2/4 = {glue:text}`tiny_s5:.4f`, with Greenwood standard
# error {glue:text}`tiny_se5:.4f`; the function agrees with the hand calculation. The last
# patient dies on day 10, so the curve reaches 0 there.
#
# ## Kaplan-Meier on real data: the 6-MP trial
#
# Forty-two children with acute leukaemia in remission were randomised to
# 6-mercaptopurine (6-MP) or placebo; the outcome is weeks until relapse. The placebo arm
# has no censoring; in the 6-MP arm 12 of 21 children were still in remission at last
# contact.

# %%
leuk = load_leukemia()  # the 6-MP trial as lifelines ships it
leuk = leuk.rename(columns={"t": "weeks", "status": "relapse", "logWBC": "log_wbc"})
# Rx = 0 is the 6-MP arm: its 12 censored remissions match Freireich's table
leuk["arm"] = pd.Categorical(
    np.where(leuk.Rx == 0, "6-MP", "placebo"), categories=["placebo", "6-MP"]
)
fig_leuk = plots.km_plot(
    leuk.weeks,
    leuk.relapse,
    group=leuk.arm,
    conf_type="log-log",
    test="logrank",
    times=[0, 5, 10, 15, 20, 25, 30, 35],
    xlabel="Weeks since randomisation",
    ylabel="Still in remission",
)
glue("fig_leuk_km", fig_leuk, display=False)
medians = {
    arm: sv.km_median(g.weeks, g.relapse, conf_type="log-log")
    for arm, g in leuk.groupby("arm", observed=True)
}
lr_leuk = sv.logrank(leuk.weeks, leuk.relapse, leuk.arm)
glue("leuk_median_placebo", float(medians["placebo"]["median"]), display=False)
glue("leuk_median_6mp", float(medians["6-MP"]["median"]), display=False)
glue("leuk_lr_chi2", float(lr_leuk["chi2"]), display=False)
glue("leuk_lr_p", float(lr_leuk["p"]), display=False)
pd.DataFrame(medians).T

# %% [markdown]
# ```{glue:figure} fig_leuk_km
# :name: fig-toolkit-leuk-km
# :alt: Kaplan-Meier curves of remission by arm in the 6-MP leukaemia trial, with shaded 95 % bands, censoring ticks and a table of numbers at risk below.
#
# Remission by arm in the 6-MP trial, with pointwise 95 % log-log intervals (bands),
# censoring ticks and, below, the numbers at risk, censored and relapsed before each time.
# The placebo curve falls to zero by week 23 with no censoring; the 6-MP curve levels off
# above 40 %, and the table shows why its tail is uncertain: fewer than ten children remain
# at risk after week 20.
# ```
#
# Median time to relapse is {glue:text}`leuk_median_placebo:.0f` weeks on placebo and
# {glue:text}`leuk_median_6mp:.0f` weeks on 6-MP; the log-rank test gives
# χ² = {glue:text}`leuk_lr_chi2:.2f` on 1 degree of freedom
# (p = {glue:text}`leuk_lr_p:.1e`). The risk table follows the KMunicate layout
# (Morris et al., *BMJ Open* 2019): at each time, at risk + censored + events = the arm's size.
#
# ## Which confidence interval?
#
# The Kaplan-Meier estimate $\hat S(t)$ comes with Greenwood's
# $\sigma^2(t) = \sum_{t_i \le t} d_i / \{n_i (n_i - d_i)\}$, the variance of
# $\log \hat S(t)$. A 95 % interval is built on some scale and mapped back; $z = 1.96$:
#
# | `conf_type` | interval | R `survfit(conf.type=)` | where it is the default |
# | --- | --- | --- | --- |
# | `plain` | $\hat S \pm z \hat S \sigma$, cut at 0 and 1 | `"plain"` | none; an option in SAS (`LINEAR`) |
# | `log` | $\hat S \exp(\pm z \sigma)$, upper bound cut at 1 | `"log"` | R |
# | `log-log` | $\hat S^{\exp(\pm z \sigma / \log \hat S)}$ | `"log-log"` | lifelines, SAS, Stata |
# | `arcsine` | $\sin^2\{\arcsin\sqrt{\hat S} \pm \tfrac{z}{2} \sigma \sqrt{\hat S / (1 - \hat S)}\}$ | `"arcsin"` | none; an option in SAS (`ASINSQRT`) |
#
# All four share the point estimate and the variance; they differ only in shape. With
# small groups the difference is large, and it is the reason the same data give different
# printed intervals in different software. Two landmark rates from the papers, where no
# patient was censored before the landmark (so the Kaplan-Meier estimate is a simple
# proportion), show it:

# %%
examples = {  # ledger id: (patients alive and event-free at the landmark, group size, days)
    "chen2021.lfs_1y.cart_hsct": (8, 10, 365),
    "cao2023.t3.lfs_3y.mrd_pre2.pos": (6, 9, 1095),
}
rows = []
for eid, (alive, n, landmark) in examples.items():
    e = ledger.entry(eid)
    time, event = proportions.implied_km_data(alive, n, landmark=landmark)
    for ct in ("plain", "log", "log-log", "arcsine"):
        est = sv.km_at(time, event, [landmark], conf_type=ct).iloc[0]
        lower, upper = round(100 * est.ci_lower, 1), round(100 * est.ci_upper, 1)
        rows.append(
            {
                "ledger id": eid,
                "published": f"{e.value} ({e.ci[0]}-{e.ci[1]})",
                "conf_type": ct,
                "estimate": round(100 * est.survival, 1),
                "ci_lower": lower,
                "ci_upper": upper,
                "matches": (lower, upper) == tuple(e.ci),
            }
        )
ci_demo = pd.DataFrame(rows)
match = ci_demo[ci_demo.matches].set_index("ledger id").conf_type
glue(
    "chen_match",
    ", ".join(match[match.index == "chen2021.lfs_1y.cart_hsct"]) or "none",
    display=False,
)
glue(
    "cao_match",
    ", ".join(match[match.index == "cao2023.t3.lfs_3y.mrd_pre2.pos"]) or "none",
    display=False,
)
ci_demo

# %% [markdown]
# Chen's 1-year leukaemia-free survival of the transplanted group, 8 of 10, is printed as
# 80.0 % (40.9-94.6); only the {glue:text}`chen_match` interval gives those bounds. Cao's
# 3-year leukaemia-free survival of the nine MRD-positive patients, 6 of 9, is printed as
# 66.7 % (34.6-91.9); only the {glue:text}`cao_match` interval does. So every chapter states
# its `conf_type`, and uses the transform that the paper's own numbers point to. (Which
# transform each paper used throughout is worked out in the chapters on counts.)
#
# How much the choice matters on real data: the 6-MP arm under each transform.

# %%
six_mp = leuk[leuk.arm == "6-MP"]
fig_ci = plots.new_figure(figsize=(10, 6.5), layout="constrained")
for ax, ct in zip(
    fig_ci.subplots(2, 2, sharex=True, sharey=True).ravel(),
    ("plain", "log", "log-log", "arcsine"),
    strict=True,
):
    plots.km_plot(
        six_mp.weeks,
        six_mp.relapse,
        conf_type=ct,
        risk_table=False,
        ax=ax,
        times=[0, 10, 20, 30],
        xlabel="Weeks",
        ylabel="Still in remission",
    )
    ax.set_title(f'conf_type="{ct}"', loc="left")
widths = {
    ct: sv.km_at(six_mp.weeks, six_mp.relapse, [23], conf_type=ct).iloc[0]
    for ct in ("plain", "log", "log-log", "arcsine")
}
glue("fig_ci_transforms", fig_ci, display=False)
glue("six_mp_23_log_upper", float(widths["log"].ci_upper), display=False)
glue(
    "six_mp_23_plain",
    f"{widths['plain'].ci_lower:.2f}-{widths['plain'].ci_upper:.2f}",
    display=False,
)
glue(
    "six_mp_23_loglog",
    f"{widths['log-log'].ci_lower:.2f}-{widths['log-log'].ci_upper:.2f}",
    display=False,
)
pd.DataFrame(widths).T[["survival", "ci_lower", "ci_upper"]]

# %% [markdown]
# ```{glue:figure} fig_ci_transforms
# :name: fig-toolkit-ci-transforms
# :alt: Four panels of the same Kaplan-Meier curve of the 6-MP arm, each with a different 95 % band: plain, log, log-log and arcsine.
#
# The same Kaplan-Meier curve (6-MP arm) with four 95 % intervals. The plain band is
# symmetric around the curve; the log band is shifted upwards and is cut at 100 % early
# on; the log-log and arcsine bands are asymmetric and stay inside 0-100 % without being
# cut. Compare the bands after week 20, where few children remain at risk.
# ```
#
# At week 23 the plain interval is {glue:text}`six_mp_23_plain` and the log-log interval
# {glue:text}`six_mp_23_loglog`; the log interval's upper bound is
# {glue:text}`six_mp_23_log_upper:.2f`.
#
# **When to use which.** Plain intervals can fall outside 0-1 and have poor coverage in
# small groups: avoid them. The log interval (R's default) is fine in the middle of a curve
# but is often cut at 1 near the start. Log-log and arcsine keep their coverage close to
# 95 % in small samples (Borgan and Liestøl, *Scand J Stat* 1990); log-log is the most
# common default elsewhere. In this book, the transform is a stated parameter of every page,
# chosen to match the paper being reproduced.
#
# ## Which test? The log-rank test, by hand
#
# Two groups of three patients. At each death time the log-rank test compares the deaths in
# group A with the number expected if both groups shared one hazard:

# %%
pair = pd.DataFrame(
    {
        "days": [3, 5, 9, 4, 6, 6],
        "died": [1, 1, 0, 1, 1, 1],
        "group": ["A", "A", "A", "B", "B", "B"],
    }
)
steps = []
for t in sorted(pair.days[pair.died == 1].unique()):
    at_risk = pair[pair.days >= t]
    n, n_a = len(at_risk), (at_risk.group == "A").sum()
    d = ((pair.days == t) & (pair.died == 1)).sum()
    d_a = ((pair.days == t) & (pair.died == 1) & (pair.group == "A")).sum()
    steps.append(
        {
            "day": t,
            "at risk": n,
            "at risk A": n_a,
            "deaths": d,
            "deaths A": d_a,
            "expected A": d * n_a / n,
            "variance": d * (n_a / n) * (1 - n_a / n) * (n - d) / max(n - 1, 1),
        }
    )
steps = pd.DataFrame(steps)
chi2_by_hand = (steps["deaths A"].sum() - steps["expected A"].sum()) ** 2 / steps.variance.sum()
lr_pair = sv.logrank(pair.days, pair.died, pair.group)
assert np.isclose(chi2_by_hand, lr_pair["chi2"])
glue("pair_chi2", float(chi2_by_hand), display=False)
glue("pair_p", float(lr_pair["p"]), display=False)
steps

# %% [markdown]
# Observed minus expected, squared and divided by the summed hypergeometric variance, gives
# χ² = {glue:text}`pair_chi2:.3f` by hand and from `survival.logrank`
# (p = {glue:text}`pair_p:.2f`). With three or more groups, `survival.pairwise_logrank`
# runs the test on every pair and can adjust the p-values (`adjust="holm"` or `"BH"`); Chen
# compares three treatment paths this way.
#
# ## Competing risks: why 1 - Kaplan-Meier overstates relapse
#
# After a transplant, a patient who dies without relapse can no longer relapse. Treating that
# death as censoring pretends the patient might still relapse later. Five patients: relapse
# on days 2, 5 and 8, death in remission on day 3, one patient censored on day 6.

# %%
cr_tiny = pd.DataFrame({"days": [2, 3, 5, 6, 8], "status": [1, 2, 1, 0, 1]})  # 1 relapse, 2 death
cif_tiny = sv.cuminc(cr_tiny.days, cr_tiny.status, cause=1, conf_type="log")
km_naive = sv.km_table(cr_tiny.days, (cr_tiny.status == 1).astype(int), conf_type="log")
# Aalen-Johansen by hand: relapse probability = S(t-) x relapses / at risk, summed
aj_by_hand = 1 / 5 + (4 / 5 * 3 / 4) * 1 / 3 + (4 / 5 * 3 / 4 * 2 / 3) * 1 / 1
cif8 = cif_tiny[cif_tiny.time <= 8].estimate.iloc[-1]
one_minus_km8 = 1 - km_naive[km_naive.time <= 8].survival.iloc[-1]
assert np.isclose(cif8, aj_by_hand)
glue("cr_tiny_cif8", float(cif8), display=False)
glue("cr_tiny_1km8", float(one_minus_km8), display=False)
pd.DataFrame(
    {
        "day": [2, 3, 5, 8],
        "cumulative incidence": [
            cif_tiny[cif_tiny.time <= t].estimate.iloc[-1] for t in (2, 3, 5, 8)
        ],
        "1 - KM (deaths censored)": [
            1 - km_naive[km_naive.time <= t].survival.iloc[-1] for t in (2, 3, 5, 8)
        ],
    }
)

# %% [markdown]
# By day 8 the cumulative incidence of relapse (Aalen-Johansen) is
# {glue:text}`cr_tiny_cif8:.2f`: four of five patients had an event, three of them a
# relapse, and the censored patient's share is redistributed. One minus Kaplan-Meier says
# {glue:text}`cr_tiny_1km8:.2f`, i.e. that everybody relapses, although one patient died in
# remission and never could.
#
# The same on a simulated transplant cohort where the truth is known: relapse and
# non-relapse mortality (NRM) have constant hazards, so the true cumulative incidence of
# relapse is $\lambda_R / (\lambda_R + \lambda_N) \, (1 - e^{-(\lambda_R + \lambda_N) t})$.

# %%
rng = np.random.default_rng(seed)
hazard = {"relapse": {"low risk": 0.02, "high risk": 0.04}, "nrm": 0.015}  # per month
risk = rng.choice(["low risk", "high risk"], n_simulated)
to_relapse = rng.exponential(1 / np.vectorize(hazard["relapse"].get)(risk))
to_nrm = rng.exponential(1 / hazard["nrm"], n_simulated)
to_censoring = rng.uniform(12, 60, n_simulated)  # staggered entry, analysis at a fixed date
cohort = pd.DataFrame(
    {
        "months": np.round(np.minimum.reduce([to_relapse, to_nrm, to_censoring]), 1),
        "status": np.select(
            [
                to_relapse <= np.minimum(to_nrm, to_censoring),
                to_nrm <= np.minimum(to_relapse, to_censoring),
            ],
            [1, 2],
            0,
        ),
        "risk": pd.Categorical(risk, categories=["low risk", "high risk"]),
    }
)
high = cohort[cohort.risk == "high risk"]
grid = np.linspace(0, 48, 200)
lam_r, lam_n = hazard["relapse"]["high risk"], hazard["nrm"]
truth = lam_r / (lam_r + lam_n) * (1 - np.exp(-(lam_r + lam_n) * grid))
cif_high = sv.cuminc(high.months, high.status, cause=1, conf_type="log")
km_high = sv.km_table(high.months, (high.status == 1).astype(int), conf_type="log")

fig_cr = plots.new_figure(figsize=(7, 4), layout="constrained")
ax = fig_cr.add_subplot()
ax.plot(grid, truth, color="0.3", ls="--", lw=1.5, label="truth")
ax.step(
    np.r_[0, cif_high.time],
    np.r_[0, cif_high.estimate],
    where="post",
    color=plots.OKABE_ITO[0],
    lw=2,
    label="cumulative incidence (Aalen-Johansen)",
)
ax.step(
    np.r_[0, km_high.time],
    np.r_[0, 1 - km_high.survival],
    where="post",
    color=plots.OKABE_ITO[1],
    lw=2,
    label="1 - Kaplan-Meier, NRM censored",
)
ax.set(xlabel="Months after transplant", ylabel="Probability of relapse", xlim=(0, 48))
ax.legend(loc="upper left")
glue("fig_cr_bias", fig_cr, display=False)

at36 = {
    "truth": lam_r / (lam_r + lam_n) * (1 - np.exp(-(lam_r + lam_n) * 36)),
    "cuminc": sv.cuminc(
        high.months, high.status, cause=1, times=[36], conf_type="log"
    ).estimate.iloc[0],
    "1-KM": 1
    - sv.km_at(high.months, (high.status == 1).astype(int), [36], conf_type="log").survival.iloc[0],
}
for key, value in at36.items():
    glue(f"cr36_{key.replace('1-KM', 'one_minus_km')}", float(100 * value), display=False)
pd.Series(at36, name="relapse by 36 months (high risk)")

# %% [markdown]
# ```{glue:figure} fig_cr_bias
# :name: fig-toolkit-cr-bias
# :alt: Relapse curves in a simulated high-risk group: the cumulative incidence, the true curve dashed, and one minus Kaplan-Meier rising above both.
#
# Relapse in the simulated high-risk group. The cumulative incidence stays close to the
# true curve (dashed); one minus Kaplan-Meier with deaths in remission censored rises above
# it, and the gap widens with time as more patients die without relapse.
# ```
#
# By 36 months the true probability of relapse is {glue:text}`cr36_truth:.1f` %; the
# cumulative incidence estimates {glue:text}`cr36_cuminc:.1f` % and 1 - Kaplan-Meier
# {glue:text}`cr36_one_minus_km:.1f` %. Cao reports relapse and NRM as cumulative
# incidences, as it should; a "relapse rate" read off a Kaplan-Meier curve would be too high.
#
# To compare groups, Gray's test compares the cumulative incidence curves themselves; a
# log-rank test with the competing event censored compares the cause-specific hazards, a
# different question with a different answer when the groups also differ in NRM.

# %%
fig_cif = plots.cuminc_plot(
    cohort.months,
    cohort.status,
    cause=1,
    group=cohort.risk,
    conf_type="log",
    test="gray",
    times=[0, 12, 24, 36, 48],
    xlabel="Months after transplant",
    ylabel="Relapse",
)
glue("fig_cr_cif", fig_cif, display=False)
gray = sv.gray_test(cohort.months, cohort.status, cohort.risk, cause=1)
cause_specific = sv.logrank(cohort.months, (cohort.status == 1).astype(int), cohort.risk)
glue("gray_stat", float(gray["stat"]), display=False)
glue("cs_lr_chi2", float(cause_specific["chi2"]), display=False)
pd.DataFrame(
    {
        "Gray (cumulative incidence)": gray,
        "log-rank (cause-specific hazard)": {
            "stat": cause_specific["chi2"],
            "df": cause_specific["df"],
            "p": cause_specific["p"],
        },
    }
).T

# %% [markdown]
# ```{glue:figure} fig_cr_cif
# :name: fig-toolkit-cif
# :alt: Cumulative incidence curves of relapse by simulated risk group with shaded 95 % bands, Gray's test p-value and a risk table below.
#
# Cumulative incidence of relapse by simulated risk group, with 95 % log-transformed
# intervals and Gray's test. The high-risk curve separates from the first year on; the
# risk table counts relapses and competing deaths separately, so the reader can see how
# many patients left follow-up by dying in remission.
# ```
#
# Here both tests agree that the groups differ (Gray's statistic
# {glue:text}`gray_stat:.1f`, cause-specific log-rank χ² {glue:text}`cs_lr_chi2:.1f`),
# because the simulation gives both groups the same NRM hazard. Exercise 3 below makes
# them disagree.
#
# ## Cox regression, and what to do under separation
#
# A Cox model for the 6-MP trial with treatment and the log white-cell count at entry:

# %%
cox_leuk = sv.cox(leuk, "weeks", "relapse", ["arm", "log_wbc"], ties="efron")
labels = {"arm6-MP": "6-MP vs placebo", "log_wbc": "log WBC (per unit)"}
ax_cox = plots.forest_plot(cox_leuk.summary, labels=labels)
glue("fig_cox_leuk", ax_cox.figure, display=False)
hr_6mp = cox_leuk.term("arm6-MP")
glue("hr_6mp", float(hr_6mp.hr), display=False)
glue("hr_6mp_lower", float(hr_6mp.ci_lower), display=False)
glue("hr_6mp_upper", float(hr_6mp.ci_upper), display=False)
cox_leuk.summary

# %% [markdown]
# ```{glue:figure} fig_cox_leuk
# :name: fig-toolkit-cox
# :alt: Forest plot of Cox hazard ratios with 95 % intervals on a log scale for treatment and white-cell count, with a dashed line at 1.
#
# Hazard ratios with 95 % Wald intervals on a log scale; the dashed line marks no effect.
# 6-MP lowers the hazard of relapse and a higher white-cell count raises it; neither
# interval crosses 1.
# ```
#
# Adjusted for the white-cell count, 6-MP multiplies the hazard of relapse by
# {glue:text}`hr_6mp:.2f` (95 % CI {glue:text}`hr_6mp_lower:.2f`-{glue:text}`hr_6mp_upper:.2f`).
#
# **Separation.** Small groups make a classic failure likely: a subgroup with no events. In
# the 6-MP arm, none of the children with log WBC below 2.1 relapsed (we pick that cut
# precisely to create the problem). The ordinary Cox estimate then runs off to minus
# infinity, and R and `survival.cox` both warn:

# %%
six_mp = six_mp.assign(low_wbc=(six_mp.log_wbc < 2.1).astype(int))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    cox_sep = sv.cox(six_mp, "weeks", "relapse", ["low_wbc", "sex"], ties="breslow")
for w in caught:
    print(f"{w.category.__name__}: {w.message}")
firth = sv.cox(
    six_mp, "weeks", "relapse", ["low_wbc", "sex"], ties="breslow", firth=True, ci="profile"
)
ax_firth = plots.forest_plot(
    firth.summary,
    published=cox_sep.summary,
    series=("Firth, profile-likelihood CI", "Cox, Wald CI"),
    labels={"low_wbc": "log WBC < 2.1", "sex": "sex"},
)
glue("fig_firth", ax_firth.figure, display=False)
low = firth.term("low_wbc")
glue("firth_hr", float(low.hr), display=False)
glue("firth_lower", float(low.ci_lower), display=False)
glue("firth_upper", float(low.ci_upper), display=False)
pd.concat({"Cox": cox_sep.summary.set_index("term"), "Firth": firth.summary.set_index("term")})

# %% [markdown]
# ```{glue:figure} fig_firth
# :name: fig-toolkit-firth
# :alt: Forest plot comparing the ordinary Cox estimate, drawn at the left edge with arrows for an unbounded interval, with the finite Firth-penalised estimate and its interval.
#
# The same model fitted two ways. The ordinary Cox estimate for "log WBC < 2.1" is
# essentially zero (drawn at the left edge) with an interval from zero to infinity
# (arrows): it carries no information. Firth's penalised likelihood gives a finite estimate and a
# profile-likelihood interval that excludes 1.
# ```
#
# Firth's correction (Heinze and Schemper, *Biometrics* 2001; R package `coxphf`) estimates
# the hazard ratio as {glue:text}`firth_hr:.2f` (95 % profile CI
# {glue:text}`firth_lower:.3f`-{glue:text}`firth_upper:.2f`). When a published Cox model
# on a small cohort prints an enormous or tiny hazard ratio with an interval reaching 0 or
# infinity, separation is the first suspect.
#
# ## Data-driven cut-offs: the price of searching
#
# Chen chose the MRD cut-off with X-tile, which tries every cut-point and keeps the one with
# the largest log-rank statistic. The p-value of the winning split, read as if the cut had
# been fixed in advance, is too small. `survival.maxstat` returns both that naive p and the
# one corrected for the search (Lausen and Schumacher, *Biometrics* 1992), as R's
# `maxstat.test` does. On the white-cell count of the 6-MP trial:

# %%
best = sv.maxstat(leuk.weeks, leuk.relapse, leuk.log_wbc, minprop=0.1, maxprop=0.9)
ax_cut = plots.cutpoint_plot(best, xlabel="log white-cell count")
glue("fig_cutpoint", ax_cut.figure, display=False)
glue("cut_value", float(best["cutpoint"]), display=False)
glue("cut_p_naive", float(best["p_naive"]), display=False)
glue("cut_p", float(best["p"]), display=False)
{k: v for k, v in best.items() if k != "curve"}

# %% [markdown]
# ```{glue:figure} fig_cutpoint
# :name: fig-toolkit-cutpoint
# :alt: Line chart of the standardised log-rank statistic for every candidate cut of the white-cell count, a jagged curve with several near-maxima.
#
# The standardised log-rank statistic for every candidate cut of the white-cell count.
# The curve is jagged and has several near-maxima; the chosen cut is simply the highest
# point, and a different sample would likely pick a different one.
# ```
#
# The best cut is log WBC ≤ {glue:text}`cut_value:.2f`; its naive p is
# {glue:text}`cut_p_naive:.1e`, the corrected p {glue:text}`cut_p:.1e`. The white-cell count
# is strongly prognostic, so both are small; the inflation shows when the marker is useless.
# Shuffle the marker so that it carries no information, search again, and count how often
# the winner looks significant:

# %%
null_rng = np.random.default_rng(seed + 1)
null = pd.DataFrame(
    [
        {
            k: v
            for k, v in sv.maxstat(
                leuk.weeks,
                leuk.relapse,
                null_rng.permutation(leuk.log_wbc),
                minprop=0.1,
                maxprop=0.9,
            ).items()
            if k != "curve"
        }
        for _ in range(n_null_trials)
    ]
)
null_rates = {
    "naive p < 0.05": (null.p_naive < alpha).mean(),
    "corrected p < 0.05": (null.p < alpha).mean(),
}
glue("null_naive", float(100 * null_rates["naive p < 0.05"]), display=False)
glue("null_corrected", float(100 * null_rates["corrected p < 0.05"]), display=False)
glue("n_null_trials", int(n_null_trials), display=False)
pd.Series(null_rates, name=f"share of {n_null_trials} searches on a shuffled marker")

# %% [markdown]
# With a marker that means nothing, the best cut looks "significant" in
# {glue:text}`null_naive:.0f` % of {glue:text}`n_null_trials` searches when judged by the
# naive p, and in {glue:text}`null_corrected:.0f` % by the corrected one (at most 5 % is
# the target). A published cut-off found by searching, with its naive p, overstates the
# evidence; the chapters on Chen's prognostic factors return to this.
#
# ## The same in lifelines
#
# Many readers know *lifelines*. The table runs each lifelines call beside the
# `cart_hsct.survival` call on the same data (the 6-MP trial, and the simulated transplant
# cohort for competing risks) and measures the largest difference. Where lifelines agrees
# it is because both compute the same thing under the settings named; where it does not,
# the last column says why it cannot give R's number.

# %%
beside = lifelines_compare.side_by_side(
    leuk.assign(arm_6mp=(leuk.arm == "6-MP").astype(int)),
    duration="weeks",
    event="relapse",
    group="arm",
    covariates=["arm_6mp", "log_wbc"],
    competing=cohort.rename(columns={"months": "time"}),
    seed=seed,
)
compared = beside[beside["lifelines"] != "none"]
glue("ll_rows", len(compared), display=False)
glue("ll_agree", int(compared.agree.sum()), display=False)
glue("ll_missing", ", ".join(beside.loc[beside["lifelines"] == "none", "quantity"]), display=False)
glue(
    "ll_km_log_gap",
    float(
        beside.set_index("quantity").loc[
            "Kaplan-Meier 95 % CI, R's default (log)", "max |difference|"
        ]
    ),
    display=False,
)
(
    beside.style.format({"max |difference|": "{:.1e}"}, na_rep="")
    .map(lambda ok: f"background-color: {'#d9f0d3' if ok else '#f8d0c8'}", subset=["agree"])
    .hide(axis="index")
)

# %% [markdown]
# lifelines gives the same number in {glue:text}`ll_agree` of the {glue:text}`ll_rows`
# comparisons. Its Kaplan-Meier interval is always the log-log one: against R's default
# log interval its bounds differ by up to {glue:text}`ll_km_log_gap:.3f` here, which is why
# this book states `conf_type` on every call. Its Cox model has Efron's ties only, and its
# Aalen-Johansen fitter moves tied times apart at random, so with ties its estimate depends
# on the seed. Not in lifelines at all: {glue:text}`ll_missing`.
#
# ## Parity with R
#
# Each function above is checked against R (`survival`, `cmprsk`, `maxstat`; versions in
# the `*sessionInfo.txt` files) on fixtures that R scripts in `tests/reference/` wrote: tiny
# hand-built data with ties, unsorted rows, groups without events, survival reaching 0, and
# larger random data. The table recomputes every fixture now, at build time.
# A comparison passes when every value is within 10⁻⁶ of R's (relative to the value where
# R's exceeds 1, such as χ² statistics or the huge standard error of a diverging Cox
# coefficient), and NA sits where R has NA.

# %% tags=["hide-input"]
parity_table = parity.parity_table()
missing = parity.uncovered()
glue("parity_n", len(parity_table), display=False)
glue("parity_passed", int(parity_table.passed.sum()), display=False)
glue("parity_values", int(parity_table["values"].sum()), display=False)
glue("parity_uncovered", ", ".join(missing) if missing else "none", display=False)
(
    parity_table.drop(columns=["note"] if (parity_table.note == "").all() else [])
    .style.format({"max_abs_diff": "{:.1e}", "max_rel_diff": "{:.1e}"})
    .map(lambda ok: f"background-color: {'#d9f0d3' if ok else '#f8d0c8'}", subset=["passed"])
    .hide(axis="index")
)

# %% [markdown]
# {glue:text}`parity_passed` of {glue:text}`parity_n` comparisons pass, over
# {glue:text}`parity_values` values in all. Fixture files that no comparison reads:
# {glue:text}`parity_uncovered`. The Firth reference is the one not written by the R
# package itself: `coxphf` is not packaged for Debian, so `tests/reference/firth_cox.R`
# implements its definitions in base R, independently of the Python code.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-toolkit-ties
#
# Add a seventh patient to the six-patient example, censored on day 5. R's convention is
# that deaths at a time happen before censorings at the same time. Compute S(5) by hand
# and check it with `survival.km_table`.
# ```
#
# ```{solution-start} ex-toolkit-ties
# :class: dropdown
# ```
#
# The censored patient is still at risk at day 5, so five are at risk when two die:
# S(5) = 6/7 × 3/5 = {glue:text}`tiny7_s5:.3f`.

# %%
tiny7 = pd.concat([tiny, pd.DataFrame({"days": [5], "died": [0]})], ignore_index=True)
tiny7_s5 = sv.km_table(tiny7.days, tiny7.died, conf_type="log-log").set_index("time")
tiny7_s5 = float(tiny7_s5.loc[5, "survival"])
glue("tiny7_s5", tiny7_s5, display=False)
(tiny7_s5, 6 / 7 * 3 / 5)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-toolkit-ci
#
# Chen prints 1-year overall survival in the transplanted group as 70.0 % (33.0-90.2),
# 7 of 10 patients. Which of the four transforms reproduces that interval, if nobody was
# censored before one year? What about the binomial intervals in
# `proportions.ci_table(7, 10)`?
# ```
#
# ```{solution-start} ex-toolkit-ci
# :class: dropdown
# ```
#
# None of them: the lower bound is close to log-log, the upper bound is not, and no
# symmetric interval on any of these scales has the printed shape. The counts chapter for
# Chen discusses this entry.

# %%
proportions.ci_table(7, 10).round(1)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-toolkit-gray
#
# In the simulated cohort, give the high-risk group a higher NRM hazard (say 0.05 per
# month) and keep its relapse hazard. What happens to the cumulative incidence of relapse,
# to Gray's test and to the cause-specific log-rank test? Why do they disagree?
# ```
#
# ```{solution-start} ex-toolkit-gray
# :class: dropdown
# ```
#
# More high-risk patients die before they can relapse, so their cumulative incidence of
# relapse falls towards the low-risk curve and Gray's test weakens, while the cause-specific
# hazard of relapse, which the log-rank test compares, is unchanged.

# %%
nrm_high = np.where(cohort.risk == "high risk", 0.05, hazard["nrm"])
to_nrm2 = np.random.default_rng(seed + 2).exponential(1 / nrm_high)
months2 = np.round(np.minimum.reduce([to_relapse, to_nrm2, to_censoring]), 1)
status2 = np.select(
    [
        to_relapse <= np.minimum(to_nrm2, to_censoring),
        to_nrm2 <= np.minimum(to_relapse, to_censoring),
    ],
    [1, 2],
    0,
)
gray2 = sv.gray_test(months2, status2, cohort.risk, cause=1)
cs2 = sv.logrank(months2, (status2 == 1).astype(int), cohort.risk)
pd.DataFrame(
    {
        "Gray (cumulative incidence)": [gray2["stat"], gray2["p"]],
        "log-rank (cause-specific hazard)": [cs2["chi2"], cs2["p"]],
    },
    index=["statistic", "p"],
).T

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: ex-toolkit-cut
#
# Repeat the null simulation with `minprop=0.25, maxprop=0.75`. Does searching over
# fewer cut-points change the share of naive "significant" results?
# ```
#
# ```{solution-start} ex-toolkit-cut
# :class: dropdown
# ```
#
# Fewer candidate cuts mean fewer chances, so the naive false-positive share drops but
# stays well above 5 %; the corrected p keeps it near or below 5 %.

# %%
narrow = pd.DataFrame(
    [
        {
            k: v
            for k, v in sv.maxstat(
                leuk.weeks,
                leuk.relapse,
                np.random.default_rng(seed + 3 + i).permutation(leuk.log_wbc),
                minprop=0.25,
                maxprop=0.75,
            ).items()
            if k != "curve"
        }
        for i in range(200)
    ]
)
pd.Series(
    {
        "naive p < 0.05": (narrow.p_naive < alpha).mean(),
        "corrected p < 0.05": (narrow.p < alpha).mean(),
    }
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ## References
#
# Freireich EJ et al. The effect of 6-mercaptopurine on the duration of steroid-induced
# remissions in acute leukemia. *Blood* 1963;21:699-716. Greenwood M. *Reports on Public
# Health and Medical Subjects* 33, 1926. Borgan Ø, Liestøl K. A note on confidence
# intervals and bands for the survival function based on transformations. *Scand J Stat*
# 1990;17:35-41. Gray RJ. A class of K-sample tests for comparing the cumulative incidence
# of a competing risk. *Ann Stat* 1988;16:1141-54. Heinze G, Schemper M. A solution to the
# problem of monotone likelihood in Cox regression. *Biometrics* 2001;57:114-9. Lausen B,
# Schumacher M. Maximally selected rank statistics. *Biometrics* 1992;48:73-85. Morris TP
# et al. Proposals on Kaplan-Meier plots in medical research and a survey of stakeholder
# views: KMunicate. *BMJ Open* 2019;9:e030215.

# %% tags=["remove-input"]
provenance.provenance()
