"""lifelines beside cart_hsct.survival (the toolkit chapter's table): the agreements and the
differences are pinned, so that a change on either side that breaks one fails here."""

from __future__ import annotations

import warnings
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("lifelines")

from cart_hsct import lifelines_compare as lc
from cart_hsct import survival as sv

LEUK = pd.read_csv(
    Path(find_spec("lifelines").submodule_search_locations[0], "datasets", "anderson.csv"),
    sep=" ",
    engine="python",
)
RNG = np.random.default_rng(20240601)
COMPETING = pd.DataFrame(
    {
        "time": np.round(RNG.exponential(20, 120)) + 1,  # many ties
        "status": RNG.choice([0, 1, 2], 120),
    }
)


@pytest.fixture(scope="module")
def table():
    t = lc.side_by_side(
        LEUK,
        duration="t",
        event="status",
        group="Rx",
        covariates=["Rx", "sex", "logWBC"],
        competing=COMPETING,
    )
    return t.set_index("quantity")


AGREE = [
    "Kaplan-Meier estimate",
    "Kaplan-Meier 95 % CI, log-log",
    "log-rank chi-square and p",
    "Cox coefficients and SEs, Efron ties",
    "Aalen-Johansen estimate, distinct times",
    "Aalen-Johansen 95 % CI, survfit variance, log-log",
]
DIFFER = {  # quantity: smallest difference expected on these data
    "Kaplan-Meier 95 % CI, R's default (log)": 0.01,
    "median on a flat stretch at 0.5 (six patients)": 1.0,
    "Cox coefficients and SEs, Breslow ties": 0.01,
    "Aalen-Johansen estimate, tied times": 1e-4,
    "Aalen-Johansen 95 % CI, cmprsk variance, log": 0.005,
}


@pytest.mark.parametrize("quantity", AGREE)
def test_lifelines_agrees_under_these_settings(table, quantity):
    assert table.loc[quantity, "agree"], table.loc[quantity, "why"]
    assert table.loc[quantity, "max |difference|"] <= lc.AGREE


@pytest.mark.parametrize("quantity", list(DIFFER))
def test_lifelines_cannot_give_rs_number_here(table, quantity):
    assert not table.loc[quantity, "agree"]
    assert table.loc[quantity, "max |difference|"] >= DIFFER[quantity]


def test_every_row_is_either_pinned_or_missing_from_lifelines(table):
    missing = table[table["lifelines"] == "none"].index
    assert set(table.index) == set(AGREE) | set(DIFFER) | set(missing)
    assert set(missing) == set(lc.MISSING)


def test_the_three_median_rules_on_a_flat_stretch():
    from lifelines import KaplanMeierFitter

    time, event = lc.FLAT_HALF
    assert sv.km_median(time, event, conf_type="log")["median"] == 4.0
    assert sv.km_median(time, event, conf_type="log", rule="first_below")["median"] == 3.0
    assert KaplanMeierFitter().fit(time, event).median_survival_time_ == 5.0


def test_aalen_johansen_jitter_depends_on_the_seed_and_cart_hsct_does_not():
    from lifelines import AalenJohansenFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ends = {
            AalenJohansenFitter(seed=s)
            .fit(COMPETING.time, COMPETING.status, 1)
            .cumulative_density_.iloc[-1, 0]
            for s in (1, 2, 3)
        }
    assert len(ends) > 1
    ours = {
        sv.cuminc(
            COMPETING.time, COMPETING.status, cause=1, times=[60], conf_type="log"
        ).estimate.iloc[0]
        for _ in range(3)
    }
    assert len(ours) == 1


def test_lifelines_aalen_johansen_interval_columns_are_named_the_wrong_way_round():
    from lifelines import AalenJohansenFitter

    time = COMPETING.time + np.arange(len(COMPETING)) * 1e-6
    band = AalenJohansenFitter().fit(time, COMPETING.status, 1).confidence_interval_.dropna()
    upper_named = next(c for c in band.columns if "upper" in c)
    lower_named = next(c for c in band.columns if "lower" in c)
    inside = band[(band[upper_named] > 0) & (band[lower_named] < 1)]
    assert (inside[upper_named] <= inside[lower_named]).all()
