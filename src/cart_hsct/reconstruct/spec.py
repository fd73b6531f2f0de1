"""Reconstruction specs: the YAML schema, its validation and a small expression language.

A spec (``data/specs/<cohort>.yaml``) says what is known about a cohort whose patient-level
data are not public: its size, groups, covariate margins, the accrual window and data
cut-off (which bound each patient's potential follow-up), the events that can happen to a
patient, the endpoints derived from them, and the published numbers (targets, each tied
to ledger ids) that a reconstruction must reproduce. ``data/specs/README.md`` documents
the format with examples; this module enforces it.

Every error names the file and the field path, e.g.
``chen2021.yaml: targets[12].ids[0]: 'x' is not a ledger id``.

Expressions (``where``, ``of``, ``after``, ``origin``, ``derived``) are Python
expressions over the cohort's columns with ``and``/``or``/``not`` applied element-wise,
much like ``pandas.DataFrame.query``: ``group == 'A' and cr == 1``. They are compiled
once and evaluated on numpy arrays, because the solver evaluates them thousands of times.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .. import ledger, paths

__all__ = [
    "CONF_TYPES",
    "STATS",
    "Conflict",
    "Covariate",
    "Design",
    "Endpoint",
    "Event",
    "Exclusion",
    "Expression",
    "Groups",
    "Spec",
    "SpecError",
    "Target",
    "load_spec",
    "parse_spec",
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
CONF_TYPES = {
    "km_at": ("plain", "log", "log-log", "arcsine"),
    "km_median": ("plain", "log", "log-log", "arcsine"),
    "cuminc_at": ("plain", "log", "log-log"),
}
_TARGET_FIELDS = {
    "ids", "stat", "endpoint", "where", "at", "conf_type", "cause", "by", "levels",
    "covariates", "term", "ties", "of", "rank", "versus", "method", "weight", "compare",
    "lock", "note", "report", "alternative", "median_rule", "ci_rule", "variance",
}
_TOP_FIELDS = {
    "cohort", "ledger", "title", "n", "design", "groups", "covariates", "events", "derived",
    "endpoints", "targets", "conflicts", "excluded", "solver", "notes",
}
_COMPARE_PARTS = ("value", "ci", "p", "range")
_FUNCTIONS = {
    "isna": lambda x: np.isnan(np.asarray(x, float)),
    "notna": lambda x: ~np.isnan(np.asarray(x, float)),
    "abs": np.abs,
    "minimum": np.fmin,
    "maximum": np.fmax,
    "floor": np.floor,
    "round": np.round,
}


class SpecError(ValueError):
    """A malformed spec; the message names the file and the field path."""


# ----------------------------------------------------------------------------- expressions


class _Elementwise(ast.NodeTransformer):
    """``a and b`` -> ``a & b``, ``not a`` -> ``~a`` (numpy element-wise logic)."""

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        op = ast.BitAnd() if isinstance(node.op, ast.And) else ast.BitOr()
        out = node.values[0]
        for v in node.values[1:]:
            out = ast.BinOp(left=out, op=op, right=v)
        return out

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.UnaryOp(op=ast.Invert(), operand=node.operand)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        # chained comparisons (1 < x < 5) become (1 < x) & (x < 5)
        self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators):
            parts.append(ast.Compare(left=left, ops=[op], comparators=[right]))
            left = right
        out = parts[0]
        for p in parts[1:]:
            out = ast.BinOp(left=out, op=ast.BitAnd(), right=p)
        return out


_ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Compare, ast.Eq, ast.NotEq, ast.Lt,
    ast.LtE, ast.Gt, ast.GtE, ast.Name, ast.Load, ast.Constant, ast.Call, ast.In, ast.NotIn,
    ast.List, ast.Tuple,
)


@dataclass(frozen=True)
class Expression:
    """A compiled column expression; ``names`` are the columns it reads."""

    text: str
    names: frozenset
    code: Any = field(repr=False, compare=False, hash=False)

    def __call__(self, columns: dict[str, np.ndarray], n: int) -> np.ndarray:
        env = dict(_FUNCTIONS)
        env.update(columns)
        out = eval(self.code, {"__builtins__": {}}, env)
        out = np.asarray(out)
        if out.ndim == 0:
            out = np.full(n, out.item())
        return out


def _profile(ctx, items, w: str, covariates: list) -> tuple:
    """A cause's ``profile``: conditions on one covariate each, as (covariate, Expression)."""
    by_name = {c.name: c for c in covariates}
    out = []
    for i, text in enumerate(ctx.seq(items, w)):
        ex = compile_expression(str(text), set(by_name), f"{w}[{i}]")
        if len(ex.names) != 1:
            ctx.fail(f"{w}[{i}]", f"a profile condition names one covariate, got "
                     f"{sorted(ex.names)}")
        c = by_name[next(iter(ex.names))]
        if c.split is not None:
            ctx.fail(f"{w}[{i}]", f"{c.name!r} follows another covariate (split); name that one")
        out.append((c, ex))
    return tuple(out)


