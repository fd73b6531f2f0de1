"""Moves: each kind keeps the published margins, and the things that belong together
(a death and its cause, an event and the events nested in it, a class and the covariates
it alone defines) move together."""

from __future__ import annotations

import numpy as np
import pytest
from reconstruct_toys import profiled, rich, toy_ledger, with_age

from cart_hsct.reconstruct import Reconstruction, load_spec, parse_spec
from cart_hsct.reconstruct.locks import held_covariates
from cart_hsct.reconstruct.model import CohortModel, carry_children
from cart_hsct.reconstruct.moves import (
    EVENT_MOVE_SHARES,
    MOVE_SHARES,
    Focus,
    focus,
    propose,
    revert,
)
from cart_hsct.reconstruct.start import initial


@pytest.fixture
def toy_dir(tmp_path):
    return toy_ledger(tmp_path)


def test_the_move_shares_are_one_table_of_shares():
    assert sum(MOVE_SHARES.values()) == pytest.approx(1.0)
    assert sum(EVENT_MOVE_SHARES.values()) == pytest.approx(1.0)


def test_a_switched_death_carries_its_cause_and_nested_events(tmp_path):
    """Death moves aimed at the deaths: whenever a death goes to another patient its cause
    goes along (every death has a cause, nobody alive has one, the counts by cause stay),
    and undoing the move restores everything."""
    raw, d = rich(tmp_path)
    model = CohortModel(parse_spec(raw, fname="toy.yaml", ledger_dir=d))
    rng = np.random.default_rng(0)
    st = initial(model, rng)
    death = model.spec.terminal
    dead = ~np.isnan(st.ev["death"])
    counts = dict(zip(*np.unique(st.cause[dead], return_counts=True), strict=True))
    aim = Focus(events=[death], covariates=[], mask=None, partners=None)
    switched = 0
    for _ in range(300):
        before = (st.ev["death"].copy(), st.cause.copy())
        cols = model.columns(st)
        prop = propose(model, st, cols, rng, [], aim)
        if prop is None:
            continue
        dead = ~np.isnan(st.ev["death"])
        assert (dead == np.array([c is not None for c in st.cause])).all()
        assert dict(zip(*np.unique(st.cause[dead], return_counts=True), strict=True)) == counts
        moved = np.flatnonzero(np.isnan(before[0]) != np.isnan(st.ev["death"]))
        if moved.size == 2:
            i, j = moved if np.isnan(st.ev["death"][moved[0]]) else moved[::-1]
            assert st.cause[j] == before[1][i] and st.cause[i] is None
            switched += 1
        revert(prop[1])
        np.testing.assert_array_equal(st.ev["death"], before[0])
        assert (st.cause == before[1]).all()
    assert switched >= 5


def test_nested_events_go_with_their_parent(tmp_path):
    raw, d = rich(tmp_path)
    model = CohortModel(parse_spec(raw, fname="toy.yaml", ledger_dir=d))
    st = initial(model, np.random.default_rng(0))
    ev, sev = st.ev["ev"], st.ev["sev"]
    ev[:] = np.nan
    sev[:] = np.nan
    ev[0], sev[0] = 20.0, 30.0
    undo = []
    changed = carry_children(model, st, model.spec.events[2], 0, 5, 7.0, undo)
    assert changed == {"sev_day"} and np.isnan(sev[0]) and sev[5] == 37.0
    revert(undo)
    assert sev[0] == 30.0 and np.isnan(sev[5])


def test_a_class_moves_with_the_covariates_it_alone_defines(tmp_path):
    """A class that defines who has another covariate (the interval within it) is not held:
    its swaps exchange both, so the class moves, its margin holds and each interval stays
    with its class."""
    raw, d = profiled(tmp_path, ["sex == 'f'"])
    model = CohortModel(parse_spec(raw, fname="toy.yaml", ledger_dir=d))
    movable = model.movable(held_covariates(model, []))
    rng = np.random.default_rng(3)
    st = initial(model, rng)
    first = st.cov["klass"].copy()
    cols = model.columns(st)
    for _ in range(300):
        prop = propose(model, st, cols, rng, movable, covariates_only=True)
        if prop is not None and "klass" in prop[0]:
            assert "long_days" in prop[0]
    klass, days = st.cov["klass"], st.cov["long_days"]
    assert (klass != first).any()
    assert (~np.isnan(days.astype(float)) == (klass == "long")).all()
    assert sorted(days[klass == "long"]) == [100, 120, 150, 180, 200, 240]


def test_a_median_of_a_sum_pairs_the_holders_of_the_extremes():
    """Moves aimed at a median and its range exchange values between the patients holding
    the extremes of the summarised values and of every covariate feeding them: the
    largest of one term can meet the smallest of the other, as Cao's printed range of
    diagnosis to second HSCT requires (4486 days = 4377 + 109, the two terms' extremes)."""
    model = CohortModel(load_spec("cao2023"))
    state = initial(model, np.random.default_rng(1))
    movable = model.movable(held_covariates(model, []))  # as a fit with no locks
    cols = model.columns(state)
    j = next(k for k, t in enumerate(model.spec.targets) if "cao2023.time.dx_to_hsct2" in t.ids)
    aim = focus(model, movable, j, cols)
    assert {c.name for c in aim.covariates} == {"dx_to_hsct1_days", "hsct1_to_hsct2_days"}
    for c in aim.covariates:
        x = np.asarray(cols[c.name], float)
        assert aim.partners[np.nanargmax(x)] and aim.partners[np.nanargmin(x)]
    assert 4 <= aim.partners.sum() <= 8
    rng, paired = np.random.default_rng(2), 0
    for _ in range(200):
        prop = propose(model, state, cols, rng, movable, aim, covariates_only=True)
        if prop is not None:
            moved = {k for _, k, _ in prop[1]}
            paired += len(moved) == 2 and all(aim.partners[k] for k in moved)
            revert(prop[1])
    assert paired >= 20


@pytest.mark.parametrize("seed", [1, 2])
def test_cuts_fix_the_counts_below_each_threshold_through_the_search(toy_dir, seed):
    spec = parse_spec(
        with_age([{"at": 14, "at_most": 4}, {"at": 50, "at_most": 16}]),
        fname="toy.yaml",
        ledger_dir=toy_dir,
    )
    age = Reconstruction(spec).fit(seed=seed).ipd_.age.to_numpy(float)
    assert (age <= 14).sum() == 4 and (age <= 50).sum() == 16
    assert np.median(age) == 30 and age.min() == 5 and age.max() == 70
