"""Read and validate a spec: one parse function per YAML section, wired by ``parse_spec``.

Each section may use the columns the sections before it define (``known``): the groups,
the covariates, the events' days and the cause of death, the derived columns, and the
endpoints' ``<name>_days``, ``_event`` and ``_status``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from ... import ledger, paths
from .covariates import parse_covariates
from .events import parse_events
from .expressions import compile_expression
from .reader import Reader, SpecError
from .schema import Conflict, Design, Endpoint, Exclusion, Groups, SolverSettings, Spec
from .targets import parse_targets

__all__ = ["load_spec", "parse_spec"]

_TOP_FIELDS = {
    "cohort",
    "ledger",
    "title",
    "n",
    "design",
    "groups",
    "covariates",
    "events",
    "derived",
    "endpoints",
    "targets",
    "conflicts",
    "excluded",
    "solver",
    "notes",
}


def load_spec(spec: str | Path, *, ledger_dir: Path | None = None) -> Spec:
    """Read and validate ``data/specs/<cohort>.yaml`` (a cohort name or a path)."""
    path = Path(spec)
    if not path.suffix:
        path = paths.SPECS / f"{spec}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no spec {path}; specs live in {paths.SPECS}")
    data = path.read_bytes()
    try:
        raw = yaml.safe_load(data)
    except yaml.YAMLError as err:
        raise SpecError(f"{path.name}: not valid YAML: {err}") from None
    out = parse_spec(
        raw,
        fname=path.name,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        ledger_dir=ledger_dir,
    )
    if out.cohort != path.stem:
        raise SpecError(
            f"{path.name}: cohort: {out.cohort!r} differs from the file name {path.stem!r}"
        )
    return out


def parse_spec(
    raw: dict,
    *,
    fname: str = "<spec>",
    path: Path | None = None,
    sha256: str = "",
    ledger_dir: Path | None = None,
) -> Spec:
    """Validate a spec given as a mapping (as read from YAML).

    Raises ``SpecError`` whose message starts with ``fname`` and the field path.
    """
    try:
        return _parse(raw, fname=fname, path=path, sha256=sha256, ledger_dir=ledger_dir)
    except SpecError as err:
        if str(err).startswith(f"{fname}: "):
            raise
        raise SpecError(f"{fname}: {err}") from None


def _parse(
    raw: dict, *, fname: str, path: Path | None, sha256: str, ledger_dir: Path | None
) -> Spec:
    rd = Reader(fname, set(ledger.load(directory=ledger_dir)))
    rd.mapping(raw, "top level")
    rd.unknown_keys(raw, _TOP_FIELDS, "")
    cohort = str(rd.req(raw, "cohort", ""))
    paper = str(rd.req(raw, "ledger", ""))
    if not any(i.startswith(paper + ".") for i in rd.ledger_ids):
        rd.fail(
            "ledger",
            f"no ledger entries for {paper!r}; known: "
            f"{sorted({i.split('.')[0] for i in rd.ledger_ids})}",
        )
    n = rd.number(rd.req(raw, "n", ""), "n", integer=True, positive=True)
    design = _design(rd, rd.req(raw, "design", ""))
    known: set[str] = {"followup_days", "entry_day"}
    groups = _groups(rd, raw.get("groups"), n, known)
    covariates = parse_covariates(rd, raw.get("covariates"), known, n, groups)
    events = parse_events(rd, rd.req(raw, "events", ""), known, n, covariates)
    derived = _derived(rd, raw.get("derived"), known)
    endpoints = _endpoints(rd, rd.req(raw, "endpoints", ""), known, events)
    targets = parse_targets(rd, rd.req(raw, "targets", ""), known, endpoints)
    targeted = {i for t in targets for i in t.ids}
    return Spec(
        cohort=cohort,
        ledger=paper,
        n=n,
        design=design,
        groups=groups,
        covariates=tuple(covariates),
        events=tuple(events),
        derived=derived,
        endpoints=endpoints,
        targets=tuple(targets),
        conflicts=_conflicts(rd, raw.get("conflicts"), targeted),
        excluded=_excluded(rd, raw.get("excluded"), targeted),
        solver=_solver(rd, raw.get("solver")),
        title=str(raw.get("title", "")),
        path=path,
        sha256=sha256,
        raw=raw,
        ledger_dir=ledger_dir,
    )


def _design(rd: Reader, raw) -> Design:
    d = rd.mapping(raw, "design")
    rd.unknown_keys(d, {"origin", "accrual", "cutoff", "time_unit", "note"}, "design")
    acc = rd.mapping(rd.req(d, "accrual", "design"), "design.accrual")
    design = Design(
        origin=str(rd.req(d, "origin", "design")),
        accrual_start=rd.date(rd.req(acc, "start", "design.accrual"), "design.accrual.start"),
        accrual_end=rd.date(rd.req(acc, "end", "design.accrual"), "design.accrual.end"),
        cutoff=rd.date(rd.req(d, "cutoff", "design"), "design.cutoff"),
        time_unit=str(d.get("time_unit", "days")),
    )
    if design.time_unit != "days":
        rd.fail("design.time_unit", f"only 'days' is supported, got {design.time_unit!r}")
    if design.accrual_start > design.accrual_end:
        rd.fail("design.accrual", "start is after end")
    if design.accrual_end >= design.cutoff:
        rd.fail("design.cutoff", "the data cut-off must come after the end of accrual")
    return design


def _groups(rd: Reader, raw, n: int, known: set) -> Groups | None:
    if raw is None:
        return None
    g = rd.mapping(raw, "groups")
    rd.unknown_keys(g, {"column", "sizes", "ids"}, "groups")
    sizes = rd.mapping(rd.req(g, "sizes", "groups"), "groups.sizes")
    for k, v in sizes.items():
        rd.number(v, f"groups.sizes.{k}", integer=True, positive=True)
    if sum(sizes.values()) != n:
        rd.fail("groups.sizes", f"sizes sum to {sum(sizes.values())}, but n is {n}")
    groups = Groups(
        column=str(g.get("column", "group")),
        sizes=dict(sizes),
        ids=rd.ids(g.get("ids", []), "groups.ids"),
    )
    known.add(groups.column)
    return groups


def _derived(rd: Reader, raw, known: set) -> dict:
    derived = {}
    for name, text in rd.mapping(raw or {}, "derived").items():
        if name in known:
            rd.fail(f"derived.{name}", f"{name!r} is already a column")
        derived[name] = compile_expression(text, known, f"derived.{name}")
        known.add(name)
    return derived


def _endpoints(rd: Reader, raw, known: set, events: list) -> dict:
    endpoints = {}
    names = {e.name for e in events}
    for name, ep in rd.mapping(raw, "endpoints").items():
        w = f"endpoints.{name}"
        rd.mapping(ep, w)
        rd.unknown_keys(ep, {"events", "competing", "where", "origin", "note"}, w)
        lists = {
            part: _endpoint_events(rd, ep.get(part, []), f"{w}.{part}", known, names)
            for part in ("events", "competing")
        }
        if not lists["events"][0]:
            rd.fail(f"{w}.events", "at least one event is needed")
        endpoints[name] = Endpoint(
            name=name,
            events=lists["events"][0],
            competing=lists["competing"][0],
            events_where=lists["events"][1],
            competing_where=lists["competing"][1],
            where=compile_expression(ep["where"], known, f"{w}.where") if ep.get("where") else None,
            origin=compile_expression(ep["origin"], known, f"{w}.origin")
            if ep.get("origin") is not None
            else None,
            note=str(ep.get("note", "")),
        )
    for name in endpoints:
        known |= {f"{name}_days", f"{name}_event", f"{name}_status"}
    return endpoints


def _endpoint_events(rd: Reader, xs, w: str, known: set, names: set) -> tuple[tuple, tuple]:
    """(event names, the condition each must meet to count or None) of one list."""
    xs = [xs] if isinstance(xs, (str, dict)) else rd.seq(xs, w)
    evs, conds = [], []
    for i, x in enumerate(xs):
        cond = None
        if isinstance(x, dict):
            rd.unknown_keys(x, {"event", "where"}, f"{w}[{i}]")
            if x.get("where"):
                cond = compile_expression(x["where"], known, f"{w}[{i}].where")
            x = rd.req(x, "event", f"{w}[{i}]")
        if x not in names:
            rd.fail(f"{w}[{i}]", f"{x!r} is not an event; events: {sorted(names)}")
        evs.append(str(x))
        conds.append(cond)
    return tuple(evs), tuple(conds)


def _conflicts(rd: Reader, raw, targeted: set) -> tuple:
    conflicts = []
    for k, c in enumerate(rd.seq(raw or [], "conflicts")):
        w = f"conflicts[{k}]"
        rd.mapping(c, w)
        rd.unknown_keys(c, {"ids", "honour", "reason", "fit"}, w)
        ids = rd.ids(rd.req(c, "ids", w), f"{w}.ids")
        honour = rd.ids(c.get("honour", []), f"{w}.honour")
        for i in honour:
            if i not in ids:
                rd.fail(f"{w}.honour", f"{i!r} is not among the conflicting ids")
        for j, i in enumerate(ids):
            if i not in targeted:
                rd.fail(
                    f"{w}.ids[{j}]",
                    f"{i!r} is not the id of any target (a conflict "
                    "names targets, so that both sides are reported)",
                )
        conflicts.append(
            Conflict(
                ids=ids,
                honour=honour,
                reason=str(rd.req(c, "reason", w)),
                fit=bool(c.get("fit", False)),
            )
        )
    return tuple(conflicts)


def _excluded(rd: Reader, raw, targeted: set) -> tuple:
    excluded = []
    for k, x in enumerate(rd.seq(raw or [], "excluded")):
        w = f"excluded[{k}]"
        rd.mapping(x, w)
        (i,) = rd.ids([rd.req(x, "id", w)], f"{w}.id")
        if i in targeted:
            rd.fail(f"{w}.id", f"{i!r} is also a target; exclude it or target it, not both")
        excluded.append(Exclusion(id=i, reason=str(rd.req(x, "reason", w))))
    return tuple(excluded)


#: Solver settings by kind of value: counts of steps (> 0 or >= 0) and temperatures.
_POSITIVE_INTEGERS = ("iterations", "ensemble_iterations", "starts", "restarts")
_COUNTS = ("covariate_iterations", "polish_iterations", "polish_trial_iterations")
_TEMPERATURES = ("temperature", "covariate_temperature", "walk_temperature", "polish_temperature")


def _solver(rd: Reader, raw) -> SolverSettings:
    solver = rd.mapping(raw or {}, "solver")
    if "cooling" in solver:
        rd.fail(
            "solver.cooling",
            "the schedule is fixed (geometric, from 'temperature' to "
            "0.001 over each round); remove the field",
        )
    rd.unknown_keys(solver, SolverSettings.names(), "solver")
    kw = {}
    for key, value in solver.items():
        if key in _POSITIVE_INTEGERS:
            kw[key] = rd.number(value, f"solver.{key}", integer=True, positive=True)
        elif key in _COUNTS:
            kw[key] = rd.number(value, f"solver.{key}", integer=True, nonneg=True)
        elif key in _TEMPERATURES:
            kw[key] = rd.number(value, f"solver.{key}", positive=True)
        elif value not in ("always", "within_followup"):  # auto_lock
            rd.fail(
                "solver.auto_lock",
                "must be 'always' (default) or 'within_followup' "
                "(only landmarks before the shortest potential follow-up lock "
                "automatically)",
            )
        else:
            kw[key] = value
    return SolverSettings(**kw)
