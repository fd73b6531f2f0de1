"""The ledger as project data, the tolerance rules and the scorecard aggregation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_hsct import ledger, paths


def test_ledger_holds_all_ids_of_both_papers():
    entries = ledger.load()
    assert len(entries) == 484
    assert len(ledger.load("chen2021")) == 102
    assert len(ledger.load("cao2023")) == 382
    assert all(e.id.startswith(e.paper + ".") for e in entries.values())


def test_every_quote_is_in_the_papers_text():
    texts = {
        p.name.split("_")[0]: p.read_text(encoding="utf-8") for p in paths.PAPERS.glob("*.txt")
    }
    missing = [e.id for e in ledger.load().values() if e.quote not in texts[e.paper]]
    assert missing == []


# ---------------------------------------------------------------- malformed ledgers


def _write(tmp_path: Path, entries: list[dict], name: str = "chen2021.yaml") -> Path:
    ledger.entries._load_dir.cache_clear()
    (tmp_path / name).write_text(yaml.safe_dump(entries, sort_keys=False))
    return tmp_path


def _good() -> dict:
    return {
        "id": "chen2021.n.total",
        "paper": "chen2021",
        "section": "Abstract",
        "quote": "28 patients",
        "quantity": "n",
        "population": "all",
        "value": 28,
        "unit": "count",
        "method": "descriptive",
        "reproducible_from": "counts",
        "notes": "none",
    }


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"unit": "furlongs"}, "unit", "unknown unit"),
        ({"value": "many"}, "value", "must be a number"),
        ({"ci_low": "low", "ci_high": 3}, "ci_low", "must be a number"),
        ({"reproducible_from": "guess"}, "reproducible_from", "'counts' or 'ipd'"),
        ({"paper": "cao2023"}, "paper", "sits in chen2021.yaml"),
    ],
)
def test_malformed_entry_names_file_entry_and_field(tmp_path, change, field, message):
    bad = {**_good(), **change}
    with pytest.raises(ledger.LedgerError) as err:
        ledger.load(directory=_write(tmp_path, [bad]))
    text = str(err.value)
    assert "chen2021.yaml" in text and "chen2021.n.total" in text and f"field '{field}'" in text
    assert message in text


def test_missing_field_and_duplicate_id_are_errors(tmp_path):
    no_quote = {k: v for k, v in _good().items() if k != "quote"}
    with pytest.raises(ledger.LedgerError, match="field 'quote': missing"):
        ledger.load(directory=_write(tmp_path, [no_quote]))
    with pytest.raises(ledger.LedgerError, match="field 'id': duplicate id"):
        ledger.load(directory=_write(tmp_path, [_good(), _good()]))


def test_unknown_id_passed_to_record_is_an_error():
    with pytest.raises(KeyError, match="not a ledger id"):
        ledger.record("chen2021.os_1y.nobody", 50.0)


# ---------------------------------------------------------------- tolerance rules


def _entry(**fields) -> ledger.Entry:
    base = {
        "id": "x.y",
        "paper": "x",
        "unit": "percent",
        "value": 70.0,
        "quote": "70.0%",
        "quantity": "q",
        "section": "s",
        "method": "KM",
        "reproducible_from": "ipd",
    }
    base.update(fields)
    e = ledger.Entry(**{k: v for k, v in base.items() if k != "half_unit"})
    half = (
        {"value": ledger.entries._half_unit(float(e.value), e.quote, None)}
        if isinstance(e.value, float)
        else {}
    )
    if e.ci:
        half["ci_low"] = ledger.entries._half_unit(e.ci[0], e.quote, None)
        half["ci_high"] = ledger.entries._half_unit(e.ci[1], e.quote, None)
    if e.p is not None:
        half["p"] = ledger.entries._half_unit(e.p, e.quote, None)
    object.__setattr__(e, "half_unit", half)
    return e


@pytest.mark.parametrize(
    "value, status",
    [
        (70.04, "exact"),
        (69.96, "exact"),
        (70.06, "close"),
        (71.0, "close"),
        (71.01, "discrepant"),
        (68.9, "discrepant"),
    ],
)
def test_percent_rules(value, status):
    assert ledger.compare(_entry(), value)[0] == status


def test_ci_bounds_have_two_points_of_tolerance():
    e = _entry(ci=(33.0, 90.2), quote="70.0% (33.0-90.2)")
    assert ledger.compare(e, 70.0, ci=(33.04, 90.2))[0] == "exact"
    assert ledger.compare(e, 70.0, ci=(34.9, 88.3))[0] == "close"
    assert ledger.compare(e, 70.0, ci=(35.1, 90.2))[0] == "discrepant"
    assert ledger.compare(e, 70.0)[0] == "close"  # a published CI left uncomputed caps at close


def test_hazard_ratio_must_stay_inside_the_published_ci():
    e = _entry(unit="HR", value=2.0, quote="2.00 (1.95-4.00)", ci=(1.95, 4.0))
    assert ledger.compare(e, 2.004)[0] == "close"  # CI not recomputed
    assert ledger.compare(e, 2.15)[0] == "close"
    assert ledger.compare(e, 1.9)[0] == "discrepant"  # within 10 % but outside the CI


def test_scientific_notation_keeps_its_significant_digits():
    e = ledger.entry("cao2023.t4.ri.atg_t")  # printed 1.42E+06
    assert e.half_unit["value"] == pytest.approx(5000.0)


@pytest.mark.parametrize(
    "printed, op, rep, status",
    [
        (0.015, None, 0.0151, "exact"),
        (0.015, None, 0.02, "close"),
        (0.015, None, 0.03, "discrepant"),
        (0.015, None, 0.06, "discrepant"),
        (0.001, "<", 0.0004, "exact"),
        (0.001, "<", 0.0012, "close"),
        (0.001, "<", 0.01, "discrepant"),
        # large p: the band is on the odds scale, so 0.956 no longer accepts anything above 0.64
        (0.956, None, 0.9555, "exact"),
        (0.956, None, 0.94, "close"),
        (0.956, None, 0.969, "close"),
        (0.956, None, 0.93, "discrepant"),
        (0.956, None, 0.70, "discrepant"),
        (0.956, None, 1.0, "discrepant"),
        (0.5, None, 0.41, "close"),
        (0.5, None, 0.38, "discrepant"),
        (0.24, None, 0.149, "discrepant"),
        (0.24, None, 0.19, "close"),
    ],
)
def test_p_value_rules(printed, op, rep, status):
    e = _entry(unit="p-value", value=printed, p=printed, p_operator=op, quote=f"p = {printed}")
    assert ledger.compare(e, rep)[0] == status


def test_not_reached_and_dates_compare_by_identity():
    assert ledger.compare(_entry(unit="days", value=None, quote="not reached"), None)[0] == "exact"
    assert (
        ledger.compare(_entry(unit="days", value=None, quote="not reached"), 400.0)[0]
        == "discrepant"
    )
    date = _entry(unit="date", value="2021-01-01", quote="January 1, 2021")
    assert ledger.compare(date, "2021-01-01")[0] == "exact"
    assert ledger.compare(date, "2021-01-02")[0] == "discrepant"


@settings(max_examples=200, deadline=None)
@given(st.floats(1, 99), st.floats(-5, 5))
def test_percent_status_is_symmetric_in_the_difference(printed, delta):
    """Swapping published and reproduced changes the sign of the difference, not the status."""
    printed = round(printed, 1)
    a = ledger.compare(_entry(value=printed, quote=f"{printed:.1f}%"), printed + delta)[0]
    b = ledger.compare(_entry(value=printed, quote=f"{printed:.1f}%"), printed - delta)[0]
    assert a == b


# ---------------------------------------------------------------- records and scorecard


@pytest.fixture
def reproduction(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "REPRODUCTION", tmp_path)
    monkeypatch.setattr(ledger.recording, "_RECORDS", {})
    # no exit hook: the records of a test must not be written anywhere after it
    monkeypatch.setattr(ledger.recording, "_STATE", {**ledger.recording._STATE, "hooked": True})
    ledger.entries._load_dir.cache_clear()
    return tmp_path


def test_record_writes_the_notebook_file_and_needs_notes_where_required(reproduction, monkeypatch):
    monkeypatch.setenv("CART_HSCT_NOTEBOOK", "part/page")
    rec = ledger.record("chen2021.os_1y.cart_hsct", 70.0, ci=(33.0, 90.2))
    assert rec["status"] == "exact"
    ledger.flush()
    body = json.loads((reproduction / "part__page.json").read_text())
    assert (
        body["notebook"] == "part/page" and body["records"][0]["id"] == "chen2021.os_1y.cart_hsct"
    )
    with pytest.raises(ValueError, match="needs a note"):
        ledger.record("chen2021.os_1y.cart1", 36.4, contradicted=True)
    with pytest.warns(UserWarning, match="no explanation"):
        ledger.record("chen2021.os_1y.cart2", 10.0)
    with pytest.raises(ValueError, match="must say what is missing"):
        ledger.not_reproducible("chen2021.os_1y.cart2", "")


def test_scorecard_lists_every_id_and_rejects_double_homes(reproduction):
    (reproduction / "a.json").write_text(
        json.dumps(
            {
                "notebook": "a",
                "records": [
                    {
                        "id": "chen2021.n.total",
                        "paper": "chen2021",
                        "status": "exact",
                        "contradicted": False,
                        "value": 28,
                        "ci": None,
                        "p": None,
                        "range": None,
                        "explanation": "",
                        "comparison": "",
                        "notebook": "a",
                        "source": "text",
                    }
                ],
            }
        )
    )
    rows = ledger.build_scorecard(reproduction)
    assert len(rows) == 484 and {r["id"] for r in rows} == set(ledger.load())
    assert sum(r["status"] == "pending" for r in rows) == 483
    first = ledger.write_scorecard(reproduction).read_bytes()
    assert ledger.write_scorecard(reproduction).read_bytes() == first
    shutil.copy(reproduction / "a.json", reproduction / "b.json")
    with pytest.raises(ledger.LedgerError, match="one home notebook"):
        ledger.build_scorecard(reproduction)


def test_counts_entries_have_no_tolerance():
    """A percentage computed exactly from stated counts either rounds to the print or not."""
    e = ledger.entry("chen2021.mrd_neg_rate.first_infusion")  # printed 74.7, 20/27 = 74.07
    assert e.reproducible_from == "counts"
    assert ledger.compare(e, 100 * 20 / 27)[0] == "discrepant"
    assert ledger.compare(e, 74.7)[0] == "exact"


def test_an_uncomputed_ci_caps_a_counts_entry_at_close_not_discrepant():
    e = ledger.entry("chen2021.os_1y.cart_hsct")  # 70.0 (33.0-90.2), a counts entry
    assert ledger.compare(e, 70.0)[0] == "close"
    assert ledger.compare(e, 70.0, ci=(32.87, 89.19))[0] == "discrepant"


def test_undefined_ci_bound_is_shown_as_na(reproduction):
    ledger.record("chen2021.os_3y.cart_hsct", 58.3, ci=(float("nan"), 90.0))
    row = ledger.table().iloc[0]
    assert "NA-90" in row["reproduced"]


def test_hazard_ratio_bounds_get_twice_the_estimates_tolerance():
    e = _entry(unit="HR", value=0.139, quote="0.139 (0.031-0.619)", ci=(0.031, 0.619))
    assert ledger.compare(e, 0.1437, ci=(0.0367, 0.563))[0] == "close"  # bounds -18 %, -9 %
    assert ledger.compare(e, 0.1437, ci=(0.0380, 0.563))[0] == "discrepant"  # +23 %


def test_p_band_on_the_odds_scale_matches_the_old_factor_for_small_p():
    """For p near 0 the odds are p itself: the old rule's verdicts stand there."""
    from cart_hsct.ledger.tolerance import p_close

    for printed in (0.001, 0.004, 0.012, 0.03):
        assert p_close(printed * 1.45, printed) and p_close(printed / 1.45, printed)
        assert not p_close(printed * 1.6, printed) and not p_close(printed / 1.6, printed)
    assert not p_close(0.04, 0.06)  # the other side of 0.05 is never close


