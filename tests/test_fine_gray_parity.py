"""Fine-Gray regression against R ``cmprsk::crr`` (cmprsk 2.2).

Reference: tests/reference/make_cox_fixtures.R -> crr_data.csv (integer times: failures
of different causes and censorings tied; status 3 is a rare extra competing cause) and
crr_results.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from cart_hsct.survival import fine_gray

REF = Path(__file__).parent / "reference"
R_CRR = json.loads((REF / "crr_results.json").read_text())
DATA = pd.read_csv(REF / "crr_data.csv")
RTOL = 1e-6
COVARIATES = {"all": ["sex", "age", "grp"], "sex": ["sex"]}


@pytest.mark.parametrize("case", sorted(R_CRR))
def test_fine_gray_matches_r_crr(case):
    """R: X <- model.matrix(~ <covariates>, crr_data)[, -1];
    crr(time, status, cov1 = X, failcode = <cause>, cencode = 0); se = sqrt(diag(fit$var)),
    p = 2 (1 - pnorm(|coef| / se)), CI = exp(coef -/+ qnorm(0.975) se) as summary.crr.

    Status codes other than 0 and the cause (2, 3) are competing events, as in crr."""
    want = R_CRR[case]
    got = fine_gray(
        DATA, "time", "status", COVARIATES[case.split("_")[0]], cause=want["failcode"][0]
    )
    assert list(got["term"]) == want["term"]
    for col in ["coef", "se", "p", "ci_lower", "ci_upper"]:
        assert_allclose(got[col], want[col], rtol=RTOL, atol=1e-12, err_msg=col)
    assert_allclose(got["shr"], np.exp(want["coef"]), rtol=RTOL)
    assert_allclose(got.attrs["loglik"], want["loglik"][0], rtol=RTOL)
    assert_allclose(got.attrs["loglik_null"], want["loglik_null"][0], rtol=RTOL)
    assert got.attrs["converged"] is want["converged"][0] is True
    assert got.attrs["n"] == want["n"][0]


def _random_competing(seed: int, n: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    binary = rng.integers(0, 2, n)
    age = np.round(rng.normal(45, 10, n))
    t1 = rng.exponential(1 / (0.04 * np.exp(0.5 * binary)))
    t2 = rng.exponential(1 / 0.03, n)
    censor = rng.uniform(2, 40, n)
    tm = np.minimum(np.minimum(t1, t2), censor)
    return pd.DataFrame(
        {
            "time": np.ceil(tm),
            "status": np.where(tm == censor, 0, np.where(tm == t1, 1, 2)),
            "binary": binary,
            "age": age,
        }
    )


PROPERTY_SETTINGS = settings(
    max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 2**31 - 1))
def test_fine_gray_invariant_to_row_order(seed):
    df = _random_competing(seed)
    if (df["status"] == 1).sum() < 5:
        return
    shuffled = df.sample(frac=1, random_state=seed % 1000).reset_index(drop=True)
    a = fine_gray(df, "time", "status", ["binary", "age"])
    b = fine_gray(shuffled, "time", "status", ["binary", "age"])
    assert_allclose(a[["coef", "se", "p"]], b[["coef", "se", "p"]], rtol=1e-8, atol=1e-10)


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 2**31 - 1))
def test_fine_gray_relabelled_binary_flips_sign(seed):
    df = _random_competing(seed)
    if (df["status"] == 1).sum() < 5:
        return
    a = fine_gray(df, "time", "status", ["binary", "age"]).set_index("term")
    b = fine_gray(
        df.assign(binary=1 - df["binary"]), "time", "status", ["binary", "age"]
    ).set_index("term")
    # l(b; 1 - x) = l(-b; x) and crr's iteration is symmetric, so the iterates mirror
    assert_allclose(b.loc["binary", "coef"], -a.loc["binary", "coef"], rtol=1e-8, atol=1e-10)
    assert_allclose(b.loc["binary", "se"], a.loc["binary", "se"], rtol=1e-8)
    assert_allclose(b.loc["age", "coef"], a.loc["age", "coef"], rtol=1e-8, atol=1e-10)


def test_no_competing_events_equals_breslow_cox():
    """Without competing events the Fine-Gray likelihood is Cox's with Breslow ties, but
    crr's variance is the robust one: compare coefficients only."""
    from cart_hsct.survival import cox

    df = DATA.assign(status=np.where(DATA["status"] == 1, 1, 0))
    fg = fine_gray(df, "time", "status", ["sex", "age"])
    cx = cox(
        df.rename(columns={"status": "event"}), "time", "event", ["sex", "age"], ties="breslow"
    )
    assert_allclose(fg["coef"], cx.summary["coef"], rtol=1e-5, atol=1e-6)


def test_missing_covariate_names_column_and_rows():
    df = DATA.copy()
    df.loc[[1, 8], "grp"] = None
    with pytest.raises(ValueError, match=r"'grp' has 2 missing values \(rows 1, 8\)"):
        fine_gray(df, "time", "status", ["grp"])


def test_unknown_column():
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['stage'\]"):
        fine_gray(DATA, "time", "status", ["stage"])


def test_negative_times_name_rows():
    df = DATA.assign(time=DATA["time"].astype(float))
    df.loc[7, "time"] = -3.0
    with pytest.raises(ValueError, match=r"'time' has 1 negative values \(rows 7\)"):
        fine_gray(df, "time", "status", ["sex"])


@pytest.mark.parametrize("code", [-1, 1.5])
def test_unknown_status_codes(code):
    df = DATA.assign(status=DATA["status"].astype(float))
    df.loc[[0, 11], "status"] = code
    with pytest.raises(ValueError, match=r"'status' has unknown codes .* \(rows 0, 11\)"):
        fine_gray(df, "time", "status", ["sex"])


def test_missing_status_and_absent_cause():
    df = DATA.assign(status=DATA["status"].astype(float))
    df.loc[4, "status"] = np.nan
    with pytest.raises(ValueError, match=r"'status' has 1 missing.*rows 4"):
        fine_gray(df, "time", "status", ["sex"])
    with pytest.raises(ValueError, match=r"cause=5 does not occur in 'status'"):
        fine_gray(DATA, "time", "status", ["sex"], cause=5)
