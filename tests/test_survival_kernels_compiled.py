"""The compiled kernels (``survival.kernels``) give the numpy kernels' numbers.

The numpy kernels are tied to the public functions (``test_survival_kernels.py``) and
those to R (the parity tests); here every compiled kernel is run beside its numpy
original on random small cohorts (hypothesis, seeded): n from 2 to 120, whole-day times
(many ties) or continuous ones, no censoring to all censored, one to four groups, Cox
models with separated covariates (a diverging coefficient). Values agree to 1e-10
(relative), NaN and infinities fall in the same places, and where the numpy kernel
raises the compiled one raises the same exception class.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_hsct import cohorts
from cart_hsct.reconstruct import fidelity, load_spec
from cart_hsct.survival import kernels
from cart_hsct.survival._common import zval
from cart_hsct.survival.competing import _cuminc_at_kernel, _gray_kernel
from cart_hsct.survival.cox import _cox_kernel
from cart_hsct.survival.km import (
    _km_at_kernel,
    _km_first_at_or_below,
    _km_median_kernel,
    _median_symmetric_kernel,
)
from cart_hsct.survival.logrank import _logrank_kernel

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)
RTOL = 1e-10
Z = zval(0.05)


@st.composite
def small_cohorts(draw, causes: int = 1, max_groups: int = 4):
    """(time, status, group codes, number of groups, rng): status 0 = censored, else a
    cause in 1..causes; every group present."""
    n = draw(st.integers(2, 120))
    n_groups = draw(st.integers(1, min(max_groups, n)))
    span = draw(st.sampled_from([2, 5, 15, 60, None]))  # None: continuous times, no ties
    censored = draw(st.sampled_from([0.0, 0.2, 0.5, 0.8, 1.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    t = rng.uniform(0, 100, n) if span is None else rng.integers(0, span, n).astype(float)
    s = np.where(rng.uniform(size=n) < censored, 0, rng.integers(1, causes + 1, n))
    g = np.r_[np.arange(n_groups), rng.integers(0, n_groups, n - n_groups)]
    return t, s, rng.permutation(g), n_groups, rng


def _run(fn, *args):
    try:
        return fn(*args), None
    except Exception as exc:  # the class is what is compared
        return None, type(exc)


def _flat(x) -> list[np.ndarray]:
    if isinstance(x, dict):
        return [np.asarray(v, float).ravel() for k, v in sorted(x.items()) if k != "pl"]
    if isinstance(x, tuple):
        return [a for v in x for a in _flat(v)]
    return [np.asarray(x, float).ravel()]


def assert_same(old, new, rtol: float = RTOL, floor: float = 1e-12):
    """Equal to ``rtol`` (relative), with NaN and +-inf in the same places.

    A value that is 0 in exact arithmetic (a coefficient or a score at 0 by symmetry) comes
    out as rounding noise of either sign, so each array also has an absolute floor of
    ``floor`` times its largest value.
    """
    a_list, b_list = _flat(old), _flat(new)
    assert len(a_list) == len(b_list)
    for a, b in zip(a_list, b_list, strict=True):
        assert a.shape == b.shape
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_array_equal(np.isposinf(a), np.isposinf(b))
        np.testing.assert_array_equal(np.isneginf(a), np.isneginf(b))
        ok = np.isfinite(a)
        atol = floor * np.abs(a[ok]).max() if ok.any() else 0.0
        np.testing.assert_allclose(b[ok], a[ok], rtol=rtol, atol=atol)


def assert_both(old_fn, new_fn, *args):
    (old, old_exc), (new, new_exc) = _run(old_fn, *args), _run(new_fn, *args)
    assert old_exc == new_exc, (old_exc, new_exc)
    if old_exc is None:
        assert_same(old, new)
    return old


def assert_cox_same(old, new):
    """As ``assert_same``; a diverging coefficient must be flagged by both, after the same
    number of iterations, but the numbers are where the iteration stopped on a flat
    likelihood, and an information of order exp(-beta) (condition number 1e9 and more)
    amplifies rounding: 1e-6 relative, 1e-5 of each array's largest value there."""
    assert list(new["infinite"]) == list(old["infinite"])
    assert (new["converged"], new["iterations"]) == (old["converged"], old["iterations"])
    diverging = old["infinite"].any() or not old["converged"]
    if diverging:
        assert_same(old, new, rtol=1e-6, floor=1e-5)
    else:
        assert_same(old, new)