def test_records_are_written_by_flush_and_at_exit_as_plain_json(reproduction, monkeypatch):
    monkeypatch.setenv("CART_HSCT_NOTEBOOK", "part/page")
    ledger.record("chen2021.os_1y.cart_hsct", 70.0, ci=(33.0, 90.2), note="x" * 500)
    ledger.record("chen2021.os_1y.cart_hsct", 70.0, ci=(33.0, 90.2))
    ledger.flush()
    text = (reproduction / "part__page.json").read_text()
    body = json.loads(text)
    assert text == json.dumps(body, indent=1, sort_keys=True) + "\n"
    assert [r["explanation"] for r in body["records"]] == [""]
    assert body["records"][0]["source"] == "counts"  # a counts entry, by default


def test_records_reach_the_file_when_a_script_exits(tmp_path):
    import subprocess
    import sys

    code = "from cart_hsct import ledger\nledger.record('chen2021.n.total', 28, source='text')\n"
    env = {
        **__import__("os").environ,
        "CART_HSCT_REPRODUCTION": str(tmp_path),
        "CART_HSCT_NOTEBOOK": "part/script",
    }
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    body = json.loads((tmp_path / "part__script.json").read_text())
    assert [(r["id"], r["source"]) for r in body["records"]] == [("chen2021.n.total", "text")]


