"""The cut-off search's log-rank curve and its null maximum (cart_hsct.survival.cut_search).

Each chi-square of the curve is checked against ``survival.logrank`` (R ``survdiff``,
validated against R in test_survival_parity.py) on R's fixture data.
"""

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

from cart_hsct import survival as sv
from cart_hsct.paths import REFERENCE as REF

DATA = pd.read_csv(REF / "survival_maxstat_data.csv")


def test_curve_is_survdiff_at_every_cut_of_maxstats_window():
    t, e = DATA.iloc[:, 0].to_numpy(float), DATA.iloc[:, 1].to_numpy(int)
    marker = DATA.iloc[:, 2].to_numpy(float)
    curve = sv.logrank_cut_curve(t, e, marker, minprop=0.1, maxprop=0.9)
    assert len(curve) > 3
    for row in curve.itertuples():
        want = sv.logrank(t, e, (marker > row.cutpoint).astype(int))
        assert_allclose(row.chi2, want["chi2"], rtol=1e-9)
        assert_allclose(row.p, want["p"], rtol=1e-9)
    n = len(marker)
    assert curve.n_low.between(np.floor(0.1 * n), np.floor(0.9 * n)).all()


def test_null_maxima_are_the_curve_maxima_of_random_orders():
    t, e = DATA.iloc[:, 0].to_numpy(float), DATA.iloc[:, 1].to_numpy(int)
    null = sv.max_logrank_null(t, e, n_sim=5, seed=3)
    rng = np.random.default_rng(3)
    for k in range(5):
        order = rng.permutation(len(t))
        marker = np.argsort(order).astype(float)  # patient order[j] has rank j
        assert_allclose(null[k], sv.logrank_cut_curve(t, e, marker).chi2.max(), rtol=1e-9)
    assert_allclose(sv.max_logrank_null(t, e, n_sim=5, seed=3), null)  # seeded
    assert sv.search_corrected_p(null.max(), null) == 0.2
