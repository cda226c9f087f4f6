"""Rounds held, planned and cancelled: validate, the schema, ``--round``, ``--as-of`` and
``last_round_held``.

A round is held unless ``status`` says ``planned`` (still to come, the brief's next steps) or
``cancelled``; only a round not held may have a month for a date (``2018-06``), and only a
planned one a ``likelihood``. Nothing can have happened in a round not held: history entries,
``mark --round``, ``diff --round`` and ``brief --round`` refuse one.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from test_completion import complete
from tradedemands import timeline, validation, yamlio
from tradedemands.fileschema import json_schema

TALKS = """\
version: 1
title: Talks
parties:
  us: {name: United States}
  cn: {name: China}
rounds:
  - {id: washington-2018-05, date: 2018-05-17, end: 2018-05-18}
  - {id: beijing-2018-05, date: 2018-05-03, end: 2018-05-04}
  - id: us-2018-06
    status: planned
    likelihood: possible
    date: 2018-06
    parties: [cn, us]
    note: Wang Qishan may lead
    source: {doc: article.txt, quote: may visit next month, date: 2018-05-04}
  - {id: geneva-2018-07, status: cancelled, date: 2018-07}
demands:
  - id: US-1
    party: us
    title: Cut the surplus
    status: open
    history:
      - {date: 2018-05-03, status: open, round: beijing-2018-05}