def test_source_defaults_from_the_ledger_and_rejects_unknown_kinds(reproduction):
    assert ledger.record("chen2021.os_1y.cart_hsct", 70.0)["source"] == "counts"
    ipd = next(
        e.id
        for e in ledger.load("cao2023").values()
        if e.reproducible_from == "ipd" and e.unit == "percent"
    )
    assert ledger.record(ipd, 50.0, note="test")["source"] == "pseudo_patients"
    with pytest.raises(ValueError, match="source must be one of"):
        ledger.record(ipd, 50.0, source="guess")


def _rec(eid, status="exact", source="pseudo_patients", contradicted=False):
    return {
        "id": eid,
        "paper": eid.split(".")[0],
        "status": status,
        "contradicted": contradicted,
        "value": 1.0,
        "ci": None,
        "p": None,
        "range": None,
        "explanation": "",
        "comparison": "",
        "notebook": "part/page",
        "source": source,
    }


def test_scorecard_rows_carry_source_fitted_kind_and_anchor(reproduction):
    fitted = sorted(ledger.fitted_ids())
    spec = __import__("cart_hsct.reconstruct", fromlist=["load_spec"]).load_spec("chen2021")
    targets = {i for t in spec.targets for i in t.ids}
    assert fitted and set(fitted) <= set(ledger.load())
    assert spec.unfitted.isdisjoint(fitted)  # infeasible targets the solver ignores: not fitted
    chen_fit = next(i for i in fitted if i.startswith("chen2021.") and i in targets)
    chen_free = next(
        e.id
        for e in ledger.load("chen2021").values()
        if e.id not in fitted and e.reproducible_from == "ipd"
    )
    recs = [
        _rec(chen_fit),
        _rec(chen_free, status="close"),
        _rec("chen2021.n.total", source="text"),
        _rec("chen2021.mrd_neg_rate.first_infusion", status="discrepant", source="counts"),
        _rec("chen2021.os_1y.cart2", status="discrepant", source="counts", contradicted=True),
    ]
    (reproduction / "part__page.json").write_text(
        json.dumps({"notebook": "part/page", "records": recs})
    )
    rows = {r["id"]: r for r in ledger.build_scorecard(reproduction)}
    assert rows[chen_fit]["fitted"] and rows[chen_fit]["kind"] == "fitted"
    assert rows[chen_free]["kind"] == "independent" and not rows[chen_free]["fitted"]
    assert rows["chen2021.n.total"]["kind"] == "text"
    assert rows[chen_fit]["anchor"] == f"record-{chen_fit}"
    pending = next(r for r in rows.values() if r["status"] == "pending")
    assert pending["kind"] is None and pending["anchor"] is None
    ev = ledger.evidence(list(rows.values())).set_index(["paper", "kind"])
    indep = ev.loc[("chen2021", "independent")]
    # the counts discrepancy counts against; the contradicted one is left out of the share
    assert (indep.entries, indep["exact or close"], indep.contradicted) == (3, 1, 1)
    assert indep.percent == 50.0
    assert ev.loc[("chen2021", "text")].entries == 1  # a cross-check, kept apart
    assert ev.loc[("chen2021", "fitted")]["exact or close"] == 1


