"""Parse a spec's ``events`` section: the events, their order and windows, nesting
(``within``) and the causes of the terminal event with their conditions and profiles."""

from __future__ import annotations

from .expressions import compile_expression
from .reader import Reader
from .schema import Cause, Covariate, Event

__all__ = ["parse_events"]

_FIELDS = {"name", "terminal", "where", "after", "before", "within", "causes", "note"}
_CAUSE_FIELDS = {"count", "where", "profile", "ids", "note"}


def parse_events(
    rd: Reader, raw: list, known: set, n: int, covariates: list[Covariate]
) -> list[Event]:
    """The events, in order; their ``<name>_day`` and ``<death>_cause`` columns join
    ``known``."""
    ev_raw = rd.seq(raw, "events")
    event_cols = {f"{rd.req(e, 'name', f'events[{k}]')}_day" for k, e in enumerate(ev_raw)}
    ev_names = [str(e["name"]) for e in ev_raw]
    cause_cols = set()
    events = []
    for k, e in enumerate(ev_raw):
        w = f"events[{k}]"
        rd.mapping(e, w)
        rd.unknown_keys(e, _FIELDS, w)
        after = e.get("after", [])
        after = [after] if not isinstance(after, list) else after
        before = e.get("before", [])
        before = [before] if not isinstance(before, list) else before
        within = e.get("within")
        if within is not None:
            within = str(within)
            if within not in ev_names[:k]:
                rd.fail(
                    f"{w}.within",
                    f"{within!r} must be an event listed before "
                    f"{e['name']!r}; earlier events: {ev_names[:k]}",
                )
            if e.get("terminal"):
                rd.fail(f"{w}.within", "the terminal event cannot be nested in another")
        causes = None
        if e.get("causes") is not None:
            if not e.get("terminal"):
                rd.fail(f"{w}.causes", "only the terminal event (death) has causes")
            causes = _causes(rd, e["causes"], w, known | event_cols, n, covariates)
            cause_cols.add(f"{e['name']}_cause")
        events.append(
            Event(
                name=str(e["name"]),
                terminal=bool(e.get("terminal", False)),
                where=compile_expression(e["where"], known, f"{w}.where")
                if e.get("where")
                else None,
                after=tuple(
                    compile_expression(a, known | event_cols, f"{w}.after[{i}]")
                    for i, a in enumerate(after)
                ),
                before=tuple(
                    compile_expression(a, known, f"{w}.before[{i}]") for i, a in enumerate(before)
                ),
                within=within,
                causes=causes,
                note=str(e.get("note", "")),
            )
        )
    if sum(e.terminal for e in events) != 1:
        rd.fail("events", "exactly one event must be terminal (death)")
    terminal = next(e for e in events if e.terminal)
    for k, e in enumerate(events):
        for a in e.after:
            if terminal.column in a.names:
                rd.fail(f"events[{k}].after", "no event can be required to follow death")
    known |= event_cols | cause_cols
    return events


def _causes(
    rd: Reader, raw, w: str, known: set, n: int, covariates: list[Covariate]
) -> dict[str, Cause]:
    causes = {}
    cm = rd.mapping(raw, f"{w}.causes")
    if not cm:
        rd.fail(f"{w}.causes", "list at least one cause: label: count")
    for lab, v in cm.items():
        cw = f"{w}.causes.{lab}"
        if not isinstance(v, dict):
            causes[str(lab)] = Cause(
                label=str(lab), count=rd.number(v, cw, integer=True, nonneg=True)
            )
            continue
        rd.unknown_keys(v, _CAUSE_FIELDS, cw)
        cnt = rd.number(rd.req(v, "count", cw), f"{cw}.count", integer=True, nonneg=True)
        profile = _profile(rd, v.get("profile", []), f"{cw}.profile", covariates)
        # the profile is part of the condition: moves that break it are refused
        text = " and ".join(
            f"({x})"
            for x in ([v["where"]] if v.get("where") else []) + [x.text for _, x in profile]
        )
        causes[str(lab)] = Cause(
            label=str(lab),
            count=int(cnt),
            profile=profile,
            where=compile_expression(text, known, f"{cw}.where") if text else None,
            base_where=compile_expression(v["where"], known, f"{cw}.where")
            if v.get("where")
            else None,
            ids=rd.ids(v.get("ids", []), f"{cw}.ids"),
        )
    if sum(c.count for c in causes.values()) > n:
        rd.fail(f"{w}.causes", f"the counts sum to more than n = {n}")
    return causes


def _profile(rd: Reader, items, w: str, covariates: list[Covariate]) -> tuple:
    """A cause's ``profile``: conditions on one covariate each, as (covariate, Expression)."""
    by_name = {c.name: c for c in covariates}
    out = []
    for i, text in enumerate(rd.seq(items, w)):
        ex = compile_expression(str(text), set(by_name), f"{w}[{i}]")
        if len(ex.names) != 1:
            rd.fail(f"{w}[{i}]", f"a profile condition names one covariate, got {sorted(ex.names)}")
        c = by_name[next(iter(ex.names))]
        if c.split is not None:
            rd.fail(f"{w}[{i}]", f"{c.name!r} follows another covariate (split); name that one")
        out.append((c, ex))
    return tuple(out)
