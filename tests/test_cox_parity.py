"""Cox regression against R.

References (all written by scripts in tests/reference/, never by this test):
- ``make_cox_fixtures.R`` -> ``cox_results.json``: R ``coxph`` (survival 3.5.3) fits.
- ``firth_cox.R`` -> ``firth_results.json``: coxphf's definitions implemented in base R
  (coxphf itself is not installable here; see the script's header), cross-checked
  below against ``firthmodels.FirthCoxPH``.

Deliberate differences from R (each stated in ``cox``'s docstring):
- rows with a missing covariate raise an error instead of being dropped (na.omit);
- constant or aliased terms raise an error instead of giving an NA coefficient;
- ``firth=True`` requires ``ties="breslow"`` (coxphf has no Efron option);
- times are not merged by R's ``timefix`` (aeqSurv): fixtures use exactly tied times;
- Firth fits: the score test is the ordinary score test at 0 (coxphf reports none).
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from cart_hsct.survival import cox, cox_time_varying
from cart_hsct.survival._design import design_matrix
from cart_hsct.survival.cox import MonotoneLikelihoodWarning

REF = __import__("pathlib").Path(__file__).parent / "reference"
R_COX = json.loads((REF / "cox_results.json").read_text())
R_FIRTH = json.loads((REF / "firth_results.json").read_text())
RTOL = 1e-6


def _num(values) -> np.ndarray:
    """R's JSON writes Inf as a string."""
    return np.array([float(v) for v in values])


def _load(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name)


# case name prefix -> (data file, covariates, categorical level order or None)
COX_SPECS = {
    "mixed": ("cox_mixed.csv", ["sex", "age", "grp"], None),
    "mixed_levels": ("cox_mixed.csv", ["sex", "age", "grp"], ["low", "mid", "high"]),
    "mixed_age": ("cox_mixed.csv", ["age"], None),
    "early": ("cox_early.csv", ["trt", "score"], None),
    "separation": ("cox_separation.csv", ["arm", "age"], None),
}