def test_a_record_without_a_source_is_refused(reproduction):
    rec = _rec("chen2021.n.total")
    del rec["source"]
    (reproduction / "part__page.json").write_text(
        json.dumps({"notebook": "part/page", "records": [rec]})
    )
    with pytest.raises(ledger.LedgerError, match="no 'source'"):
        ledger.build_scorecard(reproduction)


def test_one_formatter_of_reproduced_values():
    assert ledger.format_reproduced(12.3456, (1.0, None), p=0.01234) == "12.35 (1-NA); p=0.0123"
    assert ledger.format_reproduced(None) == "not reached"
    assert ledger.format_reproduced(3.0, range=(1, 9)) == "3 [range 1-9]"


def test_evidence_of_a_scorecard_with_no_record_has_no_rows_and_every_column():
    """A rerun of the scorecard page before any build reads a scorecard of pending ids."""
    rows = [{"paper": "x", "kind": None, "status": "pending", "contradicted": False}]
    ev = ledger.evidence(rows)
    assert ev.empty and {"paper", "kind", "entries", "percent"} <= set(ev.columns)


def test_a_number_not_reproducible_says_where_it_would_come_from_and_is_no_evidence(reproduction):
    rec = ledger.not_reproducible("chen2021.os_1y.cart2", "the curve is not printed")
    assert rec["source"] == "counts"  # the ledger says it follows from printed counts
    row = {"source": rec["source"], "status": rec["status"], "fitted": True}
    assert ledger.scorecard.kind(row) is None
