"""Parity with R: recompute every fixture in ``tests/reference`` and measure the gap.

The R scripts in ``tests/reference`` write, next to themselves, the data they analyse
and R's results (CSV). The unit tests assert agreement case by case; this module
gives the same comparisons as one table (one row per function and fixture: how many
values were compared, the largest absolute difference, pass or fail), which the
statistics-toolkit page shows. A fixture file that no comparison reads is reported
by :func:`uncovered`, so that a new fixture cannot silently stay out of the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from . import survival as sv

__all__ = [
    "COMPARISONS",
    "INPUTS",
    "REFERENCE",
    "TOLERANCE",
    "Comparison",
    "difference",
    "parity_table",
    "uncovered",
]

REFERENCE = paths.REFERENCE
#: Agreement required: |Python - R| <= 1e-6, relative to |R| where |R| > 1 (chi-square
#: statistics and hazard ratios can be large); NA in R must be NaN here and vice versa.
TOLERANCE = 1e-6
#: Fixture files that hold input data rather than R results.
INPUTS = (
    "survival_edge.csv",
    "survival_random.csv",
    "survival_cr_edge.csv",
    "survival_cr_random.csv",
    "survival_maxstat_data.csv",
    "cox_mixed.csv",
    "cox_early.csv",
    "cox_separation.csv",
    "cox_tv.csv",
    "crr_data.csv",
    "zph_ties.csv",
    "zph_factor.csv",
    "td_edge.csv",
    "td_random.csv",
    "td_noties.csv",
    "td_delayed.csv",
    "median_ci_data.csv",
    "fixed_time_data.csv",
)
#: R-made data sets used by other tests, not parity fixtures (file: the test that reads it).
OTHER_DATA = {"roundtrip_cohort.csv": "tests/test_reconstruct_roundtrip.py"}

Pairs = Iterator[tuple[object, object]]  # (Python values, R values), same shape


@dataclass(frozen=True)
class Comparison:
    """One R function compared with its Python counterpart on one fixture file."""

    function: str  # the cart_hsct function, e.g. "survival.km_table"
    fixture: str  # file in tests/reference holding R's results
    r_call: str  # the R call that produced them
    pairs: Callable[[Path], Pairs]  # yields (python, r) value arrays, one per case
    also: tuple[str, ...] = ()  # further result files the comparison reads


def difference(python, r) -> tuple[int, float, float, bool]:
    """Compare two sets of values.

    Returns
    -------
    tuple
        number of values, largest absolute difference, largest difference relative to
        ``max(1, |R|)``, and whether that relative difference is within
        :data:`TOLERANCE`. NaN (R's NA) must sit in the same places on both sides;
        equal infinities agree.
    """
    a = np.atleast_1d(np.asarray(python, dtype=float)).ravel()
    b = np.atleast_1d(np.asarray(r, dtype=float)).ravel()
    if a.shape != b.shape:
        return max(a.size, b.size), np.inf, np.inf, False
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore"):
        diff = np.where(same, 0.0, np.abs(a - b))
    diff = np.where(np.isnan(diff), np.inf, diff)  # NaN on one side only
    scaled = diff / np.maximum(1.0, np.where(np.isfinite(b), np.abs(b), 1.0))
    worst = float(scaled.max(initial=0.0))
    return int(a.size), float(diff.max(initial=0.0)), worst, worst <= TOLERANCE


# ----------------------------------------------------------------------------- readers


def _read(ref: Path, name: str) -> pd.DataFrame:
    """A fixture as a DataFrame (a copy: callers may change it).

    The comparisons read the same data files again for every case (188 reads of 20
    files for one table); each file is parsed once per version of it on disk.
    """
    file = ref / name
    stat = file.stat()
    return _parse_csv(str(file), stat.st_mtime_ns, stat.st_size).copy()


@lru_cache(maxsize=64)
def _parse_csv(file: str, mtime_ns: int, size: int) -> pd.DataFrame:
    return pd.read_csv(file)


def _subset(d: pd.DataFrame, group: str) -> pd.DataFrame:
    return d if group == "all" else d[d.group == group]


def _none_nan(x):
    return np.nan if x is None else x


# ----------------------------------------------------------------------------- KM and log-rank


def _km_table(ref: Path) -> Pairs:
    want_all = _read(ref, "survival_km_table.csv")
    cols = ["time", "at_risk", "events", "censored", "survival", "std_err", "ci_lower", "ci_upper"]
    for (ds, ct, g), want in want_all.groupby(["dataset", "conf_type", "group"], sort=True):
        d = _subset(_read(ref, f"survival_{ds}.csv"), g)
        got = sv.km_table(d.time, d.event, conf_type=ct)
        yield got[cols].to_numpy(float), want[cols].to_numpy(float)


def _km_at(ref: Path) -> Pairs:
    want_all = _read(ref, "survival_km_at.csv")
    cols = ["time", "survival", "std_err", "ci_lower", "ci_upper"]
    for (ds, ct, g), want in want_all.groupby(["dataset", "conf_type", "group"], sort=True):
        d = _subset(_read(ref, f"survival_{ds}.csv"), g)
        got = sv.km_at(d.time, d.event, want.time.to_numpy(), conf_type=ct)
        yield got[cols].to_numpy(float), want[cols].to_numpy(float)


def _km_median(ref: Path) -> Pairs:
    want_all = _read(ref, "survival_km_median.csv")
    for row in want_all.itertuples(index=False):
        d = _subset(_read(ref, f"survival_{row.dataset}.csv"), row.group)
        got = sv.km_median(d.time, d.event, conf_type=row.conf_type)
        yield (
            [_none_nan(got[k]) for k in ("median", "ci_lower", "ci_upper")],
            [row.median, row.ci_lower, row.ci_upper],
        )


def _median_followup(ref: Path) -> Pairs:
    for row in _read(ref, "survival_median_followup.csv").itertuples(index=False):
        d = _read(ref, f"survival_{row.dataset}.csv")
        got = sv.median_followup(d.time, d.event, conf_type=row.conf_type)
        yield (
            [_none_nan(got[k]) for k in ("median", "ci_lower", "ci_upper")],
            [row.median, row.ci_lower, row.ci_upper],
        )


def _logrank(ref: Path) -> Pairs:
    for row in _read(ref, "survival_logrank.csv").itertuples(index=False):
        d = _read(ref, f"survival_{row.dataset}.csv")
        if row.groups == "first_two":
            d = d[d.group.isin(sorted(d.group.unique())[:2])]
        got = sv.logrank(d.time, d.event, d.group, rho=row.rho)
        yield [got["chi2"], got["df"], got["p"]], [row.chi2, row.df, row.p]


def _pairwise_logrank(ref: Path) -> Pairs:
    want_all = _read(ref, "survival_pairwise_logrank.csv")
    for ds, want in want_all.groupby("dataset", sort=True):
        d = _read(ref, f"survival_{ds}.csv")
        for adjust, col in ((None, "p"), ("holm", "p_holm"), ("BH", "p_BH")):
            got = sv.pairwise_logrank(d.time, d.event, d.group, adjust=adjust)
            yield (
                got[["chi2", "p", "p_adjusted"]].to_numpy(float),
                want[["chi2", "p", col]].to_numpy(float),
            )


# ----------------------------------------------------------------------------- competing risks


def _cuminc(ref: Path) -> Pairs:
    """Estimates and variances, then the three CI transforms applied in R to them."""
    want_all = _read(ref, "survival_cuminc.csv")
    for (ds, by, cause), want in want_all.groupby(["dataset", "by", "cause"], sort=True):
        d = _read(ref, f"survival_{ds}.csv")
        want = want.sort_values(["group", "time"], kind="stable")
        for conf_type, prefix in (("plain", "plain"), ("log", "log"), ("log-log", "loglog")):
            got = sv.cuminc(
                d.time,
                d.status,
                cause=int(cause),
                group=None if by == "none" else d.group,
                times=sorted(set(want.time)),
                conf_type=conf_type,
            )
            cols = ["time", "estimate", "variance", "ci_lower", "ci_upper"]
            r_cols = ["time", "estimate", "variance", f"{prefix}_lower", f"{prefix}_upper"]
            yield got[cols].to_numpy(float), want[r_cols].to_numpy(float)


def _cuminc_survfit(ref: Path) -> Pairs:
    """Estimates, infinitesimal-jackknife variances and log intervals, curve by curve."""
    want_all = _read(ref, "survival_cuminc_survfit.csv")
    for (ds, group, cause), want in want_all.groupby(["dataset", "group", "cause"], sort=True):
        d = _read(ref, f"survival_{ds}.csv")
        if group != "all":
            d = d[d.group == group]
        got = sv.cuminc(
            d.time,
            d.status,
            cause=int(cause),
            times=list(want.time),
            conf_type="log",
            variance="survfit",
            absent="zero",
        )
        yield (
            got[["time", "estimate", "variance", "ci_lower", "ci_upper"]].to_numpy(float),
            want[["time", "estimate", "variance", "log_lower", "log_upper"]].to_numpy(float),
        )


def _gray_test(ref: Path) -> Pairs:
    for row in _read(ref, "survival_gray_test.csv").itertuples(index=False):
        d = _read(ref, f"survival_{row.dataset}.csv")
        got = sv.gray_test(d.time, d.status, d.group, cause=int(row.cause), rho=row.rho)
        yield [got["stat"], got["df"], got["p"]], [row.stat, row.df, row.p]


def _maxstat(ref: Path) -> Pairs:
    d = _read(ref, "survival_maxstat_data.csv")
    curves = _read(ref, "survival_maxstat_curve.csv")
    for row in _read(ref, "survival_maxstat.csv").itertuples(index=False):
        got = sv.maxstat(
            d.time, d.event, d.marker, minprop=row.minprop, maxprop=row.maxprop, pmethod=row.pmethod
        )
        yield [got["cutpoint"], got["statistic"], got["p"]], [row.cutpoint, row.statistic, row.p]
        curve = curves[
            (curves.pmethod == row.pmethod)
            & (curves.minprop == row.minprop)
            & (curves.maxprop == row.maxprop)
        ]
        yield (
            got["curve"][["cutpoint", "statistic"]].to_numpy(float),
            curve[["cutpoint", "statistic"]].to_numpy(float),
        )


# ----------------------------------------------------------------------------- regression

_COEF_COLUMNS = ["coef", "se", "p", "ci_lower", "ci_upper"]


def _json_cases(ref: Path, name: str) -> dict:
    import json

    return json.loads((ref / name).read_text(encoding="utf-8"))


def _cox(ref: Path) -> Pairs:
    """Every coxph case: coefficients, SEs, p, CI, log-likelihoods and the three tests.

    In the separation cases the diverging coefficient is wherever R stopped iterating;
    it agrees to about 1e-9 relative (and its infinite upper CI bound to the letter).
    """
    for name, case in _json_cases(ref, "cox_results.json").items():
        data_file = case["data"][0].split(" ")[0].rstrip(",")
        d = _read(ref, data_file)
        if "levels" in name:  # R: factor(grp, levels = c("low", "mid", "high"))
            d["grp"] = pd.Categorical(d["grp"], categories=["low", "mid", "high"])
        covariates = case["formula"][0].split("~")[1].replace(" ", "").split("+")
        ties = case["ties"][0]
        if name.startswith("tv_"):
            fit = sv.cox_time_varying(d, "id", "start", "stop", "event", covariates, ties=ties)
        else:
            fit = _quiet(sv.cox, d, "time", "event", covariates, ties=ties)
        if list(fit.summary["term"]) != case["term"]:
            raise ValueError(f"{name}: terms {list(fit.summary['term'])} vs R {case['term']}")
        yield (
            fit.summary[_COEF_COLUMNS].to_numpy(float),
            np.column_stack([case[k] for k in _COEF_COLUMNS]).astype(float),
        )
        yield list(fit.loglik_), case["loglik"]
        yield (
            fit.tests.loc[["lr", "wald", "score"], ["stat", "df", "p"]].to_numpy(float),
            np.array([case["lr"], case["wald"], case["score"]], dtype=float),
        )


def _firth(ref: Path) -> Pairs:
    """Firth-penalised Cox, Wald and profile-likelihood versions, Breslow ties."""
    files = {"separation": "cox_separation.csv", "mixed": "cox_mixed.csv", "early": "cox_early.csv"}
    covs = {"separation": ["arm", "age"], "mixed": ["sex", "age", "grp"], "early": ["trt", "score"]}
    for name, case in _json_cases(ref, "firth_results.json").items():
        d = _read(ref, files[name])
        for ci, cols in (
            ("wald", ["coef", "se", "p_wald", "wald_lower", "wald_upper"]),
            ("profile", ["coef", "se", "p_profile", "profile_lower", "profile_upper"]),
        ):
            fit = sv.cox(d, "time", "event", covs[name], ties="breslow", firth=True, ci=ci)
            if list(fit.summary["term"]) != case["term"]:
                raise ValueError(f"firth {name}: terms {list(fit.summary['term'])} vs R")
            yield (
                fit.summary[_COEF_COLUMNS].to_numpy(float),
                np.column_stack([case[k] for k in cols]).astype(float),
            )
        yield list(fit.loglik_), case["loglik"]


def _fine_gray(ref: Path) -> Pairs:
    d = _read(ref, "crr_data.csv")
    for case in _json_cases(ref, "crr_results.json").values():
        covariates = case["formula"][0].replace("~", "").replace(" ", "").split("+")
        got = sv.fine_gray(d, "time", "status", covariates, cause=int(case["failcode"][0]))
        if list(got["term"]) != case["term"]:
            raise ValueError(f"crr terms {list(got['term'])} vs R {case['term']}")
        yield (
            got[_COEF_COLUMNS].to_numpy(float),
            np.column_stack([case[k] for k in _COEF_COLUMNS]).astype(float),
        )


def _cox_zph(ref: Path) -> Pairs:
    """cox.zph tables (chisq, df, p), transformed times and scaled residuals (y, var),
    then residuals(fit, "schoenfeld" / "scaledsch")."""
    results = _json_cases(ref, "zph_results.json")
    for case in results["zph"].values():
        d = _read(ref, case["data"][0])
        covariates = case["formula"][0].split("~")[1].replace(" ", "").split("+")
        got = sv.cox_zph(
            d,
            "time",
            "event",
            covariates,
            ties=case["ties"][0],
            transform=case["transform"][0],
            terms=case["terms"][0],
        )
        if list(got.table.index) != case["term"]:
            raise ValueError(f"cox.zph terms {list(got.table.index)} vs R {case['term']}")
        yield (
            got.table[["chisq", "df", "p"]].to_numpy(float),
            np.column_stack([case["chisq"], case["df"], case["p"]]).astype(float),
        )
        yield got.x, case["x"]
        yield got.time, case["time"]
        yield got.y.to_numpy().ravel(order="F"), case["y"]  # R matrices are column-major
        yield got.var.ravel(order="F"), case["var"]
    for case in results["residuals"].values():
        d = _read(ref, case["data"][0])
        covariates = case["formula"][0].split("~")[1].replace(" ", "").split("+")
        for kind in ("schoenfeld", "scaledsch"):
            got = sv.schoenfeld_residuals(
                d, "time", "event", covariates, ties=case["ties"][0], scaled=kind == "scaledsch"
            )
            yield got.iloc[:, 1:].to_numpy().ravel(order="F"), case[kind]


# ----------------------------------------------------------------------------- time-dependent

_TD_SPLIT = ("edge", "random", "noties")


def _td_rows(ref: Path, name: str) -> pd.DataFrame:
    """Counting-process rows of a td_ data set: split here (checked by _split) or as given."""
    d = _read(ref, f"td_{name}.csv")
    if name not in _TD_SPLIT:
        return d
    return sv.split_at_exposure(d, "time", "event", "exposure_day", id="id")


def _split(ref: Path) -> Pairs:
    want_all = _read(ref, "td_split.csv")
    cols = ["id", "start", "stop", "event", "exposed"]
    for name in _TD_SPLIT:
        want = want_all[want_all.dataset == name].sort_values(["id", "start"])
        got = _td_rows(ref, name).sort_values(["id", "start"])
        yield got[cols].to_numpy(float), want[cols].to_numpy(float)


def _simon_makuch(ref: Path) -> Pairs:
    want_all = _read(ref, "td_simon_makuch.csv")
    cols = [
        "group",
        "time",
        "at_risk",
        "events",
        "censored",
        "survival",
        "std_err",
        "ci_lower",
        "ci_upper",
    ]
    for (name, ct), want in want_all.groupby(["dataset", "conf_type"], sort=True):
        d = _td_rows(ref, name)
        got = sv.simon_makuch(d.start, d.stop, d.event, d.exposed, conf_type=ct)
        yield got[cols].to_numpy(float), want[cols].to_numpy(float)


def _mantel_byar(ref: Path) -> Pairs:
    """(a) the sums written out in R, every data set; (b) coxph's score test, no ties."""
    for name, case in _json_cases(ref, "td_mantel_byar.json").items():
        d = _td_rows(ref, name)
        got = sv.mantel_byar(d.start, d.stop, d.event, d.exposed)
        yield ([got["chi2"], got["df"], got["p"]], [case["chi2"][0], case["df"][0], case["p"][0]])
        yield (
            got["groups"][["observed", "expected"]].to_numpy(float),
            np.column_stack([case["observed"], case["expected"]]).astype(float),
        )
        if "coxph_score" in case:
            yield [got["chi2"], got["p"]], [case["coxph_score"][0], case["coxph_score_p"][0]]


def _median_symmetric_ci(ref: Path) -> Pairs:
    data = _read(ref, "median_ci_data.csv")
    for case in _json_cases(ref, "median_ci_results.json"):
        d = data[data["set"] == case["set"][0]]
        got = sv.median_symmetric_ci(d.time, d.event, case["median"][0], alpha=case["alpha"][0])
        yield list(got), [case["lower"][0], case["upper"][0]]


def _km_compare_at(ref: Path) -> Pairs:
    data = _read(ref, "fixed_time_data.csv")
    for row in _read(ref, "fixed_time_km.csv").itertuples(index=False):
        d = data[data["set"] == row.set]
        got = sv.km_compare_at(d.time, d.event, d.group, at=row.time)
        keys = ["survival_a", "survival_b", "std_err", "z", "p"]
        yield [got[k] for k in keys], [getattr(row, k) for k in keys]


def _landmark_cox(ref: Path) -> Pairs:
    keys = ["hr", "ci_lower", "ci_upper", "p", "logrank_p"]
    for row in _read(ref, "landmark_results.csv").itertuples(index=False):
        if row.hr > 1e6:  # R's coefficient diverges (separation): no parity to check
            continue
        base = _read(ref, f"td_{row.dataset}.csv")
        eligible = base.id % 2 == 1 if row.restricted else None
        got = sv.landmark_cox(
            base, "time", "event", "exposure_day", day=row.landmark, eligible=eligible
        )
        yield [got[k] for k in keys], [getattr(row, k) for k in keys]


def _cuminc_extend(ref: Path) -> Pairs:
    data = _read(ref, "fixed_time_data.csv")
    for (name, group, cause), r in _read(ref, "fixed_time_cuminc.csv").groupby(
        ["set", "group", "cause"]
    ):
        d = data[(data["set"] == name) & (data["group"] == group)]
        for variance, columns in (
            ("survfit", ["estimate", "survfit_var"]),
            ("cmprsk", ["cmprsk_estimate", "cmprsk_var"]),
        ):
            got = sv.cuminc(
                d.time,
                d.status,
                cause=int(cause),
                times=r.time,
                conf_type="log",
                variance=variance,
                absent="zero",
                extend=True,
            )
            yield got[["estimate", "variance"]].to_numpy(), r[columns].to_numpy()


def _quiet(fn, *args, **kwargs):
    """Call ``fn`` without its warnings (the separation case warns, as R does)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# ----------------------------------------------------------------------------- proportions


def _proportion_ci(ref: Path) -> Pairs:
    from . import proportions as pr

    for row in _read(ref, "proportions_ci.csv").itertuples(index=False):
        yield pr.ci(int(row.k), int(row.n), method=row.method), (row.lower, row.upper)


def _two_by_two(ref: Path) -> Pairs:
    from . import proportions as pr

    for row in _read(ref, "proportions_2x2.csv").itertuples(index=False):
        got = pr.two_by_two(int(row.k1), int(row.n1), int(row.k2), int(row.n2))
        yield [got[t] for t in pr.TESTS], [getattr(row, t) for t in pr.TESTS]


def _landmark_cif(ref: Path) -> Pairs:
    from . import proportions as pr

    for row in _read(ref, "proportions_cif.csv").itertuples(index=False):
        got = pr.landmark_cif(
            int(row.k), int(row.n), conf_type="log", competing=int(row.competing), order=row.order
        )
        yield [got["estimate"], got["variance"]], [row.estimate, row.cmprsk_var]


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "survival.km_table",
        "survival_km_table.csv",
        "summary(survfit(Surv(time, event) ~ 1, conf.type = ct), censored = TRUE)",
        _km_table,
    ),
    Comparison(
        "survival.km_at",
        "survival_km_at.csv",
        "summary(survfit(...), times = t, extend = TRUE)",
        _km_at,
    ),
    Comparison(
        "survival.km_median", "survival_km_median.csv", "quantile(survfit(...), 0.5)", _km_median
    ),
    Comparison(
        "survival.median_followup",
        "survival_median_followup.csv",
        "quantile(survfit(Surv(time, 1 - event) ~ 1), 0.5)",
        _median_followup,
    ),
    Comparison(
        "survival.logrank",
        "survival_logrank.csv",
        "survdiff(Surv(time, event) ~ group, rho = rho)",
        _logrank,
    ),
    Comparison(
        "survival.pairwise_logrank",
        "survival_pairwise_logrank.csv",
        "survdiff per pair + p.adjust(p, 'holm' / 'BH')",
        _pairwise_logrank,
    ),
    Comparison(
        "survival.cuminc",
        "survival_cuminc.csv",
        "timepoints(cmprsk::cuminc(time, status, group), t) + CI transforms in R",
        _cuminc,
    ),
    Comparison(
        'survival.cuminc(variance="survfit")',
        "survival_cuminc_survfit.csv",
        "summary(survfit(Surv(time, factor(status)) ~ 1), times = t): pstate, "
        "std.err^2, log interval",
        _cuminc_survfit,
    ),
    Comparison(
        "survival.gray_test",
        "survival_gray_test.csv",
        "cmprsk::cuminc(time, status, group, rho = rho)$Tests",
        _gray_test,
    ),
    Comparison(
        "survival.maxstat",
        "survival_maxstat.csv",
        "maxstat.test(Surv(time, event) ~ marker, smethod = 'LogRank', pmethod = pm)",
        _maxstat,
        also=("survival_maxstat_curve.csv",),
    ),
    Comparison(
        "survival.cox, survival.cox_time_varying",
        "cox_results.json",
        "coxph(Surv(time, event) ~ ..., ties = 'efron' / 'breslow')",
        _cox,
    ),
    Comparison(
        "survival.cox(firth=True)",
        "firth_results.json",
        "coxphf definitions (Heinze & Schemper 2001) in base R; coxphf itself is "
        "not packaged for Debian",
        _firth,
    ),
    Comparison(
        "survival.cox_zph, survival.schoenfeld_residuals",
        "zph_results.json",
        "cox.zph(coxph(...), transform = tr, terms = te); residuals(fit, 'scaledsch')",
        _cox_zph,
    ),
    Comparison(
        "survival.split_at_exposure",
        "td_split.csv",
        "tmerge(base, d, id = id, exposed = tdc(exposure_day))",
        _split,
    ),
    Comparison(
        "survival.simon_makuch",
        "td_simon_makuch.csv",
        "summary(survfit(Surv(start, stop, event) ~ exposed, conf.type = ct), censored = TRUE)",
        _simon_makuch,
    ),
    Comparison(
        "survival.mantel_byar",
        "td_mantel_byar.json",
        "Mantel-Byar sums written out in R; without tied deaths also "
        "coxph(Surv(start, stop, event) ~ exposed)$score",
        _mantel_byar,
    ),
    Comparison(
        "survival.median_symmetric_ci",
        "median_ci_results.json",
        "median +- qnorm(1 - alpha/2) * summary(survfit, times = median)$std.err / "
        "slope, written out in R",
        _median_symmetric_ci,
    ),
    Comparison(
        "survival.km_compare_at",
        "fixed_time_km.csv",
        "(S1 - S2) / sqrt(se1^2 + se2^2) on summary(survfit, times = t, extend = TRUE), "
        "written out in R",
        _km_compare_at,
    ),
    Comparison(
        "survival.landmark_cox",
        "landmark_results.csv",
        "coxph(Surv(time - L, event) ~ exposed) and survdiff on subset(base, time > L & "
        "eligible), exposed = exposure day <= L",
        _landmark_cox,
    ),
    Comparison(
        'survival.cuminc(absent="zero", extend=True)',
        "fixed_time_cuminc.csv",
        "summary(survfit(Surv(time, factor(status)) ~ 1), times = t, extend = TRUE); "
        "timepoints(cuminc(...), min(t, max(time)))",
        _cuminc_extend,
    ),
    Comparison(
        "survival.fine_gray",
        "crr_results.json",
        "cmprsk::crr(time, status, cov1, failcode)",
        _fine_gray,
    ),
    Comparison(
        "proportions.ci",
        "proportions_ci.csv",
        "binom.test, prop.test, summary(survfit(..., conf.type = ct))",
        _proportion_ci,
    ),
    Comparison(
        "proportions.two_by_two",
        "proportions_2x2.csv",
        "fisher.test, chisq.test(correct = TRUE / FALSE)",
        _two_by_two,
    ),
    Comparison(
        "proportions.landmark_cif",
        "proportions_cif.csv",
        "timepoints(cmprsk::cuminc(time, status), 1)",
        _landmark_cif,
    ),
)


def parity_table(reference: Path | None = None) -> pd.DataFrame:
    """One row per comparison: cases, values compared, largest differences, pass or fail.

    ``max_abs_diff`` is the largest |Python - R|; ``max_rel_diff`` the largest
    |Python - R| / max(1, |R|); a comparison passes when the latter is <= 1e-6 everywhere
    (for values up to 1 in size, probabilities and p-values, that is an absolute 1e-6).

    A comparison that raises (for example a function not implemented yet) is reported
    with its error rather than hidden, and fails.
    """
    ref = Path(reference or REFERENCE)
    rows = []
    for c in COMPARISONS:
        row = {"function": c.function, "fixture": c.fixture, "R call": c.r_call}
        if not (ref / c.fixture).exists():
            rows.append(
                row
                | {
                    "cases": 0,
                    "values": 0,
                    "max_abs_diff": np.nan,
                    "max_rel_diff": np.nan,
                    "passed": False,
                    "note": "fixture missing",
                }
            )
            continue
        try:
            results = [difference(py, r) for py, r in c.pairs(ref)]
        except Exception as err:  # reported in the table, not swallowed
            rows.append(
                row
                | {
                    "cases": 0,
                    "values": 0,
                    "max_abs_diff": np.nan,
                    "max_rel_diff": np.nan,
                    "passed": False,
                    "note": f"{type(err).__name__}: {err}",
                }
            )
            continue
        rows.append(
            row
            | {
                "cases": len(results),
                "values": sum(n for n, _, _, _ in results),
                "max_abs_diff": max((d for _, d, _, _ in results), default=np.nan),
                "max_rel_diff": max((d for _, _, d, _ in results), default=np.nan),
                "passed": bool(results) and all(ok for _, _, _, ok in results),
                "note": "" if results else "no cases in fixture",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "function",
            "fixture",
            "R call",
            "cases",
            "values",
            "max_abs_diff",
            "max_rel_diff",
            "passed",
            "note",
        ],
    )


def uncovered(reference: Path | None = None) -> list[str]:
    """Fixture files (CSV, JSON) in ``tests/reference`` that no comparison reads."""
    ref = Path(reference or REFERENCE)
    used = {c.fixture for c in COMPARISONS} | {f for c in COMPARISONS for f in c.also}
    used |= set(INPUTS) | set(OTHER_DATA)
    files = [*ref.glob("*.csv"), *ref.glob("*.json")]
    return sorted(f.name for f in files if f.name not in used)
