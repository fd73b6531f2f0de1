"""The numpy kernels behind the public survival functions give the public functions' numbers.

Each public function is validation -> kernel -> DataFrame, and the reconstruction calls
the kernels directly on arrays it has validated once; the R parity tests cover the
public functions, so these tests tie the kernels to them (and hence to R). Data: small
seeded cohorts with ties, censoring at event times and a plateau at S = 0.5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cart_hsct import cohorts
from cart_hsct import survival as sv
from cart_hsct.reconstruct import Reconstruction, fidelity_table
from cart_hsct.reconstruct.fidelity import columns_frame, evaluate, validate_columns
from cart_hsct.survival._common import zval
from cart_hsct.survival.competing import _cuminc_at_kernel, _gray_kernel
from cart_hsct.survival.cox import _cox_kernel
from cart_hsct.survival.km import _km_at_kernel, _km_first_at_or_below, _km_median_kernel
from cart_hsct.survival.logrank import _logrank_kernel

Z = zval(0.05)


def _cohort(seed: int, n: int = 25):
    rng = np.random.default_rng(seed)
    t = rng.integers(1, 40, n).astype(float)  # whole days: many ties
    s = rng.choice([0, 1, 2], n, p=[0.3, 0.5, 0.2])
    g = rng.integers(0, 3, n)
    x = rng.integers(0, 2, n).astype(float)
    return t, s, g, x


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("conf_type", ["plain", "log", "log-log", "arcsine"])
def test_km_kernels_equal_public_functions(seed, conf_type):
    t, s, _, _ = _cohort(seed)
    e = (s == 1).astype(float)
    times = np.array([5.0, 17.0, 39.0, 100.0])
    pub = sv.km_at(t, e, times, conf_type=conf_type)
    surv, se, lo, hi = _km_at_kernel(t, e, times, conf_type, Z)
    np.testing.assert_allclose(surv, pub.survival, rtol=1e-12)
    np.testing.assert_allclose(se, pub.std_err, rtol=1e-12)
    np.testing.assert_allclose(lo, pub.ci_lower, rtol=1e-12)
    np.testing.assert_allclose(hi, pub.ci_upper, rtol=1e-12)
    med = sv.km_median(t, e, conf_type=conf_type)
    k = _km_median_kernel(t, e, conf_type, Z)
    for key, v in zip(("median", "ci_lower", "ci_upper"), k, strict=True):
        assert (med[key] is None and np.isnan(v)) or med[key] == pytest.approx(v, rel=1e-12)
    fu = sv.median_followup(t, e)
    k = _km_median_kernel(t, 1 - e, "log", Z)
    assert (fu["median"] is None and np.isnan(k[0])) or fu["median"] == pytest.approx(k[0])


def test_first_at_or_below_differs_from_r_only_on_a_plateau():
    # 6 patients, 3 events then censoring: S = 0.5 from day 30 to the last follow-up;
    # R takes the plateau's midpoint, the SPSS rule its start
    t = np.array([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    e = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    assert _km_first_at_or_below(t, e) == 30.0
    assert sv.km_median(t, e, conf_type="log")["median"] == 45.0
    spss = sv.km_median(t, e, conf_type="log", rule="first_below")
    assert spss["median"] == 30.0
    r = sv.km_median(t, e, conf_type="log")
    assert (spss["ci_lower"], spss["ci_upper"]) == (r["ci_lower"], r["ci_upper"])
    with pytest.raises(ValueError, match="rule must be 'R' or 'first_below'"):
        sv.km_median(t, e, conf_type="log", rule="spss")
    tab = sv.km_table(t, e, conf_type="log")
    assert float(tab.time[tab.survival <= 0.5].iloc[0]) == 30.0


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_logrank_and_gray_kernels_equal_public_functions(seed):
    t, s, g, _ = _cohort(seed)
    e = (s == 1).astype(float)
    pub = sv.logrank(t, e, g)
    chi2, df, p = _logrank_kernel(t, e, g, 3)
    assert (chi2, df) == (pytest.approx(pub["chi2"], rel=1e-12), pub["df"])
    assert p == pytest.approx(pub["p"], rel=1e-12)
    pub = sv.gray_test(t, s, g, cause=1)
    stat, df, p = _gray_kernel(t, s, g, 3, 1)
    assert stat == pytest.approx(pub["stat"], rel=1e-12) and p == pytest.approx(pub["p"])


@pytest.mark.parametrize("conf_type", ["plain", "log", "log-log"])
def test_cuminc_kernel_equals_public_function(conf_type):
    t, s, _, _ = _cohort(5)
    times = np.array([3.0, 20.0, 38.0])
    pub = sv.cuminc(t, s, cause=2, times=times, conf_type=conf_type)
    est, var, lo, hi = _cuminc_at_kernel(t, s, 2, times, conf_type, Z)
    np.testing.assert_allclose(est, pub.estimate, rtol=1e-12)
    np.testing.assert_allclose(var, pub.variance, rtol=1e-12)
    np.testing.assert_allclose(lo, pub.ci_lower, rtol=1e-12)
    np.testing.assert_allclose(hi, pub.ci_upper, rtol=1e-12)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_kernel_equals_public_function(ties):
    t, s, g, x = _cohort(6, n=40)
    df = pd.DataFrame({"t": t, "e": (s == 1).astype(int), "x": x, "g": g.astype(float)})
    pub = sv.cox(df, "t", "e", ["x", "g"], ties=ties).summary
    k = _cox_kernel(df[["x", "g"]].to_numpy(float), t, df.e.to_numpy(), None, ties, Z)
    np.testing.assert_allclose(np.exp(k["beta"]), pub.hr, rtol=1e-12)
    np.testing.assert_allclose(np.exp(k["lower"]), pub.ci_lower, rtol=1e-12)
    np.testing.assert_allclose(np.exp(k["upper"]), pub.ci_upper, rtol=1e-12)
    np.testing.assert_allclose(k["p"], pub.p, rtol=1e-10)


def test_engine_statistics_equal_public_functions_on_the_committed_cohort():
    """Every chen2021 target evaluated by the engine (kernels) against the public calls."""
    rec = Reconstruction("chen2021")
    df = cohorts.load("chen2021")
    cols = columns_frame(df)
    assert validate_columns(rec.spec, cols) == {}
    n = len(df)
    checked = 0
    for t in rec.spec.targets:
        if t.stat not in ("km_at", "logrank", "cox"):
            continue
        res = evaluate(t, cols, n, "p-value" if t.stat == "logrank" else "other")
        mask = np.ones(n, bool) if t.where is None else np.asarray(t.where(cols, n), bool)
        days = cols[f"{t.endpoint}_days"]
        keep = mask & ~np.isnan(days)
        ev = cols[f"{t.endpoint}_event"]
        if t.stat == "km_at":
            pub = sv.km_at(days[keep], ev[keep], [t.at], conf_type=t.conf_type).iloc[0]
            assert res.value == pytest.approx(pub.survival, rel=1e-12)
        elif t.stat == "logrank":
            by = np.asarray(t.by(cols, n), object)
            if t.levels is not None:
                keep &= np.isin(by, list(t.levels))
            pub = sv.logrank(days[keep], ev[keep], by[keep].astype(str))
            want = pub["chi2"] if t.report == "chi2" else pub["p"]
            assert res.value == pytest.approx(want, rel=1e-10)
        else:
            frame = df.loc[keep, list(t.covariates)].astype(float)
            frame["_t"], frame["_e"] = days[keep], ev[keep].astype(int)
            summ = sv.cox(frame, "_t", "_e", list(t.covariates), ties=t.ties).summary
            row = summ[summ.term.str.startswith(t.term)].iloc[0]
            assert res.value == pytest.approx(row.hr, rel=1e-10)
            assert res.p == pytest.approx(row.p, rel=1e-8)
        checked += 1
    assert checked >= 20
    # and the fidelity table validates the cohort once, with the checks' messages: the
    # targets of an invalid endpoint are not computable, the others are unaffected
    bad = df.copy()
    bad.loc[0, "os_days"] = -1
    fid = fidelity_table(rec.spec, bad)
    os_rows = fid[fid.id.isin([i for t in rec.spec.targets if t.endpoint == "os" for i in t.ids])]
    assert os_rows.detail.str.contains("'os_days' has 1 negative").all()
    assert (os_rows.status.isin(["discrepant", "infeasible"])).all()
    assert fid[fid.id == "chen2021.lfs_1y.cart_hsct"].status.iloc[0] != "discrepant"