def _landmarks(t, rng):
    return np.r_[0.0, t[:3], t.max(), t.max() + 1.0, rng.uniform(0, t.max() + 1, 2)]


@SETTINGS
@given(small_cohorts(), st.sampled_from(["plain", "log", "log-log", "arcsine"]))
def test_kaplan_meier_kernels(data, conf_type):
    t, s, _, _, rng = data
    e = (s == 1).astype(float)
    at = _landmarks(t, rng)
    assert_both(_km_at_kernel, kernels.km_at, t, e, at, conf_type, Z)
    assert_both(_km_median_kernel, kernels.km_median, t, e, conf_type, Z)
    assert_both(_km_first_at_or_below, kernels.km_first_at_or_below, t, e, 0.5)
    # median follow-up: the reverse curve, with the symmetric interval
    med = assert_both(_km_median_kernel, kernels.km_median, t, 1 - e, "log", Z)[0]
    assert_both(_median_symmetric_kernel, kernels.median_symmetric, t, 1 - e, med, Z)


@SETTINGS
@given(small_cohorts(), st.sampled_from([0.0, 1.0]))
def test_logrank_kernel(data, rho):
    t, s, g, n_groups, _ = data
    e = (s == 1).astype(float)
    assert_both(_logrank_kernel, kernels.logrank, t, e, g, n_groups, rho)


@SETTINGS
@given(
    small_cohorts(causes=3),
    st.sampled_from(["plain", "log", "log-log"]),
    st.sampled_from(["cmprsk", "survfit"]),
    st.sampled_from([1, 2]),
)
def test_cumulative_incidence_kernel(data, conf_type, variance, cause):
    t, s, _, _, rng = data
    assert_both(
        _cuminc_at_kernel,
        kernels.cuminc_at,
        t,
        s,
        cause,
        _landmarks(t, rng),
        conf_type,
        Z,
        variance,
    )


@SETTINGS
@given(small_cohorts(causes=2), st.sampled_from([0.0, 1.0]))
def test_gray_kernel(data, rho):
    t, s, g, n_groups, _ = data
    assert_both(_gray_kernel, kernels.gray, t, s, g, n_groups, 1, rho)


@SETTINGS
@given(
    small_cohorts(),
    st.integers(1, 6),
    st.sampled_from(["efron", "breslow"]),
    st.sampled_from(["binary", "normal", "separated"]),
)
def test_cox_kernel(data, p, ties, kind):
    t, s, _, _, rng = data
    e = (s == 1).astype(int)
    n = t.size
    x = rng.normal(size=(n, p)) if kind == "normal" else rng.integers(0, 2, (n, p)).astype(float)
    if kind == "separated":
        # the first covariate is 1 exactly for the patients with an event: monotone likelihood
        x[:, 0] = e
    if not e.any() or np.linalg.matrix_rank(x - x.mean(axis=0)) < p:
        return  # what the engine refuses before fitting (no event, constant or collinear terms)
    args = (x, t, e, None, ties, Z)
    (old, old_exc), (new, new_exc) = _run(_cox_kernel, *args), _run(kernels.cox, *args)
    assert old_exc == new_exc
    if old_exc is None:
        assert_cox_same(old, new)


def test_cox_kernel_counting_process():
    rng = np.random.default_rng(7)
    n = 60
    start = rng.integers(0, 20, n).astype(float)
    stop = start + rng.integers(1, 30, n)
    e = rng.integers(0, 2, n)
    x = np.c_[rng.integers(0, 2, n), rng.normal(size=n)]
    for ties in ("efron", "breslow"):
        assert_cox_same(
            _cox_kernel(x, stop, e, start, ties, Z, counting=True),
            kernels.cox(x, stop, e, start, ties, Z, counting=True),
        )