def _fit_case(case: str):
    want = R_COX[case]
    prefix, ties = case.rsplit("_", 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if prefix == "tv":
            got = cox_time_varying(
                _load("cox_tv.csv"), "id", "start", "stop", "event", ["hsct", "age"], ties=ties
            )
        else:
            file, covariates, levels = COX_SPECS[prefix]
            df = _load(file)
            if levels:
                df["grp"] = pd.Categorical(df["grp"], categories=levels)
            got = cox(df, "time", "event", covariates, ties=ties)
    return got, want, caught


@pytest.mark.parametrize("case", sorted(R_COX))
def test_cox_matches_r_coxph(case):
    """R: coxph(<formula in fixture>, data, ties = <efron|breslow>); coef, se, p, exp(confint),
    loglik, and the raw LR / Wald (fit$wald.test) / score (fit$score) statistics.

    Cases: ties within and across covariate levels (mixed), factor level order as
    declared (mixed_levels), heavy early censoring (early), an arm with no events
    (separation), counting-process data with a time-varying covariate (tv,
    coxph(Surv(start, stop, event) ~ hsct + age)).
    """
    got, want, _ = _fit_case(case)
    s = got.summary
    assert list(s["term"]) == want["term"]
    for col in ["coef", "se", "p", "ci_lower", "ci_upper"]:
        assert_allclose(s[col].to_numpy(), _num(want[col]), rtol=RTOL, atol=1e-12, err_msg=col)
    assert_allclose(s["hr"], np.exp(_num(want["coef"])), rtol=RTOL)
    assert_allclose(got.loglik_, want["loglik"], rtol=RTOL)
    for test in ["lr", "wald", "score"]:
        assert_allclose(
            got.tests.loc[test, ["stat", "df", "p"]].to_numpy(float),
            want[test],
            rtol=RTOL,
            atol=1e-12,
            err_msg=test,
        )
    assert got.n == want["n"][0] and got.events == want["nevent"][0]
    assert got.converged_
    assert got.iterations_ == want["iter"][0]


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_separation_warns_like_r_and_points_to_firth(ties):
    """R: coxph(Surv(time, event) ~ arm + age, cox_separation.csv) warns
    'Loglik converged before variable  2 ; coefficient may be infinite.'"""
    got, want, caught = _fit_case(f"separation_{ties}")
    r_vars = [
        int(v)
        for v in re.findall(
            r"\d+", re.search(r"variable\s+([\d ,]+)", want["warnings"][0]).group(1)
        )
    ]
    r_terms = [want["term"][i - 1] for i in r_vars]
    assert got.infinite_terms_ == r_terms == ["armC"]
    messages = [str(w.message) for w in caught if issubclass(w.category, MonotoneLikelihoodWarning)]
    assert len(messages) == 1
    assert "armC" in messages[0] and "firth=True" in messages[0]


def test_no_warning_without_separation():
    """R: coxph(Surv(time, event) ~ sex + age + grp, cox_mixed.csv) gives no warning."""
    _, want, caught = _fit_case("mixed_efron")
    assert want["warnings"] == []
    assert not [w for w in caught if issubclass(w.category, MonotoneLikelihoodWarning)]


# ----------------------------------------------------------------------------- Firth

FIRTH_SPECS = {
    "separation": ("cox_separation.csv", ["arm", "age"]),
    "mixed": ("cox_mixed.csv", ["sex", "age", "grp"]),
    "early": ("cox_early.csv", ["trt", "score"]),
}


@pytest.mark.parametrize("case", sorted(R_FIRTH))
def test_firth_matches_base_r_reference(case):
    """Reference: firth_cox.R (coxphf's penalised likelihood, Breslow ties, written in base
    R because coxphf is unavailable); equivalent to coxphf(..., pl = FALSE) for the Wald
    columns and coxphf(..., pl = TRUE) for profile CIs and penalised LR p-values."""
    want = R_FIRTH[case]
    file, covariates = FIRTH_SPECS[case]
    df = _load(file)
    wald = cox(df, "time", "event", covariates, ties="breslow", firth=True, ci="wald")
    prof = cox(df, "time", "event", covariates, ties="breslow", firth=True, ci="profile")
    assert list(wald.summary["term"]) == want["term"]
    for got in (wald, prof):
        assert_allclose(got.summary["coef"], want["coef"], rtol=RTOL, atol=1e-9)
        assert_allclose(got.summary["se"], want["se"], rtol=RTOL)
        assert_allclose(got.loglik_, want["loglik"], rtol=RTOL)
        assert_allclose(got.tests.loc["lr", "stat"], want["lr"][0], rtol=RTOL)
    assert_allclose(wald.summary["p"], want["p_wald"], rtol=RTOL)
    assert_allclose(wald.summary["ci_lower"], want["wald_lower"], rtol=RTOL)
    assert_allclose(wald.summary["ci_upper"], want["wald_upper"], rtol=RTOL)
    assert_allclose(prof.summary["p"], want["p_profile"], rtol=RTOL)
    assert_allclose(prof.summary["ci_lower"], want["profile_lower"], rtol=RTOL)
    assert_allclose(prof.summary["ci_upper"], want["profile_upper"], rtol=RTOL)


@pytest.mark.parametrize("case", sorted(FIRTH_SPECS))
def test_firth_matches_firthmodels(case):
    """Second, independent reference: firthmodels.FirthCoxPH (measured to match coxphf),
    run with tightened tolerances so that both sides sit at the penalised MLE."""
    firthmodels = pytest.importorskip("firthmodels")
    file, covariates = FIRTH_SPECS[case]
    df = _load(file)
    x, _ = design_matrix(df, covariates)
    y = np.array(
        list(zip(df["event"].astype(bool), df["time"].astype(float), strict=True)),
        dtype=[("event", bool), ("time", float)],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = firthmodels.FirthCoxPH(gtol=1e-12, xtol=1e-12, max_iter=200).fit(x, y)
    got = cox(df, "time", "event", covariates, ties="breslow", firth=True)
    assert_allclose(got.summary["coef"], ref.coef_, rtol=RTOL, atol=1e-8)
    assert_allclose(got.summary["se"], ref.bse_, rtol=RTOL)
    assert_allclose(got.loglik_[1], ref.loglik_, rtol=RTOL)


def test_firth_separation_is_finite_and_silent():
    """Firth's penalty keeps armC finite: no monotone-likelihood warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", MonotoneLikelihoodWarning)
        got = cox(
            _load("cox_separation.csv"),
            "time",
            "event",
            ["arm", "age"],
            ties="breslow",
            firth=True,
            ci="profile",
        )
    assert np.isfinite(got.summary[["coef", "se", "ci_lower", "ci_upper"]].to_numpy()).all()


# ----------------------------------------------------------------------------- properties


def _random_cohort(seed: int, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    binary = rng.integers(0, 2, n)
    age = np.round(rng.normal(40, 10, n))
    stage = rng.choice(["I", "II", "III"], n)
    hazard = 0.05 * np.exp(0.6 * binary + 0.02 * (age - 40))
    event_time = rng.exponential(1 / hazard)
    censor = rng.uniform(2, 40, n)
    # integer times: ties within and across covariate values
    return pd.DataFrame(
        {
            "time": np.ceil(np.minimum(event_time, censor)),
            "event": (event_time <= censor).astype(int),
            "binary": binary,
            "age": age,
            "stage": stage,
        }
    )


PROPERTY_SETTINGS = settings(
    max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 2**31 - 1), ties=st.sampled_from(["efron", "breslow"]))
def test_cox_invariant_to_row_order(seed, ties):
    df = _random_cohort(seed)
    if df["event"].sum() < 5:
        return
    shuffled = df.sample(frac=1, random_state=seed % 1000).reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = cox(df, "time", "event", ["binary", "age", "stage"], ties=ties)
        b = cox(shuffled, "time", "event", ["binary", "age", "stage"], ties=ties)
    assert_allclose(
        a.summary[["coef", "se", "p"]], b.summary[["coef", "se", "p"]], rtol=1e-8, atol=1e-10
    )
    assert_allclose(a.tests.to_numpy(float), b.tests.to_numpy(float), rtol=1e-8, atol=1e-10)


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 2**31 - 1), ties=st.sampled_from(["efron", "breslow"]))
def test_cox_relabelled_binary_flips_sign(seed, ties):
    df = _random_cohort(seed)
    if df["event"].sum() < 5:
        return
    flipped = df.assign(binary=1 - df["binary"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = cox(df, "time", "event", ["binary", "age"], ties=ties).summary.set_index("term")
        b = cox(flipped, "time", "event", ["binary", "age"], ties=ties).summary.set_index("term")
    assert_allclose(b.loc["binary", "coef"], -a.loc["binary", "coef"], rtol=1e-8, atol=1e-10)
    assert_allclose(b.loc["binary", "se"], a.loc["binary", "se"], rtol=1e-8)
    assert_allclose(b.loc["age", "coef"], a.loc["age", "coef"], rtol=1e-8, atol=1e-10)


def test_time_varying_without_splits_equals_cox():
    """One interval (0, time] per patient: coxph(Surv(0, time, event) ~ .) equals
    coxph(Surv(time, event) ~ .)."""
    df = _load("cox_mixed.csv").assign(start=0.0, id=lambda d: np.arange(len(d)))
    df = df[df["time"] > 0]
    a = cox(df, "time", "event", ["sex", "age", "grp"])
    b = cox_time_varying(df, "id", "start", "time", "event", ["sex", "age", "grp"])
    assert_allclose(a.summary[["coef", "se"]], b.summary[["coef", "se"]], rtol=1e-10)


# ----------------------------------------------------------------------------- errors


def test_missing_covariate_names_column_and_rows():
    df = _load("cox_mixed.csv")
    df.loc[[3, 17], "age"] = np.nan
    with pytest.raises(ValueError, match=r"'age' has 2 missing values \(rows 3, 17\)"):
        cox(df, "time", "event", ["sex", "age"])


def test_unknown_column():
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['weight'\]"):
        cox(_load("cox_mixed.csv"), "time", "event", ["sex", "weight"])


def test_negative_times_name_rows():
    df = _load("cox_mixed.csv")
    df.loc[5, "time"] = -1
    with pytest.raises(ValueError, match=r"'time' has 1 negative values \(rows 5\)"):
        cox(df, "time", "event", ["sex"])


def test_unknown_event_codes():
    df = _load("cox_mixed.csv")
    df.loc[[2, 9], "event"] = 2
    with pytest.raises(ValueError, match=r"'event' has codes 2.* \(rows 2, 9\)"):
        cox(df, "time", "event", ["sex"])


def test_missing_event_is_not_censoring():
    df = _load("cox_mixed.csv")
    df.loc[4, "event"] = np.nan
    with pytest.raises(ValueError, match=r"'event' has 1 missing.*rows 4"):
        cox(df, "time", "event", ["sex"])


def test_time_varying_interval_errors():
    tv = _load("cox_tv.csv")
    bad = tv.copy()
    bad.loc[0, "stop"] = bad.loc[0, "start"]
    with pytest.raises(ValueError, match=r"'stop' must be greater than 'start'.*rows 0"):
        cox_time_varying(bad, "id", "start", "stop", "event", ["hsct"])
    split = tv.index[tv["id"].duplicated(keep=False)][:2]
    overlap = tv.astype({"start": float})
    overlap.loc[split[1], "start"] = overlap.loc[split[0], "stop"] - 0.5
    with pytest.raises(ValueError, match=r"Intervals overlap within patients of 'id'"):
        cox_time_varying(overlap, "id", "start", "stop", "event", ["hsct"])


def test_choice_errors():
    df = _load("cox_mixed.csv")
    with pytest.raises(ValueError, match="ties='breslow'"):
        cox(df, "time", "event", ["sex"], firth=True)
    with pytest.raises(ValueError, match="needs firth=True"):
        cox(df, "time", "event", ["sex"], ci="profile")
    with pytest.raises(ValueError, match="'ties' must be"):
        cox(df, "time", "event", ["sex"], ties="exact")


def test_constant_and_collinear_terms_are_refused():
    df = _load("cox_mixed.csv").assign(one=1.0, age2=lambda d: 2 * d["age"])
    with pytest.raises(ValueError, match=r"\['one'\] are constant"):
        cox(df, "time", "event", ["sex", "one"])
    with pytest.raises(ValueError, match="linearly dependent"):
        cox(df, "time", "event", ["age", "age2"])
