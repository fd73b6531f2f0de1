"""Round-trip validation: summarise a cohort with known patient data, reconstruct it, compare.

``simulate`` makes a small two-group cohort (seeded); ``summarise`` turns any such cohort
into a ledger (``<dir>/<name>.yaml``, numbers printed at a paper's precision) and a spec
targeting those numbers, as if only a paper's summaries were known. Reconstructing from
that spec and comparing with the original tests the engine where the truth is known.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..survival.cox import cox
from ..survival.km import km_at, km_median, median_followup
from ..survival.logrank import logrank
from .spec import Spec, parse_spec

__all__ = ["DESIGN", "simulate", "summarise"]

#: Accrual and cut-off of simulated cohorts.
DESIGN = {
    "origin": "start of treatment",
    "accrual": {"start": "2016-01-01", "end": "2018-12-31"},
    "cutoff": "2020-12-31",
}


def simulate(sizes: dict[str, int] | None = None, *, seed: int = 2024) -> pd.DataFrame:
    """A cohort with known patient data: groups, a binary covariate, relapse and death.

    Death hazard is lower in the first group and higher with ``x == 1``; relapse precedes
    death in about half the patients; censoring is administrative (entry uniform over the
    accrual window, cut-off ``DESIGN['cutoff']``). Whole days.
    """
    sizes = sizes or {"A": 12, "B": 12}
    rng = np.random.default_rng(seed)
    start = dt.date.fromisoformat(DESIGN["accrual"]["start"])
    end = dt.date.fromisoformat(DESIGN["accrual"]["end"])
    horizon = (dt.date.fromisoformat(DESIGN["cutoff"]) - start).days
    rows = []
    for k, (g, n) in enumerate(sizes.items()):
        for _ in range(n):
            x = int(rng.random() < 0.4)
            entry = int(rng.integers(0, (end - start).days + 1))
            fu = horizon - entry
            death = 1 + int(rng.exponential(1600 if k == 0 else 500) / (1.8 if x else 1.0))
            relapse = 1 + int(rng.exponential(500)) if rng.random() < 0.6 else None
            if relapse is not None and (relapse >= death or relapse > fu):
                relapse = None
            rows.append(
                {
                    "group": g,
                    "x": x,
                    "entry_day": entry,
                    "followup_days": fu,
                    "relapse_day": relapse,
                    "death_day": death if death <= fu else None,
                }
            )
    df = pd.DataFrame(rows)
    df["relapse_day"] = df["relapse_day"].astype("Float64").astype(float)
    df["death_day"] = df["death_day"].astype("Float64").astype(float)
    df["os_days"] = np.fmin(df.death_day.fillna(np.inf), df.followup_days)
    df["os_event"] = df.death_day.notna().astype(int)
    return df


def _entry(eid, value, unit, *, decimals, ci=None, p=None, quantity="", range_=None):
    fmt = f"{{:.{decimals}f}}"
    quote = "n/a" if value is None else fmt.format(value)
    out = {
        "id": eid,
        "paper": eid.split(".")[0],
        "section": "simulation",
        "quote": quote,
        "quantity": quantity or eid,
        "population": "simulated cohort",
        "value": None if value is None else float(fmt.format(value)) if decimals else round(value),
        "unit": unit,
        "method": "simulated",
        "reproducible_from": "ipd",
        "notes": "none",
    }
    if ci is not None:
        out["ci_low"], out["ci_high"] = (float(fmt.format(c)) for c in ci)
        out["quote"] += " (" + " - ".join(fmt.format(c) for c in ci) + ")"
    if p is not None:
        out["p"] = float(f"{p:.4f}") if p >= 0.0001 else 0.0001
        out["quote"] += f"; p={out['p']:.4f}"
    if range_ is not None:
        out["range_low"], out["range_high"] = range_
    return out


def _group_summaries(t, e, m, g: str, name: str, entries: list, targets: list) -> None:
    """One group's landmark survival (every 6 months, as read off a published curve) and
    KM median: ledger entries and their targets, appended."""
    for at, lab in ((182, "6m"), (365, "1y"), (547, "18m"), (730, "2y")):
        r = km_at(t[m], e[m], [at], conf_type="log-log").iloc[0]
        eid = f"{name}.os_{lab}.{g.lower()}"
        entries.append(
            _entry(
                eid,
                100 * r.survival,
                "percent",
                decimals=1,
                ci=(100 * r.ci_lower, 100 * r.ci_upper),
            )
        )
        targets.append(
            {
                "ids": [eid],
                "stat": "km_at",
                "endpoint": "os",
                "where": f"group == '{g}'",
                "at": at,
                "conf_type": "log-log",
            }
        )
    med = km_median(t[m], e[m], conf_type="log-log")["median"]
    eid = f"{name}.os_median.{g.lower()}"
    entries.append(_entry(eid, med, "days", decimals=0))
    targets.append(
        {
            "ids": [eid],
            "stat": "km_median",
            "endpoint": "os",
            "where": f"group == '{g}'",
            "conf_type": "log-log",
        }
    )


def summarise(
    df: pd.DataFrame, directory: Path, *, name: str = "sim", iterations: int = 1500
) -> Spec:
    """Write ``<directory>/<name>.yaml`` (a ledger) and return a spec targeting it.

    Published: group sizes and margins of ``x`` by group; per group the 1- and 2-year
    KM survival at 6, 12, 18 and 24 months (percent, 1 decimal, log-log CI) and the KM
    median (whole days); the log-rank p (4 decimals); the Cox HR of ``x`` adjusted for
    group (3 decimals, CI and p); the reverse-KM median follow-up.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    groups = list(dict.fromkeys(df.group))
    entries, targets = [], []
    t, e = df.os_days.to_numpy(float), df.os_event.to_numpy(float)
    for g in groups:
        _group_summaries(t, e, (df.group == g).to_numpy(), g, name, entries, targets)
    p = logrank(t, e, df.group.to_numpy(object))["p"]
    eid = f"{name}.os.p_logrank"
    entries.append(_entry(eid, p, "p-value", decimals=4, p=p))
    targets.append({"ids": [eid], "stat": "logrank", "endpoint": "os", "by": "group"})
    frame = df.assign(second=(df.group == groups[1]).astype(int))
    row = cox(frame, "os_days", "os_event", ["x", "second"]).summary.set_index("term").loc["x"]
    eid = f"{name}.os.hr_x"
    entries.append(_entry(eid, row.hr, "HR", decimals=3, ci=(row.ci_lower, row.ci_upper), p=row.p))
    targets.append(
        {"ids": [eid], "stat": "cox", "endpoint": "os", "covariates": ["x", "second"], "term": "x"}
    )
    fu = median_followup(t, e)["median"]
    eid = f"{name}.followup.median"
    entries.append(_entry(eid, fu, "days", decimals=0))
    targets.append({"ids": [eid], "stat": "median_followup", "endpoint": "os"})
    sizes = {g: int((df.group == g).sum()) for g in groups}
    by_group = {
        g: {
            0: int(((df.group == g) & (df.x == 0)).sum()),
            1: int(((df.group == g) & (df.x == 1)).sum()),
        }
        for g in groups
    }
    (directory / f"{name}.yaml").write_text(
        yaml.safe_dump(entries, sort_keys=False), encoding="utf-8"
    )
    raw = {
        "cohort": name,
        "ledger": name,
        "n": len(df),
        "design": DESIGN,
        "groups": {"column": "group", "sizes": sizes},
        "covariates": [
            {
                "name": "x",
                "levels": {0: int((df.x == 0).sum()), 1: int((df.x == 1).sum())},
                "by_group": by_group,
            }
        ],
        "events": [{"name": "death", "terminal": True}],
        "derived": {"second": f"group == '{groups[1]}'"},
        "endpoints": {"os": {"events": ["death"]}},
        "targets": targets,
        "solver": {"iterations": iterations},
    }
    return parse_spec(raw, fname=f"{name}.yaml", ledger_dir=directory)