"""


def edit(old: str, new: str, text: str = TALKS) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.fixture
def talks(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = workspace / "talks.yaml"
    path.write_text(TALKS, encoding="utf-8")
    (workspace / "article.txt").write_text("Negotiators may visit next month for further talks.\n", encoding="utf-8")
    monkeypatch.setenv("DEMANDS_FILE", str(path))
    return path


def problems(text: str) -> list[str]:
    data, node = yamlio.parse(text, "t.yaml")
    return [m for _p, m in validation.check(copy.deepcopy(data), lambda p: yamlio.scalar_text(node, p))]


ROUND_PROBLEMS = [
    (
        edit("{id: washington-2018-05, date: 2018-05-17,", "{id: washington-2018-05, date: 2018-05,"),
        "date '2018-05' is a month: a round held needs its day, YYYY-MM-DD (a month is for a planned or cancelled round)",
    ),
    (
        edit("status: cancelled, date: 2018-07}", "status: cancelled, date: 2018-13}"),
        "bad date '2018-13': no such month",
    ),
    (edit("    date: 2018-06\n", "    date: 06/2018\n"), "bad date '06/2018': use YYYY-MM-DD"),
    (
        edit("status: cancelled, date: 2018-07}", "status: cancelled, likelihood: likely, date: 2018-07}"),
        "likelihood is for a planned round; this one is cancelled: remove it, or set status: planned",
    ),
    (
        edit("likelihood: possible", "likelihood: maybe"),
        "unknown likelihood 'maybe'; use one of: possible, likely, confirmed",
    ),
    (
        edit("status: cancelled,", "status: postponed,"),
        "unknown status 'postponed'; use one of: held, planned, cancelled",
    ),
    (edit("parties: [cn, us]", "parties: [cn, mars]"), "unknown party 'mars'; known: cn, us"),
    (
        edit("status: cancelled, date: 2018-07}", "status: cancelled, date: 2018-07, end: 2018-06-30}"),
        "round ends (2018-06-30) before it starts (2018-07)",
    ),
    (
        edit("round: beijing-2018-05}", "round: us-2018-06}"),
        "US-1 history.round: round 'us-2018-06' is planned, not held: what happened can only be in a round "
        "held (once it is, remove its status: planned)",
    ),
    (
        edit("round: beijing-2018-05}", "round: geneva-2018-07}"),
        "US-1 history.round: round 'geneva-2018-07' was cancelled: what happened can only be in a round held",
    ),
    (edit("date: 2018-05-04}\n  - {id: geneva", "date: 2018-05-04, page: 3}\n  - {id: geneva"), "unknown field 'page'"),
]


@pytest.mark.parametrize(("text", "message"), ROUND_PROBLEMS, ids=[m for _t, m in ROUND_PROBLEMS])
def test_validate_checks_rounds(text: str, message: str) -> None:
    assert problems(text) == [message]


def test_a_planned_round_is_valid_and_so_is_a_month_to_a_day(run: Any, talks: Path) -> None:
    assert problems(TALKS) == []
    assert problems(edit("    date: 2018-06\n", "    date: 2018-06\n    end: 2018-06-20\n")) == []
    r = run("validate")
    assert (r.exit_code, r.stderr) == (0, f"{talks}: valid (1 item)\n"), r.output


def test_validate_checks_a_rounds_source_quote(run: Any, talks: Path) -> None:
    talks.write_text(edit("quote: may visit next month", "quote: will surely visit"), encoding="utf-8")
    r = run("validate")
    assert (r.exit_code, r.stderr) == (
        1,
        f"{talks}:15:32: round us-2018-06 source.quote: quote not found in article.txt\n",
    ), r.output


@pytest.fixture(scope="module")
def checker() -> Any:
    return jsonschema.Draft202012Validator(json_schema())


@pytest.mark.parametrize("text", [t for t, _m in ROUND_PROBLEMS[:6]])
def test_the_schema_rejects_what_validate_rejects_of_a_round(checker: Any, text: str) -> None:
    data, _node = yamlio.parse(text, "t.yaml")
    assert list(checker.iter_errors(data))


def test_the_schema_accepts_planned_and_cancelled_rounds(checker: Any) -> None:
    data, _node = yamlio.parse(TALKS, "t.yaml")
    assert list(checker.iter_errors(data)) == []


# --- nothing happens in a round not held --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["mark", "US-1", "agreed", "--round", "US-2018-06"],
            "round 'us-2018-06' is planned, not held: what happened can only be in a round held "
            "(once it is, remove its status: planned)",
        ),
        (["note", "US-1", "Met again", "--round", "geneva-2018-07"], "round 'geneva-2018-07' was cancelled: what happened can only be in a round held"),
        (["add", "--party", "cn", "--title", "x", "--round", "us-2018-06"], "round 'us-2018-06' is planned, not held: what happened can only be in a round held (once it is, remove its status: planned)"),
        (["diff", "--round", "us-2018-06"], "round 'us-2018-06' is planned, not held: what happened can only be in a round held (once it is, remove its status: planned)"),
        (["brief", "--round", "geneva-2018-07"], "round 'geneva-2018-07' was cancelled: what happened can only be in a round held"),
    ],
)  # fmt: skip
def test_a_round_not_held_is_refused_where_something_happened(
    run: Any, talks: Path, args: list[str], message: str
) -> None:
    before = talks.read_bytes()
    r = run(*args)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"demands: {message}\n"), r.output
    assert talks.read_bytes() == before


def test_list_and_log_by_a_round_not_held_find_nothing(run: Any, talks: Path) -> None:
    r = run("list", "--round", "us-2018-06", "-o", "ids")
    assert (r.exit_code, r.stdout) == (0, ""), r.output
    r = run("list", "--round", "beijing-2018-05", "-o", "ids")
    assert (r.exit_code, r.stdout) == (0, "US-1\n"), r.output


def test_completion_offers_the_rounds_held(talks: Path) -> None:
    assert complete("demands mark US-1 agreed --round ") == ["washington-2018-05", "beijing-2018-05"]


# --- the latest round held, and the state on a date ---------------------------------------------


def data_of(text: str) -> Any:
    data, _node = yamlio.parse(text, "t.yaml")
    return data


def test_last_round_held_is_the_latest_start_of_a_round_held() -> None:
    data = data_of(TALKS)
    assert timeline.last_round_held(data)["id"] == "washington-2018-05"  # the file lists it first
    assert timeline.last_round_held(data, until="2018-05-16")["id"] == "beijing-2018-05"
    assert timeline.last_round_held(data, until="2018-05-02") is None
    assert [r["id"] for r in timeline.rounds_held(data)] == ["beijing-2018-05", "washington-2018-05"]
    assert [r["id"] for r in timeline.rounds_ahead(data)] == ["us-2018-06"]
    only_planned = data_of(
        edit(
            "  - {id: washington-2018-05, date: 2018-05-17, end: 2018-05-18}\n  - {id: beijing-2018-05, date: 2018-05-03, end: 2018-05-04}\n",
            "",
        )
    )
    assert timeline.last_round_held(only_planned) is None
    import tradedemands

    assert tradedemands.last_round_held is timeline.last_round_held


def test_as_of_shows_a_plan_from_when_it_was_reported() -> None:
    data = data_of(TALKS)
    ids = [r["id"] for r in timeline.as_of(data, "2018-05-10")["rounds"]]
    assert ids == ["beijing-2018-05", "us-2018-06", "geneva-2018-07"]
    # Before the plan was reported (its source's date), it is not known yet; a held round
    # is there from its first day.
    ids = [r["id"] for r in timeline.as_of(data, "2018-05-03")["rounds"]]
    assert ids == ["beijing-2018-05", "geneva-2018-07"]


def test_changes_since_the_last_round_held(run: Any, talks: Path) -> None:
    """The brief's default 'since' is the latest round held, never a planned one."""
    r = run("note", "US-1", "Raised again", "--date", "2018-05-17", "--round", "washington-2018-05")
    assert r.exit_code == 0, r.output
    r = run("brief")
    assert r.exit_code == 0, r.output
    assert "## Changes since the last round (washington-2018-05, 2018-05-17)" in r.stdout, r.stdout


def test_export_says_which_rounds_are_not_held(run: Any, talks: Path) -> None:
    r = run("export", "-o", "markdown")
    assert r.exit_code == 0, r.output
    rounds = r.stdout.split("## Rounds\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert rounds[0] == "| id | date | end | place | outcome | status | parties | note | source |"
    assert rounds[2:] == [
        "| washington-2018-05 | 2018-05-17 | 2018-05-18 |   |   | held |   |   |   |",
        "| beijing-2018-05 | 2018-05-03 | 2018-05-04 |   |   | held |   |   |   |",
        "| us-2018-06 | 2018-06 |   |   |   | planned possible | cn, us | Wang Qishan may lead "
        "| “may visit next month” — article.txt, 2018-05-04 |",
        "| geneva-2018-07 | 2018-07 |   |   |   | cancelled |   |   |   |",
    ]
