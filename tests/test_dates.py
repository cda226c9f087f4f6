"""Dates as people say them: today, yesterday, 3d, 2w, 1m, 1y (+ ahead), last-round, on every date option."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tradedemands import typed
from tradedemands.errors import UsageError

TODAY = date.today()
SPANS = "today, yesterday, or a span back: 3d, 2w, 1m, 1y (+2w ahead)"


@pytest.mark.parametrize(
    ("today", "typed_", "expected"),
    [
        ("2024-03-15", "today", "2024-03-15"),
        ("2024-03-15", "Yesterday", "2024-03-14"),
        ("2024-03-01", "yesterday", "2024-02-29"),  # leap day
        ("2023-03-01", "1d", "2023-02-28"),
        ("2024-03-15", "3d", "2024-03-12"),
        ("2024-03-15", "0d", "2024-03-15"),
        ("2024-03-15", "2w", "2024-03-01"),
        ("2024-01-05", "1w", "2023-12-29"),  # across a year
        ("2024-03-31", "1m", "2024-02-29"),  # calendar months, clamped to the month's end (leap year)
        ("2023-03-31", "1m", "2023-02-28"),
        ("2024-05-31", "1m", "2024-04-30"),
        ("2024-03-15", "1m", "2024-02-15"),
        ("2024-01-31", "2m", "2023-11-30"),
        ("2024-03-15", "14m", "2023-01-15"),
        ("2024-02-29", "1y", "2023-02-28"),  # leap day a year back
        ("2024-02-29", "4y", "2020-02-29"),
        ("2024-03-15", " 2W ", "2024-03-01"),  # any case, spaces around
        ("2024-03-15", "+2w", "2024-03-29"),  # ahead
        ("2024-01-31", "+1m", "2024-02-29"),
        ("2024-03-15", "2018-05-04", "2018-05-04"),
    ],
)
def test_relative_dates(today: str, typed_: str, expected: str) -> None:
    assert typed.date(typed_, "date", today=date.fromisoformat(today)) == expected


@pytest.mark.parametrize("bad", ["3x", "d3", "-3d", "1.5m", "3 days", "2018-02-30", "last week", "1234567d", ""])
def test_what_is_not_a_date_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError) as caught:
        typed.date(bad, "since", today=date(2024, 3, 15))
    assert (
        caught.value.worded("--since")
        == f"bad date {bad.strip()!r} for --since: use YYYY-MM-DD like 2024-03-15, {SPANS}"
    )


def test_a_span_past_the_calendar_is_refused() -> None:
    with pytest.raises(UsageError, match=r"'9999y' is out of range: dates run from 0001-01-01 to 9999-12-31"):
        typed.date("9999y", "date", today=date(2024, 3, 15))
    with pytest.raises(UsageError, match="out of range"):
        typed.date("yesterday", "date", today=date(1, 1, 1))
    with pytest.raises(UsageError, match="out of range"):
        typed.date("+1d", "date", today=date(9999, 12, 31))


def test_last_round_is_the_latest_round_held() -> None:
    data = {
        "rounds": [
            {"id": "a", "date": "2018-05-03"},
            {"id": "b", "date": "2018-06-02", "status": "cancelled"},
            {"id": "c", "date": "2018-05-17"},
            {"id": "d", "date": "2018-07", "status": "planned"},  # planned rounds may be approximate
            {"id": "e", "date": "2030-01-01"},  # not held yet
        ]
    }
    today = date(2019, 1, 1)
    assert typed.date_in(data, "last-round", "since", today=today) == "2018-05-17"
    assert typed.date_in(data, "LAST-ROUND", "as_of", today=today) == "2018-05-17"
    assert typed.date_in(data, "2w", "since", today=today) == "2018-12-18"
    with pytest.raises(UsageError) as caught:
        typed.date_in({"rounds": []}, "last-round", "since", today=today)
    assert caught.value.worded("--since") == "no round has been held yet (the file's rounds): give --since a date"
    with pytest.raises(UsageError, match="last-round is for --since and --as-of"):
        typed.date("last-round", "date")


# --- on the command line ------------------------------------------------------------------------


def history_dates(run, item: str) -> list[str]:
    return [e["date"] for e in json.loads(run("show", item, "-o", "json").stdout)[0]["history"]]


@pytest.mark.parametrize(
    ("said", "days"), [("today", 0), ("yesterday", 1), ("3d", 3), ("2w", 14)]
)  # fmt: skip
def test_mark_date_takes_each_form(run, said: str, days: int) -> None:
    r = run("mark", "US-7", "discussing", "--date", said)
    assert r.exit_code == 0, r.output
    assert history_dates(run, "US-7")[-1] == (TODAY - timedelta(days=days)).isoformat()


@pytest.mark.parametrize("said", ["1m", "1y"])
def test_note_date_takes_months_and_years(run, said: str) -> None:
    r = run("note", "US-1", "Raised again", "--date", said)
    assert r.exit_code == 0, r.output
    expected = typed.date(said)
    assert expected < TODAY.isoformat() and expected in history_dates(run, "US-1")


def test_due_and_by_take_spans_ahead(run) -> None:
    assert run("edit", "US-9", "--due", "+2w").exit_code == 0
    assert json.loads(run("show", "US-9", "-o", "json").stdout)[0]["due"] == (TODAY + timedelta(days=14)).isoformat()
    assert run("target", "US-1", "--by", "+1y").exit_code == 0
    by = json.loads(run("show", "US-1", "-o", "json").stdout)[0]["target"]["by"]
    assert by == typed.date("+1y")
    found = run("list", "--due-before", "+1m", "-o", "ids")
    assert found.stdout == "US-9\n", found.output


def test_since_until_and_as_of_take_spans_and_last_round(run) -> None:
    assert run("log", "--since", "1y", "-o", "json").stdout == "[]\n"  # nothing in the shipped file is that recent
    assert len(json.loads(run("log", "--until", "1d", "-o", "json").stdout)) == 19
    # The shipped file's one round began on 2018-05-03: last-round is that day.
    assert (
        run("log", "--since", "last-round", "-o", "json").stdout
        == run("log", "--since", "2018-05-03", "-o", "json").stdout
    )
    as_of = run("list", "--as-of", "last-round", "-o", "json")
    assert as_of.stdout == run("list", "--as-of", "2018-05-03", "-o", "json").stdout, as_of.output
    assert "rejected" not in as_of.stdout  # US-1 and US-2 were refused the day after
    assert run("summary", "--as-of", "yesterday", "-o", "json").stdout == run("summary", "-o", "json").stdout
    diff = run("diff", "--since", "last-round", "-o", "json")
    assert diff.exit_code == 0, diff.output
    assert json.loads(diff.stdout)["old"] == "before 2018-05-03"


def test_last_round_with_no_round_held(run, data_file: Path) -> None:
    text = data_file.read_text(encoding="utf-8").replace("date: 2018-05-03, end: 2018-05-04", "date: 2999-05-03")
    data_file.write_text(text, encoding="utf-8")
    r = run("log", "--since", "last-round")
    assert (r.exit_code, r.stderr) == (
        2,
        "demands: no round has been held yet (the file's rounds): give --since a date\n",
    )


def test_every_date_option_says_what_it_takes(run) -> None:
    """Each date option's help names the forms (and last-round where it is taken)."""
    options = {
        "list": ["--due-before", "--as-of"],
        "show": ["--as-of"],
        "summary": ["--as-of"],
        "log": ["--since", "--until"],
        "diff": ["--since"],
        "brief": ["--since", "--as-of"],
        "compare": ["--as-of"],
        "mark": ["--date"],
        "note": ["--date"],
        "add": ["--date", "--due"],
        "edit": ["--due"],
        "target": ["--by"],
        "progress": ["--date"],
    }
    import typer

    from tradedemands.cli import app
    from tradedemands.cli.options import DATES, ROUND_DATES

    command = typer.main.get_command(app)
    for name, flags in options.items():
        params = {opt: p for p in command.commands[name].params for opt in p.opts}  # type: ignore[attr-defined]
        for flag in flags:
            helped = params[flag].help or ""
            wanted = ROUND_DATES if flag in ("--since", "--as-of") else DATES
            assert wanted in helped, (name, flag, helped)
            assert "1m" in helped and "yesterday" in helped, (name, flag)


def test_each_form_through_the_installed_command(workspace: Path, data_file: Path) -> None:
    """Notes dated by each form (the library reads them as the command does), then log --since each
    form run as the installed command, all at once."""
    import subprocess

    import tradedemands
    from conftest import DEMANDS

    forms = ["today", "yesterday", "3d", "2w", "1m", "1y"]
    for form in forms:
        tradedemands.note(data_file, "US-9", f"dated {form}", date=form)
    procs = {
        form: subprocess.Popen(
            [str(DEMANDS), "log", "--since", form, "--party", "us", "-o", "json"],
            cwd=workspace,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for form in [*forms, "last-round"]
    }
    for n, form in enumerate(forms):
        out, err = procs[form].communicate(timeout=60)
        notes = [e["note"] for e in json.loads(out)]
        assert notes[: n + 1] == [f"dated {f}" for f in forms[: n + 1]], (form, notes, err)
        dates = {e["date"] for e in json.loads(out)}
        assert min(dates) == typed.date(form), form
    out, _err = procs["last-round"].communicate(timeout=60)
    assert len(json.loads(out)) == len(forms) + 12  # every US entry (US-CN-1 too): the round began on 2018-05-03
