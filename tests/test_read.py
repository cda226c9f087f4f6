"""The read side of the CLI: list, show, summary, export, schema, --version, finding the file, usage errors."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from tradedemands import __version__

SHIPPED_IDS = [f"CN-{n}" for n in range(1, 8)] + [f"US-{n}" for n in range(1, 10)] + ["US-CN-1"]
STATUSES = "open, discussing, contested, agreed, partial, met, rejected, withdrawn"

#: A small file made to tell the filters and sort orders apart: US-2 and US-10 side by side,
#: three parties, two rounds, due dates, priorities, tags in mixed case, notes, a backlink.
SORTING = """\
version: 1
title: Sorting ground
parties:
  us: {name: United States, aliases: [usa]}
  cn: {name: China, aliases: [prc]}
  eu: {name: European Union}
rounds:
  - {id: r1, date: 2019-01-10}
  - {id: r2, date: 2019-02-10}
demands:
  - id: US-10
    party: us
    of: cn
    kind: demand
    title: Tenth demand
    topic: tariffs
    tags: [steel, Metals]
    priority: low
    status: discussing
    due: 2019-03-01
    history:
      - {date: 2019-01-10, status: open, round: r1}
      - {date: 2019-02-10, status: discussing, round: r2, note: Moved to a working group}
  - id: US-2
    party: us
    of: cn
    kind: demand
    title: Second demand
    text: Buy more soybeans
    topic: agriculture
    tags: [soy]
    priority: high
    status: open
    due: 2019-02-01
    history:
      - {date: 2019-01-10, status: open, round: r1}
  - id: CN-1
    party: cn
    of: us
    kind: red-line
    title: No limits on industrial policy
    topic: Tariffs
    tags: [steel]
    status: open
    history:
      - {date: 2019-01-12, status: open, round: r1, note: Stated at the press conference}
  - id: EU-1
    party: eu
    kind: concession
    title: Quota for beef
    topic: agriculture
    priority: medium
    status: withdrawn
    due: 2019-01-20
    history:
      - {date: 2019-02-15, status: open}
      - {date: 2019-02-20, status: withdrawn, note: Dropped}
  - id: US-1
    party: us
    of: cn
    title: Cut tariffs
    topic: tariffs
    priority: high
    status: rejected
    history:
      - {date: 2019-01-10, status: open, round: r1}
      - {date: 2019-01-11, status: rejected, round: r1, note: Refused outright}
  - id: CN-2
    party: cn
    kind: concession
    title: Buy soybeans
    topic: agriculture
    tags: [soy]
    status: agreed
    due: 2019-01-15
    links: [{rel: responds-to, id: US-2}]
    history:
      - {date: 2019-01-10, status: open, round: r1}
      - {date: 2019-02-11, status: agreed, round: r2}
"""


@pytest.fixture
def sorting(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The SORTING file, found through $DEMANDS_FILE."""
    path = workspace / "sorting.yaml"
    path.write_text(SORTING, encoding="utf-8")
    monkeypatch.setenv("DEMANDS_FILE", str(path))
    return path


def ids(r: Any) -> list[str]:
    assert r.exit_code == 0, r.output
    return r.stdout.split()


