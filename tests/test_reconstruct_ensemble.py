"""The ensemble of independent fits and the command that makes it.

A member is a fit from scratch: refitted alone with its seed it gives the same cohort;
the fits run on local processes (joblib) or a Dask cluster with identical results; a spec
and ledger outside ``data/`` are fitted with ``--root``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cart_hsct.reconstruct.__main__ import main
from cart_hsct.reconstruct.roundtrip import simulate, summarise

FILES = [
    "sim.csv",
    "sim.provenance.json",
    "sim.ensemble.csv",
    "sim.ensemble_targets.csv",
    "sim.ensemble_cohorts.csv",
]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """A project root of its own: ``specs/sim.yaml`` and its ledger ``published/sim.yaml``."""
    root = tmp_path_factory.mktemp("root")
    spec = summarise(simulate({"A": 10, "B": 10}, seed=7), root / "published", iterations=150)
    (root / "specs").mkdir()
    (root / "specs" / "sim.yaml").write_text(
        yaml.safe_dump(spec.raw, sort_keys=False), encoding="utf-8"
    )
    return root


@pytest.fixture(scope="module")
def local(root, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local")
    assert (
        main(["sim", "--root", str(root), "--ensemble", "3", "--jobs", "2", "--out", str(out)]) == 0
    )
    return out


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text a CSV holds (a member stacked with others may gain a float
    dtype where it had none missing: compare values, not dtypes)."""
    return frame.map(
        lambda v: "" if pd.isna(v) else f"{float(v):.6g}" if isinstance(v, (int, float)) else str(v)
    )


def test_the_command_writes_one_row_per_fit_committed_first(local):
    for name in FILES:
        assert (local / name).exists(), name
    table = pd.read_csv(local / "sim.ensemble.csv")
    assert table.seed.tolist() == [1, 2, 3, 4]
    assert list(table.columns) == [
        "seed",
        "judged",
        "exact",
        "close",
        "discrepant",
        "infeasible",
        "share_exact_or_close",
        "loss",
    ]
    ok = (table.exact + table.close) / table.judged
    assert (ok.round(6) == table.share_exact_or_close.round(6)).all()
    members = pd.read_csv(local / "sim.ensemble_cohorts.csv")
    assert sorted(members.seed.unique()) == [2, 3, 4]
    spread = pd.read_csv(local / "sim.ensemble_targets.csv")
    assert (spread.n_seeds == 3).all() and {"q05", "q95"} <= set(spread.columns)


@pytest.mark.parametrize("seed", [3, 4])
def test_a_member_refitted_alone_is_the_same_cohort(root, local, tmp_path, seed):
    """Members are independent: seed s fitted alone gives member s, cell for cell, and
    the same loss (a walk from the committed fit would not)."""
    assert (
        main(
            ["sim", "--root", str(root), "--seed", str(seed), "--jobs", "1", "--out", str(tmp_path)]
        )
        == 0
    )
    alone = pd.read_csv(tmp_path / "sim.csv", dtype={"patient_id": str})
    members = pd.read_csv(local / "sim.ensemble_cohorts.csv", dtype={"patient_id": str})
    member = members[members.seed == seed].drop(columns="seed").reset_index(drop=True)
    pd.testing.assert_frame_equal(_cells(member), _cells(alone))
    table = pd.read_csv(local / "sim.ensemble.csv").set_index("seed")
    import json

    prov = json.loads((tmp_path / "sim.provenance.json").read_text())
    assert table.loc[seed, "loss"] == pytest.approx(prov["loss"], rel=1e-5)


def test_the_same_command_writes_the_same_bytes(root, local, tmp_path):
    assert (
        main(["sim", "--root", str(root), "--ensemble", "3", "--jobs", "1", "--out", str(tmp_path)])
        == 0
    )
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (local / name).read_bytes(), name


def test_a_dask_cluster_gives_the_same_files_as_local_processes(root, local, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        assert (
            main(
                [
                    "sim",
                    "--root",
                    str(root),
                    "--ensemble",
                    "3",
                    "--scheduler",
                    cluster.scheduler_address,
                    "--out",
                    str(tmp_path),
                ]
            )
            == 0
        )
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (local / name).read_bytes(), name


def test_root_without_specs_is_refused_naming_the_folder(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["sim", "--root", str(tmp_path)])
    assert f"no folder {tmp_path / 'specs'}" in capsys.readouterr().err


def test_an_unknown_cohort_is_refused_naming_the_spec_file(root, capsys):
    with pytest.raises(SystemExit):
        main(["nosuch", "--root", str(root)])
    assert f"no spec {root / 'specs' / 'nosuch.yaml'}" in capsys.readouterr().err
