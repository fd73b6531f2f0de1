"""Parse a spec's ``covariates`` section: categorical margins (by group), continuous
values, medians with ranges and cuts, and split markers."""

from __future__ import annotations

from .expressions import compile_expression
from .reader import Reader
from .schema import Covariate, Groups, Split

__all__ = ["parse_covariates"]

_FIELDS = {
    "name",
    "kind",
    "levels",
    "by_group",
    "where",
    "values",
    "median",
    "range",
    "decimals",
    "ids",
    "note",
    "split",
    "cuts",
}


def parse_covariates(
    rd: Reader, raw: list | None, known: set, n: int, groups: Groups | None
) -> list[Covariate]:
    """The covariates, in order; each one's name joins ``known`` (later ones may use it)."""
    covariates: list[Covariate] = []
    for k, c in enumerate(rd.seq(raw or [], "covariates")):
        w = f"covariates[{k}]"
        rd.mapping(c, w)
        rd.unknown_keys(c, _FIELDS, w)
        name = str(rd.req(c, "name", w))
        if name in known:
            rd.fail(f"{w}.name", f"{name!r} is already a column")
        kind = c.get("kind", "categorical")
        where = compile_expression(c["where"], known, f"{w}.where") if c.get("where") else None
        ids = rd.ids(c.get("ids", []), f"{w}.ids")
        if kind == "categorical":
            covariates.append(_categorical(rd, c, w, name, where, ids, n, groups))
        elif kind == "continuous":
            covariates.append(_continuous(rd, c, w, name, where, ids, covariates))
        else:
            rd.fail(f"{w}.kind", f"must be 'categorical' or 'continuous', got {kind!r}")
        known.add(name)
    return covariates


def _categorical(
    rd: Reader, c: dict, w: str, name: str, where, ids: tuple, n: int, groups: Groups | None
) -> Covariate:
    lv = rd.req(c, "levels", w)
    levels = free = None
    if isinstance(lv, dict):
        for lab, cnt in lv.items():
            rd.number(cnt, f"{w}.levels.{lab}", integer=True, nonneg=True)
        levels = dict(lv)
        if where is None and sum(levels.values()) != n:
            rd.fail(
                f"{w}.levels",
                f"counts sum to {sum(levels.values())}, but n is "
                f"{n} (give 'where' if the variable is defined for a subset)",
            )
    elif isinstance(lv, list) and len(lv) >= 2:
        free = tuple(lv)
    else:
        rd.fail(
            f"{w}.levels",
            "give label: count pairs, or a list of >= 2 labels when the margin is not published",
        )
    by_group = None
    if c.get("by_group") is not None:
        by_group = _by_group(rd, c["by_group"], w, levels, where, groups)
    return Covariate(
        name=name,
        kind="categorical",
        levels=levels,
        free_levels=free,
        by_group=by_group,
        where=where,
        ids=ids,
        note=str(c.get("note", "")),
    )


def _by_group(rd: Reader, raw, w: str, levels: dict | None, where, groups: Groups | None) -> dict:
    """Counts of each level by group: all groups, or some (the rest share the margin)."""
    if groups is None:
        rd.fail(f"{w}.by_group", "needs a 'groups' section")
    if levels is None:
        rd.fail(f"{w}.by_group", "needs published level counts in 'levels'")
    bg = rd.mapping(raw, f"{w}.by_group")
    unknown_g = sorted(set(bg) - set(groups.sizes))
    if unknown_g or not bg:
        rd.fail(
            f"{w}.by_group", f"{unknown_g} are not groups; list some or all of {list(groups.sizes)}"
        )
    for gl, counts in bg.items():
        rd.mapping(counts, f"{w}.by_group.{gl}")
        if set(counts) != set(levels):
            rd.fail(f"{w}.by_group.{gl}", f"must list the levels {list(levels)}")
        if where is None and sum(counts.values()) != groups.sizes[gl]:
            rd.fail(
                f"{w}.by_group.{gl}",
                f"counts sum to {sum(counts.values())}"
                f" but group {gl!r} has {groups.sizes[gl]} patients",
            )
    complete = set(bg) == set(groups.sizes)
    for lab in levels:
        tot = sum(bg[gl][lab] for gl in bg)
        if tot > levels[lab] or (complete and tot != levels[lab]):
            rd.fail(
                f"{w}.by_group",
                f"level {lab!r} sums to {tot} over the groups but the margin is {levels[lab]}",
            )
    return {gl: dict(v) for gl, v in bg.items()}


