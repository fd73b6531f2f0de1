"""Reconstruction specs: every malformed field is an error naming the file and the field."""

from __future__ import annotations

import pytest
from reconstruct_toys import profiled, rich, toy, toy_ledger, with_age

from cart_hsct import ledger
from cart_hsct.reconstruct import Reconstruction, SpecError, load_spec, parse_spec


@pytest.fixture
def toy_dir(tmp_path):
    return toy_ledger(tmp_path)


def test_chen2021_spec_is_valid_and_covers_every_ipd_entry():
    """Every ipd ledger id of chen2021 is a target or excluded with a reason."""
    spec = load_spec("chen2021")
    assert spec.n == 28 and sum(spec.groups.sizes.values()) == 28
    covered = {i for t in spec.targets for i in t.ids} | {x.id for x in spec.excluded}
    ipd = {k for k, e in ledger.load("chen2021").items() if e.reproducible_from == "ipd"}
    assert ipd - covered == set()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda r: r["targets"][0]["ids"].__setitem__(0, "toy.nope"),
            "toy.yaml: targets[0].ids[0]: 'toy.nope' is not a ledger id",
        ),
        (lambda r: r["groups"]["sizes"].__setitem__("a", 3), "toy.yaml: groups.sizes: sizes sum"),
        (
            lambda r: r["targets"][0].__setitem__("where", "grp == 'a'"),
            "toy.yaml: targets[0].where: \"grp == 'a'\" names unknown column(s) ['grp']",
        ),
        (
            lambda r: r["targets"][1].__setitem__("stat", "km_mean"),
            "toy.yaml: targets[1].stat: unknown statistic 'km_mean'",
        ),
        (lambda r: r["targets"][0].pop("conf_type"), "toy.yaml: targets[0].conf_type: missing"),
        (
            lambda r: r["targets"][0].__setitem__("conf_type", "logit"),
            "toy.yaml: targets[0].conf_type: must be one of",
        ),
        (
            lambda r: r["covariates"][0]["levels"].__setitem__(0, 1),
            "toy.yaml: covariates[0].levels: counts sum to",
        ),
        (lambda r: r["events"][0].__setitem__("terminal", False), "toy.yaml: events: exactly one"),
        (
            lambda r: r["endpoints"]["os"].__setitem__("events", ["relapse"]),
            "toy.yaml: endpoints.os.events[0]: 'relapse' is not an event",
        ),
        (lambda r: r.__setitem__("colour", "red"), "toy.yaml: colour: unknown field"),
        (
            lambda r: r["design"].__setitem__("cutoff", "2018-01-01"),
            "toy.yaml: design.cutoff: the data cut-off must come after",
        ),
        (
            lambda r: r["targets"][0].__setitem__("where", "__import__('os')"),
            "toy.yaml: targets[0].where:",
        ),
        (
            lambda r: r.__setitem__(
                "conflicts",
                [{"ids": ["toy.os_1y.a", "toy.zzz"], "honour": ["toy.os_1y.a"], "reason": "r"}],
            ),
            "toy.yaml: conflicts[0].ids[1]: 'toy.zzz' is not a ledger id",
        ),
        (
            lambda r: r["targets"][0].__setitem__("ci_rule", "symmetric"),
            "toy.yaml: targets[0].ci_rule: only median_followup takes a ci_rule",
        ),
        (
            lambda r: r["targets"][0].__setitem__("variance", "survfit"),
            "toy.yaml: targets[0].variance: a cuminc_at target's variance",
        ),
    ],
)
def test_invalid_spec_names_file_and_field(toy_dir, mutate, message):
    raw = toy()
    mutate(raw)
    with pytest.raises(SpecError) as err:
        parse_spec(raw, fname="toy.yaml", ledger_dir=toy_dir)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda r: r["events"][3].__setitem__("within", "nope"),
            "toy.yaml: events[3].within: 'nope' must be an event listed before 'sev'",
        ),
        (
            lambda r: r["events"][1].__setitem__("causes", {"x": 1}),
            "toy.yaml: events[1].causes: only the terminal event (death) has causes",
        ),
        (
            lambda r: r["events"][0]["causes"].__setitem__("gvhd", {"count": 2, "where": "zz > 1"}),
            "toy.yaml: events[0].causes.gvhd.where",
        ),
        (
            lambda r: r["events"][2].__setitem__("before", ["relapse_day"]),
            "toy.yaml: events[2].before[0]",
        ),
        (
            lambda r: r["endpoints"]["nrm_c"]["events"][0].__setitem__("where", "cause == 1"),
            "toy.yaml: endpoints.nrm_c.events[0].where",
        ),
        (
            lambda r: r["endpoints"]["nrm_c"]["competing"][0].__setitem__("event", "dead"),
            "toy.yaml: endpoints.nrm_c.competing[0]: 'dead' is not an event",
        ),
        (lambda r: r["solver"].__setitem__("auto_lock", "never"), "toy.yaml: solver.auto_lock"),
        (lambda r: r["solver"].__setitem__("starts", 0), "toy.yaml: solver.starts"),
        (
            lambda r: r["solver"].__setitem__("polish_trial_iterations", -1),
            "toy.yaml: solver.polish_trial_iterations",
        ),
    ],
)
def test_new_event_fields_are_validated(tmp_path, mutate, message):
    raw, d = rich(tmp_path)
    mutate(raw)
    with pytest.raises(SpecError) as err:
        parse_spec(raw, fname="toy.yaml", ledger_dir=d)
    assert message in str(err.value)


