"""The fit and the ensemble member: what a whole reconstruction keeps and reports.

Phases through ``Reconstruction.fit``: declared conflicts reported, same seed same bytes,
causes of death kept; the polish never leaves fewer ids reproduced, several starts and
their trial polish choose the start going on; ``Reconstruction.sample`` keeps what the fit
reproduces.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest
from reconstruct_toys import profiled, rich, toy, toy_ledger

from cart_hsct.reconstruct import (
    Reconstruction,
    load_spec,
    parse_spec,
    provenance_dict,
    write_cohort,
)
from cart_hsct.reconstruct.loss import TargetLoss
from cart_hsct.reconstruct.model import CohortModel
from cart_hsct.reconstruct.search import Budget, SearchRun, polish, search, walk


@pytest.fixture
def toy_dir(tmp_path):
    return toy_ledger(tmp_path)


def _chen(**solver):
    spec = load_spec("chen2021")
    return dataclasses.replace(spec, solver=dataclasses.replace(spec.solver, **solver))


def _reproduced(model, run, state) -> int:
    return TargetLoss(model, run.masks, {}).reproduced(model.columns(state))


def test_declared_conflict_is_reported_infeasible_with_its_reason(toy_dir):
    raw = toy()
    raw["conflicts"] = [
        {
            "ids": ["toy.os_1y.b", "toy.os.p"],
            "honour": ["toy.os_1y.b"],
            "reason": "made-up contradiction",
        }
    ]
    rec = Reconstruction(parse_spec(raw, fname="toy.yaml", ledger_dir=toy_dir)).fit(seed=1)
    row = rec.fidelity_.set_index("id").loc["toy.os.p"]
    assert row.status == "infeasible"
    assert "honours toy.os_1y.b" in row.detail and "made-up contradiction" in row.detail
    assert rec.fidelity_.set_index("id").loc["toy.os_1y.b"].status != "infeasible"


def test_same_seed_gives_byte_identical_files(toy_dir, tmp_path):
    spec = parse_spec(toy(), fname="toy.yaml", ledger_dir=toy_dir)
    files = []
    for k in range(2):
        out = tmp_path / f"run{k}"
        rec = Reconstruction(spec).fit(seed=7)
        files.append(write_cohort(rec.ipd_, provenance_dict(rec), out))
    for a, b in zip(*files, strict=True):
        assert a.read_bytes() == b.read_bytes()
    rec = Reconstruction(spec).fit(seed=8)
    other = write_cohort(rec.ipd_, provenance_dict(rec), tmp_path / "other")
    assert other[0].read_bytes() != files[0][0].read_bytes()


@pytest.mark.parametrize("seed", [1, 2])
def test_death_causes_are_kept_and_move_with_the_death(tmp_path, seed):
    raw, d = rich(tmp_path)
    rec = Reconstruction(parse_spec(raw, fname="toy.yaml", ledger_dir=d)).fit(seed=seed)
    ipd = rec.ipd_
    dead = ipd.death_day.notna()
    # every death has a cause, nobody alive has one, counts as published
    assert (ipd.death_cause.notna() == dead).all()
    assert ipd.death_cause.value_counts().to_dict() == {"infection": 3, "gvhd": 2, "relapse": 1}
    # the conditions of the causes hold
    assert ipd.loc[ipd.death_cause == "gvhd", "ev_day"].notna().all()
    assert ipd.loc[ipd.death_cause == "relapse", "relapse_day"].notna().all()
    # the filtered endpoint: the relapse death competes, the others are events
    st = ipd.nrm_c_status.to_numpy(float)
    rel = (ipd.death_cause == "relapse").fillna(False).to_numpy(bool)
    assert (st[rel] == 2).all()
    assert (st[dead.to_numpy() & ~rel] == 1).all()
    assert (st[~dead.to_numpy()] == 0).all()


def test_survfit_variance_target_uses_survfit_intervals(tmp_path):
    """A cuminc_at target with `variance: survfit` reports survfit's (binomial) interval
    where nobody is censored; cmprsk's differs."""
    raw, d = rich(tmp_path)
    base = Reconstruction(parse_spec(raw, fname="toy.yaml", ledger_dir=d)).fit(seed=1)
    raw["targets"][0]["variance"] = "survfit"
    rec = Reconstruction(parse_spec(raw, fname="toy.yaml", ledger_dir=d)).fit(seed=1)
    lo, hi = rec.fidelity_.set_index("id").loc["toy.ev_100d", "reconstructed_ci"]
    f, se = 0.4, np.sqrt(0.4 * 0.6 / 20)  # 8/20 by day 100, nobody censored (a lock)
    z = 1.959963984540054
    assert np.isclose(lo, 100 * f * np.exp(-z * se / f), atol=1e-3)
    assert np.isclose(hi, 100 * f * np.exp(z * se / f), atol=1e-3)
    assert not np.allclose(
        base.fidelity_.set_index("id").loc["toy.ev_100d", "reconstructed_ci"], [lo, hi], atol=1e-3
    )


