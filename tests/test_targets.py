"""Numeric targets (`target`, `progress`) as shown by show, summary and the brief; `compare`."""

from __future__ import annotations

import difflib
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from test_brief import check_markdown, tables

US4_TARGET_LINE = "    target: {amount: 100, unit: incidents, by: 2019-01-01, metric: intrusions stopped, baseline: 10}"


def changed_lines(before: str, after: str) -> list[str]:
    """The lines removed (``-``) and added (``+``) between two texts."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def set_us4_target(run) -> None:
    r = run(
        "target", "US-4", "--amount", "100", "--unit", "incidents", "--by", "2019-01-01",
        "--metric", "intrusions stopped", "--baseline", "10",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (r.stdout, r.stderr) == ("", "US-4: target set\n"), r.output


def show_json(run, item_id: str, *args: str) -> dict:
    r = run("show", item_id, *args, "--format", "json")
    assert r.exit_code == 0, r.output
    (record,) = json.loads(r.stdout)
    return record


# --- target -----------------------------------------------------------------------------------


def test_target_sets_every_field_and_touches_only_that_line(run, data_file: Path) -> None:
    before = data_file.read_text(encoding="utf-8")
    set_us4_target(run)
    after = data_file.read_text(encoding="utf-8")
    assert changed_lines(before, after) == ["+" + US4_TARGET_LINE]
    record = show_json(run, "US-4")
    assert record["target"] == {
        "amount": 100,
        "unit": "incidents",
        "by": "2019-01-01",
        "metric": "intrusions stopped",
        "baseline": 10,
    }
    assert record["target_progress"] == {"latest": None, "percent": None}
    r = run("validate")
    assert r.exit_code == 0, r.output


def test_target_again_is_unchanged(run, data_file: Path) -> None:
    set_us4_target(run)
    before = data_file.read_bytes()
    r = run(
        "target", "US-4", "--amount", "100", "--unit", "incidents", "--by", "2019-01-01",
        "--metric", "intrusions stopped", "--baseline", "10",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stderr == "US-4: target unchanged\n", r.output
    assert data_file.read_bytes() == before


def test_target_keeps_measurements(run) -> None:
    r = run("progress", "US-1", "50000000000", "--date", "2019-06-01")
    assert r.exit_code == 0, r.output
    r = run("target", "us-1", "--amount", "100000000000", "--unit", "USD", "--by", "2019-06-01")
    assert r.exit_code == 0, r.output
    target = show_json(run, "US-1")["target"]
    assert target == {
        "amount": 100000000000,
        "unit": "USD",
        "by": "2019-06-01",
        # Options left out keep their values, like `edit`.
        "metric": "reduction of the US trade deficit with China (China's bilateral surplus)",
        "progress": [{"date": "2019-06-01", "amount": 50000000000}],
    }
    assert show_json(run, "US-1")["target_progress"] == {"latest": 50000000000, "percent": 50.0}


def test_target_errors(run, data_file: Path) -> None:
    before = data_file.read_bytes()
    r = run("target", "US-4", "--amount", "nan")
    assert (r.exit_code, r.stderr) == (2, "demands: --amount must be a finite number\n"), r.output
    r = run("target", "US-4", "--amount", "inf")
    assert (r.exit_code, r.stderr) == (2, "demands: --amount must be a finite number\n"), r.output
    r = run("target", "US-4", "--amount", "5", "--baseline", "nan")
    assert (r.exit_code, r.stderr) == (2, "demands: --baseline must be a finite number\n"), r.output
    r = run("target", "US-4", "--amount", "lots")
    assert r.exit_code == 2, r.output
    r = run("target", "US-4", "--unit", "USD")
    assert r.exit_code == 2, r.output
    assert "--amount" in r.stderr
    r = run("target", "US-4", "--amount", "5", "--by", "2019-02-30")
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("demands: bad date '2019-02-30' for --by"), r.output
    r = run("target", "US-44", "--amount", "5")
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith("demands: no item with id 'US-44'"), r.output
    assert data_file.read_bytes() == before


# --- progress ---------------------------------------------------------------------------------


def test_progress_appends_dated_measurements_and_keeps_comments(run, data_file: Path) -> None:
    before = data_file.read_text(encoding="utf-8")
    r = run("progress", "US-1", "40000000000", "--date", "2019-06-01", "--note", "first year", "--source", "USTR")
    assert r.exit_code == 0, r.output
    assert r.stderr == "US-1: 40,000,000,000 recorded, 20% of target\n", r.output
    r = run("progress", "US-1", "1.5e11", "--date", "2020-05-31")
    assert r.exit_code == 0, r.output
    assert r.stderr == "US-1: 150,000,000,000 recorded, 75% of target\n", r.output
    after = data_file.read_text(encoding="utf-8")
    # Every comment stays, and only the target line of US-1 changed.
    assert [line for line in before.splitlines() if line.lstrip().startswith("#")] == [
        line for line in after.splitlines() if line.lstrip().startswith("#")
    ]
    changes = changed_lines(before, after)
    assert len(changes) == 2 and changes[0].startswith("-    target: {amount: 200000000000"), changes
    assert changes[1].startswith("+    target: {amount: 200000000000"), changes
    record = show_json(run, "US-1")
    assert record["target"]["progress"] == [
        {"date": "2019-06-01", "amount": 40000000000, "note": "first year", "source": "USTR"},
        {"date": "2020-05-31", "amount": 150000000000},
    ]
    assert record["target_progress"] == {"latest": 150000000000, "percent": 75.0}
    r = run("validate")
    assert r.exit_code == 0, r.output


def test_progress_default_date_is_today(run) -> None:
    set_us4_target(run)
    r = run("progress", "US-4", "55")
    assert r.exit_code == 0, r.output
    assert r.stderr == "US-4: 55 recorded, 50% of target\n", r.output
    assert show_json(run, "US-4")["target"]["progress"] == [{"date": date.today().isoformat(), "amount": 55}]


def test_progress_percent_uses_the_latest_date_and_the_baseline(run) -> None:
    set_us4_target(run)
    for amount, when in (("82", "2018-12-01"), ("28", "2018-09-01")):
        assert run("progress", "US-4", amount, "--date", when).exit_code == 0
    # 82 on the latest date, from a baseline of 10 toward 100: 80%.
    assert show_json(run, "US-4")["target_progress"] == {"latest": 82, "percent": 80.0}
    # As it stood on 2018-10-01: only the 28 (20%).
    assert show_json(run, "US-4", "--as-of", "2018-10-01")["target_progress"] == {"latest": 28, "percent": 20.0}


def test_progress_shown_in_show_summary_and_brief(run) -> None:
    set_us4_target(run)
    assert run("progress", "US-4", "55", "--date", "2018-09-01").exit_code == 0

    r = run("show", "US-4")
    assert r.exit_code == 0, r.output
    progress_line = next(line for line in r.stdout.splitlines() if "progress" in line)
    assert "55" in progress_line and "50%" in progress_line and "█" in progress_line, r.stdout
    assert "100 incidents (intrusions stopped) by 2019-01-01" in r.stdout

    r = run("summary")
    assert r.exit_code == 0, r.output
    line = next(line for line in r.stdout.splitlines() if "US-4" in line)
    assert "50% of 100 incidents" in line and "█" in line, r.stdout
    r = run("summary", "--format", "json")
    targets = {t["id"]: t for p in json.loads(r.stdout)["parties"] for t in p["targets"]}
    assert targets["US-4"] == {"id": "US-4", "amount": 100, "unit": "incidents", "latest": 55, "percent": 50.0}
    assert targets["US-1"]["percent"] is None

    assert run("mark", "US-1", "withdrawn", "--date", "2018-06-01").exit_code == 0
    r = run("brief")
    assert r.exit_code == 0, r.output
    steps = next_steps(r.stdout)
    assert steps["US-4"] == (
        "US-4 Halt cyberespionage into US commercial networks: overdue since 2019-01-01; "
        "target 100 incidents, █████░░░░░ 50% (55) (open)."
    )
    # US-1 is past its date too, but withdrawn: closed items are not overdue.
    assert steps["US-1"].startswith("US-1 Cut the trade surplus by $200 billion in two years: due 2020-06-01; ")
    assert list(steps) == ["united-states-2018-06", "US-4", "US-1"]  # rounds, then earliest deadline first


def test_brief_target_before_the_deadline_and_before_any_measurement(run) -> None:
    set_us4_target(run)
    assert run("progress", "US-4", "120", "--date", "2018-12-01").exit_code == 0
    r = run("brief", "--as-of", "2018-06-01")
    assert r.exit_code == 0, r.output
    assert next_steps(r.stdout)["US-4"].endswith(": due 2019-01-01; target 100 incidents, no measurement yet (open).")
    r = run("brief", "--as-of", "2018-12-31")
    # Beyond the target: the bar is full, the percent says how far.
    assert next_steps(r.stdout)["US-4"].endswith(
        ": due 2019-01-01; target 100 incidents, ██████████ 122% (120) (open)."
    )


def test_overdue_only_when_the_date_is_past_and_the_item_open(run) -> None:
    future = (date.today() + timedelta(days=30)).isoformat()
    assert run("target", "US-5", "--amount", "3", "--by", future).exit_code == 0
    assert run("target", "US-6", "--amount", "3", "--by", "2019-01-01").exit_code == 0
    assert run("target", "US-7", "--amount", "3", "--by", "2019-01-01").exit_code == 0
    assert run("mark", "US-7", "met", "--date", "2018-12-01").exit_code == 0
    r = run("brief")
    steps = next_steps(r.stdout)
    assert f": due {future}; target 3" in steps["US-5"]
    assert ": overdue since 2019-01-01; target 3" in steps["US-6"]
    assert steps["US-7"].endswith(": due 2019-01-01; target 3, no measurement yet (met).")


def test_progress_without_target(run, data_file: Path) -> None:
    before = data_file.read_bytes()
    r = run("progress", "US-3", "5")
    assert r.exit_code == 1, r.output
    assert r.stdout == ""
    assert r.stderr == "demands: US-3 has no target; set one with 'demands target US-3 --amount N'\n", r.output
    assert data_file.read_bytes() == before


def test_progress_errors(run, data_file: Path) -> None:
    before = data_file.read_bytes()
    r = run("progress", "US-1", "5", "--date", "2019-13-01")
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("demands: bad date '2019-13-01' for --date"), r.output
    r = run("progress", "US-1", "five")
    assert r.exit_code == 2, r.output
    r = run("progress", "US-1")
    assert r.exit_code == 2, r.output
    r = run("progress", "XX-1", "5")
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith("demands: no item with id 'XX-1'"), r.output
    for bad in ("nan", "inf", "-inf"):
        r = run("progress", "US-1", "--", bad)
        assert (r.exit_code, r.stderr) == (2, "demands: AMOUNT must be a finite number\n"), r.output
    assert data_file.read_bytes() == before


def test_progress_through_installed_script(workspace: Path) -> None:
    from conftest import demands_cmd

    r = demands_cmd("progress", "US-1", "20000000000", "--date", "2019-01-01", cwd=workspace)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "US-1: 20,000,000,000 recorded, 10% of target\n"


def next_steps(text: str) -> dict[str, str]:
    """The brief's next steps as a reader sees them, by the id they begin with (the round's id
    for a planned round)."""
    from test_brief_reading import list_items, section

    lines = list_items(section(check_markdown(text), "Next steps"))
    return {(line.split()[2].rstrip(":") if line.split()[1] == "round" else line.split()[0]): line for line in lines}


# --- compare ----------------------------------------------------------------------------------


def compare_json(run, *args: str) -> dict:
    r = run("compare", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_compare_json(run) -> None:
    result = compare_json(run, "us", "cn")
    assert (result["a"], result["b"]) == ("us", "cn")
    topics = {t["topic"]: t for t in result["topics"]}
    assert list(topics) == sorted(topics)
    assert set(topics) == {
        "cyberespionage", "export-controls", "intellectual-property", "investment-restrictions",
        "made-in-china-2025", "market-access", "review-mechanism", "trade-balance", "trade-barriers",
        "trade-relations",
    }  # fmt: skip
    assert topics["trade-balance"] == {
        "topic": "trade-balance",
        "us": {
            "asks": [
                {
                    "id": "US-1",
                    "title": "Cut the trade surplus by $200 billion in two years",
                    "status": "contested",
                    "kind": "demand",
                }
            ],
            "offers": [],
            "refuses": [],
        },
        "cn": {
            "asks": [],
            "offers": [],
            "refuses": [
                {"id": "CN-5", "title": "No specific surplus-cut figure", "status": "open", "kind": "red-line"}
            ],
        },
        "agreed": [],
        "conflicts": [["CN-5", "US-1"]],
    }
    assert topics["made-in-china-2025"]["conflicts"] == [["CN-4", "US-2"], ["CN-4", "US-3"]]
    assert [e["id"] for e in topics["trade-barriers"]["cn"]["asks"]] == ["CN-3"]
    assert [e["id"] for e in topics["trade-barriers"]["cn"]["offers"]] == ["CN-7"]
    assert [e["id"] for e in topics["trade-barriers"]["us"]["asks"]] == ["US-7"]
    all_conflicts = [pair for t in result["topics"] for pair in t["conflicts"]]
    assert all_conflicts == [["CN-4", "US-2"], ["CN-4", "US-3"], ["CN-5", "US-1"]]


def test_compare_parties_by_alias_and_name_and_order(run) -> None:
    assert compare_json(run, "USA", "prc") == compare_json(run, "us", "cn")
    swapped = compare_json(run, "China", "United States")
    assert (swapped["a"], swapped["b"]) == ("cn", "us")
    topics = {t["topic"]: t for t in swapped["topics"]}
    assert [e["id"] for e in topics["trade-balance"]["cn"]["refuses"]] == ["CN-5"]


def test_compare_topic(run) -> None:
    result = compare_json(run, "us", "cn", "--topic", "TRADE-BALANCE", "--topic", "market-access")
    assert [t["topic"] for t in result["topics"]] == ["market-access", "trade-balance"]
    assert compare_json(run, "us", "cn", "--topic", "fisheries")["topics"] == []


def test_compare_table(run) -> None:
    r = run("compare", "us", "cn")
    assert r.exit_code == 0, r.output
    for text in ("trade-balance", "US-1", "CN-5", "made-in-china-2025", "conflicts"):
        assert text in r.stdout, r.stdout
    conflicts = [line for line in r.stdout.splitlines() if "↔" in line]
    assert conflicts, r.stdout
    r = run("compare", "us", "cn", "--topic", "trade-balance")
    assert r.exit_code == 0, r.output
    assert "US-1" in r.stdout and "CN-5" in r.stdout and "US-7" not in r.stdout, r.stdout


def test_compare_markdown(run) -> None:
    r = run("compare", "us", "cn", "--format", "markdown")
    assert r.exit_code == 0, r.output
    tokens = check_markdown(r.stdout)
    (table,) = tables(tokens)
    assert table[0] == [
        "topic", "us asks", "us offers", "us refuses", "cn asks", "cn offers", "cn refuses", "agreed", "conflicts",
    ]  # fmt: skip
    rows = {row[0]: row for row in table[1:]}
    assert len(rows) == 10
    assert rows["trade-balance"][1] == "US-1 Cut the trade surplus by $200 billion in two years (contested)"
    assert rows["trade-balance"][6] == "CN-5 No specific surplus-cut figure (open)"
    assert rows["trade-balance"][8] == "CN-5 ↔ US-1"
    assert rows["made-in-china-2025"][8] == "CN-4 ↔ US-2, CN-4 ↔ US-3"
    assert rows["trade-relations"][7] == (
        "US-CN-1 Sound and stable trade relations; resolve issues through dialogue (agreed)"
    )
    # Several items in one cell stay in that cell.
    assert rows["export-controls"][4].startswith("CN-1 Relax restrictions")
    assert "CN-2 Lift or reconsider the penalties on ZTE (open)" in rows["export-controls"][4]


def test_compare_as_of(run) -> None:
    assert run("mark", "CN-5", "withdrawn", "--date", "2018-06-01").exit_code == 0
    then = compare_json(run, "us", "cn", "--as-of", "2018-05-03")
    topics = {t["topic"]: t for t in then["topics"]}
    assert topics["trade-balance"]["us"]["asks"][0]["status"] == "open"
    assert topics["trade-balance"]["cn"]["refuses"][0]["status"] == "open"
    now = {t["topic"]: t for t in compare_json(run, "us", "cn")["topics"]}
    assert now["trade-balance"]["cn"]["refuses"][0]["status"] == "withdrawn"
    assert compare_json(run, "us", "cn", "--as-of", "2018-01-01")["topics"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("us", "mars"), "demands: unknown party 'mars'; known parties: us (United States), cn (China)\n"),
        (("xx", "cn"), "demands: unknown party 'xx'; known parties: us (United States), cn (China)\n"),
        (("us", "us"), "demands: compare needs two different parties\n"),
        (("us", "USA"), "demands: compare needs two different parties\n"),
        (("china", "prc"), "demands: compare needs two different parties\n"),
    ],
)
def test_compare_usage_errors(run, args: tuple[str, str], message: str) -> None:
    r = run("compare", *args)
    assert r.exit_code == 2, r.output
    assert (r.stdout, r.stderr) == ("", message), r.output


def test_compare_needs_two_parties(run) -> None:
    r = run("compare", "us")
    assert r.exit_code == 2, r.output
    assert r.stdout == ""


def test_block_target_keeps_its_comments(run, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8")
    block = (
        "    tags: [cyber, verification]\n"
        "    target:\n"
        "      amount: 100   # incidents a year\n"
        "      unit: incidents\n"
        "      # measured by the agency\n"
        "      progress:\n"
        "        - {date: 2018-06-01, amount: 10}\n"
    )
    data_file.write_text(text.replace("    tags: [cyber, verification]\n", block, 1), encoding="utf-8")
    before = data_file.read_text(encoding="utf-8")
    r = run("progress", "US-4", "20", "--date", "2018-07-01", "--note", "mid | year")
    assert (r.exit_code, r.stderr) == (0, "US-4: 20 recorded, 20% of target\n"), r.output
    r = run("target", "US-4", "--amount", "200", "--unit", "incidents")
    assert (r.exit_code, r.stderr) == (0, "US-4: target amount updated\n"), r.output
    after = data_file.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        "-      amount: 100   # incidents a year",
        "+      amount: 200   # incidents a year",
        "+        - {date: 2018-07-01, amount: 20, note: mid | year}",
    ]
    assert show_json(run, "US-4")["target_progress"] == {"latest": 20, "percent": 10.0}