def test_cuts_are_validated(toy_dir):
    with pytest.raises(SpecError, match=r"covariates\[1\]\.cuts\[0\]\.at: cuts need"):
        parse_spec(with_age([{"at": 90, "at_most": 3}]), fname="toy.yaml", ledger_dir=toy_dir)
    with pytest.raises(SpecError, match=r"covariates\[1\]\.cuts\[0\]\.at_most: must be > 0"):
        parse_spec(with_age([{"at": 10, "at_most": 0}]), fname="toy.yaml", ledger_dir=toy_dir)


@pytest.mark.parametrize(
    "profile, message",
    [
        (
            ["sex == 'f' and age > 40"],
            (
                r"causes\.relapse\.profile\[0\]: a profile condition "
                r"names one covariate, got \['age', 'sex'\]"
            ),
        ),
        (["colour == 'red'"], r"causes\.relapse\.profile\[0\]"),
    ],
)
def test_a_cause_profile_is_validated(tmp_path, profile, message):
    raw, d = profiled(tmp_path, profile)
    with pytest.raises(SpecError, match=message):
        parse_spec(raw, fname="toy.yaml", ledger_dir=d)


def test_a_covariate_that_defines_an_event_cannot_be_profiled(tmp_path):
    raw, d = profiled(tmp_path, ["sex == 'f'"])
    raw["events"][1]["where"] = "sex == 'm'"  # only men relapse: sex is not exchangeable
    with pytest.raises(
        ValueError, match="cause 'relapse': profile names 'sex', which defines who has an event"
    ):
        Reconstruction(parse_spec(raw, fname="toy.yaml", ledger_dir=d))


def test_by_group_on_a_continuous_covariate_is_an_error_naming_the_field(toy_dir):
    """Counts by group are for categorical covariates; a continuous one's medians by group
    are targets. The field is refused even when it names groups that do not exist."""
    raw = with_age([])
    raw["covariates"][1]["by_group"] = {"nope": {"median": 40, "range": [20, 60]}}
    with pytest.raises(
        SpecError,
        match=r"toy\.yaml: covariates\[1\]\.by_group: by_group gives "
        r"a categorical covariate's counts by group; for the "
        r"median and range of 'age' in a group, add a target",
    ):
        parse_spec(raw, fname="toy.yaml", ledger_dir=toy_dir)


def test_a_ledger_id_targeted_twice_is_an_error_naming_both_places(toy_dir):
    raw = toy()
    raw["targets"].append({"ids": ["toy.os.p"], "stat": "logrank", "endpoint": "os", "by": "x"})
    with pytest.raises(
        SpecError,
        match=r"toy\.yaml: targets\[3\]\.ids\[0\]: 'toy\.os\.p' is "
        r"already targeted at targets\[2\]\.ids\[0\]",
    ):
        parse_spec(raw, fname="toy.yaml", ledger_dir=toy_dir)


@pytest.mark.parametrize(
    "solver, message",
    [
        ({"cooling": 0.99}, r"toy\.yaml: solver\.cooling: the schedule is fixed"),
        ({"temperature": 0}, r"toy\.yaml: solver\.temperature: must be > 0"),
        ({"restarts": 1.5}, r"toy\.yaml: solver\.restarts: expected an integer"),
        ({"iteration": 10}, r"toy\.yaml: solver\.iteration: unknown field"),
    ],
)
def test_solver_settings_are_validated(toy_dir, solver, message):
    raw = toy()
    raw["solver"] = solver
    with pytest.raises(SpecError, match=message):
        parse_spec(raw, fname="toy.yaml", ledger_dir=toy_dir)


def test_solver_settings_have_their_defaults_in_one_place(toy_dir):
    raw = toy()
    raw.pop("solver")
    settings = parse_spec(raw, fname="toy.yaml", ledger_dir=toy_dir).solver
    assert (settings.iterations, settings.starts, settings.temperature) == (4000, 1, 3.0)
    assert settings.get("ensemble_iterations") is None