def _in_to_isin(tree: ast.AST) -> ast.AST:
    """``x in [a, b]`` -> ``isin(x, [a, b])`` (element-wise membership)."""

    class T(ast.NodeTransformer):
        def visit_Compare(self, node):
            self.generic_visit(node)
            if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
                call = ast.Call(func=ast.Name(id="isin", ctx=ast.Load()),
                                args=[node.left, node.comparators[0]], keywords=[])
                if isinstance(node.ops[0], ast.NotIn):
                    return ast.UnaryOp(op=ast.Invert(), operand=call)
                return call
            return node

    return T().visit(tree)


_FUNCTIONS["isin"] = lambda x, values: np.isin(np.asarray(x, dtype=object), list(values))


def compile_expression(text: Any, known: set[str], where: str) -> Expression:
    """Compile ``text``; unknown column names or constructs raise ``SpecError`` naming ``where``."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise SpecError(f"{where}: expected an expression string, got {text!r}")
    text = str(text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise SpecError(f"{where}: {text!r} is not a valid expression ({err.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise SpecError(f"{where}: {text!r} uses {type(node).__name__}, which expressions "
                            "do not allow (use columns, numbers, strings, comparisons, "
                            "arithmetic, and/or/not, in, and the functions "
                            f"{sorted(_FUNCTIONS)})")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name)
                                               and node.func.id in _FUNCTIONS):
            raise SpecError(f"{where}: {text!r} calls an unknown function; allowed: "
                            f"{sorted(_FUNCTIONS)}")
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(_FUNCTIONS)
    unknown = sorted(names - known)
    if unknown:
        raise SpecError(f"{where}: {text!r} names unknown column(s) {unknown}; known columns: "
                        f"{sorted(known)}")
    tree = _in_to_isin(_Elementwise().visit(tree))
    ast.fix_missing_locations(tree)
    return Expression(text=text, names=frozenset(names), code=compile(tree, where, "eval"))


# ----------------------------------------------------------------------------- schema


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
class Covariate:
    """A baseline variable. Categorical: ``levels`` (label -> count, or a list when the
    margin is unknown) and optional ``by_group`` cross-tabulation (all groups, or some:
    the groups not listed share what is left of the margin). Continuous: exact ``values``,
    ``median`` with ``range``, or ``split``: a marker whose values are unknown except for
    the side of a cut-off ``at`` that a 0/1 covariate ``by`` gives (1 = value >= at).
    ``cuts`` add published counts at or below thresholds to a median and range."""

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
    split: dict | None = None
    cuts: tuple = ()  # ((at, count), ...): exactly ``count`` values <= ``at``


@dataclass(frozen=True)
class Event:
    """Something that can happen to a patient at a (whole) day; terminal = death."""

    name: str
    terminal: bool = False
    where: Expression | None = None
    after: tuple = ()
    before: tuple = ()
    within: str | None = None
    # terminal only: label -> {"count": k, "where": Expression (with the profile),
    # "profile": ((Covariate, Expression), ...), "base_where": the where without it,
    # "ids": (...)}
    causes: dict | None = None
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
    versus: dict | None = None
    method: str = "asymptotic"
    alternative: str = "two-sided"
    weight: float = 1.0
    compare: tuple = _COMPARE_PARTS
    lock: bool | None = None  # None: automatic (see Reconstruction._make_locks)
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
    solver: dict
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


# ----------------------------------------------------------------------------- parsing


class _Ctx:
    def __init__(self, fname: str):
        self.fname = fname

    def fail(self, where: str, msg: str) -> None:
        raise SpecError(f"{self.fname}: {where}: {msg}")

    def mapping(self, obj, where: str) -> dict:
        if not isinstance(obj, dict):
            self.fail(where, f"expected a mapping, got {type(obj).__name__}")
        return obj

    def seq(self, obj, where: str) -> list:
        if not isinstance(obj, list):
            self.fail(where, f"expected a list, got {type(obj).__name__}")
        return obj

    def req(self, obj: dict, key: str, where: str):
        if key not in obj or obj[key] is None:
            self.fail(f"{where}.{key}" if where else key, "missing (required)")
        return obj[key]

    def number(self, obj, where: str, *, integer=False, positive=False, nonneg=False):
        ok = isinstance(obj, (int, float)) and not isinstance(obj, bool)
        if integer:
            ok = ok and float(obj).is_integer()
        if not ok:
            self.fail(where, f"expected {'an integer' if integer else 'a number'}, got {obj!r}")
        if positive and obj <= 0:
            self.fail(where, f"must be > 0, got {obj!r}")
        if nonneg and obj < 0:
            self.fail(where, f"must be >= 0, got {obj!r}")
        return int(obj) if integer else float(obj)

    def date(self, obj, where: str) -> dt.date:
        if isinstance(obj, dt.date):
            return obj
        try:
            return dt.date.fromisoformat(str(obj))
        except ValueError:
            self.fail(where, f"expected an ISO date (YYYY-MM-DD), got {obj!r}")

    def unknown_keys(self, obj: dict, allowed: set, where: str) -> None:
        extra = sorted(set(obj) - allowed)
        if extra:
            self.fail(f"{where}.{extra[0]}" if where else extra[0],
                      f"unknown field; allowed here: {sorted(allowed)}")


def _ids(ctx: _Ctx, raw, where: str, known_ids: set) -> tuple:
    raw = [raw] if isinstance(raw, str) else ctx.seq(raw, where)
    for k, i in enumerate(raw):
        if i not in known_ids:
            ctx.fail(f"{where}[{k}]", f"{i!r} is not a ledger id (data/published/*.yaml)")
    return tuple(raw)


def parse_spec(raw: dict, *, fname: str = "<spec>", path: Path | None = None,
               sha256: str = "", ledger_dir: Path | None = None) -> Spec:
    """Validate a spec given as a mapping (as read from YAML).

    Raises ``SpecError`` whose message starts with ``fname`` and the field path.
    """
    try:
        return _parse(raw, fname=fname, path=path, sha256=sha256, ledger_dir=ledger_dir)
    except SpecError as err:
        if str(err).startswith(f"{fname}: "):
            raise
        raise SpecError(f"{fname}: {err}") from None


def _parse(raw: dict, *, fname: str, path: Path | None, sha256: str,
           ledger_dir: Path | None) -> Spec:
    ctx = _Ctx(fname)
    ctx.mapping(raw, "top level")
    ctx.unknown_keys(raw, _TOP_FIELDS, "")
    cohort = str(ctx.req(raw, "cohort", ""))
    paper = str(ctx.req(raw, "ledger", ""))
    all_ids = set(ledger.load(directory=ledger_dir))
    if not any(i.startswith(paper + ".") for i in all_ids):
        ctx.fail("ledger", f"no ledger entries for {paper!r}; known: "
                 f"{sorted({i.split('.')[0] for i in all_ids})}")
    n = ctx.number(ctx.req(raw, "n", ""), "n", integer=True, positive=True)

    d = ctx.mapping(ctx.req(raw, "design", ""), "design")
    ctx.unknown_keys(d, {"origin", "accrual", "cutoff", "time_unit", "note"}, "design")
    acc = ctx.mapping(ctx.req(d, "accrual", "design"), "design.accrual")
    design = Design(
        origin=str(ctx.req(d, "origin", "design")),
        accrual_start=ctx.date(ctx.req(acc, "start", "design.accrual"), "design.accrual.start"),
        accrual_end=ctx.date(ctx.req(acc, "end", "design.accrual"), "design.accrual.end"),
        cutoff=ctx.date(ctx.req(d, "cutoff", "design"), "design.cutoff"),
        time_unit=str(d.get("time_unit", "days")),
    )
    if design.time_unit != "days":
        ctx.fail("design.time_unit", f"only 'days' is supported, got {design.time_unit!r}")
    if design.accrual_start > design.accrual_end:
        ctx.fail("design.accrual", "start is after end")
    if design.accrual_end >= design.cutoff:
        ctx.fail("design.cutoff", "the data cut-off must come after the end of accrual")

    known: set[str] = {"followup_days", "entry_day"}
    groups = None
    if raw.get("groups") is not None:
        g = ctx.mapping(raw["groups"], "groups")
        ctx.unknown_keys(g, {"column", "sizes", "ids"}, "groups")
        sizes = ctx.mapping(ctx.req(g, "sizes", "groups"), "groups.sizes")
        for k, v in sizes.items():
            ctx.number(v, f"groups.sizes.{k}", integer=True, positive=True)
        if sum(sizes.values()) != n:
            ctx.fail("groups.sizes", f"sizes sum to {sum(sizes.values())}, but n is {n}")
        groups = Groups(column=str(g.get("column", "group")), sizes=dict(sizes),
                        ids=_ids(ctx, g.get("ids", []), "groups.ids", all_ids))
        known.add(groups.column)

    covariates = []
    for k, c in enumerate(ctx.seq(raw.get("covariates") or [], "covariates")):
        w = f"covariates[{k}]"
        ctx.mapping(c, w)
        ctx.unknown_keys(c, {"name", "kind", "levels", "by_group", "where", "values", "median",
                             "range", "decimals", "ids", "note", "split", "cuts"}, w)
        name = str(ctx.req(c, "name", w))
        if name in known:
            ctx.fail(f"{w}.name", f"{name!r} is already a column")
        kind = c.get("kind", "categorical")
        where = compile_expression(c["where"], known, f"{w}.where") if c.get("where") else None
        ids = _ids(ctx, c.get("ids", []), f"{w}.ids", all_ids)
        if kind == "categorical":
            lv = ctx.req(c, "levels", w)
            levels = free = None
            if isinstance(lv, dict):
                for lab, cnt in lv.items():
                    ctx.number(cnt, f"{w}.levels.{lab}", integer=True, nonneg=True)
                levels = dict(lv)
                if where is None and sum(levels.values()) != n:
                    ctx.fail(f"{w}.levels", f"counts sum to {sum(levels.values())}, but n is "
                             f"{n} (give 'where' if the variable is defined for a subset)")
            elif isinstance(lv, list) and len(lv) >= 2:
                free = tuple(lv)
            else:
                ctx.fail(f"{w}.levels", "give label: count pairs, or a list of >= 2 labels "
                         "when the margin is not published")
            by_group = None
            if c.get("by_group") is not None:
                if groups is None:
                    ctx.fail(f"{w}.by_group", "needs a 'groups' section")
                if levels is None:
                    ctx.fail(f"{w}.by_group", "needs published level counts in 'levels'")
                bg = ctx.mapping(c["by_group"], f"{w}.by_group")
                unknown_g = sorted(set(bg) - set(groups.sizes))
                if unknown_g or not bg:
                    ctx.fail(f"{w}.by_group", f"{unknown_g} are not groups; list some or all "
                             f"of {list(groups.sizes)}")
                for gl, counts in bg.items():
                    ctx.mapping(counts, f"{w}.by_group.{gl}")
                    if set(counts) != set(levels):
                        ctx.fail(f"{w}.by_group.{gl}", f"must list the levels {list(levels)}")
                    if where is None and sum(counts.values()) != groups.sizes[gl]:
                        ctx.fail(f"{w}.by_group.{gl}", f"counts sum to {sum(counts.values())}"
                                 f" but group {gl!r} has {groups.sizes[gl]} patients")
                complete = set(bg) == set(groups.sizes)
                for lab in levels:
                    tot = sum(bg[gl][lab] for gl in bg)
                    if tot > levels[lab] or (complete and tot != levels[lab]):
                        ctx.fail(f"{w}.by_group", f"level {lab!r} sums to {tot} over the "
                                 f"groups but the margin is {levels[lab]}")
                by_group = {gl: dict(v) for gl, v in bg.items()}
            covariates.append(Covariate(name=name, kind=kind, levels=levels, free_levels=free,
                                        by_group=by_group, where=where, ids=ids,
                                        note=str(c.get("note", ""))))
        elif kind == "continuous":
            values = median = rng = split = None
            if c.get("split") is not None:
                sp = ctx.mapping(c["split"], f"{w}.split")
                ctx.unknown_keys(sp, {"by", "at", "at_cut"}, f"{w}.split")
                by = str(ctx.req(sp, "by", f"{w}.split"))
                prior = {x.name: x for x in covariates}
                if by not in prior or prior[by].kind != "categorical" or set(
                        prior[by].levels or prior[by].free_levels or ()) != {0, 1}:
                    ctx.fail(f"{w}.split.by", f"{by!r} must be an earlier categorical covariate "
                             "with levels 0 and 1")
                at = ctx.number(ctx.req(sp, "at", f"{w}.split"), f"{w}.split.at")
                r = ctx.seq(ctx.req(c, "range", w), f"{w}.range")
                if len(r) != 2:
                    ctx.fail(f"{w}.range", "expected [min, max]")
                rng = (ctx.number(r[0], f"{w}.range[0]"), ctx.number(r[1], f"{w}.range[1]"))
                if not rng[0] < at <= rng[1]:
                    ctx.fail(f"{w}.split.at", f"{at} must lie inside the range {list(rng)}")
                if c.get("median") is not None or c.get("values") is not None:
                    ctx.fail(f"{w}.split", "a split covariate takes 'range' only")
                split = {"by": by, "at": at, "at_cut": bool(sp.get("at_cut", False))}
            elif c.get("values") is not None:
                values = tuple(ctx.number(v, f"{w}.values[{i}]")
                               for i, v in enumerate(ctx.seq(c["values"], f"{w}.values")))
            else:
                median = ctx.number(ctx.req(c, "median", w), f"{w}.median")
                r = ctx.seq(ctx.req(c, "range", w), f"{w}.range")
                if len(r) != 2:
                    ctx.fail(f"{w}.range", "expected [min, max]")
                rng = (ctx.number(r[0], f"{w}.range[0]"), ctx.number(r[1], f"{w}.range[1]"))
                if not rng[0] <= median <= rng[1]:
                    ctx.fail(f"{w}.median", f"{median} lies outside the range {list(rng)}")
            cuts = []
            for j, cut in enumerate(ctx.seq(c.get("cuts") or [], f"{w}.cuts")):
                wc = f"{w}.cuts[{j}]"
                ctx.mapping(cut, wc)
                ctx.unknown_keys(cut, {"at", "at_most"}, wc)
                at = ctx.number(ctx.req(cut, "at", wc), f"{wc}.at")
                if median is None or not rng[0] <= at < rng[1]:
                    ctx.fail(f"{wc}.at", "cuts need a median and range, and 'at' inside the "
                             "range")
                cuts.append((at, ctx.number(ctx.req(cut, "at_most", wc), f"{wc}.at_most",
                                            integer=True, positive=True)))
            covariates.append(Covariate(name=name, kind=kind, where=where, values=values,
                                        median=median, range=rng, ids=ids, split=split,
                                        cuts=tuple(sorted(cuts)),
                                        decimals=int(c.get("decimals", 0)),
                                        note=str(c.get("note", ""))))
        else:
            ctx.fail(f"{w}.kind", f"must be 'categorical' or 'continuous', got {kind!r}")
        known.add(name)

    events = []
    ev_raw = ctx.seq(ctx.req(raw, "events", ""), "events")
    event_cols = {f"{ctx.req(e, 'name', f'events[{k}]')}_day" for k, e in enumerate(ev_raw)}
    ev_names = [str(e["name"]) for e in ev_raw]
    cause_cols = set()
    for k, e in enumerate(ev_raw):
        w = f"events[{k}]"
        ctx.mapping(e, w)
        ctx.unknown_keys(e, {"name", "terminal", "where", "after", "before", "within",
                             "causes", "note"}, w)
        after = e.get("after", [])
        after = [after] if not isinstance(after, list) else after
        before = e.get("before", [])
        before = [before] if not isinstance(before, list) else before
        within = e.get("within")
        if within is not None:
            within = str(within)
            if within not in ev_names[:k]:
                ctx.fail(f"{w}.within", f"{within!r} must be an event listed before "
                         f"{e['name']!r}; earlier events: {ev_names[:k]}")
            if e.get("terminal"):
                ctx.fail(f"{w}.within", "the terminal event cannot be nested in another")
        causes = None
        if e.get("causes") is not None:
            if not e.get("terminal"):
                ctx.fail(f"{w}.causes", "only the terminal event (death) has causes")
            causes = {}
            cm = ctx.mapping(e["causes"], f"{w}.causes")
            if not cm:
                ctx.fail(f"{w}.causes", "list at least one cause: label: count")
            for lab, v in cm.items():
                cw = f"{w}.causes.{lab}"
                profile = ()
                if isinstance(v, dict):
                    ctx.unknown_keys(v, {"count", "where", "profile", "ids", "note"}, cw)
                    cnt = ctx.number(ctx.req(v, "count", cw), f"{cw}.count", integer=True,
                                     nonneg=True)
                    profile = _profile(ctx, v.get("profile", []), f"{cw}.profile",
                                       covariates)
                    # the profile is part of the condition: moves that break it are refused
                    text = " and ".join(f"({x})" for x in
                                        ([v["where"]] if v.get("where") else [])
                                        + [x.text for _, x in profile])
                    cwhere = compile_expression(text, known | event_cols,
                                                f"{cw}.where") if text else None
                    base = compile_expression(v["where"], known | event_cols,
                                              f"{cw}.where") if v.get("where") else None
                    ids = _ids(ctx, v.get("ids", []), f"{cw}.ids", all_ids)
                else:
                    cnt = ctx.number(v, cw, integer=True, nonneg=True)
                    cwhere, base, ids = None, None, ()
                causes[str(lab)] = {"count": int(cnt), "where": cwhere, "ids": ids,
                                    "profile": profile, "base_where": base}
            if sum(c["count"] for c in causes.values()) > n:
                ctx.fail(f"{w}.causes", f"the counts sum to more than n = {n}")
            cause_cols.add(f"{e['name']}_cause")
        events.append(Event(
            name=str(e["name"]), terminal=bool(e.get("terminal", False)),
            where=compile_expression(e["where"], known, f"{w}.where") if e.get("where") else None,
            after=tuple(compile_expression(a, known | event_cols, f"{w}.after[{i}]")
                        for i, a in enumerate(after)),
            before=tuple(compile_expression(a, known, f"{w}.before[{i}]")
                         for i, a in enumerate(before)),
            within=within, causes=causes,
            note=str(e.get("note", "")),
        ))
    if sum(e.terminal for e in events) != 1:
        ctx.fail("events", "exactly one event must be terminal (death)")
    terminal = next(e for e in events if e.terminal)
    for k, e in enumerate(events):
        for a in e.after:
            if terminal.column in a.names:
                ctx.fail(f"events[{k}].after", "no event can be required to follow death")
    known |= event_cols | cause_cols

    derived = {}
    for name, text in ctx.mapping(raw.get("derived") or {}, "derived").items():
        if name in known:
            ctx.fail(f"derived.{name}", f"{name!r} is already a column")
        derived[name] = compile_expression(text, known, f"derived.{name}")
        known.add(name)

    endpoints = {}
    names = {e.name for e in events}
    for name, ep in ctx.mapping(ctx.req(raw, "endpoints", ""), "endpoints").items():
        w = f"endpoints.{name}"
        ctx.mapping(ep, w)
        ctx.unknown_keys(ep, {"events", "competing", "where", "origin", "note"}, w)
        lists = {}
        for part in ("events", "competing"):
            xs = ep.get(part, [])
            xs = [xs] if isinstance(xs, (str, dict)) else ctx.seq(xs, f"{w}.{part}")
            evs, conds = [], []
            for i, x in enumerate(xs):
                cond = None
                if isinstance(x, dict):
                    ctx.unknown_keys(x, {"event", "where"}, f"{w}.{part}[{i}]")
                    if x.get("where"):
                        cond = compile_expression(x["where"], known, f"{w}.{part}[{i}].where")
                    x = ctx.req(x, "event", f"{w}.{part}[{i}]")
                if x not in names:
                    ctx.fail(f"{w}.{part}[{i}]", f"{x!r} is not an event; events: "
                             f"{sorted(names)}")
                evs.append(str(x))
                conds.append(cond)
            lists[part] = (tuple(evs), tuple(conds))
        if not lists["events"][0]:
            ctx.fail(f"{w}.events", "at least one event is needed")
        endpoints[name] = Endpoint(
            name=name, events=lists["events"][0], competing=lists["competing"][0],
            events_where=lists["events"][1], competing_where=lists["competing"][1],
            where=compile_expression(ep["where"], known, f"{w}.where") if ep.get("where") else None,
            origin=compile_expression(ep["origin"], known, f"{w}.origin")
            if ep.get("origin") is not None else None,
            note=str(ep.get("note", "")),
        )
    for name in endpoints:
        known |= {f"{name}_days", f"{name}_event", f"{name}_status"}

    targets = []
    for k, t in enumerate(ctx.seq(ctx.req(raw, "targets", ""), "targets")):
        targets.append(_target(ctx, t, k, known, endpoints, all_ids))

    targeted = {i for t in targets for i in t.ids}
    conflicts = []
    for k, c in enumerate(ctx.seq(raw.get("conflicts") or [], "conflicts")):
        w = f"conflicts[{k}]"
        ctx.mapping(c, w)
        ctx.unknown_keys(c, {"ids", "honour", "reason", "fit"}, w)
        ids = _ids(ctx, ctx.req(c, "ids", w), f"{w}.ids", all_ids)
        honour = _ids(ctx, c.get("honour", []), f"{w}.honour", all_ids)
        for i in honour:
            if i not in ids:
                ctx.fail(f"{w}.honour", f"{i!r} is not among the conflicting ids")
        for j, i in enumerate(ids):
            if i not in targeted:
                ctx.fail(f"{w}.ids[{j}]", f"{i!r} is not the id of any target (a conflict "
                         "names targets, so that both sides are reported)")
        conflicts.append(Conflict(ids=ids, honour=honour, reason=str(ctx.req(c, "reason", w)),
                                  fit=bool(c.get("fit", False))))

    excluded = []
    for k, x in enumerate(ctx.seq(raw.get("excluded") or [], "excluded")):
        w = f"excluded[{k}]"
        ctx.mapping(x, w)
        (i,) = _ids(ctx, [ctx.req(x, "id", w)], f"{w}.id", all_ids)
        if i in targeted:
            ctx.fail(f"{w}.id", f"{i!r} is also a target; exclude it or target it, not both")
        excluded.append(Exclusion(id=i, reason=str(ctx.req(x, "reason", w))))

    solver = ctx.mapping(raw.get("solver") or {}, "solver")
    ctx.unknown_keys(solver, {"iterations", "ensemble_iterations", "restarts", "temperature",
                              "cooling", "auto_lock", "covariate_iterations",
                              "covariate_temperature", "walk_temperature",
                              "polish_iterations", "polish_temperature", "starts",
                              "polish_trial_iterations"},
                      "solver")
    for key in ("iterations", "ensemble_iterations", "starts"):
        if key in solver:
            ctx.number(solver[key], f"solver.{key}", integer=True, positive=True)
    for key in ("covariate_iterations", "polish_iterations", "polish_trial_iterations"):
        if key in solver:
            ctx.number(solver[key], f"solver.{key}", integer=True, nonneg=True)
    for key in ("walk_temperature", "polish_temperature"):
        if key in solver:
            ctx.number(solver[key], f"solver.{key}", positive=True)
    if solver.get("auto_lock", "always") not in ("always", "within_followup"):
        ctx.fail("solver.auto_lock", "must be 'always' (default) or 'within_followup' (only "
                 "landmarks before the shortest potential follow-up lock automatically)")
    return Spec(cohort=cohort, ledger=paper, n=n, design=design, groups=groups,
                covariates=tuple(covariates), events=tuple(events), derived=derived,
                endpoints=endpoints, targets=tuple(targets), conflicts=tuple(conflicts),
                excluded=tuple(excluded), solver=dict(solver), title=str(raw.get("title", "")),
                path=path, sha256=sha256, raw=raw,
                ledger_dir=ledger_dir)


def _target(ctx: _Ctx, t, k: int, known: set, endpoints: dict, all_ids: set) -> Target:
    w = f"targets[{k}]"
    ctx.mapping(t, w)
    ctx.unknown_keys(t, _TARGET_FIELDS, w)
    ids = _ids(ctx, ctx.req(t, "ids", w), f"{w}.ids", all_ids)
    if not ids:
        ctx.fail(f"{w}.ids", "at least one ledger id is needed")
    stat = ctx.req(t, "stat", w)
    if stat not in STATS:
        ctx.fail(f"{w}.stat", f"unknown statistic {stat!r}; known: {sorted(STATS)}")
    for fld in STATS[stat]:
        ctx.req(t, fld, w)
    kw: dict[str, Any] = {"index": k, "ids": ids, "stat": stat}
    if "endpoint" in t:
        if t["endpoint"] not in endpoints:
            ctx.fail(f"{w}.endpoint", f"{t['endpoint']!r} is not an endpoint; endpoints: "
                     f"{sorted(endpoints)}")
        kw["endpoint"] = t["endpoint"]
        ep = endpoints[t["endpoint"]]
        if stat in ("cuminc_at", "gray") and not ep.competing:
            ctx.fail(f"{w}.endpoint", f"{stat} needs an endpoint with competing events")
    for fld in ("where", "by", "of"):
        if t.get(fld) is not None:
            kw[fld] = compile_expression(t[fld], known, f"{w}.{fld}")
    if "at" in t:
        kw["at"] = ctx.number(t["at"], f"{w}.at", positive=True)
    if "conf_type" in t:
        allowed = CONF_TYPES.get(stat, ())
        if t["conf_type"] not in allowed:
            ctx.fail(f"{w}.conf_type", f"must be one of {list(allowed)} for {stat}, got "
                     f"{t['conf_type']!r}")
        kw["conf_type"] = t["conf_type"]
    if "variance" in t:
        if stat != "cuminc_at" or t["variance"] not in ("cmprsk", "survfit"):
            ctx.fail(f"{w}.variance", "a cuminc_at target's variance: 'cmprsk' (default) or "
                     f"'survfit', got {t['variance']!r}")
        kw["variance"] = t["variance"]
    if "cause" in t:
        kw["cause"] = ctx.number(t["cause"], f"{w}.cause", integer=True, positive=True)
        if kw["cause"] not in (1, 2):
            ctx.fail(f"{w}.cause", "1 (the endpoint's events) or 2 (its competing events)")
    if "levels" in t:
        lv = ctx.seq(t["levels"], f"{w}.levels")
        if len(lv) < 2:
            ctx.fail(f"{w}.levels", "compare at least two levels")
        kw["levels"] = tuple(lv)
    if "covariates" in t:
        cov = ctx.seq(t["covariates"], f"{w}.covariates")
        for j, c in enumerate(cov):
            if c not in known:
                ctx.fail(f"{w}.covariates[{j}]", f"{c!r} is not a column; known: {sorted(known)}")
        kw["covariates"] = tuple(cov)
        if t["term"] not in cov:
            ctx.fail(f"{w}.term", f"{t['term']!r} must be one of the covariates {cov}")
        kw["term"] = t["term"]
    if "ties" in t:
        if t["ties"] not in ("efron", "breslow"):
            ctx.fail(f"{w}.ties", "must be 'efron' or 'breslow'")
        kw["ties"] = t["ties"]
    if "rank" in t:
        kw["rank"] = ctx.number(t["rank"], f"{w}.rank", integer=True, positive=True)
    if "versus" in t:
        v = ctx.mapping(t["versus"], f"{w}.versus")
        ctx.unknown_keys(v, {"of", "where"}, f"{w}.versus")
        kw["versus"] = {
            "of": compile_expression(ctx.req(v, "of", f"{w}.versus"), known, f"{w}.versus.of"),
            "where": compile_expression(v["where"], known, f"{w}.versus.where")
            if v.get("where") else None,
        }
    if "method" in t:
        if t["method"] not in ("asymptotic", "exact"):
            ctx.fail(f"{w}.method", "must be 'asymptotic' or 'exact'")
        kw["method"] = t["method"]
    if "alternative" in t:
        kw["alternative"] = str(t["alternative"])
    if "weight" in t:
        kw["weight"] = ctx.number(t["weight"], f"{w}.weight", nonneg=True)
    if "compare" in t:
        parts = ctx.seq(t["compare"], f"{w}.compare")
        for j, p in enumerate(parts):
            if p not in _COMPARE_PARTS:
                ctx.fail(f"{w}.compare[{j}]", f"must be one of {list(_COMPARE_PARTS)}")
        if "value" not in parts:
            ctx.fail(f"{w}.compare", "must include 'value'")
        if set(parts) != set(_COMPARE_PARTS) and not t.get("note"):
            ctx.fail(f"{w}.note", "say why parts of the published number are not compared")
        kw["compare"] = tuple(parts)
    if "lock" in t:
        kw["lock"] = bool(t["lock"])
    if "median_rule" in t:
        if stat != "km_median" or t["median_rule"] not in ("R", "first_below"):
            ctx.fail(f"{w}.median_rule", "only km_median takes a median_rule: 'R' (survfit's "
                     "midpoint of a 0.5 plateau) or 'first_below' (SPSS: first time S <= 0.5)")
        kw["median_rule"] = t["median_rule"]
    if "ci_rule" in t:
        if stat != "median_followup" or t["ci_rule"] not in ("R", "symmetric"):
            ctx.fail(f"{w}.ci_rule", "only median_followup takes a ci_rule: 'R' (the reverse "
                     "Kaplan-Meier band, as quantile(survfit)) or 'symmetric' (median +- z SE, "
                     "as survival.median_symmetric_ci and SPSS)")
        kw["ci_rule"] = t["ci_rule"]
    if "report" in t:
        if t["report"] not in ("p", "chi2"):
            ctx.fail(f"{w}.report", "must be 'p' or 'chi2'")
        kw["report"] = t["report"]
    kw["note"] = str(t.get("note", ""))
    return Target(**kw)


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
    out = parse_spec(raw, fname=path.name, path=path, sha256=hashlib.sha256(data).hexdigest(),
                     ledger_dir=ledger_dir)
    if out.cohort != path.stem:
        raise SpecError(f"{path.name}: cohort: {out.cohort!r} differs from the file name "
                        f"{path.stem!r}")
    return out
