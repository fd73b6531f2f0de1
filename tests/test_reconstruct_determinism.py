"""Same spec and seed, same cohort bytes: across runs, and across versions of the engine.

The fingerprints below were first recorded with the engine as it stood before it was split
into modules (one ``solver.py`` class) and kept through the split; they were recorded
again when the loss took the ledger's close band (``ledger.close_gap``: p-values on the
odds scale, days at 5 %, HRs at 10 % of the printed value) and the statistics moved to
compiled kernels. A change that alters the sequence of random draws, or any number a fit
computes, changes them; a change meant to alter fits records new ones and says why in its
commit.
"""

from __future__ import annotations

import hashlib

import pytest

from cart_hsct.reconstruct import Reconstruction, parse_spec
from cart_hsct.reconstruct.roundtrip import simulate, summarise

#: seed -> (sha256 of the fitted cohort's CSV, its loss, of the member sampled from it
#: with seed + 1 (``walk_from``): sha256, loss)
FINGERPRINTS = {
    3: ("6c5d7d1157f28f86", 14.512139212946636, "a0ef75f8387d521f", 15.290490552718069),
}


def _csv_sha(rec) -> str:
    text = rec.ipd_.to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    """The round-trip cohort's spec with every phase on: two starts, covariate-only
    steps, a trial polish and the polish."""
    directory = tmp_path_factory.mktemp("sim")
    spec = summarise(simulate({"A": 12, "B": 12}, seed=2024), directory, iterations=600)
    raw = dict(spec.raw)
    raw["solver"] = {
        "iterations": 600,
        "covariate_iterations": 300,
        "starts": 2,
        "polish_iterations": 200,
        "polish_trial_iterations": 100,
    }
    return parse_spec(raw, fname="sim.yaml", ledger_dir=directory)


@pytest.mark.parametrize("seed", sorted(FINGERPRINTS))
def test_fit_and_member_are_byte_identical_to_the_recorded_ones(spec, seed):
    fit_sha, fit_loss, member_sha, member_loss = FINGERPRINTS[seed]
    rec = Reconstruction(spec).fit(seed=seed)
    assert (_csv_sha(rec), rec.loss_) == (fit_sha, fit_loss)
    member = Reconstruction(spec, iterations=200).walk_from(rec.state_, seed=seed + 1)
    assert (_csv_sha(member), member.loss_) == (member_sha, member_loss)
