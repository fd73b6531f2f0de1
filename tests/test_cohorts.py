"""The committed pseudo-cohorts load, validate and explain their own fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cart_hsct import cohorts, ledger, paths
from cart_hsct.reconstruct.spec import load_spec

COHORTS = sorted(p.stem for p in paths.COHORTS.glob("*.csv") if "." not in p.stem)


@pytest.mark.parametrize("cohort", COHORTS)
def test_committed_cohort_loads_and_its_provenance_names_ledger_ids(cohort):
    pts = cohorts.load(cohort)
    prov = cohorts.provenance(cohort)
    assert len(pts) > 0 and prov["seed"] is not None
    ids = set(ledger.load())
    assert {t["id"] for t in prov["targets"]} <= ids


@pytest.mark.parametrize("cohort", COHORTS)
def test_explain_reports_the_reconstructions_own_gap(cohort):
    prov = cohorts.provenance(cohort)
    short = [t for t in prov["targets"] if t["status"] not in ("exact",)]
    exact = [t for t in prov["targets"] if t["status"] == "exact"]
    if short:
        text = cohorts.explain(cohort, short[0]["id"], "page reason")
        assert text.startswith("page reason; reconstruction limit") and short[0]["status"] in text
    if exact and cohorts.ensemble(cohort) is None:
        assert cohorts.explain(cohort, exact[0]["id"]) is None


def test_cohort_with_negative_time_is_rejected_naming_file_column_and_row(tmp_path):
    pts = cohorts.load(COHORTS[0])
    bad = pts.copy()
    column = next(c for c in bad.columns if c.endswith("_days"))
    bad.loc[bad.index[2], column] = -5
    with pytest.raises(ValueError) as err:
        cohorts.validate(pd.DataFrame(bad), "bad.csv")
    assert "bad.csv" in str(err.value) and column in str(err.value) and "2" in str(err.value)


@pytest.mark.parametrize("cohort", COHORTS)
def test_every_ensemble_seed_loads_as_a_cohort_of_the_same_shape(cohort):
    committed = cohorts.load(cohort)
    seeds = cohorts.ensemble_seeds(cohort)
    spread = cohorts.ensemble(cohort)
    assert len(seeds) == int(spread["n_seeds"].iloc[0])  # the cohorts behind the summary
    assert cohorts.provenance(cohort)["seed"] not in seeds
    member = cohorts.load(cohort, seed=seeds[0])
    assert list(member.columns) == list(committed.columns)
    assert len(member) == len(committed)
    assert not member.equals(committed)
    assert cohorts.load(cohort, seed=cohorts.provenance(cohort)["seed"]).equals(committed)


def test_an_unknown_seed_names_the_seeds_there_are():
    with pytest.raises(KeyError, match=r"has no seed 999; seeds: \[2, 3,"):
        cohorts.load("chen2021", seed=999)


@pytest.mark.parametrize("cohort", COHORTS)
def test_every_event_comes_after_what_its_spec_requires(cohort):
    """The committed cohort and every ensemble member keep each event after the bounds
    the spec lists in ``after`` (e.g. alive at the transplant, relapse after the response
    assessment)."""
    spec = load_spec(cohort)
    for seed in [None, *cohorts.ensemble_seeds(cohort)]:
        pts = cohorts.load(cohort, seed=seed)
        cols = {c: pts[c].to_numpy() for c in pts.columns}
        for e in spec.events:
            day = pts[f"{e.name}_day"].to_numpy(float)
            for bound in e.after:
                limit = np.asarray(bound(cols, len(pts)), float)
                early = ~np.isnan(day) & ~np.isnan(limit) & (day <= limit)
                assert not early.any(), (
                    f"{cohort} seed {seed}: {e.name}_day not after {bound.text!r} in rows "
                    f"{list(np.flatnonzero(early))}"
                )
