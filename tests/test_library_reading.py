"""Direct tests of the reading side of the library: query, timeline, views, formats, escape,
delta, positions, briefing, typed, model. Plain function calls on small data, no CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tradedemands import (
    briefing,
    delta,
    escape,
    exporting,
    formats,
    model,
    positions,
    query,
    results,
    timeline,
    typed,
    views,
)
from tradedemands.errors import OPTION, DemandsError, Problem, UsageError

DATA: Any = {
    "title": "Talks",
    "parties": {
        "us": {"name": "United States", "aliases": ["usa"]},
        "cn": {"name": "China", "aliases": ["prc"]},
    },
    "rounds": [{"id": "r1", "date": "2018-05-03", "end": "2018-05-04", "place": "Beijing"}],
    "demands": [
        {
            "id": "US-1",
            "party": "us",
            "of": "cn",
            "title": "Cut the surplus",
            "topic": "trade",
            "tags": ["surplus"],
            "priority": "high",
            "status": "rejected",
            "target": {
                "amount": 200,
                "unit": "USD",
                "by": "2020-06-01",
                "progress": [{"date": "2019-01-01", "amount": 30}],
            },
            "links": [{"rel": "conflicts-with", "id": "CN-1"}],
            "history": [
                {"date": "2018-05-03", "status": "open", "round": "r1", "note": "Tabled"},
                {"date": "2018-05-04", "status": "rejected", "note": "No"},
            ],
        },
        {
            "id": "US-10",
            "party": "us",
            "title": "Meet quarterly",
            "status": "open",
            "due": "2018-06-01",
            "history": [{"date": "2018-05-04", "status": "open"}],
        },
        {
            "id": "CN-1",
            "party": "cn",
            "kind": "red-line",
            "title": "No surplus figure",
            "topic": "trade",
            "status": "open",
            "history": [{"date": "2018-05-03", "status": "open", "note": "Said so"}],
        },
        {"id": "US-2", "party": "us", "kind": "concession", "title": "Undated", "status": "open"},
    ],
}
VOCAB = model.vocabulary(DATA)


def items(*ids: str) -> list[Any]:
    by_id = {i["id"]: i for i in DATA["demands"]}
    return [by_id[i] for i in ids]


# --- model -----------------------------------------------------------------------------------


def test_model_answers_the_small_questions() -> None:
    us_1, us_10, cn_1, us_2 = items("US-1", "US-10", "CN-1", "US-2")
    assert [model.kind_of(i) for i in (us_1, cn_1, us_2)] == ["demand", "red-line", "concession"]
    assert model.links_both_ways(DATA, cn_1) == [{"rel": "conflicts-with", "id": "US-1"}]
    assert model.links_both_ways(DATA, us_1) == [{"rel": "conflicts-with", "id": "CN-1"}]
    by_id = {i["id"].lower(): i for i in DATA["demands"]}
    assert [(a["id"], b["id"]) for a, b in model.conflict_pairs(DATA["demands"], by_id)] == [("US-1", "CN-1")]
    assert model.target_progress(us_1["target"]) == (30, 15.0)
    assert model.target_percent({"amount": 100, "baseline": 50}, 75) == 50.0
    assert model.target_percent({"unit": "USD"}, 75) is None  # type: ignore[typeddict-item]
    assert sorted(["US-10", "us-2", "US-1"], key=model.natural_key) == ["US-1", "us-2", "US-10"]
    assert model.fold("Côte D’Ivoire") == model.fold("côte d'ivoire") and us_10["due"] == "2018-06-01"
    assert model.fields_of(model.Link) == ("rel", "id") and model.required_of(model.Target) == ("amount",)


# --- timeline --------------------------------------------------------------------------------


def test_history_lists_entries_with_the_status_before_each() -> None:
    found = timeline.history(DATA, since="2018-05-04")
    assert [(e.item["id"], e.entry["date"], e.previous, e.position) for e in found] == [
        ("US-1", "2018-05-04", "open", (0, 1)),
        ("US-10", "2018-05-04", None, (1, 0)),
    ]
    assert [e.item["id"] for e in timeline.history(DATA, parties={"cn"})] == ["CN-1"]
    assert [e.entry["date"] for e in timeline.history(DATA, round_id="r1")] == ["2018-05-03"]
    assert [e.entry["note"] for e in timeline.history(DATA, until="2018-05-03", parties={"us"})] == ["Tabled"]


def test_the_state_on_a_date_is_rebuilt_from_history() -> None:
    state, undated = timeline.as_of_state(DATA, "2018-05-03")
    assert undated == ["US-2"]
    assert {i["id"]: i["status"] for i in state["demands"]} == {"US-1": "open", "CN-1": "open"}
    assert timeline.place_by_date([{"date": "2018-01-01"}, {"date": "2018-03-01"}], "2018-02-01") == 1
    assert timeline.status_in_effect(items("US-1")[0], "2018-05-03") == "open"
    assert timeline.entries_added([1, 2], [0, 1, 3, 2]) == [0, 2] and timeline.entries_added([1, 2], [2]) is None


# --- query -----------------------------------------------------------------------------------


def test_filters_combine_and_sort_naturally() -> None:
    found = query.select(DATA, VOCAB, query.Filters(parties=["USA"], only_open=True))
    assert [i["id"] for i in found] == ["US-10", "US-2"]
    assert [i["id"] for i in query.sort_items(found, "id", VOCAB)] == ["US-2", "US-10"]
    assert [i["id"] for i in query.select(DATA, VOCAB, query.Filters(kinds=["red-line"], topics=["TRADE"]))] == ["CN-1"]
    overdue = query.Filters(overdue=True, today="2019-01-01")
    assert [i["id"] for i in query.select(DATA, VOCAB, overdue)] == ["US-10"]
    assert [i["id"] for i in query.select(DATA, VOCAB, query.Filters(search="SAID"))] == ["CN-1"]
    assert [i["id"] for i in query.sort_items(DATA["demands"], "kind", VOCAB)] == ["US-2", "US-1", "US-10", "CN-1"]


def test_query_errors_list_what_there_is() -> None:
    with pytest.raises(UsageError, match=r"^unknown party 'eu'; known parties: us \(United States\), cn \(China\)$"):
        query.resolve_party(DATA, "eu")
    with pytest.raises(UsageError, match=r"^cannot sort by 'prio' \(did you mean 'priority'\?\)"):
        query.sort_items([], "prio", VOCAB)
    assert query.round_start(DATA, "R1") == ("r1", "2018-05-03")
    assert query.deadline(items("US-1")[0]) == "2020-06-01"


# --- views -----------------------------------------------------------------------------------


def test_an_item_list_gives_json_rows_csv_ids_and_says_when_empty() -> None:
    result = views.ItemList(items("US-1", "CN-1"), VOCAB)
    assert result.as_json() == items("US-1", "CN-1")
    assert result.rows().columns == views.LIST_COLUMNS
    assert result.rows().rows[0][:5] == ["US-1", "us", "cn", "demand", "rejected"]
    assert result.table_rows().rows[0][1] == "us→cn"
    assert result.serialise("ids") == "US-1\nCN-1\n"
    assert json.loads(result.serialise("json")) == items("US-1", "CN-1")
    assert result.serialise("csv").splitlines()[0].startswith("id,party,of,kind,title,")
    assert result.empty_note() is None and views.ItemList([], VOCAB).empty_note() == "no items match"
    assert views.ItemList([], VOCAB).serialise("ids") == ""
    with pytest.raises(ValueError, match="no bogus form of ItemList"):
        result.serialise("bogus")


def test_an_item_view_is_built_once_with_links_both_ways_and_target_progress() -> None:
    view = views.ItemView.of_item(DATA, items("CN-1")[0])
    assert (view.party, view.of, view.target) == ("cn (China)", "", "")
    assert view.links == [("conflicts-with", "US-1", "Cut the surplus")]
    us_1 = views.ItemView.of_item(DATA, items("US-1")[0])
    assert (us_1.target, us_1.latest, us_1.percent) == ("200 USD by 2020-06-01", 30, 15.0)
    assert ["target", "200 USD by 2020-06-01; latest 30 = 15%"] in us_1.rows()
    assert ["history 2018-05-03", "→ open (r1) Tabled"] in us_1.rows()
    assert us_1.record()["target_progress"] == {"latest": 30, "percent": 15.0}
    details = views.ItemDetails([view], VOCAB)
    assert details.rows().columns == ["id", "field", "value"] and details.rows().rows[0] == ["CN-1", "id", "CN-1"]


def test_a_summary_computes_its_totals_once() -> None:
    result = views.summary(DATA, VOCAB)
    assert [(p["party"], p["counts"], p["total"], p["closed"]) for p in result.parties] == [
        ("us", {"open": 2, "rejected": 1}, 3, 1),
        ("cn", {"open": 1}, 1, 0),
    ]
    assert result.totals["counts"]["open"] == 3 and (result.totals["total"], result.totals["closed"]) == (4, 1)
    assert result.rows().rows[-1][0] == "all" and result.rows().rows[-1][-2:] == ["4", "1"]
    assert result.as_json()["total"] == 4


@pytest.mark.parametrize(
    ("done", "total", "width", "cells"),
    [
        (7, 10, 10, "███████░░░"),
        (0, 0, 4, "░░░░"),
        (150, 100, 4, "████"),
        (-5, 100, 4, "░░░░"),
        (14.6, 100, 10, "█░░░░░░░░░"),
    ],
)
def test_one_bar(done: float, total: float, width: int, cells: str) -> None:
    assert views.bar(done, total, width) == cells


def test_a_validation_report_stops_its_text_at_a_file_it_could_not_read() -> None:
    report = results.ValidationReport(
        [
            results.FileReport("a.yaml", 3),
            results.FileReport("b.yaml", problems=[Problem("b.yaml", 2, 5, "bad")]),
            results.FileReport("c.yaml", error=DemandsError("c.yaml: no such file")),
        ]
    )
    lines = report.lines()
    assert (next(lines), next(lines)) == ("a.yaml: valid (3 items)", "b.yaml:2:5: bad")
    with pytest.raises(DemandsError, match=r"^c\.yaml: no such file$"):
        next(lines)
    assert report.as_json()[2] == {
        "file": "c.yaml",
        "valid": False,
        "problems": [{"line": None, "column": None, "message": "c.yaml: no such file"}],
    }
    assert not report.valid and results.ValidationReport([results.FileReport("a.yaml", 3)]).valid


def test_log_records_are_newest_first() -> None:
    records = views.log_records(DATA, limit=2)
    assert records == [
        {"id": "US-10", "date": "2018-05-04", "status": "open"},
        {"id": "US-1", "date": "2018-05-04", "status": "rejected", "note": "No"},
    ]
    assert views.Log([], VOCAB).empty_note() == "no history entries match"


def test_an_export_is_every_field_and_a_markdown_document() -> None:
    result = exporting.ExportDocument(DATA, Path("x.yaml"))
    assert result.as_json() is DATA
    assert result.markdown().startswith("# Talks\n\n## Parties\n\n| id | name | aliases | lead |\n")
    assert "## Rounds" in result.markdown() and result.csv_rows().columns[:2] == ["id", "party"]


# --- formats and escape ----------------------------------------------------------------------


def test_json_is_one_item_a_line_and_never_nan() -> None:
    assert formats.to_json([{"a": 1}, {"b": [1, 2]}]) == '[\n  {"a": 1},\n  {"b": [1, 2]}\n]'
    assert formats.to_json({"x": float("nan"), "y": "\u202e"}) == '{\n  "x": null,\n  "y": "\\u202e"\n}'
    assert formats.to_yaml({"a": float("inf"), "b": "x\u2066"}) == 'a: null\nb: "x\\u2066"\n'


def test_csv_and_markdown_keep_text_as_data() -> None:
    rows = formats.Rows(["id", "note"], [["=1+1", "a|b\nc"], ["-12.5", "[x]"]])
    assert formats.to_csv(rows) == 'id,note\n\'=1+1,"a|b\nc"\n-12.5,[x]\n'
    assert formats.to_markdown(rows) == "| id | note |\n|---|---|\n| \\=1+1 | a\\|b c |\n| \\-12.5 | \\[x\\] |\n"
    assert formats.number(2e11) == "200,000,000,000" and formats.number(float("inf")) == ""
    assert formats.join(["a", 1], ";") == "a;1" and formats.join(None) == ""


def test_escape_makes_controls_visible_and_keeps_messages_short() -> None:
    assert escape.visible("a\x1b[31mb\x00") == "a␛[31mb␀"
    assert escape.clip("x" * 205) == "x" * 200 + "… (5 more characters)"
    assert escape.quoted("a" * 201) == repr("a" * 200) + "… (1 more characters)"
    assert escape.md("*bold* <b> # 1. x") == "\\*bold\\* \\<b\\> \\# 1. x"
    assert escape.md("- item") == "\\- item" and escape.one_line("a\nb\tc") == "a b c"


# --- delta -----------------------------------------------------------------------------------


def test_a_diff_puts_status_transitions_first_and_history_as_entries_added() -> None:
    old: Any = {
        "parties": {},
        "demands": [dict(items("US-1")[0], status="open", history=items("US-1")[0]["history"][:1])],
    }
    new: Any = {"parties": {}, "demands": [items("US-1")[0], items("CN-1")[0]]}
    result = delta.diff_data(old, new, "before", "after")
    [change] = result.changed
    assert (change.id, change.direction) == ("US-1", "closing")
    assert [c["field"] for c in change.changes] == ["status", "history"]
    assert change.changes[1]["new"] == [items("US-1")[0]["history"][1]]
    assert [i["id"] for i in result.added] == ["CN-1"] and bool(result)
    assert result.markdown().splitlines()[0] == "## Changes: before → after"
    assert "| US-1 | Cut the surplus | status | open | rejected (toward closure) |" in result.markdown()
    assert (
        not delta.diff_data(new, new, "a", "b") and "No differences." in delta.diff_data(new, new, "a", "b").markdown()
    )
    assert delta.describe_value([{"a": 1}, {"a": None}]) == "a: 1; a: null"


# --- positions and briefing ------------------------------------------------------------------


def test_compare_sets_two_parties_side_by_side_per_topic() -> None:
    result = positions.compare(DATA, "us", "cn")
    trade = next(t for t in result.topics if t["topic"] == "trade")
    assert [e["id"] for e in trade["us"]["asks"]] == ["US-1"] and [e["id"] for e in trade["cn"]["refuses"]] == ["CN-1"]
    assert trade["conflicts"] == [["CN-1", "US-1"]]
    assert [t["topic"] for t in result.topics] == ["(no topic)", "trade"]
    assert result.as_json()["a"] == "us" and result.markdown().startswith("# us and cn: positions by topic\n")
    assert [t["topic"] for t in positions.compare(DATA, "us", "cn", topics={"TRADE"}).topics] == ["trade"]


def test_the_brief_leads_with_the_state_of_play_and_lists_changes_since_the_last_round() -> None:
    text = briefing.compose(DATA, today="2019-01-01")
    assert text.startswith(
        "# Talks\n\n*As of 2019-01-01.*\n\n## State of play\n\n- **Last round:** r1, 2018-05-03 to 2018-05-04, Beijing.\n"
    )
    assert "- **Positions:** 4 positions: 3 open; 1 closed.\n" in text
    assert "## Changes since the last round (r1, 2018-05-03)" in text
    # Tabled items are one line per round (or day), in date order; changes are rows.
    assert (
        "- 1 position tabled at r1: US-1.\n- 1 position tabled on 2018-05-03: CN-1.\n"
        "- 1 position tabled on 2018-05-04: US-10.\n"
    ) in text
    assert "| 2018-05-04 | US-1 Cut the surplus | open → rejected | No |" in text
    assert "| US-1 Cut the surplus (rejected) | CN-1 No surplus figure (open) |" in text
    assert "- **US-10** Meet quarterly: **overdue** since 2018-06-01 (open).\n" in text
    assert "- **US-1** Cut the surplus: due 2020-06-01; target 200 USD, ██░░░░░░░░ 15% (30) (rejected).\n" in text
    assert text.endswith("## Sources\n\nNo source: US-1, US-2, US-10, CN-1.\n")


# --- typed values and errors -----------------------------------------------------------------


def test_typed_dates_and_amounts() -> None:
    assert typed.date("2018-05-03") == "2018-05-03" and typed.date("TODAY") == date.today().isoformat()
    assert typed.date("yesterday") == (date.today() - timedelta(days=1)).isoformat()
    with pytest.raises(UsageError) as caught:
        typed.date("2018-02-30", "due")
    assert str(caught.value).startswith("bad date '2018-02-30' for due: use YYYY-MM-DD")
    assert caught.value.worded("--due").startswith("bad date '2018-02-30' for --due:")
    assert typed.amount("2e11") == 200000000000 and typed.amount(" -12.5 ") == -12.5
    with pytest.raises(UsageError, match=r"^amount must be a plain number like 200000000000, not 'ten'$"):
        typed.amount("ten")
    with pytest.raises(UsageError, match=r"^AMOUNT: 1e18 is out of range"):
        typed.amount("1e18", "progress_amount", "AMOUNT")


def test_an_error_names_its_argument_in_library_terms_and_lets_a_front_end_rename_it() -> None:
    err = UsageError(f"{OPTION} must not be empty", option="title")
    assert (str(err), err.worded("--title"), err.exit_code) == (
        "title must not be empty",
        "--title must not be empty",
        2,
    )
    said = DemandsError(f"pass {OPTION}", option="force", said="force=True", item="US-1")
    assert (str(said), said.item) == ("pass force=True", "US-1")
    assert str(DemandsError("plain {option} text")) == "plain {option} text"