def test_a_diverging_coefficient_is_flagged_by_both():
    t = np.arange(1.0, 21.0)
    e = np.r_[np.ones(10), np.zeros(10)].astype(int)
    x = np.c_[e.astype(float), np.tile([0.0, 1.0], 10)]
    old, new = _cox_kernel(x, t, e, None, "efron", Z), kernels.cox(x, t, e, None, "efron", Z)
    assert list(new["infinite"]) == list(old["infinite"]) == [True, False]
    assert_cox_same(old, new)


def test_errors_and_edges_as_the_numpy_kernels():
    t = np.array([1.0, 2.0, 3.0, 4.0])
    # a singular Gray variance (the one event is the last patient's, alone in its group):
    # a ValueError from both
    status, group = np.array([0, 0, 0, 1]), np.array([0, 0, 0, 1])
    with pytest.raises(ValueError, match="singular"):
        _gray_kernel(t, status, group, 2, 1)
    with pytest.raises(ValueError, match="singular"):
        kernels.gray(t, status, group, 2, 1)
    # a single group: the log-rank statistic is 0 on 0 df, p = 1
    assert kernels.logrank(t, np.ones(4), np.zeros(4, int), 1) == (0.0, 0, 1.0)
    with pytest.raises(ValueError, match="conf_type"):
        kernels.km_at(t, np.ones(4), t, "loglog", Z)
    with pytest.raises(ValueError, match="variance"):
        kernels.cuminc_at(t, np.ones(4, int), 1, t, "log", Z, "jackknife")


def _fidelity_with(monkeypatch, compiled: bool, cohort: str) -> pd.DataFrame:
    """The engine's fidelity report, on the compiled kernels it calls (``fidelity.kernels``)
    or with the numpy kernels in their place."""
    if not compiled:
        numpy_kernels = SimpleNamespace(
            km_at=_km_at_kernel,
            km_median=_km_median_kernel,
            km_first_at_or_below=_km_first_at_or_below,
            median_symmetric=_median_symmetric_kernel,
            logrank=_logrank_kernel,
            gray=_gray_kernel,
            cuminc_at=_cuminc_at_kernel,
            cox=_cox_kernel,
        )
        monkeypatch.setattr(fidelity, "kernels", numpy_kernels)
    return fidelity.fidelity_table(load_spec(cohort), cohorts.load(cohort))


@pytest.mark.parametrize("cohort", ["chen2021", "cao2023"])
def test_the_engine_reports_the_same_fidelity_with_compiled_kernels(monkeypatch, cohort):
    """Every target of the committed cohorts, evaluated with the compiled kernels in place
    of the numpy ones: same numbers, same statuses."""
    old = _fidelity_with(monkeypatch, False, cohort)
    new = _fidelity_with(monkeypatch, True, cohort)
    pd.testing.assert_frame_equal(old, new, rtol=1e-9)


def test_a_changed_helper_recompiles_its_callers(tmp_path):
    """numba caches a function under its own file's contents; a kernel's machine code also
    holds the helpers it calls from other files, so the cache must be invalidated by those
    too (``_jit._CompiledModulesLocator``). A copy of the package, run, edited, run again."""
    package = tmp_path / "survival"
    shutil.copytree(
        Path(kernels.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    (package / "__init__.py").write_text("")
    code = (
        "import sys, numpy as np; sys.path.insert(0, sys.argv[1]); "
        "from survival import kernels; "
        "print(kernels.km_first_at_or_below(np.arange(1.0, 5.0), np.r_[1.0, 1, 0, 0], 0.5))"
    )

    def run() -> str:
        proc = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
        )
        return proc.stdout.strip()

    assert run() == "2.0"  # S = 3/4, 1/2: the curve reaches 0.5 at day 2
    helper = package / "_jit.py"
    source = helper.read_text()
    assert "s *= 1.0 - d / n\n" in source
    helper.write_text(source.replace("s *= 1.0 - d / n\n", "s *= 1.0 - d / (n + 1)\n"))
    assert run() == "nan"  # S = 4/5, 3/5: never; the cached caller was not reused
