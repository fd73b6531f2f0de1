"""Invariants of cart_hsct.survival on random data (hypothesis, seeded, modest sizes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_hsct import survival as sv

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)

# small integer times make ties frequent, which is where conventions bite
rows_km = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 1)), min_size=1, max_size=80)
rows_cr = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 3)), min_size=1, max_size=80)
rows_grouped = st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 1), st.sampled_from(["a", "b", "c"])),
    min_size=4,
    max_size=80,
).filter(lambda r: len({g for *_, g in r}) >= 2 and any(e for _, e, _ in r))


@SETTINGS
@given(rows_km, st.sampled_from(["plain", "log", "log-log", "arcsine"]))
def test_km_non_increasing_in_unit_interval_and_ci_brackets(rows, conf_type):
    t, e = map(np.array, zip(*rows, strict=True))
    tab = sv.km_table(t, e, conf_type=conf_type)
    s = tab.survival.to_numpy()
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) <= 1e-15)
    assert tab.at_risk.iloc[0] == len(rows) and tab.events.sum() == e.sum()
    ci = tab.dropna(subset=["ci_lower", "ci_upper"])  # undefined where S is 0 (or 1 for log-log)
    assert np.all(ci.ci_lower <= ci.survival + 1e-12)
    assert np.all(ci.survival <= ci.ci_upper + 1e-12)
    assert np.all((ci.ci_lower >= 0) & (ci.ci_upper <= 1 + 1e-12))


@SETTINGS
@given(rows_km)
def test_km_at_reads_the_table(rows):
    t, e = map(np.array, zip(*rows, strict=True))
    tab = sv.km_table(t, e, conf_type="log")
    at = sv.km_at(t, e, tab.time, conf_type="log")
    np.testing.assert_allclose(at.survival, tab.survival)
    beyond = sv.km_at(t, e, [t.max() + 100], conf_type="log")
    assert beyond.survival.iloc[0] == tab.survival.iloc[-1]  # extend=TRUE: carried forward


@SETTINGS
@given(rows_cr, st.sampled_from(["log", "log-log", "plain"]))
def test_km_of_any_event_equals_one_minus_sum_of_cifs(rows, conf_type):
    t, s = map(np.array, zip(*rows, strict=True))
    causes = sorted(set(s.tolist()) - {0})
    grid = np.unique(t).astype(float)
    km = sv.km_at(t, (s != 0).astype(int), grid, conf_type="log").survival.to_numpy()
    total = np.zeros_like(grid)
    for c in causes:
        cif = sv.cuminc(t, s, cause=c, times=grid, conf_type=conf_type)
        f = cif.estimate.to_numpy()
        assert np.all(np.diff(f) >= -1e-15) and np.all((f >= 0) & (f <= 1 + 1e-12))
        assert np.all(cif.variance >= -1e-15)
        ok = cif.dropna(subset=["ci_lower", "ci_upper"])
        assert np.all((ok.ci_lower <= ok.estimate + 1e-12) & (ok.estimate <= ok.ci_upper + 1e-12))
        total += f
    np.testing.assert_allclose(km + total, 1.0, atol=1e-12)


@SETTINGS
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(1, 3)), min_size=1, max_size=60))
def test_survfit_variance_without_censoring_is_binomial(rows):
    # with nobody censored the Aalen-Johansen estimate is a proportion k/n, and its
    # infinitesimal-jackknife variance is F(1 - F)/n; the estimate is cmprsk's
    t, s = map(np.array, zip(*rows, strict=True))
    grid = np.unique(t).astype(float)
    for c in sorted(set(s.tolist())):
        ij = sv.cuminc(t, s, cause=c, times=grid, conf_type="log", variance="survfit")
        gray = sv.cuminc(t, s, cause=c, times=grid, conf_type="log")
        f = np.array([np.mean((t <= g) & (s == c)) for g in grid])
        np.testing.assert_allclose(ij.estimate, f, atol=1e-12)
        np.testing.assert_allclose(gray.estimate, f, atol=1e-12)
        np.testing.assert_allclose(ij.variance, f * (1 - f) / t.size, atol=1e-12)


def test_unknown_cif_variance_is_refused():
    with pytest.raises(ValueError, match="variance must be one of"):
        sv.cuminc([1, 2], [1, 0], cause=1, conf_type="log", variance="greenwood")


@SETTINGS
@given(rows_grouped, st.sampled_from([0.0, 1.0]), st.randoms(use_true_random=False))
def test_logrank_invariant_to_relabelling_and_row_order(rows, rho, rnd):
    t, e, g = map(np.array, zip(*rows, strict=True))
    base = sv.logrank(t, e, g, rho=rho)
    relabel = {"a": "zz", "b": "mm", "c": "aa"}
    perm = list(range(len(rows)))
    rnd.shuffle(perm)
    shuffled = sv.logrank(t[perm], e[perm], np.array([relabel[x] for x in g[perm]]), rho=rho)
    assert shuffled["df"] == base["df"]
    np.testing.assert_allclose(shuffled["chi2"], base["chi2"], rtol=1e-9, atol=1e-12)
    assert 0 <= base["p"] <= 1


@SETTINGS
@given(rows_grouped)
def test_pairwise_adjusted_p_ordering(rows):
    t, e, g = map(np.array, zip(*rows, strict=True))
    raw = sv.pairwise_logrank(t, e, g)
    holm = sv.pairwise_logrank(t, e, g, adjust="holm")
    bh = sv.pairwise_logrank(t, e, g, adjust="BH")
    assert np.all(raw.p_adjusted == raw.p)
    assert np.all(bh.p_adjusted >= raw.p - 1e-15) and np.all(
        holm.p_adjusted >= bh.p_adjusted - 1e-15
    )


@SETTINGS
@given(st.integers(0, 10_000))
def test_gray_test_invariant_to_row_order_and_labels(seed):
    rng = np.random.default_rng(seed)
    n = 60
    t = rng.integers(0, 15, n).astype(float)
    s = rng.choice([0, 1, 2], n)
    s[:2] = [1, 2]
    g = rng.choice(["x", "y"], n)
    g[:2] = ["x", "y"]
    base = sv.gray_test(t, s, g)
    perm = rng.permutation(n)
    other = sv.gray_test(t[perm], s[perm], np.where(g[perm] == "x", "b", "a"))
    np.testing.assert_allclose(other["stat"], base["stat"], rtol=1e-9, atol=1e-12)


def test_maxstat_finds_a_planted_step():
    """A marker whose effect is a step at 60 gives a cut-point near 60 and a small p."""
    rng = np.random.default_rng(5)
    n = 300
    marker = rng.uniform(20, 100, n).round()
    event_time = rng.exponential(np.where(marker > 60, 5.0, 30.0))
    censor = rng.uniform(5, 40, n)
    res = sv.maxstat(np.minimum(event_time, censor), (event_time <= censor).astype(int), marker)
    assert 55 <= res["cutpoint"] <= 65 and res["p"] < 1e-4
    curve = res["curve"]
    assert isinstance(curve, pd.DataFrame) and curve.statistic.max() == res["statistic"]
