"""The validated spec as typed, frozen dataclasses, with the defaults of every optional field.

``data/specs/README.md`` documents the YAML each class is read from; the parse functions
(``parse``, ``covariates``, ``events``, ``targets``) build them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .expressions import Expression

__all__ = [
    "COMPARE_PARTS",
    "CONF_TYPES",
    "STATS",
    "Cause",
    "Conflict",
    "Covariate",
    "Design",
    "Endpoint",
    "Event",
    "Exclusion",
    "Groups",
    "SolverSettings",
    "Spec",
    "Split",
    "Target",
    "Versus",
]

#: Statistics a target may ask for, with the fields each one requires.
STATS: dict[str, tuple[str, ...]] = {
    "km_at": ("endpoint", "at", "conf_type"),
    "km_median": ("endpoint", "conf_type"),
    "cuminc_at": ("endpoint", "at", "cause", "conf_type"),
    "logrank": ("endpoint", "by"),
    "gray": ("endpoint", "by", "cause"),
    "cox": ("endpoint", "covariates", "term"),
    "median_followup": ("endpoint",),
    "count": ("of",),
    "percent": ("of",),
    "median": ("of",),
    "min": ("of",),
    "max": ("of",),
    "sorted_value": ("of", "rank"),
    "mann_whitney": ("of", "versus"),
}
#: The confidence-interval transforms each estimate accepts, spelled as in R.
CONF_TYPES = {
    "km_at": ("plain", "log", "log-log", "arcsine"),
    "km_median": ("plain", "log", "log-log", "arcsine"),
    "cuminc_at": ("plain", "log", "log-log"),
}
#: The parts of a published number a target may compare.
COMPARE_PARTS = ("value", "ci", "p", "range")


@dataclass(frozen=True)
class Design:
    """Time origin, accrual window and data cut-off; they bound potential follow-up."""

    origin: str
    accrual_start: dt.date
    accrual_end: dt.date
    cutoff: dt.date
    time_unit: str = "days"

    @property
    def followup_bounds(self) -> tuple[int, int]:
        """(shortest, longest) potential follow-up in days."""
        return (self.cutoff - self.accrual_end).days, (self.cutoff - self.accrual_start).days


@dataclass(frozen=True)
class Groups:
    column: str
    sizes: dict
    ids: tuple = ()


@dataclass(frozen=True)
class Split:
    """A marker known only by the side of a cut-off ``at`` that a 0/1 covariate ``by``
    gives (1 = value >= at); with ``at_cut`` the lowest value of the upper side is ``at``."""

    by: str
    at: float
    at_cut: bool = False


@dataclass(frozen=True)
class Covariate:
    """A baseline variable. Categorical: ``levels`` (label -> count, or a list when the
    margin is unknown) and optional ``by_group`` cross-tabulation (all groups, or some:
    the groups not listed share what is left of the margin). Continuous: exact ``values``,
    ``median`` with ``range``, or ``split``: a marker whose values are unknown except for
    the side of a cut-off (:class:`Split`). ``cuts`` add published counts at or below
    thresholds to a median and range."""

    name: str
    kind: str
    levels: dict | None = None
    free_levels: tuple | None = None
    by_group: dict | None = None
    where: Expression | None = None
    values: tuple | None = None
    median: float | None = None
    range: tuple | None = None
    decimals: int = 0
    ids: tuple = ()
    note: str = ""
    split: Split | None = None
    cuts: tuple = ()  # ((at, count), ...): exactly ``count`` values <= ``at``


@dataclass(frozen=True)
class Cause:
    """A cause of death: ``count`` deaths have it; each such death meets ``where`` (the
    cause's own condition, ``base_where``, and its ``profile``: conditions on one
    covariate each, as (Covariate, Expression) pairs)."""

    label: str
    count: int
    where: Expression | None = None
    base_where: Expression | None = None
    profile: tuple = ()
    ids: tuple = ()


@dataclass(frozen=True)
class Event:
    """Something that can happen to a patient at a (whole) day; terminal = death."""

    name: str
    terminal: bool = False
    where: Expression | None = None
    after: tuple = ()
    before: tuple = ()
    within: str | None = None
    causes: dict[str, Cause] | None = None  # terminal only: label -> Cause
    note: str = ""

    @property
    def column(self) -> str:
        return f"{self.name}_day"

    @property
    def cause_column(self) -> str:
        return f"{self.name}_cause"


@dataclass(frozen=True)
class Endpoint:
    """An analysed outcome: first of ``events`` (status 1) or of ``competing`` (status 2)."""

    name: str
    events: tuple
    competing: tuple = ()
    where: Expression | None = None
    origin: Expression | None = None
    note: str = ""
    # per entry of events / competing: a condition an event must meet to count (or None)
    events_where: tuple = ()
    competing_where: tuple = ()

    @property
    def conditions(self) -> list:
        return [c for c in self.events_where + self.competing_where if c is not None]


@dataclass(frozen=True)
class Versus:
    """The second sample of a two-sample statistic: the values ``of`` patients ``where``."""

    of: Expression
    where: Expression | None = None


@dataclass(frozen=True)
class Target:
    index: int
    ids: tuple
    stat: str
    endpoint: str | None = None
    where: Expression | None = None
    at: float | None = None
    conf_type: str | None = None
    cause: int = 1
    by: Expression | None = None
    levels: tuple | None = None
    covariates: tuple = ()
    term: str | None = None
    ties: str = "efron"
    of: Expression | None = None
    rank: int | None = None
    versus: Versus | None = None
    method: str = "asymptotic"
    alternative: str = "two-sided"
    weight: float = 1.0
    compare: tuple = COMPARE_PARTS
    lock: bool | None = None  # None: automatic (locks.make_locks)
    report: str = "p"
    median_rule: str = "R"
    ci_rule: str = "R"  # median_followup: "R" (reverse-KM band) or "symmetric" (median +- z SE)
    variance: str = "cmprsk"  # cuminc_at: "cmprsk" or "survfit" (infinitesimal jackknife)
    note: str = ""

    @property
    def label(self) -> str:
        return f"targets[{self.index}]"


@dataclass(frozen=True)
class Conflict:
    ids: tuple
    honour: tuple
    reason: str
    fit: bool = False  # keep fitting the ids not honoured (their reachable parts)


@dataclass(frozen=True)
class Exclusion:
    id: str
    reason: str


@dataclass(frozen=True)
class SolverSettings:
    """The search's budget and schedule (the spec's ``solver`` section), with its defaults.

    ``data/specs/README.md`` ("solver") says what each setting does.
    """

    iterations: int = 4000
    covariate_iterations: int = 0
    ensemble_iterations: int | None = None
    polish_iterations: int = 0
    polish_trial_iterations: int = 0
    starts: int = 1
    restarts: int = 4
    temperature: float = 3.0
    covariate_temperature: float = 1.0
    polish_temperature: float = 1.0
    walk_temperature: float = 1.0
    auto_lock: str = "always"

    @classmethod
    def names(cls) -> set[str]:
        return {f.name for f in fields(cls)}

    def get(self, name: str, default: Any = None) -> Any:
        """Mapping-style read, for callers written against the section as a dict."""
        value = getattr(self, name, None)
        return default if value is None else value


@dataclass(frozen=True)
class Spec:
    """A validated reconstruction spec."""

    cohort: str
    ledger: str
    n: int
    design: Design
    groups: Groups | None
    covariates: tuple
    events: tuple
    derived: dict
    endpoints: dict
    targets: tuple
    conflicts: tuple
    excluded: tuple
    solver: SolverSettings
    title: str = ""
    path: Path | None = None
    sha256: str = ""
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    ledger_dir: Path | None = None

    @property
    def infeasible(self) -> dict[str, str]:
        """Ledger ids a conflict declares unreachable, with the reason."""
        out = {}
        for c in self.conflicts:
            for i in c.ids:
                if i not in c.honour:
                    out[i] = f"conflict: honours {', '.join(c.honour)}; {c.reason}"
        return out

    @property
    def unfitted(self) -> set:
        """Infeasible ids the solver ignores (all but those of conflicts with ``fit``)."""
        return {i for c in self.conflicts if not c.fit for i in c.ids if i not in c.honour}

    def covariate(self, name: str) -> Covariate:
        return next(c for c in self.covariates if c.name == name)

    @property
    def terminal(self) -> Event:
        """The terminal event (death)."""
        return next(e for e in self.events if e.terminal)
