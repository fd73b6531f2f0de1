"""Small specs and ledgers for the reconstruction tests (not a test module).

``toy``: 20 patients in two groups, a binary covariate, death, 1-year survival by group
and a log-rank p. ``rich``: nested and windowed events, causes of death and an endpoint
filtered by the cause. ``profiled``: ``rich`` with covariates and a cause's profile.
``with_age``: ``toy`` with a continuous covariate given by median, range and cuts.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

DESIGN = {
    "origin": "day 0",
    "accrual": {"start": "2016-01-01", "end": "2018-12-31"},
    "cutoff": "2020-12-31",
}


def write_ledger(directory: Path, entries: list[dict]) -> Path:
    full = []
    for e in entries:
        full.append(
            {
                "paper": "toy",
                "section": "test",
                "quantity": e["id"],
                "population": "toy",
                "method": "test",
                "reproducible_from": "ipd",
                "notes": "none",
                **e,
            }
        )
    (directory / "toy.yaml").write_text(yaml.safe_dump(full, sort_keys=False))
    return directory


def toy(sizes=(10, 10), values=("70.0", "40.0"), at=365) -> dict:
    targets = [
        {
            "ids": [f"toy.os_1y.{g}"],
            "stat": "km_at",
            "endpoint": "os",
            "at": at,
            "where": f"group == '{g}'",
            "conf_type": "log-log",
        }
        for g in ("a", "b")
    ]
    targets.append({"ids": ["toy.os.p"], "stat": "logrank", "endpoint": "os", "by": "group"})
    return {
        "cohort": "toy",
        "ledger": "toy",
        "n": sum(sizes),
        "design": copy.deepcopy(DESIGN),
        "groups": {"sizes": {"a": sizes[0], "b": sizes[1]}},
        "covariates": [
            {"name": "x", "levels": {0: sum(sizes) // 2, 1: sum(sizes) - sum(sizes) // 2}}
        ],
        "events": [{"name": "death", "terminal": True}],
        "endpoints": {"os": {"events": ["death"]}},
        "targets": targets,
        "solver": {"iterations": 60},
    }


def toy_ledger(directory: Path, values=("70.0", "40.0"), p="0.0300") -> Path:
    return write_ledger(
        directory,
        [
            {"id": "toy.os_1y.a", "quote": values[0], "value": float(values[0]), "unit": "percent"},
            {"id": "toy.os_1y.b", "quote": values[1], "value": float(values[1]), "unit": "percent"},
            {"id": "toy.os.p", "quote": p, "value": float(p), "p": float(p), "unit": "p-value"},
        ],
    )


def rich(tmp_path, *, causes=None, lock_value="40.0") -> tuple:
    """20 patients; a GVHD-like event by day 100 (locked at 8/20), a nested severe form,
    a relapse, deaths with causes, and an endpoint filtered by the cause."""
    d = write_ledger(
        tmp_path,
        [
            {
                "id": "toy.ev_100d",
                "quote": lock_value,
                "value": float(lock_value),
                "unit": "percent",
            },
            {"id": "toy.sev_100d", "quote": "15.0", "value": 15.0, "unit": "percent"},
            {"id": "toy.os_1y", "quote": "70.0", "value": 70.0, "unit": "percent"},
            {"id": "toy.nrm_1y", "quote": "25.0", "value": 25.0, "unit": "percent"},
        ],
    )
    causes = causes or {
        "infection": 3,
        "gvhd": {"count": 2, "where": "notna(ev_day)"},
        "relapse": {"count": 1, "where": "notna(relapse_day)"},
    }
    raw = {
        "cohort": "toy",
        "ledger": "toy",
        "n": 20,
        "design": copy.deepcopy(DESIGN),
        "events": [
            {"name": "death", "terminal": True, "causes": causes},
            {"name": "relapse"},
            {"name": "ev", "before": [101]},
            {"name": "sev", "within": "ev", "before": [101]},
        ],
        "endpoints": {
            "os": {"events": ["death"]},
            "ev": {"events": ["ev"], "competing": ["death"]},
            "sev": {"events": ["sev"], "competing": ["death"]},
            "nrm_c": {
                "events": [{"event": "death", "where": "death_cause != 'relapse'"}],
                "competing": [{"event": "death", "where": "death_cause == 'relapse'"}],
            },
        },
        "targets": [
            {
                "ids": ["toy.ev_100d"],
                "stat": "cuminc_at",
                "endpoint": "ev",
                "at": 100,
                "cause": 1,
                "conf_type": "log",
            },
            {
                "ids": ["toy.sev_100d"],
                "stat": "cuminc_at",
                "endpoint": "sev",
                "at": 100,
                "cause": 1,
                "conf_type": "log",
            },
            {
                "ids": ["toy.os_1y"],
                "stat": "km_at",
                "endpoint": "os",
                "at": 365,
                "conf_type": "log-log",
                "lock": False,
            },
            {
                "ids": ["toy.nrm_1y"],
                "stat": "cuminc_at",
                "endpoint": "nrm_c",
                "at": 365,
                "cause": 1,
                "conf_type": "log",
                "lock": False,
            },
        ],
        "solver": {"iterations": 300, "auto_lock": "within_followup"},
    }
    return raw, d


def with_age(cuts, n=20):
    raw = toy(sizes=(n // 2, n - n // 2))
    raw["covariates"].append(
        {"name": "age", "kind": "continuous", "median": 30, "range": [5, 70], "cuts": cuts}
    )
    raw["solver"]["iterations"] = 400
    return raw


def profiled(tmp_path, profile):
    causes = {
        "infection": 3,
        "gvhd": {"count": 2, "where": "notna(ev_day)"},
        "relapse": {"count": 1, "where": "notna(relapse_day)", "profile": profile},
    }
    raw, d = rich(tmp_path, causes=causes)
    raw["covariates"] = [
        {"name": "sex", "levels": {"f": 8, "m": 12}},
        {"name": "klass", "levels": {"short": 14, "long": 6}},
        {
            "name": "long_days",
            "kind": "continuous",
            "where": "klass == 'long'",
            "values": [100, 120, 150, 180, 200, 240],
        },
        {"name": "age", "kind": "continuous", "median": 30, "range": [5, 60]},
    ]
    return raw, d
