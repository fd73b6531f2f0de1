"""The start: every published margin exact (medians, ranges and cuts too), and causes of
death with their profiles in place before the search begins."""

from __future__ import annotations

import numpy as np
import pytest
from reconstruct_toys import profiled, toy_ledger, with_age

from cart_hsct.reconstruct import Reconstruction, parse_spec
from cart_hsct.reconstruct.start import initial


@pytest.fixture
def toy_dir(tmp_path):
    return toy_ledger(tmp_path)


@pytest.mark.parametrize(
    "cuts, message",
    [
        (
            [{"at": 14, "at_most": 12}],
            ("covariates 'age': cuts at 14 (12 of 20 values) disagree with the median 30"),
        ),
        ([{"at": 40, "at_most": 3}], "covariates 'age': cuts at 40 (3 of 20 values) disagree"),
    ],
)
def test_cuts_that_contradict_the_median_are_an_error(toy_dir, cuts, message):
    spec = parse_spec(with_age(cuts), fname="toy.yaml", ledger_dir=toy_dir)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Reconstruction(spec).fit(seed=1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_cause_profile_holds_and_keeps_the_margins(tmp_path, seed):
    """The death from relapse gets the profiled values (a class together with the interval
    only that class has), through the search; every margin stays as published."""
    raw, d = profiled(tmp_path, ["sex == 'f'", "klass == 'long'", "age > 40"])
    rec = Reconstruction(parse_spec(raw, fname="toy.yaml", ledger_dir=d))
    start = initial(rec.model, np.random.default_rng(seed))  # the start has the profile
    i = int(np.flatnonzero(start.cause == "relapse")[0])
    assert start.cov["sex"][i] == "f" and start.cov["klass"][i] == "long"
    assert start.cov["age"][i] > 40 and not np.isnan(start.cov["long_days"][i])
    ipd = rec.fit(seed=seed).ipd_
    who = ipd[ipd.death_cause == "relapse"]
    assert len(who) == 1 and who.relapse_day.notna().all()
    assert (who.sex == "f").all() and (who.klass == "long").all() and (who.age > 40).all()
    assert who.long_days.notna().all()
    assert ipd.sex.value_counts().to_dict() == {"m": 12, "f": 8}
    assert sorted(ipd.long_days.dropna()) == [100, 120, 150, 180, 200, 240]
    assert ipd.long_days.notna().sum() == (ipd.klass == "long").sum() == 6
    assert ipd.age.median() == 30 and ipd.age.min() == 5 and ipd.age.max() == 60