@pytest.mark.parametrize("seed", [2, 3])
def test_an_ensemble_member_keeps_what_the_fit_reproduces(tmp_path, seed):
    """A member is a walk from the fit: every target exact or close there stays so, the
    death from relapse keeps its profile and every margin holds, yet the patients move; the
    same seed gives the same member."""
    raw, d = profiled(tmp_path, ["sex == 'f'", "klass == 'long'"])
    spec = parse_spec(raw, fname="toy.yaml", ledger_dir=d)
    fit = Reconstruction(spec).fit(seed=1)
    before = fit.fidelity_.set_index("id").status
    member = Reconstruction(spec).walk_from(fit.state_, seed=seed)
    after = member.fidelity_.set_index("id").status
    reproduced = before.isin(["exact", "close"])
    assert reproduced.sum() >= 3
    assert after[reproduced].isin(["exact", "close"]).all()
    ipd = member.ipd_
    assert member.moves_ > 0 and not ipd.equals(fit.ipd_)
    who = ipd[ipd.death_cause == "relapse"]
    assert len(who) == 1 and (who.sex == "f").all() and (who.klass == "long").all()
    assert ipd.sex.value_counts().to_dict() == {"m": 12, "f": 8}
    assert sorted(ipd.long_days.dropna()) == [100, 120, 150, 180, 200, 240]
    again = Reconstruction(spec).walk_from(fit.state_, seed=seed).ipd_
    pd.testing.assert_frame_equal(ipd, again)


def test_the_polish_never_leaves_fewer_targets_reproduced():
    """The fit's last phase (``solver.polish_iterations``) may trade a reproduced target
    for others, never for fewer: step by step the count of ids exact or close never
    falls, and the same seed without the polish reproduces less."""
    spec = _chen(iterations=20, covariate_iterations=20, polish_iterations=0)
    rec = Reconstruction(spec).fit(seed=4)
    run = SearchRun.holding(rec.model, rec.state_, rec.locks_)  # the fit's locks held
    loss, rng = TargetLoss(rec.model, run.masks, {}), np.random.default_rng(0)
    counts = [_reproduced(rec.model, run, run.best)]
    for _ in range(150):
        walk(rec.model, run, loss, run.best, rng, 1, 1.0, rec.budget, ratchet=True)
        counts.append(_reproduced(rec.model, run, run.best))
    assert all(b >= a for a, b in itertools.pairwise(counts))
    assert counts[-1] > counts[0]
    rough = rec.fidelity_.status.isin(["exact", "close"]).sum()
    polished = Reconstruction(
        dataclasses.replace(spec, solver=dataclasses.replace(spec.solver, polish_iterations=300))
    ).fit(seed=4)
    assert polished.fidelity_.status.isin(["exact", "close"]).sum() > rough


def _starts(spec, seed: int, trial: int = 0) -> list:
    """Each start's search (and trial polish) as ``fit`` runs them: (run, rng, loss)."""
    model, budget = CohortModel(spec), Budget.scaled(spec.solver)
    out = []
    for k in range(spec.solver.starts):
        rng = np.random.default_rng(seed if k == 0 else [seed, k])
        run = search(model, rng, budget, {})
        loss = polish(model, run, rng, trial, 1.0, budget, {}) if trial else run.best_loss
        out.append((run, rng, loss, _reproduced(model, run, run.best)))
    return out


def test_several_starts_polish_the_search_reproducing_most():
    """With ``solver.starts`` the fit runs that many seeded searches and keeps the one
    reproducing most ids, the lowest loss among equals; the first search is the
    single-start fit, and reruns are identical."""
    one = Reconstruction(
        _chen(iterations=20, covariate_iterations=20, polish_iterations=0, starts=1)
    ).fit(seed=4)
    spec = _chen(iterations=20, covariate_iterations=20, polish_iterations=0, starts=3)
    searches = [(n, loss) for _, _, loss, n in _starts(spec, seed=4)]
    assert len({loss for _, loss in searches}) > 1
    assert searches[0][1] == one.loss_
    three = Reconstruction(spec).fit(seed=4)
    most = max(n for n, _ in searches)
    assert three.loss_ == min(loss for n, loss in searches if n == most)
    reproduced = three.fidelity_.query("status != 'infeasible'").status.isin(["exact", "close"])
    assert reproduced.sum() == most
    pd.testing.assert_frame_equal(three.ipd_, Reconstruction(spec).fit(seed=4).ipd_)


def test_a_trial_polish_of_every_start_chooses_the_one_going_on():
    """With ``solver.polish_trial_iterations`` every start is polished that long before
    the choice; the start reproducing most ids after it goes on for the rest of the
    polish, so the fit never reproduces fewer ids than that start did."""
    spec = _chen(
        iterations=20,
        covariate_iterations=20,
        starts=3,
        polish_trial_iterations=10,
        polish_iterations=30,
    )
    trials = _starts(spec, seed=6, trial=10)
    chosen = min(trials, key=lambda t: (-t[3], t[2]))
    # this seed tells the rule apart: neither the first start nor the lowest loss
    assert chosen is not trials[0] and chosen[2] > min(t[2] for t in trials)
    run, rng = chosen[0], chosen[1]
    model = CohortModel(spec)
    loss = polish(model, run, rng, 20, 1.0, Budget.scaled(spec.solver), {})
    fit = Reconstruction(spec).fit(seed=6)
    assert fit.loss_ == loss  # the chosen start went on where its trial ended
    reproduced = fit.fidelity_.query("status != 'infeasible'").status.isin(["exact", "close"])
    assert reproduced.sum() == _reproduced(model, run, run.best) >= chosen[3]