def plain(value: Any) -> Any:
    """A YAML value as JSON sees it: dates as YYYY-MM-DD strings."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def oracle(path: Path) -> dict[str, Any]:
    """The file as read by PyYAML itself (the shipped file has no YAML 1.1 traps besides dates)."""
    data: dict[str, Any] = plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    return data


def one_line_error(r: Any, code: int, message: str) -> None:
    assert r.exit_code == code, r.output
    assert r.stdout == "", r.output
    assert r.stderr == message + "\n", r.output


# --- list: filters ----------------------------------------------------------------------------


def test_list_default_is_every_item_in_natural_id_order(run):
    assert ids(run("list", "-o", "ids")) == SHIPPED_IDS


@pytest.mark.parametrize("party", ["us", "US", "usa", "USA", "America", "united states", "UNITED STATES"])
def test_list_party_by_id_alias_or_name_in_any_case(run, party):
    # US-1 to US-9, and the agreement it shares with China
    assert ids(run("list", "--party", party, "-o", "ids")) == [f"US-{n}" for n in range(1, 10)] + ["US-CN-1"]


def test_list_party_short_option_and_repeat_is_or(run, sorting):
    assert ids(run("list", "-p", "prc", "-o", "ids")) == ["CN-1", "CN-2"]
    assert ids(run("list", "-p", "European Union", "-p", "cn", "-o", "ids")) == ["CN-1", "CN-2", "EU-1"]


def test_list_unknown_party_is_a_usage_error(run):
    one_line_error(
        run("list", "-p", "nobody"),
        2,
        "demands: unknown party 'nobody'; known parties: us (United States), cn (China)",
    )


def test_list_status(run, sorting):
    assert ids(run("list", "--status", "open", "-o", "ids")) == ["CN-1", "US-2"]
    assert ids(run("list", "-s", "OPEN", "-o", "ids")) == ["CN-1", "US-2"]
    assert ids(run("list", "-s", "open", "-s", "agreed", "-o", "ids")) == ["CN-1", "CN-2", "US-2"]


def test_list_status_on_the_shipped_file(run):
    assert ids(run("list", "-s", "contested", "-o", "ids")) == ["US-1", "US-2"]


def test_list_open_and_closed(run, sorting):
    assert ids(run("list", "--open", "-o", "ids")) == ["CN-1", "CN-2", "US-2", "US-10"]
    assert ids(run("list", "--closed", "-o", "ids")) == ["EU-1", "US-1"]


def test_list_with_the_file_s_own_statuses(run, workspace):
    path = workspace / "statuses.yaml"
    path.write_text(
        "parties: {us: {name: US}}\n"
        "statuses: [{name: tabled}, {name: settled, closed: true}, {name: parked}]\n"
        "demands:\n"
        "  - {id: US-1, party: us, title: a, status: settled}\n"
        "  - {id: US-2, party: us, title: b, status: tabled}\n"
        "  - {id: US-3, party: us, title: c, status: parked}\n",
        encoding="utf-8",
    )
    assert ids(run("list", "-f", str(path), "--closed", "-o", "ids")) == ["US-1"]
    assert ids(run("list", "-f", str(path), "--open", "-o", "ids")) == ["US-2", "US-3"]
    assert ids(run("list", "-f", str(path), "-s", "PARKED", "-o", "ids")) == ["US-3"]
    assert ids(run("list", "-f", str(path), "--sort", "status", "-o", "ids")) == ["US-2", "US-1", "US-3"]
    one_line_error(
        run("list", "-f", str(path), "-s", "open"),
        2,
        "demands: unknown status 'open'; valid statuses: tabled, settled, parked",
    )


def test_list_open_and_closed_together_is_a_usage_error(run):
    one_line_error(run("list", "--open", "--closed"), 2, "demands: --open and --closed exclude each other; use one")


def test_list_kind(run, sorting):
    assert ids(run("list", "--kind", "red-line", "-o", "ids")) == ["CN-1"]
    assert ids(run("list", "-k", "Concession", "-k", "red-line", "-o", "ids")) == ["CN-1", "CN-2", "EU-1"]
    # An item without `kind` is a demand.
    assert ids(run("list", "-k", "demand", "-o", "ids")) == ["US-1", "US-2", "US-10"]


def test_list_kind_on_the_shipped_file(run):
    assert ids(run("list", "-k", "concession", "-o", "ids")) == ["CN-6", "CN-7"]
    assert ids(run("list", "-k", "red-line", "-o", "ids")) == ["CN-4", "CN-5"]


def test_list_topic_any_case(run, sorting):
    assert ids(run("list", "--topic", "tariffs", "-o", "ids")) == ["CN-1", "US-1", "US-10"]
    assert ids(run("list", "-t", "AGRICULTURE", "-o", "ids")) == ["CN-2", "EU-1", "US-2"]
    assert ids(run("list", "-t", "tariffs", "-t", "agriculture", "-o", "ids")) == [
        "CN-1",
        "CN-2",
        "EU-1",
        "US-1",
        "US-2",
        "US-10",
    ]


def test_list_tag_any_case_and_repeat_is_or(run, sorting):
    assert ids(run("list", "--tag", "steel", "-o", "ids")) == ["CN-1", "US-10"]
    assert ids(run("list", "--tag", "metals", "-o", "ids")) == ["US-10"]
    assert ids(run("list", "--tag", "soy", "--tag", "STEEL", "-o", "ids")) == ["CN-1", "CN-2", "US-2", "US-10"]


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("eu-1", ["EU-1"]),  # id
        ("soybeans", ["CN-2", "US-2"]),  # title of CN-2, text of US-2
        ("WORKING GROUP", ["US-10"]),  # a history note
        ("press conference", ["CN-1"]),
        ("nothing like this", []),
    ],
)
def test_list_search_over_id_title_text_and_notes(run, sorting, needle, expected):
    assert ids(run("list", "--search", needle, "-o", "ids")) == expected
    assert ids(run("list", "-q", needle, "-o", "ids")) == expected


def test_list_search_on_the_shipped_file(run):
    assert ids(run("list", "-q", "zte", "-o", "ids")) == ["CN-2"]  # title
    assert ids(run("list", "-q", "iran", "-o", "ids")) == ["CN-2"]  # text
    assert ids(run("list", "-q", "offered conditionally", "-o", "ids")) == ["CN-7"]  # note


def test_list_round(run, sorting):
    assert ids(run("list", "--round", "r2", "-o", "ids")) == ["CN-2", "US-10"]
    assert ids(run("list", "-r", "R1", "-o", "ids")) == ["CN-1", "CN-2", "US-1", "US-2", "US-10"]
    assert ids(run("list", "--round", "r1", "--round", "r2", "-o", "ids")) == [
        "CN-1",
        "CN-2",
        "US-1",
        "US-2",
        "US-10",
    ]


def test_list_unknown_round_is_a_usage_error(run):
    one_line_error(
        run("list", "--round", "nope"),
        2,
        "demands: unknown round 'nope'; rounds in the file: beijing-2018-05, united-states-2018-06",
    )


def test_list_due_before_is_strictly_before(run, sorting):
    assert ids(run("list", "--due-before", "2019-02-01", "-o", "ids")) == ["CN-2", "EU-1"]
    assert ids(run("list", "--due-before", "2019-02-02", "-o", "ids")) == ["CN-2", "EU-1", "US-2"]
    assert ids(run("list", "--due-before", "2019-01-01", "-o", "ids")) == []


def test_list_overdue(run, sorting):
    # Not closed and past due; EU-1 is withdrawn, US-1 and CN-1 have no date.
    assert ids(run("list", "--overdue", "-o", "ids")) == ["CN-2", "US-2", "US-10"]
    # As of 5 February: US-10 is not due yet, EU-1 not yet raised, CN-2 still open.
    assert ids(run("list", "--overdue", "--as-of", "2019-02-05", "-o", "ids")) == ["CN-2", "US-2"]


def test_list_overdue_counts_the_target_date(run, workspace):
    path = workspace / "target.yaml"
    path.write_text(
        "parties: {us: {name: US}}\n"
        "demands:\n"
        "  - {id: US-1, party: us, title: Cut, status: open, target: {amount: 5, by: 2019-06-01},\n"
        "     history: [{date: 2018-12-01, status: open}]}\n"
        "  - {id: US-2, party: us, title: Buy, status: open, target: {amount: 5, by: 2019-06-01}, due: 2019-01-01,\n"
        "     source: {date: 2018-12-01}}\n",
        encoding="utf-8",
    )
    assert ids(run("list", "-f", str(path), "--overdue", "--as-of", "2019-03-01", "-o", "ids")) == ["US-2"]
    assert ids(run("list", "-f", str(path), "--overdue", "--as-of", "2019-07-01", "-o", "ids")) == ["US-1", "US-2"]


def test_list_as_of_hides_later_items_and_rebuilds_status(run, sorting):
    assert ids(run("list", "--as-of", "2019-01-10", "-o", "ids")) == ["CN-2", "US-1", "US-2", "US-10"]
    r = run("list", "--as-of", "2019-01-10", "-s", "open", "-o", "json")
    assert r.exit_code == 0, r.output
    items = {i["id"]: i for i in json.loads(r.stdout)}
    assert sorted(items) == ["CN-2", "US-1", "US-10", "US-2"]
    assert items["US-1"]["status"] == "open"
    assert items["US-1"]["history"] == [{"date": "2019-01-10", "status": "open", "round": "r1"}]
    assert ids(run("list", "--as-of", "2019-01-10", "--closed", "-o", "ids")) == []


def test_list_as_of_on_the_shipped_file(run):
    assert ids(run("list", "--as-of", "2018-05-03", "-s", "contested", "-o", "ids")) == []
    assert ids(run("list", "--as-of", "2018-05-04", "-s", "contested", "-o", "ids")) == ["US-1", "US-2"]
    assert ids(run("list", "--as-of", "2018-05-02", "-o", "ids")) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-p", "us", "--open"], ["US-2", "US-10"]),
        (["-p", "us", "-p", "cn", "-s", "open"], ["CN-1", "US-2"]),
        (["-p", "cn", "--tag", "soy"], ["CN-2"]),
        (["-t", "agriculture", "--closed"], ["EU-1"]),
        (["-k", "demand", "-k", "red-line", "-t", "tariffs", "--open"], ["CN-1", "US-10"]),
        (["-q", "soy", "--round", "r2"], ["CN-2"]),
        (["-p", "usa", "--due-before", "2019-03-01", "-s", "open", "-s", "discussing"], ["US-2"]),
        (["-p", "eu", "-s", "open"], []),
    ],
)
def test_list_filters_combine_and_across_or_within(run, sorting, args, expected):
    assert ids(run("list", *args, "-o", "ids")) == expected


# --- list: order --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "forward", "backward"),
    [
        ("id", "CN-1 CN-2 EU-1 US-1 US-2 US-10", "US-10 US-2 US-1 EU-1 CN-2 CN-1"),
        ("party", "CN-1 CN-2 EU-1 US-1 US-2 US-10", "US-10 US-2 US-1 EU-1 CN-2 CN-1"),
        # statuses in the vocabulary's order: open, discussing, contested, agreed, ..., rejected, withdrawn
        ("status", "CN-1 US-2 US-10 CN-2 US-1 EU-1", "EU-1 US-1 CN-2 US-10 US-2 CN-1"),
        # high, medium, low; items without one last in both directions
        ("priority", "US-1 US-2 EU-1 US-10 CN-1 CN-2", "US-10 EU-1 US-2 US-1 CN-2 CN-1"),
        ("due", "CN-2 EU-1 US-2 US-10 CN-1 US-1", "US-10 US-2 EU-1 CN-2 US-1 CN-1"),
        # the date of the last history entry
        ("updated", "US-2 US-1 CN-1 US-10 CN-2 EU-1", "EU-1 CN-2 US-10 CN-1 US-1 US-2"),
        ("topic", "CN-2 EU-1 US-2 CN-1 US-1 US-10", "US-10 US-1 CN-1 US-2 EU-1 CN-2"),
        ("title", "CN-2 US-1 CN-1 EU-1 US-2 US-10", "US-10 US-2 EU-1 CN-1 US-1 CN-2"),
        # US-1 has no `kind`: it is a demand
        ("kind", "CN-2 EU-1 US-1 US-2 US-10 CN-1", "CN-1 US-10 US-2 US-1 EU-1 CN-2"),
    ],
)
def test_list_sort_and_reverse(run, sorting, field, forward, backward):
    assert ids(run("list", "--sort", field, "-o", "ids")) == forward.split()
    assert ids(run("list", "--sort", field, "--reverse", "-o", "ids")) == backward.split()


def test_list_ids_sort_naturally(run, sorting):
    assert ids(run("list", "-p", "us", "-o", "ids")) == ["US-1", "US-2", "US-10"]


def test_list_limit(run, sorting):
    assert ids(run("list", "--limit", "2", "-o", "ids")) == ["CN-1", "CN-2"]
    assert ids(run("list", "-n", "2", "--reverse", "-o", "ids")) == ["US-10", "US-2"]
    assert ids(run("list", "-n", "1", "--sort", "due", "-p", "us", "-o", "ids")) == ["US-2"]
    assert ids(run("list", "-n", "0", "-o", "ids")) == []
    assert ids(run("list", "-n", "100", "-o", "ids")) == ["CN-1", "CN-2", "EU-1", "US-1", "US-2", "US-10"]


def test_list_bad_sort_field_is_a_usage_error(run):
    one_line_error(
        run("list", "--sort", "colour"),
        2,
        "demands: cannot sort by 'colour'; use one of: id, party, status, priority, due, updated, kind, topic, title",
    )


# --- list: formats --------------------------------------------------------------------------


def test_list_json_is_every_item_with_every_field_of_the_file(run, data_file):
    r = run("list", "--format", "json")
    assert r.exit_code == 0, r.output
    by_id = {i["id"]: i for i in oracle(data_file)["demands"]}
    assert json.loads(r.stdout) == [by_id[i] for i in SHIPPED_IDS], r.output
    filtered = json.loads(run("list", "-p", "cn", "-k", "red-line", "-o", "json").stdout)
    assert filtered == [i for i in oracle(data_file)["demands"] if i["id"] in ("CN-4", "CN-5")]


def test_list_json_keeps_the_key_order_of_the_file(run, data_file):
    items = json.loads(run("list", "-o", "json").stdout)
    by_id = {i["id"]: i for i in oracle(data_file)["demands"]}
    for item in items:
        assert list(item) == list(by_id[item["id"]]), item["id"]


def test_list_yaml_reads_back_as_the_json(run):
    r = run("list", "-o", "yaml", "-p", "us")
    assert r.exit_code == 0, r.output
    assert yaml.safe_load(r.stdout) == json.loads(run("list", "-o", "json", "-p", "us").stdout)


def test_list_csv(run):
    r = run("list", "-o", "csv", "-p", "us")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    # The shape export writes and import reads: every field the items have, nested ones dotted.
    assert list(rows[0]) == [
        "id", "party", "of", "kind", "title", "text", "topic", "tags", "priority", "status",
        "target.amount", "target.unit", "target.by", "target.metric",
        "source.doc", "source.quote", "source.date", "links", "history",
    ]  # fmt: skip
    assert [row["id"] for row in rows] == [f"US-{n}" for n in range(1, 10)] + ["US-CN-1"]
    us2 = rows[1]
    assert us2["title"] == "Halt all subsidies to Made in China 2025 industries"
    assert us2["status"] == "contested"
    assert us2["tags"] == "subsidies;advanced-manufacturing"
    assert json.loads(us2["links"]) == [{"rel": "conflicts-with", "id": "CN-4"}, {"rel": "related", "id": "US-3"}]
    assert us2["source.doc"] == "seeds/000_d2207b9ab7e38b47.txt"
    assert us2["source.date"] == "2018-05-04"
    assert json.loads(us2["history"])[-1]["date"] == "2018-05-04"
    assert us2["of"] == "cn"
    assert rows[8]["of"] == ""  # US-9 binds both sides


def test_list_markdown(run):
    r = run("list", "-o", "markdown", "-k", "red-line")
    assert r.exit_code == 0, r.output
    assert r.stdout == (
        "| id | party | of | kind | status | priority | topic | title | due | updated |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        "| CN-4 | cn |   | red-line | open |   | made-in-china-2025 | No limits on Made in China 2025 |   | 2018-05-03 |\n"
        "| CN-5 | cn |   | red-line | open |   | trade-balance | No specific surplus-cut figure |   | 2018-05-03 |\n"
    )


def test_list_ids(run):
    r = run("list", "-o", "ids", "-s", "contested")
    assert r.exit_code == 0, r.output
    assert r.stdout == "US-1\nUS-2\n"


def test_list_table(run):
    r = run("list", "-p", "us", "-s", "contested")
    assert r.exit_code == 0, r.output
    assert r.stderr == "", r.output
    lines = r.stdout.splitlines()
    assert [c.strip() for c in lines[0].split("┃")] == ["id", "party", "kind", "status", "priority", "topic", "title"]
    assert lines[2].startswith("US-1 │ us→cn │ demand │ contested │ high     │ trade-balance"), r.output
    assert "Cut the trade surplus by $200 billion in two years" in r.stdout
    assert sum(line.startswith("US-") for line in lines) == 2


def test_list_format_names_any_case(run):
    assert ids(run("list", "-o", "IDS", "-s", "contested")) == ["US-1", "US-2"]


@pytest.mark.parametrize("fmt", ["json", "yaml", "csv", "markdown", "ids"])
def test_machine_formats_ignore_the_terminal_width(run, fmt):
    narrow = run("list", "-o", fmt, env={"COLUMNS": "30"})
    wide = run("list", "-o", fmt, env={"COLUMNS": "300"})
    assert narrow.exit_code == 0, narrow.output
    assert narrow.stdout == wide.stdout
    assert "\x1b" not in narrow.stdout


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("json", "[]\n"),
        ("yaml", "[]\n"),
        ("ids", ""),
        ("csv", "id,party,title,status\n"),
        ("markdown", "| id | party | of | kind | status | priority | topic | title | due | updated |\n"
                     "|---|---|---|---|---|---|---|---|---|---|\n"),
    ],
)  # fmt: skip
def test_list_no_match_is_empty_and_exit_0(run, fmt, expected):
    r = run("list", "-q", "no such text anywhere", "-o", fmt)
    assert r.exit_code == 0, r.output
    assert r.stdout == expected, r.output
    assert r.stderr == "", r.output


def test_list_no_match_table_notes_it_on_stderr(run):
    r = run("list", "-q", "no such text anywhere")
    assert r.exit_code == 0, r.output
    assert r.stdout == "", r.output
    assert r.stderr == "no items match\n", r.output


# --- show -------------------------------------------------------------------------------------


def test_show_table_has_fields_quote_links_and_history(run):
    r = run("show", "us-1")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "US-1  Cut the trade surplus by $200 billion in two years" in out
    assert re.search(r"party\s+us \(United States\)", out), out
    assert re.search(r"of\s+cn \(China\)", out), out
    assert re.search(r"status\s+contested", out), out
    assert re.search(r"priority\s+high", out), out
    assert re.search(r"target\s+200,000,000,000 USD", out), out
    assert "“Cut its trade surplus by $100 billion in the 12 months starting in June" in out
    assert "— seeds/000_d2207b9ab7e38b47.txt, 2018-05-04" in out
    assert re.search(r"conflicts-with\s+CN-5\s+No specific surplus-cut figure", out), out
    assert re.search(r"2018-05-03\s+→ open\s+\[beijing-2018-05\] Tabled in Beijing", out), out
    assert re.search(r"2018-05-04\s+→ contested\s+\[beijing-2018-05\] China objected", out), out
    assert "source: “They also objected to United States demands for a specific cut" in out, out


def test_show_several_ids_in_the_order_asked(run):
    r = run("show", "CN-5", "us-2", "Us-9")
    assert r.exit_code == 0, r.output
    out = r.stdout
    heads = [m.group(1) for m in re.finditer(r"╭─ (\S+)  ", out)]
    assert heads == ["CN-5", "US-2", "US-9"], out


def test_show_links_both_ways(run):
    # CN-3 links to US-7 and CN-1 itself; CN-7 is conditional on CN-3, which shows from this end.
    out = run("show", "CN-3").stdout
    assert re.search(r"related\s+US-7\s+Cut tariffs to the US level", out), out
    assert re.search(r"related\s+CN-1\s+Relax restrictions", out), out
    assert re.search(r"condition-of\s+CN-7\s+Reduce some trade barriers", out), out
    assert out.count("related ") + out.count("related  ") >= 2
    # CN-6 responds to nothing (its offer predates the US list); US-7 is answered by CN-7
    # (responds-to), and US-8 is related to CN-7 (written on both)
    out = run("show", "US-7").stdout
    assert re.search(r"responded-to-by\s+CN-7\s+Reduce some trade barriers", out), out
    out = run("show", "US-8").stdout
    assert len(re.findall(r"related\s+CN-7", out)) == 1, out


def test_show_json_is_an_array_one_object_per_id(run, data_file):
    r = run("show", "cn-3", "US-8", "-o", "json")
    assert r.exit_code == 0, r.output
    records = json.loads(r.stdout)
    by_id = {i["id"]: i for i in oracle(data_file)["demands"]}
    assert [rec["id"] for rec in records] == ["CN-3", "US-8"]
    cn3, us8 = records
    assert {k: v for k, v in cn3.items() if k != "backlinks"} == by_id["CN-3"]
    assert cn3["backlinks"] == [
        {"rel": "related", "id": "US-7"},
        {"rel": "related", "id": "CN-1"},
        {"rel": "condition-of", "id": "CN-7"},
    ]
    assert us8["backlinks"] == [{"rel": "related", "id": "CN-6"}, {"rel": "related", "id": "CN-7"}]


def test_show_json_has_target_progress(run):
    record = json.loads(run("show", "US-1", "-o", "json").stdout)[0]
    assert record["target"]["amount"] == 200000000000
    assert record["target_progress"] == {"latest": None, "percent": None}


def test_show_yaml_reads_back_as_the_json(run):
    r = run("show", "US-1", "CN-7", "-o", "yaml")
    assert r.exit_code == 0, r.output
    assert yaml.safe_load(r.stdout) == json.loads(run("show", "US-1", "CN-7", "-o", "json").stdout)


def test_show_csv(run):
    r = run("show", "cn-5", "-o", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["id", "field", "value"]
    assert all(row[0] == "CN-5" for row in rows[1:])
    fields = {row[1]: row[2] for row in rows[1:]}
    assert fields["title"] == "No specific surplus-cut figure"
    assert fields["kind"] == "red-line"
    assert (
        fields["source.quote"]
        == "They also objected to United States demands for a specific cut in the bilateral surplus."
    )
    assert fields["link conflicts-with"] == "US-1"
    assert fields["history 2018-05-03"] == "→ open (beijing-2018-05) Position held in Beijing"


def test_show_csv_lists_backlinks(run):
    rows = list(csv.reader(io.StringIO(run("show", "CN-3", "-o", "csv").stdout)))
    assert ["CN-3", "link condition-of", "CN-7"] in rows


def test_show_markdown(run):
    r = run("show", "US-9", "-o", "markdown")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[:3] == ["| id | field | value |", "|---|---|---|", "| US-9 | id | US-9 |"]
    assert "| US-9 | title | Meet every quarter to review progress |" in lines
    assert (
        "| US-9 | history 2018-05-03 | → open (beijing-2018-05) Tabled in Beijing; no date was set for further talks. |"
        in lines
    )


def test_show_unknown_id_suggests_the_closest(run):
    one_line_error(run("show", "US-99"), 1, "demands: no item with id 'US-99'; did you mean US-9, US-8, US-7?")
    one_line_error(run("show", "cn-77"), 1, "demands: no item with id 'cn-77'; did you mean CN-7, CN-6, CN-5?")


def test_show_unknown_id_without_anything_close(run):
    one_line_error(run("show", "zz"), 1, "demands: no item with id 'zz'; 'demands list --format ids' lists them")


def test_show_one_unknown_id_among_known_ones_prints_nothing(run):
    r = run("show", "US-1", "US-99", "-o", "json")
    one_line_error(r, 1, "demands: no item with id 'US-99'; did you mean US-9, US-8, US-7?")


def test_show_as_of(run, sorting):
    record = json.loads(run("show", "US-1", "--as-of", "2019-01-10", "-o", "json").stdout)[0]
    assert record["status"] == "open"
    one_line_error(
        run("show", "EU-1", "--as-of", "2019-01-10"),
        1,
        "demands: EU-1 was not raised yet on 2019-01-10 (first recorded 2019-02-15)",
    )


def test_show_needs_an_id(run):
    r = run("show")
    assert r.exit_code == 2, r.output
    assert r.stderr == "demands show: Missing argument 'ID...'. (see 'demands show --help')\n", r.output


# --- summary ----------------------------------------------------------------------------------


SUMMARY_JSON = {
    "statuses": ["open", "discussing", "contested", "agreed", "partial", "met", "rejected", "withdrawn"],
    "parties": [
        {
            "party": "us",
            "name": "United States",
            "counts": {"open": 7, "contested": 2, "agreed": 1},
            "total": 10,
            "closed": 0,
            "targets": [{"id": "US-1", "amount": 200000000000, "unit": "USD", "latest": None, "percent": None}],
        },
        {"party": "cn", "name": "China", "counts": {"open": 7, "agreed": 1}, "total": 8, "closed": 0, "targets": []},
    ],
    # The agreement counts for each party, once in all.
    "total": 17,
    "closed": 0,
}


def test_summary_table(run):
    r = run("summary")
    assert r.exit_code == 0, r.output
    lines = [line.rstrip() for line in r.stdout.splitlines()]
    assert [c.strip() for c in lines[0].split("┃")] == ["party", "open", "contested", "agreed", "total", "closed"]
    assert lines[2] == "us United States │    7 │         2 │      1 │    10 │ ░░░░░░░░░░ 0/10"
    assert lines[3] == "cn China         │    7 │         · │      1 │     8 │ ░░░░░░░░░░ 0/8"
    assert lines[4] == "all              │   14 │         2 │      1 │    17 │ ░░░░░░░░░░ 0/17"


def test_summary_json(run):
    r = run("summary", "-o", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == SUMMARY_JSON


def test_summary_yaml(run):
    r = run("summary", "-o", "yaml")
    assert r.exit_code == 0, r.output
    assert yaml.safe_load(r.stdout) == SUMMARY_JSON


def test_summary_csv(run):
    r = run("summary", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.stdout == (
        "party,open,discussing,contested,agreed,partial,met,rejected,withdrawn,total,closed\n"
        "us,7,0,2,1,0,0,0,0,10,0\n"
        "cn,7,0,0,1,0,0,0,0,8,0\n"
        "all,14,0,2,1,0,0,0,0,17,0\n"
    )


def test_summary_markdown(run):
    r = run("summary", "-o", "markdown")
    assert r.exit_code == 0, r.output
    assert r.stdout == (
        "| party | open | discussing | contested | agreed | partial | met | rejected | withdrawn | total | closed |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
        "| us | 7 | 0 | 2 | 1 | 0 | 0 | 0 | 0 | 10 | 0 |\n"
        "| cn | 7 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 8 | 0 |\n"
        "| all | 14 | 0 | 2 | 1 | 0 | 0 | 0 | 0 | 17 | 0 |\n"
    )


def test_summary_as_of(run, sorting):
    data = json.loads(run("summary", "--as-of", "2019-01-10", "-o", "json").stdout)
    counts = {p["party"]: p["counts"] for p in data["parties"]}
    assert counts == {"us": {"open": 3}, "cn": {"open": 1}, "eu": {}}
    assert (data["total"], data["closed"]) == (4, 0)


# --- export -----------------------------------------------------------------------------------


def test_export_json_is_the_whole_file(run, data_file):
    r = run("export", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {"parties", "rounds", "demands"} <= set(data)
    assert data == oracle(data_file)
    assert data["rounds"][0]["date"] == "2018-05-03"


def test_export_default_is_json(run):
    assert run("export").stdout == run("export", "-o", "json").stdout


def test_export_yaml_reads_back_as_the_json(run):
    r = run("export", "-o", "yaml")
    assert r.exit_code == 0, r.output
    assert yaml.safe_load(r.stdout) == json.loads(run("export").stdout)


def test_export_yaml_is_itself_a_valid_demands_file(run, workspace):
    path = workspace / "exported.yaml"
    path.write_text(run("export", "-o", "yaml").stdout, encoding="utf-8")
    r = run("validate", "-f", str(path))
    assert r.exit_code == 0, r.output
    assert json.loads(run("export", "-f", str(path)).stdout) == json.loads(run("export").stdout)


def test_export_csv_one_row_per_item(run):
    r = run("export", "-o", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["id"] for row in rows] == [f"US-{n}" for n in range(1, 10)] + [f"CN-{n}" for n in range(1, 8)] + [
        "US-CN-1"
    ]
    assert rows[0]["source.quote"].startswith("Cut its trade surplus by $100 billion")
    assert (rows[0]["target.amount"], rows[0]["target.unit"], rows[0]["target.by"]) == (
        "200000000000",
        "USD",
        "2020-06-01",
    )


def test_export_markdown(run):
    r = run("export", "-o", "markdown")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "# US–China trade talks, 2018"
    for heading in ("## Parties", "## Rounds", "## Items"):
        assert heading in lines, r.stdout
    assert "| us | United States | usa, america | Steven Mnuchin |" in lines
    assert sum(line.startswith("| US-") or line.startswith("| CN-") for line in lines) == 17


def test_export_output_file(run, workspace):
    target = workspace / "out" / "all.json"
    target.parent.mkdir()
    r = run("export", "--output", str(target))
    assert r.exit_code == 0, r.output
    assert r.stdout == "", r.output
    assert r.stderr == f"wrote {target}\n", r.output
    assert target.read_text(encoding="utf-8") == run("export").stdout


def test_export_output_file_in_a_missing_folder(run, workspace):
    target = workspace / "nowhere" / "all.json"
    one_line_error(
        run("export", "-o", "csv", "--output", str(target)),
        1,
        f"demands: cannot write {target}: the folder {target.parent} does not exist; create it first",
    )


# --- version, help, python -m ---------------------------------------------------------------


def test_version(run):
    r = run("--version")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"demands {__version__}\n"


def test_python_m_tradedemands_version(workspace):
    r = subprocess.run(
        [sys.executable, "-m", "tradedemands", "--version"], cwd=workspace, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"demands {__version__}\n"


def test_python_m_tradedemands_lists(workspace):
    r = subprocess.run(
        [sys.executable, "-m", "tradedemands", "list", "-o", "ids", "-s", "contested"],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == "US-1\nUS-2\n"


def test_no_arguments_prints_help_and_exits_0(run):
    r = run()
    assert r.exit_code == 0, r.output
    assert "Usage: demands" in r.stdout
    for command in ("list", "show", "summary", "export", "schema", "validate"):
        assert re.search(rf"^│ {command}\b", r.stdout, re.MULTILINE), r.stdout


# --- finding the file -------------------------------------------------------------------------


def test_file_option_beats_the_environment(run, workspace, monkeypatch):
    (workspace / "other.yaml").write_text(SORTING, encoding="utf-8")
    monkeypatch.setenv("DEMANDS_FILE", str(workspace / "missing.yaml"))
    assert ids(run("list", "--file", str(workspace / "other.yaml"), "-p", "eu", "-o", "ids")) == ["EU-1"]
    assert ids(run("list", "-f", "other.yaml", "-p", "eu", "-o", "ids")) == ["EU-1"]


def test_environment_beats_discovery(run, sorting):
    # the workspace also has data/demands.yaml in the current folder
    assert ids(run("list", "-p", "eu", "-o", "ids")) == ["EU-1"]


def test_discovery_finds_data_demands_yaml_upward(run, workspace, monkeypatch):
    monkeypatch.delenv("DEMANDS_FILE")
    deeper = workspace / "a" / "b"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    assert ids(run("list", "-o", "ids")) == SHIPPED_IDS


def test_discovery_finds_demands_yaml_and_the_nearest_wins(run, workspace, monkeypatch):
    monkeypatch.delenv("DEMANDS_FILE")
    project = workspace / "project"
    (project / "sub").mkdir(parents=True)
    (project / "demands.yaml").write_text(SORTING, encoding="utf-8")
    monkeypatch.chdir(project / "sub")
    # project/demands.yaml is nearer than the workspace's data/demands.yaml
    assert ids(run("list", "-p", "eu", "-o", "ids")) == ["EU-1"]
    monkeypatch.chdir(project)
    assert ids(run("list", "-p", "eu", "-o", "ids")) == ["EU-1"]


def test_discovery_prefers_data_demands_yaml_in_the_same_folder(run, workspace, monkeypatch):
    monkeypatch.delenv("DEMANDS_FILE")
    (workspace / "demands.yaml").write_text(SORTING, encoding="utf-8")
    assert ids(run("list", "-o", "ids")) == SHIPPED_IDS


def test_no_file_anywhere(run, tmp_path_factory, monkeypatch):
    monkeypatch.delenv("DEMANDS_FILE")
    lonely = tmp_path_factory.mktemp("lonely")
    start = lonely.resolve()
    if any((d / name).is_file() for d in (start, *start.parents) for name in ("data/demands.yaml", "demands.yaml")):
        pytest.skip("a demands file lies above the temporary folder")
    monkeypatch.chdir(lonely)
    for command in (["list"], ["show", "US-1"], ["summary"], ["export"], ["validate"]):
        one_line_error(
            run(*command),
            1,
            f"demands: no demands file: looked for data/demands.yaml or demands.yaml in {start} and its parents; "
            "run 'demands init' to start one, or pass --file PATH",
        )


def test_named_file_missing(run, workspace):
    one_line_error(
        run("list", "-f", "nope.yaml"), 1, "demands: nope.yaml: no such file; run 'demands init nope.yaml' to start one"
    )


def test_installed_script_finds_the_file_from_a_subfolder(workspace):
    from conftest import demands_cmd

    deeper = workspace / "x"
    deeper.mkdir()
    env = {"DEMANDS_FILE": ""}
    r = demands_cmd("list", "-o", "ids", "-s", "contested", cwd=deeper, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "US-1\nUS-2\n"


# --- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--bogus"], "demands list: No such option: --bogus (see 'demands list --help')"),
        (["summary", "--party", "us"], "demands summary: No such option: --party (see 'demands summary --help')"),
        (
            ["list", "--status", "opn"],
            f"demands: unknown status 'opn' (did you mean 'open'?); valid statuses: {STATUSES}",
        ),
        (["list", "-s", "bogus"], f"demands: unknown status 'bogus'; valid statuses: {STATUSES}"),
        (["list", "--kind", "wish"], "demands: unknown kind 'wish'; use one of: demand, concession, red-line, agreement"),
        (["list", "--due-before", "2018-13-01"], "demands: bad date '2018-13-01' for --due-before: use YYYY-MM-DD like {today}, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead)"),
        (["list", "--as-of", "2018-5-4"], "demands: bad date '2018-5-4' for --as-of: use YYYY-MM-DD like {today}, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead), or last-round"),
        (["summary", "--as-of", "May 4"], "demands: bad date 'May 4' for --as-of: use YYYY-MM-DD like {today}, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead), or last-round"),
        (["show", "US-1", "--as-of", "04/05/2018"], "demands: bad date '04/05/2018' for --as-of: use YYYY-MM-DD like {today}, today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead), or last-round"),
        (
            ["list", "--limit", "-1"],
            "demands list: Invalid value for '--limit' / '-n': -1 is not in the range x>=0. "
            "(see 'demands list --help')",
        ),
        (
            ["list", "--limit", "many"],
            "demands list: Invalid value for '--limit' / '-n': 'many' is not a valid int range. "
            "(see 'demands list --help')",
        ),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(run, args, message):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert r.stdout == "", r.output
    assert r.stderr == message.format(today=datetime.date.today().isoformat()) + "\n", r.output


@pytest.mark.parametrize("args", [["list", "-o", "pdf"], ["show", "US-1", "-o", "ids"], ["export", "-o", "table"]])
def test_bad_format_is_a_usage_error(run, args):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1, r.output
    assert r.stderr.startswith(f"demands {args[0]}: Invalid value for '--format' / '-o'"), r.output


def test_readme_mentions_the_read_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("demands list", "demands show", "demands summary", "demands export", "demands schema"):
        assert command in readme
