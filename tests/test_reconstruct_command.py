"""``python -m cart_hsct.reconstruct``: fits and ensembles written to ``--out``."""

from __future__ import annotations

import pandas as pd


def test_command_fits_every_cohort_in_one_queue(tmp_path, capsys):
    """`python -m cart_hsct.reconstruct`: the committed seed and the ensemble of a cohort,
    fitted by shared processes, land in --out; the same seeds give the same files as a
    single process."""
    from cart_hsct.reconstruct.__main__ import main

    args = ["chen2021", "--iterations", "40", "--ensemble", "2"]
    assert main([*args, "--workers", "2", "--out", str(tmp_path / "pool")]) == 0
    printed = capsys.readouterr().out
    assert "chen2021: seed 1" in printed and "ensemble of 2 seeds" in printed
    main([*args, "--workers", "1", "--out", str(tmp_path / "one")])
    names = ["chen2021.csv", "chen2021.ensemble.csv", "chen2021.ensemble_cohorts.csv"]
    for name in names:
        assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
    members = pd.read_csv(tmp_path / "pool" / "chen2021.ensemble_cohorts.csv")
    assert sorted(members.seed.unique()) == [2, 3]