def _continuous(
    rd: Reader, c: dict, w: str, name: str, where, ids: tuple, earlier: list[Covariate]
) -> Covariate:
    if c.get("by_group") is not None:
        rd.fail(
            f"{w}.by_group",
            "by_group gives a categorical covariate's counts by group; "
            f"for the median and range of {name!r} in a group, add a target "
            f"{{stat: median, of: {name}, where: \"group == '...'\"}} with the ledger "
            "id of the published median (its range is compared too)",
        )
    values = median = rng = split = None
    if c.get("split") is not None:
        split, rng = _split(rd, c, w, earlier)
    elif c.get("values") is not None:
        values = tuple(
            rd.number(v, f"{w}.values[{i}]")
            for i, v in enumerate(rd.seq(c["values"], f"{w}.values"))
        )
    else:
        median = rd.number(rd.req(c, "median", w), f"{w}.median")
        rng = _range(rd, c, w)
        if not rng[0] <= median <= rng[1]:
            rd.fail(f"{w}.median", f"{median} lies outside the range {list(rng)}")
    cuts = []
    for j, cut in enumerate(rd.seq(c.get("cuts") or [], f"{w}.cuts")):
        wc = f"{w}.cuts[{j}]"
        rd.mapping(cut, wc)
        rd.unknown_keys(cut, {"at", "at_most"}, wc)
        at = rd.number(rd.req(cut, "at", wc), f"{wc}.at")
        if median is None or not rng[0] <= at < rng[1]:
            rd.fail(f"{wc}.at", "cuts need a median and range, and 'at' inside the range")
        cuts.append(
            (
                at,
                rd.number(rd.req(cut, "at_most", wc), f"{wc}.at_most", integer=True, positive=True),
            )
        )
    return Covariate(
        name=name,
        kind="continuous",
        where=where,
        values=values,
        median=median,
        range=rng,
        ids=ids,
        split=split,
        cuts=tuple(sorted(cuts)),
        decimals=int(c.get("decimals", 0)),
        note=str(c.get("note", "")),
    )


def _range(rd: Reader, c: dict, w: str) -> tuple[float, float]:
    r = rd.seq(rd.req(c, "range", w), f"{w}.range")
    if len(r) != 2:
        rd.fail(f"{w}.range", "expected [min, max]")
    return rd.number(r[0], f"{w}.range[0]"), rd.number(r[1], f"{w}.range[1]")


def _split(rd: Reader, c: dict, w: str, earlier: list[Covariate]) -> tuple[Split, tuple]:
    sp = rd.mapping(c["split"], f"{w}.split")
    rd.unknown_keys(sp, {"by", "at", "at_cut"}, f"{w}.split")
    by = str(rd.req(sp, "by", f"{w}.split"))
    prior = {x.name: x for x in earlier}
    if (
        by not in prior
        or prior[by].kind != "categorical"
        or set(prior[by].levels or prior[by].free_levels or ()) != {0, 1}
    ):
        rd.fail(
            f"{w}.split.by", f"{by!r} must be an earlier categorical covariate with levels 0 and 1"
        )
    at = rd.number(rd.req(sp, "at", f"{w}.split"), f"{w}.split.at")
    rng = _range(rd, c, w)
    if not rng[0] < at <= rng[1]:
        rd.fail(f"{w}.split.at", f"{at} must lie inside the range {list(rng)}")
    if c.get("median") is not None or c.get("values") is not None:
        rd.fail(f"{w}.split", "a split covariate takes 'range' only")
    return Split(by=by, at=at, at_cut=bool(sp.get("at_cut", False))), rng
